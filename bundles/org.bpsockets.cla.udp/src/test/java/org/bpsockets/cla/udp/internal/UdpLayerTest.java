package org.bpsockets.cla.udp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.cla.common.testing.Bytes;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.Outcome;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.node.api.cla.Link;
import org.bpsockets.node.api.cla.LinkState;
import org.bpsockets.node.api.cla.TransmitCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UdpLayerTest {
    static final Duration T = Duration.ofSeconds(20);

    final List<UdpLayer> layers = new ArrayList<>();
    final FakeClaContext ctxA = new FakeClaContext("ipn:1.0");
    final FakeClaContext ctxB = new FakeClaContext("ipn:2.0");

    UdpLayer layer(FakeClaContext ctx, Object... overrides) throws IOException {
        Object[] kv = new Object[overrides.length + 2];
        kv[0] = "listenPort";
        kv[1] = 0;
        System.arraycopy(overrides, 0, kv, 2, overrides.length);
        UdpLayer l = new UdpLayer(ctx, TestConfigs.of(UdpConfig.class, kv));
        layers.add(l);
        return l;
    }

    @AfterEach
    void stop() {
        layers.forEach(UdpLayer::shutdown);
    }

    /** Something a BPv7 decoder would at least start on: a CBOR indefinite array head, then filler. */
    static byte[] bundle(int size, int seed) {
        byte[] b = Bytes.pattern(size, seed);
        b[0] = (byte) 0x9f;
        return b;
    }

    @Test
    void bundlesFlowBothWaysUpToTheDatagramLimit() throws Exception {
        UdpLayer a = layer(ctxA);
        UdpLayer b = layer(ctxB);
        Link out = b.connect("127.0.0.1:" + a.localPort(), Map.of("peer", "ipn:1.0"));
        assertSame(out, ctxB.awaitUp(T));
        assertEquals(Optional.of(EndpointId.parse("ipn:1.0")), out.peerNodeId());
        assertEquals(65_507, out.maxBundleSize());
        Link in = null;
        for (int size : new int[] {1, 100, 1400, 9000, 65_507}) {
            byte[] data = bundle(size, size);
            Outcome o = new Outcome();
            assertTrue(out.transmit(ByteBuffer.wrap(data), o));
            assertEquals(Outcome.OK, o.await(T));
            FakeClaContext.Received r = ctxA.awaitReceived(T);
            assertArrayEquals(data, r.data(), size + " bytes");
            if (in == null) {
                in = ctxA.awaitUp(T);
                assertFalse(in.outbound());
                assertEquals(Optional.empty(), in.peerNodeId());
                assertEquals("127.0.0.1:" + b.localPort(), in.remoteAddress());
            }
            assertSame(in, r.link());
            byte[] back = bundle(size, size + 1);
            Outcome ob = new Outcome();
            assertTrue(in.transmit(ByteBuffer.wrap(back), ob));
            assertEquals(Outcome.OK, ob.await(T));
            FakeClaContext.Received rb = ctxB.awaitReceived(T);
            assertArrayEquals(back, rb.data());
            assertSame(out, rb.link(), "the reply is attributed to the outbound link");
        }
        assertEquals(1, a.links().size());
    }

    @Test
    void bundleAboveTheDatagramLimitFailsAtTransmit() throws Exception {
        UdpLayer a = layer(ctxA);
        Link out = layer(ctxB, "maxDatagramSize", 1000).connect("127.0.0.1:" + a.localPort(), Map.of());
        ctxB.awaitUp(T);
        assertEquals(1000, out.maxBundleSize());
        Outcome o = new Outcome();
        assertTrue(out.transmit(ByteBuffer.wrap(bundle(1001, 1)), o));
        assertEquals("bundle of 1001 bytes exceeds the datagram size of 1000", o.await(T));
        Outcome ok = new Outcome();
        out.transmit(ByteBuffer.wrap(bundle(1000, 2)), ok);
        assertEquals(Outcome.OK, ok.await(T));
        assertArrayEquals(bundle(1000, 2), ctxA.awaitReceived(T).data());
    }

    @Test
    void queueFullRefusesTransmitUntilWritable() throws Exception {
        UdpLayer a = layer(ctxA);
        Link out = layer(ctxB, "queueLimit", 2).connect("127.0.0.1:" + a.localPort(), Map.of());
        ctxB.awaitUp(T);
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Callbacks run on the sender thread: holding this one stops the sender, so the queue fills.
        TransmitCallback blocking = new TransmitCallback() {
            @Override
            public void transmitted() {
                inCallback.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void failed(String reason) {
                inCallback.countDown();
            }
        };
        assertTrue(out.transmit(ByteBuffer.wrap(bundle(10, 0)), blocking));
        assertTrue(inCallback.await(20, TimeUnit.SECONDS));
        Outcome o1 = new Outcome();
        Outcome o2 = new Outcome();
        assertTrue(out.transmit(ByteBuffer.wrap(bundle(10, 1)), o1));
        assertTrue(out.transmit(ByteBuffer.wrap(bundle(10, 2)), o2));
        assertFalse(out.transmit(ByteBuffer.wrap(bundle(10, 3)), new Outcome()));
        assertTrue(ctxB.writable.isEmpty());
        release.countDown();
        assertSame(out, ctxB.awaitWritable(T));
        assertEquals(Outcome.OK, o1.await(T));
        assertEquals(Outcome.OK, o2.await(T));
    }

    @Test
    void garbageDatagramsAreDroppedAndCounted() throws Exception {
        UdpLayer a = layer(ctxA);
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), a.localPort());
        try (DatagramSocket raw = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            raw.send(new DatagramPacket(new byte[0], 0, target));
            raw.send(new DatagramPacket(Bytes.hex("00010203"), 4, target));
            raw.send(new DatagramPacket(Bytes.hex("47455420"), 4, target));
            raw.send(new DatagramPacket(Bytes.hex("9f01ff"), 3, target));
            assertArrayEquals(Bytes.hex("9f01ff"), ctxA.awaitReceived(T).data(), "datagrams on one socket arrive in order");
        }
        assertEquals(3, a.problems().count("malformed"));
        assertEquals(1, a.links().size(), "garbage made no link");
    }

    @Test
    void datagramsAboveTheNodesLimitAreDropped() throws Exception {
        ctxA.maxBundleSize(100);
        UdpLayer a = layer(ctxA);
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), a.localPort());
        try (DatagramSocket raw = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            raw.send(new DatagramPacket(bundle(101, 1), 101, target));
            raw.send(new DatagramPacket(bundle(100, 2), 100, target));
            assertArrayEquals(bundle(100, 2), ctxA.awaitReceived(T).data());
        }
        assertEquals(1, a.problems().count("oversize"));
    }

    @Test
    void withoutListenerOnlyPeersOfOutboundLinksAreHeard() throws Exception {
        UdpLayer a = layer(ctxA, "listenEnabled", false);
        UdpLayer b = layer(ctxB);
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), a.localPort());
        try (DatagramSocket stranger = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            stranger.send(new DatagramPacket(bundle(5, 1), 5, target));
        }
        Link out = a.connect("127.0.0.1:" + b.localPort(), Map.of());
        ctxA.awaitUp(T);
        out.transmit(ByteBuffer.wrap(bundle(20, 2)), new Outcome());
        ctxB.awaitReceived(T);
        Link bIn = ctxB.awaitUp(T);
        bIn.transmit(ByteBuffer.wrap(bundle(30, 3)), new Outcome());
        FakeClaContext.Received r = ctxA.awaitReceived(T);
        assertArrayEquals(bundle(30, 3), r.data(), "the stranger's datagram was dropped, the peer's arrived");
        assertSame(out, r.link());
        assertEquals(1, a.problems().count("unknown-peer"));
    }

    @Test
    void quietInboundLinksGoDownOutboundOnesStay() throws Exception {
        UdpLayer a = layer(ctxA, "idleTimeoutSeconds", 1);
        UdpLayer b = layer(ctxB, "idleTimeoutSeconds", 1);
        Link out = b.connect("127.0.0.1:" + a.localPort(), Map.of());
        ctxB.awaitUp(T);
        out.transmit(ByteBuffer.wrap(bundle(10, 1)), new Outcome());
        Link in = ctxA.awaitUp(T);
        FakeClaContext.Down down = ctxA.awaitDown(T);
        assertSame(in, down.link());
        assertEquals("idle timeout: nothing received for 1 s", down.reason());
        assertEquals(LinkState.UP, out.state());
        out.close();
        assertEquals("closed by the node", ctxB.awaitDown(T).reason());
        assertFalse(out.transmit(ByteBuffer.wrap(bundle(10, 2)), new Outcome()));
    }

    @Test
    void receiptsHeldByTheNodeLimitWhatIsDeliveredNext() throws Exception {
        ctxA.mode = FakeClaContext.Mode.HOLD;
        UdpLayer a = layer(ctxA, "queueLimit", 2);
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), a.localPort());
        try (DatagramSocket raw = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                DatagramSocket marker = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 3; i++) {
                raw.send(new DatagramPacket(bundle(10, i), 10, target));
            }
            FakeClaContext.Received r0 = ctxA.awaitReceived(T);
            ctxA.awaitReceived(T);
            ctxA.awaitUp(T);
            // Loopback queues datagrams in send order: once the marker's link is up, the third was seen.
            marker.send(new DatagramPacket(bundle(10, 5), 10, target));
            Link markerLink = ctxA.awaitUp(T);
            assertEquals("127.0.0.1:" + marker.getLocalPort(), markerLink.remoteAddress());
            ctxA.awaitReceived(T);
            r0.receipt().accepted();
            raw.send(new DatagramPacket(bundle(10, 9), 10, target));
            assertArrayEquals(bundle(10, 9), ctxA.awaitReceived(T).data());
        }
        assertEquals(1, a.problems().count("receive-queue-full"));
    }

    @Test
    void parametersAndAddressesAreChecked() throws Exception {
        UdpLayer a = layer(ctxA);
        assertThrows(IOException.class, () -> a.connect("127.0.0.1:1", Map.of("keepalive", "3")));
        assertThrows(IOException.class, () -> a.connect("localhost", Map.of()));
        Link bad = a.connect("no-such-host.invalid:4556", Map.of());
        FakeClaContext.Down down = ctxA.awaitDown(T);
        assertSame(bad, down.link());
        assertTrue(down.reason().startsWith("could not resolve"), down.reason());
    }
}
