package org.bpsockets.backend.embedded.internal.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.backend.embedded.internal.config.ConfigChecks;
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

    @Command(scope = "bp", name = "route-add", description = "Adds a static route "
            + "(written to etc/org.bpsockets.node.route-NAME.cfg).")
    @Service
    public static class Add implements Action {
        @Reference
        ConfigurationAdmin admin;

        @Reference
        EmbeddedNode node;

        @Argument(index = 0, name = "name", required = true, description = "The route's name")
        String name;

        @Argument(index = 1, name = "pattern", required = true,
                description = "Destination pattern: *, an EID, ipn:N.*, ipn:*.* or dtn://node/*")
        String pattern;

        @Argument(index = 2, name = "next-hop", required = true, description = "A link's name or a peer node ID")
        @Completion(Completers.Links.class)
        String nextHop;

        @Option(name = "--replace", description = "Change the route if one of that name exists")
        boolean replace;

        @Override
        public Object execute() throws Exception {
            return CommandSupport.refusing(() -> {
                ConfigChecks.name("route", name);
                RouteEntry.checkPattern(pattern);
                ConfigChecks.nextHop(nextHop, CommandSupport.linkNames(new NodeAccess(node)));
                var p = ConfigCommands.properties();
                p.put("pattern", pattern);
                p.put("nextHop", nextHop);
                ConfigCommands.put(admin, ConfiguredRoute.PID, "route", name, p, replace);
                System.out.println("Route " + name + ": " + pattern + " via " + nextHop);
            });
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
