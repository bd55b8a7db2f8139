package org.bpsockets.bpv7;

import java.nio.ByteBuffer;

import org.bpsockets.bpv7.MalformedBundleException.Reason;

/**
 * An administrative record (RFC 9171 §6.1): {@code [record type code, content]}, carried as the payload
 * of a bundle with the administrative-record flag. Records of types other than status reports (e.g.
 * BIBE custody signals) are kept as raw CBOR content.
 */
public final class AdministrativeRecord {
    /** Record type of a bundle status report. */
    public static final long STATUS_REPORT = 1;

    private final long type;
    private final byte[] buf;
    private final int contentOff;
    private final int contentLen;

    private AdministrativeRecord(long type, byte[] buf, int contentOff, int contentLen) {
        this.type = type;
        this.buf = buf;
        this.contentOff = contentOff;
        this.contentLen = contentLen;
    }

    /**
     * Decodes the payload of an administrative-record bundle.
     *
     * @throws IllegalArgumentException if the bundle is not flagged as an administrative record
     */
    public static AdministrativeRecord of(Bundle bundle) throws MalformedBundleException {
        if (!bundle.primary().isAdminRecord()) {
            throw new IllegalArgumentException("the bundle's payload is not an administrative record");
        }
        CanonicalBlock p = bundle.payloadBlock();
        return decode(p.dataArray(), p.dataOffset(), p.dataLength());
    }

    /** Decodes an administrative record from the buffer's remaining bytes (which must hold exactly one). */
    public static AdministrativeRecord decode(ByteBuffer payload) throws MalformedBundleException {
        if (payload.hasArray()) {
            return decode(payload.array(), payload.arrayOffset() + payload.position(), payload.remaining());
        }
        byte[] copy = new byte[payload.remaining()];
        payload.duplicate().get(copy);
        return decode(copy, 0, copy.length);
    }

    static AdministrativeRecord decode(byte[] b, int off, int len) throws MalformedBundleException {
        CborReader r = new CborReader(b, off, off + len);
        r.readArray("the administrative record", 2);
        long type = r.readUint("the record type code");
        int start = r.pos;
        r.skip("the record content");
        if (r.remaining() != 0) {
            throw r.error(Reason.TRAILING_BYTES, r.remaining() + " bytes after the administrative record");
        }
        return new AdministrativeRecord(type, b, start, r.pos - start);
    }

    /** The record type code (unsigned). */
    public long type() {
        return type;
    }

    /** The encoded content item, read-only. */
    public ByteBuffer content() {
        return ByteBuffer.wrap(buf, contentOff, contentLen).slice().asReadOnlyBuffer();
    }

    public boolean isStatusReport() {
        return type == STATUS_REPORT;
    }

    /**
     * The content as a status report.
     *
     * @throws IllegalStateException if the record is of another type
     */
    public StatusReport statusReport() throws MalformedBundleException {
        if (!isStatusReport()) {
            throw new IllegalStateException("record type " + Long.toUnsignedString(type) + " is not a status report");
        }
        return StatusReport.read(new CborReader(buf, contentOff, contentOff + contentLen));
    }
}
