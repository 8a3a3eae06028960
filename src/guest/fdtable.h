/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which of a guest's file descriptors are host descriptors.
 *
 * A guest fd number names either a host object (stdio kbox was given, and
 * what is dup'ed from it) or a library-kernel object.  The kernel task's
 * own fd table holds every kernel fd plus a placeholder at each host
 * number, so the kernel's "lowest free number" is the guest's.  This table
 * remembers the host numbers, shared and copied the way clone(2) shares
 * and copies fd tables.
 */
#ifndef KBOX_GUEST_FDTABLE_H
#define KBOX_GUEST_FDTABLE_H

#include <pthread.h>
#include <stdbool.h>

#define FDT_KERNEL	0	/* a kernel fd, or free */
#define FDT_HOST	1	/* a host fd */
#define FDT_HOST_CLOEXEC 2	/* a host fd closed on exec */

struct fdtab {
	pthread_mutex_t lock;
	int refs;
	int cap;
	unsigned char *kind;
};

struct fdtab *fdtab_new(void);
struct fdtab *fdtab_copy(struct fdtab *src);
struct fdtab *fdtab_get(struct fdtab *t);
void fdtab_put(struct fdtab *t);

int fdtab_kind(struct fdtab *t, long fd);
static inline bool fdtab_is_host(struct fdtab *t, long fd)
{
	return fdtab_kind(t, fd) != FDT_KERNEL;
}
/* 0, or -ENOMEM. */
int fdtab_set(struct fdtab *t, long fd, int kind);
/* The lowest host fd number at or above from, or -1. */
long fdtab_next_host(struct fdtab *t, long from);
/* After exec: host fds marked close-on-exec are gone. */
void fdtab_exec(struct fdtab *t);
/* Forget every number in [first, last]. */
void fdtab_clear_range(struct fdtab *t, long first, long last);

#endif
