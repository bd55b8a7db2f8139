package org.bpsockets.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.bpsockets.api.registry.NodeStatus;
import org.bpsockets.api.registry.SocketRegistry;

@Command(scope = "bp", name = "status", description = "The node at a glance: backend, transports, sockets.")
@Service
public class StatusCommand implements Action {

    @Reference
    SocketRegistry registry;

    @Override
    public Object execute() {
        NodeStatus status = registry.status();
        System.out.println("Backend:    " + status.activeBackend().orElse("none") + " - " + status.backendHealth());
        for (NodeStatus.Transport t : status.transports()) {
            System.out.println("Transport:  " + t.name() + " - " + t.status());
        }
        System.out.println("Sockets:    " + status.sockets() + " (" + status.boundSockets() + " bound)");
        return null;
    }
}
