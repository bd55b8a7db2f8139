package org.bpsockets.bpv7;

import static org.bpsockets.bpv7.TestBundles.IPN_1_0;
import static org.bpsockets.bpv7.TestBundles.IPN_1_1;
import static org.bpsockets.bpv7.TestBundles.IPN_2_1;
import static org.bpsockets.bpv7.TestBundles.LIFE;
import static org.bpsockets.bpv7.TestBundles.TS;
import static org.bpsockets.bpv7.TestBundles.block;
import static org.bpsockets.bpv7.TestBundles.bundle;
import static org.bpsockets.bpv7.TestBundles.primary;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.MalformedBundleException.Reason;
import org.junit.jupiter.api.Test;

/**
 * ION 4.1.3's fragments (issue 13 item 6, docs/decisions/0010). Observed: the extension blocks of a
 * fragment ION made arrive numbered 0 ({@code BAD_BLOCK_NUMBER: block type 6 has number 0}). ION's
 * serializeExtBlk (bpv7/library/bei.c) encodes the number the block holds and computes the block's CRC
 * over that encoding, so a CRC arrives computed with number 0. Otherwise the fragment is ION's usual
 * form (GoldenVectorTest.ION, shared/ref/bundle-protocol.md): primary CRC-16 with flags 0x40 plus the
 * fragment flag, Previous Node, QoS (193, replicated), Bundle Age, payload, CRC none on the blocks.
 * No capture of ION's own bytes was available: the bytes are assembled from those layouts.
 */
class IonFragmentTest {

    /** Total ADU "hello world" (11 bytes): [offset, total] and the two payload slices. */
    static String ionPrimary(int offset) {
        return primary("07" + "1841" + "01" + IPN_2_1 + IPN_1_1 + IPN_1_0 + TS + LIFE
                + String.format("%02x", offset) + "0b", CrcType.CRC16);
    }

    static final String PREVIOUS_NODE_0 = "8506000000 45" + IPN_1_0;
    static final String QOS_0 = "8518c1000100 4483000100";
    static final String AGE_0 = "8507000000 421864";
    static final String FIRST_PAYLOAD = "8501010000 46" + "68656c6c6f20"; // "hello "
    static final String SECOND_PAYLOAD = "8501010000 45" + "776f726c64"; // "world"

    /** The first fragment, byte for byte as ION 4.1.3 sends it. */
    static byte[] firstFragment() {
        return bundle(ionPrimary(0), PREVIOUS_NODE_0, QOS_0, AGE_0, FIRST_PAYLOAD);
    }

    @Test
    void ionsFirstFragmentIsAcceptedWithItsBlocksRenumberedAndCounted() throws Exception {
        byte[] wire = firstFragment();
        // The same bytes written out, primary CRC-16 (3db3) computed with an independent bitwise X-25.
        assertEquals("9f" + "8b071841018202820201820282010182028201008" + "21b000000ba43b74000001a05265c00000b423db3"
                + "8506000000458202820100" + "8518c10001004483000100" + "8507000000421864"
                + "85010100004668656c6c6f20" + "ff", Hex.of(wire));
        Bundle b = BundleCodec.decode(wire);
        assertTrue(b.repaired());
        assertEquals(3, b.renumberedBlocks());
        assertEquals(List.of(6L, 193L, 7L, 1L), b.blocks().stream().map(CanonicalBlock::type).toList());
        assertEquals(List.of(2L, 3L, 4L, 1L), b.blocks().stream().map(CanonicalBlock::number).toList(),
                "numbered after the highest number in the bundle (the payload's 1), in order");
        assertEquals(EndpointId.parse("ipn:1.0"), b.previousNode());
        assertEquals(100, b.bundleAge());
        assertTrue(b.primary().isFragment());
        assertEquals(0, b.primary().fragmentOffset());
        assertEquals(11, b.primary().totalAduLength());
        assertArrayEquals("hello ".getBytes(StandardCharsets.US_ASCII), b.payloadBlock().dataBytes());
        // Flags and data of every block are kept; only the number changed.
        assertEquals(BlockFlags.REPLICATE_IN_EVERY_FRAGMENT, b.block(3).flags());
        assertArrayEquals(Hex.bytes("83000100"), b.block(3).dataBytes());

        // Re-encoded it is a conformant bundle that needs no repair, with the primary block untouched.
        Bundle again = BundleCodec.decode(b.encode());
        assertFalse(again.repaired());
        assertEquals(List.of(2L, 3L, 4L, 1L), again.blocks().stream().map(CanonicalBlock::number).toList());
        assertEquals(Hex.of(b.primary().encoded()), Hex.of(again.primary().encoded()));
    }

    @Test
    void ionsFragmentsReassemble() throws Exception {
        Bundle first = BundleCodec.decode(firstFragment());
        Bundle second = BundleCodec.decode(bundle(ionPrimary(6), PREVIOUS_NODE_0, AGE_0, SECOND_PAYLOAD));
        assertEquals(2, second.renumberedBlocks());
        Reassembler r = new Reassembler(1 << 20);
        assertEquals(Reassembler.Status.INCOMPLETE, r.offer(second).status());
        Reassembler.Result done = r.offer(first);
        assertEquals(Reassembler.Status.COMPLETE, done.status());
        assertArrayEquals("hello world".getBytes(StandardCharsets.US_ASCII), done.bundle().payloadBlock().dataBytes());
        assertFalse(done.bundle().primary().isFragment());
    }

    @Test
    void theCrcIsCheckedOverTheBytesAsReceivedAndRecomputedAfterRenumbering() throws Exception {
        // ION with CRC-16 on its extension blocks: the CRC covers the encoding with number 0.
        String age16 = block("07 00 00 01 421864", CrcType.CRC16);
        String prev32 = block("06 00 00 02 45" + IPN_1_0, CrcType.CRC32C);
        Bundle b = BundleCodec.decode(bundle(ionPrimary(0), prev32, age16, FIRST_PAYLOAD));
        assertEquals(2, b.renumberedBlocks());
        CanonicalBlock age = b.firstBlockOfType(BlockType.BUNDLE_AGE);
        assertEquals(3, age.number());
        assertEquals(CrcType.CRC16, age.crcType(), "the block keeps its CRC type, with a CRC over its new encoding");
        assertEquals(CrcType.CRC32C, b.firstBlockOfType(BlockType.PREVIOUS_NODE).crcType());
        assertFalse(BundleCodec.decode(b.encode()).repaired(), "the new CRCs check out");

        // A CRC computed over anything but the bytes received is refused, number 0 or not.
        byte[] bad = Hex.bytes(age16);
        bad[bad.length - 1] ^= 1;
        assertEquals(Reason.CRC_MISMATCH, refusal(bundle(ionPrimary(0), prev32, Hex.of(bad), FIRST_PAYLOAD)));
        // The CRC of the block as it would be numbered after the repair does not count either.
        String ageAs3 = block("07 03 00 01 421864", CrcType.CRC16);
        byte[] swapped = Hex.bytes(ageAs3);
        swapped[2] = 0; // number 3 -> 0, CRC left as computed for number 3
        assertEquals(Reason.CRC_MISMATCH, refusal(bundle(ionPrimary(0), Hex.of(swapped), FIRST_PAYLOAD)));
    }

    @Test
    void theChecksThatProtectTheNodeStillHold() {
        String p = ionPrimary(0);
        // Two payload blocks, one numbered 0: not a numbering slip.
        assertEquals(Reason.DUPLICATE_PAYLOAD, refusal(bundle(p, FIRST_PAYLOAD, "8501000000 4100")));
        // A payload block numbered 0 is not renumbered.
        assertEquals(Reason.BAD_BLOCK_NUMBER, refusal(bundle(p, "8501000000 46" + "68656c6c6f20")));
        // A non-payload block numbered 1 is not renumbered.
        assertEquals(Reason.BAD_BLOCK_NUMBER, refusal(bundle(p, "8507010000 421864", FIRST_PAYLOAD)));
        // Two blocks with the same non-zero number stay refused, even next to blocks numbered 0.
        assertEquals(Reason.DUPLICATE_BLOCK_NUMBER, refusal(bundle(p, PREVIOUS_NODE_0, "8518c1050100 4483000100",
                "8518c0050000 40", FIRST_PAYLOAD)));
        // Renumbering must not hide duplicated extension blocks.
        assertEquals(Reason.DUPLICATE_EXTENSION_BLOCK, refusal(bundle(p, AGE_0, AGE_0, FIRST_PAYLOAD)));
        // A bundle with a BIB names blocks by number: number 0 there is the primary block, so no repair.
        String bib = "850b020000 47" + "8101" + "01" + "00" + "80" + "8140";
        assertEquals(Reason.BAD_BLOCK_NUMBER, refusal(bundle(p, bib, AGE_0, FIRST_PAYLOAD)));
        // Lengths are checked before anything is renumbered.
        byte[] truncated = firstFragment();
        assertEquals(Reason.TRUNCATED, refusal(java.util.Arrays.copyOf(truncated, truncated.length - 4)));
    }

    @Test
    void renumberingStartsAboveTheHighestNumberInTheBundle() throws Exception {
        Bundle b = BundleCodec.decode(bundle(ionPrimary(0), "8518c1070100 4483000100", PREVIOUS_NODE_0, AGE_0,
                FIRST_PAYLOAD));
        assertEquals(List.of(7L, 8L, 9L, 1L), b.blocks().stream().map(CanonicalBlock::number).toList());
        assertEquals(2, b.renumberedBlocks());
    }

    private static Reason refusal(byte[] wire) {
        return assertThrows(MalformedBundleException.class, () -> BundleCodec.decode(wire)).reason();
    }
}
