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
        System.out.println("Store:      " + n.storeName());
        System.out.println("Router:     " + n.routerName());
        System.out.println("Layers:     " + (n.layers().isEmpty() ? "none installed" : String.join(", ", n.layers())));
        for (Map.Entry<String, Long> e : n.statistics().entrySet()) {
            System.out.printf("  %-20s %d%n", e.getKey(), e.getValue());
        }
        return null;
    }
}
