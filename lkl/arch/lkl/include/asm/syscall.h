/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_SYSCALL_H
#define _ASM_LKL_SYSCALL_H

#include <uapi/linux/audit.h>

struct task_struct;
struct pt_regs;

/*
 * System calls enter through lkl_syscall(), never through a trap with a
 * register frame, so there is nothing for ptrace or audit to inspect.
 */
static inline int syscall_get_nr(struct task_struct *task, struct pt_regs *regs)
{
	return -1;
}

static inline void syscall_rollback(struct task_struct *task,
				    struct pt_regs *regs)
{
}

static inline long syscall_get_error(struct task_struct *task,
				     struct pt_regs *regs)
{
	return 0;
}

static inline long syscall_get_return_value(struct task_struct *task,
					    struct pt_regs *regs)
{
	return 0;
}

static inline void syscall_set_return_value(struct task_struct *task,
					    struct pt_regs *regs,
					    int error, long val)
{
}

static inline void syscall_get_arguments(struct task_struct *task,
					 struct pt_regs *regs,
					 unsigned long *args)
{
}

static inline int syscall_get_arch(struct task_struct *task)
{
	return AUDIT_ARCH_X86_64;
}

#endif
