package org.bpsockets.cla.tcpclv4.internal;

import org.bpsockets.cla.common.testing.ClaBench;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.node.api.cla.ConvergenceLayer;

/**
 * Throughput harness, not run by the build:
 * {@code java -cp target/classes:target/test-classes:<deps> org.bpsockets.cla.tcpclv4.internal.Tcpclv4Bench 200000 [tls]}
 * (system property segmentMru to try other segment sizes).
 */
public final class Tcpclv4Bench {
    private Tcpclv4Bench() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        boolean tls = args.length > 1 && args[1].equals("tls");
        java.nio.file.Path dir = tls ? java.nio.file.Files.createTempDirectory("tcpclv4-bench") : null;
        java.nio.file.Path keys = tls ? Keys.keyStore(dir, "bench") : null;
        java.nio.file.Path trust = tls ? Keys.trustStore(dir, keys) : null;
        ClaBench.run(tls ? "tcpclv4+tls" : "tcpclv4", (FakeClaContext ctx, boolean listen) -> {
            Tcpclv4Layer layer = new Tcpclv4Layer(ctx, tls
                    ? TestConfigs.of(Tcpclv4Config.class, "listenPort", 0, "listenEnabled", listen,
                            "tlsEnabled", true, "tlsKeyStore", keys.toString(), "tlsKeyStorePassword", Keys.PASSWORD,
                            "tlsTrustStore", trust.toString(), "tlsTrustStorePassword", Keys.PASSWORD)
                    : TestConfigs.of(Tcpclv4Config.class, "listenPort", 0, "listenEnabled", listen, "segmentMru", Long.getLong("segmentMru", 4L << 20)));
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
