package org.bpsockets.cla.udp.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;

/**
 * WARN lines for datagrams the layer drops (a bundle lost, or a fragment of one): per kind, the first
 * at once, then at most one per 10 s carrying how many were dropped since the last line. The counts
 * themselves are in the layer's {@code Problems}.
 */
final class DropWarnings {
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Logger log;
    private final ConcurrentHashMap<String, long[]> state = new ConcurrentHashMap<>();

    DropWarnings(Logger log) {
        this.log = log;
    }

    void warn(String kind, String message) {
        long[] s = state.computeIfAbsent(kind, k -> new long[] {0, 0, 0}); // [logged?, last line, unlogged]
        long now = System.nanoTime();
        long since;
        synchronized (s) {
            s[2]++;
            if (s[0] != 0 && now - s[1] < INTERVAL_NANOS) {
                return;
            }
            s[0] = 1;
            s[1] = now;
            since = s[2];
            s[2] = 0;
        }
        log.warn("udp: {} ({}: {} dropped since the last such warning)", message, kind, since);
    }
}
