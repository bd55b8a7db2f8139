package org.bpsockets.cla.mtcp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.Socket;
import java.util.List;

import org.bpsockets.cla.common.StreamSession;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.LayerConfigFuzzing;
import org.bpsockets.cla.common.testing.StreamPeerFuzzTarget;
import org.bpsockets.cla.common.testing.StreamPeerFuzzing;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.junit.jupiter.api.Test;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzz targets (Jazzer) of the MTCP layer. {@link #peerStream}: the fuzzer's bytes are
 * everything an MTCP peer sends (bundles framed as CBOR byte strings) to a real {@link MtcpSession} of a real {@link MtcpLayer}, in memory; the invariants are
 * {@link StreamPeerFuzzing}'s, with the node's largest bundle as the delivery limit. {@link #configuration}:
 * the layer's configuration parser. Under {@code mvn install} they run their committed inputs only;
 * {@code tools/fuzz cla.mtcp} fuzzes them.
 */
class MtcpFuzzTest extends StreamPeerFuzzTarget<MtcpLayer> {

    @Override
    protected MtcpLayer newLayer(FakeClaContext context) {
        return new MtcpLayer(context, TestConfigs.of(MtcpConfig.class, "listenPort", 0, "closeTimeoutSeconds", 1));
    }

    @Override
    protected StreamSession newInbound(MtcpLayer layer, Socket accepted) throws IOException {
        return layer.newInbound(accepted);
    }

    /** The harness reaches delivery: the seed with one whole bundle delivers exactly that bundle. */
    @Test
    void seedWithOneBundleIsDelivered() throws Exception {
        List<byte[]> got = seedDeliveries("one-bundle");
        assertEquals(1, got.size());
        assertArrayEquals(seed("one-bundle.bundle"), got.get(0));
    }

    @FuzzTest
    void peerStream(byte[] input) throws Exception {
        fuzzOne(input);
    }

    /**
     * The layer's configuration parser: ConfigAdmin properties of any type checked against the layer's
     * metatype ({@link LayerConfigFuzzing}).
     */
    @FuzzTest
    void configuration(FuzzedDataProvider data) {
        LayerConfigFuzzing.run(data, MtcpLayer.PID, MtcpConfig.class, LayerConfigFuzzing.metaType(MtcpLayer.class, MtcpLayer.PID));
    }
}
