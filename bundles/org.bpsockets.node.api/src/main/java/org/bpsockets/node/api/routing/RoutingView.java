package org.bpsockets.node.api.routing;

import java.time.Instant;
import java.util.List;

import org.bpsockets.api.eid.EndpointId;
import org.osgi.annotation.versioning.ProviderType;

/** The node as the router sees it, at the moment of the call. */
@ProviderType
public interface RoutingView {

    EndpointId localNode();

    Instant now();

    /** Every link the node has, configured or accepted, in any state. */
    List<LinkSummary> links();

    /** The configured static routes, in configuration order. */
    List<RouteEntry> routes();

    /** The configured contacts (the contact plan). */
    List<Contact> contacts();

    /** Bundles for other nodes that wait for the router's decision (not being transmitted). */
    List<BundleSummary> waiting();
}
