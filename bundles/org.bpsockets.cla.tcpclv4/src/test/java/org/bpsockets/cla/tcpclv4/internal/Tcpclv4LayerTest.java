package org.bpsockets.cla.tcpclv4.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

class Tcpclv4LayerTest {
    static final Duration T = Duration.ofSeconds(20);

    final List<Tcpclv4Layer> layers = new ArrayList<>();
    final FakeClaContext ctxA = new FakeClaContext("ipn:1.0");
    final FakeClaContext ctxB = new FakeClaContext("ipn:2.0");

    Tcpclv4Layer layer(FakeClaContext ctx, Object... overrides) throws IOException {
        Object[] kv = new Object[overrides.length + 4];
        kv[0] = "listenPort";
        kv[1] = 0;
        kv[2] = "closeTimeoutSeconds";
        kv[3] = 2;
        System.arraycopy(overrides, 0, kv, 4, overrides.length);
        Tcpclv4Layer l = new Tcpclv4Layer(ctx, TestConfigs.of(Tcpclv4Config.class, kv));
        layers.add(l);
        return l;
    }

    static String at(Tcpclv4Layer l) {
        return "127.0.0.1:" + l.localPort();
    }

    @AfterEach
    void stop() {
        layers.forEach(l -> l.shutdown(5000));
    }

    /** B connects to A; returns {B's outbound link, A's inbound link}. */
    Link[] connect(Tcpclv4Layer a, Tcpclv4Layer b) throws Exception {
        Link out = b.connect(at(a), Map.of());
        assertEquals(LinkState.CONNECTING, out.state());
        assertSame(out, ctxB.awaitUp(T));
        Link in = ctxA.awaitUp(T);
        return new Link[] {out, in};
    }

    static void send(Link link, byte[] data, FakeClaContext receiver) throws Exception {
        Outcome o = new Outcome();
        assertTrue(link.transmit(ByteBuffer.wrap(data), o));
        Received r = receiver.awaitReceived(T);
        assertArrayEquals(data, r.data(), "bundle of " + data.length + " bytes");
        assertEquals(Outcome.OK, o.await(T));
        assertEquals(1, o.calls());
    }

    @Test
    void bundlesOfEverySizeFlowBothWaysOnOneSession() throws Exception {
        Tcpclv4Layer a = layer(ctxA);
        Tcpclv4Layer b = layer(ctxB);
        Link[] links = connect(a, b);
        assertEquals(Optional.of(EndpointId.parse("ipn:1.0")), links[0].peerNodeId());
        assertEquals(Optional.of(EndpointId.parse("ipn:2.0")), links[1].peerNodeId());
        assertTrue(links[0].outbound());
        assertFalse(links[1].outbound());
        assertEquals("tcpclv4", links[0].convergenceLayer());
        assertEquals(64L << 20, links[0].maxBundleSize());
        int[] sizes = {0, 1, 100, 65_537, 1 << 20, (5 << 20) + 3, 10 << 20};
        for (int size : sizes) {
            send(links[0], Bytes.pattern(size, size), ctxA);
            send(links[1], Bytes.pattern(size, size + 1), ctxB);
        }
        assertEquals(0, a.problems().total());
        assertEquals(0, b.problems().total());
    }

    @Test
    void manySmallSegmentsAndPipelinedTransfersArriveInOrder() throws Exception {
        Tcpclv4Layer a = layer(ctxA, "segmentMru", 1000L);
        Tcpclv4Layer b = layer(ctxB, "segmentMru", 1000L);
        Link out = connect(a, b)[0];
        List<byte[]> sent = new ArrayList<>();
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            byte[] data = Bytes.pattern(i * 37 % 5000, i);
            Outcome o = new Outcome();
            assertTrue(out.transmit(ByteBuffer.wrap(data), o));
            sent.add(data);
            outcomes.add(o);
        }
        for (byte[] data : sent) {
            assertArrayEquals(data, ctxA.awaitReceived(T).data());
        }
        for (Outcome o : outcomes) {
            assertEquals(Outcome.OK, o.await(T));
        }
    }

    @Test
    void transmitDoesNotChangeTheCallersBuffer() throws Exception {
        Tcpclv4Layer a = layer(ctxA);
        Link out = connect(a, layer(ctxB))[0];
        ByteBuffer direct = ByteBuffer.allocateDirect(300);
        direct.put(Bytes.pattern(300, 5)).position(10).limit(250);
        Outcome o = new Outcome();
        assertTrue(out.transmit(direct, o));
        byte[] expected = new byte[240];
        System.arraycopy(Bytes.pattern(300, 5), 10, expected, 0, 240);
        assertArrayEquals(expected, ctxA.awaitReceived(T).data());
        assertEquals(Outcome.OK, o.await(T));
        assertEquals(10, direct.position());
        assertEquals(250, direct.limit());
    }

    @Test
    void senderLearnsOfSuccessOnlyAfterTheReceivingNodeAccepts() throws Exception {
        ctxA.mode = FakeClaContext.Mode.HOLD;
        Tcpclv4Layer a = layer(ctxA);
        Link out = connect(a, layer(ctxB))[0];
        Outcome o = new Outcome();
        assertTrue(out.transmit(ByteBuffer.wrap(Bytes.pattern(1000, 1)), o));
        Received r = ctxA.awaitReceived(T);
        assertFalse(o.isDone(), "acknowledged before the node accepted");
        r.receipt().accepted();
        assertEquals(Outcome.OK, o.await(T));
        assertTrue(o.thread().startsWith("bp-tcpclv4-"), "callback on a layer thread: " + o.thread());
    }

    @Test
    void finalAckLeavesOnlyOnAcceptAndInArrivalOrder() throws Exception {
        ctxA.mode = FakeClaContext.Mode.HOLD;
        Tcpclv4Layer a = layer(ctxA);
        try (RawPeer peer = new RawPeer(a.localPort()).handshake(0, "ipn:9.0")) {
            peer.segment(0x03, 0, new byte[0], Bytes.hex("0102030405"));
            Received r0 = ctxA.awaitReceived(T);
            peer.segment(0x03, 1, new byte[0], Bytes.hex("06"));
            Received r1 = ctxA.awaitReceived(T);
            r1.receipt().accepted();
            // A segment of an unknown transfer is answered at once: if any ack had been queued, it
            // would come first.
            peer.segment(0x01, 77, new byte[0], Bytes.hex("00"));
            assertEquals(0x06, peer.u8(), "MSG_REJECT before any XFER_ACK");
            assertEquals(0x03, peer.u8());
            assertEquals(0x01, peer.u8());
            r0.receipt().accepted();
            assertEquals(0x02, peer.u8());
            assertEquals(0x03, peer.u8());
            assertEquals(0, peer.u64());
            assertEquals(5, peer.u64());
            assertEquals(0x02, peer.u8());
            assertEquals(0x03, peer.u8());
            assertEquals(1, peer.u64());
            assertEquals(1, peer.u64());
        }
    }

    @Test
    void multiSegmentTransfersAreAckedPerSegmentAndFinallyOnAccept() throws Exception {
        ctxA.mode = FakeClaContext.Mode.HOLD;
        Tcpclv4Layer a = layer(ctxA);
        try (RawPeer peer = new RawPeer(a.localPort()).handshake(0, "ipn:9.0")) {
            byte[] ext = Bytes.hex("00 0001 0008 0000000000000006");
            peer.segment(0x02, 5, ext, Bytes.hex("0102"));
            assertArrayEquals(Bytes.hex("02 02 0000000000000005 0000000000000002"), peer.in.readNBytes(18));
            peer.segment(0x00, 5, null, Bytes.hex("0304"));
            assertArrayEquals(Bytes.hex("02 00 0000000000000005 0000000000000004"), peer.in.readNBytes(18));
            peer.segment(0x01, 5, null, Bytes.hex("0506"));
            Received r = ctxA.awaitReceived(T);
            assertArrayEquals(Bytes.hex("010203040506"), r.data());
            r.receipt().accepted();
            assertArrayEquals(Bytes.hex("02 01 0000000000000005 0000000000000006"), peer.in.readNBytes(18));
        }
    }

    @Test
    void refusalsReachTheSenderAsFailures() throws Exception {
        ctxA.mode = FakeClaContext.Mode.REFUSE;
        ctxA.refuseWith = RefusalReason.NO_RESOURCES;
        Tcpclv4Layer a = layer(ctxA);
        Link out = connect(a, layer(ctxB))[0];
        Outcome o = new Outcome();
        assertTrue(out.transmit(ByteBuffer.wrap(Bytes.pattern(10, 1)), o));
        assertEquals("refused by peer: no resources", o.await(T));
        ctxA.refuseWith = RefusalReason.MALFORMED;
        Outcome o2 = new Outcome();
        assertTrue(out.transmit(ByteBuffer.wrap(Bytes.pattern(10, 2)), o2));
        assertEquals("refused by peer: not acceptable", o2.await(T));
        // "Completed": the peer already has it, so the sender may count it as delivered.
        ctxA.refuseWith = RefusalReason.DUPLICATE;
        Outcome o3 = new Outcome();
        assertTrue(out.transmit(ByteBuffer.wrap(Bytes.pattern(10, 3)), o3));
        assertEquals(Outcome.OK, o3.await(T));
        assertEquals(LinkState.UP, out.state());
    }

    @Test
    void bundleAboveThePeersTransferMruFailsAtTransmit() throws Exception {
        Tcpclv4Layer a = layer(ctxA, "transferMru", 1000L);
        Link out = connect(a, layer(ctxB))[0];
        assertEquals(1000, out.maxBundleSize());
        Outcome o = new Outcome();
        assertTrue(out.transmit(ByteBuffer.wrap(new byte[1001]), o));
        assertTrue(o.await(T).contains("exceeds the link's limit of 1000"), o.await(T));
        send(out, new byte[1000], ctxA);
    }

    @Test
    void closeEndsBothSidesGracefullyAndReportsDown() throws Exception {
        Tcpclv4Layer a = layer(ctxA);
        Link[] links = connect(a, layer(ctxB));
        send(links[0], Bytes.pattern(50, 1), ctxA);
        links[0].close();
        FakeClaContext.Down downB = ctxB.awaitDown(T);
        FakeClaContext.Down downA = ctxA.awaitDown(T);
        assertSame(links[0], downB.link());
        assertSame(links[1], downA.link());
        assertEquals("closed by the node", downB.reason());
        assertEquals("the peer ended the session (unknown)", downA.reason());
        assertEquals(LinkState.DOWN, links[0].state());
        assertFalse(links[0].transmit(ByteBuffer.allocate(1), new Outcome()));
        links[0].close();
        assertEquals(0, a.problems().total(), a.problems().snapshot().toString());
    }

    @Test
    void rawPeerSeesSessTermAndReplyExchange() throws Exception {
        Tcpclv4Layer a = layer(ctxA);
        try (RawPeer peer = new RawPeer(a.localPort()).handshake(0, "ipn:9.0")) {
            Link in = ctxA.awaitUp(T);
            assertEquals(Optional.of(EndpointId.parse("ipn:9.0")), in.peerNodeId());
            in.close();
            assertArrayEquals(Bytes.hex("05 00 00"), peer.in.readNBytes(3));
            peer.raw(Bytes.hex("05 01 00"));
            assertTrue(peer.closedByPeer(), "the layer closes (FIN) once the reply is in");
        }
        assertEquals("closed by the node", ctxA.awaitDown(T).reason());
    }

    @Test
    void expectedPeerNodeIdIsEnforced() throws Exception {
        Tcpclv4Layer a = layer(ctxA);
        Link out = layer(ctxB).connect(at(a), Map.of("peer", "ipn:3.0"));
        FakeClaContext.Down down = ctxB.awaitDown(T);
        assertSame(out, down.link());
        assertTrue(down.reason().contains("expected ipn:3.0"), down.reason());
        assertTrue(ctxB.up.isEmpty(), "never reported up");
        assertThrows(IOException.class, () -> layer(ctxB).connect(at(a), Map.of("colour", "blue")));
        assertThrows(IOException.class, () -> layer(ctxB).connect("nowhere", Map.of()));
    }

    @Test
    void connectionRefusedGoesDownWithoutComingUp() throws Exception {
        Tcpclv4Layer a = layer(ctxA);
        int port = a.localPort();
        a.shutdown(1000);
        Link out = layer(ctxB).connect("127.0.0.1:" + port, Map.of());
        FakeClaContext.Down down = ctxB.awaitDown(T);
        assertSame(out, down.link());
        assertTrue(down.reason().startsWith("could not connect"), down.reason());
    }

    @Test
    void silentPeerIsDroppedAfterTwiceTheKeepalive() throws Exception {
        Tcpclv4Layer a = layer(ctxA, "keepaliveSeconds", 1);
        try (RawPeer peer = new RawPeer(a.localPort()).handshake(5, "ipn:9.0")) {
            ctxA.awaitUp(T);
            long t0 = System.nanoTime();
            assertEquals(0x04, peer.u8(), "the layer keeps the session alive");
            byte[] rest = peer.readToEnd();
            double seconds = (System.nanoTime() - t0) / 1e9;
            int n = rest.length;
            assertTrue(n >= 3, "got " + n + " bytes");
            assertArrayEquals(Bytes.hex("05 00 01"), java.util.Arrays.copyOfRange(rest, n - 3, n), "SESS_TERM idle");
            assertTrue(seconds >= 1.5, "not before twice the keepalive: dropped after " + seconds + " s");
            assertTrue(ctxA.awaitDown(T).reason().startsWith("idle timeout"));
            assertEquals(1, a.problems().count("idle-timeout"));
        }
    }

    @Test
    void keepalivesKeepAQuietSessionUp() throws Exception {
        Tcpclv4Layer a = layer(ctxA, "keepaliveSeconds", 1);
        Tcpclv4Layer b = layer(ctxB, "keepaliveSeconds", 1);
        Link[] links = connect(a, b);
        // Idle for more than twice the keepalive: only KEEPALIVEs flow, and the session must survive them.
        assertTrue(ctxA.down.poll(3500, java.util.concurrent.TimeUnit.MILLISECONDS) == null, "session dropped");
        send(links[0], Bytes.pattern(10, 9), ctxA);
        assertEquals(0, a.problems().count("idle-timeout"));
    }

    @Test
    void aQuietSessionSurvivesALinkLongerThanItsKeepalive() throws Exception {
        // One-way delay 1.5 s, keepalive 1 s (idle timeout 2 s). Each side sends a KEEPALIVE every second,
        // so once they flow one arrives every second. But A (passive) is up when B's SESS_INIT arrives, and
        // B is up, and sends its first message, only when A's SESS_INIT reaches it: that message arrives a
        // round trip (3 s) after A came up. A dropped the session for idleness before it (issue 16's long
        // delay): the first message after the handshake is given the handshake's time too.
        Tcpclv4Layer a = layer(ctxA, "keepaliveSeconds", 1);
        Tcpclv4Layer b = layer(ctxB, "keepaliveSeconds", 1);
        try (DelayLink link = new DelayLink(a.localPort(), 1500)) {
            Link out = b.connect("127.0.0.1:" + link.port(), Map.of());
            assertSame(out, ctxB.awaitUp(T));
            ctxA.awaitUp(T);
            FakeClaContext.Down down = ctxA.down.poll(6, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(down == null, () -> "A dropped the session: " + down.reason());
            assertTrue(ctxB.down.isEmpty(), () -> "B dropped the session: " + ctxB.down.peek().reason());
            send(out, Bytes.pattern(100, 3), ctxA);
            assertEquals(0, a.problems().count("idle-timeout"));
            assertEquals(0, b.problems().count("idle-timeout"));
        }
    }

    @Test
    void queueFullRefusesTransmitUntilWritable() throws Exception {
        ctxA.mode = FakeClaContext.Mode.HOLD;
        Tcpclv4Layer a = layer(ctxA);
        Link out = connect(a, layer(ctxB, "queueLimit", 4))[0];
        List<Outcome> os = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Outcome o = new Outcome();
            assertTrue(out.transmit(ByteBuffer.wrap(Bytes.pattern(10, i)), o), "transmit " + i);
            os.add(o);
        }
        assertFalse(out.transmit(ByteBuffer.wrap(new byte[1]), new Outcome()), "fifth transmit beyond the limit");
        assertTrue(ctxB.writable.isEmpty());
        List<Received> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(ctxA.awaitReceived(T));
        }
        held.forEach(r -> r.receipt().accepted());
        assertSame(out, ctxB.awaitWritable(T));
        for (Outcome o : os) {
            assertEquals(Outcome.OK, o.await(T));
        }
        Outcome o = new Outcome();
        assertTrue(out.transmit(ByteBuffer.wrap(new byte[1]), o));
        ctxA.awaitReceived(T).receipt().accepted();
        assertEquals(Outcome.OK, o.await(T));
    }

    @Test
    void closingFailsQueuedTransmits() throws Exception {
        ctxA.mode = FakeClaContext.Mode.HOLD;
        Tcpclv4Layer a = layer(ctxA);
        Link out = connect(a, layer(ctxB))[0];
        Outcome o = new Outcome();
        assertTrue(out.transmit(ByteBuffer.wrap(new byte[10]), o));
        ctxA.awaitReceived(T);
        out.close();
        assertTrue(o.await(T).startsWith("link down"), o.await(T));
        ctxB.awaitDown(T);
    }

    @Test
    void receivingPausesWhileTheNodeHoldsTooMuch() throws Exception {
        ctxA.mode = FakeClaContext.Mode.HOLD;
        Tcpclv4Layer a = layer(ctxA, "queueLimit", 3);
        Link out = connect(a, layer(ctxB))[0];
        for (int i = 0; i < 6; i++) {
            assertTrue(out.transmit(ByteBuffer.wrap(Bytes.pattern(10, i)), new Outcome()));
        }
        List<Received> held = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            held.add(ctxA.awaitReceived(T));
        }
        assertTrue(ctxA.received.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS) == null,
                "a fourth bundle was delivered while three were held");
        held.get(0).receipt().accepted();
        assertArrayEquals(Bytes.pattern(10, 3), ctxA.awaitReceived(T).data());
    }

    @Test
    void configurationIsChecked() {
        assertThrows(IOException.class, () -> layer(ctxA, "tlsRequired", true));
        assertThrows(IOException.class, () -> layer(ctxA, "tlsEnabled", true));
        assertEquals(-1, assertDoesNotThrowLayer(), "no listener when disabled");
    }

    @Test
    void aListenerThatCannotOpenLeavesTheLayerForOutboundLinksAndSaysWhy() throws Exception {
        Tcpclv4Layer first = layer(ctxA);
        Tcpclv4Layer second = layer(ctxB, "listenPort", first.localPort());
        assertEquals(-1, second.localPort());
        assertTrue(second.problem().orElseThrow().startsWith("cannot listen on 127.0.0.1:" + first.localPort()),
                second.problem().toString());
        Link out = second.connect(at(first), Map.of());
        assertSame(out, ctxB.awaitUp(T), "outbound links still work");
        Tcpclv4Layer blank = layer(ctxA, "listenAddress", "");
        assertTrue(blank.problem().orElseThrow().contains("no listener address"), blank.problem().toString());
        assertTrue(first.problem().isEmpty());
    }

    private int assertDoesNotThrowLayer() {
        try {
            return layer(ctxA, "listenEnabled", false).localPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
