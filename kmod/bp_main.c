// SPDX-License-Identifier: GPL-2.0
/*
 * AF_BP: Bundle Protocol (RFC 9171) datagram sockets served by a userspace node.
 * Module entry points, parameters and per-namespace setup.
 */
#include <linux/module.h>
#include <net/net_namespace.h>

#include "bp.h"

unsigned int bp_af = AF_BP;
module_param_named(af, bp_af, uint, 0444);
MODULE_PARM_DESC(af, "address family number to register (default 28)");

unsigned int bp_max_payload = 1048576;
module_param_named(max_payload, bp_max_payload, uint, 0444);
MODULE_PARM_DESC(max_payload, "largest ADU in bytes (default 1048576)");

unsigned int bp_node_timeout_ms = 5000;
module_param_named(node_timeout_ms, bp_node_timeout_ms, uint, 0644);
MODULE_PARM_DESC(node_timeout_ms, "how long bind and option calls wait for the node (default 5000)");

unsigned int bp_max_orphaned = 16U << 20;
module_param_named(max_orphaned, bp_max_orphaned, uint, 0644);
MODULE_PARM_DESC(max_orphaned,
		 "bytes of closed sockets' unsent datagrams a namespace keeps; beyond, sends fail ENOBUFS");

bool bp_bpsocket_flags;
module_param_named(bpsocket_flags, bp_bpsocket_flags, bool, 0644);
MODULE_PARM_DESC(bpsocket_flags,
		 "sockets of protocol 0 read send flags as bp-socket's bundle flags (default 0)");

unsigned int bp_net_id __read_mostly;

static int __net_init bp_pernet_init(struct net *net)
{
	return bp_net_init(bp_pernet(net), net);
}

static void __net_exit bp_pernet_exit(struct net *net)
{
	bp_net_exit(bp_pernet(net));
}

static struct pernet_operations bp_net_ops = {
	.init	= bp_pernet_init,
	.exit	= bp_pernet_exit,
	.id	= &bp_net_id,
	.size	= sizeof(struct bp_net),
};

static int __init bp_init(void)
{
	int err;

	if (!bp_af || bp_af >= AF_MAX || bp_af == AF_NETLINK) {
		pr_err("AF_BP: invalid af=%u\n", bp_af);
		return -EINVAL;
	}
	/* An ADU plus its message must fit a netlink message and a socket buffer. */
	if (bp_max_payload > (64U << 20)) {
		pr_err("AF_BP: max_payload=%u is above 64 MiB\n", bp_max_payload);
		return -EINVAL;
	}
	err = register_pernet_subsys(&bp_net_ops);
	if (err)
		return err;
	err = bp_genl_init();
	if (err)
		goto err_pernet;
	/* Last: from here on applications can create sockets. */
	err = bp_proto_init();
	if (err)
		goto err_genl;
	return 0;

err_genl:
	bp_genl_exit();
err_pernet:
	unregister_pernet_subsys(&bp_net_ops);
	return err;
}

static void __exit bp_exit(void)
{
	bp_proto_exit();
	bp_genl_exit();
	unregister_pernet_subsys(&bp_net_ops);
}

module_init(bp_init);
module_exit(bp_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("AF_BP: Bundle Protocol sockets");
MODULE_ALIAS_GENL_FAMILY(BP_GENL_NAME);
