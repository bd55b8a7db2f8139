// SPDX-License-Identifier: GPL-2.0
/* The test node for bp_compat.c: see compat_node.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "testnode.h"
#include "compat_node.h"

static struct tn *tn;

int cn_start(void)
{
	tn = tn_start(0);
	return tn ? 0 : -1;
}

void cn_stop(void)
{
	tn_kill(tn);
	tn = NULL;
}

unsigned int cn_sends(void)
{
	unsigned int n;

	tn_lock(tn);
	n = tn_ctl(tn)->n_send;
	tn_unlock(tn);
	return n;
}

static int sends_at_least(struct tn_ctl *c, void *arg)
{
	return c->n_send >= *(unsigned int *)arg;
}

int cn_wait_sends(unsigned int n, int ms)
{
	return tn_wait(tn, sends_at_least, &n, ms);
}

void cn_refuse_sends(int err)
{
	tn_lock(tn);
	tn_ctl(tn)->send_mode = err ? TN_SEND_ERRNO : TN_SEND_LOOPBACK;
	tn_ctl(tn)->send_errno = err;
	tn_unlock(tn);
}

static const char *opt_name(uint32_t name)
{
	switch (name) {
	case BP_LIFETIME_MS: return "LIFETIME_MS";
	case BP_CLASS_OF_SERVICE: return "CLASS_OF_SERVICE";
	case BP_ORDINAL: return "ORDINAL";
	case BP_STATUS_REPORTS: return "STATUS_REPORTS";
	case BP_REPORT_TO: return "REPORT_TO";
	case BP_CUSTODY: return "CUSTODY";
	case BP_HOP_LIMIT: return "HOP_LIMIT";
	case BP_MUST_NOT_FRAGMENT: return "MUST_NOT_FRAGMENT";
	case BP_APP_ACK: return "APP_ACK";
	default: return "?";
	}
}

const char *cn_last_opts(char *buf, unsigned int len)
{
	const struct tn_send_info *si;
	unsigned int i, off = 0;
	uint32_t v;

	buf[0] = 0;
	tn_lock(tn);
	si = &tn_ctl(tn)->last_send;
	for (i = 0; i < si->nopts && off < len; i++) {
		v = 0;
		if (si->opts[i].len == 4)
			memcpy(&v, si->opts[i].val, 4);
		off += snprintf(buf + off, len - off,
				si->opts[i].name == BP_STATUS_REPORTS ? "%s%s=%#x" : "%s%s=%u",
				i ? " " : "", opt_name(si->opts[i].name), v);
	}
	tn_unlock(tn);
	return buf;
}

unsigned int cn_last_src_service(void)
{
	unsigned int s;

	tn_lock(tn);
	s = tn_ctl(tn)->last_send.src.service;
	tn_unlock(tn);
	return s;
}

unsigned int cn_last_dst_service(void)
{
	unsigned int s;

	tn_lock(tn);
	s = tn_ctl(tn)->last_send.dst.service;
	tn_unlock(tn);
	return s;
}

int cn_sol_bp(void)
{
	return SOL_BP;
}

int cn_proto_standard(void)
{
	return BP_PROTO_STANDARD;
}

int cn_opt_cos(void)
{
	return BP_CLASS_OF_SERVICE;
}
