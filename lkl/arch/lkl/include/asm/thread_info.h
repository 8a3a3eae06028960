/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_THREAD_INFO_H
#define _ASM_LKL_THREAD_INFO_H

/*
 * Kernel code runs on host thread stacks, so the "stack" that fork
 * allocates holds nothing but this thread_info: one page is plenty.
 * Host-side state (thread handle, semaphore, jump buffer) lives in
 * task->thread instead, which outlives the stack page (see processor.h).
 */
#define THREAD_SIZE_ORDER	0
#define THREAD_SIZE		(PAGE_SIZE << THREAD_SIZE_ORDER)

#ifndef __ASSEMBLY__
#include <asm/page.h>

struct task_struct;

struct thread_info {
	struct task_struct *task;
	unsigned long flags;
	int preempt_count;
};

#define INIT_THREAD_INFO(tsk)			\
{						\
	.task		= &tsk,			\
	.flags		= 0,			\
	.preempt_count	= INIT_PREEMPT_COUNT,	\
}

/* One CPU: "current" is a single global, moved by __switch_to(). */
extern struct thread_info *lkl_current_ti;

static inline struct thread_info *current_thread_info(void)
{
	return lkl_current_ti;
}
#endif /* __ASSEMBLY__ */

#define TIF_SYSCALL_TRACE	0
#define TIF_NOTIFY_RESUME	1
#define TIF_SIGPENDING		2
#define TIF_NEED_RESCHED	3
#define TIF_RESTORE_SIGMASK	4
#define TIF_MEMDIE		5
#define TIF_NOTIFY_SIGNAL	6
#define TIF_POLLING_NRFLAG	7

#define _TIF_SYSCALL_TRACE	(1 << TIF_SYSCALL_TRACE)
#define _TIF_NOTIFY_RESUME	(1 << TIF_NOTIFY_RESUME)
#define _TIF_SIGPENDING		(1 << TIF_SIGPENDING)
#define _TIF_NEED_RESCHED	(1 << TIF_NEED_RESCHED)
#define _TIF_RESTORE_SIGMASK	(1 << TIF_RESTORE_SIGMASK)
#define _TIF_MEMDIE		(1 << TIF_MEMDIE)
#define _TIF_NOTIFY_SIGNAL	(1 << TIF_NOTIFY_SIGNAL)
#define _TIF_POLLING_NRFLAG	(1 << TIF_POLLING_NRFLAG)

#endif
