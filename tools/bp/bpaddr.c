// SPDX-License-Identifier: Apache-2.0
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bpaddr.h"

int bp_parse_uint(const char *text, unsigned long long max, unsigned long long *value)
{
	unsigned long long v = 0;
	const char *p = text;

	if (!*p)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		if (v > (max - (unsigned int)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned int)(*p - '0');
	}
	*value = v;
	return 0;
}

/* One dot-separated decimal component of an ipn EID, up to the next dot or the end. */
static const char *ipn_component(const char *p, uint32_t *out)
{
	char digits[16];
	size_t n = strcspn(p, ".");
	unsigned long long v;

	if (n == 0 || n >= sizeof(digits))
		return NULL;
	memcpy(digits, p, n);
	digits[n] = 0;
	if (bp_parse_uint(digits, UINT32_MAX, &v))
		return NULL;
	*out = (uint32_t)v;
	return p + n;
}

int bp_parse_eid(const char *text, struct sockaddr_bp *addr, socklen_t *len, char *why, size_t whylen)
{
	uint32_t part[3];
	const char *p;
	int n = 0;

	memset(addr, 0, sizeof(*addr));
	addr->bp_family = AF_BP;
	if (!strncmp(text, "dtn:", 4)) {
		if (strcmp(text, "dtn:none") && strncmp(text, "dtn://", 6)) {
			snprintf(why, whylen, "'%s' is not a dtn EID: it is dtn://node/demux or dtn:none", text);
			return -1;
		}
		if (strlen(text) >= BP_DTN_EID_MAX) {
			snprintf(why, whylen, "'%s' is longer than %d bytes", text, BP_DTN_EID_MAX - 1);
			return -1;
		}
		addr->bp_scheme = BP_SCHEME_DTN;
		strcpy(addr->bp_addr.dtn, text);
		*len = BP_SOCKADDR_DTN_OFFSET + strlen(text) + 1;
		return 0;
	}
	if (strncmp(text, "ipn:", 4)) {
		snprintf(why, whylen, "'%s' is not an EID: it starts with ipn: or dtn:", text);
		return -1;
	}
	p = text + 4;
	if (p[0] == '!' && p[1] == '.') {
		part[n++] = BP_IPN_LOCAL_NODE;
		p += 2;
		if (!ipn_component(p, &part[n]) || *ipn_component(p, &part[n])) {
			snprintf(why, whylen, "'%s': after ipn:!. comes a service number (0..4294967295)", text);
			return -1;
		}
		n++;
	} else {
		while (n < 3) {
			p = ipn_component(p, &part[n]);
			if (!p) {
				snprintf(why, whylen, "'%s': each part of an ipn EID is a number 0..4294967295", text);
				return -1;
			}
			n++;
			if (!*p)
				break;
			p++;	/* the dot */
			if (n == 3) {
				snprintf(why, whylen, "'%s' has more than three parts", text);
				return -1;
			}
		}
		if (n < 2) {
			snprintf(why, whylen, "'%s': an ipn EID is ipn:node.service (e.g. ipn:2.1)", text);
			return -1;
		}
	}
	addr->bp_scheme = BP_SCHEME_IPN;
	if (n == 3) {
		addr->bp_addr.ipn.allocator_id = part[0];
		addr->bp_addr.ipn.node_id = part[1];
		addr->bp_addr.ipn.service_id = part[2];
		*len = BP_SOCKADDR_IPN3_LEN;
	} else {
		addr->bp_addr.ipn.node_id = part[0];
		addr->bp_addr.ipn.service_id = part[1];
		*len = BP_SOCKADDR_IPN_LEN;
	}
	return 0;
}

void bp_format_eid(const struct sockaddr_bp *addr, socklen_t len, char *out, size_t outlen)
{
	if (len >= BP_SOCKADDR_DTN_OFFSET && addr->bp_scheme == BP_SCHEME_DTN) {
		snprintf(out, outlen, "%.*s", (int)(len - BP_SOCKADDR_DTN_OFFSET), addr->bp_addr.dtn);
	} else if (len >= BP_SOCKADDR_IPN_LEN && addr->bp_scheme == BP_SCHEME_IPN) {
		if (len >= BP_SOCKADDR_IPN3_LEN && addr->bp_addr.ipn.allocator_id)
			snprintf(out, outlen, "ipn:%u.%u.%u", addr->bp_addr.ipn.allocator_id,
				 addr->bp_addr.ipn.node_id, addr->bp_addr.ipn.service_id);
		else
			snprintf(out, outlen, "ipn:%u.%u", addr->bp_addr.ipn.node_id,
				 addr->bp_addr.ipn.service_id);
	} else {
		snprintf(out, outlen, "(unknown address, %u bytes)", (unsigned int)len);
	}
}

void bp_options_init(struct bp_tool_options *o)
{
	memset(o, 0, sizeof(*o));
	o->class_of_service = -1;
	o->custody = -1;
}

int bp_parse_priority(const char *text, int *cos, char *why, size_t whylen)
{
	if (!strcasecmp(text, "bulk"))
		*cos = BP_COS_BULK;
	else if (!strcasecmp(text, "normal"))
		*cos = BP_COS_NORMAL;
	else if (!strcasecmp(text, "expedited"))
		*cos = BP_COS_EXPEDITED;
	else {
		snprintf(why, whylen, "priority '%s' is not bulk, normal or expedited", text);
		return -1;
	}
	return 0;
}

int bp_parse_custody(const char *text, int *custody, char *why, size_t whylen)
{
	if (!strcasecmp(text, "none"))
		*custody = BP_CUSTODY_NONE;
	else if (!strcasecmp(text, "optional"))
		*custody = BP_CUSTODY_OPTIONAL;
	else if (!strcasecmp(text, "required"))
		*custody = BP_CUSTODY_REQUIRED;
	else {
		snprintf(why, whylen, "custody '%s' is not none, optional or required", text);
		return -1;
	}
	return 0;
}

int bp_parse_reports(const char *text, unsigned int *reports, char *why, size_t whylen)
{
	static const struct { const char *name; unsigned int flag; } kinds[] = {
		{ "reception", BP_REPORT_RECEPTION }, { "forwarding", BP_REPORT_FORWARDING },
		{ "delivery", BP_REPORT_DELIVERY }, { "deletion", BP_REPORT_DELETION },
	};
	char copy[128], *tok, *save;
	size_t i;

	snprintf(copy, sizeof(copy), "%s", text);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (!strcasecmp(tok, kinds[i].name))
				break;
		if (i == sizeof(kinds) / sizeof(kinds[0])) {
			snprintf(why, whylen, "report '%s' is not reception, forwarding, delivery or deletion", tok);
			return -1;
		}
		*reports |= kinds[i].flag;
	}
	return 0;
}

int bp_apply_options(int fd, const struct bp_tool_options *o, const char **failed)
{
	if (o->lifetime_ms > 0) {
		__u64 ms = (__u64)o->lifetime_ms;

		*failed = "lifetime";
		if (setsockopt(fd, SOL_BP, BP_LIFETIME_MS, &ms, sizeof(ms)))
			return -1;
	}
	if (o->class_of_service >= 0) {
		*failed = "priority";
		if (setsockopt(fd, SOL_BP, BP_CLASS_OF_SERVICE, &o->class_of_service, sizeof(int)))
			return -1;
	}
	if (o->reports) {
		__u32 r = o->reports;

		*failed = "status reports";
		if (setsockopt(fd, SOL_BP, BP_STATUS_REPORTS, &r, sizeof(r)))
			return -1;
	}
	if (o->report_to) {
		struct sockaddr_bp to;
		socklen_t len;
		char why[160];

		*failed = "report-to";
		if (bp_parse_eid(o->report_to, &to, &len, why, sizeof(why))) {
			errno = EINVAL;
			return -1;
		}
		if (setsockopt(fd, SOL_BP, BP_REPORT_TO, &to, len))
			return -1;
	}
	if (o->custody >= 0) {
		*failed = "custody";
		if (setsockopt(fd, SOL_BP, BP_CUSTODY, &o->custody, sizeof(int)))
			return -1;
	}
	if (o->hop_limit > 0) {
		*failed = "hop limit";
		if (setsockopt(fd, SOL_BP, BP_HOP_LIMIT, &o->hop_limit, sizeof(int)))
			return -1;
	}
	if (o->no_fragment) {
		*failed = "no-fragment";
		if (setsockopt(fd, SOL_BP, BP_MUST_NOT_FRAGMENT, &o->no_fragment, sizeof(int)))
			return -1;
	}
	if (o->app_ack) {
		*failed = "app-ack";
		if (setsockopt(fd, SOL_BP, BP_APP_ACK, &o->app_ack, sizeof(int)))
			return -1;
	}
	return 0;
}

ssize_t bp_recv_whole(int fd, char **buf, size_t *cap, struct sockaddr_bp *from, socklen_t *fromlen)
{
	ssize_t n = recv(fd, *buf, *cap, MSG_PEEK | MSG_TRUNC);

	if (n > (ssize_t)*cap) {
		char *bigger = realloc(*buf, (size_t)n);

		if (!bigger) {
			errno = ENOMEM;
			return -1;
		}
		*buf = bigger;
		*cap = (size_t)n;
	}
	if (!from)
		return recv(fd, *buf, *cap, 0);
	*fromlen = sizeof(*from);
	return recvfrom(fd, *buf, *cap, 0, (struct sockaddr *)from, fromlen);
}

const char *bp_strerror(int err)
{
	switch (err) {
	case EAFNOSUPPORT:
		return "AF_BP is not available: the bp kernel module is not loaded (modprobe bp)";
	case ENETDOWN:
		return "no BP node is registered with the kernel: start the node";
	case ENOPROTOOPT:
		return "no extension of the node handles this option";
	case EOPNOTSUPP:
		return "not supported by the node or its backend";
	case ENETUNREACH:
		return "the node has no backend that carries bundles";
	case ETIMEDOUT:
		return "the node did not answer in time";
	case EADDRINUSE:
		return "another socket is bound to this endpoint";
	case EADDRNOTAVAIL:
		return "the endpoint is not one of this node's";
	case EMSGSIZE:
		return "the payload is larger than the node accepts";
	default:
		return strerror(err);
	}
}
