package org.bpsockets.cla.tcpclv4.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.EndpointIdSyntaxException;
import org.bpsockets.cla.common.CtrlBuf;
import org.bpsockets.cla.common.Incoming;
import org.bpsockets.cla.common.ProtocolException;
import org.bpsockets.cla.common.StreamSession;
import org.bpsockets.cla.common.Transfer;
import org.bpsockets.node.api.cla.RefusalReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One TCPCLv4 session (RFC 9174), either direction; several transfers may be in flight at once. */
final class Tcpclv4Session extends StreamSession {
    private static final Logger LOG = LoggerFactory.getLogger(Tcpclv4Session.class);

    static final byte[] MAGIC = {'d', 't', 'n', '!'};
    static final int VERSION = 4;
    static final int CAN_TLS = 0x01;

    static final int XFER_SEGMENT = 0x01;
    static final int XFER_ACK = 0x02;
    static final int XFER_REFUSE = 0x03;
    static final int KEEPALIVE = 0x04;
    static final int SESS_TERM = 0x05;
    static final int MSG_REJECT = 0x06;
    static final int SESS_INIT = 0x07;

    static final int END = 0x01;
    static final int START = 0x02;
    static final int REPLY = 0x01;
    static final int CRITICAL = 0x01;
    static final int TRANSFER_LENGTH = 0x0001;

    static final int TERM_UNKNOWN = 0x00;
    static final int TERM_IDLE = 0x01;
    static final int TERM_VERSION = 0x02;
    static final int TERM_CONTACT = 0x04;
    static final int TERM_RESOURCES = 0x05;

    static final int REFUSE_UNKNOWN = 0x00;
    static final int REFUSE_COMPLETED = 0x01;
    static final int REFUSE_NO_RESOURCES = 0x02;
    static final int REFUSE_NOT_ACCEPTABLE = 0x04;
    static final int REFUSE_EXTENSION = 0x05;
    static final int REFUSE_TERMINATING = 0x06;

    static final int REJECT_TYPE_UNKNOWN = 0x01;
    static final int REJECT_UNEXPECTED = 0x03;

    /** Beyond these, extension lists are a resource attack, not a session we want. */
    static final int MAX_EXTENSION_BYTES = 64 * 1024;

    private final Tcpclv4Layer layer;
    private final EndpointId expectedPeer;
    private final int ourKeepalive;
    private final long segmentMru;
    private final long transferMru;
    private long sendSegment;

    // Guarded by lock: transfers written (or being written) and not yet acknowledged, in ID order.
    private final ArrayDeque<Transfer> inflight = new ArrayDeque<>();
    private long nextTransferId;
    private boolean replyReceived;
    private int peerTermCode;
    private volatile boolean rxPartial;
    private volatile String tlsProtocol;

    // Reader thread: the multi-segment transfer being received.
    private Rx current;

    /**
     * A transfer arriving in several segments. With a Transfer Length extension (at most the transfer MRU,
     * checked before) the segments are read straight into one array of that length: joining chunks at the
     * end cost a copy of the whole bundle after its last byte had arrived (issue 18). Without one, chunks.
     */
    private static final class Rx {
        final long id;
        final long declared;
        byte[] whole;
        final List<byte[]> chunks = new ArrayList<>();
        long received;
        boolean refused;

        Rx(long id, long declared, boolean accepted) {
            this.id = id;
            this.declared = declared;
            this.whole = accepted && declared >= 0 ? new byte[(int) declared] : null;
        }
    }

    Tcpclv4Session(Tcpclv4Layer layer, String id, Socket accepted) {
        super(layer.context(), id, Tcpclv4Layer.NAME, accepted, layer.settings, layer.problems(), LOG);
        this.layer = layer;
        this.expectedPeer = null;
        this.ourKeepalive = layer.config.keepaliveSeconds();
        this.segmentMru = layer.config.segmentMru();
        this.transferMru = layer.transferMru();
    }

    Tcpclv4Session(Tcpclv4Layer layer, String id, InetSocketAddress target, EndpointId expectedPeer, int keepalive) {
        super(layer.context(), id, Tcpclv4Layer.NAME, target, layer.settings, layer.problems(), LOG);
        this.layer = layer;
        this.expectedPeer = expectedPeer;
        this.ourKeepalive = keepalive;
        this.segmentMru = layer.config.segmentMru();
        this.transferMru = layer.transferMru();
    }

    /** The TLS version in use, null without TLS. */
    String tlsProtocol() {
        return tlsProtocol;
    }

    static int sessTerm(int reason) {
        return 0x050000 | reason;
    }

    static int msgReject(int reason, int header) {
        return 0x060000 | (reason << 8) | header;
    }

    // ---- handshake ----

    @Override
    protected void handshake() throws IOException {
        boolean canTls = layer.tls != null;
        byte[] ours = {'d', 't', 'n', '!', VERSION, (byte) (canTls ? CAN_TLS : 0)};
        if (outbound()) {
            out.bytes(ours, 0, ours.length);
            out.flush();
        }
        in.needExact(6);
        for (byte m : MAGIC) {
            if (in.u8() != (m & 0xFF)) {
                // Not a TCPCL peer at all: close without a word (RFC 9174 §6.1).
                throw new ProtocolException("bad-magic", -1, "no 'dtn!' contact header");
            }
        }
        int version = in.u8();
        int flags = in.u8();
        if (version != VERSION) {
            if (outbound()) {
                throw new ProtocolException("version-mismatch", -1, "peer speaks TCPCL version " + version);
            }
            out.bytes(ours, 0, ours.length);
            out.flush();
            throw new ProtocolException("version-mismatch", sessTerm(TERM_VERSION),
                    "peer speaks TCPCL version " + version);
        }
        if (!outbound()) {
            out.bytes(ours, 0, ours.length);
            out.flush();
        }
        boolean useTls = canTls && (flags & CAN_TLS) != 0;
        if (!useTls && layer.config.tlsRequired()) {
            throw new ProtocolException("tls-required", sessTerm(TERM_CONTACT), "peer does not offer TLS");
        }
        List<String> certifiedIds = List.of();
        if (useTls) {
            certifiedIds = startTls();
        }
        if (outbound()) {
            writeSessInit();
            readSessInit(certifiedIds);
        } else {
            readSessInit(certifiedIds);
            writeSessInit();
        }
    }

    private List<String> startTls() throws IOException {
        Socket raw = socket();
        SSLSocket ssl;
        try {
            if (outbound()) {
                InetSocketAddress peer = (InetSocketAddress) raw.getRemoteSocketAddress();
                ssl = (SSLSocket) layer.tls.getSocketFactory().createSocket(raw, peer.getHostString(), peer.getPort(),
                        true);
                ssl.setUseClientMode(true);
            } else {
                ssl = (SSLSocket) layer.tls.getSocketFactory().createSocket(raw, null, true);
                ssl.setUseClientMode(false);
                if (layer.config.tlsRequireClientCertificate()) {
                    ssl.setNeedClientAuth(true);
                } else {
                    ssl.setWantClientAuth(true);
                }
            }
            Tls.protocols(ssl);
            ssl.setSoTimeout(settings.handshakeTimeoutMillis());
            ssl.startHandshake();
        } catch (SSLException e) {
            throw new ProtocolException("tls-failed", -1, "TLS handshake failed: " + e.getMessage());
        }
        upgrade(ssl, ssl.getInputStream(), ssl.getOutputStream());
        tlsProtocol = ssl.getSession().getProtocol();
        LOG.debug("{}: TLS {} {}", id(), ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite());
        List<String> ids = new ArrayList<>();
        try {
            Certificate[] chain = ssl.getSession().getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
                ids.addAll(Tls.nodeIds(leaf));
            }
        } catch (SSLPeerUnverifiedException e) {
            LOG.debug("{}: peer presented no certificate", id());
        }
        return ids;
    }

    private void writeSessInit() throws IOException {
        byte[] node = context.localNodeId().toString().getBytes(StandardCharsets.UTF_8);
        out.u8(SESS_INIT).u16(ourKeepalive).u64(segmentMru).u64(transferMru).u16(node.length);
        out.bytes(node, 0, node.length);
        out.u32(0);
        out.flush();
    }

    private void readSessInit(List<String> certifiedIds) throws IOException {
        int type = in.u8();
        if (type == SESS_TERM) {
            int flags = in.u8();
            int reason = in.u8();
            if ((flags & REPLY) == 0) {
                out.u8(SESS_TERM).u8(REPLY).u8(reason);
                out.flush();
            }
            throw new IOException("peer refused the session: " + termReason(reason));
        }
        if (type != SESS_INIT) {
            throw new ProtocolException("bad-handshake", sessTerm(TERM_CONTACT),
                    String.format("expected SESS_INIT, got message type 0x%02x", type));
        }
        int keepalive = in.u16();
        long peerSegmentMru = in.u64();
        long peerTransferMru = in.u64();
        int nodeIdLength = in.u16();
        in.need(nodeIdLength);
        byte[] nodeBytes = new byte[nodeIdLength];
        in.readFully(nodeBytes, 0, nodeIdLength);
        long extLength = in.u32();
        if (extLength > MAX_EXTENSION_BYTES) {
            throw new ProtocolException("oversize", sessTerm(TERM_RESOURCES),
                    "session extension items of " + extLength + " bytes");
        }
        skipExtensions((int) extLength, true);
        if (peerSegmentMru == 0 || peerTransferMru == 0) {
            throw new ProtocolException("bad-handshake", sessTerm(TERM_CONTACT), "peer's MRU is zero");
        }
        String nodeText;
        try {
            nodeText = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(nodeBytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("bad-handshake", sessTerm(TERM_CONTACT), "node ID is not UTF-8");
        }
        EndpointId peer = null;
        if (!nodeText.isEmpty()) {
            try {
                peer = EndpointId.parse(nodeText);
            } catch (EndpointIdSyntaxException e) {
                LOG.debug("{}: peer node ID '{}' is not an ipn or dtn EID: {}", id(), nodeText, e.getMessage());
            }
        }
        if (expectedPeer != null && !expectedPeer.equals(peer)) {
            throw new ProtocolException("node-id-mismatch", sessTerm(TERM_CONTACT),
                    "peer announced node ID '" + nodeText + "', expected " + expectedPeer);
        }
        if (!certifiedIds.isEmpty() && !certified(certifiedIds, nodeText, peer)) {
            throw new ProtocolException("node-id-mismatch", sessTerm(TERM_CONTACT),
                    "node ID '" + nodeText + "' is not in the peer's certificate " + certifiedIds);
        }
        peerNodeId(peer);
        maxBundleSize(peerTransferMru < 0 ? Long.MAX_VALUE : peerTransferMru);
        long peerSeg = peerSegmentMru < 0 ? Long.MAX_VALUE : peerSegmentMru;
        sendSegment = Math.max(1, Math.min(peerSeg, segmentMru));
        keepalive(Math.min(keepalive, ourKeepalive));
    }

    private static boolean certified(List<String> ids, String text, EndpointId parsed) {
        for (String id : ids) {
            if (id.equals(text)) {
                return true;
            }
            try {
                if (parsed != null && parsed.equals(EndpointId.parse(id))) {
                    return true;
                }
            } catch (EndpointIdSyntaxException e) {
                // not comparable as an EID: only the exact text counted
            }
        }
        return false;
    }

    /**
     * Walks an extension item list of {@code length} bytes.
     *
     * @return the Transfer Length value, -1 if absent, -2 if an item cannot be handled (a critical
     *         unknown item, a malformed list); in a session, the latter ends it (Contact Failure)
     */
    private long skipExtensions(int length, boolean session) throws IOException {
        in.need(length);
        long transferLength = -1;
        boolean failed = false;
        int left = length;
        while (left > 0) {
            if (left < 5) {
                failed = true;
                in.skip(left);
                break;
            }
            int flags = in.u8();
            int type = in.u16();
            int itemLength = in.u16();
            left -= 5;
            if (itemLength > left) {
                failed = true;
                in.skip(left);
                break;
            }
            if (!session && type == TRANSFER_LENGTH && itemLength == 8 && transferLength == -1) {
                transferLength = in.u64();
                if (transferLength < 0) {
                    failed = true;
                }
            } else {
                if ((flags & CRITICAL) != 0 || (!session && type == TRANSFER_LENGTH)) {
                    failed = true;
                }
                in.skip(itemLength);
            }
            left -= itemLength;
        }
        if (failed && session) {
            throw new ProtocolException("bad-extension", sessTerm(TERM_CONTACT),
                    "session extension items that cannot be handled");
        }
        return failed ? -2 : transferLength;
    }

    // ---- receiving ----

    @Override
    protected void readLoop() throws IOException {
        while (awaitMessage()) {
            awaitReceiveRoom();
            int type = in.u8();
            switch (type) {
                case XFER_SEGMENT -> segment();
                case XFER_ACK -> ack();
                case XFER_REFUSE -> refusal();
                case KEEPALIVE -> {
                }
                case SESS_TERM -> sessTerm();
                case MSG_REJECT -> {
                    int reason = in.u8();
                    int header = in.u8();
                    problems.report("rejected-by-peer", id(),
                            String.format("peer rejected message type 0x%02x (reason %d)", header, reason));
                }
                case SESS_INIT -> throw new ProtocolException("unexpected-message",
                        msgReject(REJECT_UNEXPECTED, type), "SESS_INIT in an established session");
                default -> throw new ProtocolException("unknown-message", msgReject(REJECT_TYPE_UNKNOWN, type),
                        String.format("unknown message type 0x%02x", type));
            }
        }
    }

    private void segment() throws IOException {
        int flags = in.u8();
        long tid = in.u64();
        boolean start = (flags & START) != 0;
        boolean end = (flags & END) != 0;
        long declared = -1;
        if (start) {
            long extLength = in.u32();
            if (extLength > MAX_EXTENSION_BYTES) {
                throw new ProtocolException("oversize", sessTerm(TERM_RESOURCES),
                        "transfer extension items of " + extLength + " bytes");
            }
            declared = skipExtensions((int) extLength, false);
        }
        long length = in.u64();
        if (length < 0 || length > segmentMru) {
            throw new ProtocolException("oversize", sessTerm(TERM_RESOURCES), "segment of "
                    + Long.toUnsignedString(length) + " bytes exceeds the segment MRU of " + segmentMru);
        }
        int len = (int) length;
        if (start) {
            if (current != null) {
                problems.report("abandoned-transfer", id(), "transfer " + current.id + " abandoned by a new START");
            }
            current = null;
            rxPartial = false;
            int refuse = -1;
            if (isTerminating()) {
                refuse = REFUSE_TERMINATING;
            } else if (declared == -2) {
                refuse = REFUSE_EXTENSION;
            } else if (declared > transferMru || len > transferMru) {
                refuse = REFUSE_NO_RESOURCES;
            }
            if (refuse < 0 && end) {
                byte[] data = new byte[len];
                in.readFully(data, 0, len);
                if (declared >= 0 && declared != len) {
                    refuseNow(tid, REFUSE_NOT_ACCEPTABLE);
                    return;
                }
                deliver(ByteBuffer.wrap(data), new Verdict(tid, flags, len));
                awaitReceiveRoom();
                return;
            }
            Rx rx = new Rx(tid, declared, refuse < 0);
            if (refuse >= 0) {
                in.skip(len);
                rx.refused = true;
                refuseNow(tid, refuse);
                current = end ? null : rx;
                rxPartial = current != null;
                return;
            }
            current = rx;
            rxPartial = true;
        } else if (current == null || current.id != tid) {
            in.skip(len);
            problems.report("unexpected-segment", id(), "segment of unknown transfer " + Long.toUnsignedString(tid));
            queueControl(c -> c.u8(MSG_REJECT).u8(REJECT_UNEXPECTED).u8(XFER_SEGMENT));
            return;
        }
        Rx rx = current;
        if (rx.refused) {
            in.skip(len);
            refuseNow(tid, REFUSE_UNKNOWN);
            if (end) {
                current = null;
                rxPartial = false;
            }
            return;
        }
        long total = rx.received + len;
        if (total > transferMru || (rx.declared >= 0 && total > rx.declared)) {
            in.skip(len);
            rx.refused = true;
            rx.chunks.clear();
            rx.whole = null;
            refuseNow(tid, total > transferMru ? REFUSE_NO_RESOURCES : REFUSE_NOT_ACCEPTABLE);
            if (end) {
                current = null;
                rxPartial = false;
            }
            return;
        }
        if (rx.whole != null) {
            in.readFully(rx.whole, (int) rx.received, len);
        } else {
            byte[] chunk = new byte[len];
            in.readFully(chunk, 0, len);
            rx.chunks.add(chunk);
        }
        rx.received = total;
        if (!end) {
            queueControl(c -> c.u8(XFER_ACK).u8(flags).u64(tid).u64(total));
            return;
        }
        current = null;
        rxPartial = false;
        if (rx.declared >= 0 && rx.declared != total) {
            refuseNow(tid, REFUSE_NOT_ACCEPTABLE);
            return;
        }
        byte[] data;
        if (rx.whole != null) {
            data = rx.whole;
        } else if (rx.chunks.size() == 1) {
            data = rx.chunks.get(0);
        } else {
            data = new byte[(int) total];
            int at = 0;
            for (byte[] c : rx.chunks) {
                System.arraycopy(c, 0, data, at, c.length);
                at += c.length;
            }
        }
        deliver(ByteBuffer.wrap(data), new Verdict(tid, flags, total));
        awaitReceiveRoom();
    }

    private void refuseNow(long tid, int code) {
        queueDecided(new Refusal(tid, code));
    }

    private void ack(long tid, long length, int flags) {
        Transfer done = null;
        lock.lock();
        try {
            Transfer t = find(tid);
            if (t == null) {
                problems.report("unexpected-ack", id(), "ack of unknown transfer " + Long.toUnsignedString(tid));
                return;
            }
            if ((flags & END) != 0 && length == t.length()) {
                inflight.remove(t);
                done = t;
            } else if (length > t.length() || length < 0) {
                problems.report("bad-ack", id(), "ack of " + length + " bytes for a " + t.length() + "-byte transfer");
            }
        } finally {
            lock.unlock();
        }
        if (done != null) {
            done.complete();
            progress();
        }
    }

    private void ack() throws IOException {
        int flags = in.u8();
        long tid = in.u64();
        long length = in.u64();
        ack(tid, length, flags);
    }

    /** Under lock. Acks come in ID order almost always: look at the oldest first. */
    private Transfer find(long tid) {
        Transfer head = inflight.peekFirst();
        if (head != null && head.id == tid) {
            return head;
        }
        for (Transfer t : inflight) {
            if (t.id == tid) {
                return t;
            }
        }
        return null;
    }

    private void refusal() throws IOException {
        int code = in.u8();
        long tid = in.u64();
        Transfer t;
        lock.lock();
        try {
            t = find(tid);
            if (t != null) {
                inflight.remove(t);
            }
        } finally {
            lock.unlock();
        }
        if (t == null) {
            LOG.debug("{}: refusal of transfer {} that is no longer in flight", id(), tid);
            return;
        }
        if (code == REFUSE_COMPLETED) {
            // RFC 9174 §5.2.4: the sender MAY consider the bundle completely received.
            t.complete();
        } else {
            t.fail("refused by peer: " + refuseReason(code));
        }
        progress();
    }

    private void sessTerm() throws IOException {
        int flags = in.u8();
        int reason = in.u8();
        boolean alreadyEnding;
        lock.lock();
        try {
            alreadyEnding = isTerminating();
            if ((flags & REPLY) != 0 || alreadyEnding) {
                // A reply, or both ends began at once: either way the peer has said its last word.
                replyReceived = true;
            } else {
                peerTermCode = reason;
            }
        } finally {
            lock.unlock();
        }
        if ((flags & REPLY) == 0 && !alreadyEnding) {
            terminate("the peer ended the session (" + termReason(reason) + ")", true);
        }
        progress();
    }

    // ---- sending ----

    @Override
    protected void writeTransfer(Transfer t) throws IOException {
        long tid;
        lock.lock();
        try {
            tid = nextTransferId++;
            t.id = tid;
            inflight.add(t);
        } finally {
            lock.unlock();
        }
        int length = t.length();
        int off = 0;
        boolean first = true;
        do {
            int n = (int) Math.min(sendSegment, length - off);
            boolean last = off + n == length;
            out.u8(XFER_SEGMENT).u8((first ? START : 0) | (last ? END : 0)).u64(tid);
            if (first) {
                if (last) {
                    out.u32(0);
                } else {
                    // Transfer Length: lets the peer refuse a bundle too large for it before all of it arrives.
                    out.u32(13).u8(0).u16(TRANSFER_LENGTH).u16(8).u64(length);
                }
            }
            out.u64(n).bytes(t, off, n);
            off += n;
            first = false;
            if (!last) {
                interleaveControl();
                if (t.isDone()) {
                    return;
                }
            }
        } while (off < length);
    }

    @Override
    protected void writeKeepalive() throws IOException {
        out.u8(KEEPALIVE);
    }

    @Override
    protected void writeTermination(String reason, boolean reply) throws IOException {
        int code;
        lock.lock();
        try {
            code = reply ? peerTermCode : TERM_UNKNOWN;
        } finally {
            lock.unlock();
        }
        out.u8(SESS_TERM).u8(reply ? REPLY : 0).u8(code);
    }

    @Override
    protected boolean peerDone() {
        return inflight.isEmpty() && !rxPartial && (terminatedByPeer() || replyReceived);
    }

    @Override
    protected void rejection(CtrlBuf ctrl, ProtocolException e) {
        int code = e.code();
        if (code < 0) {
            return;
        }
        if ((code >>> 16) == SESS_TERM) {
            ctrl.u8(SESS_TERM).u8(0).u8(code & 0xFF);
        } else if ((code >>> 16) == MSG_REJECT) {
            ctrl.u8(MSG_REJECT).u8((code >>> 8) & 0xFF).u8(code & 0xFF);
        }
    }

    @Override
    protected void idleTermination(CtrlBuf ctrl) {
        ctrl.u8(SESS_TERM).u8(0).u8(TERM_IDLE);
    }

    @Override
    protected void failInFlight(String reason) {
        List<Transfer> left;
        lock.lock();
        try {
            left = new ArrayList<>(inflight);
            inflight.clear();
        } finally {
            lock.unlock();
        }
        for (Transfer t : left) {
            t.fail(reason);
        }
    }

    // ---- verdicts ----

    /** The node's verdict on a received transfer: the final XFER_ACK or an XFER_REFUSE. */
    private static final class Verdict extends Incoming {
        private final long tid;
        private final int flags;
        private final long length;

        Verdict(long tid, int flags, long length) {
            super(length);
            this.tid = tid;
            this.flags = flags;
            this.length = length;
        }

        @Override
        protected void emit(CtrlBuf ctrl, RefusalReason refusal) {
            if (refusal == null) {
                ctrl.u8(XFER_ACK).u8(flags).u64(tid).u64(length);
            } else {
                ctrl.u8(XFER_REFUSE).u8(refuseCode(refusal)).u64(tid);
            }
        }
    }

    /** A refusal decided by the layer itself (size, extensions, session ending). */
    private static final class Refusal extends Incoming {
        private final long tid;
        private final int code;

        Refusal(long tid, int code) {
            super(true, RefusalReason.OTHER);
            this.tid = tid;
            this.code = code;
        }

        @Override
        protected void emit(CtrlBuf ctrl, RefusalReason refusal) {
            ctrl.u8(XFER_REFUSE).u8(code).u64(tid);
        }

        @Override
        protected boolean absorb(Incoming next) {
            // The refusal of every further segment of a refused transfer says nothing new.
            return next instanceof Refusal r && r.tid == tid;
        }
    }

    /** The closest RFC 9174 §5.2.4 code for the node's reason. */
    static int refuseCode(RefusalReason reason) {
        return switch (reason) {
            case DUPLICATE -> REFUSE_COMPLETED;
            // Too large is fixed by fragmenting, which is what "No Resources" asks the sender to do.
            case TOO_LARGE, NO_RESOURCES -> REFUSE_NO_RESOURCES;
            case MALFORMED -> REFUSE_NOT_ACCEPTABLE;
            case OTHER -> REFUSE_UNKNOWN;
        };
    }

    static String refuseReason(int code) {
        return switch (code) {
            case REFUSE_COMPLETED -> "completed";
            case REFUSE_NO_RESOURCES -> "no resources";
            case 0x03 -> "retransmit";
            case REFUSE_NOT_ACCEPTABLE -> "not acceptable";
            case REFUSE_EXTENSION -> "extension failure";
            case REFUSE_TERMINATING -> "session terminating";
            default -> "unknown";
        };
    }

    static String termReason(int code) {
        return switch (code) {
            case TERM_IDLE -> "idle timeout";
            case TERM_VERSION -> "version mismatch";
            case 0x03 -> "busy";
            case TERM_CONTACT -> "contact failure";
            case TERM_RESOURCES -> "resource exhaustion";
            default -> "unknown";
        };
    }
}
