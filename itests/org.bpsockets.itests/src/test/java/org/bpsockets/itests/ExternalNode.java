package org.bpsockets.itests;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A second BP Sockets node: another copy of the distribution, started as its own process on this
 * machine, on free loopback ports. Used from inside the Pax Exam container (the first node).
 */
final class ExternalNode {
    final Path home;
    final String nodeId;
    final Map<String, Integer> claPorts;
    private final int sshPort;
    private final String password;
    private Process karaf;

    ExternalNode(Path home, String nodeId, Map<String, Integer> claPorts) {
        this.home = home;
        this.nodeId = nodeId;
        this.claPorts = claPorts;
        this.sshPort = KarafTestSupport.freePort();
        byte[] secret = new byte[18];
        new SecureRandom().nextBytes(secret);
        this.password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** Unpacks the distribution and configures it: node ID, ports, a throw-away shell user, extra configs. */
    void install(Path archive, Map<String, String> extraConfigs) throws Exception {
        Path parent = home.getParent();
        Files.createDirectories(parent);
        run(List.of("tar", "xzf", archive.toString(), "-C", parent.toString()), parent);
        try (var listing = Files.list(parent)) {
            Path unpacked = listing.filter(p -> p.getFileName().toString().startsWith("org.bpsockets.distribution"))
                    .findFirst().orElseThrow();
            Files.move(unpacked, home);
        }
        Path etc = home.resolve("etc");
        replace(etc.resolve("org.bpsockets.node.cfg"), "nodeId = ipn:1.0", "nodeId = " + nodeId);
        replace(etc.resolve("org.apache.karaf.shell.cfg"), "sshPort = 8101", "sshPort = " + sshPort);
        replace(etc.resolve("org.bpsockets.metrics.cfg"), "port = 9556", "port = 0");
        for (Map.Entry<String, Integer> e : claPorts.entrySet()) {
            Path cfg = etc.resolve("org.bpsockets.cla." + e.getKey() + ".cfg");
            String text = Files.readString(cfg).replaceAll("(?m)^listenPort = \\d+", "listenPort = " + e.getValue());
            Files.writeString(cfg, text);
        }
        Files.writeString(etc.resolve("users.properties"), "test = " + password + ",_g_:admingroup\n"
                + "_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh\n");
        for (Map.Entry<String, String> e : extraConfigs.entrySet()) {
            Files.writeString(etc.resolve(e.getKey()), e.getValue());
        }
    }

    private static void replace(Path file, String from, String to) throws IOException {
        String text = Files.readString(file);
        if (!text.contains(from)) {
            throw new IllegalStateException(file + " does not contain '" + from + "'");
        }
        Files.writeString(file, text.replace(from, to));
    }

    /** Starts the node and waits until its TCPCLv4 listener accepts connections. */
    void start() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/karaf").toString(), "server")
                .directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("karaf.out").toFile()));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("EXTRA_JAVA_OPTS", "-XX:TieredStopAtLevel=1");
        karaf = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", claPorts.get("tcpclv4")), 500);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !karaf.isAlive()) {
                    throw new IllegalStateException("node " + nodeId + " did not start; see " + home.resolve("karaf.out")
                            + " and " + home.resolve("data/log/karaf.log"));
                }
                Thread.sleep(200);
            }
        }
    }

    boolean running() {
        return karaf != null && karaf.isAlive();
    }

    /** SIGKILL to the node's JVM, as a crash. */
    void kill() throws Exception {
        for (ProcessHandle p : karaf.descendants().toList()) {
            p.destroyForcibly();
            p.onExit().get(30, TimeUnit.SECONDS);
        }
        karaf.destroyForcibly();
        karaf.waitFor(30, TimeUnit.SECONDS);
    }

    void stop() throws Exception {
        if (karaf == null) {
            return;
        }
        for (ProcessHandle p : karaf.descendants().toList()) {
            p.destroy();
            try {
                p.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        karaf.destroyForcibly();
        karaf.waitFor(30, TimeUnit.SECONDS);
    }

    /** Runs a shell command of this node (Karaf's client, in batch mode) and returns what it printed. */
    String shell(String command) throws Exception {
        Path in = Files.createTempFile("cmd", ".txt");
        Files.writeString(in, command + "\n");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/client").toString(), "-a", Integer.toString(sshPort),
                "-h", "127.0.0.1", "-u", "test", "-p", password, "-r", "30", "-d", "1", "-b")
                .redirectInput(in.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor(300, TimeUnit.SECONDS);
        Files.delete(in);
        return new String(out, StandardCharsets.UTF_8);
    }

    private static void run(List<String> command, Path dir) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + out);
        }
    }
}
