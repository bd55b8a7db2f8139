// SPDX-License-Identifier: Apache-2.0
/* bprecv: binds an endpoint and receives ADUs. See bprecv(1). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpaddr.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bprecv [options] ENDPOINT\n"
		"Binds ENDPOINT and writes each ADU's payload to standard output.\n"
		"  -n, --count N       stop after N ADUs (default 1; 0 = until interrupted)\n"
		"  -t, --timeout SEC   give up after SEC seconds without an ADU (default: wait for ever)\n"
		"  -o, --output FILE   append payloads to FILE instead\n"
		"  -v, --verbose       on standard error: when bound, and each ADU's source and size\n"
		"  -h, --help\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' }, { "timeout", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' }, { "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' }, { 0 }
	};
	unsigned long long count = 1, timeout = 0, got = 0;
	struct sockaddr_bp me, from;
	socklen_t melen, fromlen;
	const char *output = NULL;
	char why[200], eid[160];
	int c, fd, verbose = 0;
	size_t cap = 1 << 20;
	char *buf;
	FILE *out = stdout;

	while ((c = getopt_long(argc, argv, "n:t:o:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (bp_parse_uint(optarg, 1ULL << 40, &count)) {
				fprintf(stderr, "bprecv: count '%s' is not a number\n", optarg);
				return BPT_USAGE;
			}
			break;
		case 't':
			if (bp_parse_uint(optarg, 1U << 30, &timeout) || timeout == 0) {
				fprintf(stderr, "bprecv: timeout '%s' is not a number of seconds >= 1\n", optarg);
				return BPT_USAGE;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return BPT_OK;
		default:
			usage(stderr);
			return BPT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return BPT_USAGE;
	}
	if (bp_parse_eid(argv[optind], &me, &melen, why, sizeof(why))) {
		fprintf(stderr, "bprecv: %s\n", why);
		return BPT_USAGE;
	}
	if (output && !(out = fopen(output, "ab"))) {
		fprintf(stderr, "bprecv: %s: %s\n", output, strerror(errno));
		return BPT_ERROR;
	}
	fd = socket(AF_BP, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, melen) < 0) {
		fprintf(stderr, "bprecv: %s: %s\n", argv[optind], bp_strerror(errno));
		return BPT_ERROR;
	}
	if (verbose) {
		fromlen = sizeof(from);
		getsockname(fd, (struct sockaddr *)&from, &fromlen);
		bp_format_eid(&from, fromlen, eid, sizeof(eid));
		fprintf(stderr, "bprecv: bound %s\n", eid);
	}
	buf = malloc(cap);
	while (count == 0 || got < count) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int r = poll(&p, 1, timeout ? (int)(timeout * 1000) : -1);

		if (r == 0) {
			fprintf(stderr, "bprecv: nothing within %llu s\n", timeout);
			return BPT_NOTHING;
		}
		if (r < 0) {
			fprintf(stderr, "bprecv: poll: %s\n", strerror(errno));
			return BPT_ERROR;
		}
		n = bp_recv_whole(fd, &buf, &cap, &from, &fromlen);
		if (n < 0) {
			fprintf(stderr, "bprecv: recvfrom: %s\n", bp_strerror(errno));
			return BPT_ERROR;
		}
		if (verbose) {
			bp_format_eid(&from, fromlen, eid, sizeof(eid));
			fprintf(stderr, "bprecv: from %s, %zd bytes\n", eid, n);
		}
		fwrite(buf, 1, (size_t)n, out);
		fflush(out);
		got++;
	}
	return BPT_OK;
}
