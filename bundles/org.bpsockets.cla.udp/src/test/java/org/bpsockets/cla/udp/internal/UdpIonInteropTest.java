package org.bpsockets.cla.udp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.Bundle;
import org.bpsockets.cla.common.testing.Bytes;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.IonPeer;
import org.bpsockets.cla.common.testing.Outcome;
import org.bpsockets.cla.common.testing.TestBundles;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.node.api.cla.Link;
import org.junit.jupiter.api.Test;

/**
 * Against a real ION node (BPSOCKETS_ION_PREFIX), over its UDP convergence layer (one bundle per
 * datagram): an echo from bpecho. µD3TN has no UDP layer, so ION is the only peer here.
 */
class UdpIonInteropTest {
    static final Duration T = Duration.ofSeconds(60);

    @Test
    void echoThroughIon() throws Exception {
        assumeTrue(IonPeer.prefix() != null, IonPeer.skipMessage());
        FakeClaContext ctx = new FakeClaContext("ipn:1.0");
        UdpLayer layer = new UdpLayer(ctx, TestConfigs.of(UdpConfig.class, "listenPort", 0));
        IonPeer ion = IonPeer.start("udp", layer.localPort());
        try {
            Link out = layer.connect("127.0.0.1:" + ion.inductPort, Map.of("peer", "ipn:2.0"));
            assertSame(out, ctx.awaitUp(T));
            for (int size : new int[] {10, 1000}) {
                byte[] payload = Bytes.pattern(size, size);
                Outcome o = new Outcome();
                assertTrue(out.transmit(ByteBuffer.wrap(TestBundles.bundle("ipn:1.1", "ipn:2.1", payload)), o));
                assertEquals(Outcome.OK, o.await(T));
                Bundle echo = TestBundles.decode(ctx.awaitReceived(T).data());
                assertEquals(EndpointId.parse("ipn:1.1"), echo.primary().destination());
                assertArrayEquals(payload, TestBundles.payload(echo));
            }
            assertEquals(0, layer.problems().total(), layer.problems().snapshot().toString());
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n" + ion.log(), e);
        } finally {
            layer.shutdown();
            ion.close();
        }
    }
}
