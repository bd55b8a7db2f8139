package org.bpsockets.backend.embedded.internal;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.backend.embedded.internal.routing.StaticRouter;
import org.bpsockets.backend.embedded.internal.store.MemoryBundleStore;
import org.bpsockets.backend.embedded.internal.store.MvBundleStore;
import org.bpsockets.node.api.store.BundleStore;

/**
 * A harness (not a test): application to application through one embedded node, 100-byte payloads,
 * with the memory store and with the MVStore file store. Prints bundles/s.
 * Run: mvn -q -pl bundles/org.bpsockets.backend.embedded test-compile exec:java is not configured;
 * use: java -cp target/classes:target/test-classes:$(deps) ...LocalThroughputBenchmark [count]
 */
public final class LocalThroughputBenchmark {
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        for (String kind : new String[] {"memory", "mvstore", "memory", "mvstore"}) {
            Path dir = Files.createTempDirectory("bench");
            BundleStore store = kind.equals("memory") ? new MemoryBundleStore()
                    : new MvBundleStore(dir.resolve("b.mv"), false);
            try (NodeCore node = new NodeCore(NodeSettings.defaults(EndpointId.parse("ipn:1.0")), store,
                    new StaticRouter())) {
                CountDownLatch done = new CountDownLatch(n);
                node.open(EndpointId.parse("ipn:1.2"), d -> {
                    d.acknowledge();
                    done.countDown();
                }, 1024);
                Semaphore inFlight = new Semaphore(4096);
                byte[] payload = new byte[100];
                EndpointId src = EndpointId.parse("ipn:1.1");
                EndpointId dst = EndpointId.parse("ipn:1.2");
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    inFlight.acquire();
                    node.send(new SendRequest(dst, src, ByteBuffer.wrap(payload), BundleOptions.DEFAULTS))
                            .whenComplete((id, e) -> inFlight.release());
                }
                done.await(120, TimeUnit.SECONDS);
                double s = (System.nanoTime() - t0) / 1e9;
                System.out.printf("%-8s %,10d bundles in %.2f s = %,.0f bundles/s%n", kind, n - done.getCount(), s,
                        (n - done.getCount()) / s);
            }
            store.close();
        }
    }
}
