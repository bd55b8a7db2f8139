// SPDX-License-Identifier: GPL-2.0
/*
 * AF_BP: the link to a namespace's node. Registration state, the queue of messages for the node
 * (requests identified by cookies, and notifications), the window of bytes in flight,
 * retransmission after the node restarts or overflows, and the waits of synchronous requests.
 */
#include <linux/error-injection.h>
#include <linux/jhash.h>
#include <linux/slab.h>
#include <linux/jiffies.h>
#include <linux/sched/signal.h>

#include "bp.h"

/*
 * The allocations the module must survive failing, each in a function of its own that a kernel
 * with CONFIG_FAIL_FUNCTION can make fail (/sys/kernel/debug/fail_function): kmod/test's
 * allocation-failure checks use them on tools/vm/debug-kernel's kernel. Not inlined, so that the
 * probe finds every call.
 */

/* A message for the node: a request, or a notification. */
noinline struct sk_buff *bp_msg_alloc(size_t payload, gfp_t gfp)
{
	return genlmsg_new(payload, gfp);
}

ALLOW_ERROR_INJECTION(bp_msg_alloc, NULL);

/* The pump's packing buffer, up to 64 KiB: an order-4 allocation, which may fail. */
noinline struct sk_buff *bp_pack_alloc(unsigned int size)
{
	return alloc_skb(size, GFP_KERNEL | __GFP_NOWARN);
}

ALLOW_ERROR_INJECTION(bp_pack_alloc, NULL);

/* What the pump unicasts: a clone, so that the message stays for retransmission. */
noinline struct sk_buff *bp_msg_clone(struct sk_buff *skb)
{
	return skb_clone(skb, GFP_KERNEL);
}

ALLOW_ERROR_INJECTION(bp_msg_clone, NULL);

/*
 * After an allocation failure: pump again, and tell the node DRAINED for the sockets that
 * refused a DELIVER for want of memory for its copy (bp_node_nomem).
 */
static void bp_retry_work(struct work_struct *work)
{
	struct bp_net *bn = container_of(to_delayed_work(work), struct bp_net, retry);
	struct bp_sock *bs;

	mutex_lock(&bn->lock);
	if (bn->rx_nomem) {
		bn->rx_nomem = false;
		list_for_each_entry(bs, &bn->socks, node) {
			if (!bs->rx_nomem)
				continue;
			bs->rx_nomem = false;
			if (bs->rx_blocked)
				bp_node_drained(bn, bs);
		}
	}
	bp_node_pump(bn);
	mutex_unlock(&bn->lock);
}

/*
 * DELIVER had no memory to copy an ADU for @bs: the node is told ENOBUFS, as for a full socket,
 * and gets the socket's DRAINED from the retry work, so it tries again; nothing else would tell
 * it, since the socket may never be read. Caller holds bn->lock.
 */
void bp_node_nomem(struct bp_net *bn, struct bp_sock *bs)
{
	lockdep_assert_held(&bn->lock);
	WRITE_ONCE(bs->rx_blocked, true);
	bs->rx_gen++;
	bs->rx_nomem = true;
	bn->rx_nomem = true;
	schedule_delayed_work(&bn->retry, HZ / 10);
}

int bp_net_init(struct bp_net *bn, struct net *net)
{
	mutex_init(&bn->lock);
	bn->net = net;
	bn->window = BP_DEFAULT_WINDOW;
	bn->backend_ready = true;
	bn->next_sock_id = 1;
	atomic64_set(&bn->next_cookie, 0);
	bn->next_auto = BP_AUTOBIND_FIRST;
	INIT_LIST_HEAD(&bn->socks);
	INIT_LIST_HEAD(&bn->unsent);
	INIT_LIST_HEAD(&bn->sent);
	hash_init(bn->reqs);
	hash_init(bn->sock_hash);
	hash_init(bn->eid_hash);
	INIT_DELAYED_WORK(&bn->retry, bp_retry_work);
	return 0;
}

/* The namespace is going away: no socket is left, only requests of closed sockets. */
void bp_net_exit(struct bp_net *bn)
{
	struct bp_req *req, *tmp;

	cancel_delayed_work_sync(&bn->retry);
	mutex_lock(&bn->lock);
	if (bn->owner_sk) {	/* the module goes while a node is registered */
		sock_put(bn->owner_sk);
		bn->owner_sk = NULL;
	}
	list_splice_init(&bn->sent, &bn->unsent);
	bn->in_flight = 0;
	list_for_each_entry_safe(req, tmp, &bn->unsent, list) {
		req->sent = false;
		bp_req_unlink(bn, req);
		if (req->sync) {	/* cannot happen: a waiter holds a socket of bn */
			WARN_ON_ONCE(1);
			bp_node_complete(bn, req, -ENETDOWN);
			continue;
		}
		if (WARN_ON_ONCE(req->owned))	/* cannot happen: its socket is gone */
			continue;
		bp_req_free(req);
	}
	mutex_unlock(&bn->lock);
	WARN_ON_ONCE(!list_empty(&bn->socks));
}

struct bp_req *bp_req_alloc(enum bp_req_kind kind, struct bp_sock *bs, struct sk_buff *skb)
{
	/* Charged to the caller's memory cgroup: it may outlive the socket (bp_release). */
	struct bp_req *req = kzalloc(sizeof(*req), GFP_KERNEL_ACCOUNT);

	if (!req)
		return NULL;
	INIT_LIST_HEAD(&req->list);
	INIT_LIST_HEAD(&req->sock_node);
	init_completion(&req->done);
	req->kind = kind;
	req->bs = bs;
	req->skb = skb;
	req->len = skb->len;
	return req;
}

void bp_req_free(struct bp_req *req)
{
	if (!req)
		return;
	/* For a SEND this uncharges the socket's sk_sndbuf and wakes blocked writers. */
	consume_skb(req->skb);
	kfree(req);
}

/* An unlinked asynchronous request is done with: uncharge what it held for a closed socket. */
void bp_req_done(struct bp_net *bn, struct bp_req *req)
{
	lockdep_assert_held(&bn->lock);
	bn->orphaned -= req->orphaned;
	bp_req_free(req);
}

/* Caller holds bn->lock. The request gets its cookie here; it is sent when the window allows. */
void bp_req_queue(struct bp_net *bn, struct bp_req *req)
{
	lockdep_assert_held(&bn->lock);
	list_add_tail(&req->list, &bn->unsent);
	if (req->kind != BP_REQ_NOTIFY)
		hash_add(bn->reqs, &req->hnode, req->cookie);
	if (req->kind == BP_REQ_SEND && req->bs)
		list_add_tail(&req->sock_node, &req->bs->reqs);
}

/* Takes the request out of every list; the caller then completes or frees it. */
void bp_req_unlink(struct bp_net *bn, struct bp_req *req)
{
	lockdep_assert_held(&bn->lock);
	list_del_init(&req->list);
	if (req->sent) {
		bn->in_flight -= req->len;
		req->sent = false;
	}
	if (req->kind != BP_REQ_NOTIFY)
		hash_del(&req->hnode);
	list_del_init(&req->sock_node);
}

struct bp_req *bp_req_lookup(struct bp_net *bn, u64 cookie)
{
	struct bp_req *req;

	hash_for_each_possible(bn->reqs, req, hnode, cookie)
		if (req->cookie == cookie)
			return req;
	return NULL;
}

/* Completes a synchronous request (unlinked by the caller); the waiter frees it. */
void bp_node_complete(struct bp_net *bn, struct bp_req *req, int err)
{
	lockdep_assert_held(&bn->lock);
	req->err = err;
	complete(&req->done);
}

/* Small messages travel to the node several per datagram, so one receive reads them all. */
#define BP_PACK_SMALL	(8 * 1024)
#define BP_PACK_MAX	(64 * 1024)

static bool bp_fits_window(struct bp_net *bn, struct bp_req *req, unsigned int pending)
{
	return req->kind == BP_REQ_NOTIFY || !(bn->in_flight + pending) ||
	       bn->in_flight + pending + req->len <= bn->window;
}

/* The node has @req: a notification is done with, a request waits for its reply. */
static void bp_req_sent(struct bp_net *bn, struct bp_req *req)
{
	if (req->kind == BP_REQ_NOTIFY) {
		list_del_init(&req->list);
		if (!req->owned)
			bp_req_free(req);
		return;
	}
	list_move_tail(&req->list, &bn->sent);
	req->sent = true;
	bn->in_flight += req->len;
}

/*
 * Packs the small messages at the head of the queue (as many as the window and BP_PACK_MAX allow)
 * into one datagram and sends it. Returns the number sent, or a negative errno with none sent.
 */
static int bp_node_send_packed(struct bp_net *bn)
{
	struct bp_req *req, *tmp, *last = NULL;
	unsigned int size = 0, pending = 0, n = 0;
	struct sk_buff *skb;
	int err;

	list_for_each_entry(req, &bn->unsent, list) {
		if (req->skb->len > BP_PACK_SMALL || size + req->skb->len > BP_PACK_MAX ||
		    !bp_fits_window(bn, req, pending))
			break;
		size += req->skb->len;
		if (req->kind != BP_REQ_NOTIFY)
			pending += req->len;
		last = req;
		n++;
	}
	if (!n)
		return 0;
	/* When this fails, the caller sends one by one. */
	skb = bp_pack_alloc(size);
	if (!skb)
		return -ENOMEM;
	list_for_each_entry(req, &bn->unsent, list) {
		/* Messages are NLMSG_ALIGNed already, so they abut as netlink expects. */
		if (skb_copy_bits(req->skb, 0, skb_put(skb, req->skb->len), req->skb->len)) {
			kfree_skb(skb);
			return -EFAULT;
		}
		if (req == last)
			break;
	}
	err = genlmsg_unicast(bn->net, skb, bn->owner_portid);
	if (err)
		return err;
	list_for_each_entry_safe(req, tmp, &bn->unsent, list) {
		bool done = req == last;

		bp_req_sent(bn, req);
		if (done)
			break;
	}
	return n;
}

/*
 * Sends what the window allows, in order: small messages packed several per datagram, large ones
 * (a SEND with a big payload) as clones of their own message. A unicast that fails leaves the
 * messages at the head of the queue: -EAGAIN means the node's socket overflowed (it reads ENOBUFS
 * and says READY again), -ECONNREFUSED that it is closing (NETLINK_URELEASE follows).
 */
void bp_node_pump(struct bp_net *bn)
{
	struct bp_req *req;
	struct sk_buff *skb;
	int sent;

	lockdep_assert_held(&bn->lock);
	/* A closed node's port id may already be another socket's: send nothing there. */
	if (!bn->registered || !bn->ready || sock_flag(bn->owner_sk, SOCK_DEAD))
		return;
	while (!list_empty(&bn->unsent)) {
		req = list_first_entry(&bn->unsent, struct bp_req, list);
		if (!bp_fits_window(bn, req, 0))
			break;
		if (req->skb->len <= BP_PACK_SMALL) {
			sent = bp_node_send_packed(bn);
			if (sent > 0)
				continue;
			if (sent != -ENOMEM)
				break;
			/* No packing buffer: this message alone, below. */
		}
		/* A socket's DRAINED is rewritten when queued again: never share it. */
		skb = req->owned ? skb_copy(req->skb, GFP_KERNEL) : bp_msg_clone(req->skb);
		if (!skb) {
			/* Nothing else may come to pump again: try later. */
			schedule_delayed_work(&bn->retry, HZ / 10);
			break;
		}
		if (genlmsg_unicast(bn->net, skb, bn->owner_portid))
			break;
		bp_req_sent(bn, req);
	}
}

/* Everything the node had not answered is sent again, in order, once it is ready. */
void bp_node_restart(struct bp_net *bn)
{
	struct bp_req *req;

	lockdep_assert_held(&bn->lock);
	list_for_each_entry(req, &bn->sent, list)
		req->sent = false;
	list_splice_init(&bn->sent, &bn->unsent);
	bn->in_flight = 0;
}

/*
 * The node's port closed or unregistered. SENDs wait for the next node; a waiting bind completes
 * as if no node were registered; option requests fail with ENETDOWN; notifications are dropped
 * (the next node resynchronises with SOCKET_GET).
 */
void bp_node_gone(struct bp_net *bn)
{
	struct bp_req *req, *tmp;
	struct bp_sock *bs;

	lockdep_assert_held(&bn->lock);
	bn->registered = false;
	bn->ready = false;
	WRITE_ONCE(bn->owner_portid, 0);
	if (bn->owner_sk) {
		sock_put(bn->owner_sk);
		bn->owner_sk = NULL;
	}
	bn->window = BP_DEFAULT_WINDOW;
	bn->backend_ready = true;
	bp_node_restart(bn);
	list_for_each_entry_safe(req, tmp, &bn->unsent, list) {
		switch (req->kind) {
		case BP_REQ_SEND:
			break;
		case BP_REQ_NOTIFY:
			bp_req_unlink(bn, req);
			if (!req->owned)
				bp_req_free(req);
			break;
		default:
			bp_req_unlink(bn, req);
			req->node_gone = true;
			if (!req->sync) {	/* a non-blocking autobind: bound kernel-only */
				bp_bind_async_done(bn, req);
				bp_req_free(req);
				break;
			}
			bp_node_complete(bn, req, -ENETDOWN);
			break;
		}
	}
	/* The next node knows nothing of refused deliveries. */
	list_for_each_entry(bs, &bn->socks, node)
		WRITE_ONCE(bs->rx_blocked, false);
}

/*
 * Waits for the answer to @req, queued by the caller. Called without bn->lock; returns with it
 * held: > 0 answered (req->err set), 0 timed out, < 0 interrupted. Unless answered, the request
 * is still queued and the caller must unlink it or give it to the queue.
 */
long bp_req_wait(struct bp_net *bn, struct bp_req *req)
{
	long ret;

	ret = wait_for_completion_interruptible_timeout(&req->done,
							msecs_to_jiffies(bp_node_timeout_ms));
	mutex_lock(&bn->lock);
	/* A successful wait consumed the completion; one that raced with the timeout did not. */
	if (ret > 0 || completion_done(&req->done))
		return 1;
	return ret < 0 ? ret : 0;
}

static struct sk_buff *bp_msg_new(size_t size, u8 cmd, void **hdr)
{
	struct sk_buff *skb = bp_msg_alloc(size, GFP_KERNEL);

	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &bp_genl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

/* A notification (RELEASE, DRAINED) for @sock_id, not queued. */
struct bp_req *bp_notify_new(u8 cmd, u64 sock_id, gfp_t gfp)
{
	struct sk_buff *skb;
	struct bp_req *req;
	void *hdr;

	skb = bp_msg_alloc(nla_total_size_64bit(sizeof(u64)) + nla_total_size(sizeof(u32)), gfp);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, 0, 0, &bp_genl_family, 0, cmd);
	if (!hdr || nla_put_u64_64bit(skb, BP_A_SOCKET_ID, sock_id, BP_A_PAD) ||
	    (cmd == BP_CMD_DRAINED && nla_put_u32(skb, BP_A_RX_GEN, 0))) {
		nlmsg_free(skb);
		return NULL;
	}
	genlmsg_end(skb, hdr);
	req = bp_req_alloc(BP_REQ_NOTIFY, NULL, skb);
	if (!req)
		nlmsg_free(skb);
	return req;
}

/* A notification (RELEASE); dropped if no node is registered. Caller holds bn->lock. */
void bp_node_notify(struct bp_net *bn, u8 cmd, u64 sock_id)
{
	struct bp_req *req;

	lockdep_assert_held(&bn->lock);
	if (!bn->registered)
		return;
	req = bp_notify_new(cmd, sock_id, GFP_KERNEL);
	if (!req)
		return;
	bp_req_queue(bn, req);
	bp_node_pump(bn);
}

/*
 * @bs has room again: queue its DRAINED (allocated with the socket, so this cannot fail) and
 * only then clear rx_blocked. One already queued and not yet sent says the same. With no node
 * registered there is nothing to tell: the next node treats every socket as drained.
 */
void bp_node_drained(struct bp_net *bn, struct bp_sock *bs)
{
	struct nlattr *gen;

	lockdep_assert_held(&bn->lock);
	if (bn->registered && list_empty(&bs->drained->list)) {
		/* Never shared: it is sent as a copy (bp_node_pump), so it may be written here. */
		gen = nlmsg_find_attr(nlmsg_hdr(bs->drained->skb), GENL_HDRLEN, BP_A_RX_GEN);
		if (!WARN_ON_ONCE(!gen))
			*(u32 *)nla_data(gen) = bs->rx_gen;
		bp_req_queue(bn, bs->drained);
	}
	WRITE_ONCE(bs->rx_blocked, false);
	bp_node_pump(bn);
}

struct bp_sock *bp_sock_lookup(struct bp_net *bn, u64 id)
{
	struct bp_sock *bs;

	hash_for_each_possible(bn->sock_hash, bs, hnode, id)
		if (bs->id == id)
			return bs;
	return NULL;
}

static struct bp_req *bp_request_new(struct bp_net *bn, struct bp_sock *bs, enum bp_req_kind kind,
				     u8 cmd, const struct bp_eid *eid, const struct bp_opt *opt)
{
	struct sk_buff *skb;
	struct bp_req *req;
	size_t size;
	u64 cookie = atomic64_inc_return(&bn->next_cookie);
	void *hdr;
	unsigned int i;

	size = 2 * nla_total_size_64bit(sizeof(u64));
	if (eid) {
		size += bp_eid_nlsize(eid) + nla_total_size(0);
		for (i = 0; i < bs->nopts; i++)
			size += bp_opt_nlsize(&bs->opts[i]);
	}
	if (opt)
		size += bp_opt_nlsize(opt);
	skb = bp_msg_new(size, cmd, &hdr);
	if (!skb)
		return NULL;
	if (nla_put_u64_64bit(skb, BP_A_COOKIE, cookie, BP_A_PAD) ||
	    nla_put_u64_64bit(skb, BP_A_SOCKET_ID, bs->id, BP_A_PAD))
		goto fail;
	if (eid) {
		struct nlattr *nest;

		if (bp_eid_put(skb, BP_A_EID, eid))
			goto fail;
		nest = nla_nest_start(skb, BP_A_OPTIONS);
		if (!nest)
			goto fail;
		for (i = 0; i < bs->nopts; i++)
			if (bp_opt_put(skb, BP_A_OPTION, &bs->opts[i]))
				goto fail;
		nla_nest_end(skb, nest);
	}
	if (opt && bp_opt_put(skb, BP_A_OPTION, opt))
		goto fail;
	genlmsg_end(skb, hdr);
	req = bp_req_alloc(kind, bs, skb);
	if (!req)
		goto fail;
	req->cookie = cookie;
	req->sync = true;
	return req;
fail:
	nlmsg_free(skb);
	return NULL;
}

/* ipn EIDs hash by service alone, so that autobind finds ipn:N.S for any N in one bucket. */
static u32 bp_eid_key(const struct bp_eid *eid)
{
	if (eid->scheme == BP_SCHEME_IPN)
		return jhash_1word(eid->ipn.service, BP_SCHEME_IPN);
	return jhash(eid->dtn, strnlen(eid->dtn, BP_DTN_EID_MAX), BP_SCHEME_DTN);
}

/*
 * Every change of a socket's binding state: a socket holds its EID in bn->eid_hash from the
 * start of its bind (BP_BINDING) until it is unbound. Caller holds bn->lock; bs->eid is set.
 */
void bp_sock_set_state(struct bp_net *bn, struct bp_sock *bs, enum bp_sock_state state)
{
	lockdep_assert_held(&bn->lock);
	hash_del(&bs->ehnode);
	if (state != BP_UNBOUND)
		hash_add(bn->eid_hash, &bs->ehnode, bp_eid_key(&bs->eid));
	WRITE_ONCE(bs->state, state);
}

/* Another socket of the namespace holds (or is binding) @eid. Caller holds bn->lock. */
bool bp_eid_in_use(struct bp_net *bn, const struct bp_sock *bs, const struct bp_eid *eid)
{
	struct bp_sock *other;

	lockdep_assert_held(&bn->lock);
	hash_for_each_possible(bn->eid_hash, other, ehnode, bp_eid_key(eid))
		if (other != bs && bp_eid_equal(&other->eid, eid))
			return true;
	return false;
}

/* A socket holds ipn:N.@service of the default allocator, for any N. Caller holds bn->lock. */
bool bp_service_in_use(struct bp_net *bn, u32 service)
{
	struct bp_eid key = { .scheme = BP_SCHEME_IPN, .ipn.service = service };
	struct bp_sock *other;

	lockdep_assert_held(&bn->lock);
	hash_for_each_possible(bn->eid_hash, other, ehnode, bp_eid_key(&key))
		if (other->eid.scheme == BP_SCHEME_IPN && !other->eid.ipn.allocator &&
		    other->eid.ipn.service == service)
			return true;
	return false;
}

/*
 * The node answered @bs's BIND, or went away (kernel-only binding): bind the socket to the EID
 * the node resolved, unless another socket holds that one (EADDRINUSE, and the node is told to
 * forget), or leave it unbound. An @async bind's error becomes the pending error, set before the
 * state changes so that no poller sees the socket writable without it. Wakes pollers and waiters.
 * Caller holds bn->lock.
 */
static int bp_bind_done(struct bp_net *bn, struct bp_sock *bs, struct bp_req *req, bool async)
{
	int err = req->node_gone ? 0 : req->err;
	struct sock *sk = &bs->sk;

	lockdep_assert_held(&bn->lock);
	if (!err && !req->node_gone && req->eid.scheme && !bp_eid_equal(&req->eid, &bs->eid)) {
		if (bp_eid_in_use(bn, bs, &req->eid)) {
			err = -EADDRINUSE;
			bp_node_notify(bn, BP_CMD_RELEASE, bs->id);
		} else {
			bs->eid = req->eid;
		}
	}
	if (err && async)	/* as for an asynchronous send: the socket's pending error */
		WRITE_ONCE(sk->sk_err, -err);
	bp_sock_set_state(bn, bs, err ? BP_UNBOUND : BP_BOUND);
	if (!err)
		bn->gen++;
	if (err && async)
		sk_error_report(sk);
	sk->sk_state_change(sk);
	return err;
}

/* An asynchronous BIND is answered or the node is gone; the caller frees @req. */
void bp_bind_async_done(struct bp_net *bn, struct bp_req *req)
{
	struct bp_sock *bs = req->bs;

	if (!bs)	/* closed meanwhile */
		return;
	bs->bind_req = NULL;
	bp_bind_done(bn, bs, req, true);
}

/*
 * Binds @bs to @eid: kernel-only when no node is registered, else confirmed by the node. A bind
 * that fails leaves the socket unbound and the EID free. Caller holds lock_sock. With @nonblock
 * the BIND is only queued (-EINPROGRESS): its answer binds the socket (bp_bind_async_done).
 */
int bp_node_bind(struct bp_net *bn, struct bp_sock *bs, const struct bp_eid *eid, bool nonblock)
{
	struct bp_req *req;
	bool was_sent;
	long ret;
	int err;

	mutex_lock(&bn->lock);
	if (bs->state != BP_UNBOUND) {
		err = -EINVAL;
		goto out;
	}
	if (bp_eid_in_use(bn, bs, eid)) {
		err = -EADDRINUSE;
		goto out;
	}
	bs->eid = *eid;
	if (!bn->registered) {
		bp_sock_set_state(bn, bs, BP_BOUND);
		bn->gen++;
		err = 0;
		goto out;
	}
	req = bp_request_new(bn, bs, BP_REQ_BIND, BP_CMD_BIND, eid, NULL);
	if (!req) {
		err = -ENOMEM;
		goto out;
	}
	bp_sock_set_state(bn, bs, BP_BINDING);
	if (nonblock) {
		req->sync = false;
		bs->bind_req = req;
	}
	bp_req_queue(bn, req);
	bp_node_pump(bn);
	mutex_unlock(&bn->lock);
	if (nonblock)	/* req may already be answered and freed */
		return -EINPROGRESS;

	ret = bp_req_wait(bn, req);
	if (ret > 0) {
		err = bp_bind_done(bn, bs, req, false);
	} else {
		was_sent = req->sent;
		bp_req_unlink(bn, req);
		/* The node may have bound it: make it forget. */
		if (was_sent)
			bp_node_notify(bn, BP_CMD_RELEASE, bs->id);
		err = ret ? -EINTR : -ETIMEDOUT;
		bp_sock_set_state(bn, bs, BP_UNBOUND);
		bs->sk.sk_state_change(&bs->sk);
	}
	mutex_unlock(&bn->lock);
	bp_req_free(req);
	return err;
out:
	mutex_unlock(&bn->lock);
	return err;
}

/* SETOPT (validate, then store) or GETOPT (the node's default). Caller holds lock_sock. */
int bp_node_opt(struct bp_net *bn, struct bp_sock *bs, enum bp_req_kind kind, struct bp_opt *opt)
{
	struct bp_opt name_only = { .name = opt->name };
	struct bp_req *req;
	unsigned int i;
	long ret;
	int err;

	mutex_lock(&bn->lock);
	if (!bn->registered) {
		err = -ENETDOWN;
		goto out;
	}
	for (i = 0; i < bs->nopts && bs->opts[i].name != opt->name; i++)
		;
	if (kind == BP_REQ_SETOPT && i == BP_MAX_SOCK_OPTS) {
		err = -ENOBUFS;
		goto out;
	}
	req = bp_request_new(bn, bs, kind, kind == BP_REQ_SETOPT ? BP_CMD_SETOPT : BP_CMD_GETOPT,
			     NULL, kind == BP_REQ_SETOPT ? opt : &name_only);
	if (!req) {
		err = -ENOMEM;
		goto out;
	}
	bp_req_queue(bn, req);
	bp_node_pump(bn);
	mutex_unlock(&bn->lock);

	ret = bp_req_wait(bn, req);
	if (ret > 0) {
		err = req->err;
	} else {
		bp_req_unlink(bn, req);
		err = ret ? -EINTR : -ETIMEDOUT;
	}
	if (!err && kind == BP_REQ_GETOPT) {
		if (req->opt.name == opt->name && req->opt.len)
			*opt = req->opt;
		else
			err = -EIO;	/* the node answered without the option */
	}
	if (!err && kind == BP_REQ_SETOPT) {
		/* lock_sock kept other writers of the list out while we waited. */
		for (i = 0; i < bs->nopts && bs->opts[i].name != opt->name; i++)
			;
		if (i == BP_MAX_SOCK_OPTS) {
			err = -ENOBUFS;
		} else {
			bs->opts[i] = *opt;
			if (i == bs->nopts)
				bs->nopts++;
		}
	}
	mutex_unlock(&bn->lock);
	bp_req_free(req);
	return err;
out:
	mutex_unlock(&bn->lock);
	return err;
}

/*
 * Appends @len bytes of page-backed space to @skb as frag_list children (each at most
 * MAX_SKB_FRAGS pages, which is what alloc_skb_with_frags takes in 6.1), so no payload needs a
 * large contiguous allocation. Returns the truesize added (also added to skb->truesize) or a
 * negative errno; on error the children already linked are freed with @skb.
 */
int bp_skb_add_paged(struct sk_buff *skb, size_t len, gfp_t gfp)
{
	struct sk_buff **tail = &skb_shinfo(skb)->frag_list;
	struct sk_buff *frag;
	int added = 0, err;
	size_t chunk;

	while (*tail)
		tail = &(*tail)->next;
	while (len) {
		chunk = min_t(size_t, len, MAX_SKB_FRAGS * PAGE_SIZE);
		frag = alloc_skb_with_frags(0, chunk, PAGE_ALLOC_COSTLY_ORDER, &err, gfp);
		if (!frag)
			return err;
		frag->len = chunk;
		frag->data_len = chunk;
		*tail = frag;
		tail = &frag->next;
		skb->len += chunk;
		skb->data_len += chunk;
		added += frag->truesize;
		len -= chunk;
	}
	skb->truesize += added;
	return added;
}

/*
 * DELIVER's copy of an ADU of @len bytes (uninitialised), with room for the source address in
 * front; NULL if memory is short (it can be made to fail: see bp_msg_alloc).
 */
noinline struct sk_buff *bp_adu_alloc(size_t len)
{
	unsigned int headroom = sizeof(struct sockaddr_bp);
	bool linear = len <= SKB_WITH_OVERHEAD(PAGE_SIZE) - headroom;
	struct sk_buff *skb;

	skb = alloc_skb(headroom + (linear ? len : 0), GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, headroom);
	if (linear) {
		skb_put(skb, len);
		return skb;
	}
	if (bp_skb_add_paged(skb, len, GFP_KERNEL) < 0) {
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

ALLOW_ERROR_INJECTION(bp_adu_alloc, NULL);
