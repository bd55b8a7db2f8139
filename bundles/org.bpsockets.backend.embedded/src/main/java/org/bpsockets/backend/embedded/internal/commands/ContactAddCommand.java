package org.bpsockets.backend.embedded.internal.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;
import org.bpsockets.backend.embedded.internal.config.ConfigChecks;
import org.bpsockets.backend.embedded.internal.config.ConfiguredContact;
import org.bpsockets.node.api.routing.Contact;
import org.osgi.service.cm.ConfigurationAdmin;

/** The shell command bp:contact-add. */
@Command(scope = "bp", name = "contact-add", description = "Schedules a contact on a link "
        + "(written to etc/org.bpsockets.node.contact-NAME.cfg).")
@Service
public class ContactAddCommand implements Action {
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
