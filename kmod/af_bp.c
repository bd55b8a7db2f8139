// SPDX-License-Identifier: GPL-2.0
/*
 * AF_BP: the socket layer. SOCK_DGRAM sockets whose datagrams are ADUs of the Bundle Protocol,
 * carried by the node of the socket's network namespace (bp_node.c, bp_genl.c).
 */
#include <linux/bitops.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/siphash.h>
#include <linux/socket.h>
#include <linux/uio.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "bp.h"

/*
 * Received datagrams keep their source address in the headroom, its length in skb->cb, and their
 * bundle ID (BP_RECVID) in skb->cb if the node gave one.
 */
struct bp_skb_cb {
	u16 addrlen;
	bool has_id;
	struct bp_bundle_id id;
};

#define BP_SKB_CB(skb)	((struct bp_skb_cb *)(skb)->cb)

static struct sockaddr_bp *bp_skb_addr(const struct sk_buff *skb)
{
	return (struct sockaddr_bp *)(skb->data - sizeof(struct sockaddr_bp));
}

/* The source address's length, never more than the room kept for it in the headroom. */
static int bp_skb_addrlen(const struct sk_buff *skb)
{
	return min_t(int, BP_SKB_CB(skb)->addrlen, sizeof(struct sockaddr_bp));
}

/*
 * Called by DELIVER with bn->lock held; consumes @skb. 0: queued, or dropped by the socket's
 * filter (counted in sk_drops, as UDP does: the node is done with it); -ENOBUFS: no room.
 */
int bp_sock_deliver(struct bp_net *bn, struct bp_sock *bs, struct sk_buff *skb,
		    const struct bp_eid *src, const struct bp_bundle_id *id)
{
	struct sock *sk = &bs->sk;
	int err;

	sock_skb_cb_check_size(sizeof(struct bp_skb_cb));
	BP_SKB_CB(skb)->addrlen = bp_eid_to_addr(src, bp_skb_addr(skb));
	BP_SKB_CB(skb)->has_id = !!id;
	if (id)
		BP_SKB_CB(skb)->id = *id;
	/* Charges sk_rcvbuf and calls sk_data_ready: poll, epoll and select wake. */
	err = sock_queue_rcv_skb(sk, skb);
	if (!err)
		return 0;
	kfree_skb(skb);
	/* Only want of room (-ENOMEM: rcvbuf full, -ENOBUFS: memory accounting) waits for room. */
	if (err != -ENOMEM && err != -ENOBUFS) {
		atomic_inc(&sk->sk_drops);
		return 0;
	}
	WRITE_ONCE(bs->rx_blocked, true);
	bs->rx_gen++;
	/* Pairs with the barrier in bp_recvmsg: either it sees rx_blocked or we see the room. */
	smp_mb();
	if (atomic_read(&sk->sk_rmem_alloc) < READ_ONCE(sk->sk_rcvbuf) / 2)
		bp_node_drained(bn, bs);
	return -ENOBUFS;
}

/* Keyed: a sender cannot choose bundle IDs that collide with another's and have it dropped. */
static siphash_key_t bp_id_key __read_mostly;

/*
 * A 64-bit hash of a bundle ID (RFC 9171: source, creation timestamp, and the fragment offset of
 * a fragment). Two different IDs collide with a probability of about 2^-64 per pair.
 */
u64 bp_bundle_id_hash(const struct bp_eid *src, u64 creation_time, u64 sequence, u64 frag_offset)
{
	struct {
		u64 creation_time;
		u64 sequence;
		u64 frag_offset;
		u32 scheme;
		u32 ipn[3];
		char dtn[BP_DTN_EID_MAX];
	} id;

	memset(&id, 0, sizeof(id));
	id.creation_time = creation_time;
	id.sequence = sequence;
	id.frag_offset = frag_offset;
	id.scheme = src->scheme;
	if (src->scheme == BP_SCHEME_DTN) {
		strscpy(id.dtn, src->dtn, sizeof(id.dtn));
	} else {
		id.ipn[0] = src->ipn.allocator;
		id.ipn[1] = src->ipn.node;
		id.ipn[2] = src->ipn.service;
	}
	return siphash(&id, sizeof(id), &bp_id_key);
}

/* Whether @id is among the last BP_RX_IDS IDs queued to @bs. Caller holds bn->lock. */
bool bp_rx_id_seen(struct bp_sock *bs, u64 id)
{
	unsigned int i;

	for (i = 0; i < bs->rx_ids_count; i++)
		if (bs->rx_ids[i] == id)
			return true;
	return false;
}

/*
 * Remembers @id as queued to @bs, forgetting the oldest of BP_RX_IDS. The ring is allocated on
 * the first ID; without memory for it, nothing is remembered (a repeat is then queued again, as
 * before: at least once). Caller holds bn->lock.
 */
void bp_rx_id_add(struct bp_sock *bs, u64 id)
{
	if (!bs->rx_ids) {
		bs->rx_ids = kmalloc_array(BP_RX_IDS, sizeof(*bs->rx_ids), GFP_KERNEL);
		if (!bs->rx_ids)
			return;
	}
	bs->rx_ids[bs->rx_ids_next] = id;
	bs->rx_ids_next = (bs->rx_ids_next + 1) % BP_RX_IDS;
	if (bs->rx_ids_count < BP_RX_IDS)
		bs->rx_ids_count++;
}

/*
 * A zeroed status record in an skb with room for its reporter's address in front: fill in
 * bp_skb_status(skb), then queue it with bp_sock_status().
 */
struct sk_buff *bp_status_alloc(void)
{
	struct sk_buff *skb;

	/* The ABI: the same layout for 32- and 64-bit processes. */
	BUILD_BUG_ON(sizeof(struct bp_status) != 184);
	skb = alloc_skb(sizeof(struct sockaddr_bp) + sizeof(struct bp_status), GFP_KERNEL);
	if (!skb)
		return NULL;
	skb_reserve(skb, sizeof(struct sockaddr_bp));
	skb_put_zero(skb, sizeof(struct bp_status));
	return skb;
}

/*
 * Queues a status record on the socket's error queue (charged to sk_rcvbuf, like data); consumes
 * @skb. @reporter may be NULL. Called with bn->lock held. -ENOBUFS if the socket has no room.
 */
int bp_sock_status(struct bp_sock *bs, struct sk_buff *skb, const struct bp_eid *reporter)
{
	BP_SKB_CB(skb)->addrlen = reporter ? bp_eid_to_addr(reporter, bp_skb_addr(skb)) : 0;
	BP_SKB_CB(skb)->has_id = false;
	/* Wakes poll with POLLERR. */
	if (sock_queue_err_skb(&bs->sk, skb)) {
		kfree_skb(skb);
		return -ENOBUFS;
	}
	return 0;
}

/*
 * Receive memory was freed (data read, or a status record): a socket that refused a DELIVER for
 * want of room tells the node once it has room again.
 */
static void bp_rx_freed(struct sock *sk)
{
	struct bp_sock *bs = bp_sk(sk);
	struct bp_net *bn;

	/* Pairs with the barrier in bp_sock_deliver. */
	smp_mb();
	if (!READ_ONCE(bs->rx_blocked))
		return;
	bn = bp_pernet(sock_net(sk));
	mutex_lock(&bn->lock);
	if (bs->rx_blocked && atomic_read(&sk->sk_rmem_alloc) < READ_ONCE(sk->sk_rcvbuf) / 2)
		bp_node_drained(bn, bs);
	mutex_unlock(&bn->lock);
}

/*
 * recvmsg(MSG_ERRQUEUE): one status record as a control message; never blocks and ignores
 * MSG_PEEK, as for UDP. A FAILED record delivers the pending error it also set.
 */
static int bp_recv_status(struct sock *sk, struct msghdr *msg)
{
	const struct bp_status *st;
	struct sk_buff *skb;
	int err;

	skb = skb_dequeue(&sk->sk_error_queue);
	if (!skb)
		return -EAGAIN;
	st = bp_skb_status(skb);
	err = put_cmsg(msg, SOL_BP, BP_RECVSTATUS, skb->len, skb->data);
	if (!err && msg->msg_name) {
		memcpy(msg->msg_name, bp_skb_addr(skb), bp_skb_addrlen(skb));
		msg->msg_namelen = bp_skb_addrlen(skb);
	}
	msg->msg_flags |= MSG_ERRQUEUE;
	if (st->bs_status == BP_STATUS_FAILED)
		cmpxchg(&sk->sk_err, st->bs_errno, 0);
	consume_skb(skb);
	bp_rx_freed(sk);
	return err;
}

static __poll_t bp_poll(struct file *file, struct socket *sock, poll_table *wait)
{
	__poll_t mask = datagram_poll(file, sock, wait);

	/* Not writable while a bind is under way (a non-blocking send started it): bp(7). */
	if (READ_ONCE(bp_sk(sock->sk)->state) == BP_BINDING)
		mask &= ~(EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
	return mask;
}

static void bp_sock_destruct(struct sock *sk)
{
	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	kfree(bp_sk(sk)->rx_ids);
}

static struct proto bp_proto = {
	.name		= "BP",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct bp_sock),
};

static int bp_release(struct socket *sock)
{
	struct sock *sk = sock->sk;
	struct bp_sock *bs;
	struct bp_net *bn;
	struct bp_req *req, *tmp;

	if (!sk)
		return 0;
	bs = bp_sk(sk);
	bn = bp_pernet(sock_net(sk));
	lock_sock(sk);
	mutex_lock(&bn->lock);
	list_del_init(&bs->node);
	hash_del(&bs->hnode);
	if (bs->state == BP_BOUND) {
		bn->gen++;
		bp_node_notify(bn, BP_CMD_RELEASE, bs->id);
	}
	req = bs->bind_req;
	if (req) {	/* an asynchronous BIND: the node may have bound it, or never saw it */
		bs->bind_req = NULL;
		req->bs = NULL;
		if (req->sent) {
			bp_node_notify(bn, BP_CMD_RELEASE, bs->id);
		} else {
			bp_req_unlink(bn, req);
			bp_req_free(req);
		}
	}
	bp_sock_set_state(bn, bs, BP_UNBOUND);
	/*
	 * SENDs already accepted are still carried: they stay queued, no longer charged to (nor
	 * pointing at) this socket, so neither the socket nor its namespace is kept alive by them.
	 */
	list_for_each_entry_safe(req, tmp, &bs->reqs, sock_node) {
		list_del_init(&req->sock_node);
		req->bs = NULL;
		skb_orphan(req->skb);
		/* Bounded per namespace (max_orphaned); the memory stays charged to the cgroup. */
		req->orphaned = req->skb->truesize;
		bn->orphaned += req->orphaned;
	}
	/* A DRAINED not yet sent is moot: the RELEASE follows. */
	list_del_init(&bs->drained->list);
	bp_req_free(bs->drained);
	bs->drained = NULL;
	mutex_unlock(&bn->lock);
	sock_orphan(sk);
	sock->sk = NULL;
	release_sock(sk);
	sock_put(sk);
	return 0;
}

static int bp_bind(struct socket *sock, struct sockaddr *uaddr, int len)
{
	struct sock *sk = sock->sk;
	struct bp_eid eid;
	int err;

	err = bp_addr_to_eid(uaddr, len, &eid);
	if (err)
		return err;
	/* A node's administrative endpoint is the node's own (bp(7)). */
	if (bp_eid_is_admin(&eid) && !ns_capable(sock_net(sk)->user_ns, CAP_NET_ADMIN))
		return -EACCES;
	lock_sock(sk);
	err = bp_node_bind(bp_pernet(sock_net(sk)), bp_sk(sk), &eid, false);
	release_sock(sk);
	return err;
}

/*
 * Waits (lock_sock released meanwhile) until the socket's asynchronous bind is done: 0, or
 * -EAGAIN when @timeo runs out, or -EINTR/-ERESTARTSYS on a signal.
 */
static int bp_wait_bound(struct sock *sk, long *timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int err = 0;

	add_wait_queue(sk_sleep(sk), &wait);
	while (READ_ONCE(bp_sk(sk)->state) == BP_BINDING) {
		if (!*timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(*timeo);
			break;
		}
		sk_wait_event(sk, timeo, READ_ONCE(bp_sk(sk)->state) != BP_BINDING, &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

/*
 * Binds ipn:!.S with a free S in 65536..131071. Caller holds lock_sock. Non-blocking, it never
 * sleeps: it starts the bind and returns -EAGAIN (POLLOUT once bound, bp(7)).
 */
static int bp_autobind(struct bp_net *bn, struct bp_sock *bs, bool nonblock)
{
	struct bp_eid eid = { .scheme = BP_SCHEME_IPN, .ipn.node = BP_IPN_LOCAL_NODE };
	const u32 range = BP_AUTOBIND_LAST - BP_AUTOBIND_FIRST + 1;
	long timeo = sock_sndtimeo(&bs->sk, nonblock);
	int err = -EADDRINUSE, tries;
	u32 i, s;

	/* A node that refuses every candidate must not keep us here: a few tries, then give up. */
	for (tries = 0; tries < 8 && err == -EADDRINUSE; tries++) {
		if (READ_ONCE(bs->state) == BP_BINDING) {
			/* An earlier non-blocking call's bind is under way. */
			err = bp_wait_bound(&bs->sk, &timeo);
			if (err)
				return err;
			if (READ_ONCE(bs->state) == BP_BOUND)
				return 0;
			err = sock_error(&bs->sk);
			return err ? err : -EADDRNOTAVAIL;
		}
		if (READ_ONCE(bs->state) == BP_BOUND)
			return 0;
		mutex_lock(&bn->lock);
		/* From the cursor on; each candidate is one lookup in the EID hash. */
		for (i = 0; i < range; i++) {
			s = BP_AUTOBIND_FIRST + (bn->next_auto - BP_AUTOBIND_FIRST + i) % range;
			if (!bp_service_in_use(bn, s))
				break;
		}
		if (i == range) {
			mutex_unlock(&bn->lock);
			return -EADDRINUSE;
		}
		bn->next_auto = s + 1 > BP_AUTOBIND_LAST ? BP_AUTOBIND_FIRST : s + 1;
		mutex_unlock(&bn->lock);
		eid.ipn.service = s;
		err = bp_node_bind(bn, bs, &eid, nonblock);
		if (err == -EINPROGRESS)
			return -EAGAIN;
	}
	return err;
}

static int bp_connect(struct socket *sock, struct sockaddr *uaddr, int len, int flags)
{
	struct sock *sk = sock->sk;
	struct bp_eid eid;
	int err;

	if (len >= (int)sizeof(sa_family_t) && uaddr->sa_family == AF_UNSPEC) {
		lock_sock(sk);
		memset(&bp_sk(sk)->peer, 0, sizeof(bp_sk(sk)->peer));
		sock->state = SS_UNCONNECTED;
		release_sock(sk);
		return 0;
	}
	err = bp_addr_to_eid(uaddr, len, &eid);
	if (err)
		return err;
	lock_sock(sk);
	bp_sk(sk)->peer = eid;
	sock->state = SS_CONNECTED;
	release_sock(sk);
	return 0;
}

static int bp_getname(struct socket *sock, struct sockaddr *uaddr, int peer)
{
	struct sockaddr_bp *sa = (struct sockaddr_bp *)uaddr;
	struct sock *sk = sock->sk;
	struct bp_sock *bs = bp_sk(sk);
	struct bp_net *bn = bp_pernet(sock_net(sk));
	int len;

	lock_sock(sk);
	/* bn->lock too: the answer to an asynchronous bind writes the EID. */
	mutex_lock(&bn->lock);
	if (peer) {
		len = bs->peer.scheme ? bp_eid_to_addr(&bs->peer, sa) : -ENOTCONN;
	} else if (bs->state == BP_UNBOUND) {
		memset(sa, 0, sizeof(*sa));
		sa->bp_family = bp_af;
		len = BP_SOCKADDR_IPN_LEN;
	} else {
		len = bp_eid_to_addr(&bs->eid, sa);
	}
	mutex_unlock(&bn->lock);
	release_sock(sk);
	return len;
}

/* SOL_BP control messages: per-message bundle options. */
static int bp_parse_cmsgs(struct msghdr *msg, struct bp_opt *opts, unsigned int *n)
{
	struct cmsghdr *cmsg;
	size_t vlen;

	for_each_cmsghdr(cmsg, msg) {
		if (!CMSG_OK(msg, cmsg))
			return -EINVAL;
		if (cmsg->cmsg_level != SOL_BP)
			continue;
		vlen = cmsg->cmsg_len - CMSG_LEN(0);
		if (cmsg->cmsg_type < 1 || cmsg->cmsg_type > BP_BUNDLE_OPTION_MAX ||
		    vlen < 1 || vlen > BP_OPTION_VALUE_MAX || *n == BP_MAX_MSG_OPTS)
			return -EINVAL;
		opts[*n].name = cmsg->cmsg_type;
		opts[*n].len = vlen;
		memcpy(opts[*n].val, CMSG_DATA(cmsg), vlen);
		(*n)++;
	}
	return 0;
}

static void bp_opt_int(struct bp_opt *opt, u32 name, u32 val)
{
	opt->name = name;
	opt->len = sizeof(val);
	memcpy(opt->val, &val, sizeof(val));
}

/*
 * The bundle flags of the earlier bp-socket prototype, as the per-message options they stand for
 * (at most BPS_MAX_OPTS); bp(7) COMPATIBILITY. EINVAL: two priorities or two custody flags;
 * EOPNOTSUPP: a custody report, which BPv7 does not have.
 */
static int bp_bpsocket_opts(int flags, struct bp_opt *opts, unsigned int *n)
{
	u32 reports = 0;

	if (hweight32(flags & BPS_PRIORITY_FLAGS) > 1 || hweight32(flags & BPS_CUSTODY_FLAGS) > 1)
		return -EINVAL;
	if (flags & BPS_CUSTODY_RPT)
		return -EOPNOTSUPP;
	if (flags & BPS_ACK_REQUESTED)
		bp_opt_int(&opts[(*n)++], BP_APP_ACK, 1);
	if (flags & BPS_RECEIVED_RPT)
		reports |= BP_REPORT_RECEPTION;
	if (flags & BPS_FORWARDED_RPT)
		reports |= BP_REPORT_FORWARDING;
	if (flags & BPS_DELIVERED_RPT)
		reports |= BP_REPORT_DELIVERY;
	if (flags & BPS_DELETED_RPT)
		reports |= BP_REPORT_DELETION;
	if (reports)
		bp_opt_int(&opts[(*n)++], BP_STATUS_REPORTS, reports);
	if (flags & BPS_BULK_PRIORITY)
		bp_opt_int(&opts[(*n)++], BP_CLASS_OF_SERVICE, BP_COS_BULK);
	else if (flags & BPS_STD_PRIORITY)
		bp_opt_int(&opts[(*n)++], BP_CLASS_OF_SERVICE, BP_COS_NORMAL);
	else if (flags & BPS_EXPEDITED_PRIORITY)
		bp_opt_int(&opts[(*n)++], BP_CLASS_OF_SERVICE, BP_COS_EXPEDITED);
	if (flags & BPS_CUSTODY_REQUIRED)
		bp_opt_int(&opts[(*n)++], BP_CUSTODY, BP_CUSTODY_REQUIRED);
	else if (flags & BPS_CUSTODY_OPTIONAL)
		bp_opt_int(&opts[(*n)++], BP_CUSTODY, BP_CUSTODY_OPTIONAL);
	else if (flags & BPS_NO_CUSTODY)
		bp_opt_int(&opts[(*n)++], BP_CUSTODY, BP_CUSTODY_NONE);
	return 0;
}

/*
 * Builds the whole SEND message in one skb charged to the socket's sk_sndbuf: the attributes in
 * the linear part, the ADU in BP_A_PAYLOAD attributes in page-backed space. Runs without locks: it
 * may block for sndbuf room. *send_id points at the SEND_ID value, filled in when queued.
 */
static struct sk_buff *bp_build_send(struct bp_sock *bs, struct msghdr *msg, size_t len,
				     const struct bp_eid *src, const struct bp_eid *dst,
				     const struct bp_opt *opts, unsigned int nopts, u64 cookie,
				     u32 **send_id, int *errp)
{
	static const u8 zeros[NLA_ALIGNTO];
	struct sock *sk = &bs->sk;
	size_t hdr, paged, done, chunk;
	struct nlattr nla, *nest, *attr;
	struct sk_buff *skb;
	unsigned int i;
	int off, err;
	bool linear;
	void *ghdr;

	hdr = NLMSG_HDRLEN + GENL_HDRLEN + 2 * nla_total_size_64bit(sizeof(u64)) +
	      nla_total_size(sizeof(u32)) + bp_eid_nlsize(src) + bp_eid_nlsize(dst) +
	      nla_total_size(0);
	for (i = 0; i < nopts; i++)
		hdr += bp_opt_nlsize(&opts[i]);
	paged = NLA_ALIGN(len) + DIV_ROUND_UP(len, BP_PAYLOAD_CHUNK) * NLA_HDRLEN;
	linear = hdr + paged <= SKB_WITH_OVERHEAD(PAGE_SIZE);

	/* Blocks while the socket has sk_sndbuf in flight; EAGAIN, EPIPE, SO_SNDTIMEO from here. */
	skb = sock_alloc_send_pskb(sk, hdr + (linear ? paged : 0), 0,
				   msg->msg_flags & MSG_DONTWAIT, errp, 0);
	if (!skb)
		return NULL;
	err = -EMSGSIZE;
	ghdr = genlmsg_put(skb, 0, 0, &bp_genl_family, 0, BP_CMD_SEND);
	if (!ghdr ||
	    nla_put_u64_64bit(skb, BP_A_COOKIE, cookie, BP_A_PAD) ||
	    nla_put_u64_64bit(skb, BP_A_SOCKET_ID, bs->id, BP_A_PAD))
		goto fail;
	attr = nla_reserve(skb, BP_A_SEND_ID, sizeof(u32));
	if (!attr)
		goto fail;
	*send_id = nla_data(attr);
	if (bp_eid_put(skb, BP_A_SRC_EID, src) || bp_eid_put(skb, BP_A_DST_EID, dst))
		goto fail;
	nest = nla_nest_start(skb, BP_A_OPTIONS);
	if (!nest)
		goto fail;
	for (i = 0; i < nopts; i++)
		if (bp_opt_put(skb, BP_A_OPTION, &opts[i]))
			goto fail;
	nla_nest_end(skb, nest);

	off = skb->len;
	if (linear) {
		skb_put(skb, paged);
	} else {
		/*
		 * The pages are charged to the socket as well (as ip_append_data does), and at
		 * once, before they are allocated and filled: a concurrent sender on this socket
		 * must see them, or each could exceed sk_sndbuf by a whole ADU.
		 */
		skb->truesize += paged;
		refcount_add(paged, &sk->sk_wmem_alloc);
		err = bp_skb_add_paged(skb, paged, sk->sk_allocation);
		if (err < 0)
			goto fail;
		/* Now the real truesize (at least @paged), which bp_skb_add_paged added. */
		skb->truesize -= paged;
		refcount_add(err - paged, &sk->sk_wmem_alloc);
	}
	for (done = 0; done < len; done += chunk) {
		chunk = min_t(size_t, len - done, BP_PAYLOAD_CHUNK);
		nla.nla_len = NLA_HDRLEN + chunk;
		nla.nla_type = BP_A_PAYLOAD;
		err = skb_store_bits(skb, off, &nla, NLA_HDRLEN);
		if (err)
			goto fail;
		off += NLA_HDRLEN;
		err = skb_copy_datagram_from_iter(skb, off, &msg->msg_iter, chunk);
		if (err)
			goto fail;
		off += chunk;
	}
	if (NLA_ALIGN(len) != len) {
		err = skb_store_bits(skb, off, zeros, NLA_ALIGN(len) - len);
		if (err)
			goto fail;
	}
	nlmsg_hdr(skb)->nlmsg_len = skb->len;
	return skb;
fail:
	kfree_skb(skb);
	*errp = err;
	return NULL;
}

static int bp_sendmsg(struct socket *sock, struct msghdr *msg, size_t len)
{
	struct sock *sk = sock->sk;
	struct bp_sock *bs = bp_sk(sk);
	struct bp_net *bn = bp_pernet(sock_net(sk));
	struct bp_opt *mopts = NULL, *opts = NULL;
	unsigned int nmopts = 0, nopts = 0, ncmsgs = 0;
	int bflags = 0;
	struct bp_eid src, dst;
	struct sk_buff *skb;
	struct bp_req *req;
	u32 *send_id;
	u64 cookie;
	bool sync;
	long ret;
	int err;

	/*
	 * As UDP: only MSG_OOB is refused. MSG_BATCH (sendmmsg) and MSG_MORE (sendfile, splice)
	 * change nothing: every call is one ADU. A bp-socket compatible socket reads the flags'
	 * BPS_FLAGS bits as bundle flags instead (MSG_OOB is one of them).
	 */
	if (bs->bpsocket)
		bflags = msg->msg_flags & BPS_FLAGS;
	else if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (len > bp_max_payload)
		return -EMSGSIZE;
	if (msg->msg_name) {
		err = bp_addr_to_eid(msg->msg_name, msg->msg_namelen, &dst);
		if (err)
			return err;
	}
	if (msg->msg_controllen || bflags) {
		mopts = kmalloc_array(BPS_MAX_OPTS + BP_MAX_MSG_OPTS, sizeof(*mopts), GFP_KERNEL);
		if (!mopts)
			return -ENOMEM;
		/* The flags' options first: a control message for the same option overrides. */
		err = bp_bpsocket_opts(bflags, mopts, &nmopts);
		if (!err && msg->msg_controllen)
			err = bp_parse_cmsgs(msg, mopts + nmopts, &ncmsgs);
		if (err)
			goto out_free;
		nmopts += ncmsgs;
	}

	lock_sock(sk);
	if (!msg->msg_name) {
		err = -EDESTADDRREQ;
		if (!bs->peer.scheme)
			goto out_unlock;
		dst = bs->peer;
	}
	err = -EPIPE;
	if (sk->sk_shutdown & SEND_SHUTDOWN)
		goto out_unlock;
	err = -ENETDOWN;
	if (!READ_ONCE(bn->registered))
		goto out_unlock;
	err = -ENETUNREACH;
	if (!READ_ONCE(bn->backend_ready))
		goto out_unlock;
	/* Closed sockets' datagrams still waiting for the node: no more until it takes some. */
	err = -ENOBUFS;
	if (READ_ONCE(bn->orphaned) >= READ_ONCE(bp_max_orphaned))
		goto out_unlock;
	if (READ_ONCE(bs->state) != BP_BOUND) {
		err = bp_autobind(bn, bs, msg->msg_flags & MSG_DONTWAIT);
		if (err)
			goto out_unlock;
	}
	/* Snapshot what the message carries: socket options first, then the message's. */
	mutex_lock(&bn->lock);
	src = bs->eid;
	mutex_unlock(&bn->lock);
	if (bs->nopts + nmopts) {
		err = -ENOMEM;
		opts = kmalloc_array(bs->nopts + nmopts, sizeof(*opts), GFP_KERNEL);
		if (!opts)
			goto out_unlock;
		memcpy(opts, bs->opts, bs->nopts * sizeof(*opts));
		if (nmopts)
			memcpy(opts + bs->nopts, mopts, nmopts * sizeof(*opts));
		nopts = bs->nopts + nmopts;
	}
	release_sock(sk);

	/* Without lock_sock: a sender blocked on sk_sndbuf must not block other calls. */
	cookie = atomic64_inc_return(&bn->next_cookie);
	skb = bp_build_send(bs, msg, len, &src, &dst, opts, nopts, cookie, &send_id, &err);
	if (!skb)
		goto out_free;
	req = bp_req_alloc(BP_REQ_SEND, bs, skb);
	if (!req) {
		kfree_skb(skb);
		err = -ENOMEM;
		goto out_free;
	}
	req->cookie = cookie;
	/*
	 * With per-message options the node's verdict is the call's result, unless the call must
	 * not sleep: then, as after node_timeout_ms, a refusal becomes the pending error.
	 */
	sync = nmopts > 0 && !(msg->msg_flags & MSG_DONTWAIT);
	req->sync = sync;

	mutex_lock(&bn->lock);
	*send_id = bs->send_count++;
	req->send_id = *send_id;
	bp_req_queue(bn, req);
	bp_node_pump(bn);
	mutex_unlock(&bn->lock);
	err = len;
	if (!sync)	/* req may already be answered and freed */
		goto out_free;
	ret = bp_req_wait(bn, req);
	if (ret > 0) {
		err = req->err ? req->err : len;
		mutex_unlock(&bn->lock);
		bp_req_free(req);
	} else {
		/* Accepted but not answered in time: carried on as an ordinary send. */
		req->sync = false;
		mutex_unlock(&bn->lock);
	}
	goto out_free;

out_unlock:
	release_sock(sk);
out_free:
	kfree(opts);
	kfree(mopts);
	return err;
}

static int bp_recvmsg(struct socket *sock, struct msghdr *msg, size_t size, int flags)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	size_t copied;
	int err;

	if (flags & ~(MSG_DONTWAIT | MSG_PEEK | MSG_TRUNC | MSG_WAITALL | MSG_ERRQUEUE |
		      MSG_NOSIGNAL | MSG_CMSG_COMPAT | MSG_CMSG_CLOEXEC))
		return -EOPNOTSUPP;
	if (flags & MSG_ERRQUEUE)
		return bp_recv_status(sk, msg);

	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;
	copied = skb->len;
	if (size < copied) {
		msg->msg_flags |= MSG_TRUNC;
		copied = size;
	}
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (!err && msg->msg_name) {
		memcpy(msg->msg_name, bp_skb_addr(skb), bp_skb_addrlen(skb));
		msg->msg_namelen = bp_skb_addrlen(skb);
	}
	/* Too little room for it: MSG_CTRUNC, as for any control message. */
	if (!err && BP_SKB_CB(skb)->has_id && READ_ONCE(bp_sk(sk)->recvid))
		err = put_cmsg(msg, SOL_BP, BP_RECVID, sizeof(struct bp_bundle_id),
			       &BP_SKB_CB(skb)->id);
	if (!err)
		err = (flags & MSG_TRUNC) ? skb->len : copied;
	skb_free_datagram(sk, skb);

	if (!(flags & MSG_PEEK))
		bp_rx_freed(sk);
	return err;
}

static int bp_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;

	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | (how + 1));
	sk->sk_state_change(sk);
	release_sock(sk);
	return 0;
}

static int bp_setsockopt(struct socket *sock, int level, int optname, sockptr_t optval,
			 unsigned int optlen)
{
	struct sock *sk = sock->sk;
	struct bp_opt opt = {};
	int err, val;

	if (level == SOL_BP && (optname == BP_RECVSTATUS || optname == BP_RECVID)) {
		if (optlen < sizeof(int))
			return -EINVAL;
		if (copy_from_sockptr(&val, optval, sizeof(val)))
			return -EFAULT;
		if (optname == BP_RECVSTATUS)
			WRITE_ONCE(bp_sk(sk)->recvstatus, !!val);
		else
			WRITE_ONCE(bp_sk(sk)->recvid, !!val);
		return 0;
	}
	if (level != SOL_BP || optname < 1 || optname > BP_BUNDLE_OPTION_MAX)
		return -ENOPROTOOPT;
	if (optlen < 1 || optlen > BP_OPTION_VALUE_MAX)
		return -EINVAL;
	if (copy_from_sockptr(opt.val, optval, optlen))
		return -EFAULT;
	opt.name = optname;
	opt.len = optlen;
	lock_sock(sk);
	err = bp_node_opt(bp_pernet(sock_net(sk)), bp_sk(sk), BP_REQ_SETOPT, &opt);
	release_sock(sk);
	return err;
}

static int bp_getsockopt(struct socket *sock, int level, int optname, char __user *optval,
			 int __user *optlen)
{
	struct sock *sk = sock->sk;
	struct bp_sock *bs = bp_sk(sk);
	struct bp_opt *opt;
	unsigned int i;
	int len, err, val;

	if (level != SOL_BP || optname < 1 ||
	    (optname > BP_BUNDLE_OPTION_MAX && optname != BP_RECVSTATUS &&
	     optname != BP_RECV_REPEATS && optname != BP_RECVID))
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (optname == BP_RECVSTATUS || optname == BP_RECVID) {
		if (len < sizeof(int))
			return -EINVAL;
		val = optname == BP_RECVSTATUS ? READ_ONCE(bs->recvstatus) : READ_ONCE(bs->recvid);
		if (copy_to_user(optval, &val, sizeof(val)) || put_user(sizeof(val), optlen))
			return -EFAULT;
		return 0;
	}
	if (optname == BP_RECV_REPEATS) {
		u64 repeats;

		if (len < sizeof(repeats))
			return -EINVAL;
		repeats = READ_ONCE(bs->rx_repeats);
		if (copy_to_user(optval, &repeats, sizeof(repeats)) ||
		    put_user(sizeof(repeats), optlen))
			return -EFAULT;
		return 0;
	}
	opt = kzalloc(sizeof(*opt), GFP_KERNEL);
	if (!opt)
		return -ENOMEM;
	opt->name = optname;
	lock_sock(sk);
	for (i = 0; i < bs->nopts && bs->opts[i].name != optname; i++)
		;
	if (i < bs->nopts) {
		*opt = bs->opts[i];
		err = 0;
	} else {
		err = bp_node_opt(bp_pernet(sock_net(sk)), bs, BP_REQ_GETOPT, opt);
	}
	release_sock(sk);
	if (err)
		goto out;
	/* Too small a buffer is an error: a truncated bundle option is never meaningful. */
	err = -EINVAL;
	if (len < opt->len)
		goto out;
	err = -EFAULT;
	if (copy_to_user(optval, opt->val, opt->len) || put_user(opt->len, optlen))
		goto out;
	err = 0;
out:
	kfree(opt);
	return err;
}

static struct proto_ops bp_ops __ro_after_init = {
	.family		= AF_BP,	/* replaced by the af parameter in bp_proto_init */
	.owner		= THIS_MODULE,
	.release	= bp_release,
	.bind		= bp_bind,
	.connect	= bp_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= bp_getname,
	.poll		= bp_poll,
	.ioctl		= sock_no_ioctl,
	.gettstamp	= sock_gettstamp,
	.listen		= sock_no_listen,
	.shutdown	= bp_shutdown,
	.setsockopt	= bp_setsockopt,
	.getsockopt	= bp_getsockopt,
	.sendmsg	= bp_sendmsg,
	.recvmsg	= bp_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};

static int bp_create(struct net *net, struct socket *sock, int protocol, int kern)
{
	struct bp_net *bn = bp_pernet(net);
	struct bp_sock *bs, *other;
	struct bp_req *drained;
	struct sock *sk;
	u64 id;

	if (sock->type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != BP_PROTO_DEFAULT && protocol != BP_PROTO_BPSOCKET &&
	    protocol != BP_PROTO_STANDARD)
		return -EPROTONOSUPPORT;
	mutex_lock(&bn->lock);
	id = bn->next_sock_id++;
	mutex_unlock(&bn->lock);
	/* Everything that can fail comes before sk_alloc: once sock->ops is set, release runs. */
	drained = bp_notify_new(BP_CMD_DRAINED, id, GFP_KERNEL_ACCOUNT);
	if (!drained)
		return -ENOMEM;
	drained->owned = true;
	sk = sk_alloc(net, bp_af, GFP_KERNEL, &bp_proto, kern);
	if (!sk) {
		bp_req_free(drained);
		return -ENOMEM;
	}
	sock->state = SS_UNCONNECTED;
	sock->ops = &bp_ops;
	sock_init_data(sock, sk);
	/* SEND buffers may outlive the socket: charge them to the sender's memory cgroup. */
	sk->sk_allocation = GFP_KERNEL_ACCOUNT;
	sk->sk_protocol = protocol;
	sk->sk_destruct = bp_sock_destruct;
	bs = bp_sk(sk);
	INIT_LIST_HEAD(&bs->reqs);
	INIT_HLIST_NODE(&bs->ehnode);
	bs->state = BP_UNBOUND;
	bs->id = id;
	bs->drained = drained;
	/* Decided once: the parameter may change while the socket lives. */
	bs->bpsocket = protocol == BP_PROTO_BPSOCKET ||
		       (protocol == BP_PROTO_DEFAULT && READ_ONCE(bp_bpsocket_flags));
	mutex_lock(&bn->lock);
	/* In id order (the dump's cursor): a concurrent create may have passed us. */
	list_for_each_entry_reverse(other, &bn->socks, node)
		if (other->id < id)
			break;
	list_add(&bs->node, &other->node);
	hash_add(bn->sock_hash, &bs->hnode, bs->id);
	mutex_unlock(&bn->lock);
	return 0;
}

static struct net_proto_family bp_family_ops = {
	.family	= AF_BP,
	.create	= bp_create,
	.owner	= THIS_MODULE,
};

int bp_proto_init(void)
{
	int err;

	/* sock_register keeps the pointer; the family number is only known at load time. */
	bp_ops.family = bp_af;
	bp_family_ops.family = bp_af;
	get_random_bytes(&bp_id_key, sizeof(bp_id_key));
	err = proto_register(&bp_proto, 1);
	if (err)
		return err;
	err = sock_register(&bp_family_ops);
	if (err) {
		pr_err("AF_BP: cannot register address family %u: %d\n", bp_af, err);
		proto_unregister(&bp_proto);
	}
	return err;
}

void bp_proto_exit(void)
{
	sock_unregister(bp_af);
	proto_unregister(&bp_proto);
}
