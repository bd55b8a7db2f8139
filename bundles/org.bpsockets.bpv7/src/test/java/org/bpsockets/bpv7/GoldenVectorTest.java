package org.bpsockets.bpv7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.bpsockets.api.eid.DtnEndpointId;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.IpnEndpointId;
import org.bpsockets.bpv7.MalformedBundleException.Reason;
import org.junit.jupiter.api.Test;

/**
 * Whole bundles checked byte for byte. Sources:
 * <ul>
 * <li>RFC 9173 Appendix A.3 (bytes of the RFC; transcription as in the hardy project's tests);</li>
 * <li>RFC 9173 Appendix A.1 with a valid creation time and a primary CRC-16, as the hardy project
 * (ricktaylor/hardy) encodes it;</li>
 * <li>a dtn-scheme CRC-32C bundle from the NASA BPSec Library's loopback test;</li>
 * <li>the sample bundle of NASA bplib (CRC-16 on every block);</li>
 * <li>the forms ION 4.1.3 and µD3TN v0.13.0 send (docs: shared/ref/bundle-protocol.md), assembled from
 * the RFC 9171 layouts; their CRCs were computed with an independent bitwise implementation.</li>
 * </ul>
 * For the public vectors the CRCs come from other implementations, so matching them checks this
 * codec's CRC coverage; rebuilding them from fields checks the encoder.
 */
class GoldenVectorTest {

    static final String RFC9173_A3 = "9f88070000820282010282028202018202820201820018281a000f4240850b030000"
            + "585c8200020101820282030082820105820300828182015820cac6ce8e4c5dae57988b757e49a6dd1431dc04763541"
            + "b2845098265bc817241b81820158203ed614c0d97f49b3633627779aa18a338d212bf3c92b97759d9739cd50725596"
            + "850c04010058348101020182028202018382014c5477656c7665313231323132820201820400818182"
            + "0150efa4b5ac0108e3816c5606479801bc0485070200004319012c850101000058233a09c1e63fe23a7f66a59c73"
            + "03837241e070b02619fc59c5214a22f08cd70795e73e9aff";

    static final String HARDY_A1_CRC16 = "9f89070001820282010282028202018202820201820118281a000f424042e4fe850b0200"
            + "005856810101018202820201828201078203008181820158403bdc69b3a34a2b5d3a8554368bd1e808f606219d2a10"
            + "a846eae3886ae4ecc83c4ee550fdfb1cc636b904e2f1a73e303dcd4b6ccece003e95e8164dcc89a156e18501010000"
            + "5823526561647920746f2067656e657261746520612033322d62797465207061796c6f6164ff";

    static final String BSL_DTN_CRC32C = "9f890700028201692f2f6473742f7376638201692f2f7372632f7376638201662f2f"
            + "7372632f821b000000bd51281400001a000f42404482a081c98601010002466568656c6c6f444ec359d2ff";

    static final String BPLIB_SAMPLE = "9f8907040182028218c801820282186401820282186401821b000000afe9537a38001a"
            + "0036ee80420b19861849184900014682028218640a42674786010100015400000000000000"
            + "0c68656c6c6f20776f726c640a427a2fff";

    /** ION 4.1.3: primary CRC-16, flags 0x40; Previous Node, type 193, Bundle Age, payload; no CRC on them. */
    static final String ION = "9f8907184001820282020182028201018202820100821b000000ba43b74000001a05265c00"
            + "426a4f" + "8506020000458202820100" + "8518c10301004483000100" + "85070400004218 64"
            + "85010100004b68656c6c6f20776f726c64ff";

    /** ION 4.1.3 with an anonymous source: flags 0x44. */
    static final String ION_ANONYMOUS = "9f89071844018202820201820100820100821b000000ba43b74000001a05265c00"
            + "42e84c" + "8507020000421864" + "85010100004b68656c6c6f20776f726c64ff";

    /** µD3TN v0.13.0: dtn scheme, primary CRC-16, payload block without CRC. */
    static final String UD3TN = "9f890700018201722f2f622e64746e2f62756e646c6573696e6b82016e2f2f612e64746e2f"
            + "73656e6465728201682f2f612e64746e2f821b000000ba43b74000011a05265c00424c1a"
            + "85010100004568656c6c6fff";

    static Bundle decode(String hex) throws MalformedBundleException {
        return BundleCodec.decode(Hex.bytes(hex));
    }

    static String hex(String s) {
        return s.replace(" ", "");
    }

    @Test
    void rfc9173AppendixA3() throws Exception {
        Bundle b = decode(RFC9173_A3);
        PrimaryBlock p = b.primary();
        assertEquals(7, p.version());
        assertEquals(0, p.flags());
        assertEquals(CrcType.NONE, p.crcType()); // accepted: the BIB (block 3) targets block 0
        assertEquals(EndpointId.parse("ipn:1.2"), p.destination());
        assertEquals(EndpointId.parse("ipn:2.1"), p.source());
        assertEquals(EndpointId.parse("ipn:2.1"), p.reportTo());
        assertEquals(0, p.creationTime());
        assertEquals(40, p.sequenceNumber());
        assertEquals(1_000_000, p.lifetime());
        assertEquals(List.of(11L, 12L, 7L, 1L), b.blocks().stream().map(CanonicalBlock::type).toList());
        assertEquals(List.of(3L, 4L, 2L, 1L), b.blocks().stream().map(CanonicalBlock::number).toList());
        assertEquals(BlockFlags.REPLICATE_IN_EVERY_FRAGMENT, b.block(4).flags());
        assertEquals(300, b.bundleAge());
        assertEquals(35, b.payloadLength());
        assertEquals(RFC9173_A3, Hex.of(b.encode()));
    }

    @Test
    void rfc9173WithoutItsBibHasAnUnprotectedPrimaryBlock() throws Exception {
        Bundle b = decode(RFC9173_A3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> b.edit().removeBlock(3).build());
        assertEquals(Reason.PRIMARY_CRC_MISSING, ((MalformedBundleException) e.getCause()).reason());
    }

    @Test
    void hardyRfc9173A1WithPrimaryCrc16() throws Exception {
        Bundle b = decode(HARDY_A1_CRC16);
        assertEquals(CrcType.CRC16, b.primary().crcType());
        assertEquals(1, b.primary().creationTime());
        assertEquals(40, b.primary().sequenceNumber());
        CanonicalBlock bib = b.block(2);
        assertEquals(BlockType.BLOCK_INTEGRITY, bib.type());
        assertEquals(0x56, bib.dataLength());
        assertEquals("Ready to generate a 32-byte payload",
                new String(b.payloadBlock().dataBytes(), StandardCharsets.US_ASCII));
        assertEquals(HARDY_A1_CRC16, Hex.of(b.encode()));

        // Rebuilt from fields, the encoder computes the same primary CRC (e4fe).
        Bundle rebuilt = Bundle.builder().primaryCrc(CrcType.CRC16)
                .destination(EndpointId.parse("ipn:1.2")).source(EndpointId.parse("ipn:2.1"))
                .reportTo(EndpointId.parse("ipn:2.1")).creationTimestamp(1, 40).lifetime(1_000_000)
                .addBlock(CanonicalBlock.of(BlockType.BLOCK_INTEGRITY, 2, 0, CrcType.NONE, bib.dataBytes()))
                .payload(b.payloadBlock().dataBytes()).build();
        assertEquals(HARDY_A1_CRC16, Hex.of(rebuilt.encode()));
    }

    @Test
    void nasaBslDtnBundleWithCrc32c() throws Exception {
        Bundle b = decode(BSL_DTN_CRC32C);
        PrimaryBlock p = b.primary();
        assertEquals(CrcType.CRC32C, p.crcType());
        assertEquals(DtnEndpointId.of("dst", "svc"), p.destination());
        assertEquals(DtnEndpointId.of("src", "svc"), p.source());
        assertEquals(DtnEndpointId.of("src", ""), p.reportTo());
        assertEquals(0xbd51281400L, p.creationTime());
        assertEquals(1_000_000, p.lifetime());
        assertEquals(CrcType.CRC32C, b.payloadBlock().crcType());
        assertEquals("6568656c6c6f", Hex.of(b.payload()));

        Bundle rebuilt = Bundle.builder().primaryCrc(CrcType.CRC32C).destination(p.destination())
                .source(p.source()).reportTo(p.reportTo()).creationTimestamp(0xbd51281400L, 0)
                .lifetime(1_000_000).payload(Hex.bytes("6568656c6c6f"), 0, CrcType.CRC32C).build();
        assertEquals(BSL_DTN_CRC32C, Hex.of(rebuilt.encode()));
    }

    @Test
    void nasaBplibSampleWithCrc16OnEveryBlock() throws Exception {
        Bundle b = decode(BPLIB_SAMPLE);
        PrimaryBlock p = b.primary();
        assertTrue(p.mustNotFragment());
        assertEquals(EndpointId.parse("ipn:200.1"), p.destination());
        assertEquals(EndpointId.parse("ipn:100.1"), p.source());
        assertEquals(0xafe9537a38L, p.creationTime());
        assertEquals(3_600_000, p.lifetime());
        CanonicalBlock unknown = b.blocks().get(0);
        assertEquals(73, unknown.type());
        assertEquals(73, unknown.number());
        assertEquals(CrcType.CRC16, unknown.crcType());
        assertEquals("82028218640a", Hex.of(unknown.data()));
        assertEquals(20, b.payloadLength());

        Bundle rebuilt = Bundle.builder().flags(BundleFlags.MUST_NOT_FRAGMENT).primaryCrc(CrcType.CRC16)
                .destination(p.destination()).source(p.source()).reportTo(p.reportTo())
                .creationTimestamp(0xafe9537a38L, 0).lifetime(3_600_000)
                .addBlock(CanonicalBlock.of(73, 73, 0, CrcType.CRC16, Hex.bytes("82028218640a")))
                .payload(b.payloadBlock().dataBytes(), 0, CrcType.CRC16).build();
        assertEquals(BPLIB_SAMPLE, Hex.of(rebuilt.encode()));
    }

    @Test
    void ionForm() throws Exception {
        String vector = hex(ION);
        Bundle b = decode(vector);
        PrimaryBlock p = b.primary();
        assertEquals(BundleFlags.STATUS_TIME_REQUESTED, p.flags());
        assertEquals(CrcType.CRC16, p.crcType());
        assertEquals(EndpointId.parse("ipn:2.1"), p.destination());
        assertEquals(EndpointId.parse("ipn:1.1"), p.source());
        assertEquals(EndpointId.parse("ipn:1.0"), p.reportTo());
        assertEquals(800_000_000_000L, p.creationTime());
        assertEquals(86_400_000, p.lifetime());
        assertEquals(List.of(6L, 193L, 7L, 1L), b.blocks().stream().map(CanonicalBlock::type).toList());
        assertTrue(b.blocks().stream().allMatch(x -> x.crcType() == CrcType.NONE));
        assertEquals(EndpointId.parse("ipn:1.0"), b.previousNode());
        assertEquals(100, b.bundleAge());
        CanonicalBlock qos = b.block(3);
        assertEquals(BlockFlags.REPLICATE_IN_EVERY_FRAGMENT, qos.flags());
        assertEquals("83000100", Hex.of(qos.data()));
        assertEquals("hello world", new String(b.payloadBlock().dataBytes(), StandardCharsets.US_ASCII));
        assertEquals(vector, Hex.of(b.encode()));

        Bundle rebuilt = Bundle.builder().flags(0x40).primaryCrc(CrcType.CRC16).destination(p.destination())
                .source(p.source()).reportTo(p.reportTo()).creationTimestamp(800_000_000_000L, 0)
                .lifetime(86_400_000).previousNode(EndpointId.parse("ipn:1.0"), CrcType.NONE)
                .addBlock(193, BlockFlags.REPLICATE_IN_EVERY_FRAGMENT, CrcType.NONE, Hex.bytes("83000100"))
                .bundleAge(100, CrcType.NONE).payload("hello world".getBytes(StandardCharsets.US_ASCII)).build();
        assertEquals(vector, Hex.of(rebuilt.encode()));
    }

    @Test
    void ionAnonymousForm() throws Exception {
        String vector = hex(ION_ANONYMOUS);
        Bundle b = decode(vector);
        assertEquals(0x44, b.primary().flags());
        assertTrue(b.primary().source().isNull());
        assertEquals(DtnEndpointId.NONE, b.primary().source());
        assertNull(b.previousNode());
        assertEquals(vector, Hex.of(b.encode()));
    }

    @Test
    void ud3tnForm() throws Exception {
        Bundle b = decode(UD3TN);
        PrimaryBlock p = b.primary();
        assertEquals(0, p.flags());
        assertEquals(CrcType.CRC16, p.crcType());
        assertEquals(EndpointId.parse("dtn://b.dtn/bundlesink"), p.destination());
        assertEquals(EndpointId.parse("dtn://a.dtn/sender"), p.source());
        assertEquals(EndpointId.parse("dtn://a.dtn/"), p.reportTo());
        assertEquals(1, p.sequenceNumber());
        assertEquals(1, b.blocks().size());
        assertEquals(CrcType.NONE, b.payloadBlock().crcType());
        assertEquals(UD3TN, Hex.of(b.encode()));

        Bundle rebuilt = Bundle.builder().primaryCrc(CrcType.CRC16).destination(p.destination())
                .source(p.source()).reportTo(p.reportTo()).creationTimestamp(800_000_000_000L, 1)
                .lifetime(86_400_000).payload("hello".getBytes(StandardCharsets.US_ASCII)).build();
        assertEquals(UD3TN, Hex.of(rebuilt.encode()));
    }

    @Test
    void nasaBslBundleWithoutPrimaryCrcIsRefused() {
        // Also from the BPSec Library's tests: primary CRC type 0 and no BIB. RFC 9171 §4.3.1 requires a CRC.
        MalformedBundleException e = assertThrows(MalformedBundleException.class,
                () -> decode("9f88070000820282030482028201028202820000821903e81903e900850101000043010203ff"));
        assertEquals(Reason.PRIMARY_CRC_MISSING, e.reason());
    }

    @Test
    void everyGoldenVectorFailsOnAnyFlippedCrcBit() throws Exception {
        for (String v : new String[] {HARDY_A1_CRC16, BSL_DTN_CRC32C, BPLIB_SAMPLE, hex(ION), UD3TN}) {
            byte[] b = Hex.bytes(v);
            // The primary block's CRC value: the 2 or 4 bytes before the first canonical block.
            Bundle ok = BundleCodec.decode(b);
            int end = 1 + ok.primary().encodedLength();
            b[end - 1] ^= 0x01;
            MalformedBundleException e = assertThrows(MalformedBundleException.class, () -> BundleCodec.decode(b));
            assertEquals(Reason.CRC_MISMATCH, e.reason());
            assertFalse(e.getMessage().isEmpty());
        }
        assertEquals(IpnEndpointId.class, decode(BPLIB_SAMPLE).primary().source().getClass());
    }
}
