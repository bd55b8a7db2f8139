package org.bpsockets.cla.common.testing;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.bpsockets.node.api.cla.TransmitCallback;

/** A transmit callback as a future: null when transmitted, the reason when failed; counts extra calls. */
public final class Outcome implements TransmitCallback {
    public static final String OK = "<transmitted>";
    private final CompletableFuture<String> result = new CompletableFuture<>();
    private final AtomicInteger calls = new AtomicInteger();
    private volatile String thread;

    @Override
    public void transmitted() {
        calls.incrementAndGet();
        thread = Thread.currentThread().getName();
        result.complete(OK);
    }

    @Override
    public void failed(String reason) {
        calls.incrementAndGet();
        thread = Thread.currentThread().getName();
        result.complete(reason);
    }

    public boolean isDone() {
        return result.isDone();
    }

    public int calls() {
        return calls.get();
    }

    public String thread() {
        return thread;
    }

    /** OK or the failure reason. */
    public String await(Duration timeout) throws InterruptedException {
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(e);
        } catch (TimeoutException e) {
            throw new AssertionError("no transmit outcome within " + timeout);
        }
    }
}
