package org.bpsockets.api.registry;

import java.util.List;
import java.util.Optional;

import org.bpsockets.api.BpException;
import org.bpsockets.api.eid.EndpointId;
import org.osgi.annotation.versioning.ProviderType;

/** The socket-state registry as shells and tools see it. */
@ProviderType
public interface SocketRegistry {

    /** The node at a glance. */
    NodeStatus status();

    /** Every socket of every transport, ordered by transport and id. */
    List<SocketInfo> sockets();

    /** Every backend service present, the active one first. */
    List<BackendInfo> backends();

    /**
     * Opens a socket inside the node, for people and tools that have no AF_BP socket (the shell).
     *
     * @param endpoint the endpoint to bind, or empty to bind automatically on the first send
     * @throws BpException as a bind would
     */
    LocalSocket openLocal(Optional<EndpointId> endpoint) throws BpException;
}
