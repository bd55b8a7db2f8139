package org.bpsockets.backend.embedded.internal.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;
import org.bpsockets.backend.embedded.internal.config.ConfiguredRoute;
import org.bpsockets.node.api.routing.RouteEntry;
import org.osgi.service.cm.ConfigurationAdmin;

/** bp:routes, bp:route-add, bp:route-del. */
public final class RouteCommands {
    private RouteCommands() {
    }

    @Command(scope = "bp", name = "routes", description = "The node's static routes, in the order they are tried.")
    @Service
    public static class List_ implements Action {
        @Reference
        EmbeddedNode node;

        @Override
        public Object execute() {
            ShellTable t = new ShellTable();
            t.column("Name");
            t.column("Destination");
            t.column("Next hop");
            for (RouteEntry r : new NodeAccess(node).routes()) {
                t.addRow().addContent(r.name(), r.pattern(), r.nextHop());
            }
            t.print(System.out);
            return null;
        }
    }

    @Command(scope = "bp", name = "route-add", description = "Adds a static route (kept in etc/).")
    @Service
    public static class Add implements Action {
        @Reference
        ConfigurationAdmin admin;

        @Argument(index = 0, name = "name", required = true, description = "The route's name")
        String name;

        @Argument(index = 1, name = "pattern", required = true,
                description = "Destination pattern: *, an EID, ipn:N.*, ipn:*.* or dtn://node/*")
        String pattern;

        @Argument(index = 2, name = "next-hop", required = true, description = "A link's name or a peer node ID")
        @Completion(Completers.Links.class)
        String nextHop;

        @Override
        public Object execute() throws Exception {
            RouteEntry.checkPattern(pattern);
            var p = ConfigCommands.properties();
            p.put("pattern", pattern);
            p.put("nextHop", nextHop);
            ConfigCommands.put(admin, ConfiguredRoute.PID, name, p);
            System.out.println("Route " + name + ": " + pattern + " via " + nextHop);
            return null;
        }
    }

    @Command(scope = "bp", name = "route-del", description = "Removes a static route.")
    @Service
    public static class Delete implements Action {
        @Reference
        ConfigurationAdmin admin;

        @Argument(index = 0, name = "name", required = true, description = "The route's name")
        @Completion(Completers.Routes.class)
        String name;

        @Override
        public Object execute() throws Exception {
            System.out.println(ConfigCommands.delete(admin, ConfiguredRoute.PID, name)
                    ? "Route " + name + " removed" : "No route named " + name);
            return null;
        }
    }
}
