package org.bpsockets.backend.ud3tn.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
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
 */
final class Sender implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Sender.class);

    private final Aap2Wire wire;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ConcurrentLinkedQueue<CompletableFuture<AAPResponse>> pending = new ConcurrentLinkedQueue<>();
    private final int keepaliveSeconds;
    private volatile long lastWrite = System.nanoTime();
    private volatile IOException closedBy;

    private Sender(Aap2Wire wire, int keepaliveSeconds) {
        this.wire = wire;
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
        Sender sender = new Sender(wire, keepaliveSeconds);
        Thread reader = new Thread(() -> sender.readResponses(onClose), "bp-ud3tn-send-" + state.endpoint);
        reader.setDaemon(true);
        reader.start();
        return sender;
    }

    /** Sends one request; the stage completes with µD3TN's answer to it. */
    CompletableFuture<AAPResponse> call(AAPMessage message, ByteBuffer payload) {
        CompletableFuture<AAPResponse> answer = new CompletableFuture<>();
        writeLock.lock();
        try {
            if (closedBy != null) {
                answer.completeExceptionally(closedBy);
                return answer;
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

    private void readResponses(Runnable onClose) {
        try {
            while (true) {
                AAPResponse response = wire.readResponse();
                CompletableFuture<AAPResponse> answer = pending.poll();
                if (answer == null) {
                    throw new IOException("µD3TN answered a request that was never made");
                }
                answer.complete(response);
            }
        } catch (IOException e) {
            fail(e);
        } catch (RuntimeException e) {
            LOG.warn("AAP 2.0 sender failed", e);
            fail(new IOException(e));
        } finally {
            onClose.run();
        }
    }

    private void fail(IOException cause) {
        if (closedBy == null) {
            closedBy = cause;
        }
        wire.close();
        CompletableFuture<AAPResponse> answer;
        while ((answer = pending.poll()) != null) {
            answer.completeExceptionally(closedBy);
        }
    }

    @Override
    public void close() {
        fail(new IOException("the sending connection was closed"));
    }

    static ConnectionConfig config(EndpointState state, boolean subscriber, int keepaliveSeconds) {
        return ConnectionConfig.newBuilder().setIsSubscriber(subscriber).setSecret(state.secret)
                .setEndpointId(state.agentId).setKeepaliveSeconds(Math.max(0, keepaliveSeconds)).build();
    }
}
