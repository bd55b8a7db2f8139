package org.bpsockets.backend.embedded.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.backend.embedded.internal.routing.StaticRouter;
import org.bpsockets.backend.embedded.internal.store.MemoryBundleStore;
import org.bpsockets.backend.embedded.internal.store.MvBundleStore;
import org.bpsockets.cla.tcpclv4.internal.Tcpclv4Config;
import org.bpsockets.cla.tcpclv4.internal.Tcpclv4Layer;
import org.bpsockets.node.api.routing.RouteEntry;
import org.bpsockets.node.api.store.BundleStore;

/**
 * A harness, not a test: node 1's application sends 100-byte bundles to node 2's application over
 * TCPCLv4 on loopback (two embedded nodes in this JVM, the real layer), with persistence off and on;
 * then one 10 MB bundle; each against raw TCP moving the same bytes in the same run. Prints figures.
 * A fixed heap, as a server would run: with a growing heap the 10 MB case mostly measures G1 resizing.
 *
 * <pre>
 * mvn -q -pl bundles/org.bpsockets.backend.embedded test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 * java -Xms2g -Xmx2g -cp bundles/org.bpsockets.backend.embedded/target/classes:bundles/org.bpsockets.backend.embedded/target/test-classes:$(cat cp.txt) \
 *     org.bpsockets.backend.embedded.internal.NodeToNodeBenchmark [bundles]
 * </pre>
 */
public final class NodeToNodeBenchmark {

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("big")) {
            bigOnly(Integer.parseInt(args[1]));
            return;
        }
        if (args.length == 2 && args[0].equals("alloc")) {
            // What one 10 MB bundle allocates, per thread (above 1 MB): where the copies are. The store of
            // the big-bundle runs is the memory store, or -Dbench.bigStore=mvstore.
            System.setProperty("bench.perThread", "true");
            for (int i = 0; i < Integer.parseInt(args[1]); i++) {
                System.out.printf("10 MB bundle: %.1f MB allocated%n", bigBundleAllocation(10_000_000) / 1e6);
            }
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        System.out.println("# node-to-node over TCPCLv4 on loopback, 100-byte payloads, " + n + " bundles per run");
        for (int round = 0; round < 2; round++) {
            for (String store : List.of("memory", "mvstore")) {
                double rate = bundles(store, n);
                double raw = rawTcp(n, 171);
                System.out.printf("%-8s %,10.0f bundles/s   raw TCP %,12.0f messages/s   ratio %.3f%s%n", store, rate,
                        raw, rate / raw, round == 0 ? "   (warm-up)" : "");
            }
        }
        // A 10 MB bundle is a handful of allocations and copies: single runs swing with GC and JIT, so
        // report the median of several after two warm-up runs.
        double[] ratios = new double[9];
        for (int round = -2; round < ratios.length; round++) {
            double bundle = bigBundle(10_000_000);
            double raw = rawTcpBytes(10_000_000);
            System.out.printf("10 MB bundle %.1f ms   raw TCP %.1f ms   ratio %.2f%s%n", bundle * 1e3, raw * 1e3,
                    bundle / raw, round < 0 ? "   (warm-up)" : "");
            if (round >= 0) {
                ratios[round] = bundle / raw;
            }
        }
        java.util.Arrays.sort(ratios);
        System.out.printf("10 MB bundle: median ratio to raw TCP %.2f%n", ratios[ratios.length / 2]);
        // What one 10 MB bundle costs in allocation, both nodes together, from the application's send to the
        // other application's delivery: a figure that does not depend on the machine's load (issue 18).
        long[] allocated = new long[5];
        for (int i = 0; i < allocated.length; i++) {
            allocated[i] = bigBundleAllocation(10_000_000);
        }
        java.util.Arrays.sort(allocated);
        System.out.printf("10 MB bundle: %.1f MB allocated by both nodes per bundle (median of %d), %.2f times the"
                + " payload%n", allocated[allocated.length / 2] / 1e6, allocated.length,
                allocated[allocated.length / 2] / 10_000_000.0);
    }

    /**
     * Only the 10 MB case, many times, for a profiler (`big RUNS`): its time per bundle is too short for
     * JFR's sampling to say much from the nine runs of the full benchmark.
     */
    private static void bigOnly(int runs) throws Exception {
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            ms[i] = bigBundle(10_000_000) * 1e3;
        }
        double raw = rawTcpBytes(10_000_000) * 1e3;
        java.util.Arrays.sort(ms);
        System.out.printf("10 MB bundle, %d runs: median %.1f ms (min %.1f); raw TCP %.1f ms%n", runs, ms[runs / 2],
                ms[0], raw);
    }

    /** Bytes allocated by every thread while one bundle of the given size goes from node 1 to node 2. */
    static long bigBundleAllocation(int size) throws Exception {
        return bigBundleRun(size, true).allocated();
    }

    private static Map<Long, Long> perThread(com.sun.management.ThreadMXBean threads) {
        long[] ids = threads.getAllThreadIds();
        long[] bytes = threads.getThreadAllocatedBytes(ids);
        Map<Long, Long> out = new java.util.HashMap<>();
        for (int i = 0; i < ids.length; i++) {
            out.put(ids[i], bytes[i]);
        }
        return out;
    }

    private static long total(com.sun.management.ThreadMXBean threads) {
        long sum = 0;
        for (long a : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
            sum += Math.max(0, a);
        }
        return sum;
    }

    @SuppressWarnings("unchecked")
    static <A> A config(Class<A> type, Map<String, Object> values) {
        return (A) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, a) -> {
            if (values.containsKey(method.getName())) {
                return values.get(method.getName());
            }
            if (method.getName().equals("annotationType")) {
                return type;
            }
            return method.getDefaultValue();
        });
    }

    /** Two nodes linked over TCPCLv4: node 1 routes ipn:2.* to node 2. */
    static final class Pair implements AutoCloseable {
        final NodeCore one;
        final NodeCore two;
        final Tcpclv4Layer l1;
        final Tcpclv4Layer l2;
        final BundleStore s1;
        final BundleStore s2;

        Pair(String store) throws Exception {
            s1 = store(store);
            s2 = store(store);
            one = new NodeCore(NodeSettings.defaults(EndpointId.parse("ipn:1.0")), s1, new StaticRouter());
            two = new NodeCore(NodeSettings.defaults(EndpointId.parse("ipn:2.0")), s2, new StaticRouter());
            Map<String, Object> c = Map.of("listenPort", 0, "queueLimit", 8192, "queueBytes", 256L << 20);
            l1 = new Tcpclv4Layer(one, config(Tcpclv4Config.class, c));
            l2 = new Tcpclv4Layer(two, config(Tcpclv4Config.class, c));
            one.addConvergenceLayer(l1);
            two.addConvergenceLayer(l2);
            one.configure(List.of(new LinkDefinition("to2", "tcpclv4", "127.0.0.1:" + l2.localPort(),
                    LinkDefinition.Mode.ALWAYS_ON, Map.of())), List.of(new RouteEntry("r", "ipn:2.*", "to2")), List.of());
        }

        private static BundleStore store(String kind) throws Exception {
            return kind.equals("memory") ? new MemoryBundleStore()
                    : new MvBundleStore(Files.createTempDirectory("n2n").resolve("b.mv"), false);
        }

        @Override
        public void close() throws Exception {
            one.close();
            two.close();
            l1.shutdown(1000);
            l2.shutdown(1000);
            s1.close();
            s2.close();
        }
    }

    static double bundles(String store, int n) throws Exception {
        try (Pair p = new Pair(store)) {
            CountDownLatch done = new CountDownLatch(n);
            p.two.open(EndpointId.parse("ipn:2.1"), d -> {
                d.acknowledge();
                done.countDown();
            }, 4096);
            Semaphore inFlight = new Semaphore(20_000);
            byte[] payload = new byte[100];
            EndpointId src = EndpointId.parse("ipn:1.1");
            EndpointId dst = EndpointId.parse("ipn:2.1");
            // One bundle first, so the link is up before the clock starts.
            CountDownLatch first = new CountDownLatch(1);
            p.two.open(EndpointId.parse("ipn:2.2"), d -> {
                d.acknowledge();
                first.countDown();
            }, 1);
            p.one.send(new SendRequest(EndpointId.parse("ipn:2.2"), src, ByteBuffer.wrap(payload),
                    BundleOptions.DEFAULTS));
            first.await(30, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                inFlight.acquire();
                p.one.send(new SendRequest(dst, src, ByteBuffer.wrap(payload), BundleOptions.DEFAULTS))
                        .whenComplete((id, e) -> inFlight.release());
            }
            if (!done.await(300, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + (n - done.getCount()) + " of " + n + " arrived");
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    static double bigBundle(int size) throws Exception {
        return bigBundleRun(size, false).seconds();
    }

    /** One big bundle's time from send to delivery, and (if asked) what every thread allocated meanwhile. */
    private record BigRun(double seconds, long allocated) {
    }

    /**
     * One bundle of the given size from node 1 to node 2, after a first small one brought the link up. With
     * {@code allocation}, the allocated bytes of every thread are counted from just before the send to a
     * moment after the delivery, once the sender's side has ended the bundle (acknowledgement, removal).
     */
    private static BigRun bigBundleRun(int size, boolean allocation) throws Exception {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Pair p = new Pair(System.getProperty("bench.bigStore", "memory"))) {
            CompletableFuture<Long> arrived = new CompletableFuture<>();
            p.two.open(EndpointId.parse("ipn:2.1"), d -> {
                d.acknowledge();
                arrived.complete(System.nanoTime());
            }, 4);
            CountDownLatch first = new CountDownLatch(1);
            p.two.open(EndpointId.parse("ipn:2.2"), d -> {
                d.acknowledge();
                first.countDown();
            }, 1);
            EndpointId src = EndpointId.parse("ipn:1.1");
            p.one.send(new SendRequest(EndpointId.parse("ipn:2.2"), src, ByteBuffer.allocate(1), BundleOptions.DEFAULTS));
            first.await(30, TimeUnit.SECONDS);
            // The application's own buffer is counted in the time (as an application fills it), not in the
            // allocation (the node's copies are what that figure is about).
            ByteBuffer counted = allocation ? ByteBuffer.allocate(size) : null;
            long before = 0;
            Map<Long, Long> perThread = Map.of();
            if (allocation) {
                Thread.sleep(200); // the first bundle's acknowledgements settle
                before = total(threads);
                perThread = perThread(threads);
            }
            long t0 = System.nanoTime();
            ByteBuffer payload = counted != null ? counted : ByteBuffer.allocate(size);
            p.one.send(new SendRequest(EndpointId.parse("ipn:2.1"), src, payload, BundleOptions.DEFAULTS));
            double seconds = (arrived.get(60, TimeUnit.SECONDS) - t0) / 1e9;
            if (!allocation) {
                return new BigRun(seconds, 0);
            }
            Thread.sleep(200); // the sender's side ends the bundle (acknowledgement, removal)
            if (Boolean.getBoolean("bench.perThread")) {
                Map<Long, Long> start = perThread;
                perThread(threads).forEach((id, a) -> {
                    long d = a - start.getOrDefault(id, 0L);
                    if (d > 1_000_000) {
                        java.lang.management.ThreadInfo info = threads.getThreadInfo(id);
                        System.out.printf("  %-28s %6.1f MB%n", info == null ? id : info.getThreadName(), d / 1e6);
                    }
                });
            }
            return new BigRun(seconds, total(threads) - before);
        }
    }

    /** n messages of the given size over one loopback TCP connection, read by another thread. */
    static double rawTcp(int n, int size) throws Exception {
        return n / transfer((long) n * size, size);
    }

    static double rawTcpBytes(int size) throws Exception {
        return transfer(size, 65536);
    }

    private static double transfer(long total, int chunk) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                Socket out = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
                Socket in = server.accept()) {
            out.setTcpNoDelay(true);
            CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
                try (InputStream is = in.getInputStream()) {
                    byte[] buf = new byte[1 << 16];
                    long got = 0;
                    while (got < total) {
                        int r = is.read(buf);
                        if (r < 0) {
                            break;
                        }
                        got += r;
                    }
                    return System.nanoTime();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] buf = new byte[chunk];
            long t0 = System.nanoTime();
            OutputStream os = out.getOutputStream();
            for (long sent = 0; sent < total; sent += chunk) {
                os.write(buf, 0, (int) Math.min(chunk, total - sent));
            }
            os.flush();
            return (read.get(60, TimeUnit.SECONDS) - t0) / 1e9;
        }
    }
}
