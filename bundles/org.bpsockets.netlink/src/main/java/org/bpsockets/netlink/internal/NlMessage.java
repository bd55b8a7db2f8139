package org.bpsockets.netlink.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One netlink message as received: its header fields, and for Generic Netlink messages the command and
 * the attribute region; for NLMSG_ERROR the error and extended-ack text.
 */
final class NlMessage {
    final int type;
    final int flags;
    final int seq;
    final int portId;
    final ByteBuffer body;

    private NlMessage(int type, int flags, int seq, int portId, ByteBuffer body) {
        this.type = type;
        this.flags = flags;
        this.seq = seq;
        this.portId = portId;
        this.body = body;
    }

    /** Splits a received datagram into its messages. */
    static List<NlMessage> parseAll(ByteBuffer datagram) throws ProtocolException {
        ByteBuffer b = datagram.duplicate().order(ByteOrder.nativeOrder());
        List<NlMessage> out = new ArrayList<>();
        while (b.remaining() >= Netlink.NLMSG_HDRLEN) {
            int start = b.position();
            int len = b.getInt(start);
            if (len < Netlink.NLMSG_HDRLEN || len > b.remaining()) {
                throw new ProtocolException("netlink message of length " + len + " with " + b.remaining()
                        + " bytes left");
            }
            int type = Short.toUnsignedInt(b.getShort(start + 4));
            int flags = Short.toUnsignedInt(b.getShort(start + 6));
            int seq = b.getInt(start + 8);
            int pid = b.getInt(start + 12);
            ByteBuffer body = b.duplicate().order(ByteOrder.nativeOrder());
            body.position(start + Netlink.NLMSG_HDRLEN).limit(start + len);
            out.add(new NlMessage(type, flags, seq, pid, body.slice().order(ByteOrder.nativeOrder())));
            b.position(Math.min(b.limit(), start + Netlink.align(len)));
        }
        return out;
    }

    /** A successful acknowledgement of {@code seq}, for messages whose success another ack vouched for. */
    static NlMessage implicitAck(int seq) {
        return syntheticError(seq, 0);
    }

    /** An acknowledgement with this errno that the kernel's lost in an overflow is taken to have said. */
    static NlMessage syntheticError(int seq, int errno) {
        ByteBuffer body = ByteBuffer.allocate(4 + Netlink.NLMSG_HDRLEN).order(ByteOrder.nativeOrder());
        body.putInt(0, -errno);
        return new NlMessage(Netlink.NLMSG_ERROR, Netlink.NLM_F_CAPPED, seq, 0, body);
    }

    /** This message in a buffer of its own, for keeping beyond the next receive into a shared buffer. */
    NlMessage copy() {
        ByteBuffer own = ByteBuffer.allocate(body.remaining()).order(ByteOrder.nativeOrder());
        own.put(body.duplicate()).flip();
        return new NlMessage(type, flags, seq, portId, own.order(ByteOrder.nativeOrder()));
    }

    boolean isError() {
        return type == Netlink.NLMSG_ERROR;
    }

    boolean isDone() {
        return type == Netlink.NLMSG_DONE;
    }

    /** For NLMSG_ERROR: 0 for an ack, else a positive errno. */
    int errno() throws ProtocolException {
        if (body.remaining() < 4) {
            throw new ProtocolException("truncated NLMSG_ERROR");
        }
        return -body.getInt(0);
    }

    /** For NLMSG_ERROR: the extended-ack message, or null. */
    String extackMessage() {
        if ((flags & Netlink.NLM_F_ACK_TLVS) == 0 || body.remaining() < 4 + Netlink.NLMSG_HDRLEN) {
            return null;
        }
        int offset = 4 + ((flags & Netlink.NLM_F_CAPPED) != 0 ? Netlink.NLMSG_HDRLEN
                : Netlink.align(body.getInt(4)));
        // The echoed request's nlmsg_len comes from the kernel: one below a header (or negative) is bogus.
        if (offset < 4 + Netlink.NLMSG_HDRLEN || offset >= body.remaining()) {
            return null;
        }
        ByteBuffer tlvs = body.duplicate().order(ByteOrder.nativeOrder());
        tlvs.position(offset);
        try {
            Attributes a = Attributes.parse(tlvs.slice().order(ByteOrder.nativeOrder()));
            return a.has(Netlink.NLMSGERR_ATTR_MSG) ? a.string(Netlink.NLMSGERR_ATTR_MSG) : null;
        } catch (ProtocolException e) {
            return null;
        }
    }

    /** The Generic Netlink command. */
    int command() throws ProtocolException {
        if (body.remaining() < Netlink.GENL_HDRLEN) {
            throw new ProtocolException("truncated genlmsghdr");
        }
        return Byte.toUnsignedInt(body.get(0));
    }

    Attributes attributes() throws ProtocolException {
        ByteBuffer attrs = body.duplicate().order(ByteOrder.nativeOrder());
        attrs.position(Netlink.GENL_HDRLEN);
        return Attributes.parse(attrs.slice().order(ByteOrder.nativeOrder()));
    }
}
