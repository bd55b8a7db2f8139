package org.bpsockets.cla.tcpclv3.internal;

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
 * Coverage-guided fuzz targets (Jazzer) of the TCPCLv3 layer. {@link #peerStream}: the fuzzer's bytes are
 * everything a TCPCLv3 peer sends (contact header with its EID as an SDNV-prefixed string, data segments, acks, refusals, keepalives, shutdown) to a real {@link Tcpclv3Session} of a real {@link Tcpclv3Layer}, in memory; the invariants are
 * {@link StreamPeerFuzzing}'s, with the node's largest bundle as the delivery limit. {@link #configuration}:
 * the layer's configuration parser. Under {@code mvn install} they run their committed inputs only;
 * {@code tools/fuzz cla.tcpclv3} fuzzes them.
 */
class Tcpclv3FuzzTest extends StreamPeerFuzzTarget<Tcpclv3Layer> {

    @Override
    protected Tcpclv3Layer newLayer(FakeClaContext context) {
        return new Tcpclv3Layer(context, TestConfigs.of(Tcpclv3Config.class, "listenPort", 0, "closeTimeoutSeconds", 1));
    }

    @Override
    protected StreamSession newInbound(Tcpclv3Layer layer, Socket accepted) throws IOException {
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
        LayerConfigFuzzing.run(data, Tcpclv3Layer.PID, Tcpclv3Config.class, LayerConfigFuzzing.metaType(Tcpclv3Layer.class, Tcpclv3Layer.PID));
    }
}
