package org.bpsockets.shell.internal;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.bpsockets.api.registry.BackendInfo;
import org.bpsockets.api.registry.SocketRegistry;

@Command(scope = "bp", name = "backends", description = "The backends present, the active one first, with what each honours.")
@Service
public class BackendsCommand implements Action {

    @Reference
    SocketRegistry registry;

    @Argument(index = 0, name = "name", description = "Show only this backend", required = false)
    @Completion(BackendCompleter.class)
    String name;

    @Override
    public Object execute() {
        ShellTable table = new ShellTable();
        table.column("Backend");
        table.column("Active");
        table.column("Health");
        table.column("Node");
        table.column("Endpoints").alignRight();
        table.column("Max payload").alignRight();
        table.column("Options honoured");
        for (BackendInfo b : registry.backends()) {
            if (name == null || name.equals(b.name())) {
                table.addRow().addContent(b.name(), b.active() ? "*" : "", b.health(),
                        b.nodeId().map(Object::toString).orElse("-"), b.openEndpoints(),
                        b.capabilities().maxPayload(), b.capabilities().options());
            }
        }
        table.print(System.out);
        return null;
    }
}
