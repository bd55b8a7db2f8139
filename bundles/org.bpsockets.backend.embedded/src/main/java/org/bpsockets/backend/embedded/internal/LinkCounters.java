package org.bpsockets.backend.embedded.internal;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What went over one link, each way, and its last failure. A configured link keeps one for its whole
 * life (across reconnections); a link a peer opened has its own. Written by the event thread and, for
 * refusals, by the layer's decoding thread; read by the shell.
 */
public final class LinkCounters {
    private final AtomicLong bundlesIn = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private final AtomicLong bundlesOut = new AtomicLong();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile String lastProblem;
    /** Bytes per second each way over the last sampling period (the node samples once a second). */
    private volatile long rateIn;
    private volatile long rateOut;
    private long sampledIn;
    private long sampledOut;
    private long sampledAt = System.nanoTime();
    private volatile Instant lastProblemAt;

    void received(long bytes) {
        bundlesIn.incrementAndGet();
        bytesIn.addAndGet(bytes);
    }

    void sent(long bytes) {
        bundlesOut.incrementAndGet();
        bytesOut.addAndGet(bytes);
    }

    void refused(String why) {
        refused.incrementAndGet();
        problem("refused " + why);
    }

    void failed(String why) {
        failures.incrementAndGet();
        problem(why);
    }

    void problem(String why) {
        lastProblem = why;
        lastProblemAt = Instant.now();
    }

    /** Takes a rate sample; called by the node's event thread once a second. */
    void sample(long nowNanos) {
        long elapsed = nowNanos - sampledAt;
        if (elapsed <= 0) {
            return;
        }
        long in = bytesIn.get();
        long out = bytesOut.get();
        rateIn = (in - sampledIn) * 1_000_000_000L / elapsed;
        rateOut = (out - sampledOut) * 1_000_000_000L / elapsed;
        sampledIn = in;
        sampledOut = out;
        sampledAt = nowNanos;
    }

    /** Bytes per second received over the last second. */
    public long rateIn() {
        return rateIn;
    }

    /** Bytes per second sent over the last second. */
    public long rateOut() {
        return rateOut;
    }

    public long bundlesIn() {
        return bundlesIn.get();
    }

    public long bytesIn() {
        return bytesIn.get();
    }

    public long bundlesOut() {
        return bundlesOut.get();
    }

    public long bytesOut() {
        return bytesOut.get();
    }

    public long refused() {
        return refused.get();
    }

    public long failures() {
        return failures.get();
    }

    /** The last failure or refusal with its time, or "-". */
    public String lastProblem() {
        String p = lastProblem;
        return p == null ? "-" : lastProblemAt + " " + p;
    }
}
