package org.bpsockets.cla.common;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Thread creation for the layers: named after the link, daemon, and nothing ever escapes unlogged. */
public final class ClaThreads {
    private static final Logger LOG = LoggerFactory.getLogger(ClaThreads.class);

    private ClaThreads() {
    }

    /** A started daemon thread; a Throwable that escapes {@code body} is logged, never rethrown. */
    public static Thread start(String name, Runnable body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                LOG.error("Convergence layer thread {} failed", Thread.currentThread().getName(), e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Joins without throwing; restores the interrupt flag if interrupted. */
    public static boolean join(Thread t, long millis) {
        if (t == null || t == Thread.currentThread()) {
            return true;
        }
        try {
            t.join(Math.max(1, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }
}
