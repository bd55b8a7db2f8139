package org.bpsockets.backend.embedded.internal.commands;

import java.util.Locale;
import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;
import org.bpsockets.node.api.stats.NodeStatistics.LatencyHistogram;

@Command(scope = "bp", name = "node", description = "The embedded node: identity, store, router and statistics.")
@Service
public class NodeCommand implements Action {

    @Reference
    EmbeddedNode node;

    @Override
    public Object execute() {
        NodeAccess n = new NodeAccess(node);
        System.out.println("Node:       " + n.nodeId());
        n.configurationProblem().ifPresent(p -> System.out.println("Config:     REFUSED, running with the last valid "
                + "configuration: " + p));
        System.out.println("Store:      " + n.storeName());
        System.out.println("Router:     " + n.routerName());
        System.out.println("Layers:     " + (n.layers().isEmpty() ? "none installed" : String.join(", ", n.layers())));
        n.layerProblems().forEach(p -> System.out.println("  problem:  " + p));
        Map<String, Long> s = n.statistics();
        System.out.printf("Bundles:    %d accepted = %d delivered + %d forwarded + %d deleted + %d stored%n",
                s.get("accepted"), s.get("delivered"), s.get("forwarded"), s.get("deleted"), s.get("stored"));
        LatencyHistogram latency = n.deliveryLatency();
        System.out.println("Latency:    " + (latency.count() == 0 ? "no delivery to an application yet"
                : String.format(Locale.ROOT, "%d deliveries, creation to delivery: median <= %s, 99%% <= %s, mean %s",
                        latency.count(), seconds(latency.quantileUpperBound(0.5)),
                        seconds(latency.quantileUpperBound(0.99)), seconds(latency.sumSeconds() / latency.count()))));
        for (Map.Entry<String, Long> e : s.entrySet()) {
            System.out.printf("  %-32s %d%n", e.getKey(), e.getValue());
        }
        return null;
    }

    /** A duration for people: "3 ms", "1.5 s", "more than a day" for the last bucket. */
    static String seconds(double s) {
        if (Double.isInfinite(s)) {
            return "more than a day";
        }
        return s < 1 ? String.format(Locale.ROOT, "%.0f ms", s * 1000) : String.format(Locale.ROOT, "%.3g s", s);
    }
}
