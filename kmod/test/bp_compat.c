// SPDX-License-Identifier: GPL-2.0
/*
 * bp_compat: programs written against the earlier bp-socket prototype's ABI (bpsocket_abi.h: its
 * AF_BP 28, 16-byte struct sockaddr_bp and send flags), making the calls its demo programs make
 * (a receiver of protocol 1, a sender of protocol 0 with MSG_ACK_REQUESTED, a client that sends
 * with MSG_NO_CUSTODY_REQUIRED and receives in two threads), against the module and the test
 * node; and each bundle flag's mapping, as the options of the SEND the node receives. bp(7)
 * COMPATIBILITY. Run as root in the guest, with bp.ko loaded, no other node. TAP output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>

#include "bpsocket_abi.h"
#include "compat_node.h"

#define PARAM	"/sys/module/bp/parameters/bpsocket_flags"

static int n_pass, n_fail;

static void check(int ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	printf("%s %d - ", ok ? "ok" : "not ok", n_pass + n_fail + 1);
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
#define CHECK_ERR(call, E, ...) do {					\
	errno = 0;							\
	long __r = (long)(call);					\
	check(__r == -1 && errno == (E), __FILE__, __LINE__, __VA_ARGS__); \
} while (0)

static int set_param(int on)
{
	FILE *f = fopen(PARAM, "w");

	if (!f)
		return -1;
	fprintf(f, "%d\n", on);
	return fclose(f);
}

/* As the demos fill an address: field by field, bytes 2-3 left as they were (here: garbage). */
static struct sockaddr_bp addr(uint32_t node_id, uint32_t service_id)
{
	struct sockaddr_bp a;

	memset(&a, 0xa5, sizeof(a));
	a.bp_family = AF_BP;
	a.bp_scheme = BP_SCHEME_IPN;
	a.bp_addr.ipn.node_id = node_id;
	a.bp_addr.ipn.service_id = service_id;
	return a;
}

/* socket(AF_BP, SOCK_DGRAM, protocol), SO_RCVTIMEO 5 s, bind to ipn:7.service, as the demos. */
static int open_bound(int protocol, uint32_t service)
{
	struct sockaddr_bp a = addr(CN_NODE, service);
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_BP, SOCK_DGRAM, protocol);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static ssize_t send_text(int fd, uint32_t service, const char *text, int flags)
{
	struct sockaddr_bp dest = addr(CN_NODE, service);

	return sendto(fd, text, strlen(text) + 1, flags, (struct sockaddr *)&dest, sizeof(dest));
}

/* recvmsg(fd, &msg, flags) with the source address, as the receiver demo. */
static ssize_t receive(int fd, char *buf, size_t len, int flags, struct sockaddr_bp *from,
		       socklen_t *fromlen)
{
	struct iovec iov = { buf, len };
	struct msghdr msg;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_name = from;
	msg.msg_namelen = sizeof(*from);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	n = recvmsg(fd, &msg, flags);
	if (fromlen)
		*fromlen = msg.msg_namelen;
	return n;
}

static int received_text(int fd, const char *text)
{
	struct sockaddr_bp from;
	char buf[1024];
	ssize_t n = receive(fd, buf, sizeof(buf), 0, &from, NULL);

	return n == (ssize_t)strlen(text) + 1 && !strcmp(buf, text);
}

static void t_protocols(void)
{
	int fd, p = -1;
	socklen_t len = sizeof(p);

	printf("# protocols\n");
	fd = socket(AF_BP, SOCK_DGRAM, 1);
	CHECK(fd >= 0, "socket(AF_BP, SOCK_DGRAM, 1), the receiver demo's");
	CHECK(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &p, &len) == 0 && p == 1,
	      "SO_PROTOCOL says 1");
	close(fd);
	fd = socket(AF_BP, SOCK_DGRAM, 0);
	CHECK(fd >= 0, "socket(AF_BP, SOCK_DGRAM, 0), the sender's and client's");
	close(fd);
	fd = socket(AF_BP, SOCK_DGRAM, cn_proto_standard());
	CHECK(fd >= 0, "socket(AF_BP, SOCK_DGRAM, BP_PROTO_STANDARD)");
	close(fd);
	CHECK_ERR(socket(AF_BP, SOCK_DGRAM, 3), EPROTONOSUPPORT, "protocol 3: EPROTONOSUPPORT");
	CHECK_ERR(socket(AF_BP, SOCK_DGRAM, -1), EPROTONOSUPPORT, "protocol -1: EPROTONOSUPPORT");
}

struct rx {
	int fd;
	pid_t tid;	/* set by the thread */
	int polled;
	ssize_t n;
	socklen_t fromlen;
	struct sockaddr_bp from;
	char buf[1024];
};

/* The receiver demo's wait, with poll first. */
static void *rx_main(void *arg)
{
	struct rx *r = arg;
	struct pollfd p = { r->fd, POLLIN, 0 };

	__atomic_store_n(&r->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	r->polled = poll(&p, 1, 5000) == 1 && (p.revents & POLLIN);
	r->n = receive(r->fd, r->buf, sizeof(r->buf), 0, &r->from, &r->fromlen);
	return NULL;
}

/* Waits until thread @tid sleeps in the kernel (state S): blocked in a call. */
static int thread_blocked(pid_t tid)
{
	char path[64], buf[512], *p;
	int i, ok;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	for (i = 0; i < 5000; i++) {
		f = fopen(path, "r");
		if (!f)
			return 0;
		ok = fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ' &&
		     p[2] == 'S';
		fclose(f);
		if (ok)
			return 1;
		usleep(1000);	/* polling the state, not synchronising on time */
	}
	return 0;
}

static void t_demos(void)
{
	struct rx r;
	pthread_t t;
	char opts[256];
	int s, old;

	printf("# the receiver and sender demos\n");
	CHECK(set_param(0) == 0, "bpsocket_flags=0");
	memset(&r, 0, sizeof(r));
	r.fd = open_bound(1, 20);
	CHECK(r.fd >= 0, "receiver: protocol 1, SO_RCVTIMEO, bind ipn:7.20 (16-byte address)");
	s = open_bound(0, 21);
	CHECK(s >= 0, "sender: protocol 0, bind ipn:7.21");
	CHECK_ERR(send_text(s, 20, "Hello!", MSG_ACK_REQUESTED), EOPNOTSUPP,
		  "bpsocket_flags=0: the sender's MSG_ACK_REQUESTED is MSG_OOB: EOPNOTSUPP");
	old = s;
	CHECK(set_param(1) == 0, "bpsocket_flags=1");
	CHECK_ERR(send_text(old, 20, "Hello!", MSG_ACK_REQUESTED), EOPNOTSUPP,
		  "a socket opened before keeps standard flags");
	s = open_bound(0, 22);
	CHECK(s >= 0, "sender: protocol 0, bind ipn:7.22");
	CHECK(pthread_create(&t, NULL, rx_main, &r) == 0, "receiver thread: poll, then recvmsg");
	while (!__atomic_load_n(&r.tid, __ATOMIC_ACQUIRE))
		sched_yield();
	CHECK(thread_blocked(r.tid), "the receiver blocks in poll");
	CHECK(send_text(s, 20, "Hello!", MSG_ACK_REQUESTED) == 7,
	      "bpsocket_flags=1: sendto(..., MSG_ACK_REQUESTED) sends");
	CHECK(!strcmp(cn_last_opts(opts, sizeof(opts)), "APP_ACK=1") &&
	      cn_last_src_service() == 22 && cn_last_dst_service() == 20,
	      "the node's SEND: ipn:7.22 -> ipn:7.20, options \"%s\"", opts);
	pthread_join(t, NULL);
	CHECK(r.polled, "poll on the receiver wakes with POLLIN");
	CHECK(r.n == 7 && !strcmp(r.buf, "Hello!"), "recvmsg: \"Hello!\" (%zd bytes)", r.n);
	CHECK(r.fromlen == 16 && r.from.bp_family == AF_BP && r.from.bp_scheme == BP_SCHEME_IPN &&
	      r.from.bp_addr.ipn.node_id == CN_NODE && r.from.bp_addr.ipn.service_id == 22,
	      "its source: a 16-byte ipn:7.22 (%u)", r.fromlen);
	close(s);

	/* BP_PROTO_STANDARD: standard flags whatever the parameter says. */
	s = socket(AF_BP, SOCK_DGRAM, cn_proto_standard());
	CHECK_ERR(send_text(s, 20, "x", MSG_OOB), EOPNOTSUPP,
		  "bpsocket_flags=1, BP_PROTO_STANDARD: MSG_OOB is EOPNOTSUPP");
	CHECK(send_text(s, 20, "x", MSG_NOSIGNAL) == 2 && received_text(r.fd, "x") && !strcmp(cn_last_opts(opts, sizeof(opts)), ""),
	      "BP_PROTO_STANDARD: MSG_NOSIGNAL carries no option (\"%s\")", opts);
	close(s);
	CHECK(set_param(0) == 0, "bpsocket_flags=0");
	close(old);
	close(r.fd);
}

struct client {
	int fd;
	uint32_t peer;
	int n, sent, got;
};

enum { CLIENT_N = 10 };

static void *client_send(void *arg)
{
	struct client *c = arg;
	char text[64];
	int i;

	for (i = 0; i < c->n; i++) {
		snprintf(text, sizeof(text), "Hello from client! Message #%d", i);
		if (send_text(c->fd, c->peer, text, MSG_NO_CUSTODY_REQUIRED) == (ssize_t)strlen(text) + 1)
			c->sent++;
	}
	return NULL;
}

static void *client_recv(void *arg)
{
	struct client *c = arg;
	char text[64];
	int i;

	for (i = 0; i < c->n; i++) {
		snprintf(text, sizeof(text), "Hello from client! Message #%d", i);
		if (received_text(c->fd, text))
			c->got++;
	}
	return NULL;
}

/* Two clients, as the client demo: each sends to the other in one thread, receives in another. */
static void t_client(int param)
{
	struct client a = { .peer = 31, .n = CLIENT_N }, b = { .peer = 30, .n = CLIENT_N };
	pthread_t t[4];
	char opts[256];
	int i;

	printf("# the client demo, bpsocket_flags=%d\n", param);
	CHECK(set_param(param) == 0, "bpsocket_flags=%d", param);
	a.fd = open_bound(0, 30);
	b.fd = open_bound(0, 31);
	CHECK(a.fd >= 0 && b.fd >= 0, "two clients: protocol 0, bound to ipn:7.30 and ipn:7.31");
	pthread_create(&t[0], NULL, client_recv, &a);
	pthread_create(&t[1], NULL, client_recv, &b);
	pthread_create(&t[2], NULL, client_send, &a);
	pthread_create(&t[3], NULL, client_send, &b);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK(a.sent == CLIENT_N && b.sent == CLIENT_N,
	      "each sends %d with MSG_NO_CUSTODY_REQUIRED (%d, %d)", CLIENT_N, a.sent, b.sent);
	CHECK(a.got == CLIENT_N && b.got == CLIENT_N, "each receives the other's %d, in order (%d, %d)",
	      CLIENT_N, a.got, b.got);
	cn_last_opts(opts, sizeof(opts));
	CHECK(!strcmp(opts, param ? "CUSTODY=0" : ""),
	      "the bundles' options: \"%s\" (%s)", opts,
	      param ? "custody none, the default" : "MSG_NOSIGNAL, which changes nothing");
	close(a.fd);
	close(b.fd);
	CHECK(set_param(0) == 0, "bpsocket_flags=0");
}

struct flag_case {
	int flags;
	const char *name;
	const char *opts;	/* the SEND's options; NULL: refused with err */
	int err;
};

static const struct flag_case cases[] = {
	{ 0, "0", "", 0 },
	{ MSG_ACK_REQUESTED, "MSG_ACK_REQUESTED", "APP_ACK=1", 0 },
	{ MSG_RECEIVED_RPT, "MSG_RECEIVED_RPT", "STATUS_REPORTS=0x1", 0 },
	{ MSG_FORWARDED_RPT, "MSG_FORWARDED_RPT", "STATUS_REPORTS=0x2", 0 },
	{ MSG_DELIVERED_RPT, "MSG_DELIVERED_RPT", "STATUS_REPORTS=0x4", 0 },
	{ MSG_DELETED_RPT, "MSG_DELETED_RPT", "STATUS_REPORTS=0x8", 0 },
	{ MSG_RECEIVED_RPT | MSG_FORWARDED_RPT | MSG_DELIVERED_RPT | MSG_DELETED_RPT,
	  "the four reports", "STATUS_REPORTS=0xf", 0 },
	{ MSG_BP_BULK_PRIORITY, "MSG_BP_BULK_PRIORITY", "CLASS_OF_SERVICE=0", 0 },
	{ MSG_BP_STD_PRIORITY, "MSG_BP_STD_PRIORITY", "CLASS_OF_SERVICE=1", 0 },
	{ MSG_BP_EXPEDITED_PRIORITY, "MSG_BP_EXPEDITED_PRIORITY", "CLASS_OF_SERVICE=2", 0 },
	{ MSG_SOURCE_CUSTODY_REQUIRED, "MSG_SOURCE_CUSTODY_REQUIRED", "CUSTODY=2", 0 },
	{ MSG_SOURCE_CUSTODY_OPTIONAL, "MSG_SOURCE_CUSTODY_OPTIONAL", "CUSTODY=1", 0 },
	{ MSG_NO_CUSTODY_REQUIRED, "MSG_NO_CUSTODY_REQUIRED", "CUSTODY=0", 0 },
	{ MSG_ACK_REQUESTED | MSG_RECEIVED_RPT | MSG_DELIVERED_RPT | MSG_BP_EXPEDITED_PRIORITY |
	  MSG_SOURCE_CUSTODY_OPTIONAL, "ACK | RECEIVED | DELIVERED | EXPEDITED | CUSTODY_OPTIONAL",
	  "APP_ACK=1 STATUS_REPORTS=0x5 CLASS_OF_SERVICE=2 CUSTODY=1", 0 },
	{ MSG_CUSTODY_RPT, "MSG_CUSTODY_RPT", NULL, EOPNOTSUPP },
	{ MSG_CUSTODY_RPT | MSG_DELIVERED_RPT, "MSG_CUSTODY_RPT | MSG_DELIVERED_RPT", NULL,
	  EOPNOTSUPP },
	{ MSG_BP_BULK_PRIORITY | MSG_BP_STD_PRIORITY, "BULK | STD", NULL, EINVAL },
	{ MSG_BP_STD_PRIORITY | MSG_BP_EXPEDITED_PRIORITY, "STD | EXPEDITED", NULL, EINVAL },
	{ MSG_SOURCE_CUSTODY_REQUIRED | MSG_NO_CUSTODY_REQUIRED, "CUSTODY_REQUIRED | NO_CUSTODY",
	  NULL, EINVAL },
	{ MSG_SOURCE_CUSTODY_OPTIONAL | MSG_NO_CUSTODY_REQUIRED, "CUSTODY_OPTIONAL | NO_CUSTODY",
	  NULL, EINVAL },
};

static void t_flags(void)
{
	char opts[256], buf[16], text[32];
	struct sockaddr_bp from;
	unsigned int i, before;
	union {
		struct cmsghdr h;
		char b[64];
	} cb;
	struct iovec iov = { "cm", 3 };
	struct sockaddr_bp dest = addr(CN_NODE, 41);
	struct msghdr m;
	struct cmsghdr *cm;
	int s, r, cos = 0;
	ssize_t n;

	printf("# each bundle flag on a protocol 1 socket (bpsocket_flags=0)\n");
	s = open_bound(1, 40);
	r = open_bound(1, 41);
	CHECK(s >= 0 && r >= 0, "protocol 1 sockets bound to ipn:7.40 and ipn:7.41");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct flag_case *c = &cases[i];

		snprintf(text, sizeof(text), "flags %#x", c->flags);
		before = cn_sends();
		if (!c->opts) {
			CHECK_ERR(send_text(s, 41, text, c->flags), c->err, "%s: %s", c->name,
				  strerror(c->err));
			CHECK(cn_sends() == before, "%s: nothing reaches the node", c->name);
			continue;
		}
		n = send_text(s, 41, text, c->flags);
		CHECK(n == (ssize_t)strlen(text) + 1 && cn_wait_sends(before + 1, 5000),
		      "%s: sent (%zd)", c->name, n);
		cn_last_opts(opts, sizeof(opts));
		CHECK(!strcmp(opts, c->opts), "%s: the SEND's options are \"%s\" (\"%s\")", c->name,
		      c->opts, opts);
		CHECK(received_text(r, text), "%s: delivered", c->name);
	}

	before = cn_sends();
	CHECK(send_text(s, 41, "nb", MSG_DONTWAIT | MSG_BP_EXPEDITED_PRIORITY) == 3 &&
	      cn_wait_sends(before + 1, 5000) &&
	      !strcmp(cn_last_opts(opts, sizeof(opts)), "CLASS_OF_SERVICE=2") &&
	      received_text(r, "nb"), "MSG_DONTWAIT keeps its meaning alongside (\"%s\")", opts);

	memset(&m, 0, sizeof(m));
	memset(&cb, 0, sizeof(cb));
	m.msg_name = &dest;
	m.msg_namelen = sizeof(dest);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cb.b;
	m.msg_controllen = CMSG_SPACE(sizeof(int));
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = cn_sol_bp();
	cm->cmsg_type = cn_opt_cos();
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &cos, sizeof(cos));
	CHECK(sendmsg(s, &m, MSG_BP_EXPEDITED_PRIORITY) == 3 &&
	      !strcmp(cn_last_opts(opts, sizeof(opts)), "CLASS_OF_SERVICE=2 CLASS_OF_SERVICE=0") &&
	      received_text(r, "cm"), "a SOL_BP control message follows the flags' options (\"%s\")",
	      opts);

	cn_refuse_sends(EOPNOTSUPP);
	CHECK_ERR(send_text(s, 41, "c", MSG_SOURCE_CUSTODY_REQUIRED), EOPNOTSUPP,
		  "a node that cannot give custody: MSG_SOURCE_CUSTODY_REQUIRED fails EOPNOTSUPP");
	cn_refuse_sends(0);

	CHECK(send_text(s, 41, "abcdef", 0) == 7, "receive flags keep their meaning: sent 7 bytes");
	CHECK(receive(r, buf, 1, MSG_PEEK | MSG_TRUNC, &from, NULL) == 7,
	      "recvmsg(MSG_PEEK | MSG_TRUNC) with 1 byte of room: 7");
	CHECK(received_text(r, "abcdef"), "the datagram is still there");
	close(s);
	close(r);

	printf("# a plain socket keeps standard flags\n");
	s = open_bound(0, 42);
	CHECK_ERR(send_text(s, 41, "x", MSG_OOB), EOPNOTSUPP, "protocol 0: MSG_OOB is EOPNOTSUPP");
	before = cn_sends();
	CHECK(send_text(s, 41, "x", MSG_DONTWAIT | MSG_NOSIGNAL) == 2 &&
	      cn_wait_sends(before + 1, 5000) && !strcmp(cn_last_opts(opts, sizeof(opts)), ""),
	      "protocol 0: MSG_NOSIGNAL and MSG_DONTWAIT carry no option (\"%s\")", opts);
	close(s);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (cn_start()) {
		printf("Bail out! cannot start the test node: %s\n", strerror(errno));
		return 2;
	}
	t_protocols();
	t_demos();
	t_client(0);
	t_client(1);
	t_flags();
	set_param(0);
	cn_stop();
	printf("1..%d\n", n_pass + n_fail);
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
