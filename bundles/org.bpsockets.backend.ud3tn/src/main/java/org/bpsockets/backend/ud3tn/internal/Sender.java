package org.bpsockets.backend.ud3tn.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.bpsockets.api.BpException;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPMessage;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPResponse;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.ConnectionConfig;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.Keepalive;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The active AAP 2.0 connection of one endpoint: it sends ADUs and keepalives. Requests are
 * pipelined (AAP 2.0 answers them in order), so sending never waits for µD3TN's round trip; one
 * thread reads the answers and completes the requests in order.
 *
 * <p>Closing is graceful ({@link #closeWhenIdle}): a send the registry was given has been written to
 * µD3TN, and µD3TN creates the bundle only if it can still answer on this connection, so the
 * connection stays open until every request has its answer (or the drain time is over, and the
 * requests left fail — never silently). Until then a new registration of the endpoint reuses it.
 */
final class Sender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sender.class);

    private final Aap2Wire wire;
    private final String endpoint;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ConcurrentLinkedQueue<CompletableFuture<AAPResponse>> pending = new ConcurrentLinkedQueue<>();
    private final int keepaliveSeconds;
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    private volatile long lastWrite = System.nanoTime();
    private volatile IOException closedBy;
    /** Guarded by writeLock: close once the last pending request is answered. */
    private volatile boolean closing;
    private volatile ScheduledFuture<?> drainTimer;

    private Sender(Aap2Wire wire, String endpoint, int keepaliveSeconds) {
        this.wire = wire;
        this.endpoint = endpoint;
        this.keepaliveSeconds = keepaliveSeconds;
    }

    /** Connects and registers {@code state}'s endpoint for sending. */
    static Sender open(String address, EndpointState state, int keepaliveSeconds, Runnable onClose)
            throws IOException, BpException {
        Aap2Wire wire = Aap2Wire.connect(address);
        try {
            Subscriber.configure(wire, state, false, keepaliveSeconds);
        } catch (IOException | BpException | RuntimeException e) {
            wire.close();
            throw e;
        }
        Sender sender = new Sender(wire, state.endpoint.toString(), keepaliveSeconds);
        Thread reader = new Thread(() -> sender.readResponses(onClose), "bp-ud3tn-send-" + state.endpoint);
        reader.setDaemon(true);
        reader.start();
        return sender;
    }

    /**
     * Sends one request; the stage completes with µD3TN's answer to it. Null if the connection was
     * closed before anything was written (then the caller may use a new one).
     */
    CompletableFuture<AAPResponse> call(AAPMessage message, ByteBuffer payload) {
        CompletableFuture<AAPResponse> answer = new CompletableFuture<>();
        writeLock.lock();
        try {
            if (closedBy != null) {
                return null;
            }
            pending.add(answer);
            wire.write(message, payload);
            lastWrite = System.nanoTime();
        } catch (IOException e) {
            fail(e);
        } finally {
            writeLock.unlock();
        }
        return answer;
    }

    /**
     * µD3TN disconnects an active client that stays silent for twice its keepalive interval: called
     * periodically, this sends a keepalive when the connection has been idle for one interval.
     */
    void keepaliveIfIdle() {
        if (keepaliveSeconds > 0 && closedBy == null
                && System.nanoTime() - lastWrite > keepaliveSeconds * 1_000_000_000L) {
            call(AAPMessage.newBuilder().setKeepalive(Keepalive.getDefaultInstance()).build(), null);
        }
    }

    boolean isOpen() {
        return closedBy == null;
    }

    /** Nanoseconds since the last request was written. */
    long idleNanos() {
        return System.nanoTime() - lastWrite;
    }

    /** Requests written and not answered yet. */
    int pendingCount() {
        return pending.size();
    }

    /** Completes once the connection is closed. */
    CompletableFuture<Void> closed() {
        return closedFuture;
    }

    /**
     * Closes once every request written so far has its answer; after {@code drainMillis} the requests
     * still unanswered fail and the connection closes.
     */
    void closeWhenIdle(ScheduledExecutorService timer, long drainMillis) {
        writeLock.lock();
        try {
            if (closedBy != null) {
                return;
            }
            closing = true;
            if (pending.isEmpty()) {
                fail(new IOException("the sending connection was closed"));
                return;
            }
            if (drainTimer == null) {
                drainTimer = timer.schedule(() -> drainTimedOut(drainMillis), drainMillis, TimeUnit.MILLISECONDS);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** The endpoint is registered again: keep the connection. */
    void keep() {
        writeLock.lock();
        try {
            closing = false;
            if (drainTimer != null) {
                drainTimer.cancel(false);
                drainTimer = null;
            }
        } finally {
            writeLock.unlock();
        }
    }

    private void drainTimedOut(long drainMillis) {
        writeLock.lock();
        try {
            if (!closing || closedBy != null) {
                return;
            }
            fail(new IOException("µD3TN did not answer within " + drainMillis
                    + " ms after the endpoint was closed"));
        } finally {
            writeLock.unlock();
        }
    }

    private void readResponses(Runnable onClose) {
        try {
            while (true) {
                AAPResponse response = wire.readResponse();
                CompletableFuture<AAPResponse> answer = pending.poll();
                if (answer == null) {
                    throw new IOException("µD3TN answered a request that was never made");
                }
                answer.complete(response);
                if (closing) {
                    writeLock.lock();
                    try {
                        if (closing && pending.isEmpty()) {
                            fail(new IOException("the sending connection was closed after its last answer"));
                            return;
                        }
                    } finally {
                        writeLock.unlock();
                    }
                }
            }
        } catch (IOException e) {
            fail(e);
        } catch (RuntimeException e) {
            LOG.warn("AAP 2.0 sender failed", e);
            fail(new IOException(e));
        } finally {
            onClose.run();
            closedFuture.complete(null);
        }
    }

    private void fail(IOException cause) {
        if (closedBy == null) {
            closedBy = cause;
        }
        wire.close();
        if (drainTimer != null) {
            drainTimer.cancel(false);
        }
        CompletableFuture<AAPResponse> answer;
        while ((answer = pending.poll()) != null) {
            answer.completeExceptionally(closedBy);
        }
    }

    /** Closes at once: requests not answered yet fail. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            fail(new IOException("the sending connection was closed"));
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Sender[" + endpoint + ", " + pending.size() + " pending" + (closing ? ", closing" : "") + "]";
    }

    static ConnectionConfig config(EndpointState state, boolean subscriber, int keepaliveSeconds) {
        return ConnectionConfig.newBuilder().setIsSubscriber(subscriber).setSecret(state.secret)
                .setEndpointId(state.agentId).setKeepaliveSeconds(Math.max(0, keepaliveSeconds)).build();
    }
}
