package org.bpsockets.backend.embedded.internal;

import java.util.Map;
import java.util.Objects;

/**
 * A configured link: the node opens it through its convergence layer as its mode says.
 *
 * @param name the link's name, used by routes and contacts
 * @param convergenceLayer the layer's name ("tcpclv4", ...)
 * @param address the peer's address in the layer's format
 * @param mode ALWAYS_ON (kept up, reconnected with backoff), ON_DEMAND (opened when the router asks),
 *        SCHEDULED (open during its contacts only)
 * @param parameters the layer's link parameters
 */
public record LinkDefinition(String name, String convergenceLayer, String address, Mode mode,
        Map<String, String> parameters) {

    public enum Mode {
        ALWAYS_ON,
        ON_DEMAND,
        SCHEDULED
    }

    public LinkDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(convergenceLayer, "convergenceLayer");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(mode, "mode");
        parameters = Map.copyOf(parameters);
    }
}
