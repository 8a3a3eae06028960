/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _ASM_UAPI_LKL_PTRACE_H
#define _ASM_UAPI_LKL_PTRACE_H

#ifndef __ASSEMBLY__
/* A library kernel has no user register frame; generic code only names it. */
struct pt_regs {
	unsigned long regs[4];
};
#endif

#endif
