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
 * <p>
 * It runs beside any other ION node of the machine: ION's multi-node mode (ION_NODE_LIST_DIR, its
 * directory), with a working-memory key, heap key and SDR name of its own (never ION's defaults 65281
 * and "ion", which a node started by hand uses) and its SDR's files in its directory. {@link #close}
 * removes what it created: its directory, its two shared-memory segments, and the ION-wide ones
 * (the semaphore table and SDR catalogue segments, the {@code /dev/shm/sem.ion:GLOBAL:*} semaphores)
 * only if they appeared while it ran and no process uses them any more, i.e. no other ION node runs.
 */
public final class IonPeer implements AutoCloseable {
    public static final String ENV = "BPSOCKETS_ION_PREFIX";
    /** ION's System V segments shared by every node of the machine: the semaphore table, the SDR catalogue. */
    public static final List<Integer> ION_WIDE_KEYS = List.of(0xee08, 0xff00);

    public final Path dir;
    public final int inductPort;
    /** The node's working-memory key; its heap's is {@code wmKey + 1}. */
    public final int wmKey;
    public final String sdrName;
    private final Path prefix;
    private final List<Process> processes = new ArrayList<>();
    private final Map<Integer, Integer> segmentsBefore;
    private final java.util.Set<String> shmBefore;

    private IonPeer(Path prefix, Path dir, int inductPort, int wmKey, Map<Integer, Integer> segmentsBefore,
            java.util.Set<String> shmBefore) {
        this.prefix = prefix;
        this.dir = dir;
        this.inductPort = inductPort;
        this.wmKey = wmKey;
        this.sdrName = "bpt" + Integer.toHexString(wmKey);
        this.segmentsBefore = segmentsBefore;
        this.shmBefore = shmBefore;
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
        Map<Integer, Integer> segmentsBefore = segments();
        java.util.Set<String> shmBefore = devShm();
        // Two free keys of our own (working memory, heap), away from ION's defaults (0xff00, 0xff01,
        // 0xee08) and from the keys ION numbers from 0x1000 when it is not given one.
        java.util.Random random = new java.util.Random();
        int wmKey;
        do {
            wmKey = 0x42500000 + 2 * random.nextInt(0x40000);
        } while (segmentsBefore.containsKey(wmKey) || segmentsBefore.containsKey(wmKey + 1));
        IonPeer peer = new IonPeer(Path.of(prefix()), dir, port, wmKey, segmentsBefore, shmBefore);
        // ION's defaults otherwise (transactions reversible, 2 MB heap); the transaction log and any
        // SDR file go to the node's directory instead of /tmp/ion.sdrlog.
        Files.writeString(dir.resolve("node.ionconfig"), String.join("\n", "wmKey " + wmKey,
                "heapKey " + (wmKey + 1), "sdrName " + peer.sdrName, "pathName " + dir, ""), StandardCharsets.US_ASCII);
        String cli = protocol.equals("tcp") ? "tcpcli" : "udpcli";
        String clo = protocol.equals("tcp") ? "tcpclo" : "udpclo";
        String rc = String.join("\n",
                "## begin ionadmin",
                "1 2 node.ionconfig",
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
        removeWhatWeCreated();
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }

    /**
     * Our node's segments (wmKey, heap), unless something still holds them; the ION-wide segments and
     * semaphores only when they appeared while we ran and no ION process of the machine is left.
     */
    private void removeWhatWeCreated() {
        Map<Integer, Integer> now = segments();
        List<Integer> ours = new ArrayList<>(List.of(wmKey, wmKey + 1));
        boolean ionIdle = ION_WIDE_KEYS.stream().noneMatch(k -> attached(k));
        if (ionIdle) {
            ION_WIDE_KEYS.stream().filter(k -> !segmentsBefore.containsKey(k)).forEach(ours::add);
            // Nobody uses ION's semaphores now: those that appeared while we ran are ours.
            for (String f : devShm()) {
                if (f.startsWith("sem.ion:") && !shmBefore.contains(f)) {
                    Path.of("/dev/shm", f).toFile().delete();
                }
            }
        }
        for (int key : ours) {
            Integer id = now.get(key);
            if (id != null && !attached(key)) {
                try {
                    new ProcessBuilder("ipcrm", "-m", Integer.toString(id)).redirectErrorStream(true).start()
                            .waitFor(10, TimeUnit.SECONDS);
                } catch (IOException e) {
                    // no ipcrm here: left behind
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** True if a process holds the System V segment {@code key}. */
    public static boolean attached(int key) {
        String[] row = ipcsRows().get(key);
        return row != null && !row[5].equals("0");
    }

    /** System V shared-memory segments: key to id. */
    public static Map<Integer, Integer> segments() {
        Map<Integer, Integer> m = new java.util.HashMap<>();
        ipcsRows().forEach((k, row) -> m.put(k, Integer.parseInt(row[1])));
        return m;
    }

    private static Map<Integer, String[]> ipcsRows() {
        Map<Integer, String[]> rows = new java.util.HashMap<>();
        try {
            Process ipcs = new ProcessBuilder("ipcs", "-m").redirectErrorStream(true).start();
            String table = new String(ipcs.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            ipcs.waitFor(10, TimeUnit.SECONDS);
            for (String line : table.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 6 && f[0].startsWith("0x")) {
                    rows.put((int) Long.parseLong(f[0].substring(2), 16), f);
                }
            }
        } catch (IOException e) {
            // no ipcs here: nothing known
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return rows;
    }

    /** The names in /dev/shm (ION's POSIX semaphores are sem.ion:GLOBAL:*). */
    public static java.util.Set<String> devShm() {
        String[] names = new java.io.File("/dev/shm").list();
        return names == null ? java.util.Set.of() : java.util.Set.of(names);
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
