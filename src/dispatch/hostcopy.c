// SPDX-License-Identifier: GPL-2.0
/*
 * sendfile, splice, copy_file_range and tee between a host fd and a
 * kernel fd (the terminal and an image file, stdin's pipe and a kernel
 * pipe).  Neither kernel can reach the other's file, so kbox moves the
 * data itself, through a buffer of its own, with Linux's rules: offsets
 * (the guest's pointer, or the file's position), pipes where splice wants
 * one, short counts, O_NONBLOCK and SPLICE_F_NONBLOCK, errors in Linux's
 * order.  Calls with both fds on one side go where they did (the host,
 * or the library kernel).
 *
 * Waiting: a copy may have to wait, for data or for room, on either
 * side, and a guest's signal must cut the wait short as it does any
 * call.  A kernel wait is the library kernel's ppoll, which the
 * watchdog's interrupt ends; a host wait is the host's poll beside an
 * eventfd that the same interrupt writes (supervisor_host_wait).  The
 * reads and writes themselves never wait: kernel pipes take RWF_NOWAIT,
 * sockets MSG_DONTWAIT, and a host pipe or terminal gets a description
 * of its own opened non-blocking (the guest's keeps its flags).  After a
 * signal, what moved is the answer, or EINTR (a restart with SA_RESTART).
 *
 * Nothing is lost on a short copy: a file (anything with a position) is
 * read at its position, which moves by what the other side took; a
 * stream (a pipe, a socket, a terminal) going to another stream is read
 * no further than the sink surely takes without waiting (a page once it
 * is writable), since bytes read from it cannot go back.  (A terminal or
 * socket that takes less than its poll promised is waited for; only a
 * signal during that wait drops the rest, as kbox cannot put it back.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lkl.h>

#include "generic.h"
#include "../guest/memory.h"
#include "../intercept/supervisor.h"

#define L(x) __lkl__NR_##x

/* Linux's MAX_RW_COUNT: what one read, write or sendfile moves at most. */
#define MAX_RW_COUNT	0x7ffff000UL
/* kbox's buffer. */
#define CHUNK		(256UL << 10)
/* What a writable pipe takes without waiting (a free slot: one page). */
#define PIPE_PAGE	4096UL

/* Calls with both fds on one side: the library kernel's, or the host's. */
enum { D_SENDFILE, D_SPLICE, D_COPY_FILE_RANGE, D_TEE };
static const struct sysdesc same_side[] = {
	[D_SENDFILE] = SYS(SYS_sendfile, L(sendfile), G(0, A_FD), G(1, A_FD), GNULL(2, A_INOUT_FIX, 8), G(3, A_VAL)),
	[D_SPLICE] = SYS(SYS_splice, L(splice), G(0, A_FD), GNULL(1, A_INOUT_FIX, 8), G(2, A_FD), GNULL(3, A_INOUT_FIX, 8), G(4, A_VAL), G(5, A_VAL)),
	[D_COPY_FILE_RANGE] = SYS(SYS_copy_file_range, L(copy_file_range), G(0, A_FD), GNULL(1, A_INOUT_FIX, 8), G(2, A_FD), GNULL(3, A_INOUT_FIX, 8), G(4, A_VAL), G(5, A_VAL)),
	[D_TEE] = SYS(SYS_tee, L(tee), G(0, A_FD), G(1, A_FD), G(2, A_VAL), G(3, A_VAL)),
};

/* One side of a copy. */
struct end {
	bool host;
	int fd;			/* kernel: the guest's number; host: kbox's copy */
	int nb;			/* a host stream's non-blocking description, or -1 */
	unsigned int type;	/* S_IFMT of its file */
	bool rd, wr, nonblock, append;
	bool seek;		/* it has a position: read and written at pos */
	int64_t pos;
};

#define END_NONE ((struct end){ .fd = -1, .nb = -1 })

static bool mixed(struct call *c, int a, int b)
{
	struct fdtab *t = c->t->proc->fds;

	return fdtab_is_host(t, a) != fdtab_is_host(t, b);
}

static long end_open(struct call *c, struct end *e, int gfd)
{
	long fl;

	*e = END_NONE;
	e->host = fdtab_is_host(c->t->proc->fds, gfd);
	if (e->host) {
		struct stat st;

		e->fd = call_grab_host_fd(c, gfd);
		if (e->fd < 0)
			return e->fd;
		fl = fcntl(e->fd, F_GETFL);
		if (fl < 0 || fstat(e->fd, &st) < 0)
			return -errno;
		e->type = st.st_mode & S_IFMT;
		e->pos = lseek(e->fd, 0, SEEK_CUR);
	} else {
		struct lkl_stat st;

		fl = lkl_sys_fcntl(gfd, LKL_F_GETFL, 0);
		if (fl < 0)
			return fl;
		if (lkl_sys_fstat(gfd, &st) < 0)
			return -EBADF;
		e->fd = gfd;
		e->type = st.st_mode & LKL_S_IFMT;
		e->pos = lkl_sys_lseek(gfd, 0, LKL_SEEK_CUR);
	}
	/* x86_64 and the library kernel agree on these flags and types. */
	if (fl & O_PATH)
		return -EBADF;
	e->rd = (fl & O_ACCMODE) == O_RDONLY || (fl & O_ACCMODE) == O_RDWR;
	e->wr = (fl & O_ACCMODE) == O_WRONLY || (fl & O_ACCMODE) == O_RDWR;
	e->nonblock = fl & O_NONBLOCK;
	e->append = fl & O_APPEND;
	e->seek = e->pos >= 0 && (e->type == S_IFREG || e->type == S_IFBLK || e->type == S_IFCHR);
	if (!e->seek)
		e->pos = 0;
	return 0;
}

static void end_close(struct end *e)
{
	if (e->nb >= 0)
		close(e->nb);
	if (e->host && e->fd >= 0)
		close(e->fd);
}

/* Where the file's position goes after a copy that used it. */
static void end_set_pos(struct end *e)
{
	if (!e->seek)
		return;
	if (e->host)
		lseek(e->fd, e->pos, SEEK_SET);
	else
		lkl_sys_lseek(e->fd, e->pos, LKL_SEEK_SET);
}

/* Files that splice can read from (in) or write to: no directory, no eventfd. */
static bool splice_ok(const struct end *e, bool in)
{
	switch (e->type) {
	case S_IFREG: case S_IFBLK: case S_IFCHR: case S_IFSOCK:
		return true;
	case S_IFIFO:
		return !in;	/* pipes have no splice_read: sendfile from one is EINVAL */
	}
	return false;
}

/* Linux's rw_verify_area: a count that is negative as ssize_t, a bad position. */
static long verify_area(const struct end *e, int64_t pos, size_t count)
{
	if ((ssize_t)count < 0)
		return -EINVAL;
	if (e->seek && (pos < 0 || (int64_t)((uint64_t)pos + count) < 0))
		return -EINVAL;
	return 0;
}

/*
 * A host pipe or terminal: a description of its own, non-blocking, for
 * kbox to read or write without sleeping where a signal cannot reach it.
 * Without one (it cannot be opened anew), a read follows a poll saying
 * there is data and a write of a page one saying there is room.
 */
static void end_stream(struct end *e, bool out)
{
	char path[32];

	if (!e->host || e->seek || e->type == S_IFSOCK)
		return;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", e->fd);
	e->nb = open(path, (out ? O_WRONLY : O_RDONLY) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

/* What e has of events now (0: nothing), or -errno. */
static int end_poll(struct end *e, short events)
{
	if (e->host) {
		struct pollfd p = { .fd = e->fd, .events = events };

		return poll(&p, 1, 0) < 0 ? -errno : p.revents;
	} else {
		struct lkl_pollfd p = { .fd = e->fd, .events = events };
		struct __lkl__kernel_timespec zero = { 0, 0 };
		long ret = lkl_sys_ppoll(&p, 1, &zero, NULL, 8);

		return ret < 0 ? (int)ret : p.revents;
	}
}

/* Wait until e has one of events: 0, or -EINTR when the call must give up. */
static long end_wait(struct call *c, struct end *e, short events)
{
	struct lkl_pollfd p = { .fd = e->fd, .events = events };
	long ret;

	if (supervisor_interrupted(c->t))
		return -EINTR;
	if (e->host) {
		ret = supervisor_host_wait(c->t, e->fd, events);
		return ret < 0 ? ret : 0;
	}
	ret = lkl_sys_ppoll(&p, 1, NULL, NULL, 8);
	if (ret >= 0)
		return 0;
	if (supervisor_interrupted(c->t))
		return -EINTR;
	/* No interrupt of ours: a stale one, which would cut every wait short. */
	supervisor_drop_interrupt();
	return ret == -EINTR ? 0 : ret;
}

/* end_io's host side, then its kernel side. */
static long host_io(struct end *e, char *buf, size_t n, bool out)
{
	struct pollfd p = { .fd = e->fd, .events = out ? POLLOUT : POLLIN };
	ssize_t ret;

	if (e->seek)
		ret = out ? pwrite(e->fd, buf, n, e->pos) : pread(e->fd, buf, n, e->pos);
	else if (e->type == S_IFSOCK)
		ret = out ? send(e->fd, buf, n, MSG_DONTWAIT | MSG_NOSIGNAL) :
			    recv(e->fd, buf, n, MSG_DONTWAIT);
	else if (e->nb >= 0)
		ret = out ? write(e->nb, buf, n) : read(e->nb, buf, n);
	else if ((ret = poll(&p, 1, 0)) <= 0)
		return ret < 0 ? -errno : -EAGAIN;
	else
		ret = out ? write(e->fd, buf, n < PIPE_PAGE ? n : PIPE_PAGE) : read(e->fd, buf, n);
	return ret < 0 ? -errno : ret;
}

static long kernel_io(struct end *e, char *buf, size_t n, bool out)
{
	struct lkl_iovec iov = { .iov_base = buf, .iov_len = n };
	long ret;

	if (e->seek)
		return out ? lkl_sys_pwrite64(e->fd, buf, n, e->pos) :
			     lkl_sys_pread64(e->fd, buf, n, e->pos);
	if (e->type == S_IFSOCK)
		return out ? lkl_sys_sendto(e->fd, buf, n, LKL_MSG_DONTWAIT, NULL, 0) :
			     lkl_sys_recvfrom(e->fd, buf, n, LKL_MSG_DONTWAIT, NULL, NULL);
	ret = out ? lkl_sys_pwritev2(e->fd, &iov, 1, -1, -1, LKL_RWF_NOWAIT) :
		    lkl_sys_preadv2(e->fd, &iov, 1, -1, -1, LKL_RWF_NOWAIT);
	if (ret != -LKL_EOPNOTSUPP)
		return ret;
	/* No RWF_NOWAIT (a terminal; a pipe once spliced): poll, then a page. */
	ret = end_poll(e, out ? POLLOUT : POLLIN);
	if (ret <= 0)
		return ret < 0 ? ret : -EAGAIN;
	if (out && iov.iov_len > PIPE_PAGE)
		iov.iov_len = PIPE_PAGE;
	return out ? lkl_sys_pwritev2(e->fd, &iov, 1, -1, -1, 0) :
		     lkl_sys_preadv2(e->fd, &iov, 1, -1, -1, 0);
}

/*
 * Read (out: write) up to n bytes of e, at its position if it has one,
 * never waiting: the count (0: the end of it), -EAGAIN, or -errno.
 */
static long end_io(struct end *e, char *buf, size_t n, bool out)
{
	long ret = e->host ? host_io(e, buf, n, out) : kernel_io(e, buf, n, out);

	if (ret > 0 && e->seek)
		e->pos += ret;
	return ret;
}

/* How a copy goes on, after Linux's splice paths. */
struct how {
	size_t count;
	bool src_nowait;	/* no data: EAGAIN rather than wait */
	bool dst_nowait;	/* no room: EAGAIN rather than wait */
	bool fill;		/* the sink is no pipe: wait for room even after progress */
};

/*
 * src has no data or dst no room (e, for events): 0 to go on once it
 * has, else how the copy ends (1: with what moved; -EAGAIN, -EINTR).
 */
static long stall(struct call *c, struct end *e, short events, size_t done,
		  bool nowait, bool keep_going)
{
	if (done && !keep_going)
		return 1;
	if (nowait)
		return -EAGAIN;
	return end_wait(c, e, events);
}

static long copy_loop(struct call *c, struct end *src, struct end *dst,
		      const struct how *h, char *buf)
{
	bool streams = !src->seek && !dst->seek;
	size_t done = 0, off;
	long ret = 0, n, w;

	while (done < h->count) {
		size_t want = h->count - done < CHUNK ? h->count - done : CHUNK;

		if (supervisor_interrupted(c->t)) {
			ret = -EINTR;
			break;
		}
		if (streams) {
			n = end_poll(dst, POLLOUT);
			if (n < 0 || ((n & POLLERR) && dst->type == S_IFIFO)) {
				ret = n < 0 ? n : -EPIPE;
				break;
			}
			if (!(n & (POLLOUT | POLLERR))) {
				ret = stall(c, dst, POLLOUT, done, h->dst_nowait, h->fill);
				if (ret)
					break;
				continue;
			}
			if (want > PIPE_PAGE)
				want = PIPE_PAGE;
		}
		n = end_io(src, buf, want, false);
		if (n == -EAGAIN) {
			ret = stall(c, src, POLLIN, done, h->src_nowait, false);
			if (ret)
				break;
			continue;
		}
		if (n <= 0) {
			ret = n;
			break;
		}
		for (off = 0; off < (size_t)n;) {
			w = end_io(dst, buf + off, n - off, true);
			if (w > 0) {
				off += w;
				done += w;
				continue;
			}
			if (w == -EAGAIN && src->seek)
				break;
			/* Bytes out of a stream must go (lost only if the wait is cut short). */
			if (w == -EAGAIN)
				w = end_wait(c, dst, POLLOUT);
			if (w < 0) {
				ret = w;
				break;
			}
		}
		/* A file is read again from where the sink stopped. */
		if (src->seek)
			src->pos -= n - off;
		if (ret)
			break;
		if (off < (size_t)n) {
			ret = stall(c, dst, POLLOUT, done, h->dst_nowait, h->fill);
			if (ret)
				break;
		}
	}
	return done ? (long)done : ret;
}

static long copy(struct call *c, struct end *src, struct end *dst, const struct how *h)
{
	sigset_t tty, old;
	char *buf;
	long ret;

	if (!h->count)
		return 0;
	buf = malloc(h->count < CHUNK ? h->count : CHUNK);
	if (!buf)
		return -ENOMEM;
	end_stream(src, false);
	end_stream(dst, true);
	/*
	 * kbox reads or writes a terminal for the guest: from a background
	 * process group, Linux would stop the caller with SIGTTIN or SIGTTOU,
	 * which must not stop kbox; blocked, they give EIO (reads) instead.
	 */
	sigemptyset(&tty);
	sigaddset(&tty, SIGTTIN);
	sigaddset(&tty, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &tty, &old);
	ret = copy_loop(c, src, dst, h, buf);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	free(buf);
	return ret;
}

/* Read a guest's loff_t at addr (0: none) into *v: 0, or -EFAULT. */
static long get_off(struct call *c, uint64_t addr, int64_t *v)
{
	return addr && gmem_read(call_pid(c), v, addr, sizeof(*v)) ? -EFAULT : 0;
}

static long put_off(struct call *c, uint64_t addr, int64_t v)
{
	return addr && gmem_write(call_pid(c), addr, &v, sizeof(v)) ? -EFAULT : 0;
}

/*
 * sendfile(out, in, offset, count): in is read from *offset (updated)
 * or from its position; a pipe takes what it has room for (Linux's
 * splice_file_to_pipe), anything else all of count unless the call is
 * cut short (do_splice_direct, which wants a file it can seek in).
 */
static void sys_sendfile(struct call *c)
{
	int out_fd = (int)c->a[0], in_fd = (int)c->a[1];
	uint64_t offp = c->a[2];
	struct end in = END_NONE, out = END_NONE;
	struct how h = { .count = c->a[3] };
	int64_t pos = 0;
	long ret;

	if (!mixed(c, in_fd, out_fd)) {
		generic_run(c, &same_side[D_SENDFILE]);
		return;
	}
	if (get_off(c, offp, &pos)) {
		c->ret = -EFAULT;
		return;
	}
	ret = end_open(c, &in, in_fd);
	if (!ret && !in.rd)
		ret = -EBADF;
	if (!ret && offp && !in.seek)
		ret = -ESPIPE;
	if (!ret) {
		if (offp)
			in.pos = pos;
		ret = verify_area(&in, in.pos, h.count);
	}
	if (h.count > MAX_RW_COUNT)
		h.count = MAX_RW_COUNT;
	if (!ret)
		ret = end_open(c, &out, out_fd);
	if (!ret && !out.wr)
		ret = -EBADF;
	if (ret)
		goto out;
	if (!splice_ok(&in, true) || !splice_ok(&out, false)) {
		ret = -EINVAL;
	} else if (out.type == S_IFIFO) {
		h.src_nowait = in.nonblock;
		h.dst_nowait = out.nonblock;
		ret = copy(c, &in, &out, &h);
	} else if (out.append || !in.seek) {
		ret = -EINVAL;
	} else {
		h.dst_nowait = out.nonblock;
		h.fill = true;
		ret = copy(c, &in, &out, &h);
	}
	if (ret > 0) {
		if (!offp)
			end_set_pos(&in);
		end_set_pos(&out);
	}
out:
	/* Linux writes the offset back whatever the outcome. */
	if (put_off(c, offp, ret > 0 ? in.pos : pos))
		ret = -EFAULT;
	end_close(&in);
	end_close(&out);
	c->ret = ret;
}

/*
 * The end of a splice that is no pipe (in: read from), with the guest's
 * offset pointer off (its value v): Linux's EINVALs, and where it starts.
 */
static long splice_file(struct end *f, bool in, uint64_t off, int64_t v, size_t count)
{
	if ((off && !f->seek) || (!in && f->append) || !splice_ok(f, in))
		return -EINVAL;
	if (off)
		f->pos = v;
	return verify_area(f, f->pos, count);
}

/*
 * splice(in, off_in, out, off_out, len, flags): one end a pipe.  Pipe to
 * pipe and file to pipe move what is there (waiting only while nothing
 * can move); pipe to file writes all the pipe has, waiting for room.
 */
static void sys_splice(struct call *c)
{
	int in_fd = (int)c->a[0], out_fd = (int)c->a[2];
	uint64_t off_in = c->a[1], off_out = c->a[3];
	unsigned int flags = (unsigned int)c->a[5];
	struct end in = END_NONE, out = END_NONE;
	struct how h = { .count = c->a[4] };
	bool ipipe, opipe, nonblock = flags & SPLICE_F_NONBLOCK;
	int64_t pin = 0, pout = 0;
	long ret;

	if (!mixed(c, in_fd, out_fd)) {
		generic_run(c, &same_side[D_SPLICE]);
		return;
	}
	if (!h.count) {
		c->ret = 0;
		return;
	}
	if (flags & ~(unsigned int)LKL_SPLICE_F_ALL) {
		c->ret = -EINVAL;
		return;
	}
	ret = end_open(c, &in, in_fd);
	if (!ret)
		ret = end_open(c, &out, out_fd);
	ipipe = in.type == S_IFIFO;
	opipe = out.type == S_IFIFO;
	if (!ret && ((ipipe && off_in) || (opipe && off_out)))
		ret = -ESPIPE;
	if (!ret)
		ret = get_off(c, off_out, &pout);
	if (!ret)
		ret = get_off(c, off_in, &pin);
	if (!ret && (!in.rd || !out.wr))
		ret = -EBADF;
	if (ret)
		goto out;
	if (ipipe && opipe) {
		h.src_nowait = h.dst_nowait = nonblock || in.nonblock || out.nonblock;
	} else if (ipipe) {
		ret = splice_file(&out, false, off_out, pout, h.count);
		h.src_nowait = nonblock || in.nonblock;
		h.dst_nowait = out.nonblock;
		h.fill = true;
	} else if (opipe) {
		ret = splice_file(&in, true, off_in, pin, h.count);
		h.src_nowait = nonblock || in.nonblock;
		h.dst_nowait = nonblock || out.nonblock;
	} else {
		ret = -EINVAL;
	}
	if (!ret)
		ret = copy(c, &in, &out, &h);
	if (ret > 0) {
		if (!off_in)
			end_set_pos(&in);
		if (!off_out)
			end_set_pos(&out);
	}
	if (ret >= 0 && (put_off(c, off_out, out.pos) || put_off(c, off_in, in.pos)))
		ret = -EFAULT;
out:
	end_close(&in);
	end_close(&out);
	c->ret = ret;
}

/*
 * copy_file_range: Linux copies between two file systems only when both
 * are of one type that offers it (NFS, CIFS, FUSE); a host file (a
 * memfd, stdin from a host file) and a file of the library kernel never
 * are, so after Linux's checks the answer is Linux's, EXDEV, which
 * callers (cp, sendfile users) expect and answer with a copy of their own.
 */
static void sys_copy_file_range(struct call *c)
{
	int in_fd = (int)c->a[0], out_fd = (int)c->a[2];
	struct end in = END_NONE, out = END_NONE;
	int64_t v;
	long ret;

	if (!mixed(c, in_fd, out_fd)) {
		generic_run(c, &same_side[D_COPY_FILE_RANGE]);
		return;
	}
	ret = end_open(c, &in, in_fd);
	if (!ret)
		ret = end_open(c, &out, out_fd);
	if (!ret)
		ret = get_off(c, c->a[1], &v);
	if (!ret)
		ret = get_off(c, c->a[3], &v);
	if (!ret && c->a[5])
		ret = -EINVAL;
	if (!ret && (in.type == S_IFDIR || out.type == S_IFDIR))
		ret = -EISDIR;
	if (!ret && (in.type != S_IFREG || out.type != S_IFREG))
		ret = -EINVAL;
	if (!ret && (!in.rd || !out.wr || out.append))
		ret = -EBADF;
	c->ret = ret ? ret : -EXDEV;
	end_close(&in);
	end_close(&out);
}

/*
 * tee between a host pipe and a kernel pipe: EINVAL after Linux's
 * checks.  tee copies a pipe's data without taking it out; kbox could
 * only read what it copies, which takes it out (a peek would need a tee
 * of its own into a pipe on the same side, then a second copy).  Linux
 * answers EINVAL to a tee of anything but two pipes, so callers have a
 * way on already (read, then write twice), and tee is rare.
 */
static void sys_tee(struct call *c)
{
	int in_fd = (int)c->a[0], out_fd = (int)c->a[1];
	struct end in = END_NONE, out = END_NONE;
	long ret;

	if (!mixed(c, in_fd, out_fd)) {
		generic_run(c, &same_side[D_TEE]);
		return;
	}
	if (c->a[3] & ~(uint64_t)LKL_SPLICE_F_ALL) {
		c->ret = -EINVAL;
		return;
	}
	if (!c->a[2]) {
		c->ret = 0;
		return;
	}
	ret = end_open(c, &in, in_fd);
	if (!ret)
		ret = end_open(c, &out, out_fd);
	if (!ret && (!in.rd || !out.wr))
		ret = -EBADF;
	c->ret = ret ? ret : -EINVAL;
	end_close(&in);
	end_close(&out);
}

void hostcopy_handlers_init(void)
{
	dispatch_register(SYS_sendfile, sys_sendfile);
	dispatch_register(SYS_splice, sys_splice);
	dispatch_register(SYS_copy_file_range, sys_copy_file_range);
	dispatch_register(SYS_tee, sys_tee);
}
