package org.bpsockets.metrics.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import org.bpsockets.api.registry.SocketRegistry;
import org.bpsockets.node.api.stats.NodeStatistics;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the node's meters (NodeMeters) in the Prometheus text format over HTTP on the configured
 * address, 127.0.0.1 by default, and registers the same values as the JMX MBean
 * {@code org.bpsockets:type=Node}. A scrape takes a fresh snapshot; nothing is computed between scrapes.
 * The embedded node and the registry are optional: without them their meters are simply absent.
 */
@Component(service = MetricsEndpoint.class, configurationPid = "org.bpsockets.metrics", immediate = true)
@Designate(ocd = MetricsConfig.class)
public final class MetricsEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsEndpoint.class);
    static final String MBEAN = "org.bpsockets:type=Node";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final NodeMeters meters = new NodeMeters(registry);
    private final HttpServer server;
    private final ExecutorService executor;
    private final ObjectName mbean;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile NodeStatistics node;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile SocketRegistry sockets;

    @Activate
    public MetricsEndpoint(MetricsConfig config) throws IOException {
        registry.getPrometheusRegistry().register(new DeliveryLatencyCollector(() -> node));
        InetAddress address = literal(config.address());
        String path = config.path().startsWith("/") ? config.path() : "/" + config.path();
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bp-metrics-http");
            t.setDaemon(true);
            return t;
        });
        HttpServer s = null;
        try {
            s = HttpServer.create(new InetSocketAddress(address, config.port()), 16);
            s.createContext(path, this::scrape);
            s.setExecutor(executor);
            s.start();
        } catch (IOException e) {
            // Another node on this machine has the port, most likely: JMX still works; say how to mend it.
            LOG.warn("Metrics: cannot listen on {}:{} ({}); set port in etc/org.bpsockets.metrics.cfg. The JMX view "
                    + "works all the same", address.getHostAddress(), config.port(), e.getMessage());
            s = null;
        }
        this.server = s;
        ObjectName name = null;
        try {
            MBeanServer platform = ManagementFactory.getPlatformMBeanServer();
            name = new ObjectName(MBEAN);
            platform.registerMBean(new NodeMBean(this), name);
        } catch (javax.management.JMException e) {
            LOG.warn("The JMX view {} could not be registered: {}", MBEAN, e.getMessage());
            name = null;
        }
        this.mbean = name;
        if (server != null) {
            LOG.info("Metrics: Prometheus text format on http://{}:{}{}; JMX {}", address.getHostAddress(), port(), path,
                    MBEAN);
        }
    }

    /** The configured address must be an IP address written out: no name lookup decides where it listens. */
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern.compile(OCTET + "(\\." + OCTET + "){3}");

    static InetAddress literal(String text) throws IOException {
        String a = text == null ? "" : text.trim();
        // Only literals reach getByName, which would ask DNS for a name (even one of hex digits and dots,
        // such as cafe.babe): an IPv4 dotted quad, or an IPv6 address (a colon makes it a literal to Java).
        boolean ipv4 = IPV4.matcher(a).matches();
        boolean ipv6 = a.contains(":") && a.matches("[0-9A-Fa-f:.]+");
        if (!ipv4 && !ipv6) {
            throw new IOException("org.bpsockets.metrics: address '" + text + "' is not an IP address (e.g. 127.0.0.1)");
        }
        return InetAddress.getByName(a);
    }

    int port() {
        return server == null ? -1 : server.getAddress().getPort();
    }

    /** A fresh snapshot, then the meters. */
    String text() {
        meters.refresh(node, sockets);
        return registry.scrape();
    }

    NodeMeters meters() {
        meters.refresh(node, sockets);
        return meters;
    }

    private void scrape(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body = text().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        } catch (RuntimeException e) {
            LOG.warn("A metrics scrape failed: {}", e.toString());
        }
    }

    @Deactivate
    void deactivate() {
        if (server != null) {
            server.stop(0);
        }
        executor.shutdownNow();
        if (mbean != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbean);
            } catch (javax.management.JMException e) {
                LOG.debug("Unregistering {}: {}", mbean, e.getMessage());
            }
        }
        registry.close();
    }
}
