/* SPDX-License-Identifier: GPL-2.0 */
/* Bits of the kernel's user ABI that the lkl headers do not export. */
#ifndef KBOX_TOOLS_KERNEL_ABI_H
#define KBOX_TOOLS_KERNEL_ABI_H

#include <lkl.h>

/* utimensat: leave this time alone. */
#define KABI_UTIME_OMIT	((1l << 30) - 2l)

/*
 * Device numbers as stat and mknod carry them (new_encode_dev): 12 bits
 * of major, 20 of minor, interleaved for compatibility with 16-bit dev_t.
 */
static inline unsigned int kabi_dev_major(unsigned long dev)
{
	return (unsigned int)((dev & 0xfff00) >> 8);
}

static inline unsigned int kabi_dev_minor(unsigned long dev)
{
	return (unsigned int)((dev & 0xff) | ((dev >> 12) & 0xfff00));
}

static inline unsigned int kabi_dev(unsigned int major, unsigned int minor)
{
	return (minor & 0xff) | ((major & 0xfff) << 8) |
	       ((minor & ~0xffu) << 12);
}

#endif
