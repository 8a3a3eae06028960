/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host's /proc says of a guest process or thread: its ids, its
 * state, its children, its signals.  kbox sees the guest from outside,
 * and /proc is where the host kernel tells.
 */
#ifndef KBOX_GUEST_PROCFS_H
#define KBOX_GUEST_PROCFS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Parent and process group of pid.  0 or -errno. */
int procfs_parent(pid_t pid, pid_t *ppid, pid_t *pgrp);

/* Thread group and parent of a thread id.  0 or -1. */
int procfs_ids(pid_t tid, pid_t *tgid, pid_t *ppid);

/* Whether pid is gone, or a zombie. */
bool procfs_gone(pid_t pid);

/* The children thread tid of pid forked (malloc'd in *out); count, or -1. */
int procfs_children(pid_t pid, pid_t tid, pid_t **out);

/* The threads of process pid (malloc'd in *out); count, or -1. */
int procfs_threads(pid_t pid, pid_t **out);

/*
 * The signals waiting to be delivered to thread tid of tgid (not blocked);
 * *caught: those of them a handler will take.
 */
uint64_t procfs_signals(pid_t tgid, pid_t tid, uint64_t *caught);

/* The signals pending for thread tid of tgid, blocked or not. */
uint64_t procfs_pending(pid_t tgid, pid_t tid);

/* When kbox's own fd is a signalfd: 0 and its mask; else -1. */
int procfs_signalfd_mask(int fd, uint64_t *mask);

#endif
