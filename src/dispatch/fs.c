// SPDX-License-Identifier: GPL-2.0
/*
 * File-system calls: every path is resolved by the library kernel, in the
 * calling guest task's root and cwd, with its credentials.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <utime.h>

#include <lkl.h>

#include "generic.h"
#include "../guest/memory.h"

#define L(x) __lkl__NR_##x
#define FDCWD K(AT_FDCWD)
/* A value over XATTR_SIZE_MAX is refused before it is read. */
#define XATTR_VALUE GL(2, A_IN, 3, LEN_LONG, 65536, E2BIG)

/*
 * The library kernel cannot do direct I/O from kbox's buffers (it cannot
 * pin them: EFAULT), so O_DIRECT is taken off a file once open (its
 * checks made): its I/O goes through the page cache, to the same data.
 * fcntl's F_SETFL does not set it either.
 */
static void opened(struct call *c, const long *params)
{
	long flags = c->nr == SYS_openat2 ?
		     (long)((const struct lkl_open_how *)params[2])->flags : params[2];

	if (c->ret >= 0 && (flags & O_DIRECT))
		lkl_sys_fcntl(c->ret, LKL_F_SETFL, lkl_sys_fcntl(c->ret, LKL_F_GETFL, 0) & ~O_DIRECT);
	hostlink_opened(c, params);
}

static const struct sysdesc fs_table[] = {
	SYS(SYS_lseek, L(lseek), G(0, A_FD), G(1, A_VAL), G(2, A_VAL)),
	SYSA(SYS_open, L(openat), opened, FDCWD, G(0, A_PATH), G(1, A_VAL), G(2, A_VAL)),
	SYSA(SYS_creat, L(openat), opened, FDCWD, G(0, A_PATH), K(O_CREAT | O_WRONLY | O_TRUNC), G(1, A_VAL)),
	SYSA(SYS_openat, L(openat), opened, G(0, A_DIRFD), G(1, A_PATH), G(2, A_VAL), G(3, A_VAL)),
	SYS(SYS_access, L(faccessat), FDCWD, G(0, A_PATH), G(1, A_VAL)),
	SYS(SYS_faccessat, L(faccessat), G(0, A_DIRFD), G(1, A_PATH), G(2, A_VAL)),
	SYS(SYS_faccessat2, L(faccessat2), G(0, A_DIRFD), G(1, A_PATH), G(2, A_VAL), G(3, A_VAL)),
	SYS(SYS_mkdir, L(mkdirat), FDCWD, G(0, A_PATH), G(1, A_VAL)),
	SYS(SYS_mkdirat, L(mkdirat), G(0, A_DIRFD), G(1, A_PATH), G(2, A_VAL)),
	SYS(SYS_rmdir, L(unlinkat), FDCWD, G(0, A_PATH), K(AT_REMOVEDIR)),
	SYS(SYS_unlink, L(unlinkat), FDCWD, G(0, A_PATH), K(0)),
	SYS(SYS_unlinkat, L(unlinkat), G(0, A_DIRFD), G(1, A_PATH), G(2, A_VAL)),
	SYS(SYS_rename, L(renameat2), FDCWD, G(0, A_PATH), FDCWD, G(1, A_PATH), K(0)),
	SYS(SYS_renameat, L(renameat2), G(0, A_DIRFD), G(1, A_PATH), G(2, A_DIRFD), G(3, A_PATH), K(0)),
	SYS(SYS_renameat2, L(renameat2), G(0, A_DIRFD), G(1, A_PATH), G(2, A_DIRFD), G(3, A_PATH), G(4, A_VAL)),
	SYS(SYS_link, L(linkat), FDCWD, G(0, A_PATH), FDCWD, G(1, A_PATH), K(0)),
	SYS(SYS_linkat, L(linkat), G(0, A_DIRFD), G(1, A_PATH), G(2, A_DIRFD), G(3, A_PATH), G(4, A_VAL)),
	SYS(SYS_symlink, L(symlinkat), G(0, A_PATH), FDCWD, G(1, A_PATH)),
	SYS(SYS_symlinkat, L(symlinkat), G(0, A_PATH), G(1, A_DIRFD), G(2, A_PATH)),
	SYS(SYS_chmod, L(fchmodat), FDCWD, G(0, A_PATH), G(1, A_VAL)),
	SYS(SYS_fchmod, L(fchmod), G(0, A_FD), G(1, A_VAL)),
	SYS(SYS_fchmodat, L(fchmodat), G(0, A_DIRFD), G(1, A_PATH), G(2, A_VAL)),
	SYS(452 /* fchmodat2 */, L(fchmodat2), G(0, A_DIRFD), G(1, A_PATH), G(2, A_VAL), G(3, A_VAL)),
	SYS(SYS_chown, L(fchownat), FDCWD, G(0, A_PATH), G(1, A_VAL), G(2, A_VAL), K(0)),
	SYS(SYS_lchown, L(fchownat), FDCWD, G(0, A_PATH), G(1, A_VAL), G(2, A_VAL), K(AT_SYMLINK_NOFOLLOW)),
	SYS(SYS_fchown, L(fchown), G(0, A_FD), G(1, A_VAL), G(2, A_VAL)),
	SYS(SYS_fchownat, L(fchownat), G(0, A_DIRFD), G(1, A_PATH), G(2, A_VAL), G(3, A_VAL), G(4, A_VAL)),
	SYS(SYS_truncate, L(truncate), G(0, A_PATH), G(1, A_VAL)),
	SYS(SYS_ftruncate, L(ftruncate), G(0, A_FD), G(1, A_VAL)),
	SYS(SYS_fallocate, L(fallocate), G(0, A_FD), G(1, A_VAL), G(2, A_VAL), G(3, A_VAL)),
	SYS(SYS_fsync, L(fsync), G(0, A_FD)),
	SYS(SYS_fdatasync, L(fdatasync), G(0, A_FD)),
	SYS(SYS_sync, L(sync)),
	SYS(SYS_syncfs, L(syncfs), G(0, A_FD)),
	SYS(SYS_sync_file_range, L(sync_file_range), G(0, A_FD), G(1, A_VAL), G(2, A_VAL), G(3, A_VAL)),
	SYS(SYS_readahead, L(readahead), G(0, A_FD), G(1, A_VAL), G(2, A_VAL)),
	SYS(SYS_fadvise64, L(fadvise64), G(0, A_FD), G(1, A_VAL), G(2, A_VAL), G(3, A_VAL)),
	SYS(SYS_setxattr, L(setxattr), G(0, A_PATH), G(1, A_STR), XATTR_VALUE, G(3, A_VAL), G(4, A_VAL)),
	SYS(SYS_lsetxattr, L(lsetxattr), G(0, A_PATH), G(1, A_STR), XATTR_VALUE, G(3, A_VAL), G(4, A_VAL)),
	SYS(SYS_fsetxattr, L(fsetxattr), G(0, A_FD), G(1, A_STR), XATTR_VALUE, G(3, A_VAL), G(4, A_VAL)),
	SYS(SYS_getxattr, L(getxattr), G(0, A_PATH), G(1, A_STR), GN(2, A_OUT, 3), G(3, A_VAL)),
	SYS(SYS_lgetxattr, L(lgetxattr), G(0, A_PATH), G(1, A_STR), GN(2, A_OUT, 3), G(3, A_VAL)),
	SYS(SYS_fgetxattr, L(fgetxattr), G(0, A_FD), G(1, A_STR), GN(2, A_OUT, 3), G(3, A_VAL)),
	SYS(SYS_listxattr, L(listxattr), G(0, A_PATH), GN(1, A_OUT, 2), G(2, A_VAL)),
	SYS(SYS_llistxattr, L(llistxattr), G(0, A_PATH), GN(1, A_OUT, 2), G(2, A_VAL)),
	SYS(SYS_flistxattr, L(flistxattr), G(0, A_FD), GN(1, A_OUT, 2), G(2, A_VAL)),
	SYS(SYS_removexattr, L(removexattr), G(0, A_PATH), G(1, A_STR)),
	SYS(SYS_lremovexattr, L(lremovexattr), G(0, A_PATH), G(1, A_STR)),
	SYS(SYS_fremovexattr, L(fremovexattr), G(0, A_FD), G(1, A_STR)),
	SYS(SYS_flock, L(flock), G(0, A_FD), G(1, A_VAL)),
	SYS(SYS_chdir, L(chdir), G(0, A_PATH)),
	SYS(SYS_getcwd, L(getcwd), GN(0, A_OUT, 1), G(1, A_VAL)),
	SYS(SYS_umask, L(umask), G(0, A_VAL)),
	SYS(SYS_statfs, L(statfs), G(0, A_PATH), GN(1, A_OUT_FIX, 120)),
	SYS(SYS_fstatfs, L(fstatfs), G(0, A_FD), GN(1, A_OUT_FIX, 120)),
	SYS(SYS_mknod, L(mknodat), FDCWD, G(0, A_PATH), G(1, A_VAL), G(2, A_VAL)),
	SYS(SYS_mknodat, L(mknodat), G(0, A_DIRFD), G(1, A_PATH), G(2, A_VAL), G(3, A_VAL)),
	SYS(SYS_inotify_init, L(inotify_init1), K(0)),
	SYS(SYS_inotify_init1, L(inotify_init1), G(0, A_VAL)),
	SYS(SYS_inotify_add_watch, L(inotify_add_watch), G(0, A_FD), G(1, A_PATH), G(2, A_VAL)),
	SYS(SYS_inotify_rm_watch, L(inotify_rm_watch), G(0, A_FD), G(1, A_VAL)),
	SYS(SYS_chroot, L(chroot), G(0, A_PATH)),
	SYS(SYS_umount2, L(umount2), G(0, A_PATH), G(1, A_VAL)),
	SYS(SYS_eventfd, L(eventfd2), G(0, A_VAL), K(0)),
	SYS(SYS_eventfd2, L(eventfd2), G(0, A_VAL), G(1, A_VAL)),
	SYS(SYS_timerfd_create, L(timerfd_create), G(0, A_VAL), G(1, A_VAL)),
	SYS(SYS_timerfd_settime, L(timerfd_settime), G(0, A_FD), G(1, A_VAL), GN(2, A_IN_FIX, 32), GNULL(3, A_OUT_FIX, 32)),
	SYS(SYS_timerfd_gettime, L(timerfd_gettime), G(0, A_FD), GN(1, A_OUT_FIX, 32)),
};

static const struct sysdesc readlink_desc[] = {
	SYSA(SYS_readlink, L(readlinkat), hostlink_read, FDCWD, G(0, A_PATH),
	     GL(1, A_OUT, 2, LEN_INT, INT_MAX, EINVAL), G(2, A_VAL)),
	SYSA(SYS_readlinkat, L(readlinkat), hostlink_read, G(0, A_DIRFD), G(1, A_PATH),
	     GL(2, A_OUT, 3, LEN_INT, INT_MAX, EINVAL), G(3, A_VAL)),
};

/* The size is an int (negative: the marshaller says EINVAL); Linux refuses 0 too. */
static void sys_readlink(struct call *c)
{
	bool at = c->nr == SYS_readlinkat;

	if ((int)c->a[at ? 3 : 2] <= 0)
		c->ret = -EINVAL;
	else
		generic_run(c, &readlink_desc[at]);
}

static const struct sysdesc utimensat_desc =
	SYS(SYS_utimensat, L(utimensat), G(0, A_DIRFD), G(1, A_PATH_NULL), GNULL(2, A_IN_FIX, 32), G(3, A_VAL));

/*
 * A NULL path names dirfd's file, except with AT_FDCWD: then Linux reads
 * the path and fails with EFAULT, where the library kernel would read
 * address 0 of kbox.
 */
static void sys_utimensat(struct call *c)
{
	if (!c->a[1] && (int)c->a[0] == AT_FDCWD)
		c->ret = -EFAULT;
	else
		generic_run(c, &utimensat_desc);
}

static const struct sysdesc openat2_desc =
	SYSA(SYS_openat2, L(openat2), opened, G(0, A_DIRFD), G(1, A_PATH), GN(2, A_IN, 3), G(3, A_VAL));

/*
 * openat2: its size is checked before anything is read, as Linux does
 * (below the first struct open_how: EINVAL, over a page: E2BIG); the
 * after-hooks read the flags from the copy, which holds them then.
 */
static void sys_openat2(struct call *c)
{
	if (c->a[3] < sizeof(struct lkl_open_how))
		c->ret = -EINVAL;
	else if (c->a[3] > 4096)
		c->ret = -E2BIG;
	else
		generic_run(c, &openat2_desc);
}

/*
 * utimes(2) family: struct timeval pairs become the kernel's timespecs.
 * The times are read first, then the path, as Linux does.  A NULL path
 * with a dirfd names dirfd's own file (futimesat); with AT_FDCWD it is
 * EFAULT.
 */
static void do_utimes(struct call *c, long dirfd, uint64_t path_addr,
		      uint64_t tv_addr, bool is_utimbuf)
{
	struct __lkl__kernel_timespec ts[2];
	char *path = NULL;
	long params[6], n;

	if (tv_addr && is_utimbuf) {
		struct utimbuf ub;

		if (gmem_read(call_pid(c), &ub, tv_addr, sizeof(ub))) {
			c->ret = -EFAULT;
			return;
		}
		ts[0].tv_sec = ub.actime;
		ts[0].tv_nsec = 0;
		ts[1].tv_sec = ub.modtime;
		ts[1].tv_nsec = 0;
	} else if (tv_addr) {
		struct timeval tv[2];
		int i;

		if (gmem_read(call_pid(c), tv, tv_addr, sizeof(tv))) {
			c->ret = -EFAULT;
			return;
		}
		for (i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000) {
				c->ret = -EINVAL;
				return;
			}
			ts[i].tv_sec = tv[i].tv_sec;
			ts[i].tv_nsec = tv[i].tv_usec * 1000;
		}
	}
	if (path_addr || dirfd == AT_FDCWD) {
		path = malloc(PATH_MAX);
		if (!path) {
			c->ret = -ENOMEM;
			return;
		}
		n = gmem_read_string(call_pid(c), path_addr, path, PATH_MAX);
		if (n < 0) {
			c->ret = n;
			goto out;
		}
	}
	if (dirfd != AT_FDCWD && fdtab_is_host(c->t->proc->fds, (int)dirfd)) {
		/* The guest's own host file: the host's call; never a path on the host. */
		if (path)
			c->ret = -ENOTDIR;
		else
			call_continue(c);
		goto out;
	}
	/* No path: the kernel works on dirfd itself and never reads one. */
	params[0] = dirfd;
	params[1] = (long)path;
	params[2] = tv_addr ? (long)ts : 0;
	params[3] = 0;
	c->ret = lkl_syscall(__lkl__NR_utimensat, params);
out:
	free(path);
}

static void sys_utimes(struct call *c)
{
	do_utimes(c, AT_FDCWD, c->a[0], c->a[1], false);
}

static void sys_futimesat(struct call *c)
{
	do_utimes(c, (int)c->a[0], c->a[1], c->a[2], false);
}

static void sys_utime(struct call *c)
{
	do_utimes(c, AT_FDCWD, c->a[0], c->a[1], true);
}

/*
 * getdents64: Linux copies whole entries up to the first that does not
 * fit the guest's memory, and the directory's position is after the
 * last one copied; none copied: EFAULT, the position where it was.  The
 * kernel's entries carry the position after each (d_off).
 */
static void sys_getdents64(struct call *c)
{
	int fd = (int)c->a[0];
	unsigned int count = (unsigned int)c->a[2];
	size_t len = count > MAX_IO ? MAX_IO : count, done, used = 0;
	long pos, ret, last_off = 0;
	char *buf;

	if (fdtab_is_host(c->t->proc->fds, fd)) {
		/* Never list a host directory (one given as stdin...). */
		c->ret = -ENOTDIR;
		return;
	}
	buf = malloc(len ? len : 1);
	if (!buf) {
		c->ret = -ENOMEM;
		return;
	}
	pos = lkl_sys_lseek(fd, 0, LKL_SEEK_CUR);
	ret = lkl_sys_getdents64(fd, (struct lkl_linux_dirent64 *)buf, len);
	if (ret > 0) {
		done = gmem_write_some(call_pid(c), c->a[1], buf, (size_t)ret);
		while (used < (size_t)ret) {
			const struct lkl_linux_dirent64 *d = (const void *)(buf + used);

			if (!d->d_reclen || used + d->d_reclen > done)
				break;
			last_off = d->d_off;
			used += d->d_reclen;
		}
		if (used < (size_t)ret) {
			lkl_sys_lseek(fd, used ? last_off : pos, LKL_SEEK_SET);
			ret = used ? (long)used : -EFAULT;
		}
	}
	free(buf);
	c->ret = ret;
}

/* fchdir to a host fd would move the guest's host cwd: never. */
static void sys_fchdir(struct call *c)
{
	if (fdtab_is_host(c->t->proc->fds, (int)c->a[0]))
		c->ret = -ENOTDIR;
	else
		c->ret = lkl_sys_fchdir((int)c->a[0]);
}

void fs_handlers_init(void)
{
	generic_register(fs_table, sizeof(fs_table) / sizeof(fs_table[0]));
	dispatch_register(SYS_readlink, sys_readlink);
	dispatch_register(SYS_readlinkat, sys_readlink);
	dispatch_register(SYS_utimensat, sys_utimensat);
	dispatch_register(SYS_utimes, sys_utimes);
	dispatch_register(SYS_futimesat, sys_futimesat);
	dispatch_register(SYS_utime, sys_utime);
	dispatch_register(SYS_fchdir, sys_fchdir);
	dispatch_register(SYS_getdents64, sys_getdents64);
	dispatch_register(SYS_openat2, sys_openat2);
}
