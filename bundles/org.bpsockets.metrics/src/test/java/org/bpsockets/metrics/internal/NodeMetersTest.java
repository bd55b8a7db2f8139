package org.bpsockets.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.bpsockets.api.backend.BackendCapabilities;
import org.bpsockets.api.backend.BackendHealth;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.registry.BackendInfo;
import org.bpsockets.api.registry.LocalSocket;
import org.bpsockets.api.registry.NodeStatus;
import org.bpsockets.api.registry.SocketCounters;
import org.bpsockets.api.registry.SocketInfo;
import org.bpsockets.api.registry.SocketRegistry;
import org.bpsockets.node.api.stats.NodeStatistics;
import org.junit.jupiter.api.Test;

class NodeMetersTest {

    final Map<String, Long> counters = new LinkedHashMap<>();
    final List<NodeStatistics.LinkStatistics> links = new ArrayList<>();
    final List<SocketInfo> sockets = new ArrayList<>();

    final NodeStatistics node = new NodeStatistics() {
        @Override
        public String nodeId() {
            return "ipn:1.0";
        }

        @Override
        public Map<String, Long> counters() {
            return counters;
        }

        @Override
        public List<LinkStatistics> links() {
            return links;
        }

        @Override
        public LatencyHistogram deliveryLatency() {
            // 2 within 5 ms, 1 within 1 s, 1 beyond the last bound (a day)
            return new LatencyHistogram(List.of(0.005, 1.0, 86400.0), List.of(2L, 1L, 0L, 1L), 90000.5);
        }
    };

    final SocketRegistry registry = new SocketRegistry() {
        @Override
        public NodeStatus status() {
            return new NodeStatus(Optional.of("embedded"), "UP", List.of(), sockets.size(), sockets.size());
        }

        @Override
        public List<SocketInfo> sockets() {
            return sockets;
        }

        @Override
        public List<BackendInfo> backends() {
            return List.of(new BackendInfo("embedded", true, BackendHealth.up("ok"),
                    new BackendCapabilities(java.util.Set.of(), java.util.Set.of(), 1000), Optional.of(EndpointId.parse("ipn:1.0")), 2));
        }

        @Override
        public LocalSocket openLocal(Optional<EndpointId> endpoint) {
            throw new UnsupportedOperationException();
        }
    };

    String scrape(PrometheusMeterRegistry r, NodeMeters m) {
        m.refresh(node, registry);
        return r.scrape();
    }

    @Test
    void everyMetricTheDashboardShowsIsServedAndClosedSocketsDisappear() throws Exception {
        counters.putAll(Map.of("accepted", 7L, "created", 5L, "received", 2L, "delivered", 3L, "forwarded", 1L,
                "deleted", 1L, "deleted: lifetime expired", 1L, "refused: duplicate", 4L, "stored", 2L,
                "stored bytes", 300L));
        links.add(new NodeStatistics.LinkStatistics("peer2", "tcpclv4-1", "tcpclv4", "UP", 0, 2, 200, 1, 100, 4, 0));
        sockets.add(new SocketInfo("kernel", 9, Optional.of(EndpointId.parse("ipn:1.7")), Optional.of("embedded"),
                Map.of(), new SocketCounters(5, 0, 3, 0, 0, 0, 0), 1));
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        r.getPrometheusRegistry().register(new DeliveryLatencyCollector(() -> node));
        NodeMeters m = new NodeMeters(r);
        String text = scrape(r, m);
        // The node's buckets are counts per bucket; Prometheus's are cumulative.
        assertTrue(text.contains("# TYPE bp_node_delivery_latency_seconds histogram"), text);
        assertTrue(text.contains("bp_node_delivery_latency_seconds_bucket{le=\"0.005\"} 2"), text);
        assertTrue(text.contains("bp_node_delivery_latency_seconds_bucket{le=\"1.0\"} 3"), text);
        assertTrue(text.contains("bp_node_delivery_latency_seconds_bucket{le=\"86400.0\"} 3"), text);
        assertTrue(text.contains("bp_node_delivery_latency_seconds_bucket{le=\"+Inf\"} 4"), text);
        assertTrue(text.contains("bp_node_delivery_latency_seconds_count 4"), text);
        assertTrue(text.contains("bp_node_delivery_latency_seconds_sum 90000.5"), text);
        assertTrue(text.contains("bp_node_bundles_ended_total{end=\"deleted\",reason=\"lifetime expired\"} 1.0"), text);
        assertTrue(text.contains("bp_link_bytes_total{direction=\"in\",layer=\"tcpclv4\",link=\"peer2\"} 200.0"), text);
        assertTrue(text.contains("bp_link_up{layer=\"tcpclv4\",link=\"peer2\"} 1.0"), text);
        assertTrue(text.contains("bp_backend_up{backend=\"embedded\"} 1.0"), text);

        String dashboard = Files.readString(Path.of("../../docs/grafana-dashboard.json"));
        Matcher names = Pattern.compile("\\b(bp_[a-z_]+)").matcher(dashboard);
        int checked = 0;
        while (names.find()) {
            assertTrue(text.contains(names.group(1)), "the dashboard's " + names.group(1) + " is served");
            checked++;
        }
        assertTrue(checked >= 10, "the dashboard names its metrics");

        counters.put("delivered", 4L);
        sockets.clear();
        String later = scrape(r, m);
        assertTrue(later.contains("bp_node_bundles_ended_total{end=\"delivered\"} 4.0"), later);
        assertFalse(later.contains("ipn:1.7"), "a closed socket's meters are removed");
        assertEquals(1, later.lines().filter(l -> l.startsWith("bp_node_bundles_stored ")).count(),
                "one sample per meter, however many refreshes");
    }
}
