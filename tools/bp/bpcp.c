// SPDX-License-Identifier: Apache-2.0
/*
 * bpcp: copies a file to another node as bundles, and receives such copies, checking the whole
 * file's SHA-256 at the far end. See bpcp(1) for the chunk format.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bpaddr.h"
#include "sha256.h"

#define MAGIC 0x42504350u	/* "BPCP" */
#define VERSION 1
#define NAME_MAX_LEN 255

/* Every chunk starts with this header (network byte order), then the file's name, then data. */
struct chunk_header {
	uint32_t magic;
	uint8_t version;
	uint8_t reserved;
	uint16_t name_len;
	uint32_t chunk_size;	/* every chunk's data but the last has this size */
	uint64_t transfer;	/* random: the chunks of one copy */
	uint64_t offset;
	uint64_t total;
	unsigned char sha256[32];	/* of the whole file */
} __attribute__((packed));

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bpcp [options] FILE DESTINATION     copy FILE to a bpcp -r at DESTINATION\n"
		"       bpcp -r [options] ENDPOINT DIRECTORY  receive one copy into DIRECTORY\n"
		"  -c, --chunk BYTES     data per bundle (default 65536)\n"
		"  -l, --lifetime SEC    bundle lifetime (default: the node's)\n"
		"  -s, --source EID      bind to this endpoint to send\n"
		"  -t, --timeout SEC     receiving: give up after SEC without a chunk (default 600)\n"
		"  -q, --quiet           no progress bar\n"
		"  -h, --help\n");
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void progress(const char *what, uint64_t done, uint64_t total, double t0, int quiet)
{
	int i, bar = total ? (int)(40 * done / total) : 40;
	double secs = now() - t0;

	if (quiet)
		return;
	fprintf(stderr, "\r%s [", what);
	for (i = 0; i < 40; i++)
		fputc(i < bar ? '#' : ' ', stderr);
	fprintf(stderr, "] %3d%% %.1f/%.1f MB %.1f MB/s", total ? (int)(100 * done / total) : 100,
		done / 1e6, total / 1e6, secs > 0 ? done / 1e6 / secs : 0.0);
	if (done == total)
		fputc('\n', stderr);
}

static int hash_file(int fd, unsigned char digest[32])
{
	static unsigned char buf[1 << 16];
	struct sha256 s;
	ssize_t n;

	sha256_init(&s);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sha256_update(&s, buf, (size_t)n);
	sha256_final(&s, digest);
	return n < 0 ? -1 : 0;
}

static int send_file(const char *path, const char *dest, const char *source, unsigned long long chunk,
		     long long lifetime_ms, int quiet)
{
	struct sockaddr_bp dst, src;
	socklen_t dstlen, srclen;
	struct chunk_header h = { 0 };
	struct bp_tool_options o;
	const char *failed, *name;
	char why[200], *copy, *bundle;
	uint64_t offset = 0, transfer;
	struct stat st;
	double t0;
	int fd, s;

	if (bp_parse_eid(dest, &dst, &dstlen, why, sizeof(why)) ||
	    (source && bp_parse_eid(source, &src, &srclen, why, sizeof(why)))) {
		fprintf(stderr, "bpcp: %s\n", why);
		return BPT_USAGE;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "bpcp: %s: %s\n", path, fd < 0 ? strerror(errno) : "not a regular file");
		return BPT_ERROR;
	}
	copy = strdup(path);
	name = basename(copy);
	if (strlen(name) > NAME_MAX_LEN) {
		fprintf(stderr, "bpcp: %s: the name is longer than %d bytes\n", path, NAME_MAX_LEN);
		return BPT_USAGE;
	}
	if (hash_file(fd, h.sha256) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		fprintf(stderr, "bpcp: %s: %s\n", path, strerror(errno));
		return BPT_ERROR;
	}
	s = socket(AF_BP, SOCK_DGRAM, 0);
	bp_options_init(&o);
	o.lifetime_ms = lifetime_ms;
	if (s < 0 || (source && bind(s, (struct sockaddr *)&src, srclen) < 0) ||
	    connect(s, (struct sockaddr *)&dst, dstlen) < 0) {
		fprintf(stderr, "bpcp: %s: %s\n", dest, bp_strerror(errno));
		return BPT_ERROR;
	}
	if (bp_apply_options(s, &o, &failed) < 0) {
		fprintf(stderr, "bpcp: %s: %s\n", failed, bp_strerror(errno));
		return BPT_ERROR;
	}
	srandom((unsigned int)(time(NULL) ^ getpid()));
	transfer = (uint64_t)random() << 32 ^ (uint64_t)random();
	h.magic = htobe32(MAGIC);
	h.version = VERSION;
	h.name_len = htobe16((uint16_t)strlen(name));
	h.chunk_size = htobe32((uint32_t)chunk);
	h.transfer = htobe64(transfer);
	h.total = htobe64((uint64_t)st.st_size);
	bundle = malloc(sizeof(h) + strlen(name) + chunk);
	t0 = now();
	do {
		size_t head = sizeof(h) + strlen(name);
		ssize_t n = pread(fd, bundle + head, chunk, (off_t)offset);

		if (n < 0) {
			fprintf(stderr, "bpcp: %s: %s\n", path, strerror(errno));
			return BPT_ERROR;
		}
		h.offset = htobe64(offset);
		memcpy(bundle, &h, sizeof(h));
		memcpy(bundle + sizeof(h), name, strlen(name));
		if (send(s, bundle, head + (size_t)n, 0) < 0) {
			fprintf(stderr, "\nbpcp: sending to %s: %s\n", dest, bp_strerror(errno));
			return BPT_ERROR;
		}
		offset += (uint64_t)n;
		progress(name, offset, (uint64_t)st.st_size, t0, quiet);
	} while (offset < (uint64_t)st.st_size);
	close(s);
	return BPT_OK;
}

/* The name a sender gave, if it is a plain file name: no directory may be written outside DIR. */
static int safe_name(const char *name)
{
	return name[0] && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/');
}

static int receive_file(const char *endpoint, const char *dir, unsigned long long timeout, int quiet)
{
	struct sockaddr_bp me;
	socklen_t melen;
	char why[200], name[NAME_MAX_LEN + 1] = "", part[4096], final[4096];
	unsigned char *have = NULL, digest[32], want[32];
	uint64_t transfer = 0, total = 0, got = 0, chunks = 0, chunk = 0;
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	double t0 = now();
	int s, fd = -1;

	if (bp_parse_eid(endpoint, &me, &melen, why, sizeof(why))) {
		fprintf(stderr, "bpcp: %s\n", why);
		return BPT_USAGE;
	}
	s = socket(AF_BP, SOCK_DGRAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&me, melen) < 0) {
		fprintf(stderr, "bpcp: %s: %s\n", endpoint, bp_strerror(errno));
		return BPT_ERROR;
	}
	if (!quiet)
		fprintf(stderr, "bpcp: receiving on %s\n", endpoint);
	while (!have || got < total) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		struct chunk_header h;
		uint64_t offset, index;
		size_t nlen, data;
		ssize_t n;

		if (poll(&p, 1, (int)(timeout * 1000)) <= 0) {
			fprintf(stderr, "\nbpcp: nothing within %llu s (%llu of %llu bytes)\n", timeout,
				(unsigned long long)got, (unsigned long long)total);
			return BPT_NOTHING;
		}
		n = bp_recv_whole(s, &buf, &cap, NULL, NULL);
		if (n < (ssize_t)sizeof(h))
			continue;
		memcpy(&h, buf, sizeof(h));
		nlen = be16toh(h.name_len);
		if (be32toh(h.magic) != MAGIC || h.version != VERSION || nlen > NAME_MAX_LEN ||
		    sizeof(h) + nlen > (size_t)n || !be32toh(h.chunk_size)) {
			fprintf(stderr, "bpcp: ignored a bundle that is not a bpcp chunk\n");
			continue;
		}
		if (!have) {
			memcpy(name, buf + sizeof(h), nlen);
			name[nlen] = 0;
			if (!safe_name(name)) {
				fprintf(stderr, "bpcp: refused the file name '%s'\n", name);
				return BPT_ERROR;
			}
			transfer = h.transfer;
			total = be64toh(h.total);
			chunk = be32toh(h.chunk_size);
			chunks = total ? (total + chunk - 1) / chunk : 1;
			memcpy(want, h.sha256, 32);
			have = calloc(chunks, 1);
			snprintf(part, sizeof(part), "%s/.%s.bpcp-part", dir, name);
			snprintf(final, sizeof(final), "%s/%s", dir, name);
			fd = open(part, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0) {
				fprintf(stderr, "bpcp: %s: %s\n", part, strerror(errno));
				return BPT_ERROR;
			}
		}
		if (h.transfer != transfer)
			continue;	/* another copy's chunk */
		offset = be64toh(h.offset);
		data = (size_t)n - sizeof(h) - nlen;
		index = offset / chunk;
		if (offset % chunk || index >= chunks || offset + data > total || have[index])
			continue;	/* malformed, or delivered twice */
		if (pwrite(fd, buf + sizeof(h) + nlen, data, (off_t)offset) != (ssize_t)data) {
			fprintf(stderr, "bpcp: %s: %s\n", part, strerror(errno));
			return BPT_ERROR;
		}
		have[index] = 1;
		got += data;
		progress(name, got, total, t0, quiet);
		if (total == 0)
			break;
	}
	close(fd);
	fd = open(part, O_RDONLY);
	if (fd < 0 || hash_file(fd, digest) < 0) {
		fprintf(stderr, "bpcp: %s: %s\n", part, strerror(errno));
		return BPT_ERROR;
	}
	close(fd);
	if (memcmp(digest, want, 32)) {
		unlink(part);
		fprintf(stderr, "bpcp: %s: SHA-256 mismatch, the copy is discarded\n", name);
		return BPT_ERROR;
	}
	if (rename(part, final) < 0) {
		fprintf(stderr, "bpcp: %s: %s\n", final, strerror(errno));
		return BPT_ERROR;
	}
	printf("%s: %llu bytes, SHA-256 verified\n", final, (unsigned long long)total);
	return BPT_OK;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "receive", no_argument, NULL, 'r' }, { "chunk", required_argument, NULL, 'c' },
		{ "lifetime", required_argument, NULL, 'l' }, { "source", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { 0 }
	};
	unsigned long long chunk = 65536, life = 0, timeout = 600;
	const char *source = NULL;
	int c, receive = 0, quiet = !isatty(2);

	while ((c = getopt_long(argc, argv, "rc:l:s:t:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'r':
			receive = 1;
			break;
		case 'c':
			if (bp_parse_uint(optarg, 16 << 20, &chunk) || chunk == 0) {
				fprintf(stderr, "bpcp: chunk '%s' is not 1..16777216 bytes\n", optarg);
				return BPT_USAGE;
			}
			break;
		case 'l':
			if (bp_parse_uint(optarg, 1ULL << 40, &life) || life == 0) {
				fprintf(stderr, "bpcp: lifetime '%s' is not a number of seconds >= 1\n", optarg);
				return BPT_USAGE;
			}
			break;
		case 's':
			source = optarg;
			break;
		case 't':
			if (bp_parse_uint(optarg, 1U << 20, &timeout) || timeout == 0) {
				fprintf(stderr, "bpcp: timeout '%s' is not a number of seconds >= 1\n", optarg);
				return BPT_USAGE;
			}
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return BPT_OK;
		default:
			usage(stderr);
			return BPT_USAGE;
		}
	}
	if (optind + 2 != argc) {
		usage(stderr);
		return BPT_USAGE;
	}
	return receive ? receive_file(argv[optind], argv[optind + 1], timeout, quiet)
		       : send_file(argv[optind], argv[optind + 1], source, chunk, (long long)life * 1000, quiet);
}
