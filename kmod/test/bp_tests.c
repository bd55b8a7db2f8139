// SPDX-License-Identifier: GPL-2.0
/*
 * AF_BP functional tests, run as root in a guest with bp.ko loaded (node_timeout_ms=1000).
 * TAP output; exit status 1 if any check failed. No sleeps are used as synchronisation: waits are
 * poll() with timeouts, the test node's counters, or a blocked thread's state in /proc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sendfile.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/filter.h>
#include <linux/genetlink.h>
#include <linux/sock_diag.h>
#include <linux/netlink.h>

#include "testnode.h"

#define BP_AUTOBIND_N	65536	/* services 65536..131071 (bp(7)) */

static int af = AF_BP;
static uint32_t max_payload = 1048576;
static int n_pass, n_fail, n_skip;
static struct tn *node;		/* the namespace's node, when one runs */

static void check(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	printf("%s %d - ", ok ? "ok" : "not ok", n_pass + n_fail + n_skip + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok)
		printf(" # %s:%d (errno %d %s)", file, line, e, strerror(e));
	printf("\n");
	fflush(stdout);
	if (ok)
		n_pass++;
	else
		n_fail++;
	errno = e;
}

#define CHECK(cond, ...) check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
/* A call that must fail with errno E. */
#define CHECK_ERR(call, E, ...) do {					\
	errno = 0;							\
	long __r = (long)(call);					\
	check(__r == -1 && errno == (E), __FILE__, __LINE__, __VA_ARGS__); \
} while (0)

/* A check this kernel cannot make: a TAP skip, counted apart (kmod/test/guest.sh). */
static void skip(const char *what, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", n_pass + n_fail + n_skip + 1, what, why);
	fflush(stdout);
	n_skip++;
}

static void section(const char *name)
{
	printf("# %s\n", name);
}

/* ---- helpers ---- */

static int bps(void)
{
	int fd = socket(af, SOCK_DGRAM, 0);

	if (fd < 0) {
		perror("socket(AF_BP)");
		exit(2);
	}
	return fd;
}

static struct sockaddr_bp ipn(uint32_t node_id, uint32_t service)
{
	struct sockaddr_bp sa;

	memset(&sa, 0, sizeof(sa));
	sa.bp_family = af;
	sa.bp_scheme = BP_SCHEME_IPN;
	sa.bp_addr.ipn.node_id = node_id;
	sa.bp_addr.ipn.service_id = service;
	return sa;
}

static socklen_t dtn(struct sockaddr_bp *sa, const char *text)
{
	memset(sa, 0, sizeof(*sa));
	sa->bp_family = af;
	sa->bp_scheme = BP_SCHEME_DTN;
	strncpy(sa->bp_addr.dtn, text, sizeof(sa->bp_addr.dtn) - 1);
	return BP_SOCKADDR_DTN_OFFSET + strlen(text) + 1;
}

static int bind_ipn(int fd, uint32_t node_id, uint32_t service)
{
	struct sockaddr_bp sa = ipn(node_id, service);

	return bind(fd, (struct sockaddr *)&sa, BP_SOCKADDR_IPN_LEN);
}

static int bound(uint32_t service)
{
	int fd = bps();

	if (bind_ipn(fd, TN_RESOLVED_NODE, service))
		CHECK(0, "bind ipn:7.%u", service);
	return fd;
}

static ssize_t send_to(int fd, uint32_t service, const void *buf, size_t len, int flags)
{
	struct sockaddr_bp sa = ipn(TN_RESOLVED_NODE, service);

	return sendto(fd, buf, len, flags, (struct sockaddr *)&sa, BP_SOCKADDR_IPN_LEN);
}

static int readable(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* recv with a poll first, so a lost datagram fails the test instead of hanging it. */
static ssize_t recv_wait(int fd, void *buf, size_t len, int flags, struct sockaddr_bp *from,
			 socklen_t *fromlen, int ms)
{
	if (!readable(fd, ms)) {
		errno = ETIMEDOUT;
		return -1;
	}
	return recvfrom(fd, buf, len, flags | MSG_DONTWAIT, (struct sockaddr *)from, fromlen);
}

struct cnd {
	size_t off;
	unsigned int v;
};

static int cnd_ge(struct tn_ctl *c, void *arg)
{
	struct cnd *x = arg;

	return *(unsigned int *)((char *)c + x->off) >= x->v;
}

/* Waits until the node's counter FIELD reaches V (5 s at most). */
#define NODE_WAIT(tn, field, val) ({						\
	struct cnd __c = { offsetof(struct tn_ctl, field), (val) };		\
	tn_wait((tn), cnd_ge, &__c, 5000);					\
})

static unsigned int node_get(struct tn *tn, size_t off)
{
	unsigned int v;

	tn_lock(tn);
	v = *(unsigned int *)((char *)tn_ctl(tn) + off);
	tn_unlock(tn);
	return v;
}

#define NODE_GET(tn, field) node_get((tn), offsetof(struct tn_ctl, field))

static void node_set_mode(struct tn *tn, enum tn_send_mode m, int err)
{
	tn_lock(tn);
	tn_ctl(tn)->send_mode = m;
	tn_ctl(tn)->send_errno = err;
	tn_unlock(tn);
}

static struct tn *start_node(uint32_t window)
{
	struct tn *tn = tn_start(window);

	if (!tn) {
		printf("Bail out! cannot start the test node: %s\n", strerror(errno));
		exit(2);
	}
	return tn;
}

static int dump_has(struct tn *tn, const struct tn_eid *eid, int *count)
{
	static struct tn_dump_entry d[2048];
	int n = tn_dump(tn, d, 2048), i, found = 0;

	if (count)
		*count = n;
	for (i = 0; i < n; i++)
		if (tn_eid_equal(&d[i].eid, eid))
			found = 1;
	return found;
}

static struct tn_eid teid(uint32_t node_id, uint32_t service)
{
	struct tn_eid e = { .scheme = BP_SCHEME_IPN, .node = node_id, .service = service };

	return e;
}

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 131 + seed * 7 + (i >> 8));
}

/* Waits until thread @tid sleeps in the kernel (state S), i.e. it is blocked in a call. */
static int thread_blocked(pid_t tid)
{
	char path[64], buf[512], *p;
	int fd, i;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	for (i = 0; i < 5000; i++) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return 0;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			buf[n] = 0;
			p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'S')
				return 1;
		}
		usleep(1000);	/* polling the state, not synchronising on time */
	}
	return 0;
}

/* ---- tests ---- */

static void t_socket(void)
{
	int fd;

	section("socket creation");
	CHECK_ERR(socket(af, SOCK_STREAM, 0), ESOCKTNOSUPPORT, "SOCK_STREAM is refused");
	/* 1 and 2 are BP_PROTO_BPSOCKET and BP_PROTO_STANDARD (bp_compat tests them). */
	CHECK_ERR(socket(af, SOCK_DGRAM, 3), EPROTONOSUPPORT, "protocol 3 is refused");
	fd = socket(af, SOCK_DGRAM, 0);
	CHECK(fd >= 0, "socket(AF_BP, SOCK_DGRAM, 0)");
	close(fd);
}

/* Defect 5 of the prior art and the no-node rules; runs before any node registered. */
static void t_no_node(void)
{
	struct sockaddr_bp sa;
	struct tn_eid e = teid(5, 1);
	int a, b, v = 1, count;
	socklen_t len = sizeof(v);
	char c = 'x';

	section("no node registered");
	a = bps();
	CHECK(bind_ipn(a, 5, 1) == 0, "bind with no node succeeds (kernel-only)");
	sa = ipn(5, 2);
	CHECK_ERR(sendto(a, &c, 1, 0, (struct sockaddr *)&sa, 16), ENETDOWN,
		  "sendto with no node: ENETDOWN");
	CHECK_ERR(setsockopt(a, SOL_BP, BP_HOP_LIMIT, &v, sizeof(v)), ENETDOWN,
		  "setsockopt(SOL_BP) with no node: ENETDOWN");
	CHECK_ERR(getsockopt(a, SOL_BP, BP_HOP_LIMIT, &v, &len), ENETDOWN,
		  "getsockopt of an unset option with no node: ENETDOWN");
	CHECK_ERR(recv(a, &c, 1, MSG_DONTWAIT), EAGAIN, "recv with nothing queued: EAGAIN");

	node = start_node(0);
	CHECK(dump_has(node, &e, &count) && count == 1,
	      "the next node's dump lists the kernel-only binding");
	close(a);
	CHECK(NODE_WAIT(node, n_release, 1), "closing it sends RELEASE");
	b = bps();
	CHECK(bind_ipn(b, 5, 1) == 0, "the EID is free again after close");
	CHECK(NODE_GET(node, n_bind) == 1, "that bind went through the node");
	close(b);
}

static void t_addresses(void)
{
	struct sockaddr_bp sa, got;
	socklen_t len;
	int a = bps(), b = bps(), c = bps();
	char buf[160];

	section("addresses");
	sa = ipn(7, 30);
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, 15), EINVAL, "ipn address of 15 bytes: EINVAL");
	sa.bp_family = AF_INET;
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, 16), EAFNOSUPPORT, "wrong family: EAFNOSUPPORT");
	sa = ipn(7, 30);
	sa.bp_scheme = 3;
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, 16), EINVAL, "unknown scheme: EINVAL");
	sa = ipn(0, 0);
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, 16), EINVAL, "null EID ipn:0.0: EINVAL");
	sa = ipn(0, 5);
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, 16), EINVAL, "ipn:0.5 (RFC 9758): EINVAL");
	len = dtn(&sa, "dtn:none");
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, len), EINVAL, "dtn:none: EINVAL");
	len = dtn(&sa, "dtn:///x");
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, len), EINVAL, "dtn with empty node name: EINVAL");
	len = dtn(&sa, "dtn://a b/x");
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, len), EINVAL, "dtn node name with a space: EINVAL");
	len = dtn(&sa, "dtn://node");
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, len), EINVAL, "dtn without demux slash: EINVAL");
	len = dtn(&sa, "dtn://no%2g/x");
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, len), EINVAL, "dtn with a bad %%XX: EINVAL");
	len = dtn(&sa, "dtn://n/a\tb");
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, len), EINVAL, "dtn demux with a control char: EINVAL");
	len = dtn(&sa, "http://n/x");
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, len), EINVAL, "not a dtn URI: EINVAL");

	/* The prior art's 16-byte layout, padding bytes 2-3 left as garbage. */
	sa = ipn(7, 31);
	sa.bp_reserved = 0xa5a5;
	CHECK(bind(a, (struct sockaddr *)&sa, 16) == 0, "16-byte ipn with garbage in bytes 2-3 binds");
	memset(&got, 0xee, sizeof(got));
	len = sizeof(got);
	CHECK(getsockname(a, (struct sockaddr *)&got, &len) == 0 && len == 16 &&
	      got.bp_family == af && got.bp_scheme == BP_SCHEME_IPN &&
	      got.bp_addr.ipn.node_id == 7 && got.bp_addr.ipn.service_id == 31,
	      "getsockname: 16 bytes, ipn:7.31");
	CHECK_ERR(bind(a, (struct sockaddr *)&sa, 16), EINVAL, "binding twice: EINVAL");
	CHECK_ERR(bind(b, (struct sockaddr *)&sa, 16), EADDRINUSE, "same EID on another socket: EADDRINUSE");

	sa = ipn(7, 32);
	sa.bp_addr.ipn.allocator_id = 977;
	CHECK(bind(b, (struct sockaddr *)&sa, 20) == 0, "3-part ipn:977.7.32 binds");
	len = sizeof(got);
	CHECK(getsockname(b, (struct sockaddr *)&got, &len) == 0 && len == 20 &&
	      got.bp_addr.ipn.allocator_id == 977 && got.bp_addr.ipn.service_id == 32,
	      "getsockname: 20 bytes with the allocator");

	len = dtn(&sa, "dtn://node-1.example~x/app%20?q=1");
	CHECK(bind(c, (struct sockaddr *)&sa, len) == 0, "dtn://node-1.example~x/app%%20?q=1 binds");
	memset(buf, 0, sizeof(buf));
	len = sizeof(buf);
	CHECK(getsockname(c, (struct sockaddr *)buf, &len) == 0 &&
	      len == BP_SOCKADDR_DTN_OFFSET + strlen("dtn://node-1.example~x/app%20?q=1") + 1 &&
	      !strcmp(buf + 8, "dtn://node-1.example~x/app%20?q=1"),
	      "getsockname of a dtn EID: 8 + strlen + 1 bytes, same text");

	/* A dtn address that ends without a NUL at the end of the address is accepted. */
	memset(&sa, 0, sizeof(sa));
	sa.bp_family = af;
	sa.bp_scheme = BP_SCHEME_DTN;
	memcpy(sa.bp_addr.dtn, "dtn://n/zz", 10);
	close(c);
	c = bps();
	CHECK(bind(c, (struct sockaddr *)&sa, 8 + 10) == 0, "dtn text ended by the address length");

	len = sizeof(got);
	CHECK_ERR(getpeername(a, (struct sockaddr *)&got, &len), ENOTCONN, "getpeername unconnected: ENOTCONN");
	close(a);
	close(b);
	close(c);
}

static void t_send_recv(void)
{
	int a = bound(10), b = bound(11), d;
	struct sockaddr_bp from, peer;
	socklen_t fl;
	char buf[64];
	ssize_t n;
	unsigned int sends = NODE_GET(node, n_send);

	section("send and receive");
	CHECK(send_to(a, 11, "hello", 5, 0) == 5, "sendto ipn:7.11");
	fl = sizeof(from);
	memset(&from, 0, sizeof(from));
	n = recv_wait(b, buf, sizeof(buf), 0, &from, &fl, 5000);
	CHECK(n == 5 && !memcmp(buf, "hello", 5), "the datagram arrives intact");
	CHECK(fl == 16 && from.bp_family == af && from.bp_scheme == BP_SCHEME_IPN &&
	      from.bp_addr.ipn.node_id == 7 && from.bp_addr.ipn.service_id == 10,
	      "source address ipn:7.10, msg_namelen 16");
	tn_lock(node);
	CHECK(tn_ctl(node)->last_send.send_id == 0 && tn_ctl(node)->last_send.src.service == 10 &&
	      tn_ctl(node)->last_send.dst.service == 11, "SEND: SEND_ID 0, SRC_EID, DST_EID");
	tn_unlock(node);
	CHECK(send_to(a, 11, "x", 1, 0) == 1 && NODE_WAIT(node, n_send, sends + 2), "second send");
	tn_lock(node);
	CHECK(tn_ctl(node)->last_send.send_id == 1, "SEND_ID counts the socket's sends");
	tn_unlock(node);
	CHECK(recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) == 1, "recv without an address");

	/* ipn:!.S as a destination is the local node. */
	peer = ipn(BP_IPN_LOCAL_NODE, 11);
	CHECK(sendto(a, "loc", 3, 0, (struct sockaddr *)&peer, 16) == 3 &&
	      recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) == 3, "sendto ipn:!.11 arrives");

	/* connect, then send/write without an address. */
	peer = ipn(7, 11);
	CHECK(connect(a, (struct sockaddr *)&peer, 16) == 0, "connect");
	fl = sizeof(from);
	CHECK(getpeername(a, (struct sockaddr *)&from, &fl) == 0 && fl == 16 &&
	      from.bp_addr.ipn.service_id == 11, "getpeername after connect");
	CHECK(write(a, "w", 1) == 1 && send(a, "s", 1, 0) == 1, "write and send on a connected socket");
	CHECK(recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) == 1 && buf[0] == 'w' &&
	      recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) == 1 && buf[0] == 's',
	      "both arrive, in order");
	memset(&peer, 0, sizeof(peer));
	peer.bp_family = AF_UNSPEC;
	CHECK(connect(a, (struct sockaddr *)&peer, sizeof(peer)) == 0, "connect(AF_UNSPEC) disconnects");
	fl = sizeof(from);
	CHECK_ERR(getpeername(a, (struct sockaddr *)&from, &fl), ENOTCONN, "getpeername: ENOTCONN again");
	CHECK_ERR(send(a, "s", 1, 0), EDESTADDRREQ, "send without destination: EDESTADDRREQ");

	/* A 3-part ipn source comes back as a 20-byte address with its allocator. */
	d = bps();
	peer = ipn(7, 70);
	peer.bp_addr.ipn.allocator_id = 977;
	CHECK(bind(d, (struct sockaddr *)&peer, 20) == 0 && send_to(d, 11, "3p", 2, 0) == 2,
	      "send from ipn:977.7.70");
	fl = sizeof(from);
	memset(&from, 0, sizeof(from));
	CHECK(recv_wait(b, buf, sizeof(buf), 0, &from, &fl, 5000) == 2 && fl == 20 &&
	      from.bp_addr.ipn.allocator_id == 977 && from.bp_addr.ipn.service_id == 70,
	      "source ipn:977.7.70, msg_namelen 20");
	close(d);

	/* dtn source address into a small msg_name buffer: copied partly, full length reported. */
	d = bps();
	fl = dtn(&from, "dtn://src.example/sender");
	CHECK(bind(d, (struct sockaddr *)&from, fl) == 0, "bind a dtn EID");
	CHECK(send_to(d, 11, "dt", 2, 0) == 2, "send from the dtn socket to ipn:7.11");
	{
		char small[12];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_name = small, .msg_namelen = sizeof(small), .msg_iov = &iov,
				    .msg_iovlen = 1 };

		memset(small, 0, sizeof(small));
		CHECK(readable(b, 5000) && recvmsg(b, &m, 0) == 2 &&
		      m.msg_namelen == 8 + strlen("dtn://src.example/sender") + 1 &&
		      !memcmp(small + 8, "dtn:", 4), "dtn source: msg_namelen is the full length, the buffer holds what fits");
	}
	close(d);
	close(a);
	close(b);
}

static void t_autobind(void)
{
	int a = bps(), b = bound(12), c = bps();
	struct sockaddr_bp got, got2;
	socklen_t len = sizeof(got);
	char buf[8];
	unsigned int binds = NODE_GET(node, n_bind);

	section("automatic binding");
	CHECK(getsockname(a, (struct sockaddr *)&got, &len) == 0 && got.bp_scheme == 0,
	      "unbound getsockname: no scheme");
	CHECK(send_to(a, 12, "ab", 2, 0) == 2, "sendto from an unbound socket");
	CHECK(NODE_GET(node, n_bind) == binds + 1, "it sent a BIND first");
	tn_lock(node);
	CHECK(tn_ctl(node)->last_bind_eid.node == BP_IPN_LOCAL_NODE &&
	      tn_ctl(node)->last_bind_eid.service >= 65536 &&
	      tn_ctl(node)->last_bind_eid.service <= 131071, "BIND of ipn:!.S, S in 65536..131071");
	tn_unlock(node);
	len = sizeof(got);
	CHECK(getsockname(a, (struct sockaddr *)&got, &len) == 0 && got.bp_addr.ipn.node_id == 7 &&
	      got.bp_addr.ipn.service_id >= 65536, "bound to the node's resolution ipn:7.S");
	CHECK(send_to(c, 12, "cd", 2, 0) == 2, "a second unbound socket sends");
	len = sizeof(got2);
	CHECK(getsockname(c, (struct sockaddr *)&got2, &len) == 0 &&
	      got2.bp_addr.ipn.service_id != got.bp_addr.ipn.service_id, "it gets another service");
	CHECK(recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) == 2 &&
	      recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) == 2, "both datagrams arrive");
	close(a);
	close(b);
	close(c);
}

static void t_truncation(void)
{
	int a = bound(13), b = bound(14);
	char big[100], buf[100];
	struct iovec iov = { buf, 10 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct sockaddr_bp from;
	socklen_t fl = sizeof(from);

	section("truncation (prior-art defect 4)");
	fill((uint8_t *)big, sizeof(big), 1);
	CHECK(send_to(a, 14, big, 100, 0) == 100 && readable(b, 5000), "100-byte datagram queued");
	CHECK(recvmsg(b, &m, MSG_PEEK) == 10 && (m.msg_flags & MSG_TRUNC) && !memcmp(buf, big, 10),
	      "MSG_PEEK into 10 bytes: 10, MSG_TRUNC set");
	m.msg_flags = 0;
	CHECK(recvmsg(b, &m, MSG_PEEK | MSG_TRUNC) == 100 && (m.msg_flags & MSG_TRUNC),
	      "MSG_PEEK|MSG_TRUNC returns the full length 100");
	CHECK(recv(b, buf, sizeof(buf), MSG_DONTWAIT) == 100 && !memcmp(buf, big, 100),
	      "nothing lost by peeking: full datagram read");
	CHECK(send_to(a, 14, big, 100, 0) == 100 && readable(b, 5000), "another one");
	m.msg_flags = 0;
	CHECK(recvmsg(b, &m, 0) == 10 && (m.msg_flags & MSG_TRUNC), "read into 10 bytes: 10, MSG_TRUNC");
	CHECK_ERR(recv(b, buf, sizeof(buf), MSG_DONTWAIT), EAGAIN, "the truncated datagram was consumed");
	CHECK(send_to(a, 14, big, 0, 0) == 0, "sending a 0-byte datagram");
	CHECK(recv_wait(b, buf, sizeof(buf), 0, &from, &fl, 5000) == 0 && fl == 16 &&
	      from.bp_addr.ipn.service_id == 13, "a 0-byte datagram arrives with its source");
	close(a);
	close(b);
}

struct waiter {
	int fd;
	int kind;		/* 0 poll, 1 epoll, 2 select, 3 blocking recv */
	pid_t tid;
	volatile int started;
	int result;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct pollfd p = { w->fd, POLLIN, 0 };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct timeval tv = { 10, 0 };
	fd_set rs;
	char buf[16];
	int ep;

	w->tid = syscall(SYS_gettid);
	switch (w->kind) {
	case 0:
		w->started = 1;
		w->result = poll(&p, 1, 10000) == 1 && (p.revents & POLLIN);
		break;
	case 1:
		ep = epoll_create1(0);
		epoll_ctl(ep, EPOLL_CTL_ADD, w->fd, &ev);
		w->started = 1;
		w->result = epoll_wait(ep, &out, 1, 10000) == 1 && (out.events & EPOLLIN);
		close(ep);
		break;
	case 2:
		FD_ZERO(&rs);
		FD_SET(w->fd, &rs);
		w->started = 1;
		w->result = select(w->fd + 1, &rs, NULL, NULL, &tv) == 1 && FD_ISSET(w->fd, &rs);
		break;
	default:
		w->started = 1;
		w->result = recv(w->fd, buf, sizeof(buf), 0);
		break;
	}
	return NULL;
}

/* Starts a waiter thread and returns once it is asleep in the kernel. */
static int start_waiter(pthread_t *t, struct waiter *w)
{
	pthread_create(t, NULL, waiter_main, w);
	while (!w->started)
		sched_yield();
	return thread_blocked(w->tid);
}

static void t_wakeups(void)
{
	static const char *names[] = { "poll", "epoll", "select", "blocking recv" };
	int a = bound(15), b = bound(16), k;
	struct waiter w;
	pthread_t t;
	char buf[16];

	section("wakeups on arrival (prior-art defect 1)");
	for (k = 0; k < 4; k++) {
		memset(&w, 0, sizeof(w));
		w.fd = b;
		w.kind = k;
		CHECK(start_waiter(&t, &w), "%s: the waiter is blocked", names[k]);
		send_to(a, 16, "wake", 4, 0);
		pthread_join(t, NULL);
		CHECK(w.result == (k == 3 ? 4 : 1), "%s wakes on arrival", names[k]);
		if (k < 3)
			recv(b, buf, sizeof(buf), MSG_DONTWAIT);
	}
	/* shutdown(SHUT_RD) wakes a blocked reader, which then reads end of file. */
	memset(&w, 0, sizeof(w));
	w.fd = b;
	w.kind = 3;
	w.result = -2;
	CHECK(start_waiter(&t, &w), "a recv blocks on an empty socket");
	CHECK(shutdown(b, SHUT_RD) == 0, "shutdown(SHUT_RD)");
	pthread_join(t, NULL);
	CHECK(w.result == 0, "the blocked recv returns 0");
	{
		unsigned int errs = NODE_GET(node, n_deliver_err);

		send_to(a, 16, "late", 4, 0);
		CHECK(NODE_WAIT(node, n_deliver_err, errs + 1), "DELIVER to a read-shut socket is refused (ENOENT)");
	}
	CHECK(shutdown(a, SHUT_WR) == 0, "shutdown(SHUT_WR)");
	CHECK_ERR(send_to(a, 16, "x", 1, MSG_NOSIGNAL), EPIPE, "send after SHUT_WR: EPIPE");
	CHECK_ERR(shutdown(a, 7), EINVAL, "shutdown(7): EINVAL");
	close(a);
	close(b);
}

static void t_options(void)
{
	int a = bps(), b = bound(18), v;
	uint64_t life = 60000, got64 = 0;
	socklen_t len;
	char big[129];
	unsigned int i;

	section("socket options (prior-art defect 3)");
	CHECK(setsockopt(a, SOL_BP, BP_LIFETIME_MS, &life, sizeof(life)) == 0, "set BP_LIFETIME_MS");
	len = sizeof(got64);
	CHECK(getsockopt(a, SOL_BP, BP_LIFETIME_MS, &got64, &len) == 0 && got64 == 60000 && len == 8,
	      "get it back: 60000, 8 bytes");
	v = 5;
	CHECK_ERR(setsockopt(a, SOL_BP, BP_CLASS_OF_SERVICE, &v, sizeof(v)), EINVAL,
		  "class of service 5: EINVAL from the node");
	v = 1;
	CHECK_ERR(setsockopt(a, SOL_BP, 50, &v, sizeof(v)), ENOPROTOOPT, "option 50: ENOPROTOOPT from the node");
	CHECK_ERR(setsockopt(a, SOL_BP, 0, &v, sizeof(v)), ENOPROTOOPT, "option 0: ENOPROTOOPT");
	CHECK_ERR(setsockopt(a, SOL_BP, 200, &v, sizeof(v)), ENOPROTOOPT, "option 200: ENOPROTOOPT");
	CHECK_ERR(setsockopt(a, SOL_BP, BP_HOP_LIMIT, &v, 0), EINVAL, "optlen 0: EINVAL");
	memset(big, 0, sizeof(big));
	CHECK_ERR(setsockopt(a, SOL_BP, BP_HOP_LIMIT, big, 129), EINVAL, "optlen 129: EINVAL");
	CHECK_ERR(setsockopt(a, 123, 1, &v, sizeof(v)), ENOPROTOOPT, "setsockopt at level 123: ENOPROTOOPT");
	len = sizeof(v);
	CHECK_ERR(getsockopt(a, 123, 1, &v, &len), ENOPROTOOPT, "getsockopt at level 123: ENOPROTOOPT");
	len = sizeof(v);
	v = -1;
	CHECK(getsockopt(a, SOL_BP, BP_CLASS_OF_SERVICE, &v, &len) == 0 && v == BP_COS_NORMAL &&
	      len == 4, "unset option: the node's default (normal)");
	len = sizeof(v);
	CHECK_ERR(getsockopt(a, SOL_BP, 60, &v, &len), ENOPROTOOPT, "get of an option no one handles: ENOPROTOOPT");
	len = 4;
	CHECK_ERR(getsockopt(a, SOL_BP, BP_LIFETIME_MS, &got64, &len), EINVAL,
		  "buffer smaller than the value: EINVAL");
	v = 1 << 20;
	CHECK(setsockopt(a, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0, "SOL_SOCKET options still work");

	/* BIND and SEND carry the socket's options; control messages follow them. */
	CHECK(bind_ipn(a, 7, 17) == 0, "bind after setting an option");
	CHECK(NODE_GET(node, n_bind) > 0 && ({ tn_lock(node); i = tn_ctl(node)->last_bind_nopts;
	      tn_unlock(node); i; }) == 1, "BIND carries OPTIONS (1 option)");
	{
		char cbuf[CMSG_SPACE(4) * 2];
		struct iovec iov = { "cm", 2 };
		struct sockaddr_bp to = ipn(7, 18);
		struct msghdr m = { .msg_name = &to, .msg_namelen = 16, .msg_iov = &iov,
				    .msg_iovlen = 1, .msg_control = cbuf,
				    .msg_controllen = CMSG_SPACE(4) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
		int cos = BP_COS_EXPEDITED;
		struct tn_send_info *si;

		memset(cbuf, 0, sizeof(cbuf));
		cm->cmsg_level = SOL_BP;
		cm->cmsg_type = BP_CLASS_OF_SERVICE;
		cm->cmsg_len = CMSG_LEN(4);
		memcpy(CMSG_DATA(cm), &cos, 4);
		CHECK(sendmsg(a, &m, 0) == 2, "sendmsg with a SOL_BP cmsg (expedited)");
		tn_lock(node);
		si = &tn_ctl(node)->last_send;
		CHECK(si->nopts == 2 && si->opts[0].name == BP_LIFETIME_MS &&
		      si->opts[1].name == BP_CLASS_OF_SERVICE && si->opts[1].len == 4 &&
		      *(int *)si->opts[1].val == BP_COS_EXPEDITED,
		      "SEND OPTIONS: socket option, then the message's");
		tn_unlock(node);
		CHECK(recv_wait(b, big, sizeof(big), 0, NULL, NULL, 5000) == 2, "it arrives");
		cos = 9;
		memcpy(CMSG_DATA(cm), &cos, 4);
		CHECK_ERR(sendmsg(a, &m, 0), EINVAL, "a bad per-message option fails the call: EINVAL");
		cos = 1;
		memcpy(CMSG_DATA(cm), &cos, 4);
		cm->cmsg_type = 70;
		CHECK_ERR(sendmsg(a, &m, 0), ENOPROTOOPT, "an unknown per-message option: ENOPROTOOPT");
		cm->cmsg_type = 0;
		CHECK_ERR(sendmsg(a, &m, 0), EINVAL, "cmsg type 0: EINVAL");
		CHECK_ERR(recv(b, big, sizeof(big), MSG_DONTWAIT), EAGAIN, "refused messages were not delivered");
	}
	{
		struct tn_eid e = teid(7, 17);
		static struct tn_dump_entry d[256];
		int n = tn_dump(node, d, 256), k, found = 0;

		for (k = 0; k < n; k++)
			if (tn_eid_equal(&d[k].eid, &e) && d[k].nopts == 1)
				found = 1;
		CHECK(found, "SOCKET_GET lists the socket with its option");
	}
	close(a);
	close(b);
}

static void t_errors(void)
{
	int a = bound(20), b = bound(21);
	char *big = calloc(1, max_payload + 1), c;

	section("errors");
	CHECK_ERR(send_to(a, 21, big, max_payload + 1, 0), EMSGSIZE, "max_payload + 1: EMSGSIZE");
	CHECK_ERR(send_to(a, 21, "x", 1, MSG_OOB), EOPNOTSUPP, "MSG_OOB send: EOPNOTSUPP");
	CHECK_ERR(recv(b, &c, 1, MSG_OOB), EOPNOTSUPP, "MSG_OOB recv: EOPNOTSUPP");
	CHECK_ERR(recv(b, &c, 1, MSG_ERRQUEUE), EAGAIN, "MSG_ERRQUEUE with no report: EAGAIN");
	CHECK(tn_node_state(node, -1, 0) == 0, "node: BACKEND_READY = 0");
	CHECK_ERR(send_to(a, 21, "x", 1, 0), ENETUNREACH, "send without backend: ENETUNREACH");
	CHECK(tn_node_state(node, -1, 1) == 0, "node: BACKEND_READY = 1");
	CHECK(send_to(a, 21, "x", 1, 0) == 1 && recv_wait(b, &c, 1, 0, NULL, NULL, 5000) == 1,
	      "sends work again");
	free(big);
	close(a);
	close(b);
}

static void t_sizes(void)
{
	static const size_t sizes[] = { 0, 1, 3, 4, 5, 100, 4095, 4096, 4097, 65527, 65528, 65529,
					65536, 70000, 100000, 300000, 1048575, 1048576 };
	int a = bound(22), b = bound(23), v = 4 << 20;
	uint8_t *out = malloc(max_payload + 16), *in = malloc(max_payload + 16);
	unsigned int k, ok = 0, total = 0;
	ssize_t n;

	section("payload sizes and integrity");
	setsockopt(b, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t len = sizes[k];

		if (len > max_payload)
			continue;
		total++;
		fill(out, len, k);
		memset(in, 0, len + 16);
		n = send_to(a, 23, out, len, 0);
		if (n != (ssize_t)len) {
			CHECK(0, "send of %zu bytes", len);
			continue;
		}
		n = recv_wait(b, in, max_payload + 16, 0, NULL, NULL, 10000);
		if (n == (ssize_t)len && !memcmp(in, out, len))
			ok++;
		else
			CHECK(0, "%zu bytes arrive intact (got %zd)", len, n);
	}
	CHECK(ok == total, "%u payload sizes from 0 to max_payload arrive intact", total);
	tn_lock(node);
	CHECK(tn_ctl(node)->last_send.len == max_payload &&
	      tn_ctl(node)->last_send.crc == tn_crc32(out, max_payload), "the node saw the same bytes");
	tn_unlock(node);
	free(out);
	free(in);
	close(a);
	close(b);
}

static void t_async_error(void)
{
	int a = bound(24), err = 0;
	socklen_t len = sizeof(err);
	struct pollfd p;
	char c;

	section("asynchronous send errors");
	node_set_mode(node, TN_SEND_ERRNO, EHOSTUNREACH);
	CHECK(send_to(a, 99, "x", 1, 0) == 1, "the send itself succeeds");
	p.fd = a;
	p.events = POLLIN;
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLERR), "poll reports POLLERR");
	CHECK(getsockopt(a, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == EHOSTUNREACH,
	      "SO_ERROR is the node's errno (EHOSTUNREACH)");
	node_set_mode(node, TN_SEND_ERRNO, ENOSPC);
	CHECK(send_to(a, 99, "x", 1, 0) == 1, "another send");
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLERR), "POLLERR again");
	CHECK_ERR(recv(a, &c, 1, MSG_DONTWAIT), ENOSPC, "the next call returns the error once");
	CHECK_ERR(recv(a, &c, 1, MSG_DONTWAIT), EAGAIN, "then it is cleared");
	node_set_mode(node, TN_SEND_LOOPBACK, 0);
	close(a);
}

/* Reads one status record from the error queue, waiting up to 5 s for POLLERR. */
static int read_status(int fd, struct bp_status *st, struct sockaddr_bp *from, socklen_t *fromlen,
		       int *msg_flags)
{
	char cbuf[CMSG_SPACE(sizeof(*st))];
	struct sockaddr_bp name;
	struct msghdr m = { .msg_name = &name, .msg_namelen = sizeof(name),
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct pollfd p = { fd, 0, 0 };
	struct cmsghdr *c;

	if (poll(&p, 1, 5000) != 1 || !(p.revents & POLLERR)) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (recvmsg(fd, &m, MSG_ERRQUEUE) != 0)
		return -1;
	c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_level != SOL_BP || c->cmsg_type != BP_RECVSTATUS ||
	    c->cmsg_len != CMSG_LEN(sizeof(*st))) {
		errno = EBADMSG;
		return -1;
	}
	memcpy(st, CMSG_DATA(c), sizeof(*st));
	if (from)
		*from = name;
	if (fromlen)
		*fromlen = m.msg_namelen;
	if (msg_flags)
		*msg_flags = m.msg_flags;
	return 0;
}

/* A STATUS command as the node sends it: a delivery report from ipn:2.0 about ipn:7.SERVICE. */
static int node_status(struct tn *tn, uint64_t sock_id, uint32_t service, uint32_t status,
		       uint64_t ctime, uint64_t seq, char *ext, size_t extlen)
{
	struct tn_eid reporter = { .scheme = BP_SCHEME_IPN, .node = 2 };
	struct tn_eid source = { .scheme = BP_SCHEME_IPN, .node = TN_RESOLVED_NODE,
				 .service = service };
	struct tn_buf tb;
	int r;

	tb_init(&tb);
	tb_u64(&tb, BP_A_SOCKET_ID, sock_id);
	tb_u32(&tb, BP_A_STATUS, status);
	tb_eid(&tb, BP_A_SRC_EID, &reporter);
	tb_eid(&tb, BP_A_EID, &source);
	tb_u64(&tb, BP_A_CREATION_TIME, ctime);
	tb_u64(&tb, BP_A_SEQUENCE, seq);
	tb_u64(&tb, BP_A_STATUS_TIME, ctime + 1500);
	tb_u32(&tb, BP_A_REASON, 0);
	r = tn_raw(tn, BP_CMD_STATUS, tb.p, tb.len, ext, extlen);
	tb_free(&tb);
	return r;
}

/* The node has an answer (queued or refused) for at least *arg DELIVERs. */
static int cnd_deliver_answered(struct tn_ctl *c, void *arg)
{
	return c->n_deliver + c->n_deliver_enobufs >= *(unsigned int *)arg;
}

/* The socket's drop count (SO_MEMINFO): status records that did not fit. */
static unsigned int status_drops(int fd)
{
	__u32 mem[SK_MEMINFO_VARS] = {0};
	socklen_t len = sizeof(mem);

	return getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) ? ~0U : mem[SK_MEMINFO_DROPS];
}

static void t_status(void)
{
	int a = bound(60), plain = bound(61), on = 1, v = -1, r, flags = 0, n;
	uint64_t a_id, plain_id;
	socklen_t len = sizeof(v), fromlen = 0;
	struct sockaddr_bp from;
	struct bp_status st;
	unsigned int sends, enobufs, del0, answered;
	char ext[256], c;

	section("status records on the error queue (BP_RECVSTATUS)");
	plain_id = tn_ctl(node)->last_bind_id;
	CHECK(getsockopt(a, SOL_BP, BP_RECVSTATUS, &v, &len) == 0 && v == 0 && len == sizeof(int),
	      "BP_RECVSTATUS is off by default");
	CHECK_ERR(setsockopt(a, SOL_BP, BP_RECVSTATUS, &on, 1), EINVAL, "a 1-byte value: EINVAL");
	CHECK(setsockopt(a, SOL_BP, BP_RECVSTATUS, &on, sizeof(on)) == 0, "setsockopt BP_RECVSTATUS 1");
	len = sizeof(v);
	CHECK(getsockopt(a, SOL_BP, BP_RECVSTATUS, &v, &len) == 0 && v == 1, "getsockopt reads it back");

	sends = tn_ctl(node)->n_send;
	CHECK(send_to(a, 62, "x", 1, 0) == 1 && send_to(a, 62, "yz", 2, 0) == 2, "two sends");
	r = read_status(a, &st, &from, &fromlen, &flags);
	CHECK(r == 0 && st.bs_status == BP_STATUS_ACCEPTED && st.bs_send_id == 0,
	      "the first record: ACCEPTED, send id 0");
	CHECK(r == 0 && st.bs_creation_time == TN_CREATION_TIME_BASE + sends + 1 &&
	      st.bs_sequence == sends + 1, "with the bundle's creation timestamp from the node's reply");
	CHECK(r == 0 && st.bs_source.bp_scheme == BP_SCHEME_IPN &&
	      st.bs_source.bp_addr.ipn.node_id == TN_RESOLVED_NODE &&
	      st.bs_source.bp_addr.ipn.service_id == 60, "and the source endpoint ipn:7.60");
	CHECK(r == 0 && fromlen == 0 && (flags & MSG_ERRQUEUE),
	      "no reporter address for the node's own record; MSG_ERRQUEUE set");
	r = read_status(a, &st, NULL, NULL, NULL);
	CHECK(r == 0 && st.bs_status == BP_STATUS_ACCEPTED && st.bs_send_id == 1 &&
	      st.bs_sequence == sends + 2, "the second send: send id 1, its own timestamp");
	CHECK_ERR(recv(a, &c, 1, MSG_ERRQUEUE), EAGAIN, "then the error queue is empty: EAGAIN");
	CHECK(readable(a, 0) == 0, "and no data was queued by the records");

	node_set_mode(node, TN_SEND_ERRNO, EHOSTUNREACH);
	CHECK(send_to(a, 62, "x", 1, 0) == 1, "a send the node refuses later");
	r = read_status(a, &st, NULL, NULL, NULL);
	CHECK(r == 0 && st.bs_status == BP_STATUS_FAILED && st.bs_send_id == 2 &&
	      st.bs_errno == EHOSTUNREACH, "FAILED, send id 2, errno EHOSTUNREACH");
	v = -1;
	len = sizeof(v);
	CHECK(getsockopt(a, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == 0,
	      "reading the FAILED record consumed the pending error it also set");
	CHECK(poll(&(struct pollfd){ .fd = a }, 1, 0) == 0, "so poll no longer says POLLERR");
	CHECK(send_to(a, 62, "x", 1, 0) == 1, "another refused send");
	v = 0;
	len = sizeof(v);
	CHECK(poll(&(struct pollfd){ .fd = a }, 1, 5000) == 1 &&
	      getsockopt(a, SOL_SOCKET, SO_ERROR, &v, &len) == 0 && v == EHOSTUNREACH,
	      "without reading the record, SO_ERROR says it, as without BP_RECVSTATUS");
	r = read_status(a, &st, NULL, NULL, NULL);
	CHECK(r == 0 && st.bs_status == BP_STATUS_FAILED && st.bs_send_id == 3,
	      "and the record is still there (send id 3)");
	node_set_mode(node, TN_SEND_LOOPBACK, 0);
	{
		int hop = 300;
		char cb[CMSG_SPACE(sizeof(int))] = {0};
		struct sockaddr_bp to = ipn(TN_RESOLVED_NODE, 62);
		struct iovec iov = { .iov_base = "y", .iov_len = 1 };
		struct msghdr m = { .msg_name = &to, .msg_namelen = BP_SOCKADDR_IPN_LEN,
				    .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = cb, .msg_controllen = sizeof(cb) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

		cm->cmsg_level = SOL_BP;
		cm->cmsg_type = BP_HOP_LIMIT;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &hop, sizeof(hop));
		CHECK_ERR(sendmsg(a, &m, 0), EINVAL, "a synchronous send the node refuses: EINVAL");
		r = read_status(a, &st, NULL, NULL, NULL);
		CHECK(r == 0 && st.bs_status == BP_STATUS_FAILED && st.bs_send_id == 4 &&
		      st.bs_errno == EINVAL, "it has its record too (FAILED, send id 4): ids stay unambiguous");
	}

	a_id = 0;
	{
		/* The socket id of a: the test node learnt it from the BIND. */
		int b2 = bps();
		struct sockaddr_bp sa = ipn(BP_IPN_LOCAL_NODE, 63);

		CHECK(setsockopt(b2, SOL_BP, BP_RECVSTATUS, &on, sizeof(on)) == 0 &&
		      bind(b2, (struct sockaddr *)&sa, BP_SOCKADDR_IPN_LEN) == 0,
		      "a socket with BP_RECVSTATUS set before bind");
		a_id = tn_ctl(node)->last_bind_id;
		r = node_status(node, a_id, 63, BP_REPORT_DELIVERY, 5000, 3, ext, sizeof(ext));
		CHECK(r == 0, "the node's STATUS for it is acked 0");
		fromlen = 0;
		r = read_status(b2, &st, &from, &fromlen, NULL);
		CHECK(r == 0 && st.bs_status == BP_REPORT_DELIVERY && st.bs_creation_time == 5000 &&
		      st.bs_sequence == 3 && st.bs_time == 6500 && st.bs_reason == 0 &&
		      st.bs_send_id == BP_SEND_ID_NONE, "the record: DELIVERY, subject 5000.3, time");
		CHECK(r == 0 && fromlen == BP_SOCKADDR_IPN_LEN && from.bp_scheme == BP_SCHEME_IPN &&
		      from.bp_addr.ipn.node_id == 2 && from.bp_addr.ipn.service_id == 0,
		      "msg_name is the reporting node ipn:2.0");
		CHECK(r == 0 && st.bs_source.bp_addr.ipn.service_id == 63 &&
		      st.bs_frag_length == 0, "bs_source is the subject's source; not a fragment");

		r = node_status(node, a_id, 63, BP_REPORT_RECEPTION | BP_REPORT_FORWARDING, 5000, 3,
				NULL, 0);
		CHECK(r == 0 && read_status(b2, &st, NULL, NULL, NULL) == 0 &&
		      st.bs_status == (BP_REPORT_RECEPTION | BP_REPORT_FORWARDING),
		      "a report asserting two events keeps both bits");

		{
			char small[CMSG_SPACE(0)];
			struct msghdr m = { .msg_control = small, .msg_controllen = sizeof(small) };

			CHECK(node_status(node, a_id, 63, BP_REPORT_DELETION, 1, 1, NULL, 0) == 0 &&
			      recvmsg(b2, &m, MSG_ERRQUEUE) == 0 && (m.msg_flags & MSG_CTRUNC),
			      "too small a control buffer: MSG_CTRUNC");
		}

		/*
		 * A reader that never reads: the queue is bounded by SO_RCVBUF, nothing blocks. Room
		 * for a few dozen records, so that once they are read the little data left is below
		 * half of it (the DRAINED threshold).
		 */
		v = 16384;
		setsockopt(b2, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
		for (n = 0; n < 1000; n++) {
			r = node_status(node, a_id, 63, BP_REPORT_DELIVERY, n, 0, ext, sizeof(ext));
			if (r)
				break;
		}
		CHECK(r == -ENOBUFS && n > 0 && strstr(ext, "error queue is full"),
		      "a full error queue refuses STATUS with ENOBUFS after %d records (\"%s\")", n, ext);
		/* Datagrams until one does not fit beside the records (data and records share it). */
		enobufs = NODE_GET(node, n_deliver_enobufs);
		del0 = NODE_GET(node, n_deliver);
		for (n = 0; n < 20 && NODE_GET(node, n_deliver_enobufs) == enobufs; n++) {
			if (send_to(b2, 63, "d", 1, 0) != 1)
				break;
			answered = del0 + enobufs + n + 1;
			tn_wait(node, cnd_deliver_answered, &answered, 5000);
		}
		CHECK(NODE_GET(node, n_deliver_enobufs) > enobufs,
		      "with the error queue full, datagram %d is refused for want of room", n);
		for (r = 0; r < 500 && status_drops(b2) == 0; r++)
			usleep(10000);	/* polling the socket's counter: the reply may still be on its way */
		CHECK(status_drops(b2) >= 1,
		      "an ACCEPTED record that did not fit is counted in SO_MEMINFO's drops");
		CHECK(read_status(b2, &st, NULL, NULL, NULL) == 0 && st.bs_creation_time == 0,
		      "the records already queued are read in order");
		while (read_status(b2, &st, NULL, NULL, NULL) == 0)
			;
		CHECK(NODE_WAIT(node, n_deliver, del0 + n),
		      "reading the records alone made room: the node was told, the refused datagram came");
		for (r = 0; r < n && readable(b2, 5000) && recv(b2, &c, 1, 0) == 1 && c == 'd'; r++)
			;
		CHECK(r == n, "all %d datagrams are read", n);
		close(b2);
	}

	r = node_status(node, plain_id, 61, BP_REPORT_DELIVERY, 1, 1, ext, sizeof(ext));
	CHECK(r == -ENOPROTOOPT && strstr(ext, "BP_RECVSTATUS"),
	      "STATUS for a socket without BP_RECVSTATUS: ENOPROTOOPT (\"%s\")", ext);
	r = node_status(node, 999999, 61, BP_REPORT_DELIVERY, 1, 1, ext, sizeof(ext));
	CHECK(r == -ENOENT, "STATUS for no such socket: ENOENT (\"%s\")", ext);
	r = node_status(node, plain_id, 61, 0, 1, 1, ext, sizeof(ext));
	CHECK(r == -EINVAL && ext[0], "STATUS asserting nothing: EINVAL (\"%s\")", ext);
	r = node_status(node, plain_id, 61, 0x10, 1, 1, ext, sizeof(ext));
	CHECK(r == -EINVAL, "STATUS with an unknown bit: EINVAL (\"%s\")", ext);
	CHECK(readable(plain, 0) == 0, "no report became data on the socket without BP_RECVSTATUS");
	close(a);
	close(plain);
}

struct sender {
	int fd;
	uint32_t service;
	size_t len;
	int count;
	pid_t tid;
	volatile int started;
	volatile int sent;
	int err;
};

/*
 * The node stopped reading: the sender makes no more progress and sleeps in sendto. One look at
 * the thread's state is not enough: it also sleeps while the node answers what it had already read.
 */
static int sender_stalled(struct sender *s)
{
	int i, last = -1, stable = 0;

	for (i = 0; i < 10000 && stable < 200; i++) {
		int now = s->sent;

		stable = now == last && thread_blocked(s->tid) ? stable + 1 : 0;
		last = now;
		usleep(1000);	/* polling progress, not synchronising on time */
	}
	return stable >= 200;
}

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	char *buf = calloc(1, s->len);
	int i;

	s->tid = syscall(SYS_gettid);
	s->started = 1;
	for (i = 0; i < s->count; i++) {
		if (send_to(s->fd, s->service, buf, s->len, 0) != (ssize_t)s->len) {
			s->err = errno;
			break;
		}
		s->sent++;
	}
	free(buf);
	return NULL;
}

static void t_flow_control(void)
{
	int a = bound(25), b = bound(26), k = 0, i, sndbuf = 65536;
	char buf[1000], rbuf[1000];
	struct pollfd p = { a, POLLOUT, 0 };
	struct sender s;
	pthread_t t;
	struct timeval tv = { 0, 200000 };
	unsigned int sends;

	section("back-pressure: window and sk_sndbuf (prior-art defect 8)");
	setsockopt(a, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	memset(buf, 'f', sizeof(buf));
	node_set_mode(node, TN_SEND_HOLD, 0);
	while (k < 100000 && send_to(a, 26, buf, sizeof(buf), MSG_DONTWAIT) == sizeof(buf))
		k++;
	CHECK(k > 0 && errno == EAGAIN, "unanswered sends fill sk_sndbuf: EAGAIN after %d", k);
	CHECK(NODE_WAIT(node, n_held, (unsigned int)k), "the node holds all %d", k);
	CHECK(poll(&p, 1, 0) == 0, "no POLLOUT while full");
	tn_release_held(node, 0);
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT), "POLLOUT once the node answers");
	node_set_mode(node, TN_SEND_LOOPBACK, 0);
	CHECK(send_to(a, 26, buf, sizeof(buf), MSG_DONTWAIT) == sizeof(buf) &&
	      recv_wait(b, rbuf, sizeof(rbuf), 0, NULL, NULL, 5000) == sizeof(rbuf),
	      "sending works again");

	/* A node that stops reading: a blocking sender blocks, and resumes with the node. */
	tn_pause(node, 1);
	memset(&s, 0, sizeof(s));
	s.fd = a;
	s.service = 26;
	s.len = sizeof(buf);
	s.count = 4 * k + 10;
	pthread_create(&t, NULL, sender_main, &s);
	while (!s.started)
		sched_yield();
	CHECK(sender_stalled(&s), "a blocking sendto blocks while the node does not read");
	setsockopt(a, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	CHECK_ERR(send_to(a, 26, buf, sizeof(buf), 0), EAGAIN, "SO_SNDTIMEO expires: EAGAIN");
	tn_pause(node, 0);
	pthread_join(t, NULL);
	CHECK(s.sent == s.count && s.err == 0, "the blocked sender finished (%d sends)", s.sent);
	for (i = 0; i < s.count; i++)
		if (recv_wait(b, rbuf, sizeof(rbuf), 0, NULL, NULL, 5000) != sizeof(rbuf))
			break;
	CHECK(i == s.count, "and every datagram arrived");
	close(a);
	close(b);

	/* The node's WINDOW bounds the bytes of unanswered requests it is sent. */
	tn_kill(node);
	node = start_node(5000);
	a = bound(27);
	node_set_mode(node, TN_SEND_HOLD, 0);
	sends = NODE_GET(node, n_send);
	for (i = 0; i < 20; i++)
		send_to(a, 28, buf, sizeof(buf), MSG_DONTWAIT);
	CHECK(NODE_WAIT(node, n_held, 1), "held sends");
	/* A further round trip to the kernel: whatever was allowed has been sent by now. */
	tn_node_state(node, -1, 1);
	CHECK(NODE_GET(node, n_send) - sends <= 5, "window 5000: at most 5 of 20 sends in flight (%u)",
	      NODE_GET(node, n_send) - sends);
	for (i = 0; i < 20 && NODE_GET(node, n_send) - sends < 20; i++) {
		unsigned int before = NODE_GET(node, n_send);

		tn_release_held(node, 0);
		NODE_WAIT(node, n_send, before + 1);
	}
	tn_release_held(node, 0);
	CHECK(NODE_GET(node, n_send) - sends == 20, "all 20 went out as replies freed the window");
	node_set_mode(node, TN_SEND_LOOPBACK, 0);
	close(a);
	tn_kill(node);
	node = start_node(0);
}

static void t_rcvbuf(void)
{
	int a = bound(29), b = bound(30), v = 4096, i, got = 0, order = 1, n = 40;
	unsigned int del0 = NODE_GET(node, n_deliver), enobufs0 = NODE_GET(node, n_deliver_enobufs);
	unsigned int drained0 = NODE_GET(node, n_drained), queued;
	char buf[1000];

	section("receive queue bounded by sk_rcvbuf; ENOBUFS then DRAINED (prior-art defect 8)");
	setsockopt(b, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	for (i = 0; i < n; i++) {
		memset(buf, i, sizeof(buf));
		send_to(a, 30, buf, sizeof(buf), 0);
	}
	CHECK(NODE_WAIT(node, n_deliver_enobufs, enobufs0 + 1), "a full socket refuses DELIVER with ENOBUFS");
	queued = NODE_GET(node, n_deliver) - del0;
	CHECK(queued > 0 && queued < (unsigned int)n, "only %u of %d were queued", queued, n);
	for (i = 0; i < n; i++) {
		if (recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) != sizeof(buf))
			break;
		got++;
		if ((unsigned char)buf[0] != (unsigned char)i)
			order = 0;
	}
	CHECK(got == n && order, "reading drains it: all %d arrive, in order", n);
	CHECK(NODE_GET(node, n_drained) > drained0, "the node was told DRAINED");
	close(a);
	close(b);
}

static void t_bind_failures(void)
{
	int a = bps(), b = bps();
	struct sockaddr_bp got;
	socklen_t len = sizeof(got);
	unsigned int rel;

	section("failed binds release the EID (prior-art defect 5)");
	tn_lock(node);
	tn_ctl(node)->bind_errno = EADDRNOTAVAIL;
	tn_unlock(node);
	CHECK_ERR(bind_ipn(a, 7, 40), EADDRNOTAVAIL, "the node refuses: EADDRNOTAVAIL");
	CHECK(getsockname(a, (struct sockaddr *)&got, &len) == 0 && got.bp_scheme == 0,
	      "the socket is still unbound");
	tn_lock(node);
	tn_ctl(node)->bind_errno = 0;
	tn_ctl(node)->bind_hold = 1;
	tn_unlock(node);
	rel = NODE_GET(node, n_release);
	CHECK_ERR(bind_ipn(a, 7, 40), ETIMEDOUT, "the node does not answer: ETIMEDOUT");
	CHECK(NODE_WAIT(node, n_release, rel + 1), "and is told to forget the socket (RELEASE)");
	tn_lock(node);
	tn_ctl(node)->bind_hold = 0;
	tn_unlock(node);
	CHECK(bind_ipn(b, 7, 40) == 0, "the EID is free for another socket");
	CHECK(bind_ipn(a, 7, 41) == 0, "the first socket can bind again");
	close(a);
	close(b);
}

static void t_node_restart(void)
{
	int a = bound(42), b = bound(43), c = bps(), i, ok = 1;
	struct tn_eid ea = teid(7, 42), eb = teid(7, 43), ec = teid(7, 44);
	char buf[16];
	struct waiter w;
	pthread_t t;

	section("node restart: resynchronisation and retransmission");
	node_set_mode(node, TN_SEND_HOLD, 0);
	for (i = 0; i < 5; i++) {
		buf[0] = i;
		send_to(a, 43, buf, 1, 0);
	}
	CHECK(NODE_WAIT(node, n_held, 5), "5 sends unanswered");
	/* A bind in progress when the node dies completes kernel-only. */
	tn_lock(node);
	tn_ctl(node)->bind_hold = 1;
	tn_unlock(node);
	{
		struct sockaddr_bp sa = ipn(7, 44);
		int r;

		tn_kill(node);
		node = NULL;
		r = bind(c, (struct sockaddr *)&sa, 16);
		CHECK(r == 0, "bind with no node after the node died: kernel-only");
	}
	CHECK_ERR(send_to(a, 43, "z", 1, 0), ENETDOWN, "no node: ENETDOWN");
	memset(&w, 0, sizeof(w));
	w.fd = b;
	w.kind = 0;
	CHECK(start_waiter(&t, &w), "a poller blocks while no node is registered");
	node = start_node(0);
	CHECK(dump_has(node, &ea, NULL) && dump_has(node, &eb, NULL) && dump_has(node, &ec, NULL),
	      "the new node's dump lists all bound sockets");
	pthread_join(t, NULL);
	CHECK(w.result, "a poller wakes when retransmitted data arrives");
	for (i = 0; i < 5; i++)
		if (recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) != 1 || buf[0] != i)
			ok = 0;
	CHECK(ok, "the 5 pending sends were retransmitted and arrived in order");
	close(a);
	close(b);
	close(c);
}

static void t_close_pending(void)
{
	int a = bound(45), b = bound(46);
	char buf[8];
	unsigned int sends = NODE_GET(node, n_send);

	section("sends pending at close are still carried");
	tn_pause(node, 1);
	CHECK(send_to(a, 46, "p1", 2, 0) == 2 && send_to(a, 46, "p2", 2, 0) == 2, "two sends, node not reading");
	close(a);
	tn_pause(node, 0);
	CHECK(NODE_WAIT(node, n_send, sends + 2), "the node gets both after the sender closed");
	CHECK(recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) == 2 &&
	      recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) == 2, "and they are delivered");
	node_set_mode(node, TN_SEND_HOLD, 0);
	a = bound(47);
	CHECK(send_to(a, 46, "p3", 2, 0) == 2 && NODE_WAIT(node, n_held, 1), "a send held by the node");
	close(a);
	tn_release_held(node, EHOSTUNREACH);
	node_set_mode(node, TN_SEND_LOOPBACK, 0);
	CHECK(tn_node_state(node, -1, 1) == 0, "its failed reply after close is harmless");
	close(b);
}

static void t_permissions(void)
{
	struct tn *other;
	struct tn_buf tb;
	char ext[256];
	pid_t pid;
	int st, r;

	section("node permissions (prior-art defect 6)");
	pid = fork();
	if (pid == 0) {
		struct tn *u;

		if (setgid(65534) || setuid(65534))
			_exit(3);
		u = tn_open();
		if (!u)
			_exit(4);
		r = tn_register(u, BP_PROTOCOL_VERSION, 0, NULL, NULL);
		_exit(r == -EPERM ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "REGISTER without CAP_NET_ADMIN: EPERM");

	other = tn_open();
	CHECK(other != NULL, "a second root port opens");
	if (!other)
		return;
	CHECK(tn_register(other, BP_PROTOCOL_VERSION, 0, NULL, NULL) == -EBUSY,
	      "REGISTER while another node lives: EBUSY");
	CHECK(tn_dump(other, NULL, 0) == -EPERM, "SOCKET_GET from an unregistered port: EPERM");
	tb_init(&tb);
	tb_u64(&tb, BP_A_COOKIE, 1);
	tb_u32(&tb, BP_A_ERRNO, 0);
	CHECK(tn_raw(other, BP_CMD_REPLY, tb.p, tb.len, ext, sizeof(ext)) == -EPERM && ext[0],
	      "REPLY from an unregistered port: EPERM (\"%s\")", ext);
	tb_free(&tb);
	tb_init(&tb);
	tb_u64(&tb, BP_A_SOCKET_ID, 1);
	{
		struct tn_eid e = teid(1, 1);

		tb_eid(&tb, BP_A_SRC_EID, &e);
	}
	tb_put(&tb, BP_A_PAYLOAD, "evil", 4);
	CHECK(tn_raw(other, BP_CMD_DELIVER, tb.p, tb.len, NULL, 0) == -EPERM,
	      "DELIVER from an unregistered port: EPERM");
	CHECK(tn_raw(other, BP_CMD_NODE_STATE, NULL, 0, NULL, 0) == -EPERM,
	      "NODE_STATE from an unregistered port: EPERM");
	tb_free(&tb);
	tn_kill(other);
}

static void t_strict(void)
{
	struct tn_buf tb;
	char ext[256], buf[64];
	uint32_t mp = 0, fam = 0;
	int r;

	section("strict attribute validation and extack");
	tb_init(&tb);
	tb_u32(&tb, BP_A_COOKIE, 1);	/* u64 expected */
	tb_u32(&tb, BP_A_ERRNO, 0);
	r = tn_raw(node, BP_CMD_REPLY, tb.p, tb.len, ext, sizeof(ext));
	CHECK(r == -EINVAL && ext[0], "COOKIE of 4 bytes: EINVAL, extack \"%s\"", ext);
	tb_free(&tb);
	tb_init(&tb);
	tb_u64(&tb, BP_A_COOKIE, 1);
	tb_u32(&tb, BP_A_ERRNO, 0);
	tb_u32(&tb, 200, 0);
	r = tn_raw(node, BP_CMD_REPLY, tb.p, tb.len, ext, sizeof(ext));
	CHECK(r == -EINVAL, "unknown attribute 200: EINVAL (\"%s\")", ext);
	tb_free(&tb);
	tb_init(&tb);
	tb_u32(&tb, BP_A_ERRNO, 0);
	r = tn_raw(node, BP_CMD_REPLY, tb.p, tb.len, ext, sizeof(ext));
	snprintf(buf, sizeof(buf), "missing attribute %d", BP_A_COOKIE);
	CHECK(r == -EINVAL && strstr(ext, buf),
	      "missing COOKIE: EINVAL, extack \"%s\"", ext);
	tb_free(&tb);
	tb_init(&tb);
	tb_u64(&tb, BP_A_COOKIE, 0xdeadbeefULL << 20);
	tb_u32(&tb, BP_A_ERRNO, 0);
	r = tn_raw(node, BP_CMD_REPLY, tb.p, tb.len, ext, sizeof(ext));
	CHECK(r == -ENOENT && ext[0], "unknown cookie: ENOENT, extack \"%s\"", ext);
	tb_free(&tb);
	tb_init(&tb);
	tb_u64(&tb, BP_A_COOKIE, 1);
	tb_u32(&tb, BP_A_ERRNO, 5000);
	r = tn_raw(node, BP_CMD_REPLY, tb.p, tb.len, ext, sizeof(ext));
	CHECK(r == -ERANGE && ext[0], "ERRNO 5000 (above MAX_ERRNO): ERANGE, extack \"%s\"", ext);
	tb_free(&tb);
	{
		struct tn_eid e = teid(1, 1);
		size_t nest;

		tb_init(&tb);
		tb_u64(&tb, BP_A_SOCKET_ID, 999999);
		tb_eid(&tb, BP_A_SRC_EID, &e);
		r = tn_raw(node, BP_CMD_DELIVER, tb.p, tb.len, ext, sizeof(ext));
		CHECK(r == -ENOENT && ext[0], "DELIVER to an unknown socket: ENOENT, extack \"%s\"", ext);
		tb_free(&tb);

		tb_init(&tb);
		tb_u64(&tb, BP_A_SOCKET_ID, 1);
		nest = tb.len;
		tb_put(&tb, BP_A_SRC_EID, NULL, 0);	/* no NLA_F_NESTED */
		tb_u32(&tb, BP_EID_A_SCHEME, BP_SCHEME_IPN);
		tb_nest_end(&tb, nest);
		r = tn_raw(node, BP_CMD_DELIVER, tb.p, tb.len, ext, sizeof(ext));
		CHECK(r == -EINVAL && ext[0], "nested attribute without NLA_F_NESTED: EINVAL, \"%s\"", ext);
		tb_free(&tb);

		tb_init(&tb);
		tb_u64(&tb, BP_A_SOCKET_ID, 1);
		nest = tb_nest_start(&tb, BP_A_SRC_EID);
		tb_u32(&tb, BP_EID_A_SCHEME, BP_SCHEME_DTN);
		tb_put(&tb, BP_EID_A_DTN, "dtn://x y/z", 12);
		tb_nest_end(&tb, nest);
		r = tn_raw(node, BP_CMD_DELIVER, tb.p, tb.len, ext, sizeof(ext));
		CHECK(r == -EINVAL && ext[0], "malformed dtn source EID: EINVAL, \"%s\"", ext);
		tb_free(&tb);

		tb_init(&tb);
		tb_u64(&tb, BP_A_SOCKET_ID, 1);
		tb_eid(&tb, BP_A_SRC_EID, &e);
		{
			char *big = calloc(1, 65000);
			size_t sent = 0;

			while (sent <= max_payload) {
				tb_put(&tb, BP_A_PAYLOAD, big, 65000);
				sent += 65000;
			}
			free(big);
		}
		r = tn_raw(node, BP_CMD_DELIVER, tb.p, tb.len, ext, sizeof(ext));
		CHECK(r == -EMSGSIZE, "DELIVER above MAX_PAYLOAD: EMSGSIZE");
		tb_free(&tb);
	}
	CHECK(tn_register(node, BP_PROTOCOL_VERSION + 1, 0, NULL, NULL) == -EPROTONOSUPPORT,
	      "REGISTER of another protocol version: EPROTONOSUPPORT");
	CHECK(tn_register(node, BP_PROTOCOL_VERSION, 0, &mp, &fam) == 0 && mp == max_payload &&
	      (int)fam == af, "REGISTER again from the same port: MAX_PAYLOAD %u, FAMILY %u", mp, fam);
	CHECK(tn_node_state(node, 1, 1) == 0, "READY again");
	{
		int a = bound(50), b = bound(51);
		char c;

		CHECK(send_to(a, 51, "r", 1, 0) == 1 && recv_wait(b, &c, 1, 0, NULL, NULL, 5000) == 1,
		      "traffic flows after re-registration");
		close(a);
		close(b);
	}
}

/* Network namespaces (prior-art defect 9): a child namespace has its own node and sockets. */
static void t_netns(void)
{
	int c2p[2], p2c[2], st, r;
	pid_t pid;
	struct tn_eid e = teid(7, 60);
	char x = 0;

	section("network namespaces (prior-art defect 9)");
	if (pipe(c2p) || pipe(p2c))
		return;
	pid = fork();
	if (pid == 0) {
		struct tn *cn;
		int a, b, fails = 0;
		char buf[8];
		struct tn_eid ce = teid(7, 60);

		close(c2p[0]);
		close(p2c[1]);
		if (unshare(CLONE_NEWNET))
			_exit(100);
		a = bps();
		if (!(send_to(a, 61, "n", 1, 0) == -1 && errno == ENETDOWN))
			fails |= 1;	/* the parent's node does not serve us */
		cn = tn_start(0);
		if (!cn)
			_exit(101);
		if (bind_ipn(a, 7, 60))
			fails |= 2;
		b = bps();
		if (bind_ipn(b, 7, 61))
			fails |= 2;
		if (send_to(a, 61, "ns", 2, 0) != 2 ||
		    recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) != 2)
			fails |= 4;
		if (!dump_has(cn, &ce, NULL))
			fails |= 8;
		/* Bound now: let the parent look at its own node, then finish. */
		if (write(c2p[1], "b", 1) != 1 || read(p2c[0], buf, 1) != 1)
			fails |= 16;
		close(a);
		close(b);
		tn_kill(cn);
		_exit(fails);
	}
	close(c2p[1]);
	close(p2c[0]);
	CHECK(readable(c2p[0], 20000) && read(c2p[0], &x, 1) == 1, "the child bound its sockets");
	CHECK(!dump_has(node, &e, NULL), "the parent's node does not list the child's sockets");
	if (write(p2c[1], "x", 1) != 1)
		perror("write");
	close(p2c[1]);
	close(c2p[0]);
	waitpid(pid, &st, 0);
	r = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
	CHECK(r < 100 && !(r & 1), "in the child namespace with no node: ENETDOWN");
	CHECK(r < 100 && !(r & 2), "the child's sockets bind through the child's node");
	CHECK(r < 100 && !(r & 4), "loopback through the child's node works");
	CHECK(r < 100 && !(r & 8), "the child's node lists the child's socket");
	CHECK(r == 0, "child namespace test (status %d)", r);
}

static void t_many_dump(void)
{
	enum { N = 300 };
	int fds[N], i, n = 0, count = 0;
	static struct tn_dump_entry d[2048];
	unsigned int rel;

	section("dump of many sockets");
	for (i = 0; i < N; i++)
		fds[i] = bound(1000 + i);
	n = tn_dump(node, d, 2048);
	for (i = 0; i < n; i++)
		if (d[i].eid.service >= 1000 && d[i].eid.service < 1000 + N)
			count++;
	CHECK(count == N, "a multi-part dump lists all %d sockets (%d)", N, count);
	rel = NODE_GET(node, n_release);
	for (i = 0; i < N; i++)
		close(fds[i]);
	CHECK(NODE_WAIT(node, n_release, rel + N), "closing them sends %d RELEASEs", N);
	{
		struct tn_eid first = teid(TN_RESOLVED_NODE, 1000);

		CHECK(!dump_has(node, &first, NULL), "and the dump no longer lists them");
	}
}

/* Issue 14, finding 7: an errno outside bp(7)'s table (ERESTARTSYS...) reaches no one: EIO. */
static void t_node_errno(void)
{
	int a = bps(), b = bound(80), err = 0, cos = BP_COS_EXPEDITED;
	socklen_t len = sizeof(err);
	char cbuf[CMSG_SPACE(4)] = {0};
	struct sockaddr_bp to = ipn(TN_RESOLVED_NODE, 80);
	struct iovec iov = { "e", 1 };
	struct msghdr m = { .msg_name = &to, .msg_namelen = 16, .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

	section("a node's errno outside the documented table becomes EIO");
	tn_lock(node);
	tn_ctl(node)->bind_errno = 512;	/* ERESTARTSYS */
	tn_unlock(node);
	CHECK_ERR(bind_ipn(a, 7, 81), EIO, "BIND refused with 512 (ERESTARTSYS): EIO");
	tn_lock(node);
	tn_ctl(node)->bind_errno = 0;
	tn_unlock(node);
	cm->cmsg_level = SOL_BP;
	cm->cmsg_type = BP_CLASS_OF_SERVICE;
	cm->cmsg_len = CMSG_LEN(4);
	memcpy(CMSG_DATA(cm), &cos, 4);
	node_set_mode(node, TN_SEND_ERRNO, 530);
	CHECK_ERR(sendmsg(b, &m, 0), EIO, "a synchronous SEND refused with 530: EIO");
	node_set_mode(node, TN_SEND_ERRNO, 4095);
	CHECK(send_to(b, 80, "x", 1, 0) == 1, "an asynchronous send refused with 4095");
	CHECK(poll(&(struct pollfd){ .fd = b }, 1, 5000) == 1 &&
	      getsockopt(b, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == EIO,
	      "becomes the pending error EIO (%d)", err);
	node_set_mode(node, TN_SEND_ERRNO, EHOSTUNREACH);
	CHECK_ERR(sendmsg(b, &m, 0), EHOSTUNREACH, "a documented errno passes (EHOSTUNREACH)");
	node_set_mode(node, TN_SEND_LOOPBACK, 0);
	close(a);
	close(b);
}

/* Issue 14, finding 5: sendmmsg (MSG_BATCH), sendfile and splice (MSG_MORE) work. */
static void t_send_flags(void)
{
	enum { N = 64, FLEN = 10000 };
	int a = bound(82), b = bound(83), v = 4 << 20, i, ok = 1, fd, p[2];
	struct sockaddr_bp to = ipn(TN_RESOLVED_NODE, 83);
	struct mmsghdr mm[N];
	struct iovec iov[N];
	uint8_t data[N][8], file[FLEN], in[FLEN];
	char path[] = "/tmp/bp_sendfileXXXXXX";
	size_t got;
	ssize_t n;

	section("sendmmsg, sendfile, splice and MSG_MORE");
	setsockopt(b, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < N; i++) {
		memset(data[i], i, sizeof(data[i]));
		iov[i].iov_base = data[i];
		iov[i].iov_len = sizeof(data[i]);
		mm[i].msg_hdr.msg_name = &to;
		mm[i].msg_hdr.msg_namelen = 16;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	n = sendmmsg(a, mm, N, 0);
	CHECK(n == N, "sendmmsg of %d messages sends all (%zd)", N, n);
	for (i = 0; i < N && ok; i++)
		ok = recv_wait(b, in, sizeof(in), 0, NULL, NULL, 5000) == 8 && in[0] == i && in[7] == i;
	CHECK(ok && i == N, "all %d arrive, in order", N);

	CHECK(send_to(a, 83, "m", 1, MSG_MORE) == 1 &&
	      recv_wait(b, in, sizeof(in), 0, NULL, NULL, 5000) == 1,
	      "MSG_MORE: a datagram of its own (each call is one ADU)");

	fill(file, FLEN, 9);
	fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, file, FLEN) == FLEN && lseek(fd, 0, SEEK_SET) == 0,
	      "a %d-byte file", FLEN);
	CHECK(connect(a, (struct sockaddr *)&to, 16) == 0, "connect");
	n = sendfile(a, fd, NULL, FLEN);
	CHECK(n == FLEN, "sendfile of the file to the socket (%zd)", n);
	for (got = 0; got < FLEN; got += n) {
		n = recv_wait(b, in + got, FLEN - got, 0, NULL, NULL, 5000);
		if (n <= 0)
			break;
	}
	CHECK(got == FLEN && !memcmp(in, file, FLEN), "its bytes arrive, in order (%zu)", got);
	close(fd);
	unlink(path);

	CHECK(pipe(p) == 0 && write(p[1], file, 3000) == 3000, "3000 bytes in a pipe");
	n = splice(p[0], NULL, a, NULL, 3000, 0);
	CHECK(n == 3000, "splice from the pipe to the socket (%zd)", n);
	CHECK(recv_wait(b, in, sizeof(in), 0, NULL, NULL, 5000) == 3000 && !memcmp(in, file, 3000),
	      "they arrive as one datagram");
	close(p[0]);
	close(p[1]);
	close(a);
	close(b);
}

/* Issue 14, finding 2: a datagram the socket's filter drops is a drop, not "socket full". */
static void t_filter(void)
{
	struct sock_filter drop_all[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { 1, drop_all };
	int a = bound(84), b = bound(85), i, dummy = 0;
	unsigned int del0 = NODE_GET(node, n_deliver), enobufs0 = NODE_GET(node, n_deliver_enobufs);
	unsigned int drained0 = NODE_GET(node, n_drained);
	char c;

	section("socket filter drops (SO_ATTACH_FILTER)");
	CHECK(setsockopt(b, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) == 0,
	      "attach a filter that drops everything");
	for (i = 0; i < 3; i++)
		send_to(a, 85, "f", 1, 0);
	CHECK(NODE_WAIT(node, n_deliver, del0 + 3), "the node's 3 DELIVERs are acknowledged as done");
	CHECK(NODE_GET(node, n_deliver_enobufs) == enobufs0 && NODE_GET(node, n_drained) == drained0,
	      "no ENOBUFS, no DRAINED: no DELIVER/ENOBUFS/DRAINED loop");
	CHECK(status_drops(b) == 3, "the socket counts 3 drops (SO_MEMINFO)");
	CHECK(!readable(b, 0), "nothing is queued");
	CHECK(setsockopt(b, SOL_SOCKET, SO_DETACH_FILTER, &dummy, sizeof(dummy)) == 0 &&
	      send_to(a, 85, "g", 1, 0) == 1 && recv_wait(b, &c, 1, 0, NULL, NULL, 5000) == 1 &&
	      c == 'g', "without the filter the next datagram arrives");
	close(a);
	close(b);
}

/* Issue 14, finding 8: DRAINED after every refusal, the same preallocated message each time. */
static void t_drained_cycles(void)
{
	int a = bound(86), b = bound(87), v = 4096, cyc, i, ok = 1;
	unsigned int enobufs, drained, del;
	char buf[1000];

	section("DRAINED after each of many refusals");
	setsockopt(b, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	memset(buf, 'd', sizeof(buf));
	for (cyc = 0; cyc < 10 && ok; cyc++) {
		enobufs = NODE_GET(node, n_deliver_enobufs);
		drained = NODE_GET(node, n_drained);
		del = NODE_GET(node, n_deliver);
		for (i = 0; i < 12; i++)
			send_to(a, 87, buf, sizeof(buf), 0);
		ok = NODE_WAIT(node, n_deliver_enobufs, enobufs + 1);
		for (i = 0; i < 12 && ok; i++)
			ok = recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) == sizeof(buf);
		ok = ok && NODE_GET(node, n_drained) > drained && NODE_WAIT(node, n_deliver, del + 12);
	}
	CHECK(ok, "10 cycles of full socket, ENOBUFS, reading, DRAINED: all datagrams arrive (%d)",
	      cyc);
	close(a);
	close(b);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

static void bind_mode(struct tn *tn, int err, int hold)
{
	tn_lock(tn);
	tn_ctl(tn)->bind_errno = err;
	tn_ctl(tn)->bind_hold = hold;
	tn_unlock(tn);
}

/* Issue 14, finding 6: MSG_DONTWAIT and O_NONBLOCK never sleep (node_timeout_ms is 1000 here). */
static void t_nonblock(void)
{
	int a = bps(), b = bound(88), c, err = 0, cos = BP_COS_EXPEDITED;
	unsigned int binds, rel;
	struct sockaddr_bp got, to = ipn(TN_RESOLVED_NODE, 88);
	socklen_t len = sizeof(got);
	struct pollfd p = { a, POLLOUT, 0 };
	char cbuf[CMSG_SPACE(4)] = {0}, ch;
	struct iovec iov = { "c", 1 };
	struct msghdr m = { .msg_name = &to, .msg_namelen = 16, .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	long t0;

	section("non-blocking calls never sleep (automatic bind, control messages)");
	t0 = now_ms();
	CHECK_ERR(send_to(a, 88, "n", 1, MSG_DONTWAIT), EAGAIN,
		  "MSG_DONTWAIT send from an unbound socket: EAGAIN, the bind started");
	CHECK(now_ms() - t0 < 500, "at once (%ld ms)", now_ms() - t0);
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLOUT), "POLLOUT once the node bound it");
	CHECK(getsockname(a, (struct sockaddr *)&got, &len) == 0 && got.bp_addr.ipn.node_id == 7 &&
	      got.bp_addr.ipn.service_id >= 65536, "bound to ipn:7.%u", got.bp_addr.ipn.service_id);
	CHECK(send_to(a, 88, "n", 1, MSG_DONTWAIT) == 1 &&
	      recv_wait(b, &ch, 1, 0, NULL, NULL, 5000) == 1, "then the send goes through");
	close(a);

	bind_mode(node, 0, 1);	/* the node never answers */
	a = bps();
	fcntl(a, F_SETFL, O_NONBLOCK);
	binds = NODE_GET(node, n_bind);
	t0 = now_ms();
	CHECK_ERR(send_to(a, 88, "n", 1, 0), EAGAIN, "O_NONBLOCK, a node that does not answer: EAGAIN");
	CHECK_ERR(send_to(a, 88, "n", 1, 0), EAGAIN, "again: EAGAIN");
	CHECK(now_ms() - t0 < 500, "at once, both (%ld ms)", now_ms() - t0);
	CHECK(NODE_WAIT(node, n_bind, binds + 1) && NODE_GET(node, n_bind) == binds + 1,
	      "one BIND for both");
	p.fd = a;
	CHECK(poll(&p, 1, 0) == 0, "no POLLOUT while the bind is under way");
	rel = NODE_GET(node, n_release);
	close(a);
	CHECK(NODE_WAIT(node, n_release, rel + 1), "closing it tells the node to forget it (RELEASE)");

	bind_mode(node, EADDRNOTAVAIL, 0);
	a = bps();
	CHECK_ERR(send_to(a, 88, "n", 1, MSG_DONTWAIT), EAGAIN, "an automatic bind the node refuses");
	p.fd = a;
	p.events = POLLOUT;
	len = sizeof(err);
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLERR) &&
	      getsockopt(a, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == EADDRNOTAVAIL,
	      "its refusal is the pending error (POLLERR, SO_ERROR %d)", err);
	len = sizeof(got);
	CHECK(getsockname(a, (struct sockaddr *)&got, &len) == 0 && got.bp_scheme == 0,
	      "and the socket is still unbound");
	bind_mode(node, 0, 0);
	close(a);

	c = bound(89);
	cm->cmsg_level = SOL_BP;
	cm->cmsg_type = BP_CLASS_OF_SERVICE;
	cm->cmsg_len = CMSG_LEN(4);
	memcpy(CMSG_DATA(cm), &cos, 4);
	node_set_mode(node, TN_SEND_HOLD, 0);
	t0 = now_ms();
	CHECK(sendmsg(c, &m, MSG_DONTWAIT) == 1 && now_ms() - t0 < 500,
	      "MSG_DONTWAIT with a control message does not wait for the node's verdict (%ld ms)",
	      now_ms() - t0);
	CHECK(NODE_WAIT(node, n_held, 1), "the node has it");
	tn_release_held(node, EINVAL);
	len = sizeof(err);
	p.fd = c;
	CHECK(poll(&p, 1, 5000) == 1 && (p.revents & POLLERR) &&
	      getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == EINVAL,
	      "its refusal becomes the pending error (%d)", err);
	node_set_mode(node, TN_SEND_LOOPBACK, 0);
	close(b);
	close(c);
}

/* Issue 14, finding 4: unique on the EID the node resolved; administrative endpoints. */
static void t_uniqueness(void)
{
	int a = bound(90), b = bps(), st;
	struct sockaddr_bp got, sa;
	socklen_t len = sizeof(got);
	unsigned int rel = NODE_GET(node, n_release);
	pid_t pid;

	section("endpoint uniqueness on the resolved EID; administrative endpoints");
	CHECK_ERR(bind_ipn(b, BP_IPN_LOCAL_NODE, 90), EADDRINUSE,
		  "ipn:!.90, which the node resolves to the bound ipn:7.90: EADDRINUSE");
	CHECK(NODE_WAIT(node, n_release, rel + 1), "and the node is told to forget it (RELEASE)");
	CHECK(getsockname(b, (struct sockaddr *)&got, &len) == 0 && got.bp_scheme == 0,
	      "the socket is unbound");
	close(a);
	len = sizeof(got);
	CHECK(bind_ipn(b, BP_IPN_LOCAL_NODE, 90) == 0 &&
	      getsockname(b, (struct sockaddr *)&got, &len) == 0 && got.bp_addr.ipn.node_id == 7 &&
	      got.bp_addr.ipn.service_id == 90, "once it is free, ipn:!.90 binds (ipn:7.90)");
	close(b);

	pid = fork();
	if (pid == 0) {
		int s1, s2, s3, s4, fails = 0;

		if (setgid(65534) || setuid(65534))
			_exit(100);
		s1 = bps();
		s2 = bps();
		s3 = bps();
		s4 = bps();
		if (!(bind_ipn(s1, 7, 0) == -1 && errno == EACCES))
			fails |= 1;
		if (!(bind_ipn(s2, BP_IPN_LOCAL_NODE, 0) == -1 && errno == EACCES))
			fails |= 2;
		if (!(bind(s3, (struct sockaddr *)&sa, dtn(&sa, "dtn://n7/")) == -1 &&
		      errno == EACCES))
			fails |= 4;
		if (bind(s4, (struct sockaddr *)&sa, dtn(&sa, "dtn://n7/app")) ||
		    bind_ipn(s3, 7, 96))
			fails |= 8;
		_exit(fails);
	}
	waitpid(pid, &st, 0);
	st = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
	CHECK(st < 100 && !(st & 1), "without CAP_NET_ADMIN, binding ipn:7.0: EACCES");
	CHECK(st < 100 && !(st & 2), "ipn:!.0: EACCES");
	CHECK(st < 100 && !(st & 4), "dtn://n7/: EACCES");
	CHECK(st < 100 && !(st & 8), "other endpoints bind (dtn://n7/app, ipn:7.96)");
	a = bps();
	b = bps();
	CHECK(bind_ipn(a, 7, 0) == 0 && bind(b, (struct sockaddr *)&sa, dtn(&sa, "dtn://n7/")) == 0,
	      "with CAP_NET_ADMIN both bind");
	close(a);
	close(b);
}

/* Issue 14, finding 3: bind and autobind stay cheap with thousands of bound sockets. */
/*
 * How many sockets the node's dump lists bound to ipn:NODE_ID.FIRST to ipn:NODE_ID.FIRST+N-1, each
 * counted once; -1 if the dump fails, lists one twice, or lists more than the node can hold.
 */
static int dump_count(uint32_t node_id, uint32_t first, int n)
{
	enum { MAX = 10000 };
	static struct tn_dump_entry d[MAX];
	static unsigned char seen[MAX];
	int got = tn_dump(node, d, MAX), i, count = 0;

	if (got < 0 || got >= MAX || n > MAX)
		return -1;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < got; i++) {
		uint32_t k = d[i].eid.service - first;

		if (d[i].eid.scheme != BP_SCHEME_IPN || d[i].eid.node != node_id || d[i].eid.service < first ||
		    k >= (uint32_t)n)
			continue;
		if (seen[k]++)
			return -1;
		count++;
	}
	return count;
}

static void t_many_bound(void)
{
	enum { N = 8000 };
	static int fds[N];
	struct rlimit rl = { N + 256, N + 256 };
	struct sockaddr_bp got;
	socklen_t len = sizeof(got);
	int a = bps(), c, i, ok = 0;
	uint32_t s;
	long t0, dt;

	section("thousands of bound sockets: hashed endpoints, autobind cursor");
	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("setrlimit");
	ok = send_to(a, 999, "x", 1, 0) == 1 && getsockname(a, (struct sockaddr *)&got, &len) == 0;
	s = got.bp_addr.ipn.service_id;
	CHECK(ok, "an automatic bind: ipn:7.%u", s);
	ok = 0;
	/* The services after the autobind cursor, taken (kernel-only, quick) by other nodes' EIDs. */
	tn_kill(node);
	for (i = 0; i < N; i++) {
		fds[i] = bps();
		ok += bind_ipn(fds[i], 5, s + 1 + i) == 0;
	}
	node = start_node(0);
	CHECK(ok == N, "%d sockets bound to ipn:5.%u..%u", N, s + 1, s + N);
	/* ~80 bytes each: the dump spans dozens of messages, each resuming after the last id sent. */
	CHECK(dump_count(5, s + 1, N) == N, "the next node's dump lists each of them once");
	c = bps();
	t0 = now_ms();
	CHECK(send_to(c, 999, "y", 1, 0) == 1, "another automatic bind");
	dt = now_ms() - t0;
	len = sizeof(got);
	memset(&got, 0, sizeof(got));
	ok = getsockname(c, (struct sockaddr *)&got, &len) == 0;
	CHECK(ok && got.bp_addr.ipn.service_id == s + N + 1, "skips the %d taken services: ipn:7.%u",
	      N, got.bp_addr.ipn.service_id);
	CHECK(dt < 250, "in %ld ms (one hash lookup per candidate)", dt);
	t0 = now_ms();
	for (i = 0; i < N; i++)
		close(fds[i]);
	close(a);
	close(c);
	CHECK(1, "closing them took %ld ms", now_ms() - t0);
	CHECK(dump_count(5, s + 1, N) == 0, "and the dump lists none of them any more");
}

/* Issue 14's paths: autobind when every service of its range is taken. */
static void t_autobind_exhausted(void)
{
	enum { N = BP_AUTOBIND_N };
	struct rlimit rl = { N + 256, N + 256 };
	struct sockaddr_bp got;
	socklen_t len = sizeof(got);
	int *fds = calloc(N, sizeof(int)), c, i, ok = 0;
	long t0 = now_ms();

	section("automatic binding with its whole range taken");
	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("setrlimit");
	/* Kernel-only binds (no node), then a node that skips the dump: quick for 65 536. */
	tn_kill(node);
	for (i = 0; i < N; i++) {
		fds[i] = bps();
		ok += bind_ipn(fds[i], 5, 65536 + i) == 0;
	}
	CHECK(ok == N, "%d sockets hold ipn:5.65536..131071 (%ld ms)", N, now_ms() - t0);
	node = tn_open();
	CHECK(node && tn_register(node, BP_PROTOCOL_VERSION, 0, NULL, NULL) == 0 &&
	      tn_node_state(node, 1, 1) == 0, "a node registers");
	c = bps();
	t0 = now_ms();
	CHECK_ERR(send_to(c, 999, "x", 1, 0), EADDRINUSE, "a send from an unbound socket: EADDRINUSE");
	CHECK(now_ms() - t0 < 5000, "after one pass over the range (%ld ms)", now_ms() - t0);
	close(fds[100]);
	fds[100] = -1;
	memset(&got, 0, sizeof(got));
	ok = send_to(c, 999, "x", 1, 0) == 1 && getsockname(c, (struct sockaddr *)&got, &len) == 0;
	CHECK(ok && got.bp_addr.ipn.service_id == 65536 + 100, "one service freed: it is found (%u)",
	      got.bp_addr.ipn.service_id);
	close(c);
	for (i = 0; i < N; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	tn_kill(node);
	node = start_node(0);
}

struct racer {
	int fd;
	pthread_barrier_t *go;
	const void *buf;
	int ok;
};

static void *racer_main(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	r->ok = send_to(r->fd, 999, r->buf, 1 << 20, MSG_DONTWAIT) == 1 << 20;
	return NULL;
}

/* Issue 14, finding 9: concurrent senders see each other's whole ADUs against SO_SNDBUF. */
static void t_sndbuf_race(void)
{
	enum { T = 8 };
	struct racer r[T];
	pthread_t t[T];
	pthread_barrier_t go;
	char *mib = calloc(1, 1 << 20);
	int a = bound(91), v = 65536, i, n = 0;

	section("concurrent senders on one socket: SO_SNDBUF holds");
	setsockopt(a, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	node_set_mode(node, TN_SEND_HOLD, 0);
	pthread_barrier_init(&go, NULL, T);
	for (i = 0; i < T; i++) {
		r[i] = (struct racer){ a, &go, mib, 0 };
		pthread_create(&t[i], NULL, racer_main, &r[i]);
	}
	for (i = 0; i < T; i++) {
		pthread_join(t[i], NULL);
		n += r[i].ok;
	}
	CHECK(n >= 1 && n <= 2, "%d threads send 1 MiB at once, SO_SNDBUF 128 KiB: %d accepted", T, n);
	node_set_mode(node, TN_SEND_LOOPBACK, 0);
	tn_release_held(node, 0);
	pthread_barrier_destroy(&go);
	free(mib);
	close(a);
}

/* ---- paths the suite must cover (issue 14) ---- */

struct caller {
	int fd;
	int kind;		/* 0 bind, 1 setsockopt, 2 getsockopt, 3 sendmsg with a cmsg, 4 recv,
				 * 5 send of 60000 bytes */
	uint32_t service;
	pid_t tid;
	volatile int started;
	long ret;
	int err;
};

static void *caller_main(void *arg)
{
	struct caller *c = arg;
	static char big[60000];
	char buf[16], cbuf[CMSG_SPACE(4)] = {0};
	struct sockaddr_bp to = ipn(TN_RESOLVED_NODE, c->service);
	struct iovec iov = { "c", 1 };
	struct msghdr m = { .msg_name = &to, .msg_namelen = 16, .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	int v = 3;
	socklen_t len = sizeof(v);

	c->tid = syscall(SYS_gettid);
	c->started = 1;
	errno = 0;
	switch (c->kind) {
	case 0:
		c->ret = bind_ipn(c->fd, 7, c->service);
		break;
	case 1:
		c->ret = setsockopt(c->fd, SOL_BP, BP_HOP_LIMIT, &v, sizeof(v));
		break;
	case 2:
		c->ret = getsockopt(c->fd, SOL_BP, BP_ORDINAL, &v, &len);
		break;
	case 3:
		cm->cmsg_level = SOL_BP;
		cm->cmsg_type = BP_HOP_LIMIT;
		cm->cmsg_len = CMSG_LEN(4);
		memcpy(CMSG_DATA(cm), &v, 4);
		c->ret = sendmsg(c->fd, &m, 0);
		break;
	case 4:
		c->ret = recv(c->fd, buf, sizeof(buf), 0);
		break;
	default:
		c->ret = send_to(c->fd, c->service, big, sizeof(big), 0);
	}
	c->err = errno;
	return NULL;
}

static int start_caller(pthread_t *t, struct caller *c)
{
	pthread_create(t, NULL, caller_main, c);
	while (!c->started)
		sched_yield();
	return thread_blocked(c->tid);
}

static void on_usr1(int sig)
{
}

static void t_node_death_during_calls(void)
{
	static const char *names[] = { "bind", "setsockopt", "getsockopt" };
	static const int want[] = { 0, ENETDOWN, ENETDOWN };
	struct caller c;
	pthread_t t;
	int k, fd;

	section("node death during bind, setsockopt, getsockopt");
	for (k = 0; k < 3; k++) {
		fd = bps();
		tn_lock(node);
		tn_ctl(node)->bind_hold = k == 0;
		tn_ctl(node)->opt_hold = k > 0;
		tn_unlock(node);
		memset(&c, 0, sizeof(c));
		c.fd = fd;
		c.kind = k;
		c.service = 100 + k;
		CHECK(start_caller(&t, &c), "%s waits for the node", names[k]);
		tn_kill(node);
		pthread_join(t, NULL);
		CHECK(want[k] ? c.ret == -1 && c.err == want[k] : c.ret == 0,
		      "the node dies: %s returns %s (%ld, %s)", names[k],
		      want[k] ? "ENETDOWN" : "0, bound kernel-only", c.ret, strerror(c.err));
		node = start_node(0);
		close(fd);
	}
}

static void t_unregister(void)
{
	int a = bound(104), b = bound(105);
	char ch;

	section("BP_CMD_UNREGISTER");
	CHECK(tn_unregister(node) == 0, "the node unregisters");
	CHECK_ERR(send_to(a, 105, "u", 1, 0), ENETDOWN, "then sends fail: ENETDOWN");
	CHECK(tn_unregister(node) == -EPERM, "a second UNREGISTER: EPERM (not the node)");
	CHECK(tn_register(node, BP_PROTOCOL_VERSION, 0, NULL, NULL) == 0 && tn_dump(node, NULL, 0) >= 0 &&
	      tn_node_state(node, 1, 1) == 0, "it registers again, dumps, says READY");
	CHECK(send_to(a, 105, "u", 1, 0) == 1 && recv_wait(b, &ch, 1, 0, NULL, NULL, 5000) == 1,
	      "and traffic flows");
	close(a);
	close(b);
}

static void t_signals_and_timeouts(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 }, old;	/* no SA_RESTART */
	struct caller c;
	pthread_t t;
	int a = bound(106), b = bound(107), v = 4096, k = 0, err = 0;
	struct timeval tv = { 0, 100000 };
	socklen_t len = sizeof(err);
	char buf[1000];
	long t0;

	section("signals and timeouts in blocked calls (EINTR, SO_RCVTIMEO, sync sends)");
	sigaction(SIGUSR1, &sa, &old);

	/* A send with a control message the node never answers: accepted after node_timeout_ms. */
	node_set_mode(node, TN_SEND_HOLD, 0);
	memset(&c, 0, sizeof(c));
	c.fd = a;
	c.kind = 3;
	c.service = 107;
	t0 = now_ms();
	caller_main(&c);
	CHECK(c.ret == 1 && now_ms() - t0 >= 900,
	      "a send with a cmsg, no verdict within node_timeout_ms: accepted (%ld, %ld ms)", c.ret,
	      now_ms() - t0);
	memset(&c, 0, sizeof(c));
	c.fd = a;
	c.kind = 3;
	c.service = 107;
	CHECK(start_caller(&t, &c), "another one waits for the verdict");
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	CHECK(c.ret == 1, "a signal: accepted all the same (%ld, %s)", c.ret, strerror(c.err));
	CHECK(NODE_WAIT(node, n_held, 2), "the node has both");
	tn_release_held(node, EINVAL);
	node_set_mode(node, TN_SEND_LOOPBACK, 0);
	CHECK(poll(&(struct pollfd){ .fd = a }, 1, 5000) == 1 &&
	      getsockopt(a, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == EINVAL,
	      "their later refusal is the pending error");

	/* A bind the node does not answer, interrupted. */
	bind_mode(node, 0, 1);
	memset(&c, 0, sizeof(c));
	c.fd = bps();
	c.kind = 0;
	c.service = 108;
	CHECK(start_caller(&t, &c), "a bind waits for the node");
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	CHECK(c.ret == -1 && c.err == EINTR, "a signal: EINTR (%s)", strerror(c.err));
	bind_mode(node, 0, 0);
	CHECK(bind_ipn(c.fd, 7, 108) == 0, "and it can bind again");
	close(c.fd);

	/* A recv on an empty socket, interrupted; then SO_RCVTIMEO. */
	memset(&c, 0, sizeof(c));
	c.fd = b;
	c.kind = 4;
	CHECK(start_caller(&t, &c), "a recv blocks");
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	CHECK(c.ret == -1 && c.err == EINTR, "a signal: EINTR (%s)", strerror(c.err));
	setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	t0 = now_ms();
	CHECK_ERR(recv(b, buf, sizeof(buf), 0), EAGAIN, "SO_RCVTIMEO 100 ms: EAGAIN");
	CHECK(now_ms() - t0 >= 90, "after %ld ms", now_ms() - t0);

	/* A send blocked on SO_SNDBUF (the node answers nothing), interrupted. */
	setsockopt(a, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	node_set_mode(node, TN_SEND_HOLD, 0);
	while (k < 1000 && send_to(a, 107, buf, sizeof(buf), MSG_DONTWAIT) == sizeof(buf))
		k++;
	memset(&c, 0, sizeof(c));
	c.fd = a;
	c.kind = 5;
	c.service = 107;
	CHECK(k < 1000 && start_caller(&t, &c), "a send blocks on a full SO_SNDBUF (%d sent)", k);
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	CHECK(c.ret == -1 && c.err == EINTR, "a signal: EINTR (%s)", strerror(c.err));
	node_set_mode(node, TN_SEND_LOOPBACK, 0);
	tn_release_held(node, 0);
	for (k = 0; readable(b, 2000); k++)
		recv(b, buf, sizeof(buf), 0);
	sigaction(SIGUSR1, &old, NULL);
	close(a);
	close(b);
}

/* A DELIVER refused: counted by socket, or by the node at large once RELEASE made it forget. */
static int cnd_deliver_refused(struct tn_ctl *c, void *arg)
{
	return c->n_deliver_err + c->n_reply_err >= *(unsigned int *)arg;
}

static void t_rx_blocked_node_death(void)
{
	int a = bound(109), b = bound(110), v = 4096, i, n = 0;
	unsigned int enobufs = NODE_GET(node, n_deliver_enobufs);
	char buf[1000];

	section("node death while a socket is rx-blocked; closing while a DELIVER is on its way");
	setsockopt(b, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	for (i = 0; i < 20; i++)
		send_to(a, 110, buf, sizeof(buf), 0);
	CHECK(NODE_WAIT(node, n_deliver_enobufs, enobufs + 1), "the socket refuses a DELIVER: rx-blocked");
	tn_kill(node);
	node = start_node(0);
	while (readable(b, 0) && recv(b, buf, sizeof(buf), 0) > 0)
		n++;
	CHECK(n > 0, "what was queued is read (%d)", n);
	CHECK(send_to(a, 110, "r", 1, 0) == 1 && recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) == 1,
	      "the new node's DELIVER is taken (it never heard of the refusal)");
	close(a);
	close(b);

	/* The node reads a SEND for b, b closes, then the node's DELIVER arrives: ENOENT. */
	a = bound(111);
	b = bound(112);
	enobufs = NODE_GET(node, n_deliver_err) + NODE_GET(node, n_reply_err) + 1;
	tn_pause(node, 1);
	CHECK(send_to(a, 112, "x", 1, 0) == 1, "a send while the node does not read");
	close(b);
	tn_pause(node, 0);
	CHECK(tn_wait(node, cnd_deliver_refused, &enobufs, 5000),
	      "the receiver closes first: the node's DELIVER is refused (ENOENT)");
	close(a);
}

static void t_node_overflow(void)
{
	enum { N = 150 };
	int a = bound(113), b = bound(114), v = 4 << 20, i, seen[N] = {0}, distinct = 0;
	unsigned int resync = NODE_GET(node, n_resync);
	char buf[1000];
	ssize_t n;

	section("the node's socket overflows (EAGAIN): ENOBUFS, dump, READY, retransmission");
	setsockopt(b, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	setsockopt(a, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));	/* all N in flight at once */
	tn_set_rcvbuf(node, 16384);
	tn_pause(node, 1);
	for (i = 0; i < N; i++) {
		memset(buf, 0, sizeof(buf));
		memcpy(buf, &i, sizeof(i));
		if (send_to(a, 114, buf, sizeof(buf), MSG_DONTWAIT) != sizeof(buf))
			break;
	}
	CHECK(i == N, "%d sends while the node does not read (%d)", N, i);
	/* Room again for what follows (acks too), now that the overflow has happened. */
	tn_set_rcvbuf(node, 64 << 20);
	tn_pause(node, 0);
	CHECK(NODE_WAIT(node, n_resync, resync + 1), "the node read ENOBUFS and resynchronised");
	while ((n = recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000)) == sizeof(buf)) {
		memcpy(&i, buf, sizeof(i));
		if (i >= 0 && i < N && !seen[i]++)
			distinct++;
		if (distinct == N)
			break;
	}
	CHECK(distinct == N, "all %d datagrams arrive after the retransmission (%d)", N, distinct);
	close(a);
	close(b);
	tn_kill(node);
	node = start_node(0);
}

static void t_netns_orphans(void)
{
	int st;
	pid_t pid;

	section("a namespace goes away with datagrams its node never answered");
	pid = fork();
	if (pid == 0) {
		struct tn *cn;
		char buf[3000] = {0};
		int i, s;

		if (unshare(CLONE_NEWNET))
			_exit(1);
		cn = tn_start(0);
		if (!cn)
			_exit(2);
		tn_lock(cn);
		tn_ctl(cn)->send_mode = TN_SEND_HOLD;
		tn_unlock(cn);
		for (i = 0; i < 5; i++) {
			s = bps();
			if (send_to(s, 999, buf, sizeof(buf), 0) != sizeof(buf))
				_exit(3);
			close(s);
		}
		_exit(0);	/* the node dies with the process, then the namespace */
	}
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "5 sent and closed in a child namespace, node held them, all exited (%d)",
	      WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

static long read_long(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? atol(buf) : -1;
}

/* Opens a socket, sends one MiB to an endpoint nobody binds, closes it: 0 or errno. */
static int churn_once(const void *mib)
{
	int s = bps(), r, e;

	r = send_to(s, 999, mib, 1 << 20, 0);
	e = errno;
	close(s);
	return r == 1 << 20 ? 0 : e;
}

/*
 * Issue 14, finding 1: datagrams of closed sockets are bounded per namespace (max_orphaned) and
 * charged to the sender's memory cgroup.
 */
static void t_orphans(void)
{
	const char *param = "/sys/module/bp/parameters/max_orphaned", *cg = "/tmp/bp_cgroup";
	char *mib = calloc(1, 1 << 20), path[128];
	long old = read_long(param), cur;
	unsigned int sends = NODE_GET(node, n_send);
	int i, e = 0, st, ok;
	pid_t pid;

	section("closed sockets' unsent datagrams: bounded per namespace, charged to the cgroup");
	CHECK(old > 0 && write_file(param, "8388608") == 0, "max_orphaned = 8 MiB (was %ld)", old);
	/* A window above the limit, so that BINDs are not queued behind unanswered SENDs. */
	tn_kill(node);
	node = start_node(32 << 20);
	sends = 0;
	node_set_mode(node, TN_SEND_HOLD, 0);	/* a slow node: it answers no SEND */
	for (i = 0; i < 100 && !e; i++)
		e = churn_once(mib);
	CHECK(e == ENOBUFS && i >= 3 && i <= 12,
	      "socket, send 1 MiB, close, with the node not answering: ENOBUFS at round %d", i);
	node_set_mode(node, TN_SEND_LOOPBACK, 0);
	tn_release_held(node, 0);
	CHECK(NODE_WAIT(node, n_send, sends + i - 1), "the node gets the %d accepted ones", i - 1);
	for (ok = 0; ok < 500 && churn_once(mib) == ENOBUFS; ok++)
		usleep(10000);	/* polling the module's counter: the last replies may be on their way */
	CHECK(ok < 500, "once it took them, sends are accepted again");
	NODE_WAIT(node, n_send, sends + i);

	/* Memory cgroup charge: a child in its own cgroup churns, exits; the charge remains. */
	mkdir(cg, 0755);
	if (mount("none", cg, "cgroup2", 0, NULL)) {
		printf("ok %d - # SKIP no cgroup2 (%s)\n", n_pass + n_fail + 1, strerror(errno));
		n_pass++;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cg);
	write_file(path, "+memory");
	snprintf(path, sizeof(path), "%s/bp_test", cg);
	mkdir(path, 0755);
	node_set_mode(node, TN_SEND_HOLD, 0);
	sends = NODE_GET(node, n_send);
	pid = fork();
	if (pid == 0) {
		snprintf(path, sizeof(path), "%s/bp_test/cgroup.procs", cg);
		if (write_file(path, "0"))
			_exit(1);
		for (i = 0; i < 4; i++)
			if (churn_once(mib))
				_exit(2);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	snprintf(path, sizeof(path), "%s/bp_test/memory.current", cg);
	cur = read_long(path);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 && cur >= 4L << 20,
	      "4 MiB sent by a process that exited stay charged to its cgroup (%ld bytes)", cur);
	node_set_mode(node, TN_SEND_LOOPBACK, 0);
	tn_release_held(node, 0);
	CHECK(NODE_WAIT(node, n_send, sends + 4), "the node takes them");
	for (ok = 0; ok < 500 && read_long(path) >= 1L << 20; ok++)
		usleep(10000);	/* polling the cgroup's counter: replies may be on their way */
	CHECK(read_long(path) < 1L << 20, "then the charge is gone (%ld bytes)", read_long(path));
	snprintf(path, sizeof(path), "%s/bp_test", cg);
	rmdir(path);
	umount(cg);
out:
	rmdir(cg);
	snprintf(path, sizeof(path), "%ld", old);
	write_file(param, path);
	free(mib);
	tn_kill(node);
	node = start_node(0);
}

/*
 * ---- allocation failures (issue 14, findings 8 and 9) ----
 * The module's allocations that must be survived are functions of their own marked
 * ALLOW_ERROR_INJECTION (bp_node.c); fail_function makes them return NULL. Debian's kernel has no
 * CONFIG_FAIL_FUNCTION: these checks are skipped there, visibly, and run on tools/vm/debug-kernel's
 * kernel (kmod/test/run --debug-kernel).
 */
#define FI_DIR "/sys/kernel/debug/fail_function"
#define FI_WHY "no fail_function in this kernel (CONFIG_FAIL_FUNCTION): kmod/test/run --debug-kernel runs it"

static int fi_available(void)
{
	if (access(FI_DIR "/inject", W_OK) == 0)
		return 1;
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	return access(FI_DIR "/inject", W_OK) == 0;
}

/*
 * Makes @func return NULL on its next @times calls, in whichever task makes them: the checks arm a
 * count while nothing else in the guest uses the module, and read back what is left (fi_disarm) to
 * know the failures happened. (fail_function's task filter matches only where its probe runs in
 * the task, at an ftrace entry: KPROBES_ON_FTRACE, which the debug kernel has for another reason.)
 * 0 or -1.
 */
static int fi_arm(const char *func, int times)
{
	char n[16];

	snprintf(n, sizeof(n), "%d", times);
	if (write_file(FI_DIR "/inject", func) || write_file(FI_DIR "/probability", "100") ||
	    write_file(FI_DIR "/interval", "1") || write_file(FI_DIR "/space", "0") ||
	    write_file(FI_DIR "/verbose", "1") || write_file(FI_DIR "/task-filter", "N") ||
	    write_file(FI_DIR "/times", n))
		return -1;
	return 0;
}

/* Stops all injection; returns how many of the armed failures were left unused. */
static long fi_disarm(void)
{
	long left = read_long(FI_DIR "/times");

	write_file(FI_DIR "/inject", "\n");	/* an empty name removes every function */
	return left;
}

/*
 * Finding 8: DRAINED was allocated when it was needed, after rx_blocked was cleared, and lost if
 * that failed: the node then waited for ever. It is the socket's own now, allocated with it.
 */
static void t_fail_drained(void)
{
	int a = bound(130), b = bound(131), v = 4096, i, n, ok = 1;
	unsigned int enobufs = NODE_GET(node, n_deliver_enobufs), drained;
	unsigned int del = NODE_GET(node, n_deliver), queued;
	uint64_t life = 60000;
	char buf[1000];
	long left;

	section("finding 8: DRAINED when no message can be allocated (fail_function)");
	if (!fi_available()) {
		skip("DRAINED reaches the node while bp_msg_alloc fails", FI_WHY);
		close(a);
		close(b);
		return;
	}
	setsockopt(b, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	memset(buf, 'm', sizeof(buf));
	for (i = 0; i < 12; i++)
		send_to(a, 131, buf, sizeof(buf), 0);
	CHECK(NODE_WAIT(node, n_deliver_enobufs, enobufs + 1), "the receiver is full: a DELIVER refused");
	/* The node now waits for DRAINED: it delivers nothing more to b until then. */
	queued = NODE_GET(node, n_deliver) - del;
	drained = NODE_GET(node, n_drained);
	CHECK(fi_arm("bp_msg_alloc", 100) == 0, "messages for the node fail to allocate (100 times)");
	CHECK_ERR(setsockopt(b, SOL_BP, BP_LIFETIME_MS, &life, sizeof(life)), ENOMEM,
		  "a SETOPT request made now fails with ENOMEM: the injection works");
	for (n = 0; n < (int)queued; n++)
		if (recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) != sizeof(buf))
			break;
	left = fi_disarm();
	CHECK(n > 0 && n == (int)queued && n < 12,
	      "the %u queued datagrams are read meanwhile: room again, DRAINED due", queued);
	CHECK(left == 99, "no message was allocated for it (%ld of 100 failures left)", left);
	CHECK(NODE_WAIT(node, n_drained, drained + 1), "the node is told DRAINED all the same");
	for (i = n; i < 12 && ok; i++)
		ok = recv_wait(b, buf, sizeof(buf), 0, NULL, NULL, 5000) == sizeof(buf);
	CHECK(ok, "and the %d refused datagrams arrive", 12 - n);
	close(a);
	close(b);
}

/*
 * Finding 9: the pump's packing buffer failing left the queue stalled (nothing pumped again); the
 * messages now go one by one. A failed clone stalled it too; a delayed work retries now.
 */
static void t_fail_pump(void)
{
	int a = bound(132), b = bound(133), got;
	char *big = malloc(16384), *rbuf = malloc(16384);
	unsigned int sends = NODE_GET(node, n_send);
	long left;

	section("finding 9: the pump without a packing buffer, without a clone (fail_function)");
	if (!fi_available()) {
		skip("a SEND goes out while bp_pack_alloc or bp_msg_clone fails", FI_WHY);
		goto out;
	}
	CHECK(fi_arm("bp_pack_alloc", 1) == 0, "the next packing buffer fails to allocate");
	CHECK(send_to(a, 133, "p", 1, 0) == 1, "a small send");
	got = recv_wait(b, rbuf, 16384, 0, NULL, NULL, 3000) == 1 && rbuf[0] == 'p';
	left = fi_disarm();
	CHECK(left == 0, "its packing buffer failed (%ld failures left)", left);
	CHECK(got && NODE_GET(node, n_send) == sends + 1,
	      "the SEND went alone, without packing: the datagram arrives");

	fill((uint8_t *)big, 16384, 9);
	CHECK(fi_arm("bp_msg_clone", 1) == 0, "the next clone of a message fails");
	CHECK(send_to(a, 133, big, 16384, 0) == 16384, "a 16 KiB send (too big to pack: cloned)");
	got = recv_wait(b, rbuf, 16384, 0, NULL, NULL, 3000) == 16384 && !memcmp(big, rbuf, 16384);
	left = fi_disarm();
	CHECK(left == 0, "its clone failed (%ld failures left)", left);
	CHECK(got, "the pump tried again later by itself: the datagram arrives, intact");
out:
	free(big);
	free(rbuf);
	close(a);
	close(b);
}

/*
 * Finding 9: DELIVER's copy of the ADU failing was refused with ENOBUFS, and the node waited for a
 * DRAINED that nothing would send. The socket's DRAINED now follows from the retry work.
 */
static void t_fail_deliver_copy(void)
{
	int a = bound(134), b = bound(135), got;
	unsigned int enobufs = NODE_GET(node, n_deliver_enobufs), drained = NODE_GET(node, n_drained);
	char c = 0;
	long left;

	section("finding 9: DELIVER without memory for the ADU's copy (fail_function)");
	if (!fi_available()) {
		skip("a DELIVER whose copy fails is retried after DRAINED", FI_WHY);
		close(a);
		close(b);
		return;
	}
	CHECK(fi_arm("bp_adu_alloc", 1) == 0, "the next ADU copy fails to allocate");
	CHECK(send_to(a, 135, "c", 1, 0) == 1, "a send to a socket with room");
	got = recv_wait(b, &c, 1, 0, NULL, NULL, 5000) == 1 && c == 'c';
	left = fi_disarm();
	CHECK(left == 0 && NODE_GET(node, n_deliver_enobufs) > enobufs,
	      "the DELIVER's copy failed: refused with ENOBUFS (%ld failures left)", left);
	CHECK(NODE_GET(node, n_drained) > drained, "DRAINED followed, though nobody read the socket");
	CHECK(got, "the node delivered again: the datagram arrives");
	close(a);
	close(b);
}

struct status_spam {
	volatile uint64_t id;		/* the socket to report on; 0: wait */
	volatile int stop;
	volatile unsigned int queued, gone, full, other;
	volatile int last_other;
	volatile uint64_t gone_id;	/* the last id refused with ENOENT */
};

/* The node's side: STATUS reports for spam->id as fast as they are acked. */
static void *status_spammer(void *arg)
{
	struct status_spam *sp = arg;
	uint64_t id;
	int r;

	while (!sp->stop) {
		id = sp->id;
		if (!id || id == sp->gone_id) {
			sched_yield();
			continue;
		}
		r = node_status(node, id, 136, BP_REPORT_DELIVERY, 1, 1, NULL, 0);
		if (r == 0) {
			sp->queued++;
		} else if (r == -ENOENT) {
			sp->gone++;
			sp->gone_id = id;
		} else if (r == -ENOBUFS) {
			sp->full++;
		} else {
			sp->other++;
			sp->last_other = r;
		}
	}
	return NULL;
}

/* Issue 14's paths: a socket closing while a STATUS for it (a send's outcome, a report) is on its way. */
static void t_status_at_close(void)
{
	enum { ROUNDS = 100 };
	int a = bps(), b = bound(137), on = 1, i, rounds_ok = 0, spins;
	unsigned int reply_err = NODE_GET(node, n_reply_err), q;
	struct status_spam sp = { 0 };
	char ext[256] = "";
	pthread_t t;
	uint64_t id;

	section("closing while a STATUS for the socket is on its way");
	CHECK(setsockopt(a, SOL_BP, BP_RECVSTATUS, &on, sizeof(on)) == 0 &&
	      bind_ipn(a, TN_RESOLVED_NODE, 136) == 0, "a socket that reads status records");
	id = tn_ctl(node)->last_bind_id;
	CHECK(node_status(node, id, 136, BP_REPORT_RECEPTION, 1, 1, ext, sizeof(ext)) == 0,
	      "a report for it is queued and never read");
	node_set_mode(node, TN_SEND_HOLD, 0);
	CHECK(send_to(a, 137, "s", 1, 0) == 1 && NODE_WAIT(node, n_held, 1),
	      "a send whose outcome the node holds back");
	close(a);
	tn_release_held(node, 0);
	node_set_mode(node, TN_SEND_LOOPBACK, 0);
	CHECK(tn_node_state(node, -1, 1) == 0 && NODE_GET(node, n_reply_err) == reply_err,
	      "the send's outcome (an ACCEPTED record) comes after close: acked 0, dropped");
	CHECK(node_status(node, id, 136, BP_REPORT_DELIVERY, 1, 1, ext, sizeof(ext)) == -ENOENT,
	      "a report after close: ENOENT (\"%s\")", ext);

	/* Reports racing with close: each is queued on the socket or refused, never anything else. */
	if (pthread_create(&t, NULL, status_spammer, &sp)) {
		CHECK(0, "start the reporting thread");
		close(b);
		return;
	}
	for (i = 0; i < ROUNDS; i++) {
		a = bps();
		if (setsockopt(a, SOL_BP, BP_RECVSTATUS, &on, sizeof(on)) ||
		    bind_ipn(a, TN_RESOLVED_NODE, 136)) {
			close(a);
			break;
		}
		q = sp.queued;
		sp.id = tn_ctl(node)->last_bind_id;
		for (spins = 0; spins < 5000 && sp.queued == q; spins++)
			usleep(1000);	/* polling the reporter's progress */
		close(a);
		for (spins = 0; spins < 5000 && sp.gone_id != sp.id; spins++)
			usleep(1000);
		if (sp.queued > q && sp.gone_id == sp.id)
			rounds_ok++;
	}
	sp.stop = 1;
	pthread_join(t, NULL);
	CHECK(rounds_ok == ROUNDS, "%d of %d sockets closed while reports for them came in: "
	      "queued before close, ENOENT after (%u queued, %u full, %u ENOENT)",
	      rounds_ok, ROUNDS, sp.queued, sp.full, sp.gone);
	CHECK(sp.other == 0, "no report got another answer (%u, last %d)", sp.other, sp.last_other);
	CHECK(!readable(b, 0) && poll(&(struct pollfd){ .fd = b }, 1, 0) == 0,
	      "none of it reached another socket");
	close(b);
}


/* The module's ring of recently queued bundle IDs per socket (BP_RX_IDS in bp.h, bp(7) NOTES). */
#define RX_IDS	256

/* No creation timestamp: deliver_id leaves CREATION_TIME and SEQUENCE out. */
#define NO_ID	UINT64_MAX

/*
 * A DELIVER as the node sends one: ct == NO_ID leaves CREATION_TIME and SEQUENCE out (a bundle
 * without an ID), frag < 0 leaves FRAG_OFFSET out, gen < 0 leaves RX_GEN out (a node that sends one
 * DELIVER at a time per socket); ext gets the extack's text.
 */
static int deliver_attrs(uint64_t sock_id, const struct tn_eid *src, const char *data, uint64_t ct,
			 uint64_t seq, int64_t frag, int64_t gen, char *ext, size_t ext_len)
{
	struct tn_buf tb;
	int r;

	tb_init(&tb);
	tb_u64(&tb, BP_A_SOCKET_ID, sock_id);
	tb_eid(&tb, BP_A_SRC_EID, src);
	tb_put(&tb, BP_A_PAYLOAD, data, strlen(data));
	if (ct != NO_ID) {
		tb_u64(&tb, BP_A_CREATION_TIME, ct);
		tb_u64(&tb, BP_A_SEQUENCE, seq);
	}
	if (frag >= 0)
		tb_u64(&tb, BP_A_FRAG_OFFSET, frag);
	if (gen >= 0)
		tb_u32(&tb, BP_A_RX_GEN, (uint32_t)gen);
	r = tn_raw(node, BP_CMD_DELIVER, tb.p, tb.len, ext, ext_len);
	tb_free(&tb);
	return r;
}

/* A DELIVER with a bundle ID (see deliver_attrs for NO_ID and frag < 0). */
static int deliver_id(uint64_t sock_id, const struct tn_eid *src, uint64_t ct, uint64_t seq,
		      int64_t frag, const char *data)
{
	return deliver_attrs(sock_id, src, data, ct, seq, frag, -1, NULL, 0);
}

static int deliver_no_id(uint64_t sock_id, const struct tn_eid *src, const char *data)
{
	return deliver_id(sock_id, src, NO_ID, 0, -1, data);
}

static uint64_t repeats(int fd)
{
	uint64_t v = ~0ULL;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_BP, BP_RECV_REPEATS, &v, &len) || len != sizeof(v))
		return ~0ULL;
	return v;
}

/* The datagram read from @fd is @want (5 s at most). */
static int recv_is(int fd, const char *want)
{
	char buf[64];
	ssize_t n = recv_wait(fd, buf, sizeof(buf), 0, NULL, NULL, 5000);

	return n == (ssize_t)strlen(want) && !memcmp(buf, want, n);
}

/*
 * Decision 0015: after a crash the node may DELIVER a bundle the socket already queued (same
 * bundle ID). The module acknowledges such a repeat as consumed (0) without queueing it again.
 */
static void t_repeats(void)
{
	struct tn_eid src = teid(3, 9), other = teid(4, 9), anon = teid(0, 0);
	int a = bound(70), b, r, ok, i;
	uint64_t a_id, b_id, v;
	socklen_t len;
	char buf[16];

	section("a repeated DELIVER (same bundle ID) is acknowledged, not queued twice");
	a_id = tn_ctl(node)->last_bind_id;
	b = bound(71);
	b_id = tn_ctl(node)->last_bind_id;
	CHECK(repeats(a) == 0, "BP_RECV_REPEATS is 0 on a new socket");
	v = 0;
	len = 4;
	CHECK_ERR(getsockopt(a, SOL_BP, BP_RECV_REPEATS, &v, &len), EINVAL,
		  "BP_RECV_REPEATS into 4 bytes: EINVAL");
	v = 1;
	CHECK_ERR(setsockopt(a, SOL_BP, BP_RECV_REPEATS, &v, sizeof(v)), ENOPROTOOPT,
		  "BP_RECV_REPEATS cannot be set: ENOPROTOOPT");

	CHECK(deliver_id(a_id, &src, 1000, 1, -1, "one") == 0 && recv_is(a, "one"),
	      "a bundle with an ID is delivered");
	r = deliver_id(a_id, &src, 1000, 1, -1, "one");
	CHECK(r == 0, "the same ID again: acknowledged as consumed (%d)", r);
	CHECK(!readable(a, 200), "and not queued: the application reads it once");
	CHECK(repeats(a) == 1, "BP_RECV_REPEATS is 1 (%llu)", (unsigned long long)repeats(a));
	CHECK(deliver_id(a_id, &src, 1000, 1, 0, "one") == 0 && !readable(a, 200) &&
	      repeats(a) == 2, "FRAG_OFFSET 0 is the same ID as none: a repeat, counted (2)");

	CHECK(deliver_id(a_id, &src, 1000, 2, -1, "one") == 0 && recv_is(a, "one"),
	      "another sequence number, same payload: delivered");
	CHECK(deliver_id(a_id, &src, 1001, 1, -1, "one") == 0 && recv_is(a, "one"),
	      "another creation time: delivered");
	CHECK(deliver_id(a_id, &other, 1000, 1, -1, "one") == 0 && recv_is(a, "one"),
	      "another source, same timestamp: delivered");
	CHECK(deliver_id(a_id, &src, 1000, 1, 500, "one") == 0 && recv_is(a, "one"),
	      "another fragment offset: delivered");
	CHECK(deliver_id(b_id, &src, 1000, 1, -1, "one") == 0 && recv_is(b, "one") &&
	      repeats(b) == 0, "the same ID to another socket: delivered (the IDs are per socket)");
	CHECK(deliver_no_id(a_id, &src, "n") == 0 && deliver_no_id(a_id, &src, "n") == 0 &&
	      recv_is(a, "n") && recv_is(a, "n"), "a DELIVER without CREATION_TIME is never a repeat");
	CHECK(deliver_id(a_id, &anon, 0, 0, -1, "z") == 0 && deliver_id(a_id, &anon, 0, 0, -1, "z") == 0 &&
	      recv_is(a, "z") && recv_is(a, "z"),
	      "an anonymous bundle (source ipn:0.0) has no unique ID: never a repeat");
	CHECK(repeats(a) == 2, "BP_RECV_REPEATS still 2");

	/* The ring: the last RX_IDS IDs. IDs 5000..5000+RX_IDS: RX_IDS + 1 distinct. */
	ok = 1;
	for (i = 0; i <= RX_IDS && ok; i++) {
		snprintf(buf, sizeof(buf), "r%d", i);
		ok = deliver_id(a_id, &src, 5000 + i, 0, -1, buf) == 0 && recv_is(a, buf);
	}
	CHECK(ok, "%d more distinct IDs delivered", RX_IDS + 1);
	CHECK(deliver_id(a_id, &src, 5001, 0, -1, "r1") == 0 && !readable(a, 200) &&
	      repeats(a) == 3, "the oldest of the last %d is still recognised", RX_IDS);
	CHECK(deliver_id(a_id, &src, 5000, 0, -1, "r0") == 0 && recv_is(a, "r0") &&
	      repeats(a) == 3, "one older than that is forgotten: delivered again (bp(7) NOTES)");
	close(a);
	close(b);
}

/* A DELIVER as a node of protocol version 2 sends one: with the RX_GEN it last heard (gen < 0: none). */
static int deliver_gen(uint64_t sock_id, const struct tn_eid *src, const char *data, int64_t gen,
		       char *ext, size_t ext_len)
{
	return deliver_attrs(sock_id, src, data, NO_ID, 0, -1, gen, ext, ext_len);
}

/*
 * The order of ADUs across a full socket. The node pipelines DELIVERs: some sent before it heard
 * that the socket refused one may reach the module after the application read and the module
 * said DRAINED. Were they queued, they would overtake the refused one, which the node sends
 * again only then. With RX_GEN they are refused too, and the node sends them all again in order.
 */
static void t_deliver_order(void)
{
	struct tn_eid src = teid(3, 9);
	struct tn_dump_entry dump[64];
	int a = bound(72), v = 1, sent = 0, r = 0, n, i, ok, found;
	unsigned int drained;
	uint64_t a_id;
	char buf[32], ext[256];

	section("DELIVER order across a full socket (RX_GEN)");
	a_id = tn_ctl(node)->last_bind_id;
	setsockopt(a, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	n = tn_dump(node, dump, 64);
	found = 0;
	for (i = 0; i < n; i++)
		if (dump[i].socket_id == a_id)
			found = dump[i].rx_gen == 0;
	CHECK(found, "SOCKET_GET lists a new socket with RX_GEN 0");
	while (sent < 10000) {
		snprintf(buf, sizeof(buf), "o%d", sent);
		r = deliver_gen(a_id, &src, buf, 0, NULL, 0);
		if (r)
			break;
		sent++;
	}
	CHECK(r == -ENOBUFS && sent > 0, "the socket fills: ENOBUFS after %d ADUs (%d)", sent, r);
	/* The node keeps "o<sent>"; the next DELIVER, sent before it heard, is refused as well. */
	CHECK(deliver_gen(a_id, &src, "late", 0, NULL, 0) == -ENOBUFS, "while full, RX_GEN 0: ENOBUFS");
	drained = NODE_GET(node, n_drained);
	ok = 1;
	for (i = 0; i < sent && ok; i++) {
		snprintf(buf, sizeof(buf), "o%d", i);
		ok = recv_is(a, buf);
	}
	CHECK(ok, "the application reads the %d queued, in order", sent);
	CHECK(NODE_WAIT(node, n_drained, drained + 1) && NODE_GET(node, last_drained_gen) == 1,
	      "DRAINED says RX_GEN 1 (%u)", NODE_GET(node, last_drained_gen));
	ext[0] = 0;
	r = deliver_gen(a_id, &src, "late", 0, ext, sizeof(ext));
	CHECK(r == -ENOBUFS && strstr(ext, "DRAINED"),
	      "a DELIVER sent before that DRAINED (RX_GEN 0) is refused although there is room: ENOBUFS (%d, \"%s\")",
	      r, ext);
	CHECK(!readable(a, 100), "and not queued");
	snprintf(buf, sizeof(buf), "o%d", sent);
	CHECK(deliver_gen(a_id, &src, buf, 1, NULL, 0) == 0 && deliver_gen(a_id, &src, "late", 1, NULL, 0) == 0,
	      "the node sends the refused ones again with RX_GEN 1: queued");
	CHECK(recv_is(a, buf) && recv_is(a, "late"), "the application reads them in the order they were sent");
	CHECK(deliver_gen(a_id, &src, "ahead", 5, NULL, 0) == 0 && recv_is(a, "ahead"),
	      "an RX_GEN ahead of the socket's is not refused");
	CHECK(deliver_gen(a_id, &src, "v1", -1, NULL, 0) == 0 && recv_is(a, "v1"),
	      "a DELIVER without RX_GEN is not checked");
	n = tn_dump(node, dump, 64);
	found = 0;
	for (i = 0; i < n; i++)
		if (dump[i].socket_id == a_id)
			found = dump[i].rx_gen == 1;
	CHECK(found, "SOCKET_GET lists the socket with RX_GEN 1, for a node that resynchronises");
	close(a);
}

/* recvmsg with room for @ctl bytes of control messages; *id gets a BP_RECVID message's. */
static ssize_t recv_id(int fd, char *buf, size_t len, size_t ctl, struct bp_bundle_id *id,
		       int *n_id, int *flags)
{
	union {
		char b[256];
		struct cmsghdr align;
	} cbuf;
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf.b,
			    .msg_controllen = ctl };
	struct cmsghdr *c;
	ssize_t n;

	*n_id = 0;
	if (!readable(fd, 5000))
		return -1;
	n = recvmsg(fd, &m, MSG_DONTWAIT);
	*flags = m.msg_flags;
	for (c = CMSG_FIRSTHDR(&m); n >= 0 && c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_BP && c->cmsg_type == BP_RECVID &&
		    c->cmsg_len == CMSG_LEN(sizeof(*id))) {
			memcpy(id, CMSG_DATA(c), sizeof(*id));
			(*n_id)++;
		}
	return n;
}

/* BP_RECVID: the bundle ID of each datagram as a control message. */
static void t_recvid(void)
{
	struct tn_eid src = teid(3, 9);
	struct bp_bundle_id id;
	int a = bound(72), v = -1, on = 1, off = 0, n_id, flags;
	socklen_t len = sizeof(v);
	uint64_t a_id = tn_ctl(node)->last_bind_id;
	char buf[16];
	ssize_t n;

	section("the bundle ID as a control message (BP_RECVID)");
	CHECK(getsockopt(a, SOL_BP, BP_RECVID, &v, &len) == 0 && v == 0 && len == sizeof(int),
	      "BP_RECVID is off by default");
	CHECK(deliver_id(a_id, &src, 1234, 5, -1, "a") == 0 &&
	      recv_id(a, buf, sizeof(buf), 256, &id, &n_id, &flags) == 1 && n_id == 0,
	      "off: no control message");
	CHECK_ERR(setsockopt(a, SOL_BP, BP_RECVID, &on, 1), EINVAL, "a 1-byte value: EINVAL");
	CHECK(setsockopt(a, SOL_BP, BP_RECVID, &on, sizeof(on)) == 0, "setsockopt BP_RECVID 1");
	len = sizeof(v);
	CHECK(getsockopt(a, SOL_BP, BP_RECVID, &v, &len) == 0 && v == 1, "getsockopt reads it back");

	memset(&id, 0, sizeof(id));
	n = -1;
	if (deliver_id(a_id, &src, 1234, 6, 77, "bc") == 0)
		n = recv_id(a, buf, sizeof(buf), 256, &id, &n_id, &flags);
	CHECK(n == 2 && n_id == 1, "on: one BP_RECVID control message with the datagram (%zd, %d, 0x%x)",
	      n, n_id, flags);
	CHECK(id.bi_creation_time == 1234 && id.bi_sequence == 6 && id.bi_frag_offset == 77,
	      "holding the DELIVER's creation time, sequence and fragment offset (%llu %llu %llu)",
	      (unsigned long long)id.bi_creation_time, (unsigned long long)id.bi_sequence,
	      (unsigned long long)id.bi_frag_offset);
	memset(&id, 0xff, sizeof(id));
	CHECK(deliver_id(a_id, &src, 1234, 7, -1, "d") == 0 &&
	      recv_id(a, buf, sizeof(buf), 256, &id, &n_id, &flags) == 1 && n_id == 1 &&
	      id.bi_sequence == 7 && id.bi_frag_offset == 0, "no FRAG_OFFSET: fragment offset 0");
	CHECK(deliver_no_id(a_id, &src, "e") == 0 &&
	      recv_id(a, buf, sizeof(buf), 256, &id, &n_id, &flags) == 1 && n_id == 0,
	      "a DELIVER without CREATION_TIME: no control message");
	CHECK(deliver_id(a_id, &src, 1234, 8, -1, "f") == 0 &&
	      recv_id(a, buf, sizeof(buf), CMSG_LEN(8), &id, &n_id, &flags) == 1 && n_id == 0 &&
	      (flags & MSG_CTRUNC), "too small a control buffer: MSG_CTRUNC, the data still read");
	CHECK(setsockopt(a, SOL_BP, BP_RECVID, &off, sizeof(off)) == 0 &&
	      deliver_id(a_id, &src, 1234, 9, -1, "g") == 0 &&
	      recv_id(a, buf, sizeof(buf), 256, &id, &n_id, &flags) == 1 && n_id == 0,
	      "off again: no control message");
	close(a);
}

/* BP_TESTS=t_x,t_y runs only those tests (with a node started for them), e.g. to repeat one. */
static int selected(const char *name)
{
	const char *only = getenv("BP_TESTS"), *p;
	size_t n = strlen(name);

	if (!only)
		return 1;
	for (p = only; (p = strstr(p, name)); p += n)
		if ((p == only || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return 1;
	return 0;
}

#define RUN(t) do {								\
	if (selected(#t)) {							\
		if (!node && strcmp(#t, "t_socket") && strcmp(#t, "t_no_node"))	\
			node = start_node(0);					\
		t();								\
	}									\
} while (0)
int main(int argc, char **argv)
{
	const char *s;

	s = getenv("BP_AF");
	if (s)
		af = atoi(s);
	s = getenv("BP_MAX_PAYLOAD");
	if (s)
		max_payload = strtoul(s, NULL, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	RUN(t_socket);
	RUN(t_no_node);
	RUN(t_addresses);
	RUN(t_send_recv);
	RUN(t_autobind);
	RUN(t_truncation);
	RUN(t_wakeups);
	RUN(t_options);
	RUN(t_errors);
	RUN(t_sizes);
	RUN(t_async_error);
	RUN(t_status);
	RUN(t_repeats);
	RUN(t_deliver_order);
	RUN(t_recvid);
	RUN(t_flow_control);
	RUN(t_rcvbuf);
	RUN(t_bind_failures);
	RUN(t_node_restart);
	RUN(t_close_pending);
	RUN(t_permissions);
	RUN(t_strict);
	RUN(t_netns);
	RUN(t_many_dump);
	RUN(t_node_errno);
	RUN(t_send_flags);
	RUN(t_filter);
	RUN(t_drained_cycles);
	RUN(t_nonblock);
	RUN(t_uniqueness);
	RUN(t_many_bound);
	RUN(t_autobind_exhausted);
	RUN(t_sndbuf_race);
	RUN(t_node_death_during_calls);
	RUN(t_unregister);
	RUN(t_signals_and_timeouts);
	RUN(t_rx_blocked_node_death);
	RUN(t_node_overflow);
	RUN(t_netns_orphans);
	RUN(t_orphans);
	RUN(t_status_at_close);
	RUN(t_fail_drained);
	RUN(t_fail_pump);
	RUN(t_fail_deliver_copy);
	if (node)
		tn_kill(node);

	printf("1..%d\n", n_pass + n_fail + n_skip);
	printf("%d passed, %d failed, %d skipped\n", n_pass, n_fail, n_skip);
	return n_fail ? 1 : 0;
}
