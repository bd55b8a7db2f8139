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
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.support.completers.StringsCompleter;
import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.ClassOfService;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.registry.LocalSocket;
import org.bpsockets.api.registry.SocketRegistry;

@Command(scope = "bp", name = "send", description = "Sends the words given (or a file, or N bytes) as a bundle, "
        + "once or COUNT times.")
@Service
public class SendCommand implements Action {

    @Reference
    SocketRegistry registry;

    @Reference
    Session session;

    /** Payloads from this size on, or more than one bundle, get a progress line (on a terminal). */
    private static final long PROGRESS_FROM_BYTES = 1 << 20;

    @Argument(index = 0, name = "destination", description = "Destination EID, e.g. ipn:2.1", required = true)
    @Completion(EndpointCompleter.class)
    String destination;

    @Argument(index = 1, name = "payload", description = "The payload text (or give -f FILE or --size BYTES)",
            required = false, multiValued = true)
    List<String> payload;

    @Option(name = "-f", aliases = "--file", description = "Send this file's content as the payload")
    String file;

    @Option(name = "--size", description = "Send a payload of this many bytes (a repeating pattern)")
    String sizeText;

    @Option(name = "-n", aliases = "--count", description = "Send the bundle this many times, 1 or more (default 1)")
    String countText;

    @Option(name = "-i", aliases = "--interval", description = "With -n: seconds between one bundle and the next, "
            + "0.001 to 86400 (default 0: as fast as the node accepts them)")
    String intervalText;

    @Option(name = "--log", description = "Append a line per accepted bundle (its ID, length and SHA-256) to this file")
    String logFile;

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
        // A refused input throws IllegalArgumentException naming what is valid: Karaf prints it as the
        // command's failure (Input.failure).
        EndpointId to = Input.eid("destination", destination);
        Optional<EndpointId> from = source == null ? Optional.empty() : Optional.of(Input.eid("source", source));
        BundleOptions built = options();
        byte[] bytes = payload();
        long count = countText == null ? 1 : Input.number("count", countText, 1, 10_000_000, "bundles");
        long intervalNanos = intervalText == null ? 0 : Input.seconds("interval", intervalText, 0.001, 86_400);
        ProgressLine progress = progress(count == 1 ? "sending" : "sending " + count + " bundles",
                count * bytes.length, count > 1);
        BundleLog log = logFile == null ? null : BundleLog.open(logFile);
        try (LocalSocket socket = registry.openLocal(from); BundleLog closing = log) {
            long next = System.nanoTime();
            for (long i = 0; i < count; i++) {
                if (i > 0 && intervalNanos > 0) {
                    // A steady rate: each send at its slot from the first, whatever the previous one took.
                    next += intervalNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                BundleId id = socket.send(to, bytes, built).toCompletableFuture().get(30, TimeUnit.SECONDS);
                if (log != null) {
                    log.record(id, java.nio.ByteBuffer.wrap(bytes));
                }
                progress.update((i + 1) * bytes.length);
                if (count == 1) {
                    System.out.println("Sent " + bytes.length + " bytes to " + to + " as bundle " + id
                            + (built.statusReports().isEmpty() ? "" : "; reports go to " + built.reportTo().orElse(null)));
                }
            }
            if (count > 1) {
                System.out.println("Sent " + count + " bundles of " + bytes.length + " bytes to " + to
                        + (built.statusReports().isEmpty() ? "" : "; reports go to " + built.reportTo().orElse(null)));
            }
        } catch (BpException bp) {
            throw Input.failure(bp);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BpException bp) {
                throw Input.failure(bp);
            }
            throw e;
        }
        return null;
    }

    /** The payload: the words, a file's content, or SIZE bytes; exactly one of them. */
    private byte[] payload() {
        int given = (payload == null || payload.isEmpty() ? 0 : 1) + (file == null ? 0 : 1) + (sizeText == null ? 0 : 1);
        if (given != 1) {
            throw new IllegalArgumentException("give the payload as words, or -f FILE, or --size BYTES (one of them)");
        }
        if (file != null) {
            try {
                return read(java.nio.file.Path.of(file));
            } catch (java.io.IOException | java.nio.file.InvalidPathException | OutOfMemoryError e) {
                throw new IllegalArgumentException("file '" + file + "' cannot be read: " + e.getMessage());
            }
        }
        if (sizeText != null) {
            int size = (int) Input.number("size", sizeText, 0, Integer.MAX_VALUE - 16, "bytes");
            byte[] b = new byte[size];
            for (int i = 0; i < size; i++) {
                b[i] = (byte) ('a' + i % 26);
            }
            return b;
        }
        return String.join(" ", payload).getBytes(StandardCharsets.UTF_8);
    }

    /** A file's content, with a progress line while a large one is read. */
    private byte[] read(java.nio.file.Path path) throws java.io.IOException {
        long size = java.nio.file.Files.size(path);
        if (size > Integer.MAX_VALUE - 16) {
            throw new java.io.IOException("it has " + size + " bytes; a bundle's payload here is at most "
                    + (Integer.MAX_VALUE - 16));
        }
        byte[] content = new byte[(int) size];
        ProgressLine progress = progress("reading " + path.getFileName(), size, false);
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(path)) {
            int done = 0;
            while (done < content.length) {
                int n = in.read(content, done, Math.min(1 << 20, content.length - done));
                if (n < 0) {
                    throw new java.io.IOException("it shrank while being read (" + done + " of " + size + " bytes)");
                }
                done += n;
                progress.update(done);
            }
        }
        return content;
    }

    private ProgressLine progress(String what, long total, boolean always) {
        boolean shown = (always || total >= PROGRESS_FROM_BYTES) && ProgressLine.interactive(session);
        return new ProgressLine(what, total, System.err, shown, System::nanoTime);
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
