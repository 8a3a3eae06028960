// SPDX-License-Identifier: GPL-2.0
/*
 * Calls on file descriptors as such: close, dup, fcntl, ioctl, pipes,
 * vectored I/O and polling.  A number is a host fd or a kernel fd (see
 * guest/fdtable.h); these calls keep both tables agreeing on which
 * numbers are taken.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>

#include <lkl.h>

#include "generic.h"
#include "mixedpoll.h"
#include "../guest/hostfd.h"
#include "../guest/memory.h"

static struct fdtab *fds_of(struct call *c)
{
	return c->t->proc->fds;
}

/* pidfd_open's flag for a thread that leads no process (Linux 6.9). */
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

int call_grab_host_fd(struct call *c, int gfd)
{
	/* The calling thread's table; before Linux 6.9, its process's. */
	int pidfd = (int)syscall(SYS_pidfd_open, call_pid(c), PIDFD_THREAD);
	int fd;

	if (pidfd < 0)
		pidfd = (int)syscall(SYS_pidfd_open, c->t->proc->pid, 0);

	if (pidfd < 0)
		return -errno;
	fd = (int)syscall(SYS_pidfd_getfd, pidfd, gfd, 0);
	if (fd < 0)
		fd = -errno;
	close(pidfd);
	return fd;
}

long call_install_host_fd(struct call *c, int hostfd, long n, bool cloexec)
{
	long ret = call_inject_fd(c, hostfd, (int)n, cloexec);

	close(hostfd);
	if (ret < 0) {
		lkl_sys_close(n);
		return ret;
	}
	fdtab_set(fds_of(c), n, cloexec ? FDT_HOST_CLOEXEC : FDT_HOST);
	return n;
}

/* Make number n (reserved in the kernel) the guest's copy of host fd gfd. */
static long host_dup_to(struct call *c, int gfd, long n, bool cloexec)
{
	int fd = call_grab_host_fd(c, gfd);

	if (fd < 0) {
		lkl_sys_close(n);
		return fd;
	}
	return call_install_host_fd(c, fd, n, cloexec);
}

static void sys_close(struct call *c)
{
	int fd = (int)c->a[0];

	if (fdtab_is_host(fds_of(c), fd)) {
		lkl_sys_close(fd);
		fdtab_set(fds_of(c), fd, FDT_KERNEL);
		call_continue(c);
		return;
	}
	c->ret = lkl_sys_close(fd);
}

static void sys_dup(struct call *c)
{
	int fd = (int)c->a[0];
	long n;

	if (!fdtab_is_host(fds_of(c), fd)) {
		c->ret = lkl_sys_dup(fd);
		return;
	}
	n = lkl_sys_fcntl(fd, LKL_F_DUPFD, 0);
	c->ret = n < 0 ? n : host_dup_to(c, fd, n, false);
}

static void do_dup3(struct call *c, int oldfd, int newfd, int flags, bool is_dup2)
{
	struct fdtab *t = fds_of(c);
	long ret;

	if (flags & ~O_CLOEXEC) {
		c->ret = -EINVAL;
		return;
	}
	if (oldfd == newfd) {
		if (!is_dup2) {
			c->ret = -EINVAL;
		} else if (fdtab_is_host(t, oldfd)) {
			call_continue(c);
		} else {
			ret = lkl_sys_fcntl(oldfd, LKL_F_GETFD, 0);
			c->ret = ret < 0 ? ret : newfd;
		}
		return;
	}
	ret = lkl_sys_dup3(oldfd, newfd, flags & O_CLOEXEC ? LKL_O_CLOEXEC : 0);
	if (ret < 0) {
		c->ret = ret;
		return;
	}
	if (fdtab_is_host(t, oldfd)) {
		/* The kernel holds the number; the host makes the real copy. */
		fdtab_set(t, newfd, flags & O_CLOEXEC ? FDT_HOST_CLOEXEC : FDT_HOST);
		call_continue(c);
		return;
	}
	fdtab_set(t, newfd, FDT_KERNEL);
	c->ret = ret;
}

static void sys_dup2(struct call *c)
{
	do_dup3(c, (int)c->a[0], (int)c->a[1], 0, true);
}

static void sys_dup3(struct call *c)
{
	do_dup3(c, (int)c->a[0], (int)c->a[1], (int)c->a[2], false);
}

/*
 * An fcntl whose argument points to a struct of size bytes, laid out
 * alike in both kernels: copied into buf (in) and back (out).
 */
static void fcntl_copy(struct call *c, int fd, int cmd, void *buf, size_t size,
		       bool in, bool out)
{
	uint64_t arg = c->a[2];
	long ret;

	if (in && gmem_read(call_pid(c), buf, arg, size)) {
		c->ret = -EFAULT;
		return;
	}
	ret = lkl_sys_fcntl(fd, cmd, (long)buf);
	if (ret >= 0 && out && gmem_write(call_pid(c), arg, buf, size))
		ret = -EFAULT;
	c->ret = ret;
}

static void sys_fcntl(struct call *c)
{
	int fd = (int)c->a[0], cmd = (int)c->a[1];
	long arg = (long)c->a[2], n;
	struct fdtab *t = fds_of(c);
	struct f_owner_ex ox;
	struct flock fl;
	uint64_t hint;

	if (fdtab_is_host(t, fd)) {
		switch (cmd) {
		case F_DUPFD:
		case F_DUPFD_CLOEXEC:
			n = lkl_sys_fcntl(fd, cmd == F_DUPFD ? LKL_F_DUPFD : LKL_F_DUPFD_CLOEXEC, arg);
			c->ret = n < 0 ? n : host_dup_to(c, fd, n, cmd == F_DUPFD_CLOEXEC);
			return;
		case F_SETFD:
			lkl_sys_fcntl(fd, LKL_F_SETFD, arg);
			fdtab_set(t, fd, arg & FD_CLOEXEC ? FDT_HOST_CLOEXEC : FDT_HOST);
			break;
		}
		call_continue(c);
		return;
	}

	switch (cmd) {
	case F_GETLK: case F_SETLK: case F_SETLKW:
	case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
		fcntl_copy(c, fd, cmd, &fl, sizeof(fl), true,
			   cmd == F_GETLK || cmd == F_OFD_GETLK);
		return;
	case F_GETOWN_EX: case F_SETOWN_EX:
		fcntl_copy(c, fd, cmd, &ox, sizeof(ox), cmd == F_SETOWN_EX, cmd == F_GETOWN_EX);
		return;
	case F_GET_RW_HINT: case F_SET_RW_HINT:
		fcntl_copy(c, fd, cmd, &hint, sizeof(hint), cmd == F_SET_RW_HINT,
			   cmd == F_GET_RW_HINT);
		return;
	case 17: /* F_GETOWNER_UIDS */
		c->ret = -EINVAL;
		return;
	/* Those taking an integer or nothing (same numbers in both ABIs). */
	case F_DUPFD: case F_DUPFD_CLOEXEC: case F_GETFD: case F_SETFD:
	case F_GETFL: case F_SETOWN: case F_GETOWN:
	case F_SETSIG: case F_GETSIG: case F_SETLEASE: case F_GETLEASE:
	case F_NOTIFY: case F_SETPIPE_SZ: case F_GETPIPE_SZ:
	case F_ADD_SEALS: case F_GET_SEALS:
	case 1027: /* F_DUPFD_QUERY */
	case 1028: /* F_CREATED_QUERY */
		c->ret = lkl_sys_fcntl(fd, cmd, arg);
		return;
	case F_SETFL:
		/* No O_DIRECT for the library kernel (fs.c's opened). */
		c->ret = lkl_sys_fcntl(fd, cmd, arg & ~O_DIRECT);
		return;
	default:
		/*
		 * One kbox does not know may take a pointer, which the kernel
		 * would follow into kbox's memory: EINVAL, as for any unknown.
		 */
		c->ret = lkl_sys_fcntl(fd, LKL_F_GETFD, 0) < 0 ? -EBADF : -EINVAL;
	}
}

/*
 * Terminal requests on the kernel's pseudo-terminals (the guest's own,
 * from /dev/ptmx): x86_64 uses asm-generic's numbers and layouts for
 * these.  Those naming process groups are left out: guest pids are the
 * host's, not the kernel's.
 */
static const struct flat_ioctl tty_reqs[] = {
	{ 0x5401, 36, 0, 1 },	/* TCGETS */
	{ 0x5402, 36, 1, 0 },	/* TCSETS */
	{ 0x5403, 36, 1, 0 },	/* TCSETSW */
	{ 0x5404, 36, 1, 0 },	/* TCSETSF */
	{ 0x802c542a, 44, 0, 1 },	/* TCGETS2 */
	{ 0x402c542b, 44, 1, 0 },	/* TCSETS2 */
	{ 0x402c542c, 44, 1, 0 },	/* TCSETSW2 */
	{ 0x402c542d, 44, 1, 0 },	/* TCSETSF2 */
	{ 0x5409, 0, 0, 0 },	/* TCSBRK */
	{ 0x540A, 0, 0, 0 },	/* TCXONC */
	{ 0x540B, 0, 0, 0 },	/* TCFLSH */
	{ 0x540C, 0, 0, 0 },	/* TIOCEXCL */
	{ 0x540D, 0, 0, 0 },	/* TIOCNXCL */
	{ 0x5411, 4, 0, 1 },	/* TIOCOUTQ */
	{ 0x5413, 8, 0, 1 },	/* TIOCGWINSZ */
	{ 0x5414, 8, 1, 0 },	/* TIOCSWINSZ */
	{ 0x5420, 4, 1, 0 },	/* TIOCPKT */
	{ 0x5425, 0, 0, 0 },	/* TCSBRKP */
	{ 0x80045430, 4, 0, 1 },	/* TIOCGPTN */
	{ 0x40045431, 4, 1, 0 },	/* TIOCSPTLCK */
	{ 0x80045438, 4, 0, 1 },	/* TIOCGPKT */
	{ 0x80045439, 4, 0, 1 },	/* TIOCGPTLCK */
	{ 0x5441, 0, 0, 0 },	/* TIOCGPTPEER: a new kernel fd */
};

bool call_flat_ioctl(struct call *c, int fd, unsigned long req, uint64_t arg,
		     const struct flat_ioctl *tab, size_t n)
{
	unsigned char buf[64];
	const struct flat_ioctl *r = NULL;
	size_t i;
	long ret;

	for (i = 0; i < n; i++)
		if (tab[i].req == req)
			r = &tab[i];
	if (!r)
		return false;
	if (!r->size) {
		c->ret = lkl_sys_ioctl(fd, req, (long)arg);
		return true;
	}
	memset(buf, 0, sizeof(buf));
	if (r->in && gmem_read(call_pid(c), buf, arg, r->size)) {
		c->ret = -EFAULT;
		return true;
	}
	ret = lkl_sys_ioctl(fd, req, (long)buf);
	if (ret >= 0 && r->out && gmem_write(call_pid(c), arg, buf, r->size))
		ret = -EFAULT;
	c->ret = ret;
	return true;
}

static void sys_ioctl(struct call *c)
{
	int fd = (int)c->a[0];
	unsigned long req = (unsigned int)c->a[1];
	uint64_t arg = c->a[2];
	int val;
	long ret;

	if (fdtab_is_host(fds_of(c), fd)) {
		call_continue(c);
		return;
	}
	switch (req) {
	case FIOCLEX:
	case FIONCLEX:
		c->ret = lkl_sys_ioctl(fd, req, 0);
		return;
	case FIONBIO:
	case FIOASYNC:
		if (gmem_read(call_pid(c), &val, arg, sizeof(val))) {
			c->ret = -EFAULT;
			return;
		}
		c->ret = lkl_sys_ioctl(fd, req, (long)&val);
		return;
	case FIONREAD:
	case 0x80086601: /* FS_IOC_GETFLAGS */
	case 0x80087601: /* FS_IOC_GETVERSION */
		val = 0;
		ret = lkl_sys_ioctl(fd, req, (long)&val);
		if (ret >= 0 && gmem_write(call_pid(c), arg, &val, sizeof(val)))
			ret = -EFAULT;
		c->ret = ret;
		return;
	case 0x40086602: /* FS_IOC_SETFLAGS */
		if (gmem_read(call_pid(c), &val, arg, sizeof(val))) {
			c->ret = -EFAULT;
			return;
		}
		c->ret = lkl_sys_ioctl(fd, req, (long)&val);
		return;
	default:
		if (call_flat_ioctl(c, fd, req, arg, tty_reqs,
				    sizeof(tty_reqs) / sizeof(tty_reqs[0])) ||
		    socket_ioctl(c, fd, req, arg))
			return;
		/* Other device requests: not for kernel files. */
		ret = lkl_sys_fcntl(fd, LKL_F_GETFD, 0);
		c->ret = ret < 0 ? ret : -ENOTTY;
	}
}

static void do_pipe(struct call *c, uint64_t addr, int flags)
{
	int fds[2];
	long ret = lkl_sys_pipe2(fds, flags);

	if (ret < 0) {
		c->ret = ret;
		return;
	}
	if (gmem_write(call_pid(c), addr, fds, sizeof(fds))) {
		lkl_sys_close(fds[0]);
		lkl_sys_close(fds[1]);
		c->ret = -EFAULT;
		return;
	}
	c->ret = 0;
}

static void sys_pipe(struct call *c)
{
	do_pipe(c, c->a[0], 0);
}

static void sys_pipe2(struct call *c)
{
	do_pipe(c, c->a[0], (int)c->a[1]);
}

long call_give_host_fd(struct call *c, int hostfd, bool cloexec)
{
	long n = hostfd_placeholder(cloexec);

	if (n < 0) {
		close(hostfd);
		return n;
	}
	return call_install_host_fd(c, hostfd, n, cloexec);
}

/* memfd: a host object, so that the guest can map it like any memfd. */
static void sys_memfd_create(struct call *c)
{
	unsigned int flags = (unsigned int)c->a[1];
	char name[250];
	long n;
	int fd;

	n = gmem_read_string(call_pid(c), c->a[0], name, sizeof(name));
	if (n < 0) {
		c->ret = n == -ENAMETOOLONG ? -EINVAL : n;
		return;
	}
	fd = memfd_create(name, flags | MFD_CLOEXEC);
	if (fd < 0) {
		c->ret = -errno;
		return;
	}
	c->ret = call_give_host_fd(c, fd, flags & MFD_CLOEXEC);
}

/*
 * signalfd: signals are the host's.  A signalfd reads the signals of
 * the process that reads it, so kbox's own, handed over, serves the guest.
 */
static void do_signalfd(struct call *c, int flags)
{
	int fd = (int)c->a[0];
	uint64_t mask;

	if (fd != -1) {
		/* A new mask for an existing one (a host fd), or EINVAL. */
		if (fdtab_is_host(fds_of(c), fd))
			call_continue(c);
		else
			c->ret = lkl_sys_fcntl(fd, LKL_F_GETFD, 0) < 0 ? -EBADF : -EINVAL;
		return;
	}
	if (c->a[2] != sizeof(mask) || (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))) {
		c->ret = -EINVAL;
		return;
	}
	if (gmem_read(call_pid(c), &mask, c->a[1], sizeof(mask))) {
		c->ret = -EFAULT;
		return;
	}
	fd = (int)syscall(SYS_signalfd4, -1, &mask, sizeof(mask), flags | SFD_CLOEXEC);
	if (fd < 0) {
		c->ret = -errno;
		return;
	}
	c->ret = call_give_host_fd(c, fd, flags & SFD_CLOEXEC);
}

static void sys_signalfd(struct call *c)
{
	do_signalfd(c, 0);
}

static void sys_signalfd4(struct call *c)
{
	do_signalfd(c, (int)c->a[3]);
}

static void sys_close_range(struct call *c)
{
	unsigned int first = (unsigned int)c->a[0], last = (unsigned int)c->a[1];
	unsigned int flags = (unsigned int)c->a[2];
	long ret = lkl_sys_close_range(first, last, flags);

	if (ret < 0) {
		c->ret = ret;
		return;
	}
	if (flags & CLOSE_RANGE_UNSHARE && c->t->proc->fds->refs > 1) {
		struct fdtab *copy = fdtab_copy(c->t->proc->fds);

		if (copy) {
			guest_lock();
			fdtab_put(c->t->proc->fds);
			c->t->proc->fds = copy;
			guest_unlock();
		}
	}
	if (flags & CLOSE_RANGE_CLOEXEC) {
		struct fdtab *t = fds_of(c);
		unsigned int i;

		for (i = first; i <= last && (int)i < t->cap; i++)
			if (fdtab_kind(t, i) == FDT_HOST)
				fdtab_set(t, i, FDT_HOST_CLOEXEC);
	} else {
		fdtab_clear_range(fds_of(c), first, last);
	}
	call_continue(c);
}

/* The kernel side of a data call: one buffer in or out of fd. */
typedef long vec_io(struct call *c, int fd, struct lkl_iovec *one, bool write);

/* Whether the call works at the fd's own position (and moves it), not at one it names. */
static bool at_fd_pos(const struct call *c)
{
	switch (c->nr) {
	case SYS_pread64: case SYS_pwrite64: case SYS_preadv: case SYS_pwritev:
		return false;
	case SYS_preadv2: case SYS_pwritev2:
		return (long)c->a[3] == -1;
	}
	return true;
}

/*
 * What Linux answers before it looks at the buffers: EINVAL for a
 * negative position, EBADF for an fd not open (or not for this way),
 * ESPIPE for a position on a pipe.  0: the buffers' error stands.
 */
static long fd_error(struct call *c, int fd, bool write)
{
	bool positional = !at_fd_pos(c);
	long fl;

	if (positional && (long)c->a[3] < 0)
		return -EINVAL;
	fl = lkl_sys_fcntl(fd, LKL_F_GETFL, 0);
	if (fl < 0 || (fl & LKL_O_PATH) ||
	    (fl & LKL_O_ACCMODE) == (write ? LKL_O_RDONLY : LKL_O_WRONLY))
		return -EBADF;
	if (positional && lkl_sys_lseek(fd, 0, LKL_SEEK_CUR) == -ESPIPE)
		return -ESPIPE;
	return 0;
}

static long buffer_error(struct call *c, int fd, bool write, long err)
{
	long e = fd_error(c, fd, write);

	return e ? e : err;
}

/*
 * A read of a pipe or socket: what is read cannot go back.  Linux leaves
 * there what it cannot copy whole (a pipe's buffer, a packet), so when
 * more is waiting than the guest's memory takes, nothing is read:
 * EFAULT.  Otherwise the buffers are cut to what can be written.  False
 * when the call is answered.
 */
static bool fits_pipe(struct call *c, int fd, struct iovec *iov, int *cnt, size_t *total)
{
	size_t room = 0, n;
	int i, avail = 0;

	for (i = 0; i < *cnt; i++) {
		n = gmem_mapped(call_pid(c), (uintptr_t)iov[i].iov_base, iov[i].iov_len);
		room += n;
		if (n < iov[i].iov_len) {
			iov[i].iov_len = n;
			*cnt = i + 1;
		}
	}
	if (room < *total &&
	    (!room || (lkl_sys_ioctl(fd, FIONREAD, (long)&avail) >= 0 && (size_t)avail > room))) {
		c->ret = buffer_error(c, fd, false, -EFAULT);
		return false;
	}
	*total = room;
	return true;
}

/*
 * A data call (fd, buffers...) through one kernel buffer: the guest's
 * buffers are gathered into it before io, or scattered from it after.
 * As on Linux, a buffer reaching into the kernel's half fails the call
 * first (EFAULT); otherwise a write to a file takes what can be read of
 * the buffers, up to the first page that cannot, and a read delivers what
 * it can: the rest goes back to the file (its position moves back), or
 * for pipes and sockets is not read at all (fits_pipe).  Nothing
 * delivered: EFAULT.
 */
static void do_io(struct call *c, int fd, struct iovec *iov, int cnt, bool write, vec_io *io)
{
	pid_t pid = call_pid(c);
	struct lkl_iovec one;
	size_t total = 0, done, n;
	char *buf;
	long ret;
	int i;

	for (i = 0; i < cnt; i++) {
		if (!gmem_access_ok((uintptr_t)iov[i].iov_base, iov[i].iov_len)) {
			c->ret = buffer_error(c, fd, write, -EFAULT);
			return;
		}
	}
	for (i = 0; i < cnt; i++) {
		if (total + iov[i].iov_len > MAX_IO) {
			iov[i].iov_len = MAX_IO - total;
			cnt = i + 1;
		}
		total += iov[i].iov_len;
	}
	if (!write && total && at_fd_pos(c) &&
	    lkl_sys_lseek(fd, 0, LKL_SEEK_CUR) == -ESPIPE && !fits_pipe(c, fd, iov, &cnt, &total))
		return;
	buf = malloc(total ? total : 1);
	if (!buf) {
		c->ret = -ENOMEM;
		return;
	}
	if (write) {
		for (i = 0, done = 0; i < cnt; i++) {
			n = gmem_read_some(pid, buf + done, (uintptr_t)iov[i].iov_base,
					   iov[i].iov_len);
			done += n;
			if (n < iov[i].iov_len)
				break;
		}
		/*
		 * A bad buffer after good ones: Linux writes those to a file
		 * (a short write); a pipe or socket takes none of a chunk it
		 * cannot copy whole.
		 */
		if ((total && !done) ||
		    (done < total && lkl_sys_lseek(fd, 0, LKL_SEEK_CUR) == -ESPIPE)) {
			c->ret = buffer_error(c, fd, write, -EFAULT);
			goto out;
		}
		total = done;
	}
	one.iov_base = buf;
	one.iov_len = total;
	ret = io(c, fd, &one, write);
	if (!write && ret > 0) {
		size_t left = (size_t)ret;

		for (i = 0, done = 0; i < cnt && left; i++) {
			size_t want = iov[i].iov_len < left ? iov[i].iov_len : left;

			n = gmem_write_some(pid, (uintptr_t)iov[i].iov_base, buf + done, want);
			done += n;
			left -= n;
			if (n < want)
				break;
		}
		if (left) {
			/* Not delivered: not read, as far as the file goes. */
			if (at_fd_pos(c))
				lkl_sys_lseek(fd, -(long)left, LKL_SEEK_CUR);
			ret = done ? (long)done : -EFAULT;
		}
	}
	c->ret = ret;
out:
	free(buf);
}

/* Vectored calls (fd, iov, count, ...): the guest's iovecs, as Linux checks them. */
static void do_vec(struct call *c, bool write, vec_io *io)
{
	int fd = (int)c->a[0];
	int cnt = (int)c->a[2];
	struct iovec *iov = NULL;
	long err = 0;
	int i;

	if (fdtab_is_host(fds_of(c), fd)) {
		call_continue(c);
		return;
	}
	if (c->a[2] > IOV_MAX) {
		err = -EINVAL;
	} else if (!(iov = calloc(cnt ? cnt : 1, sizeof(*iov)))) {
		c->ret = -ENOMEM;
		return;
	} else if (gmem_read(call_pid(c), iov, c->a[1], cnt * sizeof(*iov))) {
		err = -EFAULT;
	} else {
		for (i = 0; i < cnt; i++)
			if ((ssize_t)iov[i].iov_len < 0)
				err = -EINVAL;
	}
	if (err)
		c->ret = buffer_error(c, fd, write, err);
	else
		do_io(c, fd, iov, cnt, write, io);
	free(iov);
}

/* read/write, readv/writev and their positional forms. */
static long rw_io(struct call *c, int fd, struct lkl_iovec *one, bool write)
{
	long lo = -1, hi = -1, flags = 0;

	switch (c->nr) {
	case SYS_read:
		return lkl_sys_read(fd, one->iov_base, one->iov_len);
	case SYS_write:
		return lkl_sys_write(fd, one->iov_base, one->iov_len);
	case SYS_pread64:
		return lkl_sys_pread64(fd, one->iov_base, one->iov_len, (long)c->a[3]);
	case SYS_pwrite64:
		return lkl_sys_pwrite64(fd, one->iov_base, one->iov_len, (long)c->a[3]);
	case SYS_preadv2: case SYS_pwritev2:
		flags = (long)c->a[5];
		/* fall through */
	case SYS_preadv: case SYS_pwritev:
		lo = (long)c->a[3];
		hi = (long)c->a[4];
	}
	return write ? lkl_sys_pwritev2(fd, one, 1, lo, hi, flags)
		     : lkl_sys_preadv2(fd, one, 1, lo, hi, flags);
}

/* read, write, pread64, pwrite64: one buffer. */
static void sys_rw(struct call *c)
{
	struct iovec one = { (void *)(uintptr_t)c->a[1], (size_t)c->a[2] };
	int fd = (int)c->a[0];

	if (fdtab_is_host(fds_of(c), fd))
		call_continue(c);
	else
		do_io(c, fd, &one, 1, c->nr == SYS_write || c->nr == SYS_pwrite64, rw_io);
}

static void sys_readv(struct call *c) { do_vec(c, false, rw_io); }
static void sys_writev(struct call *c) { do_vec(c, true, rw_io); }
static void sys_preadv(struct call *c) { do_vec(c, false, rw_io); }
static void sys_pwritev(struct call *c) { do_vec(c, true, rw_io); }
static void sys_preadv2(struct call *c) { do_vec(c, false, rw_io); }
static void sys_pwritev2(struct call *c) { do_vec(c, true, rw_io); }

/*
 * vmsplice: the library kernel cannot take the guest's pages (nor kbox's:
 * it has no mapping of them) into a pipe, so what goes in is written to
 * the pipe, a copy.  RWF_NOWAIT is no way to SPLICE_F_NONBLOCK (splice
 * takes FMODE_NOWAIT off a pipe); a pipe with room for a page takes a
 * page without sleeping, so that much is written then, and EAGAIN is the
 * answer when there is no room.  What comes out is the kernel's own
 * vmsplice into kbox's buffer.
 */
static long vmsplice_io(struct call *c, int fd, struct lkl_iovec *one, bool write)
{
	unsigned int flags = (unsigned int)c->a[3];
	struct lkl_pollfd pfd = { .fd = fd, .events = LKL_POLLOUT };
	struct __lkl__kernel_timespec zero = { 0, 0 };
	long ret;

	if (!write)
		return lkl_sys_vmsplice(fd, one, 1, flags);
	if (flags & SPLICE_F_NONBLOCK) {
		ret = lkl_sys_ppoll(&pfd, 1, &zero, NULL, 8);
		if (ret <= 0)
			return ret < 0 ? ret : -EAGAIN;
		/* No reader (POLLERR alone): the write says EPIPE. */
		if (one->iov_len > 4096)
			one->iov_len = 4096;
	}
	return lkl_sys_pwritev2(fd, one, 1, -1, -1, 0);
}

static void sys_vmsplice(struct call *c)
{
	int fd = (int)c->a[0];
	struct lkl_stat st;
	long fl;

	if (fdtab_is_host(fds_of(c), fd)) {
		call_continue(c);
		return;
	}
	if (c->a[3] & ~(uint64_t)(SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE |
				  SPLICE_F_GIFT)) {
		c->ret = -EINVAL;
		return;
	}
	/* Linux's choice: a writable fd is written to, else read from; pipes only. */
	fl = lkl_sys_fcntl(fd, LKL_F_GETFL, 0);
	if (fl < 0 || lkl_sys_fstat(fd, &st) < 0 || !LKL_S_ISFIFO(st.st_mode) ||
	    (fl & LKL_O_ACCMODE) == 3) {
		c->ret = -EBADF;
		return;
	}
	do_vec(c, (fl & LKL_O_ACCMODE) != LKL_O_RDONLY, vmsplice_io);
}

/*
 * poll over guest fds.  All host: the host polls.  All kernel: the kernel
 * polls.  Both: see mixedpoll.h.
 */
static long poll_fds(struct call *c, struct pollfd *pfd, unsigned int n,
		     long timeout_ms, bool *to_host)
{
	struct fdtab *t = fds_of(c);
	bool host = false, kernel = false;
	struct __lkl__kernel_timespec ts, *tsp = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (pfd[i].fd < 0)
			continue;
		if (fdtab_is_host(t, pfd[i].fd))
			host = true;
		else
			kernel = true;
	}
	*to_host = host && !kernel;
	if (*to_host)
		return 0;
	if (host)
		return mixed_poll(c, pfd, n, timeout_ms);
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (timeout_ms % 1000) * 1000000;
		tsp = &ts;
	}
	return lkl_sys_ppoll((struct lkl_pollfd *)pfd, n, tsp, NULL, 8);
}

/* The most fds a poll or select looks at: RLIMIT_NOFILE, as on Linux, within nr_open. */
#define POLL_MAX (1 << 20)

static unsigned int nofile_limit(void)
{
	struct lkl_rlimit64 lim;

	if (lkl_sys_prlimit64(0, LKL_RLIMIT_NOFILE, NULL, &lim) < 0 || lim.rlim_cur > POLL_MAX)
		return POLL_MAX;
	return (unsigned int)lim.rlim_cur;
}

static void do_poll(struct call *c, uint64_t addr, unsigned int n, long timeout_ms)
{
	struct pollfd *pfd;
	bool to_host;
	long ret;

	if (n > nofile_limit()) {
		c->ret = -EINVAL;
		return;
	}
	pfd = calloc(n ? n : 1, sizeof(*pfd));
	if (!pfd) {
		c->ret = -ENOMEM;
		return;
	}
	if (gmem_read(call_pid(c), pfd, addr, n * sizeof(*pfd))) {
		free(pfd);
		c->ret = -EFAULT;
		return;
	}
	ret = poll_fds(c, pfd, n, timeout_ms, &to_host);
	if (to_host)
		call_continue(c);
	else if (ret >= 0 && gmem_write(call_pid(c), addr, pfd, n * sizeof(*pfd)))
		c->ret = -EFAULT;
	else
		c->ret = ret;
	free(pfd);
}

static void sys_poll(struct call *c)
{
	do_poll(c, c->a[0], (unsigned int)c->a[1], (int)c->a[2] < 0 ? -1 : (int)c->a[2]);
}

static long timespec_ms(struct call *c, uint64_t addr)
{
	struct timespec ts;

	if (!addr)
		return -1;
	if (gmem_read(call_pid(c), &ts, addr, sizeof(ts)))
		return -2;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -3;
	if (ts.tv_sec > INT_MAX / 1000)
		return INT_MAX;
	return ts.tv_sec * 1000 + (ts.tv_nsec + 999999) / 1000000;
}

long call_check_sigmask(struct call *c, uint64_t addr, uint64_t size)
{
	uint64_t mask;

	if (!addr)
		return 0;
	if (size != sizeof(mask))
		return -EINVAL;
	return gmem_read(call_pid(c), &mask, addr, sizeof(mask)) ? -EFAULT : 0;
}

static void sys_ppoll(struct call *c)
{
	long ms = timespec_ms(c, c->a[2]), err;

	if (ms < -1) {
		c->ret = ms == -2 ? -EFAULT : -EINVAL;
		return;
	}
	err = call_check_sigmask(c, c->a[3], c->a[4]);
	if (err) {
		c->ret = err;
		return;
	}
	do_poll(c, c->a[0], (unsigned int)c->a[1], ms);
}

static bool bit(const unsigned char *set, int i)
{
	return set[i / 8] & (1 << (i % 8));
}

/*
 * select: its fd_sets become a pollfd array and back.  As on Linux, fds
 * beyond what the process can have are not looked at, and each set is
 * read and written in whole longs.
 */
static void do_select(struct call *c, long timeout_ms, uint64_t tv_addr, bool is_timeval)
{
	int nfds = (int)c->a[0], i, k = 0;
	unsigned char *sets[3] = { NULL, NULL, NULL };
	struct pollfd *pfd = NULL;
	size_t bytes;
	bool to_host;
	long ret;

	if (nfds < 0) {
		c->ret = -EINVAL;
		return;
	}
	if ((unsigned int)nfds > nofile_limit())
		nfds = (int)nofile_limit();
	bytes = (size_t)(nfds + 63) / 64 * 8;
	for (i = 0; i < 3; i++) {
		sets[i] = calloc(1, bytes ? bytes : 1);
		if (!sets[i]) {
			c->ret = -ENOMEM;
			goto out;
		}
		if (c->a[1 + i] && gmem_read(call_pid(c), sets[i], c->a[1 + i], bytes)) {
			c->ret = -EFAULT;
			goto out;
		}
	}
	pfd = calloc(nfds ? nfds : 1, sizeof(*pfd));
	if (!pfd) {
		c->ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nfds; i++) {
		short ev = 0;

		if (bit(sets[0], i))
			ev |= POLLIN;
		if (bit(sets[1], i))
			ev |= POLLOUT;
		if (bit(sets[2], i))
			ev |= POLLPRI;
		if (ev) {
			pfd[k].fd = i;
			pfd[k].events = ev;
			k++;
		}
	}
	ret = poll_fds(c, pfd, k, timeout_ms, &to_host);
	if (to_host) {
		call_continue(c);
		goto out;
	}
	if (ret < 0) {
		c->ret = ret;
		goto out;
	}
	for (i = 0; i < 3; i++)
		memset(sets[i], 0, bytes);
	ret = 0;
	for (i = 0; i < k; i++) {
		short r = pfd[i].revents;
		int fd = pfd[i].fd;

		if (r & POLLNVAL) {
			c->ret = -EBADF;
			goto out;
		}
		if ((pfd[i].events & POLLIN) && (r & (POLLIN | POLLHUP | POLLERR)))
			sets[0][fd / 8] |= 1 << (fd % 8), ret++;
		if ((pfd[i].events & POLLOUT) && (r & (POLLOUT | POLLERR)))
			sets[1][fd / 8] |= 1 << (fd % 8), ret++;
		if ((pfd[i].events & POLLPRI) && (r & POLLPRI))
			sets[2][fd / 8] |= 1 << (fd % 8), ret++;
	}
	for (i = 0; i < 3; i++) {
		if (c->a[1 + i] && gmem_write(call_pid(c), c->a[1 + i], sets[i], bytes)) {
			c->ret = -EFAULT;
			goto out;
		}
	}
	if (tv_addr && is_timeval && !ret) {
		struct timeval zero = { 0, 0 };

		gmem_write(call_pid(c), tv_addr, &zero, sizeof(zero));
	}
	c->ret = ret;
out:
	free(pfd);
	for (i = 0; i < 3; i++)
		free(sets[i]);
}

static void sys_select(struct call *c)
{
	struct timeval tv;
	long ms = -1;

	if (c->a[4]) {
		if (gmem_read(call_pid(c), &tv, c->a[4], sizeof(tv))) {
			c->ret = -EFAULT;
			return;
		}
		if (tv.tv_sec < 0 || tv.tv_usec < 0) {
			c->ret = -EINVAL;
			return;
		}
		ms = tv.tv_sec > INT_MAX / 1000 ? INT_MAX :
		     tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
	}
	do_select(c, ms, c->a[4], true);
}

/* pselect6: its sixth argument points at the mask and its size. */
static void sys_pselect6(struct call *c)
{
	struct { uint64_t mask, size; } sig = { 0, 0 };
	long ms, err;

	if (c->a[5] && gmem_read(call_pid(c), &sig, c->a[5], sizeof(sig))) {
		c->ret = -EFAULT;
		return;
	}
	ms = timespec_ms(c, c->a[4]);
	if (ms < -1) {
		c->ret = ms == -2 ? -EFAULT : -EINVAL;
		return;
	}
	err = call_check_sigmask(c, sig.mask, sig.size);
	if (err) {
		c->ret = err;
		return;
	}
	do_select(c, ms, c->a[4], false);
}

void fd_handlers_init(void)
{
	dispatch_register(SYS_close, sys_close);
	dispatch_register(SYS_dup, sys_dup);
	dispatch_register(SYS_dup2, sys_dup2);
	dispatch_register(SYS_dup3, sys_dup3);
	dispatch_register(SYS_fcntl, sys_fcntl);
	dispatch_register(SYS_ioctl, sys_ioctl);
	dispatch_register(SYS_pipe, sys_pipe);
	dispatch_register(SYS_pipe2, sys_pipe2);
	dispatch_register(SYS_memfd_create, sys_memfd_create);
	dispatch_register(SYS_signalfd, sys_signalfd);
	dispatch_register(SYS_signalfd4, sys_signalfd4);
	dispatch_register(SYS_close_range, sys_close_range);
	dispatch_register(SYS_read, sys_rw);
	dispatch_register(SYS_write, sys_rw);
	dispatch_register(SYS_pread64, sys_rw);
	dispatch_register(SYS_pwrite64, sys_rw);
	dispatch_register(SYS_readv, sys_readv);
	dispatch_register(SYS_writev, sys_writev);
	dispatch_register(SYS_preadv, sys_preadv);
	dispatch_register(SYS_pwritev, sys_pwritev);
	dispatch_register(SYS_preadv2, sys_preadv2);
	dispatch_register(SYS_pwritev2, sys_pwritev2);
	dispatch_register(SYS_vmsplice, sys_vmsplice);
	dispatch_register(SYS_poll, sys_poll);
	dispatch_register(SYS_ppoll, sys_ppoll);
	dispatch_register(SYS_select, sys_select);
	dispatch_register(SYS_pselect6, sys_pselect6);
}
