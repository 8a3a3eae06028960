// SPDX-License-Identifier: GPL-2.0
/*
 * The stat family.  The library kernel fills asm-generic's 128-byte
 * struct stat; an x86_64 guest expects its own 144-byte layout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <lkl.h>

#include "generic.h"
#include "kernel_abi.h"
#include "../guest/memory.h"

_Static_assert(sizeof(struct lkl_stat) == 128, "asm-generic struct stat");
_Static_assert(sizeof(struct stat) == 144, "x86_64 struct stat");

static void finish(struct call *c, long ret, const struct lkl_stat *k, uint64_t addr)
{
	struct stat st;

	if (ret >= 0) {
		stat_from_lkl(&st, k);
		if (gmem_write(call_pid(c), addr, &st, sizeof(st)))
			ret = -EFAULT;
	}
	c->ret = ret;
}

static void sys_fstat(struct call *c)
{
	struct lkl_stat k;
	int fd = (int)c->a[0];

	if (fdtab_is_host(c->t->proc->fds, fd)) {
		call_continue(c);
		return;
	}
	finish(c, lkl_sys_fstat(fd, &k), &k, c->a[1]);
}

/* Read the path; an empty one with AT_EMPTY_PATH on a host fd goes to the host. */
static int path_call(struct call *c, long dirfd, uint64_t path_addr, int flags,
		     char **path)
{
	long n;

	*path = malloc(PATH_MAX);
	if (!*path)
		return -ENOMEM;
	/* Since Linux 6.11 a NULL path with AT_EMPTY_PATH is "" (not EFAULT). */
	if (!path_addr && (flags & AT_EMPTY_PATH)) {
		(*path)[0] = 0;
		n = 0;
	} else {
		n = gmem_read_string(call_pid(c), path_addr, *path, PATH_MAX);
	}
	if (n < 0)
		return (int)n;
	if (dirfd != AT_FDCWD && (*path)[0] != '/' &&
	    fdtab_is_host(c->t->proc->fds, (int)dirfd)) {
		if (n == 0 && (flags & AT_EMPTY_PATH))
			return 1;
		return -ENOTDIR;
	}
	return 0;
}

static void do_fstatat(struct call *c, long dirfd, uint64_t path_addr,
		       uint64_t buf, int flags)
{
	struct lkl_stat k;
	char *path;
	int r = path_call(c, dirfd, path_addr, flags, &path);

	if (r == 1)
		call_continue(c);
	else if (r < 0)
		c->ret = r;
	else
		finish(c, lkl_sys_newfstatat(dirfd, path, &k, flags), &k, buf);
	/* Placeholders are empty regular files; the terminal's name is absent. */
	if (r == 0 && (c->ret == -ENOENT ||
		       (c->ret >= 0 && LKL_S_ISREG(k.st_mode) && k.st_size == 0))) {
		struct stat host;

		/* A name of the guest's host fd: the host's answer, as fstat gives. */
		if (!hostlink_stat(c, dirfd, path, flags, &host))
			c->ret = gmem_write(call_pid(c), buf, &host, sizeof(host)) ? -EFAULT : 0;
	}
	free(path);
}

static void sys_stat(struct call *c)
{
	do_fstatat(c, AT_FDCWD, c->a[0], c->a[1], 0);
}

static void sys_lstat(struct call *c)
{
	do_fstatat(c, AT_FDCWD, c->a[0], c->a[1], AT_SYMLINK_NOFOLLOW);
}

static void sys_newfstatat(struct call *c)
{
	do_fstatat(c, (int)c->a[0], c->a[1], c->a[2], (int)c->a[3]);
}

static void sys_statx(struct call *c)
{
	struct lkl_statx sx;
	char *path;
	long ret;
	int r = path_call(c, (int)c->a[0], c->a[1], (int)c->a[2], &path);

	if (r == 1) {
		call_continue(c);
	} else if (r < 0) {
		c->ret = r;
	} else {
		ret = lkl_sys_statx((int)c->a[0], path, (int)c->a[2],
				    (unsigned int)c->a[3], &sx);
		if (ret >= 0 && gmem_write(call_pid(c), c->a[4], &sx, sizeof(sx)))
			ret = -EFAULT;
		c->ret = ret;
	}
	free(path);
}

void stat_handlers_init(void)
{
	dispatch_register(SYS_fstat, sys_fstat);
	dispatch_register(SYS_stat, sys_stat);
	dispatch_register(SYS_lstat, sys_lstat);
	dispatch_register(SYS_newfstatat, sys_newfstatat);
	dispatch_register(SYS_statx, sys_statx);
}
