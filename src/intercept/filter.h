/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's seccomp filter: which system calls the host kernel runs
 * directly (memory, signals, time, scheduling), which are refused outright,
 * and which go to kbox (everything else, by default).
 */
#ifndef KBOX_INTERCEPT_FILTER_H
#define KBOX_INTERCEPT_FILTER_H

#include <stdbool.h>
#include <linux/filter.h>

enum filter_action {
	FILTER_NOTIFY,		/* kbox serves it */
	FILTER_ALLOW,		/* the host runs it */
	FILTER_DENY,		/* EPERM */
	FILTER_MMAP,		/* anonymous: the host; of a file: kbox */
	FILTER_SELF0,		/* arg 0 is 0 (the caller itself): the host; else kbox */
	FILTER_SELF1,		/* the same for arg 1 */
	FILTER_SELF01,		/* args 0 and 1 both 0: the host; else kbox */
};

/*
 * What the filter does with nr.  signals_scoped: the host kernel keeps
 * the guest's signals among the guest's processes (Landlock ABI 6), so
 * kill and friends need no check by kbox.
 */
enum filter_action filter_action(int nr, bool signals_scoped);

/* The program; valid until the next call.  Sets *len. */
struct sock_filter *filter_build(unsigned short *len, bool signals_scoped);

#endif
