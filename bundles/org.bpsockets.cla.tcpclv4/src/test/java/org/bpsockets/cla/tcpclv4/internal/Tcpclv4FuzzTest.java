package org.bpsockets.cla.tcpclv4.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.Map;

import org.bpsockets.cla.common.CheckedConfig;
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
 * Coverage-guided fuzz targets (Jazzer) of the TCPCLv4 layer. {@link #peerStream}: the fuzzer's bytes are
 * everything a TCPCLv4 peer sends (contact header, SESS_INIT, segments, acks, keepalives, SESS_TERM) to a
 * real {@link Tcpclv4Session} of a real {@link Tcpclv4Layer}, in memory; the invariants are
 * {@link StreamPeerFuzzing}'s, with the transfer MRU as the delivery limit. {@link #configuration}: the
 * layer's configuration parser. Under {@code mvn install} they run their committed inputs only;
 * {@code tools/fuzz cla.tcpclv4} fuzzes them.
 */
class Tcpclv4FuzzTest extends StreamPeerFuzzTarget<Tcpclv4Layer> {

    @Override
    protected Tcpclv4Layer newLayer(FakeClaContext context) throws IOException {
        return new Tcpclv4Layer(context, TestConfigs.of(Tcpclv4Config.class, "listenPort", 0, "transferMru", LIMIT,
                "segmentMru", LIMIT, "handshakeTimeoutSeconds", 5, "closeTimeoutSeconds", 1, "keepaliveSeconds", 0));
    }

    @Override
    protected StreamSession newInbound(Tcpclv4Layer layer, Socket accepted) throws IOException {
        return layer.newInbound(accepted);
    }

    /** The harness reaches delivery: the seed with one whole bundle delivers exactly that bundle. */
    @Test
    void seedWithOneBundleIsDelivered() throws Exception {
        List<byte[]> got = seedDeliveries("one-bundle");
        assertEquals(1, got.size());
        assertEquals(0x9f, got.get(0)[0] & 0xff);
        assertEquals(seed("one-bundle").length - 6 - 32 - 22, got.get(0).length,
                "contact header, SESS_INIT and segment header stripped");
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
        LayerConfigFuzzing.run(data, Tcpclv4Layer.PID, Tcpclv4Config.class,
                LayerConfigFuzzing.metaType(Tcpclv4Layer.class, Tcpclv4Layer.PID));
    }

    /**
     * The finding of {@link #configuration}: Felix Metatype trims a value before checking it, DS does not, so
     * "4096 " passed the check and then failed where the layer read it (a ComponentException from the
     * configuration object), and " true" read as false.
     */
    @Test
    void valuesWithSpacesAroundThemAreRefused() {
        var metaType = LayerConfigFuzzing.metaType(Tcpclv4Layer.class, Tcpclv4Layer.PID);
        var problems = CheckedConfig.problems(Tcpclv4Layer.PID,
                Map.of("transferMru", "4096 ", "tlsEnabled", " true", "listenPort", "4556"), metaType, null);
        assertEquals(2, problems.size(), problems.toString());
        assertEquals(0, CheckedConfig.problems(Tcpclv4Layer.PID,
                Map.of("transferMru", "4096", "tlsEnabled", "TRUE", "listenPort", 4556), metaType, null).size());
    }
}
