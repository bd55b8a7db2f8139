package org.bpsockets.node.api.stats;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The embedded node's counters, published as a service while the node runs. Each call takes a
 * consistent snapshot on the node's event thread, so {@code accepted = delivered + forwarded + deleted
 * + stored} holds within one snapshot (docs/architecture.md, "Lifecycle of a bundle").
 */
@ProviderType
public interface NodeStatistics {

    /** The node's ID, e.g. ipn:1.0. */
    String nodeId();

    /**
     * Every counter by name, as bp:node prints them: "accepted", "created", "received", "generated",
     * "recovered", "delivered", "forwarded", "deleted", "deleted: REASON", "refused",
     * "refused: WHY", "stored", "stored bytes", and the others; all monotonic except "stored" and
     * "stored bytes".
     */
    Map<String, Long> counters();

    /** Every link the node has now (configured ones, up or down, and those peers opened). */
    List<LinkStatistics> links();

    /**
     * How long bundles took from their creation (the creation timestamp in their primary block) to their
     * delivery to an application of this node, since the node started. Bundles created without a clock
     * (creation time 0) are not in it; a creation time in the future (a peer's clock ahead of ours)
     * counts as 0 s.
     *
     * @since 1.1
     */
    default LatencyHistogram deliveryLatency() {
        return LatencyHistogram.EMPTY;
    }

    /**
     * A histogram with fixed buckets, as Prometheus keeps one.
     *
     * @param upperBoundsSeconds each bucket's upper bound (inclusive), ascending; a last bucket without a
     *        bound takes the rest
     * @param counts how many observations fell in each bucket (not cumulative), one more than there are
     *        bounds
     * @param sumSeconds the sum of all observations
     */
    record LatencyHistogram(List<Double> upperBoundsSeconds, List<Long> counts, double sumSeconds) {
        public static final LatencyHistogram EMPTY = new LatencyHistogram(List.of(), List.of(0L), 0);

        public LatencyHistogram {
            upperBoundsSeconds = List.copyOf(upperBoundsSeconds);
            counts = List.copyOf(counts);
            if (counts.size() != upperBoundsSeconds.size() + 1) {
                throw new IllegalArgumentException("one count per bound, and one for the rest");
            }
        }

        /** How many observations there are in all. */
        public long count() {
            return counts.stream().mapToLong(Long::longValue).sum();
        }

        /**
         * The upper bound of the bucket that holds the given quantile (0 to 1), in seconds: an upper
         * estimate, as Prometheus's histogram_quantile gives at a bucket's edge; infinity if it falls in
         * the last bucket, NaN if there are no observations.
         */
        public double quantileUpperBound(double q) {
            long total = count();
            if (total == 0) {
                return Double.NaN;
            }
            long rank = (long) Math.ceil(q * total);
            long seen = 0;
            for (int i = 0; i < upperBoundsSeconds.size(); i++) {
                seen += counts.get(i);
                if (seen >= Math.max(1, rank)) {
                    return upperBoundsSeconds.get(i);
                }
            }
            return Double.POSITIVE_INFINITY;
        }
    }

    /**
     * One link's traffic since the node started (a configured link keeps its counts across reconnections).
     *
     * @param name the configured link's name, or "(inbound)" for one a peer opened
     * @param id the open link's ID, or "-" if it is down
     * @param queued bundles queued on it now
     */
    record LinkStatistics(String name, String id, String layer, String state, int queued, long bundlesIn,
            long bytesIn, long bundlesOut, long bytesOut, long refused, long failures) {
    }
}
