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

    @Option(name = "-l", aliases = "--lifetime", description = "Lifetime in seconds (default 86400)")
    long lifetimeSeconds;

    @Option(name = "-p", aliases = "--priority", description = "bulk, normal or expedited")
    @Completion(value = StringsCompleter.class, values = {"bulk", "normal", "expedited"}, caseSensitive = false)
    String priority;

    @Option(name = "-r", aliases = "--report", multiValued = true,
            description = "Status report to request: reception, forwarding, delivery, deletion (repeatable)")
    @Completion(value = StringsCompleter.class, values = {"reception", "forwarding", "delivery", "deletion"}, caseSensitive = false)
    List<String> reports;

    @Option(name = "--report-to", description = "Where status reports go (default: the source)")
    @Completion(EndpointCompleter.class)
    String reportTo;

    @Option(name = "--hop-limit", description = "Hop limit 1..255 (default: none)")
    int hopLimit;

    @Option(name = "--no-fragment", description = "Ask that the bundle is never fragmented")
    boolean mustNotFragment;

    @Override
    public Object execute() throws Exception {
        BundleOptions.Builder options = BundleOptions.builder();
        if (lifetimeSeconds != 0) {
            options.lifetime(Duration.ofSeconds(lifetimeSeconds));
        }
        if (priority != null) {
            options.classOfService(ClassOfService.valueOf(priority.toUpperCase(Locale.ROOT)));
        }
        if (reports != null) {
            EnumSet<StatusReportKind> kinds = EnumSet.noneOf(StatusReportKind.class);
            for (String r : reports) {
                kinds.add(StatusReportKind.valueOf(r.toUpperCase(Locale.ROOT)));
            }
            options.statusReports(kinds);
        }
        if (reportTo != null) {
            options.reportTo(EndpointId.parse(reportTo));
        }
        options.hopLimit(hopLimit).mustNotFragment(mustNotFragment);
        EndpointId to = EndpointId.parse(destination);
        byte[] bytes = String.join(" ", payload).getBytes(StandardCharsets.UTF_8);
        Optional<EndpointId> from = source == null ? Optional.empty() : Optional.of(EndpointId.parse(source));
        try (LocalSocket socket = registry.openLocal(from)) {
            BundleId id = socket.send(to, bytes, options.build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.out.println("Sent " + bytes.length + " bytes to " + to + " as bundle " + id);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BpException bp) {
                System.err.println("Error: " + bp.error() + ": " + bp.getMessage());
                return null;
            }
            throw e;
        }
        return null;
    }
}
