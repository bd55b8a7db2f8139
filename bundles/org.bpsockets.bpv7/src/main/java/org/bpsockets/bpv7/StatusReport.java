package org.bpsockets.bpv7;

import java.util.Objects;

import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.MalformedBundleException.Reason;

/**
 * A bundle status report (RFC 9171 §6.1.1), the content of administrative record type 1.
 *
 * @param received reception assertion
 * @param forwarded forwarding assertion
 * @param delivered delivery assertion
 * @param deleted deletion assertion
 * @param reasonCode reason code 0..255 (see {@link StatusReportReason})
 * @param source source node ID of the subject bundle
 * @param creationTime creation time of the subject bundle
 * @param sequenceNumber creation sequence number of the subject bundle
 * @param fragmentOffset fragment offset of the subject bundle, or -1 if it is not a fragment
 * @param fragmentLength payload length of the subject fragment, or -1 if it is not a fragment
 */
public record StatusReport(StatusAssertion received, StatusAssertion forwarded, StatusAssertion delivered,
        StatusAssertion deleted, int reasonCode, EndpointId source, long creationTime, long sequenceNumber,
        long fragmentOffset, long fragmentLength) {

    /**
     * One bundle status item: whether the status is asserted, and when (DTN ms), or -1 if no time is given.
     * RFC 9171 gives a time only for an asserted status of a bundle that asked for status times.
     */
    public record StatusAssertion(boolean asserted, long time) {
        public static final StatusAssertion NO = new StatusAssertion(false, -1);
        public static final StatusAssertion YES = new StatusAssertion(true, -1);

        public StatusAssertion {
            if (time < -1) {
                throw new IllegalArgumentException("time must be -1 (none) or a DTN time");
            }
        }

        public static StatusAssertion at(long dtnTime) {
            return new StatusAssertion(true, dtnTime);
        }

        public boolean hasTime() {
            return time >= 0;
        }
    }

    public StatusReport {
        Objects.requireNonNull(received, "received");
        Objects.requireNonNull(forwarded, "forwarded");
        Objects.requireNonNull(delivered, "delivered");
        Objects.requireNonNull(deleted, "deleted");
        Objects.requireNonNull(source, "source");
        if (reasonCode < 0 || reasonCode > 255) {
            throw new IllegalArgumentException("reason code must be 0..255");
        }
        if (creationTime < 0 || sequenceNumber < 0) {
            throw new IllegalArgumentException("negative creation timestamp");
        }
        if ((fragmentOffset < 0) != (fragmentLength < 0) || fragmentOffset < -1 || fragmentLength < -1) {
            throw new IllegalArgumentException("fragment offset and length are both -1 or both given");
        }
    }

    /**
     * The report that a node sends about {@code subject}: one status asserted, with {@code dtnTime} if
     * the subject asked for status times, and the fragment fields if it is a fragment.
     */
    public static StatusReport about(Bundle subject, StatusReportKind kind, int reasonCode, long dtnTime) {
        PrimaryBlock p = subject.primary();
        StatusAssertion yes = p.statusTimeRequested() ? StatusAssertion.at(dtnTime) : StatusAssertion.YES;
        StatusAssertion no = StatusAssertion.NO;
        return new StatusReport(kind == StatusReportKind.RECEPTION ? yes : no,
                kind == StatusReportKind.FORWARDING ? yes : no, kind == StatusReportKind.DELIVERY ? yes : no,
                kind == StatusReportKind.DELETION ? yes : no, reasonCode, p.source(), p.creationTime(),
                p.sequenceNumber(), p.isFragment() ? p.fragmentOffset() : -1,
                p.isFragment() ? subject.payloadLength() : -1);
    }

    /** The reason as an RFC 9171 enum constant, or null for codes 12 and above. */
    public StatusReportReason reason() {
        return StatusReportReason.ofCode(reasonCode);
    }

    public StatusAssertion assertion(StatusReportKind kind) {
        return switch (kind) {
            case RECEPTION -> received;
            case FORWARDING -> forwarded;
            case DELIVERY -> delivered;
            case DELETION -> deleted;
        };
    }

    public boolean isAboutFragment() {
        return fragmentOffset >= 0;
    }

    /** The subject bundle's identity. */
    public BundleId subject() {
        return new BundleId(source, creationTime, sequenceNumber, fragmentOffset);
    }

    /** The whole administrative record {@code [1, report]}: the payload of an administrative-record bundle. */
    public byte[] encodeRecord() {
        CborWriter w = new CborWriter(48);
        w.array(2).uint(AdministrativeRecord.STATUS_REPORT);
        w.array(isAboutFragment() ? 6 : 4);
        w.array(4);
        for (StatusAssertion a : new StatusAssertion[] {received, forwarded, delivered, deleted}) {
            if (a.hasTime()) {
                w.array(2).bool(a.asserted()).uint(a.time());
            } else {
                w.array(1).bool(a.asserted());
            }
        }
        w.uint(reasonCode);
        Eids.write(w, source);
        w.array(2).uint(creationTime).uint(sequenceNumber);
        if (isAboutFragment()) {
            w.uint(fragmentOffset).uint(fragmentLength);
        }
        return w.toByteArray();
    }

    static StatusReport read(CborReader r) throws MalformedBundleException {
        int at = r.pos;
        long n = r.readArray("the status report");
        if (n != 4 && n != 6) {
            throw r.errorAt(at, Reason.WRONG_ARRAY_LENGTH, "a status report has 4 or 6 elements, has " + n);
        }
        int infoAt = r.pos;
        long items = r.readArray("the status information");
        if (items != -1 && items < 4) {
            throw r.errorAt(infoAt, Reason.WRONG_ARRAY_LENGTH, "the status information has " + items
                    + " items, at least 4 are needed");
        }
        StatusAssertion[] a = new StatusAssertion[4];
        for (int i = 0; i < 4; i++) {
            if (items == -1 && r.atBreak()) {
                throw r.error(Reason.WRONG_ARRAY_LENGTH, "the status information has fewer than 4 items");
            }
            a[i] = readAssertion(r);
        }
        // Items beyond the four of RFC 9171 are skipped.
        for (long i = 4; items == -1 ? !r.atBreak() : i < items; i++) {
            r.skip("a status item");
        }
        if (items == -1) {
            r.readBreak("the status information");
        }
        int reason = (int) r.readUint("the reason code", 255);
        EndpointId source = Eids.read(r, "the source node ID", DecodeLimits.DEFAULT.maxEidLength());
        r.readArray("the creation timestamp", 2);
        long time = r.readUint("the creation time", Long.MAX_VALUE);
        long seq = r.readUint("the sequence number", Long.MAX_VALUE);
        long offset = -1;
        long length = -1;
        if (n == 6) {
            offset = r.readUint("the fragment offset", Long.MAX_VALUE);
            length = r.readUint("the fragment length", Long.MAX_VALUE);
        }
        return new StatusReport(a[0], a[1], a[2], a[3], reason, source, time, seq, offset, length);
    }

    private static StatusAssertion readAssertion(CborReader r) throws MalformedBundleException {
        int at = r.pos;
        long n = r.readArray("a status item");
        if (n != 1 && n != 2) {
            throw r.errorAt(at, Reason.WRONG_ARRAY_LENGTH, "a status item has 1 or 2 elements, has " + n);
        }
        boolean asserted = r.readBool("the status indicator");
        long time = n == 2 ? r.readUint("the status time", Long.MAX_VALUE) : -1;
        if (!asserted && time == -1) {
            return StatusAssertion.NO;
        }
        return new StatusAssertion(asserted, time);
    }
}
