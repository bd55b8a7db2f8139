package org.bpsockets.backend.embedded.internal.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;
import org.bpsockets.backend.embedded.internal.NodeCore;
import org.bpsockets.backend.embedded.internal.config.ConfiguredLinkDefinition;

/** The shell command bp:links. */
@Command(scope = "bp", name = "links", description = "The node's links: configured ones and those peers opened.")
@Service
public class LinksCommand implements Action {
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
