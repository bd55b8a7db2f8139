package org.bpsockets.bpv7;

/**
 * The Hop Count block's data (RFC 9171 §4.4.3): {@code [hop limit, hop count]}.
 *
 * @param limit hop limit, 1..255
 * @param count hops taken so far
 */
public record HopCount(int limit, long count) {
    public HopCount {
        if (limit < 1 || limit > 255) {
            throw new IllegalArgumentException("hop limit must be 1..255, is " + limit);
        }
        if (count < 0) {
            throw new IllegalArgumentException("hop count must not be negative");
        }
    }

    /** A fresh count of 0 under this limit. */
    public static HopCount withLimit(int limit) {
        return new HopCount(limit, 0);
    }

    /** One more hop. */
    public HopCount incremented() {
        return new HopCount(limit, count + 1);
    }

    /** True when the count is above the limit; RFC 9171 says such a bundle should be deleted ("Hop limit exceeded"). */
    public boolean exceeded() {
        return count > limit;
    }
}
