package org.bpsockets.backend.embedded.internal.commands;

import java.util.Map;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;

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
        for (Map.Entry<String, Long> e : s.entrySet()) {
            System.out.printf("  %-32s %d%n", e.getKey(), e.getValue());
        }
        return null;
    }
}
