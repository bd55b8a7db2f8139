package org.bpsockets.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.option.SocketOptionNames;
import org.bpsockets.api.registry.SocketInfo;
import org.bpsockets.api.registry.SocketRegistry;
import org.bpsockets.api.transport.BoundSocket;
import org.bpsockets.api.transport.DeliveryResult;
import org.bpsockets.api.transport.OptionValue;
import org.bpsockets.api.transport.SocketService;
import org.bpsockets.api.transport.SocketTransport;
import org.bpsockets.api.transport.TransportSession;
import org.bpsockets.api.transport.TransportStatus;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The registry is replaced ({@code bundle:update org.bpsockets.registry}) while sockets are bound, one
 * has bundles waiting in the backend and one has a delivery on its way: its state comes back from the
 * transports' resync and from the backend, and nothing is lost or reaches a socket twice (issue 19).
 *
 * <p>The transport here stands in for the kernel module, which outlives the registry: it keeps its
 * sockets (endpoint and options), and when a registry appears it attaches and resynchronises, as the
 * Netlink bridge does with the module's SOCKET_GET dump; like the module it recognises a bundle it
 * already queued on a socket by its ID (bp(7), BP_RECV_REPEATS). Without the module the real bridge
 * cannot register; the VM suite (itests/vm-e2e, section 7) does the same with it and real sockets.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RegistryReplacementIT extends KarafTestSupport {

    static final EndpointId A = EndpointId.parse("ipn:1.30");
    static final EndpointId B = EndpointId.parse("ipn:1.31");
    static final EndpointId C = EndpointId.parse("ipn:1.32");

    /** The module's part: sockets that outlive any registry, re-announced to each one that appears. */
    static final class KernelLikeTransport implements SocketTransport {
        final Map<Long, BoundSocket> bound = new ConcurrentHashMap<>();
        final Map<Long, LinkedBlockingQueue<ReceivedBundle>> queues = new ConcurrentHashMap<>();
        final Map<Long, Set<BundleId>> queuedIds = new ConcurrentHashMap<>();
        final Set<Long> full = ConcurrentHashMap.newKeySet();
        /** Sockets whose deliveries are held unanswered, as a DELIVER whose acknowledgement is on its way. */
        final Set<Long> holding = ConcurrentHashMap.newKeySet();
        final List<Object[]> held = new CopyOnWriteArrayList<>();
        final AtomicInteger repeats = new AtomicInteger();
        final AtomicInteger attaches = new AtomicInteger();
        volatile TransportSession session;

        LinkedBlockingQueue<ReceivedBundle> queue(long id) {
            return queues.computeIfAbsent(id, k -> new LinkedBlockingQueue<>());
        }

        void attach(SocketService service) {
            TransportSession s = service.attach(this);
            Map<Long, org.bpsockets.api.BpException> failures = s.resync(new TreeMap<>(bound));
            assertTrue("every socket bound again: " + failures, failures.isEmpty());
            bound.keySet().forEach(s::drained);
            session = s;
            attaches.incrementAndGet();
        }

        void bind(long id, EndpointId endpoint, List<OptionValue> options) throws Exception {
            session.bind(id, endpoint, options);
            bound.put(id, new BoundSocket(endpoint, options));
        }

        /** Queues the bundle unless this socket already has it (the module's ring of bundle IDs). */
        DeliveryResult queue(long socketId, ReceivedBundle bundle) {
            if (!queuedIds.computeIfAbsent(socketId, k -> ConcurrentHashMap.newKeySet()).add(bundle.id())) {
                repeats.incrementAndGet();
                return DeliveryResult.ACCEPTED;
            }
            queue(socketId).add(bundle);
            return DeliveryResult.ACCEPTED;
        }

        @Override
        public String name() {
            return "kernel-like";
        }

        @Override
        public TransportStatus status() {
            return new TransportStatus(true, "test transport that outlives the registry");
        }

        @Override
        public CompletionStage<DeliveryResult> deliver(long socketId, ReceivedBundle bundle) {
            if (!bound.containsKey(socketId)) {
                return CompletableFuture.completedFuture(DeliveryResult.GONE);
            }
            if (full.contains(socketId)) {
                return CompletableFuture.completedFuture(DeliveryResult.FULL);
            }
            if (holding.contains(socketId)) {
                CompletableFuture<DeliveryResult> answer = new CompletableFuture<>();
                held.add(new Object[] {socketId, bundle, answer});
                return answer;
            }
            return CompletableFuture.completedFuture(queue(socketId, bundle));
        }
    }

    @Test
    public void theRegistryIsReplacedWhileSocketsAreBoundAndNothingIsLostOrDoubled() throws Exception {
        Bundle registryBundle = bundle("org.bpsockets.registry");
        KernelLikeTransport transport = new KernelLikeTransport();
        ServiceTracker<SocketService, SocketService> tracker = new ServiceTracker<>(bundleContext,
                SocketService.class, null) {
            @Override
            public SocketService addingService(ServiceReference<SocketService> reference) {
                SocketService service = super.addingService(reference);
                transport.attach(service);
                return service;
            }

            @Override
            public void removedService(ServiceReference<SocketService> reference, SocketService service) {
                // The registry detaches every session as it stops: nothing to release here.
                transport.session = null;
                super.removedService(reference, service);
            }
        };
        tracker.open();
        try {
            await("attached to the registry", 30_000, () -> transport.session != null);
            SocketRegistry before = registry();
            await("the embedded backend is active", 30_000,
                    () -> Optional.of("embedded").equals(before.status().activeBackend()));
            Object serviceIdBefore = registryRef().getProperty("service.id");

            ByteBuffer lifetime = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 3_600_000L);
            OptionValue lifetimeOption = OptionValue.of(SocketOptionNames.BP_LIFETIME_MS, lifetime.array());
            transport.bind(1, A, List.of(lifetimeOption));
            transport.bind(2, B, List.of());
            transport.bind(3, C, List.of());

            // Socket 2 is full: five bundles wait in the backend. Socket 3 has one on its way.
            transport.full.add(2L);
            for (int i = 0; i < 5; i++) {
                send(transport, B, "held " + i);
            }
            transport.holding.add(3L);
            send(transport, C, "in flight");
            await("the delivery to socket 3 is on its way", 30_000, () -> transport.held.size() == 1);

            long bundleId = registryBundle.getBundleId();
            registryBundle.update();
            await("a new registry serves the sockets again", 60_000, () -> {
                ServiceReference<SocketRegistry> ref = registryRef();
                return ref != null && !serviceIdBefore.equals(ref.getProperty("service.id"))
                        && transport.session != null && sockets().size() == 3
                        && sockets().stream().allMatch(s -> s.backend().equals(Optional.of("embedded")));
            });
            assertEquals("updated in place", bundleId, registryBundle.getBundleId());
            assertEquals(Bundle.ACTIVE, registryBundle.getState());
            assertEquals(2, transport.attaches.get());
            SocketRegistry after = registry();
            assertNotEquals("a new registry component", serviceIdBefore, registryRef().getProperty("service.id"));

            // Bindings and options came back from the transport's resync.
            Map<Long, SocketInfo> byId = new TreeMap<>();
            sockets().forEach(s -> byId.put(s.id(), s));
            assertEquals(Optional.of(A), byId.get(1L).endpoint());
            assertEquals(Optional.of(B), byId.get(2L).endpoint());
            assertEquals(Optional.of(C), byId.get(3L).endpoint());
            assertEquals("socket 1's lifetime option", Map.of(SocketOptionNames.BP_LIFETIME_MS, "80ee360000000000"),
                    byId.get(1L).options());
            // The Netlink bridge, which depends on the registry, came back with it.
            await("the kernel transport attached to the new registry", 30_000, () -> after.status().transports()
                    .stream().anyMatch(t -> t.name().equals("kernel")));

            // The delivery that was on its way: the socket queued it meanwhile (its answer was lost with
            // the old registry); the backend delivers it again, and the socket recognises it.
            Object[] inFlight = transport.held.get(0);
            transport.holding.remove(3L);
            @SuppressWarnings("unchecked")
            CompletableFuture<DeliveryResult> answer = (CompletableFuture<DeliveryResult>) inFlight[2];
            answer.complete(transport.queue(3L, (ReceivedBundle) inFlight[1]));
            transport.session.drained(3);
            assertEquals("in flight", payloadOf(transport.queue(3L).poll(30, TimeUnit.SECONDS)));

            // The held bundles, each once, in order, then one sent after the update.
            transport.full.remove(2L);
            transport.session.drained(2);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                got.add(payloadOf(transport.queue(2L).poll(30, TimeUnit.SECONDS)));
            }
            assertEquals(List.of("held 0", "held 1", "held 2", "held 3", "held 4"), got);
            send(transport, B, "after update");
            assertEquals("after update", payloadOf(transport.queue(2L).poll(30, TimeUnit.SECONDS)));
            send(transport, C, "after update");
            assertEquals("after update", payloadOf(transport.queue(3L).poll(30, TimeUnit.SECONDS)));
            assertEquals("nothing else reached socket 2", 0, transport.queue(2L).size());
            assertEquals("nothing else reached socket 3", 0, transport.queue(3L).size());
            assertTrue("at most the in-flight bundle was delivered again: " + transport.repeats.get(),
                    transport.repeats.get() <= 1);
            // Every delivered bundle was acknowledged to the backend: it keeps none for these sockets.
            await("the backend keeps nothing for ipn:1.31 and ipn:1.32", 30_000, () -> {
                String stored = call(() -> execute("bp:bundles"));
                return !stored.contains("ipn:1.31") && !stored.contains("ipn:1.32");
            });
        } finally {
            TransportSession s = transport.session;
            tracker.close();
            if (s != null) {
                s.close();
            }
        }
    }

    private ServiceReference<SocketRegistry> registryRef() {
        return bundleContext.getServiceReference(SocketRegistry.class);
    }

    private SocketRegistry registry() {
        ServiceReference<SocketRegistry> ref = registryRef();
        assertNotNull("a registry is registered", ref);
        return bundleContext.getService(ref);
    }

    private List<SocketInfo> sockets() {
        ServiceReference<SocketRegistry> ref = registryRef();
        if (ref == null) {
            return List.of();
        }
        SocketRegistry r = bundleContext.getService(ref);
        try {
            return r == null ? List.of() : r.sockets().stream().filter(s -> s.transport().equals("kernel-like")).toList();
        } finally {
            bundleContext.ungetService(ref);
        }
    }

    /** From socket 1 (ipn:1.30, with its lifetime option) to another endpoint of the node. */
    private static void send(KernelLikeTransport transport, EndpointId to, String text) throws Exception {
        BoundSocket from = transport.bound.get(1L);
        transport.session.send(1, from.endpoint(), to, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)),
                from.options()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String payloadOf(ReceivedBundle b) {
        assertNotNull("a bundle arrived", b);
        return new String(b.payloadBytes(), StandardCharsets.UTF_8);
    }
}
