package org.bpsockets.backend.embedded.internal;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.StatusReport;

/**
 * The last status reports that reached the node's administrative endpoint (the report-to of the
 * shell's sends), for bp:reports: the shell's own sockets are gone by the time reports come back.
 */
public final class RecentReports {

    /** One report, when it arrived and who sent it. */
    public record Entry(Instant arrived, EndpointId reporter, StatusReport report) {
    }

    private final int capacity;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();

    RecentReports(int capacity) {
        this.capacity = capacity;
    }

    synchronized void add(EndpointId reporter, StatusReport report) {
        if (entries.size() == capacity) {
            entries.removeFirst();
        }
        entries.addLast(new Entry(Instant.now(), reporter, report));
    }

    public synchronized List<Entry> snapshot() {
        return List.copyOf(entries);
    }
}
