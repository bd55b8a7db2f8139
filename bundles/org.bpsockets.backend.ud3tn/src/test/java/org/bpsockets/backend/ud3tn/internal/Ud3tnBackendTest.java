package org.bpsockets.backend.ud3tn.internal;

import static org.bpsockets.cla.common.testing.BackendTesting.await;
import static org.bpsockets.cla.common.testing.BackendTesting.sendError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.backend.BackendHealth;
import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.backend.EndpointRegistration;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.ResponseStatus;
import org.bpsockets.cla.common.testing.BackendTesting.Sink;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend against the in-process AAP 2.0 agent, which enforces µD3TN v0.13.0's rules. */
class Ud3tnBackendTest {
    static final EndpointId A = EndpointId.parse("ipn:1.44");
    static final EndpointId B = EndpointId.parse("ipn:1.45");

    @TempDir
    Path dir;
    Aap2TestServer server;
    Ud3tnBackend backend;

    @BeforeEach
    void start() throws IOException {
        server = new Aap2TestServer(dir.resolve("aap2.socket"), "ipn:1.0", 1 << 20);
    }

    @AfterEach
    void stop() throws IOException {
        if (backend != null) {
            backend.deactivate();
        }
        server.close();
        assertEquals(List.of(), server.violations, "AAP 2.0 rules broken");
        assertEquals(0, server.lostToTimeout.get(), "ADUs µD3TN would have lost to the 1-second rule");
    }

    private Ud3tnBackend backend(Object... settings) throws Exception {
        Object[] all = new Object[settings.length + 2];
        all[0] = "socket";
        all[1] = server.path.toString();
        System.arraycopy(settings, 0, all, 2, settings.length);
        backend = new Ud3tnBackend(TestConfigs.of(Ud3tnConfig.class, all));
        await(() -> backend.nodeId().isPresent(), "the backend learns the node ID");
        return backend;
    }

    @Test
    void sendsAndReceivesThroughTheAgent() throws Exception {
        backend();
        assertEquals(EndpointId.parse("ipn:1.0"), backend.nodeId().orElseThrow());
        Sink sink = new Sink(true);
        try (EndpointRegistration reg = backend.open(A, sink::deliver, 4)) {
            assertTrue(server.subscribed("ipn:1.44"));
            backend.open(B, d -> { }, 1);
            byte[] payload = "hello µD3TN".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            BundleId id = backend.send(SendRequest.of(A, B, payload)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(B, id.source(), "the bundle ID comes from the headers µD3TN created");
            Delivery d = sink.next();
            assertArrayEquals(payload, d.bundle().payloadBytes());
            assertEquals(B, d.bundle().source());
            assertEquals(A, d.bundle().destination());
            assertEquals(id.sequence(), d.bundle().id().sequence());
            assertEquals(ResponseStatus.RESPONSE_STATUS_SUCCESS, server.answers.poll(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void answersMicroD3tnAtOnceAndHoldsTheAduUntilTheApplicationTakesIt() throws Exception {
        backend();
        Sink sink = new Sink(false);
        backend.open(A, sink::deliver, 4);
        backend.open(B, d -> { }, 1);
        backend.send(SendRequest.of(A, B, new byte[] {1, 2, 3})).toCompletableFuture().get(10, TimeUnit.SECONDS);
        // SUCCESS before the application took it: from now on the backend holds it.
        assertEquals(ResponseStatus.RESPONSE_STATUS_SUCCESS, server.answers.poll(10, TimeUnit.SECONDS));
        Delivery d = sink.next();
        assertTrue(backend.health().detail().contains("1 ADUs held"), backend.health().toString());
        d.acknowledge();
        await(() -> backend.health().detail().contains("0 ADUs held"), "the acknowledged ADU is forgotten");
    }

    /**
     * Issue 21: one late answer made µD3TN cut the subscription and drop everything queued. The
     * application here does not even return from its delivery (worse than a slow JIT or GC): every ADU
     * must still be answered within µD3TN's second, and reach the application once it is back.
     */
    @Test
    void anApplicationThatHangsInItsDeliveryNeverDelaysTheAnswers() throws Exception {
        backend();
        java.util.concurrent.CountDownLatch hang = new java.util.concurrent.CountDownLatch(1);
        Sink sink = new Sink(true);
        backend.open(A, d -> {
            try {
                hang.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sink.deliver(d);
        }, 8);
        backend.open(B, d -> { }, 1);
        for (int i = 0; i < 5; i++) {
            backend.send(SendRequest.of(A, B, new byte[] {(byte) i})).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(ResponseStatus.RESPONSE_STATUS_SUCCESS, server.answers.poll(10, TimeUnit.SECONDS),
                    "answer " + i + " while the application hangs");
        }
        hang.countDown();
        for (int i = 0; i < 5; i++) {
            assertEquals(i, sink.next().bundle().payloadBytes()[0], "in order, none lost");
        }
        assertEquals(0, server.lostToTimeout.get());
        assertEquals(2, server.subscriptions.get(), "neither subscription (A, B) was ever cut");
    }

    /**
     * Issue 21: one-shot senders (bind, send, close at once) lost bundles because closing the endpoint
     * closed its sending connection with sends µD3TN had not answered, and µD3TN drops a bundle it
     * cannot answer for. The agent is slow here, so every close comes before µD3TN's answer.
     */
    @Test
    void oneShotSendersLoseNothingWhenTheyCloseRightAfterSending() throws Exception {
        backend();
        Sink sink = new Sink(true);
        backend.open(B, sink::deliver, 64);
        server.answerDelayMillis = 50;
        int n = 20;
        List<java.util.concurrent.CompletableFuture<BundleId>> sent = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            EndpointId source = EndpointId.parse("ipn:1." + (100 + i));
            EndpointRegistration reg = backend.open(source, d -> { }, 1);
            sent.add(backend.send(SendRequest.of(B, source, new byte[] {(byte) i})).toCompletableFuture());
            reg.close();
        }
        for (int i = 0; i < n; i++) {
            assertEquals(EndpointId.parse("ipn:1." + (100 + i)), sent.get(i).get(10, TimeUnit.SECONDS).source(),
                    "send " + i + " was answered by µD3TN");
        }
        java.util.Set<Integer> got = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            got.add((int) sink.next().bundle().payloadBytes()[0]);
        }
        assertEquals(n, got.size(), "every bundle arrived");
        assertEquals(0, server.droppedClientGone.get(), "bundles µD3TN dropped for a closed client");
        await(() -> server.activeSenders() == 0, "the sending connections close once answered");
        assertTrue(backend.health().detail().contains("0 sends failed"), backend.health().toString());
    }

    @Test
    void aSendMicroD3tnDoesNotAnswerAfterTheEndpointClosedFailsAndIsCounted() throws Exception {
        backend("closeDrainMillis", 200);
        server.answerDelayMillis = 60_000;
        EndpointRegistration reg = backend.open(A, d -> { }, 1);
        java.util.concurrent.CompletionStage<BundleId> send = backend.send(SendRequest.of(B, A, new byte[] {1}));
        reg.close();
        assertEquals(BpError.BACKEND_FAILURE, sendError(send));
        assertTrue(backend.health().detail().contains("1 sends failed"), backend.health().toString());
        server.answerDelayMillis = 0;
    }

    @Test
    void aSubscriptionMicroD3tnCutsIsWarnedCountedAndRestored() throws Exception {
        backend();
        Sink sink = new Sink(true);
        backend.open(A, sink::deliver, 4);
        backend.open(B, d -> { }, 1);
        server.dropSubscription("ipn:1.44");
        await(() -> backend.health().detail().contains("1 subscriptions lost"), "the loss is counted");
        await(() -> server.subscribed("ipn:1.44"), "the subscription is restored");
        backend.send(SendRequest.of(A, B, new byte[] {7})).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(7, sink.next().bundle().payloadBytes()[0]);
    }

    @Test
    void holdsWhatASlowApplicationHasNotTakenAndDeliversItToTheNextRegistration() throws Exception {
        backend();
        Sink slow = new Sink(false);
        EndpointRegistration first = backend.open(A, slow::deliver, 1);
        backend.open(B, d -> { }, 1);
        for (int i = 0; i < 3; i++) {
            backend.send(SendRequest.of(A, B, new byte[] {(byte) i})).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        for (int i = 0; i < 3; i++) {
            // Within µD3TN's 1 s: the backend holds the ADU and says SUCCESS, or µD3TN would lose it.
            assertEquals(ResponseStatus.RESPONSE_STATUS_SUCCESS, server.answers.poll(10, TimeUnit.SECONDS));
        }
        Delivery handed = slow.next();
        assertEquals(0, handed.bundle().payloadBytes()[0]);
        assertNull(slow.got.poll(100, TimeUnit.MILLISECONDS), "the window is 1");
        assertTrue(backend.health().detail().contains("3 ADUs held"), backend.health().toString());
        first.close();
        handed.release();

        Sink next = new Sink(true);
        backend.open(A, next::deliver, 8);
        for (int i = 0; i < 3; i++) {
            assertEquals(i, next.next().bundle().payloadBytes()[0], "in arrival order, none lost");
        }
        await(() -> backend.health().detail().contains("0 ADUs held"), "nothing is held any more");
    }

    @Test
    void refusesBeyondTheHoldLimitAndCountsIt() throws Exception {
        backend("holdLimit", 1);
        Sink slow = new Sink(false);
        backend.open(A, slow::deliver, 1);
        backend.open(B, d -> { }, 1);
        backend.send(SendRequest.of(A, B, new byte[] {1})).toCompletableFuture().get(10, TimeUnit.SECONDS);
        backend.send(SendRequest.of(A, B, new byte[] {2})).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(ResponseStatus.RESPONSE_STATUS_SUCCESS, server.answers.poll(10, TimeUnit.SECONDS));
        assertEquals(ResponseStatus.RESPONSE_STATUS_ERROR, server.answers.poll(10, TimeUnit.SECONDS));
        assertTrue(backend.health().detail().contains("1 refused"), backend.health().toString());
    }

    @Test
    void clearErrorsForEndpointsItCannotRegister() throws Exception {
        backend();
        backend.open(A, d -> { }, 1);
        assertEquals(BpError.ADDRESS_IN_USE, assertThrows(BpException.class, () -> backend.open(A, d -> { }, 1)).error());
        server.occupy("ipn:1.46");
        BpException taken = assertThrows(BpException.class, () -> backend.open(EndpointId.parse("ipn:1.46"), d -> { }, 1));
        assertEquals(BpError.ADDRESS_IN_USE, taken.error());
        assertTrue(taken.getMessage().contains("another µD3TN client"), taken.getMessage());
        assertEquals(BpError.ADDRESS_NOT_AVAILABLE,
                assertThrows(BpException.class, () -> backend.open(EndpointId.parse("ipn:2.1"), d -> { }, 1)).error());
        assertEquals(BpError.ADDRESS_NOT_AVAILABLE,
                assertThrows(BpException.class, () -> backend.open(EndpointId.parse("dtn://x/y"), d -> { }, 1)).error());
        // ipn:!.S is this node.
        try (EndpointRegistration r = backend.open(EndpointId.parse("ipn:!.47"), d -> { }, 1)) {
            assertEquals(EndpointId.parse("ipn:1.47"), r.endpoint());
        }
    }

    @Test
    void refusesOversizedAndAnonymousSendsWithoutTouchingTheWire() throws Exception {
        backend("maxPayload", 1000L);
        assertEquals(1000L, backend.capabilities().maxPayload());
        assertTrue(backend.capabilities().options().isEmpty(), "v0.13.0 sets no bundle option per ADU");
        backend.open(B, d -> { }, 1);
        assertEquals(BpError.MESSAGE_TOO_LONG, sendError(backend.send(SendRequest.of(A, B, new byte[1001]))));
        assertEquals(BpError.INVALID_ARGUMENT, sendError(backend.send(SendRequest.of(A, EndpointId.parse("dtn:none"), new byte[1]))));
        backend.send(SendRequest.of(EndpointId.parse("ipn:7.1"), B, new byte[1000])).toCompletableFuture().get(10,
                TimeUnit.SECONDS);
        assertEquals(1000, server.elsewhere.poll(10, TimeUnit.SECONDS).payload().length);
    }

    @Test
    void keepsBothKeepaliveRules() throws Exception {
        backend("keepaliveSeconds", 1);
        backend.open(A, d -> { }, 1);
        backend.send(SendRequest.of(EndpointId.parse("ipn:7.1"), A, new byte[1])).toCompletableFuture().get(10,
                TimeUnit.SECONDS);
        int connections = server.connections.get();
        await(() -> server.keepalivesAnswered.get() >= 2 && server.keepalivesReceived.get() >= 1,
                "keepalives flow both ways");
        // Still the same connections: neither side timed the other out.
        backend.send(SendRequest.of(EndpointId.parse("ipn:7.1"), A, new byte[1])).toCompletableFuture().get(10,
                TimeUnit.SECONDS);
        assertEquals(connections, server.connections.get());
    }

    @Test
    void reRegistersEveryEndpointAfterMicroD3tnRestarts() throws Exception {
        backend();
        Sink sink = new Sink(true);
        backend.open(A, sink::deliver, 4);
        backend.open(B, d -> { }, 1);
        server.close();
        await(() -> backend.health().state() == BackendHealth.State.DOWN, "the backend notices µD3TN is gone");
        assertEquals(BpError.NO_BACKEND, assertThrows(BpException.class, () -> backend.open(EndpointId.parse("ipn:1.9"), d -> { }, 1)).error());
        server = new Aap2TestServer(server.path, "ipn:1.0", 1 << 20);
        await(() -> server.subscribed("ipn:1.44") && server.subscribed("ipn:1.45"), "both endpoints subscribe again");
        await(() -> backend.health().state() == BackendHealth.State.UP, "the backend is up again");
        backend.send(SendRequest.of(A, B, new byte[] {9})).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(9, sink.next().bundle().payloadBytes()[0]);
    }

    @Test
    void aSendInFlightFailsClearlyWhenMicroD3tnGoesAway() throws Exception {
        backend();
        backend.open(B, d -> { }, 1);
        backend.send(SendRequest.of(A, B, new byte[1])).toCompletableFuture().get(10, TimeUnit.SECONDS);
        server.close();
        BpError e = sendError(backend.send(SendRequest.of(A, B, ByteBuffer.allocate(100_000).array())));
        assertTrue(e == BpError.BACKEND_FAILURE || e == BpError.NO_BACKEND, e.toString());
        server = new Aap2TestServer(server.path, "ipn:1.0", 1 << 20);
    }

    @Test
    void givesMicroD3tnItsContactsAndGivesThemAgainAfterItRestarts() throws Exception {
        backend();
        Ud3tnContact contact = new Ud3tnContact("to2", EndpointId.parse("ipn:2.0"), "tcpclv3:127.0.0.1:4556",
                List.of(EndpointId.parse("ipn:3.0")), java.time.Instant.parse("2030-01-01T00:00:00Z"),
                java.time.Instant.parse("2030-01-01T01:00:00Z"), 1000);
        backend.addContact(contact);
        Aap2TestServer.Pushed command = server.elsewhere.poll(10, TimeUnit.SECONDS);
        assertEquals("ipn:1.9000", command.destination(), "µD3TN's config agent");
        assertEquals("ipn:1.4094", command.source(), "from an endpoint of µD3TN's own node");
        // DTN time: Unix seconds - 946684800.
        assertEquals("1(ipn:2.0):(tcpclv3:127.0.0.1:4556):[(ipn:3.0)]:[{946771200,946774800,1000}];",
                new String(command.payload(), java.nio.charset.StandardCharsets.US_ASCII));

        server.close();
        await(() -> backend.health().state() == BackendHealth.State.DOWN, "the backend notices µD3TN is gone");
        server = new Aap2TestServer(server.path, "ipn:1.0", 1 << 20);
        Aap2TestServer.Pushed again = server.elsewhere.poll(10, TimeUnit.SECONDS);
        assertEquals(new String(command.payload()), new String(again.payload()), "given again after the restart");

        backend.removeContact(contact);
        assertEquals("3(ipn:2.0);", new String(server.elsewhere.poll(10, TimeUnit.SECONDS).payload()));
        assertEquals(List.of(), backend.contacts());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> new Ud3tnContact("x",
                EndpointId.parse("ipn:2.0"), "127.0.0.1:4556", List.of(), java.time.Instant.EPOCH,
                java.time.Instant.now(), 1));
        assertTrue(bad.getMessage().contains("<cla>:<address>"), bad.getMessage());
        for (long rate : new long[] {0, -5}) {
            bad = assertThrows(IllegalArgumentException.class, () -> new Ud3tnContact("x", EndpointId.parse("ipn:2.0"),
                    "tcpclv3:127.0.0.1:4556", List.of(), java.time.Instant.EPOCH, java.time.Instant.now(), rate));
            assertTrue(bad.getMessage().contains("rate " + rate + " B/s is not valid"), bad.getMessage());
        }
    }

    @Test
    void isDownWithTheReasonWhenNothingListens() throws Exception {
        backend = new Ud3tnBackend(TestConfigs.of(Ud3tnConfig.class, "socket", dir.resolve("nothing").toString()));
        await(() -> backend.health().detail().contains("nothing"), "health names the socket");
        assertEquals(BackendHealth.State.DOWN, backend.health().state());
        assertEquals(BpError.NO_BACKEND, assertThrows(BpException.class, () -> backend.open(A, d -> { }, 1)).error());
        assertTrue(Files.notExists(dir.resolve("nothing")));
    }
}
