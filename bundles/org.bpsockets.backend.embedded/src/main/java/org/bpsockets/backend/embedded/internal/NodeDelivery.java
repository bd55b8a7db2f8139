package org.bpsockets.backend.embedded.internal;

import java.util.concurrent.atomic.AtomicBoolean;

import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.bundle.ReceivedBundle;

/** A delivery to a registration; the first of acknowledge or release counts. */
final class NodeDelivery implements Delivery {
    private final NodeCore node;
    private final NodeCore.NodeRegistration registration;
    private final long key;
    private final ReceivedBundle bundle;
    private final AtomicBoolean done = new AtomicBoolean();

    NodeDelivery(NodeCore node, NodeCore.NodeRegistration registration, long key, ReceivedBundle bundle) {
        this.node = node;
        this.registration = registration;
        this.key = key;
        this.bundle = bundle;
    }

    @Override
    public ReceivedBundle bundle() {
        return bundle;
    }

    @Override
    public void acknowledge() {
        if (done.compareAndSet(false, true)) {
            node.deliveryDone(registration, key, true);
        }
    }

    @Override
    public void release() {
        if (done.compareAndSet(false, true)) {
            node.deliveryDone(registration, key, false);
        }
    }
}
