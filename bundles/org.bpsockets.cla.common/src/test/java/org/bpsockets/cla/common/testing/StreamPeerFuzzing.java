package org.bpsockets.cla.common.testing;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.bpsockets.cla.common.StreamLayer;
import org.bpsockets.cla.common.StreamSession;
import org.bpsockets.node.api.cla.Link;

import com.code_intelligence.jazzer.api.BugDetectors;

/**
 * The body of the stream convergence layers' fuzz targets (issue 17): the fuzzer's bytes are everything a
 * peer sends to a real session of the layer, after which the peer closes its sending side. Invariants: the
 * node ends the session (closes the connection and runs the end its layer forgets it by) in bounded time,
 * nothing is delivered beyond the given limit or what the peer sent, nothing on a link that never came up,
 * and a link that came up goes down.
 *
 * <p>{@link #run} is the fuzzing form: the layer's own inbound session (its constructor, handshake, parser,
 * writer and end) over a {@link MemorySocket}, with no TCP connection, listener or polling. The session's
 * reader, which {@code StreamSession.start} would run on a new thread, runs on the fuzzing thread (the same
 * private {@code run}, called by reflection); the writer and the closer still get their own threads, once
 * the handshake has succeeded. So an input costs the session's own work, plus a thread start or two for
 * those that get that far. {@link #runOverLoopback} is the same over a real loopback
 * connection to the layer's listener, which the targets' plain tests use to show that both give the same. The layer and the context are the caller's, one per JVM: this clears
 * the context's queues.
 */
public final class StreamPeerFuzzing {
    static final long BOUND_NANOS = 10_000_000_000L;

    /** StreamSession's reader (what {@code start} runs on a new thread) and the end callback it sets. */
    private static final Method RUN;
    private static final Field ON_FINISH;
    /** Ends a session that is still running 10 s after its input: closes its connection. */
    private static final ScheduledThreadPoolExecutor WATCHDOG = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "stream-fuzzing-watchdog");
        t.setDaemon(true);
        return t;
    });

    static {
        WATCHDOG.setRemoveOnCancelPolicy(true);
        try {
            RUN = StreamSession.class.getDeclaredMethod("run");
            RUN.setAccessible(true);
            ON_FINISH = StreamSession.class.getDeclaredField("onFinish");
            ON_FINISH.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("StreamSession changed: " + e);
        }
    }

    private StreamPeerFuzzing() {
    }

    /** The layer's constructor of an inbound session on an accepted connection. */
    public interface Inbound {
        StreamSession open(Socket accepted) throws IOException;
    }

    /** One input through a real inbound session over a {@link MemorySocket}. */
    public static void run(Inbound inbound, FakeClaContext ctx, byte[] input, long maxDelivery) throws Exception {
        ctx.received.clear();
        ctx.up.clear();
        ctx.down.clear();
        MemorySocket socket = new MemorySocket(input);
        StreamSession session = inbound.open(socket);
        AtomicBoolean ended = new AtomicBoolean();
        AtomicBoolean timedOut = new AtomicBoolean();
        // What StreamSession.start does, but the reader runs on this thread instead of a new one.
        ON_FINISH.set(session, (Runnable) () -> ended.set(true));
        ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
            timedOut.set(true);
            socket.close();
        }, BOUND_NANOS, TimeUnit.NANOSECONDS);
        try {
            RUN.invoke(session);
        } catch (InvocationTargetException e) {
            // run() handles every Exception itself: this is an Error (a stack overflow, an assertion)
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        } finally {
            watchdog.cancel(false);
        }
        assertFalse(timedOut.get(), "the node did not end the session 10 s after the peer stopped sending");
        assertTrue(ended.get(), "the session ran its end, by which its layer forgets it");
        assertTrue(socket.isClosed(), "the node closed the connection");
        check(ctx, input, maxDelivery);
    }

    /** One input over a real loopback TCP connection to the layer's listener. */
    public static void runOverLoopback(StreamLayer layer, FakeClaContext ctx, byte[] input, long maxDelivery)
            throws Exception {
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
        check(ctx, input, maxDelivery);
    }

    private static void check(FakeClaContext ctx, byte[] input, long maxDelivery) throws InterruptedException {
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
