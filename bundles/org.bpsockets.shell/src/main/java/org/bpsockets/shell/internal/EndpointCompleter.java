package org.bpsockets.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.bpsockets.api.registry.SocketInfo;
import org.bpsockets.api.registry.SocketRegistry;

/** Completes the endpoints bound now and the local node's form {@code ipn:!.}. */
@Service
public class EndpointCompleter implements Completer {

    @Reference
    SocketRegistry registry;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter eids = new StringsCompleter();
        eids.getStrings().add("ipn:!.");
        registry.backends().stream().filter(b -> b.active()).findFirst()
                .flatMap(b -> b.nodeId()).ifPresent(node -> eids.getStrings().add(node.toString()));
        for (SocketInfo s : registry.sockets()) {
            s.endpoint().ifPresent(e -> eids.getStrings().add(e.toString()));
        }
        return eids.complete(session, commandLine, candidates);
    }
}
