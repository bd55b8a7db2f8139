package org.bpsockets.bpv7;

/**
 * Limits checked while decoding, before anything is allocated for the item concerned.
 *
 * @param maxBundleBytes largest encoded bundle accepted
 * @param maxBlocks largest number of canonical blocks (payload included)
 * @param maxEidLength longest dtn endpoint ID scheme-specific part, in bytes
 */
public record DecodeLimits(long maxBundleBytes, int maxBlocks, int maxEidLength) {
    /** 64 MiB, 64 blocks, 1024-byte EIDs. */
    public static final DecodeLimits DEFAULT = new DecodeLimits(64L << 20, 64, 1024);

    public DecodeLimits {
        if (maxBundleBytes < 1 || maxBlocks < 1 || maxEidLength < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }
}
