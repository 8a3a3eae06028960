// SPDX-License-Identifier: GPL-2.0
/*
 * Between the host's types and the library kernel's asm-generic ones.
 *
 * Error numbers are passed through unchanged: the kernel returns -errno
 * with asm-generic values, which are the host's on the architectures kbox
 * builds for (x86-64, arm64, riscv64); the asserts below catch a host
 * where that is not so.  Open flags differ between architectures (arm64
 * moves O_DIRECTORY, O_NOFOLLOW, O_DIRECT, O_LARGEFILE), so they are
 * translated one by one; O_DIRECT is dropped (the host's alignment is not
 * the library kernel's buffers').  AT_*, RENAME_*, FALLOC_FL_*, SEEK_*, XATTR_* and
 * the S_IF* mode bits are the same everywhere.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "lklfuse.h"

_Static_assert(ENOENT == LKL_ENOENT && EROFS == LKL_EROFS &&
	       ENOTEMPTY == LKL_ENOTEMPTY && EOPNOTSUPP == LKL_EOPNOTSUPP &&
	       ENODATA == LKL_ENODATA && ENOSPC == LKL_ENOSPC &&
	       ENAMETOOLONG == LKL_ENAMETOOLONG && EDQUOT == LKL_EDQUOT &&
	       ELOOP == LKL_ELOOP && EXDEV == LKL_EXDEV &&
	       EWOULDBLOCK == LKL_EWOULDBLOCK && ERANGE == LKL_ERANGE &&
	       ENXIO == LKL_ENXIO && E2BIG == LKL_E2BIG,
	       "host errno values differ from asm-generic");
_Static_assert(S_IFMT == LKL_S_IFMT && S_IFLNK == LKL_S_IFLNK &&
	       S_IFIFO == LKL_S_IFIFO && S_IFSOCK == LKL_S_IFSOCK,
	       "host file type bits differ");

static const struct { int host, lkl; } open_flags[] = {
	{ O_WRONLY,	LKL_O_WRONLY },
	{ O_RDWR,	LKL_O_RDWR },
	{ O_CREAT,	LKL_O_CREAT },
	{ O_EXCL,	LKL_O_EXCL },
	{ O_NOCTTY,	LKL_O_NOCTTY },
	{ O_TRUNC,	LKL_O_TRUNC },
	{ O_APPEND,	LKL_O_APPEND },
	{ O_NONBLOCK,	LKL_O_NONBLOCK },
	{ O_DSYNC,	LKL_O_DSYNC },
	{ O_SYNC,	LKL_O_SYNC },
	{ O_DIRECTORY,	LKL_O_DIRECTORY },
	{ O_NOFOLLOW,	LKL_O_NOFOLLOW },
	{ O_NOATIME,	LKL_O_NOATIME },
};

int open_flags_to_lkl(int flags)
{
	int out = LKL_O_LARGEFILE | LKL_O_CLOEXEC;
	size_t i;

	/* O_SYNC includes O_DSYNC's bit: test whole masks. */
	for (i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++)
		if ((flags & open_flags[i].host) == open_flags[i].host)
			out |= open_flags[i].lkl;
	return out;
}
