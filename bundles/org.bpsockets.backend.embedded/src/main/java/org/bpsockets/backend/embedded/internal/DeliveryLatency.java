package org.bpsockets.backend.embedded.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

import org.bpsockets.node.api.stats.NodeStatistics.LatencyHistogram;

/**
 * Creation-to-delivery time of the bundles delivered to this node's applications, in fixed buckets
 * from a millisecond (the resolution of a creation timestamp) to a day (DTN paths can be that slow).
 * Written by the event thread, read by observers: each bucket is atomic, so a snapshot can be one
 * observation behind in its sum, never inconsistent in a way that matters to a histogram.
 */
final class DeliveryLatency {
    private static final long[] BOUNDS_MILLIS = {1, 5, 10, 50, 100, 500, 1_000, 5_000, 10_000, 60_000, 300_000,
        3_600_000, 86_400_000};
    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS_MILLIS.length + 1);
    private final AtomicLongArray sumMillis = new AtomicLongArray(1);

    /**
     * Records one delivery.
     *
     * @param creationMillis the bundle's creation time in DTN milliseconds; 0 (no clock) is not recorded
     * @param nowMillis the time of delivery in DTN milliseconds
     * @return whether it was recorded
     */
    boolean record(long creationMillis, long nowMillis) {
        if (creationMillis == 0) {
            return false;
        }
        long latency = Math.max(0, nowMillis - creationMillis);
        int i = 0;
        while (i < BOUNDS_MILLIS.length && latency > BOUNDS_MILLIS[i]) {
            i++;
        }
        counts.incrementAndGet(i);
        sumMillis.addAndGet(0, latency);
        return true;
    }

    LatencyHistogram snapshot() {
        List<Double> bounds = new ArrayList<>(BOUNDS_MILLIS.length);
        for (long b : BOUNDS_MILLIS) {
            bounds.add(b / 1000.0);
        }
        List<Long> c = new ArrayList<>(counts.length());
        for (int i = 0; i < counts.length(); i++) {
            c.add(counts.get(i));
        }
        return new LatencyHistogram(bounds, c, sumMillis.get(0) / 1000.0);
    }
}
