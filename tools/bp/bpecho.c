// SPDX-License-Identifier: Apache-2.0
/* bpecho: an echo service over AF_BP; every ADU goes back to its source. See bpecho(1). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpaddr.h"

int main(int argc, char **argv)
{
	unsigned long long count = 0, done = 0;
	struct sockaddr_bp me, from;
	socklen_t melen, fromlen;
	size_t cap = 1 << 16;
	char *buf = malloc(cap);
	char why[200];
	int c, fd;

	while ((c = getopt(argc, argv, "n:h")) != -1) {
		if (c == 'n' && !bp_parse_uint(optarg, 1ULL << 40, &count))
			continue;
		fprintf(c == 'h' ? stdout : stderr, "usage: bpecho [-n COUNT] ENDPOINT\n"
			"Answers every ADU sent to ENDPOINT with the same payload; -n stops after COUNT.\n");
		return c == 'h' ? BPT_OK : BPT_USAGE;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: bpecho [-n COUNT] ENDPOINT\n");
		return BPT_USAGE;
	}
	if (bp_parse_eid(argv[optind], &me, &melen, why, sizeof(why))) {
		fprintf(stderr, "bpecho: %s\n", why);
		return BPT_USAGE;
	}
	fd = socket(AF_BP, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&me, melen) < 0) {
		fprintf(stderr, "bpecho: %s: %s\n", argv[optind], bp_strerror(errno));
		return BPT_ERROR;
	}
	while (count == 0 || done < count) {
		ssize_t n;

		n = bp_recv_whole(fd, &buf, &cap, &from, &fromlen);
		if (n < 0) {
			fprintf(stderr, "bpecho: recvfrom: %s\n", bp_strerror(errno));
			return BPT_ERROR;
		}
		if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fromlen) < 0)
			fprintf(stderr, "bpecho: answering: %s\n", bp_strerror(errno));
		done++;
	}
	return BPT_OK;
}
