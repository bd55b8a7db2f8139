package org.bpsockets.backend.embedded.internal.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;
import org.bpsockets.backend.embedded.internal.config.ConfigChecks;
import org.bpsockets.backend.embedded.internal.config.ConfiguredRoute;
import org.bpsockets.node.api.routing.RouteEntry;
import org.osgi.service.cm.ConfigurationAdmin;

/** The shell command bp:route-add. */
@Command(scope = "bp", name = "route-add", description = "Adds a static route "
        + "(written to etc/org.bpsockets.node.route-NAME.cfg).")
@Service
public class RouteAddCommand implements Action {
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
