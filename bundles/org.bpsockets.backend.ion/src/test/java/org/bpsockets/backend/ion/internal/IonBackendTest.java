package org.bpsockets.backend.ion.internal;

import static org.bpsockets.cla.common.testing.BackendTesting.await;
import static org.bpsockets.cla.common.testing.BackendTesting.sendError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.backend.BackendHealth;
import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.backend.EndpointRegistration;
import org.bpsockets.api.bundle.BundleOption;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.ClassOfService;
import org.bpsockets.api.bundle.CustodyMode;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.cla.common.testing.BackendTesting.Sink;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.jna.Native;

/**
 * The backend against the C test double of libbp/libici: the JNA mapping and struct layouts, ION's
 * thread and transaction rules (the double counts every breach), options, and the error paths.
 */
class IonBackendTest {
    static final EndpointId A = EndpointId.parse("ipn:1.5");
    static final EndpointId B = EndpointId.parse("ipn:1.6");

    static Path library;
    static IonDouble ion;
    IonBackend backend;

    @BeforeAll
    static void buildDouble() throws Exception {
        library = IonDouble.build();
        ion = IonDouble.load(library);
    }

    IonBackend backend(Object... more) throws InterruptedException {
        Object[] all = new Object[more.length + 6];
        System.arraycopy(new Object[] {"bpLibrary", library.toString(), "iciLibrary", library.toString(),
            "retrySeconds", 1}, 0, all, 0, 6);
        System.arraycopy(more, 0, all, 6, more.length);
        backend = new IonBackend(TestConfigs.of(IonConfig.class, all));
        await(() -> backend.nodeId().isPresent(), "attached");
        return backend;
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.deactivate();
        }
        ion.double_fail_attach(0);
        ion.double_fail_add_endpoint(0);
        assertEquals(0, ion.double_saps_open(), "every endpoint closed");
        // What is still queued in ION's endpoints is ION's, not a leak of the backend's.
        ion.double_reset_endpoints();
        assertEquals(0, ion.double_open_transactions(), "no transaction left open");
        assertEquals(0, ion.double_live_zcos(), "no ZCO leaked");
        assertEquals(0, ion.double_live_objects(), "no SDR object leaked");
        assertEquals(0, ion.double_violations(), "ION's rules kept");
    }

    @Test
    void structLayoutsMatchTheCHeaders() {
        int[] sizes = new int[3];
        ion.double_sizes(sizes);
        assertArrayEquals(new int[] {88, 48, 64}, sizes, "ION 4.1.3's sizes on x86_64");
        assertEquals(sizes[0], new Ion.BpDelivery().size());
        assertEquals(sizes[1], new Ion.ZcoReader().size());
        assertEquals(sizes[2], new Ion.BpAncillaryData().size());
        assertEquals(48, new Ion.BpDelivery().offsetOf("adu"));
        assertEquals(32, new Ion.BpDelivery().offsetOf("timeToLive"));
        assertEquals(56, new Ion.BpAncillaryData().offsetOf("doNotFragment"));
    }

    @Test
    void anAduGoesThroughIonAndIsReleasedOnlyOnceTheApplicationHasIt() throws Exception {
        backend();
        assertEquals(EndpointId.parse("ipn:1.0"), backend.nodeId().orElseThrow());
        Sink sink = new Sink(false);
        try (EndpointRegistration r = backend.open(A, sink::deliver, 4)) {
            byte[] payload = "hello ION".getBytes();
            backend.send(SendRequest.of(A, B, payload)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            Delivery d = sink.next();
            assertArrayEquals(payload, d.bundle().payloadBytes());
            assertEquals(B, d.bundle().source());
            assertEquals(A, d.bundle().destination());
            assertEquals(Duration.ofDays(1), d.bundle().lifetime());
            assertEquals(1, ion.double_live_zcos(), "ION keeps the ADU while the application has not taken it");
            d.acknowledge();
            await(() -> ion.double_live_zcos() == 0, "released after the acknowledgement");
        }
    }

    @Test
    void everyOptionIsMappedToLibbp() throws Exception {
        backend();
        BundleOptions o = BundleOptions.builder().lifetime(Duration.ofMillis(1500))
                .classOfService(ClassOfService.EXPEDITED).ordinal(7).custody(CustodyMode.REQUIRED)
                .statusReports(EnumSet.of(StatusReportKind.RECEPTION, StatusReportKind.DELIVERY))
                .reportTo(EndpointId.parse("ipn:1.9")).applicationAck(true).mustNotFragment(true).build();
        backend.send(new SendRequest(EndpointId.parse("ipn:2.1"), B, java.nio.ByteBuffer.wrap(new byte[3]), o))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        int[] v = new int[8];
        ion.double_last_send(v);
        // lifespan (s, rounded up), cos, custody, srr, ack, ordinal, doNotFragment, ancillary flags
        assertArrayEquals(new int[] {2, 2, 2, 1 | 8, 1, 7, 1, 0}, v);
        assertEquals("ipn:2.1", ion.double_last_dest());
        assertEquals("ipn:1.9", ion.double_last_report_to());

        backend.send(SendRequest.of(EndpointId.parse("ipn:2.1"), B, new byte[1])).toCompletableFuture().get(10,
                TimeUnit.SECONDS);
        ion.double_last_send(v);
        assertArrayEquals(new int[] {86400, 1, 0, 0, 0, -1, -1, -1}, v, "defaults: ION's default QoS");
        assertEquals("", ion.double_last_report_to(), "report-to NULL: the source");
        assertFalse(backend.capabilities().honours(BundleOption.HOP_LIMIT), "libbp cannot set a hop limit");
        assertTrue(backend.capabilities().honours(BundleOption.ORDINAL));
    }

    @Test
    void aSlowApplicationHoldsAtMostItsWindowAndGetsEverythingInOrderLater() throws Exception {
        backend();
        Sink slow = new Sink(false);
        EndpointRegistration first = backend.open(A, slow::deliver, 1);
        for (int i = 0; i < 3; i++) {
            backend.send(SendRequest.of(A, B, new byte[] {(byte) i})).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        Delivery handed = slow.next();
        assertNull(slow.got.poll(200, TimeUnit.MILLISECONDS), "the window is 1: the rest waits in ION");
        first.close();
        handed.release();
        Sink next = new Sink(true);
        try (EndpointRegistration r = backend.open(A, next::deliver, 8)) {
            assertEquals(0, next.next().bundle().payloadBytes()[0], "the released one first");
        }
        // The other two stayed queued in ION for the endpoint (the double drops them at bp_close, as
        // ION would keep them for the next bp_open): nothing leaked either way.
    }

    @Test
    void aSpuriousInterruptIsRetried() throws Exception {
        backend();
        Sink sink = new Sink(true);
        try (EndpointRegistration r = backend.open(A, sink::deliver, 4)) {
            ion.double_spurious_interrupts(1);
            backend.send(SendRequest.of(A, B, new byte[] {42})).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(42, sink.next().bundle().payloadBytes()[0]);
        }
    }

    @Test
    void refusalsFromIonLeakNothingAndSayWhy() throws Exception {
        backend();
        ion.double_send_user_error(1);
        try {
            assertEquals(BpError.INVALID_ARGUMENT, sendError(backend.send(SendRequest.of(A, B, new byte[10]))));
        } finally {
            ion.double_send_user_error(0);
        }
        assertEquals(0, ion.double_live_zcos(), "the ZCO bp_send refused was destroyed");
        ion.double_no_zco_space(1);
        assertEquals(BpError.NO_BUFFER_SPACE, sendError(backend.send(SendRequest.of(A, B, new byte[10]))));
        assertEquals(0, ion.double_live_objects(), "the SDR object was freed");
        assertEquals(BpError.ADDRESS_NOT_AVAILABLE,
                sendError(backend.send(SendRequest.of(A, EndpointId.parse("ipn:3.1"), new byte[1]))));
        backend.send(SendRequest.of(A, B, new byte[1])).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void endpointsItCannotOpenAreRefusedClearly() throws Exception {
        backend();
        try (EndpointRegistration r = backend.open(EndpointId.parse("ipn:!.5"), d -> { }, 1)) {
            assertEquals(A, r.endpoint());
            assertEquals(BpError.ADDRESS_IN_USE, assertThrows(BpException.class, () -> backend.open(A, d -> { }, 1)).error());
            BpException far = assertThrows(BpException.class, () -> backend.open(EndpointId.parse("ipn:2.5"), d -> { }, 1));
            assertEquals(BpError.ADDRESS_NOT_AVAILABLE, far.error());
        }
    }

    @Test
    void withoutIonItIsDownWithTheReasonAndAttachesWhenIonAppears() throws Exception {
        ion.double_fail_attach(1);
        backend = new IonBackend(TestConfigs.of(IonConfig.class, "bpLibrary", library.toString(), "iciLibrary",
                library.toString(), "retrySeconds", 1));
        await(() -> backend.health().detail().contains("ION is not running"), "the reason shows");
        assertEquals(BackendHealth.State.DOWN, backend.health().state());
        assertEquals(BpError.NO_BACKEND, assertThrows(BpException.class, () -> backend.open(A, d -> { }, 1)).error());
        ion.double_fail_attach(0);
        await(() -> backend.health().state() == BackendHealth.State.UP, "attached once ION runs");
    }

    @Test
    void missingLibrariesAreAReasonNotACrash() throws Exception {
        backend = new IonBackend(TestConfigs.of(IonConfig.class, "bpLibrary", "/nonexistent/libbp.so.0",
                "iciLibrary", "/nonexistent/libici.so.0"));
        await(() -> backend.health().detail().contains("cannot be loaded"), "the reason shows");
        assertEquals(BackendHealth.State.DOWN, backend.health().state());
        assertTrue(Native.getLastError() >= 0);
    }

    @Test
    void anAutomaticBindsEndpointIsDeclaredInIonAndRemovedWhenItsSocketCloses() throws Exception {
        backend();
        EndpointId auto = EndpointId.parse("ipn:1.65536");
        assertEquals(0, ion.double_declared("ipn:1.65536"), "ION does not know it: the kernel picked it");
        Sink atA = new Sink(true);
        Sink atAuto = new Sink(true);
        try (EndpointRegistration a = backend.open(A, atA::deliver, 4)) {
            EndpointRegistration r = backend.open(auto, atAuto::deliver, 4);
            assertEquals(auto, r.endpoint());
            backend.send(SendRequest.of(A, auto, "ping".getBytes())).toCompletableFuture().get(10, TimeUnit.SECONDS);
            Delivery ping = atA.next();
            assertEquals(auto, ping.bundle().source());
            backend.send(SendRequest.of(auto, A, "pong".getBytes())).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertArrayEquals("pong".getBytes(), atAuto.next().bundle().payloadBytes(), "the answer reaches it");
            r.close();
            await(() -> ion.double_declared("ipn:1.65536") == 0, "removed from ION once its socket closed");
        }
        assertEquals(1, ion.double_declared("ipn:1.5"), "an explicit bind's endpoint stays declared");
        int[] counts = new int[3];
        ion.double_endpoint_counts(counts);
        assertArrayEquals(new int[] {2, 1, 0}, counts, "declared A and the automatic one, removed only the latter");
    }

    @Test
    void anAutomaticSourceThatNeverReceivedIsDeclaredAndRemovedWhenTheBackendStops() throws Exception {
        backend();
        Sink atA = new Sink(true);
        try (EndpointRegistration a = backend.open(A, atA::deliver, 4)) {
            EndpointId auto = EndpointId.parse("ipn:1.70000");
            backend.send(SendRequest.of(A, auto, new byte[] {7})).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(auto, atA.next().bundle().source());
            assertEquals(1, ion.double_declared("ipn:1.70000"));
        }
        backend.deactivate();
        backend = null;
        assertEquals(0, ion.double_declared("ipn:1.70000"), "the backend removes what it declared for automatic binds");
        assertEquals(1, ion.double_declared("ipn:1.5"));
    }

    @Test
    void bundlesForAnExplicitEndpointQueueInIonWhileNoSocketIsBound() throws Exception {
        backend();
        backend.open(A, d -> { }, 1).close();
        backend.send(SendRequest.of(A, B, new byte[] {3})).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1, ion.double_queued("ipn:1.5"), "queued in ION, not abandoned");
        Sink sink = new Sink(true);
        try (EndpointRegistration r = backend.open(A, sink::deliver, 4)) {
            assertEquals(3, sink.next().bundle().payloadBytes()[0], "delivered at the next bind");
        }
        int[] counts = new int[3];
        ion.double_endpoint_counts(counts);
        assertEquals(0, counts[2], "nothing abandoned");
    }

    @Test
    void anAutomaticEndpointWithBundlesQueuedStaysDeclared() throws Exception {
        backend();
        EndpointId auto = EndpointId.parse("ipn:1.65540");
        Sink slow = new Sink(false);
        EndpointRegistration r = backend.open(auto, slow::deliver, 1);
        for (int i = 0; i < 2; i++) {
            backend.send(SendRequest.of(auto, B, new byte[] {(byte) i})).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        Delivery first = slow.next();
        r.close();
        first.release();
        // The sending thread retires the endpoint after what was queued before it: one more send waits for that.
        backend.send(SendRequest.of(B, B, new byte[1])).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(1, ion.double_queued("ipn:1.65540"), "the second waits in ION");
        assertEquals(1, ion.double_declared("ipn:1.65540"), "so ION keeps the endpoint");
    }

    @Test
    void withoutAddEndpointsAnUndeclaredEndpointIsRefusedNamingItAndTheRemedy() throws Exception {
        backend("addEndpoints", false);
        BpException e = assertThrows(BpException.class, () -> backend.open(EndpointId.parse("ipn:1.7"), d -> { }, 1));
        assertEquals(BpError.ADDRESS_NOT_AVAILABLE, e.error());
        assertTrue(e.getMessage().contains("ION cannot open the endpoint ipn:1.7 to receive on it")
                && e.getMessage().contains("a endpoint ipn:1.7 q") && e.getMessage().contains("addEndpoints"), e.getMessage());
        assertEquals(0, ion.double_declared("ipn:1.7"), "nothing declared behind the operator's back");
        ion.double_declare("ipn:1.7");
        backend.open(EndpointId.parse("ipn:1.7"), d -> { }, 1).close();

        // A send whose source ION does not know names the source, not the destination.
        int sends = ion.double_sends();
        java.util.concurrent.CompletableFuture<?> send = backend.send(SendRequest.of(EndpointId.parse("ipn:1.7"),
                EndpointId.parse("ipn:1.65536"), new byte[1])).toCompletableFuture();
        java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> send.get(10, TimeUnit.SECONDS));
        String why = failed.getCause().getMessage();
        assertEquals(BpError.ADDRESS_NOT_AVAILABLE, ((BpException) failed.getCause()).error());
        assertTrue(why.contains("the endpoint ipn:1.65536 as the source of a send"), why);
        assertEquals(sends, ion.double_sends(), "nothing sent");
    }

    @Test
    void whenIonCannotDeclareAnEndpointTheRefusalSaysWhy() throws Exception {
        backend();
        ion.double_fail_add_endpoint(1);
        BpException e = assertThrows(BpException.class, () -> backend.open(EndpointId.parse("ipn:1.9"), d -> { }, 1));
        assertEquals(BpError.ADDRESS_NOT_AVAILABLE, e.error());
        assertTrue(e.getMessage().contains("endpoint ipn:1.9") && e.getMessage().contains("could not declare it")
                && e.getMessage().contains("ion.log"), e.getMessage());
        assertEquals(0, ion.double_declared("ipn:1.9"));
    }

    @Test
    void anEndpointAnotherIonApplicationHoldsIsInUseAndNotDeclaredAgain() throws Exception {
        backend();
        ion.double_declare("ipn:1.11");
        ion.double_open_elsewhere("ipn:1.11", 1);
        BpException e = assertThrows(BpException.class, () -> backend.open(EndpointId.parse("ipn:1.11"), d -> { }, 1));
        assertEquals(BpError.ADDRESS_IN_USE, e.error());
        assertTrue(e.getMessage().contains("ipn:1.11") && e.getMessage().contains("another ION application"), e.getMessage());
        int[] counts = new int[3];
        ion.double_endpoint_counts(counts);
        assertEquals(0, counts[0], "ION knew it: nothing declared");
        ion.double_open_elsewhere("ipn:1.11", 0);
        backend.open(EndpointId.parse("ipn:1.11"), d -> { }, 1).close();
    }

    @Test
    void aZeroLengthAduIsRefusedBeforeIonSeesIt() throws Exception {
        backend();
        Sink sink = new Sink(true);
        try (EndpointRegistration r = backend.open(A, sink::deliver, 4)) {
            int sends = ion.double_sends();
            java.util.concurrent.CompletableFuture<?> send = backend.send(SendRequest.of(A, B, new byte[0]))
                    .toCompletableFuture();
            java.util.concurrent.ExecutionException failed = assertThrows(
                    java.util.concurrent.ExecutionException.class, () -> send.get(10, TimeUnit.SECONDS));
            BpException e = (BpException) failed.getCause();
            assertEquals(BpError.OPTION_NOT_SUPPORTED, e.error(), "EOPNOTSUPP, as 0008 documents");
            assertTrue(e.getMessage().contains("empty ADU"), e.getMessage());
            assertEquals(sends, ion.double_sends(), "ION never saw it");
            backend.send(SendRequest.of(A, B, new byte[] {1})).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(1, sink.next().bundle().payloadBytes()[0], "the next one goes as usual");
        }
    }
}
