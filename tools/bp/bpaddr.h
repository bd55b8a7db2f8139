/* SPDX-License-Identifier: Apache-2.0 */
/* What the bp* tools share: EIDs as text <-> struct sockaddr_bp, bundle options, exit codes. */
#ifndef BPTOOLS_BPADDR_H
#define BPTOOLS_BPADDR_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <linux/bp.h>

/* Exit codes of every tool (see the man pages). */
#define BPT_OK		0
#define BPT_NOTHING	1	/* nothing received in time (bprecv, bpping: no reply) */
#define BPT_ERROR	2	/* the system or the node refused: the message says why */
#define BPT_USAGE	64	/* bad command line, as sysexits' EX_USAGE */

/*
 * Parses "ipn:N.S", "ipn:!.S" (this node), "ipn:A.N.S" (RFC 9758), "dtn://node/demux" or
 * "dtn:none". Returns 0 and the address length, or -1 with a message naming the problem in why.
 */
int bp_parse_eid(const char *text, struct sockaddr_bp *addr, socklen_t *len, char *why, size_t whylen);

/* Formats an address the kernel returned (recvfrom, getsockname) as EID text. */
void bp_format_eid(const struct sockaddr_bp *addr, socklen_t len, char *out, size_t outlen);

/* Bundle options from the command line, applied with setsockopt at level SOL_BP. */
struct bp_tool_options {
	long long lifetime_ms;	/* 0: the node's default */
	int class_of_service;	/* -1: default */
	unsigned int reports;	/* BP_REPORT_* */
	int hop_limit;		/* 0: none */
	int custody;		/* -1: default */
	int no_fragment;
	int app_ack;
	const char *report_to;	/* NULL: the source */
};

void bp_options_init(struct bp_tool_options *o);

/* Parses one option value; returns 0, or -1 with a message in why. */
int bp_parse_priority(const char *text, int *cos, char *why, size_t whylen);
int bp_parse_reports(const char *text, unsigned int *reports, char *why, size_t whylen);
int bp_parse_custody(const char *text, int *custody, char *why, size_t whylen);
int bp_parse_uint(const char *text, unsigned long long max, unsigned long long *value);

/* setsockopt for every option that was given; returns 0, or -1 with errno and the option's name. */
int bp_apply_options(int fd, const struct bp_tool_options *o, const char **failed);

/*
 * Receives the next ADU whole into *buf, grown as needed (MSG_PEEK|MSG_TRUNC says how long it is),
 * and its source into from/fromlen unless from is NULL. Returns its length, or -1 with errno.
 */
ssize_t bp_recv_whole(int fd, char **buf, size_t *cap, struct sockaddr_bp *from, socklen_t *fromlen);

/* The errno of a failed call as the node and module mean it (see bp(7)). */
const char *bp_strerror(int err);

#endif
