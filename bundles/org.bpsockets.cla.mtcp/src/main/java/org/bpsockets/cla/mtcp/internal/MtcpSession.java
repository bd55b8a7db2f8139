package org.bpsockets.cla.mtcp.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.bpv7.Cbor;
import org.bpsockets.bpv7.MalformedBundleException;
import org.bpsockets.cla.common.CtrlBuf;
import org.bpsockets.cla.common.Incoming;
import org.bpsockets.cla.common.ProtocolException;
import org.bpsockets.cla.common.StreamSession;
import org.bpsockets.cla.common.Transfer;
import org.bpsockets.node.api.cla.RefusalReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One MTCP connection: CBOR byte-string heads and bundle bytes, nothing else, in either direction. */
final class MtcpSession extends StreamSession {
    private static final Logger LOG = LoggerFactory.getLogger(MtcpSession.class);

    private final MtcpLayer layer;
    private ByteBuffer view;

    MtcpSession(MtcpLayer layer, String id, Socket accepted) {
        super(layer.context(), id, MtcpLayer.NAME, accepted, layer.settings, layer.problems(), LOG);
        this.layer = layer;
    }

    MtcpSession(MtcpLayer layer, String id, InetSocketAddress target, EndpointId peer) {
        super(layer.context(), id, MtcpLayer.NAME, target, layer.settings, layer.problems(), LOG);
        this.layer = layer;
        peerNodeId(peer);
    }

    @Override
    protected void handshake() throws IOException {
        // No handshake: the connection is the session. Dead peers show up through TCP keepalive probes.
        socket().setKeepAlive(true);
        socket().setSoTimeout(layer.config.idleTimeoutSeconds() * 1000);
    }

    @Override
    protected void readLoop() throws IOException {
        long max = context.maxBundleSize();
        while (in.awaitMessage()) {
            long length = head();
            if (length > max || length > Integer.MAX_VALUE - 8) {
                throw new ProtocolException("oversize", -1,
                        "bundle of " + length + " bytes exceeds the node's limit of " + max);
            }
            byte[] data = new byte[(int) length];
            in.readFully(data, 0, data.length);
            deliver(ByteBuffer.wrap(data), new Receipt(length));
            awaitReceiveRoom();
        }
    }

    /** Reads a byte-string head in any definite form (dtn7-go writes 0x58 even for short bundles). */
    private long head() throws IOException {
        int ai = in.peek8() & 0x1F;
        int size = ai < 24 ? 1 : ai <= 27 ? 1 + (1 << (ai - 24)) : 1;
        in.need(size);
        if (view == null || view.array() != in.array()) {
            view = ByteBuffer.wrap(in.array());
        }
        view.limit(in.limit()).position(in.position());
        try {
            long length = Cbor.readByteStringHeader(view);
            in.position(view.position());
            return length;
        } catch (MalformedBundleException e) {
            throw new ProtocolException("bad-framing", -1, "not a CBOR byte string: " + e.getMessage());
        }
    }

    @Override
    protected void writeTransfer(Transfer t) throws IOException {
        byte[] head = Cbor.byteStringHeader(t.length());
        out.bytes(head, 0, head.length).bytes(t, 0, t.length());
        completeOnFlush(t);
    }

    @Override
    protected void writeKeepalive() {
        // MTCP has none.
    }

    @Override
    protected void writeTermination(String reason, boolean reply) {
        // MTCP has no closing message: closing the connection says it all.
    }

    @Override
    protected void rejection(CtrlBuf ctrl, ProtocolException e) {
        // Nothing can be said to an MTCP peer: the connection just closes.
    }

    @Override
    protected void idleTermination(CtrlBuf ctrl) {
        // As for rejections.
    }

    @Override
    protected void failInFlight(String reason) {
        // Written transfers are already complete: MTCP knows nothing after the socket.
    }

    /** The node's verdict has nothing to tell an MTCP peer; it only frees the receive window. */
    private static final class Receipt extends Incoming {
        Receipt(long length) {
            super(length);
        }

        @Override
        protected void emit(CtrlBuf ctrl, RefusalReason refusal) {
        }
    }
}
