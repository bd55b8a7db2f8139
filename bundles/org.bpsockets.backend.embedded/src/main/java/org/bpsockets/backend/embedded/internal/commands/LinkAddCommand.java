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
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;
import org.bpsockets.backend.embedded.internal.config.ConfiguredLinkDefinition;
import org.osgi.service.cm.ConfigurationAdmin;

/** The shell command bp:link-add. */
@Command(scope = "bp", name = "link-add", description = "Configures a link the node opens "
        + "(written to etc/org.bpsockets.node.link-NAME.cfg).")
@Service
public class LinkAddCommand implements Action {
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
