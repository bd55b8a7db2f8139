package org.bpsockets.cla.tcpclv3.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import org.bpsockets.cla.common.testing.Bytes;
import org.bpsockets.cla.common.testing.FakeClaContext;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class Tcpclv3MalformedInputTest {
    static final Duration T = Duration.ofSeconds(20);

    final FakeClaContext ctx = new FakeClaContext("ipn:1.0").maxBundleSize(100_000);
    Tcpclv3Layer layer;

    Tcpclv3Layer start(Object... kv) throws IOException {
        Object[] all = new Object[kv.length + 2];
        all[0] = "listenPort";
        all[1] = 0;
        System.arraycopy(kv, 0, all, 2, kv.length);
        layer = new Tcpclv3Layer(ctx, TestConfigs.of(Tcpclv3Config.class, all));
        return layer;
    }

    @AfterEach
    void stop() {
        layer.shutdown(5000);
    }

    /** The layer's own contact header, which always comes first. */
    static byte[] afterContact(byte[] all) {
        int eidLength = all[8];
        return Arrays.copyOfRange(all, 9 + eidLength, all.length);
    }

    @Test
    void wrongMagicIsClosed() throws Exception {
        start();
        try (RawPeer p = new RawPeer(layer.localPort())) {
            p.raw("SSH-2.0-OpenSSH\r\n".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals(new byte[0], afterContact(p.readToEnd()));
        }
        assertEquals(1, layer.problems().count("bad-magic"));
        assertTrue(ctx.up.isEmpty());
    }

    @Test
    void otherVersionsGetShutdownVersionMismatch() throws Exception {
        start();
        for (int version : new int[] {2, 4}) {
            try (RawPeer p = new RawPeer(layer.localPort())) {
                p.raw(new byte[] {'d', 't', 'n', '!', (byte) version, 0});
                assertArrayEquals(Bytes.hex("52 01"), afterContact(p.readToEnd()), "version " + version);
            }
        }
        assertEquals(2, layer.problems().count("version-mismatch"));
    }

    @Test
    void absurdEidLengthIsRefusedBeforeAllocating() throws Exception {
        start();
        try (RawPeer p = new RawPeer(layer.localPort())) {
            p.raw(Bytes.hex("64746e21 03 00 0000 ffffffffffffffff7f"));
            assertArrayEquals(Bytes.hex("50"), afterContact(p.readToEnd()));
        }
        assertEquals(1, layer.problems().count("oversize"));
    }

    @Test
    void unknownMessageTypeShutsDown() throws Exception {
        start();
        try (RawPeer p = new RawPeer(layer.localPort()).likeUd3tn("ipn:7.0")) {
            ctx.awaitUp(T);
            p.raw((byte) 0x70);
            assertArrayEquals(Bytes.hex("50"), p.readToEnd());
        }
        assertTrue(ctx.awaitDown(T).reason().contains("unknown message type 0x7"));
        assertEquals(1, layer.problems().count("unknown-message"));
    }

    @Test
    void continuationWithoutStartShutsDown() throws Exception {
        start();
        try (RawPeer p = new RawPeer(layer.localPort()).likeUd3tn("ipn:7.0")) {
            p.segment(false, true, Bytes.hex("01"));
            assertArrayEquals(Bytes.hex("50"), p.readToEnd());
        }
        assertEquals(1, layer.problems().count("unexpected-segment"));
    }

    @Test
    void oversizeBundleIsRefusedAndSkippedWhenRefusalsAreAgreed() throws Exception {
        start();
        try (RawPeer p = new RawPeer(layer.localPort()).contact(0x05, 0, "ipn:5.0")) {
            // Claims far beyond the node's 100 kB: refused on the length, its bytes skipped, not stored.
            p.segment(true, false, new byte[60_000]);
            assertEquals(60_000, p.readAck());
            p.segment(false, true, new byte[60_000]);
            assertEquals(0x32, p.u8(), "REFUSE_BUNDLE, resources exhausted");
            p.segment(true, true, Bytes.hex("05"));
            assertArrayEquals(Bytes.hex("05"), ctx.awaitReceived(T).data());
            assertEquals(1, p.readAck());
        }
        assertEquals(1, layer.problems().count("oversize"));
    }

    @Test
    void oversizeBundleEndsTheConnectionWhenItCannotBeRefused() throws Exception {
        start();
        try (RawPeer p = new RawPeer(layer.localPort()).likeUd3tn("ipn:7.0")) {
            p.raw(Bytes.hex("13 ffffffffffffffff7f"));
            assertArrayEquals(Bytes.hex("50"), p.readToEnd());
        }
        assertEquals(1, layer.problems().count("oversize"));
        assertTrue(ctx.received.isEmpty());
    }

    @Test
    void overlongSdnvShutsDown() throws Exception {
        start();
        try (RawPeer p = new RawPeer(layer.localPort()).likeUd3tn("ipn:7.0")) {
            p.raw(Bytes.hex("13 ffffffffffffffffffff01"));
            p.readToEnd();
        }
        assertEquals(1, layer.problems().count("bad-sdnv"));
    }

    @Test
    void droppingMidBundleIsCounted() throws Exception {
        start();
        try (RawPeer p = new RawPeer(layer.localPort()).likeUd3tn("ipn:7.0")) {
            ctx.awaitUp(T);
            p.raw(Bytes.hex("13 8764 0102"));
        }
        assertTrue(ctx.awaitDown(T).reason().contains("inside a message"));
        assertEquals(1, layer.problems().count("truncated"));
    }

    @Test
    void randomGarbageNeverEscapes() throws Exception {
        start();
        java.util.SplittableRandom r = new java.util.SplittableRandom(7);
        for (int round = 0; round < 30; round++) {
            try (RawPeer p = new RawPeer(layer.localPort()).likeIon("ipn:5.0")) {
                byte[] junk = new byte[1 + r.nextInt(100)];
                for (int i = 0; i < junk.length; i++) {
                    junk[i] = (byte) r.nextInt(256);
                }
                p.raw(junk);
            }
            ctx.awaitDown(T);
        }
        try (RawPeer p = new RawPeer(layer.localPort()).likeIon("ipn:5.0")) {
            p.segment(true, true, Bytes.hex("09"));
            assertArrayEquals(Bytes.hex("09"), ctx.awaitReceived(T).data());
        }
    }
}
