package org.bpsockets.backend.embedded.internal.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;
import org.bpsockets.backend.embedded.internal.NodeCore;
import org.bpsockets.backend.embedded.internal.config.ConfiguredContact;
import org.bpsockets.node.api.routing.Contact;

/** The shell command bp:contacts. */
@Command(scope = "bp", name = "contacts", description = "The contact plan: scheduled contacts on links.")
@Service
public class ContactsCommand implements Action {
    @Reference
    EmbeddedNode node;

    @Override
    public Object execute() {
        ShellTable t = new ShellTable();
        t.column("Name");
        t.column("Link");
        t.column("Start");
        t.column("End");
        t.column("Rate B/s").alignRight();
        t.column("Now");
        for (NodeCore.ContactInfo i : new NodeAccess(node).contacts()) {
            Contact c = i.contact();
            t.addRow().addContent(c.name(), c.linkName(), c.start(), c.end(),
                    c.rateBytesPerSecond() == 0 ? "unlimited" : Long.toString(c.rateBytesPerSecond()),
                    i.open() ? "open" : "closed");
        }
        t.print(System.out);
        CommandSupport.printRefused(new NodeAccess(node), ConfiguredContact.PID);
        return null;
    }
}
