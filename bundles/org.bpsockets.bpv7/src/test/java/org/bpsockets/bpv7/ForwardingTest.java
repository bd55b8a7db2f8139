package org.bpsockets.bpv7;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.bpsockets.api.eid.EndpointId;
import org.junit.jupiter.api.Test;

/** Re-encoding received bundles for forwarding (RFC 9171 §5.4). */
class ForwardingTest {
    static final EndpointId ME = EndpointId.parse("ipn:5.0");

    static Bundle ion() throws MalformedBundleException {
        return BundleCodec.decode(Hex.bytes(GoldenVectorTest.hex(GoldenVectorTest.ION)));
    }

    @Test
    void forwardIonBundle() throws Exception {
        Bundle in = ion();
        BundleEditor e = in.edit();
        assertNull(e.incrementHopCount()); // ION sent no Hop Count block
        Bundle out = e.setPreviousNode(ME, CrcType.CRC32C).setBundleAge(350, CrcType.NONE)
                .setHopCount(HopCount.withLimit(30), CrcType.CRC16).build();
        Bundle rx = BundleCodec.decode(out.encode());

        assertEquals(in.primary(), rx.primary());
        assertArrayEquals(bytes(in.primary()), bytes(rx.primary()));
        assertEquals(ME, rx.previousNode());
        assertEquals(350, rx.bundleAge());
        assertEquals(HopCount.withLimit(30), rx.hopCount());
        // Existing blocks keep number, position and CRC type; the new one comes before the payload.
        assertEquals(List.of(2L, 3L, 4L, 5L, 1L), rx.blocks().stream().map(CanonicalBlock::number).toList());
        assertEquals(List.of(6L, 193L, 7L, 10L, 1L), rx.blocks().stream().map(CanonicalBlock::type).toList());
        assertEquals(CrcType.NONE, rx.block(2).crcType());
        assertEquals(CrcType.CRC16, rx.block(5).crcType());
        // Untouched blocks are the bytes ION sent.
        assertEquals(in.block(3), rx.block(3));
        assertEquals(in.payloadBlock(), rx.payloadBlock());
    }

    @Test
    void encodeInPartsIsTheEncodingAndSharesOnlyLargeBlockData() throws Exception {
        byte[] payload = new byte[100_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31);
        }
        byte[] encoded = Bundle.builder().destination(EndpointId.parse("ipn:2.1"))
                .source(EndpointId.parse("ipn:1.1")).creationTimestamp(1, 0).lifetime(1000)
                .hopCount(HopCount.withLimit(5), CrcType.CRC32C).payload(payload).build().encode();
        Bundle stored = BundleCodec.decode(encoded);
        BundleEditor e = stored.edit();
        e.incrementHopCount();
        Bundle out = e.setPreviousNode(ME, CrcType.CRC16).build();
        for (int minShared : new int[] {1, 1000, 100_000, 100_001, Integer.MAX_VALUE}) {
            java.nio.ByteBuffer[] parts = out.encodeParts(minShared);
            java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
            for (java.nio.ByteBuffer p : parts) {
                joined.write(p.array(), p.arrayOffset() + p.position(), p.remaining());
            }
            assertArrayEquals(out.encode(), joined.toByteArray(), "minShared " + minShared);
            boolean shared = java.util.Arrays.stream(parts)
                    .anyMatch(p -> p.remaining() == payload.length && p.array() == encoded);
            assertEquals(minShared <= payload.length, shared, "payload shared, not copied, at minShared " + minShared);
        }
        assertEquals(1, out.encodeParts(Integer.MAX_VALUE).length);
    }

    static byte[] bytes(PrimaryBlock p) {
        byte[] b = new byte[p.encodedLength()];
        p.encoded().get(b);
        return b;
    }

    @Test
    void hopCountIsIncrementedUntilExceeded() throws Exception {
        Bundle b = Bundle.builder().destination(EndpointId.parse("ipn:2.1")).source(EndpointId.parse("ipn:1.1"))
                .creationTimestamp(1, 0).lifetime(1000).hopCount(new HopCount(3, 2), CrcType.CRC32C)
                .payload(new byte[] {1}).build();
        BundleEditor e = b.edit();
        HopCount h = e.incrementHopCount();
        assertEquals(new HopCount(3, 3), h);
        assertFalse(h.exceeded());
        Bundle once = BundleCodec.decode(e.build().encode());
        assertEquals(new HopCount(3, 3), once.hopCount());
        assertEquals(CrcType.CRC32C, once.firstBlockOfType(BlockType.HOP_COUNT).crcType());
        HopCount twice = once.edit().incrementHopCount();
        assertTrue(twice.exceeded());
    }

    @Test
    void previousNodeCanBeRemovedAndBlocksReplaced() throws Exception {
        Bundle out = ion().edit().removeBlocksOfType(BlockType.PREVIOUS_NODE).replaceBlockData(3, new byte[] {0x40})
                .build();
        assertNull(out.previousNode());
        assertEquals("40", Hex.of(out.block(3).data()));
        assertEquals(193, out.block(3).type());
        long added = ion().edit().addBlock(194, 0, CrcType.CRC16, new byte[] {0x01});
        assertEquals(5, added);
    }

    @Test
    void editsThatBreakRulesAreRefused() throws Exception {
        Bundle noClock = Bundle.builder().destination(EndpointId.parse("ipn:2.1")).source(EndpointId.parse("ipn:1.1"))
                .creationTimestamp(0, 0).lifetime(1000).bundleAge(10, CrcType.NONE).payload(new byte[] {1}).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> noClock.edit().removeBlocksOfType(BlockType.BUNDLE_AGE).build());
        assertEquals(MalformedBundleException.Reason.MISSING_BUNDLE_AGE,
                ((MalformedBundleException) e.getCause()).reason());
        assertThrows(IllegalArgumentException.class, () -> noClock.edit().removeBlock(1));
        assertThrows(IllegalArgumentException.class, () -> noClock.edit().addBlock(1, 0, CrcType.NONE, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> noClock.edit().replaceBlockData(9, new byte[0]));
    }
}
