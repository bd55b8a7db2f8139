// SPDX-License-Identifier: GPL-2.0
/*
 * Test node for AF_BP (see testnode.h): raw Generic Netlink, no libnl. One thread reads the
 * node's socket and answers the kernel; the caller's thread sends synchronous commands and waits
 * for their acks, which that reader thread hands over.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "testnode.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct tn_adu {
	struct tn_adu *next;
	struct tn_eid src;
	uint8_t *data;
	size_t len;
};

struct tn_sock {
	uint64_t id;
	struct tn_eid eid;
	struct tn_adu *head, *tail;
	uint32_t inflight_seq;	/* DELIVER awaiting its ack, 0 if none */
	int blocked;		/* got ENOBUFS, waits for DRAINED */
	int drained_seen;	/* DRAINED came while a DELIVER was unacknowledged */
};

struct tn_wait {
	uint32_t seq;
	int done;
	int err;
	char extack[256];
	struct tn_dump_entry *dump;
	int ndump, maxdump;
	uint32_t max_payload, family;
};

struct tn {
	int fd;
	int family;
	uint32_t portid;
	uint32_t seq;
	pthread_t thr;
	int thr_started;
	int stop;
	int paused;
	int pipe[2];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct tn_ctl ctl;
	struct tn_sock *socks;
	int nsocks, capsocks;
	struct tn_wait *waits[16];
	uint64_t *held;
	int nheld, capheld;
	uint32_t resync_seq;
	uint8_t *rbuf;
	size_t rcap;
};

/* ---- attribute building ---- */

void tb_init(struct tn_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void tb_free(struct tn_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void tb_reserve(struct tn_buf *b, size_t n)
{
	if (b->len + n <= b->cap)
		return;
	b->cap = (b->len + n) * 2 + 256;
	b->p = realloc(b->p, b->cap);
	if (!b->p)
		abort();
}

void tb_put(struct tn_buf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr nla = { .nla_len = NLA_HDRLEN + len, .nla_type = type };
	size_t pad = NLA_ALIGN(len) - len;

	tb_reserve(b, NLA_HDRLEN + NLA_ALIGN(len));
	memcpy(b->p + b->len, &nla, sizeof(nla));
	if (len)
		memcpy(b->p + b->len + NLA_HDRLEN, data, len);
	memset(b->p + b->len + NLA_HDRLEN + len, 0, pad);
	b->len += NLA_HDRLEN + NLA_ALIGN(len);
}

void tb_u8(struct tn_buf *b, uint16_t type, uint8_t v)
{
	tb_put(b, type, &v, 1);
}

void tb_u32(struct tn_buf *b, uint16_t type, uint32_t v)
{
	tb_put(b, type, &v, 4);
}

void tb_u64(struct tn_buf *b, uint16_t type, uint64_t v)
{
	tb_put(b, type, &v, 8);
}

size_t tb_nest_start(struct tn_buf *b, uint16_t type)
{
	size_t off = b->len;

	tb_put(b, type | NLA_F_NESTED, NULL, 0);
	return off;
}

void tb_nest_end(struct tn_buf *b, size_t off)
{
	struct nlattr *nla = (struct nlattr *)(b->p + off);

	nla->nla_len = b->len - off;
}

void tb_eid(struct tn_buf *b, uint16_t type, const struct tn_eid *e)
{
	size_t n = tb_nest_start(b, type);

	tb_u32(b, BP_EID_A_SCHEME, e->scheme);
	if (e->scheme == BP_SCHEME_DTN) {
		tb_put(b, BP_EID_A_DTN, e->dtn, strlen(e->dtn) + 1);
	} else {
		if (e->allocator)
			tb_u32(b, BP_EID_A_IPN_ALLOCATOR, e->allocator);
		tb_u32(b, BP_EID_A_IPN_NODE, e->node);
		tb_u32(b, BP_EID_A_IPN_SERVICE, e->service);
	}
	tb_nest_end(b, n);
}

/* ---- parsing ---- */

static void parse_attrs(const void *p, size_t len, const struct nlattr **tb, int max)
{
	const struct nlattr *nla = p;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN && nla->nla_len >= NLA_HDRLEN && nla->nla_len <= len) {
		int type = nla->nla_type & NLA_TYPE_MASK;

		if (type <= max)
			tb[type] = nla;
		len -= NLA_ALIGN(nla->nla_len) < len ? NLA_ALIGN(nla->nla_len) : len;
		nla = (const struct nlattr *)((const char *)nla + NLA_ALIGN(nla->nla_len));
	}
}

#define NLA_DATA(nla)	((const void *)((const char *)(nla) + NLA_HDRLEN))
#define NLA_LEN(nla)	((size_t)(nla)->nla_len - NLA_HDRLEN)

static uint32_t get_u32(const struct nlattr *nla)
{
	uint32_t v;

	memcpy(&v, NLA_DATA(nla), 4);
	return v;
}

static uint64_t get_u64(const struct nlattr *nla)
{
	uint64_t v;

	memcpy(&v, NLA_DATA(nla), 8);
	return v;
}

static void parse_eid(const struct nlattr *nla, struct tn_eid *e)
{
	const struct nlattr *tb[BP_EID_A_MAX + 1];

	memset(e, 0, sizeof(*e));
	if (!nla)
		return;
	parse_attrs(NLA_DATA(nla), NLA_LEN(nla), tb, BP_EID_A_MAX);
	if (tb[BP_EID_A_SCHEME])
		e->scheme = get_u32(tb[BP_EID_A_SCHEME]);
	if (tb[BP_EID_A_IPN_ALLOCATOR])
		e->allocator = get_u32(tb[BP_EID_A_IPN_ALLOCATOR]);
	if (tb[BP_EID_A_IPN_NODE])
		e->node = get_u32(tb[BP_EID_A_IPN_NODE]);
	if (tb[BP_EID_A_IPN_SERVICE])
		e->service = get_u32(tb[BP_EID_A_IPN_SERVICE]);
	if (tb[BP_EID_A_DTN])
		snprintf(e->dtn, sizeof(e->dtn), "%.*s", (int)NLA_LEN(tb[BP_EID_A_DTN]),
			 (const char *)NLA_DATA(tb[BP_EID_A_DTN]));
}

static int parse_opt(const struct nlattr *nla, struct tn_opt *o)
{
	const struct nlattr *tb[BP_OPT_A_MAX + 1];

	memset(o, 0, sizeof(*o));
	parse_attrs(NLA_DATA(nla), NLA_LEN(nla), tb, BP_OPT_A_MAX);
	if (!tb[BP_OPT_A_NAME])
		return -1;
	o->name = get_u32(tb[BP_OPT_A_NAME]);
	if (tb[BP_OPT_A_VALUE]) {
		o->len = NLA_LEN(tb[BP_OPT_A_VALUE]);
		if (o->len > sizeof(o->val))
			o->len = sizeof(o->val);
		memcpy(o->val, NLA_DATA(tb[BP_OPT_A_VALUE]), o->len);
	}
	return 0;
}

static unsigned int parse_opts(const struct nlattr *nla, struct tn_opt *opts, unsigned int max)
{
	const struct nlattr *o;
	size_t rem;
	unsigned int n = 0;

	if (!nla)
		return 0;
	o = NLA_DATA(nla);
	rem = NLA_LEN(nla);
	while (rem >= NLA_HDRLEN && o->nla_len >= NLA_HDRLEN && o->nla_len <= rem) {
		if ((o->nla_type & NLA_TYPE_MASK) == BP_A_OPTION && n < max)
			if (!parse_opt(o, &opts[n]))
				n++;
		rem -= NLA_ALIGN(o->nla_len) < rem ? NLA_ALIGN(o->nla_len) : rem;
		o = (const struct nlattr *)((const char *)o + NLA_ALIGN(o->nla_len));
	}
	return n;
}

int tn_eid_equal(const struct tn_eid *a, const struct tn_eid *b)
{
	if (a->scheme != b->scheme)
		return 0;
	if (a->scheme == BP_SCHEME_DTN)
		return !strcmp(a->dtn, b->dtn);
	return a->allocator == b->allocator && a->node == b->node && a->service == b->service;
}

uint32_t tn_crc32(const void *p, size_t n)
{
	const uint8_t *s = p;
	uint32_t c = 0xffffffff;
	size_t i;
	int k;

	for (i = 0; i < n; i++) {
		c ^= s[i];
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320 & -(c & 1));
	}
	return ~c;
}

int tn_check_opt(uint32_t name, const void *val, size_t len)
{
	int32_t i;
	uint64_t u;

	if (name < 1 || name > 9)
		return -ENOPROTOOPT;
	if (name == BP_LIFETIME_MS) {
		if (len != 8)
			return -EINVAL;
		memcpy(&u, val, 8);
		return u >= 1 ? 0 : -EINVAL;
	}
	if (name == BP_REPORT_TO) {
		const struct sockaddr_bp *sa = val;

		return len >= BP_SOCKADDR_IPN_LEN && len <= sizeof(*sa) && sa->bp_scheme >= 1 &&
		       sa->bp_scheme <= 2 ? 0 : -EINVAL;
	}
	if (len != 4)
		return -EINVAL;
	memcpy(&i, val, 4);
	switch (name) {
	case BP_CLASS_OF_SERVICE:
	case BP_CUSTODY:
		return i >= 0 && i <= 2 ? 0 : -EINVAL;
	case BP_ORDINAL:
		return i >= 0 && i <= 254 ? 0 : -EINVAL;
	case BP_STATUS_REPORTS:
		return (uint32_t)i & ~0xfU ? -EINVAL : 0;
	case BP_HOP_LIMIT:
		return i >= 0 && i <= 255 ? 0 : -EINVAL;
	default:	/* MUST_NOT_FRAGMENT, APP_ACK */
		return i == 0 || i == 1 ? 0 : -EINVAL;
	}
}

/* ---- sending (callers hold tn->mu) ---- */

static int tn_sendmsg(struct tn *tn, uint8_t cmd, uint16_t flags, const void *attrs, size_t len,
		      uint32_t *seqp)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
	} hdr = {};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct iovec iov[2] = { { &hdr, sizeof(hdr) }, { (void *)attrs, len } };
	struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = iov,
			      .msg_iovlen = 2 };
	ssize_t r;

	hdr.nlh.nlmsg_len = sizeof(hdr) + len;
	hdr.nlh.nlmsg_type = tn->family;
	hdr.nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	hdr.nlh.nlmsg_seq = ++tn->seq;
	hdr.nlh.nlmsg_pid = 0;
	hdr.g.cmd = cmd;
	hdr.g.version = BP_GENL_VERSION;
	if (seqp)
		*seqp = hdr.nlh.nlmsg_seq;
	r = sendmsg(tn->fd, &msg, 0);
	return r < 0 ? -errno : 0;
}

static void tn_reply(struct tn *tn, uint64_t cookie, int err, struct tn_buf *extra)
{
	struct tn_buf b;

	tb_init(&b);
	tb_u64(&b, BP_A_COOKIE, cookie);
	tb_u32(&b, BP_A_ERRNO, err < 0 ? -err : err);
	if (extra && extra->len) {
		tb_reserve(&b, extra->len);
		memcpy(b.p + b.len, extra->p, extra->len);
		b.len += extra->len;
	}
	if (tn_sendmsg(tn, BP_CMD_REPLY, NLM_F_ACK, b.p, b.len, NULL))
		tn->ctl.n_reply_err++;
	tb_free(&b);
}

static struct tn_sock *tn_sock_find(struct tn *tn, uint64_t id)
{
	int i;

	for (i = 0; i < tn->nsocks; i++)
		if (tn->socks[i].id == id)
			return &tn->socks[i];
	return NULL;
}

static struct tn_sock *tn_sock_by_eid(struct tn *tn, const struct tn_eid *e)
{
	struct tn_eid r = *e;
	int i;

	if (r.scheme == BP_SCHEME_IPN && !r.allocator && r.node == BP_IPN_LOCAL_NODE)
		r.node = TN_RESOLVED_NODE;
	for (i = 0; i < tn->nsocks; i++)
		if (tn_eid_equal(&tn->socks[i].eid, &r))
			return &tn->socks[i];
	return NULL;
}

static void tn_sock_set(struct tn *tn, uint64_t id, const struct tn_eid *eid)
{
	struct tn_sock *s = tn_sock_find(tn, id);

	if (!s) {
		if (tn->nsocks == tn->capsocks) {
			tn->capsocks = tn->capsocks * 2 + 16;
			tn->socks = realloc(tn->socks, tn->capsocks * sizeof(*s));
		}
		s = &tn->socks[tn->nsocks++];
		memset(s, 0, sizeof(*s));
		s->id = id;
	}
	s->eid = *eid;
}

static void tn_adu_free_all(struct tn_sock *s)
{
	struct tn_adu *a;

	while ((a = s->head)) {
		s->head = a->next;
		free(a->data);
		free(a);
	}
	s->tail = NULL;
}

static void tn_sock_del(struct tn *tn, uint64_t id)
{
	struct tn_sock *s = tn_sock_find(tn, id);

	if (!s)
		return;
	tn_adu_free_all(s);
	*s = tn->socks[--tn->nsocks];
}

/* Sends the first ADU queued for @s if nothing is in flight and the socket takes data. */
static void tn_deliver_pump(struct tn *tn, struct tn_sock *s)
{
	struct tn_adu *a = s->head;
	struct tn_buf b;
	size_t off, chunk;

	if (!a || s->inflight_seq || s->blocked)
		return;
	tb_init(&b);
	tb_u64(&b, BP_A_SOCKET_ID, s->id);
	tb_eid(&b, BP_A_SRC_EID, &a->src);
	for (off = 0; off < a->len; off += chunk) {
		chunk = a->len - off > 65000 ? 65000 : a->len - off;
		tb_put(&b, BP_A_PAYLOAD, a->data + off, chunk);
	}
	if (tn_sendmsg(tn, BP_CMD_DELIVER, NLM_F_ACK, b.p, b.len, &s->inflight_seq)) {
		s->inflight_seq = 0;
		tn->ctl.n_deliver_err++;
	}
	tb_free(&b);
}

static int tn_deliver_ack(struct tn *tn, uint32_t seq, int err)
{
	struct tn_sock *s = NULL;
	struct tn_adu *a;
	int i;

	for (i = 0; i < tn->nsocks; i++)
		if (tn->socks[i].inflight_seq == seq)
			s = &tn->socks[i];
	if (!s)
		return 0;
	s->inflight_seq = 0;
	if (err == -ENOBUFS) {
		tn->ctl.n_deliver_enobufs++;
		if (s->drained_seen)
			s->drained_seen = 0;	/* the DRAINED overtook this ack: retry now */
		else
			s->blocked = 1;
	} else {
		s->drained_seen = 0;
		if (err)
			tn->ctl.n_deliver_err++;
		else
			tn->ctl.n_deliver++;
		a = s->head;
		s->head = a->next;
		if (!s->head)
			s->tail = NULL;
		free(a->data);
		free(a);
	}
	tn_deliver_pump(tn, s);
	return 1;
}

static void tn_queue_adu(struct tn *tn, struct tn_sock *s, const struct tn_eid *src,
			 const struct nlmsghdr *nlh)
{
	const struct nlattr *nla = (const void *)((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	size_t rem = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, len = 0;
	const struct nlattr *p;
	struct tn_adu *a = calloc(1, sizeof(*a));
	size_t r;

	for (p = nla, r = rem; r >= NLA_HDRLEN && p->nla_len >= NLA_HDRLEN && p->nla_len <= r;
	     r -= NLA_ALIGN(p->nla_len) < r ? NLA_ALIGN(p->nla_len) : r,
	     p = (const void *)((const char *)p + NLA_ALIGN(p->nla_len)))
		if ((p->nla_type & NLA_TYPE_MASK) == BP_A_PAYLOAD)
			len += NLA_LEN(p);
	a->data = malloc(len ? len : 1);
	a->src = *src;
	for (p = nla, r = rem; r >= NLA_HDRLEN && p->nla_len >= NLA_HDRLEN && p->nla_len <= r;
	     r -= NLA_ALIGN(p->nla_len) < r ? NLA_ALIGN(p->nla_len) : r,
	     p = (const void *)((const char *)p + NLA_ALIGN(p->nla_len))) {
		if ((p->nla_type & NLA_TYPE_MASK) != BP_A_PAYLOAD)
			continue;
		memcpy(a->data + a->len, NLA_DATA(p), NLA_LEN(p));
		a->len += NLA_LEN(p);
	}
	if (s->tail)
		s->tail->next = a;
	else
		s->head = a;
	s->tail = a;
	tn_deliver_pump(tn, s);
}

static void tn_payload_info(const struct nlmsghdr *nlh, size_t *lenp, uint32_t *crcp)
{
	const struct nlattr *p = (const void *)((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	size_t r = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, len = 0;
	uint8_t *buf;

	for (; r >= NLA_HDRLEN && p->nla_len >= NLA_HDRLEN && p->nla_len <= r;
	     r -= NLA_ALIGN(p->nla_len) < r ? NLA_ALIGN(p->nla_len) : r,
	     p = (const void *)((const char *)p + NLA_ALIGN(p->nla_len)))
		if ((p->nla_type & NLA_TYPE_MASK) == BP_A_PAYLOAD)
			len += NLA_LEN(p);
	*lenp = len;
	buf = malloc(len ? len : 1);
	len = 0;
	p = (const void *)((const char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	r = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	for (; r >= NLA_HDRLEN && p->nla_len >= NLA_HDRLEN && p->nla_len <= r;
	     r -= NLA_ALIGN(p->nla_len) < r ? NLA_ALIGN(p->nla_len) : r,
	     p = (const void *)((const char *)p + NLA_ALIGN(p->nla_len))) {
		if ((p->nla_type & NLA_TYPE_MASK) == BP_A_PAYLOAD) {
			memcpy(buf + len, NLA_DATA(p), NLA_LEN(p));
			len += NLA_LEN(p);
		}
	}
	*crcp = tn_crc32(buf, len);
	free(buf);
}

static struct tn_wait *tn_wait_find(struct tn *tn, uint32_t seq)
{
	int i;

	for (i = 0; i < 16; i++)
		if (tn->waits[i] && tn->waits[i]->seq == seq)
			return tn->waits[i];
	return NULL;
}

static void tn_default_opt(struct tn *tn, uint64_t sock_id, uint32_t name, struct tn_opt *o)
{
	struct tn_sock *s = tn_sock_find(tn, sock_id);
	uint64_t u = 86400000;
	int32_t i = name == BP_CLASS_OF_SERVICE ? BP_COS_NORMAL : 0;

	o->name = name;
	if (name == BP_LIFETIME_MS) {
		o->len = 8;
		memcpy(o->val, &u, 8);
	} else if (name == BP_REPORT_TO) {
		struct sockaddr_bp sa = { .bp_family = AF_BP };

		if (s && s->eid.scheme == BP_SCHEME_IPN) {
			sa.bp_scheme = BP_SCHEME_IPN;
			sa.bp_addr.ipn.node_id = s->eid.node;
			sa.bp_addr.ipn.service_id = s->eid.service;
		}
		o->len = BP_SOCKADDR_IPN_LEN;
		memcpy(o->val, &sa, o->len);
	} else {
		o->len = 4;
		memcpy(o->val, &i, 4);
	}
}

static void tn_handle_genl(struct tn *tn, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = NLMSG_DATA(nlh);
	const struct nlattr *tb[BP_A_MAX + 1];
	struct tn_ctl *c = &tn->ctl;
	struct tn_wait *w = tn_wait_find(tn, nlh->nlmsg_seq);
	struct tn_buf extra;
	struct tn_eid eid, dst;
	struct tn_opt opt, tmp[TN_MAX_OPTS];
	struct tn_sock *s;
	uint64_t cookie = 0, sid = 0;
	unsigned int i;
	int err;

	parse_attrs((const char *)g + GENL_HDRLEN, nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, tb,
		    BP_A_MAX);
	if (tb[BP_A_COOKIE])
		cookie = get_u64(tb[BP_A_COOKIE]);
	if (tb[BP_A_SOCKET_ID])
		sid = get_u64(tb[BP_A_SOCKET_ID]);
	tb_init(&extra);

	switch (g->cmd) {
	case BP_CMD_REGISTER:
		if (w) {
			w->max_payload = tb[BP_A_MAX_PAYLOAD] ? get_u32(tb[BP_A_MAX_PAYLOAD]) : 0;
			w->family = tb[BP_A_FAMILY] ? get_u32(tb[BP_A_FAMILY]) : 0;
		}
		break;
	case BP_CMD_SOCKET_GET:
		parse_eid(tb[BP_A_EID], &eid);
		tn_sock_set(tn, sid, &eid);
		if (w && w->ndump < w->maxdump) {
			w->dump[w->ndump].socket_id = sid;
			w->dump[w->ndump].eid = eid;
			w->dump[w->ndump].nopts = parse_opts(tb[BP_A_OPTIONS], tmp, TN_MAX_OPTS);
			w->dump[w->ndump].rx_gen = tb[BP_A_RX_GEN] ? get_u32(tb[BP_A_RX_GEN]) : ~0U;
			w->ndump++;
		}
		break;
	case BP_CMD_BIND:
		c->n_bind++;
		parse_eid(tb[BP_A_EID], &eid);
		c->last_bind_id = sid;
		c->last_bind_eid = eid;
		c->last_bind_nopts = parse_opts(tb[BP_A_OPTIONS], tmp, TN_MAX_OPTS);
		if (c->bind_hold)
			break;
		err = -c->bind_errno;
		if (!err) {
			if (eid.scheme == BP_SCHEME_IPN && !eid.allocator &&
			    eid.node == BP_IPN_LOCAL_NODE)
				eid.node = TN_RESOLVED_NODE;
			tn_sock_set(tn, sid, &eid);
			tb_eid(&extra, BP_A_EID, &eid);
		}
		tn_reply(tn, cookie, err, &extra);
		break;
	case BP_CMD_RELEASE:
		c->n_release++;
		c->last_release_id = sid;
		tn_sock_del(tn, sid);
		break;
	case BP_CMD_SEND: {
		struct tn_send_info *si = &c->last_send;

		c->n_send++;
		memset(si, 0, sizeof(*si));
		si->socket_id = sid;
		si->send_id = tb[BP_A_SEND_ID] ? get_u32(tb[BP_A_SEND_ID]) : ~0U;
		parse_eid(tb[BP_A_SRC_EID], &si->src);
		parse_eid(tb[BP_A_DST_EID], &si->dst);
		si->nopts = parse_opts(tb[BP_A_OPTIONS], si->opts, TN_MAX_OPTS);
		tn_payload_info(nlh, &si->len, &si->crc);
		c->send_bytes += si->len;
		err = 0;
		for (i = 0; i < si->nopts && !err; i++)
			err = tn_check_opt(si->opts[i].name, si->opts[i].val, si->opts[i].len);
		if (err) {
			tn_reply(tn, cookie, err, NULL);
			break;
		}
		if (c->send_mode == TN_SEND_HOLD) {
			if (tn->nheld == tn->capheld) {
				tn->capheld = tn->capheld * 2 + 64;
				tn->held = realloc(tn->held, tn->capheld * sizeof(*tn->held));
			}
			tn->held[tn->nheld++] = cookie;
			c->n_held = tn->nheld;
			break;
		}
		/* Every bundle gets a creation timestamp the tests can predict. */
		tb_u64(&extra, BP_A_CREATION_TIME, TN_CREATION_TIME_BASE + c->n_send);
		tb_u64(&extra, BP_A_SEQUENCE, c->n_send);
		if (c->send_mode == TN_SEND_ERRNO) {
			tn_reply(tn, cookie, -c->send_errno, &extra);
			break;
		}
		dst = si->dst;
		s = tn_sock_by_eid(tn, &dst);
		if (s)
			tn_queue_adu(tn, s, &si->src, nlh);
		tn_reply(tn, cookie, 0, &extra);
		break;
	}
	case BP_CMD_SETOPT:
		c->n_setopt++;
		if (c->opt_hold || !tb[BP_A_OPTION] || parse_opt(tb[BP_A_OPTION], &opt))
			break;
		tn_reply(tn, cookie, tn_check_opt(opt.name, opt.val, opt.len), NULL);
		break;
	case BP_CMD_GETOPT:
		c->n_getopt++;
		if (c->opt_hold || !tb[BP_A_OPTION] || parse_opt(tb[BP_A_OPTION], &opt))
			break;
		if (opt.name < 1 || opt.name > 9) {
			tn_reply(tn, cookie, -ENOPROTOOPT, NULL);
			break;
		}
		tn_default_opt(tn, sid, opt.name, &opt);
		{
			size_t n = tb_nest_start(&extra, BP_A_OPTION);

			tb_u32(&extra, BP_OPT_A_NAME, opt.name);
			tb_put(&extra, BP_OPT_A_VALUE, opt.val, opt.len);
			tb_nest_end(&extra, n);
		}
		tn_reply(tn, cookie, 0, &extra);
		break;
	case BP_CMD_DRAINED:
		c->last_drained_id = sid;
		c->last_drained_gen = tb[BP_A_RX_GEN] ? get_u32(tb[BP_A_RX_GEN]) : ~0U;
		c->n_drained++;
		s = tn_sock_find(tn, sid);
		if (s) {
			s->blocked = 0;
			if (s->inflight_seq)
				s->drained_seen = 1;
			tn_deliver_pump(tn, s);
		}
		break;
	default:
		c->n_unknown++;
	}
	tb_free(&extra);
}

static void tn_handle_ack(struct tn *tn, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	struct tn_wait *w = tn_wait_find(tn, nlh->nlmsg_seq);
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off;

	if (w) {
		w->err = e->error;
		w->extack[0] = 0;
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
			off = sizeof(*e);
			if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
				off += e->msg.nlmsg_len - NLMSG_HDRLEN;
			if (NLMSG_HDRLEN + off < nlh->nlmsg_len) {
				parse_attrs((const char *)e + off, nlh->nlmsg_len - NLMSG_HDRLEN - off,
					    tb, NLMSGERR_ATTR_MAX);
				if (tb[NLMSGERR_ATTR_MSG])
					snprintf(w->extack, sizeof(w->extack), "%s",
						 (const char *)NLA_DATA(tb[NLMSGERR_ATTR_MSG]));
				else if (tb[NLMSGERR_ATTR_MISS_TYPE])
					snprintf(w->extack, sizeof(w->extack),
						 "missing attribute %u",
						 get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]));
			}
		}
		w->done = 1;
		pthread_cond_broadcast(&tn->cv);
		return;
	}
	if (tn_deliver_ack(tn, nlh->nlmsg_seq, e->error))
		return;
	if (e->error) {
		tn->ctl.n_reply_err++;
		tn->ctl.last_reply_err = e->error;
	}
}

/*
 * After an overflow the acks of DELIVERs may be lost too: every listed socket counts as drained
 * and an unacknowledged DELIVER is sent again (delivery is at least once).
 */
static void tn_redeliver(struct tn *tn)
{
	int i;

	for (i = 0; i < tn->nsocks; i++) {
		tn->socks[i].inflight_seq = 0;
		tn->socks[i].blocked = 0;
		tn->socks[i].drained_seen = 0;
		tn_deliver_pump(tn, &tn->socks[i]);
	}
}

static void tn_resync(struct tn *tn)
{
	/* The socket overflowed: dump again, then READY = 1 retransmits what we lost. */
	tn->ctl.n_resync++;
	tn_sendmsg(tn, BP_CMD_SOCKET_GET, NLM_F_DUMP, NULL, 0, &tn->resync_seq);
}

static void tn_handle(struct tn *tn, const uint8_t *buf, size_t len)
{
	const struct nlmsghdr *nlh;
	struct tn_wait *w;
	struct tn_buf b;

	for (nlh = (const void *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			tn_handle_ack(tn, nlh);
		} else if (nlh->nlmsg_type == NLMSG_DONE) {
			w = tn_wait_find(tn, nlh->nlmsg_seq);
			if (w) {
				w->done = 1;
				pthread_cond_broadcast(&tn->cv);
			}
			if (tn->resync_seq && nlh->nlmsg_seq == tn->resync_seq) {
				tn->resync_seq = 0;
				tb_init(&b);
				tb_u8(&b, BP_A_READY, 1);
				tn_sendmsg(tn, BP_CMD_NODE_STATE, 0, b.p, b.len, NULL);
				tb_free(&b);
				tn_redeliver(tn);
			}
		} else if (nlh->nlmsg_type == tn->family) {
			tn_handle_genl(tn, nlh);
		}
	}
}

static void *tn_thread(void *arg)
{
	struct tn *tn = arg;
	struct pollfd pfd[2] = { { tn->fd, POLLIN, 0 }, { tn->pipe[0], POLLIN, 0 } };
	ssize_t n;

	for (;;) {
		pthread_mutex_lock(&tn->mu);
		while (tn->paused && !tn->stop)
			pthread_cond_wait(&tn->cv, &tn->mu);
		if (tn->stop) {
			pthread_mutex_unlock(&tn->mu);
			break;
		}
		pthread_mutex_unlock(&tn->mu);
		if (poll(pfd, 2, 1000) <= 0 || !(pfd[0].revents & POLLIN))
			continue;
		n = recv(tn->fd, tn->rbuf, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			pthread_mutex_lock(&tn->mu);
			tn_resync(tn);
			pthread_mutex_unlock(&tn->mu);
			continue;
		}
		if (n < 0)
			continue;
		if ((size_t)n > tn->rcap) {
			tn->rcap = n;
			tn->rbuf = realloc(tn->rbuf, n);
		}
		n = recv(tn->fd, tn->rbuf, tn->rcap, MSG_DONTWAIT);
		if (n <= 0)
			continue;
		pthread_mutex_lock(&tn->mu);
		/* Paused while this was being read: it waits too, so a paused node answers nothing. */
		while (tn->paused && !tn->stop)
			pthread_cond_wait(&tn->cv, &tn->mu);
		if (!tn->stop)
			tn_handle(tn, tn->rbuf, n);
		pthread_mutex_unlock(&tn->mu);
	}
	return NULL;
}

static int tn_resolve_family(int fd)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
		char attrs[64];
	} req = {};
	struct tn_buf b;
	char buf[8192];
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct nlmsghdr *nlh;
	ssize_t n;

	tb_init(&b);
	tb_put(&b, CTRL_ATTR_FAMILY_NAME, BP_GENL_NAME, sizeof(BP_GENL_NAME));
	req.nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN + b.len;
	req.nlh.nlmsg_type = GENL_ID_CTRL;
	req.nlh.nlmsg_flags = NLM_F_REQUEST;
	req.nlh.nlmsg_seq = 1;
	req.g.cmd = CTRL_CMD_GETFAMILY;
	req.g.version = 1;
	memcpy(req.attrs, b.p, b.len);
	tb_free(&b);
	if (send(fd, &req, req.nlh.nlmsg_len, 0) < 0)
		return -errno;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	nlh = (void *)buf;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error ?: -EIO;
	parse_attrs((char *)NLMSG_DATA(nlh) + GENL_HDRLEN, nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN,
		    tb, CTRL_ATTR_MAX);
	if (!tb[CTRL_ATTR_FAMILY_ID])
		return -ENOENT;
	return *(const uint16_t *)NLA_DATA(tb[CTRL_ATTR_FAMILY_ID]);
}

struct tn *tn_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t sl = sizeof(sa);
	struct tn *tn = calloc(1, sizeof(*tn));
	int one = 1, big = 64 << 20, sbig = 16 << 20;

	tn->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (tn->fd < 0)
		goto fail;
	if (bind(tn->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(tn->fd, (struct sockaddr *)&sa, &sl))
		goto fail;
	tn->portid = sa.nl_pid;
	setsockopt(tn->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(tn->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Above the window and above MAX_PAYLOAD, as the protocol asks (needs CAP_NET_ADMIN). */
	if (setsockopt(tn->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(tn->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	if (setsockopt(tn->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sbig, sizeof(sbig)))
		setsockopt(tn->fd, SOL_SOCKET, SO_SNDBUF, &sbig, sizeof(sbig));
	tn->family = tn_resolve_family(tn->fd);
	if (tn->family < 0) {
		errno = -tn->family;
		goto fail;
	}
	if (pipe(tn->pipe))
		goto fail;
	pthread_mutex_init(&tn->mu, NULL);
	pthread_cond_init(&tn->cv, NULL);
	tn->rcap = 1 << 16;
	tn->rbuf = malloc(tn->rcap);
	if (pthread_create(&tn->thr, NULL, tn_thread, tn))
		goto fail;
	tn->thr_started = 1;
	return tn;
fail:
	if (tn->fd >= 0)
		close(tn->fd);
	free(tn);
	return NULL;
}

struct tn *tn_start(uint32_t window)
{
	struct tn *tn = tn_open();
	int err;

	if (!tn)
		return NULL;
	tn->ctl.window = window;
	err = tn_register(tn, BP_PROTOCOL_VERSION, window, NULL, NULL);
	if (!err)
		err = tn_dump(tn, NULL, 0) < 0 ? -EIO : 0;
	if (!err)
		err = tn_node_state(tn, 1, 1);
	if (err) {
		tn_kill(tn);
		errno = -err;
		return NULL;
	}
	return tn;
}

void tn_kill(struct tn *tn)
{
	int i;

	if (!tn)
		return;
	pthread_mutex_lock(&tn->mu);
	tn->stop = 1;
	pthread_cond_broadcast(&tn->cv);
	pthread_mutex_unlock(&tn->mu);
	if (write(tn->pipe[1], "x", 1) < 0)
		perror("tn_kill");
	if (tn->thr_started)
		pthread_join(tn->thr, NULL);
	close(tn->fd);
	close(tn->pipe[0]);
	close(tn->pipe[1]);
	for (i = 0; i < tn->nsocks; i++)
		tn_adu_free_all(&tn->socks[i]);
	free(tn->socks);
	free(tn->held);
	free(tn->rbuf);
	free(tn);
}

struct tn_ctl *tn_ctl(struct tn *tn)
{
	return &tn->ctl;
}

void tn_lock(struct tn *tn)
{
	pthread_mutex_lock(&tn->mu);
}

void tn_unlock(struct tn *tn)
{
	pthread_mutex_unlock(&tn->mu);
}

uint32_t tn_portid(struct tn *tn)
{
	return tn->portid;
}

int tn_family(struct tn *tn)
{
	return tn->family;
}

static void deadline_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int tn_wait(struct tn *tn, int (*cond)(struct tn_ctl *c, void *arg), void *arg, int ms)
{
	struct timespec ts;
	int ok, i;

	/* The reader thread signals the condition variable only for acks: poll every 5 ms. */
	for (i = 0; i <= ms / 5; i++) {
		pthread_mutex_lock(&tn->mu);
		ok = cond(&tn->ctl, arg);
		if (!ok) {
			deadline_in(&ts, 5);
			pthread_cond_timedwait(&tn->cv, &tn->mu, &ts);
			ok = cond(&tn->ctl, arg);
		}
		pthread_mutex_unlock(&tn->mu);
		if (ok)
			return 1;
	}
	return 0;
}

void tn_pause(struct tn *tn, int paused)
{
	pthread_mutex_lock(&tn->mu);
	tn->paused = paused;
	pthread_cond_broadcast(&tn->cv);
	pthread_mutex_unlock(&tn->mu);
}

void tn_set_rcvbuf(struct tn *tn, int bytes)
{
	setsockopt(tn->fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes));
}

void tn_release_held(struct tn *tn, int err)
{
	int i;

	pthread_mutex_lock(&tn->mu);
	for (i = 0; i < tn->nheld; i++)
		tn_reply(tn, tn->held[i], err, NULL);
	tn->nheld = 0;
	tn->ctl.n_held = 0;
	pthread_mutex_unlock(&tn->mu);
}

/* Sends a command and waits (10 s at most) for its ack, which the reader thread records. */
static int tn_call(struct tn *tn, uint8_t cmd, uint16_t flags, const void *attrs, size_t len,
		   struct tn_wait *w, char *extack, size_t extack_len)
{
	struct timespec ts;
	int slot, err;

	pthread_mutex_lock(&tn->mu);
	for (slot = 0; slot < 16 && tn->waits[slot]; slot++)
		;
	if (slot == 16) {
		pthread_mutex_unlock(&tn->mu);
		return -EBUSY;
	}
	tn->waits[slot] = w;
	err = tn_sendmsg(tn, cmd, flags | NLM_F_ACK, attrs, len, &w->seq);
	if (!err) {
		deadline_in(&ts, 10000);
		while (!w->done && !err)
			err = pthread_cond_timedwait(&tn->cv, &tn->mu, &ts) == ETIMEDOUT ? -ETIMEDOUT : 0;
		if (w->done)
			err = w->err;
	}
	tn->waits[slot] = NULL;
	pthread_mutex_unlock(&tn->mu);
	if (extack && extack_len)
		snprintf(extack, extack_len, "%s", w->extack);
	return err;
}

int tn_register(struct tn *tn, uint32_t version, uint32_t window, uint32_t *max_payload,
		uint32_t *family)
{
	struct tn_wait w = {};
	struct tn_buf b;
	int err;

	tb_init(&b);
	tb_u32(&b, BP_A_PROTOCOL_VERSION, version);
	if (window)
		tb_u32(&b, BP_A_WINDOW, window);
	err = tn_call(tn, BP_CMD_REGISTER, 0, b.p, b.len, &w, NULL, 0);
	tb_free(&b);
	if (max_payload)
		*max_payload = w.max_payload;
	if (family)
		*family = w.family;
	return err;
}

int tn_node_state(struct tn *tn, int ready, int backend_ready)
{
	struct tn_wait w = {};
	struct tn_buf b;
	int err;

	tb_init(&b);
	if (ready >= 0)
		tb_u8(&b, BP_A_READY, ready);
	if (backend_ready >= 0)
		tb_u8(&b, BP_A_BACKEND_READY, backend_ready);
	err = tn_call(tn, BP_CMD_NODE_STATE, 0, b.p, b.len, &w, NULL, 0);
	tb_free(&b);
	return err;
}

int tn_unregister(struct tn *tn)
{
	struct tn_wait w = {};

	return tn_call(tn, BP_CMD_UNREGISTER, 0, NULL, 0, &w, NULL, 0);
}

int tn_dump(struct tn *tn, struct tn_dump_entry *out, int max)
{
	struct tn_wait w = {};
	int err;

	w.dump = out;
	w.maxdump = out ? max : 0;
	/* A dump ends with NLMSG_DONE (no ack) unless it fails at the start. */
	err = tn_call(tn, BP_CMD_SOCKET_GET, NLM_F_DUMP, NULL, 0, &w, NULL, 0);
	return err ? err : w.ndump;
}

int tn_raw(struct tn *tn, uint8_t cmd, const void *attrs, size_t len, char *extack,
	   size_t extack_len)
{
	struct tn_wait w = {};

	return tn_call(tn, cmd, 0, attrs, len, &w, extack, extack_len);
}
