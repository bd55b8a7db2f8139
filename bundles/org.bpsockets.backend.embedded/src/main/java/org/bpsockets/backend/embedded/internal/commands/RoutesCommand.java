package org.bpsockets.backend.embedded.internal.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.backend.embedded.internal.config.ConfiguredRoute;
import org.bpsockets.node.api.routing.RouteEntry;

/** The shell command bp:routes. */
@Command(scope = "bp", name = "routes", description = "The node's static routes, in the order they are tried.")
@Service
public class RoutesCommand implements Action {
    @Reference
    EmbeddedNode node;

    @Argument(index = 0, name = "destination", required = false,
            description = "An EID: say which rule picks its next hop now")
    String destination;

    @Override
    public Object execute() {
        NodeAccess access = new NodeAccess(node);
        if (destination != null) {
            return CommandSupport.refusing(() -> {
                EndpointId eid = CommandSupport.eid("destination", destination);
                System.out.println(eid + ": " + access.explainRoute(eid));
            });
        }
        ShellTable t = new ShellTable();
        t.column("Name");
        t.column("Destination");
        t.column("Next hop");
        for (RouteEntry r : access.routes()) {
            t.addRow().addContent(r.name(), r.pattern(), r.nextHop());
        }
        t.print(System.out);
        System.out.println("Routes are tried in name order; the first that matches decides. Without a match, a link "
                + "up to the destination's node is used. bp:routes EID says which rule applies.");
        CommandSupport.printRefused(access, ConfiguredRoute.PID);
        return null;
    }
}
