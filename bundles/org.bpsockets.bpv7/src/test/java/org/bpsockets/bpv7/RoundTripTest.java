package org.bpsockets.bpv7;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.DtnEndpointId;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.IpnEndpointId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RoundTripTest {
    static final byte[] DATA = "round trip payload".getBytes(StandardCharsets.US_ASCII);

    static Stream<Arguments> combinations() {
        List<Arguments> out = new ArrayList<>();
        EndpointId[][] eids = {
            {EndpointId.parse("ipn:2.1"), EndpointId.parse("ipn:1.1"), EndpointId.parse("ipn:1.0")},
            {EndpointId.parse("ipn:0.2.1"), EndpointId.parse("ipn:0.1.1"), EndpointId.parse("ipn:0.1.0")},
            {EndpointId.parse("ipn:977000.2.1"), EndpointId.parse("ipn:977000.1.1"), EndpointId.parse("ipn:!.7")},
            {EndpointId.parse("dtn://b/inbox"), EndpointId.parse("dtn://a/"), EndpointId.parse("dtn://a/~reports")},
            {EndpointId.parse("dtn://b/"), DtnEndpointId.NONE, DtnEndpointId.NONE},
            {EndpointId.parse("ipn:4294967295.4294967295"), IpnEndpointId.NULL, EndpointId.parse("ipn:0.0")},
        };
        for (EndpointId[] e : eids) {
            for (CrcType primaryCrc : new CrcType[] {CrcType.CRC16, CrcType.CRC32C}) {
                for (CrcType blockCrc : CrcType.values()) {
                    out.add(Arguments.of(e[0], e[1], e[2], primaryCrc, blockCrc));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest
    @MethodSource("combinations")
    void everyFieldSurvives(EndpointId dst, EndpointId src, EndpointId rpt, CrcType primaryCrc, CrcType blockCrc)
            throws Exception {
        boolean anonymous = src.isNull();
        long flags = anonymous ? BundleFlags.MUST_NOT_FRAGMENT
                : BundleFlags.STATUS_TIME_REQUESTED | BundleFlags.REPORT_DELIVERY | BundleFlags.APP_ACK_REQUESTED
                        | 1L << 40; // an unassigned flag is kept
        Bundle built = Bundle.builder().flags(flags).primaryCrc(primaryCrc).destination(dst).source(src)
                .reportTo(rpt).creationTimestamp(812_345_678_901L, 77).lifetime(3_600_000)
                .hopCount(new HopCount(64, 3), blockCrc).bundleAge(1234, blockCrc)
                .addBlock(200, BlockFlags.DISCARD_BLOCK_IF_UNPROCESSABLE | 1L << 33, blockCrc, Hex.bytes("00ff7f"))
                .payload(DATA, BlockFlags.DELETE_BUNDLE_IF_UNPROCESSABLE, blockCrc).build();
        byte[] wire = built.encode();
        assertEquals((byte) 0x9f, wire[0]);
        assertEquals((byte) 0xff, wire[wire.length - 1]);
        assertEquals(wire.length, built.encodedLength());

        Bundle b = BundleCodec.decode(wire);
        PrimaryBlock p = b.primary();
        assertEquals(flags, p.flags());
        assertEquals(primaryCrc, p.crcType());
        assertEquals(dst, p.destination());
        assertEquals(src, p.source());
        assertEquals(rpt, p.reportTo());
        for (EndpointId[] pair : new EndpointId[][] {{dst, p.destination()}, {src, p.source()}, {rpt, p.reportTo()}}) {
            if (pair[0] instanceof IpnEndpointId ipn && !ipn.isNull()) {
                assertEquals(ipn.threeElement(), ((IpnEndpointId) pair[1]).threeElement(), ipn.toString());
            }
        }
        assertEquals(812_345_678_901L, p.creationTime());
        assertEquals(77, p.sequenceNumber());
        assertEquals(3_600_000, p.lifetime());
        assertFalse(p.isFragment());
        assertEquals(-1, p.fragmentOffset());
        assertEquals(anonymous, !p.reportRequested(StatusReportKind.DELIVERY));
        assertEquals(new BundleId(src, 812_345_678_901L, 77, -1), b.bundleId());
        assertEquals(new HopCount(64, 3), b.hopCount());
        assertEquals(1234, b.bundleAge());
        assertNull(b.previousNode());
        CanonicalBlock unknown = b.firstBlockOfType(200);
        assertEquals(4, unknown.number());
        assertEquals(BlockFlags.DISCARD_BLOCK_IF_UNPROCESSABLE | 1L << 33, unknown.flags());
        assertEquals("00ff7f", Hex.of(unknown.data()));
        for (CanonicalBlock c : b.blocks()) {
            assertEquals(blockCrc, c.crcType());
        }
        assertArrayEquals(DATA, b.payloadBlock().dataBytes());
        assertEquals(BlockFlags.DELETE_BUNDLE_IF_UNPROCESSABLE, b.payloadBlock().flags());
        assertArrayEquals(wire, b.encode());
        assertEquals(built.primary(), p);
    }

    @Test
    void fragmentFieldsSurvive() throws Exception {
        Bundle built = Bundle.builder().destination(EndpointId.parse("ipn:2.1")).source(EndpointId.parse("ipn:1.1"))
                .creationTimestamp(5, 6).lifetime(7).fragment(1_000_000, 2_000_000).payload(DATA).build();
        Bundle b = BundleCodec.decode(built.encode());
        assertTrue(b.primary().isFragment());
        assertEquals(1_000_000, b.primary().fragmentOffset());
        assertEquals(2_000_000, b.primary().totalAduLength());
        assertEquals(1_000_000, b.bundleId().fragmentOffset());
        // 11 elements: 8 + offset + total + CRC
        assertEquals((byte) 0x8b, b.primary().encoded().get(0));
        assertArrayEquals(built.encode(), b.encode());
    }

    @Test
    void noClockBundleCarriesItsAge() throws Exception {
        Bundle b = BundleCodec.decode(Bundle.builder().destination(EndpointId.parse("ipn:2.1"))
                .source(EndpointId.parse("ipn:1.1")).creationTimestamp(0, 0).lifetime(1000).bundleAge(0, CrcType.NONE)
                .payload(DATA).build().encode());
        assertEquals(0, b.primary().creationTime());
        assertEquals(0, b.bundleAge());
    }

    @Test
    void builderAppliesTheDecoderRules() {
        BundleBuilder noAge = Bundle.builder().destination(EndpointId.parse("ipn:2.1"))
                .source(EndpointId.parse("ipn:1.1")).creationTimestamp(0, 0).lifetime(1000).payload(DATA);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, noAge::build);
        assertEquals(MalformedBundleException.Reason.MISSING_BUNDLE_AGE,
                ((MalformedBundleException) e.getCause()).reason());
        BundleBuilder anonymousReports = Bundle.builder().destination(EndpointId.parse("ipn:2.1"))
                .source(DtnEndpointId.NONE).flags(BundleFlags.MUST_NOT_FRAGMENT | BundleFlags.REPORT_RECEPTION)
                .creationTimestamp(1, 0).lifetime(1000).payload(DATA);
        assertThrows(IllegalArgumentException.class, anonymousReports::build);
        BundleBuilder noCrc = Bundle.builder().destination(EndpointId.parse("ipn:2.1"))
                .source(EndpointId.parse("ipn:1.1")).primaryCrc(CrcType.NONE).creationTimestamp(1, 0).lifetime(1)
                .payload(DATA);
        assertThrows(IllegalArgumentException.class, noCrc::build);
        assertThrows(IllegalStateException.class, () -> Bundle.builder().build());
        BundleBuilder adminAsksReport = Bundle.builder().destination(EndpointId.parse("ipn:2.0"))
                .source(EndpointId.parse("ipn:1.0")).flags(BundleFlags.ADMIN_RECORD).creationTimestamp(1, 0)
                .lifetime(1).payload(DATA, BlockFlags.REPORT_IF_UNPROCESSABLE, CrcType.NONE);
        assertThrows(IllegalArgumentException.class, adminAsksReport::build);
    }

    @Test
    void definiteOuterArrayIsAcceptedAndReEmittedIndefinite() throws Exception {
        String p = TestBundles.simplePrimary("00");
        byte[] definite = Hex.bytes("82" + p + TestBundles.PAYLOAD);
        Bundle b = BundleCodec.decode(definite);
        assertEquals("hello", new String(b.payloadBlock().dataBytes(), StandardCharsets.US_ASCII));
        assertEquals("9f" + p + TestBundles.PAYLOAD.replace(" ", "") + "ff", Hex.of(b.encode()));
        // The self-describe tag (RFC 9171 App. B) is accepted too.
        assertEquals(Hex.of(b.encode()), Hex.of(BundleCodec.decode(Hex.bytes("d9d9f7" + Hex.of(definite))).encode()));
    }

    @Test
    void nonShortestFormsAreAcceptedAndThePrimaryBlockIsKeptAsReceived() throws Exception {
        // version 18 07, flags 1a00000000, CRC type 1801, node numbers 1802 / 190001, lifetime 1b...
        String primary = TestBundles.primary("1807 1a00000000 1801 82 02 82 1802 01 82 02 82 190001 1a00000001"
                + " 8202820100 82 1b000000ba43b74000 00 1b0000000005265c00", CrcType.CRC16);
        // An unknown block with a non-shortest type and number, and a definite CRC-32C block.
        String unknown = TestBundles.block("18c0 1a00000002 00 02 4401020304", CrcType.CRC32C);
        byte[] wire = TestBundles.bundle(primary, unknown, TestBundles.PAYLOAD);
        Bundle b = BundleCodec.decode(wire);
        assertEquals(EndpointId.parse("ipn:2.1"), b.primary().destination());
        assertEquals(EndpointId.parse("ipn:1.1"), b.primary().source());
        assertEquals(86_400_000, b.primary().lifetime());
        assertEquals(192, b.blocks().get(0).type());
        assertEquals(2, b.blocks().get(0).number());
        assertArrayEquals(wire, b.encode());
        // Forwarding changes what it must and nothing else.
        Bundle fwd = b.edit().setPreviousNode(EndpointId.parse("ipn:9.0"), CrcType.CRC16).build();
        assertEquals(primary, Hex.of(fwd.primary().encoded()));
        assertEquals(unknown, Hex.of(fwd.blocks().get(0).encoded()));
        Bundle again = BundleCodec.decode(fwd.encode());
        assertEquals(primary, Hex.of(again.primary().encoded()));
        assertEquals(EndpointId.parse("ipn:9.0"), again.previousNode());
    }

    @Test
    void twoElementIpnWithAllocatorIsPreservedByteForByte() throws Exception {
        // ipn:977000.100.1 as a 2-element FQNN (RFC 9758 §6.1.1), which the EID model would re-encode
        // in the 3-element form: the primary block's bytes are what is forwarded.
        String primary = TestBundles.primary("070002 8202821b000ee8680000006401 " + TestBundles.IPN_1_1
                + TestBundles.IPN_1_0 + TestBundles.TS + TestBundles.LIFE, CrcType.CRC32C);
        Bundle b = BundleCodec.decode(TestBundles.bundle(primary, TestBundles.PAYLOAD));
        assertEquals(EndpointId.parse("ipn:977000.100.1"), b.primary().destination());
        Bundle fwd = b.edit().setBundleAge(5, CrcType.NONE).build();
        assertEquals(primary, Hex.of(fwd.primary().encoded()));
        assertTrue(Hex.of(fwd.encode()).contains("8202821b000ee8680000006401"));
    }

    @Test
    void indefiniteLengthBlockArraysAreAcceptedWithTheBreakUnderTheCrc() throws Exception {
        // [_ 1, 1, 0, 1, h'68656c6c6f', h'crc'] : the CRC covers the final break too.
        byte[] block = Hex.bytes("9f0101000145 68656c6c6f 42 0000 ff");
        long crc = Crc.compute(CrcType.CRC16, block, 0, 12, block.length);
        block[12] = (byte) (crc >> 8);
        block[13] = (byte) crc;
        byte[] wire = TestBundles.bundle(TestBundles.simplePrimary("00"), Hex.of(block));
        Bundle b = BundleCodec.decode(wire);
        assertEquals("68656c6c6f", Hex.of(b.payload()));
        assertArrayEquals(wire, b.encode());
        block[7] ^= 1; // a data byte
        byte[] bad = TestBundles.bundle(TestBundles.simplePrimary("00"), Hex.of(block));
        assertEquals(MalformedBundleException.Reason.CRC_MISMATCH,
                assertThrows(MalformedBundleException.class, () -> BundleCodec.decode(bad)).reason());
    }

    @Test
    void decodingSlicesTheInputInsteadOfCopying() throws Exception {
        byte[] wire = Bundle.builder().destination(EndpointId.parse("ipn:2.1")).source(EndpointId.parse("ipn:1.1"))
                .creationTimestamp(1, 0).lifetime(1).payload(DATA).build().encode();
        byte[] framed = new byte[wire.length + 10];
        System.arraycopy(wire, 0, framed, 7, wire.length);
        Bundle b = BundleCodec.decode(ByteBuffer.wrap(framed, 7, wire.length), DecodeLimits.DEFAULT);
        ByteBuffer payload = b.payload();
        assertTrue(payload.isReadOnly());
        assertEquals(DATA.length, payload.remaining());
        framed[7 + wire.length - 2] = 'X'; // last payload byte, in the input array
        assertEquals('X', payload.get(DATA.length - 1));

        ByteBuffer direct = ByteBuffer.allocateDirect(wire.length).put(wire).flip();
        assertArrayEquals(wire, BundleCodec.decode(direct, DecodeLimits.DEFAULT).encode());
        assertEquals(0, direct.position());
    }

    @Test
    void writeToStreamsTheSameBytes() throws Exception {
        Bundle b = BundleCodec.decode(Hex.bytes(GoldenVectorTest.hex(GoldenVectorTest.ION)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        b.writeTo(out);
        assertArrayEquals(b.encode(), out.toByteArray());
        Bundle built = b.edit().setBundleAge(1, CrcType.NONE).build();
        out.reset();
        built.writeTo(out);
        assertArrayEquals(built.encode(), out.toByteArray());
    }
}
