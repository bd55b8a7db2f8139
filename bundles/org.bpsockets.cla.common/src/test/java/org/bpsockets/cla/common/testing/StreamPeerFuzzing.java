package org.bpsockets.cla.common.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.bpsockets.cla.common.StreamLayer;
import org.bpsockets.node.api.cla.Link;

import com.code_intelligence.jazzer.api.BugDetectors;

/**
 * The body of the stream convergence layers' fuzz targets (issue 17): the fuzzer's bytes are everything a
 * peer sends to a real layer over loopback, after which the peer closes its sending side. Invariants: the
 * node ends the session (closes the connection and forgets it) in bounded time, nothing is delivered beyond
 * the given limit or what the peer sent, nothing on a link that never came up, and a link that came up goes
 * down. The layer and the context are the caller's, one per JVM: this clears the context's queues.
 */
public final class StreamPeerFuzzing {
    static final long BOUND_NANOS = 10_000_000_000L;

    private StreamPeerFuzzing() {
    }

    public static void run(StreamLayer layer, FakeClaContext ctx, byte[] input, long maxDelivery) throws Exception {
        allowLoopback();
        ctx.received.clear();
        ctx.up.clear();
        ctx.down.clear();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), layer.localPort()));
            s.setSoTimeout(10_000);
            Thread writer = new Thread(() -> {
                try {
                    s.getOutputStream().write(input);
                    s.shutdownOutput();
                } catch (IOException e) {
                    // the node closed first
                }
            });
            writer.start();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                while (in.read(buf) >= 0) {
                    // the node's answers, read so that it never blocks on us
                }
            } catch (SocketTimeoutException e) {
                fail("the node did not end the session 10 s after the peer stopped sending");
            } catch (IOException e) {
                // reset by the node: ended too
            }
            writer.join(10_000);
        }
        long deadline = System.nanoTime() + BOUND_NANOS;
        while (!layer.sessions().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the layer still holds " + layer.sessions() + " 10 s after the end");
            Thread.sleep(1);
        }
        Set<Link> up = new HashSet<>(ctx.up);
        List<FakeClaContext.Received> got = new ArrayList<>(ctx.received);
        long total = 0;
        for (FakeClaContext.Received r : got) {
            assertTrue(up.contains(r.link()), "delivered on a link that never came up");
            assertTrue(r.data().length <= maxDelivery, "a delivery of " + r.data().length + " bytes");
            total += r.data().length;
        }
        assertTrue(total <= input.length, "delivered " + total + " bytes of a " + input.length + "-byte stream");
        List<Link> wentDown = new ArrayList<>();
        for (Link link : up) {
            long until = System.nanoTime() + BOUND_NANOS;
            while (!wentDown.contains(link)) {
                FakeClaContext.Down d = ctx.down.poll(until - System.nanoTime(), TimeUnit.NANOSECONDS);
                assertNotNull(d, "a link that came up never went down");
                wentDown.add(d.link());
            }
        }
    }

    /** Jazzer's server-side request forgery detector (loaded when fuzzing): these targets use loopback. */
    public static void allowLoopback() {
        try {
            BugDetectors.allowNetworkConnections((host, port) -> true);
        } catch (IllegalStateException e) {
            // regression mode: no detector loaded
        }
    }
}
