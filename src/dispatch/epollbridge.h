/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host fds in the library kernel's epoll sets.
 *
 * A guest epoll instance is the kernel's, and the kernel cannot watch a
 * host fd (the terminal, a pipe kbox was given).  Such fds of a set are
 * watched by a host epoll of kbox's, the set's bridge; its readiness
 * shows in the kernel set as a mark: a kernel eventfd of kbox's, in the
 * set under a private key, that a kbox thread signals.  A wait that gets
 * the mark takes the host epoll's events instead, with the guest's
 * epoll_data and the host's own EPOLLET and EPOLLONESHOT handling.  The
 * waiting worker still sleeps in the kernel's epoll_wait, so a signal
 * interrupts it as any other call.  A signalfd is watched by looking at
 * the guest's pending signals every few ms while a set holds one.
 */
#ifndef KBOX_DISPATCH_EPOLLBRIDGE_H
#define KBOX_DISPATCH_EPOLLBRIDGE_H

#include <stdbool.h>
#include <sys/epoll.h>

#include "dispatch.h"

/* epoll_ctl(epfd, op, fd, event at ev_addr) for kernel epfd and host fd: 0 or -errno. */
long epoll_bridge_ctl(struct call *c, int epfd, int op, int fd, uint64_t ev_addr);

/* Whether any set has a bridge (waits need not look for marks otherwise). */
bool epoll_bridge_any(void);

/*
 * The n events a kernel wait gave, in an array of max: the marks among
 * them replaced by their host events (signalfds': the signals pending for
 * thread tid of process tgid, the waiter).  The new count (0: only marks, with
 * nothing behind them any more).
 */
int epoll_bridge_collect(pid_t tgid, pid_t tid, struct epoll_event *ev, int n, int max);

/*
 * Before a wait: sets whose signalfds have signals pending get their
 * marks now, not at the bridger's next look.
 */
void epoll_bridge_signals(void);

/*
 * Guest fds may have closed (close, dup2, exec, exit): soon after, the
 * bridges of sets that are gone and the host fds no guest holds any more
 * are let go.
 */
void epoll_bridge_sweep_soon(void);

/* kbox ends: its bridges go. */
void epoll_bridge_stop(void);

#endif
