package org.bpsockets.backend.embedded.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Counters of the node, readable from any thread. */
final class NodeStats {
    final AtomicLong created = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong unprocessableBlocks = new AtomicLong();
    final AtomicLong refusedNoSpace = new AtomicLong();
    final AtomicLong forwarded = new AtomicLong();
    final AtomicLong transmitFailures = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong deleted = new AtomicLong();
    final AtomicLong expired = new AtomicLong();
    final AtomicLong fragmentsSent = new AtomicLong();
    final AtomicLong reassembled = new AtomicLong();
    final AtomicLong reportsSent = new AtomicLong();
    final AtomicLong reportsReceived = new AtomicLong();
    final AtomicLong events = new AtomicLong();

    Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("created", created.get());
        m.put("received", received.get());
        m.put("malformed", malformed.get());
        m.put("duplicates", duplicates.get());
        m.put("unprocessable blocks", unprocessableBlocks.get());
        m.put("refused (no space)", refusedNoSpace.get());
        m.put("forwarded", forwarded.get());
        m.put("transmit failures", transmitFailures.get());
        m.put("delivered", delivered.get());
        m.put("deleted", deleted.get());
        m.put("expired", expired.get());
        m.put("fragments sent", fragmentsSent.get());
        m.put("reassembled", reassembled.get());
        m.put("reports sent", reportsSent.get());
        m.put("reports received", reportsReceived.get());
        m.put("events", events.get());
        return m;
    }
}
