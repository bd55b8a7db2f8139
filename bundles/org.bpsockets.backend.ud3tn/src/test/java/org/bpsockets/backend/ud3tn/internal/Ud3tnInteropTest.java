package org.bpsockets.backend.ud3tn.internal;

import static org.bpsockets.cla.common.testing.BackendTesting.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.TimeUnit;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.backend.BackendHealth;
import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.cla.common.testing.BackendTesting.Sink;
import org.bpsockets.cla.common.testing.Bytes;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.bpsockets.cla.common.testing.Ud3tnPeer;
import org.junit.jupiter.api.Test;

/**
 * The backend against a real µD3TN (BPSOCKETS_UD3TN_BIN): an application on one of its endpoints
 * reaches another, and µD3TN's echo agent answers, with payloads below and above 64 KiB.
 */
class Ud3tnInteropTest {

    @Test
    void applicationsOnMicroD3tnReachEachOtherAndItsEchoAgent() throws Exception {
        assumeTrue(Ud3tnPeer.binary() != null, Ud3tnPeer.skipMessage());
        Ud3tnPeer peer = Ud3tnPeer.start("ipn:2.0");
        Ud3tnBackend backend = new Ud3tnBackend(TestConfigs.of(Ud3tnConfig.class, "socket",
                peer.dir.resolve("aap2.socket").toString(), "keepaliveSeconds", 1));
        try {
            await(() -> backend.nodeId().isPresent(), "the backend reaches µD3TN");
            assertEquals(EndpointId.parse("ipn:2.0"), backend.nodeId().orElseThrow());
            Sink a = new Sink(true);
            Sink b = new Sink(true);
            EndpointId epA = EndpointId.parse("ipn:2.44");
            EndpointId epB = EndpointId.parse("ipn:2.45");
            backend.open(epA, a::deliver, 4);
            backend.open(epB, b::deliver, 4);
            for (int size : new int[] {1, 1000, 100_000}) {
                byte[] payload = Bytes.pattern(size, size);
                BundleId id = backend.send(SendRequest.of(epA, epB, payload)).toCompletableFuture().get(10,
                        TimeUnit.SECONDS);
                assertEquals(epB, id.source());
                Delivery d = a.next();
                assertArrayEquals(payload, d.bundle().payloadBytes(), size + " bytes B -> A");
                assertEquals(epB, d.bundle().source());

                backend.send(SendRequest.of(EndpointId.parse(peer.echoEndpoint()), epA, payload)).toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                Delivery echo = a.next();
                assertArrayEquals(payload, echo.bundle().payloadBytes(), size + "-byte echo");
                assertEquals(EndpointId.parse(peer.echoEndpoint()), echo.bundle().source());
            }
            // Past µD3TN's keepalive timing: both connections are still up and carry bundles.
            Thread.sleep(3000);
            backend.send(SendRequest.of(epA, epB, new byte[] {7})).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(7, a.next().bundle().payloadBytes()[0]);
            assertEquals(BackendHealth.State.UP, backend.health().state(), backend.health().toString());
            BpException taken = org.junit.jupiter.api.Assertions.assertThrows(BpException.class,
                    () -> backend.open(epA, d -> { }, 1));
            assertEquals(BpError.ADDRESS_IN_USE, taken.error());
            assertTrue(peer.alive(), "µD3TN survived");
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n--- µD3TN log ---\n" + peer.log(), e);
        } finally {
            backend.deactivate();
            peer.close();
        }
    }

    /** Two µD3TN nodes, each served by a backend: a contact given through the backend carries bundles across. */
    @Test
    void aContactGivenThroughTheBackendCarriesBundlesToAnotherMicroD3tn() throws Exception {
        assumeTrue(Ud3tnPeer.binary() != null, Ud3tnPeer.skipMessage());
        try (Ud3tnPair pair = Ud3tnPair.start()) {
            Sink atB = new Sink(true);
            Sink atA = new Sink(true);
            EndpointId a1 = EndpointId.parse("ipn:1.1");
            EndpointId b1 = EndpointId.parse("ipn:2.1");
            pair.backendA.open(a1, atA::deliver, 8);
            pair.backendB.open(b1, atB::deliver, 8);
            byte[] payload = Bytes.pattern(70_000, 3);
            pair.backendA.send(SendRequest.of(b1, a1, payload)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            Delivery d = atB.next();
            assertArrayEquals(payload, d.bundle().payloadBytes());
            assertEquals(a1, d.bundle().source());
            // Back through B's echo agent and B's contact to A.
            pair.backendA.send(SendRequest.of(EndpointId.parse("ipn:2.9002"), a1, payload)).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertArrayEquals(payload, atA.next().bundle().payloadBytes());
        }
    }

    /**
     * Issue 21 against the real µD3TN: 100 one-shot senders (bind, send, close at once) all reach a
     * receiver on the same node; none of the sends fails and µD3TN drops none of them.
     */
    @Test
    void oneShotSendersLoseNothingThroughMicroD3tn() throws Exception {
        assumeTrue(Ud3tnPeer.binary() != null, Ud3tnPeer.skipMessage());
        Ud3tnPeer peer = Ud3tnPeer.start("ipn:2.0");
        Ud3tnBackend backend = new Ud3tnBackend(TestConfigs.of(Ud3tnConfig.class, "socket",
                peer.dir.resolve("aap2.socket").toString()));
        try {
            await(() -> backend.nodeId().isPresent(), "the backend reaches µD3TN");
            Sink receiver = new Sink(true);
            EndpointId to = EndpointId.parse("ipn:2.45");
            backend.open(to, receiver::deliver, 128);
            int n = 100;
            java.util.List<java.util.concurrent.CompletableFuture<BundleId>> sent = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                EndpointId from = EndpointId.parse("ipn:2." + (1000 + i));
                org.bpsockets.api.backend.EndpointRegistration reg = backend.open(from, d -> { }, 1);
                sent.add(backend.send(SendRequest.of(to, from, Bytes.pattern(10_000, i))).toCompletableFuture());
                reg.close();
            }
            for (java.util.concurrent.CompletableFuture<BundleId> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
            java.util.Set<EndpointId> sources = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                sources.add(receiver.next().bundle().source());
            }
            assertEquals(n, sources.size(), "every one-shot sender's bundle arrived");
            assertTrue(backend.health().detail().contains("0 sends failed, 0 subscriptions lost"),
                    backend.health().toString());
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n--- µD3TN log ---\n" + peer.log(), e);
        } finally {
            backend.deactivate();
            peer.close();
        }
    }
}
