package org.bpsockets.shell.internal;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.registry.LocalSocket;
import org.bpsockets.api.registry.SocketRegistry;

@Command(scope = "bp", name = "recv", description = "Binds an endpoint and prints the bundles that arrive for it.")
@Service
public class RecvCommand implements Action {

    @Reference
    SocketRegistry registry;

    @Argument(index = 0, name = "endpoint", description = "Endpoint to bind, e.g. ipn:!.5", required = true)
    @Completion(EndpointCompleter.class)
    String endpoint;

    @Option(name = "-n", aliases = "--count", description = "How many bundles to wait for, 1 or more (default 1)")
    String countText;

    @Option(name = "-t", aliases = "--timeout", description = "Seconds to wait for each bundle, 1 or more (default 10)")
    String timeoutText;

    @Option(name = "--log", description = "Append a line per bundle (its ID, length and SHA-256) to this file instead "
            + "of printing it")
    String logFile;

    @Override
    public Object execute() throws Exception {
        // A refused input throws IllegalArgumentException naming what is valid (see Input.failure).
        EndpointId eid = Input.eid("endpoint", endpoint);
        long count = countText == null ? 1 : Input.number("count", countText, 1, Integer.MAX_VALUE, "bundles");
        long timeoutSeconds = timeoutText == null ? 10 : Input.number("timeout", timeoutText, 1, 31_536_000, "seconds");
        BundleLog log = logFile == null ? null : BundleLog.open(logFile);
        long received = 0;
        long repeats = 0;
        try (LocalSocket socket = registry.openLocal(Optional.of(eid)); BundleLog closing = log) {
            System.out.println("Listening on " + socket.endpoint().orElseThrow());
            for (; received < count; received++) {
                Optional<ReceivedBundle> got = socket.receive(Duration.ofSeconds(timeoutSeconds));
                if (got.isEmpty()) {
                    System.out.println("No bundle within " + timeoutSeconds + " s" + (log == null ? ""
                            : " (" + received + " logged to " + logFile + ", " + repeats + " repeats skipped)"));
                    return null;
                }
                ReceivedBundle b = got.get();
                if (log != null) {
                    if (!log.record(b.id(), b.payload())) {
                        repeats++;
                        received--; // a repeat is not one of the COUNT asked for
                    }
                } else {
                    System.out.println("From " + b.source() + " (" + b.payload().remaining() + " bytes): " + text(b));
                }
            }
        }
        if (log != null) {
            System.out.println("Received " + received + " bundles, logged to " + logFile
                    + (repeats == 0 ? "" : "; " + repeats + " repeated bundles were already in it (not logged again)"));
        }
        return null;
    }

    private static String text(ReceivedBundle b) {
        byte[] bytes = b.payloadBytes();
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            StringBuilder hex = new StringBuilder("0x");
            for (byte x : bytes) {
                hex.append(String.format("%02x", x));
            }
            return hex.toString();
        }
    }
}
