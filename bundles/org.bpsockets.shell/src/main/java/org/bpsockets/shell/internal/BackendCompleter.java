package org.bpsockets.shell.internal;

import java.util.List;

import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.api.console.CommandLine;
import org.apache.karaf.shell.api.console.Completer;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.bpsockets.api.registry.BackendInfo;
import org.bpsockets.api.registry.SocketRegistry;

/** Completes the names of the backends present. */
@Service
public class BackendCompleter implements Completer {

    @Reference
    SocketRegistry registry;

    @Override
    public int complete(Session session, CommandLine commandLine, List<String> candidates) {
        StringsCompleter names = new StringsCompleter();
        for (BackendInfo b : registry.backends()) {
            names.getStrings().add(b.name());
        }
        return names.complete(session, commandLine, candidates);
    }
}
