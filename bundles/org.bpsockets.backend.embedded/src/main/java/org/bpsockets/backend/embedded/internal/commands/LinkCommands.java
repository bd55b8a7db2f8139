package org.bpsockets.backend.embedded.internal.commands;

import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.bpsockets.backend.embedded.internal.config.ConfigChecks;
import org.apache.karaf.shell.support.table.ShellTable;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;
import org.bpsockets.backend.embedded.internal.NodeCore;
import org.bpsockets.backend.embedded.internal.config.ConfiguredLinkDefinition;
import org.osgi.service.cm.ConfigurationAdmin;

/** bp:links, bp:link-add, bp:link-del. */
public final class LinkCommands {
    private LinkCommands() {
    }

    @Command(scope = "bp", name = "links", description = "The node's links: configured ones and those peers opened.")
    @Service
    public static class List_ implements Action {
        @Reference
        EmbeddedNode node;

        @Override
        public Object execute() {
            ShellTable t = new ShellTable();
            t.column("Name");
            t.column("Id");
            t.column("Layer");
            t.column("Address");
            t.column("Peer");
            t.column("State");
            t.column("Queued").alignRight();
            t.column("Limit B/s").alignRight();
            t.column("Now B/s in/out").alignRight();
            t.column("In").alignRight();
            t.column("Out").alignRight();
            t.column("Refused").alignRight();
            t.column("Mode / problem");
            t.column("Last failure");
            NodeAccess access = new NodeAccess(node);
            for (NodeCore.LinkInfo l : access.links()) {
                t.addRow().addContent(l.name(), l.id(), l.layer(), l.address(), l.peer(), l.state(), l.queued(),
                        l.rate() == 0 ? "-" : Long.toString(l.rate()),
                        l.counters().rateIn() + "/" + l.counters().rateOut(),
                        l.counters().bundlesIn() + " (" + l.counters().bytesIn() + " B)",
                        l.counters().bundlesOut() + " (" + l.counters().bytesOut() + " B)", l.counters().refused(),
                        l.problem(), l.counters().lastProblem());
            }
            t.print(System.out);
            CommandSupport.printRefused(access, ConfiguredLinkDefinition.PID);
            return null;
        }
    }

    @Command(scope = "bp", name = "link-add", description = "Configures a link the node opens "
            + "(written to etc/org.bpsockets.node.link-NAME.cfg).")
    @Service
    public static class Add implements Action {
        @Reference
        ConfigurationAdmin admin;

        @Reference
        EmbeddedNode node;

        @Argument(index = 0, name = "name", required = true, description = "The link's name")
        String name;

        @Argument(index = 1, name = "cla", required = true, description = "Convergence layer (one installed: "
                + "tcpclv4, tcpclv3, mtcp, udp)")
        @Completion(Completers.Layers.class)
        String cla;

        @Argument(index = 2, name = "address", required = true, description = "Peer address, e.g. 127.0.0.1:4556")
        String address;

        @Option(name = "-m", aliases = "--mode", description = "always-on, on-demand or scheduled")
        @Completion(value = StringsCompleter.class, values = {"always-on", "on-demand", "scheduled"})
        String mode = "always-on";

        @Option(name = "-p", aliases = "--param", multiValued = true, description = "Layer parameter key=value")
        List<String> parameters;

        @Option(name = "--replace", description = "Change the link if one of that name exists")
        boolean replace;

        @Override
        public Object execute() throws Exception {
            return CommandSupport.refusing(() -> {
                ConfigChecks.name("link", name);
                ConfigChecks.layer(cla, new NodeAccess(node).layerNames());
                ConfigChecks.address(address);
                String m = ConfigChecks.mode(mode);
                String[] params = parameters == null ? new String[0] : parameters.toArray(new String[0]);
                ConfigChecks.parameters(params);
                var p = ConfigCommands.properties();
                p.put("cla", cla);
                p.put("address", address);
                p.put("mode", m);
                p.put("parameters", params);
                ConfigCommands.put(admin, ConfiguredLinkDefinition.PID, "link", name, p, replace);
                System.out.println("Link " + name + ": " + cla + " " + address + " (" + m + ")");
            });
        }
    }

    @Command(scope = "bp", name = "link-del", description = "Removes a configured link.")
    @Service
    public static class Delete implements Action {
        @Reference
        ConfigurationAdmin admin;

        @Argument(index = 0, name = "name", required = true, description = "The link's name")
        @Completion(Completers.Links.class)
        String name;

        @Override
        public Object execute() throws Exception {
            System.out.println(ConfigCommands.delete(admin, ConfiguredLinkDefinition.PID, name)
                    ? "Link " + name + " removed" : "No link named " + name);
            return null;
        }
    }
}
