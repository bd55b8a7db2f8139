package org.bpsockets.backend.embedded.internal.commands;

import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;
import org.bpsockets.backend.embedded.internal.RecentReports;
import org.bpsockets.bpv7.StatusReport;

@Command(scope = "bp", name = "reports", description = "Status reports that reached the node's administrative "
        + "endpoint (where bp:send -r sends them), newest last.")
@Service
public class ReportsCommand implements Action {

    @Reference
    EmbeddedNode node;

    @Option(name = "-n", aliases = "--last", description = "How many to show")
    int last = 20;

    @Override
    public Object execute() {
        List<RecentReports.Entry> all = new NodeAccess(node).reports();
        ShellTable t = new ShellTable();
        t.column("Arrived");
        t.column("Reporter");
        t.column("Bundle");
        t.column("Events");
        t.column("Reason");
        for (RecentReports.Entry e : all.subList(Math.max(0, all.size() - Math.max(1, last)), all.size())) {
            StatusReport r = e.report();
            List<String> events = new ArrayList<>();
            if (r.received().asserted()) {
                events.add("received");
            }
            if (r.forwarded().asserted()) {
                events.add("forwarded");
            }
            if (r.delivered().asserted()) {
                events.add("delivered");
            }
            if (r.deleted().asserted()) {
                events.add("deleted");
            }
            t.addRow().addContent(e.arrived(), e.reporter(), r.subject(), String.join(",", events), r.reason());
        }
        t.print(System.out);
        if (all.isEmpty()) {
            System.out.println("No status reports yet (bp:send -r delivery ... asks for one).");
        }
        return null;
    }
}
