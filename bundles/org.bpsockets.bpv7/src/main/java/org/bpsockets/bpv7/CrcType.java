package org.bpsockets.bpv7;

/** Block CRC types (RFC 9171 §4.2.1). */
public enum CrcType {
    /** No CRC. */
    NONE(0, 0),
    /** CRC-16/X.25, carried as a 2-byte big-endian byte string. */
    CRC16(1, 2),
    /** CRC-32C (Castagnoli), carried as a 4-byte big-endian byte string. */
    CRC32C(2, 4);

    private final int code;
    private final int length;

    CrcType(int code, int length) {
        this.code = code;
        this.length = length;
    }

    /** The CRC type code used on the wire. */
    public int code() {
        return code;
    }

    /** Number of CRC value bytes (0, 2 or 4). */
    public int valueLength() {
        return length;
    }

    /** The type with this code, or null if the code is not 0, 1 or 2. */
    public static CrcType ofCode(long code) {
        if (code == 0) {
            return NONE;
        }
        if (code == 1) {
            return CRC16;
        }
        return code == 2 ? CRC32C : null;
    }
}
