package org.bpsockets.cla.udp.internal;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.cla.common.Addresses;
import org.bpsockets.cla.common.CheckedConfig;
import org.bpsockets.cla.common.ClaThreads;
import org.bpsockets.cla.common.Problems;
import org.bpsockets.cla.common.StreamLayer;
import org.bpsockets.cla.common.Transfer;
import org.bpsockets.node.api.cla.ClaContext;
import org.bpsockets.node.api.cla.ConvergenceLayer;
import org.bpsockets.node.api.cla.Link;
import org.bpsockets.node.api.cla.LinkState;
import org.bpsockets.node.api.cla.Receipt;
import org.bpsockets.node.api.cla.RefusalReason;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bundle per UDP datagram over one socket: a receiver thread turns datagrams into bundles (a new
 * source address becomes an inbound link), a sender thread sends the links' queued bundles, round
 * robin over the links, each link paced by its own token bucket (docs/decisions/0011). Nothing is
 * acknowledged, so nothing is retransmitted: reliability is the node's business.
 *
 * <p>A configuration change is validated first: an invalid one is refused with a warning that names
 * the valid values, counted ("config-refused") and reported by {@link #configurationProblem()}, and
 * the layer keeps running with its last valid configuration. A new socket address, port or buffer
 * size rebinds the socket (a port that cannot be bound is refused the same way); links stay up.
 */
@Component(service = ConvergenceLayer.class, configurationPid = UdpLayer.PID,
        property = ConvergenceLayer.NAME_PROPERTY + "=" + UdpLayer.NAME)
@Designate(ocd = UdpConfig.class)
public final class UdpLayer implements ConvergenceLayer {
    static final String PID = "org.bpsockets.cla.udp";
    static final String NAME = "udp";
    private static final Logger LOG = LoggerFactory.getLogger(UdpLayer.class);
    private static final Set<String> PARAMETERS = Set.of("peer");
    private static final AtomicLong NUMBERS = new AtomicLong();
    private static final int MAX_UDP = 65535;

    volatile UdpConfig config;
    final ClaContext context;
    final Problems problems = new Problems(LOG);
    private final DropWarnings dropWarnings = new DropWarnings(LOG);
    final Object receiveLock = new Object();
    private volatile DatagramSocket socket;
    private final Map<InetSocketAddress, UdpLink> byAddress = new ConcurrentHashMap<>();
    private final Set<UdpLink> links = ConcurrentHashMap.newKeySet();
    private volatile long idleNanos;
    private volatile boolean closed;
    private volatile String configProblem;

    private final ReentrantLock sendLock = new ReentrantLock();
    private final Condition sendWork = sendLock.newCondition();
    /** Work for the sender thread other than datagrams (resolving), guarded by sendLock. */
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    /** Links with queued datagrams, in round-robin order, guarded by sendLock. */
    private final ArrayDeque<UdpLink> ready = new ArrayDeque<>();
    private boolean stopping;

    private final Thread receiver;
    private final Thread sender;

    /** Checks what ConfigAdmin holds against the metatype, as written (null in tests: not checked). */
    private final MetaTypeService metaType;
    private final Bundle bundle;

    @Activate
    public UdpLayer(@Reference(name = "context") ClaContext context, UdpConfig config, Map<String, Object> raw,
            @Reference(name = "metaType") MetaTypeService metaType, BundleContext bundleContext) throws IOException {
        this(context, config, raw, metaType, bundleContext.getBundle());
    }

    /** A layer with a configuration checked only by {@link #validate} (tests, benchmarks). */
    public UdpLayer(ClaContext context, UdpConfig config) throws IOException {
        this(context, config, Map.of(), null, (Bundle) null);
    }

    UdpLayer(ClaContext context, UdpConfig config, Map<String, ?> raw, MetaTypeService metaType, Bundle bundle)
            throws IOException {
        this.context = context;
        this.metaType = metaType;
        this.bundle = bundle;
        String invalid = check(config, raw);
        if (invalid != null) {
            throw new IllegalArgumentException("udp: invalid configuration (" + PID + "): " + invalid);
        }
        this.config = config;
        this.idleNanos = TimeUnit.SECONDS.toNanos(config.idleTimeoutSeconds());
        socket = bind(config);
        receiver = ClaThreads.start("bp-udp-rx", this::receiveLoop);
        sender = ClaThreads.start("bp-udp-tx", this::sendLoop);
    }

    /**
     * Why a configuration cannot be used: first what ConfigAdmin holds, checked against the layer's
     * metatype as DS will read it (a number with a space after it passes Felix Metatype, which trims,
     * and then throws wherever DS's configuration object is read); then {@link #validate}.
     */
    private String check(UdpConfig c, Map<String, ?> raw) {
        List<String> bad = metaType == null ? List.of() : CheckedConfig.problems(PID, raw, metaType, bundle);
        return bad.isEmpty() ? validate(c) : String.join("; ", bad);
    }

    /**
     * Why a configuration cannot be used, naming every invalid value and what would be valid; null if
     * it is valid. (Metatype's min/max are advice to editors: ConfigAdmin stores anything.)
     */
    static String validate(UdpConfig c) {
        List<String> bad = new ArrayList<>();
        if (c.listenAddress() == null || c.listenAddress().isBlank()) {
            bad.add("listenAddress is empty: give an IP address or host name of this machine, e.g. 127.0.0.1");
        }
        range(bad, "listenPort", c.listenPort(), 0, 65535);
        range(bad, "maxDatagramSize", c.maxDatagramSize(), 1, 65527);
        range(bad, "queueLimit", c.queueLimit(), 1, Integer.MAX_VALUE);
        range(bad, "queueBytes", c.queueBytes(), 1, Long.MAX_VALUE);
        range(bad, "idleTimeoutSeconds", c.idleTimeoutSeconds(), 1, Integer.MAX_VALUE);
        range(bad, "maxPeers", c.maxPeers(), 1, Integer.MAX_VALUE);
        range(bad, "socketBufferBytes", c.socketBufferBytes(), 65536, Integer.MAX_VALUE);
        range(bad, "rateBytesPerSecond", c.rateBytesPerSecond(), 0, Long.MAX_VALUE);
        if (c.rateBytesPerSecond() > 0 && c.burstBytes() < c.maxDatagramSize()) {
            bad.add("burstBytes " + c.burstBytes() + " is below maxDatagramSize " + c.maxDatagramSize()
                    + ": valid is " + c.maxDatagramSize() + " or more, or else a largest datagram could never go");
        } else {
            range(bad, "burstBytes", c.burstBytes(), 1, Integer.MAX_VALUE);
        }
        return bad.isEmpty() ? null : String.join("; ", bad);
    }

    private static void range(List<String> bad, String name, long value, long min, long max) {
        if (value < min || value > max) {
            bad.add(name + " " + value + " is out of range: valid is " + min
                    + (max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? " or more" : " to " + max));
        }
    }

    private static DatagramSocket bind(UdpConfig config) throws IOException {
        DatagramSocket s = new DatagramSocket(null);
        try {
            s.setReceiveBufferSize(config.socketBufferBytes());
            s.setSendBufferSize(config.socketBufferBytes());
            s.bind(new InetSocketAddress(InetAddress.getByName(config.listenAddress().trim()),
                    config.listenEnabled() ? config.listenPort() : 0));
            // Wakes the receiver once a second to retire silent inbound links.
            s.setSoTimeout(1000);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        LOG.info("udp: socket on {}{}", Addresses.format((InetSocketAddress) s.getLocalSocketAddress()),
                config.listenEnabled() ? "" : " (only peers of outbound links are heard)");
        return s;
    }

    /**
     * A new configuration: applied if valid (rebinding the socket if its address, port or buffers
     * change), else refused with a warning and the last valid one kept.
     */
    /** Only this one method named so: DS would call a one-argument {@code modified(UdpConfig)} instead. */
    @Modified
    void modified(UdpConfig next, Map<String, Object> raw) {
        reconfigure(next, raw);
    }

    private void reconfigure(UdpConfig next, Map<String, ?> raw) {
        String invalid = check(next, raw);
        UdpConfig current = config;
        if (invalid == null && (!next.listenAddress().trim().equals(current.listenAddress().trim())
                || next.listenPort() != current.listenPort() || next.listenEnabled() != current.listenEnabled()
                || next.socketBufferBytes() != current.socketBufferBytes())) {
            try {
                DatagramSocket fresh = bind(next);
                DatagramSocket old = socket;
                socket = fresh;
                old.close();
            } catch (IOException | RuntimeException e) {
                invalid = "cannot bind " + next.listenAddress() + ":" + next.listenPort() + " (" + e.getMessage()
                        + "): give a free port and an address of this machine";
            }
        }
        if (invalid != null) {
            configProblem = invalid;
            problems.report("config-refused", "udp", "configuration refused, keeping the previous one: " + invalid);
            LOG.warn("udp: configuration refused, keeping the previous one: {}", invalid);
            return;
        }
        config = next;
        idleNanos = TimeUnit.SECONDS.toNanos(next.idleTimeoutSeconds());
        configProblem = null;
        long now = System.nanoTime();
        sendLock.lock();
        try {
            for (UdpLink l : links) {
                l.bucket.reconfigure(next.rateBytesPerSecond(), next.burstBytes(), now);
            }
            sendWork.signal();
        } finally {
            sendLock.unlock();
        }
        LOG.info("udp: configuration applied (rate {} B/s, burst {} B per link)", next.rateBytesPerSecond(),
                next.burstBytes());
    }

    /** Why the last configuration given was refused, or null if the layer runs with it. */
    public String configurationProblem() {
        return configProblem;
    }

    @Override
    public java.util.Optional<String> problem() {
        return java.util.Optional.ofNullable(configProblem);
    }

    @Deactivate
    void deactivate() {
        closed = true;
        List<Transfer> left = new ArrayList<>();
        sendLock.lock();
        try {
            stopping = true;
            for (UdpLink l : ready) {
                left.addAll(l.queue);
                l.queue.clear();
                l.scheduled = false;
            }
            ready.clear();
            tasks.clear();
            sendWork.signal();
        } finally {
            sendLock.unlock();
        }
        socket.close();
        ClaThreads.join(receiver, 2000);
        ClaThreads.join(sender, 2000);
        for (Transfer t : left) {
            t.fail("convergence layer stopped");
        }
        for (UdpLink l : new ArrayList<>(links)) {
            remove(l, "convergence layer stopped");
        }
    }

    /** Stops the layer (for tests and the harness; OSGi calls the same on deactivation). */
    public void shutdown() {
        deactivate();
    }

    @Override
    public String name() {
        return NAME;
    }

    public int localPort() {
        return socket.getLocalPort();
    }

    public Problems problems() {
        return problems;
    }

    @Override
    public Link connect(String address, Map<String, String> parameters) throws IOException {
        if (closed) {
            throw new IOException("udp is stopping");
        }
        Map<String, String> p = parameters == null ? Map.of() : parameters;
        for (String key : p.keySet()) {
            if (!PARAMETERS.contains(key)) {
                throw new IOException("udp: unknown link parameter '" + key + "' (known: " + PARAMETERS + ")");
            }
        }
        EndpointId peer = StreamLayer.peerParameter(p);
        InetSocketAddress target = Addresses.parse(address);
        UdpLink link = new UdpLink(this, context, NAME + "-" + NUMBERS.incrementAndGet(), target, true, peer);
        links.add(link);
        // Resolving may block on DNS; connect() must not, so the sender thread does it.
        post(() -> {
            if (link.state() == LinkState.DOWN) {
                return;
            }
            try {
                InetSocketAddress resolved = Addresses.resolve(target);
                byAddress.put(resolved, link);
                link.up(resolved);
            } catch (IOException e) {
                remove(link, "could not resolve " + address + ": " + e.getMessage());
            }
        });
        return link;
    }

    /** Datagrams this link's pacing held back before they went (for tests and the shell). */
    public long pacedDatagrams(Link link) {
        sendLock.lock();
        try {
            return link instanceof UdpLink l ? l.pacedDatagrams : 0;
        } finally {
            sendLock.unlock();
        }
    }

    /** Live links (for tests and the shell). */
    public List<Link> links() {
        return new ArrayList<>(links);
    }

    void remove(UdpLink link, String reason) {
        if (!links.remove(link)) {
            return;
        }
        byAddress.remove(link.address, link);
        link.down(reason);
    }

    // ---- sending ----

    private void post(Runnable item) {
        sendLock.lock();
        try {
            tasks.add(item);
            sendWork.signal();
        } finally {
            sendLock.unlock();
        }
    }

    boolean enqueue(UdpLink link, Transfer t) {
        sendLock.lock();
        try {
            if (stopping) {
                return false;
            }
            link.queue.add(t);
            if (!link.scheduled) {
                link.scheduled = true;
                ready.add(link);
                sendWork.signal();
            }
            return true;
        } finally {
            sendLock.unlock();
        }
    }

    private void sendLoop() {
        byte[] staging = new byte[MAX_UDP];
        DatagramPacket packet = new DatagramPacket(staging, 0);
        for (;;) {
            Runnable task = null;
            Transfer next = null;
            sendLock.lock();
            try {
                while (task == null && next == null) {
                    if (stopping) {
                        return;
                    }
                    task = tasks.poll();
                    if (task != null) {
                        break;
                    }
                    long now = System.nanoTime();
                    long wait = Long.MAX_VALUE;
                    // One round over the links with queued datagrams: the first whose bucket allows its
                    // next datagram sends it and goes to the back; the others are asked again later.
                    for (int i = ready.size(); i > 0 && next == null; i--) {
                        UdpLink l = ready.poll();
                        Transfer t = l.queue.peek();
                        if (t == null) {
                            l.scheduled = false;
                            continue;
                        }
                        // A datagram that will fail (link down, too large) spends no tokens.
                        boolean fails = l.state() != LinkState.UP || t.length() > config.maxDatagramSize();
                        long delay = fails ? 0 : l.bucket.delayNanos(t.length(), now);
                        if (delay == 0) {
                            l.queue.poll();
                            if (!fails) {
                                l.bucket.take(t.length(), now);
                            }
                            if (l.headWaited) {
                                l.headWaited = false;
                                l.pacedDatagrams++;
                            }
                            next = t;
                        } else {
                            wait = Math.min(wait, delay);
                            l.headWaited = true;
                        }
                        if (l.queue.isEmpty()) {
                            l.scheduled = false;
                        } else {
                            ready.add(l);
                        }
                    }
                    if (next == null) {
                        try {
                            if (wait == Long.MAX_VALUE) {
                                sendWork.await();
                            } else {
                                sendWork.awaitNanos(wait);
                            }
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            } finally {
                sendLock.unlock();
            }
            if (task != null) {
                task.run();
            } else {
                send(next, packet, staging);
            }
        }
    }

    private void send(Transfer t, DatagramPacket packet, byte[] staging) {
        UdpLink link = (UdpLink) t.link();
        if (link.state() != LinkState.UP) {
            t.fail("link down");
            return;
        }
        int length = t.length();
        if (length > config.maxDatagramSize()) {
            t.fail("bundle of " + length + " bytes exceeds the datagram size of " + config.maxDatagramSize());
            return;
        }
        if (t.array() != null) {
            packet.setData(t.array(), t.arrayOffset(), length);
        } else {
            t.copy(0, staging, 0, length);
            packet.setData(staging, 0, length);
        }
        packet.setSocketAddress(link.address);
        try {
            socket.send(packet);
        } catch (IOException e) {
            if (!closed) {
                problems.report("send-failed", link.id(), "send to " + link.remoteAddress() + " failed: " + e);
            }
            t.fail("send failed: " + e.getMessage());
            return;
        }
        t.complete();
    }

    // ---- receiving ----

    private void receiveLoop() {
        byte[] buf = new byte[MAX_UDP];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        long nextSweep = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!closed) {
            DatagramSocket s = socket;
            try {
                packet.setData(buf, 0, buf.length);
                s.receive(packet);
                handle(buf, packet.getLength(), (InetSocketAddress) packet.getSocketAddress());
            } catch (SocketTimeoutException e) {
                // time to sweep
            } catch (SocketException e) {
                if (s != socket && !closed) {
                    continue; // rebound by a configuration change
                }
                if (!closed) {
                    LOG.warn("udp: socket failed: {}", e.getMessage());
                }
                return;
            } catch (IOException e) {
                LOG.debug("udp: receive: {}", e.toString());
            }
            long now = System.nanoTime();
            if (now - nextSweep >= 0) {
                sweep(now);
                nextSweep = now + TimeUnit.SECONDS.toNanos(1);
            }
        }
    }

    private void handle(byte[] buf, int n, InetSocketAddress from) {
        String source = Addresses.format(from);
        // A BPv7 bundle is a CBOR array (RFC 9171 §4.1); anything else is not worth the node's time.
        if (n == 0 || (buf[0] & 0xE0) != 0x80) {
            problems.report("malformed", "udp", "dropped a " + n + "-byte datagram from " + source
                    + " that is not a CBOR array");
            return;
        }
        if (n > config.maxDatagramSize() || n > context.maxBundleSize()) {
            dropped("oversize", "udp", "dropped a " + n + "-byte datagram from " + source + " (limit "
                    + Math.min(config.maxDatagramSize(), context.maxBundleSize()) + ")");
            return;
        }
        UdpLink link = byAddress.get(from);
        if (link == null) {
            if (!config.listenEnabled()) {
                dropped("unknown-peer", "udp", "dropped a datagram from " + source + ": no link to it");
                return;
            }
            long inbound = links.stream().filter(l -> !l.outbound()).count();
            if (inbound >= config.maxPeers()) {
                dropped("too-many-peers", "udp", "dropped a datagram from " + source + ": "
                        + inbound + " inbound links already (maxPeers)");
                return;
            }
            link = new UdpLink(this, context, NAME + "-" + NUMBERS.incrementAndGet(), from, false, null);
            links.add(link);
            byAddress.put(from, link);
            link.up(from);
        }
        link.lastHeard = System.nanoTime();
        synchronized (receiveLock) {
            if (link.unresolved >= config.queueLimit() || link.unresolvedBytes + n > config.queueBytes()) {
                dropped("receive-queue-full", link.id(), "dropped a datagram from " + source + ": the node holds "
                        + link.unresolved + " from this peer (queueLimit, queueBytes)");
                return;
            }
            link.unresolved++;
            link.unresolvedBytes += n;
        }
        Verdict v = new Verdict(link, n);
        try {
            context.received(link, ByteBuffer.wrap(Arrays.copyOf(buf, n)), v);
        } catch (Throwable e) {
            LOG.warn("udp: the node failed on a received bundle", e);
            v.refused(RefusalReason.OTHER);
        }
    }

    /** A datagram that may have carried a bundle is dropped: counted, and a rate-limited WARN. */
    private void dropped(String kind, String link, String message) {
        problems.report(kind, link, message);
        dropWarnings.warn(kind, message);
    }

    private void sweep(long now) {
        for (UdpLink l : links) {
            if (!l.outbound() && now - l.lastHeard > idleNanos) {
                remove(l, "idle timeout: nothing received for " + config.idleTimeoutSeconds() + " s");
            }
        }
    }

    /** A datagram cannot be acknowledged: the verdict only frees the link's receive room. */
    private final class Verdict implements Receipt {
        private final UdpLink link;
        private final int length;
        private boolean done;

        Verdict(UdpLink link, int length) {
            this.link = link;
            this.length = length;
        }

        @Override
        public void accepted() {
            release();
        }

        @Override
        public void refused(RefusalReason reason) {
            if (release()) {
                // The node logs why (at WARN, per peer); the layer counts it per kind.
                problems.report("refused-by-node", link.id(), "the node refused a bundle from "
                        + link.remoteAddress() + ": " + reason);
            }
        }

        private boolean release() {
            synchronized (receiveLock) {
                if (done) {
                    return false;
                }
                done = true;
                link.unresolved--;
                link.unresolvedBytes -= length;
                return true;
            }
        }
    }
}
