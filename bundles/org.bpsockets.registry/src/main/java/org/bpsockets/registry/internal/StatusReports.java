package org.bpsockets.registry.internal;

import java.util.EnumSet;
import java.util.Optional;

import org.bpsockets.api.bundle.BundleStatus;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.bpv7.AdministrativeRecord;
import org.bpsockets.bpv7.MalformedBundleException;
import org.bpsockets.bpv7.StatusReport;
import org.bpsockets.bpv7.StatusReport.StatusAssertion;

/**
 * Reads the status reports among delivered administrative records. Every backend delivers BPv7
 * records (the embedded node, ION 4, µD3TN in BPv7 mode), so one decoder serves them all.
 */
final class StatusReports {

    private StatusReports() {
    }

    /**
     * The status report an administrative record carries; empty for anything else, even what cannot be
     * read as an administrative record at all: that goes to the application as data, as it came.
     *
     * @throws MalformedBundleException if it is a malformed status report, or one asserting nothing
     */
    static Optional<BundleStatus> decode(ReceivedBundle bundle) throws MalformedBundleException {
        AdministrativeRecord record;
        try {
            record = AdministrativeRecord.decode(bundle.payload());
        } catch (MalformedBundleException e) {
            return Optional.empty();
        }
        if (!record.isStatusReport()) {
            return Optional.empty();
        }
        StatusReport report = record.statusReport();
        EnumSet<StatusReportKind> asserted = EnumSet.noneOf(StatusReportKind.class);
        long time = 0;
        for (StatusReportKind kind : StatusReportKind.values()) {
            StatusAssertion a = report.assertion(kind);
            if (a.asserted()) {
                asserted.add(kind);
                if (time == 0 && a.hasTime()) {
                    time = a.time();
                }
            }
        }
        if (asserted.isEmpty()) {
            throw new MalformedBundleException(MalformedBundleException.Reason.VALUE_OUT_OF_RANGE, 0,
                    "a status report that asserts nothing");
        }
        return Optional.of(new BundleStatus(report.subject(), report.fragmentLength(), asserted, bundle.source(),
                time, report.reasonCode()));
    }
}
