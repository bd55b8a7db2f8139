package org.bpsockets.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.apache.karaf.features.Feature;
import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.option.SocketOptionNames;
import org.bpsockets.api.registry.SocketInfo;
import org.bpsockets.api.registry.SocketRegistry;
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
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceReference;

/**
 * The platform in the real distribution: features, shell, the registry through a test transport, and
 * a backend swapped while endpoints are bound. Test methods share one container and run in order of
 * their names only where they say so; each leaves the node as it found it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PlatformIT extends KarafTestSupport {

    static final String CORE_FEATURE = "bpsockets-core";
    static final String EMBEDDED = "bpsockets-backend-embedded";
    static final String LOOPBACK = "bpsockets-test-loopback";
    static final String UD3TN = "bpsockets-backend-ud3tn";
    static final String ION = "bpsockets-backend-ion";
    static final String QOS = "bpsockets-qos-baseline";

    @Inject
    SocketRegistry registry;

    @Inject
    SocketService socketService;

    @Inject
    org.osgi.service.cm.ConfigurationAdmin configAdmin;

    /** A transport whose sockets are queues the test reads; a socket can be made to refuse as if full. */
    static final class TestTransport implements SocketTransport {
        final Map<Long, LinkedBlockingQueue<ReceivedBundle>> sockets = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.Set<Long> full = java.util.concurrent.ConcurrentHashMap.newKeySet();

        LinkedBlockingQueue<ReceivedBundle> socket(long id) {
            return sockets.computeIfAbsent(id, k -> new LinkedBlockingQueue<>());
        }

        @Override
        public String name() {
            return "test";
        }

        @Override
        public TransportStatus status() {
            return new TransportStatus(true, "test transport");
        }

        @Override
        public CompletionStage<DeliveryResult> deliver(long socketId, ReceivedBundle bundle) {
            if (full.contains(socketId)) {
                return CompletableFuture.completedFuture(DeliveryResult.FULL);
            }
            socket(socketId).add(bundle);
            return CompletableFuture.completedFuture(DeliveryResult.ACCEPTED);
        }
    }

    @Test
    public void everyFeatureOfTheDistributionInstalls() throws Exception {
        addTestFeatures();
        List<String> ours = new ArrayList<>();
        for (Feature f : features.listFeatures()) {
            if (f.getName().startsWith("bpsockets")) {
                ours.add(f.getName());
            }
        }
        Collections.sort(ours);
        assertTrue("found " + ours, ours.containsAll(List.of("bpsockets", CORE_FEATURE, "bpsockets-shell", LOOPBACK)));
        List<String> installedBefore = installed(ours);
        long coreId = bundle("org.bpsockets.registry").getBundleId();
        List<String> installedHere = new ArrayList<>();
        for (String name : ours) {
            if (!features.isInstalled(features.getFeature(name))) {
                installFeature(name);
                installedHere.add(name);
            }
            assertTrue(name + " installed", features.isInstalled(features.getFeature(name)));
            for (var info : features.getFeature(name).getBundles()) {
                String location = info.getLocation();
                Bundle b = bundleContext.getBundle(location);
                assertNotNull(location + " of " + name + " is installed", b);
                assertEquals(location + " of " + name + " is active", Bundle.ACTIVE, b.getState());
            }
        }
        for (String name : installedHere) {
            uninstallFeature(name);
        }
        assertTrue("the loopback test feature was installed here", installedHere.contains(LOOPBACK));
        assertEquals("the test left the node's features as it found them", installedBefore, installed(ours));
        assertEquals("the registry is the same bundle", coreId, bundle("org.bpsockets.registry").getBundleId());
        assertEquals("and active", Bundle.ACTIVE, bundle("org.bpsockets.registry").getState());
    }

    private List<String> installed(List<String> names) throws Exception {
        List<String> out = new ArrayList<>();
        for (String name : names) {
            if (features.isInstalled(features.getFeature(name))) {
                out.add(name);
            }
        }
        return out;
    }

    @Test
    public void theEmbeddedNodeIsTheDefaultBackendAndALowerPreferenceOneWaits() throws Exception {
        String status = execute("bp:status");
        assertTrue(status, status.contains("Backend:    embedded - UP (ipn:1.0"));
        assertTrue(status, status.contains("Transport:  local - connected"));
        addTestFeatures();
        installFeature(LOOPBACK);
        try {
            assertEquals(Optional.of("embedded"), registry.status().activeBackend());
            String backends = execute("bp:backends");
            assertTrue(backends, backends.contains("loopback"));
            assertTrue(backends, backends.contains("embedded"));
        } finally {
            uninstallFeature(LOOPBACK);
        }
    }

    @Test
    public void choosingAnotherBackendInTheConfigurationMovesEveryEndpoint() throws Exception {
        addTestFeatures();
        installFeature(LOOPBACK);
        TestTransport transport = new TestTransport();
        TransportSession session = socketService.attach(transport);
        org.osgi.service.cm.Configuration config = configAdmin.getConfiguration("org.bpsockets.registry", null);
        java.util.Dictionary<String, Object> original = config.getProperties();
        try {
            session.bind(1, EndpointId.parse("ipn:1.30"), List.of());
            assertEquals(Optional.of("embedded"), backendOf(1));
            java.util.Hashtable<String, Object> prefer = new java.util.Hashtable<>();
            prefer.put("preferredBackend", "loopback");
            config.update(prefer);
            await("moved to loopback", 30_000, () -> Optional.of("loopback").equals(backendOf(1)));
            config.update(original);
            await("back on embedded", 30_000, () -> Optional.of("embedded").equals(backendOf(1)));
        } finally {
            session.close();
            uninstallFeature(LOOPBACK);
        }
    }

    @Test
    public void aBundleMovesFromTheShellToTheShell() throws Exception {
        {
            // bp:recv blocks; run it in another session while bp:send runs here.
            CompletableFuture<String> received = CompletableFuture.supplyAsync(
                    () -> call(() -> execute("bp:recv -t 30 ipn:1.77")));
            awaitEndpoint(EndpointId.parse("ipn:1.77"));
            String sent = execute("bp:send -l 60 -p expedited ipn:1.77 hello from the shell");
            assertTrue(sent, sent.contains("Sent 20 bytes to ipn:1.77 as bundle ipn:1.131072@"));
            String got = received.get(60, TimeUnit.SECONDS);
            assertTrue(got, got.contains("Listening on ipn:1.77"));
            assertTrue(got, got.contains("From ipn:1.131072 (20 bytes): hello from the shell"));
        }
    }

    @Test
    public void shellCommandsShowTheSocketsOfATransport() throws Exception {
        TestTransport transport = new TestTransport();
        TransportSession session = socketService.attach(transport);
        try {
            session.bind(41, EndpointId.parse("ipn:!.41"), List.of());
            String sockets = execute("bp:sockets");
            assertTrue(sockets, sockets.contains("test"));
            assertTrue(sockets, sockets.contains("ipn:1.41"));
            String endpoints = execute("bp:endpoints");
            assertTrue(endpoints, endpoints.contains("ipn:1.41"));
            assertTrue(endpoints, endpoints.contains("test#41"));
            assertTrue(endpoints, endpoints.contains("embedded"));
            String status = execute("bp:status");
            assertTrue(status, status.contains("Transport:  test - connected: test transport"));
            String error = execute("bp:send ipn:1.x nothing");
            assertTrue(error, error.contains("invalid endpoint ID 'ipn:1.x': service number 'x' is not a decimal number"));
        } finally {
            session.close();
        }
        assertFalse(execute("bp:sockets").contains("ipn:1.41"));
    }

    @Test
    public void theRegistryCarriesBundlesBetweenSocketsOfATestTransport() throws Exception {
        TestTransport transport = new TestTransport();
        TransportSession session = socketService.attach(transport);
        try {
            EndpointId a = session.bind(1, EndpointId.parse("ipn:1.10"), List.of());
            EndpointId b = session.bind(2, EndpointId.parse("ipn:1.11"), List.of());
            for (int i = 0; i < 100; i++) {
                byte[] payload = ("message " + i).getBytes(StandardCharsets.UTF_8);
                BundleId id = session.send(1, a, b, ByteBuffer.wrap(payload), List.of())
                        .toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertEquals(a, id.source());
            }
            for (int i = 0; i < 100; i++) {
                ReceivedBundle r = transport.socket(2).poll(10, TimeUnit.SECONDS);
                assertNotNull("bundle " + i + " arrived", r);
                assertEquals("message " + i, new String(r.payloadBytes(), StandardCharsets.UTF_8));
                assertEquals(a, r.source());
            }
            // The registry counts a delivery once the transport's answer is in: wait for that, not a pause.
            await("the registry counts 100 deliveries to socket 2", 10_000, () -> registry.sockets().stream()
                    .filter(s -> s.transport().equals("test") && s.id() == 2).findFirst().orElseThrow()
                    .counters().delivered() == 100);
            SocketInfo info = registry.sockets().stream().filter(s -> s.transport().equals("test") && s.id() == 2)
                    .findFirst().orElseThrow();
            assertEquals(100, info.counters().delivered());
            assertEquals(0, info.inFlight());
        } finally {
            session.close();
        }
    }

    /**
     * The embedded backend is uninstalled, installed again and updated while endpoints are bound and
     * bundles wait in it for a full socket: the core never restarts, every endpoint is re-opened, and
     * each bundle reaches the socket exactly once (the node's store keeps them across the update).
     */
    @Test
    public void aBackendIsSwappedWhileEndpointsAreBoundAndTheCoreKeepsRunning() throws Exception {
        TestTransport transport = new TestTransport();
        TransportSession session = socketService.attach(transport);
        Bundle api = bundle("org.bpsockets.api");
        Bundle core = bundle("org.bpsockets.registry");
        long apiId = api.getBundleId();
        long coreId = core.getBundleId();
        ServiceReference<SocketRegistry> registryRef = bundleContext.getServiceReference(SocketRegistry.class);
        Object registryServiceId = registryRef.getProperty("service.id");
        List<String> coreEvents = Collections.synchronizedList(new ArrayList<>());
        BundleListener listener = event -> {
            String name = event.getBundle().getSymbolicName();
            // The core (API, registry, bridge, shell) and SCR: a backend coming and going with Karaf's
            // automatic refresh must stop or restart none of them.
            if ((name.equals("org.bpsockets.api") || name.equals("org.bpsockets.registry")
                    || name.equals("org.bpsockets.netlink") || name.equals("org.bpsockets.shell")
                    || name.equals("org.apache.felix.scr")) && event.getType() != BundleEvent.STARTED) {
                coreEvents.add(name + " " + event.getType());
            }
        };
        bundleContext.addBundleListener(listener);
        try {
            EndpointId a = session.bind(1, EndpointId.parse("ipn:1.20"), List.of());
            EndpointId b = session.bind(2, EndpointId.parse("ipn:1.21"), List.of());
            assertEquals(Optional.of("embedded"), backendOf(2));

            // Socket 2 is full: five bundles wait in the node.
            transport.full.add(2L);
            for (int i = 0; i < 5; i++) {
                send(session, a, b, "held " + i);
            }

            uninstallFeature(EMBEDDED);
            assertEquals(Optional.empty(), registry.status().activeBackend());
            assertEquals("endpoints stay bound without a backend", Optional.empty(), backendOf(2));
            assertEquals(2, registry.sockets().stream().filter(s -> s.transport().equals("test")).count());

            installFeature(EMBEDDED);
            assertEquals(Optional.of("embedded"), backendOf(1));
            assertEquals(Optional.of("embedded"), backendOf(2));

            Bundle embedded = bundle("org.bpsockets.backend.embedded");
            long embeddedId = embedded.getBundleId();
            embedded.update();
            await("the node is back", 30_000, () -> embedded.getState() == Bundle.ACTIVE
                    && Optional.of("embedded").equals(registry.status().activeBackend())
                    && Optional.of("embedded").equals(backendOf(2)));
            assertEquals(embeddedId, embedded.getBundleId());

            transport.full.remove(2L);
            session.drained(2);
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                got.add(payloadOf(transport.socket(2).poll(30, TimeUnit.SECONDS)));
            }
            Collections.sort(got);
            assertEquals(List.of("held 0", "held 1", "held 2", "held 3", "held 4"), got);
            // Nothing delivered twice: a bundle sent now is the next one the socket gets (no pause decides it).
            send(session, a, b, "after update");
            assertEquals("after update", payloadOf(transport.socket(2).poll(10, TimeUnit.SECONDS)));

            assertEquals("the core was not refreshed", List.of(), new ArrayList<>(coreEvents));
            assertEquals(apiId, bundle("org.bpsockets.api").getBundleId());
            assertEquals(coreId, bundle("org.bpsockets.registry").getBundleId());
            assertEquals(Bundle.ACTIVE, core.getState());
            assertEquals("the registry component never restarted", registryServiceId,
                    bundleContext.getServiceReference(SocketRegistry.class).getProperty("service.id"));
        } finally {
            bundleContext.removeBundleListener(listener);
            session.close();
            if (!features.isInstalled(features.getFeature(EMBEDDED))) {
                installFeature(EMBEDDED);
            }
        }
    }

    /**
     * The µD3TN backend, against the AAP 2.0 test agent run as a process (it enforces µD3TN v0.13.0's
     * rules): with sockets bound it is installed and chosen, carries bundles, is updated and removed,
     * and the sockets follow each time while the core keeps running.
     */
    @Test
    public void theMicroD3tnBackendTakesOverBoundSocketsAndGivesThemBack() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("aap2");
        java.nio.file.Path socket = dir.resolve("aap2.socket");
        // The real µD3TN when BPSOCKETS_UD3TN_BIN names one; otherwise the AAP 2.0 test agent.
        String ud3tn = System.getenv("BPSOCKETS_UD3TN_BIN");
        peer(ud3tn == null || ud3tn.isBlank()
                ? "µD3TN swap: the AAP 2.0 test agent, not a real µD3TN (set BPSOCKETS_UD3TN_BIN for one)"
                : "µD3TN swap: the real µD3TN " + ud3tn);
        Process agent = ud3tn == null || ud3tn.isBlank()
                ? new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-cp",
                        System.getProperty(AAP2_AGENT_CLASSPATH), "org.bpsockets.backend.ud3tn.internal.Aap2TestServer",
                        socket.toString(), "ipn:1.0").redirectErrorStream(true).start()
                : new ProcessBuilder(ud3tn.trim(), "-e", "ipn:1.0", "-S", socket.toString(), "-s",
                        dir.resolve("aap.socket").toString(), "-c", "mtcp:127.0.0.1," + freePort(), "-l", "120")
                        .redirectErrorStream(true).redirectOutput(dir.resolve("ud3tn.log").toFile()).start();
        TestTransport transport = new TestTransport();
        TransportSession session = socketService.attach(transport);
        org.osgi.service.cm.Configuration registryConfig = configAdmin.getConfiguration("org.bpsockets.registry", null);
        java.util.Dictionary<String, Object> original = registryConfig.getProperties();
        org.osgi.service.cm.Configuration ud3tnConfig = configAdmin.getConfiguration("org.bpsockets.backend.ud3tn", null);
        long coreId = bundle("org.bpsockets.registry").getBundleId();
        try {
            await("the AAP 2.0 socket exists", 15_000, () -> java.nio.file.Files.exists(socket));
            java.util.Hashtable<String, Object> settings = new java.util.Hashtable<>();
            settings.put("socket", socket.toString());
            ud3tnConfig.update(settings);
            EndpointId a = session.bind(1, EndpointId.parse("ipn:1.40"), List.of());
            EndpointId b = session.bind(2, EndpointId.parse("ipn:1.41"), List.of());
            assertEquals(Optional.of("embedded"), backendOf(2));

            installFeature(UD3TN);
            java.util.Hashtable<String, Object> prefer = new java.util.Hashtable<>();
            prefer.put("preferredBackend", "ud3tn");
            registryConfig.update(prefer);
            await("the sockets moved to µD3TN", 30_000,
                    () -> Optional.of("ud3tn").equals(backendOf(1)) && Optional.of("ud3tn").equals(backendOf(2)));
            String backends = execute("bp:backends");
            assertTrue(backends, backends.contains("ud3tn") && backends.contains("µD3TN ipn:1.0"));
            send(session, a, b, "through µD3TN");
            assertEquals("through µD3TN", payloadOf(transport.socket(2).poll(10, TimeUnit.SECONDS)));
            // A person at the shell and an application on µD3TN, both ways.
            String sent = execute("bp:send -s ipn:1.42 ipn:1.41 from the shell");
            assertTrue(sent, sent.contains("Sent 14 bytes to ipn:1.41"));
            ReceivedBundle fromShell = transport.socket(2).poll(10, TimeUnit.SECONDS);
            assertEquals("from the shell", payloadOf(fromShell));
            assertEquals(EndpointId.parse("ipn:1.42"), fromShell.source());
            CompletableFuture<String> recv = CompletableFuture.supplyAsync(() -> {
                try {
                    return execute("bp:recv -t 20 ipn:1.43");
                } catch (Exception e) {
                    return e.toString();
                }
            });
            // Registered on µD3TN, not only bound: a real µD3TN drops a bundle for an endpoint that has
            // no subscriber yet (the registry lists a socket as bound before its backend opened it).
            await("ipn:1.43 registered on µD3TN", 30_000, () -> registry.sockets().stream().anyMatch(
                    s -> s.endpoint().equals(Optional.of(EndpointId.parse("ipn:1.43")))
                            && s.backend().equals(Optional.of("ud3tn"))));
            session.send(2, b, EndpointId.parse("ipn:1.43"), ByteBuffer.wrap("back to the shell".getBytes(
                    StandardCharsets.UTF_8)), List.of()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            String received = recv.get(30, TimeUnit.SECONDS);
            assertTrue(received, received.contains("From ipn:1.41") && received.contains("back to the shell"));
            String refused = execute("bp:send --lifetime 60 ipn:1.41 x");
            assertTrue("v0.13.0 cannot set a lifetime per bundle: " + refused,
                    refused.contains("'ud3tn' cannot honour") && refused.contains("LIFETIME"));

            Bundle backend = bundle("org.bpsockets.backend.ud3tn");
            backend.update();
            await("back on µD3TN after an update", 30_000, () -> backend.getState() == Bundle.ACTIVE
                    && Optional.of("ud3tn").equals(backendOf(2)));
            send(session, a, b, "after update");
            assertEquals("after update", payloadOf(transport.socket(2).poll(10, TimeUnit.SECONDS)));

            uninstallFeature(UD3TN);
            await("the sockets fell back to the embedded node", 30_000,
                    () -> Optional.of("embedded").equals(backendOf(2)));
            send(session, a, b, "embedded again");
            assertEquals("embedded again", payloadOf(transport.socket(2).poll(10, TimeUnit.SECONDS)));
            assertEquals("the core was not refreshed", coreId, bundle("org.bpsockets.registry").getBundleId());
            assertEquals(Bundle.ACTIVE, bundle("org.bpsockets.registry").getState());
        } finally {
            session.close();
            registryConfig.update(original);
            ud3tnConfig.delete();
            if (features.isInstalled(features.getFeature(UD3TN))) {
                uninstallFeature(UD3TN);
            }
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /**
     * The ION backend, hot-swapped with sockets bound: first without ION (DOWN with the reason, the
     * container healthy, the sockets stay on the embedded node), then attached to the C test double
     * of libbp/libici (compiled here): the sockets move to it, carry a bundle (also from a shell socket
     * bound automatically, which ION must be told about), refuse an empty one, and come back.
     */
    @Test
    public void theIonBackendWaitsForIonThenTakesOverBoundSockets() throws Exception {
        peer("ION swap: the libbp/libici test double (always: the backend is swapped in without a real ION)");
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ion-double");
        java.nio.file.Path library = compileIonDouble(dir);
        TestTransport transport = new TestTransport();
        TransportSession session = socketService.attach(transport);
        org.osgi.service.cm.Configuration registryConfig = configAdmin.getConfiguration("org.bpsockets.registry", null);
        java.util.Dictionary<String, Object> original = registryConfig.getProperties();
        org.osgi.service.cm.Configuration ionConfig = configAdmin.getConfiguration("org.bpsockets.backend.ion", null);
        try {
            java.util.Hashtable<String, Object> absent = new java.util.Hashtable<>();
            absent.put("bpLibrary", dir.resolve("absent-libbp.so.0").toString());
            absent.put("iciLibrary", dir.resolve("absent-libici.so.0").toString());
            absent.put("retrySeconds", 1);
            ionConfig.update(absent);
            EndpointId a = session.bind(1, EndpointId.parse("ipn:1.50"), List.of());
            EndpointId b = session.bind(2, EndpointId.parse("ipn:1.51"), List.of());
            installFeature(ION);
            java.util.Hashtable<String, Object> prefer = new java.util.Hashtable<>();
            prefer.put("preferredBackend", "ion");
            registryConfig.update(prefer);
            await("ION says why it is down", 30_000, () -> {
                try {
                    return execute("bp:backends").contains("cannot be loaded");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertEquals(Bundle.ACTIVE, bundle("org.bpsockets.backend.ion").getState());

            java.util.Hashtable<String, Object> present = new java.util.Hashtable<>();
            present.put("bpLibrary", library.toString());
            present.put("iciLibrary", library.toString());
            present.put("retrySeconds", 1);
            ionConfig.update(present);
            await("the sockets are on ION", 30_000,
                    () -> Optional.of("ion").equals(backendOf(1)) && Optional.of("ion").equals(backendOf(2)));
            send(session, a, b, "through libbp");
            assertEquals("through libbp", payloadOf(transport.socket(2).poll(10, TimeUnit.SECONDS)));
            String sent = execute("bp:send -s ipn:1.52 --lifetime 60 -p expedited ipn:1.51 from the shell");
            assertTrue(sent, sent.contains("Sent 14 bytes to ipn:1.51"));
            ReceivedBundle fromShell = transport.socket(2).poll(10, TimeUnit.SECONDS);
            assertEquals("from the shell", payloadOf(fromShell));
            assertEquals(java.time.Duration.ofSeconds(60), fromShell.lifetime());
            // Without -s the shell's socket binds automatically: ION (the double, like ION 4.1.3)
            // opens only declared endpoints, so the backend declares that one.
            String auto = execute("bp:send ipn:1.51 automatic source");
            assertTrue(auto, auto.contains("Sent 16 bytes to ipn:1.51"));
            ReceivedBundle fromAuto = transport.socket(2).poll(10, TimeUnit.SECONDS);
            assertEquals("automatic source", payloadOf(fromAuto));
            assertTrue(fromAuto.source().toString(),
                    ((org.bpsockets.api.eid.IpnEndpointId) fromAuto.source()).service() >= 65536);
            try {
                send(session, a, b, "");
                throw new AssertionError("ION 4.1.3 cannot carry an empty ADU, yet the send succeeded");
            } catch (ExecutionException e) {
                assertEquals("an empty ADU is refused (EOPNOTSUPP): " + e.getCause(), BpError.OPTION_NOT_SUPPORTED,
                        ((BpException) e.getCause()).error());
            }
            CompletableFuture<String> recv = CompletableFuture.supplyAsync(() -> {
                try {
                    return execute("bp:recv -t 20 ipn:1.53");
                } catch (Exception e) {
                    return e.toString();
                }
            });
            awaitEndpoint(EndpointId.parse("ipn:1.53"));
            session.send(2, b, EndpointId.parse("ipn:1.53"), ByteBuffer.wrap("back to the shell".getBytes(
                    StandardCharsets.UTF_8)), List.of()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            String received = recv.get(30, TimeUnit.SECONDS);
            assertTrue(received, received.contains("From ipn:1.51") && received.contains("back to the shell"));
            String hop = execute("bp:send --hop-limit 3 ipn:1.51 x");
            assertTrue("libbp cannot set a hop limit: " + hop, hop.contains("'ion' cannot honour") && hop.contains("HOP_LIMIT"));

            uninstallFeature(ION);
            await("back on the embedded node", 30_000, () -> Optional.of("embedded").equals(backendOf(2)));
            send(session, a, b, "embedded again");
            assertEquals("embedded again", payloadOf(transport.socket(2).poll(10, TimeUnit.SECONDS)));
        } finally {
            session.close();
            registryConfig.update(original);
            ionConfig.delete();
            if (features.isInstalled(features.getFeature(ION))) {
                uninstallFeature(ION);
            }
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /**
     * bp:send reaches an application on an ION node and back: a real ION node (ipn:2.0) when
     * BPSOCKETS_ION_PREFIX names an installation, otherwise the C test double (ipn:1.0). Which one ran
     * is printed, so a run without ION says so instead of passing silently.
     */
    @Test
    public void theShellReachesAnApplicationOnAnIonNodeAndBack() throws Exception {
        boolean real = org.bpsockets.cla.common.testing.IonPeer.prefix() != null;
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ion");
        org.bpsockets.cla.common.testing.IonPeer peer = real ? org.bpsockets.cla.common.testing.IonPeer.start("tcp",
                freePort()) : null;
        peer(real ? "ION round trip: a real ION node from " + org.bpsockets.cla.common.testing.IonPeer.prefix()
                : "ION round trip: the libbp test double, not a real ION node (set "
                        + org.bpsockets.cla.common.testing.IonPeer.ENV + " to an ION 4.1.3 prefix for one)");
        TestTransport transport = new TestTransport();
        TransportSession session = socketService.attach(transport);
        org.osgi.service.cm.Configuration registryConfig = configAdmin.getConfiguration("org.bpsockets.registry", null);
        java.util.Dictionary<String, Object> original = registryConfig.getProperties();
        org.osgi.service.cm.Configuration ionConfig = configAdmin.getConfiguration("org.bpsockets.backend.ion", null);
        long node = real ? 2 : 1;
        try {
            java.util.Hashtable<String, Object> settings = new java.util.Hashtable<>();
            if (real) {
                String lib = org.bpsockets.cla.common.testing.IonPeer.prefix() + "/lib/";
                settings.put("bpLibrary", lib + "libbp.so.0");
                settings.put("iciLibrary", lib + "libici.so.0");
                settings.put("nodeListDir", peer.dir.toString());
                settings.put("nodeDirectory", peer.dir.toString());
            } else {
                String library = compileIonDouble(dir).toString();
                settings.put("bpLibrary", library);
                settings.put("iciLibrary", library);
            }
            settings.put("retrySeconds", 1);
            ionConfig.update(settings);
            installFeature(ION);
            java.util.Hashtable<String, Object> prefer = new java.util.Hashtable<>();
            prefer.put("preferredBackend", "ion");
            registryConfig.update(prefer);
            await("attached to ION", 30_000, () -> Optional.of(EndpointId.parse("ipn:" + node + ".0")).equals(ionNode()));
            EndpointId app = session.bind(1, EndpointId.parse("ipn:" + node + ".2"), List.of());
            String sent = execute("bp:send -s ipn:" + node + ".3 --lifetime 120 ipn:" + node + ".2 from the shell");
            assertTrue(sent, sent.contains("Sent 14 bytes to ipn:" + node + ".2"));
            ReceivedBundle got = transport.socket(1).poll(30, TimeUnit.SECONDS);
            assertEquals("from the shell", payloadOf(got));
            assertEquals(EndpointId.parse("ipn:" + node + ".3"), got.source());
            assertEquals(java.time.Duration.ofSeconds(120), got.lifetime());
            CompletableFuture<String> recv = CompletableFuture.supplyAsync(() -> {
                try {
                    return execute("bp:recv -t 30 ipn:" + node + ".3");
                } catch (Exception e) {
                    return e.toString();
                }
            });
            awaitEndpoint(EndpointId.parse("ipn:" + node + ".3"));
            session.send(1, app, EndpointId.parse("ipn:" + node + ".3"), ByteBuffer.wrap("back to the shell".getBytes(
                    StandardCharsets.UTF_8)), List.of()).toCompletableFuture().get(30, TimeUnit.SECONDS);
            String received = recv.get(60, TimeUnit.SECONDS);
            assertTrue(received, received.contains("From ipn:" + node + ".2") && received.contains("back to the shell"));
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + (real ? "\n" + peer.log() : ""), e);
        } finally {
            session.close();
            registryConfig.update(original);
            ionConfig.delete();
            if (features.isInstalled(features.getFeature(ION))) {
                uninstallFeature(ION);
            }
            if (peer != null) {
                peer.close();
            }
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Builds the ION backend's libbp/libici test double (its src/test/c/Makefile) into {@code dir}. */
    private static java.nio.file.Path compileIonDouble(java.nio.file.Path dir) throws Exception {
        java.nio.file.Path library = dir.resolve("libion_double.so");
        Process make = new ProcessBuilder("make", "-s", "-C", System.getProperty(ION_DOUBLE_SOURCE), "OUT=" + library)
                .redirectErrorStream(true).start();
        String log = new String(make.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("make: " + log, 0, make.waitFor());
        return library;
    }

    private Optional<EndpointId> ionNode() {
        return registry.backends().stream().filter(b -> b.name().equals("ion") && b.active()).findFirst()
                .flatMap(b -> b.nodeId());
    }

    @Test
    public void withoutTheKernelModuleTheNodeRunsAndSaysSo() throws Exception {
        // The build machine's kernel cannot load modules: the family is absent here.
        await("the bridge looked for the module", 30_000, () -> call(() -> execute("bp:status"))
                .contains("Transport:  kernel - not connected: kernel module not loaded "
                        + "(Generic Netlink family 'bp' absent)"));
    }

    @Test
    public void theNetlinkBridgeComesAndGoesWithoutRestartingTheCoreOrTheShell() throws Exception {
        Bundle jna = bundle("com.sun.jna");
        long jnaId = jna.getBundleId();
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        BundleListener listener = event -> {
            String name = event.getBundle().getSymbolicName();
            if (!name.equals("org.bpsockets.netlink") && event.getType() != BundleEvent.STARTED) {
                events.add(name + " " + event.getType());
            }
        };
        bundleContext.addBundleListener(listener);
        try {
            uninstallFeature("bpsockets-netlink");
            assertFalse(execute("bp:status").contains("Transport:  kernel"));
            installFeature("bpsockets-netlink");
            await("the bridge is back", 30_000, () -> call(() -> execute("bp:status")).contains("Transport:  kernel"));
        } finally {
            bundleContext.removeBundleListener(listener);
        }
        assertEquals("nothing else stopped or was refreshed", List.of(), new ArrayList<>(events));
        assertEquals(jnaId, bundle("com.sun.jna").getBundleId());
        assertEquals(Bundle.ACTIVE, jna.getState());
    }

    /**
     * The baseline options extension is uninstalled and installed again while sockets are bound and have
     * set its options: in between, those options fail cleanly (at setsockopt, at getsockopt and at a send
     * that carries one), sends without them go on, and afterwards the same sockets use them again.
     */
    @Test
    public void theOptionsExtensionComesAndGoesWhileSocketsAreBound() throws Exception {
        TestTransport transport = new TestTransport();
        TransportSession session = socketService.attach(transport);
        long coreId = bundle("org.bpsockets.registry").getBundleId();
        OptionValue lifetime = OptionValue.of(SocketOptionNames.BP_LIFETIME_MS,
                ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, 60_000).array());
        try {
            EndpointId a = session.bind(1, EndpointId.parse("ipn:1.30"), List.of());
            EndpointId b = session.bind(2, EndpointId.parse("ipn:1.31"), List.of());
            session.setOption(1, lifetime);

            uninstallFeature(QOS);
            BpException refused = thrown(BpException.class, () -> session.setOption(1, lifetime));
            assertEquals(BpError.UNKNOWN_OPTION, refused.error());
            assertEquals(BpError.UNKNOWN_OPTION,
                    thrown(BpException.class, () -> session.option(1, SocketOptionNames.BP_HOP_LIMIT)).error());
            ExecutionException failed = thrown(ExecutionException.class, () -> session.send(1, a, b,
                    ByteBuffer.wrap(new byte[] {1}), List.of(lifetime)).toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertEquals("a send carrying the option fails cleanly", BpError.UNKNOWN_OPTION,
                    ((BpException) failed.getCause()).error());
            send(session, a, b, "without options");
            assertEquals("without options", payloadOf(transport.socket(2).poll(10, TimeUnit.SECONDS)));

            installFeature(QOS);
            await("the extension is back", 30_000, () -> {
                try {
                    session.setOption(1, lifetime);
                    return true;
                } catch (BpException e) {
                    return false;
                }
            });
            session.send(1, a, b, ByteBuffer.wrap("with lifetime".getBytes(StandardCharsets.UTF_8)), List.of(lifetime))
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            ReceivedBundle got = transport.socket(2).poll(10, TimeUnit.SECONDS);
            assertEquals("with lifetime", payloadOf(got));
            assertEquals("the option is in the bundle again", java.time.Duration.ofSeconds(60), got.lifetime());
            assertEquals("the core was not refreshed", coreId, bundle("org.bpsockets.registry").getBundleId());
        } finally {
            session.close();
            if (!features.isInstalled(features.getFeature(QOS))) {
                installFeature(QOS);
            }
        }
    }

    /** What {@code action} throws, which must be a {@code type} (JUnit 4.12 in the container has no assertThrows). */
    private static <T extends Throwable> T thrown(Class<T> type, ThrowingAction action) {
        try {
            action.run();
        } catch (Throwable t) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
            throw new AssertionError("expected " + type.getSimpleName() + ", got " + t, t);
        }
        throw new AssertionError("expected " + type.getSimpleName() + ", nothing was thrown");
    }

    interface ThrowingAction {
        void run() throws Throwable;
    }

    private Optional<String> backendOf(long socketId) {
        return registry.sockets().stream().filter(s -> s.transport().equals("test") && s.id() == socketId)
                .findFirst().orElseThrow().backend();
    }

    private void awaitEndpoint(EndpointId endpoint) throws InterruptedException {
        await(endpoint + " bound", 30_000,
                () -> registry.sockets().stream().anyMatch(s -> s.endpoint().equals(Optional.of(endpoint))));
    }

    private static void send(TransportSession session, EndpointId from, EndpointId to, String text) throws Exception {
        session.send(1, from, to, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), List.of())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String payloadOf(ReceivedBundle b) {
        assertNotNull("a bundle arrived", b);
        return new String(b.payloadBytes(), StandardCharsets.UTF_8);
    }
}
