package org.bpsockets.cla.udp.internal;

import org.bpsockets.cla.common.testing.ClaBench;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.node.api.cla.ConvergenceLayer;

/**
 * Bundles are sent back to back with no pacing, so with small socket buffers the kernel drops some and
 * the harness waits in vain: the default 4 MiB buffers are sized for it. The "big" bundle is the
 * largest datagram. Throughput harness, not run by the build:
 * {@code java -cp target/classes:target/test-classes:<deps> org.bpsockets.cla.udp.internal.UdpBench 200000}.
 */
public final class UdpBench {
    private UdpBench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        ClaBench.run("udp", (FakeClaContext ctx, boolean listen) -> {
            // Unpaced by default, to measure the layer itself (as docs/performance.md's figures);
            // -Dudp.rate=4194304 measures the default pacing (decision 0011).
            UdpLayer layer = new UdpLayer(ctx, TestConfigs.of(UdpConfig.class, "listenPort", 0,
                    "listenEnabled", listen, "rateBytesPerSecond", Long.getLong("udp.rate", 0L)));
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
                    layer.shutdown();
                }
            };
        }, n, 100, 60_000, true);
    }
}
