/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_PROCESSOR_H
#define _ASM_LKL_PROCESSOR_H

#include <linux/types.h>
#include <asm/host_ops.h>

struct task_struct;

/*
 * What a kernel task needs from the host to be scheduled: its host thread,
 * the semaphore that thread sleeps on while the task is switched out, and
 * for tasks entered by host threads (syscalls), a jump buffer to leave the
 * kernel by.  It lives in task_struct, so it survives the stack page that
 * free_task() releases before arch_release_task_struct() runs.
 */
struct thread_struct {
	struct lkl_sem *sched_sem;
	lkl_thread_t tid;
	/* Task switched away from when this one last ran: for schedule_tail. */
	struct task_struct *prev_sched;
	/* Entry of a kernel thread created by copy_thread(). */
	int (*fn)(void *);
	void *fn_arg;
	/* Inhabited by host threads (syscalls) rather than one of our own. */
	bool host_task;
	/*
	 * May be lent to the scheduler by a host thread leaving the kernel
	 * while it is current (host tasks, and the idle host task).
	 */
	bool lendable;
	/* A host thread runs this host task (or will: host0). */
	bool bound;
	/* Its host thread is inside a system call. */
	bool in_syscall;
	/* Set when halt throws the host thread out of its system call. */
	bool *thrown_out;
	/* The running host thread leaves the kernel at the next switch-out. */
	bool leave_on_switch;
	/* Halt: the parked host thread must exit instead of running on. */
	bool dead;
	/* Where a host thread resumes after lending this task to the scheduler. */
	struct lkl_jmp_buf leave_jb;
	/* Where a host thread resumes when its task exits under it. */
	struct lkl_jmp_buf exit_jb;
	/* Outermost kernel frame on the host stack: stack walks stop here. */
	unsigned long stack_top;
	/* Every task holding host objects, so halt can release them all. */
	struct list_head all;
};

#define INIT_THREAD { }

static inline void cpu_relax(void)
{
	__asm__ __volatile__("" : : : "memory");
}

/* One flat address space shared with the host. */
#define TASK_SIZE		(~0UL)
#define TASK_UNMAPPED_BASE	0
#define STACK_TOP		TASK_SIZE
#define STACK_TOP_MAX		STACK_TOP

#define task_pt_regs(tsk)	((struct pt_regs *)NULL)
#define KSTK_EIP(tsk)		(0)
#define KSTK_ESP(tsk)		(0)


unsigned long __get_wchan(struct task_struct *p);

#endif
