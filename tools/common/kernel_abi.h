/* SPDX-License-Identifier: GPL-2.0 */
/* Bits of the kernel's user ABI that the lkl headers do not export. */
#ifndef KBOX_TOOLS_KERNEL_ABI_H
#define KBOX_TOOLS_KERNEL_ABI_H

#include <string.h>
#include <sys/stat.h>

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

/*
 * asm-generic's 128-byte struct stat, as the library kernel fills it, into
 * the host's (x86_64: 144 bytes, other field order).
 */
static inline void stat_from_lkl(struct stat *st, const struct lkl_stat *ks)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = ks->st_dev;
	st->st_ino = ks->st_ino;
	st->st_mode = ks->st_mode;
	st->st_nlink = ks->st_nlink;
	st->st_uid = ks->st_uid;
	st->st_gid = ks->st_gid;
	st->st_rdev = ks->st_rdev;
	st->st_size = ks->st_size;
	st->st_blksize = ks->st_blksize;
	st->st_blocks = ks->st_blocks;
	st->st_atim.tv_sec = ks->lkl_st_atime;
	st->st_atim.tv_nsec = ks->st_atime_nsec;
	st->st_mtim.tv_sec = ks->lkl_st_mtime;
	st->st_mtim.tv_nsec = ks->st_mtime_nsec;
	st->st_ctim.tv_sec = ks->lkl_st_ctime;
	st->st_ctim.tv_nsec = ks->st_ctime_nsec;
}

#endif
