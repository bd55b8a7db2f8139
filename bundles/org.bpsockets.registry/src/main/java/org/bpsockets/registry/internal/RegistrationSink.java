package org.bpsockets.registry.internal;

import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.backend.DeliverySink;

/**
 * The sink of one registration of one socket. A new one is made for every registration, so deliveries
 * that arrive for a registration the registry already closed are recognised and handed back.
 */
final class RegistrationSink implements DeliverySink {
    private final SocketRegistryImpl registry;
    final SocketState socket;

    RegistrationSink(SocketRegistryImpl registry, SocketState socket) {
        this.registry = registry;
        this.socket = socket;
    }

    @Override
    public void deliver(Delivery delivery) {
        registry.accept(this, delivery);
    }
}
