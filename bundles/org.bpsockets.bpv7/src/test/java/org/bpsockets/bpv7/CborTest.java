package org.bpsockets.bpv7;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;

import org.bpsockets.bpv7.MalformedBundleException.Reason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CborTest {

    // RFC 8949 §3.1 / Appendix A: shortest heads at every boundary.
    @ParameterizedTest
    @CsvSource({
        "0, 40", "23, 57", "24, 5818", "255, 58ff", "256, 590100", "65535, 59ffff",
        "65536, 5a00010000", "4294967295, 5affffffff", "4294967296, 5b0000000100000000"})
    void byteStringHeaderIsShortest(long length, String hex) throws Exception {
        assertEquals(hex, Hex.of(Cbor.byteStringHeader(length)));
        assertEquals(hex.length() / 2, Cbor.byteStringHeaderSize(length));
        ByteBuffer b = ByteBuffer.wrap(Hex.bytes(hex));
        assertEquals(length, Cbor.readByteStringHeader(b));
        assertFalse(b.hasRemaining());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Cbor.writeByteStringHeader(length, out);
        assertEquals(hex, Hex.of(out.toByteArray()));
        assertEquals(length, Cbor.readByteStringHeader(new ByteArrayInputStream(Hex.bytes(hex))));
    }

    @Test
    void byteStringHeaderAcceptsNonShortestForms() throws Exception {
        // dtn7-go frames short bundles as 58 nn.
        assertEquals(5, Cbor.readByteStringHeader(ByteBuffer.wrap(Hex.bytes("5805"))));
        assertEquals(5, Cbor.readByteStringHeader(ByteBuffer.wrap(Hex.bytes("5b0000000000000005"))));
    }

    @Test
    void partialHeaderLeavesBufferUntouched() throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Hex.bytes("5a0001"));
        assertEquals(-1, Cbor.readByteStringHeader(b));
        assertEquals(0, b.position());
        assertEquals(-1, Cbor.readByteStringHeader(ByteBuffer.allocate(0)));
    }

    @Test
    void streamHeaderEndsCleanlyOrNot() throws Exception {
        assertEquals(-1, Cbor.readByteStringHeader(new ByteArrayInputStream(new byte[0])));
        assertThrows(EOFException.class, () -> Cbor.readByteStringHeader(new ByteArrayInputStream(Hex.bytes("5900"))));
    }

    @Test
    void headerRejectsOtherItems() {
        assertEquals(Reason.WRONG_TYPE, assertThrows(MalformedBundleException.class,
                () -> Cbor.readByteStringHeader(ByteBuffer.wrap(Hex.bytes("6161")))).reason());
        assertEquals(Reason.BAD_CBOR, assertThrows(MalformedBundleException.class,
                () -> Cbor.readByteStringHeader(ByteBuffer.wrap(Hex.bytes("5f41ff")))).reason());
        assertEquals(Reason.BAD_CBOR, assertThrows(MalformedBundleException.class,
                () -> Cbor.readByteStringHeader(ByteBuffer.wrap(Hex.bytes("5c")))).reason());
        assertEquals(Reason.VALUE_OUT_OF_RANGE, assertThrows(MalformedBundleException.class,
                () -> Cbor.readByteStringHeader(ByteBuffer.wrap(Hex.bytes("5b8000000000000000")))).reason());
        assertThrows(IllegalArgumentException.class, () -> Cbor.byteStringHeader(-1));
    }

    @ParameterizedTest
    @CsvSource({"0, 00", "23, 17", "24, 1818", "100, 1864", "1000, 1903e8", "1000000, 1a000f4240",
        "1000000000000, 1b000000e8d4a51000", "-1, 1bffffffffffffffff"})
    void writerUsesShortestIntegersAndReaderReadsThem(long value, String hex) throws Exception {
        CborWriter w = new CborWriter(1);
        w.uint(value);
        assertEquals(hex, Hex.of(w.toByteArray()));
        CborReader r = new CborReader(w.array(), 0, w.length());
        assertEquals(value, r.readUint("x"));
        assertEquals(0, r.remaining());
    }

    @Test
    void readerAcceptsNonShortestIntegers() throws Exception {
        for (String hex : new String[] {"05", "1805", "190005", "1a00000005", "1b0000000000000005"}) {
            byte[] b = Hex.bytes(hex);
            assertEquals(5, new CborReader(b, 0, b.length).readUint("x"), hex);
        }
    }

    @Test
    void readerChecksLengthsBeforeAnyoneAllocates() {
        byte[] huge = Hex.bytes("5b7fffffffffffffff00");
        MalformedBundleException e = assertThrows(MalformedBundleException.class,
                () -> new CborReader(huge, 0, huge.length).readStringHead(CborReader.BYTES, "data"));
        assertEquals(Reason.TRUNCATED, e.reason());
        byte[] array = Hex.bytes("9b00000000ffffffff01");
        assertEquals(Reason.TRUNCATED, assertThrows(MalformedBundleException.class,
                () -> new CborReader(array, 0, array.length).readArray("a")).reason());
    }

    @Test
    void readerRejectsReservedAndMisplacedItems() {
        for (String hex : new String[] {"1c", "ff", "5f"}) {
            byte[] b = Hex.bytes(hex);
            assertEquals(Reason.BAD_CBOR, assertThrows(MalformedBundleException.class,
                    () -> new CborReader(b, 0, b.length).readStringHead(CborReader.BYTES, "x")).reason(), hex);
        }
        byte[] neg = Hex.bytes("20");
        assertEquals(Reason.WRONG_TYPE, assertThrows(MalformedBundleException.class,
                () -> new CborReader(neg, 0, 1).readUint("x")).reason());
        byte[] cut = Hex.bytes("1a0000");
        assertEquals(Reason.TRUNCATED, assertThrows(MalformedBundleException.class,
                () -> new CborReader(cut, 0, 3).readUint("x")).reason());
    }

    @Test
    void skipWalksNestedAndIndefiniteItems() throws Exception {
        // [1, {"a": h'01'}, [_ 2, 3], (_ h'01', h'02'), 1.5 (half), tag 24 h'00', true] then 0x07
        byte[] b = Hex.bytes("87 01 a1 6161 4101 9f 02 03 ff 5f 4101 4102 ff f93e00 d818 4100 f5 07");
        CborReader r = new CborReader(b, 0, b.length);
        r.skip("x");
        assertEquals(7, r.readUint("y"));
        assertEquals(0, r.remaining());
    }

    @Test
    void skipRefusesDeepNesting() {
        byte[] b = new byte[40];
        java.util.Arrays.fill(b, (byte) 0x81);
        assertEquals(Reason.BAD_CBOR, assertThrows(MalformedBundleException.class,
                () -> new CborReader(b, 0, b.length).skip("x")).reason());
    }

    @Test
    void textAndBoolRoundTrip() throws Exception {
        CborWriter w = new CborWriter(4);
        w.ascii("//node/x").bool(true).bool(false);
        assertArrayEquals(Hex.bytes("682f2f6e6f64652f78f5f4"), w.toByteArray());
        CborReader r = new CborReader(w.array(), 0, w.length());
        assertEquals(8, r.readStringHead(CborReader.TEXT, "t"));
        r.pos += 8;
        assertTrue(r.readBool("b"));
        assertFalse(r.readBool("b"));
    }
}
