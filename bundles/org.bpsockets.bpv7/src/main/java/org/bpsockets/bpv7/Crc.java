package org.bpsockets.bpv7;

import java.util.zip.CRC32C;

/**
 * The two block CRCs of RFC 9171 §4.2.2. Each block's CRC covers the whole encoded block with the
 * CRC value bytes set to zero (the byte-string head in front of them stays).
 */
public final class Crc {
    private static final int[] X25_TABLE = new int[256];
    private static final byte[] ZEROS = new byte[4];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x8408 : c >>> 1; // 0x1021 reflected
            }
            X25_TABLE[i] = c;
        }
    }

    private Crc() {
    }

    /** CRC-16/X.25 (poly 0x1021 reflected, init 0xFFFF, xorout 0xFFFF) of the given bytes. */
    public static int crc16X25(byte[] data, int offset, int length) {
        return x25Update(0xFFFF, data, offset, length) ^ 0xFFFF;
    }

    /** CRC-32C (Castagnoli) of the given bytes, as an unsigned value in a long. */
    public static long crc32c(byte[] data, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(data, offset, length);
        return c.getValue();
    }

    static int crc16X25Start(byte[] data, int offset, int length) {
        return x25Update(0xFFFF, data, offset, length);
    }

    static int crc16X25Update(int crc, byte[] data, int offset, int length) {
        return x25Update(crc, data, offset, length);
    }

    private static int x25Update(int crc, byte[] data, int offset, int length) {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            crc = (crc >>> 8) ^ X25_TABLE[(crc ^ data[i]) & 0xFF];
        }
        return crc;
    }

    /**
     * The CRC of the block in {@code buf[start, end)} whose CRC value bytes (as many as the type
     * uses) start at {@code valueOffset}; those bytes are treated as zero.
     */
    static long compute(CrcType type, byte[] buf, int start, int valueOffset, int end) {
        int n = type.valueLength();
        int after = valueOffset + n;
        if (type == CrcType.CRC16) {
            int crc = x25Update(0xFFFF, buf, start, valueOffset - start);
            crc = x25Update(crc, ZEROS, 0, n);
            crc = x25Update(crc, buf, after, end - after);
            return crc ^ 0xFFFF;
        }
        CRC32C c = new CRC32C();
        c.update(buf, start, valueOffset - start);
        c.update(ZEROS, 0, n);
        c.update(buf, after, end - after);
        return c.getValue();
    }

    /** The big-endian value stored at {@code buf[offset]} for this type. */
    static long read(CrcType type, byte[] buf, int offset) {
        long v = 0;
        for (int i = 0; i < type.valueLength(); i++) {
            v = (v << 8) | (buf[offset + i] & 0xFF);
        }
        return v;
    }

    /** Computes the CRC of the block in {@code buf[start, end)} whose value bytes end the block, and stores it. */
    static void seal(CrcType type, byte[] buf, int start, int end) {
        if (type == CrcType.NONE) {
            return;
        }
        int n = type.valueLength();
        int valueOffset = end - n;
        long crc = compute(type, buf, start, valueOffset, end);
        for (int i = n - 1; i >= 0; i--) {
            buf[valueOffset + i] = (byte) crc;
            crc >>>= 8;
        }
    }
}
