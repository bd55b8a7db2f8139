/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test node for AF_BP: speaks docs/netlink-protocol.md over raw Generic Netlink, in its own
 * thread, as a loopback backend (a SEND to an EID bound on this namespace is DELIVERed back),
 * with behaviour the tests can change: refuse, hold replies, stop reading, die.
 */
#ifndef BP_TESTNODE_H
#define BP_TESTNODE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bp.h>

#define TN_RESOLVED_NODE	7	/* ipn:!.S binds resolve to ipn:7.S */
#define TN_MAX_OPTS		40
/* A SEND's bundle gets creation time TN_CREATION_TIME_BASE + n, sequence n (n: its SEND count). */
#define TN_CREATION_TIME_BASE	700000000ULL

struct tn_eid {
	uint32_t scheme;
	uint32_t allocator, node, service;
	char dtn[BP_DTN_EID_MAX];
};

struct tn_opt {
	uint32_t name;
	uint32_t len;
	uint8_t val[BP_OPTION_VALUE_MAX];
};

enum tn_send_mode {
	TN_SEND_LOOPBACK,	/* deliver to the local socket bound to DST_EID, reply 0 */
	TN_SEND_HOLD,		/* keep the cookie, reply later (tn_release_held) */
	TN_SEND_ERRNO,		/* reply send_errno */
};

/* What the node saw of the last SEND. */
struct tn_send_info {
	uint64_t socket_id;
	uint32_t send_id;
	struct tn_eid src, dst;
	unsigned int nopts;
	struct tn_opt opts[TN_MAX_OPTS];
	size_t len;
	uint32_t crc;
};

struct tn_dump_entry {
	uint64_t socket_id;
	struct tn_eid eid;
	unsigned int nopts;
	uint32_t rx_gen;	/* BP_A_RX_GEN */
};

struct tn;

/* Behaviour; change it with tn_lock()/tn_unlock() around the fields of tn_ctl(). */
struct tn_ctl {
	enum tn_send_mode send_mode;
	int send_errno;
	int bind_errno;		/* reply to BIND with this errno */
	int bind_hold;		/* never answer BINDs */
	int opt_hold;		/* never answer SETOPT/GETOPT */
	uint32_t window;	/* WINDOW for REGISTER; 0: the default */

	/* counters */
	unsigned int n_bind, n_send, n_release, n_drained, n_setopt, n_getopt;
	unsigned int n_deliver, n_deliver_enobufs, n_deliver_err, n_reply_err, n_unknown;
	unsigned int n_held;
	unsigned int n_resync;	/* its socket overflowed (ENOBUFS): dumped again, READY again */
	int last_reply_err;
	uint64_t send_bytes;	/* payload bytes of SENDs received */
	struct tn_send_info last_send;
	uint64_t last_release_id;
	uint64_t last_drained_id;
	uint32_t last_drained_gen;	/* its BP_A_RX_GEN; ~0: absent */
	uint64_t last_bind_id;
	struct tn_eid last_bind_eid;
	unsigned int last_bind_nopts;
};

/* Opens the node's socket, registers, dumps, says READY; NULL on error (errno, message). */
struct tn *tn_start(uint32_t window);
/* As tn_start without registering (for permission tests). */
struct tn *tn_open(void);
/* Closes the socket (the kernel sees the node die) and frees everything. */
void tn_kill(struct tn *tn);

struct tn_ctl *tn_ctl(struct tn *tn);
void tn_lock(struct tn *tn);
void tn_unlock(struct tn *tn);
/* Waits until cond(tn_ctl, arg) holds, up to ms; returns 1 if it did. */
int tn_wait(struct tn *tn, int (*cond)(struct tn_ctl *c, void *arg), void *arg, int ms);
/* Stop or resume reading the socket (the kernel's messages pile up). */
void tn_pause(struct tn *tn, int paused);
/* Sets the node's socket receive buffer (SO_RCVBUFFORCE), e.g. small enough to overflow. */
void tn_set_rcvbuf(struct tn *tn, int bytes);
/* Answers every held SEND with errno err. */
void tn_release_held(struct tn *tn, int err);

/* Synchronous commands: return 0 or a negative errno from the ack; *extack gets its text. */
int tn_register(struct tn *tn, uint32_t version, uint32_t window, uint32_t *max_payload,
		uint32_t *family);
int tn_node_state(struct tn *tn, int ready, int backend_ready);	/* -1: leave out */
int tn_unregister(struct tn *tn);
int tn_dump(struct tn *tn, struct tn_dump_entry *out, int max);	/* count or -errno */
/* A raw genl message: cmd plus attributes (already encoded); returns the ack's errno. */
int tn_raw(struct tn *tn, uint8_t cmd, const void *attrs, size_t len, char *extack,
	   size_t extack_len);
uint32_t tn_portid(struct tn *tn);
int tn_family(struct tn *tn);

/* Attribute building for tn_raw. */
struct tn_buf {
	uint8_t *p;
	size_t len, cap;
};
void tb_init(struct tn_buf *b);
void tb_free(struct tn_buf *b);
void tb_put(struct tn_buf *b, uint16_t type, const void *data, size_t len);
void tb_u8(struct tn_buf *b, uint16_t type, uint8_t v);
void tb_u32(struct tn_buf *b, uint16_t type, uint32_t v);
void tb_u64(struct tn_buf *b, uint16_t type, uint64_t v);
size_t tb_nest_start(struct tn_buf *b, uint16_t type);
void tb_nest_end(struct tn_buf *b, size_t off);
void tb_eid(struct tn_buf *b, uint16_t type, const struct tn_eid *e);

uint32_t tn_crc32(const void *p, size_t n);
int tn_eid_equal(const struct tn_eid *a, const struct tn_eid *b);
/* Validation of the baseline options 1..9 (bp.h): 0, -EINVAL or -ENOPROTOOPT. */
int tn_check_opt(uint32_t name, const void *val, size_t len);

#endif
