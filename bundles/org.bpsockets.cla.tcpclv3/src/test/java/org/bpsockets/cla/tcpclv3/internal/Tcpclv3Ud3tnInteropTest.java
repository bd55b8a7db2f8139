package org.bpsockets.cla.tcpclv3.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.Bundle;
import org.bpsockets.bpv7.BundleCodec;
import org.bpsockets.cla.common.testing.Bytes;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.Outcome;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.cla.common.testing.Ud3tnPeer;
import org.bpsockets.node.api.cla.Link;
import org.junit.jupiter.api.Test;

/**
 * Against a real µD3TN (BPSOCKETS_UD3TN_BIN): our connection carries a contact configuration and
 * echo requests to it; µD3TN attaches its new contact to that open connection and sends the echoes
 * back on it, with bundles below and above 64 KiB. When we close it, µD3TN connects to us for its
 * contact, and that connection carries an echo both ways too.
 */
class Tcpclv3Ud3tnInteropTest {
    static final Duration T = Duration.ofSeconds(30);

    @Test
    void echoThroughUd3tn() throws Exception {
        assumeTrue(Ud3tnPeer.binary() != null, Ud3tnPeer.skipMessage());
        FakeClaContext ctx = new FakeClaContext("ipn:1.0");
        Tcpclv3Layer layer = new Tcpclv3Layer(ctx, TestConfigs.of(Tcpclv3Config.class, "listenPort", 0));
        Ud3tnPeer peer = Ud3tnPeer.start("ipn:2.0");
        try {
            Link out = layer.connect("127.0.0.1:" + peer.tcpclv3Port, Map.of("peer", "ipn:2.0"));
            assertSame(out, ctx.awaitUp(T));
            assertEquals(Optional.of(EndpointId.parse("ipn:2.0")), out.peerNodeId());
            assertFalse(((Tcpclv3Session) out).acksNegotiated(), "µD3TN asks for no acknowledgements");

            send(out, peer.contactBundle("ipn:1.1", "ipn:1.0", "tcpclv3:127.0.0.1:" + layer.localPort()));
            peer.awaitLog("Associating open connection", 10);

            for (int size : new int[] {12, 100_000, 1 << 20}) {
                byte[] payload = Bytes.pattern(size, size);
                send(out, Ud3tnPeer.bundle("ipn:1.1", peer.echoEndpoint(), payload));
                FakeClaContext.Received r = ctx.awaitReceived(T);
                assertSame(out, r.link(), "the echo comes back on the connection we opened");
                Bundle echo = BundleCodec.decode(r.data());
                assertEquals(EndpointId.parse("ipn:1.1"), echo.primary().destination());
                assertEquals(EndpointId.parse(peer.echoEndpoint()), echo.primary().source());
                byte[] got = new byte[echo.payloadLength()];
                echo.payload().get(got);
                assertArrayEquals(payload, got, size + "-byte echo");
            }
            out.close();
            assertSame(out, ctx.awaitDown(T).link());
            assertTrue(peer.alive(), "µD3TN survived our SHUTDOWN");

            // Its contact is still on: µD3TN reconnects, and the connection it opened carries both ways.
            Link back = ctx.awaitUp(T);
            assertFalse(back.outbound());
            assertEquals(Optional.of(EndpointId.parse("ipn:2.0")), back.peerNodeId());
            byte[] payload = Bytes.pattern(70_000, 5);
            send(back, Ud3tnPeer.bundle("ipn:1.2", peer.echoEndpoint(), payload));
            FakeClaContext.Received r = ctx.awaitReceived(T);
            assertSame(back, r.link());
            Bundle echo = BundleCodec.decode(r.data());
            assertEquals(EndpointId.parse("ipn:1.2"), echo.primary().destination());
            assertEquals(payload.length, echo.payloadLength());
            assertEquals(0, layer.problems().total(), layer.problems().snapshot().toString());
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n--- µD3TN log ---\n" + peer.log(), e);
        } finally {
            layer.shutdown(5000);
            peer.close();
        }
    }

    private static void send(Link link, byte[] bundle) throws InterruptedException {
        Outcome o = new Outcome();
        assertTrue(link.transmit(ByteBuffer.wrap(bundle), o));
        assertEquals(Outcome.OK, o.await(T));
    }
}
