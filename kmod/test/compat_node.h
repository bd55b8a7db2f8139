/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test node seen from bp_compat.c, which cannot include <linux/bp.h> (it uses the earlier
 * bp-socket ABI's struct sockaddr_bp): plain C types only.
 */
#ifndef COMPAT_NODE_H
#define COMPAT_NODE_H

#define CN_NODE	7	/* the test node's number: ipn:7.S is a local endpoint */

/* Starts the namespace's test node (loopback); 0, or -1 with errno. */
int cn_start(void);
void cn_stop(void);
/* SENDs the node has received. */
unsigned int cn_sends(void);
/* Waits up to ms until the node has received n SENDs; 1 if it has. */
int cn_wait_sends(unsigned int n, int ms);
/* The node answers every SEND with errno err (0: it carries them, the default). */
void cn_refuse_sends(int err);
/*
 * The bundle options of the last SEND, in bp.h's names, in the order sent, space-separated:
 * e.g. "APP_ACK=1 STATUS_REPORTS=0x5 CLASS_OF_SERVICE=2 CUSTODY=0"; "" for none.
 */
const char *cn_last_opts(char *buf, unsigned int len);
/* The service numbers of the last SEND's source and destination. */
unsigned int cn_last_src_service(void);
unsigned int cn_last_dst_service(void);
/* SOL_BP, and BP_PROTO_STANDARD from <linux/bp.h>. */
int cn_sol_bp(void);
int cn_proto_standard(void);
int cn_opt_cos(void);

#endif
