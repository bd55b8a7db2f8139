package org.bpsockets.backend.ud3tn.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * A counter of one kind of loss, and its WARN: the first at once, then at most one line per interval
 * carrying how many happened since the last line and in all, so a burst of losses is neither silent
 * nor floods the log.
 */
final class LossLog {
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Logger log;
    private final AtomicLong total = new AtomicLong();
    private long unlogged;
    private long lastLine;
    private boolean logged;

    LossLog(Logger log) {
        this.log = log;
    }

    /** Counts {@code n} and warns with {@code message} (followed by the counts) unless it warned recently. */
    void count(long n, String message) {
        long all = total.addAndGet(n);
        long now = System.nanoTime();
        long since;
        synchronized (this) {
            unlogged += n;
            if (logged && now - lastLine < INTERVAL_NANOS) {
                return;
            }
            logged = true;
            lastLine = now;
            since = unlogged;
            unlogged = 0;
        }
        log.warn("{} ({} since the last such warning, {} in all)", message, since, all);
    }

    long total() {
        return total.get();
    }
}
