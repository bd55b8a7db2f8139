package org.bpsockets.cla.tcpclv4.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.Map;

import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.node.api.cla.Link;
import org.bpsockets.node.api.cla.LinkState;
import org.junit.jupiter.api.Test;

/**
 * Against a real RFC 9174 peer. Neither µD3TN v0.13.0 nor ION 4.1.3 speaks TCPCLv4 (both stop at
 * TCPCLv3), so this runs only when BPSOCKETS_TCPCLV4_PEER names another implementation's listener
 * ("127.0.0.1:4556", e.g. dtn7-rs started by hand).
 */
class Tcpclv4InteropTest {
    static final String ENV = "BPSOCKETS_TCPCLV4_PEER";

    @Test
    void sessionWithARealPeer() throws Exception {
        String peer = System.getenv(ENV);
        assumeTrue(peer != null && !peer.isBlank(), "skipped: set " + ENV + "=host:port of a running RFC 9174 "
                + "peer to run it (µD3TN v0.13.0 and ION 4.1.3, see BPSOCKETS_UD3TN_BIN/BPSOCKETS_ION_PREFIX, "
                + "speak only TCPCLv3)");
        FakeClaContext ctx = new FakeClaContext("ipn:77.0");
        Tcpclv4Layer layer = new Tcpclv4Layer(ctx, TestConfigs.of(Tcpclv4Config.class, "listenEnabled", false));
        try {
            Link link = layer.connect(peer.trim(), Map.of());
            assertEquals(link, ctx.awaitUp(Duration.ofSeconds(20)));
            assertTrue(link.peerNodeId().isPresent(), "the peer announced its node ID");
            link.close();
            ctx.awaitDown(Duration.ofSeconds(20));
            assertEquals(LinkState.DOWN, link.state());
            assertEquals(0, layer.problems().total(), layer.problems().snapshot().toString());
        } finally {
            layer.shutdown(5000);
        }
    }
}
