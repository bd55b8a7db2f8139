package org.bpsockets.cla.tcpclv3.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.bpsockets.cla.common.testing.Bytes;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.Outcome;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.cla.common.testing.Ud3tnPeer;
import org.bpsockets.node.api.cla.Link;

/**
 * Echo throughput through a real µD3TN over TCPCLv3 (needs BPSOCKETS_UD3TN_BIN; not run by the build):
 * N bundles with 100-byte payloads to its echo agent, pipelined, until all echoes are back.
 */
public final class Ud3tnEchoBench {
    private Ud3tnEchoBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        FakeClaContext ctx = new FakeClaContext("ipn:1.0");
        Semaphore echoes = new Semaphore(0);
        Tcpclv3Layer layer = new Tcpclv3Layer(ctx, TestConfigs.of(Tcpclv3Config.class, "listenPort", 0));
        try (Ud3tnPeer peer = Ud3tnPeer.start("ipn:2.0")) {
            Link out = layer.connect("127.0.0.1:" + peer.tcpclv3Port, Map.of());
            ctx.awaitUp(Duration.ofSeconds(10));
            Outcome config = new Outcome();
            out.transmit(ByteBuffer.wrap(peer.contactBundle("ipn:1.1", "ipn:1.0",
                    "tcpclv3:127.0.0.1:" + layer.localPort())), config);
            config.await(Duration.ofSeconds(10));
            peer.awaitLog("Associating open connection", 10);
            ctx.hook = r -> {
                r.receipt().accepted();
                echoes.release();
            };
            byte[][] bundles = new byte[n][];
            for (int i = 0; i < n; i++) {
                bundles[i] = Ud3tnPeer.bundle("ipn:1.1", peer.echoEndpoint(), Bytes.pattern(100, i));
            }
            long t0 = System.nanoTime();
            Outcome ignored = new Outcome();
            for (int i = 0; i < n; i++) {
                while (!out.transmit(ByteBuffer.wrap(bundles[i]), ignored)) {
                    ctx.awaitWritable(Duration.ofSeconds(30));
                }
            }
            int got = 0;
            while (got < n && echoes.tryAcquire(5, TimeUnit.SECONDS)) {
                got++;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "µD3TN echo over TCPCLv3: %d of %d echoes of %d-byte bundles in %.2f s: "
                    + "%,.0f round trips/s%n", got, n, bundles[0].length, s, got / s);
        } finally {
            layer.shutdown(5000);
        }
    }
}
