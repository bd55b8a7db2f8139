package org.bpsockets.cla.tcpclv3.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.cla.common.testing.Bytes;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.FakeClaContext.Received;
import org.bpsockets.cla.common.testing.Outcome;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.node.api.cla.Link;
import org.bpsockets.node.api.cla.LinkState;
import org.bpsockets.node.api.cla.RefusalReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Tcpclv3LayerTest {
    static final Duration T = Duration.ofSeconds(20);

    final List<Tcpclv3Layer> layers = new ArrayList<>();
    final FakeClaContext ctxA = new FakeClaContext("ipn:1.0");
    final FakeClaContext ctxB = new FakeClaContext("ipn:2.0");

    Tcpclv3Layer layer(FakeClaContext ctx, Object... overrides) throws IOException {
        Object[] kv = new Object[overrides.length + 4];
        kv[0] = "listenPort";
        kv[1] = 0;
        kv[2] = "closeTimeoutSeconds";
        kv[3] = 2;
        System.arraycopy(overrides, 0, kv, 4, overrides.length);
        Tcpclv3Layer l = new Tcpclv3Layer(ctx, TestConfigs.of(Tcpclv3Config.class, kv));
        layers.add(l);
        return l;
    }

    static String at(Tcpclv3Layer l) {
        return "127.0.0.1:" + l.localPort();
    }

    @AfterEach
    void stop() {
        layers.forEach(l -> l.shutdown(5000));
    }

    static void send(Link link, byte[] data, FakeClaContext receiver) throws Exception {
        Outcome o = new Outcome();
        assertTrue(link.transmit(ByteBuffer.wrap(data), o));
        Received r = receiver.awaitReceived(T);
        assertArrayEquals(data, r.data(), "bundle of " + data.length + " bytes");
        assertEquals(Outcome.OK, o.await(T));
    }

    @Test
    void oneConnectionCarriesBundlesBothWays() throws Exception {
        Tcpclv3Layer a = layer(ctxA);
        Tcpclv3Layer b = layer(ctxB);
        Link out = b.connect(at(a), Map.of());
        assertSame(out, ctxB.awaitUp(T));
        Link in = ctxA.awaitUp(T);
        assertEquals(Optional.of(EndpointId.parse("ipn:1.0")), out.peerNodeId());
        assertEquals(Optional.of(EndpointId.parse("ipn:2.0")), in.peerNodeId());
        assertTrue(((Tcpclv3Session) out).acksNegotiated());
        assertTrue(((Tcpclv3Session) out).refusalsNegotiated());
        for (int size : new int[] {0, 1, 100, 70_000, 1 << 20, (5 << 20) + 1}) {
            send(out, Bytes.pattern(size, size), ctxA);
            send(in, Bytes.pattern(size, size + 7), ctxB);
        }
        assertEquals(0, a.problems().total() + b.problems().total());
    }

    @Test
    void twoConnectionsEachCarryTheirOpenersBundles() throws Exception {
        Tcpclv3Layer a = layer(ctxA);
        Tcpclv3Layer b = layer(ctxB);
        Link aToB = a.connect(at(b), Map.of());
        Link bToA = b.connect(at(a), Map.of());
        Set<Link> upA = new HashSet<>(List.of(ctxA.awaitUp(T), ctxA.awaitUp(T)));
        Set<Link> upB = new HashSet<>(List.of(ctxB.awaitUp(T), ctxB.awaitUp(T)));
        assertTrue(upA.contains(aToB));
        assertTrue(upB.contains(bToA));
        Outcome o1 = new Outcome();
        aToB.transmit(ByteBuffer.wrap(Bytes.hex("aa")), o1);
        Received atB = ctxB.awaitReceived(T);
        assertArrayEquals(Bytes.hex("aa"), atB.data());
        assertFalse(atB.link().outbound(), "arrived on B's inbound link from A");
        Outcome o2 = new Outcome();
        bToA.transmit(ByteBuffer.wrap(Bytes.hex("bb")), o2);
        Received atA = ctxA.awaitReceived(T);
        assertArrayEquals(Bytes.hex("bb"), atA.data());
        assertFalse(atA.link().outbound());
        assertEquals(Outcome.OK, o1.await(T));
        assertEquals(Outcome.OK, o2.await(T));
    }

    @Test
    void senderLearnsOfSuccessOnlyAfterAccept() throws Exception {
        ctxA.mode = FakeClaContext.Mode.HOLD;
        Tcpclv3Layer a = layer(ctxA);
        Link out = layer(ctxB).connect(at(a), Map.of());
        ctxB.awaitUp(T);
        Outcome o = new Outcome();
        out.transmit(ByteBuffer.wrap(Bytes.pattern(500, 1)), o);
        Received r = ctxA.awaitReceived(T);
        assertFalse(o.isDone());
        r.receipt().accepted();
        assertEquals(Outcome.OK, o.await(T));
    }

    @Test
    void ionLikePeerSplitsLargeBundlesAndGetsAcksInOrderAfterAccept() throws Exception {
        ctxA.mode = FakeClaContext.Mode.HOLD;
        Tcpclv3Layer a = layer(ctxA);
        try (RawPeer ion = new RawPeer(a.localPort()).likeIon("ipn:5.0")) {
            assertEquals(0x05, ion.layerFlags, "acks and refusals offered");
            assertEquals(15, ion.layerKeepalive);
            assertEquals("ipn:1.0", ion.layerEid);
            Link in = ctxA.awaitUp(T);
            assertEquals(Optional.of(EndpointId.parse("ipn:5.0")), in.peerNodeId());
            assertTrue(((Tcpclv3Session) in).acksNegotiated());
            assertFalse(((Tcpclv3Session) in).refusalsNegotiated(), "ION does not offer refusals");

            byte[] big = Bytes.pattern(150_000, 3);
            ion.segment(true, false, Arrays.copyOfRange(big, 0, 65_536));
            assertEquals(65_536, ion.readAck(), "intermediate segments are acked at once");
            ion.segment(false, false, Arrays.copyOfRange(big, 65_536, 131_072));
            assertEquals(131_072, ion.readAck());
            ion.segment(false, true, Arrays.copyOfRange(big, 131_072, big.length));
            Received r0 = ctxA.awaitReceived(T);
            assertArrayEquals(big, r0.data());
            ion.segment(true, true, Bytes.hex("0102"));
            Received r1 = ctxA.awaitReceived(T);
            r1.receipt().accepted();
            ion.socket.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, ion::u8, "nothing may be acked before the first verdict");
            ion.socket.setSoTimeout(10_000);
            r0.receipt().accepted();
            assertEquals(big.length, ion.readAck());
            assertEquals(2, ion.readAck());

            Outcome o = new Outcome();
            assertTrue(in.transmit(ByteBuffer.wrap(Bytes.pattern(100_000, 4)), o));
            assertArrayEquals(Bytes.pattern(100_000, 4), ion.readBundle(), "one segment, S and E set");
            assertFalse(o.isDone(), "not transmitted before the peer's ack");
            ion.ack(100_000);
            assertEquals(Outcome.OK, o.await(T));
        }
    }

    @Test
    void ud3tnLikePeerOnAConnectionWeOpenedCarriesBothWaysWithoutAcks() throws Exception {
        Tcpclv3Layer a = layer(ctxA, "listenEnabled", false);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Link out = a.connect("127.0.0.1:" + server.getLocalPort(), Map.of("peer", "ipn:7.0"));
            try (RawPeer ud3tn = new RawPeer(server.accept()).likeUd3tn("ipn:7.0")) {
                assertSame(out, ctxA.awaitUp(T));
                assertEquals(Optional.of(EndpointId.parse("ipn:7.0")), out.peerNodeId());
                assertFalse(((Tcpclv3Session) out).acksNegotiated());
                ud3tn.segment(true, true, Bytes.pattern(70_000, 1));
                assertArrayEquals(Bytes.pattern(70_000, 1), ctxA.awaitReceived(T).data());
                Outcome o = new Outcome();
                assertTrue(out.transmit(ByteBuffer.wrap(Bytes.pattern(200_000, 2)), o));
                assertArrayEquals(Bytes.pattern(200_000, 2), ud3tn.readBundle());
                assertEquals(Outcome.OK, o.await(T), "written is transmitted when no acks were agreed");
                out.close();
                assertEquals(0x50, ud3tn.u8(), "SHUTDOWN, and no ACK or KEEPALIVE before it");
                assertEquals(-1, ud3tn.in.read());
            }
            assertEquals("closed by the node", ctxA.awaitDown(T).reason());
        }
    }

    @Test
    void refusalsReachTheSenderWhenBothSidesAllowThem() throws Exception {
        ctxA.mode = FakeClaContext.Mode.REFUSE;
        ctxA.refuseWith = RefusalReason.NO_RESOURCES;
        Tcpclv3Layer a = layer(ctxA);
        Link out = layer(ctxB).connect(at(a), Map.of());
        ctxB.awaitUp(T);
        Outcome o = new Outcome();
        out.transmit(ByteBuffer.wrap(Bytes.pattern(10, 1)), o);
        assertEquals("refused by peer: resources exhausted", o.await(T));
        ctxA.refuseWith = RefusalReason.DUPLICATE;
        Outcome dup = new Outcome();
        out.transmit(ByteBuffer.wrap(Bytes.pattern(10, 2)), dup);
        assertEquals(Outcome.OK, dup.await(T), "'receiver has the complete bundle' counts as delivered");
        ctxA.mode = FakeClaContext.Mode.ACCEPT;
        ctxA.received.clear();
        send(out, Bytes.pattern(10, 3), ctxA);
    }

    @Test
    void refusalWithoutNegotiatedRefusalsIsAcked() throws Exception {
        ctxA.mode = FakeClaContext.Mode.REFUSE;
        Tcpclv3Layer a = layer(ctxA);
        try (RawPeer ion = new RawPeer(a.localPort()).likeIon("ipn:5.0")) {
            ion.segment(true, true, Bytes.hex("0102"));
            ctxA.awaitReceived(T);
            assertEquals(2, ion.readAck());
        }
    }

    @Test
    void closeWaitsForOutstandingAcksThenShutsDown() throws Exception {
        Tcpclv3Layer a = layer(ctxA);
        try (RawPeer ion = new RawPeer(a.localPort()).likeIon("ipn:5.0")) {
            Link in = ctxA.awaitUp(T);
            Outcome o = new Outcome();
            in.transmit(ByteBuffer.wrap(Bytes.hex("0a0b0c")), o);
            assertArrayEquals(Bytes.hex("0a0b0c"), ion.readBundle());
            in.close();
            assertFalse(in.transmit(ByteBuffer.wrap(Bytes.hex("01")), new Outcome()));
            ion.ack(3);
            assertEquals(Outcome.OK, o.await(T));
            assertEquals(0x50, ion.u8());
            assertEquals(-1, ion.in.read());
        }
        assertEquals("closed by the node", ctxA.awaitDown(T).reason());
    }

    /**
     * The node replacing its layer closes the session while the peer's bundle waits for its verdict:
     * our SHUTDOWN goes out first, the ack after it. The peer must still read that ack. It stopped
     * reading at the SHUTDOWN and failed the bundle, and its node sent again a bundle already accepted
     * here (the VM suite's TCPCLv3 flow saw it as a refused duplicate after every close).
     */
    @Test
    void aBundleInFlightWhenThePeerShutsDownIsCompletedByTheAckAfterTheShutdown() throws Exception {
        ctxA.mode = FakeClaContext.Mode.HOLD;
        Tcpclv3Layer a = layer(ctxA);
        Link out = layer(ctxB).connect(at(a), Map.of());
        ctxB.awaitUp(T);
        Link in = ctxA.awaitUp(T);
        Outcome o = new Outcome();
        assertTrue(out.transmit(ByteBuffer.wrap(Bytes.pattern(100, 9)), o));
        Received held = ctxA.awaitReceived(T);
        in.close();
        // A's SHUTDOWN leaves at once (nothing of A's is in flight); its ack only once accepted below.
        Thread.sleep(500);
        assertFalse(o.isDone(), "B's bundle is neither acknowledged nor failed yet: " + (o.isDone() ? o.await(T) : ""));
        held.receipt().accepted();
        assertEquals(Outcome.OK, o.await(T), "B's bundle is complete, not failed to be sent again");
        assertEquals(1, o.calls());
        assertEquals("closed by the node", ctxA.awaitDown(T).reason());
        assertEquals("the peer shut the connection down", ctxB.awaitDown(T).reason());
        assertTrue(ctxA.received.isEmpty(), "nothing else arrived");
    }

    @Test
    void peerShutdownTakesTheLinkDown() throws Exception {
        Tcpclv3Layer a = layer(ctxA);
        try (RawPeer peer = new RawPeer(a.localPort()).likeUd3tn("ipn:7.0")) {
            Link in = ctxA.awaitUp(T);
            peer.raw((byte) 0x52, (byte) 0x02);
            FakeClaContext.Down down = ctxA.awaitDown(T);
            assertSame(in, down.link());
            assertEquals("the peer shut the connection down (busy)", down.reason());
            assertEquals(LinkState.DOWN, in.state());
        }
    }

    @Test
    void silentPeerIsDroppedAfterTwiceTheKeepalive() throws Exception {
        Tcpclv3Layer a = layer(ctxA, "keepaliveSeconds", 1);
        try (RawPeer peer = new RawPeer(a.localPort()).contact(0x01, 1, "ipn:5.0")) {
            ctxA.awaitUp(T);
            long t0 = System.nanoTime();
            assertEquals(0x40, peer.u8(), "KEEPALIVE");
            byte[] rest = peer.readToEnd();
            double s = (System.nanoTime() - t0) / 1e9;
            assertArrayEquals(Bytes.hex("52 00"), Arrays.copyOfRange(rest, rest.length - 2, rest.length));
            assertTrue(s >= 1.5, "not before twice the keepalive: after " + s + " s");
        }
        assertTrue(ctxA.awaitDown(T).reason().startsWith("idle timeout"));
    }

    @Test
    void keepaliveZeroFromEitherSideMeansNone() throws Exception {
        Tcpclv3Layer a = layer(ctxA, "keepaliveSeconds", 1);
        try (RawPeer peer = new RawPeer(a.localPort()).likeUd3tn("ipn:7.0")) {
            ctxA.awaitUp(T);
            peer.socket.setSoTimeout(2500);
            assertThrows(SocketTimeoutException.class, peer::u8, "no KEEPALIVE and no idle SHUTDOWN");
            assertTrue(ctxA.down.isEmpty(), "down while the peer was merely quiet");
        }
    }

    @Test
    void queueFullRefusesTransmitUntilWritable() throws Exception {
        ctxA.mode = FakeClaContext.Mode.HOLD;
        Tcpclv3Layer a = layer(ctxA);
        Link out = layer(ctxB, "queueLimit", 3).connect(at(a), Map.of());
        ctxB.awaitUp(T);
        for (int i = 0; i < 3; i++) {
            assertTrue(out.transmit(ByteBuffer.wrap(Bytes.pattern(10, i)), new Outcome()));
        }
        assertFalse(out.transmit(ByteBuffer.wrap(new byte[1]), new Outcome()));
        for (int i = 0; i < 3; i++) {
            ctxA.awaitReceived(T).receipt().accepted();
        }
        assertSame(out, ctxB.awaitWritable(T));
        assertTrue(out.transmit(ByteBuffer.wrap(new byte[1]), new Outcome()));
    }

    @Test
    void nodeIdsOfAnnouncedEids() {
        assertEquals(EndpointId.parse("ipn:5.0"), Tcpclv3Session.nodeIdOf("ipn:5.0"));
        assertEquals(EndpointId.parse("ipn:5.0"), Tcpclv3Session.nodeIdOf("ipn:5.3"));
        assertEquals(EndpointId.parse("dtn://node/"), Tcpclv3Session.nodeIdOf("dtn://node/"));
        assertEquals(EndpointId.parse("dtn://node/"), Tcpclv3Session.nodeIdOf("dtn://node"));
        assertNull(Tcpclv3Session.nodeIdOf("garbage"));
        assertNull(Tcpclv3Session.nodeIdOf("dtn:none"));
    }
}
