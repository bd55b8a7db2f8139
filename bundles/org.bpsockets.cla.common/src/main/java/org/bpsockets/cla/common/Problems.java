package org.bpsockets.cla.common;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;

/**
 * Counters of what went wrong with peers, per layer. Each kind is logged at INFO the first time and at
 * DEBUG after that, so a peer sending garbage in a loop cannot flood the log.
 */
public final class Problems {
    private final Logger log;
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    public Problems(Logger log) {
        this.log = log;
    }

    public void report(String kind, String link, String message) {
        LongAdder c = counts.computeIfAbsent(kind, k -> new LongAdder());
        c.increment();
        if (c.sum() == 1) {
            log.info("{}: {} ({}; further ones are logged at DEBUG)", link, message, kind);
        } else if (log.isDebugEnabled()) {
            log.debug("{}: {} ({} #{})", link, message, kind, c.sum());
        }
    }

    public long count(String kind) {
        LongAdder c = counts.get(kind);
        return c == null ? 0 : c.sum();
    }

    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
