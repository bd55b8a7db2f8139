package org.bpsockets.metrics.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import org.bpsockets.api.registry.BackendInfo;
import org.bpsockets.api.registry.SocketInfo;
import org.bpsockets.api.registry.SocketRegistry;
import org.bpsockets.node.api.stats.NodeStatistics;
import org.bpsockets.node.api.stats.NodeStatistics.LinkStatistics;

/**
 * The meters of the node, its links, its sockets and its backends, kept in step with what exists:
 * {@link #refresh} takes one snapshot of every counter (before each scrape), adds the meters of new
 * links, sockets and reasons, and removes those of sockets and links that are gone. Meters read the
 * snapshot, so one scrape shows one consistent state: accepted = delivered + forwarded + deleted +
 * stored holds in it as in bp:node.
 */
final class NodeMeters {
    private final MeterRegistry registry;
    /** Every value of the current snapshot, by meter key (name + tags). */
    private volatile Map<String, Double> values = Map.of();
    private final Map<String, Meter> meters = new HashMap<>();

    NodeMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Takes a snapshot and brings the set of meters in line with it. Not thread-safe: one scrape at a time. */
    synchronized void refresh(NodeStatistics node, SocketRegistry sockets) {
        Map<String, Double> next = new HashMap<>();
        List<Runnable> creations = new ArrayList<>();
        if (node != null) {
            for (Map.Entry<String, Long> e : node.counters().entrySet()) {
                nodeCounter(e.getKey(), e.getValue(), next, creations);
            }
            for (LinkStatistics l : node.links()) {
                String link = l.name().startsWith("(") ? l.id() : l.name();
                Tags t = Tags.of("link", link, "layer", l.layer());
                counter("bp.link.bundles", t.and("direction", "in"), l.bundlesIn(), next, creations);
                counter("bp.link.bundles", t.and("direction", "out"), l.bundlesOut(), next, creations);
                counter("bp.link.bytes", t.and("direction", "in"), l.bytesIn(), next, creations);
                counter("bp.link.bytes", t.and("direction", "out"), l.bytesOut(), next, creations);
                counter("bp.link.refused", t, l.refused(), next, creations);
                counter("bp.link.failures", t, l.failures(), next, creations);
                gauge("bp.link.queued", t, l.queued(), next, creations);
                gauge("bp.link.up", t, "UP".equals(l.state()) ? 1 : 0, next, creations);
            }
        }
        if (sockets != null) {
            for (SocketInfo s : sockets.sockets()) {
                Tags t = Tags.of("transport", s.transport(), "socket", Long.toString(s.id()), "endpoint",
                        s.endpoint().map(Object::toString).orElse("unbound"));
                counter("bp.socket.sent", t, s.counters().sent(), next, creations);
                counter("bp.socket.send.failures", t, s.counters().sendFailures(), next, creations);
                counter("bp.socket.delivered", t, s.counters().delivered(), next, creations);
                counter("bp.socket.refused.full", t, s.counters().refusedFull(), next, creations);
                counter("bp.socket.reports", t, s.counters().reports(), next, creations);
                counter("bp.socket.reports.dropped", t, s.counters().reportsDropped(), next, creations);
                gauge("bp.socket.in.flight", t, s.inFlight(), next, creations);
            }
            for (BackendInfo b : sockets.backends()) {
                Tags t = Tags.of("backend", b.name());
                gauge("bp.backend.up", t, b.health().isUsable() ? 1 : 0, next, creations);
                gauge("bp.backend.active", t, b.active() ? 1 : 0, next, creations);
                gauge("bp.backend.endpoints", t, b.openEndpoints(), next, creations);
            }
        }
        values = next;
        creations.forEach(Runnable::run);
        for (var it = meters.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (!next.containsKey(e.getKey())) {
                registry.remove(e.getValue());
                it.remove();
            }
        }
    }

    /** bp:node's counter names as meters: the books by end and reason, the rest by name. */
    private void nodeCounter(String key, long value, Map<String, Double> next, List<Runnable> creations) {
        switch (key) {
            case "created", "received", "generated", "recovered" ->
                counter("bp.node.bundles.accepted", Tags.of("how", key), value, next, creations);
            case "delivered", "forwarded" -> counter("bp.node.bundles.ended", Tags.of("end", key), value, next, creations);
            case "stored" -> gauge("bp.node.bundles.stored", Tags.empty(), value, next, creations);
            case "stored bytes" -> gauge("bp.node.stored.bytes", Tags.empty(), value, next, creations);
            case "accepted", "deleted", "refused" -> {
                // Sums of the counters by kind above and below: Prometheus sums them itself.
            }
            default -> {
                if (key.startsWith("deleted: ")) {
                    counter("bp.node.bundles.ended", Tags.of("end", "deleted", "reason", key.substring(9)), value, next,
                            creations);
                } else if (key.startsWith("refused: ")) {
                    counter("bp.node.bundles.refused", Tags.of("reason", key.substring(9)), value, next, creations);
                } else {
                    counter("bp.node." + key.toLowerCase(Locale.ROOT).replace(' ', '.'), Tags.empty(), value, next,
                            creations);
                }
            }
        }
    }

    private void counter(String name, Tags tags, double value, Map<String, Double> next, List<Runnable> creations) {
        String key = key(name, tags);
        next.put(key, value);
        if (!meters.containsKey(key)) {
            creations.add(() -> meters.put(key, FunctionCounter.builder(name, this, reader(key)).tags(tags)
                    .register(registry)));
            meters.put(key, null);
        }
    }

    private void gauge(String name, Tags tags, double value, Map<String, Double> next, List<Runnable> creations) {
        String key = key(name, tags);
        next.put(key, value);
        if (!meters.containsKey(key)) {
            creations.add(() -> meters.put(key, Gauge.builder(name, this, reader(key)).tags(tags).register(registry)));
            meters.put(key, null);
        }
    }

    private ToDoubleFunction<NodeMeters> reader(String key) {
        return self -> self.values.getOrDefault(key, 0.0);
    }

    private static String key(String name, Tags tags) {
        StringBuilder sb = new StringBuilder(name);
        tags.forEach(t -> sb.append('|').append(t.getKey()).append('=').append(t.getValue()));
        return sb.toString();
    }

    /** The current snapshot's values by meter key, for the JMX view. */
    Map<String, Double> values() {
        return values;
    }
}
