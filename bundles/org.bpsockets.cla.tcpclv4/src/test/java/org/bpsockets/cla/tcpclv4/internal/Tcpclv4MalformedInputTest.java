package org.bpsockets.cla.tcpclv4.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.bpsockets.cla.common.testing.Bytes;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A peer writing bad bytes gets the RFC's answer, is counted, and never costs more than a session. */
class Tcpclv4MalformedInputTest {
    static final Duration T = Duration.ofSeconds(20);

    final FakeClaContext ctx = new FakeClaContext("ipn:1.0");
    Tcpclv4Layer layer;

    @BeforeEach
    void start() throws IOException {
        layer = new Tcpclv4Layer(ctx, TestConfigs.of(Tcpclv4Config.class, "listenPort", 0));
    }

    @AfterEach
    void stop() {
        layer.shutdown(5000);
    }

    RawPeer peer() throws IOException {
        return new RawPeer(layer.localPort());
    }

    @Test
    void wrongMagicIsClosedWithoutAWord() throws Exception {
        try (RawPeer p = peer()) {
            p.raw("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals(new byte[0], p.readToEnd());
        }
        assertTrue(ctx.awaitDown(T).reason().contains("no 'dtn!' contact header"));
        assertEquals(1, layer.problems().count("bad-magic"));
        assertTrue(ctx.up.isEmpty());
    }

    @Test
    void otherVersionGetsContactHeaderThenVersionMismatch() throws Exception {
        try (RawPeer p = peer()) {
            p.contact(3, 0);
            assertArrayEquals(Bytes.hex("64746e21 04 00  05 00 02"), p.readToEnd());
        }
        assertEquals(1, layer.problems().count("version-mismatch"));
    }

    @Test
    void unknownMessageTypeIsRejectedAndTheSessionClosed() throws Exception {
        try (RawPeer p = peer().handshake(0, "ipn:9.0")) {
            ctx.awaitUp(T);
            p.raw((byte) 0x42);
            assertArrayEquals(Bytes.hex("06 01 42"), p.readToEnd());
        }
        assertTrue(ctx.awaitDown(T).reason().contains("unknown message type 0x42"));
        assertEquals(1, layer.problems().count("unknown-message"));
    }

    @Test
    void segmentLongerThanTheMruEndsTheSessionBeforeAnyAllocation() throws Exception {
        try (RawPeer p = peer().handshake(0, "ipn:9.0")) {
            ctx.awaitUp(T);
            // Claims 2^62 bytes: refused on the length alone.
            p.raw(Bytes.hex("01 03 0000000000000000 00000000 4000000000000000"));
            assertArrayEquals(Bytes.hex("05 00 05"), p.readToEnd());
        }
        assertEquals(1, layer.problems().count("oversize"));
        assertTrue(ctx.received.isEmpty());
    }

    @Test
    void hugeExtensionListEndsTheSession() throws Exception {
        try (RawPeer p = peer().handshake(0, "ipn:9.0")) {
            ctx.awaitUp(T);
            p.raw(Bytes.hex("01 03 0000000000000000 7fffffff"));
            assertArrayEquals(Bytes.hex("05 00 05"), p.readToEnd());
        }
        assertEquals(1, layer.problems().count("oversize"));
    }

    @Test
    void criticalUnknownSessionExtensionIsAContactFailure() throws Exception {
        try (RawPeer p = peer()) {
            p.contact(4, 0);
            p.readContact();
            p.sessInit(0, 1000, 1000, "ipn:9.0", Bytes.hex("01 8000 0002 abcd"));
            assertArrayEquals(Bytes.hex("05 00 04"), p.readToEnd());
        }
        assertEquals(1, layer.problems().count("bad-extension"));
    }

    @Test
    void nonCriticalUnknownSessionExtensionIsIgnored() throws Exception {
        try (RawPeer p = peer()) {
            p.contact(4, 0);
            p.readContact();
            p.sessInit(0, 1000, 1000, "ipn:9.0", Bytes.hex("00 8000 0002 abcd"));
            assertEquals("ipn:1.0", p.expectSessInit());
            assertEquals(1000, ctx.awaitUp(T).maxBundleSize());
        }
    }

    @Test
    void criticalUnknownTransferExtensionRefusesTheTransferOnly() throws Exception {
        try (RawPeer p = peer().handshake(0, "ipn:9.0")) {
            ctx.awaitUp(T);
            p.segment(0x03, 4, Bytes.hex("01 8001 0001 ff"), Bytes.hex("aabb"));
            assertArrayEquals(Bytes.hex("03 05 0000000000000004"), p.in.readNBytes(10));
            p.segment(0x03, 5, new byte[0], Bytes.hex("cc"));
            assertArrayEquals(Bytes.hex("cc"), ctx.awaitReceived(T).data());
            assertArrayEquals(Bytes.hex("02 03 0000000000000005 0000000000000001"), p.in.readNBytes(18));
        }
    }

    @Test
    void declaredLengthAboveTheTransferMruIsRefusedAndTheRestSkipped() throws Exception {
        layer.shutdown(1000);
        layer = new Tcpclv4Layer(ctx, TestConfigs.of(Tcpclv4Config.class, "listenPort", 0, "transferMru", 100L));
        try (RawPeer p = peer().handshake(0, "ipn:9.0")) {
            ctx.awaitUp(T);
            p.segment(0x02, 1, Bytes.hex("00 0001 0008 0000000000001000"), new byte[50]);
            assertArrayEquals(Bytes.hex("03 02 0000000000000001"), p.in.readNBytes(10));
            p.segment(0x01, 1, null, new byte[50]);
            assertArrayEquals(Bytes.hex("03 00 0000000000000001"), p.in.readNBytes(10), "later segments refused too");
            p.segment(0x03, 2, new byte[0], Bytes.hex("01"));
            assertArrayEquals(Bytes.hex("01"), ctx.awaitReceived(T).data());
        }
    }

    @Test
    void segmentsAreJoinedWithAndWithoutATransferLengthAndAShortTransferIsRefused() throws Exception {
        try (RawPeer p = peer().handshake(0, "ipn:9.0")) {
            ctx.awaitUp(T);
            // Declared 7 bytes: read into one array of that length.
            p.segment(0x02, 1, Bytes.hex("00 0001 0008 0000000000000007"), Bytes.hex("01020304"));
            assertArrayEquals(Bytes.hex("02 02 0000000000000001 0000000000000004"), p.in.readNBytes(18));
            p.segment(0x00, 1, null, Bytes.hex("0506"));
            assertArrayEquals(Bytes.hex("02 00 0000000000000001 0000000000000006"), p.in.readNBytes(18));
            p.segment(0x01, 1, null, Bytes.hex("07"));
            assertArrayEquals(Bytes.hex("01020304050607"), ctx.awaitReceived(T).data());
            assertArrayEquals(Bytes.hex("02 01 0000000000000001 0000000000000007"), p.in.readNBytes(18));
            // No Transfer Length: chunks, joined at the end.
            p.segment(0x02, 2, new byte[0], Bytes.hex("aabb"));
            assertArrayEquals(Bytes.hex("02 02 0000000000000002 0000000000000002"), p.in.readNBytes(18));
            p.segment(0x01, 2, null, Bytes.hex("cc"));
            assertArrayEquals(Bytes.hex("aabbcc"), ctx.awaitReceived(T).data());
            assertArrayEquals(Bytes.hex("02 01 0000000000000002 0000000000000003"), p.in.readNBytes(18));
            // Declared 7, ended after 3: not what was announced, refused; nothing delivered.
            p.segment(0x02, 3, Bytes.hex("00 0001 0008 0000000000000007"), Bytes.hex("0102"));
            assertArrayEquals(Bytes.hex("02 02 0000000000000003 0000000000000002"), p.in.readNBytes(18));
            p.segment(0x01, 3, null, Bytes.hex("03"));
            assertArrayEquals(Bytes.hex("03 04 0000000000000003"), p.in.readNBytes(10));
            p.segment(0x03, 4, new byte[0], Bytes.hex("dd"));
            assertArrayEquals(Bytes.hex("dd"), ctx.awaitReceived(T).data(), "the refused transfer was never delivered");
        }
    }

    @Test
    void peerDroppingMidTransferIsCountedAndTheLinkGoesDown() throws Exception {
        try (RawPeer p = peer().handshake(0, "ipn:9.0")) {
            ctx.awaitUp(T);
            p.raw(Bytes.hex("01 03 0000000000000000 00000000 00000000000003e8 0102030405"));
        }
        assertTrue(ctx.awaitDown(T).reason().contains("inside a message"));
        assertEquals(1, layer.problems().count("truncated"));
        assertTrue(ctx.received.isEmpty());
    }

    @Test
    void garbageInsteadOfSessInitIsAContactFailure() throws Exception {
        try (RawPeer p = peer()) {
            p.contact(4, 0);
            p.readContact();
            p.raw(Bytes.hex("ff ff ff ff"));
            assertArrayEquals(Bytes.hex("05 00 04"), p.readToEnd());
        }
        assertEquals(1, layer.problems().count("bad-handshake"));
    }

    @Test
    void silentConnectionTimesOutInTheHandshake() throws Exception {
        layer.shutdown(1000);
        layer = new Tcpclv4Layer(ctx, TestConfigs.of(Tcpclv4Config.class, "listenPort", 0,
                "handshakeTimeoutSeconds", 1));
        try (RawPeer p = peer()) {
            assertArrayEquals(new byte[0], p.readToEnd());
        }
        assertEquals("handshake timed out", ctx.awaitDown(T).reason());
    }

    @Test
    void sessInitTwiceIsRejected() throws Exception {
        try (RawPeer p = peer().handshake(0, "ipn:9.0")) {
            ctx.awaitUp(T);
            p.sessInit(0, 1, 1, "", new byte[0]);
            assertArrayEquals(Bytes.hex("06 03 07"), p.readToEnd());
        }
        assertEquals(1, layer.problems().count("unexpected-message"));
    }

    @Test
    void peerThatReadsNothingStallsOnlyItsOwnSessionAndIsStillClosedInTime() throws Exception {
        layer.shutdown(1000);
        layer = new Tcpclv4Layer(ctx, TestConfigs.of(Tcpclv4Config.class, "listenPort", 0, "closeTimeoutSeconds", 1));
        try (RawPeer p = new RawPeer(layer.localPort(), 4096).handshake(0, "ipn:9.0")) {
            org.bpsockets.node.api.cla.Link in = ctx.awaitUp(T);
            // One-byte continuation segments: each earns an 18-byte XFER_ACK the peer never reads.
            java.io.ByteArrayOutputStream flood = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 20_000; i++) {
                flood.write(Bytes.hex("01 00 0000000000000001 0000000000000001 00"));
            }
            byte[] chunk = flood.toByteArray();
            p.segment(0x02, 1, new byte[0], Bytes.hex("00"));
            Thread writer = new Thread(() -> {
                try {
                    while (true) {
                        p.out.write(chunk);
                    }
                } catch (IOException e) {
                    // the layer closed the connection
                }
            });
            writer.setDaemon(true);
            writer.start();
            // Its acks pile up until the layer stops reading: the pile reaches the limit and stops there.
            org.bpsockets.cla.common.StreamSession session = (org.bpsockets.cla.common.StreamSession) in;
            long end = System.nanoTime() + T.toNanos();
            while (session.pendingControlBytes() <= 1 << 20) {
                assertTrue(System.nanoTime() < end, "acks never piled up: " + session.pendingControlBytes());
                Thread.sleep(10);
            }
            assertTrue(session.pendingControlBytes() <= (1 << 20) + 18, "bounded: " + session.pendingControlBytes());
            in.close();
            // The close is not held up by the unread acks: the link goes down (awaitDown fails after T).
            FakeClaContext.Down down = ctx.awaitDown(T);
            assertEquals("closed by the node", down.reason());
            writer.join(10_000);
        }
    }

    @Test
    void randomGarbageNeverEscapesAsAnException() throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(42);
        for (int round = 0; round < 30; round++) {
            try (RawPeer p = peer().handshake(0, "ipn:9.0")) {
                ctx.awaitUp(T);
                byte[] junk = new byte[1 + r.nextInt(200)];
                for (int i = 0; i < junk.length; i++) {
                    junk[i] = (byte) r.nextInt(256);
                }
                p.raw(junk);
            }
            ctx.awaitDown(T);
        }
        assertTrue(layer.problems().total() > 0, layer.problems().snapshot().toString());
        // Still serving well-formed peers afterwards.
        try (RawPeer p = peer().handshake(0, "ipn:9.0")) {
            ctx.awaitUp(T);
            p.segment(0x03, 0, new byte[0], Bytes.hex("07"));
            assertArrayEquals(Bytes.hex("07"), ctx.awaitReceived(T).data());
        }
    }
}
