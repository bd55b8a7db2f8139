// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end tests of AF_BP sockets served by the real node (the Karaf distribution) through the
 * kernel module, run inside the test VM (itests/vm-e2e/guest.sh). Applications here are ordinary
 * programs: socket(), bind(), sendto(), recvfrom(), poll(), epoll().
 *
 *   bp_e2e test NODE              TAP functional suite against a node whose ipn number is NODE
 *                                 (BP_E2E_BACKEND=ion: the node's active backend is ION, see ion)
 *   bp_e2e wait-node SECONDS NODE wait until a node answers and its backend carries bundles
 *   bp_e2e expect-no-node         sendto fails with ENETDOWN
 *   bp_e2e recv EID SECONDS       bind EID, print the first datagram as "from SRC: TEXT"
 *   bp_e2e send FROM TO TEXT      bind FROM, send TEXT to TO
 *   bp_e2e bench NODE             AF_BP through the node against UDP on loopback, same sizes
 *   bp_e2e flow NODE SRC DSTNODE DSTSVC RECVSVC INTERVAL_MS CTL STATUS
 *                                 a steady flow from ipn:NODE.SRC to ipn:DSTNODE.DSTSVC, received on
 *                                 ipn:NODE.RECVSVC (= SRC: the destination echoes), steered by the
 *                                 file CTL while the node is changed (see cmd_flow)
 *   bp_e2e hold NODE COUNT BASE   bind COUNT sockets to ipn:NODE.BASE.., say "bound COUNT", then take
 *                                 commands from stdin (see cmd_hold); close them all at its end
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <linux/bp.h>

static int tests, failures;
static uint32_t node;
/*
 * The node's backend is ION 4.1.3 (BP_E2E_BACKEND=ion). Where ION differs, the check says what it
 * does instead: it cannot carry an empty ADU (the send is refused with EOPNOTSUPP, bp(7)), and
 * libbp cannot set a hop limit (a send asking for one is refused, as custody is by the embedded
 * node); ION honours custody.
 */
static int ion;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!cond)
		failures++;
	printf("%s %d - ", cond ? "ok" : "not ok", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!cond)
		printf(" (errno %d: %s)", errno, strerror(errno));
	printf("\n");
	fflush(stdout);
}

static struct sockaddr_bp ipn(uint32_t n, uint32_t s)
{
	struct sockaddr_bp a;

	memset(&a, 0, sizeof(a));
	a.bp_family = AF_BP;
	a.bp_scheme = BP_SCHEME_IPN;
	a.bp_addr.ipn.node_id = n;
	a.bp_addr.ipn.service_id = s;
	return a;
}

static int bound_socket(uint32_t service)
{
	struct sockaddr_bp a = ipn(node, service);
	int fd = socket(AF_BP, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, BP_SOCKADDR_IPN_LEN) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void fill(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 8));
}

static int same_ipn(const struct sockaddr_bp *a, socklen_t len, uint32_t n, uint32_t s)
{
	return len == BP_SOCKADDR_IPN_LEN && a->bp_family == AF_BP && a->bp_scheme == BP_SCHEME_IPN &&
	       a->bp_addr.ipn.node_id == n && a->bp_addr.ipn.service_id == s;
}

static int wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

/* Sizes from empty to the module's limit, both ways, with integrity and the source EID checked. */
static void test_sizes(int a, int b, uint32_t sa, uint32_t sb, size_t max)
{
	static const size_t sizes[] = { 0, 1, 100, 1000, 4096, 65507, 65536, 65537, 200000 };
	unsigned char *out = malloc(max), *in = malloc(max + 1);
	struct sockaddr_bp to, from;
	size_t i, n = sizeof(sizes) / sizeof(sizes[0]);
	socklen_t fl;
	ssize_t r;
	int dir;

	for (dir = 0; dir < 2; dir++) {
		int s = dir ? b : a, d = dir ? a : b;
		uint32_t ss = dir ? sb : sa, ds = dir ? sa : sb;

		for (i = 0; i <= n; i++) {
			size_t len = i < n ? sizes[i] : max;

			if (ion && len == 0)
				continue;	/* refused through ION: test_errors */
			to = ipn(node, ds);
			fill(out, len, (unsigned int)(len + dir));
			r = sendto(s, out, len, 0, (struct sockaddr *)&to, sizeof(to));
			if (r != (ssize_t)len) {
				ok(0, "sendto %zu bytes ipn:%u.%u -> ipn:%u.%u", len, node, ss, node, ds);
				continue;
			}
			fl = sizeof(from);
			memset(&from, 0, sizeof(from));
			r = wait_readable(d, 60000) ? recvfrom(d, in, max + 1, MSG_DONTWAIT,
							      (struct sockaddr *)&from, &fl) : -1;
			ok(r == (ssize_t)len && !memcmp(in, out, len) && same_ipn(&from, fl, node, ss),
			   "%zu bytes ipn:%u.%u -> ipn:%u.%u arrive whole, from the sender's EID", len,
			   node, ss, node, ds);
		}
	}
	free(out);
	free(in);
}

static void test_epoll_and_poll(int a, int b, uint32_t sb)
{
	struct epoll_event ev = { .events = EPOLLIN }, got;
	struct sockaddr_bp to = ipn(node, sb);
	struct pollfd p = { .fd = a, .events = POLLOUT };
	char c;
	int ep = epoll_create1(0);

	epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev);
	ok(epoll_wait(ep, &got, 1, 0) == 0, "epoll: nothing to read yet");
	ok(poll(&p, 1, 0) == 1 && (p.revents & POLLOUT), "poll: a fresh socket is writable");
	sendto(a, "w", 1, 0, (struct sockaddr *)&to, sizeof(to));
	ok(epoll_wait(ep, &got, 1, 60000) == 1 && (got.events & EPOLLIN),
	   "epoll wakes when a datagram arrives through the node");
	ok(recv(b, &c, 1, MSG_DONTWAIT) == 1 && c == 'w', "and the datagram is there");
	close(ep);
}

static void test_connect_send_write(int a, int b, uint32_t sa, uint32_t sb)
{
	struct sockaddr_bp peer = ipn(node, sb), from;
	socklen_t fl = sizeof(from);
	char buf[16];
	ssize_t r;

	ok(connect(a, (struct sockaddr *)&peer, sizeof(peer)) == 0, "connect to ipn:%u.%u", node, sb);
	ok(send(a, "via send", 8, 0) == 8, "send() on a connected socket");
	ok(write(a, "via write", 9) == 9, "write() on a connected socket");
	r = wait_readable(b, 60000) ? recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl)
				    : -1;
	ok(r == 8 && !memcmp(buf, "via send", 8) && same_ipn(&from, fl, node, sa), "send() arrived");
	r = wait_readable(b, 60000) ? recv(b, buf, sizeof(buf), 0) : -1;
	ok(r == 9 && !memcmp(buf, "via write", 9), "write() arrived");
	peer.bp_family = AF_UNSPEC;
	ok(connect(a, (struct sockaddr *)&peer, sizeof(peer.bp_family)) == 0, "disconnect");
}

/* The earlier bp-socket ABI: a 16-byte address whose bytes 2-3 are uninitialised padding. */
struct prior_art_sockaddr_bp {
	unsigned short bp_family;
	int bp_scheme;		/* an enum in the prior art */
	uint32_t node_id;
	uint32_t service_id;
};

static void test_prior_art_client(uint32_t s1, uint32_t s2)
{
	struct prior_art_sockaddr_bp me, to, from;
	socklen_t fl = sizeof(from);
	char buf[32];
	int fd1 = socket(AF_BP, SOCK_DGRAM, 0), fd2 = socket(AF_BP, SOCK_DGRAM, 0);
	ssize_t r;

	memset(&me, 0x5a, sizeof(me));
	me.bp_family = 28;
	me.bp_scheme = 1;
	me.node_id = node;
	me.service_id = s1;
	ok(sizeof(me) == 16 && bind(fd1, (struct sockaddr *)&me, sizeof(me)) == 0,
	   "prior-art client binds with its 16-byte address");
	me.service_id = s2;
	bind(fd2, (struct sockaddr *)&me, sizeof(me));
	memset(&to, 0xa5, sizeof(to));
	to.bp_family = 28;
	to.bp_scheme = 1;
	to.node_id = node;
	to.service_id = s2;
	ok(sendto(fd1, "Hello!", 7, 0, (struct sockaddr *)&to, sizeof(to)) == 7,
	   "prior-art client sends");
	r = wait_readable(fd2, 60000) ? recvfrom(fd2, buf, sizeof(buf), 0, (struct sockaddr *)&from,
						 &fl) : -1;
	ok(r == 7 && !strcmp(buf, "Hello!") && fl == 16 && from.node_id == node &&
	   from.service_id == s1, "prior-art client receives with a 16-byte source address");
	close(fd1);
	close(fd2);
}

/*
 * Options go to ipn:NODE.14, where nobody listens: the node keeps those bundles, and guest.sh reads
 * the options they were built with from "bp:bundles -v".
 */
static void test_options(int a, uint32_t service)
{
	uint64_t lifetime = 120000, got64 = 0;
	int cos = BP_COS_EXPEDITED, bad = 9, hop = 7;
	uint32_t reports = BP_REPORT_DELIVERY;
	socklen_t len = sizeof(got64);
	struct sockaddr_bp to = ipn(node, service);
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = "options", .iov_len = 7 };
	struct msghdr msg = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
			      .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;

	ok(getsockopt(a, SOL_BP, BP_LIFETIME_MS, &got64, &len) == 0 && got64 == 86400000,
	   "an unset lifetime reads back as the node's default, 86400000 ms");
	ok(setsockopt(a, SOL_BP, BP_LIFETIME_MS, &lifetime, sizeof(lifetime)) == 0,
	   "setsockopt BP_LIFETIME_MS 120000");
	ok(setsockopt(a, SOL_BP, BP_CLASS_OF_SERVICE, &cos, sizeof(cos)) == 0,
	   "setsockopt BP_CLASS_OF_SERVICE expedited");
	ok(setsockopt(a, SOL_BP, BP_STATUS_REPORTS, &reports, sizeof(reports)) == 0,
	   "setsockopt BP_STATUS_REPORTS delivery");
	len = sizeof(got64);
	ok(getsockopt(a, SOL_BP, BP_LIFETIME_MS, &got64, &len) == 0 && got64 == lifetime,
	   "getsockopt reads back what was set");
	errno = 0;
	ok(setsockopt(a, SOL_BP, BP_CLASS_OF_SERVICE, &bad, sizeof(bad)) < 0 && errno == EINVAL,
	   "the node refuses class of service 9 with EINVAL");
	errno = 0;
	ok(setsockopt(a, SOL_BP, 50, &bad, sizeof(bad)) < 0 && errno == ENOPROTOOPT,
	   "an option no extension handles fails with ENOPROTOOPT");
	ok(sendto(a, "socket options", 14, 0, (struct sockaddr *)&to, sizeof(to)) == 14,
	   "send with the socket's options");

	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_BP;
	cm->cmsg_type = BP_HOP_LIMIT;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &hop, sizeof(hop));
	/* ION refuses a hop limit once the send reaches it: test_errors. */
	if (!ion)
		ok(sendmsg(a, &msg, 0) == 7, "sendmsg with a BP_HOP_LIMIT 7 control message");
	hop = 300;
	memcpy(CMSG_DATA(cm), &hop, sizeof(hop));
	errno = 0;
	ok(sendmsg(a, &msg, 0) < 0 && errno == EINVAL,
	   "a control message with hop limit 300 fails the call with EINVAL");
	/* Back to the defaults for the tests that follow. */
	lifetime = 86400000;
	cos = BP_COS_NORMAL;
	reports = 0;
	setsockopt(a, SOL_BP, BP_LIFETIME_MS, &lifetime, sizeof(lifetime));
	setsockopt(a, SOL_BP, BP_CLASS_OF_SERVICE, &cos, sizeof(cos));
	setsockopt(a, SOL_BP, BP_STATUS_REPORTS, &reports, sizeof(reports));
	printf("# options: lifetime 120000 ms, expedited, delivery report; then hop limit 7\n");
}

/* The refusal of a send the socket's node accepted arrives as the socket's error: SO_ERROR says. */
static void expect_refused(int a, int want, const char *what)
{
	struct pollfd p = { .fd = a, .events = 0 };
	socklen_t len = sizeof(int);
	int err = 0, r;

	ok(poll(&p, 1, 60000) == 1 && (p.revents & POLLERR),
	   "%s: the refusal arrives as the socket's error", what);
	r = getsockopt(a, SOL_SOCKET, SO_ERROR, &err, &len);
	ok(r == 0 && err == want, "SO_ERROR says %s (got %d)", strerror(want), err);
}

/* ION: the empty datagram and the hop limit it cannot carry are refused, not lost. */
static void test_errors_ion(int a)
{
	struct sockaddr_bp bad = ipn(0, 5), peer = ipn(node, 16);
	int hop = 5, b = bound_socket(16);
	char c;

	errno = 0;
	ok(sendto(a, "x", 1, 0, (struct sockaddr *)&bad, sizeof(bad)) < 0 && errno == EINVAL,
	   "sendto ipn:0.5 fails with EINVAL");
	ok(sendto(a, "", 0, 0, (struct sockaddr *)&peer, sizeof(peer)) == 0,
	   "an empty datagram is accepted for sending");
	expect_refused(a, EOPNOTSUPP, "ION cannot carry an empty ADU");
	ok(setsockopt(a, SOL_BP, BP_HOP_LIMIT, &hop, sizeof(hop)) == 0, "setsockopt BP_HOP_LIMIT 5");
	ok(sendto(a, "h", 1, 0, (struct sockaddr *)&peer, sizeof(peer)) == 1,
	   "a send asking for a hop limit is accepted for sending");
	expect_refused(a, EOPNOTSUPP, "libbp cannot set a hop limit");
	ok(!wait_readable(b, 2000), "neither reaches the receiver (nothing within 2 s)");
	ok(recv(b, &c, 1, MSG_DONTWAIT) < 0 && errno == EAGAIN, "its queue is empty");
	close(b);
}

/* A backend that cannot honour an option refuses the send; the refusal reaches the socket. */
static void test_errors(int a)
{
	struct sockaddr_bp bad = ipn(0, 5), peer = ipn(node, 11);
	struct pollfd p = { .fd = a, .events = 0 };
	socklen_t len = sizeof(int);
	int err = 0, custody = BP_CUSTODY_REQUIRED;

	errno = 0;
	ok(sendto(a, "x", 1, 0, (struct sockaddr *)&bad, sizeof(bad)) < 0 && errno == EINVAL,
	   "sendto ipn:0.5 fails with EINVAL");
	ok(setsockopt(a, SOL_BP, BP_CUSTODY, &custody, sizeof(custody)) == 0,
	   "setsockopt BP_CUSTODY required (a valid option value)");
	ok(sendto(a, "x", 1, 0, (struct sockaddr *)&peer, sizeof(peer)) == 1,
	   "a send asking for custody is accepted for sending");
	ok(poll(&p, 1, 60000) == 1 && (p.revents & POLLERR),
	   "the embedded node cannot honour custody: the refusal arrives as the socket's error");
	ok(getsockopt(a, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == EOPNOTSUPP,
	   "SO_ERROR says EOPNOTSUPP");
	custody = BP_CUSTODY_NONE;
	setsockopt(a, SOL_BP, BP_CUSTODY, &custody, sizeof(custody));
}

/* More datagrams than a receive buffer holds: the node keeps the rest until the reader drains. */
static void test_backpressure(int a, int b, uint32_t sb)
{
	enum { N = 3000 };
	struct sockaddr_bp to = ipn(node, sb);
	char buf[128];
	int i, sent = 0, inorder = 1, got = 0;

	for (i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "%08d", i);
		memset(buf + 8, 'x', 92);
		if (sendto(a, buf, 100, 0, (struct sockaddr *)&to, sizeof(to)) == 100)
			sent++;
	}
	ok(sent == N, "%d datagrams of 100 bytes accepted while nobody reads", N);
	for (i = 0; i < N; i++) {
		if (!wait_readable(b, 60000))
			break;
		if (recv(b, buf, sizeof(buf), 0) != 100)
			break;
		if (atoi(buf) != i)
			inorder = 0;
		got++;
	}
	ok(got == N, "all %d arrive once the reader reads (got %d)", N, got);
	ok(inorder, "in the order they were sent");
	/* A marker sent now must be the next datagram: a duplicate would come before it. */
	memcpy(buf, "marker", 7);
	sendto(a, buf, 7, 0, (struct sockaddr *)&to, sizeof(to));
	ok(wait_readable(b, 60000) && recv(b, buf, sizeof(buf), 0) == 7 && !strcmp(buf, "marker"),
	   "and nothing more (the next datagram is a marker sent after them: no duplicates)");
}

/*
 * The same through a receive buffer of a few datagrams, read as they come: the socket fills and
 * drains hundreds of times while the node pipelines DELIVERs to it, so DELIVERs sent before the
 * node heard of a refusal keep arriving after the DRAINED (RX_GEN, docs/netlink-protocol.md).
 */
static void test_order_small_buffer(int a, uint32_t sb)
{
	enum { N = 2000 };
	struct sockaddr_bp to = ipn(node, sb);
	int b = bound_socket(sb), i, sent = 0, got = 0, inorder = 1, first_bad = -1, rcv = 1;
	char buf[128];

	if (b < 0) {
		ok(0, "bind ipn:%u.%u", node, sb);
		return;
	}
	setsockopt(b, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	for (i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "%08d", i);
		memset(buf + 8, 'y', 92);
		if (sendto(a, buf, 100, 0, (struct sockaddr *)&to, sizeof(to)) == 100)
			sent++;
	}
	for (i = 0; i < sent; i++) {
		if (!wait_readable(b, 60000) || recv(b, buf, sizeof(buf), 0) != 100)
			break;
		if (atoi(buf) != i && inorder) {
			inorder = 0;
			first_bad = i;
		}
		got++;
	}
	ok(sent == N && got == N, "through the smallest SO_RCVBUF: all %d arrive (got %d)", N, got);
	ok(inorder, "in the order they were sent, though the socket filled and drained all along (first out of order: %d)",
	   first_bad);
	close(b);
}

static int cmd_test(void)
{
	size_t max = 1 << 20;
	FILE *f = fopen("/sys/module/bp/parameters/max_payload", "r");
	int a, b;

	if (f) {
		if (fscanf(f, "%zu", &max) != 1)
			max = 1 << 20;
		fclose(f);
	}
	a = bound_socket(10);
	b = bound_socket(11);
	ok(a >= 0 && b >= 0, "bind ipn:%u.10 and ipn:%u.11 through the node", node, node);
	if (a < 0 || b < 0)
		return 1;
	test_sizes(a, b, 10, 11, max);
	test_epoll_and_poll(a, b, 11);
	test_connect_send_write(a, b, 10, 11);
	test_prior_art_client(12, 13);
	test_options(a, 14);
	test_backpressure(a, b, 11);
	test_order_small_buffer(a, 17);
	if (ion)
		test_errors_ion(a);
	else
		test_errors(a);
	close(a);
	close(b);
	printf("# %d tests, %d failed\n", tests, failures);
	return failures != 0;
}

/*
 * A node answers (getsockopt of an unset option needs it) and carries bundles (an empty datagram
 * to the probe service ipn:NODE.99 is accepted, not refused with ENETUNREACH).
 */
static int cmd_wait_node(int seconds)
{
	struct sockaddr_bp probe = ipn(node, 99);
	time_t end = time(NULL) + seconds;
	uint64_t v;
	socklen_t len;
	int fd = socket(AF_BP, SOCK_DGRAM, 0);

	if (fd < 0) {
		perror("socket(AF_BP)");
		return 1;
	}
	while (time(NULL) < end) {
		len = sizeof(v);
		if (getsockopt(fd, SOL_BP, BP_LIFETIME_MS, &v, &len) == 0 &&
		    sendto(fd, "", 0, 0, (struct sockaddr *)&probe, sizeof(probe)) == 0) {
			close(fd);
			return 0;
		}
		usleep(200000);
	}
	fprintf(stderr, "no node answered within %d s (%s)\n", seconds, strerror(errno));
	return 1;
}

static int cmd_expect_no_node(void)
{
	struct sockaddr_bp to = ipn(1, 1);
	int fd = socket(AF_BP, SOCK_DGRAM, 0);

	errno = 0;
	if (sendto(fd, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)) < 0 && errno == ENETDOWN)
		return 0;
	fprintf(stderr, "expected ENETDOWN, got %s\n", strerror(errno));
	return 1;
}

/* ---- benchmark: a harness that prints figures; nothing here is asserted ---- */

struct bench {
	int rx;
	size_t size;
	long count;
	long received;
	int quiet_ms;		/* give up after this long without a datagram */
	double last;		/* when the last datagram arrived */
};

static double now(void);

static void *bench_reader(void *arg)
{
	struct bench *b = arg;
	char *buf = malloc(b->size + 1);

	/* UDP may drop under load: stop after a quiet spell and time to the last arrival. */
	while (b->received < b->count && wait_readable(b->rx, b->quiet_ms) &&
	       recv(b->rx, buf, b->size + 1, 0) >= 0) {
		b->received++;
		b->last = now();
	}
	free(buf);
	return NULL;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * ---- flow: a sender and a receiver at a steady rate while the node is changed under them ----
 *
 * The sender sends datagram after datagram (a sequence number, its length and a pattern made from
 * it) every interval, on the same socket for the whole run. A send the kernel refuses is retried
 * with the same number after 10 ms; the errno is counted, and one that is not transient (anything
 * but ENETDOWN, ENETUNREACH, ENOBUFS, EAGAIN) is a failure. The receiver checks every datagram's
 * source, length and pattern, and counts losses and duplicates. With BP_RECVSTATUS on the sender,
 * a send the node refused after sendto() returned (a FAILED record) is counted with its errno.
 *
 * The guest script steers it through a control file, one line at a time: "phase NAME" closes the
 * current phase (its figures are printed) and opens the next; "stop" stops sending, waits up to
 * 120 s for every datagram sent, prints the last phase and the totals. A status file, rewritten
 * every 100 ms, says "SENT RECEIVED" so that the script can wait for traffic to flow again.
 */
#define FLOW_MAX (1 << 20)
#define FLOW_MAGIC 0x42504657u

struct flow {
	pthread_mutex_t lock;
	int tx, rx;			/* rx == tx: the echo service sends each datagram back */
	uint32_t from_node, from_service;	/* the source every datagram must carry */
	struct sockaddr_bp to;
	int interval_ms;
	volatile int stopping;
	/* guarded by lock */
	uint32_t sent;			/* sequence numbers 0 .. sent-1 were accepted by sendto */
	uint32_t received, duplicates, corrupt, bad_errno, failed_records, accepted_records;
	unsigned char *seen;
	/* the current phase */
	char phase[64];
	double phase_start, last_rx, last_tx_ok, longest_gap, longest_gap_at, longest_call, longest_no_send;
	uint32_t phase_sent, phase_received, phase_refused[160], phase_failed[160];
};

static void flow_fill(unsigned char *buf, uint32_t seq, size_t len)
{
	uint32_t head[3] = { FLOW_MAGIC, seq, (uint32_t)len };

	fill(buf, len, seq);
	memcpy(buf, head, sizeof(head));
}

static size_t flow_len(uint32_t seq)
{
	return 64 + (seq * 37) % 1000;
}

static const char *flow_errname(int e)
{
	static char other[16];

	switch (e) {
	case ENETDOWN: return "ENETDOWN";
	case ENETUNREACH: return "ENETUNREACH";
	case ENOBUFS: return "ENOBUFS";
	case EAGAIN: return "EAGAIN";
	case EBADF: return "EBADF";
	case EIO: return "EIO";
	case EINVAL: return "EINVAL";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EMSGSIZE: return "EMSGSIZE";
	}
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

static void flow_errnos(const char *what, const uint32_t *counts)
{
	int e, any = 0;

	printf("%s", what);
	for (e = 0; e < 160; e++) {
		if (counts[e]) {
			printf("%s %s x%u", any ? "," : "", flow_errname(e), counts[e]);
			any = 1;
		}
	}
	if (!any)
		printf(" none");
}

/* Prints the phase's figures and opens NAME (NULL: none). Caller holds the lock. */
static void flow_phase(struct flow *f, const char *name)
{
	double t = now(), gap = t - f->last_rx;

	if (f->phase[0]) {
		if (gap > f->longest_gap && f->phase_received == 0) {
			f->longest_gap = gap;
			f->longest_gap_at = f->last_rx;
		}
		printf("phase %s: %.1f s, sent %u, received %u, longest pause in receiving %.0f ms "
		       "(from %.1f s into the phase), longest without a successful send %.0f ms, longest sendto %.0f ms;",
		       f->phase, t - f->phase_start, f->phase_sent, f->phase_received, f->longest_gap * 1000,
		       f->longest_gap_at > f->phase_start ? f->longest_gap_at - f->phase_start : 0.0,
		       f->longest_no_send * 1000, f->longest_call * 1000);
		flow_errnos(" refused at sendto:", f->phase_refused);
		printf(";");
		flow_errnos(" refused after sendto (FAILED records):", f->phase_failed);
		printf("\n");
		fflush(stdout);
	}
	if (!name)
		return;
	snprintf(f->phase, sizeof(f->phase), "%s", name);
	f->phase_start = t;
	f->longest_gap = f->longest_call = f->longest_no_send = 0;
	f->longest_gap_at = 0;
	f->phase_sent = f->phase_received = 0;
	memset(f->phase_refused, 0, sizeof(f->phase_refused));
	memset(f->phase_failed, 0, sizeof(f->phase_failed));
}

static int flow_transient(int e)
{
	return e == ENETDOWN || e == ENETUNREACH || e == ENOBUFS || e == EAGAIN;
}

static void *flow_sender(void *arg)
{
	struct flow *f = arg;
	unsigned char buf[1200];
	uint32_t seq = 0;
	double next = now(), t0, t1;

	while (!f->stopping && seq < FLOW_MAX) {
		size_t len = flow_len(seq);
		ssize_t r;
		int e;

		flow_fill(buf, seq, len);
		t0 = now();
		r = sendto(f->tx, buf, len, 0, (struct sockaddr *)&f->to, sizeof(f->to));
		e = errno;
		t1 = now();
		pthread_mutex_lock(&f->lock);
		if (t1 - t0 > f->longest_call)
			f->longest_call = t1 - t0;
		if (r == (ssize_t)len) {
			if (t1 - f->last_tx_ok > f->longest_no_send)
				f->longest_no_send = t1 - f->last_tx_ok;
			f->last_tx_ok = t1;
			f->sent = ++seq;
			f->phase_sent++;
		} else {
			if (r >= 0)
				e = EMSGSIZE;
			if (!flow_transient(e)) {
				f->bad_errno++;
				printf("# sendto of %u: %s (not a transient errno)\n", seq, strerror(e));
			}
			f->phase_refused[e < 160 ? e : 0]++;
		}
		pthread_mutex_unlock(&f->lock);
		if (r != (ssize_t)len) {
			usleep(10000);
			continue;
		}
		next += f->interval_ms / 1000.0;
		t1 = next - now();
		if (t1 > 0)
			usleep((useconds_t)(t1 * 1e6));
		else
			next -= t1;	/* behind: the next one now, no catching up in a burst */
	}
	return NULL;
}

static void flow_errqueue(struct flow *f)
{
	char cbuf[256];
	struct bp_status st;
	struct msghdr m = { .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;

	while (recvmsg(f->tx, &m, MSG_ERRQUEUE | MSG_DONTWAIT) >= 0) {
		c = CMSG_FIRSTHDR(&m);
		if (c && c->cmsg_level == SOL_BP && c->cmsg_type == BP_RECVSTATUS) {
			memcpy(&st, CMSG_DATA(c), sizeof(st));
			pthread_mutex_lock(&f->lock);
			if (st.bs_status & BP_STATUS_FAILED) {
				f->failed_records++;
				f->phase_failed[st.bs_errno > 0 && st.bs_errno < 160 ? st.bs_errno : 0]++;
				printf("# send %u refused by the node after sendto: %s\n", st.bs_send_id,
				       strerror(st.bs_errno));
			} else if (st.bs_status & BP_STATUS_ACCEPTED) {
				f->accepted_records++;
			}
			pthread_mutex_unlock(&f->lock);
		}
		m.msg_controllen = sizeof(cbuf);
	}
}

static void *flow_receiver(void *arg)
{
	struct flow *f = arg;
	unsigned char buf[2048], want[1200];
	struct sockaddr_bp from;
	socklen_t fl;
	uint32_t head[3];
	ssize_t r;

	for (;;) {
		struct pollfd p[2] = { { .fd = f->rx, .events = POLLIN }, { .fd = f->tx, .events = 0 } };
		int np = f->rx == f->tx ? 1 : 2;

		if (f->stopping > 1)
			break;
		if (poll(p, np, 100) <= 0)
			continue;
		if ((p[0].revents | (np > 1 ? p[1].revents : 0)) & POLLERR)
			flow_errqueue(f);
		if (!(p[0].revents & POLLIN))
			continue;
		fl = sizeof(from);
		r = recvfrom(f->rx, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
		if (r < 0) {
			if (errno != EAGAIN) {
				pthread_mutex_lock(&f->lock);
				f->bad_errno++;
				pthread_mutex_unlock(&f->lock);
				printf("# recvfrom: %s\n", strerror(errno));
				usleep(10000);
			}
			continue;
		}
		pthread_mutex_lock(&f->lock);
		if (r >= (ssize_t)sizeof(head))
			memcpy(head, buf, sizeof(head));
		if (r < (ssize_t)sizeof(head) || head[0] != FLOW_MAGIC || head[1] >= FLOW_MAX ||
		    head[2] != (uint32_t)r || r != (ssize_t)flow_len(head[1]) ||
		    !same_ipn(&from, fl, f->from_node, f->from_service)) {
			f->corrupt++;
			printf("# a datagram of %zd bytes that is not one of ours\n", r);
		} else {
			flow_fill(want, head[1], (size_t)r);
			if (memcmp(want, buf, (size_t)r)) {
				f->corrupt++;
				printf("# datagram %u: its payload differs\n", head[1]);
			} else if (f->seen[head[1]]++) {
				f->duplicates++;
				printf("# datagram %u received again\n", head[1]);
			} else {
				double t = now();

				if (t - f->last_rx > f->longest_gap) {
					f->longest_gap = t - f->last_rx;
					f->longest_gap_at = f->last_rx;
				}
				f->last_rx = t;
				f->received++;
				f->phase_received++;
			}
		}
		pthread_mutex_unlock(&f->lock);
	}
	return NULL;
}

/* bp_e2e flow NODE SRC DSTNODE DSTSVC RECVSVC INTERVAL_MS CTLFILE STATUSFILE */
static int cmd_flow(char **argv)
{
	struct flow f = { .lock = PTHREAD_MUTEX_INITIALIZER };
	uint32_t src = strtoul(argv[0], NULL, 10), dst_node = strtoul(argv[1], NULL, 10);
	uint32_t dst_svc = strtoul(argv[2], NULL, 10), recv_svc = strtoul(argv[3], NULL, 10);
	const char *ctl = argv[5], *status = argv[6];
	char line[128], tmp[256];
	uint64_t lifetime = 600000;
	int on = 1, ok_exit;
	long off = 0;
	double deadline = 0;
	pthread_t st, rt;
	uint32_t i, lost = 0;

	f.interval_ms = atoi(argv[4]);
	f.seen = calloc(FLOW_MAX, 1);
	f.tx = bound_socket(src);
	f.rx = recv_svc == src ? f.tx : bound_socket(recv_svc);
	if (f.tx < 0 || f.rx < 0) {
		perror("flow: bind");
		return 1;
	}
	/* A bundle option, so that every send goes through the options extension. */
	if (setsockopt(f.tx, SOL_BP, BP_LIFETIME_MS, &lifetime, sizeof(lifetime)) ||
	    setsockopt(f.tx, SOL_BP, BP_RECVSTATUS, &on, sizeof(on))) {
		perror("flow: setsockopt");
		return 1;
	}
	f.to = ipn(dst_node, dst_svc);
	f.from_node = recv_svc == src ? dst_node : node;
	f.from_service = recv_svc == src ? dst_svc : src;
	f.last_rx = f.last_tx_ok = now();
	flow_phase(&f, "start");
	pthread_create(&st, NULL, flow_sender, &f);
	pthread_create(&rt, NULL, flow_receiver, &f);
	printf("# flow ipn:%u.%u -> ipn:%u.%u, received on ipn:%u.%u, one datagram every %d ms\n", node, src,
	       dst_node, dst_svc, node, recv_svc, f.interval_ms);
	fflush(stdout);
	for (;;) {
		FILE *c = fopen(ctl, "r");
		FILE *s;

		if (c && fseek(c, off, SEEK_SET) == 0) {
			while (fgets(line, sizeof(line), c) && strchr(line, '\n')) {
				off = ftell(c);
				*strchr(line, '\n') = 0;
				pthread_mutex_lock(&f.lock);
				if (!strncmp(line, "phase ", 6)) {
					flow_phase(&f, line + 6);
				} else if (!strcmp(line, "stop") && !f.stopping) {
					f.stopping = 1;
					deadline = now() + 120;
				}
				pthread_mutex_unlock(&f.lock);
			}
		}
		if (c)
			fclose(c);
		snprintf(tmp, sizeof(tmp), "%s.new", status);
		s = fopen(tmp, "w");
		if (s) {
			pthread_mutex_lock(&f.lock);
			fprintf(s, "%u %u\n", f.sent, f.received);
			pthread_mutex_unlock(&f.lock);
			fclose(s);
			rename(tmp, status);
		}
		if (f.stopping) {
			int done;

			pthread_mutex_lock(&f.lock);
			done = f.received >= f.sent || now() > deadline;
			pthread_mutex_unlock(&f.lock);
			if (done)
				break;
		}
		usleep(100000);
	}
	pthread_join(st, NULL);
	usleep(300000);		/* the last status records and any late duplicate */
	f.stopping = 2;
	pthread_join(rt, NULL);
	flow_errqueue(&f);
	pthread_mutex_lock(&f.lock);
	flow_phase(&f, NULL);
	for (i = 0; i < f.sent; i++) {
		if (!f.seen[i]) {
			if (lost < 20)
				printf("# datagram %u never arrived\n", i);
			lost++;
		}
	}
	ok_exit = !lost && !f.duplicates && !f.corrupt && !f.bad_errno && !f.failed_records;
	printf("flow: %u sent, %u received, %u lost, %u duplicated, %u corrupt, %u non-transient errnos, "
	       "%u refused after sendto, %u ACCEPTED records\n", f.sent, f.received, lost, f.duplicates,
	       f.corrupt, f.bad_errno, f.failed_records, f.accepted_records);
	pthread_mutex_unlock(&f.lock);
	close(f.tx);
	if (f.rx != f.tx)
		close(f.rx);
	return ok_exit ? 0 : 1;
}

static double run_bench(int tx, int rx, struct sockaddr *to, socklen_t tolen, size_t size,
			long count, int quiet_ms, long *received)
{
	struct bench b = { .rx = rx, .size = size, .count = count, .quiet_ms = quiet_ms };
	char *buf = calloc(1, size);
	pthread_t t;
	double t0;
	long i;

	pthread_create(&t, NULL, bench_reader, &b);
	t0 = now();
	for (i = 0; i < count; i++)
		while (sendto(tx, buf, size, 0, to, tolen) < 0 && errno == ENOBUFS)
			;
	pthread_join(t, NULL);
	*received = b.received;
	free(buf);
	return b.last - t0;
}

static int cmd_bench(void)
{
	static const size_t sizes[] = { 100, 1024, 65000 };
	static const long counts[] = { 20000, 20000, 2000 };
	int i;

	printf("# size      AF_BP msg/s   AF_BP MB/s     UDP msg/s     UDP MB/s  ratio msg/s  ratio MB/s\n");
	for (i = 0; i < 3; i++) {
		struct sockaddr_bp bto = ipn(node, 31);
		struct sockaddr_in uto = { .sin_family = AF_INET, .sin_port = htons(47321),
					   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int btx = bound_socket(30), brx = bound_socket(31), rcv = 4 << 20;
		int utx = socket(AF_INET, SOCK_DGRAM, 0), urx = socket(AF_INET, SOCK_DGRAM, 0);
		long bgot, ugot;
		double bt, ut, bm, um;

		/* Both senders and receivers get the same 4 MiB buffers. */
		setsockopt(brx, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
		setsockopt(urx, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
		setsockopt(btx, SOL_SOCKET, SO_SNDBUF, &rcv, sizeof(rcv));
		setsockopt(utx, SOL_SOCKET, SO_SNDBUF, &rcv, sizeof(rcv));
		bind(urx, (struct sockaddr *)&uto, sizeof(uto));
		/* A first quarter run warms the node's compiled code; only the second run counts. */
		run_bench(btx, brx, (struct sockaddr *)&bto, sizeof(bto), sizes[i], counts[i] / 4, 60000,
			  &bgot);
		/* AF_BP loses nothing: wait as long as it takes. UDP drops: a quiet second ends it. */
		bt = run_bench(btx, brx, (struct sockaddr *)&bto, sizeof(bto), sizes[i], counts[i], 60000,
			       &bgot);
		ut = run_bench(utx, urx, (struct sockaddr *)&uto, sizeof(uto), sizes[i], counts[i], 1000,
			       &ugot);
		bm = bgot / bt;
		um = ugot / ut;
		printf("# %-6zu %12.0f %12.2f %13.0f %12.2f %12.2f %11.2f  (received %ld/%ld and %ld/%ld)\n",
		       sizes[i], bm, bm * sizes[i] / 1e6, um, um * sizes[i] / 1e6, bm / um, bm / um,
		       bgot, counts[i], ugot, counts[i]);
		close(btx);
		close(brx);
		close(utx);
		close(urx);
	}
	return 0;
}

/* Appends one SOL_BP control message to msg (whose buffer has room). */
static struct cmsghdr *add_cmsg(struct msghdr *msg, struct cmsghdr *prev, int type, const void *val,
				size_t len)
{
	struct cmsghdr *cm = prev ? CMSG_NXTHDR(msg, prev) : CMSG_FIRSTHDR(msg);

	cm->cmsg_level = SOL_BP;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(len);
	memcpy(CMSG_DATA(cm), val, len);
	return cm;
}

/*
 * Every baseline option a backend carries in the bundle, set once with setsockopt (a bundle for
 * ipn:PEER.77) and once with control messages (ipn:PEER.78). Nobody listens there: the peer node
 * keeps both, and the host reads the options they arrived with from its "bp:bundles -v". Their
 * reception reports go to ipn:NODE.51, a socket that reads status records: when both arrived, the
 * bundles are at the peer.
 */
static int cmd_peer(uint32_t peer)
{
	int a = bound_socket(50), b = bound_socket(52), rep = bound_socket(51), on = 1;
	/* Long enough to outlast the rest of the suite: the host reads the peer's bundles at the end. */
	uint64_t life_a = 3000000, life_b = 4000000;
	int exp = BP_COS_EXPEDITED, bulk = BP_COS_BULK, ord9 = 9, ord0 = 0, hop9 = 9, hop11 = 11;
	uint32_t rep_a = BP_REPORT_RECEPTION | BP_REPORT_FORWARDING, rep_b = BP_REPORT_RECEPTION;
	struct sockaddr_bp report_to = ipn(node, 51), to_a = ipn(peer, 77), to_b = ipn(peer, 78), by;
	char cbuf[8 * CMSG_SPACE(sizeof(struct sockaddr_bp))], rbuf[CMSG_SPACE(sizeof(struct bp_status))];
	struct iovec iov = { .iov_base = "control messages", .iov_len = 16 };
	struct msghdr msg = { .msg_name = &to_b, .msg_namelen = BP_SOCKADDR_IPN_LEN, .msg_iov = &iov,
			      .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm = NULL;
	int got_a = 0, got_b = 0, forwarded = 0, n = 0;
	struct bp_status st;

	memset(cbuf, 0, sizeof(cbuf));
	ok(a >= 0 && b >= 0 && rep >= 0, "three sockets bound");
	ok(setsockopt(rep, SOL_BP, BP_RECVSTATUS, &on, sizeof(on)) == 0,
	   "the report-to socket turns BP_RECVSTATUS on");
	ok(setsockopt(a, SOL_BP, BP_LIFETIME_MS, &life_a, sizeof(life_a)) == 0 &&
	   setsockopt(a, SOL_BP, BP_CLASS_OF_SERVICE, &exp, sizeof(exp)) == 0 &&
	   setsockopt(a, SOL_BP, BP_ORDINAL, &ord9, sizeof(ord9)) == 0 &&
	   setsockopt(a, SOL_BP, BP_STATUS_REPORTS, &rep_a, sizeof(rep_a)) == 0 &&
	   setsockopt(a, SOL_BP, BP_REPORT_TO, &report_to, BP_SOCKADDR_IPN_LEN) == 0 &&
	   setsockopt(a, SOL_BP, BP_HOP_LIMIT, &hop9, sizeof(hop9)) == 0 &&
	   setsockopt(a, SOL_BP, BP_MUST_NOT_FRAGMENT, &on, sizeof(on)) == 0 &&
	   setsockopt(a, SOL_BP, BP_APP_ACK, &on, sizeof(on)) == 0,
	   "setsockopt: lifetime, class of service, ordinal, reports, report-to, hop limit, "
	   "must-not-fragment, application ack");
	ok(sendto(a, "socket options", 14, 0, (struct sockaddr *)&to_a, BP_SOCKADDR_IPN_LEN) == 14,
	   "send to ipn:%u.77 with the socket's options", peer);

	cm = add_cmsg(&msg, cm, BP_LIFETIME_MS, &life_b, sizeof(life_b));
	cm = add_cmsg(&msg, cm, BP_CLASS_OF_SERVICE, &bulk, sizeof(bulk));
	cm = add_cmsg(&msg, cm, BP_ORDINAL, &ord0, sizeof(ord0));
	cm = add_cmsg(&msg, cm, BP_STATUS_REPORTS, &rep_b, sizeof(rep_b));
	cm = add_cmsg(&msg, cm, BP_REPORT_TO, &report_to, BP_SOCKADDR_IPN_LEN);
	cm = add_cmsg(&msg, cm, BP_HOP_LIMIT, &hop11, sizeof(hop11));
	cm = add_cmsg(&msg, cm, BP_MUST_NOT_FRAGMENT, &on, sizeof(on));
	cm = add_cmsg(&msg, cm, BP_APP_ACK, &on, sizeof(on));
	msg.msg_controllen = (char *)cm + CMSG_SPACE(cm->cmsg_len - CMSG_LEN(0)) - cbuf;
	ok(sendmsg(b, &msg, 0) == 16, "sendmsg to ipn:%u.78 with the same eight options as control "
	   "messages", peer);

	while ((!got_a || !got_b || !forwarded) && n++ < 20) {
		struct pollfd p = { .fd = rep };
		struct msghdr m = { .msg_name = &by, .msg_namelen = sizeof(by), .msg_control = rbuf,
				    .msg_controllen = sizeof(rbuf) };
		struct cmsghdr *c;

		if (poll(&p, 1, 120000) != 1 || recvmsg(rep, &m, MSG_ERRQUEUE) < 0)
			break;
		c = CMSG_FIRSTHDR(&m);
		if (!c || c->cmsg_type != BP_RECVSTATUS)
			continue;
		memcpy(&st, CMSG_DATA(c), sizeof(st));
		printf("# report 0x%x about ipn:%u.%u %llu.%llu from ipn:%u.%u\n", st.bs_status,
		       st.bs_source.bp_addr.ipn.node_id, st.bs_source.bp_addr.ipn.service_id,
		       (unsigned long long)st.bs_creation_time, (unsigned long long)st.bs_sequence,
		       by.bp_addr.ipn.node_id, by.bp_addr.ipn.service_id);
		if ((st.bs_status & BP_REPORT_RECEPTION) && by.bp_addr.ipn.node_id == peer)
			st.bs_source.bp_addr.ipn.service_id == 50 ? got_a++ : got_b++;
		if ((st.bs_status & BP_REPORT_FORWARDING) && by.bp_addr.ipn.node_id == node &&
		    st.bs_source.bp_addr.ipn.service_id == 50)
			forwarded++;
	}
	ok(got_a == 1, "the peer's reception report about the setsockopt bundle reached report-to");
	ok(got_b == 1, "the peer's reception report about the control-message bundle too");
	ok(forwarded == 1, "and this node's forwarding report (asked for by the first only)");
	close(a);
	close(b);
	close(rep);
	return failures ? 1 : 0;
}

/*
 * bp_e2e many NODE ENDPOINTS PER: the fault testbed's R4 (issue 16) through AF_BP. ENDPOINTS sockets
 * bound to ipn:NODE.2000.., each sent PER datagrams by one sender, round robin, while one thread reads
 * them all with epoll. Every datagram must arrive once, on the socket it was sent to, whole; a send
 * refused for want of room (EAGAIN, ENOBUFS) is tried again. Prints the time it took.
 */
struct many {
	int ep, endpoints, per;
	int *fds;
	unsigned char *seen;	/* endpoints x per */
	long received, duplicated, misplaced;
};

static void *many_reader(void *arg)
{
	struct many *m = arg;
	struct epoll_event ev[64];
	long want = (long)m->endpoints * m->per;
	time_t deadline = time(NULL) + 900;

	while (m->received < want && time(NULL) < deadline) {
		int n = epoll_wait(m->ep, ev, 64, 1000), i;

		for (i = 0; i < n; i++) {
			int e = (int)ev[i].data.u32;
			uint32_t msg[2];
			ssize_t len;

			while ((len = recv(m->fds[e], msg, sizeof(msg), MSG_DONTWAIT)) >= 0) {
				if (len != sizeof(msg) || msg[0] != (uint32_t)e || msg[1] >= (uint32_t)m->per) {
					m->misplaced++;
					continue;
				}
				if (m->seen[(long)e * m->per + msg[1]]++)
					m->duplicated++;
				else
					m->received++;
			}
		}
	}
	return NULL;
}

static int cmd_many(int endpoints, int per)
{
	struct many m = { .endpoints = endpoints, .per = per };
	struct rlimit rl = { endpoints + 64, endpoints + 64 };
	struct sockaddr_bp src = ipn(node, 1999);
	struct timespec t0, t1;
	long sent = 0, retried = 0, failed = 0;
	pthread_t reader;
	int out, e, i;
	double secs;

	setrlimit(RLIMIT_NOFILE, &rl);
	m.fds = calloc(endpoints, sizeof(int));
	m.seen = calloc((size_t)endpoints * per, 1);
	m.ep = epoll_create1(0);
	for (e = 0; e < endpoints; e++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)e };

		m.fds[e] = bound_socket(2000 + e);
		if (m.fds[e] < 0 || epoll_ctl(m.ep, EPOLL_CTL_ADD, m.fds[e], &ev) < 0) {
			ok(0, "bind %d sockets (failed at ipn:%u.%d: %s)", endpoints, node, 2000 + e, strerror(errno));
			return 1;
		}
	}
	ok(1, "bind %d sockets, ipn:%u.2000 to ipn:%u.%d", endpoints, node, node, 2000 + endpoints - 1);
	out = socket(AF_BP, SOCK_DGRAM, 0);
	if (out < 0 || bind(out, (struct sockaddr *)&src, BP_SOCKADDR_IPN_LEN) < 0) {
		ok(0, "bind the sender: %s", strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pthread_create(&reader, NULL, many_reader, &m);
	for (i = 0; i < per; i++) {
		for (e = 0; e < endpoints; e++) {
			struct sockaddr_bp to = ipn(node, 2000 + e);
			uint32_t msg[2] = { (uint32_t)e, (uint32_t)i };
			int tries = 0;

			while (sendto(out, msg, sizeof(msg), 0, (struct sockaddr *)&to, BP_SOCKADDR_IPN_LEN) < 0) {
				if ((errno != EAGAIN && errno != ENOBUFS) || ++tries > 60000) {
					failed++;
					break;
				}
				retried++;
				usleep(1000);
			}
			sent++;
		}
	}
	pthread_join(reader, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# %d sockets x %d datagrams: %ld sent (%ld sends retried after EAGAIN/ENOBUFS, %ld failed), "
	       "%ld received, %ld duplicated, %ld on the wrong socket or damaged, in %.1f s (%.0f/s)\n",
	       endpoints, per, sent, retried, failed, m.received, m.duplicated, m.misplaced, secs,
	       m.received / secs);
	ok(failed == 0, "every send accepted (%ld failed)", failed);
	ok(m.received == (long)endpoints * per, "every datagram arrived (%ld of %ld)", m.received,
	   (long)endpoints * per);
	ok(m.duplicated == 0 && m.misplaced == 0, "none twice (%ld), none on the wrong socket or damaged (%ld)",
	   m.duplicated, m.misplaced);
	for (e = 0; e < endpoints; e++)
		close(m.fds[e]);
	close(out);
	close(m.ep);
	free(m.fds);
	free(m.seen);
	printf("# %d tests, %d failed\n", tests, failures);
	return failures != 0;
}

/*
 * bp_e2e hold NODE COUNT BASE: COUNT sockets bound to ipn:NODE.BASE to ipn:NODE.BASE+COUNT-1, held
 * open (the node's memory with many bound sockets, issue 18's P4; their recovery when the node or
 * its bridge registers again). Prints "bound COUNT in S s" (or "bind failed at ..." and exits 1),
 * then reads commands, one a line, from stdin:
 *   ping K SECONDS  one datagram from another socket to K of them, spread evenly over all (the first
 *                   and the last included), and waits up to SECONDS for each on its own socket;
 *                   prints "received R of K" (R = K: each arrived once, on the socket it was sent to)
 * At the end of stdin it closes every socket and prints "closed COUNT" (killed, the kernel closes them).
 */
static int cmd_hold(int count, uint32_t base)
{
	struct rlimit rl = { (rlim_t)count + 64, (rlim_t)count + 64 };
	struct sockaddr_bp src = ipn(node, base + count);
	struct timespec t0, t1;
	char line[128];
	int *fds, out, i;

	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		printf("setrlimit %d: %s\n", count + 64, strerror(errno));
		return 1;
	}
	fds = calloc(count, sizeof(int));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < count; i++) {
		fds[i] = bound_socket(base + i);
		if (fds[i] < 0) {
			printf("bind failed at ipn:%u.%u (%d bound): %s\n", node, base + i, i, strerror(errno));
			fflush(stdout);
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("bound %d in %.1f s\n", count, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	fflush(stdout);
	out = socket(AF_BP, SOCK_DGRAM, 0);
	if (out < 0 || bind(out, (struct sockaddr *)&src, BP_SOCKADDR_IPN_LEN) < 0) {
		printf("bind the sender ipn:%u.%u: %s\n", node, base + count, strerror(errno));
		fflush(stdout);
		return 1;
	}
	while (fgets(line, sizeof(line), stdin)) {
		int k, secs, j, received = 0;

		if (sscanf(line, "ping %d %d", &k, &secs) != 2 || k < 1 || k > count) {
			printf("unknown command: %s", line);
			fflush(stdout);
			continue;
		}
		for (j = 0; j < k; j++) {
			/* Evenly spread: the first socket, ..., the last. */
			int e = k == 1 ? 0 : (int)((long)j * (count - 1) / (k - 1));
			struct sockaddr_bp to = ipn(node, base + e);
			uint32_t msg = base + e;
			struct sockaddr_bp from;
			socklen_t fl = sizeof(from);
			uint32_t got;
			ssize_t r;

			if (sendto(out, &msg, sizeof(msg), 0, (struct sockaddr *)&to, BP_SOCKADDR_IPN_LEN) < 0) {
				printf("# sendto ipn:%u.%u: %s\n", node, base + e, strerror(errno));
				continue;
			}
			if (!wait_readable(fds[e], secs * 1000)) {
				printf("# nothing on ipn:%u.%u within %d s\n", node, base + e, secs);
				continue;
			}
			r = recvfrom(fds[e], &got, sizeof(got), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
			if (r == sizeof(got) && got == msg && same_ipn(&from, fl, node, base + count))
				received++;
			else
				printf("# ipn:%u.%u received something else (%zd bytes)\n", node, base + e, r);
		}
		printf("received %d of %d\n", received, k);
		fflush(stdout);
	}
	for (i = 0; i < count; i++)
		close(fds[i]);
	close(out);
	printf("closed %d\n", count);
	fflush(stdout);
	free(fds);
	return 0;
}

int main(int argc, char **argv)
{
	const char *backend = getenv("BP_E2E_BACKEND");

	ion = backend && !strcmp(backend, "ion");
	if (argc >= 3 && !strcmp(argv[1], "test")) {
		node = strtoul(argv[2], NULL, 10);
		return cmd_test();
	}
	if (argc >= 4 && !strcmp(argv[1], "wait-node")) {
		node = strtoul(argv[3], NULL, 10);
		return cmd_wait_node(atoi(argv[2]));
	}
	if (argc >= 4 && !strcmp(argv[1], "peer")) {
		node = strtoul(argv[2], NULL, 10);
		return cmd_peer(strtoul(argv[3], NULL, 10));
	}
	if (argc >= 10 && !strcmp(argv[1], "flow")) {
		node = strtoul(argv[2], NULL, 10);
		return cmd_flow(argv + 3);
	}
	if (argc >= 5 && !strcmp(argv[1], "many")) {
		node = strtoul(argv[2], NULL, 10);
		return cmd_many(atoi(argv[3]), atoi(argv[4]));
	}
	if (argc >= 5 && !strcmp(argv[1], "hold")) {
		node = strtoul(argv[2], NULL, 10);
		return cmd_hold(atoi(argv[3]), strtoul(argv[4], NULL, 10));
	}
	if (argc >= 2 && !strcmp(argv[1], "expect-no-node"))
		return cmd_expect_no_node();
	if (argc >= 3 && !strcmp(argv[1], "bench")) {
		node = strtoul(argv[2], NULL, 10);
		return cmd_bench();
	}
	fprintf(stderr, "usage: %s test NODE | wait-node SECONDS NODE | expect-no-node | bench NODE | "
		"peer NODE PEER | many NODE ENDPOINTS PER | hold NODE COUNT BASE | flow NODE SRC DSTNODE DSTSVC RECVSVC INTERVAL_MS CTL STATUS\n", argv[0]);
	return 2;
}
