package org.bpsockets.api.registry;

import java.util.List;
import java.util.Optional;

import org.bpsockets.api.transport.TransportStatus;

/**
 * The node at a glance.
 *
 * @param activeBackend the backend in use, if any
 * @param backendHealth its health, or why there is none
 * @param transports every attached transport by name, with its status
 * @param sockets how many sockets are known
 * @param boundSockets how many of them are bound
 */
public record NodeStatus(Optional<String> activeBackend, String backendHealth, List<Transport> transports,
        int sockets, int boundSockets) {

    public NodeStatus {
        transports = List.copyOf(transports);
    }

    /** A transport by name with its status. */
    public record Transport(String name, TransportStatus status) {
    }
}
