package org.bpsockets.backend.ion.internal;

import static org.bpsockets.cla.common.testing.BackendTesting.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;

import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.backend.EndpointRegistration;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.ClassOfService;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.cla.common.testing.BackendTesting.Sink;
import org.bpsockets.cla.common.testing.Bytes;
import org.bpsockets.cla.common.testing.IonPeer;
import org.bpsockets.cla.common.testing.TestConfigs;
import org.junit.jupiter.api.Test;

/**
 * The backend attached to a real ION node (BPSOCKETS_ION_PREFIX): applications on two of its
 * endpoints reach each other, with options, and ION's bpecho answers; endpoints the node's rc file does
 * not declare (an explicit bind, an automatic one) are declared through libbp and work.
 */
class IonInteropTest {

    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void applicationsOnIonReachEachOtherAndBpecho() throws Exception {
        assumeTrue(IonPeer.prefix() != null, IonPeer.skipMessage());
        // Node 2's plan to node 1 goes nowhere here: nothing listens on that port.
        IonPeer peer = IonPeer.start("tcp", freePort());
        String lib = IonPeer.prefix() + "/lib/";
        IonBackend backend = new IonBackend(TestConfigs.of(IonConfig.class, "bpLibrary", lib + "libbp.so.0",
                "iciLibrary", lib + "libici.so.0", "nodeListDir", peer.dir.toString(), "nodeDirectory",
                peer.dir.toString()));
        try {
            await(() -> backend.nodeId().isPresent(), "attached to ION: " + backend.health());
            assertEquals(EndpointId.parse("ipn:2.0"), backend.nodeId().orElseThrow());
            EndpointId two = EndpointId.parse("ipn:2.2");
            EndpointId three = EndpointId.parse("ipn:2.3");
            Sink at2 = new Sink(true);
            Sink at3 = new Sink(true);
            try (EndpointRegistration r2 = backend.open(two, at2::deliver, 8);
                    EndpointRegistration r3 = backend.open(three, at3::deliver, 8)) {
                for (int size : new int[] {1, 1000, 100_000}) {
                    byte[] payload = Bytes.pattern(size, size);
                    BundleOptions o = BundleOptions.builder().lifetime(Duration.ofMinutes(5))
                            .classOfService(ClassOfService.EXPEDITED).applicationAck(true).build();
                    backend.send(new SendRequest(two, three, java.nio.ByteBuffer.wrap(payload), o))
                            .toCompletableFuture().get(30, TimeUnit.SECONDS);
                    Delivery d = at2.next();
                    assertArrayEquals(payload, d.bundle().payloadBytes(), size + " bytes 2.3 -> 2.2");
                    assertEquals(three, d.bundle().source());
                    assertEquals(Duration.ofMinutes(5), d.bundle().lifetime());
                    assertEquals(true, d.bundle().applicationAckRequested());
                }
                byte[] ping = Bytes.pattern(500, 9);
                backend.send(SendRequest.of(EndpointId.parse("ipn:2.1"), three, ping)).toCompletableFuture().get(30,
                        TimeUnit.SECONDS);
                assertArrayEquals(ping, at3.next().bundle().payloadBytes(), "bpecho's answer");
                // A delivery report to the sender's own endpoint: ION's admin record reaches it.
                backend.send(new SendRequest(two, three, java.nio.ByteBuffer.wrap(new byte[] {1}), BundleOptions
                        .builder().statusReports(EnumSet.of(StatusReportKind.DELIVERY)).build()))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
                at2.next();
                assertEquals(true, at3.next().bundle().administrativeRecord(), "the status report");
            }
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n" + peer.log(), e);
        } finally {
            backend.deactivate();
            peer.close();
        }
    }

    @Test
    void undeclaredAndAutomaticEndpointsAreDeclaredThroughLibbp() throws Exception {
        assumeTrue(IonPeer.prefix() != null, IonPeer.skipMessage());
        IonPeer peer = IonPeer.start("tcp", freePort());
        String lib = IonPeer.prefix() + "/lib/";
        IonBackend backend = new IonBackend(TestConfigs.of(IonConfig.class, "bpLibrary", lib + "libbp.so.0",
                "iciLibrary", lib + "libici.so.0", "nodeListDir", peer.dir.toString(), "nodeDirectory",
                peer.dir.toString()));
        try {
            await(() -> backend.nodeId().isPresent(), "attached to ION: " + backend.health());
            EndpointId explicit = EndpointId.parse("ipn:2.40"); // not in the node's rc file
            EndpointId automatic = EndpointId.parse("ipn:2.65536");
            Sink atExplicit = new Sink(true);
            Sink atAutomatic = new Sink(true);
            try (EndpointRegistration r1 = backend.open(explicit, atExplicit::deliver, 8)) {
                EndpointRegistration r2 = backend.open(automatic, atAutomatic::deliver, 8);
                backend.send(SendRequest.of(explicit, automatic, "ping".getBytes())).toCompletableFuture().get(30,
                        TimeUnit.SECONDS);
                Delivery ping = atExplicit.next();
                assertArrayEquals("ping".getBytes(), ping.bundle().payloadBytes());
                assertEquals(automatic, ping.bundle().source());
                backend.send(SendRequest.of(automatic, explicit, "pong".getBytes())).toCompletableFuture().get(30,
                        TimeUnit.SECONDS);
                assertArrayEquals("pong".getBytes(), atAutomatic.next().bundle().payloadBytes());
                r2.close();
                // Bound again after its removal from ION: declared again.
                backend.open(automatic, atAutomatic::deliver, 8).close();
                // The sending thread retires an endpoint after the sends queued before: one more send
                // and its delivery mean the automatic endpoint's removal has run.
                backend.send(SendRequest.of(explicit, explicit, "after".getBytes())).toCompletableFuture().get(30,
                        TimeUnit.SECONDS);
                assertArrayEquals("after".getBytes(), atExplicit.next().bundle().payloadBytes());
            }
            // What ION has declared now, as bpadmin lists it.
            java.nio.file.Files.writeString(peer.dir.resolve("list.rc"), "l endpoint\n");
            peer.run(30, "bpadmin", "list.rc");
            String listed = java.nio.file.Files.readString(peer.dir.resolve("commands.log"));
            assertEquals(true, listed.contains("ipn:2.40"), "the explicit bind's endpoint stays declared: " + listed);
            assertEquals(false, listed.contains("ipn:2.65536"), "the automatic one is gone: " + listed);
        } catch (AssertionError | Exception e) {
            throw new AssertionError(e.getMessage() + "\n" + peer.log(), e);
        } finally {
            backend.deactivate();
            peer.close();
        }
    }

    /**
     * Issue 15: the test node uses keys and an SDR name of its own, so it runs beside an ION node on
     * ION's defaults (wmKey 65281, sdrName "ion") without touching it, and leaves nothing behind:
     * its segments, /dev/shm's semaphores and /tmp/ion.sdrlog are as before (the ION-wide ones
     * only when no other ION node runs, since that node shares them).
     */
    @Test
    void theTestNodeHasItsOwnKeysAndLeavesNothingBehind() throws Exception {
        assumeTrue(IonPeer.prefix() != null, IonPeer.skipMessage());
        java.util.Map<Integer, Integer> segmentsBefore = IonPeer.segments();
        java.util.Set<String> shmBefore = IonPeer.devShm();
        boolean sdrlogBefore = java.nio.file.Files.exists(java.nio.file.Path.of("/tmp/ion.sdrlog"));
        boolean otherIon = IonPeer.ION_WIDE_KEYS.stream().anyMatch(IonPeer::attached);
        IonPeer peer = IonPeer.start("tcp", freePort());
        int wmKey = peer.wmKey;
        try {
            assertEquals(true, IonPeer.segments().containsKey(wmKey), "its working memory has its own key");
            assertEquals(false, wmKey == 65281 || peer.sdrName.equals("ion"), "not ION's defaults");
            String nodes = java.nio.file.Files.readString(peer.dir.resolve("ion_nodes"));
            assertEquals(true, nodes.contains(" " + wmKey + " " + peer.sdrName + " "), "ION's node list: " + nodes);
            assertEquals(segmentsBefore.get(65281), IonPeer.segments().get(65281),
                    "a node on the default key is untouched (or still absent)");
        } finally {
            peer.close();
        }
        java.util.Map<Integer, Integer> segmentsAfter = IonPeer.segments();
        assertEquals(false, segmentsAfter.containsKey(wmKey) || segmentsAfter.containsKey(wmKey + 1),
                "its working memory and heap are removed: " + segmentsAfter.keySet());
        assertEquals(sdrlogBefore, java.nio.file.Files.exists(java.nio.file.Path.of("/tmp/ion.sdrlog")),
                "no /tmp/ion.sdrlog of its own");
        assertEquals(segmentsBefore.get(65281), segmentsAfter.get(65281), "the default-key node's segment stays");
        if (!otherIon) {
            assertEquals(segmentsBefore.keySet(), segmentsAfter.keySet(), "no ION segment left behind");
            assertEquals(shmBefore, IonPeer.devShm(), "no /dev/shm/sem.ion:GLOBAL:* left behind");
        }
    }
}
