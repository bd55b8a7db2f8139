package org.bpsockets.cla.common.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An ION node (4.1.3 was used) from the installation BPSOCKETS_ION_PREFIX names, started with
 * ionstart in a temporary directory of its own, its ducts on 127.0.0.1. Node 2 reaches node 1 (us)
 * through one outduct; bpecho answers on ipn:2.1 (up to 1024 payload bytes), and files can be sent
 * and received with bpsendfile and bprecvfile.
 */
public final class IonPeer implements AutoCloseable {
    public static final String ENV = "BPSOCKETS_ION_PREFIX";

    public final Path dir;
    public final int inductPort;
    private final Path prefix;
    private final List<Process> processes = new ArrayList<>();

    private IonPeer(Path prefix, Path dir, int inductPort) {
        this.prefix = prefix;
        this.dir = dir;
        this.inductPort = inductPort;
    }

    public static String prefix() {
        String p = System.getenv(ENV);
        return p == null || p.isBlank() ? null : p.trim();
    }

    public static String skipMessage() {
        return "skipped: set " + ENV + " to an ION installation prefix (4.1.3; bin/ionstart, lib/) to run "
                + "interoperability tests";
    }

    /**
     * Starts ION node 2 with protocol {@code protocol} ("tcp" or "udp"): an induct on a free loopback
     * port and a plan to node 1 at 127.0.0.1:{@code ourPort}.
     */
    public static IonPeer start(String protocol, int ourPort) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("ion-peer");
        int port = freePort();
        String cli = protocol.equals("tcp") ? "tcpcli" : "udpcli";
        String clo = protocol.equals("tcp") ? "tcpclo" : "udpclo";
        String rc = String.join("\n",
                "## begin ionadmin",
                "1 2 ''",
                "s",
                "m horizon +0",
                "a contact +0 +3600 1 2 100000000",
                "a contact +0 +3600 2 1 100000000",
                "a contact +0 +3600 2 2 100000000",
                "a range +0 +3600 1 2 1",
                "a range +0 +3600 2 2 1",
                "m production 100000000",
                "m consumption 100000000",
                "## end ionadmin",
                "## begin bpadmin",
                "1",
                "a scheme ipn 'ipnfw' 'ipnadminep'",
                "a endpoint ipn:2.1 q",
                "a endpoint ipn:2.2 q",
                "a endpoint ipn:2.3 q",
                "a protocol " + protocol + " 1400 100",
                "a induct " + protocol + " 127.0.0.1:" + port + " " + cli,
                "a outduct " + protocol + " 127.0.0.1:" + ourPort + " " + clo,
                "a outduct " + protocol + " 127.0.0.1:" + port + " " + clo,
                "s",
                "## end bpadmin",
                "## begin ipnadmin",
                "a plan 1 " + protocol + "/127.0.0.1:" + ourPort,
                // Bundles between its own endpoints loop through its own induct.
                "a plan 2 " + protocol + "/127.0.0.1:" + port,
                "## end ipnadmin",
                "");
        Files.writeString(dir.resolve("node2.rc"), rc, StandardCharsets.US_ASCII);
        IonPeer peer = new IonPeer(Path.of(prefix()), dir, port);
        try {
            peer.run(60, "ionstart", "-I", "node2.rc");
            peer.spawn("bpecho", "ipn:2.1");
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

    private ProcessBuilder builder(String... cmd) {
        List<String> c = new ArrayList<>(List.of(cmd));
        c.set(0, prefix.resolve("bin").resolve(cmd[0]).toString());
        ProcessBuilder pb = new ProcessBuilder(c).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("PATH", prefix.resolve("bin") + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("LD_LIBRARY_PATH", prefix.resolve("lib").toString());
        env.put("ION_NODE_LIST_DIR", dir.toString());
        return pb;
    }

    /** Runs an ION command to completion; its output goes to the node's log directory. */
    public void run(int seconds, String... cmd) throws IOException, InterruptedException {
        Process p = builder(cmd).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("commands.log").toFile()))
                .start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish: " + log());
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + log());
        }
    }

    /** Starts a long-running ION program (bpecho, bprecvfile), stopped by {@link #close}. */
    public void spawn(String... cmd) throws IOException {
        processes.add(builder(cmd).redirectOutput(ProcessBuilder.Redirect.appendTo(
                dir.resolve(cmd[0] + ".log").toFile())).start());
    }

    public String log() {
        StringBuilder sb = new StringBuilder();
        for (String f : new String[] {"ion.log", "commands.log"}) {
            try {
                sb.append("--- ").append(f).append(" ---\n").append(Files.readString(dir.resolve(f)));
            } catch (IOException e) {
                sb.append("(no ").append(f).append(")\n");
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        // With ION_NODE_LIST_DIR set, ionstop stops this node's daemons through their admin programs
        // (never killm, which would kill every ION process on the machine).
        try {
            run(60, "ionstop");
        } catch (IOException e) {
            // a node that did not start has nothing to stop
        }
        // ionstop can hang or leave daemons behind; ours are the processes carrying our node directory.
        String mark = "\nION_NODE_LIST_DIR=" + dir + "\n";
        List<ProcessHandle> ours = ProcessHandle.allProcesses().filter(p -> environment(p.pid()).contains(mark))
                .toList();
        ours.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : ours) {
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // gone or stuck: the segments below stay attached and are left alone
            }
        }
        removeStaleSegments();
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }

    /**
     * ION (wmKey 0) keeps its working memory and SDR in System V segments with these keys, and a node
     * started later attaches to leftovers instead of starting afresh. Only unattached ones go.
     */
    private static void removeStaleSegments() {
        List<String> ionKeys = List.of("0x0000ff00", "0x0000ff01", "0x0000ee08", "0x00001002");
        try {
            Process ipcs = new ProcessBuilder("ipcs", "-m").redirectErrorStream(true).start();
            String table = new String(ipcs.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            ipcs.waitFor(10, TimeUnit.SECONDS);
            for (String line : table.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 6 && ionKeys.contains(f[0]) && f[5].equals("0")) {
                    new ProcessBuilder("ipcrm", "-m", f[1]).start().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (IOException e) {
            // no ipcs here: nothing to clean
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String environment(long pid) {
        try {
            return "\n" + new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")),
                    StandardCharsets.ISO_8859_1).replace('\0', '\n') + "\n";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
