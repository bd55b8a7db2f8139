// SPDX-License-Identifier: GPL-2.0
/*
 * bp_testnode: a loopback AF_BP node. Registers as the node of its network namespace and carries
 * every SEND to the local socket bound to its destination (ipn:!.S binds resolve to ipn:7.S).
 * Runs until SIGINT or SIGTERM. For other test suites and for trying AF_BP by hand.
 *
 * usage: bp_testnode [-w WINDOW] [-q]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testnode.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	uint32_t window = 0;
	int quiet = 0, c;
	struct tn *tn;
	struct tn_ctl *ctl;

	while ((c = getopt(argc, argv, "w:q")) != -1) {
		if (c == 'w')
			window = strtoul(optarg, NULL, 0);
		else if (c == 'q')
			quiet = 1;
		else
			return fprintf(stderr, "usage: %s [-w WINDOW] [-q]\n", argv[0]), 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	tn = tn_start(window);
	if (!tn) {
		fprintf(stderr, "bp_testnode: cannot register: %s\n", strerror(errno));
		return 1;
	}
	if (!quiet)
		printf("bp_testnode: registered as port %u, ready\n", tn_portid(tn));
	fflush(stdout);
	while (!stop)
		pause();
	tn_lock(tn);
	ctl = tn_ctl(tn);
	if (!quiet)
		printf("bp_testnode: %u binds, %u sends, %u deliveries, %u releases\n",
		       ctl->n_bind, ctl->n_send, ctl->n_deliver, ctl->n_release);
	tn_unlock(tn);
	tn_kill(tn);
	return 0;
}
