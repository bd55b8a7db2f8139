package org.bpsockets.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;
import javax.management.ObjectName;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.registry.LocalSocket;
import org.bpsockets.api.registry.SocketRegistry;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The metrics endpoint in the real distribution: after traffic, what Prometheus scrapes on 127.0.0.1
 * and what JMX shows agree with bp:node, and the books balance in the scrape.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class MetricsIT extends KarafTestSupport {

    @Inject
    SocketRegistry registry;

    static final Pattern SAMPLE = Pattern.compile("(?m)^([a-z_]+)(\\{[^}]*\\})? ([0-9.eE+-]+)$");

    static Map<String, Double> scrape() throws Exception {
        int port = Integer.parseInt(System.getProperty(METRICS_PORT));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        Map<String, Double> out = new HashMap<>();
        Matcher m = SAMPLE.matcher(r.body());
        while (m.find()) {
            out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
        }
        return out;
    }

    /** bp:node's "  NAME   VALUE" lines. */
    Map<String, Long> bpNode() throws Exception {
        Map<String, Long> out = new HashMap<>();
        Matcher m = Pattern.compile("(?m)^  (\\S.*?)\\s+(\\d+)$").matcher(execute("bp:node"));
        while (m.find()) {
            out.put(m.group(1).trim(), Long.parseLong(m.group(2)));
        }
        return out;
    }

    long socketId(String endpoint) {
        return registry.sockets().stream().filter(i -> i.endpoint().map(Object::toString).orElse("").equals(endpoint))
                .findFirst().orElseThrow().id();
    }

    static double sum(Map<String, Double> scrape, String prefix) {
        return scrape.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).mapToDouble(Map.Entry::getValue)
                .sum();
    }

    @Test
    public void theScrapeAndJmxAgreeWithBpNodeAfterTraffic() throws Exception {
        await("the bp: commands", 60_000, () -> call(() -> execute("bp:node")).contains("Node:"));
        LocalSocket app = registry.openLocal(Optional.of(EndpointId.parse("ipn:1.50")));
        for (int i = 0; i < 5; i++) {
            execute("bp:send ipn:1.50 metric " + i);
            app.receive(Duration.ofSeconds(30)).orElseThrow();
        }
        execute("bp:send ipn:1.51 nobody reads this");
        execute("bp:send ipn:2.7 no route to node 2");
        await("the node has delivered the five", 30_000, () -> call(() -> bpNode()).getOrDefault("delivered", 0L) >= 5);
        Map<String, Long> node = bpNode();
        Map<String, Double> s = scrape();
        assertEquals(node.get("created"), s.get("bp_node_bundles_accepted_total{how=\"created\"}").longValue(),
                0L);
        assertEquals((double) node.get("delivered"), s.get("bp_node_bundles_ended_total{end=\"delivered\"}"), 0);
        assertEquals((double) node.get("stored"), s.get("bp_node_bundles_stored"), 0);
        double accepted = sum(s, "bp_node_bundles_accepted_total");
        double ended = sum(s, "bp_node_bundles_ended_total");
        assertEquals("the books balance in one scrape: " + s, accepted, ended + s.get("bp_node_bundles_stored"), 0);
        assertTrue("both stored bundles wait: " + s, s.get("bp_node_bundles_stored") >= 2);
        assertEquals(1.0, s.get("bp_backend_active{backend=\"embedded\"}"), 0);
        assertEquals("the open socket's deliveries: " + s.keySet(), 5.0,
                s.get("bp_socket_delivered_total{endpoint=\"ipn:1.50\",socket=\"" + socketId("ipn:1.50")
                        + "\",transport=\"local\"}"), 0);
        assertEquals("the five deliveries to the application are in the latency histogram: " + s, 5.0,
                s.get("bp_node_delivery_latency_seconds_count"), 0);
        assertEquals(5.0, s.get("bp_node_delivery_latency_seconds_bucket{le=\"+Inf\"}"), 0);
        assertTrue("bp:node shows the latency", execute("bp:node").contains("Latency:    5 deliveries, creation to delivery"));
        app.close();
        await("a closed socket's meters go", 10_000, () -> call(() -> scrape()).keySet().stream()
                .noneMatch(k -> k.contains("ipn:1.50")));
        Object jmx = ManagementFactory.getPlatformMBeanServer().getAttribute(new ObjectName("org.bpsockets:type=Node"),
                "bp.node.bundles.accepted|how=created");
        assertEquals((double) node.get("created"), (Double) jmx, 0);
    }
}
