package org.bpsockets.backend.embedded.internal.commands;

import java.time.Duration;
import java.time.Instant;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.table.ShellTable;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;
import org.bpsockets.backend.embedded.internal.NodeCore;
import org.bpsockets.backend.embedded.internal.config.ConfigChecks;
import org.bpsockets.backend.embedded.internal.config.ConfiguredContact;
import org.bpsockets.node.api.routing.Contact;
import org.osgi.service.cm.ConfigurationAdmin;

/** bp:contacts, bp:contact-add, bp:contact-del. */
public final class ContactCommands {
    private ContactCommands() {
    }

    @Command(scope = "bp", name = "contacts", description = "The contact plan: scheduled contacts on links.")
    @Service
    public static class List_ implements Action {
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

    @Command(scope = "bp", name = "contact-add", description = "Schedules a contact on a link "
            + "(written to etc/org.bpsockets.node.contact-NAME.cfg).")
    @Service
    public static class Add implements Action {
        @Reference
        ConfigurationAdmin admin;

        @Reference
        EmbeddedNode node;

        @Argument(index = 0, name = "name", required = true, description = "The contact's name")
        String name;

        @Argument(index = 1, name = "link", required = true, description = "A configured link (mode scheduled)")
        @Completion(Completers.Links.class)
        String link;

        @Argument(index = 2, name = "start", required = true, description = "ISO-8601 UTC, or +SECONDS from now")
        String start;

        @Argument(index = 3, name = "end", required = true, description = "ISO-8601 UTC, or +SECONDS from now")
        String end;

        @Option(name = "-r", aliases = "--rate", description = "Bytes per second, 0 or more (0: unlimited)")
        long rate;

        @Option(name = "--replace", description = "Change the contact if one of that name exists")
        boolean replace;

        @Override
        public Object execute() throws Exception {
            return CommandSupport.refusing(() -> {
                ConfigChecks.name("contact", name);
                java.util.Set<String> links = CommandSupport.linkNames(new NodeAccess(node));
                if (!links.contains(link)) {
                    throw new IllegalArgumentException("link '" + link + "' is not configured; configured links: "
                            + (links.isEmpty() ? "none (bp:link-add NAME CLA ADDRESS --mode scheduled)"
                                    : String.join(", ", new java.util.TreeSet<>(links))));
                }
                if (rate < 0) {
                    throw new IllegalArgumentException("rate " + rate + " is not valid: bytes per second, 0 or more "
                            + "(0: unlimited)");
                }
                Contact c = new Contact(name, link, ConfigChecks.when("start", start), ConfigChecks.when("end", end),
                        rate);
                var p = ConfigCommands.properties();
                p.put("link", link);
                p.put("start", c.start().toString());
                p.put("end", c.end().toString());
                p.put("rate", rate);
                ConfigCommands.put(admin, ConfiguredContact.PID, "contact", name, p, replace);
                System.out.println("Contact " + name + " on " + link + ": " + c.start() + " .. " + c.end());
            });
        }
    }

    @Command(scope = "bp", name = "contact-del", description = "Removes a scheduled contact.")
    @Service
    public static class Delete implements Action {
        @Reference
        ConfigurationAdmin admin;

        @Argument(index = 0, name = "name", required = true, description = "The contact's name")
        @Completion(Completers.Contacts.class)
        String name;

        @Override
        public Object execute() throws Exception {
            System.out.println(ConfigCommands.delete(admin, ConfiguredContact.PID, name)
                    ? "Contact " + name + " removed" : "No contact named " + name);
            return null;
        }
    }
}
