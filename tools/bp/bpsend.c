// SPDX-License-Identifier: Apache-2.0
/* bpsend: sends one ADU over an AF_BP socket. See bpsend(1). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpaddr.h"

#define MAX_PAYLOAD (64 << 20)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bpsend [options] DESTINATION [TEXT...]\n"
		"Sends TEXT (the words joined by spaces), or standard input, as one bundle.\n"
		"  -s, --source EID        bind to this endpoint first (default: a free ipn:!.S)\n"
		"  -f, --file FILE         the payload is FILE\n"
		"  -l, --lifetime SECONDS  bundle lifetime (default: the node's, 24 h)\n"
		"  -p, --priority P        bulk, normal or expedited\n"
		"  -r, --report LIST       status reports: reception,forwarding,delivery,deletion\n"
		"      --report-to EID     where status reports go (default: the source)\n"
		"      --custody MODE      none, optional or required\n"
		"      --hop-limit N       1..255\n"
		"      --no-fragment       the bundle must not be fragmented\n"
		"      --app-ack           request an application acknowledgement\n"
		"  -h, --help\n");
}

static int fail(int code, const char *what, int err)
{
	fprintf(stderr, "bpsend: %s: %s\n", what, bp_strerror(err));
	return code;
}

static char *read_all(FILE *in, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	while (buf) {
		size_t r = fread(buf + n, 1, cap - n, in);

		n += r;
		if (r == 0)
			break;
		if (n == cap) {
			if (cap >= MAX_PAYLOAD) {
				free(buf);
				errno = EMSGSIZE;
				return NULL;
			}
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "source", required_argument, NULL, 's' }, { "file", required_argument, NULL, 'f' },
		{ "lifetime", required_argument, NULL, 'l' }, { "priority", required_argument, NULL, 'p' },
		{ "report", required_argument, NULL, 'r' }, { "report-to", required_argument, NULL, 1 },
		{ "custody", required_argument, NULL, 2 }, { "hop-limit", required_argument, NULL, 3 },
		{ "no-fragment", no_argument, NULL, 4 }, { "app-ack", no_argument, NULL, 5 },
		{ "help", no_argument, NULL, 'h' }, { 0 }
	};
	struct bp_tool_options o;
	struct sockaddr_bp dst, src;
	socklen_t dstlen, srclen;
	const char *source = NULL, *file = NULL, *failed;
	unsigned long long v;
	char why[200], *payload;
	size_t len = 0;
	int c, fd, i;

	bp_options_init(&o);
	while ((c = getopt_long(argc, argv, "s:f:l:p:r:h", longopts, NULL)) != -1) {
		why[0] = 0;
		switch (c) {
		case 's':
			source = optarg;
			break;
		case 'f':
			file = optarg;
			break;
		case 'l':
			if (bp_parse_uint(optarg, 1ULL << 40, &v) || v == 0)
				snprintf(why, sizeof(why), "lifetime '%s' is not a number of seconds >= 1", optarg);
			o.lifetime_ms = (long long)v * 1000;
			break;
		case 'p':
			bp_parse_priority(optarg, &o.class_of_service, why, sizeof(why));
			break;
		case 'r':
			bp_parse_reports(optarg, &o.reports, why, sizeof(why));
			break;
		case 1:
			o.report_to = optarg;
			break;
		case 2:
			bp_parse_custody(optarg, &o.custody, why, sizeof(why));
			break;
		case 3:
			if (bp_parse_uint(optarg, 255, &v) || v == 0)
				snprintf(why, sizeof(why), "hop limit '%s' is not 1..255", optarg);
			o.hop_limit = (int)v;
			break;
		case 4:
			o.no_fragment = 1;
			break;
		case 5:
			o.app_ack = 1;
			break;
		case 'h':
			usage(stdout);
			return BPT_OK;
		default:
			usage(stderr);
			return BPT_USAGE;
		}
		if (why[0]) {
			fprintf(stderr, "bpsend: %s\n", why);
			return BPT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return BPT_USAGE;
	}
	if (bp_parse_eid(argv[optind], &dst, &dstlen, why, sizeof(why)) ||
	    (o.report_to && bp_parse_eid(o.report_to, &src, &srclen, why, sizeof(why))) ||
	    (source && bp_parse_eid(source, &src, &srclen, why, sizeof(why)))) {
		fprintf(stderr, "bpsend: %s\n", why);
		return BPT_USAGE;
	}
	if (optind + 1 < argc) {
		for (i = optind + 1; i < argc; i++)
			len += strlen(argv[i]) + 1;
		payload = calloc(1, len);
		for (i = optind + 1; i < argc; i++) {
			strcat(payload, argv[i]);
			if (i + 1 < argc)
				strcat(payload, " ");
		}
		len = strlen(payload);
	} else {
		FILE *in = file ? fopen(file, "rb") : stdin;

		if (!in)
			return fail(BPT_ERROR, file, errno);
		payload = read_all(in, &len);
		if (!payload)
			return fail(BPT_ERROR, file ? file : "standard input", errno);
	}
	fd = socket(AF_BP, SOCK_DGRAM, 0);
	if (fd < 0)
		return fail(BPT_ERROR, "socket", errno);
	if (source && bind(fd, (struct sockaddr *)&src, srclen) < 0)
		return fail(BPT_ERROR, source, errno);
	if (bp_apply_options(fd, &o, &failed) < 0)
		return fail(BPT_ERROR, failed, errno);
	if (sendto(fd, payload, len, 0, (struct sockaddr *)&dst, dstlen) < 0) {
		int err = errno;

		/* Without -s the socket binds itself on this send: a bind error is about the source. */
		if (!source && (err == EADDRNOTAVAIL || err == EADDRINUSE || err == EACCES))
			return fail(BPT_ERROR, "binding this socket's own endpoint for the send (choose one with -s)",
				    err);
		return fail(BPT_ERROR, argv[optind], err);
	}
	close(fd);
	free(payload);
	return BPT_OK;
}
