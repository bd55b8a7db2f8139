package org.bpsockets.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import javax.inject.Inject;

import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.registry.LocalSocket;
import org.bpsockets.api.registry.SocketRegistry;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The node as an operator meets it at the console: every wrong command or configuration value is
 * refused at once with what is valid and changes nothing; links, routes and contacts are files in etc/;
 * a refused node configuration leaves the node running with its last valid one and says so.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OperatorInputIT extends KarafTestSupport {

    @Inject
    SocketRegistry registry;

    @Inject
    org.osgi.service.cm.ConfigurationAdmin configAdmin;

    static Path etc(String file) {
        return Path.of(System.getProperty("karaf.etc")).resolve(file);
    }

    static void says(String output, String... phrases) {
        for (String p : phrases) {
            assertTrue("'" + output + "' says " + p, output.contains(p));
        }
    }

    /**
     * Waits until a .cfg file says key = value: FileInstall rewrites the file the shell wrote in its own
     * typed form (key = "value").
     */
    static void awaitFile(Path file, String key, String value) throws InterruptedException {
        java.util.regex.Pattern line = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(key)
                + "\\s*=\\s*\"?" + java.util.regex.Pattern.quote(value.replace(":", "\\:")) + "\"?\\s*$|(?m)^"
                + java.util.regex.Pattern.quote(key) + "\\s*=\\s*\"?" + java.util.regex.Pattern.quote(value)
                + "\"?\\s*$");
        await(file + " has " + key + " = " + value, 10_000, () -> {
            try {
                return line.matcher(Files.readString(file)).find();
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }

    /** What config:property-set -p org.bpsockets.node does (the console's ACL hides config: from a test session). */
    void setNodeProperty(String key, String value) throws Exception {
        setProperty("org.bpsockets.node", key, value);
    }

    @Test
    public void linkRouteAndContactCommandsRefuseBadInputAndKeepWhatTheyWriteInEtc() throws Exception {
        says(execute("bp:link-add l1 foocl 127.0.0.1:4556"), "convergence layer 'foocl' is not installed",
                "installed:", "tcpclv4", "udp");
        says(execute("bp:link-add l1 tcpclv4 127.0.0.1:99999"), "99999", "1 to 65535");
        says(execute("bp:link-add l1 tcpclv4 127.0.0.1:abc"), "'abc'", "1 to 65535");
        says(execute("bp:link-add l1 tcpclv4 256.1.1.1:4556"), "'256.1.1.1' is not an IPv4 address");
        says(execute("bp:link-add --mode sometimes l1 tcpclv4 127.0.0.1:4556"), "always-on, on-demand or scheduled");
        assertFalse("nothing was written", Files.exists(etc("org.bpsockets.node.link-l1.cfg")));
        assertFalse(execute("bp:links"), execute("bp:links").contains("l1"));

        int nobody = freePort();
        says(execute("bp:link-add --mode on-demand l1 tcpclv4 127.0.0.1:" + nobody), "Link l1: tcpclv4");
        Path file = etc("org.bpsockets.node.link-l1.cfg");
        assertTrue("bp:link-add writes " + file, Files.exists(file));
        awaitFile(file, "cla", "tcpclv4");
        awaitFile(file, "address", "127.0.0.1:" + nobody);
        awaitFile(file, "mode", "on-demand");
        await("bp:links shows l1", 10_000, () -> call(() -> execute("bp:links")).contains("l1"));

        // An existing name is never silently replaced.
        says(execute("bp:link-add l1 udp 127.0.0.1:" + nobody), "link 'l1' exists", "cla=tcpclv4", "--replace");
        awaitFile(file, "cla", "tcpclv4");
        says(execute("bp:link-add --replace --mode on-demand l1 udp 127.0.0.1:" + nobody), "Link l1: udp");
        awaitFile(file, "cla", "udp");
        await("bp:links shows l1 over udp", 10_000, () -> call(() -> execute("bp:links")).matches("(?s).*l1.*udp.*"));

        says(execute("bp:route-add r1 ipn:5.* nolink"), "next hop 'nolink' is neither a configured link", "l1",
                "node ID");
        says(execute("bp:route-add r1 ipn:5.* l1"), "Route r1: ipn:5.* via l1");
        assertTrue(Files.exists(etc("org.bpsockets.node.route-r1.cfg")));
        await("the router uses r1", 10_000, () -> call(() -> execute("bp:routes ipn:5.1")).contains("route r1"));
        says(execute("bp:routes ipn:6.1"), "no route matches");
        says(execute("bp:routes"), "r1", "the first that matches decides");

        says(execute("bp:contact-add c1 nolink +1 +5"), "link 'nolink' is not configured", "l1");
        says(execute("bp:contact-add c1 l1 2026-13-45T00:00:00Z +5"), "start '2026-13-45T00:00:00Z' is not an ISO-8601",
                "+SECONDS");
        says(execute("bp:contact-add c1 l1 +10 +5"), "ends", "before it starts");
        says(execute("bp:contact-add c1 l1 +1 +3600"), "Contact c1 on l1");
        assertTrue(Files.exists(etc("org.bpsockets.node.contact-c1.cfg")));

        says(execute("bp:contact-del c1"), "removed");
        says(execute("bp:route-del r1"), "removed");
        says(execute("bp:link-del l1"), "removed");
        assertFalse(Files.exists(file));
        assertFalse(Files.exists(etc("org.bpsockets.node.route-r1.cfg")));
        assertFalse(Files.exists(etc("org.bpsockets.node.contact-c1.cfg")));
        await("l1 is gone", 10_000, () -> !call(() -> execute("bp:links")).contains("l1"));
    }

    @Test
    public void aHandEditedLinkFileWithABadValueIsRefusedAndShown() throws Exception {
        Path file = etc("org.bpsockets.node.link-handmade.cfg");
        Files.writeString(file, "name = handmade\ncla = tcpclv4\naddress = 256.1.1.1:4556\nmode = on-demand\n");
        try {
            await("bp:links lists the refused file", 20_000, () -> call(() -> execute("bp:links"))
                    .contains("Refused: org.bpsockets.node.link~handmade refused: address '256.1.1.1:4556'"));
            says(execute("bp:status"), "link/route/contact configuration(s) refused");
        } finally {
            Files.deleteIfExists(file);
        }
        await("the refusal is gone with the file", 20_000, () -> !call(() -> execute("bp:links")).contains("handmade"));
    }

    @Test
    public void aBadNodeConfigurationIsRefusedAndTheNodeRunsOnWithItsLastValidOne() throws Exception {
        for (String[] bad : new String[][] {{"nodeId", "banana", "ipn:1.0"}, {"storage", "floppy", "mvstore"}}) {
            setNodeProperty(bad[0], bad[1]);
            try {
                await("bp:status says why " + bad[0] + " was refused", 30_000, () -> call(() -> execute("bp:status"))
                        .contains(bad[0] + " = '" + bad[1] + "' is not valid"));
                String status = execute("bp:status");
                says(status, "embedded - DEGRADED", "ipn:1.0");
                says(execute("bp:node"), "Node:       ipn:1.0", "Config:     REFUSED");
            } finally {
                setNodeProperty(bad[0], bad[2]);
            }
            await("the node is UP again after " + bad[0] + " was mended", 30_000,
                    () -> call(() -> execute("bp:status")).contains("embedded - UP"));
        }
    }

    /**
     * Updates a configuration as config:property-set does, then waits until FileInstall has written it into
     * its etc/ file. Without the wait, a second update soon after raced FileInstall's own write and re-read
     * of the file under load, and the configuration went back to what the file held (a Felix FileInstall /
     * Karaf race: KARAF-7389 and apache/karaf#2805 are of the same family): the test then waited for a
     * refusal that never came.
     */
    void setProperty(String pid, String key, Object value) throws Exception {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration(pid, null);
        java.util.Dictionary<String, Object> p = c.getProperties();
        p.put(key, value);
        c.update(p);
        awaitFile(etc(pid + ".cfg"), key, String.valueOf(value));
    }

    @Test
    public void aBadConvergenceLayerValueIsRefusedAndTheLayerStaysInstalled() throws Exception {
        String pid = "org.bpsockets.cla.tcpclv4";
        String own = Integer.toString(claPort("tcpclv4"));
        try {
            for (String bad : new String[] {"99999", "abc"}) {
                setProperty(pid, "listenPort", bad);
                await("bp:status names listenPort = " + bad, 30_000, () -> call(() -> execute("bp:status"))
                        .contains("tcpclv4: org.bpsockets.cla.tcpclv4: listenPort = '" + bad + "' is not valid"));
                says(execute("bp:node"), "Layers:     mtcp, tcpclv3, tcpclv4, udp");
            }
            // A valid port that is taken: the layer stays, for outbound links, and says why it does not listen.
            setProperty(pid, "listenPort", Integer.toString(claPort("tcpclv3")));
            await("bp:status says the listener cannot open", 30_000, () -> call(() -> execute("bp:status"))
                    .contains("tcpclv4: cannot listen on 127.0.0.1:" + claPort("tcpclv3")));
            says(execute("bp:link-add --mode on-demand viav4 tcpclv4 127.0.0.1:" + freePort()), "Link viav4: tcpclv4");
            execute("bp:link-del viav4");
        } finally {
            setProperty(pid, "listenPort", own);
        }
        await("the layer listens again and the node is UP", 30_000, () -> call(() -> execute("bp:status"))
                .contains("embedded - UP"));
    }

    /*
     * The UDP layer checks its configuration itself, and now also as DS reads it: "2048 " passed Felix
     * Metatype (which trims) and then threw wherever the layer read maxDatagramSize.
     */
    @Test
    public void aUdpValueWithASpaceAfterItIsRefusedByNameAndTheLayerKeepsRunning() throws Exception {
        String pid = "org.bpsockets.cla.udp";
        try {
            setProperty(pid, "maxDatagramSize", "2048 ");
            await("bp:status names maxDatagramSize = '2048 '", 30_000, () -> call(() -> execute("bp:status"))
                    .contains("maxDatagramSize = '2048 ' is not valid (DS reads the value as written"));
            says(execute("bp:node"), "Layers:     mtcp, tcpclv3, tcpclv4, udp");
        } finally {
            setProperty(pid, "maxDatagramSize", "65507");
        }
        await("the problem is gone once the value is valid", 30_000, () -> !call(() -> execute("bp:status"))
                .contains("maxDatagramSize"));
    }

    @Test
    public void bpPingMeasuresRoundTripsToTheEchoService() throws Exception {
        String out = execute("bp:ping -c 2 -i 1 ipn:1.0");
        says(out, "PING ipn:1.9002", "bytes from ipn:1.9002: seq=1 time=", "seq=2", "2 bundles sent, 2 answers, 0% lost",
                "rtt min/avg/max");
        says(execute("bp:ping -c 0 ipn:1.9002"), "count '0'", "1 to");
    }

    @Test
    public void bpSendSendsAFileASizeOrACount() throws Exception {
        Path file = Files.createTempFile("bp-send", ".bin");
        byte[] content = new byte[70_000];
        new java.util.Random(5).nextBytes(content);
        Files.write(file, content);
        try (LocalSocket app = registry.openLocal(Optional.of(EndpointId.parse("ipn:1.42")))) {
            says(execute("bp:send -f " + file + " ipn:1.42"), "Sent 70000 bytes to ipn:1.42");
            org.junit.Assert.assertArrayEquals(content, app.receive(Duration.ofSeconds(30)).orElseThrow().payloadBytes());
            says(execute("bp:send -n 3 --size 1000 ipn:1.42"), "Sent 3 bundles of 1000 bytes to ipn:1.42");
            for (int i = 0; i < 3; i++) {
                assertEquals(1000, app.receive(Duration.ofSeconds(30)).orElseThrow().payloadBytes().length);
            }
        } finally {
            Files.deleteIfExists(file);
        }
        says(execute("bp:send -f /nonexistent/file ipn:1.42"), "file '/nonexistent/file' cannot be read");
        says(execute("bp:send --size 10 ipn:1.42 words too"), "one of them");
        says(execute("bp:status"), "Transport:  local - connected: 0 shell sockets");
    }

    @Test
    public void shellErrorsNameTheValidValues() throws Exception {
        says(execute("bp:send -p URGENT ipn:1.7 x"), "priority 'URGENT' is not one of bulk, normal, expedited");
        says(execute("bp:send --hop-limit 0 ipn:1.7 x"), "hop limit '0'", "1 to 255");
        says(execute("bp:send --lifetime 0 ipn:1.7 x"), "lifetime '0'", "1 or more");
        says(execute("bp:send -r sometimes ipn:1.7 x"), "report 'sometimes' is not one of reception, forwarding, "
                + "delivery, deletion");
        says(execute("bp:send banana x"), "destination 'banana' is not an endpoint ID");
        says(execute("bp:recv -t soon ipn:!.7"), "timeout 'soon'", "seconds");
    }

    @Test
    public void reportsAskedForByTheShellReachTheNodeAndAreListed() throws Exception {
        try (LocalSocket app = registry.openLocal(Optional.of(EndpointId.parse("ipn:1.41")))) {
            says(execute("bp:send -r delivery ipn:1.41 report me"), "reports go to ipn:1.0");
            ReceivedBundle got = app.receive(Duration.ofSeconds(30)).orElseThrow();
            assertEquals("report me", new String(got.payloadBytes(), StandardCharsets.UTF_8));
        }
        await("bp:reports lists the delivery report", 30_000, () -> call(() -> execute("bp:reports"))
                .contains("delivered"));
    }
}
