package org.bpsockets.cla.tcpclv3.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;

import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.LayerConfigFuzzing;
import org.bpsockets.cla.common.testing.StreamPeerFuzzing;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz target (Jazzer): the fuzzer's bytes are everything a TCPCLv3 peer sends (contact header (with the peer's EID), data segments, acks, refusals, keepalives, shutdown)
 * to a real {@link Tcpclv3Layer} over loopback; the invariants are {@link StreamPeerFuzzing}'s, with the
 * node's largest bundle as the delivery limit. Under {@code mvn install} it runs its committed inputs only;
 * {@code tools/fuzz cla.tcpclv3} fuzzes it.
 */
class Tcpclv3FuzzTest {
    static final long MAX_BUNDLE = 1 << 16;
    static final FakeClaContext CTX = new FakeClaContext("ipn:1.0").maxBundleSize(MAX_BUNDLE);
    static Tcpclv3Layer layer;

    static synchronized Tcpclv3Layer layer() throws IOException {
        if (layer == null) {
            layer = new Tcpclv3Layer(CTX, TestConfigs.of(Tcpclv3Config.class, "listenPort", 0, "closeTimeoutSeconds", 1));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> layer.shutdown(1000)));
        }
        return layer;
    }

    /** The harness reaches delivery: the seed with one whole bundle delivers exactly that bundle. */
    @Test
    void seedWithOneBundleIsDelivered() throws Exception {
        byte[] seed;
        byte[] bundle;
        try (InputStream in = getClass().getResourceAsStream("Tcpclv3FuzzTestInputs/peerStream/one-bundle");
                InputStream b = getClass().getResourceAsStream("Tcpclv3FuzzTestInputs/peerStream/one-bundle.bundle")) {
            seed = in.readAllBytes();
            bundle = b.readAllBytes();
        }
        peerStream(seed);
        assertEquals(1, CTX.received.size());
        assertArrayEquals(bundle, CTX.received.peek().data());
    }

    @FuzzTest
    void peerStream(byte[] input) throws Exception {
        StreamPeerFuzzing.run(layer(), CTX, input, MAX_BUNDLE);
    }

    /**
     * The layer's configuration parser: ConfigAdmin properties of any type checked against the layer's
     * metatype ({@link LayerConfigFuzzing}).
     */
    @FuzzTest
    void configuration(FuzzedDataProvider data) {
        LayerConfigFuzzing.run(data, Tcpclv3Layer.PID, Tcpclv3Config.class,
                LayerConfigFuzzing.metaType(Tcpclv3Layer.class, Tcpclv3Layer.PID));
    }
}
