package org.bpsockets.node.api.routing;

import java.util.List;
import java.util.Optional;

import org.bpsockets.api.eid.EndpointId;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The node's routing policy, published as a service; the node uses the one its configuration names
 * (property {@value #NAME_PROPERTY}) and switches when another is installed or configured. Called
 * only on the node's event thread, so an implementation needs no locking of its own; it must return
 * promptly.
 */
@ConsumerType
public interface Router {

    String NAME_PROPERTY = "bp.router.name";

    String name();

    /**
     * Answers an event with what the node should do now. Bundles the router neither forwards nor
     * deletes wait, and are offered again with the next event ({@link RoutingView#waiting()}).
     */
    List<RouterAction> handle(RouterEvent event, RoutingView view);

    /**
     * Says, for an operator, which rule picks the next hop of a bundle to {@code destination} now and
     * what it picks (bp:routes EID). Called on the node's event thread.
     */
    default String explain(EndpointId destination, RoutingView view) {
        return "router '" + name() + "' does not explain its choices";
    }

    /**
     * The configured link a bundle to {@code destination} waits for now, if the router's rule sends it
     * to a link that is down: bp:links and the metrics count such bundles as queued on that link (an
     * operator sees what a down link holds up). Called on the node's event thread.
     *
     * @since 1.2
     */
    default Optional<String> linkAwaited(EndpointId destination, RoutingView view) {
        return Optional.empty();
    }
}
