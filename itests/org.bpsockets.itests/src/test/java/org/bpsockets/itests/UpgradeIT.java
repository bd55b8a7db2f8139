package org.bpsockets.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.apache.karaf.features.Feature;
import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * A newer build of the node's features is installed into the running node (issue 19): every part is
 * upgraded in place (the same bundle, at the new version) while bundles wait in the store and the
 * configuration was changed; afterwards the stored bundles are delivered once each, the configuration
 * is as it was, and {@code bp:status} names the new version.
 *
 * <p>The newer build is made here from this one: each of the node's bundles with its Bundle-Version
 * raised to {@value #NEW_VERSION}, and a features repository of that version that names them, as a
 * release build with a bumped version would be. This test uses the node only through Karaf and its
 * shell: a test that used the node's API would be refreshed with it. AF_BP sockets kept open across
 * the upgrade need the kernel module: the VM suite's section 7 replaces each part under traffic.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class UpgradeIT extends KarafTestSupport {

    static final String NEW_VERSION = "0.1.1";

    @Inject
    ConfigurationAdmin configAdmin;

    @Test
    public void aNewerBuildUpgradesTheRunningNodeInPlace() throws Exception {
        String oldVersion = bundle("org.bpsockets.registry").getVersion().toString();
        await("the embedded backend is up", 30_000,
                () -> call(() -> execute("bp:status")).contains("Backend:    embedded - UP"));
        // Three bundles for an endpoint nobody has bound: the node keeps them in its store.
        for (int i = 0; i < 3; i++) {
            String sent = execute("bp:send -s ipn:1.42 ipn:1.43 stored-" + i);
            assertTrue(sent, sent.contains("Sent"));
        }
        // An operator's change to the configuration.
        Configuration registryConfig = configAdmin.getConfiguration("org.bpsockets.registry", null);
        java.util.Dictionary<String, Object> settings = registryConfig.getProperties();
        settings.put("duplicateMemory", 777);
        registryConfig.update(settings);

        Map<String, Long> idsBefore = new TreeMap<>();
        for (Bundle b : bundleContext.getBundles()) {
            if (b.getSymbolicName().startsWith("org.bpsockets.") && !b.getSymbolicName().contains("itests")) {
                idsBefore.put(b.getSymbolicName(), b.getBundleId());
            }
        }
        Set<String> installed = new HashSet<>();
        for (Feature f : features.listInstalledFeatures()) {
            if (f.getName().startsWith("bpsockets-") && f.getVersion().replace('-', '.').equals(oldVersion)) {
                installed.add(f.getName());
            }
        }
        assertTrue("the node's features are installed: " + installed, installed.contains("bpsockets-core"));

        Path repository = newerBuild(Files.createTempDirectory("bp-upgrade"));
        features.addRepository(repository.toUri());
        Set<String> upgrade = new HashSet<>();
        installed.forEach(name -> upgrade.add(name + "/" + NEW_VERSION));
        long start = System.nanoTime();
        features.installFeatures(upgrade, EnumSet.of(FeaturesService.Option.Upgrade));
        System.out.printf("upgrade of %d features took %d ms%n", upgrade.size(), (System.nanoTime() - start) / 1_000_000);

        for (Map.Entry<String, Long> e : idsBefore.entrySet()) {
            Bundle b = bundleContext.getBundle(e.getValue());
            assertNotNull(e.getKey() + " is still installed, as the same bundle", b);
            assertEquals(e.getKey(), b.getSymbolicName());
            assertEquals(e.getKey() + " upgraded", NEW_VERSION, b.getVersion().toString());
        }
        await("every part active again", 60_000, () -> idsBefore.values().stream()
                .allMatch(id -> bundleContext.getBundle(id).getState() == Bundle.ACTIVE));
        await("the embedded backend is up again", 60_000,
                () -> call(() -> execute("bp:status")).contains("Backend:    embedded - UP"));
        String status = execute("bp:status");
        assertTrue(status, status.contains("active at " + NEW_VERSION));

        String received = execute("bp:recv -n 3 -t 30 ipn:1.43");
        for (int i = 0; i < 3; i++) {
            assertTrue(received, received.contains("stored-" + i));
        }
        assertEquals("each once: " + received, 3, received.split("stored-", -1).length - 1);
        assertEquals("the configuration survived", 777,
                configAdmin.getConfiguration("org.bpsockets.registry", null).getProperties().get("duplicateMemory"));
    }

    /**
     * The newer build: every bundle of this build's features repository with its version raised, and
     * the repository itself at the new version, naming them (features of other versions left out: they
     * stay in this build's repository).
     */
    private Path newerBuild(Path dir) throws Exception {
        String xml;
        String oldMaven;
        try (InputStream in = new URL(featuresRepositoryUri()).openStream()) {
            xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher name = Pattern.compile("<features name=\"bpsockets-([^\"]+)\"").matcher(xml);
        assertTrue("the features repository names its version", name.find());
        oldMaven = name.group(1);
        Matcher bundles = Pattern.compile("mvn:org\\.bpsockets/([a-z.0-9]+)/" + Pattern.quote(oldMaven)).matcher(xml);
        StringBuilder out = new StringBuilder();
        Set<String> done = new HashSet<>();
        while (bundles.find()) {
            Path jar = dir.resolve(bundles.group(1) + "-" + NEW_VERSION + ".jar");
            if (done.add(bundles.group(1))) {
                rewriteVersion(new URL(bundles.group()), jar);
            }
            bundles.appendReplacement(out, Matcher.quoteReplacement(jar.toUri().toString()));
        }
        bundles.appendTail(out);
        xml = out.toString()
                .replaceAll("(?s)<feature name=\"[^\"]+\" version=\"(?!" + Pattern.quote(oldMaven) + ")[^\"]+\".*?</feature>", "")
                .replace("version=\"" + oldMaven + "\"", "version=\"" + NEW_VERSION + "\"")
                .replace("name=\"bpsockets-" + oldMaven + "\"", "name=\"bpsockets-" + NEW_VERSION + "\"");
        Path repository = dir.resolve("features.xml");
        Files.writeString(repository, xml);
        return repository;
    }

    private String featuresRepositoryUri() {
        for (org.apache.karaf.features.Repository r : call(() -> features.listRepositories())) {
            if (r.getURI().toString().startsWith("mvn:org.bpsockets/org.bpsockets.features/")) {
                return r.getURI().toString();
            }
        }
        throw new AssertionError("no org.bpsockets.features repository");
    }

    private static void rewriteVersion(URL from, Path to) throws Exception {
        try (JarInputStream in = new JarInputStream(from.openStream());
                OutputStream file = Files.newOutputStream(to)) {
            Manifest manifest = in.getManifest();
            manifest.getMainAttributes().putValue("Bundle-Version", NEW_VERSION);
            try (JarOutputStream out = new JarOutputStream(file, manifest)) {
                for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
    }
}
