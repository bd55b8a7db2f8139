package org.bpsockets.registry.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.bpsockets.api.bundle.BundleStatus;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.transport.DeliveryResult;
import org.bpsockets.api.transport.SocketTransport;
import org.bpsockets.api.transport.TransportStatus;

/** A transport whose sockets answer deliveries as the test says; deliveries can be answered later. */
class FakeTransport implements SocketTransport {
    record Handed(long socketId, ReceivedBundle bundle, CompletableFuture<DeliveryResult> result) {
    }

    final List<Handed> handed = new ArrayList<>();
    final List<BundleStatus> statuses = new ArrayList<>();
    /** The answer to status reports (GONE: the socket does not read them). */
    DeliveryResult statusAnswer = DeliveryResult.ACCEPTED;
    /** Answers for the next deliveries, in order; when empty, deliveries stay unanswered. */
    final ArrayDeque<DeliveryResult> answers = new ArrayDeque<>();
    DeliveryResult defaultAnswer = DeliveryResult.ACCEPTED;
    boolean hold;
    final List<Boolean> backendStates = new ArrayList<>();

    @Override
    public synchronized void backendAvailable(boolean available) {
        backendStates.add(available);
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public TransportStatus status() {
        return new TransportStatus(true, "test");
    }

    @Override
    public synchronized CompletionStage<DeliveryResult> deliver(long socketId, ReceivedBundle bundle) {
        CompletableFuture<DeliveryResult> f = new CompletableFuture<>();
        handed.add(new Handed(socketId, bundle, f));
        if (!hold) {
            DeliveryResult r = answers.isEmpty() ? defaultAnswer : answers.poll();
            f.complete(r);
        }
        return f;
    }

    @Override
    public synchronized CompletionStage<DeliveryResult> deliverStatus(long socketId, BundleStatus status) {
        statuses.add(status);
        return CompletableFuture.completedFuture(statusAnswer);
    }

    synchronized List<String> payloads() {
        List<String> out = new ArrayList<>();
        for (Handed h : handed) {
            out.add(new String(h.bundle().payloadBytes()));
        }
        return out;
    }

    synchronized List<Handed> handed() {
        return new ArrayList<>(handed);
    }
}
