package org.bpsockets.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.bpsockets.api.registry.SocketInfo;
import org.bpsockets.api.registry.SocketRegistry;

@Command(scope = "bp", name = "sockets", description = "Every socket the node serves, with its counters.")
@Service
public class SocketsCommand implements Action {

    @Reference
    SocketRegistry registry;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Transport");
        table.column("Id").alignRight();
        table.column("Endpoint");
        table.column("Backend");
        table.column("Sent").alignRight();
        table.column("Send failed").alignRight();
        table.column("Delivered").alignRight();
        table.column("Refused full").alignRight();
        table.column("Duplicates").alignRight();
        table.column("Reports").alignRight();
        table.column("Pending").alignRight();
        table.column("Options");
        for (SocketInfo s : registry.sockets()) {
            table.addRow().addContent(s.transport(), s.id(), s.endpoint().map(Object::toString).orElse("-"),
                    s.backend().orElse("-"), s.counters().sent(), s.counters().sendFailures(),
                    s.counters().delivered(), s.counters().refusedFull(), s.counters().duplicates(),
                    s.counters().reports() + (s.counters().reportsDropped() == 0 ? ""
                            : " (" + s.counters().reportsDropped() + " dropped)"), s.inFlight(),
                    s.options().isEmpty() ? "" : s.options().toString());
        }
        table.print(System.out);
        return null;
    }
}
