package org.bpsockets.bpv7;

/** Block type codes (RFC 9171 §9.1, RFC 9172 §11.1). Types 192-255 are private/experimental (ION uses 193). */
public final class BlockType {
    public static final long PAYLOAD = 1;
    public static final long PREVIOUS_NODE = 6;
    public static final long BUNDLE_AGE = 7;
    public static final long HOP_COUNT = 10;
    public static final long BLOCK_INTEGRITY = 11;
    public static final long BLOCK_CONFIDENTIALITY = 12;
    /** ION's Quality of Service block: class of service and ordinal ({@link QualityOfService}). */
    public static final long QUALITY_OF_SERVICE = 193;

    private BlockType() {
    }
}
