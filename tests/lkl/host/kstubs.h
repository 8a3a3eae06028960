/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stand-ins for the kernel entry points the host library calls, for unit
 * tests that run without the kernel.  Include from exactly one file of a
 * test program.
 */
#ifndef TESTS_LKL_HOST_KSTUBS_H
#define TESTS_LKL_HOST_KSTUBS_H

#include <errno.h>
#include <pthread.h>

#include <lkl_host.h>

#define STUB_MAX_IRQ	256

static int stub_running;
static int stub_next_irq = 1;
static int stub_irq_triggers[STUB_MAX_IRQ];
static int stub_irq_puts;
static pthread_t stub_last_trigger_thread;
/* Optional: what a syscall does; default -ENOSYS. */
static long (*stub_syscall_hook)(long no, long *params);
/* Optional: run on lkl_trigger_irq (e.g. an emulated interrupt handler). */
static void (*stub_irq_hook)(int irq);

int lkl_is_running(void)
{
	return __atomic_load_n(&stub_running, __ATOMIC_ACQUIRE);
}

int lkl_get_free_irq(const char *user)
{
	(void)user;
	return __atomic_fetch_add(&stub_next_irq, 1, __ATOMIC_RELAXED);
}

void lkl_put_irq(int irq, const char *user)
{
	(void)irq;
	(void)user;
	__atomic_fetch_add(&stub_irq_puts, 1, __ATOMIC_RELAXED);
}

int lkl_trigger_irq(int irq)
{
	if (irq <= 0 || irq >= STUB_MAX_IRQ)
		return -EINVAL;
	__atomic_store_n(&stub_last_trigger_thread, pthread_self(),
			 __ATOMIC_RELAXED);
	__atomic_fetch_add(&stub_irq_triggers[irq], 1, __ATOMIC_RELEASE);
	if (stub_irq_hook)
		stub_irq_hook(irq);
	return 0;
}

static inline int stub_irq_count(int irq)
{
	return __atomic_load_n(&stub_irq_triggers[irq], __ATOMIC_ACQUIRE);
}

long lkl_syscall(long no, long *params)
{
	return stub_syscall_hook ? stub_syscall_hook(no, params) : -ENOSYS;
}

#endif
