package org.bpsockets.shell.internal;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.bpsockets.api.registry.NodeStatus;
import org.bpsockets.api.registry.SocketRegistry;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

@Command(scope = "bp", name = "status", description = "The node at a glance: backend, transports, sockets, versions.")
@Service
public class StatusCommand implements Action {

    @Reference
    SocketRegistry registry;

    @Reference
    BundleContext context;

    @Option(name = "-v", aliases = "--verbose", description = "List each of the node's parts (OSGi bundles) with its "
            + "version and state")
    boolean verbose;

    @Override
    public Object execute() {
        NodeStatus status = registry.status();
        System.out.println("Backend:    " + status.activeBackend().orElse("none") + " - " + status.backendHealth());
        for (NodeStatus.Transport t : status.transports()) {
            System.out.println("Transport:  " + t.name() + " - " + t.status());
        }
        System.out.println("Sockets:    " + status.sockets() + " (" + status.boundSockets() + " bound)");
        System.out.println("Parts:      " + parts());
        if (verbose) {
            for (Bundle b : ourBundles()) {
                System.out.printf("  %-36s %-20s %s%n", b.getSymbolicName(), b.getVersion(), state(b));
            }
        }
        return null;
    }

    /** The node's own bundles: after an upgrade, which versions run, and anything not active. */
    private String parts() {
        List<Bundle> ours = ourBundles();
        List<Bundle> active = ours.stream().filter(b -> b.getState() == Bundle.ACTIVE).toList();
        String versions = active.stream().map(b -> b.getVersion().toString()).distinct().sorted()
                .collect(Collectors.joining(", "));
        String notActive = ours.stream().filter(b -> b.getState() != Bundle.ACTIVE)
                .map(b -> b.getSymbolicName() + " (" + state(b) + ")").collect(Collectors.joining(", "));
        return active.size() + " active at " + (versions.isEmpty() ? "-" : versions)
                + (notActive.isEmpty() ? "" : "; not active: " + notActive) + (verbose ? "" : " (bp:status -v lists them)");
    }

    private List<Bundle> ourBundles() {
        return Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName() != null
                && b.getSymbolicName().startsWith("org.bpsockets.")).sorted(Comparator.comparing(Bundle::getSymbolicName))
                .toList();
    }

    private static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "active";
            case Bundle.RESOLVED -> "resolved (stopped)";
            case Bundle.INSTALLED -> "installed (not resolved)";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            default -> "state " + b.getState();
        };
    }
}
