package org.bpsockets.bpv7;

/** Hand-assembled bundle pieces for tests, built from the RFC 9171 layouts. */
final class TestBundles {
    static final String IPN_1_0 = "8202820100";
    static final String IPN_1_1 = "8202820101";
    static final String IPN_2_1 = "8202820201";
    static final String DTN_NONE = "820100";
    /** Creation timestamp [800000000000, 0]. */
    static final String TS = "821b000000ba43b7400000";
    /** Lifetime 86400000 ms. */
    static final String LIFE = "1a05265c00";
    /** A payload block [1, 1, 0, 0, h'68656c6c6f'] ("hello"). */
    static final String PAYLOAD = "8501010000 4568656c6c6f";

    private TestBundles() {
    }

    /**
     * A primary block: array head for the number of items in {@code fieldsHex} (plus the CRC),
     * the fields, and the CRC of the given type, computed.
     */
    static String primary(String fieldsHex, CrcType crc) {
        return block(fieldsHex, crc);
    }

    /** Any block array from its fields, with a computed CRC appended when crc is not NONE. */
    static String block(String fieldsHex, CrcType crc) {
        byte[] fields = Hex.bytes(fieldsHex);
        int items = count(fields) + (crc == CrcType.NONE ? 0 : 1);
        int n = crc.valueLength();
        byte[] out = new byte[1 + fields.length + (n == 0 ? 0 : 1 + n)];
        out[0] = (byte) (0x80 | items);
        System.arraycopy(fields, 0, out, 1, fields.length);
        if (n > 0) {
            out[1 + fields.length] = (byte) (0x40 | n);
        }
        Crc.seal(crc, out, 0, out.length);
        return Hex.of(out);
    }

    /** A standard non-fragment primary block with the given flags hex, CRC-16. */
    static String simplePrimary(String flagsHex) {
        return primary("07" + flagsHex + "01" + IPN_2_1 + IPN_1_1 + IPN_1_0 + TS + LIFE, CrcType.CRC16);
    }

    static byte[] bundle(String... parts) {
        return Hex.bytes("9f" + String.join("", parts) + "ff");
    }

    private static int count(byte[] b) {
        CborReader r = new CborReader(b, 0, b.length);
        int n = 0;
        try {
            while (r.remaining() > 0) {
                r.skip("item");
                n++;
            }
        } catch (MalformedBundleException e) {
            throw new IllegalArgumentException(e);
        }
        return n;
    }
}
