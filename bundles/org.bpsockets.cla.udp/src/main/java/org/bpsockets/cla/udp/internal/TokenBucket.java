package org.bpsockets.cla.udp.internal;

/**
 * Paces one link's datagrams: {@code rate} bytes per second on average, at most {@code burst} bytes
 * back to back. A datagram goes when the bucket holds its length; each datagram is charged its own
 * length, so a bundle the node fragmented is paced datagram by datagram. Rate 0 means unpaced. Time
 * is passed in (nanoseconds, any origin) so the arithmetic can be tested without a clock. Not thread
 * safe: the layer's sender thread owns it.
 */
final class TokenBucket {
    private long rate;
    private long burst;
    private double tokens;
    private long last;

    TokenBucket(long rateBytesPerSecond, long burstBytes, long now) {
        this.rate = rateBytesPerSecond;
        this.burst = burstBytes;
        this.tokens = burstBytes;
        this.last = now;
    }

    /** New settings; the tokens held so far are kept, up to the new burst. */
    void reconfigure(long rateBytesPerSecond, long burstBytes, long now) {
        refill(now);
        rate = rateBytesPerSecond;
        burst = burstBytes;
        tokens = Math.min(tokens, burstBytes);
    }

    /** Nanoseconds until a datagram of this length may go; 0 if it may go now. */
    long delayNanos(int length, long now) {
        if (rate <= 0) {
            return 0;
        }
        refill(now);
        double missing = Math.min(length, burst) - tokens;
        if (missing <= 0) {
            return 0;
        }
        return Math.max(1, (long) Math.ceil(missing * 1e9 / rate));
    }

    /** Charges a datagram that is going now. */
    void take(int length, long now) {
        if (rate <= 0) {
            return;
        }
        refill(now);
        tokens -= length;
    }

    private void refill(long now) {
        long elapsed = now - last;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * (double) rate / 1e9);
            last = now;
        }
    }

    double tokens() {
        return tokens;
    }
}
