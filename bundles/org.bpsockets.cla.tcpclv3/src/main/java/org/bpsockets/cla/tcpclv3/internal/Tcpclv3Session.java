package org.bpsockets.cla.tcpclv3.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

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

/**
 * One TCPCLv3 connection (RFC 7242). Sends every bundle as a single DATA_SEGMENT with S and E set
 * (the only form µD3TN parses); receives bundles in any number of segments (ION splits large ones).
 * Acknowledgements and refusals are positional, so they leave strictly in the order bundles arrived.
 */
final class Tcpclv3Session extends StreamSession {
    private static final Logger LOG = LoggerFactory.getLogger(Tcpclv3Session.class);

    static final int VERSION = 3;
    static final int FLAG_ACKS = 0x01;
    static final int FLAG_REFUSAL = 0x04;

    static final int DATA_SEGMENT = 0x1;
    static final int ACK_SEGMENT = 0x2;
    static final int REFUSE_BUNDLE = 0x3;
    static final int KEEPALIVE = 0x4;
    static final int SHUTDOWN = 0x5;
    static final int LENGTH = 0x6;

    static final int S = 0x2;
    static final int E = 0x1;
    static final int SHUTDOWN_REASON = 0x2;
    static final int SHUTDOWN_DELAY = 0x1;

    static final int REASON_IDLE = 0x00;
    static final int REASON_VERSION = 0x01;

    static final int RCODE_UNKNOWN = 0x0;
    static final int RCODE_COMPLETED = 0x1;
    static final int RCODE_RESOURCES = 0x2;

    /** Rejection codes for ProtocolException: SHUTDOWN with a reason byte, or without one. */
    static final int SHUTDOWN_WITH = 0x100;
    static final int SHUTDOWN_PLAIN = 0x200;

    /** EIDs are short; a longer one is garbage, not a peer. */
    static final int MAX_EID_LENGTH = 4096;

    private final Tcpclv3Layer layer;
    private final EndpointId expectedPeer;
    private final int ourKeepalive;
    private boolean acks;
    private boolean refusals;

    // Guarded by lock: bundles written and not yet acknowledged, oldest first (acks are positional).
    private final ArrayDeque<Transfer> inflight = new ArrayDeque<>();
    // Guarded by lock: the peer's SHUTDOWN arrived; it sends no more bundles, only the acks it owes us.
    private boolean peerShutDown;

    // Reader thread: the bundle being received.
    private boolean receiving;
    private boolean skipping;
    private final List<byte[]> chunks = new ArrayList<>();
    private long received;
    private long maxBundle;
    private long bundleNumber;

    Tcpclv3Session(Tcpclv3Layer layer, String id, Socket accepted) {
        super(layer.context(), id, Tcpclv3Layer.NAME, accepted, layer.settings, layer.problems(), LOG);
        this.layer = layer;
        this.expectedPeer = null;
        this.ourKeepalive = layer.config.keepaliveSeconds();
    }

    Tcpclv3Session(Tcpclv3Layer layer, String id, InetSocketAddress target, EndpointId expectedPeer, int keepalive) {
        super(layer.context(), id, Tcpclv3Layer.NAME, target, layer.settings, layer.problems(), LOG);
        this.layer = layer;
        this.expectedPeer = expectedPeer;
        this.ourKeepalive = keepalive;
    }

    boolean acksNegotiated() {
        return acks;
    }

    boolean refusalsNegotiated() {
        return refusals;
    }

    // ---- handshake ----

    @Override
    protected void handshake() throws IOException {
        // Both sides send at once (RFC 7242 §4): no waiting for the peer's header.
        int ourFlags = (layer.config.requestAcks() ? FLAG_ACKS : 0)
                | (layer.config.requestAcks() && layer.config.allowRefusal() ? FLAG_REFUSAL : 0);
        byte[] eid = context.localNodeId().toString().getBytes(StandardCharsets.US_ASCII);
        out.bytes(new byte[] {'d', 't', 'n', '!', VERSION, (byte) ourFlags}, 0, 6);
        out.u16(ourKeepalive).sdnv(eid.length).bytes(eid, 0, eid.length);
        out.flush();

        in.need(5);
        if (in.u8() != 'd' || in.u8() != 't' || in.u8() != 'n' || in.u8() != '!') {
            throw new ProtocolException("bad-magic", -1, "no 'dtn!' contact header");
        }
        int version = in.u8();
        if (version != VERSION) {
            // Lower versions are not TCPCLv3; a v4 header ends after its flags and would leave us waiting.
            throw new ProtocolException("version-mismatch", SHUTDOWN_WITH | REASON_VERSION,
                    "peer speaks TCPCL version " + version);
        }
        int flags = in.u8() & 0x0F;
        int keepalive = in.u16();
        long eidLength = in.sdnv();
        if (eidLength > MAX_EID_LENGTH) {
            throw new ProtocolException("oversize", SHUTDOWN_PLAIN, "contact header EID of " + eidLength + " bytes");
        }
        byte[] peerEid = new byte[(int) eidLength];
        in.readFully(peerEid, 0, peerEid.length);
        String text = new String(peerEid, StandardCharsets.US_ASCII);
        EndpointId peer = nodeIdOf(text);
        if (expectedPeer != null && (peer == null || !expectedPeer.nodeId().equals(peer))) {
            throw new ProtocolException("node-id-mismatch", SHUTDOWN_PLAIN,
                    "peer announced '" + text + "', expected " + expectedPeer);
        }
        peerNodeId(peer);
        acks = (ourFlags & FLAG_ACKS) != 0 && (flags & FLAG_ACKS) != 0;
        refusals = acks && (ourFlags & FLAG_REFUSAL) != 0 && (flags & FLAG_REFUSAL) != 0;
        maxBundle = context.maxBundleSize();
        keepalive(keepalive == 0 || ourKeepalive == 0 ? 0 : Math.min(keepalive, ourKeepalive));
        LOG.debug("{}: peer '{}' flags 0x{} keepalive {}; acks {}, refusals {}", id(), text,
                Integer.toHexString(flags), keepalive, acks, refusals);
    }

    /** The node ID of the EID a peer announces ("ipn:2.0", "dtn://node/"; also "dtn://node" as BPv6 wrote it). */
    static EndpointId nodeIdOf(String text) {
        for (String candidate : new String[] {text, text + "/"}) {
            try {
                EndpointId e = EndpointId.parse(candidate);
                return e.isNull() ? null : e.nodeId();
            } catch (EndpointIdSyntaxException e) {
                if (!text.startsWith("dtn://") || text.indexOf('/', 6) >= 0) {
                    break;
                }
            }
        }
        return null;
    }

    // ---- receiving ----

    @Override
    protected void readLoop() throws IOException {
        while (awaitMessage()) {
            awaitReceiveRoom();
            int header = in.u8();
            int type = header >>> 4;
            int flags = header & 0x0F;
            switch (type) {
                case DATA_SEGMENT -> segment(flags);
                case ACK_SEGMENT -> ack(in.sdnv());
                case REFUSE_BUNDLE -> refusal(flags);
                case KEEPALIVE -> {
                }
                case SHUTDOWN -> {
                    int reason = (flags & SHUTDOWN_REASON) != 0 ? in.u8() : -1;
                    if ((flags & SHUTDOWN_DELAY) != 0) {
                        in.sdnv();
                    }
                    lock.lock();
                    try {
                        peerShutDown = true;
                    } finally {
                        lock.unlock();
                    }
                    terminate("the peer shut the connection down" + (reason < 0 ? "" : " (" + reason(reason) + ")"),
                            true);
                    progress();
                    // Reading goes on: a peer that shuts down still acknowledges what it received, and
                    // our bundles in flight wait for exactly those acks. Stopping here failed them, and
                    // the node sent again bundles the peer had already accepted. The connection ends
                    // when the peer closes it, or at the close deadline.
                }
                case LENGTH -> in.sdnv();
                default -> throw new ProtocolException("unknown-message", SHUTDOWN_PLAIN,
                        String.format("unknown message type 0x%x", type));
            }
        }
    }

    private void segment(int flags) throws IOException {
        long length = in.sdnv();
        boolean start = (flags & S) != 0;
        boolean end = (flags & E) != 0;
        if (start) {
            if (receiving && !skipping) {
                problems.report("abandoned-transfer", id(), "bundle abandoned by a new start segment");
            }
            chunks.clear();
            received = 0;
            receiving = true;
            skipping = false;
            bundleNumber++;
        } else if (!receiving) {
            throw new ProtocolException("unexpected-segment", SHUTDOWN_PLAIN, "data segment without a bundle start");
        }
        long total = received + length;
        if (!skipping && (total > maxBundle || total < 0)) {
            if (!refusals) {
                // Nothing in RFC 7242 can tell this peer no: end the connection rather than store it.
                throw new ProtocolException("oversize", SHUTDOWN_PLAIN,
                        "bundle of at least " + total + " bytes exceeds the node's limit of " + maxBundle);
            }
            skipping = true;
            chunks.clear();
            problems.report("oversize", id(), "refused a bundle of at least " + total + " bytes");
            queueDecided(new Decided(bundleNumber, RCODE_RESOURCES));
        }
        received = total;
        if (skipping) {
            in.skip(length);
            if (end) {
                receiving = false;
            }
            return;
        }
        byte[] chunk = new byte[(int) length];
        in.readFully(chunk, 0, chunk.length);
        chunks.add(chunk);
        if (!end) {
            if (acks) {
                queueDecided(new Decided(bundleNumber, total));
            }
            return;
        }
        receiving = false;
        byte[] data;
        if (chunks.size() == 1) {
            data = chunks.get(0);
        } else {
            data = new byte[(int) total];
            int at = 0;
            for (byte[] c : chunks) {
                System.arraycopy(c, 0, data, at, c.length);
                at += c.length;
            }
        }
        chunks.clear();
        deliver(ByteBuffer.wrap(data), new Verdict(total));
        awaitReceiveRoom();
    }

    private void ack(long length) {
        Transfer done = null;
        lock.lock();
        try {
            Transfer head = inflight.peekFirst();
            if (head == null || !acks) {
                problems.report("unexpected-ack", id(), "acknowledgement with nothing in flight");
                return;
            }
            if (length >= head.length()) {
                if (length > head.length()) {
                    problems.report("bad-ack", id(), "ack of " + length + " bytes for a " + head.length() + "-byte bundle");
                }
                inflight.pollFirst();
                done = head;
            }
        } finally {
            lock.unlock();
        }
        if (done != null) {
            done.complete();
            progress();
        }
    }

    private void refusal(int code) {
        Transfer head;
        lock.lock();
        try {
            head = inflight.pollFirst();
        } finally {
            lock.unlock();
        }
        if (head == null) {
            problems.report("unexpected-refusal", id(), "refusal with nothing in flight");
            return;
        }
        if (code == RCODE_COMPLETED) {
            // RFC 7242 §5.4: the receiver already has it; the sender may consider it received.
            head.complete();
        } else {
            head.fail("refused by peer: " + refuseReason(code));
        }
        progress();
    }

    // ---- sending ----

    @Override
    protected void writeTransfer(Transfer t) throws IOException {
        if (acks) {
            lock.lock();
            try {
                inflight.add(t);
            } finally {
                lock.unlock();
            }
        }
        out.u8((DATA_SEGMENT << 4) | S | E).sdnv(t.length()).bytes(t, 0, t.length());
        if (!acks) {
            completeOnFlush(t);
        }
    }

    @Override
    protected void writeKeepalive() throws IOException {
        out.u8(KEEPALIVE << 4);
    }

    @Override
    protected void writeTermination(String reason, boolean reply) throws IOException {
        if (!reply) {
            out.u8(SHUTDOWN << 4);
        }
    }

    @Override
    protected boolean readyToTerminate() {
        return inflight.isEmpty();
    }

    /**
     * Our FIN waits for the peer's SHUTDOWN (or its FIN, or the close deadline): until then the peer
     * may still have bundles in flight to us, and only our acks complete them.
     */
    @Override
    protected boolean peerDone() {
        return peerShutDown;
    }

    @Override
    protected void rejection(CtrlBuf ctrl, ProtocolException e) {
        if (e.code() < 0) {
            return;
        }
        if ((e.code() & SHUTDOWN_WITH) != 0) {
            ctrl.u8((SHUTDOWN << 4) | SHUTDOWN_REASON).u8(e.code() & 0xFF);
        } else if ((e.code() & SHUTDOWN_PLAIN) != 0) {
            ctrl.u8(SHUTDOWN << 4);
        }
    }

    @Override
    protected void idleTermination(CtrlBuf ctrl) {
        ctrl.u8((SHUTDOWN << 4) | SHUTDOWN_REASON).u8(REASON_IDLE);
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

    /** The node's verdict on a whole bundle: its final ACK_SEGMENT, or REFUSE_BUNDLE. */
    private final class Verdict extends Incoming {
        private final long length;

        Verdict(long length) {
            super(length);
            this.length = length;
        }

        @Override
        protected void emit(CtrlBuf ctrl, RefusalReason refusal) {
            if (refusal != null && refusals) {
                ctrl.u8((REFUSE_BUNDLE << 4) | refuseCode(refusal));
            } else if (acks) {
                // Without negotiated refusals a refused bundle is acknowledged all the same: the peer
                // would otherwise resend it for ever, and the node has decided it does not want it.
                ctrl.u8(ACK_SEGMENT << 4).sdnv(length);
            }
        }
    }

    /** An acknowledgement of part of a bundle, or a refusal the layer decides itself. */
    private static final class Decided extends Incoming {
        private final long bundle;
        private long ackLength;
        private final int refuseCode;

        Decided(long bundle, long ackLength) {
            super(false, null);
            this.bundle = bundle;
            this.ackLength = ackLength;
            this.refuseCode = -1;
        }

        Decided(long bundle, int refuseCode) {
            super(true, RefusalReason.OTHER);
            this.bundle = bundle;
            this.ackLength = -1;
            this.refuseCode = refuseCode;
        }

        @Override
        protected void emit(CtrlBuf ctrl, RefusalReason refusal) {
            if (refuseCode >= 0) {
                ctrl.u8((REFUSE_BUNDLE << 4) | refuseCode);
            } else {
                ctrl.u8(ACK_SEGMENT << 4).sdnv(ackLength);
            }
        }

        @Override
        protected boolean absorb(Incoming next) {
            // Acks are cumulative: a later one for the same bundle makes this one redundant.
            if (refuseCode < 0 && next instanceof Decided d && d.refuseCode < 0 && d.bundle == bundle) {
                ackLength = Math.max(ackLength, d.ackLength);
                return true;
            }
            return false;
        }
    }

    static int refuseCode(RefusalReason reason) {
        return switch (reason) {
            case DUPLICATE -> RCODE_COMPLETED;
            case NO_RESOURCES, TOO_LARGE -> RCODE_RESOURCES;
            case MALFORMED, OTHER -> RCODE_UNKNOWN;
        };
    }

    static String refuseReason(int code) {
        return switch (code) {
            case RCODE_COMPLETED -> "completed";
            case RCODE_RESOURCES -> "resources exhausted";
            case 0x3 -> "retransmit";
            default -> "unknown";
        };
    }

    static String reason(int code) {
        return switch (code) {
            case REASON_IDLE -> "idle timeout";
            case REASON_VERSION -> "version mismatch";
            case 0x02 -> "busy";
            default -> "reason " + code;
        };
    }
}
