package org.bpsockets.registry.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.BundleOption;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.BundleStatus;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.option.SocketOptionHandler;
import org.bpsockets.api.registry.LocalSocket;
import org.bpsockets.api.registry.SocketInfo;
import org.bpsockets.api.transport.BoundSocket;
import org.bpsockets.api.transport.DeliveryResult;
import org.bpsockets.api.transport.OptionValue;
import org.bpsockets.api.transport.TransportSession;
import org.bpsockets.bpv7.StatusReport;
import org.bpsockets.bpv7.StatusReport.StatusAssertion;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SocketRegistryTest {

    static final EndpointId A = EndpointId.parse("ipn:7.1");
    static final EndpointId B = EndpointId.parse("ipn:7.2");
    static final EndpointId FAR = EndpointId.parse("ipn:9.1");

    SocketRegistryImpl registry;
    FakeTransport transport;
    TransportSession session;

    static RegistryConfig config(String preferred, int pipeline) {
        return new RegistryConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return RegistryConfig.class;
            }

            @Override
            public String preferredBackend() {
                return preferred;
            }

            @Override
            public int deliveryWindow() {
                return 64;
            }

            @Override
            public int socketPipeline() {
                return pipeline;
            }

            @Override
            public int duplicateMemory() {
                return 100;
            }

            @Override
            public int reopenSeconds() {
                return 1;
            }

            @Override
            public int swapWaitSeconds() {
                return 2;
            }
        };
    }

    @BeforeEach
    void setUp() {
        registry = new SocketRegistryImpl(config("embedded", 4));
        transport = new FakeTransport();
        session = registry.attach(transport);
    }

    FakeBackend addBackend(String name, int ranking) {
        FakeBackend b = new FakeBackend(name, 7);
        registry.addBackend(b, Map.of("service.ranking", ranking, "service.id", (long) ranking + 100));
        return b;
    }

    @Test
    void bindOpensTheEndpointOnTheActiveBackendAndRefusesASecondSocket() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        assertEquals(A, session.bind(1, A, List.of()));
        assertNotNull(backend.openRegistration(A));

        BpException e = assertThrows(BpException.class, () -> session.bind(2, A, List.of()));
        assertEquals(BpError.ADDRESS_IN_USE, e.error());
        assertEquals(1, registry.sockets().size(), "the refused socket left nothing behind");
    }

    @Test
    void bindWithoutBackendIsKeptAndOpenedWhenABackendAppears() throws Exception {
        assertEquals("no backend installed", registry.status().backendHealth());
        session.bind(1, A, List.of());
        assertEquals(Optional.empty(), registry.sockets().get(0).backend());
        FakeBackend backend = addBackend("embedded", 0);
        assertNotNull(backend.openRegistration(A));
        assertEquals(Optional.of("embedded"), registry.sockets().get(0).backend());
    }

    @Test
    void aBindTheBackendRefusesLeavesTheEndpointFree() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        backend.refuseOpen = FakeBackend.error(BpError.ADDRESS_NOT_AVAILABLE);
        BpException e = assertThrows(BpException.class, () -> session.bind(1, A, List.of()));
        assertEquals(BpError.ADDRESS_NOT_AVAILABLE, e.error());
        assertTrue(registry.sockets().isEmpty());
        backend.refuseOpen = null;
        assertEquals(A, session.bind(2, A, List.of()), "the endpoint is free again");
    }

    @Test
    void endpointsTheNewBackendCouldNotOpenAreOpenedOnceItCan() throws Exception {
        addBackend("embedded", 0);
        session.bind(1, A, List.of());
        FakeBackend ion = new FakeBackend("ion", 7);
        ion.refuseOpen = FakeBackend.error(BpError.NO_BACKEND);
        registry.addBackend(ion, java.util.Map.of("service.id", 99L));
        registry.modified(config("ion", 4));
        assertEquals(null, ion.openRegistration(A), "its node is not running");
        assertTrue(registry.sockets().get(0).backend().isEmpty());
        ion.refuseOpen = null;
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (ion.openRegistration(A) == null && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertNotNull(ion.openRegistration(A), "opened again once the backend could");
        assertEquals(java.util.Optional.of("ion"), registry.sockets().get(0).backend());
    }

    @Test
    void localNodeFormIsResolvedToTheBackendsNodeNumber() throws Exception {
        addBackend("embedded", 0);
        assertEquals(EndpointId.parse("ipn:7.42"), session.bind(1, EndpointId.parse("ipn:!.42"), List.of()));
        BpException e = assertThrows(BpException.class, () -> session.bind(2, EndpointId.parse("ipn:7.42"), List.of()));
        assertEquals(BpError.ADDRESS_IN_USE, e.error());
    }

    /** Bind checks an index of endpoints (not every socket): it must follow every way a socket's endpoint changes. */
    @Test
    void anEndpointIsInUseExactlyWhileASocketHoldsIt() throws Exception {
        // Held, then free once its socket binds elsewhere, is released, or its session closes.
        session.bind(1, A, List.of());
        assertThrows(BpException.class, () -> session.bind(2, A, List.of()));
        session.bind(1, B, List.of());
        assertEquals(A, session.bind(2, A, List.of()), "free once its socket moved to another");
        assertThrows(BpException.class, () -> session.bind(3, B, List.of()), "the new one is held");
        session.release(2);
        assertEquals(A, session.bind(3, A, List.of()), "free once released");
        TransportSession other = registry.attach(new FakeTransport());
        assertThrows(BpException.class, () -> other.bind(1, A, List.of()), "held across sessions");
        session.close();
        assertEquals(A, other.bind(1, A, List.of()), "free once its session closed");
        assertEquals(B, other.bind(2, B, List.of()));

        // ipn:!.5 and ipn:7.5, both bound while no backend named the node, become the same endpoint
        // when one does: it stays in use until both are released.
        other.bind(3, EndpointId.parse("ipn:!.5"), List.of());
        other.bind(4, EndpointId.parse("ipn:7.5"), List.of());
        addBackend("embedded", 0);
        EndpointId five = EndpointId.parse("ipn:7.5");
        assertEquals(2, registry.sockets().stream().filter(s -> s.endpoint().equals(Optional.of(five))).count());
        other.release(3);
        assertThrows(BpException.class, () -> other.bind(5, five, List.of()), "the other still holds it");
        other.release(4);
        assertEquals(five, other.bind(5, five, List.of()));

        // Many: every one held, and all free again once released.
        for (long id = 100; id < 10_100; id++) {
            other.bind(id, EndpointId.parse("ipn:7." + (1000 + id)), List.of());
        }
        assertThrows(BpException.class, () -> other.bind(20_000, EndpointId.parse("ipn:7.10099"), List.of()));
        for (long id = 100; id < 10_100; id++) {
            other.release(id);
        }
        assertEquals(EndpointId.parse("ipn:7.10099"), other.bind(20_000, EndpointId.parse("ipn:7.10099"), List.of()));
        assertEquals(4, registry.sockets().size());
    }

    @Test
    void nullEndpointCannotBeBound() {
        BpException e = assertThrows(BpException.class, () -> session.bind(1, EndpointId.parse("dtn:none"), List.of()));
        assertEquals(BpError.INVALID_ARGUMENT, e.error());
    }

    @Test
    void deliveriesReachTheSocketInOrderAndAreAcknowledgedOnlyOnceAccepted() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        session.bind(1, A, List.of());
        transport.hold = true;
        ReceivedBundle first = backend.receive(A, "one");
        backend.receive(A, "two");
        assertEquals(List.of("one", "two"), transport.payloads());
        assertEquals(2, backend.stored(A), "nothing is acknowledged before the socket accepted it");

        transport.handed().get(0).result().complete(DeliveryResult.ACCEPTED);
        assertEquals(List.of(first.id()), backend.acknowledged);
        assertEquals(1, backend.stored(A));
        assertEquals(1, registry.sockets().get(0).inFlight());
    }

    @Test
    void aFullSocketKeepsItsDeliveriesInOrderUntilItDrained() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        session.bind(1, A, List.of());
        transport.hold = true;
        backend.receive(A, "1");
        backend.receive(A, "2");
        backend.receive(A, "3");
        List<FakeTransport.Handed> handed = transport.handed();
        handed.get(0).result().complete(DeliveryResult.ACCEPTED);
        handed.get(1).result().complete(DeliveryResult.FULL);
        handed.get(2).result().complete(DeliveryResult.FULL);
        backend.receive(A, "4");
        assertEquals(3, transport.handed().size(), "nothing more is handed to a full socket");
        assertEquals(3, backend.stored(A), "refused deliveries stay with the backend");

        transport.hold = false;
        session.drained(1);
        assertEquals(List.of("1", "2", "3", "2", "3", "4"), transport.payloads(), "retried in the original order");
        assertEquals(0, backend.stored(A));
        SocketInfo info = registry.sockets().get(0);
        assertEquals(4, info.counters().delivered());
        assertEquals(2, info.counters().refusedFull());
        assertEquals(0, info.inFlight());
    }

    @Test
    void aDrainedNoticeThatOvertakesTheRefusalItAnswersDoesNotStallTheSocket() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        session.bind(1, A, List.of());
        transport.hold = true;
        backend.receive(A, "x");
        session.drained(1);
        transport.hold = false;
        transport.handed().get(0).result().complete(DeliveryResult.FULL);
        assertEquals(List.of("x", "x"), transport.payloads(), "retried at once");
        assertEquals(0, backend.stored(A));
    }

    @Test
    void closingASocketReturnsItsDeliveriesToTheBackend() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        session.bind(1, A, List.of());
        transport.answers.add(DeliveryResult.FULL);
        backend.receive(A, "kept");
        session.release(1);
        assertTrue(backend.registrations.get(0).closed);
        assertEquals(1, backend.stored(A));
        // A new socket on the same endpoint gets it.
        session.bind(2, A, List.of());
        assertEquals(List.of("kept", "kept"), transport.payloads());
        assertEquals(2, transport.handed().get(1).socketId());
        assertEquals(0, backend.stored(A));
    }

    @Test
    void hotSwapReopensEveryEndpointOnTheNewBackendWithoutLossOrDuplicates() throws Exception {
        FakeBackend first = addBackend("embedded", 0);
        session.bind(1, A, List.of());
        session.bind(2, B, List.of());
        transport.hold = true;
        first.receive(A, "in flight");
        assertEquals(1, transport.handed().size());

        // The backend is updated: the old instance goes, a new one with the same store comes.
        registry.removeBackend(first);
        assertTrue(first.registrations.stream().allMatch(r -> r.closed), "old registrations closed at unbind");
        assertEquals(Optional.empty(), registry.status().activeBackend());
        FakeBackend second = new FakeBackend("embedded", 7);
        second.store.putAll(first.store);
        second.sequence.set(first.sequence.get());
        registry.addBackend(second, Map.of("service.id", 200L));
        assertNotNull(second.openRegistration(A));
        assertNotNull(second.openRegistration(B));

        // The socket accepts the copy it already had; the new instance's redelivery is recognised.
        transport.handed().get(0).result().complete(DeliveryResult.ACCEPTED);
        transport.hold = false;
        second.receive(A, "after swap");
        assertEquals(List.of("in flight", "after swap"), transport.payloads(), "delivered once each");
        // Redelivery of the first bundle by the second backend happened at open, before the accept:
        // it waited behind the in-flight copy and was acknowledged as a duplicate.
        assertEquals(0, second.stored(A));
        assertEquals(1, registry.sockets().get(0).counters().duplicates());
    }

    @Test
    void aSendHeldByABackendThatLeavesGoesToTheOneThatReplacesIt() throws Exception {
        FakeBackend first = addBackend("embedded", 0);
        first.holdSends = new java.util.concurrent.CopyOnWriteArrayList<>();
        session.bind(1, A, List.of());
        CompletionStage<BundleId> send = session.send(1, A, FAR, ByteBuffer.wrap(new byte[] {7}), List.of());
        registry.removeBackend(first);
        // The departing backend fails what it held; no backend is active at that moment.
        first.holdSends.get(0).completeExceptionally(FakeBackend.error(BpError.NO_BACKEND));
        assertFalse(send.toCompletableFuture().isDone(), "the send waits for the next backend");
        FakeBackend second = addBackend("embedded", 0);
        assertEquals(A, send.toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS).source());
        assertEquals(1, second.sent.size());
        assertEquals(1, registry.sockets().get(0).counters().sent());
        assertEquals(0, registry.sockets().get(0).counters().sendFailures());
    }

    @Test
    void aSendArrivingBetweenTwoBackendsWaitsForTheSecondAndWithoutOneFailsAfterTheWait() throws Exception {
        FakeBackend first = addBackend("embedded", 0);
        session.bind(1, A, List.of());
        registry.removeBackend(first);
        CompletionStage<BundleId> send = session.send(1, A, FAR, ByteBuffer.wrap(new byte[] {7}), List.of());
        assertFalse(send.toCompletableFuture().isDone(), "the send waits for the next backend");
        FakeBackend second = addBackend("embedded", 0);
        send.toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(1, second.sent.size());

        registry.removeBackend(second);
        long start = System.nanoTime();
        assertEquals(BpError.NO_BACKEND, sendError(List.of()), "no backend came within swapWaitSeconds");
        assertTrue(System.nanoTime() - start >= 1_500_000_000L, "it waited for one first");
    }

    @Test
    void aSendToARegistryThatJustStartedWaitsForItsFirstBackend() throws Exception {
        // As after a refresh of the API bundle: registry, bridge and backend all start again, and the
        // bridge passes on the kernel's sends before the backend is there.
        session.bind(1, A, List.of());
        CompletionStage<BundleId> send = session.send(1, A, FAR, ByteBuffer.wrap(new byte[] {7}), List.of());
        assertFalse(send.toCompletableFuture().isDone(), "the send waits for a backend");
        FakeBackend backend = addBackend("embedded", 0);
        send.toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(1, backend.sent.size());
    }

    @Test
    void aSendWhoseOptionExtensionIsBeingReplacedWaitsForTheNewOne() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        LifetimeHandler old = new LifetimeHandler();
        registry.addOptionHandler(old);
        session.bind(1, A, List.of());
        registry.removeOptionHandler(old);
        OptionValue lifetime = new OptionValue(1, le64(60_000));
        CompletionStage<BundleId> send = session.send(1, A, FAR, ByteBuffer.wrap(new byte[] {7}), List.of(lifetime));
        assertFalse(send.toCompletableFuture().isDone(), "the send waits for the extension");
        registry.addOptionHandler(new LifetimeHandler());
        send.toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(Duration.ofMinutes(1), backend.sent.get(0).options().lifetime());
        assertEquals(BpError.UNKNOWN_OPTION, sendError(List.of(new OptionValue(42, le64(1)))),
                "an option no extension ever handled fails at once");
    }

    @Test
    void transportsLearnWhenTheNodeGainsAndLosesItsLastBackend() {
        FakeBackend one = addBackend("embedded", 0);
        FakeBackend two = addBackend("ion", 5);
        registry.removeBackend(one);
        registry.removeBackend(two);
        assertEquals(List.of(false, true, false), transport.backendStates,
                "told at attach, when the first came and when the last left; not on a swap between two");
    }

    @Test
    void preferredBackendWinsAndRankingDecidesOtherwise() throws Exception {
        session.bind(1, A, List.of());
        FakeBackend ion = addBackend("ion", 10);
        assertEquals(Optional.of("ion"), registry.status().activeBackend());
        FakeBackend embedded = addBackend("embedded", 0);
        assertEquals(Optional.of("embedded"), registry.status().activeBackend());
        assertTrue(ion.openRegistration(A) == null, "moved away from ion");
        assertNotNull(embedded.openRegistration(A));
        registry.modified(config("ion", 4));
        assertEquals(Optional.of("ion"), registry.status().activeBackend());
        assertNotNull(ion.openRegistration(A));
        assertEquals("ion", registry.backends().get(0).name());
        assertTrue(registry.backends().get(0).active());
        assertEquals(1, registry.backends().get(0).openEndpoints());
    }

    @Test
    void sendGoesToTheActiveBackendWithTheSocketsOptions() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        registry.addOptionHandler(new LifetimeHandler());
        session.bind(1, A, List.of());
        OptionValue lifetime = new OptionValue(1, le64(60_000));
        BundleId id = session.send(1, A, FAR, ByteBuffer.wrap(new byte[] {1, 2}), List.of(lifetime))
                .toCompletableFuture().get();
        assertEquals(A, id.source());
        assertEquals(Duration.ofMinutes(1), backend.sent.get(0).options().lifetime());
        assertEquals(FAR, backend.sent.get(0).destination());
        assertEquals(1, registry.sockets().get(0).counters().sent());
    }

    @Test
    void sendFailsClearlyWithoutBackendUnknownOptionOrUnsupportedOption() throws Exception {
        assertEquals(BpError.NO_BACKEND, sendError(List.of()));
        FakeBackend backend = new FakeBackend("embedded", 7, EnumSet.noneOf(BundleOption.class));
        registry.addBackend(backend, Map.of());
        session.bind(1, A, List.of());
        assertEquals(BpError.UNKNOWN_OPTION, sendError(List.of(new OptionValue(1, le64(5)))));
        registry.addOptionHandler(new LifetimeHandler());
        assertEquals(BpError.OPTION_NOT_SUPPORTED, sendError(List.of(new OptionValue(1, le64(5)))));
        assertEquals(BpError.INVALID_ARGUMENT, sendError(List.of(new OptionValue(1, ByteBuffer.wrap(new byte[3])))));
        assertEquals(BpError.INVALID_ARGUMENT, sendErrorTo(EndpointId.parse("ipn:0.0")));
        assertTrue(backend.sent.isEmpty());
        assertEquals(4, registry.sockets().get(0).counters().sendFailures(), "failures of the bound socket");
    }

    @Test
    void removedOptionExtensionMakesItsOptionFailAndAnInstalledOneServesOpenSockets() throws Exception {
        addBackend("embedded", 0);
        session.bind(1, A, List.of());
        LifetimeHandler handler = new LifetimeHandler();
        BpException e = assertThrows(BpException.class, () -> session.setOption(1, new OptionValue(1, le64(5))));
        assertEquals(BpError.UNKNOWN_OPTION, e.error());
        registry.addOptionHandler(handler);
        session.setOption(1, new OptionValue(1, le64(5)));
        assertEquals(5, session.option(1, 1).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals(86_400_000L, session.option(2, 1).order(ByteOrder.LITTLE_ENDIAN).getLong(), "the default");
        registry.removeOptionHandler(handler);
        assertEquals(BpError.UNKNOWN_OPTION, sendError(List.of(new OptionValue(1, le64(5)))));
    }

    @Test
    void resyncReleasesSocketsTheTransportNoLongerHasAndBindsTheOthers() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        session.bind(1, A, List.of());
        session.bind(2, B, List.of());
        Map<Long, BpException> failures = session.resync(Map.of(2L, new BoundSocket(B, List.of()),
                3L, new BoundSocket(FAR, List.of())));
        assertTrue(failures.isEmpty());
        assertEquals(List.of(2L, 3L), registry.sockets().stream().map(SocketInfo::id).toList());
        assertNull(backend.openRegistration(A));
        assertNotNull(backend.openRegistration(FAR));
    }

    @Test
    void aResyncedSocketWhoseEndpointCannotBeOpenedNowStaysAndIsOpenedLater() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        backend.refuseOpen = FakeBackend.error(BpError.BACKEND_FAILURE);
        Map<Long, BpException> failures = session.resync(Map.of(5L, new BoundSocket(A, List.of())));
        assertEquals(List.of(5L), List.copyOf(failures.keySet()));
        assertEquals(List.of(5L), registry.sockets().stream().map(SocketInfo::id).toList(),
                "the kernel has it bound: the registry keeps it");
        backend.refuseOpen = null;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (backend.openRegistration(A) == null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertNotNull(backend.openRegistration(A), "the re-opener opened it");
        backend.receive(A, "after all");
        assertEquals(List.of("after all"), transport.payloads());
        BpException e = assertThrows(BpException.class, () -> {
            backend.refuseOpen = FakeBackend.error(BpError.BACKEND_FAILURE);
            session.bind(6, B, List.of());
        });
        assertEquals(BpError.BACKEND_FAILURE, e.error());
        assertEquals(List.of(5L), registry.sockets().stream().map(SocketInfo::id).toList(),
                "a first bind that fails leaves nothing behind");
    }

    /**
     * The embedded node offers a released delivery again at once to the same registration if its close
     * has not taken effect yet (it is queued behind the node's other work): releasing synchronously
     * made the two call each other without end, and the node answered nothing else.
     */
    @Test
    void aDeliveryHandedBackToABackendThatOffersItAgainAtOnceDoesNotSpin() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        backend.reofferOnRelease = true;
        backend.deferCloses = true;
        session.bind(1, A, List.of());
        transport.defaultAnswer = DeliveryResult.FULL;
        backend.receive(A, "waits");
        assertEquals(1, transport.handed().size(), "refused for want of room: the registry keeps it");
        session.release(1);
        backend.processCloses();
        Thread.sleep(300);
        assertTrue(backend.reoffers.get() < 5, "offered again " + backend.reoffers.get() + " times");
        assertEquals(1, backend.stored(A), "the backend keeps it for the endpoint's next socket");
    }

    @Test
    void detachingATransportReleasesItsSockets() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        session.bind(1, A, List.of());
        session.close();
        assertTrue(registry.sockets().isEmpty());
        assertTrue(backend.registrations.get(0).closed);
        assertThrows(BpException.class, () -> session.bind(1, A, List.of()));
    }

    @Test
    void localSocketsSendAndReceiveThroughTheBackend() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        try (LocalSocket receiver = registry.openLocal(Optional.of(B));
                LocalSocket sender = registry.openLocal(Optional.empty())) {
            BundleId id = sender.send(B, "hello".getBytes(), BundleOptions.DEFAULTS).toCompletableFuture().get();
            assertEquals(EndpointId.parse("ipn:7." + LocalTransport.AUTO_SERVICE_FIRST), id.source(),
                    "bound automatically on the first send");
            assertEquals(B, backend.sent.get(0).destination());
            backend.receive(B, "world");
            ReceivedBundle got = receiver.receive(Duration.ofSeconds(5)).orElseThrow();
            assertEquals("world", new String(got.payloadBytes()));
            assertEquals(Optional.empty(), receiver.receive(Duration.ofMillis(10)));
        }
        assertTrue(registry.sockets().stream().noneMatch(s -> s.transport().equals("local")));
    }

    @Test
    void aFullLocalSocketDrainsAndGetsTheRest() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        try (LocalSocket receiver = registry.openLocal(Optional.of(B))) {
            int total = LocalTransport.RECEIVE_QUEUE + 10;
            for (int i = 0; i < total; i++) {
                backend.receive(B, Integer.toString(i));
            }
            assertEquals(10, backend.stored(B), "what did not fit stays with the backend");
            for (int i = 0; i < total; i++) {
                ReceivedBundle b = receiver.receive(Duration.ofSeconds(5)).orElseThrow();
                assertEquals(Integer.toString(i), new String(b.payloadBytes()));
            }
            assertEquals(0, backend.stored(B));
        }
    }

    private BpError sendError(List<OptionValue> options) throws InterruptedException {
        return errorOf(session.send(1, A, FAR, ByteBuffer.allocate(0), options));
    }

    private BpError sendErrorTo(EndpointId destination) throws InterruptedException {
        return errorOf(session.send(1, A, destination, ByteBuffer.allocate(0), List.of()));
    }

    private static BpError errorOf(CompletionStage<BundleId> stage) throws InterruptedException {
        try {
            stage.toCompletableFuture().get();
            return null;
        } catch (ExecutionException e) {
            Throwable c = e.getCause() instanceof CompletionException ce ? ce.getCause() : e.getCause();
            return ((BpException) c).error();
        }
    }

    static ByteBuffer le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
    }

    /** Option 1 as BP_LIFETIME_MS: a little-endian u64 of at least 1. */
    static final class LifetimeHandler implements SocketOptionHandler {
        @Override
        public Set<Integer> names() {
            return Set.of(1);
        }

        @Override
        public void validate(int name, ByteBuffer value) throws BpException {
            if (value.remaining() != 8 || value.order(ByteOrder.LITTLE_ENDIAN).getLong(value.position()) < 1) {
                throw new BpException(BpError.INVALID_ARGUMENT, "lifetime must be a u64 >= 1");
            }
        }

        @Override
        public void apply(int name, ByteBuffer value, BundleOptions.Builder options) {
            options.lifetime(Duration.ofMillis(value.order(ByteOrder.LITTLE_ENDIAN).getLong(value.position())));
        }

        @Override
        public ByteBuffer defaultValue(int name) {
            return le64(86_400_000L);
        }
    }

    /** A delivery report from node 99 about the bundle ipn:1.5 @ 777000.3. */
    private static byte[] deliveryReport() {
        return new StatusReport(StatusAssertion.NO, StatusAssertion.NO, StatusAssertion.at(778000), StatusAssertion.NO, 0,
                EndpointId.parse("ipn:1.5"), 777000, 3, -1, -1).encodeRecord();
    }

    @Test
    void aStatusReportGoesToTheSocketsReaderOfReportsNotAmongItsData() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        session.bind(1, A, List.of());
        backend.receive(A, true, deliveryReport());
        backend.receive(A, "data");
        assertEquals(List.of("data"), transport.payloads(), "only the data is delivered as data");
        assertEquals(1, transport.statuses.size());
        BundleStatus status = transport.statuses.get(0);
        assertEquals(BundleId.of(EndpointId.parse("ipn:1.5"), 777000, 3), status.subject());
        assertEquals(Set.of(StatusReportKind.DELIVERY), status.asserted());
        assertEquals(EndpointId.parse("ipn:99.0"), status.reporter());
        assertEquals(778000, status.eventTime());
        assertEquals(-1, status.fragmentLength());
        assertEquals(0, backend.stored(A), "the report was acknowledged to the backend");
        assertEquals(1, registry.sockets().get(0).counters().reports());
    }

    @Test
    void aReportTheSocketDoesNotReadIsCountedAndDroppedAndAMalformedOneToo() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        session.bind(1, A, List.of());
        transport.statusAnswer = DeliveryResult.GONE;
        backend.receive(A, true, deliveryReport());
        backend.receive(A, true, new byte[] {(byte) 0x82, 0x01, (byte) 0x80}); // a report that is an empty array
        assertEquals(List.of(), transport.payloads(), "neither became data");
        assertEquals(0, backend.stored(A), "both acknowledged: reports are advisory");
        assertEquals(2, registry.sockets().get(0).counters().reportsDropped());
        assertEquals(0, registry.sockets().get(0).counters().reports());
    }

    @Test
    void anAdministrativeRecordThatIsNotAStatusReportIsDeliveredAsDataEvenAnUnreadableOne() throws Exception {
        FakeBackend backend = addBackend("embedded", 0);
        session.bind(1, A, List.of());
        byte[] otherRecord = {(byte) 0x82, 0x03, 0x40}; // type 3 (BIBE PDU in BPv7 drafts), empty content
        backend.receive(A, true, otherRecord);
        backend.receive(A, true, new byte[] {(byte) 0xff}); // not an administrative record we can read
        assertEquals(2, transport.handed().size(), "both go to the application as they came");
        assertTrue(transport.handed().get(0).bundle().administrativeRecord());
        assertEquals(List.of(), transport.statuses);
    }
}
