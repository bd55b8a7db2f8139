package org.bpsockets.itests;

import static org.ops4j.pax.exam.CoreOptions.maven;
import static org.ops4j.pax.exam.CoreOptions.systemTimeout;
import static org.ops4j.pax.exam.CoreOptions.vmOptions;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import javax.inject.Inject;

import org.apache.karaf.features.FeaturesService;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.ops4j.pax.exam.options.MavenArtifactUrlReference;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** Boots the real distribution once per test class, offline, on free ports. */
public abstract class KarafTestSupport {

    static final String KARAF_VERSION = "4.4.10";
    static final String TEST_FEATURES = "mvn:org.bpsockets/org.bpsockets.itests.loopback/"
            + System.getProperty("bpsockets.version", "0.1.0-SNAPSHOT") + "/xml/features";

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected FeaturesService features;

    @Inject
    protected SessionFactory sessionFactory;

    /** Listener ports of this container's convergence layers: free ones, so nothing collides. */
    static final java.util.Map<String, Integer> CLA_PORTS = java.util.Map.of("tcpclv4", freePort(), "tcpclv3",
            freePort(), "mtcp", freePort(), "udp", freeUdpPort());

    @Configuration
    public Option[] config() {
        List<Option> options = new ArrayList<>(List.of(baseOptions()));
        CLA_PORTS.forEach((cla, port) -> {
            options.add(editConfigurationFilePut("etc/org.bpsockets.cla." + cla + ".cfg", "listenPort", port.toString()));
            options.add(org.ops4j.pax.exam.CoreOptions.systemProperty("bp.test.port." + cla).value(port.toString()));
        });
        options.add(org.ops4j.pax.exam.CoreOptions.systemProperty(AAP2_AGENT_CLASSPATH).value(aap2AgentClasspath()));
        options.add(org.ops4j.pax.exam.CoreOptions.systemProperty(PEERS_FILE).value(
                new File("target/peers-exercised.txt").getAbsolutePath()));
        options.add(org.ops4j.pax.exam.CoreOptions.systemProperty(ION_DOUBLE_SOURCE).value(new File(
                "../../bundles/org.bpsockets.backend.ion/src/test/c").getAbsolutePath()));
        options.addAll(List.of(extraOptions()));
        return options.toArray(new Option[0]);
    }

    /** System property: the directory of the libbp/libici test double (C, with its Makefile), which stands in for ION. */
    static final String ION_DOUBLE_SOURCE = "bp.test.ion.double.source";

    /** System property: the port of this container's metrics endpoint (a free one, chosen once per run). */
    static final String METRICS_PORT = "bp.test.metrics.port";
    static final int METRICS_PORT_VALUE = freePort();

    /** System property: where the tests note which real peers or test doubles they ran against. */
    static final String PEERS_FILE = "bp.test.peers.file";

    /**
     * Notes which peer a test exercised (a real µD3TN or ION, or a test double standing in): printed
     * in the build log, where surefire's redirection would hide a line printed inside the container,
     * by tools/test-all at its end.
     */
    protected static void peer(String line) {
        System.out.println(line);
        String file = System.getProperty(PEERS_FILE);
        if (file == null) {
            return;
        }
        try {
            java.nio.file.Files.writeString(java.nio.file.Path.of(file), line + System.lineSeparator(),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot note the peer in " + file, e);
        }
    }

    /** System property: the classpath of the AAP 2.0 test agent, which stands in for µD3TN. */
    static final String AAP2_AGENT_CLASSPATH = "bp.test.aap2agent.classpath";

    /** The jars of this test run that the agent needs, read where Maven's test runner put them. */
    private static String aap2AgentClasspath() {
        String all = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return java.util.Arrays.stream(all.split(java.io.File.pathSeparator))
                .filter(e -> e.contains("org.bpsockets.backend.ud3tn") || e.contains("protobuf-java")
                        || e.contains("org.bpsockets.api"))
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    /** The listener port of one of this container's layers, as the container was configured. */
    protected static int claPort(String cla) {
        return Integer.parseInt(System.getProperty("bp.test.port." + cla));
    }

    /** More options for a test class. */
    protected Option[] extraOptions() {
        return new Option[0];
    }

    private Option[] baseOptions() {
        String localRepo = System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository");
        MavenArtifactUrlReference distribution = maven().groupId("org.bpsockets")
                .artifactId("org.bpsockets.distribution").type("tar.gz").versionAsInProject();
        String endorsed = "lib/endorsed/org.apache.karaf.specs.";
        return new Option[] {
            karafDistributionConfiguration().frameworkUrl(distribution).name("BP Sockets")
                    .unpackDirectory(new File("target/exam")).useDeployFolder(false),
            configureConsole().ignoreLocalConsole(),
            // Kept under target/exam for a post-mortem of a failed run (data/log/karaf.log).
            org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder(),
            logLevel(LogLevel.INFO),
            systemTimeout(TimeUnit.MINUTES.toMillis(3)),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.bpsockets.metrics.cfg", "port", System.getProperty(METRICS_PORT,
                    Integer.toString(METRICS_PORT_VALUE))),
            org.ops4j.pax.exam.CoreOptions.systemProperty(METRICS_PORT).value(Integer.toString(METRICS_PORT_VALUE)),
            // Resolve only from the local repository this build filled: never the network.
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository",
                    localRepo),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.repositories",
                    "file:" + localRepo + "@id=local@snapshots"),
            // bin/karaf's Java 17 flags, which Pax Exam does not add by itself.
            vmOptions("--add-reads=java.xml=java.logging",
                    "--add-exports=java.base/org.apache.karaf.specs.locator=java.xml,ALL-UNNAMED",
                    "--patch-module", "java.base=" + endorsed + "locator-" + KARAF_VERSION + ".jar",
                    "--patch-module", "java.xml=" + endorsed + "java.xml-" + KARAF_VERSION + ".jar",
                    "--add-opens", "java.base/java.security=ALL-UNNAMED",
                    "--add-opens", "java.base/java.net=ALL-UNNAMED",
                    "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                    "--add-opens", "java.base/java.util=ALL-UNNAMED",
                    "--add-opens", "java.naming/javax.naming.spi=ALL-UNNAMED",
                    "--add-opens", "java.rmi/sun.rmi.transport.tcp=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.file=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.www.protocol.jar=ALL-UNNAMED",
                    "--add-exports=java.security.sasl/com.sun.security.sasl=ALL-UNNAMED",
                    "-Xshare:auto", "-XX:TieredStopAtLevel=1"),
        };
    }

    static int freeUdpPort() {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a shell command as a user would and returns what it printed, errors as the console shows them. */
    protected String execute(String command) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Session session = sessionFactory.create(System.in, out, out);
        try {
            Object result = session.execute(command);
            if (result != null) {
                out.println(result);
            }
        } catch (Exception e) {
            out.println("Error executing command: " + e.getMessage());
        } finally {
            session.close();
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    protected void addTestFeatures() throws Exception {
        features.addRepository(URI.create(TEST_FEATURES));
    }

    /**
     * Installs a feature as an operator does (feature:install): with Karaf's automatic refresh of the
     * bundles whose wiring changes, so a test of hot swap sees what users get (issue 20).
     */
    protected void installFeature(String name) throws Exception {
        features.installFeature(name, EnumSet.noneOf(FeaturesService.Option.class));
    }

    /** Uninstalls a feature as feature:uninstall does, refresh included. */
    protected void uninstallFeature(String name) throws Exception {
        features.uninstallFeature(name, EnumSet.noneOf(FeaturesService.Option.class));
    }

    protected Bundle bundle(String symbolicName) {
        for (Bundle b : bundleContext.getBundles()) {
            if (b.getSymbolicName().equals(symbolicName)) {
                return b;
            }
        }
        return null;
    }

    /** Waits for a condition that other threads make true; fails after the timeout. */
    protected static void await(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    protected static <T> T call(Callable<T> c) {
        try {
            return c.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
