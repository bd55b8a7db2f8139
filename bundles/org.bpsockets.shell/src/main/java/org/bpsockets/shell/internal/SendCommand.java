package org.bpsockets.shell.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.ClassOfService;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.registry.LocalSocket;
import org.bpsockets.api.registry.SocketRegistry;

@Command(scope = "bp", name = "send", description = "Sends the words given as one bundle.")
@Service
public class SendCommand implements Action {

    @Reference
    SocketRegistry registry;

    @Argument(index = 0, name = "destination", description = "Destination EID, e.g. ipn:2.1", required = true)
    @Completion(EndpointCompleter.class)
    String destination;

    @Argument(index = 1, name = "payload", description = "The payload text", required = true, multiValued = true)
    List<String> payload;

    @Option(name = "-s", aliases = "--source", description = "Source endpoint (default: a free ipn:!.S)")
    @Completion(EndpointCompleter.class)
    String source;

    @Option(name = "-l", aliases = "--lifetime", description = "Lifetime in seconds, 1 or more (default 86400)")
    String lifetimeSeconds;

    @Option(name = "-p", aliases = "--priority", description = "bulk, normal or expedited")
    @Completion(value = StringsCompleter.class, values = {"bulk", "normal", "expedited"}, caseSensitive = false)
    String priority;

    @Option(name = "-r", aliases = "--report", multiValued = true,
            description = "Status report to request: reception, forwarding, delivery, deletion (repeatable)")
    @Completion(value = StringsCompleter.class, values = {"reception", "forwarding", "delivery", "deletion"}, caseSensitive = false)
    List<String> reports;

    @Option(name = "--report-to", description = "Where status reports go (default: the node's administrative "
            + "endpoint, whose reports bp:reports lists; the shell's own endpoint is gone when the command returns)")
    @Completion(EndpointCompleter.class)
    String reportTo;

    @Option(name = "--hop-limit", description = "Hop limit 1..255 (default: none)")
    String hopLimit;

    @Option(name = "--no-fragment", description = "Ask that the bundle is never fragmented")
    boolean mustNotFragment;

    @Override
    public Object execute() throws Exception {
        BundleOptions built;
        EndpointId to;
        Optional<EndpointId> from;
        try {
            to = Input.eid("destination", destination);
            from = source == null ? Optional.empty() : Optional.of(Input.eid("source", source));
            built = options();
        } catch (IllegalArgumentException e) {
            System.err.println("Error: " + e.getMessage());
            return null;
        }
        byte[] bytes = String.join(" ", payload).getBytes(StandardCharsets.UTF_8);
        try (LocalSocket socket = registry.openLocal(from)) {
            BundleId id = socket.send(to, bytes, built).toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.out.println("Sent " + bytes.length + " bytes to " + to + " as bundle " + id
                    + (built.statusReports().isEmpty() ? "" : "; reports go to " + built.reportTo().orElse(null)));
        } catch (BpException bp) {
            System.err.println("Error: " + bp.error() + ": " + bp.getMessage());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BpException bp) {
                System.err.println("Error: " + bp.error() + ": " + bp.getMessage());
                return null;
            }
            throw e;
        }
        return null;
    }

    private BundleOptions options() {
        BundleOptions.Builder options = BundleOptions.builder();
        if (lifetimeSeconds != null) {
            long seconds = Input.number("lifetime", lifetimeSeconds, 1, Long.MAX_VALUE / 1000, "seconds");
            options.lifetime(Duration.ofSeconds(seconds));
        }
        if (priority != null) {
            options.classOfService(Input.choice("priority", priority, ClassOfService.class));
        }
        if (reports != null) {
            EnumSet<StatusReportKind> kinds = EnumSet.noneOf(StatusReportKind.class);
            for (String r : reports) {
                kinds.add(Input.choice("report", r, StatusReportKind.class));
            }
            options.statusReports(kinds);
            options.reportTo(reportTo != null ? Input.eid("report-to", reportTo) : adminEndpoint());
        } else if (reportTo != null) {
            options.reportTo(Input.eid("report-to", reportTo));
        }
        if (hopLimit != null) {
            options.hopLimit((int) Input.number("hop limit", hopLimit, 1, BundleOptions.MAX_HOP_LIMIT, "hops"));
        }
        return options.mustNotFragment(mustNotFragment).build();
    }

    /** The active backend's node ID: its administrative endpoint keeps the reports after the command returns. */
    private EndpointId adminEndpoint() {
        return registry.backends().stream().filter(b -> b.active()).findFirst().flatMap(b -> b.nodeId())
                .orElseThrow(() -> new IllegalArgumentException("no backend is active to receive the reports; "
                        + "give --report-to EID"));
    }
}
