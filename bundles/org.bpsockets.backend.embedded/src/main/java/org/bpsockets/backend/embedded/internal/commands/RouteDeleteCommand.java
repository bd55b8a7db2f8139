package org.bpsockets.backend.embedded.internal.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.bpsockets.backend.embedded.internal.config.ConfiguredRoute;
import org.osgi.service.cm.ConfigurationAdmin;

/** The shell command bp:route-del. */
@Command(scope = "bp", name = "route-del", description = "Removes a static route.")
@Service
public class RouteDeleteCommand implements Action {
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
