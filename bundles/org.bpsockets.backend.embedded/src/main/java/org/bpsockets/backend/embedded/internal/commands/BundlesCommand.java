package org.bpsockets.backend.embedded.internal.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;
import org.bpsockets.backend.embedded.internal.NodeCore;

@Command(scope = "bp", name = "bundles", description = "The bundles the embedded node holds, and what it owes for each.")
@Service
public class BundlesCommand implements Action {

    @Reference
    EmbeddedNode node;

    @Option(name = "-n", aliases = "--max", description = "Show at most this many")
    int max = 50;

    @Option(name = "-v", aliases = "--verbose", description = "Also show lifetime, reports, hop count and flags")
    boolean verbose;

    @Override
    public Object execute() {
        ShellTable t = new ShellTable();
        t.column("Key").alignRight();
        t.column("Bundle");
        t.column("Destination");
        t.column("Bytes").alignRight();
        t.column("Expires");
        t.column("State");
        if (verbose) {
            t.column("Details");
        }
        for (NodeCore.BundleInfo b : new NodeAccess(node).bundles(max)) {
            var row = t.addRow();
            row.addContent(b.key(), b.id(), b.destination(), b.size(), b.expires(), b.state());
            if (verbose) {
                row.addContent(b.details());
            }
        }
        t.print(System.out);
        return null;
    }
}
