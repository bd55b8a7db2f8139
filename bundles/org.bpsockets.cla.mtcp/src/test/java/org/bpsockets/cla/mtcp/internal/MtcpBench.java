package org.bpsockets.cla.mtcp.internal;

import org.bpsockets.cla.common.testing.ClaBench;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.node.api.cla.ConvergenceLayer;

/**
 * Throughput harness, not run by the build:
 * {@code java -cp target/classes:target/test-classes:<deps> org.bpsockets.cla.mtcp.internal.MtcpBench 200000}.
 */
public final class MtcpBench {
    private MtcpBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        ClaBench.run("mtcp", (FakeClaContext ctx, boolean listen) -> {
            MtcpLayer layer = new MtcpLayer(ctx, TestConfigs.of(MtcpConfig.class, "listenPort", 0,
                    "listenEnabled", listen));
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
