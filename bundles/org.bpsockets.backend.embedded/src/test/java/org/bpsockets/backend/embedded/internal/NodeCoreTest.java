package org.bpsockets.backend.embedded.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.backend.Delivery;
import org.bpsockets.api.backend.DeliverySink;
import org.bpsockets.api.backend.EndpointRegistration;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.BundleOptions;
import org.bpsockets.api.bundle.ClassOfService;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.bundle.StatusReportKind;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.backend.embedded.internal.routing.StaticRouter;
import org.bpsockets.backend.embedded.internal.store.MemoryBundleStore;
import org.bpsockets.bpv7.AdministrativeRecord;
import org.bpsockets.bpv7.Bundle;
import org.bpsockets.bpv7.StatusReport;
import org.bpsockets.node.api.cla.LinkState;
import org.bpsockets.node.api.cla.Receipt;
import org.bpsockets.node.api.cla.RefusalReason;
import org.bpsockets.node.api.routing.Contact;
import org.bpsockets.node.api.routing.RouteEntry;
import org.bpsockets.node.api.store.BundleStore;
import org.bpsockets.node.api.store.StoredBundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeCoreTest {

    static final EndpointId N1 = EndpointId.parse("ipn:1.0");
    static final EndpointId N2 = EndpointId.parse("ipn:2.0");
    final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    NodeCore node(EndpointId id, NodeSettings settings) {
        NodeCore n = new NodeCore(settings, new MemoryBundleStore(), new StaticRouter());
        cleanup.add(n);
        return n;
    }

    NodeCore node(EndpointId id) {
        return node(id, NodeSettings.defaults(id));
    }

    static final class Sink implements DeliverySink {
        final BlockingQueue<Delivery> got = new LinkedBlockingQueue<>();

        @Override
        public void deliver(Delivery delivery) {
            got.add(delivery);
        }

        Delivery next() throws InterruptedException {
            Delivery d = got.poll(10, TimeUnit.SECONDS);
            assertNotNull(d, "a delivery arrived");
            return d;
        }
    }

    static SendRequest request(String from, String to, String text, BundleOptions options) {
        return new SendRequest(EndpointId.parse(to), EndpointId.parse(from),
                ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), options);
    }

    static String text(Delivery d) {
        return new String(d.bundle().payloadBytes(), StandardCharsets.UTF_8);
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void aBundleForALocalEndpointIsDeliveredAndForgottenOnceAcknowledged() throws Exception {
        NodeCore n = node(N1);
        Sink sink = new Sink();
        EndpointRegistration reg = n.open(EndpointId.parse("ipn:1.5"), sink, 8);
        BundleId id = n.send(request("ipn:1.6", "ipn:1.5", "hello", BundleOptions.DEFAULTS))
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(EndpointId.parse("ipn:1.6"), id.source());
        Delivery d = sink.next();
        assertEquals("hello", text(d));
        assertEquals(EndpointId.parse("ipn:1.6"), d.bundle().source());
        assertEquals(Duration.ofDays(1), d.bundle().lifetime());
        assertEquals(1, n.bundleInfos(10).size(), "kept until acknowledged");
        d.acknowledge();
        await("forgotten", () -> n.bundleInfos(10).isEmpty());
        assertEquals(1L, n.statistics().get("delivered"));
        var latency = n.deliveryLatency.snapshot();
        assertEquals(1L, latency.count(), "the delivery's creation-to-delivery time is in the histogram");
        assertTrue(latency.sumSeconds() >= 0 && latency.sumSeconds() < 15, "within the test's time: " + latency);
        reg.close();
    }

    /** The store's writes in the order the node asked for them. */
    static final class RecordingStore implements BundleStore {
        final MemoryBundleStore inner = new MemoryBundleStore();
        final List<String> writes = java.util.Collections.synchronizedList(new ArrayList<>());

        public String name() {
            return "recording";
        }

        public boolean durable() {
            return true;
        }

        public CompletionStage<Void> put(long key, ByteBuffer bundle, byte[] state) {
            writes.add("put " + key);
            return inner.put(key, bundle, state);
        }

        public CompletionStage<Void> updateState(long key, byte[] state) {
            return inner.updateState(key, state);
        }

        public CompletionStage<Void> remove(long key) {
            writes.add("remove " + key);
            return inner.remove(key);
        }

        public void recover(java.util.function.BiConsumer<Long, StoredBundle> each) {
            inner.recover(each);
        }

        public long count() {
            return inner.count();
        }

        public long bytes() {
            return inner.bytes();
        }

        public void close() {
            inner.close();
        }
    }

    @Test
    void anApplicationsAcknowledgementGoesAheadOfQueuedArrivals() throws Exception {
        // Decision 0015: a delivered bundle stays in the store until the node handles the application's
        // acknowledgement; behind a backlog of arrivals that took seconds, and a crash then repeated
        // every such delivery. The acknowledgement must go before what is queued.
        RecordingStore store = new RecordingStore();
        NodeCore n = new NodeCore(NodeSettings.defaults(N1), store, new StaticRouter());
        cleanup.add(n);
        Sink sink = new Sink();
        n.open(EndpointId.parse("ipn:1.5"), sink, 8);
        n.send(request("ipn:1.6", "ipn:1.5", "first", BundleOptions.DEFAULTS)).toCompletableFuture().get(10,
                TimeUnit.SECONDS);
        Delivery first = sink.next();
        // Hold the event thread, queue 50 sends behind it, then acknowledge the first delivery.
        java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        Thread blocker = new Thread(() -> n.call(() -> {
            held.countDown();
            try {
                hold.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }));
        blocker.start();
        assertTrue(held.await(10, TimeUnit.SECONDS));
        int before = store.writes.size();
        List<java.util.concurrent.CompletableFuture<BundleId>> queued = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            queued.add(n.send(request("ipn:1.6", "ipn:1.9", "queued " + i, BundleOptions.DEFAULTS)).toCompletableFuture());
        }
        first.acknowledge();
        hold.countDown();
        blocker.join(10_000);
        for (var f : queued) {
            f.get(10, TimeUnit.SECONDS);
        }
        List<String> after = new ArrayList<>(store.writes.subList(before, store.writes.size()));
        assertTrue(after.get(0).startsWith("remove "), "the acknowledged bundle is removed before the 50 queued "
                + "sends are stored: " + after.subList(0, Math.min(5, after.size())));
    }

    @Test
    void deliveryLatencyBucketsAndQuantiles() {
        DeliveryLatency l = new DeliveryLatency();
        assertFalse(l.record(0, 5_000), "a bundle created without a clock has no latency");
        assertTrue(l.record(1_000, 1_000)); // 0 ms
        assertTrue(l.record(1_000, 1_004)); // 4 ms: the 5 ms bucket
        assertTrue(l.record(2_000, 1_000)); // created in our future: 0
        assertTrue(l.record(1_000, 1_000 + 2 * 86_400_000L)); // two days: past the last bound
        var h = l.snapshot();
        assertEquals(4, h.count());
        assertEquals(2L, h.counts().get(0), "0 ms twice, in the first bucket (<= 1 ms)");
        assertEquals(1L, h.counts().get(1), "4 ms in the <= 5 ms bucket");
        assertEquals(1L, h.counts().get(h.counts().size() - 1));
        assertEquals(0.001, h.quantileUpperBound(0.5));
        assertEquals(Double.POSITIVE_INFINITY, h.quantileUpperBound(0.99));
        assertEquals(172_800.004, h.sumSeconds(), 1e-9);
    }

    @Test
    void bundlesWaitForTheirRegistrationAndAReleasedOneComesBack() throws Exception {
        NodeCore n = node(N1);
        n.send(request("ipn:1.6", "ipn:!.7", "early", BundleOptions.DEFAULTS)).toCompletableFuture().get(10,
                TimeUnit.SECONDS);
        Sink first = new Sink();
        EndpointRegistration reg = n.open(EndpointId.parse("ipn:!.7"), first, 8);
        Delivery d = first.next();
        assertEquals("early", text(d));
        d.release();
        reg.close();
        Sink second = new Sink();
        n.open(EndpointId.parse("ipn:1.7"), second, 8);
        assertEquals("early", text(second.next()), "released, then delivered to the next registration");
    }

    @Test
    void aRegistrationGetsNoMoreThanItsWindow() throws Exception {
        NodeCore n = node(N1);
        Sink sink = new Sink();
        n.open(EndpointId.parse("ipn:1.5"), sink, 2);
        for (int i = 0; i < 5; i++) {
            n.send(request("ipn:1.6", "ipn:1.5", "m" + i, BundleOptions.DEFAULTS)).toCompletableFuture().get();
        }
        Delivery a = sink.next();
        Delivery b = sink.next();
        // The node's own word, not a pause: two offered, three waiting for room in the window.
        assertEquals(2, n.bundleInfos(10).stream().filter(i -> i.state().startsWith("deliver:OFFERED")).count());
        assertEquals(3, n.bundleInfos(10).stream().filter(i -> i.state().startsWith("deliver:PENDING")).count());
        assertTrue(sink.got.isEmpty(), "nothing beyond the window was handed over");
        a.acknowledge();
        assertEquals("m2", text(sink.next()));
        b.acknowledge();
        assertEquals("m3", text(sink.next()));
    }

    @Test
    void registrationsAreRefusedForOtherNodesTheAdminEndpointAndTwice() throws Exception {
        NodeCore n = node(N1);
        assertEquals(BpError.ADDRESS_NOT_AVAILABLE,
                assertThrows(BpException.class, () -> n.open(EndpointId.parse("ipn:2.5"), new Sink(), 1)).error());
        assertEquals(BpError.ADDRESS_NOT_AVAILABLE,
                assertThrows(BpException.class, () -> n.open(N1, new Sink(), 1)).error());
        n.open(EndpointId.parse("ipn:1.5"), new Sink(), 1);
        assertEquals(BpError.ADDRESS_IN_USE,
                assertThrows(BpException.class, () -> n.open(EndpointId.parse("ipn:1.5"), new Sink(), 1)).error());
    }

    /** Node 1's layer in the last {@link #twoNodes}. */
    private PipeLayer firstLayer;

    /** Two nodes, a link from 1 to 2 and a route: 1's application reaches 2's. */
    NodeCore[] twoNodes(NodeSettings s1, NodeSettings s2, LinkDefinition.Mode mode, List<Contact> contacts) {
        NodeCore a = node(N1, s1);
        NodeCore b = node(N2, s2);
        PipeLayer la = new PipeLayer(a, "node1-" + System.nanoTime());
        firstLayer = la;
        String bAddress = "node2-" + System.nanoTime();
        PipeLayer lb = new PipeLayer(b, bAddress);
        cleanup.add(la::unregister);
        cleanup.add(lb::unregister);
        a.addConvergenceLayer(la);
        b.addConvergenceLayer(lb);
        a.configure(List.of(new LinkDefinition("to2", "pipe", bAddress, mode, Map.of())),
                List.of(new RouteEntry("r2", "ipn:2.*", "to2")), contacts);
        return new NodeCore[] {a, b};
    }

    @Test
    void twoNodesExchangeBundlesOverALinkWithReportsBack() throws Exception {
        NodeCore[] n = twoNodes(NodeSettings.defaults(N1), NodeSettings.defaults(N2), LinkDefinition.Mode.ALWAYS_ON,
                List.of());
        Sink app2 = new Sink();
        Sink reports = new Sink();
        n[1].open(EndpointId.parse("ipn:2.1"), app2, 8);
        n[0].open(EndpointId.parse("ipn:1.9"), reports, 8);
        BundleOptions options = BundleOptions.builder().statusReports(EnumSet.of(StatusReportKind.DELIVERY,
                StatusReportKind.FORWARDING)).reportTo(EndpointId.parse("ipn:1.9")).build();
        BundleId sent = n[0].send(request("ipn:1.1", "ipn:2.1", "across", options)).toCompletableFuture().get();
        Delivery d = app2.next();
        assertEquals("across", text(d));
        assertEquals(EndpointId.parse("ipn:1.1"), d.bundle().source());
        d.acknowledge();
        List<StatusReport> got = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Delivery r = reports.next();
            assertTrue(r.bundle().administrativeRecord());
            got.add(AdministrativeRecord.decode(r.bundle().payload()).statusReport());
            r.acknowledge();
        }
        assertTrue(got.stream().anyMatch(r -> r.forwarded().asserted()), "node 1 reported forwarding");
        assertTrue(got.stream().anyMatch(r -> r.delivered().asserted()), "node 2 reported delivery");
        assertTrue(got.stream().allMatch(r -> r.subject().sequence() == sent.sequence()
                && r.subject().source().equals(sent.source())), "each report names the bundle");
        await("node 1 forgets the forwarded bundle", () -> n[0].bundleInfos(10).isEmpty());
        assertEquals(1L, n[0].statistics().get("forwarded"));
        assertEquals(1L, n[1].statistics().get("received"));
    }

    @Test
    void aLargePayloadGoesFromTheApplicationToTheLinkWithoutACopy() throws Exception {
        NodeCore[] n = twoNodes(NodeSettings.defaults(N1), NodeSettings.defaults(N2), LinkDefinition.Mode.ALWAYS_ON,
                List.of());
        Sink app2 = new Sink();
        n[1].open(EndpointId.parse("ipn:2.1"), app2, 8);
        byte[] payload = new byte[300_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 7 + i / 251);
        }
        n[0].send(new SendRequest(EndpointId.parse("ipn:2.1"), EndpointId.parse("ipn:1.1"), ByteBuffer.wrap(payload),
                BundleOptions.DEFAULTS)).toCompletableFuture().get();
        Delivery d = app2.next();
        assertArrayEquals(payload, d.bundle().payloadBytes(), "the bytes the application sent");
        d.acknowledge();
        PipeLayer.PipeLink link = firstLayer.opened.get(0);
        assertEquals(1, link.partArrays.size(), "one bundle went in parts");
        assertTrue(link.partArrays.get(0).stream().anyMatch(a -> a == payload),
                "the application's own array was handed to the link: " + link.partArrays.get(0).size() + " parts");
        // A small bundle still goes in one buffer.
        n[0].send(request("ipn:1.1", "ipn:2.1", "small", BundleOptions.DEFAULTS)).toCompletableFuture().get();
        Delivery small = app2.next();
        assertEquals("small", text(small));
        small.acknowledge();
        assertEquals(1, link.partArrays.size());
    }

    @Test
    void aBundleWaitsForItsScheduledContactAndLeavesWhenItOpens() throws Exception {
        Instant start = Instant.now().plusMillis(1500);
        NodeCore[] n = twoNodes(NodeSettings.defaults(N1), NodeSettings.defaults(N2), LinkDefinition.Mode.SCHEDULED,
                List.of(new Contact("c1", "to2", start, start.plusSeconds(60), 0)));
        Sink app2 = new Sink();
        n[1].open(EndpointId.parse("ipn:2.1"), app2, 8);
        n[0].send(request("ipn:1.1", "ipn:2.1", "later", BundleOptions.DEFAULTS)).toCompletableFuture().get();
        List<NodeCore.BundleInfo> held = n[0].bundleInfos(10);
        assertEquals(1, held.size());
        assertTrue(held.get(0).state().startsWith("forward:WAITING"), "no contact yet: the bundle waits");
        NodeCore.LinkInfo to2 = n[0].linkInfos().stream().filter(l -> l.name().equals("to2")).findFirst().orElseThrow();
        assertEquals(LinkState.DOWN, to2.state());
        assertEquals(1, to2.queued(), "bp:links counts the bundle waiting for the down link as queued on it");
        Delivery d = app2.next();
        assertFalse(Instant.now().isBefore(start), "it left when the contact opened, not before");
        assertEquals("later", text(d));
    }

    @Test
    void largePayloadsAreFragmentedAndReassembled() throws Exception {
        NodeSettings fragmenting = new NodeSettings(N1, 64L << 20, 1000, true, 1L << 30, true, 0);
        NodeCore[] n = twoNodes(fragmenting, NodeSettings.defaults(N2), LinkDefinition.Mode.ALWAYS_ON, List.of());
        Sink app2 = new Sink();
        n[1].open(EndpointId.parse("ipn:2.1"), app2, 8);
        byte[] payload = new byte[25_000];
        new Random(7).nextBytes(payload);
        n[0].send(new SendRequest(EndpointId.parse("ipn:2.1"), EndpointId.parse("ipn:1.1"), ByteBuffer.wrap(payload),
                BundleOptions.DEFAULTS)).toCompletableFuture().get();
        Delivery d = app2.next();
        assertArrayEquals(payload, d.bundle().payloadBytes());
        assertEquals(25L, n[0].statistics().get("fragments sent"));
        assertEquals(1L, n[1].statistics().get("reassembled"));
        d.acknowledge();
        await("node 2 forgets the fragments", () -> n[1].bundleInfos(100).isEmpty());
    }

    @Test
    void theEchoAgentOfTheOtherNodeAnswersWithThePayload() throws Exception {
        NodeCore[] n = twoNodes(NodeSettings.defaults(N1), NodeSettings.defaults(N2), LinkDefinition.Mode.ALWAYS_ON,
                List.of());
        Sink me = new Sink();
        n[0].open(EndpointId.parse("ipn:1.40"), me, 8);
        n[0].send(request("ipn:1.40", "ipn:2.9002", "ping 1", BundleOptions.DEFAULTS)).toCompletableFuture().get();
        Delivery d = me.next();
        assertEquals("ping 1", text(d));
        assertEquals(EndpointId.parse("ipn:2.9002"), d.bundle().source());
        assertEquals(BpError.ADDRESS_IN_USE, assertThrows(BpException.class,
                () -> n[1].open(EndpointId.parse("ipn:2.9002"), new Sink(), 1)).error());
    }

    @Test
    void classOfServiceAndOrdinalTravelInIonsQosBlockAndTheEchoAgentReportsDelivery() throws Exception {
        NodeCore[] n = twoNodes(NodeSettings.defaults(N1), NodeSettings.defaults(N2), LinkDefinition.Mode.ALWAYS_ON,
                List.of());
        Sink me = new Sink();
        n[0].open(EndpointId.parse("ipn:1.41"), me, 8);
        BundleOptions options = BundleOptions.builder().classOfService(ClassOfService.EXPEDITED).ordinal(9)
                .statusReports(EnumSet.of(StatusReportKind.DELIVERY)).build();
        BundleId sent = n[0].send(request("ipn:1.41", "ipn:2.77", "kept", options)).toCompletableFuture().get();
        await("node 2 holds the bundle", () -> n[1].bundleInfos(10).size() == 1);
        NodeCore.BundleInfo held = n[1].bundleInfos(10).get(0);
        assertTrue(held.details().contains("cos=expedited ordinal=9"), held.details());
        assertTrue(held.state().endsWith("expedited"), "node 2 forwards it as expedited: " + held.state());
        assertEquals(sent, held.id());

        n[0].send(request("ipn:1.41", "ipn:2.9002", "echo me", options)).toCompletableFuture().get();
        boolean echoed = false;
        boolean reported = false;
        for (int i = 0; i < 2; i++) {
            Delivery d = me.next();
            if (d.bundle().administrativeRecord()) {
                StatusReport r = AdministrativeRecord.decode(d.bundle().payload()).statusReport();
                reported = r.delivered().asserted() && r.subject().source().equals(EndpointId.parse("ipn:1.41"));
                assertEquals(N2, d.bundle().source(), "node 2 reports");
            } else {
                echoed = "echo me".equals(text(d));
            }
            d.acknowledge();
        }
        assertTrue(echoed, "the echo came back");
        assertTrue(reported, "and a delivery report from the echo agent's node");
    }

    @Test
    void expiredBundlesAreDeletedWithADeletionReport() throws Exception {
        NodeCore n = node(N1);
        Sink reports = new Sink();
        n.open(EndpointId.parse("ipn:1.9"), reports, 8);
        BundleOptions shortLived = BundleOptions.builder().lifetime(Duration.ofMillis(300))
                .statusReports(EnumSet.of(StatusReportKind.DELETION)).reportTo(EndpointId.parse("ipn:1.9")).build();
        n.send(request("ipn:1.1", "ipn:1.2", "soon gone", shortLived)).toCompletableFuture().get();
        Delivery r = reports.next();
        StatusReport report = AdministrativeRecord.decode(r.bundle().payload()).statusReport();
        assertTrue(report.deleted().asserted());
        assertEquals(1, report.reason().code(), "lifetime expired");
        assertEquals(1L, n.statistics().get("deleted: lifetime expired"));
    }

    @Test
    void receivedDuplicatesMalformedBytesAndLocalNodeEidsAreRefusedAndCounted() throws Exception {
        NodeCore n = node(N2);
        PipeLayer layer = new PipeLayer(n, "dup-" + System.nanoTime());
        cleanup.add(layer::unregister);
        PipeLayer.PipeLink link = new PipeLayer.PipeLink(layer, "test", false);
        link.peer = link;
        Bundle b = Bundle.builder().destination(EndpointId.parse("ipn:2.1")).source(EndpointId.parse("ipn:1.1"))
                .reportTo(EndpointId.parse("ipn:1.1")).creationTimestamp(1000, 1).lifetime(3_600_000_000L)
                .payload("x".getBytes()).build();
        assertEquals(null, receive(n, link, ByteBuffer.wrap(b.encode())));
        assertEquals(RefusalReason.DUPLICATE, receive(n, link, ByteBuffer.wrap(b.encode())));
        assertEquals(RefusalReason.MALFORMED, receive(n, link, ByteBuffer.wrap(new byte[] {(byte) 0x9f, 1, 2})));
        Bundle local = Bundle.builder().destination(EndpointId.parse("ipn:!.1")).source(EndpointId.parse("ipn:1.1"))
                .reportTo(EndpointId.parse("ipn:1.1")).creationTimestamp(1000, 2).lifetime(3_600_000_000L)
                .payload("x".getBytes()).build();
        assertEquals(RefusalReason.MALFORMED, receive(n, link, ByteBuffer.wrap(local.encode())),
                "RFC 9758: LocalNode EIDs never arrive from outside");
        assertEquals(1L, n.statistics().get("refused: duplicate"));
        assertEquals(2L, n.statistics().get("refused: malformed"));
    }

    /*
     * A node that forwards without pause used to keep the ID of every bundle it let go for the bundle's whole
     * lifetime (a day by default): memory without bound. Now the last DUPLICATE_MEMORY are kept, and an ID
     * forgotten before it expired is counted.
     */
    @Test
    void theIdsOfBundlesLetGoAreBoundedAndOnesForgottenEarlyAreCounted() throws Exception {
        NodeCore n = node(N2);
        n.duplicateMemory(10);
        Sink app = new Sink();
        n.open(EndpointId.parse("ipn:2.1"), app, 64);
        PipeLayer layer = new PipeLayer(n, "ids-" + System.nanoTime());
        cleanup.add(layer::unregister);
        PipeLayer.PipeLink link = new PipeLayer.PipeLink(layer, "test", false);
        link.peer = link;
        List<Bundle> sent = new ArrayList<>();
        long now = org.bpsockets.api.bundle.DtnTime.now();
        for (int i = 0; i < 15; i++) {
            Bundle b = Bundle.builder().destination(EndpointId.parse("ipn:2.1")).source(EndpointId.parse("ipn:1.1"))
                    .reportTo(EndpointId.parse("ipn:1.1")).creationTimestamp(now, i).lifetime(3_600_000L)
                    .payload(("b" + i).getBytes()).build();
            sent.add(b);
            assertEquals(null, receive(n, link, ByteBuffer.wrap(b.encode())));
            app.next().acknowledge();
        }
        await("all 15 let go", () -> n.statistics().get("delivered") == 15L);
        assertEquals(RefusalReason.DUPLICATE, receive(n, link, ByteBuffer.wrap(sent.get(14).encode())),
                "one of the last 10 let go is still known");
        assertEquals(null, receive(n, link, ByteBuffer.wrap(sent.get(0).encode())),
                "the first, forgotten early, is taken as new");
        assertEquals(5L, n.statistics().get("duplicate IDs forgotten early"));
    }

    @Test
    void unknownBlocksAreKeptDiscardedOrDeleteTheBundleAsTheirFlagsSay() throws Exception {
        NodeCore n = node(N2);
        PipeLayer layer = new PipeLayer(n, "blocks-" + System.nanoTime());
        cleanup.add(layer::unregister);
        PipeLayer.PipeLink link = new PipeLayer.PipeLink(layer, "test", false);
        link.peer = link;
        Sink app = new Sink();
        Sink reports = new Sink();
        n.open(EndpointId.parse("ipn:2.1"), app, 8);
        n.open(EndpointId.parse("ipn:2.9"), reports, 8);
        // Kept: an unknown block without flags travels on untouched (here: delivered with the bundle).
        assertNull(receive(n, link, ByteBuffer.wrap(withBlock(1, 0).encode())));
        assertEquals("payload 1", text(app.next()));
        // Discarded: the block goes, the bundle stays.
        assertNull(receive(n, link, ByteBuffer.wrap(withBlock(2, org.bpsockets.bpv7.BlockFlags.DISCARD_BLOCK_IF_UNPROCESSABLE).encode())));
        assertEquals("payload 2", text(app.next()));
        // Deleted, with the reception and deletion reports the flags ask for, reason "block unsupported".
        assertNull(receive(n, link, ByteBuffer.wrap(withBlock(3, org.bpsockets.bpv7.BlockFlags.DELETE_BUNDLE_IF_UNPROCESSABLE
                | org.bpsockets.bpv7.BlockFlags.REPORT_IF_UNPROCESSABLE).encode())));
        for (int i = 0; i < 2; i++) {
            StatusReport r = AdministrativeRecord.decode(reports.next().bundle().payload()).statusReport();
            assertEquals(11, r.reason().code());
        }
        // A later bundle is the next delivery: the deleted one never came (a positive sign, not a pause).
        assertNull(receive(n, link, ByteBuffer.wrap(withBlock(4, 0).encode())));
        assertEquals("payload 4", text(app.next()), "the deleted bundle is not delivered");
        assertEquals(4L, n.statistics().get("unprocessable blocks"));
        assertEquals(1L, n.statistics().get("deleted: block unsupported"));
    }

    private static Bundle withBlock(int seq, long blockFlags) {
        return Bundle.builder().destination(EndpointId.parse("ipn:2.1")).source(EndpointId.parse("ipn:1.1"))
                .reportTo(EndpointId.parse("ipn:2.9")).creationTimestamp(org.bpsockets.api.bundle.DtnTime.now(), seq)
                .lifetime(3_600_000L)
                .flags(org.bpsockets.bpv7.BundleFlags.REPORT_DELETION)
                .addBlock(200, blockFlags, org.bpsockets.bpv7.CrcType.NONE, new byte[] {1, 2, 3})
                .payload(("payload " + seq).getBytes()).build();
    }

    /** The receipt's verdict: null if accepted. */
    private static RefusalReason receive(NodeCore n, PipeLayer.PipeLink link, ByteBuffer bytes) throws Exception {
        CompletableFuture<RefusalReason> verdict = new CompletableFuture<>();
        n.received(link, bytes, new Receipt() {
            @Override
            public void accepted() {
                verdict.complete(null);
            }

            @Override
            public void refused(RefusalReason reason) {
                verdict.complete(reason);
            }
        });
        return verdict.get(10, TimeUnit.SECONDS);
    }

    @Test
    void sendsAreRefusedClearlyWhenTooLargeOrOverQuota() throws Exception {
        NodeCore n = node(N1, new NodeSettings(N1, 10_000, 0, true, 20_000, true, 0));
        assertEquals(BpError.MESSAGE_TOO_LONG, error(n.send(request("ipn:1.1", "ipn:1.2", "x".repeat(20_000),
                BundleOptions.DEFAULTS))));
        n.send(request("ipn:1.1", "ipn:1.2", "x".repeat(9_000), BundleOptions.DEFAULTS)).toCompletableFuture().get();
        n.send(request("ipn:1.1", "ipn:1.2", "x".repeat(9_000), BundleOptions.DEFAULTS)).toCompletableFuture().get();
        assertEquals(BpError.NO_BUFFER_SPACE, error(n.send(request("ipn:1.1", "ipn:1.2", "x".repeat(9_000),
                BundleOptions.DEFAULTS))));
        assertEquals(BpError.INVALID_ARGUMENT, error(n.send(request("dtn:none", "ipn:1.2", "x",
                BundleOptions.builder().statusReports(EnumSet.of(StatusReportKind.DELIVERY)).build()))));
    }

    /** accepted = delivered + forwarded + deleted + stored, checked on both nodes after a mixed run. */
    static void assertBooksBalance(NodeCore n) {
        Map<String, Long> s = n.statistics();
        assertEquals(s.get("accepted"), s.get("delivered") + s.get("forwarded") + s.get("deleted") + s.get("stored"),
                "every accepted bundle has exactly one end or is stored: " + s);
    }

    @Test
    void everyAcceptedBundleEndsOnceAndTheBooksBalanceAfterAMixedRun() throws Exception {
        NodeSettings fragmenting = new NodeSettings(N1, 64L << 20, 1000, true, 1L << 30, true, 0);
        NodeCore[] n = twoNodes(fragmenting, NodeSettings.defaults(N2), LinkDefinition.Mode.ALWAYS_ON, List.of());
        Sink app2 = new Sink();
        Sink local = new Sink();
        Sink reports = new Sink();
        n[1].open(EndpointId.parse("ipn:2.1"), app2, 64);
        n[0].open(EndpointId.parse("ipn:1.5"), local, 64);
        n[0].open(EndpointId.parse("ipn:1.9"), reports, 64);
        BundleOptions reported = BundleOptions.builder().statusReports(EnumSet.of(StatusReportKind.DELIVERY))
                .reportTo(EndpointId.parse("ipn:1.9")).build();
        for (int i = 0; i < 5; i++) { // forwarded, delivered there, reported back
            n[0].send(request("ipn:1.1", "ipn:2.1", "across " + i, reported)).toCompletableFuture().get();
        }
        n[0].send(new SendRequest(EndpointId.parse("ipn:2.1"), EndpointId.parse("ipn:1.1"),
                ByteBuffer.wrap(new byte[5_500]), BundleOptions.DEFAULTS)).toCompletableFuture().get(); // 6 fragments
        n[0].send(request("ipn:1.1", "ipn:1.5", "local", BundleOptions.DEFAULTS)).toCompletableFuture().get();
        n[0].send(request("ipn:1.5", "ipn:2.9002", "ping", BundleOptions.DEFAULTS)).toCompletableFuture().get();
        n[0].send(request("ipn:1.1", "ipn:1.77", "nobody reads this", BundleOptions.DEFAULTS)).toCompletableFuture()
                .get(); // stays stored
        n[0].send(request("ipn:1.1", "ipn:1.78", "expires", BundleOptions.builder().lifetime(Duration.ofMillis(200))
                .build())).toCompletableFuture().get();
        for (int i = 0; i < 6; i++) {
            app2.next().acknowledge();
        }
        local.next().acknowledge(); // "local"
        local.next().acknowledge(); // the echo's answer
        for (int i = 0; i < 5; i++) {
            reports.next().acknowledge();
        }
        await("node 1: everything but the unread bundle has ended", () -> n[0].statistics().get("stored") == 1
                && n[0].statistics().get("deleted: lifetime expired") == 1);
        await("node 2: everything has ended", () -> n[1].statistics().get("stored") == 0);
        Map<String, Long> s1 = n[0].statistics();
        assertEquals(10 + 1 + 5, s1.get("accepted"), "10 sends (5, 1 fragmented, local, ping, unread, expiring; the "
                + "fragments are forwarded as one bundle), the echo's answer and 5 reports received: " + s1);
        assertEquals(7L, s1.get("forwarded"));
        assertBooksBalance(n[0]);
        assertBooksBalance(n[1]);
        Map<String, Long> s2 = n[1].statistics();
        assertEquals(5 + 6 + 1, s2.get("received"), "5 bundles, 6 fragments and the ping: " + s2);
        assertEquals(6 + 5, s2.get("delivered") - 1, "fragments end delivered with their ADU; +1 the echo agent");
    }

    @Test
    void refusalsFromAPeerAreCountedOnItsLink() throws Exception {
        NodeCore n = node(N2);
        PipeLayer layer = new PipeLayer(n, "refused-" + System.nanoTime());
        cleanup.add(layer::unregister);
        PipeLayer.PipeLink link = new PipeLayer.PipeLink(layer, "test", false);
        link.peer = link;
        link.state = org.bpsockets.node.api.cla.LinkState.UP;
        n.linkUp(link);
        await("the inbound link is known", () -> n.linkInfos().stream().anyMatch(l -> l.id().equals(link.id)));
        assertEquals(RefusalReason.MALFORMED, receive(n, link, ByteBuffer.wrap(new byte[] {(byte) 0x9f, 1, 2})));
        NodeCore.LinkInfo info = n.linkInfos().stream().filter(l -> l.id().equals(link.id)).findFirst().orElseThrow();
        assertEquals(1, info.counters().refused());
        assertTrue(info.counters().lastProblem().contains("malformed"), info.counters().lastProblem());
        assertEquals(1L, n.statistics().get("refused"));
    }

    @Test
    void aStoreWhoseDiskIsNearlyFullRefusesSendsAndSaysSo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        var store = new org.bpsockets.backend.embedded.internal.store.MvBundleStore(dir.resolve("b.mv"), false);
        long free = store.usableSpace();
        // The node must keep more free than the disk has: the next bundle would break that promise.
        NodeCore n = new NodeCore(new NodeSettings(N1, 64L << 20, 0, true, 1L << 30, true, free + (1L << 30)), store,
                new StaticRouter());
        cleanup.add(store);
        cleanup.add(n);
        CompletableFuture<BundleId> send = n.send(request("ipn:1.1", "ipn:1.2", "x", BundleOptions.DEFAULTS))
                .toCompletableFuture();
        ExecutionException e = assertThrows(ExecutionException.class, () -> send.get(10, TimeUnit.SECONDS));
        BpException bp = (BpException) e.getCause();
        assertEquals(BpError.NO_BUFFER_SPACE, bp.error());
        assertTrue(bp.getMessage().contains("minFreeDiskBytes"), bp.getMessage());
        assertTrue(n.storeProblem().startsWith("store full"), n.storeProblem());
        assertEquals(1L, n.statistics().get("refused: no space"));
        assertEquals(0L, n.statistics().get("accepted"));
    }

    @Test
    void aContactsRateIsChargedPerFragmentSoALargeBundleIsSpreadOverTheContact() throws Exception {
        NodeSettings fragmenting = new NodeSettings(N1, 64L << 20, 1000, true, 1L << 30, true, 0);
        Instant now = Instant.now();
        NodeCore[] n = twoNodes(fragmenting, NodeSettings.defaults(N2), LinkDefinition.Mode.SCHEDULED,
                List.of(new Contact("slow", "to2", now.minusSeconds(1), now.plusSeconds(120), 1000)));
        Sink app2 = new Sink();
        n[1].open(EndpointId.parse("ipn:2.1"), app2, 8);
        n[0].send(new SendRequest(EndpointId.parse("ipn:2.1"), EndpointId.parse("ipn:1.1"),
                ByteBuffer.wrap(new byte[5_500]), BundleOptions.DEFAULTS)).toCompletableFuture().get();
        // About 1.1 kB per fragment at 1000 B/s: one fragment a second, never all six at once.
        await("the first fragment arrives", () -> n[1].statistics().get("received") >= 1);
        long first = n[1].statistics().get("received");
        assertTrue(first < 6, "the contact's rate held back the other fragments: " + first + " of 6 arrived at once");
        Delivery d = app2.next();
        assertEquals(5_500, d.bundle().payloadBytes().length, "all of it arrived, spread over the contact");
        assertEquals(6L, n[1].statistics().get("received"));
    }

    @Test
    void aRegistrationThatClosesAndReleasesAsItClosesDoesNotGetTheBundleBackAndTheNextOneDoes() throws Exception {
        NodeCore n = node(N1);
        java.util.concurrent.atomic.AtomicInteger offers = new java.util.concurrent.atomic.AtomicInteger();
        EndpointRegistration[] closing = new EndpointRegistration[1];
        // As the registry does when a socket goes away with a delivery in hand: close, then hand it back.
        closing[0] = n.open(EndpointId.parse("ipn:1.5"), d -> {
            offers.incrementAndGet();
            closing[0].close();
            d.release();
        }, 8);
        n.send(request("ipn:1.1", "ipn:1.5", "once", BundleOptions.DEFAULTS)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        await("the first registration was offered the bundle", () -> offers.get() >= 1);
        Sink next = new Sink();
        n.open(EndpointId.parse("ipn:1.5"), next, 8);
        assertEquals("once", text(next.next()));
        assertEquals(1, offers.get(), "the closing registration was not offered the bundle again");
    }

    @Test
    void aLinkWhoseNetworkIsUnreachableIsTriedEverySecondOthersBackOff() {
        var link = new NodeCore.ConfiguredLink(new LinkDefinition("to2", "tcpclv4", "10.0.0.2:4556",
                LinkDefinition.Mode.ALWAYS_ON, java.util.Map.of()));
        List<Long> refused = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            NodeCore.backOff(link, "could not connect: Connection refused");
            refused.add(link.backoffMillis);
        }
        assertEquals(List.of(1000L, 2000L, 4000L, 8000L, 16000L), refused, "a peer that refuses is spared");
        for (int i = 0; i < 5; i++) {
            NodeCore.backOff(link, "could not connect: Network is unreachable");
            assertEquals(1000L, link.backoffMillis, "no route here: try again as soon as an interface may be back");
        }
        NodeCore.backOff(link, "could not connect: connect timed out");
        assertEquals(2000L, link.backoffMillis);
    }

    private static BpError error(java.util.concurrent.CompletionStage<BundleId> stage) throws Exception {
        try {
            stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return ((BpException) e.getCause()).error();
        }
    }
}
