package org.bpsockets.netlink.internal;

/** Linux netlink and genetlink constants (uapi/linux/netlink.h, genetlink.h). */
final class Netlink {
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int NETLINK_GENERIC = 16;
    static final int SOL_NETLINK = 270;
    static final int NETLINK_ADD_MEMBERSHIP = 1;
    static final int NETLINK_EXT_ACK = 11;
    static final int NETLINK_CAP_ACK = 10;
    static final int SOL_SOCKET = 1;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVTIMEO = 20;
    static final int SO_SNDBUFFORCE = 32;
    static final int SO_RCVBUFFORCE = 33;

    static final int NLMSG_HDRLEN = 16;
    static final int GENL_HDRLEN = 4;
    static final int NLA_HDRLEN = 4;

    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLMSG_OVERRUN = 4;

    static final int NLM_F_REQUEST = 0x01;
    static final int NLM_F_MULTI = 0x02;
    static final int NLM_F_ACK = 0x04;
    static final int NLM_F_DUMP_INTR = 0x10;
    static final int NLM_F_DUMP = 0x300;
    static final int NLM_F_CAPPED = 0x100;
    static final int NLM_F_ACK_TLVS = 0x200;

    static final int NLA_F_NESTED = 0x8000;
    static final int NLA_TYPE_MASK = 0x3FFF;

    static final int NLMSGERR_ATTR_MSG = 1;

    // nlctrl
    static final int GENL_ID_CTRL = 0x10;
    static final int CTRL_CMD_NEWFAMILY = 1;
    static final int CTRL_CMD_DELFAMILY = 2;
    static final int CTRL_CMD_GETFAMILY = 3;
    static final int CTRL_ATTR_FAMILY_ID = 1;
    static final int CTRL_ATTR_FAMILY_NAME = 2;
    static final int CTRL_ATTR_MCAST_GROUPS = 7;
    static final int CTRL_ATTR_MCAST_GRP_NAME = 1;
    static final int CTRL_ATTR_MCAST_GRP_ID = 2;

    static int align(int len) {
        return (len + 3) & ~3;
    }

    private Netlink() {
    }
}
