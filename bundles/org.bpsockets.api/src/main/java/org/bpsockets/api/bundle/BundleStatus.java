package org.bpsockets.api.bundle;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import org.bpsockets.api.eid.EndpointId;

/**
 * A bundle status report (RFC 9171 §6.1.1) as an application reads it: which bundle it is about, what
 * happened to it, where and when.
 *
 * @param subject the bundle the report is about: its source, creation timestamp and fragment offset
 * @param fragmentLength the subject fragment's payload length, or -1 when the subject is not a fragment
 * @param asserted the events the report asserts (at least one)
 * @param reporter the node that issued the report (the report bundle's source)
 * @param eventTime DTN time in milliseconds of the first asserted event, or 0 if the report gives none
 * @param reasonCode the report's reason code, 0..255
 */
public record BundleStatus(BundleId subject, long fragmentLength, Set<StatusReportKind> asserted,
        EndpointId reporter, long eventTime, int reasonCode) {

    public BundleStatus {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(asserted, "asserted");
        Objects.requireNonNull(reporter, "reporter");
        if (asserted.isEmpty()) {
            throw new IllegalArgumentException("a status report asserts at least one event");
        }
        if (reasonCode < 0 || reasonCode > 255) {
            throw new IllegalArgumentException("reason code must be 0..255, was " + reasonCode);
        }
        if (subject.isFragment() != (fragmentLength >= 0)) {
            throw new IllegalArgumentException("a fragment has a length, a whole bundle has none");
        }
        asserted = Collections.unmodifiableSet(EnumSet.copyOf(asserted));
    }
}
