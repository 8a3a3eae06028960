/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The supervisor: receives the guest's notifications, hands each to the
 * worker thread of the calling guest thread, and watches for calls whose
 * caller has gone (a signal interrupted it) so that the kernel task
 * serving it gives up too.
 */
#ifndef KBOX_INTERCEPT_SUPERVISOR_H
#define KBOX_INTERCEPT_SUPERVISOR_H

#include <stdbool.h>
#include <sys/types.h>

#include "../guest/process.h"

/* The signal that interrupts a kernel task's blocking call (kernel side). */
#define KBOX_INTR_SIGNAL 12

/* Set up the kernel task side of interrupts; call from the template task. */
long supervisor_prepare_kernel(void);

/*
 * Serve the guest until its first process (initial, host pid init_pid)
 * exits; then end what is left of the guest.  Returns the initial
 * process's wait status, or -1.
 */
int supervisor_run(int listener, struct gthread *initial, pid_t init_pid);

/* Stop the kernel task of t in its current call (from any thread). */
void supervisor_interrupt(struct gthread *t);
/* Whether t's current call was told to give up (its guest has a signal...). */
bool supervisor_interrupted(struct gthread *t);

/*
 * Wait, as t's worker, until kbox's host fd fd has one of events (its
 * revents), or until t's call is told to give up (-EINTR): the host's
 * poll, which the watchdog cuts short as it does a kernel wait.
 */
int supervisor_host_wait(struct gthread *t, int fd, short events);

/*
 * Take back an interrupt of the calling worker's task that came after the
 * call it was for had ended (it would cut the next call short).
 */
void supervisor_drop_interrupt(void);

/* End every other thread of t's process (exec, exit_group); lock held. */
void supervisor_end_siblings(struct gthread *t);

#endif
