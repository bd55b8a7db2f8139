package org.bpsockets.backend.embedded.internal.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.bpsockets.backend.embedded.internal.config.ConfiguredLinkDefinition;
import org.osgi.service.cm.ConfigurationAdmin;

/** The shell command bp:link-del. */
@Command(scope = "bp", name = "link-del", description = "Removes a configured link.")
@Service
public class LinkDeleteCommand implements Action {
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
