package org.bpsockets.cla.common;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.bpsockets.node.api.cla.ClaContext;
import org.bpsockets.node.api.cla.LinkState;
import org.bpsockets.node.api.cla.RefusalReason;
import org.slf4j.Logger;

/**
 * A link over one TCP connection, served by two threads: the reader connects (outbound), runs the
 * handshake, then parses the peer's messages; the writer sends queued transfers, control messages and
 * keepalives, batching as many as are ready into each write. The reader owns the session's end: it
 * alone calls {@link #finish}, which fails what is left and reports the link down.
 *
 * <p>One lock guards the queues, the verdicts, the protocol's in-flight records (subclasses use
 * {@link #lock} for theirs) and the termination state. No callback to the node runs under it.
 */
public abstract class StreamSession extends AbstractLink {

    /** Settings every stream layer has. */
    public record Settings(int queueLimit, long queueBytes, int connectTimeoutMillis, int handshakeTimeoutMillis,
            int closeTimeoutMillis, int bufferSize) {
    }

    private static final int BATCH = 512;
    /** Control bytes the writer has not taken yet beyond which the reader stops reading (a peer not reading). */
    private static final int CONTROL_LIMIT = 1 << 20;

    protected final Logger log;
    protected final Settings settings;
    protected final Problems problems;
    private final InetSocketAddress target;
    private volatile Socket socket;
    private volatile Socket io;
    protected InBuf in;
    protected OutBuf out;

    protected final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition room = lock.newCondition();

    // Guarded by lock.
    private final ArrayDeque<Transfer> queue = new ArrayDeque<>();
    private CtrlBuf ctrl = new CtrlBuf(512);
    private final ArrayDeque<Incoming> verdicts = new ArrayDeque<>();
    private int unresolved;
    private long unresolvedBytes;
    private boolean terminating;
    private boolean peerInitiated;
    private String terminateReason;
    private boolean terminationWritten;
    private long deadline;
    private boolean stop;
    private boolean finished;
    private long keepaliveNanos;

    private volatile boolean sending;
    private volatile boolean ctrlPending;
    private volatile Thread writer;
    private Runnable onFinish = () -> { };
    private final CountDownLatch ended = new CountDownLatch(1);

    // Writer thread only.
    private CtrlBuf spare = new CtrlBuf(512);
    private final List<Transfer> unflushed = new ArrayList<>();
    private long lastSend = System.nanoTime();
    private boolean dirty;

    // Reader thread only.
    private int idleMillis;
    private boolean firstMessageAwaited;

    /** An outbound session; the reader thread connects to {@code target}. */
    protected StreamSession(ClaContext context, String id, String layer, InetSocketAddress target, Settings settings,
            Problems problems, Logger log) {
        super(context, id, layer, Addresses.format(target), true, settings.queueLimit(), settings.queueBytes());
        this.target = target;
        this.settings = settings;
        this.problems = problems;
        this.log = log;
    }

    /** An inbound session on an accepted socket. */
    protected StreamSession(ClaContext context, String id, String layer, Socket accepted, Settings settings,
            Problems problems, Logger log) {
        super(context, id, layer, Addresses.format((InetSocketAddress) accepted.getRemoteSocketAddress()), false,
                settings.queueLimit(), settings.queueBytes());
        this.target = null;
        this.socket = accepted;
        this.io = accepted;
        this.settings = settings;
        this.problems = problems;
        this.log = log;
    }

    // ---- protocol hooks ----

    /** Contact/session negotiation, on the reader thread with the handshake timeout set. */
    protected abstract void handshake() throws IOException;

    /** Parses messages until the peer closes (return) or something fails (throw). */
    protected abstract void readLoop() throws IOException;

    /** Writes all segments of a transfer (writer thread). Registers it in flight first if it awaits an ack. */
    protected abstract void writeTransfer(Transfer t) throws IOException;

    protected abstract void writeKeepalive() throws IOException;

    /** Writes the session-ending message (SESS_TERM, SHUTDOWN) if the protocol has one. */
    protected abstract void writeTermination(String reason, boolean reply) throws IOException;

    /** Queues the message telling the peer why its input was rejected (under {@link #lock}). */
    protected abstract void rejection(CtrlBuf ctrl, ProtocolException e);

    /** Queues the message telling the peer the session ends for idleness (under {@link #lock}). */
    protected abstract void idleTermination(CtrlBuf ctrl);

    /** Fails the transfers the protocol tracks as written but unacknowledged (at the end). */
    protected abstract void failInFlight(String reason);

    /** Under lock: may the termination message go now (TCPCLv3 waits for its acks first)? */
    protected boolean readyToTerminate() {
        return true;
    }

    /** Under lock: has the peer finished its part of a graceful end (reply received, acks in)? */
    protected boolean peerDone() {
        return true;
    }

    // ---- lifecycle ----

    /** Starts the reader; {@code whenDone} runs once the link is down. */
    public final void start(Runnable whenDone) {
        this.onFinish = whenDone;
        ClaThreads.start("bp-" + id() + "-rx", this::run);
    }

    private void run() {
        String reason = null;
        try {
            long began = System.nanoTime();
            if (target != null) {
                connect();
            } else {
                attachStreams();
            }
            io.setSoTimeout(settings.handshakeTimeoutMillis());
            handshake();
            allowForTheFirstMessage(System.nanoTime() - began);
            lock.lock();
            try {
                if (terminating) {
                    throw new IOException(terminateReason);
                }
                sending = true;
            } finally {
                lock.unlock();
            }
            writer = ClaThreads.start("bp-" + id() + "-tx", this::writeLoop);
            reportUp();
            readLoop();
            reason = endReason("the peer closed the connection");
        } catch (ProtocolException e) {
            problems.report(e.kind(), id(), e.getMessage());
            queueControl(c -> rejection(c, e));
            reason = "protocol error: " + e.getMessage();
        } catch (SocketTimeoutException e) {
            if (state() == LinkState.UP && !isTerminating()) {
                problems.report("idle-timeout", id(), "nothing received for " + idleTimeoutText());
                queueControl(this::idleTermination);
                reason = "idle timeout: nothing received for " + idleTimeoutText();
            } else {
                reason = endReason(state() == LinkState.UP ? "timed out" : "handshake timed out");
            }
        } catch (EOFException e) {
            if (!isTerminating()) {
                problems.report("truncated", id(), "connection closed inside a message");
            }
            reason = endReason("the peer closed the connection inside a message");
        } catch (IOException e) {
            reason = endReason(state() == LinkState.UP ? "connection failed: " + e.getMessage()
                    : "could not connect: " + e.getMessage());
        } catch (RuntimeException e) {
            log.warn("{}: unexpected failure", id(), e);
            reason = "internal error: " + e;
        } finally {
            finish(reason == null ? "closed" : reason);
        }
    }

    private void connect() throws IOException {
        InetSocketAddress resolved = Addresses.resolve(target);
        Socket s = new Socket();
        lock.lock();
        try {
            if (terminating) {
                throw new IOException(terminateReason);
            }
            socket = s;
            io = s;
        } finally {
            lock.unlock();
        }
        s.setTcpNoDelay(true);
        s.connect(resolved, settings.connectTimeoutMillis());
        remoteAddress(Addresses.format(resolved));
        attachStreams();
    }

    /** For inbound sessions, called by the constructor's owner; for outbound after connecting. */
    protected final void attachStreams() throws IOException {
        Socket s = io;
        s.setTcpNoDelay(true);
        in = new InBuf(s.getInputStream(), settings.bufferSize());
        out = new OutBuf(s.getOutputStream(), settings.bufferSize());
    }

    /** Replaces the streams (TLS layered over the connection); reads and writes continue through them. */
    protected final void upgrade(Socket layered, InputStream newIn, OutputStream newOut) {
        io = layered;
        in.stream(newIn);
        out.stream(newOut);
    }

    protected final Socket socket() {
        return io;
    }

    /** Keepalive interval (0 = none); the peer is given twice that to send anything at all. */
    protected final void keepalive(int seconds) throws IOException {
        lock.lock();
        try {
            keepaliveNanos = TimeUnit.SECONDS.toNanos(seconds);
        } finally {
            lock.unlock();
        }
        idleMillis = seconds > 0 ? seconds * 2000 : 0;
        io.setSoTimeout(idleMillis);
    }

    /**
     * The peer's first message after the handshake may come a round trip later than the idle timeout
     * allows: the side that finishes its handshake first (TCPCLv4's passive side, on reading SESS_INIT)
     * starts its idle timer then, while the peer starts its keepalives only once our reply has reached it,
     * and its first message needs as long again to come back. On a link whose one-way delay exceeds the
     * keepalive interval that killed every session at its start (issue 16, a 1.5 s link with a keepalive of
     * 1 s). So the first read also gets the time the handshake took (at least a round trip); from the
     * first message on the timeout is twice the keepalive again, as RFC 9174 5.1.1 has it.
     */
    private void allowForTheFirstMessage(long handshakeNanos) throws IOException {
        if (idleMillis > 0) {
            long allowance = idleMillis + TimeUnit.NANOSECONDS.toMillis(handshakeNanos);
            io.setSoTimeout((int) Math.min(Integer.MAX_VALUE, allowance));
            firstMessageAwaited = true;
        }
    }

    /**
     * Reader thread: waits until the next message begins (false at the end of the stream). The read loop's
     * one way to wait for a message, so the idle timeout is twice the keepalive from the first message on.
     */
    protected final boolean awaitMessage() throws IOException {
        boolean more = in.awaitMessage();
        if (more && firstMessageAwaited) {
            firstMessageAwaited = false;
            io.setSoTimeout(idleMillis);
        }
        return more;
    }

    private String idleTimeoutText() {
        try {
            return io.getSoTimeout() / 1000 + " s";
        } catch (IOException e) {
            return "the idle timeout";
        }
    }

    @Override
    public final void close() {
        terminate("closed by the node", false);
        if (state() == LinkState.CONNECTING) {
            // No session yet: nothing to say to the peer, just abort the connect or handshake.
            closeQuietly();
        }
    }

    /**
     * Begins a graceful end: no new transfers (queued ones fail), the termination message goes out
     * when the protocol is ready, the connection closes when the peer has finished or at the close
     * deadline.
     */
    protected final void terminate(String reason, boolean byPeer) {
        List<Transfer> dropped;
        lock.lock();
        try {
            if (terminating || finished) {
                return;
            }
            terminating = true;
            peerInitiated = byPeer;
            terminateReason = reason;
            deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.closeTimeoutMillis());
            sending = false;
            dropped = new ArrayList<>(queue);
            queue.clear();
            work.signal();
            room.signalAll();
        } finally {
            lock.unlock();
        }
        for (Transfer t : dropped) {
            t.fail("link closing: " + reason);
        }
        // The writer enforces the close deadline, unless a peer that reads nothing has it blocked in a
        // write: then this closes the connection under both threads.
        long grace = settings.closeTimeoutMillis() + 1000L;
        ClaThreads.start("bp-" + id() + "-closer", () -> {
            try {
                if (!ended.await(grace, TimeUnit.MILLISECONDS)) {
                    log.debug("{}: still not closed {} ms after the close began; closing the connection", id(), grace);
                    closeQuietly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Under lock: the peer began the end (its SESS_TERM or SHUTDOWN), so ours is a reply. */
    protected final boolean terminatedByPeer() {
        return peerInitiated;
    }

    protected final boolean isTerminating() {
        lock.lock();
        try {
            return terminating;
        } finally {
            lock.unlock();
        }
    }

    /** Tells the writer that a graceful end may have become possible (an ack or a reply arrived). */
    protected final void progress() {
        lock.lock();
        try {
            if (terminating) {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private String endReason(String otherwise) {
        lock.lock();
        try {
            return terminating ? terminateReason : otherwise;
        } finally {
            lock.unlock();
        }
    }

    private void finish(String reason) {
        markDown();
        List<Transfer> dropped;
        lock.lock();
        try {
            finished = true;
            stop = true;
            sending = false;
            dropped = new ArrayList<>(queue);
            queue.clear();
            verdicts.forEach(v -> v.session = null);
            verdicts.clear();
            work.signal();
            room.signalAll();
        } finally {
            lock.unlock();
        }
        Thread w = writer;
        if (w != null) {
            if (!ClaThreads.join(w, settings.closeTimeoutMillis())) {
                closeQuietly();
                ClaThreads.join(w, 1000);
            }
        } else if (out != null) {
            flushControlDirectly();
        }
        shutdownOutputQuietly();
        closeQuietly();
        for (Transfer t : dropped) {
            t.fail("link down: " + reason);
        }
        failInFlight("link down: " + reason);
        reportDown(reason);
        ended.countDown();
        try {
            onFinish.run();
        } catch (RuntimeException e) {
            log.warn("{}: cleanup failed", id(), e);
        }
    }

    /** Before the writer exists (handshake failures): the rejection goes out from the reader. */
    private void flushControlDirectly() {
        CtrlBuf c;
        lock.lock();
        try {
            c = ctrl;
            ctrl = new CtrlBuf(16);
        } finally {
            lock.unlock();
        }
        if (c.isEmpty()) {
            return;
        }
        try {
            out.bytes(c);
            out.flush();
        } catch (IOException | RuntimeException e) {
            log.debug("{}: could not send the closing message: {}", id(), e.toString());
        }
    }

    private void shutdownOutputQuietly() {
        Socket s = io;
        if (s != null && !s.isClosed()) {
            try {
                s.shutdownOutput();
            } catch (IOException | UnsupportedOperationException e) {
                log.trace("{}: shutdownOutput: {}", id(), e.toString());
            }
        }
    }

    /** Closes the connection at once (unblocks both threads). */
    protected final void closeQuietly() {
        for (Socket s : new Socket[] {io, socket}) {
            if (s != null) {
                try {
                    s.close();
                } catch (IOException e) {
                    log.trace("{}: close: {}", id(), e.toString());
                }
            }
        }
    }

    // ---- sending ----

    @Override
    protected final boolean enqueue(Transfer t) {
        lock.lock();
        try {
            if (!sending) {
                return false;
            }
            queue.add(t);
            if (queue.size() == 1) {
                work.signal();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Appends a control message for the writer; {@code message} runs under {@link #lock}. */
    protected final void queueControl(java.util.function.Consumer<CtrlBuf> message) {
        lock.lock();
        try {
            if (finished) {
                return;
            }
            boolean wasEmpty = ctrl.isEmpty();
            message.accept(ctrl);
            ctrlPending = true;
            if (wasEmpty) {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writer thread, between segments of a long transfer: lets waiting acks overtake its data. */
    protected final void interleaveControl() throws IOException {
        if (!ctrlPending) {
            return;
        }
        takeControl();
        if (!spare.isEmpty()) {
            out.bytes(spare);
            spare.clear();
        }
    }

    private void takeControl() {
        lock.lock();
        try {
            CtrlBuf c = ctrl;
            ctrl = spare;
            spare = c;
            ctrlPending = false;
            if (c.size() > CONTROL_LIMIT) {
                room.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writer thread: a transfer that needs no acknowledgement completes once its bytes reach the socket. */
    protected final void completeOnFlush(Transfer t) {
        unflushed.add(t);
    }

    protected final boolean isSending() {
        return sending;
    }

    private void writeLoop() {
        ArrayDeque<Transfer> batch = new ArrayDeque<>();
        try {
            for (;;) {
                boolean flush = false;
                boolean keepaliveDue = false;
                boolean writeTerm = false;
                boolean reply = false;
                boolean endNow = false;
                boolean exit = false;
                String termReason = null;
                lock.lock();
                try {
                    for (;;) {
                        if (!ctrl.isEmpty() || (sending && !queue.isEmpty())) {
                            break;
                        }
                        if (stop) {
                            exit = true;
                            break;
                        }
                        if (dirty || out.pending() > 0 || !unflushed.isEmpty()) {
                            flush = true;
                            break;
                        }
                        long now = System.nanoTime();
                        if (terminating && !terminationWritten && (readyToTerminate() || now - deadline >= 0)) {
                            writeTerm = true;
                            reply = peerInitiated;
                            termReason = terminateReason;
                            terminationWritten = true;
                            break;
                        }
                        if (terminating && terminationWritten
                                && ((verdicts.isEmpty() && peerDone()) || now - deadline >= 0)) {
                            endNow = true;
                            break;
                        }
                        long wait = Long.MAX_VALUE;
                        if (keepaliveNanos > 0) {
                            long k = lastSend + keepaliveNanos - now;
                            if (k <= 0) {
                                keepaliveDue = true;
                                break;
                            }
                            wait = k;
                        }
                        if (terminating) {
                            wait = Math.min(wait, Math.max(1, deadline - now));
                        }
                        if (wait == Long.MAX_VALUE) {
                            work.await();
                        } else {
                            work.awaitNanos(wait);
                        }
                    }
                    CtrlBuf c = ctrl;
                    ctrl = spare;
                    spare = c;
                    ctrlPending = false;
                    if (c.size() > CONTROL_LIMIT) {
                        room.signalAll();
                    }
                    if (sending) {
                        for (int i = 0; i < BATCH && !queue.isEmpty(); i++) {
                            batch.add(queue.poll());
                        }
                    }
                } finally {
                    lock.unlock();
                }
                if (!spare.isEmpty()) {
                    out.bytes(spare);
                    spare.clear();
                    dirty = true;
                }
                if (exit) {
                    out.flush();
                    completeFlushed();
                    failAll(batch, "link closed");
                    return;
                }
                if (flush) {
                    out.flush();
                    dirty = false;
                    lastSend = System.nanoTime();
                    completeFlushed();
                    continue;
                }
                if (keepaliveDue) {
                    writeKeepalive();
                    out.flush();
                    lastSend = System.nanoTime();
                    continue;
                }
                if (writeTerm) {
                    writeTermination(termReason, reply);
                    out.flush();
                    lastSend = System.nanoTime();
                    continue;
                }
                if (endNow) {
                    out.flush();
                    completeFlushed();
                    // FIN: the peer closes its side, the reader sees the end and finishes the session.
                    shutdownOutputQuietly();
                    awaitFinishOrDeadline();
                    return;
                }
                Transfer t;
                while ((t = batch.poll()) != null) {
                    if (!sending) {
                        t.fail("link closing");
                        continue;
                    }
                    if (t.length() > maxBundleSize()) {
                        t.fail("bundle of " + t.length() + " bytes exceeds the link's limit of " + maxBundleSize());
                        continue;
                    }
                    writeTransfer(t);
                    dirty = true;
                    interleaveControl();
                }
            }
        } catch (IOException e) {
            log.debug("{}: write failed: {}", id(), e.toString());
            failAll(batch, "write failed: " + e.getMessage());
            closeQuietly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly();
        } catch (RuntimeException e) {
            log.warn("{}: writer failed", id(), e);
            failAll(batch, "internal error: " + e);
            closeQuietly();
        }
    }

    private void awaitFinishOrDeadline() throws InterruptedException {
        lock.lock();
        try {
            while (!finished) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                work.awaitNanos(left);
            }
            if (finished) {
                return;
            }
        } finally {
            lock.unlock();
        }
        log.debug("{}: peer did not close in time", id());
        closeQuietly();
    }

    private void completeFlushed() {
        if (unflushed.isEmpty()) {
            return;
        }
        for (Transfer t : unflushed) {
            t.complete();
        }
        unflushed.clear();
    }

    private static void failAll(ArrayDeque<Transfer> batch, String reason) {
        Transfer t;
        while ((t = batch.poll()) != null) {
            t.fail(reason);
        }
    }

    // ---- receiving ----

    /**
     * Hands a received bundle to the node. The receipt's verdict is queued in arrival order; the node
     * holds the bytes until it decides, so the receive window counts them.
     */
    protected final void deliver(ByteBuffer bundle, Incoming receipt) {
        lock.lock();
        try {
            if (finished) {
                return;
            }
            receipt.session = this;
            verdicts.add(receipt);
            unresolved++;
            unresolvedBytes += receipt.heldBytes;
        } finally {
            lock.unlock();
        }
        try {
            context.received(this, bundle, receipt);
        } catch (Throwable e) {
            log.warn("{}: the node failed on a received bundle", id(), e);
            receipt.refused(RefusalReason.OTHER);
        }
    }

    /** Queues an already decided message behind the pending verdicts (or sends it now if none is). */
    protected final void queueDecided(Incoming message) {
        lock.lock();
        try {
            if (finished) {
                return;
            }
            if (verdicts.isEmpty()) {
                boolean wasEmpty = ctrl.isEmpty();
                message.emit(ctrl, message.state == Incoming.REFUSED ? message.reason : null);
                ctrlPending = true;
                if (wasEmpty) {
                    work.signal();
                }
            } else if (!verdicts.peekLast().absorb(message)) {
                verdicts.add(message);
            }
        } finally {
            lock.unlock();
        }
    }

    final void resolve(Incoming receipt, RefusalReason refusal) {
        lock.lock();
        try {
            if (receipt.state != Incoming.PENDING || receipt.session != this || finished) {
                return;
            }
            receipt.state = refusal == null ? Incoming.ACCEPTED : Incoming.REFUSED;
            receipt.reason = refusal;
            unresolved--;
            unresolvedBytes -= receipt.heldBytes;
            room.signal();
            boolean wasEmpty = ctrl.isEmpty();
            boolean emitted = false;
            while (!verdicts.isEmpty() && verdicts.peekFirst().state != Incoming.PENDING) {
                Incoming head = verdicts.pollFirst();
                head.session = null;
                head.emit(ctrl, head.state == Incoming.REFUSED ? head.reason : null);
                emitted = true;
            }
            if (emitted) {
                ctrlPending = true;
            }
            if ((emitted && wasEmpty) || terminating) {
                work.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reader thread: waits while the node holds as many received bundles as the queue limits allow,
     * or while the peer leaves our acknowledgements unread.
     */
    protected final void awaitReceiveRoom() throws IOException {
        lock.lock();
        try {
            while (!finished && !terminating && (unresolved >= settings.queueLimit()
                    || unresolvedBytes >= settings.queueBytes() || ctrl.size() > CONTROL_LIMIT)) {
                room.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } finally {
            lock.unlock();
        }
    }

    /** Under lock: received bundles the node has not decided yet. */
    protected final boolean verdictsPending() {
        return !verdicts.isEmpty();
    }

    /** Control bytes queued and not yet taken by the writer (for tests and statistics). */
    public final int pendingControlBytes() {
        lock.lock();
        try {
            return ctrl.size();
        } finally {
            lock.unlock();
        }
    }

    /** For tests and statistics: bytes written and write calls issued so far. */
    public final long[] writeStats() {
        OutBuf o = out;
        return o == null ? new long[2] : new long[] {o.bytesOut(), o.writes()};
    }
}
