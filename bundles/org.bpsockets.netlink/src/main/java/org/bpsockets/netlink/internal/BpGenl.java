package org.bpsockets.netlink.internal;

/**
 * The Generic Netlink family of the AF_BP module, mirrored from {@code kmod/include/uapi/linux/bp.h}
 * (BpGenlTest checks every value against the header).
 */
final class BpGenl {
    static final String FAMILY_NAME = "bp";
    static final int FAMILY_VERSION = 1;
    static final int PROTOCOL_VERSION = 2;

    // enum bp_cmd
    static final int CMD_REGISTER = 1;
    static final int CMD_UNREGISTER = 2;
    static final int CMD_NODE_STATE = 3;
    static final int CMD_SOCKET_GET = 4;
    static final int CMD_REPLY = 5;
    static final int CMD_DELIVER = 6;
    static final int CMD_BIND = 7;
    static final int CMD_RELEASE = 8;
    static final int CMD_SEND = 9;
    static final int CMD_SETOPT = 10;
    static final int CMD_GETOPT = 11;
    static final int CMD_DRAINED = 12;
    static final int CMD_STATUS = 13;

    // enum bp_attr
    static final int A_PAD = 1;
    static final int A_PROTOCOL_VERSION = 2;
    static final int A_MAX_PAYLOAD = 3;
    static final int A_FAMILY = 4;
    static final int A_WINDOW = 5;
    static final int A_READY = 6;
    static final int A_BACKEND_READY = 7;
    static final int A_COOKIE = 8;
    static final int A_SOCKET_ID = 9;
    static final int A_EID = 10;
    static final int A_SRC_EID = 11;
    static final int A_DST_EID = 12;
    static final int A_OPTIONS = 13;
    static final int A_OPTION = 14;
    static final int A_PAYLOAD = 15;
    static final int A_ERRNO = 16;
    static final int A_SEND_ID = 17;
    static final int A_CREATION_TIME = 18;
    static final int A_SEQUENCE = 19;
    static final int A_LIFETIME_MS = 20;
    static final int A_DELIVERY_FLAGS = 21;
    static final int A_STATUS = 22;
    static final int A_REASON = 23;
    static final int A_STATUS_TIME = 24;
    static final int A_FRAG_OFFSET = 25;
    static final int A_FRAG_LENGTH = 26;
    static final int A_RX_GEN = 27;

    // enum bp_eid_attr
    static final int EID_A_SCHEME = 1;
    static final int EID_A_IPN_ALLOCATOR = 2;
    static final int EID_A_IPN_NODE = 3;
    static final int EID_A_IPN_SERVICE = 4;
    static final int EID_A_DTN = 5;

    // enum bp_option_attr
    static final int OPT_A_NAME = 1;
    static final int OPT_A_VALUE = 2;

    // enum bp_scheme
    static final int SCHEME_IPN = 1;
    static final int SCHEME_DTN = 2;

    static final int DELIVERY_F_ADMIN_RECORD = 0x1;
    static final int DELIVERY_F_ACK_REQUESTED = 0x2;

    static final int DTN_EID_MAX = 120;
    static final int OPTION_VALUE_MAX = 128;

    /** Largest PAYLOAD attribute we write: nla_len is 16 bits and counts its 4-byte header; kept 4-aligned. */
    static final int PAYLOAD_CHUNK = 65_528;

    private BpGenl() {
    }
}
