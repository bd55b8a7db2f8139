package org.bpsockets.cla.common.testing;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.backend.DeliverySink;

/** What the tests of a backend (embedded, µD3TN, ION) share: a recording sink and waiting helpers. */
public final class BackendTesting {
    private BackendTesting() {
    }

    /** Polls a condition other threads make true; fails after 10 s naming what was awaited. */
    public static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    /** The error a backend's send failed with; fails if it succeeded or did not finish in 10 s. */
    public static BpError sendError(CompletionStage<?> stage) throws InterruptedException {
        try {
            stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return ((BpException) e.getCause()).error();
        } catch (TimeoutException e) {
            throw new AssertionError("the send neither completed nor failed");
        }
        throw new AssertionError("the send succeeded");
    }

    /** A sink that keeps what it gets, acknowledging at once or only when the test does. */
    public static final class Sink implements DeliverySink {
        public final BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();
        private final boolean autoAck;

        public Sink(boolean autoAck) {
            this.autoAck = autoAck;
        }

        @Override
        public void deliver(Delivery d) {
            got.add(d);
            if (autoAck) {
                d.acknowledge();
            }
        }

        /** The next delivery; fails after 10 s without one. */
        public Delivery next() throws InterruptedException {
            Delivery d = got.poll(10, TimeUnit.SECONDS);
            if (d == null) {
                throw new AssertionError("nothing delivered");
            }
            return d;
        }
    }
}
