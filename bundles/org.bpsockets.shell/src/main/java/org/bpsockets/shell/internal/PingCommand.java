package org.bpsockets.shell.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.registry.LocalSocket;
import org.bpsockets.api.registry.SocketRegistry;

@Command(scope = "bp", name = "ping", description = "Sends bundles to an echo service (a node's ipn:N.9002) and "
        + "prints the round trip of each answer, as ping(8) does.")
@Service
public class PingCommand implements Action {

    @Reference
    SocketRegistry registry;

    @Argument(index = 0, name = "destination", required = true,
            description = "The echo endpoint, e.g. ipn:2.9002 (a node ID such as ipn:2.0 means its echo service)")
    @Completion(EndpointCompleter.class)
    String destination;

    @Option(name = "-c", aliases = "--count", description = "Bundles to send, 1 or more (default: 3)")
    String countText;

    @Option(name = "-i", aliases = "--interval", description = "Seconds between sends, 1 or more (default: 1)")
    String intervalText;

    @Option(name = "-W", aliases = "--wait", description = "Seconds to wait for the last answer (default: 10)")
    String waitText;

    @Option(name = "-s", aliases = "--size", description = "Payload bytes, 16 or more (default: 64)")
    String sizeText;

    @Override
    public Object execute() throws Exception {
        // A refused input throws IllegalArgumentException naming what is valid (see Input.failure).
        EndpointId to = Input.eid("destination", destination);
        if (to.isNodeId() && to instanceof org.bpsockets.api.eid.IpnEndpointId ipn) {
            to = ipn.withService(9002);
        }
        long count = countText == null ? 3 : Input.number("count", countText, 1, 1_000_000, "bundles");
        long interval = intervalText == null ? 1 : Input.number("interval", intervalText, 1, 3600, "seconds");
        long wait = waitText == null ? 10 : Input.number("wait", waitText, 1, 86_400, "seconds");
        int size = (int) (sizeText == null ? 64 : Input.number("size", sizeText, 16, 16 << 20, "bytes"));
        long token = System.nanoTime();
        int received = 0;
        double min = Double.MAX_VALUE;
        double max = 0;
        double sum = 0;
        BundleOptions options = BundleOptions.builder().lifetime(Duration.ofSeconds(Math.max(60, wait * 2))).build();
        try (LocalSocket socket = registry.openLocal(Optional.empty())) {
            System.out.println("PING " + to + ": " + size + " bytes of payload");
            long sent = 0;
            long deadline = 0;
            while (sent < count || System.nanoTime() < deadline) {
                if (sent < count) {
                    ByteBuffer payload = ByteBuffer.allocate(size);
                    payload.putLong(token).putLong(sent).putLong(System.nanoTime());
                    socket.send(to, payload.array(), options).toCompletableFuture().get(30, TimeUnit.SECONDS);
                    sent++;
                    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(sent < count ? interval : wait);
                }
                while (System.nanoTime() < deadline) {
                    long left = deadline - System.nanoTime();
                    Optional<ReceivedBundle> got = socket.receive(Duration.ofNanos(Math.max(1, left)));
                    if (got.isEmpty()) {
                        break;
                    }
                    ByteBuffer b = ByteBuffer.wrap(got.get().payloadBytes());
                    if (b.remaining() < 24 || b.getLong() != token) {
                        continue; // not an answer to this run
                    }
                    long seq = b.getLong();
                    double ms = (System.nanoTime() - b.getLong()) / 1e6;
                    received++;
                    min = Math.min(min, ms);
                    max = Math.max(max, ms);
                    sum += ms;
                    System.out.printf("%d bytes from %s: seq=%d time=%.1f ms%n", got.get().payload().remaining(),
                            got.get().source(), seq + 1, ms);
                    if (received == count) {
                        deadline = 0;
                    }
                }
                if (sent >= count && received < count && System.nanoTime() >= deadline) {
                    break;
                }
            }
            System.out.printf("--- %s ping statistics ---%n%d bundles sent, %d answers, %d%% lost%n", to, sent, received,
                    sent == 0 ? 0 : (sent - received) * 100 / sent);
            if (received > 0) {
                System.out.printf("rtt min/avg/max = %.1f/%.1f/%.1f ms%n", min, sum / received, max);
            }
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof BpException bp ? Input.failure(bp) : Input.failure(String.valueOf(c));
        } catch (BpException bp) {
            throw Input.failure(bp);
        }
        return null;
    }
}
