package org.bpsockets.bpv7;

import org.bpsockets.api.bundle.StatusReportKind;

/** Bundle processing control flags (RFC 9171 §4.2.3). Unknown flags are kept and ignored. */
public final class BundleFlags {
    public static final long FRAGMENT = 0x1;
    public static final long ADMIN_RECORD = 0x2;
    public static final long MUST_NOT_FRAGMENT = 0x4;
    public static final long APP_ACK_REQUESTED = 0x20;
    public static final long STATUS_TIME_REQUESTED = 0x40;
    public static final long REPORT_RECEPTION = 0x4000;
    public static final long REPORT_FORWARDING = 0x10000;
    public static final long REPORT_DELIVERY = 0x20000;
    public static final long REPORT_DELETION = 0x40000;
    /** All four status report request flags. */
    public static final long REPORT_MASK = REPORT_RECEPTION | REPORT_FORWARDING | REPORT_DELIVERY | REPORT_DELETION;

    private BundleFlags() {
    }

    /** The flag requesting reports of this kind. */
    public static long of(StatusReportKind kind) {
        return kind.processingFlag();
    }
}
