/* SPDX-License-Identifier: GPL-2.0 */
/* Private helpers of posix_host.c shared with the rest of the host library. */
#ifndef LKL_HOST_POSIX_HOST_H
#define LKL_HOST_POSIX_HOST_H

#include <pthread.h>

/*
 * Kernel code runs on every thread that can enter it: kernel threads, but
 * also timer and device worker threads, since lkl_trigger_irq() may run the
 * interrupt handler (and softirqs: block completion, ext4, networking) right
 * there.  Such threads get at least this much stack.
 */
#define LKL_HOST_MIN_STACK	(2UL << 20)

/* pthread_create with a stack of at least LKL_HOST_MIN_STACK. */
int lkl_host_pthread_create(pthread_t *thread, void *(*fn)(void *), void *arg);

#endif
