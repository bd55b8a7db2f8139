package org.bpsockets.cla.mtcp.internal;

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
 * Coverage-guided fuzz target (Jazzer): the fuzzer's bytes are everything a MTCP peer sends (CBOR byte-string framed bundles)
 * to a real {@link MtcpLayer} over loopback; the invariants are {@link StreamPeerFuzzing}'s, with the
 * node's largest bundle as the delivery limit. Under {@code mvn install} it runs its committed inputs only;
 * {@code tools/fuzz cla.mtcp} fuzzes it.
 */
class MtcpFuzzTest {
    static final long MAX_BUNDLE = 1 << 16;
    static final FakeClaContext CTX = new FakeClaContext("ipn:1.0").maxBundleSize(MAX_BUNDLE);
    static MtcpLayer layer;

    static synchronized MtcpLayer layer() throws IOException {
        if (layer == null) {
            layer = new MtcpLayer(CTX, TestConfigs.of(MtcpConfig.class, "listenPort", 0, "closeTimeoutSeconds", 1));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> layer.shutdown(1000)));
        }
        return layer;
    }

    /** The harness reaches delivery: the seed with one whole bundle delivers exactly that bundle. */
    @Test
    void seedWithOneBundleIsDelivered() throws Exception {
        byte[] seed;
        byte[] bundle;
        try (InputStream in = getClass().getResourceAsStream("MtcpFuzzTestInputs/peerStream/one-bundle");
                InputStream b = getClass().getResourceAsStream("MtcpFuzzTestInputs/peerStream/one-bundle.bundle")) {
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
        LayerConfigFuzzing.run(data, MtcpLayer.PID, MtcpConfig.class,
                LayerConfigFuzzing.metaType(MtcpLayer.class, MtcpLayer.PID));
    }
}
