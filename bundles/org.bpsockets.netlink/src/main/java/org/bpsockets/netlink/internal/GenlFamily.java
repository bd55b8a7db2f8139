package org.bpsockets.netlink.internal;

import java.nio.ByteBuffer;
import java.util.OptionalInt;

/** Asks the Generic Netlink controller (nlctrl) for a family's id and multicast groups. */
final class GenlFamily {
    private GenlFamily() {
    }

    /**
     * The id of a family, or empty if it is not registered (the module is not loaded).
     *
     * @param socket a socket no other thread receives on
     */
    static OptionalInt resolve(NetlinkSocket socket, String name, int seq) throws NetlinkException {
        Attributes reply = query(socket, name, seq);
        if (reply == null) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(reply.u16(Netlink.CTRL_ATTR_FAMILY_ID));
        } catch (ProtocolException e) {
            throw new NetlinkException("nlctrl reply without a family id: " + e.getMessage(), Errno.EIO);
        }
    }

    /** The id of one of nlctrl's own multicast groups ("notify": family added and removed). */
    static int controllerGroup(NetlinkSocket socket, String group, int seq) throws NetlinkException {
        Attributes reply = query(socket, "nlctrl", seq);
        try {
            if (reply != null && reply.has(Netlink.CTRL_ATTR_MCAST_GROUPS)) {
                Attributes groups = reply.nested(Netlink.CTRL_ATTR_MCAST_GROUPS);
                for (int i = 1; groups.has(i); i++) {
                    Attributes g = groups.nested(i);
                    if (group.equals(g.string(Netlink.CTRL_ATTR_MCAST_GRP_NAME))) {
                        return g.u32(Netlink.CTRL_ATTR_MCAST_GRP_ID);
                    }
                }
            }
        } catch (ProtocolException e) {
            throw new NetlinkException("malformed nlctrl reply: " + e.getMessage(), Errno.EIO);
        }
        throw new NetlinkException("nlctrl has no multicast group '" + group + "'", Errno.ENOENT);
    }

    /** The name of the family a nlctrl NEWFAMILY/DELFAMILY message is about, or null. */
    static String familyName(NlMessage message) {
        try {
            return message.attributes().string(Netlink.CTRL_ATTR_FAMILY_NAME);
        } catch (ProtocolException e) {
            return null;
        }
    }

    private static Attributes query(NetlinkSocket socket, String name, int seq) throws NetlinkException {
        MessageWriter w = new MessageWriter(256);
        w.begin(Netlink.GENL_ID_CTRL, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, seq, Netlink.CTRL_CMD_GETFAMILY, 1)
                .string(Netlink.CTRL_ATTR_FAMILY_NAME, name).end();
        socket.send(w.finish());
        ByteBuffer buf = ByteBuffer.allocateDirect(16384);
        Attributes found = null;
        while (true) {
            if (!socket.receive(buf)) {
                throw new NetlinkException("nlctrl did not answer", Errno.ETIMEDOUT);
            }
            try {
                for (NlMessage m : NlMessage.parseAll(buf)) {
                    if (m.seq != seq) {
                        continue;
                    }
                    if (m.isError()) {
                        int errno = m.errno();
                        if (errno == 0) {
                            return found;
                        }
                        if (errno == Errno.ENOENT) {
                            return null;
                        }
                        throw new NetlinkException("nlctrl GETFAMILY " + name, errno, m.extackMessage());
                    }
                    if (m.type == Netlink.GENL_ID_CTRL) {
                        // The next receive reuses the buffer: keep a copy, not a view.
                        found = m.copy().attributes();
                    }
                }
            } catch (ProtocolException e) {
                throw new NetlinkException("malformed nlctrl reply: " + e.getMessage(), Errno.EIO);
            }
        }
    }
}
