package org.bpsockets.cla.mtcp.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.cla.common.testing.Bytes;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.FakeClaContext.Received;
import org.bpsockets.cla.common.testing.Outcome;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.node.api.cla.Link;
import org.bpsockets.node.api.cla.LinkState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MtcpLayerTest {
    static final Duration T = Duration.ofSeconds(20);

    final List<MtcpLayer> layers = new ArrayList<>();
    final FakeClaContext ctxA = new FakeClaContext("ipn:1.0");
    final FakeClaContext ctxB = new FakeClaContext("ipn:2.0");

    MtcpLayer layer(FakeClaContext ctx, Object... overrides) throws IOException {
        Object[] kv = new Object[overrides.length + 2];
        kv[0] = "listenPort";
        kv[1] = 0;
        System.arraycopy(overrides, 0, kv, 2, overrides.length);
        MtcpLayer l = new MtcpLayer(ctx, TestConfigs.of(MtcpConfig.class, kv));
        layers.add(l);
        return l;
    }

    @AfterEach
    void stop() {
        layers.forEach(l -> l.shutdown(5000));
    }

    Socket raw(MtcpLayer l) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), l.localPort());
        s.setSoTimeout(10_000);
        return s;
    }

    @Test
    void bundlesFlowBothWaysOnOneConnection() throws Exception {
        MtcpLayer a = layer(ctxA);
        MtcpLayer b = layer(ctxB);
        Link out = b.connect("127.0.0.1:" + a.localPort(), Map.of("peer", "ipn:1.0"));
        assertSame(out, ctxB.awaitUp(T));
        Link in = ctxA.awaitUp(T);
        assertEquals(Optional.of(EndpointId.parse("ipn:1.0")), out.peerNodeId());
        assertEquals(Optional.empty(), in.peerNodeId(), "MTCP never says who is calling");
        for (int size : new int[] {0, 1, 23, 24, 255, 256, 65_535, 65_536, 1 << 20, (5 << 20) + 5}) {
            byte[] data = Bytes.pattern(size, size);
            Outcome o = new Outcome();
            assertTrue(out.transmit(ByteBuffer.wrap(data), o));
            assertArrayEquals(data, ctxA.awaitReceived(T).data(), size + " bytes");
            assertEquals(Outcome.OK, o.await(T));
            Outcome back = new Outcome();
            assertTrue(in.transmit(ByteBuffer.wrap(data), back));
            assertArrayEquals(data, ctxB.awaitReceived(T).data());
            assertEquals(Outcome.OK, back.await(T));
        }
        out.close();
        assertEquals("closed by the node", ctxB.awaitDown(T).reason());
        assertEquals("the peer closed the connection", ctxA.awaitDown(T).reason());
        assertEquals(LinkState.DOWN, in.state());
    }

    @Test
    void framingIsACborByteStringHead() throws Exception {
        MtcpLayer a = layer(ctxA, "listenEnabled", false);
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Link out = a.connect("127.0.0.1:" + server.getLocalPort(), Map.of());
            try (Socket s = server.accept()) {
                ctxA.awaitUp(T);
                out.transmit(ByteBuffer.wrap(Bytes.hex("aabbcc")), new Outcome());
                out.transmit(ByteBuffer.wrap(new byte[300]), new Outcome());
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] first = new byte[4];
                in.readFully(first);
                assertArrayEquals(Bytes.hex("43 aabbcc"), first);
                assertArrayEquals(Bytes.hex("59 012c"), in.readNBytes(3));
            }
        }
    }

    @Test
    void nonMinimalHeadsAsDtn7WritesThemAreAccepted() throws Exception {
        MtcpLayer a = layer(ctxA);
        try (Socket s = raw(a)) {
            OutputStream o = s.getOutputStream();
            o.write(Bytes.hex("58 03 010203  59 0002 0405  5a 00000001 06  5b 0000000000000000"));
            o.flush();
            assertArrayEquals(Bytes.hex("010203"), ctxA.awaitReceived(T).data());
            assertArrayEquals(Bytes.hex("0405"), ctxA.awaitReceived(T).data());
            assertArrayEquals(Bytes.hex("06"), ctxA.awaitReceived(T).data());
            assertArrayEquals(new byte[0], ctxA.awaitReceived(T).data());
        }
    }

    @Test
    void transmittedMeansWrittenNotAcceptedByTheNode() throws Exception {
        ctxA.mode = FakeClaContext.Mode.HOLD;
        MtcpLayer a = layer(ctxA);
        Link out = layer(ctxB).connect("127.0.0.1:" + a.localPort(), Map.of());
        ctxB.awaitUp(T);
        Outcome o = new Outcome();
        out.transmit(ByteBuffer.wrap(Bytes.pattern(100, 1)), o);
        assertEquals(Outcome.OK, o.await(T));
        Received r = ctxA.awaitReceived(T);
        r.receipt().refused(org.bpsockets.node.api.cla.RefusalReason.NO_RESOURCES);
        assertEquals(LinkState.UP, out.state(), "a refusal has no way back in MTCP and changes nothing");
    }

    @Test
    void garbageFramingClosesTheConnection() throws Exception {
        MtcpLayer a = layer(ctxA);
        try (Socket s = raw(a)) {
            s.getOutputStream().write(Bytes.hex("9f 01 02 ff"));
            assertEquals(-1, s.getInputStream().read());
        }
        assertTrue(ctxA.awaitDown(T).reason().contains("not a CBOR byte string"));
        assertEquals(1, a.problems().count("bad-framing"));
        try (Socket s = raw(a)) {
            s.getOutputStream().write(Bytes.hex("5f 41 00 ff"));
            assertEquals(-1, s.getInputStream().read(), "indefinite-length strings are not MTCP");
        }
        assertEquals(2, a.problems().count("bad-framing"));
    }

    @Test
    void oversizeHeadClosesBeforeAllocating() throws Exception {
        ctxA.maxBundleSize(1000);
        MtcpLayer a = layer(ctxA);
        try (Socket s = raw(a)) {
            s.getOutputStream().write(Bytes.hex("5b 7fffffffffffffff"));
            assertEquals(-1, s.getInputStream().read());
        }
        assertEquals(1, a.problems().count("oversize"));
        try (Socket s = raw(a)) {
            s.getOutputStream().write(Bytes.hex("59 03e9"));
            assertEquals(-1, s.getInputStream().read(), "1001 bytes, one above the node's limit");
        }
        assertEquals(2, a.problems().count("oversize"));
        assertTrue(ctxA.received.isEmpty());
    }

    @Test
    void droppingMidBundleIsCounted() throws Exception {
        MtcpLayer a = layer(ctxA);
        try (Socket s = raw(a)) {
            s.getOutputStream().write(Bytes.hex("59 1000 0102"));
        }
        assertTrue(ctxA.awaitDown(T).reason().contains("inside a message"));
        assertEquals(1, a.problems().count("truncated"));
    }

    @Test
    void idleTimeoutClosesQuietConnections() throws Exception {
        MtcpLayer a = layer(ctxA, "idleTimeoutSeconds", 1);
        try (Socket s = raw(a)) {
            ctxA.awaitUp(T);
            long t0 = System.nanoTime();
            assertEquals(-1, s.getInputStream().read());
            double secs = (System.nanoTime() - t0) / 1e9;
            assertTrue(secs > 0.5, "not before the idle timeout: " + secs + " s");
        }
        assertTrue(ctxA.awaitDown(T).reason().startsWith("idle timeout"));
    }

    @Test
    void queueFullRefusesTransmitUntilWritable() throws Exception {
        ctxA.mode = FakeClaContext.Mode.HOLD;
        MtcpLayer a = layer(ctxA, "queueLimit", 1);
        Link out = layer(ctxB, "queueLimit", 4).connect("127.0.0.1:" + a.localPort(), Map.of());
        ctxB.awaitUp(T);
        // The receiver holds one bundle and stops reading; socket buffers fill; then the sender's queue.
        byte[] big = new byte[1 << 20];
        int accepted = 0;
        while (out.transmit(ByteBuffer.wrap(big), new Outcome())) {
            accepted++;
            assertTrue(accepted < 200, "the queue never filled");
        }
        assertFalse(out.transmit(ByteBuffer.wrap(big), new Outcome()));
        Thread releaser = new Thread(() -> {
            try {
                for (Received r; (r = ctxA.received.poll(5, TimeUnit.SECONDS)) != null;) {
                    r.receipt().accepted();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        releaser.start();
        assertSame(out, ctxB.awaitWritable(T));
        assertTrue(out.transmit(ByteBuffer.wrap(big), new Outcome()));
        releaser.interrupt();
    }

    @Test
    void unknownParametersAndBadAddressesAreRefused() throws Exception {
        MtcpLayer a = layer(ctxA);
        assertThrows(IOException.class, () -> a.connect("127.0.0.1:1", Map.of("keepalive", "5")));
        assertThrows(IOException.class, () -> a.connect("127.0.0.1:1", Map.of("peer", "not an eid")));
        assertThrows(IOException.class, () -> a.connect("127.0.0.1", Map.of()));
    }
}
