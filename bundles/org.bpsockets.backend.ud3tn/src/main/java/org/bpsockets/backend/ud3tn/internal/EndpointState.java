package org.bpsockets.backend.ud3tn.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.backend.DeliverySink;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.eid.EndpointId;

/**
 * One µD3TN endpoint as this backend knows it, across registrations: its AAP 2.0 identity (the same
 * secret for the subscribing and the sending connection, as µD3TN requires) and the ADUs the backend
 * holds for it, so a bundle µD3TN handed over is never lost when the application is slow or away.
 * Deliveries run on the backend's delivery thread, never on the thread that answers µD3TN: one
 * single thread for every endpoint, so each endpoint's ADUs reach its sink in arrival order.
 */
final class EndpointState {

    final EndpointId endpoint;
    final String agentId;
    final String secret;
    private final Executor deliveries;

    private final ArrayDeque<Adu> waiting = new ArrayDeque<>();
    private DeliverySink sink;
    private int window;
    private int outstanding;
    /** Set when a delivery was released: that registration gets nothing more (the contract: a later one does). */
    private boolean stalled;
    private long refused;

    EndpointState(EndpointId endpoint, String agentId, String secret, Executor deliveries) {
        this.deliveries = deliveries;
        this.endpoint = endpoint;
        this.agentId = agentId;
        this.secret = secret;
    }

    synchronized boolean attached() {
        return sink != null;
    }

    /** A registration starts: everything held goes to it first, in arrival order. */
    void attach(DeliverySink newSink, int newWindow) {
        synchronized (this) {
            sink = newSink;
            window = newWindow;
            outstanding = 0;
            stalled = false;
        }
        schedulePump();
    }

    synchronized void detach(DeliverySink oldSink) {
        if (sink == oldSink) {
            sink = null;
        }
    }

    synchronized int held() {
        return waiting.size() + outstanding;
    }

    synchronized long refused() {
        return refused;
    }

    /**
     * An ADU arrived from µD3TN: the backend holds it from now on (µD3TN may be told SUCCESS at once)
     * and hands it on from the delivery thread. Never waits. False if {@code holdLimit} ADUs are held
     * already: µD3TN will drop it, counted as refused.
     */
    boolean arrived(ReceivedBundle bundle, int holdLimit) {
        Adu adu = new Adu(bundle);
        synchronized (this) {
            if (waiting.size() + outstanding >= holdLimit) {
                refused++;
                return false;
            }
            waiting.addLast(adu);
        }
        schedulePump();
        return true;
    }

    private void schedulePump() {
        deliveries.execute(this::pump);
    }

    private void pump() {
        List<Adu> toDeliver = new ArrayList<>();
        DeliverySink target;
        synchronized (this) {
            target = sink;
            while (target != null && !stalled && outstanding < window && !waiting.isEmpty()) {
                Adu adu = waiting.pollFirst();
                adu.handedTo = target;
                outstanding++;
                toDeliver.add(adu);
            }
        }
        for (Adu adu : toDeliver) {
            try {
                target.deliver(adu);
            } catch (RuntimeException e) {
                // The registry's sink must not throw; if it does, the ADU waits for the next registration.
                org.slf4j.LoggerFactory.getLogger(EndpointState.class).warn("Delivery to {} failed; held for its next "
                        + "registration", endpoint, e);
                adu.release();
            }
        }
    }

    private void finished(Adu adu, boolean taken) {
        synchronized (this) {
            if (adu.handedTo == sink) {
                outstanding--;
            }
            if (!taken) {
                adu.handedTo = null;
                adu.done = false;
                waiting.addFirst(adu);
                if (sink != null) {
                    stalled = true;
                }
            }
        }
        schedulePump();
    }

    /** An ADU the backend holds until the application side has it. */
    private final class Adu implements Delivery {
        private final ReceivedBundle bundle;
        private DeliverySink handedTo;
        private boolean done;

        Adu(ReceivedBundle bundle) {
            this.bundle = bundle;
        }

        @Override
        public ReceivedBundle bundle() {
            return bundle;
        }

        @Override
        public void acknowledge() {
            if (once()) {
                finished(this, true);
            }
        }

        @Override
        public void release() {
            if (once()) {
                finished(this, false);
            }
        }

        private boolean once() {
            synchronized (EndpointState.this) {
                if (done) {
                    return false;
                }
                done = true;
                return true;
            }
        }
    }
}
