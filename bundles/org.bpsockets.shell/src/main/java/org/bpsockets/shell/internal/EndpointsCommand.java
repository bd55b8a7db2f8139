package org.bpsockets.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.bpsockets.api.registry.SocketInfo;
import org.bpsockets.api.registry.SocketRegistry;

@Command(scope = "bp", name = "endpoints", description = "The bound endpoints and where each is registered.")
@Service
public class EndpointsCommand implements Action {

    @Reference
    SocketRegistry registry;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Endpoint");
        table.column("Socket");
        table.column("Registered on");
        for (SocketInfo s : registry.sockets()) {
            if (s.endpoint().isPresent()) {
                table.addRow().addContent(s.endpoint().get(), s.transport() + "#" + s.id(),
                        s.backend().orElse("not registered"));
            }
        }
        table.print(System.out);
        return null;
    }
}
