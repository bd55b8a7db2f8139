package org.bpsockets.bpv7;

/** Block processing control flags (RFC 9171 §4.2.4). Unknown flags are kept and ignored. */
public final class BlockFlags {
    public static final long REPLICATE_IN_EVERY_FRAGMENT = 0x01;
    public static final long REPORT_IF_UNPROCESSABLE = 0x02;
    public static final long DELETE_BUNDLE_IF_UNPROCESSABLE = 0x04;
    public static final long DISCARD_BLOCK_IF_UNPROCESSABLE = 0x10;

    private BlockFlags() {
    }
}
