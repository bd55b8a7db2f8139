// SPDX-License-Identifier: Apache-2.0
/* bpping: round trips to an echo service over AF_BP, as ping(8) does over ICMP. See bpping(1). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bpaddr.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bpping [options] ECHO-ENDPOINT\n"
		"Sends bundles to an echo service (e.g. ipn:1.9002) and reports round-trip times and loss.\n"
		"  -c, --count N         stop after N pings (default: until interrupted)\n"
		"  -i, --interval MS     between pings (default 1000)\n"
		"  -s, --size BYTES      payload size, at least 16 (default 64)\n"
		"  -W, --timeout SEC     how long to wait for each answer (default 10)\n"
		"  -l, --lifetime SEC    bundle lifetime (default: the node's)\n"
		"  -S, --source EID      bind to this endpoint (default: a free ipn:!.S)\n"
		"  -h, --help\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' }, { "interval", required_argument, NULL, 'i' },
		{ "size", required_argument, NULL, 's' }, { "timeout", required_argument, NULL, 'W' },
		{ "lifetime", required_argument, NULL, 'l' }, { "source", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' }, { 0 }
	};
	unsigned long long count = 0, interval = 1000, size = 64, timeout = 10, life = 0;
	unsigned long long sent = 0, received = 0;
	double min = 0, max = 0, sum = 0;
	struct bp_tool_options o;
	struct sockaddr_bp dst, src;
	socklen_t dstlen, srclen;
	const char *source = NULL, *failed;
	char why[200], *out, *in;
	unsigned long long *v;
	int c, fd;

	while ((c = getopt_long(argc, argv, "c:i:s:W:l:S:h", longopts, NULL)) != -1) {
		v = c == 'c' ? &count : c == 'i' ? &interval : c == 's' ? &size : c == 'W' ? &timeout :
		    c == 'l' ? &life : NULL;
		if (v) {
			if (bp_parse_uint(optarg, 1ULL << 40, v)) {
				fprintf(stderr, "bpping: -%c '%s' is not a number\n", c, optarg);
				return BPT_USAGE;
			}
		} else if (c == 'S') {
			source = optarg;
		} else if (c == 'h') {
			usage(stdout);
			return BPT_OK;
		} else {
			usage(stderr);
			return BPT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return BPT_USAGE;
	}
	if (size < 16 || size > (16 << 20) || timeout == 0) {
		fprintf(stderr, "bpping: the size is 16..16777216 bytes and the timeout at least 1 s\n");
		return BPT_USAGE;
	}
	if (bp_parse_eid(argv[optind], &dst, &dstlen, why, sizeof(why)) ||
	    (source && bp_parse_eid(source, &src, &srclen, why, sizeof(why)))) {
		fprintf(stderr, "bpping: %s\n", why);
		return BPT_USAGE;
	}
	bp_options_init(&o);
	o.lifetime_ms = (long long)life * 1000;
	fd = socket(AF_BP, SOCK_DGRAM, 0);
	if (fd < 0 || (source && bind(fd, (struct sockaddr *)&src, srclen) < 0) ||
	    connect(fd, (struct sockaddr *)&dst, dstlen) < 0) {
		fprintf(stderr, "bpping: %s: %s\n", argv[optind], bp_strerror(errno));
		return BPT_ERROR;
	}
	if (bp_apply_options(fd, &o, &failed) < 0) {
		fprintf(stderr, "bpping: %s: %s\n", failed, bp_strerror(errno));
		return BPT_ERROR;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	out = calloc(1, size);
	in = calloc(1, size);
	printf("BPPING %s: %llu bytes\n", argv[optind], size);
	while (!stop && (count == 0 || sent < count)) {
		double t0 = now_ms(), deadline = t0 + timeout * 1000.0;
		unsigned long long seq = sent;
		int answered = 0;

		/* The payload names the ping: an answer to an earlier, late one is not this one's. */
		snprintf(out, size, "bpping %llu", seq);
		if (send(fd, out, size, 0) < 0) {
			fprintf(stderr, "bpping: send: %s\n", bp_strerror(errno));
			return BPT_ERROR;
		}
		sent++;
		while (!stop && !answered) {
			double left = deadline - now_ms();
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t n;

			if (left <= 0 || poll(&p, 1, (int)left + 1) <= 0)
				break;
			n = recv(fd, in, size, 0);
			if (n == (ssize_t)size && !memcmp(in, out, size)) {
				double rtt = now_ms() - t0;

				printf("%zd bytes from %s: seq=%llu time=%.1f ms\n", n, argv[optind], seq, rtt);
				fflush(stdout);
				min = received == 0 || rtt < min ? rtt : min;
				max = rtt > max ? rtt : max;
				sum += rtt;
				received++;
				answered = 1;
			}
		}
		if (!answered && !stop)
			printf("no answer to seq=%llu within %llu s\n", seq, timeout);
		while (!stop && (count == 0 || sent < count) && now_ms() < t0 + interval)
			usleep(10000);
	}
	printf("--- %s bpping statistics ---\n", argv[optind]);
	printf("%llu bundles sent, %llu answered, %.0f%% lost\n", sent, received,
	       sent ? 100.0 * (double)(sent - received) / (double)sent : 0.0);
	if (received)
		printf("rtt min/avg/max = %.1f/%.1f/%.1f ms\n", min, sum / (double)received, max);
	return received ? BPT_OK : BPT_NOTHING;
}
