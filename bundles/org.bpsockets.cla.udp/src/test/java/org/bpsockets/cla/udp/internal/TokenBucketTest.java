package org.bpsockets.cla.udp.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The pacing arithmetic, with time passed in: no clock, no sleeping. */
class TokenBucketTest {
    static final long S = 1_000_000_000L;

    @Test
    void aFullBucketLetsTheBurstGoThenPacesEachDatagramByItsLength() {
        TokenBucket b = new TokenBucket(1000, 3000, 0);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, b.delayNanos(1000, 0), "datagram " + i + " of the burst");
            b.take(1000, 0);
        }
        // The fourth waits for its own 1000 bytes at 1000 B/s.
        assertEquals(S, b.delayNanos(1000, 0));
        assertEquals(S / 2, b.delayNanos(1000, S / 2));
        assertEquals(0, b.delayNanos(1000, S));
        b.take(1000, S);
        // A smaller datagram is charged less: 100 bytes wait 0.1 s, not a whole bundle's worth.
        assertEquals(S / 10, b.delayNanos(100, S));
    }

    @Test
    void idleTimeRefillsNoMoreThanTheBurst() {
        TokenBucket b = new TokenBucket(1000, 2000, 0);
        b.take(2000, 0);
        assertEquals(0, b.delayNanos(2000, 100 * S));
        b.take(2000, 100 * S);
        assertEquals(2 * S, b.delayNanos(2000, 100 * S), "an hour idle does not allow more than the burst");
    }

    @Test
    void aDatagramLargerThanTheBurstWaitsForAFullBucketAndLeavesADebt() {
        TokenBucket b = new TokenBucket(1000, 1000, 0);
        assertEquals(0, b.delayNanos(1500, 0));
        b.take(1500, 0);
        assertEquals(-500.0, b.tokens());
        assertEquals(3 * S / 2, b.delayNanos(1000, 0));
    }

    @Test
    void rateZeroIsUnpacedAndReconfiguringKeepsWhatWasSpent() {
        TokenBucket b = new TokenBucket(0, 1, 0);
        b.take(1_000_000, 0);
        assertEquals(0, b.delayNanos(1_000_000, 0));
        TokenBucket c = new TokenBucket(1000, 4000, 0);
        c.take(4000, 0);
        c.reconfigure(2000, 1000, S / 2); // refilled 500 at the old rate, then paced at the new one
        assertEquals(S / 4, c.delayNanos(1000, S / 2));
    }
}
