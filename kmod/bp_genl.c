// SPDX-License-Identifier: GPL-2.0
/*
 * AF_BP: the Generic Netlink family "bp" through which a namespace's node serves its sockets
 * (docs/netlink-protocol.md): policies, command handlers, and the NETLINK_URELEASE notifier that
 * notices the node's death.
 */
#include <linux/netlink.h>
#include <linux/notifier.h>

#include "bp.h"

#define BP_REPORTS_ALL	(BP_REPORT_RECEPTION | BP_REPORT_FORWARDING | BP_REPORT_DELIVERY | \
			 BP_REPORT_DELETION)

static const struct nla_policy bp_options_nl_policy[BP_A_OPTION + 1] = {
	[BP_A_OPTION]		= NLA_POLICY_NESTED(bp_opt_nl_policy),
};

static const struct nla_policy bp_nl_policy[BP_A_MAX + 1] = {
	[BP_A_PAD]		= { .type = NLA_BINARY },
	[BP_A_PROTOCOL_VERSION]	= { .type = NLA_U32 },
	[BP_A_MAX_PAYLOAD]	= { .type = NLA_U32 },
	[BP_A_FAMILY]		= { .type = NLA_U32 },
	[BP_A_WINDOW]		= NLA_POLICY_MIN(NLA_U32, 1),
	[BP_A_READY]		= NLA_POLICY_MAX(NLA_U8, 1),
	[BP_A_BACKEND_READY]	= NLA_POLICY_MAX(NLA_U8, 1),
	[BP_A_COOKIE]		= { .type = NLA_U64 },
	[BP_A_SOCKET_ID]	= { .type = NLA_U64 },
	[BP_A_EID]		= NLA_POLICY_NESTED(bp_eid_nl_policy),
	[BP_A_SRC_EID]		= NLA_POLICY_NESTED(bp_eid_nl_policy),
	[BP_A_DST_EID]		= NLA_POLICY_NESTED(bp_eid_nl_policy),
	[BP_A_OPTIONS]		= NLA_POLICY_NESTED(bp_options_nl_policy),
	[BP_A_OPTION]		= NLA_POLICY_NESTED(bp_opt_nl_policy),
	[BP_A_PAYLOAD]		= { .type = NLA_BINARY },
	[BP_A_ERRNO]		= NLA_POLICY_MAX(NLA_U32, MAX_ERRNO),
	[BP_A_SEND_ID]		= { .type = NLA_U32 },
	[BP_A_CREATION_TIME]	= { .type = NLA_U64 },
	[BP_A_SEQUENCE]		= { .type = NLA_U64 },
	[BP_A_LIFETIME_MS]	= { .type = NLA_U64 },
	[BP_A_DELIVERY_FLAGS]	= { .type = NLA_U32 },
	[BP_A_STATUS]		= NLA_POLICY_MASK(NLA_U32, BP_REPORTS_ALL),
	[BP_A_REASON]		= NLA_POLICY_MAX(NLA_U32, 255),
	[BP_A_STATUS_TIME]	= { .type = NLA_U64 },
	[BP_A_FRAG_OFFSET]	= { .type = NLA_U64 },
	[BP_A_FRAG_LENGTH]	= { .type = NLA_U64 },
	[BP_A_RX_GEN]		= { .type = NLA_U32 },
};

/*
 * Only the registered node may speak; everything else gets EPERM. The socket is compared too:
 * between the node's netlink_release and its URELEASE, another socket may get its port id.
 * Caller holds bn->lock.
 */
static int bp_check_owner(struct bp_net *bn, const struct sk_buff *skb,
			  struct netlink_ext_ack *extack)
{
	if (!bn->registered || bn->owner_portid != NETLINK_CB(skb).portid ||
	    bn->owner_sk != NETLINK_CB(skb).sk) {
		NL_SET_ERR_MSG(extack, "not the registered node of this namespace");
		return -EPERM;
	}
	return 0;
}

static int bp_cmd_register(struct sk_buff *skb, struct genl_info *info)
{
	struct bp_net *bn = bp_pernet(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, BP_A_PROTOCOL_VERSION))
		return -EINVAL;
	if (nla_get_u32(info->attrs[BP_A_PROTOCOL_VERSION]) != BP_PROTOCOL_VERSION) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BP_A_PROTOCOL_VERSION],
				    "unsupported protocol version");
		return -EPROTONOSUPPORT;
	}
	msg = genlmsg_new(3 * nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, info->snd_portid, info->snd_seq, &bp_genl_family, 0,
			  BP_CMD_REGISTER);
	if (!hdr || nla_put_u32(msg, BP_A_PROTOCOL_VERSION, BP_PROTOCOL_VERSION) ||
	    nla_put_u32(msg, BP_A_MAX_PAYLOAD, bp_max_payload) ||
	    nla_put_u32(msg, BP_A_FAMILY, bp_af)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);

	mutex_lock(&bn->lock);
	/* The registered node's port id on another socket: that node is closing (URELEASE due). */
	if (bn->registered && bn->owner_portid == info->snd_portid &&
	    bn->owner_sk != NETLINK_CB(skb).sk)
		bp_node_gone(bn);
	if (bn->registered && bn->owner_portid != info->snd_portid) {
		mutex_unlock(&bn->lock);
		nlmsg_free(msg);
		GENL_SET_ERR_MSG(info, "another node is registered in this namespace");
		return -EBUSY;
	}
	/* The reply goes first, so the node learns MAX_PAYLOAD before anything else. */
	err = genlmsg_reply(msg, info);
	if (err) {
		mutex_unlock(&bn->lock);
		GENL_SET_ERR_MSG(info, "cannot send the REGISTER reply");
		return err;
	}
	bn->registered = true;
	bn->ready = false;
	bn->backend_ready = true;
	WRITE_ONCE(bn->owner_portid, info->snd_portid);
	if (bn->owner_sk != NETLINK_CB(skb).sk) {
		bn->owner_sk = NETLINK_CB(skb).sk;
		sock_hold(bn->owner_sk);
	}
	bn->window = info->attrs[BP_A_WINDOW] ? nla_get_u32(info->attrs[BP_A_WINDOW]) :
		     BP_DEFAULT_WINDOW;
	bp_node_restart(bn);
	mutex_unlock(&bn->lock);
	return 0;
}

static int bp_cmd_unregister(struct sk_buff *skb, struct genl_info *info)
{
	struct bp_net *bn = bp_pernet(genl_info_net(info));
	int err;

	mutex_lock(&bn->lock);
	err = bp_check_owner(bn, skb, info->extack);
	if (!err)
		bp_node_gone(bn);
	mutex_unlock(&bn->lock);
	return err;
}

static int bp_cmd_node_state(struct sk_buff *skb, struct genl_info *info)
{
	struct bp_net *bn = bp_pernet(genl_info_net(info));
	int err;

	mutex_lock(&bn->lock);
	err = bp_check_owner(bn, skb, info->extack);
	if (err)
		goto out;
	if (info->attrs[BP_A_BACKEND_READY])
		bn->backend_ready = nla_get_u8(info->attrs[BP_A_BACKEND_READY]);
	if (info->attrs[BP_A_READY]) {
		bn->ready = nla_get_u8(info->attrs[BP_A_READY]);
		/* READY = 1 also means "I may have lost messages": retransmit all. */
		if (bn->ready)
			bp_node_restart(bn);
	}
	bp_node_pump(bn);
out:
	mutex_unlock(&bn->lock);
	return err;
}

/*
 * The errno of a node's REPLY as applications see it: the values bp(7) documents pass, anything
 * else (ERESTARTSYS and the other kernel-internal values 512..530 included) becomes EIO.
 */
static int bp_node_errno(u32 e)
{
	switch (e) {
	case 0:
	case EPERM:
	case EACCES:
	case EIO:
	case EINVAL:
	case ENOSPC:
	case EMSGSIZE:
	case ENOPROTOOPT:
	case EOPNOTSUPP:
	case EADDRINUSE:
	case EADDRNOTAVAIL:
	case ENETDOWN:
	case ENETUNREACH:
	case ENOBUFS:
	case ETIMEDOUT:
	case ECONNREFUSED:
	case EHOSTUNREACH:
		return -(int)e;
	default:
		return -EIO;
	}
}

static u64 bp_get_u64(struct nlattr **tb, int attr)
{
	return tb[attr] ? nla_get_u64(tb[attr]) : 0;
}

/* The node answered a SEND of a socket that reads status records: tell it how it went. */
static void bp_send_record(struct bp_req *req, struct nlattr **tb, int rerr)
{
	struct bp_status *st;
	struct sk_buff *skb;

	if (req->kind != BP_REQ_SEND || !req->bs || !READ_ONCE(req->bs->recvstatus))
		return;
	/* Every numbered send gets one record, a synchronous one too: send ids stay unambiguous. */
	skb = bp_status_alloc();
	if (!skb) {
		atomic_inc(&req->bs->sk.sk_drops);
		return;
	}
	st = bp_skb_status(skb);
	st->bs_status = rerr ? BP_STATUS_FAILED : BP_STATUS_ACCEPTED;
	st->bs_send_id = req->send_id;
	st->bs_errno = -rerr;
	st->bs_creation_time = bp_get_u64(tb, BP_A_CREATION_TIME);
	st->bs_sequence = bp_get_u64(tb, BP_A_SEQUENCE);
	bp_eid_to_addr(&req->bs->eid, &st->bs_source);
	/* A full error queue loses the record, not the bundle: counted as a drop (SO_MEMINFO). */
	if (bp_sock_status(req->bs, skb, NULL))
		atomic_inc(&req->bs->sk.sk_drops);
}

static int bp_cmd_reply(struct sk_buff *skb, struct genl_info *info)
{
	struct bp_net *bn = bp_pernet(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	struct bp_eid eid = {};
	struct bp_opt opt = {};
	struct bp_req *req;
	struct sock *sk;
	int err, rerr;

	if (GENL_REQ_ATTR_CHECK(info, BP_A_COOKIE) || GENL_REQ_ATTR_CHECK(info, BP_A_ERRNO))
		return -EINVAL;
	rerr = bp_node_errno(nla_get_u32(tb[BP_A_ERRNO]));
	if (tb[BP_A_EID]) {
		err = bp_eid_from_nla(tb[BP_A_EID], &eid, false, info->extack);
		if (err)
			return err;
	}
	if (tb[BP_A_OPTION]) {
		err = bp_opt_from_nla(tb[BP_A_OPTION], &opt, info->extack);
		if (err)
			return err;
	}

	mutex_lock(&bn->lock);
	err = bp_check_owner(bn, skb, info->extack);
	if (err)
		goto out;
	req = bp_req_lookup(bn, nla_get_u64(tb[BP_A_COOKIE]));
	if (!req) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[BP_A_COOKIE], "unknown cookie");
		err = -ENOENT;
		goto out;
	}
	bp_req_unlink(bn, req);
	switch (req->kind) {
	case BP_REQ_BIND:
		req->eid = eid;
		break;
	case BP_REQ_GETOPT:
		req->opt = opt;
		break;
	default:
		break;
	}
	bp_send_record(req, tb, rerr);
	if (req->sync) {
		bp_node_complete(bn, req, rerr);
	} else if (req->kind == BP_REQ_BIND) {
		req->err = rerr;
		bp_bind_async_done(bn, req);
		bp_req_free(req);
	} else {
		/* An asynchronous SEND: a refusal becomes the socket's pending error. */
		if (rerr && req->bs) {
			sk = &req->bs->sk;
			WRITE_ONCE(sk->sk_err, -rerr);
			sk_error_report(sk);
		}
		bp_req_done(bn, req);
	}
	bp_node_pump(bn);
out:
	mutex_unlock(&bn->lock);
	return err;
}

static int bp_cmd_deliver(struct sk_buff *skb, struct genl_info *info)
{
	struct bp_net *bn = bp_pernet(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	struct sk_buff *rskb;
	struct bp_sock *bs;
	struct bp_eid src;
	struct nlattr *nla;
	size_t len = 0, off = 0;
	struct bp_bundle_id bid = {};
	bool has_id = false, has_bid = false;
	int rem, err;
	u64 id = 0;

	if (GENL_REQ_ATTR_CHECK(info, BP_A_SOCKET_ID) || GENL_REQ_ATTR_CHECK(info, BP_A_SRC_EID))
		return -EINVAL;
	err = bp_eid_from_nla(tb[BP_A_SRC_EID], &src, true, info->extack);
	if (err)
		return err;
	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem)
		if (nla_type(nla) == BP_A_PAYLOAD)
			len += nla_len(nla);
	if (len > bp_max_payload) {
		GENL_SET_ERR_MSG(info, "ADU larger than MAX_PAYLOAD");
		return -EMSGSIZE;
	}

	/*
	 * The copy, up to max_payload, is made before the namespace mutex is taken. Without memory
	 * for it, the DELIVER is refused below, once the socket is known.
	 */
	rskb = bp_adu_alloc(len);
	nlmsg_for_each_attr(nla, info->nlhdr, GENL_HDRLEN, rem) {
		if (!rskb)
			break;
		if (nla_type(nla) != BP_A_PAYLOAD)
			continue;
		err = skb_store_bits(rskb, off, nla_data(nla), nla_len(nla));
		if (err) {
			kfree_skb(rskb);
			return err;
		}
		off += nla_len(nla);
	}

	mutex_lock(&bn->lock);
	err = bp_check_owner(bn, skb, info->extack);
	if (err)
		goto out;
	bs = bp_sock_lookup(bn, nla_get_u64(tb[BP_A_SOCKET_ID]));
	if (!bs || bs->state != BP_BOUND || (bs->sk.sk_shutdown & RCV_SHUTDOWN)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[BP_A_SOCKET_ID],
				    "no bound socket with this id takes data");
		err = -ENOENT;
		goto out;
	}
	/*
	 * A bundle with an ID (its creation timestamp) that this socket queued already: the node
	 * delivers it again after its crash (decision 0015). Acknowledged as if queued, so that the
	 * node ends it as delivered; counted, not queued twice. Before the checks for room: a
	 * repeat needs none. An anonymous bundle (null source) has no unique ID: never a repeat.
	 */
	if (tb[BP_A_CREATION_TIME]) {
		bid.bi_creation_time = nla_get_u64(tb[BP_A_CREATION_TIME]);
		if (tb[BP_A_SEQUENCE])
			bid.bi_sequence = nla_get_u64(tb[BP_A_SEQUENCE]);
		if (tb[BP_A_FRAG_OFFSET])
			bid.bi_frag_offset = nla_get_u64(tb[BP_A_FRAG_OFFSET]);
		has_bid = true;
	}
	if (has_bid && !bp_eid_is_null(&src)) {
		id = bp_bundle_id_hash(&src, bid.bi_creation_time, bid.bi_sequence,
				       bid.bi_frag_offset);
		has_id = true;
		if (bp_rx_id_seen(bs, id)) {
			WRITE_ONCE(bs->rx_repeats, bs->rx_repeats + 1);
			err = 0;
			goto out;
		}
	}
	/*
	 * Sent before the node heard this socket's latest DRAINED: an earlier DELIVER was refused
	 * for room and the node sends it again, so this one must not overtake it. Refused as if
	 * full; the node holds it with the others and sends them all again in order. A node that
	 * sends no RX_GEN gets no such check.
	 */
	if (tb[BP_A_RX_GEN] && (s32)(bs->rx_gen - nla_get_u32(tb[BP_A_RX_GEN])) > 0) {
		GENL_SET_ERR_MSG(info, "sent before the latest DRAINED; send again in order");
		err = -ENOBUFS;
		goto out;
	}
	if (READ_ONCE(bs->rx_blocked)) {
		GENL_SET_ERR_MSG(info, "socket full; wait for DRAINED");
		err = -ENOBUFS;
		goto out;
	}
	if (!rskb) {
		/* Refused as if full; its DRAINED follows shortly, so the node tries again. */
		bp_node_nomem(bn, bs);
		GENL_SET_ERR_MSG(info, "no memory for the ADU; wait for DRAINED");
		err = -ENOBUFS;
		goto out;
	}
	err = bp_sock_deliver(bn, bs, rskb, &src, has_bid ? &bid : NULL);
	rskb = NULL;	/* consumed */
	if (!err && has_id)
		bp_rx_id_add(bs, id);
	if (err == -ENOBUFS)
		GENL_SET_ERR_MSG(info, "socket full; wait for DRAINED");
out:
	mutex_unlock(&bn->lock);
	kfree_skb(rskb);
	return err;
}

static int bp_cmd_status(struct sk_buff *skb, struct genl_info *info)
{
	struct bp_net *bn = bp_pernet(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	struct bp_eid reporter, source;
	struct bp_status *st;
	struct sk_buff *rec;
	struct bp_sock *bs;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, BP_A_SOCKET_ID) || GENL_REQ_ATTR_CHECK(info, BP_A_STATUS) ||
	    GENL_REQ_ATTR_CHECK(info, BP_A_SRC_EID) || GENL_REQ_ATTR_CHECK(info, BP_A_EID) ||
	    GENL_REQ_ATTR_CHECK(info, BP_A_CREATION_TIME) ||
	    GENL_REQ_ATTR_CHECK(info, BP_A_SEQUENCE))
		return -EINVAL;
	if (!nla_get_u32(tb[BP_A_STATUS])) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[BP_A_STATUS], "a report asserts something");
		return -EINVAL;
	}
	err = bp_eid_from_nla(tb[BP_A_SRC_EID], &reporter, false, info->extack);
	if (err)
		return err;
	err = bp_eid_from_nla(tb[BP_A_EID], &source, false, info->extack);
	if (err)
		return err;
	rec = bp_status_alloc();
	if (!rec)
		return -ENOMEM;
	st = bp_skb_status(rec);
	st->bs_status = nla_get_u32(tb[BP_A_STATUS]);
	st->bs_send_id = tb[BP_A_SEND_ID] ? nla_get_u32(tb[BP_A_SEND_ID]) : BP_SEND_ID_NONE;
	st->bs_creation_time = nla_get_u64(tb[BP_A_CREATION_TIME]);
	st->bs_sequence = nla_get_u64(tb[BP_A_SEQUENCE]);
	st->bs_time = bp_get_u64(tb, BP_A_STATUS_TIME);
	st->bs_frag_offset = bp_get_u64(tb, BP_A_FRAG_OFFSET);
	st->bs_frag_length = bp_get_u64(tb, BP_A_FRAG_LENGTH);
	st->bs_reason = tb[BP_A_REASON] ? nla_get_u32(tb[BP_A_REASON]) : 0;
	bp_eid_to_addr(&source, &st->bs_source);

	mutex_lock(&bn->lock);
	err = bp_check_owner(bn, skb, info->extack);
	if (err)
		goto out;
	bs = bp_sock_lookup(bn, nla_get_u64(tb[BP_A_SOCKET_ID]));
	if (!bs || bs->state != BP_BOUND) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[BP_A_SOCKET_ID], "no bound socket");
		err = -ENOENT;
		goto out;
	}
	if (!READ_ONCE(bs->recvstatus)) {
		GENL_SET_ERR_MSG(info, "the socket does not read status records (BP_RECVSTATUS)");
		err = -ENOPROTOOPT;
		goto out;
	}
	err = bp_sock_status(bs, rec, &reporter);
	rec = NULL;	/* consumed */
	if (err == -ENOBUFS)
		GENL_SET_ERR_MSG(info, "the socket's error queue is full");
out:
	mutex_unlock(&bn->lock);
	kfree_skb(rec);
	return err;
}

struct bp_dump_ctx {
	u64 last_id;
};

static int bp_socket_get_start(struct netlink_callback *cb)
{
	struct bp_net *bn = bp_pernet(sock_net(cb->skb->sk));
	int err;

	mutex_lock(&bn->lock);
	err = bp_check_owner(bn, cb->skb, cb->extack);
	mutex_unlock(&bn->lock);
	return err;
}

static int bp_socket_fill(struct sk_buff *skb, struct netlink_callback *cb, struct bp_sock *bs)
{
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, &bp_genl_family,
			  NLM_F_MULTI, BP_CMD_SOCKET_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u64_64bit(skb, BP_A_SOCKET_ID, bs->id, BP_A_PAD) ||
	    nla_put_u32(skb, BP_A_RX_GEN, bs->rx_gen) || bp_eid_put(skb, BP_A_EID, &bs->eid))
		goto cancel;
	nest = nla_nest_start(skb, BP_A_OPTIONS);
	if (!nest)
		goto cancel;
	for (i = 0; i < bs->nopts; i++)
		if (bp_opt_put(skb, BP_A_OPTION, &bs->opts[i]))
			goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int bp_socket_get_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct bp_net *bn = bp_pernet(sock_net(cb->skb->sk));
	struct bp_dump_ctx *ctx = (struct bp_dump_ctx *)cb->ctx;
	struct bp_sock *bs;
	int err = 0;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	mutex_lock(&bn->lock);
	/* The node may have died or been replaced between two parts of its dump. */
	err = bp_check_owner(bn, cb->skb, cb->extack);
	if (err)
		goto out;
	cb->seq = bn->gen;
	list_for_each_entry(bs, &bn->socks, node) {
		if (bs->id <= ctx->last_id || bs->state != BP_BOUND)
			continue;
		err = bp_socket_fill(skb, cb, bs);
		if (err)
			break;
		ctx->last_id = bs->id;
	}
out:
	mutex_unlock(&bn->lock);
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err;
}

static const struct genl_ops bp_genl_ops[] = {
	{
		.cmd	= BP_CMD_REGISTER,
		.doit	= bp_cmd_register,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= BP_CMD_UNREGISTER,
		.doit	= bp_cmd_unregister,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= BP_CMD_NODE_STATE,
		.doit	= bp_cmd_node_state,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= BP_CMD_SOCKET_GET,
		.start	= bp_socket_get_start,
		.dumpit	= bp_socket_get_dump,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= BP_CMD_REPLY,
		.doit	= bp_cmd_reply,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= BP_CMD_DELIVER,
		.doit	= bp_cmd_deliver,
		.flags	= GENL_ADMIN_PERM,
	},
	{
		.cmd	= BP_CMD_STATUS,
		.doit	= bp_cmd_status,
		.flags	= GENL_ADMIN_PERM,
	},
};

struct genl_family bp_genl_family __ro_after_init = {
	.name		= BP_GENL_NAME,
	.version	= BP_GENL_VERSION,
	.maxattr	= BP_A_MAX,
	.policy		= bp_nl_policy,
	.netnsok	= true,
	.parallel_ops	= true,
	.resv_start_op	= 0,
	.ops		= bp_genl_ops,
	.n_ops		= ARRAY_SIZE(bp_genl_ops),
	.module		= THIS_MODULE,
};

static int bp_netlink_event(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct bp_net *bn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC || !n->portid)
		return NOTIFY_DONE;
	bn = bp_pernet(n->net);
	/*
	 * Every generic netlink socket's close comes here: only the node's takes the mutex. The
	 * port's REGISTER returned before its socket could close, so a stale read cannot miss it.
	 */
	if (READ_ONCE(bn->owner_portid) != n->portid)
		return NOTIFY_DONE;
	mutex_lock(&bn->lock);
	/* The node's socket, not a new one that re-registered with the same port id meanwhile. */
	if (bn->registered && bn->owner_portid == n->portid && sock_flag(bn->owner_sk, SOCK_DEAD))
		bp_node_gone(bn);
	mutex_unlock(&bn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block bp_netlink_notifier = {
	.notifier_call = bp_netlink_event,
};

int bp_genl_init(void)
{
	int err;

	err = netlink_register_notifier(&bp_netlink_notifier);
	if (err)
		return err;
	err = genl_register_family(&bp_genl_family);
	if (err)
		netlink_unregister_notifier(&bp_netlink_notifier);
	return err;
}

void bp_genl_exit(void)
{
	genl_unregister_family(&bp_genl_family);
	netlink_unregister_notifier(&bp_netlink_notifier);
}
