package org.bpsockets.api.bundle;

/** The bundle status reports a source may request (RFC 9171 §4.2.3, §6.1.1). */
public enum StatusReportKind {
    /** Report when a node receives the bundle (flag 0x4000). */
    RECEPTION(0x4000),
    /** Report when a node forwards the bundle (flag 0x10000). */
    FORWARDING(0x10000),
    /** Report when the bundle is delivered to its destination (flag 0x20000). */
    DELIVERY(0x20000),
    /** Report when a node deletes the bundle (flag 0x40000). */
    DELETION(0x40000);

    private final long processingFlag;

    StatusReportKind(long processingFlag) {
        this.processingFlag = processingFlag;
    }

    /** The bundle processing control flag that requests this report. */
    public long processingFlag() {
        return processingFlag;
    }
}
