package org.bpsockets.cla.common.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;


/**
 * A µD3TN node started from the binary BPSOCKETS_UD3TN_BIN names (v0.13.0 was used), bound to
 * 127.0.0.1 only, with remote configuration allowed so a test can give it contacts by bundle.
 */
public final class Ud3tnPeer implements AutoCloseable {
    public static final String ENV = "BPSOCKETS_UD3TN_BIN";

    public final String nodeId;
    public final int tcpclv3Port;
    public final int mtcpPort;
    public final Path dir;
    private final Process process;

    private Ud3tnPeer(String nodeId, int tcpclv3Port, int mtcpPort, Path dir, Process process) {
        this.nodeId = nodeId;
        this.tcpclv3Port = tcpclv3Port;
        this.mtcpPort = mtcpPort;
        this.dir = dir;
        this.process = process;
    }

    /** The binary, or null when the environment does not name one. */
    public static String binary() {
        String bin = System.getenv(ENV);
        return bin == null || bin.isBlank() ? null : bin.trim();
    }

    public static String skipMessage() {
        return "skipped: set " + ENV + " to the path of a µD3TN binary (v0.13.0) to run interoperability tests";
    }

    /** Starts µD3TN as {@code nodeId} ("ipn:2.0") with TCPCLv3 and MTCP on free loopback ports. */
    public static Ud3tnPeer start(String nodeId) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("ud3tn-peer");
        int v3 = freePort();
        int mtcp = freePort();
        // Always 127.0.0.1 explicitly: µD3TN's defaults bind every interface.
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/stdbuf"))) {
            // Line-buffered output, so the log a failing test prints is complete.
            cmd.addAll(List.of("/usr/bin/stdbuf", "-oL", "-eL"));
        }
        cmd.addAll(List.of(binary(), "-e", nodeId, "-s", dir.resolve("aap.socket").toString(), "-S",
                dir.resolve("aap2.socket").toString(), "-c",
                "tcpclv3:127.0.0.1," + v3 + ";mtcp:127.0.0.1," + mtcp, "-R", "-l", "120", "-L", "4"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("ud3tn.log").toFile())
                .start();
        Ud3tnPeer peer = new Ud3tnPeer(nodeId, v3, mtcp, dir, p);
        try {
            peer.awaitListening(v3);
            peer.awaitListening(mtcp);
        } catch (IOException | RuntimeException e) {
            peer.close();
            throw e;
        }
        return peer;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Polls the port until µD3TN accepts on it: an external process gives no other readiness signal. */
    private void awaitListening(int port) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException("µD3TN exited: " + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new IOException("µD3TN did not listen on " + port + ": " + log());
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("ud3tn.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Waits until µD3TN logs a line containing {@code text}: its log is the only signal an external
     * process gives that it has acted on a configuration bundle.
     */
    public void awaitLog(String text, long seconds) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!log().contains(text)) {
            if (System.nanoTime() > end || !process.isAlive()) {
                throw new IOException("µD3TN never logged '" + text + "'");
            }
            Thread.sleep(20);
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** An encoded BPv7 bundle as µD3TN makes them (primary CRC-16, payload without CRC). */
    public static byte[] bundle(String source, String destination, byte[] payload) {
        return TestBundles.bundle(source, destination, payload);
    }

    /**
     * A configuration bundle for µD3TN's config agent (ipn:N.9000): a contact to {@code peer} over
     * {@code cla} ("tcpclv3:127.0.0.1:4557") for the next hour.
     */
    public byte[] contactBundle(String source, String peer, String cla) {
        long now = Instant.now().getEpochSecond() - TestBundles.DTN_EPOCH;
        String command = "1(" + peer + "):(" + cla + ")::[{" + (now - 5) + "," + (now + 3600) + ",100000000}];";
        String agent = nodeId.substring(0, nodeId.lastIndexOf('.')) + ".9000";
        return bundle(source, agent, command.getBytes(StandardCharsets.US_ASCII));
    }

    /** µD3TN's echo agent (ipn:N.9002): answers a bundle to its source with the same payload. */
    public String echoEndpoint() {
        return nodeId.substring(0, nodeId.lastIndexOf('.')) + ".9002";
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
