package org.bpsockets.bpv7;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.Reassembler.Status;
import org.junit.jupiter.api.Test;

/** Fragmentation (RFC 9171 §5.8) and reassembly (§5.9). */
class FragmentationTest {

    static byte[] adu(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + 3);
        }
        return b;
    }

    static Bundle original(int payloadLength, long flags) {
        return Bundle.builder().flags(flags).primaryCrc(CrcType.CRC16)
                .destination(EndpointId.parse("ipn:977000.2.1")).source(EndpointId.parse("ipn:1.1"))
                .reportTo(EndpointId.parse("ipn:0.1.0")).creationTimestamp(800_000_000_000L, 9).lifetime(60_000)
                .previousNode(EndpointId.parse("ipn:3.0"), CrcType.NONE)
                .addBlock(193, BlockFlags.REPLICATE_IN_EVERY_FRAGMENT, CrcType.CRC32C, Hex.bytes("83000100"))
                .bundleAge(20, CrcType.NONE)
                .payload(adu(payloadLength), BlockFlags.DELETE_BUNDLE_IF_UNPROCESSABLE, CrcType.CRC32C).build();
    }

    /** Fragments as a peer would receive them: encoded and decoded again. */
    static List<Bundle> viaWire(List<Bundle> fragments) throws MalformedBundleException {
        List<Bundle> out = new ArrayList<>();
        for (Bundle f : fragments) {
            out.add(BundleCodec.decode(f.encode()));
        }
        return out;
    }

    @Test
    void splitsThePayloadAndReplicatesOnlyFlaggedBlocks() throws Exception {
        Bundle b = original(100, 0);
        List<Bundle> f = viaWire(Fragmentation.fragment(b, 30));
        assertEquals(4, f.size());
        long[] offsets = {0, 30, 60, 90};
        int[] lengths = {30, 30, 30, 10};
        for (int i = 0; i < 4; i++) {
            PrimaryBlock p = f.get(i).primary();
            assertTrue(p.isFragment());
            assertEquals(offsets[i], p.fragmentOffset());
            assertEquals(100, p.totalAduLength());
            assertEquals(b.primary().destination(), p.destination());
            assertEquals(b.primary().creationTime(), p.creationTime());
            assertEquals(CrcType.CRC16, p.crcType());
            assertEquals(lengths[i], f.get(i).payloadLength());
            byte[] expected = new byte[lengths[i]];
            System.arraycopy(adu(100), (int) offsets[i], expected, 0, lengths[i]);
            assertArrayEquals(expected, f.get(i).payloadBlock().dataBytes());
            assertEquals(BlockFlags.DELETE_BUNDLE_IF_UNPROCESSABLE, f.get(i).payloadBlock().flags());
            assertEquals(CrcType.CRC32C, f.get(i).payloadBlock().crcType());
        }
        assertEquals(List.of(6L, 193L, 7L, 1L), f.get(0).blocks().stream().map(CanonicalBlock::type).toList());
        for (int i = 1; i < 4; i++) {
            assertEquals(List.of(193L, 1L), f.get(i).blocks().stream().map(CanonicalBlock::type).toList());
            assertEquals(b.block(3), f.get(i).block(3)); // replicated as is
        }
    }

    @Test
    void fragmentsKeepTheEncodedEidsOfTheOriginal() throws Exception {
        // A primary block received with the 2-element form of ipn:977000.2.1, which re-encoding would change.
        String primary = TestBundles.primary("070001 8202821b000ee8680000000201 " + TestBundles.IPN_1_1
                + TestBundles.IPN_1_0 + TestBundles.TS + TestBundles.LIFE, CrcType.CRC16);
        Bundle b = BundleCodec.decode(TestBundles.bundle(primary, "8501010000 4a00010203040506070809"));
        for (Bundle f : viaWire(Fragmentation.fragment(b, 4))) {
            assertTrue(Hex.of(f.primary().encoded()).contains("8202821b000ee8680000000201"));
        }
    }

    @Test
    void mustNotFragmentIsRefused() {
        Bundle b = original(100, BundleFlags.MUST_NOT_FRAGMENT);
        assertFalse(Fragmentation.mayFragment(b));
        assertThrows(IllegalStateException.class, () -> Fragmentation.fragment(b, 30));
        // A payload that fits needs no fragmentation, flag or not.
        assertSame(b, Fragmentation.fragment(b, 100).get(0));
        assertThrows(IllegalArgumentException.class, () -> Fragmentation.fragment(original(10, 0), 0));
    }

    @Test
    void fragmentsCanBeFragmentedAgain() throws Exception {
        Bundle first = Fragmentation.fragment(original(100, 0), 40).get(1); // offset 40, 40 bytes
        List<Bundle> again = viaWire(Fragmentation.fragment(first, 15));
        assertEquals(List.of(40L, 55L, 70L), again.stream().map(x -> x.primary().fragmentOffset()).toList());
        assertEquals(List.of(15, 15, 10), again.stream().map(Bundle::payloadLength).toList());
        assertTrue(again.stream().allMatch(x -> x.primary().totalAduLength() == 100));
    }

    @Test
    void noClockBundleNeedsItsAgeInEveryFragment() {
        Bundle unreplicated = Bundle.builder().destination(EndpointId.parse("ipn:2.1"))
                .source(EndpointId.parse("ipn:1.1")).creationTimestamp(0, 0).lifetime(10)
                .bundleAge(5, CrcType.NONE).payload(adu(10)).build();
        assertThrows(IllegalStateException.class, () -> Fragmentation.fragment(unreplicated, 4));
        Bundle replicated = Bundle.builder().destination(EndpointId.parse("ipn:2.1"))
                .source(EndpointId.parse("ipn:1.1")).creationTimestamp(0, 0).lifetime(10)
                .addBlock(BlockType.BUNDLE_AGE, BlockFlags.REPLICATE_IN_EVERY_FRAGMENT, CrcType.NONE,
                        ExtensionBlocks.encodeBundleAge(5))
                .payload(adu(10)).build();
        assertEquals(3, Fragmentation.fragment(replicated, 4).size());
    }

    @Test
    void reassemblesInOrder() throws Exception {
        Bundle b = original(100, BundleFlags.REPORT_DELIVERY);
        Reassembler r = new Reassembler(10_000);
        List<Bundle> f = viaWire(Fragmentation.fragment(b, 30));
        for (int i = 0; i < f.size() - 1; i++) {
            assertEquals(Status.INCOMPLETE, r.offer(f.get(i)).status());
        }
        Reassembler.Result done = r.offer(f.get(f.size() - 1));
        assertEquals(Status.COMPLETE, done.status());
        assertArrayEquals(b.encode(), done.bundle().encode());
        assertEquals(0, r.bufferedBytes());
        assertEquals(0, r.pendingCount());
    }

    @Test
    void reassemblesOutOfOrderWithTheFirstFragmentLast() throws Exception {
        Bundle b = original(101, 0);
        List<Bundle> f = viaWire(Fragmentation.fragment(b, 10));
        Collections.reverse(f);
        Reassembler r = new Reassembler(10_000);
        for (int i = 0; i < f.size() - 1; i++) {
            assertEquals(Status.INCOMPLETE, r.offer(f.get(i)).status(), "fragment " + i);
        }
        assertEquals(0, f.get(f.size() - 1).primary().fragmentOffset());
        Reassembler.Result done = r.offer(f.get(f.size() - 1));
        assertEquals(Status.COMPLETE, done.status());
        assertArrayEquals(b.encode(), done.bundle().encode());
    }

    @Test
    void reassemblesShuffledOverlappingAndRepeatedFragments() throws Exception {
        Bundle b = original(100, 0);
        byte[] data = adu(100);
        List<Bundle> pieces = new ArrayList<>();
        int[][] ranges = {{0, 40}, {30, 70}, {60, 100}, {10, 20}, {30, 70}, {95, 100}};
        for (int[] rg : ranges) {
            byte[] part = new byte[rg[1] - rg[0]];
            System.arraycopy(data, rg[0], part, 0, part.length);
            BundleBuilder bb = Bundle.builder().primaryCrc(CrcType.CRC16).destination(b.primary().destination())
                    .source(b.primary().source()).reportTo(b.primary().reportTo())
                    .creationTimestamp(800_000_000_000L, 9).lifetime(60_000).fragment(rg[0], 100)
                    .addBlock(193, BlockFlags.REPLICATE_IN_EVERY_FRAGMENT, CrcType.CRC32C, Hex.bytes("83000100"));
            if (rg[0] == 0) {
                bb = Bundle.builder().primaryCrc(CrcType.CRC16).destination(b.primary().destination())
                        .source(b.primary().source()).reportTo(b.primary().reportTo())
                        .creationTimestamp(800_000_000_000L, 9).lifetime(60_000).fragment(0, 100)
                        .previousNode(EndpointId.parse("ipn:3.0"), CrcType.NONE)
                        .addBlock(193, BlockFlags.REPLICATE_IN_EVERY_FRAGMENT, CrcType.CRC32C, Hex.bytes("83000100"))
                        .bundleAge(20, CrcType.NONE);
            }
            pieces.add(bb.payload(part, BlockFlags.DELETE_BUNDLE_IF_UNPROCESSABLE, CrcType.CRC32C).build());
        }
        Collections.shuffle(pieces, new Random(5));
        // Offer until complete: exactly when [0,100) is covered.
        Reassembler r = new Reassembler(1000);
        Reassembler.Result last = null;
        List<int[]> offered = new ArrayList<>();
        for (Bundle p : pieces) {
            last = r.offer(p);
            long off = p.primary().fragmentOffset();
            offered.add(new int[] {(int) off, (int) off + p.payloadLength()});
            boolean covered = covers(offered, 100);
            assertEquals(covered ? Status.COMPLETE : Status.INCOMPLETE, last.status());
            if (covered) {
                break;
            }
        }
        assertEquals(Status.COMPLETE, last.status());
        assertArrayEquals(b.encode(), last.bundle().encode());
    }

    static boolean covers(List<int[]> ranges, int total) {
        boolean[] c = new boolean[total];
        for (int[] rg : ranges) {
            for (int i = rg[0]; i < rg[1]; i++) {
                c[i] = true;
            }
        }
        for (boolean x : c) {
            if (!x) {
                return false;
            }
        }
        return true;
    }

    @Test
    void memoryIsBoundedByTheCallersLimit() throws Exception {
        List<Bundle> f = Fragmentation.fragment(original(100, 0), 30);
        Reassembler small = new Reassembler(99);
        assertEquals(Status.OVER_LIMIT, small.offer(f.get(1)).status());
        assertEquals(0, small.bufferedBytes());
        assertEquals(0, small.pendingCount());

        Reassembler r = new Reassembler(200);
        assertEquals(Status.INCOMPLETE, r.offer(f.get(1)).status());
        assertEquals(100, r.bufferedBytes());
        assertEquals(Status.INCOMPLETE, r.offer(f.get(0)).status()); // plus the first fragment's extension blocks
        long withBlocks = r.bufferedBytes();
        assertTrue(withBlocks > 100 && withBlocks < 150, Long.toString(withBlocks));
        // A second ADU of 100 bytes no longer fits.
        Bundle other = Bundle.builder().destination(EndpointId.parse("ipn:2.1")).source(EndpointId.parse("ipn:7.1"))
                .creationTimestamp(1, 1).lifetime(1).fragment(0, 100).payload(adu(10)).build();
        assertEquals(Status.OVER_LIMIT, r.offer(other).status());
        assertTrue(r.discard(EndpointId.parse("ipn:1.1"), 800_000_000_000L, 9));
        assertEquals(0, r.bufferedBytes());
        assertEquals(Status.INCOMPLETE, r.offer(other).status());
    }

    @Test
    void inconsistentTotalsAreRefused() {
        Reassembler r = new Reassembler(1000);
        BundleBuilder base = Bundle.builder().destination(EndpointId.parse("ipn:2.1"))
                .source(EndpointId.parse("ipn:1.1")).creationTimestamp(1, 1).lifetime(1);
        assertEquals(Status.INCOMPLETE, r.offer(base.fragment(0, 20).payload(adu(5)).build()).status());
        assertEquals(Status.INCONSISTENT, r.offer(base.fragment(5, 30).payload(adu(5)).build()).status());
    }

    @Test
    void aWholeBundleIsCompleteAtOnce() {
        Bundle b = original(10, 0);
        Reassembler.Result res = new Reassembler(0).offer(b);
        assertEquals(Status.COMPLETE, res.status());
        assertSame(b, res.bundle());
    }
}
