package org.bpsockets.bpv7;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.MalformedBundleException.Reason;

/**
 * Decodes BPv7 bundles in one pass. The result refers to the input array (block data and the
 * primary block are slices of it, not copies), so the caller must not reuse or modify the array
 * while the bundle is in use.
 *
 * <p>Accepted beyond the strict encoding, as RFC 9171 §4.1 allows: definite-length outer and block
 * arrays, indefinite-length block arrays, non-shortest integer and length heads, and the CBOR
 * self-describe tag 55799 in front of the bundle; and one repair: extension blocks numbered 0, as ION
 * 4.1.3 writes them in its fragments, are renumbered once their CRCs checked out
 * ({@link Bundle#renumberedBlocks()}, docs/decisions/0010). Everything else that is not a conformant bundle is
 * rejected with a {@link MalformedBundleException}.
 */
public final class BundleCodec {
    private static final long SELF_DESCRIBE_TAG = 55799;

    private BundleCodec() {
    }

    /** Decodes a whole array as one bundle with {@link DecodeLimits#DEFAULT}. */
    public static Bundle decode(byte[] data) throws MalformedBundleException {
        return decode(data, 0, data.length, DecodeLimits.DEFAULT);
    }

    public static Bundle decode(byte[] data, DecodeLimits limits) throws MalformedBundleException {
        return decode(data, 0, data.length, limits);
    }

    /**
     * Decodes the buffer's remaining bytes as one bundle, without copying when the buffer is a
     * writable heap buffer (otherwise its content is copied once). The buffer's position is not changed.
     */
    public static Bundle decode(ByteBuffer data, DecodeLimits limits) throws MalformedBundleException {
        if (data.remaining() > limits.maxBundleBytes()) {
            throw tooLarge(data.remaining(), limits);
        }
        if (data.hasArray() && !data.isReadOnly()) {
            return decode(data.array(), data.arrayOffset() + data.position(), data.remaining(), limits);
        }
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return decode(copy, 0, copy.length, limits);
    }

    /** Decodes {@code data[offset, offset + length)} as exactly one bundle. */
    public static Bundle decode(byte[] data, int offset, int length, DecodeLimits limits)
            throws MalformedBundleException {
        Objects.checkFromIndexSize(offset, length, data.length);
        Objects.requireNonNull(limits, "limits");
        if (length > limits.maxBundleBytes()) {
            throw tooLarge(length, limits);
        }
        CborReader r = new CborReader(data, offset, offset + length);
        if (r.peekMajor() == CborReader.TAG) {
            long tag = r.head(CborReader.TAG, "a tag", false);
            if (tag != SELF_DESCRIBE_TAG) {
                throw r.error(Reason.WRONG_TYPE, "a bundle may only be tagged 55799, found tag " + Long.toUnsignedString(tag));
            }
        }
        int at = r.pos;
        long count = r.readArray("the bundle");
        if (count == 0) {
            throw r.errorAt(at, Reason.WRONG_ARRAY_LENGTH, "the bundle array is empty");
        }
        if (count > 0 && count - 1 > limits.maxBlocks()) {
            throw r.errorAt(at, Reason.TOO_MANY_BLOCKS, "the bundle declares " + (count - 1)
                    + " canonical blocks, limit " + limits.maxBlocks());
        }
        PrimaryBlock primary = readPrimary(r, limits);
        ArrayList<CanonicalBlock> blocks = new ArrayList<>(count > 0 ? (int) count - 1 : 4);
        for (long i = 1; count == -1 ? !r.atBreak() : i < count; i++) {
            if (blocks.size() >= limits.maxBlocks()) {
                throw r.error(Reason.TOO_MANY_BLOCKS, "more than " + limits.maxBlocks() + " canonical blocks");
            }
            blocks.add(readCanonical(r));
        }
        if (count == -1) {
            r.readBreak("the bundle");
        }
        if (r.pos != r.end) {
            throw r.error(Reason.TRAILING_BYTES, (r.end - r.pos) + " bytes after the end of the bundle");
        }
        int renumbered = renumberZeroNumberedBlocks(blocks);
        return Bundle.validated(primary, blocks, limits.maxEidLength(), renumbered);
    }

    /**
     * ION 4.1.3 numbers the extension blocks of the fragments it makes 0 (docs/decisions/0010). Each
     * block's CRC has already been checked over the bytes as received (number 0 included); here every
     * non-payload block numbered 0 gets the next number above the highest one in the bundle and is
     * re-encoded with a fresh CRC of its own type. Nothing else is repaired: a payload block numbered 0,
     * a non-payload block numbered 1, two blocks with the same non-zero number and bundles carrying a
     * BIB or BCB (whose security targets name blocks by number) are left for the validator to refuse.
     *
     * @return how many blocks were renumbered
     */
    static int renumberZeroNumberedBlocks(List<CanonicalBlock> blocks) {
        int zeros = 0;
        long highest = 1;
        for (CanonicalBlock b : blocks) {
            if (b.type() == BlockType.BLOCK_INTEGRITY || b.type() == BlockType.BLOCK_CONFIDENTIALITY) {
                return 0;
            }
            if (b.number() == 0 && !b.isPayload()) {
                zeros++;
            } else {
                highest = Math.max(highest, b.number());
            }
        }
        if (zeros == 0 || highest > Long.MAX_VALUE - zeros) {
            return 0;
        }
        long next = highest + 1;
        for (int i = 0; i < blocks.size(); i++) {
            CanonicalBlock b = blocks.get(i);
            if (b.number() == 0 && !b.isPayload()) {
                blocks.set(i, b.withNumber(next++));
            }
        }
        return zeros;
    }

    private static MalformedBundleException tooLarge(long length, DecodeLimits limits) {
        return new MalformedBundleException(Reason.BUNDLE_TOO_LARGE, -1, length + " bytes, limit "
                + limits.maxBundleBytes());
    }

    private static PrimaryBlock readPrimary(CborReader r, DecodeLimits limits) throws MalformedBundleException {
        int start = r.pos;
        long n = r.readArray("the primary block");
        if (n != -1 && (n < 8 || n > 11)) {
            throw r.errorAt(start, Reason.WRONG_ARRAY_LENGTH, "the primary block must have 8 to 11 elements, has " + n);
        }
        int versionAt = r.pos;
        long version = r.readUint("the version");
        if (version != PrimaryBlock.VERSION) {
            throw r.errorAt(versionAt, Reason.UNSUPPORTED_VERSION, "version " + Long.toUnsignedString(version));
        }
        long flags = r.readUint("the bundle processing control flags");
        CrcType crc = readCrcType(r);
        boolean fragment = (flags & BundleFlags.FRAGMENT) != 0;
        if (n != -1 && n != 8 + (fragment ? 2 : 0) + (crc != CrcType.NONE ? 1 : 0)) {
            long withoutCrc = n - (crc != CrcType.NONE ? 1 : 0);
            if (withoutCrc == 10 && !fragment || withoutCrc == 8 && fragment) {
                throw r.errorAt(start, Reason.FRAGMENT_FIELDS_MISMATCH, fragment
                        ? "the fragment flag is set but the primary block has no fragment offset and total ADU length"
                        : "the primary block has fragment fields but the fragment flag is not set");
            }
            throw r.errorAt(start, Reason.WRONG_ARRAY_LENGTH, "a primary block with CRC type " + crc.code()
                    + (fragment ? " of a fragment" : "") + " cannot have " + n + " elements");
        }
        int midStart = r.pos;
        EndpointId destination = Eids.read(r, "the destination", limits.maxEidLength());
        EndpointId source = Eids.read(r, "the source node ID", limits.maxEidLength());
        EndpointId reportTo = Eids.read(r, "the report-to EID", limits.maxEidLength());
        r.readArray("the creation timestamp", 2);
        long time = r.readUint("the creation time", Long.MAX_VALUE);
        long seq = r.readUint("the sequence number", Long.MAX_VALUE);
        long lifetime = r.readUint("the lifetime", Long.MAX_VALUE);
        int midEnd = r.pos;
        long fragmentOffset = -1;
        long total = -1;
        if (fragment) {
            fragmentOffset = r.readUint("the fragment offset", Long.MAX_VALUE);
            total = r.readUint("the total ADU length", Long.MAX_VALUE);
        }
        int crcAt = crc != CrcType.NONE ? readCrcValue(r, crc) : -1;
        if (n == -1) {
            r.readBreak("the primary block");
        }
        checkCrc(r, crc, start, crcAt, "the primary block");
        return new PrimaryBlock(flags, crc, destination, source, reportTo, time, seq, lifetime, fragmentOffset,
                total, r.buf, start, r.pos - start, midStart, midEnd);
    }

    private static CanonicalBlock readCanonical(CborReader r) throws MalformedBundleException {
        int start = r.pos;
        long n = r.readArray("a canonical block");
        if (n != -1 && n != 5 && n != 6) {
            throw r.errorAt(start, Reason.WRONG_ARRAY_LENGTH, "a canonical block must have 5 or 6 elements, has " + n);
        }
        long type = r.readUint("the block type code", Long.MAX_VALUE);
        long number = r.readUint("the block number", Long.MAX_VALUE);
        long flags = r.readUint("the block processing control flags");
        CrcType crc = readCrcType(r);
        if (n != -1 && n != (crc == CrcType.NONE ? 5 : 6)) {
            throw r.errorAt(start, Reason.WRONG_ARRAY_LENGTH, "a canonical block with CRC type " + crc.code()
                    + " cannot have " + n + " elements");
        }
        int dataLen = r.readStringHead(CborReader.BYTES, "the block-type-specific data");
        int dataOff = r.pos;
        r.pos += dataLen;
        int crcAt = crc != CrcType.NONE ? readCrcValue(r, crc) : -1;
        if (n == -1) {
            r.readBreak("a canonical block");
        }
        checkCrc(r, crc, start, crcAt, "block " + number);
        byte[] b = r.buf;
        return new CanonicalBlock(type, number, flags, crc, b, start, dataOff - start, b, dataOff, dataLen, b,
                dataOff + dataLen, r.pos - dataOff - dataLen);
    }

    private static CrcType readCrcType(CborReader r) throws MalformedBundleException {
        int at = r.pos;
        long code = r.readUint("the CRC type");
        CrcType crc = CrcType.ofCode(code);
        if (crc == null) {
            throw r.errorAt(at, Reason.UNKNOWN_CRC_TYPE, "CRC type " + Long.toUnsignedString(code));
        }
        return crc;
    }

    /** Reads the CRC byte string; returns the offset of its value bytes. */
    private static int readCrcValue(CborReader r, CrcType crc) throws MalformedBundleException {
        int at = r.pos;
        int len = r.readStringHead(CborReader.BYTES, "the CRC");
        if (len != crc.valueLength()) {
            throw r.errorAt(at, Reason.BAD_CRC_FIELD, "a " + crc + " value has " + crc.valueLength() + " bytes, found "
                    + len);
        }
        int valueAt = r.pos;
        r.pos += len;
        return valueAt;
    }

    private static void checkCrc(CborReader r, CrcType crc, int start, int valueAt, String what)
            throws MalformedBundleException {
        if (crc == CrcType.NONE) {
            return;
        }
        long expected = Crc.compute(crc, r.buf, start, valueAt, r.pos);
        long found = Crc.read(crc, r.buf, valueAt);
        if (expected != found) {
            throw r.errorAt(valueAt, Reason.CRC_MISMATCH, String.format("%s carries %s 0x%x, computed 0x%x", what, crc,
                    found, expected));
        }
    }
}
