package org.bpsockets.bpv7;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A canonical block (RFC 9171 §4.3.2): type, number, block processing flags, CRC type and the
 * block-type-specific data, with its encoding. A decoded block keeps the bytes it was received in and
 * is re-emitted unchanged; its data is a slice of the input, not a copy.
 *
 * <p>The encoding is held as three pieces: everything up to the data's byte-string head, the data,
 * and the CRC (if any). For decoded blocks they are adjacent in the input buffer.
 */
public final class CanonicalBlock {
    private final long type;
    private final long number;
    private final long flags;
    private final CrcType crcType;

    private final byte[] head;
    private final int headOff;
    private final int headLen;
    private final byte[] data;
    private final int dataOff;
    private final int dataLen;
    private final byte[] tail;
    private final int tailOff;
    private final int tailLen;

    CanonicalBlock(long type, long number, long flags, CrcType crcType, byte[] head, int headOff, int headLen,
            byte[] data, int dataOff, int dataLen, byte[] tail, int tailOff, int tailLen) {
        this.type = type;
        this.number = number;
        this.flags = flags;
        this.crcType = crcType;
        this.head = head;
        this.headOff = headOff;
        this.headLen = headLen;
        this.data = data;
        this.dataOff = dataOff;
        this.dataLen = dataLen;
        this.tail = tail;
        this.tailOff = tailOff;
        this.tailLen = tailLen;
    }

    /**
     * A new block. The data array is referenced, not copied: do not modify it afterwards.
     *
     * @throws IllegalArgumentException if type or number is negative, or number is 0
     */
    public static CanonicalBlock of(long type, long number, long flags, CrcType crcType, byte[] data) {
        return of(type, number, flags, crcType, data, 0, data.length);
    }

    /** A new block whose data is the buffer's remaining bytes (referenced when the buffer has an accessible array). */
    public static CanonicalBlock of(long type, long number, long flags, CrcType crcType, ByteBuffer data) {
        if (data.hasArray() && !data.isReadOnly()) {
            return of(type, number, flags, crcType, data.array(), data.arrayOffset() + data.position(), data.remaining());
        }
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return of(type, number, flags, crcType, copy, 0, copy.length);
    }

    static CanonicalBlock of(long type, long number, long flags, CrcType crcType, byte[] data, int off, int len) {
        Objects.requireNonNull(crcType, "crcType");
        Objects.checkFromIndexSize(off, len, data.length);
        if (type < 0 || number < 1) {
            throw new IllegalArgumentException("block type must be >= 0 and block number >= 1");
        }
        CborWriter w = new CborWriter(32);
        w.array(crcType == CrcType.NONE ? 5 : 6).uint(type).uint(number).uint(flags).uint(crcType.code());
        w.head(CborReader.BYTES, len);
        byte[] h = w.toByteArray();
        byte[] t = crcTail(crcType, h, data, off, len);
        return new CanonicalBlock(type, number, flags, crcType, h, 0, h.length, data, off, len, t, 0, t.length);
    }

    private static byte[] crcTail(CrcType crcType, byte[] h, byte[] data, int off, int len) {
        if (crcType == CrcType.NONE) {
            return new byte[0];
        }
        int n = crcType.valueLength();
        byte[] t = new byte[1 + n];
        t[0] = (byte) (0x40 | n);
        long crc;
        if (crcType == CrcType.CRC16) {
            int c = Crc.crc16X25Start(h, 0, h.length);
            c = Crc.crc16X25Update(c, data, off, len);
            c = Crc.crc16X25Update(c, t, 0, t.length);
            crc = c ^ 0xFFFF;
        } else {
            java.util.zip.CRC32C c = new java.util.zip.CRC32C();
            c.update(h, 0, h.length);
            c.update(data, off, len);
            c.update(t, 0, t.length);
            crc = c.getValue();
        }
        for (int i = n; i >= 1; i--) {
            t[i] = (byte) crc;
            crc >>>= 8;
        }
        return t;
    }

    /** This block with another number, same type, flags, CRC type and data. */
    public CanonicalBlock withNumber(long newNumber) {
        return of(type, newNumber, flags, crcType, data, dataOff, dataLen);
    }

    /** This block with other data, same type, number, flags and CRC type (data referenced, not copied). */
    public CanonicalBlock withData(byte[] newData) {
        return of(type, number, flags, crcType, newData, 0, newData.length);
    }

    /** This block holding its own copy of its bytes, independent of the buffer it was decoded from. */
    CanonicalBlock detached() {
        byte[] enc = encodedBytes();
        int dOff = headLen;
        return new CanonicalBlock(type, number, flags, crcType, enc, 0, headLen, enc, dOff, dataLen, enc,
                dOff + dataLen, tailLen);
    }

    public long type() {
        return type;
    }

    public long number() {
        return number;
    }

    /** Block processing control flags, unknown ones included. */
    public long flags() {
        return flags;
    }

    public boolean hasFlag(long flag) {
        return (flags & flag) == flag;
    }

    public CrcType crcType() {
        return crcType;
    }

    public boolean isPayload() {
        return type == BlockType.PAYLOAD;
    }

    /** The block-type-specific data, read-only, without copying. */
    public ByteBuffer data() {
        return ByteBuffer.wrap(data, dataOff, dataLen).slice().asReadOnlyBuffer();
    }

    public int dataLength() {
        return dataLen;
    }

    /** A copy of the data. */
    public byte[] dataBytes() {
        return Arrays.copyOfRange(data, dataOff, dataOff + dataLen);
    }

    byte[] dataArray() {
        return data;
    }

    int dataOffset() {
        return dataOff;
    }

    public int encodedLength() {
        return headLen + dataLen + tailLen;
    }

    /** The block's encoding, read-only (a slice of the input for decoded blocks). */
    public ByteBuffer encoded() {
        if (head == data && data == tail && headOff + headLen == dataOff && dataOff + dataLen == tailOff) {
            return ByteBuffer.wrap(head, headOff, encodedLength()).slice().asReadOnlyBuffer();
        }
        return ByteBuffer.wrap(encodedBytes()).asReadOnlyBuffer();
    }

    private byte[] encodedBytes() {
        byte[] out = new byte[encodedLength()];
        System.arraycopy(head, headOff, out, 0, headLen);
        System.arraycopy(data, dataOff, out, headLen, dataLen);
        System.arraycopy(tail, tailOff, out, headLen + dataLen, tailLen);
        return out;
    }

    void writeTo(java.io.OutputStream out) throws java.io.IOException {
        out.write(head, headOff, headLen);
        out.write(data, dataOff, dataLen);
        out.write(tail, tailOff, tailLen);
    }

    void writeTo(java.io.ByteArrayOutputStream out) {
        writeHeadTo(out);
        out.write(data, dataOff, dataLen);
        writeTailTo(out);
    }

    void writeHeadTo(java.io.ByteArrayOutputStream out) {
        out.write(head, headOff, headLen);
    }

    void writeTailTo(java.io.ByteArrayOutputStream out) {
        out.write(tail, tailOff, tailLen);
    }

    /** The data as a view of the array it lives in (not read-only, so a writer can use the array; not changed). */
    ByteBuffer dataView() {
        return ByteBuffer.wrap(data, dataOff, dataLen).slice();
    }

    void writeTo(byte[] out, int at) {
        System.arraycopy(head, headOff, out, at, headLen);
        System.arraycopy(data, dataOff, out, at + headLen, dataLen);
        System.arraycopy(tail, tailOff, out, at + headLen + dataLen, tailLen);
    }

    /** Equal when the encodings are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof CanonicalBlock b && b.encodedLength() == encodedLength()
                && Arrays.equals(head, headOff, headOff + headLen, b.head, b.headOff, b.headOff + b.headLen)
                && Arrays.equals(data, dataOff, dataOff + dataLen, b.data, b.dataOff, b.dataOff + b.dataLen)
                && Arrays.equals(tail, tailOff, tailOff + tailLen, b.tail, b.tailOff, b.tailOff + b.tailLen);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(type * 31 + number) * 31 + dataLen;
    }

    @Override
    public String toString() {
        return "CanonicalBlock[type=" + type + ", number=" + number + ", flags=0x" + Long.toHexString(flags)
                + ", crc=" + crcType + ", " + dataLen + " data bytes]";
    }
}
