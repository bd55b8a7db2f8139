package org.bpsockets.bpv7;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.MalformedBundleException.Reason;
import org.junit.jupiter.api.Test;

/** Data of the Previous Node, Bundle Age and Hop Count blocks (RFC 9171 §4.4). */
class ExtensionBlocksTest {

    static Reason failure(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(MalformedBundleException.class, e).reason();
    }

    @Test
    void encodingsAreShortest() {
        assertEquals("8202820500", Hex.of(ExtensionBlocks.encodePreviousNode(EndpointId.parse("ipn:5.0"))));
        assertEquals("8201672f2f6e6f64652f", Hex.of(ExtensionBlocks.encodePreviousNode(EndpointId.parse("dtn://node/"))));
        assertEquals("00", Hex.of(ExtensionBlocks.encodeBundleAge(0)));
        assertEquals("1903e8", Hex.of(ExtensionBlocks.encodeBundleAge(1000)));
        assertEquals("8218ff1820", Hex.of(ExtensionBlocks.encodeHopCount(new HopCount(255, 32))));
        assertThrows(IllegalArgumentException.class, () -> ExtensionBlocks.encodeBundleAge(-1));
        assertThrows(IllegalArgumentException.class, () -> new HopCount(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new HopCount(256, 0));
    }

    @Test
    void decodersAcceptNonShortestFormsAndReadOnlyBuffers() throws Exception {
        assertEquals(EndpointId.parse("ipn:5.0"),
                ExtensionBlocks.decodePreviousNode(ByteBuffer.wrap(Hex.bytes("82028218051800")).asReadOnlyBuffer()));
        assertEquals(1000, ExtensionBlocks.decodeBundleAge(ByteBuffer.wrap(Hex.bytes("1a000003e8"))));
        assertEquals(new HopCount(30, 2), ExtensionBlocks.decodeHopCount(ByteBuffer.wrap(Hex.bytes("82181e1802"))));
        ByteBuffer direct = ByteBuffer.allocateDirect(3).put(Hex.bytes("1903e8")).flip();
        assertEquals(1000, ExtensionBlocks.decodeBundleAge(direct));
    }

    @Test
    void everyProblemIsBadBlockData() {
        assertEquals(Reason.BAD_BLOCK_DATA, failure(() -> ExtensionBlocks.decodeBundleAge(ByteBuffer.wrap(Hex.bytes("20")))));
        assertEquals(Reason.BAD_BLOCK_DATA, failure(() -> ExtensionBlocks.decodeBundleAge(ByteBuffer.allocate(0))));
        assertEquals(Reason.BAD_BLOCK_DATA, failure(() -> ExtensionBlocks.decodeHopCount(ByteBuffer.wrap(Hex.bytes("83010203")))));
        assertEquals(Reason.BAD_BLOCK_DATA, failure(() -> ExtensionBlocks.decodePreviousNode(ByteBuffer.wrap(Hex.bytes("8202820500 00")))));
        MalformedBundleException e = assertThrows(MalformedBundleException.class,
                () -> ExtensionBlocks.decodeHopCount(ByteBuffer.wrap(Hex.bytes("820001"))));
        assertTrue(e.getMessage().contains("hop limit"), e.getMessage());
    }

    @Test
    void qualityOfServiceIsIonsFourIntegerArray() throws Exception {
        // What ION 4.1's qos_serialize writes for expedited, ordinal 7: [flags 0, cos 2, ordinal 7, label 0].
        assertEquals("8400020700", Hex.of(ExtensionBlocks.encodeQualityOfService(QualityOfService.of(2, 7))));
        assertEquals(new QualityOfService(1, 0, 0, 300),
                ExtensionBlocks.decodeQualityOfService(ByteBuffer.wrap(Hex.bytes("84010000190" + "12c"))));
        assertEquals(Reason.BAD_BLOCK_DATA,
                failure(() -> ExtensionBlocks.decodeQualityOfService(ByteBuffer.wrap(Hex.bytes("8400030000")))));
        assertEquals(Reason.BAD_BLOCK_DATA,
                failure(() -> ExtensionBlocks.decodeQualityOfService(ByteBuffer.wrap(Hex.bytes("83000200")))));
    }
}
