package org.bpsockets.backend.embedded.internal.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.eid.DtnEndpointId;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.node.api.cla.LinkState;
import org.bpsockets.node.api.routing.BundleSummary;
import org.bpsockets.node.api.routing.Contact;
import org.bpsockets.node.api.routing.LinkSummary;
import org.bpsockets.node.api.routing.RouteEntry;
import org.bpsockets.node.api.routing.RouterAction;
import org.bpsockets.node.api.routing.RouterEvent;
import org.bpsockets.node.api.routing.RoutingView;
import org.junit.jupiter.api.Test;

class StaticRouterTest {

    static final EndpointId TO = EndpointId.parse("ipn:2.7");
    static final BundleSummary BUNDLE = new BundleSummary(BundleId.of(EndpointId.parse("ipn:1.1"), 1000, 1), TO,
            DtnEndpointId.NONE, 100, Instant.now().plusSeconds(3600));

    static LinkSummary link(String id, String name, String cla, LinkState state) {
        return new LinkSummary(id, Optional.ofNullable(name), cla, Optional.of(EndpointId.parse("ipn:2.0")), state, 0);
    }

    static RoutingView view(List<LinkSummary> links, List<RouteEntry> routes) {
        return new RoutingView() {
            @Override
            public EndpointId localNode() {
                return EndpointId.parse("ipn:1.0");
            }

            @Override
            public Instant now() {
                return Instant.now();
            }

            @Override
            public List<LinkSummary> links() {
                return links;
            }

            @Override
            public List<RouteEntry> routes() {
                return routes;
            }

            @Override
            public List<Contact> contacts() {
                return List.of();
            }

            @Override
            public List<BundleSummary> waiting() {
                return List.of(BUNDLE);
            }
        };
    }

    static List<RouterAction> route(RoutingView v) {
        return new StaticRouter().handle(new RouterEvent.BundleArrived(BUNDLE), v);
    }

    @Test
    void aConfiguredRouteWinsOverAnotherLinkUpToTheSameNode() {
        RoutingView v = view(List.of(link("l1", "tcp3", "tcpclv3", LinkState.UP), link("l2", "udp1", "udp", LinkState.UP)),
                List.of(new RouteEntry("r1", "ipn:2.*", "udp1")));
        assertEquals(List.of(new RouterAction.Forward(BUNDLE.id(), "l2")), route(v));
        String why = new StaticRouter().explain(TO, v);
        assertTrue(why.startsWith("route r1 (ipn:2.* via udp1): link udp1 is up"), why);
    }

    @Test
    void aBundleWhoseRouteIsDownWaitsForItsLinkInsteadOfTakingAnother() {
        RoutingView v = view(List.of(link("l1", "tcp3", "tcpclv3", LinkState.UP), link("", "udp1", "udp", LinkState.DOWN)),
                List.of(new RouteEntry("r1", "ipn:2.*", "udp1")));
        assertEquals(List.of(new RouterAction.OpenLink("udp1")), route(v));
        assertTrue(new StaticRouter().explain(TO, v).contains("is down; bundles wait"));
    }

    @Test
    void withoutAMatchingRouteALinkUpToTheDestinationsNodeIsUsedAndSaidSo() {
        RoutingView v = view(List.of(link("l1", "tcp3", "tcpclv3", LinkState.UP)),
                List.of(new RouteEntry("r1", "ipn:3.*", "tcp3")));
        assertEquals(List.of(new RouterAction.Forward(BUNDLE.id(), "l1")), route(v));
        String why = new StaticRouter().explain(TO, v);
        assertTrue(why.startsWith("no route matches; implicit rule: link tcp3 is up"), why);
    }
}
