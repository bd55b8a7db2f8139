package org.bpsockets.cla.mtcp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;

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
 * Against a real µD3TN (BPSOCKETS_UD3TN_BIN): we send it a contact configuration and echo requests
 * over a connection we open; it answers over the connection it opens to our listener for that contact.
 */
class MtcpUd3tnInteropTest {
    static final Duration T = Duration.ofSeconds(30);

    @Test
    void echoThroughUd3tn() throws Exception {
        assumeTrue(Ud3tnPeer.binary() != null, Ud3tnPeer.skipMessage());
        FakeClaContext ctx = new FakeClaContext("ipn:1.0");
        MtcpLayer layer = new MtcpLayer(ctx, TestConfigs.of(MtcpConfig.class, "listenPort", 0));
        Ud3tnPeer peer = Ud3tnPeer.start("ipn:2.0");
        try {
            Link out = layer.connect("127.0.0.1:" + peer.mtcpPort, Map.of("peer", "ipn:2.0"));
            assertSame(out, ctx.awaitUp(T));
            send(out, peer.contactBundle("ipn:1.1", "ipn:1.0", "mtcp:127.0.0.1:" + layer.localPort()));
            Link back = ctx.awaitUp(T);
            assertFalse(back.outbound(), "µD3TN connects to us for its contact");
            for (int size : new int[] {12, 100_000, 1 << 20}) {
                byte[] payload = Bytes.pattern(size, size);
                send(out, Ud3tnPeer.bundle("ipn:1.1", peer.echoEndpoint(), payload));
                FakeClaContext.Received r = ctx.awaitReceived(T);
                assertSame(back, r.link());
                Bundle echo = BundleCodec.decode(r.data());
                assertEquals(EndpointId.parse("ipn:1.1"), echo.primary().destination());
                byte[] got = new byte[echo.payloadLength()];
                echo.payload().get(got);
                assertArrayEquals(payload, got, size + "-byte echo");
            }
            // The connection µD3TN opened also takes bundles from us: it runs a receiver on every one.
            byte[] payload = Bytes.pattern(500, 9);
            send(back, Ud3tnPeer.bundle("ipn:1.3", peer.echoEndpoint(), payload));
            Bundle echo = BundleCodec.decode(ctx.awaitReceived(T).data());
            assertEquals(EndpointId.parse("ipn:1.3"), echo.primary().destination());
            out.close();
            assertSame(out, ctx.awaitDown(T).link());
            assertTrue(peer.alive());
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
