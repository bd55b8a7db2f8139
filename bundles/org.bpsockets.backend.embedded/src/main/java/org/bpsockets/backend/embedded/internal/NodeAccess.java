package org.bpsockets.backend.embedded.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.bpsockets.node.api.routing.RouteEntry;

/** What the shell commands read of the node; each call takes a consistent snapshot on the event thread. */
public final class NodeAccess {
    private final EmbeddedNode node;

    public NodeAccess(EmbeddedNode node) {
        this.node = node;
    }

    public String nodeId() {
        return node.core.localNodeId().toString();
    }

    public String storeName() {
        return node.core.storeName();
    }

    public String routerName() {
        return node.routerName();
    }

    public List<String> layers() {
        return List.copyOf(new TreeSet<>(node.core.convergenceLayerNames()));
    }

    public Map<String, Long> statistics() {
        return node.statistics();
    }

    public org.bpsockets.node.api.stats.NodeStatistics.LatencyHistogram deliveryLatency() {
        return node.core.deliveryLatency.snapshot();
    }

    public List<NodeCore.LinkInfo> links() {
        return node.core.linkInfos();
    }

    public List<NodeCore.BundleInfo> bundles(int max) {
        return node.core.bundleInfos(max);
    }

    public String explainRoute(org.bpsockets.api.eid.EndpointId destination) {
        return node.core.explainRoute(destination);
    }

    /** Link, route and contact configurations the node refused, each with its reason. */
    public List<String> refusedConfigurations() {
        return node.refusedConfigurations();
    }

    /** What the installed layers say is wrong with them. */
    public List<String> layerProblems() {
        return node.core.layerProblems();
    }

    /** The installed convergence layers' names. */
    public java.util.Set<String> layerNames() {
        return node.core.convergenceLayerNames();
    }

    /** Why the node's own configuration was refused, if it was. */
    public java.util.Optional<String> configurationProblem() {
        return node.configurationProblem();
    }

    /** The status reports the node's administrative endpoint received lately, oldest first. */
    public List<RecentReports.Entry> reports() {
        return node.core.reports.snapshot();
    }

    public List<RouteEntry> routes() {
        return node.core.routesSnapshot();
    }

    public List<NodeCore.ContactInfo> contacts() {
        return node.core.contactInfos();
    }
}
