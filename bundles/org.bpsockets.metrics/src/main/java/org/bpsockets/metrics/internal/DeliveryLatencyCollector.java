package org.bpsockets.metrics.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.prometheus.metrics.model.registry.Collector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;

import org.bpsockets.node.api.stats.NodeStatistics;
import org.bpsockets.node.api.stats.NodeStatistics.LatencyHistogram;

/**
 * The node's creation-to-delivery histogram as a Prometheus histogram. The node keeps the buckets (it
 * sees every delivery, also while no metrics bundle runs); a Micrometer Timer could only count what
 * happened after it was registered, so this hands the node's own buckets to the Prometheus client's
 * model, which writes the exposition format.
 */
final class DeliveryLatencyCollector implements Collector {
    static final String NAME = "bp_node_delivery_latency_seconds";
    private final Supplier<NodeStatistics> node;

    DeliveryLatencyCollector(Supplier<NodeStatistics> node) {
        this.node = node;
    }

    @Override
    public String getPrometheusName() {
        return NAME;
    }

    @Override
    public MetricSnapshot collect() {
        HistogramSnapshot.Builder b = HistogramSnapshot.builder().name(NAME)
                .help("Time from a bundle's creation to its delivery to an application of this node");
        NodeStatistics n = node.get();
        if (n != null) {
            LatencyHistogram h = n.deliveryLatency();
            List<Double> bounds = new ArrayList<>(h.upperBoundsSeconds());
            bounds.add(Double.POSITIVE_INFINITY);
            b.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, h.counts())).sum(h.sumSeconds()).build());
        }
        return b.build();
    }
}
