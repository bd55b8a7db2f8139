package org.bpsockets.bpv7;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.EndpointId;

/**
 * The primary block (RFC 9171 §4.3.1): decoded fields plus the exact encoded bytes. A received
 * primary block is immutable on the wire, so forwarding re-emits {@link #encoded()} unchanged,
 * including the 2- or 3-element ipn form and any non-shortest integers the source chose.
 */
public final class PrimaryBlock {
    /** The only version this codec handles. */
    public static final int VERSION = 7;

    private final long flags;
    private final CrcType crcType;
    private final EndpointId destination;
    private final EndpointId source;
    private final EndpointId reportTo;
    private final long creationTime;
    private final long sequence;
    private final long lifetime;
    private final long fragmentOffset;
    private final long totalAduLength;

    private final byte[] buf;
    private final int offset;
    private final int length;
    /** buf[midStart, midEnd) holds destination, source, report-to, creation timestamp and lifetime as encoded. */
    private final int midStart;
    private final int midEnd;

    PrimaryBlock(long flags, CrcType crcType, EndpointId destination, EndpointId source, EndpointId reportTo,
            long creationTime, long sequence, long lifetime, long fragmentOffset, long totalAduLength,
            byte[] buf, int offset, int length, int midStart, int midEnd) {
        this.flags = flags;
        this.crcType = crcType;
        this.destination = destination;
        this.source = source;
        this.reportTo = reportTo;
        this.creationTime = creationTime;
        this.sequence = sequence;
        this.lifetime = lifetime;
        this.fragmentOffset = fragmentOffset;
        this.totalAduLength = totalAduLength;
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        this.midStart = midStart;
        this.midEnd = midEnd;
    }

    /** Encodes a new primary block from its fields (shortest integers, definite-length array). */
    static PrimaryBlock create(long flags, CrcType crcType, EndpointId destination, EndpointId source,
            EndpointId reportTo, long creationTime, long sequence, long lifetime, long fragmentOffset,
            long totalAduLength) {
        Objects.requireNonNull(crcType, "crcType");
        CborWriter mid = new CborWriter(64);
        Eids.write(mid, Objects.requireNonNull(destination, "destination"));
        Eids.write(mid, Objects.requireNonNull(source, "source"));
        Eids.write(mid, Objects.requireNonNull(reportTo, "reportTo"));
        mid.array(2).uint(creationTime).uint(sequence).uint(lifetime);
        return assemble(flags, crcType, destination, source, reportTo, creationTime, sequence, lifetime,
                fragmentOffset, totalAduLength, mid.array(), 0, mid.length());
    }

    /**
     * This block with other flags and fragment fields, keeping the encoded destination..lifetime bytes
     * exactly as they are (so the EID forms received survive fragmentation and reassembly).
     */
    PrimaryBlock withFragmentFields(long newFlags, long newOffset, long newTotal) {
        return assemble(newFlags, crcType, destination, source, reportTo, creationTime, sequence, lifetime,
                newOffset, newTotal, buf, midStart, midEnd - midStart);
    }

    private static PrimaryBlock assemble(long flags, CrcType crcType, EndpointId destination, EndpointId source,
            EndpointId reportTo, long creationTime, long sequence, long lifetime, long fragmentOffset,
            long totalAduLength, byte[] midBuf, int midOff, int midLen) {
        boolean fragment = (flags & BundleFlags.FRAGMENT) != 0;
        if (fragment != (fragmentOffset >= 0) || fragment != (totalAduLength >= 0)) {
            throw new IllegalArgumentException("fragment offset and total ADU length must be given exactly when"
                    + " the fragment flag is set");
        }
        CborWriter w = new CborWriter(midLen + 40);
        w.array(8 + (fragment ? 2 : 0) + (crcType != CrcType.NONE ? 1 : 0));
        w.uint(VERSION).uint(flags).uint(crcType.code());
        int midStart = w.length();
        w.raw(midBuf, midOff, midLen);
        int midEnd = w.length();
        if (fragment) {
            w.uint(fragmentOffset).uint(totalAduLength);
        }
        if (crcType != CrcType.NONE) {
            w.head(CborReader.BYTES, crcType.valueLength()).zeros(crcType.valueLength());
        }
        Crc.seal(crcType, w.array(), 0, w.length());
        return new PrimaryBlock(flags, crcType, destination, source, reportTo, creationTime, sequence, lifetime,
                fragment ? fragmentOffset : -1, fragment ? totalAduLength : -1, w.array(), 0, w.length(),
                midStart, midEnd);
    }

    public int version() {
        return VERSION;
    }

    /** The bundle processing control flags, unknown ones included. */
    public long flags() {
        return flags;
    }

    public boolean hasFlag(long flag) {
        return (flags & flag) == flag;
    }

    public boolean isFragment() {
        return hasFlag(BundleFlags.FRAGMENT);
    }

    public boolean isAdminRecord() {
        return hasFlag(BundleFlags.ADMIN_RECORD);
    }

    public boolean mustNotFragment() {
        return hasFlag(BundleFlags.MUST_NOT_FRAGMENT);
    }

    public boolean statusTimeRequested() {
        return hasFlag(BundleFlags.STATUS_TIME_REQUESTED);
    }

    public boolean reportRequested(StatusReportKind kind) {
        return hasFlag(kind.processingFlag());
    }

    public CrcType crcType() {
        return crcType;
    }

    public EndpointId destination() {
        return destination;
    }

    /** The source node ID; the null endpoint for an anonymous bundle. */
    public EndpointId source() {
        return source;
    }

    public EndpointId reportTo() {
        return reportTo;
    }

    /** Creation time, DTN milliseconds; 0 if the source had no clock. */
    public long creationTime() {
        return creationTime;
    }

    public long sequenceNumber() {
        return sequence;
    }

    /** Lifetime in milliseconds after the creation time. */
    public long lifetime() {
        return lifetime;
    }

    /** The fragment offset, or -1 if the bundle is not a fragment. */
    public long fragmentOffset() {
        return fragmentOffset;
    }

    /** The total application data unit length, or -1 if the bundle is not a fragment. */
    public long totalAduLength() {
        return totalAduLength;
    }

    /** Source, creation timestamp and (for fragments) the fragment offset. */
    public BundleId bundleId() {
        return new BundleId(source, creationTime, sequence, fragmentOffset);
    }

    /** The block exactly as encoded, read-only. */
    public ByteBuffer encoded() {
        return ByteBuffer.wrap(buf, offset, length).slice().asReadOnlyBuffer();
    }

    public int encodedLength() {
        return length;
    }

    void writeTo(byte[] out, int at) {
        System.arraycopy(buf, offset, out, at, length);
    }

    void writeTo(java.io.OutputStream out) throws java.io.IOException {
        out.write(buf, offset, length);
    }

    void writeTo(java.io.ByteArrayOutputStream out) {
        out.write(buf, offset, length);
    }

    /** Equal when the encoded bytes are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PrimaryBlock p
                && Arrays.equals(buf, offset, offset + length, p.buf, p.offset, p.offset + p.length);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + buf[i];
        }
        return h;
    }

    @Override
    public String toString() {
        return "PrimaryBlock[flags=0x" + Long.toHexString(flags) + ", crc=" + crcType + ", " + source + " -> "
                + destination + ", reportTo=" + reportTo + ", created=" + creationTime + "." + sequence
                + ", lifetime=" + lifetime + (fragmentOffset >= 0 ? ", fragment " + fragmentOffset + "/" + totalAduLength : "")
                + "]";
    }
}
