package org.bpsockets.api.backend;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives the deliveries of one endpoint registration; implemented by the registry. */
@ConsumerType
@FunctionalInterface
public interface DeliverySink {

    /** Takes a delivery; returns promptly (it never waits for the application). */
    void deliver(Delivery delivery);
}
