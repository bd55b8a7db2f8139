package org.bpsockets.backend.ud3tn.internal.commands;

import java.time.Duration;
import java.time.Instant;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.apache.karaf.shell.support.table.ShellTable;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.backend.ud3tn.internal.Ud3tnContact;
import org.bpsockets.backend.ud3tn.internal.Ud3tnBackend;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * bp:ud3tn-contacts, bp:ud3tn-contact-add, bp:ud3tn-contact-del: contacts of the µD3TN node, kept as
 * factory configurations {@code org.bpsockets.backend.ud3tn.contact~NAME} in etc/ and given to µD3TN
 * again whenever it restarts.
 */
public final class ContactCommands {
    private ContactCommands() {
    }

    static Instant when(String text) {
        return text.startsWith("+") ? Instant.now().plus(Duration.ofSeconds(Long.parseLong(text.substring(1))))
                : Instant.parse(text);
    }

    @Command(scope = "bp", name = "ud3tn-contacts", description = "The contacts this node keeps on its µD3TN node.")
    @Service
    public static class List_ implements Action {
        @Reference
        Ud3tnBackend backend;

        @Override
        public Object execute() {
            ShellTable t = new ShellTable();
            t.column("Name");
            t.column("Peer");
            t.column("CLA");
            t.column("Start");
            t.column("End");
            t.column("Rate B/s").alignRight();
            for (Ud3tnContact c : backend.contacts()) {
                t.addRow().addContent(c.name(), c.peer(), c.cla(), c.start(), c.end(), c.rate());
            }
            t.print(System.out);
            return null;
        }
    }

    @Command(scope = "bp", name = "ud3tn-contact-add",
            description = "Gives the µD3TN node a contact to a peer (kept in etc/, given again after µD3TN restarts).")
    @Service
    public static class Add implements Action {
        @Reference
        ConfigurationAdmin admin;

        @Argument(index = 0, name = "name", required = true, description = "The contact's name")
        String name;

        @Argument(index = 1, name = "peer", required = true, description = "The peer's node ID, e.g. ipn:2.0")
        String peer;

        @Argument(index = 2, name = "cla", required = true,
                description = "How µD3TN reaches the peer: <cla>:<address>, e.g. tcpclv3:127.0.0.1:4556")
        String cla;

        @Option(name = "--reachable", multiValued = true, description = "Another EID reachable through the peer")
        List<String> reachable;

        @Option(name = "--start", description = "ISO-8601 UTC or +SECONDS (default now)")
        String start;

        @Option(name = "--end", description = "ISO-8601 UTC or +SECONDS (default in ten years)")
        String end;

        @Option(name = "--rate", description = "Bytes per second")
        long rate = 100_000_000L;

        @Override
        public Object execute() throws Exception {
            Instant from = start == null ? Instant.now() : when(start);
            Instant to = end == null ? from.plusSeconds(10L * 365 * 86400) : when(end);
            List<String> via = reachable == null ? List.of() : reachable;
            // Validates everything before anything is stored: a bad contact is an error here, not in the log.
            new Ud3tnContact(name, EndpointId.parse(peer), cla, via.stream().map(EndpointId::parse).toList(), from, to,
                    rate);
            Dictionary<String, Object> p = new Hashtable<>();
            p.put("name", name);
            p.put("peer", peer);
            p.put("cla", cla);
            p.put("reachable", via.toArray(new String[0]));
            p.put("start", from.toString());
            p.put("end", to.toString());
            p.put("rate", rate);
            admin.getFactoryConfiguration(Ud3tnContact.PID, name, "?").update(p);
            System.out.println("Contact " + name + ": " + peer + " via " + cla + ", " + from + " .. " + to);
            return null;
        }
    }

    @Command(scope = "bp", name = "ud3tn-contact-del", description = "Removes a contact from the µD3TN node.")
    @Service
    public static class Delete implements Action {
        @Reference
        ConfigurationAdmin admin;

        @Argument(index = 0, name = "name", required = true, description = "The contact's name")
        @Completion(Names.class)
        String name;

        @Override
        public Object execute() throws Exception {
            Configuration c = admin.getFactoryConfiguration(Ud3tnContact.PID, name, "?");
            boolean existed = c.getProperties() != null;
            c.delete();
            System.out.println(existed ? "Contact " + name + " removed" : "No contact named " + name);
            return null;
        }
    }

    /** Completes configured contact names. */
    @Service
    public static class Names implements Completer {
        @Reference
        Ud3tnBackend backend;

        @Override
        public int complete(Session session, CommandLine commandLine, List<String> candidates) {
            StringsCompleter c = new StringsCompleter();
            backend.contacts().forEach(i -> c.getStrings().add(i.name()));
            return c.complete(session, commandLine, candidates);
        }
    }
}
