package org.bpsockets.itests.loopback;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
import org.bpsockets.api.bundle.DtnTime;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.IpnEndpointId;
import org.bpsockets.api.eid.Scheme;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * A test backend: every bundle sent to an endpoint of its node is delivered to that endpoint's
 * registration, honouring the delivery window and the acknowledge/release contract. It keeps
 * undelivered bundles in memory only.
 */
@Component(service = {Backend.class, LoopbackBackend.class}, property = Backend.NAME_PROPERTY + "=loopback",
        configurationPid = "org.bpsockets.itests.loopback")
@Designate(ocd = LoopbackBackend.Config.class)
public final class LoopbackBackend implements Backend {

    @ObjectClassDefinition(name = "Loopback backend (test fixture)")
    public @interface Config {
        @AttributeDefinition(description = "ipn node number of this node")
        long nodeNumber() default 1;
    }

    private final IpnEndpointId node;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<EndpointId, Endpoint> endpoints = new HashMap<>();
    /** The last sends per destination, newest last, so tests can see the options a bundle was built with. */
    private final Map<EndpointId, ArrayDeque<SendRequest>> recent = new HashMap<>();

    @Activate
    public LoopbackBackend(Config config) {
        this.node = IpnEndpointId.of(config.nodeNumber(), 0);
    }

    @Override
    public String name() {
        return "loopback";
    }

    @Override
    public BackendCapabilities capabilities() {
        return new BackendCapabilities(EnumSet.allOf(BundleOption.class), EnumSet.allOf(Scheme.class), 16 << 20);
    }

    @Override
    public BackendHealth health() {
        return BackendHealth.up("delivers to its own endpoints");
    }

    @Override
    public Optional<EndpointId> nodeId() {
        return Optional.of(node);
    }

    @Override
    public EndpointRegistration open(EndpointId endpoint, DeliverySink sink, int window) throws BpException {
        Endpoint e;
        synchronized (this) {
            e = endpoints.computeIfAbsent(endpoint, Endpoint::new);
            if (e.sink != null) {
                throw new BpException(BpError.ADDRESS_IN_USE, endpoint + " is already registered");
            }
            e.sink = sink;
            e.window = window;
        }
        e.pump();
        return new EndpointRegistration() {
            @Override
            public EndpointId endpoint() {
                return endpoint;
            }

            @Override
            public void close() {
                synchronized (LoopbackBackend.this) {
                    if (e.sink == sink) {
                        e.sink = null;
                    }
                }
            }
        };
    }

    /** The last sends this backend accepted to a destination, oldest first. */
    public synchronized java.util.List<SendRequest> recentSends(EndpointId destination) {
        return new java.util.ArrayList<>(recent.getOrDefault(destination, new ArrayDeque<>()));
    }

    @Override
    public CompletionStage<BundleId> send(SendRequest request) {
        BundleId id = BundleId.of(request.source(), DtnTime.now(), sequence.incrementAndGet());
        EndpointId destination = request.destination();
        if (destination instanceof IpnEndpointId ipn && ipn.isLocalNode()) {
            destination = IpnEndpointId.of(node.node(), ipn.service());
        }
        if (!destination.nodeId().equals(node)) {
            return CompletableFuture.failedFuture(
                    new BpException(BpError.ADDRESS_NOT_AVAILABLE, "the loopback backend reaches only " + node));
        }
        ByteBuffer copy = ByteBuffer.allocate(request.payload().remaining()).put(request.payload().duplicate()).flip();
        ReceivedBundle bundle = new ReceivedBundle(id, destination, request.options().lifetime(), false,
                request.options().applicationAck(), copy);
        Endpoint e;
        synchronized (this) {
            e = endpoints.computeIfAbsent(destination, Endpoint::new);
            e.stored.add(bundle);
            ArrayDeque<SendRequest> sends = recent.computeIfAbsent(destination, k -> new ArrayDeque<>());
            sends.addLast(request);
            if (sends.size() > 100) {
                sends.removeFirst();
            }
        }
        e.pump();
        return CompletableFuture.completedFuture(id);
    }

    /** One endpoint's stored bundles and its registration, if any. Guarded by the backend. */
    private final class Endpoint {
        final EndpointId eid;
        final ArrayDeque<ReceivedBundle> stored = new ArrayDeque<>();
        DeliverySink sink;
        int window;
        int outstanding;

        Endpoint(EndpointId eid) {
            this.eid = eid;
        }

        void pump() {
            while (true) {
                DeliverySink target;
                ReceivedBundle next;
                synchronized (LoopbackBackend.this) {
                    if (sink == null || outstanding >= window || stored.isEmpty()) {
                        return;
                    }
                    next = stored.poll();
                    outstanding++;
                    target = sink;
                }
                target.deliver(new LoopbackDelivery(this, next));
            }
        }
    }

    private final class LoopbackDelivery implements Delivery {
        private final Endpoint endpoint;
        private final ReceivedBundle bundle;
        private boolean done;

        LoopbackDelivery(Endpoint endpoint, ReceivedBundle bundle) {
            this.endpoint = endpoint;
            this.bundle = bundle;
        }

        @Override
        public ReceivedBundle bundle() {
            return bundle;
        }

        @Override
        public void acknowledge() {
            finish(false);
        }

        @Override
        public void release() {
            finish(true);
        }

        private void finish(boolean keep) {
            synchronized (LoopbackBackend.this) {
                if (done) {
                    return;
                }
                done = true;
                endpoint.outstanding--;
                if (keep) {
                    endpoint.stored.addFirst(bundle);
                }
            }
            endpoint.pump();
        }
    }
}
