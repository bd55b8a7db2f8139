package org.bpsockets.backend.embedded.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.backend.embedded.internal.routing.StaticRouter;
import org.bpsockets.backend.embedded.internal.store.MvBundleStore;
import org.bpsockets.node.api.routing.RouteEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault testbed's R4 (issue 16), at the node's own interface: 1,000 application endpoints on one
 * node, each sent 100 bundles concurrently from 1,000 endpoints of another node over a link, both
 * with the crash-safe store. Every bundle arrives once, with its own payload, at its own endpoint; the
 * books balance; both stores end empty. Figures (time, heap, store peak) are printed, never asserted.
 */
class ManyEndpointsTest {

    private static final int ENDPOINTS = 1000;
    private static final int PER_ENDPOINT = 100;

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    void aThousandEndpointsTimesAHundredBundlesThroughOneNodeArriveOnceEach(@TempDir Path dir) throws Exception {
        MvBundleStore s1 = new MvBundleStore(dir.resolve("1.mv"), false);
        MvBundleStore s2 = new MvBundleStore(dir.resolve("2.mv"), false);
        cleanup.add(s1);
        cleanup.add(s2);
        NodeCore a = new NodeCore(NodeSettings.defaults(NodeCoreTest.N1), s1, new StaticRouter());
        NodeCore b = new NodeCore(NodeSettings.defaults(NodeCoreTest.N2), s2, new StaticRouter());
        cleanup.add(a);
        cleanup.add(b);
        String address = "many-" + System.nanoTime();
        PipeLayer la = new PipeLayer(a, "many-a-" + System.nanoTime());
        PipeLayer lb = new PipeLayer(b, address);
        cleanup.add(la::unregister);
        cleanup.add(lb::unregister);
        a.addConvergenceLayer(la);
        b.addConvergenceLayer(lb);
        a.configure(List.of(new LinkDefinition("to2", "pipe", address, LinkDefinition.Mode.ALWAYS_ON, Map.of())),
                List.of(new RouteEntry("r2", "ipn:2.*", "to2")), List.of());

        // Each endpoint keeps what it got, by payload; the application acknowledges at once.
        Map<Integer, Map<String, Integer>> got = new ConcurrentHashMap<>();
        AtomicLong received = new AtomicLong();
        for (int e = 1; e <= ENDPOINTS; e++) {
            int endpoint = e;
            Map<String, Integer> mine = new ConcurrentHashMap<>();
            got.put(endpoint, mine);
            b.open(EndpointId.parse("ipn:2." + endpoint), (Delivery d) -> {
                mine.merge(new String(d.bundle().payloadBytes(), StandardCharsets.UTF_8), 1, Integer::sum);
                received.incrementAndGet();
                d.acknowledge();
            }, 8);
        }

        long heapPeak = 0;
        long storePeak = 0;
        long start = System.nanoTime();
        // 1,000 senders at once: 8 threads, each sending for its share of the endpoints, at most 4,096
        // sends waiting for the node's answer (an application waits for its send() to return).
        ExecutorService senders = Executors.newFixedThreadPool(8);
        Semaphore inFlight = new Semaphore(4096);
        List<CompletableFuture<?>> sends = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 8; t++) {
            int thread = t;
            senders.execute(() -> {
                for (int i = 0; i < PER_ENDPOINT; i++) {
                    for (int e = 1 + thread; e <= ENDPOINTS; e += 8) {
                        inFlight.acquireUninterruptibly();
                        String payload = "from ipn:1." + e + " to ipn:2." + e + " #" + i;
                        sends.add(a.send(new SendRequest(EndpointId.parse("ipn:2." + e), EndpointId.parse("ipn:1." + e),
                                ByteBuffer.wrap(payload.getBytes(StandardCharsets.UTF_8)), BundleOptions.DEFAULTS))
                                .toCompletableFuture().whenComplete((id, failure) -> inFlight.release()));
                    }
                }
            });
        }
        senders.shutdown();
        long total = (long) ENDPOINTS * PER_ENDPOINT;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while ((received.get() < total || !senders.isTerminated()) && System.nanoTime() < deadline) {
            heapPeak = Math.max(heapPeak, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            storePeak = Math.max(storePeak, s1.count() + s2.count());
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        NodeCoreTest.await("both stores are empty", () -> s1.count() == 0 && s2.count() == 0);

        assertEquals(total, received.get(), "every bundle arrived once");
        for (int e = 1; e <= ENDPOINTS; e++) {
            Map<String, Integer> mine = got.get(e);
            assertEquals(PER_ENDPOINT, mine.size(), "ipn:2." + e + " got each of its bundles");
            for (Map.Entry<String, Integer> p : mine.entrySet()) {
                assertTrue(p.getKey().startsWith("from ipn:1." + e + " to ipn:2." + e + " #"), p.getKey());
                assertEquals(1, p.getValue(), "no duplicate of " + p.getKey());
            }
        }
        assertEquals(total, a.statistics().get("forwarded"), "node 1's books: all forwarded");
        assertEquals(total, b.statistics().get("delivered"), "node 2's books: all delivered");
        System.out.printf("R4: %d endpoints x %d bundles through one node in %.1f s (%.0f bundles/s), "
                + "peak heap %d MB, peak stored %d bundles (both nodes)%n", ENDPOINTS, PER_ENDPOINT, seconds,
                total / seconds, heapPeak >> 20, storePeak);
    }
}
