/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel placeholders for host fds.
 *
 * At each number where a guest has a host fd, its kernel task holds a
 * placeholder (see fdtable.h): an empty kernel memfd, one per host open.
 * The kernel's /proc/PID/fd/N links (and /dev/stdin...) lead to it, and
 * its inode tells kbox which host fd the guest meant, so opening or
 * reading such a link can be answered with the host fd itself.
 */
#ifndef KBOX_GUEST_HOSTFD_H
#define KBOX_GUEST_HOSTFD_H

#include <stdbool.h>

#include "fdtable.h"

/* The placeholders' memfd name: their /proc links read "/memfd:" it. */
#define HOSTFD_NAME "kbox-host-fd"

/* A new placeholder at the kernel's lowest free number, or -errno. */
long hostfd_placeholder(bool cloexec);

/*
 * When kernel fd kfd (of the calling kernel task) is a placeholder, the
 * number of the host fd in t it stands for; -ENOENT when it stands for
 * none of t's (another process's); -1 when kfd is no placeholder.
 */
int hostfd_behind(struct fdtab *t, long kfd);

/* Whether kernel fd kfd is a placeholder; its inode in *ino if so. */
bool hostfd_is_placeholder(long kfd, unsigned long long *ino);

#endif
