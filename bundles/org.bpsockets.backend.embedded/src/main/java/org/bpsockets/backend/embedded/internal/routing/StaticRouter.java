package org.bpsockets.backend.embedded.internal.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.bpsockets.api.eid.DtnEndpointId;
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
 * The default router. Configured routes come first: the first route whose pattern matches the
 * destination decides, and a bundle it sends to a link that is down waits for that link (the router
 * asks for it to be opened: an on-demand link opens, a scheduled one opens with its next contact).
 * Only when no route matches does the implicit rule apply: a link that is up to the destination's
 * node. Bundles with no usable route wait until one appears or their lifetime ends: in a DTN the next
 * contact may still come. {@link #explain} says which rule applies to a destination (bp:routes EID).
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
            Decision d = decide(b.destination(), b.previousNode(), links, view.routes());
            if (d.link != null) {
                actions.add(new RouterAction.Forward(b.id(), d.link));
            } else if (d.open != null && opened.add(d.open)) {
                actions.add(new RouterAction.OpenLink(d.open));
            }
        }
        return actions;
    }

    @Override
    public String explain(EndpointId destination, RoutingView view) {
        return decide(destination, DtnEndpointId.NONE, view.links(), view.routes()).why.get();
    }

    @Override
    public Optional<String> linkAwaited(EndpointId destination, RoutingView view) {
        return Optional.ofNullable(decide(destination, DtnEndpointId.NONE, view.links(), view.routes()).open);
    }

    /** A link to forward on now, or one to open; and in words, why. */
    private record Decision(String link, String open, Supplier<String> why) {
    }

    private static Decision decide(EndpointId destination, EndpointId previous, List<LinkSummary> links,
            List<RouteEntry> routes) {
        for (RouteEntry route : routes) {
            if (!route.matches(destination)) {
                continue;
            }
            // In words only when asked (bp:route explain): decided for every bundle, said rarely.
            Supplier<String> rule = () -> "route " + route.name() + " (" + route.pattern() + " via "
                    + route.nextHop() + ")";
            LinkSummary byName = linkNamed(links, route.nextHop());
            if (byName != null) {
                if (byName.state() == LinkState.UP) {
                    return new Decision(byName.id(), null, () -> rule.get() + ": link " + route.nextHop() + " is up");
                }
                return new Decision(null, route.nextHop(), () -> rule.get() + ": link " + route.nextHop()
                        + " is down; bundles wait for it (it is asked to open)");
            }
            Optional<EndpointId> peer = parse(route.nextHop());
            if (peer.isPresent()) {
                LinkSummary viaPeer = upLinkToPeer(links, peer.get().nodeId(), previous);
                if (viaPeer != null) {
                    return new Decision(viaPeer.id(), null, () -> rule.get() + ": link " + label(viaPeer) + " to "
                            + peer.get().nodeId() + " is up");
                }
                return new Decision(null, null, () -> rule.get() + ": no link to " + peer.get().nodeId()
                        + " is up; bundles wait");
            }
            return new Decision(null, null, () -> rule.get() + ": no link is named " + route.nextHop()
                    + "; bundles wait");
        }
        LinkSummary direct = upLinkToPeer(links, destination.nodeId(), previous);
        if (direct != null) {
            return new Decision(direct.id(), null, () -> "no route matches; implicit rule: link " + label(direct)
                    + " is up to the destination's node " + destination.nodeId());
        }
        return new Decision(null, null, () -> "no route matches and no link to " + destination.nodeId()
                + " is up; bundles wait");
    }

    private static String label(LinkSummary l) {
        return l.name().orElse(l.id());
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
