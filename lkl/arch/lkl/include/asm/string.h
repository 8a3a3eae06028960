/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_STRING_H
#define _ASM_LKL_STRING_H

/* Page copies and clears go to the host's vectorised routines. */
#define __HAVE_ARCH_MEMCPY
extern void *memcpy(void *dest, const void *src, __kernel_size_t count);
#define __HAVE_ARCH_MEMSET
extern void *memset(void *s, int c, __kernel_size_t count);
#define __HAVE_ARCH_MEMMOVE
extern void *memmove(void *dest, const void *src, __kernel_size_t count);

#endif
