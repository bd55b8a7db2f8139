package org.bpsockets.cla.common;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.EndpointIdSyntaxException;
import org.bpsockets.node.api.cla.ClaContext;
import org.bpsockets.node.api.cla.ConvergenceLayer;
import org.bpsockets.node.api.cla.Link;
import org.slf4j.Logger;

/**
 * A TCP-based layer: an optional listener, the sessions it and {@link #connect} create, and their
 * orderly end when the layer goes away.
 */
public abstract class StreamLayer implements ConvergenceLayer {
    private static final Map<String, AtomicLong> LINK_NUMBERS = new ConcurrentHashMap<>();

    protected final Logger log;
    protected final ClaContext context;
    protected final Problems problems;
    private final String name;
    private final Set<StreamSession> sessions = ConcurrentHashMap.newKeySet();
    private final Object downMonitor = new Object();
    private final int maxInbound;
    private volatile boolean active = true;
    private volatile ServerSocket server;
    private volatile Thread acceptor;
    private volatile String listenProblem;
    private volatile String configProblem;

    protected StreamLayer(String name, ClaContext context, Logger log, int maxInbound) {
        this.name = name;
        this.context = context;
        this.log = log;
        this.problems = new Problems(log);
        this.maxInbound = maxInbound;
    }

    @Override
    public final String name() {
        return name;
    }

    /**
     * Called at the end of the subclass constructor, so accepted sessions see a complete layer. A
     * listener that cannot be opened (address in use, unknown address) leaves the layer in service for
     * outbound links and is said at WARN and by {@link #problem()}: links to peers keep working.
     */
    protected final void listen(boolean enabled, String address, int port) {
        if (!enabled) {
            log.info("{}: listener disabled; outbound links only", name);
            return;
        }
        if (address == null || address.isBlank()) {
            listenProblem = "no listener address configured (listenAddress); outbound links only";
            log.warn("{}: {}", name, listenProblem);
            return;
        }
        ServerSocket s;
        try {
            s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(address.trim()), port), 64);
        } catch (IOException e) {
            listenProblem = "cannot listen on " + address.trim() + ":" + port + " (" + e.getMessage()
                    + "); outbound links only";
            log.warn("{}: {}", name, listenProblem);
            return;
        }
        server = s;
        acceptor = ClaThreads.start("bp-" + name + "-listener", this::acceptLoop);
        log.info("{}: listening on {}", name, Addresses.format((InetSocketAddress) s.getLocalSocketAddress()));
    }

    /** A configuration the layer refused (it runs with its last valid one), said by {@link #problem()}. */
    protected final void configurationRefused(String why) {
        configProblem = why;
    }

    @Override
    public final java.util.Optional<String> problem() {
        String p = configProblem == null ? listenProblem
                : listenProblem == null ? configProblem : configProblem + "; " + listenProblem;
        return java.util.Optional.ofNullable(p);
    }

    /** The listener's port (useful when configured as 0), or -1 without a listener. */
    public final int localPort() {
        ServerSocket s = server;
        return s == null ? -1 : s.getLocalPort();
    }

    public final Problems problems() {
        return problems;
    }

    /** A fresh link ID, unique in this JVM for this layer: "tcpclv4-7". */
    protected final String nextId() {
        return name + "-" + LINK_NUMBERS.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
    }

    private void acceptLoop() {
        ServerSocket s = server;
        while (active) {
            Socket accepted;
            try {
                accepted = s.accept();
            } catch (SocketException e) {
                if (active) {
                    log.warn("{}: listener failed: {}", name, e.getMessage());
                }
                return;
            } catch (IOException e) {
                log.warn("{}: accept failed: {}", name, e.getMessage());
                continue;
            }
            if (!active) {
                closeQuietly(accepted);
                return;
            }
            long inbound = sessions.stream().filter(x -> !x.outbound()).count();
            if (inbound >= maxInbound) {
                problems.report("too-many-sessions", name, "refused a connection from "
                        + accepted.getRemoteSocketAddress() + ": " + inbound + " inbound sessions already");
                closeQuietly(accepted);
                continue;
            }
            try {
                register(newInbound(accepted));
            } catch (IOException | RuntimeException e) {
                log.warn("{}: could not serve {}: {}", name, accepted.getRemoteSocketAddress(), e.toString());
                closeQuietly(accepted);
            }
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    protected abstract StreamSession newInbound(Socket accepted) throws IOException;

    protected abstract StreamSession newOutbound(InetSocketAddress target, Map<String, String> parameters)
            throws IOException;

    /** The link parameters {@link #connect} accepts. */
    protected abstract Set<String> parameterNames();

    @Override
    public final Link connect(String address, Map<String, String> parameters) throws IOException {
        if (!active) {
            throw new IOException(name + " is stopping");
        }
        Map<String, String> p = parameters == null ? Map.of() : parameters;
        for (String key : p.keySet()) {
            if (!parameterNames().contains(key)) {
                throw new IOException(name + ": unknown link parameter '" + key + "' (known: " + parameterNames() + ")");
            }
        }
        StreamSession s = newOutbound(Addresses.parse(address), p);
        register(s);
        return s;
    }

    private void register(StreamSession s) {
        sessions.add(s);
        s.start(() -> {
            sessions.remove(s);
            synchronized (downMonitor) {
                downMonitor.notifyAll();
            }
        });
    }

    /** Live sessions (for tests and the shell). */
    public final List<StreamSession> sessions() {
        return new ArrayList<>(sessions);
    }

    /** Stops listening, ends every session gracefully and waits up to {@code millis} for them to go down. */
    public void shutdown(long millis) {
        active = false;
        ServerSocket s = server;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                log.debug("{}: closing the listener: {}", name, e.toString());
            }
            ClaThreads.join(acceptor, 1000);
        }
        for (StreamSession session : sessions()) {
            session.close();
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (downMonitor) {
            while (!sessions.isEmpty()) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                try {
                    downMonitor.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (!sessions.isEmpty()) {
            log.warn("{}: {} sessions did not end in time; closing them", name, sessions.size());
            sessions().forEach(StreamSession::closeQuietly);
        }
    }

    /** The "peer" parameter: the node ID the link leads to, when the caller knows it. */
    public static EndpointId peerParameter(Map<String, String> parameters) throws IOException {
        String v = parameters.get("peer");
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return EndpointId.parse(v.trim());
        } catch (EndpointIdSyntaxException e) {
            throw new IOException("link parameter 'peer': " + e.getMessage());
        }
    }

    /** An integer parameter in [min, max], or {@code otherwise} if absent. */
    public static int intParameter(Map<String, String> parameters, String key, int min, int max, int otherwise)
            throws IOException {
        String v = parameters.get(key);
        if (v == null || v.isBlank()) {
            return otherwise;
        }
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) {
                throw new IOException("link parameter '" + key + "' must be in " + min + ".." + max);
            }
            return i;
        } catch (NumberFormatException e) {
            throw new IOException("link parameter '" + key + "' is not a number: " + v);
        }
    }
}
