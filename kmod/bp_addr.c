// SPDX-License-Identifier: GPL-2.0
/*
 * AF_BP: endpoint IDs. struct sockaddr_bp <-> struct bp_eid, validation, and their Generic
 * Netlink encoding (nested bp_eid_attr and bp_option_attr).
 */
#include <linux/ctype.h>
#include <linux/string.h>
#include <net/netlink.h>

#include "bp.h"

static bool bp_reg_name_char(char c)
{
	return isalnum(c) || strchr("-._~!$&'()*+,;=", c);
}

/* "dtn://node/demux" (RFC 9171 4.2.5.1.1; node a reg-name of RFC 3986) or "dtn:none". */
static int bp_dtn_check(const char *s, size_t n)
{
	size_t i;

	if (n == 8 && !memcmp(s, "dtn:none", 8))
		return 0;
	if (n < 8 || memcmp(s, "dtn://", 6))
		return -EINVAL;
	for (i = 6; i < n && s[i] != '/'; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n || !isxdigit(s[i + 1]) || !isxdigit(s[i + 2]))
				return -EINVAL;
			i += 2;
		} else if (!bp_reg_name_char(s[i])) {
			return -EINVAL;
		}
	}
	if (i == 6 || i == n)	/* empty node name, or no '/' before the demux */
		return -EINVAL;
	for (i++; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return -EINVAL;
	return 0;
}

/* Syntax of a decoded EID; the null EID passes (callers that refuse it check bp_eid_is_null). */
int bp_eid_check(const struct bp_eid *eid)
{
	switch (eid->scheme) {
	case BP_SCHEME_IPN:
		/* RFC 9758: node 0 of the default allocator is only the null EID ipn:0.0. */
		if (!eid->ipn.allocator && !eid->ipn.node && eid->ipn.service)
			return -EINVAL;
		return 0;
	case BP_SCHEME_DTN:
		return bp_dtn_check(eid->dtn, strnlen(eid->dtn, BP_DTN_EID_MAX));
	default:
		return -EINVAL;
	}
}

bool bp_eid_is_null(const struct bp_eid *eid)
{
	if (eid->scheme == BP_SCHEME_IPN)
		return !eid->ipn.allocator && !eid->ipn.node && !eid->ipn.service;
	if (eid->scheme == BP_SCHEME_DTN)
		return !strcmp(eid->dtn, "dtn:none");
	return true;
}

/* A node's administrative endpoint: ipn:N.0 (ipn:!.0 too) or dtn://N/ (empty demux). */
bool bp_eid_is_admin(const struct bp_eid *eid)
{
	const char *slash;

	if (eid->scheme == BP_SCHEME_IPN)
		return !eid->ipn.service;
	if (eid->scheme == BP_SCHEME_DTN && !strncmp(eid->dtn, "dtn://", 6)) {
		slash = strchr(eid->dtn + 6, '/');
		return slash && !slash[1];
	}
	return false;
}

bool bp_eid_equal(const struct bp_eid *a, const struct bp_eid *b)
{
	if (a->scheme != b->scheme)
		return false;
	if (a->scheme == BP_SCHEME_IPN)
		return a->ipn.allocator == b->ipn.allocator && a->ipn.node == b->ipn.node &&
		       a->ipn.service == b->ipn.service;
	if (a->scheme == BP_SCHEME_DTN)
		return !strcmp(a->dtn, b->dtn);
	return true;
}

/*
 * A socket address from an application (bind, connect, sendmsg). The null EID is refused: it is
 * neither a local endpoint nor a destination.
 */
int bp_addr_to_eid(const struct sockaddr *addr, int len, struct bp_eid *eid)
{
	const struct sockaddr_bp *sa = (const struct sockaddr_bp *)addr;
	size_t n;

	if (len < (int)sizeof(sa_family_t))
		return -EINVAL;
	if (sa->bp_family != bp_af)
		return -EAFNOSUPPORT;
	if (len < BP_SOCKADDR_DTN_OFFSET)
		return -EINVAL;
	memset(eid, 0, sizeof(*eid));
	switch (sa->bp_scheme) {
	case BP_SCHEME_IPN:
		if (len < BP_SOCKADDR_IPN_LEN)
			return -EINVAL;
		eid->scheme = BP_SCHEME_IPN;
		eid->ipn.node = sa->bp_addr.ipn.node_id;
		eid->ipn.service = sa->bp_addr.ipn.service_id;
		if (len >= BP_SOCKADDR_IPN3_LEN)
			eid->ipn.allocator = sa->bp_addr.ipn.allocator_id;
		break;
	case BP_SCHEME_DTN:
		n = min_t(size_t, len - BP_SOCKADDR_DTN_OFFSET, BP_DTN_EID_MAX);
		n = strnlen(sa->bp_addr.dtn, n);
		if (n >= BP_DTN_EID_MAX)
			return -EINVAL;
		eid->scheme = BP_SCHEME_DTN;
		memcpy(eid->dtn, sa->bp_addr.dtn, n);
		eid->dtn[n] = '\0';
		break;
	default:
		return -EINVAL;
	}
	if (bp_eid_check(eid) || bp_eid_is_null(eid))
		return -EINVAL;
	return 0;
}

/*
 * The address of @eid for an application; returns its length. ipn with the default allocator
 * keeps the earlier ABI's 16 bytes so programs that compare msg_namelen with 16 keep working.
 */
int bp_eid_to_addr(const struct bp_eid *eid, struct sockaddr_bp *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->bp_family = bp_af;
	sa->bp_scheme = eid->scheme;
	if (eid->scheme == BP_SCHEME_DTN) {
		strscpy(sa->bp_addr.dtn, eid->dtn, BP_DTN_EID_MAX);
		return BP_SOCKADDR_DTN_OFFSET + strlen(sa->bp_addr.dtn) + 1;
	}
	sa->bp_addr.ipn.node_id = eid->ipn.node;
	sa->bp_addr.ipn.service_id = eid->ipn.service;
	sa->bp_addr.ipn.allocator_id = eid->ipn.allocator;
	return eid->ipn.allocator ? BP_SOCKADDR_IPN3_LEN : BP_SOCKADDR_IPN_LEN;
}

size_t bp_eid_nlsize(const struct bp_eid *eid)
{
	size_t n = nla_total_size(sizeof(u32));		/* scheme */

	if (eid->scheme == BP_SCHEME_DTN)
		n += nla_total_size(strlen(eid->dtn) + 1);
	else
		n += 3 * nla_total_size(sizeof(u32));
	return nla_total_size(n);
}

int bp_eid_put(struct sk_buff *skb, int attr, const struct bp_eid *eid)
{
	struct nlattr *nest = nla_nest_start(skb, attr);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, BP_EID_A_SCHEME, eid->scheme))
		goto cancel;
	if (eid->scheme == BP_SCHEME_DTN) {
		if (nla_put_string(skb, BP_EID_A_DTN, eid->dtn))
			goto cancel;
	} else if (nla_put_u32(skb, BP_EID_A_IPN_ALLOCATOR, eid->ipn.allocator) ||
		   nla_put_u32(skb, BP_EID_A_IPN_NODE, eid->ipn.node) ||
		   nla_put_u32(skb, BP_EID_A_IPN_SERVICE, eid->ipn.service)) {
		goto cancel;
	}
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

const struct nla_policy bp_eid_nl_policy[BP_EID_A_MAX + 1] = {
	[BP_EID_A_SCHEME]		= NLA_POLICY_RANGE(NLA_U32, BP_SCHEME_IPN, BP_SCHEME_DTN),
	[BP_EID_A_IPN_ALLOCATOR]	= { .type = NLA_U32 },
	[BP_EID_A_IPN_NODE]		= { .type = NLA_U32 },
	[BP_EID_A_IPN_SERVICE]		= { .type = NLA_U32 },
	[BP_EID_A_DTN]			= { .type = NLA_NUL_STRING, .len = BP_DTN_EID_MAX - 1 },
};

/* An EID from the node (already validated against bp_eid_nl_policy by the family policy). */
int bp_eid_from_nla(const struct nlattr *nla, struct bp_eid *eid, bool allow_null,
		    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[BP_EID_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, BP_EID_A_MAX, nla, bp_eid_nl_policy, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, BP_EID_A_SCHEME))
		return -EINVAL;
	memset(eid, 0, sizeof(*eid));
	eid->scheme = nla_get_u32(tb[BP_EID_A_SCHEME]);
	if (eid->scheme == BP_SCHEME_IPN) {
		if (NL_REQ_ATTR_CHECK(extack, nla, tb, BP_EID_A_IPN_NODE) ||
		    NL_REQ_ATTR_CHECK(extack, nla, tb, BP_EID_A_IPN_SERVICE))
			return -EINVAL;
		if (tb[BP_EID_A_IPN_ALLOCATOR])
			eid->ipn.allocator = nla_get_u32(tb[BP_EID_A_IPN_ALLOCATOR]);
		eid->ipn.node = nla_get_u32(tb[BP_EID_A_IPN_NODE]);
		eid->ipn.service = nla_get_u32(tb[BP_EID_A_IPN_SERVICE]);
	} else {
		if (NL_REQ_ATTR_CHECK(extack, nla, tb, BP_EID_A_DTN))
			return -EINVAL;
		nla_strscpy(eid->dtn, tb[BP_EID_A_DTN], sizeof(eid->dtn));
	}
	if (bp_eid_check(eid) || (!allow_null && bp_eid_is_null(eid))) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "invalid endpoint ID");
		return -EINVAL;
	}
	return 0;
}

size_t bp_opt_nlsize(const struct bp_opt *opt)
{
	return nla_total_size(nla_total_size(sizeof(u32)) + nla_total_size(opt->len));
}

/* An option; opt->len 0 puts the name only (GETOPT). */
int bp_opt_put(struct sk_buff *skb, int attr, const struct bp_opt *opt)
{
	struct nlattr *nest = nla_nest_start(skb, attr);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, BP_OPT_A_NAME, opt->name) ||
	    (opt->len && nla_put(skb, BP_OPT_A_VALUE, opt->len, opt->val))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

const struct nla_policy bp_opt_nl_policy[BP_OPT_A_MAX + 1] = {
	[BP_OPT_A_NAME]		= NLA_POLICY_RANGE(NLA_U32, 1, BP_BUNDLE_OPTION_MAX),
	[BP_OPT_A_VALUE]	= { .type = NLA_BINARY, .len = BP_OPTION_VALUE_MAX },
};

int bp_opt_from_nla(const struct nlattr *nla, struct bp_opt *opt, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[BP_OPT_A_MAX + 1];
	int err;

	err = nla_parse_nested(tb, BP_OPT_A_MAX, nla, bp_opt_nl_policy, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nla, tb, BP_OPT_A_NAME) ||
	    NL_REQ_ATTR_CHECK(extack, nla, tb, BP_OPT_A_VALUE))
		return -EINVAL;
	opt->name = nla_get_u32(tb[BP_OPT_A_NAME]);
	opt->len = nla_len(tb[BP_OPT_A_VALUE]);
	if (!opt->len) {
		NL_SET_ERR_MSG_ATTR(extack, tb[BP_OPT_A_VALUE], "empty option value");
		return -EINVAL;
	}
	memcpy(opt->val, nla_data(tb[BP_OPT_A_VALUE]), opt->len);
	return 0;
}
