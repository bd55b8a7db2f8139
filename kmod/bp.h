/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AF_BP: internal declarations shared by the module's files.
 *
 * Locking: every per-namespace structure (struct bp_net, the socket list, the request queue, the
 * fields of struct bp_sock read by the node's commands) is protected by bp_net.lock, a mutex. All
 * paths that take it run in process context: syscalls, Generic Netlink doit/dumpit (parallel_ops)
 * and the blocking NETLINK_URELEASE notifier. Socket syscalls that change a socket's binding or
 * options also hold lock_sock(); the order is lock_sock() -> bp_net.lock, never the reverse.
 */
#ifndef _BP_INTERNAL_H
#define _BP_INTERNAL_H

#include <linux/completion.h>
#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>
#include <linux/skbuff.h>
#include <net/genetlink.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include <uapi/linux/bp.h>

#define BP_DEFAULT_WINDOW	(4U << 20)
#define BP_MAX_SOCK_OPTS	16	/* bundle options stored per socket */
#define BP_MAX_MSG_OPTS		16	/* SOL_BP control messages per sendmsg */
/* Data bytes per BP_A_PAYLOAD attribute: nla_len is 16 bits; a multiple of 8 keeps alignment. */
#define BP_PAYLOAD_CHUNK	65528
/*
 * The earlier bp-socket prototype's bundle flags, in send flags (bp(7) COMPATIBILITY). Bits 0x40,
 * 0x80 and 0x800 are not among them and keep their MSG_* meaning.
 */
#define BPS_ACK_REQUESTED	0x0001
#define BPS_RECEIVED_RPT	0x0002
#define BPS_CUSTODY_RPT		0x0004
#define BPS_FORWARDED_RPT	0x0008
#define BPS_DELIVERED_RPT	0x0010
#define BPS_DELETED_RPT		0x0020
#define BPS_BULK_PRIORITY	0x0100
#define BPS_STD_PRIORITY	0x0200
#define BPS_EXPEDITED_PRIORITY	0x0400
#define BPS_CUSTODY_REQUIRED	0x1000
#define BPS_CUSTODY_OPTIONAL	0x2000
#define BPS_NO_CUSTODY		0x4000
#define BPS_PRIORITY_FLAGS	0x0700
#define BPS_CUSTODY_FLAGS	0x7000
#define BPS_FLAGS		0x773f
#define BPS_MAX_OPTS		4	/* options the flags of one message can stand for */
#define BP_AUTOBIND_FIRST	65536U
#define BP_AUTOBIND_LAST	131071U
/*
 * IDs (hashes) of the last bundles queued to a socket, to recognise a repeat after a crash of the
 * node (bp(7) NOTES, decision 0015): 2 KiB per socket that received a bundle with an ID.
 */
#define BP_RX_IDS		256

extern unsigned int bp_af;
extern unsigned int bp_max_payload;
extern unsigned int bp_node_timeout_ms;
extern unsigned int bp_max_orphaned;
extern bool bp_bpsocket_flags;
extern unsigned int bp_net_id;
extern struct genl_family bp_genl_family;

/* An endpoint ID, as bound or addressed. */
struct bp_eid {
	u32 scheme;		/* enum bp_scheme; 0 only for "no EID" */
	union {
		struct {
			u32 allocator;
			u32 node;
			u32 service;
		} ipn;
		char dtn[BP_DTN_EID_MAX];	/* NUL-terminated */
	};
};

struct bp_opt {
	u32 name;
	u32 len;
	u8 val[BP_OPTION_VALUE_MAX];
};

enum bp_sock_state {
	BP_UNBOUND,
	BP_BINDING,	/* a BIND request is being answered */
	BP_BOUND,
};

struct bp_sock {
	struct sock sk;			/* must be first */
	struct list_head node;		/* bp_net.socks, in id order */
	struct hlist_node hnode;	/* bp_net.sock_hash, by id */
	struct hlist_node ehnode;	/* bp_net.eid_hash while not BP_UNBOUND, by EID */
	struct list_head reqs;		/* this socket's SEND requests (bp_req.sock_node) */
	u64 id;
	enum bp_sock_state state;
	struct bp_eid eid;		/* valid unless BP_UNBOUND */
	struct bp_eid peer;		/* scheme 0: not connected */
	u32 send_count;
	bool rx_blocked;		/* refused a DELIVER with ENOBUFS; DRAINED not yet queued */
	bool rx_nomem;			/* ... for want of memory: the retry work sends DRAINED */
	u32 rx_gen;			/* refusals that made rx_blocked; DRAINED says it */
	struct bp_req *drained;		/* its DRAINED, allocated with the socket: cannot be lost */
	struct bp_req *bind_req;	/* an asynchronous BIND under way (non-blocking autobind) */
	bool recvstatus;		/* BP_RECVSTATUS: status records go to the error queue */
	bool bpsocket;			/* send flags are bp-socket's bundle flags (BPS_*) */
	bool recvid;			/* BP_RECVID: the bundle ID as a control message */
	u64 *rx_ids;			/* BP_RX_IDS bundle ID hashes; NULL until the first */
	unsigned int rx_ids_next;	/* slot for the next ID */
	unsigned int rx_ids_count;	/* valid slots */
	u64 rx_repeats;			/* DELIVERs recognised as repeats (BP_RECV_REPEATS) */
	unsigned int nopts;
	struct bp_opt opts[BP_MAX_SOCK_OPTS];
};

static inline struct bp_sock *bp_sk(const struct sock *sk)
{
	return (struct bp_sock *)sk;
}

enum bp_req_kind {
	BP_REQ_BIND,
	BP_REQ_SEND,
	BP_REQ_SETOPT,
	BP_REQ_GETOPT,
	BP_REQ_NOTIFY,		/* RELEASE, DRAINED: no cookie, no reply */
};

/*
 * A message for the node. Requests wait in bp_net.unsent (FIFO), then in bp_net.sent until the
 * node's REPLY with their cookie. A synchronous request (bind, setsockopt, getsockopt, sendmsg with
 * control messages) is owned by the waiting caller, which frees it; any other by the queue.
 */
struct bp_req {
	struct list_head list;		/* bp_net.unsent or bp_net.sent */
	struct hlist_node hnode;	/* bp_net.reqs, by cookie (requests only) */
	struct list_head sock_node;	/* bp_sock.reqs (SEND only, while the socket lives) */
	u64 cookie;
	u32 send_id;			/* SEND: the socket's count of sends before this one */
	enum bp_req_kind kind;
	bool sent;
	bool sync;			/* a caller waits on done */
	bool node_gone;			/* completed because the node went away */
	bool owned;			/* a socket's DRAINED: leaves the queue, is not freed */
	unsigned int orphaned;		/* SEND of a closed socket: its truesize, in bn->orphaned */
	struct bp_sock *bs;		/* NULL once the socket is closed */
	struct sk_buff *skb;		/* the whole message; sent as clones */
	unsigned int len;		/* bytes counted against the window */
	struct completion done;
	int err;			/* 0 or a negative errno, when done */
	struct bp_eid eid;		/* BIND reply (scheme 0 if absent) */
	struct bp_opt opt;		/* GETOPT reply */
};

/* Per network namespace state (net_generic). */
struct bp_net {
	struct mutex lock;		/* everything below, and the node-visible bp_sock fields */
	struct net *net;
	bool registered;
	bool ready;
	bool backend_ready;
	u32 owner_portid;
	struct sock *owner_sk;		/* the node's netlink socket (held) while registered */
	u32 window;
	u32 in_flight;			/* bytes of sent, unanswered requests */
	u64 orphaned;			/* truesize of the queued SENDs of closed sockets */
	u64 next_sock_id;
	atomic64_t next_cookie;
	u32 next_auto;			/* autobind hint */
	unsigned int gen;		/* bumped when the set of bound sockets changes */
	struct list_head socks;
	struct list_head unsent;
	struct list_head sent;
	DECLARE_HASHTABLE(reqs, 8);
	DECLARE_HASHTABLE(sock_hash, 8);
	/* Sockets holding an EID (binding or bound): ipn by service, dtn by text. */
	DECLARE_HASHTABLE(eid_hash, 10);
	struct delayed_work retry;	/* pumps again after an allocation failure */
	bool rx_nomem;			/* some socket's rx_nomem is set */
};

static inline struct bp_net *bp_pernet(const struct net *net)
{
	return net_generic(net, bp_net_id);
}

/* bp_addr.c */
extern const struct nla_policy bp_eid_nl_policy[BP_EID_A_MAX + 1];
extern const struct nla_policy bp_opt_nl_policy[BP_OPT_A_MAX + 1];
int bp_addr_to_eid(const struct sockaddr *addr, int len, struct bp_eid *eid);
int bp_eid_to_addr(const struct bp_eid *eid, struct sockaddr_bp *addr);
bool bp_eid_equal(const struct bp_eid *a, const struct bp_eid *b);
bool bp_eid_is_null(const struct bp_eid *eid);
bool bp_eid_is_admin(const struct bp_eid *eid);
int bp_eid_check(const struct bp_eid *eid);
size_t bp_eid_nlsize(const struct bp_eid *eid);
int bp_eid_put(struct sk_buff *skb, int attr, const struct bp_eid *eid);
int bp_eid_from_nla(const struct nlattr *nla, struct bp_eid *eid, bool allow_null,
		    struct netlink_ext_ack *extack);
size_t bp_opt_nlsize(const struct bp_opt *opt);
int bp_opt_put(struct sk_buff *skb, int attr, const struct bp_opt *opt);
int bp_opt_from_nla(const struct nlattr *nla, struct bp_opt *opt, struct netlink_ext_ack *extack);

/* bp_node.c */
int bp_net_init(struct bp_net *bn, struct net *net);
void bp_net_exit(struct bp_net *bn);
void bp_node_pump(struct bp_net *bn);
void bp_node_gone(struct bp_net *bn);
void bp_node_restart(struct bp_net *bn);
void bp_node_notify(struct bp_net *bn, u8 cmd, u64 sock_id);
struct bp_req *bp_notify_new(u8 cmd, u64 sock_id, gfp_t gfp);
void bp_node_drained(struct bp_net *bn, struct bp_sock *bs);
struct bp_req *bp_req_alloc(enum bp_req_kind kind, struct bp_sock *bs, struct sk_buff *skb);
void bp_req_queue(struct bp_net *bn, struct bp_req *req);
void bp_req_unlink(struct bp_net *bn, struct bp_req *req);
void bp_req_free(struct bp_req *req);
void bp_req_done(struct bp_net *bn, struct bp_req *req);
struct bp_req *bp_req_lookup(struct bp_net *bn, u64 cookie);
long bp_req_wait(struct bp_net *bn, struct bp_req *req);
int bp_node_bind(struct bp_net *bn, struct bp_sock *bs, const struct bp_eid *eid, bool nonblock);
void bp_bind_async_done(struct bp_net *bn, struct bp_req *req);
bool bp_eid_in_use(struct bp_net *bn, const struct bp_sock *bs, const struct bp_eid *eid);
bool bp_service_in_use(struct bp_net *bn, u32 service);
void bp_sock_set_state(struct bp_net *bn, struct bp_sock *bs, enum bp_sock_state state);
int bp_node_opt(struct bp_net *bn, struct bp_sock *bs, enum bp_req_kind kind, struct bp_opt *opt);
void bp_node_complete(struct bp_net *bn, struct bp_req *req, int err);
struct bp_sock *bp_sock_lookup(struct bp_net *bn, u64 id);
struct sk_buff *bp_adu_alloc(size_t len);
void bp_node_nomem(struct bp_net *bn, struct bp_sock *bs);
/* Allocations the tests can make fail (ALLOW_ERROR_INJECTION). */
struct sk_buff *bp_msg_alloc(size_t payload, gfp_t gfp);
struct sk_buff *bp_pack_alloc(unsigned int size);
struct sk_buff *bp_msg_clone(struct sk_buff *skb);
int bp_skb_add_paged(struct sk_buff *skb, size_t len, gfp_t gfp);

/* af_bp.c */
int bp_sock_deliver(struct bp_net *bn, struct bp_sock *bs, struct sk_buff *skb,
		    const struct bp_eid *src, const struct bp_bundle_id *id);
struct sk_buff *bp_status_alloc(void);
int bp_sock_status(struct bp_sock *bs, struct sk_buff *skb, const struct bp_eid *reporter);
u64 bp_bundle_id_hash(const struct bp_eid *src, u64 creation_time, u64 sequence, u64 frag_offset);
bool bp_rx_id_seen(struct bp_sock *bs, u64 id);
void bp_rx_id_add(struct bp_sock *bs, u64 id);

static inline struct bp_status *bp_skb_status(const struct sk_buff *skb)
{
	return (struct bp_status *)skb->data;
}

int bp_proto_init(void);
void bp_proto_exit(void);

/* bp_genl.c */
int bp_genl_init(void);
void bp_genl_exit(void);

#endif /* _BP_INTERNAL_H */
