package org.bpsockets.backend.ud3tn.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPMessage;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.AAPResponse;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.Bundle;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.BundleADU;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.ConnectionConfig;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.Keepalive;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.ResponseStatus;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.Welcome;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;

/**
 * An AAP 2.0 agent written from the protocol description (shared/ref/ud3tn-aap2.md), with µD3TN
 * v0.13.0's rules: magic byte and Welcome, one active and one passive registration per endpoint with
 * the same non-empty secret, strict request/response, an ADU to a local endpoint pushed to its
 * subscriber, which must answer within 1 s or loses the connection and the bundle, keepalives both
 * ways, ERROR without reading the payload above the size limit (as µD3TN does). Violations are
 * counted for the tests to assert on. As µD3TN, it creates a sent bundle only once its answer went
 * out ("send(): Broken pipe" when the client has gone: the bundle is dropped), and when a subscriber
 * is cut it drops every ADU queued for that endpoint. It can be made slow ({@link #answerDelayMillis})
 * and can cut a subscription as µD3TN does after a late answer ({@link #dropSubscription}).
 */
final class Aap2TestServer implements AutoCloseable {

    record Pushed(String destination, String source, byte[] payload) {
    }

    final Path path;
    final String nodeId;
    final long maxPayload;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger subscriptions = new AtomicInteger();
    final AtomicInteger keepalivesAnswered = new AtomicInteger();
    final AtomicInteger keepalivesReceived = new AtomicInteger();
    final AtomicInteger lostToTimeout = new AtomicInteger();
    final AtomicInteger successes = new AtomicInteger();
    final AtomicInteger errors = new AtomicInteger();
    final AtomicInteger adusSent = new AtomicInteger();
    /** Sent bundles dropped because the client closed before their answer could be written. */
    final AtomicInteger droppedClientGone = new AtomicInteger();
    /** ADUs dropped because their endpoint's subscriber was gone or cut when their turn came. */
    final AtomicInteger droppedUnsent = new AtomicInteger();
    /** How long the agent takes before answering a sent ADU: a slow µD3TN. */
    volatile long answerDelayMillis;
    final List<String> violations = new CopyOnWriteArrayList<>();
    /** Bundles sent to endpoints of other nodes, or to a local endpoint nobody subscribes to (dropped). */
    final BlockingQueue<Pushed> elsewhere = new LinkedBlockingQueue<>();
    /** The subscriber's answer to each pushed ADU, in order. */
    final BlockingQueue<ResponseStatus> answers = new LinkedBlockingQueue<>();
    private final Map<String, Conn> subscribers = new ConcurrentHashMap<>();
    private final Map<String, Conn> senders = new ConcurrentHashMap<>();
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final ServerSocketChannel server;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /**
     * Runs the agent as a process of its own (for the Pax Exam tests): {@code SOCKET NODE-ID}; prints
     * "ready" once it listens and stops when its standard input closes.
     */
    public static void main(String[] args) throws IOException {
        try (Aap2TestServer server = new Aap2TestServer(Path.of(args[0]), args[1], 1 << 20)) {
            System.out.println("ready");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the parent goes away
            }
        }
    }

    Aap2TestServer(Path path, String nodeId, long maxPayload) throws IOException {
        this.path = path;
        this.nodeId = nodeId;
        this.maxPayload = maxPayload;
        Files.deleteIfExists(path);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Thread t = new Thread(this::accept, "aap2-test-server");
        t.setDaemon(true);
        t.start();
    }

    private void accept() {
        while (!closed) {
            try {
                SocketChannel ch = server.accept();
                open.add(ch);
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(new Conn(ch)), "aap2-test-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One client connection: its role is decided by its ConnectionConfig. */
    final class Conn {
        final SocketChannel ch;
        final ByteBuffer in = ByteBuffer.allocate(1 << 16).flip();
        String endpoint;
        int keepaliveSeconds;
        volatile long lastHeard = System.nanoTime();

        Conn(SocketChannel ch) {
            this.ch = ch;
        }

        void send(MessageLite m, byte[] payload) throws IOException {
            byte[] body = m.toByteArray();
            byte[] head = new byte[CodedOutputStream.computeUInt32SizeNoTag(body.length)];
            CodedOutputStream.newInstance(head).writeUInt32NoTag(body.length);
            ByteBuffer[] parts = {ByteBuffer.wrap(head), ByteBuffer.wrap(body),
                    ByteBuffer.wrap(payload == null ? new byte[0] : payload)};
            synchronized (this) {
                while (parts[2].hasRemaining() || parts[1].hasRemaining()) {
                    ch.write(parts);
                }
            }
        }

        byte[] read(int n) throws IOException {
            byte[] out = new byte[n];
            int off = 0;
            while (off < n) {
                if (!in.hasRemaining()) {
                    in.clear();
                    int r = ch.read(in);
                    in.flip();
                    if (r < 0) {
                        throw new IOException("client closed");
                    }
                }
                int k = Math.min(n - off, in.remaining());
                in.get(out, off, k);
                off += k;
            }
            return out;
        }

        byte[] frame() throws IOException {
            int len = 0;
            for (int shift = 0;; shift += 7) {
                int b = read(1)[0] & 0xFF;
                len |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            byte[] f = read(len);
            lastHeard = System.nanoTime();
            return f;
        }

        void close() {
            try {
                ch.close();
            } catch (IOException e) {
                // gone
            }
        }
    }

    private void serve(Conn c) {
        try {
            c.ch.write(ByteBuffer.wrap(new byte[] {0x2F}));
            c.send(AAPMessage.newBuilder().setWelcome(Welcome.newBuilder().setNodeId(nodeId)).build(), null);
            AAPMessage first = AAPMessage.parseFrom(c.frame());
            if (!first.hasConfig()) {
                violations.add("first message was " + first.getMsgCase());
                c.close();
                return;
            }
            ConnectionConfig cfg = first.getConfig();
            ResponseStatus status = register(c, cfg);
            c.send(response(status), null);
            if (status != ResponseStatus.RESPONSE_STATUS_SUCCESS) {
                return;
            }
            if (cfg.getIsSubscriber()) {
                subscriptions.incrementAndGet();
                passive(c);
            } else {
                active(c);
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            if (c.endpoint != null) {
                subscribers.remove(c.endpoint, c);
                senders.remove(c.endpoint, c);
            }
            c.close();
        }
    }

    private ResponseStatus register(Conn c, ConnectionConfig cfg) {
        String id = cfg.getEndpointId();
        if (cfg.getSecret().isEmpty()) {
            violations.add("empty secret for " + id + " (crashes v0.13.0)");
            return ResponseStatus.RESPONSE_STATUS_INVALID_REQUEST;
        }
        // As µD3TN: a full, valid EID whose node part is not checked; ipn services are numbers.
        try {
            org.bpsockets.api.eid.EndpointId.parse(id);
        } catch (RuntimeException e) {
            return ResponseStatus.RESPONSE_STATUS_INVALID_REQUEST;
        }
        String known = secrets.putIfAbsent(id, cfg.getSecret());
        Map<String, Conn> role = cfg.getIsSubscriber() ? subscribers : senders;
        if ((known != null && !known.equals(cfg.getSecret()) && (subscribers.containsKey(id) || senders.containsKey(id)))
                || role.putIfAbsent(id, c) != null) {
            return ResponseStatus.RESPONSE_STATUS_UNAUTHORIZED;
        }
        secrets.put(id, cfg.getSecret());
        c.endpoint = id;
        c.keepaliveSeconds = cfg.getKeepaliveSeconds();
        return ResponseStatus.RESPONSE_STATUS_SUCCESS;
    }

    private void active(Conn c) throws IOException {
        if (c.keepaliveSeconds > 0) {
            Thread watchdog = new Thread(() -> {
                while (c.ch.isOpen()) {
                    if (System.nanoTime() - c.lastHeard > 2L * c.keepaliveSeconds * 1_000_000_000L) {
                        violations.add("active client of " + c.endpoint + " silent for 2x its keepalive");
                        c.close();
                    }
                    sleep(100);
                }
            });
            watchdog.setDaemon(true);
            watchdog.start();
        }
        while (true) {
            AAPMessage m = AAPMessage.parseFrom(c.frame());
            if (m.hasKeepalive()) {
                keepalivesReceived.incrementAndGet();
                c.send(response(ResponseStatus.RESPONSE_STATUS_ACK), null);
            } else if (m.hasAdu()) {
                BundleADU adu = m.getAdu();
                if (adu.getCreationTimestampMs() != 0 || adu.getSequenceNumber() != 0) {
                    c.send(response(ResponseStatus.RESPONSE_STATUS_INVALID_REQUEST), null);
                    continue;
                }
                if (adu.getPayloadLength() > maxPayload) {
                    // As µD3TN: ERROR, and the payload is not read.
                    c.send(response(ResponseStatus.RESPONSE_STATUS_ERROR), null);
                    continue;
                }
                byte[] payload = c.read((int) adu.getPayloadLength());
                String source = c.endpoint;
                long seq = sequence.getAndIncrement();
                if (answerDelayMillis > 0) {
                    sleep(answerDelayMillis);
                }
                try {
                    c.send(AAPResponse.newBuilder().setResponseStatus(ResponseStatus.RESPONSE_STATUS_SUCCESS)
                        .setBundleHeaders(Bundle.newBuilder().setSrcEid(source).setDstEid(adu.getDstEid())
                                .setCreationTimestampMs(1000).setSequenceNumber(seq)
                                .setPayloadLength(payload.length).setLifetimeMs(86_400_000))
                        .build(), null);
                } catch (IOException e) {
                    droppedClientGone.incrementAndGet();
                    throw e;
                }
                route(adu.getDstEid(), source, payload, seq);
            } else {
                violations.add("active client sent " + m.getMsgCase());
                return;
            }
        }
    }

    private void route(String destination, String source, byte[] payload, long seq) {
        if (subscribers.containsKey(destination)) {
            pushAsync(destination, source, payload, seq);
            return;
        }
        elsewhere.add(new Pushed(destination, source, payload));
    }

    /** As µD3TN: one ADU after another, in the order they were routed. */
    private final java.util.concurrent.ExecutorService pusher = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "aap2-test-push");
        t.setDaemon(true);
        return t;
    });

    private void pushAsync(String id, String source, byte[] payload, long seq) {
        pusher.execute(() -> push(id, source, payload, seq));
    }

    /** µD3TN pushes one ADU to the subscriber of endpoint {@code id} and waits at most 1 s for its answer. */
    synchronized ResponseStatus push(String id, String source, byte[] payload, long seq) {
        Conn c = subscribers.get(id);
        if (c == null) {
            droppedUnsent.incrementAndGet();
            return null;
        }
        try {
            synchronized (c) {
                pushed.put(c, new LinkedBlockingQueue<>());
            }
            c.send(AAPMessage.newBuilder().setAdu(BundleADU.newBuilder().setSrcEid(source)
                    .setDstEid(id).setCreationTimestampMs(1000).setSequenceNumber(seq)
                    .setPayloadLength(payload.length)).build(), payload);
            adusSent.incrementAndGet();
            ResponseStatus s = pushed.get(c).poll(1, TimeUnit.SECONDS);
            if (s == null) {
                lostToTimeout.incrementAndGet();
                subscribers.remove(id, c);
                c.close();
                return null;
            }
            (s == ResponseStatus.RESPONSE_STATUS_SUCCESS ? successes : errors).incrementAndGet();
            answers.add(s);
            return s;
        } catch (IOException | InterruptedException e) {
            droppedUnsent.incrementAndGet();
            return null;
        }
    }

    /** Cuts the subscription of endpoint {@code id} as µD3TN does after a late answer. */
    void dropSubscription(String id) {
        Conn c = subscribers.remove(id);
        if (c != null) {
            c.close();
        }
    }

    /** Sending registrations currently open. */
    int activeSenders() {
        return senders.size();
    }

    private final Map<Conn, BlockingQueue<ResponseStatus>> pushed = new ConcurrentHashMap<>();

    private void passive(Conn c) throws IOException {
        Thread reader = Thread.currentThread();
        if (c.keepaliveSeconds > 0) {
            Thread pinger = new Thread(() -> {
                while (c.ch.isOpen()) {
                    sleep(c.keepaliveSeconds * 1000L);
                    synchronized (this) {
                        try {
                            pushed.put(c, new LinkedBlockingQueue<>());
                            c.send(AAPMessage.newBuilder().setKeepalive(Keepalive.getDefaultInstance()).build(), null);
                            ResponseStatus s = pushed.get(c).poll(1, TimeUnit.SECONDS);
                            if (s == ResponseStatus.RESPONSE_STATUS_ACK) {
                                keepalivesAnswered.incrementAndGet();
                            } else {
                                violations.add("keepalive to subscriber " + c.endpoint + " answered " + s);
                                c.close();
                            }
                        } catch (IOException | InterruptedException e) {
                            return;
                        }
                    }
                }
            });
            pinger.setDaemon(true);
            pinger.start();
        }
        while (true) {
            AAPResponse r = AAPResponse.parseFrom(c.frame());
            BlockingQueue<ResponseStatus> q = pushed.get(c);
            if (q == null) {
                violations.add("subscriber " + c.endpoint + " sent unsolicited bytes");
                c.close();
                return;
            }
            q.add(r.getResponseStatus());
        }
    }

    boolean subscribed(String id) {
        return subscribers.containsKey(id);
    }

    /** Registers endpoint {@code id} for receiving from a foreign client: the backend must then get UNAUTHORIZED. */
    void occupy(String id) {
        secrets.put(id, "someone-else");
        subscribers.put(id, new Conn(null));
    }

    private static AAPResponse response(ResponseStatus s) {
        return AAPResponse.newBuilder().setResponseStatus(s).build();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        pusher.shutdownNow();
        server.close();
        for (SocketChannel ch : open) {
            ch.close();
        }
        Files.deleteIfExists(path);
    }
}
