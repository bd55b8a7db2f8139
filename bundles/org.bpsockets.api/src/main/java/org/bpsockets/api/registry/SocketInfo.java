package org.bpsockets.api.registry;

import java.util.Map;
import java.util.Optional;

import org.bpsockets.api.eid.EndpointId;

/**
 * A socket as the registry knows it.
 *
 * @param transport the name of the transport that owns it
 * @param id its id within that transport
 * @param endpoint the bound endpoint, if bound
 * @param backend the backend its endpoint is open on, if any
 * @param options its socket options, by SOL_BP name, as hex
 * @param counters what it has done so far
 * @param inFlight deliveries taken from the backend and not yet accepted by the socket
 */
public record SocketInfo(String transport, long id, Optional<EndpointId> endpoint, Optional<String> backend,
        Map<Integer, String> options, SocketCounters counters, int inFlight) {

    public SocketInfo {
        options = Map.copyOf(options);
    }
}
