package org.bpsockets.node.api.routing;

import java.util.Optional;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.node.api.cla.LinkState;

/**
 * A link as routing sees it.
 *
 * @param id the link's id (unique while the node runs)
 * @param name the configured link's name, or empty for a link a peer opened
 * @param convergenceLayer the layer's name
 * @param peer the peer's node ID, if known
 * @param state its state
 * @param queued bundles queued on it and not yet acknowledged
 */
public record LinkSummary(String id, Optional<String> name, String convergenceLayer, Optional<EndpointId> peer,
        LinkState state, int queued) {
}
