package org.bpsockets.api.option;

import java.util.EnumSet;
import java.util.Set;

import org.bpsockets.api.bundle.StatusReportKind;

/**
 * The SOL_BP option names and value encodings, as defined for applications in the kernel module's
 * public header {@code kmod/include/uapi/linux/bp.h} (a test keeps the two in step). Values are in host
 * byte order.
 */
public final class SocketOptionNames {

    /** The socket option level of BP options. */
    public static final int SOL_BP = 299;

    /** Bundle lifetime in milliseconds: {@code uint64_t}, at least 1. */
    public static final int BP_LIFETIME_MS = 1;
    /** Class of service: {@code int}, 0 bulk, 1 normal, 2 expedited. */
    public static final int BP_CLASS_OF_SERVICE = 2;
    /** ION ordinal within expedited: {@code int}, 0..254. */
    public static final int BP_ORDINAL = 3;
    /** Status reports requested: {@code uint32_t} of BP_REPORT_* bits. */
    public static final int BP_STATUS_REPORTS = 4;
    /** Where status reports go: a {@code struct sockaddr_bp}. */
    public static final int BP_REPORT_TO = 5;
    /** Custody transfer: {@code int}, 0 none, 1 optional, 2 required. */
    public static final int BP_CUSTODY = 6;
    /** Hop limit: {@code int}, 0 (no hop count block) or 1..255. */
    public static final int BP_HOP_LIMIT = 7;
    /** Must not fragment: {@code int}, 0 or 1. */
    public static final int BP_MUST_NOT_FRAGMENT = 8;
    /** Application acknowledgement requested: {@code int}, 0 or 1. */
    public static final int BP_APP_ACK = 9;

    /** BP_STATUS_REPORTS bits. */
    public static final int BP_REPORT_RECEPTION = 0x1;
    public static final int BP_REPORT_FORWARDING = 0x2;
    public static final int BP_REPORT_DELIVERY = 0x4;
    public static final int BP_REPORT_DELETION = 0x8;

    /** Socket option kept by the kernel module (never seen by the node): read status records. */
    public static final int BP_RECVSTATUS = 128;
    /** Status records (bp(7), STATUS REPORTS): a send was accepted as a bundle, or refused. */
    public static final int BP_STATUS_ACCEPTED = 0x100;
    public static final int BP_STATUS_FAILED = 0x200;

    private SocketOptionNames() {
    }

    /** The BP_REPORT_* bits of some report kinds (the BP_STATUS_REPORTS value, and a status record's). */
    public static int reportBits(Set<StatusReportKind> kinds) {
        int bits = 0;
        for (StatusReportKind k : kinds) {
            bits |= reportBit(k);
        }
        return bits;
    }

    /** The report kinds of BP_REPORT_* bits; unknown bits are ignored. */
    public static Set<StatusReportKind> reportKinds(int bits) {
        EnumSet<StatusReportKind> kinds = EnumSet.noneOf(StatusReportKind.class);
        for (StatusReportKind k : StatusReportKind.values()) {
            if ((bits & reportBit(k)) != 0) {
                kinds.add(k);
            }
        }
        return kinds;
    }

    private static int reportBit(StatusReportKind kind) {
        return switch (kind) {
            case RECEPTION -> BP_REPORT_RECEPTION;
            case FORWARDING -> BP_REPORT_FORWARDING;
            case DELIVERY -> BP_REPORT_DELIVERY;
            case DELETION -> BP_REPORT_DELETION;
        };
    }
}
