package org.bpsockets.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.registry.LocalSocket;
import org.bpsockets.api.registry.SocketRegistry;
import org.junit.AfterClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.MethodSorters;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Two embedded nodes: this Pax Exam container (ipn:1.0) and a second copy of the distribution started
 * as its own process (ipn:2.0). Bundles go to node 2's echo agent and back over each convergence
 * layer; node 2 is killed with bundles stored and restarted; a bundle waits for a scheduled contact.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class TwoNodesIT extends KarafTestSupport {

    static final EndpointId ECHO2 = EndpointId.parse("ipn:2.9002");
    static ExternalNode node2;

    @Inject
    SocketRegistry registry;

    @Inject
    ConfigurationAdmin configAdmin;

    @Override
    protected Option[] extraOptions() {
        String repo = System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository");
        String version = System.getProperty("bpsockets.version", "0.1.0-SNAPSHOT");
        Path archive = Path.of(repo, "org/bpsockets/org.bpsockets.distribution", version,
                "org.bpsockets.distribution-" + version + ".tar.gz");
        Path work = Path.of(System.getProperty("project.build.directory", "target"), "node2-" + System.nanoTime());
        return new Option[] {
            systemProperty("bp.test.archive").value(archive.toAbsolutePath().toString()),
            systemProperty("bp.test.node2").value(work.toAbsolutePath().resolve("node").toString()),
            systemProperty("bp.test.node2.ports").value(freePort() + "," + freePort() + "," + freePort() + ","
                    + freeUdpPort()),
        };
    }

    /**
     * Node 2, installed once (inside the container, where the tests run) and started for each test:
     * Pax Exam runs the class's @AfterClass, which stops it, after every test method.
     */
    private ExternalNode node2() throws Exception {
        if (node2 != null && !node2.running()) {
            node2.start();
        }
        if (node2 == null) {
            int[] p = Arrays.stream(System.getProperty("bp.test.node2.ports").split(",")).mapToInt(Integer::parseInt)
                    .toArray();
            Map<String, Integer> ports = new LinkedHashMap<>();
            ports.put("tcpclv4", p[0]);
            ports.put("tcpclv3", p[1]);
            ports.put("mtcp", p[2]);
            ports.put("udp", p[3]);
            ExternalNode n = new ExternalNode(Path.of(System.getProperty("bp.test.node2")), "ipn:2.0", ports);
            // MTCP and UDP learn no peer: node 2 reaches node 1 over configured links back (files
            // named pid-name.cfg are factory configurations for Karaf's file installer).
            Map<String, String> configs = new LinkedHashMap<>();
            configs.put("org.bpsockets.node.link-to1-mtcp.cfg", "name = to1-mtcp\ncla = mtcp\naddress = 127.0.0.1:"
                    + claPort("mtcp") + "\nmode = always-on\nparameters = peer=ipn:1.0\n");
            configs.put("org.bpsockets.node.link-to1-udp.cfg", "name = to1-udp\ncla = udp\naddress = 127.0.0.1:"
                    + claPort("udp") + "\nmode = always-on\nparameters = peer=ipn:1.0\n");
            n.install(Path.of(System.getProperty("bp.test.archive")), configs);
            n.start();
            node2 = n;
        }
        return node2;
    }

    @AfterClass
    public static void stopNode2() throws Exception {
        if (node2 != null) {
            node2.stop();
        }
    }

    private void link(String name, String cla, String address, String mode, String... parameters) throws Exception {
        Configuration c = configAdmin.getFactoryConfiguration("org.bpsockets.node.link", name, "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("name", name);
        p.put("cla", cla);
        p.put("address", address);
        p.put("mode", mode);
        p.put("parameters", parameters);
        c.update(p);
    }

    private void route(String name, String pattern, String nextHop) throws Exception {
        Configuration c = configAdmin.getFactoryConfiguration("org.bpsockets.node.route", name, "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("name", name);
        p.put("pattern", pattern);
        p.put("nextHop", nextHop);
        c.update(p);
    }

    private void delete(String pid, String name) throws Exception {
        configAdmin.getFactoryConfiguration(pid, name, "?").delete();
    }

    private static byte[] payload(int size, int seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    public void a_bundlesGoToTheOtherNodeAndBackOverEachConvergenceLayer() throws Exception {
        ExternalNode n2 = node2();
        int service = 50;
        for (String cla : List.of("tcpclv4", "tcpclv3", "mtcp", "udp")) {
            String link = "to2-" + cla;
            String[] params = cla.startsWith("tcpcl") ? new String[0] : new String[] {"peer=ipn:2.0"};
            link(link, cla, "127.0.0.1:" + n2.claPorts.get(cla), "always-on", params);
            route("r2", "ipn:2.*", link);
            try (LocalSocket socket = registry.openLocal(Optional.of(EndpointId.parse("ipn:1." + service++)))) {
                int large = cla.equals("udp") ? 40_000 : 1 << 20;
                for (int size : new int[] {1, 1000, large}) {
                    byte[] sent = payload(size, size);
                    socket.send(ECHO2, sent, BundleOptions.DEFAULTS).toCompletableFuture().get();
                    ReceivedBundle echo = socket.receive(Duration.ofSeconds(60)).orElse(null);
                    assertNotNull(cla + ": the echo of " + size + " bytes came back", echo);
                    assertEquals(ECHO2, echo.source());
                    assertTrue(cla + ": " + size + " bytes intact", Arrays.equals(sent, echo.payloadBytes()));
                }
            }
            String links = execute("bp:links");
            assertTrue(links, Pattern.compile(link + " .*" + cla + " .*UP").matcher(links).find());
            if (cla.startsWith("tcpcl")) {
                assertTrue(cla + " learns the peer's node ID: " + links, links.contains("ipn:2.0"));
            }
            delete("org.bpsockets.node.route", "r2");
            delete("org.bpsockets.node.link", link);
        }
    }

    @Test
    public void b_bundlesStoredByAKilledNodeReachTheirApplicationAfterItRestarts() throws Exception {
        ExternalNode n2 = node2();
        link("to2-crash", "tcpclv4", "127.0.0.1:" + n2.claPorts.get("tcpclv4"), "always-on");
        route("r2", "ipn:2.*", "to2-crash");
        try (LocalSocket socket = registry.openLocal(Optional.of(EndpointId.parse("ipn:1.61")))) {
            long before = forwarded();
            for (int i = 0; i < 20; i++) {
                socket.send(EndpointId.parse("ipn:2.60"), ("kept " + i).getBytes(), BundleOptions.DEFAULTS)
                        .toCompletableFuture().get();
            }
            // Forwarded means node 2 acknowledged the transfer, which it does once the bundle is stored.
            await("node 2 took all 20", 60_000, () -> call(this::forwarded) >= before + 20);
        } finally {
            delete("org.bpsockets.node.route", "r2");
            delete("org.bpsockets.node.link", "to2-crash");
        }
        n2.kill();
        n2.start();
        String got = n2.shell("bp:recv -n 20 -t 120 ipn:2.60");
        for (int i = 0; i < 20; i++) {
            assertTrue("bundle " + i + " survived the crash: " + got, got.contains(": kept " + i + "\n")
                    || got.contains(": kept " + i + "\r"));
        }
    }

    @Test
    public void c_aBundleWaitsForAScheduledContactAndLeavesWhenItOpens() throws Exception {
        ExternalNode n2 = node2();
        // A contact an hour away, opened by the test when the bundle is known to wait: no race with a clock.
        Instant start = Instant.now().plusSeconds(3600);
        link("to2-sched", "tcpclv4", "127.0.0.1:" + n2.claPorts.get("tcpclv4"), "scheduled");
        route("r2", "ipn:2.*", "to2-sched");
        Configuration contact = configAdmin.getFactoryConfiguration("org.bpsockets.node.contact", "c1", "?");
        Hashtable<String, Object> p = new Hashtable<>();
        p.put("name", "c1");
        p.put("link", "to2-sched");
        p.put("start", start.toString());
        p.put("end", start.plusSeconds(120).toString());
        p.put("rate", 0L);
        contact.update(p);
        try (LocalSocket socket = registry.openLocal(Optional.of(EndpointId.parse("ipn:1.70")))) {
            await("the contact is configured", 30_000, () -> call(() -> execute("bp:contacts")).contains("c1"));
            socket.send(ECHO2, "wait for me".getBytes(), BundleOptions.DEFAULTS).toCompletableFuture().get();
            await("the bundle waits for its contact", 30_000, () -> call(() -> execute("bp:bundles"))
                    .contains("forward:WAITING"));
            assertTrue("the link is closed outside its contact", call(() -> execute("bp:links")).matches(
                    "(?s).*to2-sched.*DOWN.*"));
            Instant opened = Instant.now();
            p.put("start", opened.minusSeconds(1).toString());
            p.put("end", opened.plusSeconds(300).toString());
            contact.update(p);
            ReceivedBundle echo = socket.receive(Duration.ofSeconds(90)).orElse(null);
            assertNotNull("the echo came back after the contact opened", echo);
            assertEquals("wait for me", new String(echo.payloadBytes()));
        } finally {
            contact.delete();
            delete("org.bpsockets.node.route", "r2");
            delete("org.bpsockets.node.link", "to2-sched");
        }
    }

    private long forwarded() throws Exception {
        Matcher m = Pattern.compile("forwarded\\s+(\\d+)").matcher(execute("bp:node"));
        assertTrue(m.find());
        return Long.parseLong(m.group(1));
    }
}
