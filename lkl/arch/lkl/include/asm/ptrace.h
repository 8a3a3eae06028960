/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_PTRACE_H
#define _ASM_LKL_PTRACE_H

#include <uapi/asm/ptrace.h>

/* Nothing ever runs in user mode on this architecture. */
#define user_mode(regs)			0
#define kernel_mode(regs)		1
#define user_stack_pointer(regs)	0
#define instruction_pointer(regs)	0
#define profile_pc(regs)		instruction_pointer(regs)

static inline long regs_return_value(struct pt_regs *regs)
{
	return 0;
}

#endif
