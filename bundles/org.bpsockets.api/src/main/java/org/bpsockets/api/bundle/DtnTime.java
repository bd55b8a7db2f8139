package org.bpsockets.api.bundle;

import java.time.Instant;

/** DTN time (RFC 9171 §4.2.6): milliseconds since 2000-01-01T00:00:00Z; 0 means "no clock". */
public final class DtnTime {
    /** Unix milliseconds of the DTN epoch. */
    public static final long EPOCH_UNIX_MILLIS = 946_684_800_000L;

    private DtnTime() {
    }

    public static long fromInstant(Instant instant) {
        return instant.toEpochMilli() - EPOCH_UNIX_MILLIS;
    }

    public static Instant toInstant(long dtnMillis) {
        return Instant.ofEpochMilli(dtnMillis + EPOCH_UNIX_MILLIS);
    }

    /** The current DTN time. */
    public static long now() {
        return System.currentTimeMillis() - EPOCH_UNIX_MILLIS;
    }
}
