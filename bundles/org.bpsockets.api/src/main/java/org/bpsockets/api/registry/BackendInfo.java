package org.bpsockets.api.registry;

import java.util.Optional;

import org.bpsockets.api.backend.BackendCapabilities;
import org.bpsockets.api.backend.BackendHealth;
import org.bpsockets.api.eid.EndpointId;

/**
 * A backend service present in the node.
 *
 * @param active true for the one the registry uses
 * @param openEndpoints how many endpoints are open on it
 */
public record BackendInfo(String name, boolean active, BackendHealth health, BackendCapabilities capabilities,
        Optional<EndpointId> nodeId, int openEndpoints) {
}
