// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark against the prior art (issue 18, P2): one sender and one receiver over AF_BP,
 * written against the earlier bp-socket prototype's ABI only (kmod/test/bpsocket_abi.h: AF_BP 28,
 * its 16-byte struct sockaddr_bp, SOCK_DGRAM protocol 0, blocking sendto/recvfrom, SO_RCVTIMEO),
 * so that the very same binary runs against our module and node and against DTN-MTP/bp-socket's
 * module, daemon and ION (itests/vm-e2e/prior-art.sh runs both in one VM boot).
 *
 *   bp_prior_bench NODE [SCALE [SIZE]]
 *
 * binds ipn:NODE.30 (sender) and ipn:NODE.31 (receiver) once, waits until a probe gets through,
 * then per size (100 B, 1 KiB, 65,000 B) runs a warm-up of a quarter of the count and the measured
 * run, and prints one line per size:
 *
 *   # SIZE MSG/S MB/S RECEIVED SENT WINDOW RETRIES
 *
 * SCALE divides the counts (20,000, 20,000, 2,000), for trying the harness quickly; SIZE runs only
 * that size (prior-art.sh gives bp-socket a fresh ION node per size, see there).
 *
 * Fairness: bp-socket has no flow control (a sendto that returned may still be dropped by its
 * daemon or by ION), so the sender keeps at most WINDOW datagrams in flight (sent, not yet
 * received: 4 MiB worth, 16 to 1,000 datagrams) on both stacks alike. A send refused with EAGAIN
 * or ENOBUFS (bp-socket: its daemon's netlink socket is full; ours: the module's window) is retried
 * after 0.5 ms and counted in RETRIES; any other error ends the run. A measured run also ends after
 * 120 s of sending (a warm-up after 30 s), and when nothing has arrived for 30 s: what never arrived is counted as lost,
 * never waited for. MSG/S is datagrams received divided by the time from the first send to the
 * last arrival; every datagram carries a run number and a sequence number, and only the first copy
 * of each counts.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include "bpsocket_abi.h"

#define SEND_SERVICE	30
#define RECV_SERVICE	31
#define MAX_SIZE	65000
#define QUIET_S		30.0

struct run {
	pthread_mutex_t lock;
	pthread_cond_t progress;
	int rx;
	uint32_t id;		/* this run's number, in every datagram it sends */
	long count;
	/* guarded by lock */
	long sent, received, strays;
	int sender_done;
	double last_rx;
	unsigned char *seen;
};

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
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

static int bound(uint32_t node, uint32_t service)
{
	struct sockaddr_bp a = ipn(node, service);
	struct timeval tv = { .tv_sec = 1 };
	int fd = socket(AF_BP, SOCK_DGRAM, 0), buf = 4 << 20;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("bp_prior_bench: socket/bind");
		exit(1);
	}
	/* Generic SOL_SOCKET options only (bp-socket's own setsockopt handles no other level). */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	return fd;
}

static void *reader(void *arg)
{
	struct run *r = arg;
	unsigned char *buf = malloc(MAX_SIZE + 1);
	struct sockaddr_bp from;
	socklen_t fromlen;
	uint32_t hdr[2];
	ssize_t n;

	for (;;) {
		fromlen = sizeof(from);
		n = recvfrom(r->rx, buf, MAX_SIZE + 1, 0, (struct sockaddr *)&from, &fromlen);
		pthread_mutex_lock(&r->lock);
		if (n >= (ssize_t)sizeof(hdr)) {
			memcpy(hdr, buf, sizeof(hdr));
			if (hdr[0] == r->id && hdr[1] < r->count && !r->seen[hdr[1]]) {
				r->seen[hdr[1]] = 1;
				r->received++;
				r->last_rx = now();
				pthread_cond_broadcast(&r->progress);
			} else {
				r->strays++;
			}
		}
		if (r->received == r->count || (r->sender_done && r->received == r->sent) ||
		    now() - r->last_rx > QUIET_S) {
			pthread_cond_broadcast(&r->progress);
			pthread_mutex_unlock(&r->lock);
			break;
		}
		pthread_mutex_unlock(&r->lock);
	}
	free(buf);
	return NULL;
}

/* One run; returns the time from the first send to the last arrival. */
static double run(int tx, int rx, uint32_t node, uint32_t id, size_t size, long count, long window,
		  double cap, long *sent, long *received, long *retries, long *strays)
{
	static struct run r;
	struct sockaddr_bp to = ipn(node, RECV_SERVICE);
	unsigned char *buf = calloc(1, size);
	double t0;
	int stalled;
	pthread_t t;
	uint32_t hdr[2];
	long i;

	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.progress, NULL);
	r.rx = rx;
	r.id = id;
	r.count = count;
	r.seen = calloc(count, 1);
	*retries = 0;
	t0 = now();
	r.last_rx = t0;
	pthread_create(&t, NULL, reader, &r);
	for (i = 0; i < count; i++) {
		pthread_mutex_lock(&r.lock);
		while (r.sent - r.received >= window && now() - r.last_rx <= QUIET_S) {
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec++;
			pthread_cond_timedwait(&r.progress, &r.lock, &until);
		}
		stalled = r.sent - r.received >= window;	/* nothing for QUIET_S: the rest is lost */
		pthread_mutex_unlock(&r.lock);
		if (stalled || now() - t0 > cap)
			break;
		hdr[0] = id;
		hdr[1] = (uint32_t)i;
		memcpy(buf, hdr, sizeof(hdr));
		while (sendto(tx, buf, size, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
			if (errno != EAGAIN && errno != ENOBUFS) {
				fprintf(stderr, "bp_prior_bench: sendto: %s (after %ld)\n", strerror(errno), i);
				goto done;
			}
			(*retries)++;
			usleep(500);
		}
		pthread_mutex_lock(&r.lock);
		r.sent++;
		pthread_mutex_unlock(&r.lock);
	}
done:
	pthread_mutex_lock(&r.lock);
	r.sender_done = 1;
	pthread_mutex_unlock(&r.lock);
	pthread_join(t, NULL);
	*sent = r.sent;
	*received = r.received;
	*strays = r.strays;
	free(r.seen);
	free(buf);
	return r.last_rx - t0;
}

/* Probes until one gets through: bp-socket opens the endpoints in its daemon after bind returned. */
static int await_path(int tx, int rx, uint32_t node)
{
	struct sockaddr_bp to = ipn(node, RECV_SERVICE);
	uint32_t probe[2] = { 0, 0 };
	char buf[64];
	double t0 = now();

	while (now() - t0 < 120) {
		if (sendto(tx, probe, sizeof(probe), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
			fprintf(stderr, "bp_prior_bench: probe: %s\n", strerror(errno));
		if (recv(rx, buf, sizeof(buf), 0) >= 0)
			return 0;
		sleep(1);
	}
	return -1;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 100, 1024, 65000 };
	static const long counts[] = { 20000, 20000, 2000 };
	uint32_t node, id = 1;
	long scale = 1, only = 0;
	int tx, rx, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s NODE [SCALE]\n", argv[0]);
		return 2;
	}
	node = strtoul(argv[1], NULL, 10);
	if (argc >= 3)
		scale = atol(argv[2]) > 0 ? atol(argv[2]) : 1;
	if (argc >= 4)
		only = atol(argv[3]);
	tx = bound(node, SEND_SERVICE);
	rx = bound(node, RECV_SERVICE);
	if (await_path(tx, rx, node) < 0) {
		fprintf(stderr, "bp_prior_bench: no probe arrived in 120 s\n");
		return 1;
	}
	printf("# size      msg/s       MB/s   received       sent  window  retries\n");
	fflush(stdout);
	for (i = 0; i < 3; i++) {
		long count = counts[i] / scale, window = (4 << 20) / sizes[i];
		long sent, received, retries, strays;
		double t;

		if (only && (long)sizes[i] != only)
			continue;
		if (window > 1000)
			window = 1000;
		if (window < 16)
			window = 16;
		/* A warm-up of a quarter (the node's compiled code, ION's first allocations); then the run. */
		run(tx, rx, node, id++, sizes[i], count / 4, window, 30, &sent, &received, &retries, &strays);
		fprintf(stderr, "bp_prior_bench: warm-up %zu B: %ld of %ld received\n", sizes[i], received, sent);
		t = run(tx, rx, node, id++, sizes[i], count, window, 120, &sent, &received, &retries, &strays);
		printf("# %-6zu %10.0f %10.2f %10ld %10ld %7ld %8ld\n", sizes[i],
		       t > 0 ? received / t : 0, t > 0 ? received / t * sizes[i] / 1e6 : 0, received, sent,
		       window, retries);
		fflush(stdout);
		if (strays)
			fprintf(stderr, "bp_prior_bench: %zu B: %ld datagrams of earlier runs or duplicates\n",
				sizes[i], strays);
	}
	close(tx);
	close(rx);
	return 0;
}
