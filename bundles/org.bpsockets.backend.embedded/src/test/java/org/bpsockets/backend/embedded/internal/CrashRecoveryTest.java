package org.bpsockets.backend.embedded.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.backend.embedded.internal.routing.StaticRouter;
import org.bpsockets.backend.embedded.internal.store.MvBundleStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node killed with SIGKILL loses none of the bundles whose sends had completed. */
class CrashRecoveryTest {

    @Test
    void acceptedBundlesSurviveAKillOfTheNode(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bundles.mv");
        int n = 2000;
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), CrashChild.class.getName(), file.toString(),
                Integer.toString(n)).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("accepted " + n)) {
                // wait for the child's word
            }
            assertEquals("accepted " + n, line, "the child accepted its bundles");
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        } finally {
            child.destroyForcibly();
        }
        assertTrue(Files.size(file) > 0);

        MvBundleStore store = new MvBundleStore(file, false);
        try (NodeCore node = new NodeCore(NodeSettings.defaults(EndpointId.parse("ipn:1.0")), store,
                new StaticRouter())) {
            NodeCoreTest.Sink sink = new NodeCoreTest.Sink();
            node.open(EndpointId.parse("ipn:1.2"), sink, 4096);
            Set<String> got = new HashSet<>();
            for (int i = 0; i < n; i++) {
                Delivery d = sink.next();
                assertTrue(got.add(NodeCoreTest.text(d)), "no bundle twice");
                d.acknowledge();
            }
            for (int i = 0; i < n; i++) {
                assertTrue(got.contains("bundle " + i), "bundle " + i + " survived");
            }
            assertTrue(node.statistics().get("recovered") >= n, "the accepted bundles, and the later ones (for "
                    + "ipn:1.3) the kill caught, were stored: " + node.statistics().get("recovered"));
            // No further copy follows: a marker sent now is the next delivery.
            node.send(new org.bpsockets.api.bundle.SendRequest(EndpointId.parse("ipn:1.2"), EndpointId.parse("ipn:1.3"),
                    java.nio.ByteBuffer.wrap("marker".getBytes()), org.bpsockets.api.bundle.BundleOptions.DEFAULTS))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals("marker", NodeCoreTest.text(sink.next()), "no bundle was delivered twice");
        } finally {
            store.close();
        }
    }
}
