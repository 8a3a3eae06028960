// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's /proc/PID/fd/N links to the guest's host fds (stdin,
 * stdout and stderr above all, also as /dev/stdin...).  The kernel only
 * has a placeholder there (guest/hostfd.h); opening such a link must
 * reopen the host file, as the host's /proc does, and reading it must
 * name the host file.  kbox does both through the host's /proc of the
 * guest process, for the guest's own host fds only.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lkl.h>
#include <lkl/linux/openat2.h>

#include "generic.h"
#include "../guest/hostfd.h"
#include "../guest/memory.h"

#define L(x) __lkl__NR_##x

/* Flags a reopen keeps from the guest's open (the rest is the kernel's). */
#define REOPEN_FLAGS (O_ACCMODE | O_APPEND | O_TRUNC | O_NONBLOCK | O_PATH | \
		      O_DIRECT | O_NOATIME | O_SYNC | O_DSYNC | O_CREAT | O_EXCL)

/*
 * Open path on the host for the guest.  Never blocking kbox: a pipe
 * reopened for reading waits for no writer; one for writing without a
 * reader fails (ENXIO), as a non-blocking open of a FIFO does.
 */
static int host_open(const char *path, int flags)
{
	int fd = open(path, (flags & REOPEN_FLAGS) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (!(flags & (O_NONBLOCK | O_PATH)))
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/*
 * The kernel has no terminal: its /dev/tty (ENXIO) becomes the host's,
 * the controlling terminal of kbox's session, for a guest still in it.
 */
static void controlling_tty(struct call *c, const long *params, int flags)
{
	struct lkl_stat st;
	int fd;

	if (lkl_sys_newfstatat(params[0], (const char *)params[1], &st, 0) < 0 ||
	    !LKL_S_ISCHR(st.st_mode) || st.st_rdev != ((5 << 8) | 0))
		return;
	if (getsid(call_pid(c)) != getsid(0))
		return;
	fd = host_open("/dev/tty", flags);
	if (fd < 0)
		return;		/* kbox has none either: ENXIO stands */
	c->ret = call_give_host_fd(c, fd, flags & O_CLOEXEC);
}

void hostlink_opened(struct call *c, const long *params)
{
	long k = c->ret;
	int flags, n, fd;
	char link[64];

	if (c->nr == SYS_openat2)
		flags = (int)((const struct lkl_open_how *)params[2])->flags;
	else
		flags = (int)params[2];
	if (k == -ENXIO) {
		controlling_tty(c, params, flags);
		return;
	}
	if (k < 0)
		return;
	n = hostfd_behind(c->t->proc->fds, k);
	if (n == -1)
		return;
	if (n < 0) {
		/* Another process's host fd: kbox does not reach across. */
		lkl_sys_close(k);
		c->ret = -EACCES;
		return;
	}
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", call_pid(c), n);
	fd = host_open(link, flags);
	if (fd < 0) {
		lkl_sys_close(k);
		c->ret = fd;
		return;
	}
	/* k, a fresh placeholder of the same host file, keeps the number. */
	c->ret = call_install_host_fd(c, fd, k, flags & O_CLOEXEC);
}

void hostlink_read(struct call *c, const long *params)
{
	static const char mark[] = "/memfd:" HOSTFD_NAME;
	const char *got = (const char *)params[2];
	size_t size = (size_t)params[3];
	char link[64], target[4096];
	ssize_t len;
	long k;
	int n;

	if (c->ret < 0 || (size_t)c->ret < sizeof(mark) - 1 || memcmp(got, mark, sizeof(mark) - 1))
		return;
	/* The link itself, followed: the placeholder it leads to. */
	k = lkl_sys_openat(params[0], (const char *)params[1], LKL_O_PATH | LKL_O_CLOEXEC, 0);
	if (k < 0)
		return;
	n = hostfd_behind(c->t->proc->fds, k);
	lkl_sys_close(k);
	if (n < 0)
		return;
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", call_pid(c), n);
	len = readlink(link, target, sizeof(target));
	if (len < 0)
		return;
	if ((size_t)len > size)
		len = (ssize_t)size;
	c->ret = gmem_write(call_pid(c), c->a[c->nr == SYS_readlink ? 1 : 2], target, (size_t)len) ?
		 -EFAULT : len;
}

/*
 * stat of a name that leads to the guest's host fd: a kernel link to its
 * placeholder (/proc/self/fd/0, /dev/stdin, unless flags says not to
 * follow), or the host terminal's /dev/pts/N that readlink of such a link
 * gave (ttyname stats it and compares with fstat, which is the host's).
 * The host's stat of that fd in *st and 0, or -ENOENT for any other name.
 */
int hostlink_stat(struct call *c, long dirfd, const char *path, int flags, struct stat *st)
{
	char link[64], target[64];
	struct dirent *e;
	ssize_t len;
	DIR *d;
	long k;
	int n = -1;

	if (!strncmp(path, "/dev/pts/", 9)) {
		/* One of the guest's own host fds must name it. */
		snprintf(link, sizeof(link), "/proc/%d/fd", call_pid(c));
		d = opendir(link);
		while (d && n < 0 && (e = readdir(d))) {
			int fd = atoi(e->d_name);

			if (e->d_name[0] == '.' || !fdtab_is_host(c->t->proc->fds, fd))
				continue;
			snprintf(link, sizeof(link), "/proc/%d/fd/%d", call_pid(c), fd);
			len = readlink(link, target, sizeof(target) - 1);
			if (len > 0 && (size_t)len == strlen(path) && !memcmp(target, path, (size_t)len))
				n = fd;
		}
		if (d)
			closedir(d);
	} else if (!(flags & AT_SYMLINK_NOFOLLOW) &&
		   (!strncmp(path, "/proc/", 6) || !strncmp(path, "/dev/", 5))) {
		k = lkl_sys_openat(dirfd, path, LKL_O_PATH | LKL_O_CLOEXEC, 0);
		if (k >= 0) {
			n = hostfd_behind(c->t->proc->fds, k);
			lkl_sys_close(k);
		}
	}
	if (n < 0)
		return -ENOENT;
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", call_pid(c), n);
	return stat(link, st) < 0 ? -errno : 0;
}
