/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * AF_BP: Bundle Protocol (RFC 9171) datagram sockets.
 *
 * Applications: socket(AF_BP, SOCK_DGRAM, 0), struct sockaddr_bp, SOL_BP options; see bp(7).
 * The node that serves the sockets: the Generic Netlink family BP_GENL_NAME; see
 * docs/netlink-protocol.md.
 */
#ifndef _UAPI_LINUX_BP_H
#define _UAPI_LINUX_BP_H

#include <linux/types.h>
#include <linux/socket.h>

/* 28 is AF_MPLS in <linux/socket.h>, which has no socket layer; the af parameter picks another. */
#ifndef AF_BP
#define AF_BP		28
#endif
#define PF_BP		AF_BP
#define SOL_BP		299

/*
 * Protocol numbers (socket()'s third argument). BP_PROTO_BPSOCKET sockets read send flags as the
 * bundle flags of the earlier bp-socket prototype; so do protocol 0 sockets when the module's
 * bpsocket_flags parameter is 1. BP_PROTO_STANDARD sockets never do. See bp(7) COMPATIBILITY.
 */
#define BP_PROTO_DEFAULT	0
#define BP_PROTO_BPSOCKET	1
#define BP_PROTO_STANDARD	2

enum bp_scheme {
	BP_SCHEME_IPN = 1,
	BP_SCHEME_DTN = 2,
};

/* Bytes of a dtn EID text ("dtn://node/demux" or "dtn:none") including its terminating NUL. */
#define BP_DTN_EID_MAX	120

/*
 * Socket address. The first 16 bytes are those of the earlier bp-socket ABI (ipn only): family
 * at 0, scheme at 4, node at 8, service at 12; bytes 2-3 are ignored. RFC 9758's allocator
 * follows at 16 (read only when the address is at least BP_SOCKADDR_IPN3_LEN long, else 0). A dtn
 * EID is its URI text at 8, up to the first NUL or the end of the address.
 */
struct sockaddr_bp {
	__kernel_sa_family_t bp_family;		/* AF_BP */
	__u16 bp_reserved;			/* ignored; write 0 */
	__u32 bp_scheme;			/* enum bp_scheme */
	union {
		struct {
			__u32 node_id;		/* 0xffffffff with allocator 0: ipn:!.S (local) */
			__u32 service_id;
			__u32 allocator_id;	/* RFC 9758; 0 = the default allocator */
		} ipn;
		char dtn[BP_DTN_EID_MAX];
	} bp_addr;
};

#define BP_SOCKADDR_IPN_LEN	16	/* ipn, allocator 0: the earlier ABI's size */
#define BP_SOCKADDR_IPN3_LEN	20	/* ipn with an allocator */
#define BP_SOCKADDR_DTN_OFFSET	8	/* where the dtn text starts */
#define BP_IPN_LOCAL_NODE	0xffffffffU

/*
 * SOL_BP options. 1..127 are bundle options: the node validates them when they are set
 * (setsockopt fails with ENOPROTOOPT if no extension of the node handles the name, EINVAL for a
 * bad value) and applies them to every bundle the socket sends. The same names, as control
 * messages of level SOL_BP on sendmsg, apply to one message only. Values are in host byte order.
 */
#define BP_LIFETIME_MS		1	/* __u64 milliseconds, >= 1; default 86400000 */
#define BP_CLASS_OF_SERVICE	2	/* int: BP_COS_*; default BP_COS_NORMAL */
#define BP_ORDINAL		3	/* int 0..254 (ION: priority within expedited); default 0 */
#define BP_STATUS_REPORTS	4	/* __u32 of BP_REPORT_*; default 0 */
#define BP_REPORT_TO		5	/* struct sockaddr_bp; default: the sending endpoint */
#define BP_CUSTODY		6	/* int: BP_CUSTODY_*; default BP_CUSTODY_NONE */
#define BP_HOP_LIMIT		7	/* int 0 (no hop count block) or 1..255; default 0 */
#define BP_MUST_NOT_FRAGMENT	8	/* int 0 or 1; default 0 */
#define BP_APP_ACK		9	/* int 0 or 1: application ack requested; default 0 */
#define BP_BUNDLE_OPTION_MAX	127

/*
 * SOL_BP options from 128 are the socket's own, kept by the module: the node never sees them, and
 * they are not control messages.
 */
#define BP_RECVSTATUS		128	/* int 0 or 1: queue status records (struct bp_status) */
/*
 * getsockopt only: __u64, the bundles the node delivered again (after its crash) that this socket
 * had already queued, recognised by bundle ID and not queued twice (bp(7) NOTES).
 */
#define BP_RECV_REPEATS		129
/*
 * int 0 or 1 (default 0): recvmsg gives each datagram whose bundle the node identified its bundle
 * ID as a control message (SOL_BP, BP_RECVID) holding a struct bp_bundle_id; the source is
 * msg_name. Its presence identifies a bundle again after a repeat the module did not recognise.
 */
#define BP_RECVID		130

/* Largest value of a bundle option, in bytes. */
#define BP_OPTION_VALUE_MAX	128

enum bp_class_of_service {
	BP_COS_BULK = 0,
	BP_COS_NORMAL = 1,
	BP_COS_EXPEDITED = 2,
};

enum bp_custody {
	BP_CUSTODY_NONE = 0,
	BP_CUSTODY_OPTIONAL = 1,
	BP_CUSTODY_REQUIRED = 2,
};

#define BP_REPORT_RECEPTION	0x1
#define BP_REPORT_FORWARDING	0x2
#define BP_REPORT_DELIVERY	0x4
#define BP_REPORT_DELETION	0x8

/*
 * A status record, read with recvmsg(MSG_ERRQUEUE) by a socket with BP_RECVSTATUS on: one per
 * call, as the control message (SOL_BP, BP_RECVSTATUS); no data. bs_status says what it is:
 *  - BP_STATUS_ACCEPTED: the node accepted the socket's send number bs_send_id (the count of the
 *    socket's earlier sends) as the bundle (bs_source, bs_creation_time, bs_sequence);
 *    bs_creation_time 0 means the backend did not say;
 *  - BP_STATUS_FAILED: the node refused that send; bs_errno says why;
 *  - BP_REPORT_* bits: a bundle status report (RFC 9171 6.1.1) about the bundle (bs_source,
 *    bs_creation_time, bs_sequence, fragment) asserting those events; msg_name is the node that
 *    reported, bs_time when (DTN time, 0 if it did not say), bs_reason its reason code.
 * The bundle ID is what matches a report to a send; bs_send_id is BP_SEND_ID_NONE where the node
 * did not know it. Send ids count the sends that reached the node; each gets one record.
 */
#define BP_STATUS_ACCEPTED	0x100
#define BP_STATUS_FAILED	0x200
#define BP_SEND_ID_NONE		0xffffffffU

struct bp_status {
	__u32 bs_status;		/* BP_STATUS_ACCEPTED, _FAILED or BP_REPORT_* bits */
	__u32 bs_send_id;
	__u64 bs_creation_time;		/* DTN time, ms since 2000-01-01 */
	__u64 bs_sequence;
	__u64 bs_time;			/* when the reported event happened; 0: not said */
	__u64 bs_frag_offset;		/* the subject is a fragment if bs_frag_length > 0 */
	__u64 bs_frag_length;
	__u32 bs_reason;		/* RFC 9171 status report reason code */
	__s32 bs_errno;			/* BP_STATUS_FAILED: a positive errno */
	struct sockaddr_bp bs_source;	/* the bundle's source: the sending endpoint */
};

/* A received bundle's ID (with its source, msg_name): the BP_RECVID control message. */
struct bp_bundle_id {
	__u64 bi_creation_time;		/* DTN time, ms since 2000-01-01; 0: no clock */
	__u64 bi_sequence;
	__u64 bi_frag_offset;		/* 0 for a whole bundle */
};

/* ---- Generic Netlink protocol between the module and the node (docs/netlink-protocol.md) ---- */

#define BP_GENL_NAME		"bp"
#define BP_GENL_VERSION		1
/* Version of the message set below; the node states it in BP_CMD_REGISTER. */
#define BP_PROTOCOL_VERSION	2

enum bp_cmd {
	BP_CMD_UNSPEC,
	/* node -> kernel */
	BP_CMD_REGISTER,	/* become this namespace's node; answered by a REGISTER message */
	BP_CMD_UNREGISTER,	/* stop being the node */
	BP_CMD_NODE_STATE,	/* ready to receive requests; whether a backend carries bundles */
	BP_CMD_SOCKET_GET,	/* dump: every bound socket, to resynchronise */
	BP_CMD_REPLY,		/* the answer to a kernel request (BIND, SEND, SETOPT, GETOPT) */
	BP_CMD_DELIVER,		/* an ADU for a socket; acked once queued, or refused */
	/* kernel -> node */
	BP_CMD_BIND,		/* request: a socket binds an endpoint */
	BP_CMD_RELEASE,		/* notification: a socket is closed */
	BP_CMD_SEND,		/* request: send an ADU */
	BP_CMD_SETOPT,		/* request: validate a socket option */
	BP_CMD_GETOPT,		/* request: the default value of an option */
	BP_CMD_DRAINED,		/* notification: a socket that refused a delivery has room again */
	/* node -> kernel */
	BP_CMD_STATUS,		/* a status report for a socket's error queue; acked once queued */
	__BP_CMD_MAX,
};

#define BP_CMD_MAX (__BP_CMD_MAX - 1)

enum bp_attr {
	BP_A_UNSPEC,
	BP_A_PAD,
	BP_A_PROTOCOL_VERSION,	/* u32 */
	BP_A_MAX_PAYLOAD,	/* u32: largest ADU a socket may send or receive */
	BP_A_FAMILY,		/* u32: the address family number the module registered */
	BP_A_WINDOW,		/* u32: bytes of requests the node accepts in flight */
	BP_A_READY,		/* u8: the node has resynchronised and takes requests */
	BP_A_BACKEND_READY,	/* u8: a backend carries bundles (else sendmsg: ENETUNREACH) */
	BP_A_COOKIE,		/* u64: identifies a request; the reply carries it back */
	BP_A_SOCKET_ID,		/* u64: a socket, unique in its namespace while loaded */
	BP_A_EID,		/* nested bp_eid_attr: the bound (or resolved) endpoint */
	BP_A_SRC_EID,		/* nested bp_eid_attr */
	BP_A_DST_EID,		/* nested bp_eid_attr */
	BP_A_OPTIONS,		/* nested: BP_A_OPTION, ... */
	BP_A_OPTION,		/* nested bp_option_attr */
	BP_A_PAYLOAD,		/* binary; may repeat: the ADU is the concatenation, in order */
	BP_A_ERRNO,		/* u32: 0 or a positive errno */
	BP_A_SEND_ID,		/* u32: the socket's count of sends before this one */
	BP_A_CREATION_TIME,	/* u64: DTN time (ms since 2000-01-01) of the bundle */
	BP_A_SEQUENCE,		/* u64: creation timestamp sequence number */
	BP_A_LIFETIME_MS,	/* u64 */
	BP_A_DELIVERY_FLAGS,	/* u32: BP_DELIVERY_F_* */
	BP_A_STATUS,		/* u32: BP_REPORT_* bits a status report asserts */
	BP_A_REASON,		/* u32: status report reason code, 0..255 */
	BP_A_STATUS_TIME,	/* u64: DTN time of the reported event */
	BP_A_FRAG_OFFSET,	/* u64 */
	BP_A_FRAG_LENGTH,	/* u64: 0 or absent: not a fragment */
	BP_A_RX_GEN,		/* u32: a socket's count of refusals for room (DELIVER order) */
	__BP_A_MAX,
};

#define BP_A_MAX (__BP_A_MAX - 1)

enum bp_eid_attr {
	BP_EID_A_UNSPEC,
	BP_EID_A_SCHEME,	/* u32: enum bp_scheme */
	BP_EID_A_IPN_ALLOCATOR,	/* u32 */
	BP_EID_A_IPN_NODE,	/* u32 */
	BP_EID_A_IPN_SERVICE,	/* u32 */
	BP_EID_A_DTN,		/* NUL-terminated string: "dtn://node/demux" or "dtn:none" */
	__BP_EID_A_MAX,
};

#define BP_EID_A_MAX (__BP_EID_A_MAX - 1)

enum bp_option_attr {
	BP_OPT_A_UNSPEC,
	BP_OPT_A_NAME,		/* u32: a SOL_BP option name */
	BP_OPT_A_VALUE,		/* binary, at most BP_OPTION_VALUE_MAX bytes */
	__BP_OPT_A_MAX,
};

#define BP_OPT_A_MAX (__BP_OPT_A_MAX - 1)

#define BP_DELIVERY_F_ADMIN_RECORD	0x1	/* the ADU is an administrative record */
#define BP_DELIVERY_F_ACK_REQUESTED	0x2	/* the source asked for an application ack */

#endif /* _UAPI_LINUX_BP_H */
