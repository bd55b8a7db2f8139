// SPDX-License-Identifier: GPL-2.0
/*
 * AF_BP random-syscall stress (issue 14): worker threads run random sequences of socket, bind,
 * connect, sendmsg (random control messages, sizes, flags, addresses), recvmsg (MSG_PEEK,
 * MSG_TRUNC, MSG_ERRQUEUE, small buffers), setsockopt, getsockopt, poll, shutdown, close, dup,
 * sendmmsg and fork, plus children that run their own node in a new network namespace and leave
 * unsent datagrams behind, while a controller kills, restarts, pauses and reconfigures the test
 * node. Every call is bounded in time (SO_RCVTIMEO/SO_SNDTIMEO, node_timeout_ms). At the end the
 * module, with closed sockets' datagrams still queued, must unload. The kernel log is checked
 * by guest.sh. TAP output.
 *
 * usage: bp_fuzz SECONDS [SEED]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/filter.h>

#include "testnode.h"

#define NTHR	4
#define NFD	12

static int af = AF_BP;
static unsigned long seed;
static volatile int stop;
static int n_pass, n_fail;
static unsigned long ops[NTHR];
static struct tn *node;
static pthread_mutex_t node_mu = PTHREAD_MUTEX_INITIALIZER;

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", n_pass + n_fail + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (ok)
		n_pass++;
	else
		n_fail++;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* xorshift64*: one per thread, from the seed, so a run can be repeated (up to scheduling). */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

#define R(s, n)	((unsigned int)(rnd(s) % (n)))

static void set_timeouts(int fd)
{
	struct timeval tv = { 0, 50000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Protocol 0, or 1/2 (BP_PROTO_BPSOCKET, _STANDARD: send flags read as bp-socket's or not). */
static int new_socket_proto(int protocol)
{
	int fd = socket(af, SOCK_DGRAM, protocol);

	if (fd >= 0)
		set_timeouts(fd);
	return fd;
}

static int new_socket(void)
{
	return new_socket_proto(0);
}

/* A random address: mostly valid ipn:7.S / ipn:!.S in a small range (so loopback delivers), some
 * dtn, administrative, malformed, wrong family or wrong length. Returns its length.
 */
static socklen_t rand_addr(uint64_t *s, struct sockaddr_bp *sa)
{
	static const char *dtns[] = { "dtn://n7/a", "dtn://n7/b", "dtn://n7/", "dtn:none",
				      "dtn://x y/z", "dtn://n7/%zz", "http://n/x" };
	socklen_t len;

	memset(sa, 0, sizeof(*sa));
	sa->bp_family = af;
	switch (R(s, 10)) {
	case 0: case 1:
		sa->bp_scheme = BP_SCHEME_DTN;
		strcpy(sa->bp_addr.dtn, dtns[R(s, 7)]);
		len = BP_SOCKADDR_DTN_OFFSET + strlen(sa->bp_addr.dtn) + R(s, 2);
		break;
	case 2:
		sa->bp_scheme = R(s, 4);
		sa->bp_addr.ipn.node_id = R(s, 3) ? 7 : 0;
		sa->bp_addr.ipn.service_id = R(s, 3);
		len = R(s, sizeof(*sa) + 4);
		break;
	case 3:
		sa->bp_family = R(s, 50);
		sa->bp_scheme = BP_SCHEME_IPN;
		sa->bp_addr.ipn.node_id = 7;
		sa->bp_addr.ipn.service_id = 1 + R(s, 32);
		len = BP_SOCKADDR_IPN_LEN;
		break;
	default:
		sa->bp_scheme = BP_SCHEME_IPN;
		sa->bp_addr.ipn.node_id = R(s, 4) ? TN_RESOLVED_NODE : BP_IPN_LOCAL_NODE;
		sa->bp_addr.ipn.service_id = R(s, 33);	/* 0: administrative */
		if (R(s, 8) == 0) {
			sa->bp_addr.ipn.allocator_id = 977;
			len = BP_SOCKADDR_IPN3_LEN;
		} else {
			len = BP_SOCKADDR_IPN_LEN;
		}
	}
	return len;
}

static size_t rand_size(uint64_t *s)
{
	switch (R(s, 20)) {
	case 0:
		return R(s, 1 << 20) + 1;
	case 1:
	case 2:
		return 60000 + R(s, 80000);
	default:
		return R(s, 5000);
	}
}

static size_t rand_cmsgs(uint64_t *s, char *buf, size_t cap)
{
	struct cmsghdr *c;
	size_t off = 0, vlen;
	int n = R(s, 4), i;

	for (i = 0; i < n; i++) {
		vlen = R(s, 5) ? 4 : R(s, 140);
		if (off + CMSG_SPACE(vlen) > cap)
			break;
		c = (struct cmsghdr *)(buf + off);
		c->cmsg_level = R(s, 6) ? SOL_BP : (R(s, 2) ? SOL_SOCKET : R(s, 400));
		c->cmsg_type = R(s, 6) ? 1 + R(s, 9) : R(s, 200);
		c->cmsg_len = R(s, 20) ? CMSG_LEN(vlen) : R(s, 64);
		memset(CMSG_DATA(c), R(s, 3), vlen);
		off += CMSG_SPACE(vlen);
	}
	return off;
}

static void op_send(uint64_t *s, int fd, uint8_t *buf)
{
	static const int flagset[] = { MSG_DONTWAIT, MSG_MORE, MSG_NOSIGNAL, MSG_EOR, MSG_OOB,
				       MSG_CONFIRM, MSG_BATCH };
	char cbuf[512];
	struct sockaddr_bp sa;
	struct iovec iov[2];
	struct msghdr m = { 0 };
	size_t len = rand_size(s);
	int flags = MSG_NOSIGNAL, i;

	for (i = 0; i < 7; i++)
		if (R(s, 5) == 0)
			flags |= flagset[i];
	/* bp-socket's bundle flags (0x773f), meaningful on protocol 1 sockets. */
	if (R(s, 4) == 0)
		flags |= R(s, 0x8000) & 0x773f;
	iov[0].iov_base = buf;
	iov[0].iov_len = len / 2;
	iov[1].iov_base = buf + len / 2;
	iov[1].iov_len = len - len / 2;
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	if (R(s, 4)) {
		m.msg_name = &sa;
		m.msg_namelen = rand_addr(s, &sa);
	}
	if (R(s, 4) == 0) {
		memset(cbuf, 0, sizeof(cbuf));
		m.msg_control = cbuf;
		m.msg_controllen = rand_cmsgs(s, cbuf, sizeof(cbuf));
	}
	sendmsg(fd, &m, flags);
}

static void op_recv(uint64_t *s, int fd, uint8_t *buf)
{
	static const int flagset[] = { MSG_PEEK, MSG_TRUNC, MSG_ERRQUEUE, MSG_WAITALL, MSG_OOB,
				       MSG_CMSG_CLOEXEC };
	char cbuf[256], name[160];
	struct iovec iov = { buf, R(s, 3) ? R(s, 70000) : R(s, 16) };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	int flags = R(s, 3) ? MSG_DONTWAIT : 0, i;

	for (i = 0; i < 6; i++)
		if (R(s, 6) == 0)
			flags |= flagset[i];
	if (R(s, 2)) {
		m.msg_name = name;
		m.msg_namelen = R(s, sizeof(name) + 1);
	}
	if (R(s, 2)) {
		m.msg_control = cbuf;
		m.msg_controllen = R(s, sizeof(cbuf) + 1);
	}
	recvmsg(fd, &m, flags);
}

static void op_setsockopt(uint64_t *s, int fd)
{
	uint8_t val[160];
	struct timeval tv = { 0, 1000 + R(s, 100000) };	/* never 0: that is "for ever" */
	struct sock_filter f[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { 1, f };
	int v, name;

	memset(val, R(s, 256), sizeof(val));
	switch (R(s, 8)) {
	case 0:
		v = R(s, 1 << 20);
		setsockopt(fd, SOL_SOCKET, R(s, 2) ? SO_RCVBUF : SO_SNDBUF, &v, sizeof(v));
		break;
	case 1:
		setsockopt(fd, SOL_SOCKET, R(s, 2) ? SO_RCVTIMEO : SO_SNDTIMEO, &tv, sizeof(tv));
		break;
	case 2:
		if (R(s, 2))
			setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
		else
			setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &v, sizeof(v));
		break;
	case 3:
		v = R(s, 2);
		setsockopt(fd, SOL_BP, BP_RECVSTATUS, &v, R(s, 6));
		break;
	default:
		name = R(s, 4) ? 1 + R(s, 9) : R(s, 300);
		if (name == BP_LIFETIME_MS) {
			uint64_t l = R(s, 3) ? 1000 + R(s, 100000) : 0;

			memcpy(val, &l, 8);
			setsockopt(fd, SOL_BP, name, val, R(s, 8) ? 8 : R(s, 140));
		} else {
			v = R(s, 4);
			memcpy(val, &v, 4);
			setsockopt(fd, R(s, 10) ? SOL_BP : R(s, 400), name, val,
				   R(s, 8) ? 4 : R(s, 140));
		}
	}
}

static void op_getsockopt(uint64_t *s, int fd)
{
	uint8_t val[160];
	socklen_t len = R(s, 3) ? 8 : R(s, sizeof(val));
	int name = R(s, 4) ? 1 + R(s, 9) : (R(s, 2) ? BP_RECVSTATUS : R(s, 300));

	if (R(s, 4) == 0)
		getsockopt(fd, SOL_SOCKET, R(s, 2) ? SO_ERROR : SO_MEMINFO, val, &len);
	else
		getsockopt(fd, R(s, 10) ? SOL_BP : R(s, 400), name, val, &len);
}

/* A child in a new network namespace with its own node: it sends, closes and exits with
 * datagrams unanswered (its node holds them), so the namespace goes away with orphans queued.
 */
static void netns_child(uint64_t seed)
{
	uint64_t s = seed;
	struct sockaddr_bp sa;
	uint8_t buf[4096];
	struct tn *tn;
	int fd, i;

	if (unshare(CLONE_NEWNET))
		_exit(1);
	tn = tn_start(0);
	if (!tn)
		_exit(2);
	tn_lock(tn);
	tn_ctl(tn)->send_mode = R(&s, 2) ? TN_SEND_HOLD : TN_SEND_LOOPBACK;
	tn_unlock(tn);
	memset(buf, 'n', sizeof(buf));
	for (i = 0; i < 8; i++) {
		fd = new_socket();
		memset(&sa, 0, sizeof(sa));
		sa.bp_family = af;
		sa.bp_scheme = BP_SCHEME_IPN;
		sa.bp_addr.ipn.node_id = TN_RESOLVED_NODE;
		sa.bp_addr.ipn.service_id = 1 + R(&s, 4);
		if (R(&s, 2))
			bind(fd, (struct sockaddr *)&sa, BP_SOCKADDR_IPN_LEN);
		sendto(fd, buf, R(&s, sizeof(buf)), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		       BP_SOCKADDR_IPN_LEN);
		if (R(&s, 2))
			close(fd);
	}
	_exit(0);	/* the node's socket and the rest close with the process */
}

static void *worker(void *arg)
{
	long t = (long)arg;
	uint64_t s = (seed + t + 1) * 0x9e3779b97f4a7c15ULL;
	uint8_t *buf = malloc((1 << 20) + 16);
	struct sockaddr_bp sa;
	struct pollfd p;
	int fds[NFD], i, k, st;
	pid_t pid;

	s = s ? s : 1;
	memset(buf, 'r', (1 << 20) + 16);
	for (i = 0; i < NFD; i++)
		fds[i] = -1;
	while (!stop) {
		k = R(&s, NFD);
		if (fds[k] < 0) {
			fds[k] = new_socket_proto(R(&s, 3));
			continue;
		}
		ops[t]++;
		switch (R(&s, 22)) {
		case 0: case 1:
			bind(fds[k], (struct sockaddr *)&sa, rand_addr(&s, &sa));
			break;
		case 2:
			if (R(&s, 4) == 0) {
				sa.bp_family = AF_UNSPEC;
				connect(fds[k], (struct sockaddr *)&sa, sizeof(sa.bp_family));
			} else {
				connect(fds[k], (struct sockaddr *)&sa, rand_addr(&s, &sa));
			}
			break;
		case 3: case 4: case 5: case 6: case 7:
			op_send(&s, fds[k], buf);
			break;
		case 8: case 9: case 10: case 11:
			op_recv(&s, fds[k], buf);
			break;
		case 12: case 13:
			op_setsockopt(&s, fds[k]);
			break;
		case 14:
			op_getsockopt(&s, fds[k]);
			break;
		case 15:
			p.fd = fds[k];
			p.events = POLLIN | POLLOUT | POLLPRI;
			poll(&p, 1, R(&s, 10));
			break;
		case 16:
			shutdown(fds[k], R(&s, 4));
			break;
		case 17: case 18:
			close(fds[k]);
			fds[k] = -1;
			break;
		case 19:
			i = R(&s, NFD);
			if (i == k)
				break;
			if (fds[i] >= 0)
				close(fds[i]);
			fds[i] = dup(fds[k]);
			break;
		case 20: {
			struct mmsghdr mm[8];
			struct iovec iov[8];

			memset(mm, 0, sizeof(mm));
			rand_addr(&s, &sa);
			for (i = 0; i < 8; i++) {
				iov[i].iov_base = buf;
				iov[i].iov_len = R(&s, 2000);
				mm[i].msg_hdr.msg_iov = &iov[i];
				mm[i].msg_hdr.msg_iovlen = 1;
				mm[i].msg_hdr.msg_name = &sa;
				mm[i].msg_hdr.msg_namelen = BP_SOCKADDR_IPN_LEN;
			}
			sendmmsg(fds[k], mm, 1 + R(&s, 8), MSG_DONTWAIT);
			break;
		}
		default:
			if (R(&s, 8))
				break;
			pid = fork();
			if (pid == 0) {
				if (R(&s, 2))
					netns_child(rnd(&s));
				/* The child uses and closes the inherited sockets. */
				for (i = 0; i < NFD; i++)
					if (fds[i] >= 0 && R(&s, 2))
						op_send(&s, fds[i], buf);
				_exit(0);
			}
			if (pid > 0)
				waitpid(pid, &st, 0);
		}
	}
	for (i = 0; i < NFD; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(buf);
	return NULL;
}

/* The node: killed and restarted, paused, its modes changed; never more than ~200 ms alike. */
static void *controller(void *arg)
{
	uint64_t s = 0x1234567ULL ^ seed;
	struct tn *tn;
	struct timespec ts;

	while (!stop) {
		ts.tv_sec = 0;
		ts.tv_nsec = (20 + R(&s, 200)) * 1000000L;
		nanosleep(&ts, NULL);	/* the schedule of disruptions, not synchronisation */
		pthread_mutex_lock(&node_mu);
		switch (R(&s, 8)) {
		case 0:
			tn_kill(node);
			node = NULL;
			if (R(&s, 3))
				node = tn_start(R(&s, 2) ? 0 : 4096 + R(&s, 1 << 20));
			break;
		case 1:
			if (!node)
				node = tn_start(0);
			break;
		case 2:
			if (node) {
				tn_pause(node, 1);
				ts.tv_nsec = R(&s, 100) * 1000000L;
				nanosleep(&ts, NULL);
				tn_pause(node, 0);
			}
			break;
		case 3:
			if (node)
				tn_release_held(node, R(&s, 2) ? 0 : R(&s, 600));
			/* fall through */
		default:
			if (!node)
				break;
			tn_lock(node);
			tn = node;
			tn_ctl(tn)->send_mode = R(&s, 3);
			tn_ctl(tn)->send_errno = R(&s, 2) ? EHOSTUNREACH : R(&s, 600);
			tn_ctl(tn)->bind_errno = R(&s, 6) ? 0 : (R(&s, 2) ? EADDRINUSE : 512);
			tn_ctl(tn)->bind_hold = R(&s, 10) == 0;
			tn_ctl(tn)->opt_hold = R(&s, 10) == 0;
			tn_unlock(tn);
			if (R(&s, 4) == 0)
				tn_node_state(tn, -1, R(&s, 2));
		}
		pthread_mutex_unlock(&node_mu);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int secs = argc > 1 ? atoi(argv[1]) : 20, i, fd, a;
	pthread_t thr[NTHR], ctl;
	unsigned long total = 0;
	struct sockaddr_bp sa;
	long t0, t;
	uint8_t buf[2048];

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (getenv("BP_AF"))
		af = atoi(getenv("BP_AF"));
	seed = argc > 2 ? strtoul(argv[2], NULL, 0) : (unsigned long)time(NULL);
	printf("# bp_fuzz: %d s, seed %lu (repeat: bp_fuzz %d %lu)\n", secs, seed, secs, seed);
	node = tn_start(0);
	check(node != NULL, "the test node registers");
	t0 = now_ms();
	pthread_create(&ctl, NULL, controller, NULL);
	for (i = 0; i < NTHR; i++)
		pthread_create(&thr[i], NULL, worker, (void *)(long)i);
	while (now_ms() - t0 < secs * 1000L)
		usleep(100000);	/* the run's duration */
	stop = 1;
	for (i = 0; i < NTHR; i++)
		pthread_join(thr[i], NULL);
	pthread_join(ctl, NULL);
	t = now_ms() - t0;
	for (i = 0; i < NTHR; i++)
		total += ops[i];
	/* Every call is bounded: the workers stop within node_timeout_ms or so of the end. */
	check(t < secs * 1000L + 10000, "%d threads, %lu random calls in %ld ms: all returned", NTHR,
	      total, t);

	/*
	 * Closed sockets' datagrams left unanswered, then the node goes: unload must still work. The
	 * run may have left max_orphaned's worth already: room for ten more.
	 */
	fd = open("/sys/module/bp/parameters/max_orphaned", O_WRONLY);
	if (fd < 0 || write(fd, "1073741824", 10) != 10)
		perror("max_orphaned");
	close(fd);
	pthread_mutex_lock(&node_mu);
	/* A fresh node: the run's may have a window too small for ten held sends and their BINDs. */
	tn_kill(node);
	node = tn_start(0);
	if (node) {
		tn_lock(node);
		tn_ctl(node)->send_mode = TN_SEND_HOLD;
		tn_unlock(node);
	}
	memset(buf, 'o', sizeof(buf));
	memset(&sa, 0, sizeof(sa));
	sa.bp_family = af;
	sa.bp_scheme = BP_SCHEME_IPN;
	sa.bp_addr.ipn.node_id = TN_RESOLVED_NODE;
	sa.bp_addr.ipn.service_id = 999;
	a = 0;
	for (i = 0; i < 10; i++) {
		fd = new_socket();
		a += sendto(fd, buf, sizeof(buf), 0, (struct sockaddr *)&sa, BP_SOCKADDR_IPN_LEN) ==
		     sizeof(buf);
		close(fd);
	}
	check(node && a == 10, "10 datagrams sent and their sockets closed, the node holding them (%s)",
	      strerror(errno));
	tn_kill(node);
	node = NULL;
	pthread_mutex_unlock(&node_mu);
	errno = 0;
	check(syscall(SYS_delete_module, "bp", O_NONBLOCK) == 0,
	      "the module unloads with them still queued (%s)", strerror(errno));

	printf("1..%d\n", n_pass + n_fail);
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
