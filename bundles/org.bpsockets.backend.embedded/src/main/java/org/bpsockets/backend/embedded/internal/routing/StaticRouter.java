package org.bpsockets.backend.embedded.internal.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.node.api.cla.LinkState;
import org.bpsockets.node.api.routing.BundleSummary;
import org.bpsockets.node.api.routing.LinkSummary;
import org.bpsockets.node.api.routing.RouteEntry;
import org.bpsockets.node.api.routing.Router;
import org.bpsockets.node.api.routing.RouterAction;
import org.bpsockets.node.api.routing.RouterEvent;
import org.bpsockets.node.api.routing.RoutingView;
import org.osgi.service.component.annotations.Component;

/**
 * The default router: a bundle goes to a link that is up to its destination node, else over the first
 * static route whose pattern matches and whose next hop (a link by name, or a peer node) is up; if the
 * route's link is down, the router asks for it to be opened (the node opens it if it is an on-demand
 * link; a scheduled link opens with its next contact). Bundles with no usable route wait until one
 * appears or their lifetime ends: in a DTN the next contact may still come.
 */
@Component(property = Router.NAME_PROPERTY + "=static")
public final class StaticRouter implements Router {

    @Override
    public String name() {
        return "static";
    }

    @Override
    public List<RouterAction> handle(RouterEvent event, RoutingView view) {
        List<BundleSummary> candidates = event instanceof RouterEvent.BundleArrived arrived
                ? List.of(arrived.bundle()) : view.waiting();
        if (candidates.isEmpty()) {
            return List.of();
        }
        List<LinkSummary> links = view.links();
        List<RouterAction> actions = new ArrayList<>();
        Set<String> opened = new HashSet<>();
        for (BundleSummary b : candidates) {
            Decision d = decide(b, links, view.routes());
            if (d.link != null) {
                actions.add(new RouterAction.Forward(b.id(), d.link));
            } else if (d.open != null && opened.add(d.open)) {
                actions.add(new RouterAction.OpenLink(d.open));
            }
        }
        return actions;
    }

    private record Decision(String link, String open) {
    }

    private static Decision decide(BundleSummary b, List<LinkSummary> links, List<RouteEntry> routes) {
        EndpointId destinationNode = b.destination().nodeId();
        LinkSummary direct = upLinkToPeer(links, destinationNode, b.previousNode());
        if (direct != null) {
            return new Decision(direct.id(), null);
        }
        String toOpen = null;
        for (RouteEntry route : routes) {
            if (!route.matches(b.destination())) {
                continue;
            }
            LinkSummary byName = linkNamed(links, route.nextHop());
            if (byName != null) {
                if (byName.state() == LinkState.UP) {
                    return new Decision(byName.id(), null);
                }
                if (toOpen == null) {
                    toOpen = route.nextHop();
                }
                continue;
            }
            Optional<EndpointId> peer = parse(route.nextHop());
            if (peer.isPresent()) {
                LinkSummary viaPeer = upLinkToPeer(links, peer.get().nodeId(), b.previousNode());
                if (viaPeer != null) {
                    return new Decision(viaPeer.id(), null);
                }
            }
        }
        return new Decision(null, toOpen);
    }

    /** An up link to a node, not back to the node the bundle came from (no ping-pong). */
    private static LinkSummary upLinkToPeer(List<LinkSummary> links, EndpointId node, EndpointId previous) {
        if (node.equals(previous.isNull() ? null : previous.nodeId())) {
            return null;
        }
        for (LinkSummary l : links) {
            if (l.state() == LinkState.UP && l.peer().isPresent() && l.peer().get().nodeId().equals(node)) {
                return l;
            }
        }
        return null;
    }

    private static LinkSummary linkNamed(List<LinkSummary> links, String name) {
        LinkSummary down = null;
        for (LinkSummary l : links) {
            if (l.name().isPresent() && l.name().get().equals(name)) {
                if (l.state() == LinkState.UP) {
                    return l;
                }
                down = l;
            }
        }
        return down;
    }

    private static Optional<EndpointId> parse(String text) {
        try {
            return Optional.of(EndpointId.parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
