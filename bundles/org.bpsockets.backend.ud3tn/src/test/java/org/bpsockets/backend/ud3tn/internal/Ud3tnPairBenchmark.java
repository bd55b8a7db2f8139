package org.bpsockets.backend.ud3tn.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPMessage;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPResponse;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.BundleADU;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.ResponseStatus;

/**
 * A harness, not a test: 100-byte ADUs from an application on µD3TN ipn:1.0 to one on ipn:2.0 (two
 * real nodes, TCPCLv3 between them), through our backend on both ends, against a plain AAP 2.0 client
 * on the same kind of pair (pipelined sends, a subscriber that answers at once). A fresh pair per run:
 * µD3TN slows down as its list of delivered bundles grows.
 *
 * <pre>
 * mvn -q -pl bundles/org.bpsockets.backend.ud3tn test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 * BPSOCKETS_UD3TN_BIN=/path/to/ud3tn java -cp bundles/org.bpsockets.backend.ud3tn/target/classes:bundles/org.bpsockets.backend.ud3tn/target/test-classes:$(cat cp.txt) \
 *     org.bpsockets.backend.ud3tn.internal.Ud3tnPairBenchmark [adus]
 * </pre>
 */
public final class Ud3tnPairBenchmark {

    static final int WINDOW = 256;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        System.out.println("# µD3TN -> µD3TN over TCPCLv3, 100-byte ADUs, " + n + " per run, a fresh pair per run");
        for (int round = 0; round < 3; round++) {
            double plain = plain(n);
            double ours = ours(n);
            System.out.printf("plain AAP 2.0 client %,8.0f ADUs/s   our backend %,8.0f ADUs/s   ratio %.2f%s%n", plain,
                    ours, ours / plain, round == 0 ? "   (warm-up)" : "");
        }
    }

    static double ours(int n) throws Exception {
        try (Ud3tnPair pair = Ud3tnPair.start()) {
            CountDownLatch done = new CountDownLatch(n);
            EndpointId src = EndpointId.parse("ipn:1.1");
            EndpointId dst = EndpointId.parse("ipn:2.1");
            pair.backendA.open(src, d -> d.acknowledge(), 1);
            pair.backendB.open(dst, d -> {
                d.acknowledge();
                done.countDown();
            }, WINDOW);
            Semaphore window = new Semaphore(WINDOW);
            byte[] payload = new byte[100];
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                window.acquire();
                pair.backendA.send(SendRequest.of(dst, src, payload)).whenComplete((id, e) -> window.release());
            }
            await(done, n);
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    static double plain(int n) throws Exception {
        try (Ud3tnPair pair = Ud3tnPair.start()) {
            EndpointState sender = new EndpointState(null, "ipn:1.2", "plain-secret", Runnable::run);
            EndpointState receiver = new EndpointState(null, "ipn:2.2", "plain-secret", Runnable::run);
            CountDownLatch done = new CountDownLatch(n);
            try (Aap2Wire out = Aap2Wire.connect(pair.peerA.dir.resolve("aap2.socket").toString());
                    Aap2Wire in = Aap2Wire.connect(pair.peerB.dir.resolve("aap2.socket").toString())) {
                Subscriber.configure(out, sender, false, 0);
                Subscriber.configure(in, receiver, true, 0);
                Thread rx = new Thread(() -> {
                    try {
                        AAPResponse ok = AAPResponse.newBuilder()
                                .setResponseStatus(ResponseStatus.RESPONSE_STATUS_SUCCESS).build();
                        while (done.getCount() > 0) {
                            AAPMessage m = in.readMessage();
                            if (m.hasAdu()) {
                                in.readPayload(m.getAdu().getPayloadLength(), 1 << 20);
                                in.write(ok);
                                done.countDown();
                            }
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                });
                rx.start();
                Semaphore window = new Semaphore(WINDOW);
                Thread acks = new Thread(() -> {
                    try {
                        for (int i = 0; i < n; i++) {
                            out.readResponse();
                            window.release();
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                });
                acks.start();
                AAPMessage adu = AAPMessage.newBuilder()
                        .setAdu(BundleADU.newBuilder().setDstEid("ipn:2.2").setPayloadLength(100)).build();
                ByteBuffer payload = ByteBuffer.allocate(100);
                long t0 = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    window.acquire();
                    out.write(adu, payload);
                }
                await(done, n);
                return n / ((System.nanoTime() - t0) / 1e9);
            }
        }
    }

    private static void await(CountDownLatch done, int n) throws InterruptedException {
        if (!done.await(300, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + (n - done.getCount()) + " of " + n + " arrived");
        }
    }
}
