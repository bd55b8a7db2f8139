package org.bpsockets.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.transport.OptionValue;
import org.bpsockets.api.transport.SocketService;
import org.bpsockets.api.transport.TransportSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.CoreOptions;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;

/**
 * Hot deploy of a third party's extension (issue 19): the example project docs/examples/option-extension,
 * built by Maven on its own (no parent, only the API bundle; not part of the distribution), is dropped
 * into the running node's deploy/ folder, once as its bundle and once as its feature repository. Its
 * option (EXAMPLE_LIFETIME_MIN, 100) must become usable on a socket that was bound before, put its
 * lifetime into the bundles sent, and fail cleanly again once the file is removed; no part of the node
 * stops or is refreshed on the way. Likewise a backend (the loopback test fixture, in no feature of the
 * node) dropped into deploy/ takes over bound sockets and hands them back when its jar is deleted.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HotDeployIT extends KarafTestSupport {

    static final String GROUP = "org.example.bpsockets";
    static final String ARTIFACT = "org.example.bpsockets.minutes";
    static final String VERSION = "1.0.0";
    static final String FEATURE = "example-lifetime-minutes";
    /** The example's option: an int, whole minutes 1..10080 (docs/examples/option-extension/README.md). */
    static final int EXAMPLE_LIFETIME_MIN = 100;

    /** System properties: where the driver found the example's jar and feature repository. */
    static final String EXAMPLE_JAR = "bp.test.example.jar";
    static final String EXAMPLE_FEATURES = "bp.test.example.features";
    /** System property: the loopback test backend's jar (itests/org.bpsockets.itests.loopback), in no feature of the node. */
    static final String LOOPBACK_JAR = "bp.test.loopback.jar";

    @Inject
    SocketService socketService;

    @Inject
    org.bpsockets.api.registry.SocketRegistry registry;

    @Inject
    org.osgi.service.cm.ConfigurationAdmin configAdmin;

    @Override
    protected Option[] extraOptions() {
        // The example as Maven installed it (this module depends on it, so the reactor builds it first).
        String repo = System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository");
        Path dir = Path.of(repo, GROUP.replace('.', '/'), ARTIFACT, VERSION);
        Path jar = dir.resolve(ARTIFACT + "-" + VERSION + ".jar");
        Path xml = dir.resolve(ARTIFACT + "-" + VERSION + "-features.xml");
        String version = System.getProperty("bpsockets.version", "0.1.0-SNAPSHOT");
        Path loopback = Path.of(repo, "org/bpsockets/org.bpsockets.itests.loopback", version,
                "org.bpsockets.itests.loopback-" + version + ".jar");
        for (Path p : List.of(jar, xml, loopback)) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(p + " is missing: mvn install at the top builds it before this module");
            }
        }
        return new Option[] {
            CoreOptions.systemProperty(EXAMPLE_JAR).value(jar.toAbsolutePath().toString()),
            CoreOptions.systemProperty(EXAMPLE_FEATURES).value(xml.toAbsolutePath().toString()),
            CoreOptions.systemProperty(LOOPBACK_JAR).value(loopback.toAbsolutePath().toString()),
        };
    }

    /** The bundle, as a third party ships it: one jar copied into deploy/, later deleted. */
    @Test
    public void anExtensionBundleDroppedIntoDeployIsUsedAndLeavesWhenDeleted() throws Exception {
        Path deployed = deployDir().resolve(ARTIFACT + "-" + VERSION + ".jar");
        exercise(deployed, Path.of(System.getProperty(EXAMPLE_JAR)), () -> {
            Bundle b = installed(ARTIFACT);
            assertNotNull("the example bundle is installed", b);
            assertTrue("installed by the deploy folder: " + b.getLocation(), b.getLocation().contains("deploy"));
        });
    }

    /**
     * The feature repository, as a third party ships it: the jar put into the node's system/ folder
     * (Maven layout, where the node resolves mvn: URLs offline), the XML copied into deploy/; every
     * feature in it is installed, and removed with the file. (This container also resolves from the
     * build's local repository, which holds the jar too; that the system/ copy alone is enough was
     * tried by hand on a node made by tools/new-node, see the example's README.)
     */
    @Test
    public void aFeatureRepositoryDroppedIntoDeployIsInstalledAndUninstalledWithIt() throws Exception {
        Path system = Path.of(System.getProperty("karaf.base"), "system", GROUP.replace('.', '/'), ARTIFACT, VERSION);
        Path systemJar = system.resolve(ARTIFACT + "-" + VERSION + ".jar");
        Files.createDirectories(system);
        Files.copy(Path.of(System.getProperty(EXAMPLE_JAR)), systemJar, StandardCopyOption.REPLACE_EXISTING);
        try {
            assertNull("the example feature is not known before", features.getFeature(FEATURE));
            Path deployed = deployDir().resolve(FEATURE + "-features.xml");
            exercise(deployed, Path.of(System.getProperty(EXAMPLE_FEATURES)), () -> {
                assertNotNull("the feature repository was added", features.getFeature(FEATURE));
                assertTrue("the feature was installed", features.isInstalled(features.getFeature(FEATURE)));
                Bundle b = installed(ARTIFACT);
                assertNotNull("the example bundle is installed", b);
                assertEquals("by the feature", "mvn:" + GROUP + "/" + ARTIFACT + "/" + VERSION, b.getLocation());
            });
            await("the feature repository is removed", 30_000, () -> call(() -> features.getFeature(FEATURE)) == null);
        } finally {
            Files.deleteIfExists(systemJar);
        }
    }

    /**
     * A backend built outside the distribution (the loopback test backend) dropped into deploy/ while
     * the configuration prefers it: a socket bound on the embedded node moves to it and sends through it,
     * and moves back when the jar is deleted, without being bound again.
     */
    @Test
    public void aBackendDroppedIntoDeployTakesOverBoundSocketsAndHandsThemBack() throws Exception {
        assertNull("the loopback backend is not installed before", installed("org.bpsockets.itests.loopback"));
        org.osgi.service.cm.Configuration config = configAdmin.getConfiguration("org.bpsockets.registry", null);
        java.util.Dictionary<String, Object> original = config.getProperties();
        java.util.Hashtable<String, Object> prefer = new java.util.Hashtable<>();
        if (original != null) {
            for (java.util.Enumeration<String> k = original.keys(); k.hasMoreElements();) {
                String key = k.nextElement();
                prefer.put(key, original.get(key));
            }
        }
        prefer.put("preferredBackend", "loopback");
        PlatformIT.TestTransport transport = new PlatformIT.TestTransport();
        TransportSession session = socketService.attach(transport);
        Path deployed = deployDir().resolve("org.bpsockets.itests.loopback.jar");
        long registryId = installed("org.bpsockets.registry").getBundleId();
        try {
            config.update(prefer);
            EndpointId a = session.bind(1, EndpointId.parse("ipn:1.62"), List.of());
            EndpointId b = session.bind(2, EndpointId.parse("ipn:1.63"), List.of());
            await("bound on the embedded node while the preferred backend is absent", 30_000,
                    () -> java.util.Optional.of("embedded").equals(backendOf(1)));

            long start = System.nanoTime();
            dropInto(Path.of(System.getProperty(LOOPBACK_JAR)), deployed);
            await("the deployed backend takes the bound sockets", 60_000,
                    () -> java.util.Optional.of("loopback").equals(backendOf(1))
                            && java.util.Optional.of("loopback").equals(backendOf(2)));
            System.out.printf("%s: sockets on it %d ms after the file was dropped%n", deployed.getFileName(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            assertTrue(execute("bp:backends"), execute("bp:backends").contains("loopback"));
            session.send(1, a, b, utf8("through the deployed backend"), List.of()).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            ReceivedBundle got = transport.socket(2).poll(10, TimeUnit.SECONDS);
            assertNotNull("the bundle arrived", got);
            assertEquals("through the deployed backend", new String(got.payloadBytes(), StandardCharsets.UTF_8));

            Files.delete(deployed);
            await("the backend leaves with its file", 60_000, () -> installed("org.bpsockets.itests.loopback") == null);
            await("the sockets are back on the embedded node", 30_000,
                    () -> java.util.Optional.of("embedded").equals(backendOf(1))
                            && java.util.Optional.of("embedded").equals(backendOf(2)));
            session.send(1, a, b, utf8("through the embedded node"), List.of()).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            ReceivedBundle back = transport.socket(2).poll(10, TimeUnit.SECONDS);
            assertNotNull("the same sockets work on the embedded node", back);
            assertEquals("through the embedded node", new String(back.payloadBytes(), StandardCharsets.UTF_8));
            assertEquals("the registry is the same bundle", registryId, installed("org.bpsockets.registry").getBundleId());
        } finally {
            session.close();
            if (Files.deleteIfExists(deployed)) {
                await("the backend is removed after a failure", 60_000,
                        () -> installed("org.bpsockets.itests.loopback") == null);
            }
            config.update(original == null ? new java.util.Hashtable<>() : original);
        }
    }

    private java.util.Optional<String> backendOf(long socketId) {
        return registry.sockets().stream().filter(s -> s.transport().equals("test") && s.id() == socketId)
                .findFirst().orElseThrow().backend();
    }

    interface Check {
        void run() throws Exception;
    }

    /**
     * With two sockets bound and the option unknown: copies {@code source} to {@code deployed}, waits
     * for the option, uses it, runs {@code whileDeployed}, deletes the file and checks the option is
     * gone again, and that the node's own bundles neither stopped nor were refreshed.
     */
    private void exercise(Path deployed, Path source, Check whileDeployed) throws Exception {
        assertNull("the example bundle is not installed before", installed(ARTIFACT));
        PlatformIT.TestTransport transport = new PlatformIT.TestTransport();
        TransportSession session = socketService.attach(transport);
        long registryId = installed("org.bpsockets.registry").getBundleId();
        List<String> stopped = new CopyOnWriteArrayList<>();
        BundleListener listener = e -> {
            String name = e.getBundle().getSymbolicName();
            if (e.getType() == BundleEvent.STOPPED && name != null && name.startsWith("org.bpsockets.")) {
                stopped.add(e.getBundle().getSymbolicName());
            }
        };
        bundleContext.addBundleListener(listener);
        OptionValue thirtyMinutes = minutes(30);
        try {
            EndpointId a = session.bind(1, EndpointId.parse("ipn:1.60"), List.of());
            EndpointId b = session.bind(2, EndpointId.parse("ipn:1.61"), List.of());
            assertEquals("before: no extension handles the option", BpError.UNKNOWN_OPTION,
                    error(() -> session.setOption(1, thirtyMinutes)));

            long start = System.nanoTime();
            dropInto(source, deployed);
            await("the deployed extension offers its option", 60_000, () -> {
                try {
                    session.setOption(1, thirtyMinutes);
                    return true;
                } catch (BpException e) {
                    return false;
                }
            });
            System.out.printf("%s: option offered %d ms after the file was dropped%n", deployed.getFileName(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            whileDeployed.run();
            assertEquals("the socket reads back what it set", 30, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder())
                    .put(session.option(1, EXAMPLE_LIFETIME_MIN).duplicate()).getInt(0));
            assertEquals("the extension checks values", BpError.INVALID_ARGUMENT,
                    error(() -> session.setOption(1, minutes(0))));
            assertEquals("the extension checks values", BpError.INVALID_ARGUMENT,
                    error(() -> session.setOption(1, minutes(7 * 24 * 60 + 1))));

            session.send(1, a, b, utf8("thirty minutes"), List.of(thirtyMinutes)).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            ReceivedBundle got = transport.socket(2).poll(10, TimeUnit.SECONDS);
            assertNotNull("the bundle arrived", got);
            assertEquals("thirty minutes", new String(got.payloadBytes(), StandardCharsets.UTF_8));
            assertEquals("the extension's option set the bundle's lifetime", Duration.ofMinutes(30), got.lifetime());

            Files.delete(deployed);
            await("the extension leaves with its file", 60_000, () -> installed(ARTIFACT) == null);
            await("its option is unknown again", 30_000, () -> {
                try {
                    session.setOption(1, thirtyMinutes);
                    return false;
                } catch (BpException e) {
                    return e.error() == BpError.UNKNOWN_OPTION;
                }
            });
            ExecutionException failed = Thrown.thrown(ExecutionException.class, () -> session.send(1, a, b,
                    utf8("x"), List.of(thirtyMinutes)).toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertEquals("a send carrying the option fails cleanly", BpError.UNKNOWN_OPTION,
                    ((BpException) failed.getCause()).error());
            session.send(1, a, b, utf8("without it"), List.of()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            ReceivedBundle plain = transport.socket(2).poll(10, TimeUnit.SECONDS);
            assertNotNull("sends without the option go on", plain);
            assertEquals("without it", new String(plain.payloadBytes(), StandardCharsets.UTF_8));

            assertEquals("the registry is the same bundle", registryId, installed("org.bpsockets.registry").getBundleId());
            assertEquals("none of the node's bundles stopped or was refreshed", List.of(), new ArrayList<>(stopped));
        } finally {
            bundleContext.removeBundleListener(listener);
            session.close();
            if (Files.deleteIfExists(deployed)) {
                await("the extension is removed after a failure", 60_000, () -> installed(ARTIFACT) == null);
            }
        }
    }

    /** The bundle of that symbolic name if installed (null-safe: a deployed file's bundle may lack one). */
    private Bundle installed(String symbolicName) {
        for (Bundle b : bundleContext.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }

    private static Path deployDir() {
        Path deploy = Path.of(System.getProperty("karaf.base"), "deploy");
        assertTrue("the node has a deploy folder: " + deploy, Files.isDirectory(deploy));
        return deploy;
    }

    /** Copies next to deploy/ first and moves it in, so the deployer never sees half a file. */
    private static void dropInto(Path source, Path deployed) throws Exception {
        Path tmp = Path.of(System.getProperty("karaf.base"), "data", "tmp");
        Files.createDirectories(tmp);
        File part = File.createTempFile("drop", ".part", tmp.toFile());
        Files.copy(source, part.toPath(), StandardCopyOption.REPLACE_EXISTING);
        Files.move(part.toPath(), deployed, StandardCopyOption.ATOMIC_MOVE);
    }

    private static OptionValue minutes(int minutes) {
        return OptionValue.of(EXAMPLE_LIFETIME_MIN, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder())
                .putInt(0, minutes).array());
    }

    private static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static BpError error(Thrown.Action action) {
        return Thrown.thrown(BpException.class, action).error();
    }

    /** What an action throws (JUnit 4.12 in the container has no assertThrows). */
    static final class Thrown {
        interface Action {
            void run() throws Throwable;
        }

        static <T extends Throwable> T thrown(Class<T> type, Action action) {
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
    }
}
