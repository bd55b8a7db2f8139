package org.bpsockets.backend.embedded.internal.commands;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.bpsockets.backend.embedded.internal.EmbeddedNode;
import org.bpsockets.backend.embedded.internal.NodeAccess;

/** Completers of configured link, route and contact names. */
public final class Completers {
    private Completers() {
    }

    private static int complete(List<String> names, Session s, CommandLine l, List<String> candidates) {
        StringsCompleter c = new StringsCompleter();
        c.getStrings().addAll(names);
        return c.complete(s, l, candidates);
    }

    @Service
    public static class Links implements Completer {
        @Reference
        EmbeddedNode node;

        @Override
        public int complete(Session s, CommandLine l, List<String> candidates) {
            return Completers.complete(new NodeAccess(node).links().stream().map(x -> x.name())
                    .filter(n -> !n.startsWith("(")).toList(), s, l, candidates);
        }
    }

    /** The installed convergence layers, for bp:link-add. */
    @Service
    public static class Layers implements Completer {
        @Reference
        EmbeddedNode node;

        @Override
        public int complete(Session s, CommandLine l, List<String> candidates) {
            return Completers.complete(List.copyOf(new NodeAccess(node).layerNames()), s, l, candidates);
        }
    }

    @Service
    public static class Routes implements Completer {
        @Reference
        EmbeddedNode node;

        @Override
        public int complete(Session s, CommandLine l, List<String> candidates) {
            return Completers.complete(new NodeAccess(node).routes().stream().map(r -> r.name()).toList(), s, l,
                    candidates);
        }
    }

    @Service
    public static class Contacts implements Completer {
        @Reference
        EmbeddedNode node;

        @Override
        public int complete(Session s, CommandLine l, List<String> candidates) {
            return Completers.complete(new NodeAccess(node).contacts().stream().map(c -> c.contact().name()).toList(),
                    s, l, candidates);
        }
    }
}
