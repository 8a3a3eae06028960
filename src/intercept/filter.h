/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's seccomp filter: which system calls the host kernel runs
 * directly (memory, signals, time, scheduling), which are refused outright,
 * and which go to kbox (everything else, by default).
 */
#ifndef KBOX_INTERCEPT_FILTER_H
#define KBOX_INTERCEPT_FILTER_H

#include <linux/filter.h>

/* The program; valid until the next call.  Sets *len. */
struct sock_filter *filter_build(unsigned short *len);

/* Whether nr is left to the host (for tests). */
int filter_is_host_call(int nr);
/* Whether nr is refused with EPERM (for tests). */
int filter_is_denied(int nr);

#endif
