package org.bpsockets.registry.internal;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.backend.Backend;
import org.bpsockets.api.backend.BackendCapabilities;
import org.bpsockets.api.backend.BackendHealth;
import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.backend.DeliverySink;
import org.bpsockets.api.backend.EndpointRegistration;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.BundleOption;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.Scheme;

/**
 * A backend with a store, as the embedded node behaves: a received bundle stays stored until it is
 * acknowledged, and every open registration of its endpoint gets the unacknowledged ones again.
 */
class FakeBackend implements Backend {
    final String name;
    final EndpointId node;
    final Set<BundleOption> honoured;
    final List<SendRequest> sent = new CopyOnWriteArrayList<>();
    final List<Registration> registrations = new CopyOnWriteArrayList<>();
    /** Stored ADUs per endpoint, until acknowledged. */
    final Map<EndpointId, Map<BundleId, ReceivedBundle>> store = new LinkedHashMap<>();
    final List<BundleId> acknowledged = new CopyOnWriteArrayList<>();
    final AtomicLong sequence = new AtomicLong();
    BpException refuseOpen;
    BpException refuseSend;
    /**
     * As the embedded node: a released delivery is offered again at once to its registration, whose
     * closing takes effect only later (processCloses), after work already queued.
     */
    boolean reofferOnRelease;
    boolean deferCloses;
    final List<Registration> closing = new CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger reoffers = new java.util.concurrent.atomic.AtomicInteger();
    /** When set, sends are held here, unanswered, as a backend busy storing them. */
    List<CompletableFuture<BundleId>> holdSends;

    FakeBackend(String name, long nodeNumber, Set<BundleOption> honoured) {
        this.name = name;
        this.node = EndpointId.parse("ipn:" + nodeNumber + ".0");
        this.honoured = honoured;
    }

    FakeBackend(String name, long nodeNumber) {
        this(name, nodeNumber, EnumSet.allOf(BundleOption.class));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(honoured, EnumSet.allOf(Scheme.class), 1 << 20);
    }

    @Override
    public BackendHealth health() {
        return BackendHealth.up("fake");
    }

    @Override
    public Optional<EndpointId> nodeId() {
        return Optional.of(node);
    }

    @Override
    public synchronized EndpointRegistration open(EndpointId endpoint, DeliverySink sink, int window)
            throws BpException {
        if (refuseOpen != null) {
            throw refuseOpen;
        }
        Registration r = new Registration(endpoint, sink);
        registrations.add(r);
        for (ReceivedBundle b : new ArrayList<>(store.getOrDefault(endpoint, Map.of()).values())) {
            sink.deliver(new FakeDelivery(endpoint, b, r));
        }
        return r;
    }

    @Override
    public CompletionStage<BundleId> send(SendRequest request) {
        if (refuseSend != null) {
            return CompletableFuture.failedFuture(refuseSend);
        }
        if (holdSends != null) {
            CompletableFuture<BundleId> held = new CompletableFuture<>();
            holdSends.add(held);
            return held;
        }
        sent.add(request);
        return CompletableFuture.completedFuture(BundleId.of(request.source(), 1000, sequence.incrementAndGet()));
    }

    /** A bundle arrives for an endpoint: stored, and delivered to its open registration if any. */
    synchronized ReceivedBundle receive(EndpointId endpoint, String payload) {
        return receive(endpoint, false, payload.getBytes());
    }

    /** A bundle, or an administrative record from node 99, arrives for an endpoint. */
    synchronized ReceivedBundle receive(EndpointId endpoint, boolean adminRecord, byte[] payload) {
        ReceivedBundle b = new ReceivedBundle(BundleId.of(EndpointId.parse(adminRecord ? "ipn:99.0" : "ipn:99.1"), 5000,
                sequence.incrementAndGet()), endpoint, Duration.ofHours(1), adminRecord, false, ByteBuffer.wrap(payload));
        store.computeIfAbsent(endpoint, e -> new LinkedHashMap<>()).put(b.id(), b);
        for (Registration r : registrations) {
            if (r.endpoint.equals(endpoint) && !r.closed) {
                r.sink.deliver(new FakeDelivery(endpoint, b, r));
            }
        }
        return b;
    }

    synchronized int stored(EndpointId endpoint) {
        return store.getOrDefault(endpoint, Map.of()).size();
    }

    Registration openRegistration(EndpointId endpoint) {
        return registrations.stream().filter(r -> r.endpoint.equals(endpoint) && !r.closed).findFirst().orElse(null);
    }

    final class Registration implements EndpointRegistration {
        final EndpointId endpoint;
        final DeliverySink sink;
        volatile boolean closed;

        Registration(EndpointId endpoint, DeliverySink sink) {
            this.endpoint = endpoint;
            this.sink = sink;
        }

        @Override
        public EndpointId endpoint() {
            return endpoint;
        }

        @Override
        public void close() {
            if (deferCloses) {
                closing.add(this);
            } else {
                closed = true;
            }
        }
    }

    void processCloses() {
        closing.forEach(r -> r.closed = true);
        closing.clear();
    }

    final class FakeDelivery implements Delivery {
        final EndpointId endpoint;
        final ReceivedBundle bundle;
        final Registration offeredTo;

        FakeDelivery(EndpointId endpoint, ReceivedBundle bundle, Registration offeredTo) {
            this.endpoint = endpoint;
            this.bundle = bundle;
            this.offeredTo = offeredTo;
        }

        @Override
        public ReceivedBundle bundle() {
            return bundle;
        }

        @Override
        public void acknowledge() {
            synchronized (FakeBackend.this) {
                if (store.getOrDefault(endpoint, Map.of()).remove(bundle.id()) != null) {
                    acknowledged.add(bundle.id());
                }
            }
        }

        @Override
        public void release() {
            // Stays in the store; offered again at once if that is how this backend behaves.
            if (reofferOnRelease && !offeredTo.closed) {
                reoffers.incrementAndGet();
                offeredTo.sink.deliver(new FakeDelivery(endpoint, bundle, offeredTo));
            }
        }
    }

    static BpException error(BpError error) {
        return new BpException(error, "refused by test");
    }
}
