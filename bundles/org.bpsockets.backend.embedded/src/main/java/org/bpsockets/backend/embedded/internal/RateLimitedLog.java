package org.bpsockets.backend.embedded.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.slf4j.Logger;

/**
 * WARN lines about one source (a peer, a link) at most once per interval; what is held back is counted
 * and said with the next line, so a peer sending garbage cannot flood the log and nothing is hidden.
 */
final class RateLimitedLog {
    private final Logger log;
    private final long intervalMillis;
    private final LongSupplier clock;
    private final Map<String, long[]> bySource = new ConcurrentHashMap<>();

    RateLimitedLog(Logger log, long intervalMillis, LongSupplier clock) {
        this.log = log;
        this.intervalMillis = intervalMillis;
        this.clock = clock;
    }

    /** Logs {@code message} (an SLF4J pattern) at WARN unless {@code source} was logged within the interval. */
    void warn(String source, String message, Object... args) {
        log(true, source, message, args);
    }

    /** The same at INFO: ends of bundles that are normal in a DTN (expiry), but must still be visible. */
    void info(String source, String message, Object... args) {
        log(false, source, message, args);
    }

    private void log(boolean warn, String source, String message, Object... args) {
        long now = clock.getAsLong();
        long[] state = bySource.computeIfAbsent(source, s -> new long[] {Long.MIN_VALUE, 0});
        long suppressed;
        synchronized (state) {
            if (state[0] != Long.MIN_VALUE && now - state[0] < intervalMillis) {
                state[1]++;
                return;
            }
            suppressed = state[1];
            state[0] = now;
            state[1] = 0;
        }
        String pattern = message;
        Object[] all = args;
        if (suppressed > 0) {
            pattern = message + " ({} more about {} not logged in the last {} s)";
            all = append(args, suppressed, source, intervalMillis / 1000);
        }
        if (warn) {
            log.warn(pattern, all);
        } else {
            log.info(pattern, all);
        }
        if (bySource.size() > 4096) {
            bySource.entrySet().removeIf(e -> now - e.getValue()[0] > intervalMillis);
        }
    }

    private static Object[] append(Object[] args, Object... more) {
        Object[] all = new Object[args.length + more.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}
