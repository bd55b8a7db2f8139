package org.bpsockets.cla.tcpclv3.internal;

import org.bpsockets.cla.common.testing.ClaBench;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.node.api.cla.ConvergenceLayer;

/**
 * Throughput harness, not run by the build:
 * {@code java -cp target/classes:target/test-classes:<deps> org.bpsockets.cla.tcpclv3.internal.Tcpclv3Bench 200000 [noacks]}.
 */
public final class Tcpclv3Bench {
    private Tcpclv3Bench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        boolean acks = args.length < 2 || !args[1].equals("noacks");
        ClaBench.run(acks ? "tcpclv3" : "tcpclv3-noack", (FakeClaContext ctx, boolean listen) -> {
            Tcpclv3Layer layer = new Tcpclv3Layer(ctx, TestConfigs.of(Tcpclv3Config.class, "listenPort", 0,
                    "listenEnabled", listen, "requestAcks", acks));
            return new ClaBench.Instance() {
                @Override
                public ConvergenceLayer layer() {
                    return layer;
                }

                @Override
                public String address() {
                    return "127.0.0.1:" + layer.localPort();
                }

                @Override
                public void close() {
                    layer.shutdown(5000);
                }
            };
        }, n, 100, 10 << 20);
    }
}
