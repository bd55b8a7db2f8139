package org.bpsockets.bpv7;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * CRC parameters and block CRC coverage. The block vectors are canonical blocks as other
 * implementations encoded them (dtn7-go and NASA bplib bundles found in public repositories); their
 * CRC values were also re-derived with an independent bitwise implementation while writing this test.
 */
class CrcTest {

    @Test
    void checkValuesOfBothAlgorithms() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0x906E, Crc.crc16X25(check, 0, check.length)); // CRC-16/X-25 catalogue check value
        assertEquals(0xE3069283L, Crc.crc32c(check, 0, check.length)); // CRC-32C (RFC 3720 / 7143)
    }

    @Test
    void dtn7GoHopCountBlockWithCrc16() {
        // [10, 2, 0, 1, h'82181e00' ([30, 0]), h'3d78']
        CanonicalBlock b = CanonicalBlock.of(BlockType.HOP_COUNT, 2, 0, CrcType.CRC16,
                ExtensionBlocks.encodeHopCount(new HopCount(30, 0)));
        assertEquals("860a020001448218 1e00423d78".replace(" ", ""), Hex.of(b.encoded()));
    }

    @Test
    void dtn7GoBundleAgeAndPayloadBlocksWithCrc16() {
        CanonicalBlock age = CanonicalBlock.of(BlockType.BUNDLE_AGE, 3, 0, CrcType.CRC16,
                ExtensionBlocks.encodeBundleAge(0));
        assertEquals("860703000141004237ed", Hex.of(age.encoded()));
        CanonicalBlock payload = CanonicalBlock.of(BlockType.PAYLOAD, 1, 0, CrcType.CRC16,
                "Hello World!".getBytes(StandardCharsets.US_ASCII));
        assertEquals("86010100014c48656c6c6f20576f726c64214204a7", Hex.of(payload.encoded()));
    }

    @Test
    void crc32cBlockAsNasaBslEncodesIt() {
        // Payload block of a NASA BPSec Library loopback test bundle: data is the CBOR text "hello".
        CanonicalBlock b = CanonicalBlock.of(BlockType.PAYLOAD, 1, 0, CrcType.CRC32C, Hex.bytes("6568656c6c6f"));
        assertEquals("8601010002466568656c6c6f444ec359d2", Hex.of(b.encoded()));
    }

    @Test
    void computeTreatsValueBytesAsZero() {
        byte[] block = Hex.bytes("860703000141004237ed");
        assertEquals(0x37ED, Crc.compute(CrcType.CRC16, block, 0, 8, block.length));
        block[8] = 0x55; // whatever is in the value bytes does not matter
        assertEquals(0x37ED, Crc.compute(CrcType.CRC16, block, 0, 8, block.length));
        Crc.seal(CrcType.CRC16, block, 0, block.length);
        assertEquals("860703000141004237ed", Hex.of(block));
    }
}
