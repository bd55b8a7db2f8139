package org.bpsockets.bpv7;

import static org.bpsockets.bpv7.TestBundles.DTN_NONE;
import static org.bpsockets.bpv7.TestBundles.IPN_1_0;
import static org.bpsockets.bpv7.TestBundles.IPN_1_1;
import static org.bpsockets.bpv7.TestBundles.IPN_2_1;
import static org.bpsockets.bpv7.TestBundles.LIFE;
import static org.bpsockets.bpv7.TestBundles.PAYLOAD;
import static org.bpsockets.bpv7.TestBundles.TS;
import static org.bpsockets.bpv7.TestBundles.block;
import static org.bpsockets.bpv7.TestBundles.bundle;
import static org.bpsockets.bpv7.TestBundles.primary;
import static org.bpsockets.bpv7.TestBundles.simplePrimary;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.bpsockets.bpv7.MalformedBundleException.Reason;
import org.junit.jupiter.api.Test;

/** One test per decoder error path, each asserting the reason a node would count. */
class DecoderErrorTest {
    static final String P = simplePrimary("00");
    static final String AGE = "8507020000 4100";

    static void rejects(Reason reason, byte[] input) {
        rejects(reason, input, DecodeLimits.DEFAULT);
    }

    static void rejects(Reason reason, byte[] input, DecodeLimits limits) {
        MalformedBundleException e = assertThrows(MalformedBundleException.class,
                () -> BundleCodec.decode(input, limits));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    /** A primary block with these fields in place of the usual ones, CRC-16. */
    static String prim(String flags, String dst, String src, String ts, String extra) {
        return primary("07" + flags + "01" + dst + src + IPN_1_0 + ts + LIFE + extra, CrcType.CRC16);
    }

    @Test
    void theBaseBundleIsValid() {
        assertDoesNotThrow(() -> BundleCodec.decode(bundle(P, PAYLOAD)));
    }

    @Test
    void truncated() {
        byte[] ok = bundle(P, PAYLOAD);
        rejects(Reason.TRUNCATED, Arrays.copyOf(ok, ok.length - 1)); // no break
        rejects(Reason.TRUNCATED, Arrays.copyOf(ok, ok.length - 3)); // inside the payload data
        rejects(Reason.TRUNCATED, Arrays.copyOf(ok, 5)); // inside the primary block
        rejects(Reason.TRUNCATED, new byte[0]);
    }

    @Test
    void lengthPrefixBeyondTheInputIsRefusedBeforeAllocating() {
        // A payload declaring 2^31-1 bytes in a 60-byte input.
        rejects(Reason.TRUNCATED, bundle(P, "8501010000 5a7fffffff 00"));
        // ... and 2^63-1 bytes.
        rejects(Reason.TRUNCATED, bundle(P, "8501010000 5b7fffffffffffffff 00"));
    }

    @Test
    void badCbor() {
        rejects(Reason.BAD_CBOR, Hex.bytes("9f89071c00" + "00".repeat(40))); // reserved additional information 28
        rejects(Reason.BAD_CBOR, Hex.bytes("9f89ff" + "00".repeat(40))); // break where the version belongs
        rejects(Reason.BAD_CBOR, bundle(P, "8501010000 5f4100ff")); // indefinite-length block data
    }

    @Test
    void wrongType() {
        rejects(Reason.WRONG_TYPE, Hex.bytes("a0")); // a map, not a bundle
        rejects(Reason.WRONG_TYPE, Hex.bytes("9f896137" + "00".repeat(40))); // version as text
        rejects(Reason.WRONG_TYPE, bundle(P, "8501010000 6568656c6c6f")); // block data as text
        rejects(Reason.WRONG_TYPE, Hex.bytes("c0" + Hex.of(bundle(P, PAYLOAD)))); // tag 0
    }

    @Test
    void wrongArrayLength() {
        rejects(Reason.WRONG_ARRAY_LENGTH, bundle(primary("0700" + "01" + IPN_2_1 + IPN_1_1 + IPN_1_0 + TS,
                CrcType.CRC16), PAYLOAD)); // no lifetime: 8 elements with a CRC
        rejects(Reason.WRONG_ARRAY_LENGTH, bundle(P, "84010100 00")); // 4-element canonical block
        rejects(Reason.WRONG_ARRAY_LENGTH, bundle(P, block("01010002 4100", CrcType.NONE))); // CRC32C, 5 elements
        rejects(Reason.WRONG_ARRAY_LENGTH, Hex.bytes("80")); // empty bundle array
        rejects(Reason.WRONG_ARRAY_LENGTH, bundle(prim("00", IPN_2_1, IPN_1_1, "83000000", ""), PAYLOAD));
    }

    @Test
    void valueOutOfRange() {
        rejects(Reason.VALUE_OUT_OF_RANGE, bundle(primary("070001" + IPN_2_1 + IPN_1_1 + IPN_1_0 + TS
                + "1bffffffffffffffff", CrcType.CRC16), PAYLOAD)); // lifetime 2^64-1
    }

    @Test
    void unsupportedVersion() {
        rejects(Reason.UNSUPPORTED_VERSION, bundle(primary("060001" + IPN_2_1 + IPN_1_1 + IPN_1_0 + TS + LIFE,
                CrcType.CRC16), PAYLOAD));
    }

    @Test
    void badEid() {
        rejects(Reason.BAD_EID, bundle(prim("00", "82016461626364", IPN_1_1, TS, ""), PAYLOAD));
        rejects(Reason.BAD_EID, bundle(prim("00", "820283011b0000000100000000 01", IPN_1_1, TS, ""), PAYLOAD));
    }

    @Test
    void unknownEidScheme() {
        rejects(Reason.UNKNOWN_EID_SCHEME, bundle(prim("00", "82034100", IPN_1_1, TS, ""), PAYLOAD));
    }

    @Test
    void eidTooLong() {
        byte[] ud3tn = Hex.bytes(GoldenVectorTest.UD3TN);
        assertDoesNotThrow(() -> BundleCodec.decode(ud3tn, new DecodeLimits(1000, 4, 18)));
        rejects(Reason.EID_TOO_LONG, ud3tn, new DecodeLimits(1000, 4, 17));
    }

    @Test
    void unknownCrcType() {
        rejects(Reason.UNKNOWN_CRC_TYPE, bundle(primary("070003" + IPN_2_1 + IPN_1_1 + IPN_1_0 + TS + LIFE,
                CrcType.NONE), PAYLOAD));
        rejects(Reason.UNKNOWN_CRC_TYPE, bundle(P, "8501010003 4100"));
    }

    @Test
    void badCrcField() {
        // CRC-16 carried in 3 bytes
        rejects(Reason.BAD_CRC_FIELD, bundle(primary("070001" + IPN_2_1 + IPN_1_1 + IPN_1_0 + TS + LIFE + "43000000",
                CrcType.NONE), PAYLOAD));
        // CRC-32C carried in 2 bytes
        rejects(Reason.BAD_CRC_FIELD, bundle(P, "8601010002 4100 420000"));
    }

    @Test
    void crcMismatch() {
        byte[] b = bundle(P, block("01010002 45 68656c6c6f", CrcType.CRC32C));
        assertDoesNotThrow(() -> BundleCodec.decode(b));
        b[b.length - 8] ^= 0x20; // a payload byte
        rejects(Reason.CRC_MISMATCH, b);
        byte[] c = bundle(P, PAYLOAD);
        c[3] ^= 0x10; // a (reserved) flag bit of the primary block
        rejects(Reason.CRC_MISMATCH, c);
    }

    @Test
    void primaryCrcMissing() {
        rejects(Reason.PRIMARY_CRC_MISSING, bundle(primary("070000" + IPN_2_1 + IPN_1_1 + IPN_1_0 + TS + LIFE,
                CrcType.NONE), PAYLOAD));
        // A BIB that does not target block 0 does not help.
        rejects(Reason.PRIMARY_CRC_MISSING, bundle(primary("070000" + IPN_2_1 + IPN_1_1 + IPN_1_0 + TS + LIFE,
                CrcType.NONE), "850b020000 428101", PAYLOAD));
        assertDoesNotThrow(() -> BundleCodec.decode(bundle(primary("070000" + IPN_2_1 + IPN_1_1 + IPN_1_0 + TS
                + LIFE, CrcType.NONE), "850b020000 43820100", PAYLOAD)));
    }

    @Test
    void missingPayload() {
        rejects(Reason.MISSING_PAYLOAD, bundle(P, AGE));
        rejects(Reason.MISSING_PAYLOAD, bundle(P));
    }

    @Test
    void duplicatePayload() {
        rejects(Reason.DUPLICATE_PAYLOAD, bundle(P, PAYLOAD, PAYLOAD));
    }

    @Test
    void payloadNotLast() {
        rejects(Reason.PAYLOAD_NOT_LAST, bundle(P, PAYLOAD, AGE));
    }

    @Test
    void badBlockNumber() {
        // number 0 on a non-payload block is renumbered (ION's fragments, IonFragmentTest), but not on the payload
        rejects(Reason.BAD_BLOCK_NUMBER, bundle(P, "8501000000 4568656c6c6f"));
        rejects(Reason.BAD_BLOCK_NUMBER, bundle(P, "8507010000 4100", PAYLOAD)); // number 1 on a non-payload block
        rejects(Reason.BAD_BLOCK_NUMBER, bundle(P, "8501020000 4568656c6c6f")); // payload numbered 2
    }

    @Test
    void duplicateBlockNumber() {
        rejects(Reason.DUPLICATE_BLOCK_NUMBER, bundle(P, "8518c0020000 40", "8518c1020000 40", PAYLOAD));
    }

    @Test
    void duplicateExtensionBlock() {
        rejects(Reason.DUPLICATE_EXTENSION_BLOCK, bundle(P, AGE, "8507030000 4100", PAYLOAD));
        rejects(Reason.DUPLICATE_EXTENSION_BLOCK, bundle(P, "850a020000 43820100", "850a030000 43820100", PAYLOAD));
        rejects(Reason.DUPLICATE_EXTENSION_BLOCK, bundle(P, "8506020000 45" + IPN_1_0, "8506030000 45" + IPN_1_0,
                PAYLOAD));
    }

    @Test
    void badBlockData() {
        rejects(Reason.BAD_BLOCK_DATA, bundle(P, "8507020000 426161", PAYLOAD)); // age as text
        rejects(Reason.BAD_BLOCK_DATA, bundle(P, "8507020000 420000", PAYLOAD)); // age followed by a byte
        rejects(Reason.BAD_BLOCK_DATA, bundle(P, "850a020000 43820000", PAYLOAD)); // hop limit 0
        rejects(Reason.BAD_BLOCK_DATA, bundle(P, "850a020000 4582190100 00", PAYLOAD)); // hop limit 256
        rejects(Reason.BAD_BLOCK_DATA, bundle(P, "8506020000 4482016161", PAYLOAD)); // previous node "a"
        rejects(Reason.BAD_BLOCK_DATA, bundle(P, "8506020000 40", PAYLOAD)); // empty previous node
    }

    @Test
    void missingBundleAge() {
        String noClock = prim("00", IPN_2_1, IPN_1_1, "820000", "");
        rejects(Reason.MISSING_BUNDLE_AGE, bundle(noClock, PAYLOAD));
        assertDoesNotThrow(() -> BundleCodec.decode(bundle(noClock, AGE, PAYLOAD)));
    }

    @Test
    void inconsistentFlags() {
        // administrative record asking for a reception report
        rejects(Reason.INCONSISTENT_FLAGS, bundle(prim("194002", IPN_2_1, IPN_1_1, TS, ""), PAYLOAD));
        // anonymous source without must-not-fragment
        rejects(Reason.INCONSISTENT_FLAGS, bundle(prim("00", IPN_2_1, DTN_NONE, TS, ""), PAYLOAD));
        // anonymous source asking for a deletion report
        rejects(Reason.INCONSISTENT_FLAGS, bundle(prim("1a00040004", IPN_2_1, DTN_NONE, TS, ""), PAYLOAD));
        // ipn:0.0 is anonymous too
        rejects(Reason.INCONSISTENT_FLAGS, bundle(prim("00", IPN_2_1, "8202820000", TS, ""), PAYLOAD));
        // An administrative record with a block asking for a report if unprocessable breaks RFC 9171 §4.2.4
        // too, but harmlessly (no report is sent): accepted, and only refused when we build one.
        assertDoesNotThrow(() -> BundleCodec.decode(bundle(prim("02", IPN_2_1, IPN_1_1, TS, ""), "8501010200 4100")));
        assertDoesNotThrow(() -> BundleCodec.decode(bundle(prim("04", IPN_2_1, DTN_NONE, TS, ""), PAYLOAD)));
    }

    @Test
    void fragmentFieldsMismatch() {
        rejects(Reason.FRAGMENT_FIELDS_MISMATCH, bundle(prim("01", IPN_2_1, IPN_1_1, TS, ""), PAYLOAD));
        rejects(Reason.FRAGMENT_FIELDS_MISMATCH, bundle(prim("00", IPN_2_1, IPN_1_1, TS, "000a"), PAYLOAD));
    }

    @Test
    void fragmentOutOfRange() {
        assertDoesNotThrow(() -> BundleCodec.decode(bundle(prim("01", IPN_2_1, IPN_1_1, TS, "070c"), PAYLOAD)));
        rejects(Reason.FRAGMENT_OUT_OF_RANGE, bundle(prim("01", IPN_2_1, IPN_1_1, TS, "080c"), PAYLOAD));
        rejects(Reason.FRAGMENT_OUT_OF_RANGE, bundle(prim("01", IPN_2_1, IPN_1_1, TS, "0d0c"), PAYLOAD));
    }

    @Test
    void bundleTooLarge() {
        byte[] ok = bundle(P, PAYLOAD);
        rejects(Reason.BUNDLE_TOO_LARGE, ok, new DecodeLimits(ok.length - 1, 8, 64));
        MalformedBundleException e = assertThrows(MalformedBundleException.class,
                () -> BundleCodec.decode(ByteBuffer.wrap(ok), new DecodeLimits(ok.length - 1, 8, 64)));
        assertEquals(Reason.BUNDLE_TOO_LARGE, e.reason());
    }

    @Test
    void tooManyBlocks() {
        byte[] three = bundle(P, AGE, "8518c0030000 40", PAYLOAD);
        assertDoesNotThrow(() -> BundleCodec.decode(three, new DecodeLimits(1000, 3, 64)));
        rejects(Reason.TOO_MANY_BLOCKS, three, new DecodeLimits(1000, 2, 64));
        // A definite-length bundle array declaring 4 canonical blocks is refused before they are read.
        rejects(Reason.TOO_MANY_BLOCKS, Hex.bytes("85" + P), new DecodeLimits(1000, 3, 64));
    }

    @Test
    void trailingBytes() {
        byte[] ok = bundle(P, PAYLOAD);
        byte[] more = Arrays.copyOf(ok, ok.length + 1);
        rejects(Reason.TRAILING_BYTES, more);
    }
}
