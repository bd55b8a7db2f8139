package org.bpsockets.backend.ion.internal;

import static org.bpsockets.cla.common.testing.BackendTesting.await;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.cla.common.testing.IonPeer;
import org.bpsockets.cla.common.testing.TestConfigs;

/**
 * A harness, not a test: 100-byte bundles from one endpoint of a real ION node to another (through
 * its own TCPCL induct), sent and received by our backend, against ION's own bpdriver (streaming) and
 * bpcounter on the same kind of node. A fresh node per run.
 *
 * <pre>
 * mvn -q -pl bundles/org.bpsockets.backend.ion test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 * BPSOCKETS_ION_PREFIX=/path/to/ion java -cp bundles/org.bpsockets.backend.ion/target/classes:bundles/org.bpsockets.backend.ion/target/test-classes:$(cat cp.txt) \
 *     org.bpsockets.backend.ion.internal.IonBenchmark [bundles]
 * </pre>
 */
public final class IonBenchmark {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        System.out.println("# one ION node, ipn:2.3 -> ipn:2.2 through its own TCPCL induct, 100-byte bundles, " + n
                + " per run");
        for (int round = 0; round < 3; round++) {
            double ion = bpdriver(n);
            double ours = ours(n);
            System.out.printf("bpdriver -> bpcounter %,8.0f bundles/s   our backend %,8.0f bundles/s   ratio %.2f%s%n",
                    ion, ours, ours / ion, round == 0 ? "   (warm-up)" : "");
        }
    }

    static double bpdriver(int n) throws Exception {
        IonPeer peer = IonPeer.start("tcp", IonInteropTest.freePort());
        try {
            peer.spawn("bpcounter", "ipn:2.2", Integer.toString(n));
            Thread.sleep(1000);
            long t0 = System.nanoTime();
            peer.run(600, "bpdriver", Integer.toString(n), "ipn:2.3", "ipn:2.2", "-100", "t600");
            // bpcounter exits once it has counted n bundles.
            ProcessHandle counter = ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().orElse("").contains("bpcounter ipn:2.2")).findFirst()
                    .orElseThrow();
            try {
                counter.onExit().get(120, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("bpcounter did not count " + n + ": "
                        + java.nio.file.Files.readString(peer.dir.resolve("bpcounter.log")) + peer.log(), e);
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        } finally {
            peer.close();
        }
    }

    static double ours(int n) throws Exception {
        IonPeer peer = IonPeer.start("tcp", IonInteropTest.freePort());
        String lib = IonPeer.prefix() + "/lib/";
        IonBackend backend = new IonBackend(TestConfigs.of(IonConfig.class, "bpLibrary", lib + "libbp.so.0",
                "iciLibrary", lib + "libici.so.0", "nodeListDir", peer.dir.toString(), "nodeDirectory",
                peer.dir.toString()));
        try {
            await(() -> backend.nodeId().isPresent(), "attached");
            CountDownLatch done = new CountDownLatch(n);
            EndpointId dst = EndpointId.parse("ipn:2.2");
            EndpointId src = EndpointId.parse("ipn:2.3");
            backend.open(dst, d -> {
                d.acknowledge();
                done.countDown();
            }, 256);
            Semaphore window = new Semaphore(256);
            byte[] payload = new byte[100];
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                window.acquire();
                backend.send(new SendRequest(dst, src, java.nio.ByteBuffer.wrap(payload),
                        org.bpsockets.api.bundle.BundleOptions.builder().lifetime(java.time.Duration.ofSeconds(600))
                                .build())).whenComplete((id, e) -> window.release());
            }
            if (!done.await(600, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + (n - done.getCount()) + " of " + n + " arrived");
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        } finally {
            backend.deactivate();
            peer.close();
        }
    }
}
