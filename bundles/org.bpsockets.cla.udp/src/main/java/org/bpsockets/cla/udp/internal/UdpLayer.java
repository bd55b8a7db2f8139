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
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bundle per UDP datagram over one socket: a receiver thread turns datagrams into bundles (a new
 * source address becomes an inbound link), a sender thread sends the links' queued bundles. Nothing
 * is acknowledged, so nothing is retransmitted: reliability is the node's business.
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

    final UdpConfig config;
    final ClaContext context;
    final Problems problems = new Problems(LOG);
    final Object receiveLock = new Object();
    private final DatagramSocket socket;
    private final Map<InetSocketAddress, UdpLink> byAddress = new ConcurrentHashMap<>();
    private final Set<UdpLink> links = ConcurrentHashMap.newKeySet();
    private final long idleNanos;
    private volatile boolean closed;

    private final ReentrantLock sendLock = new ReentrantLock();
    private final Condition sendWork = sendLock.newCondition();
    private ArrayDeque<Object> sendQueue = new ArrayDeque<>();
    private boolean stopping;

    private final Thread receiver;
    private final Thread sender;

    @Activate
    public UdpLayer(@Reference(name = "context") ClaContext context, UdpConfig config) throws IOException {
        this.context = context;
        this.config = config;
        this.idleNanos = TimeUnit.SECONDS.toNanos(config.idleTimeoutSeconds());
        if (config.listenAddress() == null || config.listenAddress().isBlank()) {
            throw new IOException("udp: no listener address configured");
        }
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
        socket = s;
        LOG.info("udp: socket on {}{}", Addresses.format((InetSocketAddress) s.getLocalSocketAddress()),
                config.listenEnabled() ? "" : " (only peers of outbound links are heard)");
        receiver = ClaThreads.start("bp-udp-rx", this::receiveLoop);
        sender = ClaThreads.start("bp-udp-tx", this::sendLoop);
    }

    @Deactivate
    void deactivate() {
        closed = true;
        List<Object> left;
        sendLock.lock();
        try {
            stopping = true;
            left = new ArrayList<>(sendQueue);
            sendQueue.clear();
            sendWork.signal();
        } finally {
            sendLock.unlock();
        }
        socket.close();
        ClaThreads.join(receiver, 2000);
        ClaThreads.join(sender, 2000);
        for (Object o : left) {
            if (o instanceof Transfer t) {
                t.fail("convergence layer stopped");
            }
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
            sendQueue.add(item);
            if (sendQueue.size() == 1) {
                sendWork.signal();
            }
        } finally {
            sendLock.unlock();
        }
    }

    boolean enqueue(Transfer t) {
        sendLock.lock();
        try {
            if (stopping) {
                return false;
            }
            sendQueue.add(t);
            if (sendQueue.size() == 1) {
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
        ArrayDeque<Object> batch = new ArrayDeque<>();
        for (;;) {
            sendLock.lock();
            try {
                while (sendQueue.isEmpty() && !stopping) {
                    sendWork.awaitUninterruptibly();
                }
                if (stopping) {
                    return;
                }
                ArrayDeque<Object> full = sendQueue;
                sendQueue = batch;
                batch = full;
            } finally {
                sendLock.unlock();
            }
            Object item;
            while ((item = batch.poll()) != null) {
                if (item instanceof Runnable r) {
                    r.run();
                } else {
                    send((Transfer) item, packet, staging);
                }
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
            try {
                packet.setData(buf, 0, buf.length);
                socket.receive(packet);
                handle(buf, packet.getLength(), (InetSocketAddress) packet.getSocketAddress());
            } catch (SocketTimeoutException e) {
                // time to sweep
            } catch (SocketException e) {
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
            problems.report("oversize", "udp", "dropped a " + n + "-byte datagram from " + source);
            return;
        }
        UdpLink link = byAddress.get(from);
        if (link == null) {
            if (!config.listenEnabled()) {
                problems.report("unknown-peer", "udp", "dropped a datagram from " + source + ": no link to it");
                return;
            }
            long inbound = links.stream().filter(l -> !l.outbound()).count();
            if (inbound >= config.maxPeers()) {
                problems.report("too-many-peers", "udp", "dropped a datagram from " + source + ": "
                        + inbound + " inbound links already");
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
                problems.report("receive-queue-full", link.id(), "dropped a datagram: the node holds "
                        + link.unresolved + " from this peer");
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
                LOG.debug("udp: {} refused a bundle from {}: {}", "node", link.remoteAddress(), reason);
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
