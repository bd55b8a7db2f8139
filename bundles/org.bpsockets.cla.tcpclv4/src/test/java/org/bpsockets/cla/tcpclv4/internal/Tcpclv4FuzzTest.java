package org.bpsockets.cla.tcpclv4.internal;

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
 * Coverage-guided fuzz target (Jazzer): the fuzzer's bytes are everything a TCPCLv4 peer sends (contact
 * header, SESS_INIT, segments, acks, keepalives, SESS_TERM) to a real {@link Tcpclv4Layer} over loopback;
 * the invariants are {@link StreamPeerFuzzing}'s, with the transfer MRU as the delivery limit. Under
 * {@code mvn install} it runs its committed inputs only; {@code tools/fuzz cla.tcpclv4} fuzzes it.
 */
class Tcpclv4FuzzTest {
    static final long TRANSFER_MRU = 1 << 16;
    static final FakeClaContext CTX = new FakeClaContext("ipn:1.0").maxBundleSize(TRANSFER_MRU);
    static Tcpclv4Layer layer;

    static synchronized Tcpclv4Layer layer() throws IOException {
        if (layer == null) {
            layer = new Tcpclv4Layer(CTX, TestConfigs.of(Tcpclv4Config.class, "listenPort", 0, "transferMru",
                    TRANSFER_MRU, "segmentMru", TRANSFER_MRU, "handshakeTimeoutSeconds", 5, "closeTimeoutSeconds", 1,
                    "keepaliveSeconds", 0));
            Runtime.getRuntime().addShutdownHook(new Thread(() -> layer.shutdown(1000)));
        }
        return layer;
    }

    /** The harness reaches delivery: the seed with one whole bundle delivers exactly that bundle. */
    @Test
    void seedWithOneBundleIsDelivered() throws Exception {
        byte[] seed;
        try (InputStream in = getClass().getResourceAsStream("Tcpclv4FuzzTestInputs/peerStream/one-bundle")) {
            seed = in.readAllBytes();
        }
        peerStream(seed);
        assertEquals(1, CTX.received.size());
        int bundleLength = CTX.received.peek().data().length;
        assertEquals(0x9f, CTX.received.peek().data()[0] & 0xff);
        assertEquals(seed.length - 6 - 32 - 22, bundleLength, "contact header, SESS_INIT and segment header stripped");
    }

    @FuzzTest
    void peerStream(byte[] input) throws Exception {
        StreamPeerFuzzing.run(layer(), CTX, input, TRANSFER_MRU);
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
     * "4096 " (a space after the value in a .cfg file is kept) passed the check and DS made the default of it.
     */
    @Test
    void valuesWithSpacesAroundThemAreRefused() {
        var metaType = LayerConfigFuzzing.metaType(Tcpclv4Layer.class, Tcpclv4Layer.PID);
        var problems = org.bpsockets.cla.common.CheckedConfig.problems(Tcpclv4Layer.PID,
                java.util.Map.of("transferMru", "4096 ", "tlsEnabled", " true", "listenPort", "4556"), metaType, null);
        assertEquals(2, problems.size(), problems.toString());
        assertEquals(0, org.bpsockets.cla.common.CheckedConfig.problems(Tcpclv4Layer.PID,
                java.util.Map.of("transferMru", "4096", "tlsEnabled", "TRUE", "listenPort", 4556), metaType, null).size());
    }
}
