package org.bpsockets.netlink.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.bundle.BundleId;
import org.bpsockets.api.bundle.BundleStatus;
import org.bpsockets.api.bundle.ReceivedBundle;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.option.SocketOptionNames;
import org.bpsockets.api.transport.BoundSocket;
import org.bpsockets.api.transport.DeliveryResult;
import org.bpsockets.api.transport.OptionValue;
import org.bpsockets.api.transport.TransportSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One registration of this node with the kernel module: the netlink socket, the thread that alone
 * receives on it, and the thread that handles the kernel's requests in the order they came. Anything
 * may send (the socket serialises sends). Built by {@link #register}; closed when the module goes away,
 * the link fails, or the bridge stops.
 */
final class NodeLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeLink.class);
    private static final long ANSWER_TIMEOUT_SECONDS = 10;
    /** Answers remembered per cookie, so a request the kernel sends again is answered, not redone. */
    private static final int REMEMBERED_ANSWERS = 4096;

    private final NetlinkSocket socket;
    private final int familyId;
    private final TransportSession session;
    private final Consumer<String> onFailure;
    private final AtomicInteger seq = new AtomicInteger(1);
    private final Map<Integer, CompletableFuture<NlMessage>> acks = new ConcurrentHashMap<>();
    /** The sequence numbers of DELIVERs and STATUSes whose acknowledgement has not come yet. */
    private final java.util.Set<Integer> socketAcks = ConcurrentHashMap.newKeySet();
    private final Map<Integer, int[]> vouches = new ConcurrentHashMap<>();
    private final BatchWriter writer;
    private final Map<Integer, CompletableFuture<NlMessage>> replies = new ConcurrentHashMap<>();
    private final Map<Integer, Dump> dumps = new ConcurrentHashMap<>();
    private final DeliveryOrder order = new DeliveryOrder();
    private final ExecutorService requests;
    private final Thread reader;
    private final ThreadLocal<MessageWriter> writers = ThreadLocal.withInitial(() -> new MessageWriter(4096));
    private final Set<Long> inProgress = ConcurrentHashMap.newKeySet();
    private final Map<Long, Answer> answered = new LinkedHashMap<>(256, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Answer> eldest) {
            return size() > REMEMBERED_ANSWERS;
        }
    };
    private ByteBuffer receiveBuffer;
    final AtomicLong malformed = new AtomicLong();
    private volatile boolean closing;
    /** Leaving gracefully: new requests of the kernel are left to the next node, the current ones finish. */
    private volatile boolean draining;
    private volatile int maxPayload;
    private volatile boolean backendReady;

    private record Answer(int errno, EndpointId endpoint, BundleId bundle, OptionValue option) {
    }

    private static final class Dump {
        final List<NlMessage> parts = new ArrayList<>();
        final CompletableFuture<List<NlMessage>> done = new CompletableFuture<>();
        boolean interrupted;
    }

    private NodeLink(NetlinkSocket socket, int familyId, TransportSession session, boolean backendReady,
            Consumer<String> onFailure) {
        this.socket = socket;
        this.familyId = familyId;
        this.session = session;
        this.backendReady = backendReady;
        this.onFailure = onFailure;
        this.receiveBuffer = ByteBuffer.allocateDirect(receiveBufferFor(1 << 20));
        this.writer = new BatchWriter(socket, acks, vouches, 1 << 20);
        this.requests = Executors.newSingleThreadExecutor(r -> daemon(r, "bp-netlink-requests"));
        this.reader = daemon(this::receiveLoop, "bp-netlink-receiver");
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Opens a socket, registers as the namespace's node, resynchronises the registry with the bound
     * sockets, and tells the kernel it is ready.
     *
     * @throws NetlinkException EPERM without CAP_NET_ADMIN, EBUSY if another node is registered
     */
    static NodeLink register(int familyId, TransportSession session, KernelConfig config, boolean backendReady,
            Consumer<String> onFailure, Consumer<NodeLink> onRegistered) throws NetlinkException {
        NetlinkSocket socket = NetlinkSocket.open(config.receiveBuffer(), config.sendBuffer(), 250);
        NodeLink link = new NodeLink(socket, familyId, session, backendReady, onFailure);
        link.reader.start();
        try {
            link.doRegister(config.window());
            // Registered: the resync opens endpoints, and the backend delivers what it kept for them at
            // once; those DELIVERs must reach this link, not find none and go back (and come again).
            onRegistered.accept(link);
            link.resync();
            link.nodeState(true);
            return link;
        } catch (NetlinkException | RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /** Closed, or about to be: what is handed to it now would not reach the kernel. */
    boolean closing() {
        return closing;
    }

    int portId() {
        return socket.portId();
    }

    int maxPayload() {
        return maxPayload;
    }

    private void doRegister(int window) throws NetlinkException {
        int s = seq.getAndIncrement();
        CompletableFuture<NlMessage> reply = new CompletableFuture<>();
        replies.put(s, reply);
        MessageWriter w = writer();
        w.begin(familyId, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, s, BpGenl.CMD_REGISTER, BpGenl.FAMILY_VERSION)
                .u32(BpGenl.A_PROTOCOL_VERSION, BpGenl.PROTOCOL_VERSION).u32(BpGenl.A_WINDOW, window).end();
        NlMessage ack = request(s, w);
        checkAck(ack, "REGISTER");
        try {
            Attributes a = reply.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS).attributes();
            maxPayload = a.u32(BpGenl.A_MAX_PAYLOAD);
            LOG.info("Registered with the AF_BP module as node (port {}, protocol {}, address family {}, "
                    + "max payload {} bytes)", socket.portId(), a.u32(BpGenl.A_PROTOCOL_VERSION),
                    a.u32(BpGenl.A_FAMILY), maxPayload);
        } catch (ProtocolException | InterruptedException | ExecutionException | TimeoutException e) {
            throw new NetlinkException("REGISTER reply: " + e, Errno.EIO);
        } finally {
            replies.remove(s);
        }
        // The kernel refuses messages above the send buffer; keep room for the largest delivery.
        socket.setInt(Netlink.SOL_SOCKET, Netlink.SO_SNDBUFFORCE, Math.max(4 << 20, 2 * maxPayload + 65536),
                "SO_SNDBUFFORCE");
    }

    /** Dumps the bound sockets and hands the list to the registry (again after an overflow). */
    void resync() throws NetlinkException {
        for (int attempt = 0; attempt < 5; attempt++) {
            int s = seq.getAndIncrement();
            Dump dump = new Dump();
            dumps.put(s, dump);
            MessageWriter w = writer();
            w.begin(familyId, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, s, BpGenl.CMD_SOCKET_GET,
                    BpGenl.FAMILY_VERSION).end();
            writer.submit(w.finish(), s, null, false);
            List<NlMessage> parts;
            try {
                parts = dump.done.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof NetlinkException ne ? ne
                        : new NetlinkException("SOCKET_GET: " + e.getCause(), Errno.EIO);
            } catch (InterruptedException | TimeoutException e) {
                throw new NetlinkException("SOCKET_GET: " + e, Errno.ETIMEDOUT);
            } finally {
                dumps.remove(s);
            }
            if (dump.interrupted) {
                continue;
            }
            Map<Long, BoundSocket> bound = new TreeMap<>();
            Map<Long, Integer> generations = new HashMap<>();
            for (NlMessage m : parts) {
                try {
                    Attributes a = m.attributes();
                    long id = a.u64(BpGenl.A_SOCKET_ID);
                    bound.put(id, new BoundSocket(EidCodec.read(a, BpGenl.A_EID), EidCodec.readOptions(a)));
                    generations.put(id, a.u32(BpGenl.A_RX_GEN, 0));
                } catch (ProtocolException e) {
                    malformed.incrementAndGet();
                    LOG.warn("Skipping a malformed socket in the dump: {}", e.getMessage());
                }
            }
            Map<Long, BpException> failures = session.resync(bound);
            failures.forEach((id, e) -> LOG.warn("Socket {} stays bound but its endpoint is not open: {}", id,
                    e.getMessage()));
            for (Long id : bound.keySet()) {
                if (order.drained(id, generations.get(id))) {
                    session.drained(id);
                }
            }
            LOG.info("Resynchronised {} bound sockets with the kernel", bound.size());
            return;
        }
        throw new NetlinkException("SOCKET_GET kept being interrupted", Errno.EAGAIN);
    }

    /** The largest datagram the kernel sends: a SEND of the largest payload and its attributes. */
    private static int receiveBufferFor(int maxPayload) {
        return maxPayload + (maxPayload / BpGenl.PAYLOAD_CHUNK + 1) * Netlink.NLA_HDRLEN + 65536;
    }

    /** The backend state to tell the kernel, now and after every resynchronisation. */
    void backendReady(boolean ready) throws NetlinkException {
        backendReady = ready;
        nodeState(false);
    }

    private void nodeState(boolean ready) throws NetlinkException {
        int s = seq.getAndIncrement();
        MessageWriter w = writer();
        w.begin(familyId, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, s, BpGenl.CMD_NODE_STATE, BpGenl.FAMILY_VERSION);
        if (ready) {
            w.u8(BpGenl.A_READY, 1);
        }
        w.u8(BpGenl.A_BACKEND_READY, backendReady ? 1 : 0).end();
        checkAck(request(s, w), "NODE_STATE");
    }

    /** Hands an ADU to a socket: ACCEPTED once the kernel queued it, FULL or GONE otherwise. */
    CompletionStage<DeliveryResult> deliver(long socketId, ReceivedBundle bundle) {
        int s = seq.getAndIncrement();
        MessageWriter w = writer();
        w.begin(familyId, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, s, BpGenl.CMD_DELIVER, BpGenl.FAMILY_VERSION)
                .u64(BpGenl.A_SOCKET_ID, socketId).u32(BpGenl.A_RX_GEN, order.sending(socketId));
        EidCodec.write(w, BpGenl.A_SRC_EID, bundle.source());
        w.u64(BpGenl.A_CREATION_TIME, bundle.id().creationTime()).u64(BpGenl.A_SEQUENCE, bundle.id().sequence())
                .u64(BpGenl.A_LIFETIME_MS, bundle.lifetime().toMillis())
                .u32(BpGenl.A_DELIVERY_FLAGS, (bundle.administrativeRecord() ? BpGenl.DELIVERY_F_ADMIN_RECORD : 0)
                        | (bundle.applicationAckRequested() ? BpGenl.DELIVERY_F_ACK_REQUESTED : 0));
        writePayload(w, bundle.payload());
        w.end();
        // The answer is handled (the registry's callbacks run) before a DRAINED held for it is passed on.
        CompletableFuture<DeliveryResult> handled = new CompletableFuture<>();
        submitForSocket(w, s, "DELIVER of", bundle.id(), socketId, Set.of(Errno.ENOENT)).whenComplete((r, e) -> {
            try {
                if (e == null) {
                    handled.complete(r);
                } else {
                    handled.completeExceptionally(e);
                }
            } finally {
                if (order.answered(socketId)) {
                    try {
                        requests.execute(() -> session.drained(socketId));
                    } catch (RejectedExecutionException closed) {
                        // Closed: the next node's resync counts every socket as drained.
                    }
                }
            }
        });
        return handled;
    }

    /**
     * Sends something for a socket that the kernel acks with what became of it: 0 ACCEPTED, ENOBUFS
     * FULL, anything else GONE (logged unless it is one of the {@code expected} errnos).
     */
    private CompletionStage<DeliveryResult> submitForSocket(MessageWriter w, int s, String what, Object item,
            long socketId, Set<Integer> expected) {
        CompletableFuture<NlMessage> ack = new CompletableFuture<>();
        socketAcks.add(s);
        ack.whenComplete((m, e) -> socketAcks.remove(s));
        writer.submit(w.finish(), s, ack, true);
        return ack.thenApply(m -> {
            int errno;
            try {
                errno = m.errno();
            } catch (ProtocolException e) {
                errno = Errno.EIO;
            }
            if (errno == 0) {
                return DeliveryResult.ACCEPTED;
            }
            if (errno == Errno.ENOBUFS) {
                return DeliveryResult.FULL;
            }
            if (!expected.contains(errno)) {
                LOG.warn("{} {} to socket {} refused: errno {} {}", what, item, socketId, errno, m.extackMessage());
            }
            return DeliveryResult.GONE;
        });
    }

    /**
     * Hands a status report to a socket's error queue: ACCEPTED once queued; FULL if the queue has no
     * room; GONE if the socket is gone or does not read reports (BP_RECVSTATUS off).
     */
    CompletionStage<DeliveryResult> deliverStatus(long socketId, BundleStatus status) {
        int s = seq.getAndIncrement();
        MessageWriter w = writer();
        w.begin(familyId, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, s, BpGenl.CMD_STATUS, BpGenl.FAMILY_VERSION)
                .u64(BpGenl.A_SOCKET_ID, socketId).u32(BpGenl.A_STATUS, SocketOptionNames.reportBits(status.asserted()));
        EidCodec.write(w, BpGenl.A_SRC_EID, status.reporter());
        EidCodec.write(w, BpGenl.A_EID, status.subject().source());
        w.u64(BpGenl.A_CREATION_TIME, status.subject().creationTime())
                .u64(BpGenl.A_SEQUENCE, status.subject().sequence())
                .u64(BpGenl.A_STATUS_TIME, status.eventTime()).u32(BpGenl.A_REASON, status.reasonCode());
        if (status.subject().isFragment()) {
            w.u64(BpGenl.A_FRAG_OFFSET, status.subject().fragmentOffset())
                    .u64(BpGenl.A_FRAG_LENGTH, status.fragmentLength());
        }
        w.end();
        // EOPNOTSUPP: a module older than the STATUS command.
        return submitForSocket(w, s, "STATUS about", status.subject(), socketId,
                Set.of(Errno.ENOENT, Errno.ENOPROTOOPT, Errno.EOPNOTSUPP));
    }

    private static void writePayload(MessageWriter w, ByteBuffer payload) {
        ByteBuffer rest = payload.duplicate();
        do {
            ByteBuffer chunk = rest.duplicate();
            chunk.limit(chunk.position() + Math.min(rest.remaining(), BpGenl.PAYLOAD_CHUNK));
            w.bytes(BpGenl.A_PAYLOAD, chunk);
            rest.position(chunk.limit());
        } while (rest.hasRemaining());
    }

    private MessageWriter writer() {
        return writers.get().reset();
    }

    private NlMessage request(int s, MessageWriter w) throws NetlinkException {
        CompletableFuture<NlMessage> ack = new CompletableFuture<>();
        try {
            writer.submit(w.finish(), s, ack, false);
            return ack.get(ANSWER_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof NetlinkException ne ? ne
                    : new NetlinkException("request: " + e.getCause(), Errno.EIO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NetlinkException("interrupted", Errno.EINTR);
        } catch (TimeoutException e) {
            throw new NetlinkException("the kernel did not acknowledge", Errno.ETIMEDOUT);
        } finally {
            acks.remove(s);
        }
    }

    private static void checkAck(NlMessage ack, String what) throws NetlinkException {
        try {
            int errno = ack.errno();
            if (errno != 0) {
                throw new NetlinkException(what, errno, ack.extackMessage());
            }
        } catch (ProtocolException e) {
            throw new NetlinkException(what + ": " + e.getMessage(), Errno.EIO);
        }
    }

    // ---- receiving ----

    private void receiveLoop() {
        while (!closing) {
            try {
                int needed = receiveBufferFor(maxPayload);
                if (receiveBuffer.capacity() < needed) {
                    receiveBuffer = ByteBuffer.allocateDirect(needed);
                }
                if (!socket.receive(receiveBuffer)) {
                    continue;
                }
                dispatch(receiveBuffer);
            } catch (NetlinkException e) {
                if (closing) {
                    return;
                }
                if (e.errno == Errno.ENOBUFS) {
                    LOG.warn("The node's netlink socket overflowed; resynchronising with the kernel");
                    requests.execute(this::recoverFromOverflow);
                    continue;
                }
                LOG.error("Receiving from the kernel failed", e);
                onFailure.accept(e.getMessage());
                return;
            } catch (RuntimeException e) {
                LOG.error("Unexpected failure handling a kernel message", e);
            }
        }
    }

    private void dispatch(ByteBuffer datagram) {
        List<NlMessage> messages;
        try {
            messages = NlMessage.parseAll(datagram);
        } catch (ProtocolException e) {
            malformed.incrementAndGet();
            LOG.warn("Malformed datagram from the kernel: {}", e.getMessage());
            return;
        }
        for (NlMessage m : messages) {
            try {
                dispatch(m);
            } catch (ProtocolException e) {
                malformed.incrementAndGet();
                LOG.warn("Malformed message from the kernel (type {}): {}", m.type, e.getMessage());
            }
        }
    }

    private void dispatch(NlMessage m) throws ProtocolException {
        if (m.isError()) {
            // Earlier messages of the batch that failed were acknowledged (and removed) before this.
            int[] vouched = vouches.remove(m.seq);
            if (vouched != null) {
                for (int earlier : vouched) {
                    CompletableFuture<NlMessage> ok = acks.remove(earlier);
                    if (ok != null) {
                        ok.complete(NlMessage.implicitAck(earlier));
                    }
                }
            }
            CompletableFuture<NlMessage> ack = acks.remove(m.seq);
            if (ack != null) {
                ack.complete(m.copy());
                return;
            }
            Dump dump = dumps.get(m.seq);
            if (dump != null) {
                dump.done.completeExceptionally(new NetlinkException("SOCKET_GET", m.errno(), m.extackMessage()));
            }
            return;
        }
        if (m.isDone()) {
            Dump dump = dumps.get(m.seq);
            if (dump != null) {
                dump.interrupted |= (m.flags & Netlink.NLM_F_DUMP_INTR) != 0;
                dump.done.complete(dump.parts);
            }
            return;
        }
        if (m.type != familyId) {
            return;
        }
        int command = m.command();
        if (command == BpGenl.CMD_REGISTER) {
            CompletableFuture<NlMessage> reply = replies.get(m.seq);
            if (reply != null) {
                reply.complete(m.copy());
            }
        } else if (command == BpGenl.CMD_SOCKET_GET) {
            Dump dump = dumps.get(m.seq);
            if (dump != null) {
                dump.interrupted |= (m.flags & Netlink.NLM_F_DUMP_INTR) != 0;
                dump.parts.add(m.copy());
            }
        } else if (!draining) {
            KernelRequest request = KernelRequest.decode(command, m.attributes());
            requests.execute(() -> handle(request));
        }
    }

    /**
     * An overflow may have taken the acknowledgements of DELIVERs and STATUSes with it: each one still
     * unanswered counts as refused for want of room (the registry keeps it), and the resync then counts
     * every socket as drained, so they are handed over again. One that the kernel had in fact queued
     * reaches its application twice: delivery is at least once (docs/netlink-protocol.md), never lost
     * and never stuck waiting for an answer that will not come.
     */
    private void recoverFromOverflow() {
        int retried = 0;
        for (Integer s : List.copyOf(socketAcks)) {
            CompletableFuture<NlMessage> ack = acks.remove(s);
            if (ack != null && ack.complete(NlMessage.syntheticError(s, Errno.ENOBUFS))) {
                retried++;
            }
        }
        if (retried > 0) {
            LOG.warn("{} deliveries or reports lost their answer in the overflow; they are handed over again", retried);
        }
        try {
            resync();
            nodeState(true);
        } catch (NetlinkException e) {
            LOG.error("Resynchronising after an overflow failed", e);
            onFailure.accept(e.getMessage());
        }
    }

    // ---- the kernel's requests, in order, on the request thread ----

    private void handle(KernelRequest request) {
        long cookie = request.cookie();
        if (cookie >= 0) {
            Answer previous;
            synchronized (answered) {
                previous = answered.get(cookie);
            }
            if (previous != null) {
                answer(cookie, previous);
                return;
            }
            if (!inProgress.add(cookie)) {
                return;
            }
        }
        try {
            if (request instanceof KernelRequest.Bind b) {
                try {
                    EndpointId bound = session.bind(b.socketId(), b.endpoint(), b.options());
                    finish(cookie, new Answer(0, bound, null, null));
                } catch (BpException e) {
                    LOG.info("bind of socket {} to {} refused: {}", b.socketId(), b.endpoint(), e.getMessage());
                    finish(cookie, new Answer(Errno.of(e.error()), null, null, null));
                }
            } else if (request instanceof KernelRequest.Send s) {
                session.send(s.socketId(), s.source(), s.destination(), s.payload(), s.options())
                        .whenComplete((id, failure) -> {
                            if (failure == null) {
                                finish(cookie, new Answer(0, null, id, null));
                            } else {
                                BpException e = unwrap(failure);
                                LOG.debug("send from socket {} refused: {}", s.socketId(), e.getMessage());
                                finish(cookie, new Answer(Errno.of(e.error()), null, null, null));
                            }
                        });
            } else if (request instanceof KernelRequest.SetOption o) {
                try {
                    session.setOption(o.socketId(), o.option());
                    finish(cookie, new Answer(0, null, null, null));
                } catch (BpException e) {
                    finish(cookie, new Answer(Errno.of(e.error()), null, null, null));
                }
            } else if (request instanceof KernelRequest.GetOption g) {
                try {
                    ByteBuffer value = session.option(g.socketId(), g.name());
                    byte[] bytes = new byte[value.remaining()];
                    value.duplicate().get(bytes);
                    finish(cookie, new Answer(0, null, null, OptionValue.of(g.name(), bytes)));
                } catch (BpException e) {
                    finish(cookie, new Answer(Errno.of(e.error()), null, null, null));
                }
            } else if (request instanceof KernelRequest.Release r) {
                order.forget(r.socketId());
                session.release(r.socketId());
            } else if (request instanceof KernelRequest.Drained d) {
                if (order.drained(d.socketId(), d.generation())) {
                    session.drained(d.socketId());
                }
            }
        } catch (RuntimeException e) {
            LOG.error("Handling {} failed", request, e);
            if (cookie >= 0) {
                finish(cookie, new Answer(Errno.EIO, null, null, null));
            }
        }
    }

    private static BpException unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof BpException b ? b : new BpException(BpError.BACKEND_FAILURE, String.valueOf(t), t);
    }

    private void finish(long cookie, Answer answer) {
        synchronized (answered) {
            answered.put(cookie, answer);
        }
        inProgress.remove(cookie);
        answer(cookie, answer);
    }

    private void answer(long cookie, Answer answer) {
        MessageWriter w = writer();
        w.begin(familyId, Netlink.NLM_F_REQUEST, seq.getAndIncrement(), BpGenl.CMD_REPLY, BpGenl.FAMILY_VERSION)
                .u64(BpGenl.A_COOKIE, cookie).u32(BpGenl.A_ERRNO, answer.errno());
        if (answer.endpoint() != null) {
            EidCodec.write(w, BpGenl.A_EID, answer.endpoint());
        }
        if (answer.bundle() != null) {
            w.u64(BpGenl.A_CREATION_TIME, answer.bundle().creationTime())
                    .u64(BpGenl.A_SEQUENCE, answer.bundle().sequence());
        }
        if (answer.option() != null) {
            EidCodec.writeOption(w, BpGenl.A_OPTION, answer.option());
        }
        w.end();
        writer.submit(w.finish(), 0, null, false);
    }

    /**
     * Leaves the kernel without losing or doubling a send: requests that arrive from now on are not
     * taken (the kernel gives them to the next node), and those taken are answered before the socket
     * closes, up to {@code seconds}. A SEND the node stored but never answered would be sent again by
     * the kernel to the next node and become a second bundle.
     */
    void closeGracefully(int seconds) {
        draining = true;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        requests.shutdown();
        try {
            requests.awaitTermination(seconds, TimeUnit.SECONDS);
            while (!inProgress.isEmpty() && System.nanoTime() - end < 0) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!inProgress.isEmpty()) {
            LOG.warn("Leaving the kernel with {} requests unanswered: the next node gets them", inProgress.size());
        }
        close();
    }

    @Override
    public void close() {
        closing = true;
        requests.shutdown();
        try {
            reader.join(2000);
            requests.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        socket.close();
        NetlinkException gone = new NetlinkException("the link to the kernel closed", Errno.EIO);
        acks.values().forEach(f -> f.completeExceptionally(gone));
        replies.values().forEach(f -> f.completeExceptionally(gone));
        dumps.values().forEach(d -> d.done.completeExceptionally(gone));
    }
}
