// SPDX-License-Identifier: GPL-2.0
/*
 * AF_BP stress: many sockets, several threads sending and receiving through the loopback test
 * node; then module unload must fail while sockets are open and succeed once they are closed;
 * the module is loaded again and used. TAP output.
 *
 * usage: bp_stress PATH/TO/bp.ko [module parameters]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "testnode.h"

#define NSOCK	500
#define NTHR	4
#define ROUNDS	10

static int af = AF_BP;
static int fds[NSOCK];
static int next_round[NSOCK];	/* per receiving socket; each is read by one worker only */
static int n_pass, n_fail;

static void check(int ok, const char *what)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", n_pass + n_fail + 1, what);
	if (!ok)
		printf("# errno %d (%s)\n", errno, strerror(errno));
	fflush(stdout);
	if (ok)
		n_pass++;
	else
		n_fail++;
}

struct hdr {
	uint32_t src, round, len, crc;
};

static size_t msg_len(int i, int r)
{
	return sizeof(struct hdr) + (i * 37 + r * 101) % 4000;
}

static void *worker(void *arg)
{
	long t = (long)arg;
	uint8_t buf[8192];
	struct hdr *h = (struct hdr *)buf;
	int i, r, ep, expected = 0, got = 0, bad = 0, n;
	struct epoll_event ev, evs[64];
	struct sockaddr_bp to;
	size_t len, k;
	ssize_t got_len;

	ep = epoll_create1(0);
	for (i = t; i < NSOCK; i += NTHR) {
		ev.events = EPOLLIN;
		ev.data.u32 = i;
		epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
		expected += ROUNDS;
	}
	for (r = 0; r < ROUNDS; r++) {
		for (i = t; i < NSOCK; i += NTHR) {
			len = msg_len(i, r);
			for (k = sizeof(*h); k < len; k++)
				buf[k] = (uint8_t)(k + i + r);
			h->src = i;
			h->round = r;
			h->len = len;
			h->crc = tn_crc32(buf + sizeof(*h), len - sizeof(*h));
			memset(&to, 0, sizeof(to));
			to.bp_family = af;
			to.bp_scheme = BP_SCHEME_IPN;
			to.bp_addr.ipn.node_id = TN_RESOLVED_NODE;
			to.bp_addr.ipn.service_id = 2000 + (i + 1) % NSOCK;
			if (sendto(fds[i], buf, len, 0, (struct sockaddr *)&to, 16) != (ssize_t)len)
				bad++;
		}
	}
	while (got < expected) {
		n = epoll_wait(ep, evs, 64, 20000);
		if (n <= 0)
			break;
		for (k = 0; k < (size_t)n; k++) {
			i = evs[k].data.u32;
			while ((got_len = recv(fds[i], buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
				got++;
				/* One sender per socket: its rounds arrive in order, whole. */
				if (got_len < (ssize_t)sizeof(*h) || h->len != (size_t)got_len ||
				    h->src != (uint32_t)((i + NSOCK - 1) % NSOCK) ||
				    h->round != (uint32_t)next_round[i] ||
				    h->crc != tn_crc32(buf + sizeof(*h), h->len - sizeof(*h)))
					bad++;
				next_round[i]++;
			}
		}
	}
	close(ep);
	return (void *)(long)(got == expected && !bad);
}

int main(int argc, char **argv)
{
	pthread_t thr[NTHR];
	struct tn *tn;
	struct sockaddr_bp sa;
	int i, ok, fd, a, b;
	void *res;
	char c;

	if (argc < 2) {
		fprintf(stderr, "usage: %s bp.ko [params]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	tn = tn_start(0);
	check(tn != NULL, "loopback node registered");
	if (!tn)
		return 1;
	ok = 1;
	for (i = 0; i < NSOCK; i++) {
		fds[i] = socket(af, SOCK_DGRAM, 0);
		memset(&sa, 0, sizeof(sa));
		sa.bp_family = af;
		sa.bp_scheme = BP_SCHEME_IPN;
		sa.bp_addr.ipn.node_id = TN_RESOLVED_NODE;
		sa.bp_addr.ipn.service_id = 2000 + i;
		if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&sa, 16))
			ok = 0;
	}
	check(ok, "500 sockets bound");
	for (i = 0; i < NTHR; i++)
		pthread_create(&thr[i], NULL, worker, (void *)(long)i);
	ok = 1;
	for (i = 0; i < NTHR; i++) {
		pthread_join(thr[i], &res);
		if (!res)
			ok = 0;
	}
	check(ok, "4 threads x 500 sockets x 10 rounds: every datagram arrived intact, whole, in order");

	errno = 0;
	check(syscall(SYS_delete_module, "bp", O_NONBLOCK) == -1 &&
	      (errno == EWOULDBLOCK || errno == EBUSY), "unloading with sockets open fails");
	for (i = 0; i < NSOCK; i++)
		close(fds[i]);
	tn_kill(tn);
	check(syscall(SYS_delete_module, "bp", O_NONBLOCK) == 0, "unloading after close succeeds");
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	check(fd >= 0 && syscall(SYS_finit_module, fd, argc > 2 ? argv[2] : "", 0) == 0,
	      "the module loads again");
	close(fd);
	tn = tn_start(0);
	check(tn != NULL, "a node registers with the new module");
	a = socket(af, SOCK_DGRAM, 0);
	b = socket(af, SOCK_DGRAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.bp_family = af;
	sa.bp_scheme = BP_SCHEME_IPN;
	sa.bp_addr.ipn.node_id = TN_RESOLVED_NODE;
	sa.bp_addr.ipn.service_id = 5;
	bind(b, (struct sockaddr *)&sa, 16);
	{
		struct pollfd p = { b, POLLIN, 0 };

		check(sendto(a, "again", 5, 0, (struct sockaddr *)&sa, 16) == 5 &&
		      poll(&p, 1, 5000) == 1 && recv(b, &c, 1, MSG_TRUNC) == 5,
		      "sockets work after the reload");
	}
	close(a);
	close(b);
	tn_kill(tn);
	printf("1..%d\n", n_pass + n_fail);
	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
