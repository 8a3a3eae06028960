/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_HOST_OPS_H
#define _ASM_LKL_HOST_OPS_H

#include <uapi/asm/host_ops.h>

/* Set by lkl_init(); the kernel's only way out to the host. */
extern struct lkl_host_operations *lkl_ops;

/* Under lockdep, linux/mutex.h makes mutex_lock() a macro: call around it. */
static inline void lkl_host_mutex_lock(struct lkl_mutex *mutex)
{
	(lkl_ops->mutex_lock)(mutex);
}

/* Print through ops->print, bypassing printk (usable before the console). */
void lkl_printf(const char *fmt, ...) __printf(1, 2);
/* A broken invariant in the port itself: print and ask the host to panic. */
void __noreturn lkl_bug(const char *fmt, ...) __printf(1, 2);

#endif
