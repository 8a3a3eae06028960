// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets: every socket a guest makes is the library kernel's (unix,
 * inet on its loopback, netlink, packet).  The plain calls are described
 * by a table; those with value-result lengths and message headers copy
 * guest memory in and out here.  What messages carry is translated
 * between the two views: pids in credentials (the guest knows host pids,
 * the kernel its own) and host fds in SCM_RIGHTS (a kernel socket can
 * only carry their placeholders, so kbox carries the host file beside).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_packet.h>

#include <lkl.h>

#include "generic.h"
#include "../guest/hostfd.h"
#include "../guest/memory.h"

#define L(x) __lkl__NR_##x

/* sizeof(struct sockaddr_storage): the kernel never uses more. */
#define ADDR_MAX	128
/* Ancillary data and option values beyond this are refused (ENOBUFS). */
#define CTL_MAX		65536
#define OPT_MAX		65536
/* SO_GET_FILTER counts instructions, not bytes. */
#define FILTER_MAX	4096

/* An address in, its length an int: negative or over ADDR_MAX is EINVAL before the copy. */
#define SOCKADDR(i, n) GL(i, A_IN, n, LEN_INT, ADDR_MAX, EINVAL)

static const struct sysdesc socket_table[] = {
	SYS(SYS_socket, L(socket), G(0, A_VAL), G(1, A_VAL), G(2, A_VAL)),
	SYS(SYS_bind, L(bind), G(0, A_FD), SOCKADDR(1, 2), G(2, A_VAL)),
	SYS(SYS_connect, L(connect), G(0, A_FD), SOCKADDR(1, 2), G(2, A_VAL)),
	SYS(SYS_listen, L(listen), G(0, A_FD), G(1, A_VAL)),
	SYS(SYS_shutdown, L(shutdown), G(0, A_FD), G(1, A_VAL)),
	SYS(SYS_sendto, L(sendto), G(0, A_FD), GN(1, A_IN, 2), G(2, A_VAL), G(3, A_VAL), GLNULL(4, A_IN, 5, LEN_INT, ADDR_MAX, EINVAL), G(5, A_VAL)),
};

static bool is_host(struct call *c, int fd)
{
	return fdtab_is_host(c->t->proc->fds, fd);
}

/* socketpair: the new fds closed again when the guest cannot have them. */
static void sys_socketpair(struct call *c)
{
	int sv[2];
	long ret = lkl_sys_socketpair((int)c->a[0], (int)c->a[1], (int)c->a[2], sv);

	if (ret >= 0 && gmem_write(call_pid(c), c->a[3], sv, sizeof(sv))) {
		lkl_sys_close(sv[0]);
		lkl_sys_close(sv[1]);
		ret = -EFAULT;
	}
	c->ret = ret;
}

/* ---- value-result addresses ------------------------------------------------ */

/*
 * The kernel's address (klen bytes at ka) back to the guest's addr, as
 * Linux's move_addr_to_user does it: the guest's room is read from lenp
 * (negative: EINVAL), as much of the address as fits is written there,
 * and its whole length to lenp.
 */
static long addr_out(struct call *c, uint64_t addr, uint64_t lenp, const void *ka, int klen)
{
	int len;

	if (gmem_read(call_pid(c), &len, lenp, sizeof(len)))
		return -EFAULT;
	if (len > klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len > ADDR_MAX)
		len = ADDR_MAX;
	if (len && gmem_write(call_pid(c), addr, ka, len))
		return -EFAULT;
	return gmem_write(call_pid(c), lenp, &klen, sizeof(klen)) ? -EFAULT : 0;
}

/* As on Linux, the connection is taken first; an address that cannot go back closes it. */
static void do_accept(struct call *c, int flags)
{
	int fd = (int)c->a[0], klen = ADDR_MAX;
	char ka[ADDR_MAX];
	long ret, err;

	if (is_host(c, fd)) {
		call_continue(c);
		return;
	}
	ret = lkl_sys_accept4(fd, c->a[1] ? (struct lkl_sockaddr *)ka : NULL,
			      c->a[1] ? &klen : NULL, flags);
	if (ret < 0) {
		c->ret = ret;
		return;
	}
	/* A host fd closed meanwhile by another thread may have left its mark here. */
	fdtab_set(c->t->proc->fds, ret, FDT_KERNEL);
	if (c->a[1] && (err = addr_out(c, c->a[1], c->a[2], ka, klen)) < 0) {
		lkl_sys_close(ret);
		ret = err;
	}
	c->ret = ret;
}

static void sys_accept(struct call *c)
{
	do_accept(c, 0);
}

static void sys_accept4(struct call *c)
{
	do_accept(c, (int)c->a[3]);
}

static void do_getname(struct call *c, bool peer)
{
	int fd = (int)c->a[0], klen = ADDR_MAX;
	char ka[ADDR_MAX];
	long ret;

	if (is_host(c, fd)) {
		call_continue(c);
		return;
	}
	ret = peer ? lkl_sys_getpeername(fd, (struct lkl_sockaddr *)ka, &klen)
		   : lkl_sys_getsockname(fd, (struct lkl_sockaddr *)ka, &klen);
	if (ret >= 0)
		ret = addr_out(c, c->a[1], c->a[2], ka, klen);
	c->ret = ret;
}

static void sys_getsockname(struct call *c)
{
	do_getname(c, false);
}

static void sys_getpeername(struct call *c)
{
	do_getname(c, true);
}

/* TCP's MSG_TRUNC drops what it counts: nothing to copy back then. */
static bool discards(int fd, int flags)
{
	int type = 0, len = sizeof(type);

	return (flags & MSG_TRUNC) &&
	       lkl_sys_getsockopt(fd, SOL_SOCKET, SO_TYPE, (char *)&type, &len) >= 0 &&
	       type == SOCK_STREAM;
}

/* The data, then the sender's address (as Linux: after the data is taken). */
static void sys_recvfrom(struct call *c)
{
	int fd = (int)c->a[0], klen = ADDR_MAX;
	size_t len = c->a[2] > MAX_IO ? MAX_IO : c->a[2];
	uint64_t addr = c->a[4];
	char ka[ADDR_MAX], *buf;
	long ret, err;

	if (is_host(c, fd)) {
		call_continue(c);
		return;
	}
	buf = malloc(len ? len : 1);
	if (!buf) {
		c->ret = -ENOMEM;
		return;
	}
	ret = lkl_sys_recvfrom(fd, buf, len, (unsigned int)c->a[3],
			       addr ? (struct lkl_sockaddr *)ka : NULL,
			       addr ? &klen : NULL);
	/* MSG_TRUNC: the datagram's length, more than the buffer. */
	if (ret > 0 && len && !discards(fd, (int)c->a[3]) &&
	    gmem_write(call_pid(c), c->a[1], buf, (size_t)ret < len ? (size_t)ret : len))
		ret = -EFAULT;
	if (ret >= 0 && addr && (err = addr_out(c, addr, c->a[5], ka, klen)) < 0)
		ret = err;
	free(buf);
	c->ret = ret;
}

/* ---- pids and fds in messages ------------------------------------------- */

/*
 * Host fds on their way through kernel sockets, by their placeholder's
 * inode: the kernel carries the placeholder, the receiver gets the host
 * file that kbox kept here.  One count per placeholder sent and not yet
 * received; a message never received keeps its file open in kbox.
 */
struct flight {
	unsigned long long ino;
	int fd;
	int count;
	struct flight *next;
};

static struct flight *flights;
static pthread_mutex_t flights_lock = PTHREAD_MUTEX_INITIALIZER;

/* Keep hostfd (kbox's, taken over) for placeholder ino. */
static void flight_add(unsigned long long ino, int hostfd)
{
	struct flight *f;

	pthread_mutex_lock(&flights_lock);
	for (f = flights; f && f->ino != ino; f = f->next)
		;
	if (f) {
		/* The same placeholder is the same host file. */
		f->count++;
		close(hostfd);
	} else if ((f = calloc(1, sizeof(*f)))) {
		f->ino = ino;
		f->fd = hostfd;
		f->count = 1;
		f->next = flights;
		flights = f;
	} else {
		close(hostfd);
	}
	pthread_mutex_unlock(&flights_lock);
}

/* A copy of the host file for placeholder ino, or -1; keep: a peek. */
static int flight_take(unsigned long long ino, bool keep)
{
	struct flight *f, **pp;
	int fd = -1;

	pthread_mutex_lock(&flights_lock);
	for (pp = &flights; (f = *pp) && f->ino != ino; pp = &f->next)
		;
	if (f) {
		fd = fcntl(f->fd, F_DUPFD_CLOEXEC, 0);
		if (!keep && --f->count == 0) {
			*pp = f->next;
			close(f->fd);
			free(f);
		}
	}
	pthread_mutex_unlock(&flights_lock);
	return fd;
}

static void flight_cancel(unsigned long long ino)
{
	int fd = flight_take(ino, false);

	if (fd >= 0)
		close(fd);
}

/* A message header as the guest gave it and as the kernel gets it. */
struct kmsg {
	struct lkl_user_msghdr h;
	struct lkl_iovec one;
	struct msghdr g;		/* the guest's */
	struct iovec *iov;
	int niov;
	size_t total;
	bool clipped;		/* longer than the budget: cut */
	char *buf;
	char name[ADDR_MAX];
	int room;		/* the guest's msg_namelen */
	char *ctl;
	size_t ctl_room;
	/* Placeholders of host fds this message carries (send). */
	unsigned long long *sent;
	int nsent;
};

static void kmsg_free(struct kmsg *m)
{
	free(m->iov);
	free(m->buf);
	free(m->ctl);
	free(m->sent);
	memset(m, 0, sizeof(*m));
}

/*
 * Copy in the guest's header at ga, in Linux's order: the address, the
 * iovecs (EMSGSIZE, EINVAL, EFAULT), the ancillary data.  The iovecs
 * become one buffer of at most *budget bytes (what is left is taken off
 * the budget), their data copied in when sending.  A receive's ancillary
 * data is only as long as the guest's memory can take (SCM_RIGHTS fds
 * written nowhere would be lost).
 */
static long kmsg_in(struct call *c, uint64_t ga, struct kmsg *m, bool send, size_t *budget)
{
	pid_t pid = call_pid(c);
	size_t done;
	int i;

	memset(m, 0, sizeof(*m));
	if (gmem_read(pid, &m->g, ga, sizeof(m->g)))
		return -EFAULT;
	m->room = m->g.msg_name ? (int)m->g.msg_namelen : 0;
	if (m->room < 0)
		return -EINVAL;
	if (m->g.msg_name) {
		/* Linux clips a longer address to what it can use. */
		m->h.msg_namelen = m->room < ADDR_MAX ? m->room : ADDR_MAX;
		if (!send)
			m->h.msg_namelen = ADDR_MAX;
		else if (gmem_read(pid, m->name, (uint64_t)(uintptr_t)m->g.msg_name,
				   m->h.msg_namelen))
			return -EFAULT;
		m->h.msg_name = m->name;
	}
	if (m->g.msg_iovlen > IOV_MAX)
		return -EMSGSIZE;
	m->niov = (int)m->g.msg_iovlen;
	m->iov = calloc(m->niov ? m->niov : 1, sizeof(*m->iov));
	if (!m->iov)
		return -ENOMEM;
	if (m->niov && gmem_read(pid, m->iov, (uint64_t)(uintptr_t)m->g.msg_iov,
				 m->niov * sizeof(*m->iov)))
		return -EFAULT;
	for (i = 0; i < m->niov; i++)
		if ((ssize_t)m->iov[i].iov_len < 0)
			return -EINVAL;
	for (i = 0; i < m->niov; i++)
		if (!gmem_access_ok((uintptr_t)m->iov[i].iov_base, m->iov[i].iov_len))
			return -EFAULT;
	if (send && m->g.msg_controllen > INT_MAX)
		return -ENOBUFS;
	for (i = 0; i < m->niov; i++) {
		if (m->total + m->iov[i].iov_len > *budget) {
			m->iov[i].iov_len = *budget - m->total;
			m->niov = i + 1;
			m->clipped = true;
		}
		m->total += m->iov[i].iov_len;
	}
	*budget -= m->total;
	m->buf = malloc(m->total ? m->total : 1);
	if (!m->buf)
		return -ENOMEM;
	for (i = 0, done = 0; send && i < m->niov; done += m->iov[i].iov_len, i++)
		if (gmem_read(pid, m->buf + done, (uint64_t)(uintptr_t)m->iov[i].iov_base,
			      m->iov[i].iov_len))
			return -EFAULT;
	m->one.iov_base = m->buf;
	m->one.iov_len = m->total;
	m->h.msg_iov = &m->one;
	m->h.msg_iovlen = 1;

	/* Sending, a length with a NULL pointer is read from (EFAULT), as on Linux. */
	if (m->g.msg_controllen && (send || m->g.msg_control)) {
		m->ctl_room = m->g.msg_controllen;
		if (m->ctl_room > CTL_MAX) {
			if (send)
				return -ENOBUFS;
			m->ctl_room = CTL_MAX;
		}
		if (!send) {
			m->ctl_room = gmem_mapped(pid, (uint64_t)(uintptr_t)m->g.msg_control,
						  m->ctl_room);
			if (m->ctl_room < sizeof(struct cmsghdr)) {
				m->ctl_room = 0;
				return 0;
			}
		}
		m->ctl = calloc(1, m->ctl_room);
		if (!m->ctl)
			return -ENOMEM;
		if (send && gmem_read(pid, m->ctl, (uint64_t)(uintptr_t)m->g.msg_control,
				      m->ctl_room))
			return -EFAULT;
		m->h.msg_control = m->ctl;
		m->h.msg_controllen = m->ctl_room;
	}
	return 0;
}

/* The control messages of a kernel-side buffer, for CMSG_* walking. */
static void ctl_view(struct msghdr *v, void *ctl, size_t len)
{
	memset(v, 0, sizeof(*v));
	v->msg_control = ctl;
	v->msg_controllen = len;
}

/* A header whose length stays within the buffer (the kernel's CMSG_OK). */
static bool cmsg_ok(const struct msghdr *v, const struct cmsghdr *cm)
{
	size_t left = v->msg_controllen - ((const char *)cm - (const char *)v->msg_control);

	return cm->cmsg_len >= sizeof(*cm) && cm->cmsg_len <= left;
}

/* Guest pids become the kernel's in SCM_CREDENTIALS; host fds in SCM_RIGHTS travel beside. */
static long ctl_send(struct call *c, struct kmsg *m)
{
	struct msghdr v;
	struct cmsghdr *cm;

	ctl_view(&v, m->ctl, m->ctl_room);
	for (cm = CMSG_FIRSTHDR(&v); cm; cm = CMSG_NXTHDR(&v, cm)) {
		/* What the kernel would refuse: it must not be read past here either. */
		if (!cmsg_ok(&v, cm))
			return -EINVAL;
		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_CREDENTIALS && cm->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			struct ucred *u = (struct ucred *)CMSG_DATA(cm);
			long k = guest_ktgid_of_pid(u->pid);

			if (k > 0)
				u->pid = (pid_t)k;
		} else if (cm->cmsg_type == SCM_RIGHTS) {
			int *fds = (int *)CMSG_DATA(cm);
			size_t i, n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (i = 0; i < n; i++) {
				unsigned long long ino, *more;
				int hfd;

				if (!is_host(c, fds[i]))
					continue;
				if (!hostfd_is_placeholder(fds[i], &ino))
					return -EBADF;
				hfd = call_grab_host_fd(c, fds[i]);
				if (hfd < 0)
					return hfd;
				more = realloc(m->sent, (m->nsent + 1) * sizeof(*more));
				if (!more) {
					close(hfd);
					return -ENOMEM;
				}
				m->sent = more;
				m->sent[m->nsent++] = ino;
				flight_add(ino, hfd);
			}
		}
	}
	return 0;
}

/* The message was not sent: its host files are not on their way. */
static void ctl_unsend(struct kmsg *m)
{
	int i;

	for (i = 0; i < m->nsent; i++)
		flight_cancel(m->sent[i]);
	m->nsent = 0;
}

/* Kernel pids become the guest's; placeholders received become their host fds. */
static void ctl_recv(struct call *c, struct kmsg *m, int flags)
{
	struct msghdr v;
	struct cmsghdr *cm;

	ctl_view(&v, m->ctl, m->h.msg_controllen);
	for (cm = CMSG_FIRSTHDR(&v); cm && cmsg_ok(&v, cm); cm = CMSG_NXTHDR(&v, cm)) {
		if (cm->cmsg_level != SOL_SOCKET)
			continue;
		if (cm->cmsg_type == SCM_CREDENTIALS && cm->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			struct ucred *u = (struct ucred *)CMSG_DATA(cm);

			u->pid = guest_pid_of_ktgid(u->pid);
		} else if (cm->cmsg_type == SCM_RIGHTS) {
			int *fds = (int *)CMSG_DATA(cm);
			size_t i, n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			bool cloexec = flags & MSG_CMSG_CLOEXEC;

			for (i = 0; i < n; i++) {
				unsigned long long ino;
				int hfd;

				fdtab_set(c->t->proc->fds, fds[i], FDT_KERNEL);
				if (!hostfd_is_placeholder(fds[i], &ino))
					continue;
				hfd = flight_take(ino, flags & MSG_PEEK);
				/* None kept (sent before kbox could see it): an empty file is no answer. */
				if (hfd < 0 || call_install_host_fd(c, hfd, fds[i], cloexec) < 0) {
					lkl_sys_close(fds[i]);
					m->h.msg_flags |= MSG_CTRUNC;
				}
			}
		}
	}
}

/*
 * After a receive of ret bytes: the data into the guest's iovecs, the
 * address, the ancillary data, and the header's lengths and flags.
 */
static long kmsg_out(struct call *c, int fd, uint64_t ga, struct kmsg *m, long ret, int flags)
{
	pid_t pid = call_pid(c);
	size_t left = (size_t)ret < m->total ? (size_t)ret : m->total, done = 0;
	int namelen = m->h.msg_namelen;
	size_t ctllen = m->h.msg_controllen;
	unsigned int mflags;
	int i;

	if (m->ctl && ctllen)
		ctl_recv(c, m, flags);
	mflags = m->h.msg_flags;
	if (left && discards(fd, flags))
		left = 0;
	for (i = 0; i < m->niov && left; i++) {
		size_t n = m->iov[i].iov_len < left ? m->iov[i].iov_len : left;

		if (gmem_write(pid, (uint64_t)(uintptr_t)m->iov[i].iov_base, m->buf + done, n))
			return -EFAULT;
		done += n;
		left -= n;
	}
	if (!m->g.msg_name)
		namelen = 0;
	else if (namelen > 0 && gmem_write(pid, (uint64_t)(uintptr_t)m->g.msg_name, m->name,
					   namelen < m->room ? namelen : m->room))
		return -EFAULT;
	if (!m->ctl)
		ctllen = 0;
	else if (ctllen && gmem_write(pid, (uint64_t)(uintptr_t)m->g.msg_control, m->ctl, ctllen))
		return -EFAULT;
	if (gmem_write(pid, ga + offsetof(struct msghdr, msg_namelen), &namelen, sizeof(namelen)) ||
	    gmem_write(pid, ga + offsetof(struct msghdr, msg_controllen), &ctllen, sizeof(ctllen)) ||
	    gmem_write(pid, ga + offsetof(struct msghdr, msg_flags), &mflags, sizeof(mflags)))
		return -EFAULT;
	return ret;
}

static void sys_sendmsg(struct call *c)
{
	int fd = (int)c->a[0];
	size_t budget = MAX_IO;
	struct kmsg m;
	long ret;

	if (is_host(c, fd)) {
		call_continue(c);
		return;
	}
	ret = kmsg_in(c, c->a[1], &m, true, &budget);
	if (ret >= 0 && m.ctl)
		ret = ctl_send(c, &m);
	if (ret >= 0)
		ret = lkl_sys_sendmsg(fd, &m.h, (unsigned int)c->a[2]);
	if (ret < 0)
		ctl_unsend(&m);
	kmsg_free(&m);
	c->ret = ret;
}

static void sys_recvmsg(struct call *c)
{
	int fd = (int)c->a[0], flags = (int)c->a[2];
	size_t budget = MAX_IO;
	struct kmsg m;
	long ret;

	if (is_host(c, fd)) {
		call_continue(c);
		return;
	}
	ret = kmsg_in(c, c->a[1], &m, false, &budget);
	if (ret >= 0)
		ret = lkl_sys_recvmsg(fd, &m.h, flags);
	if (ret >= 0)
		ret = kmsg_out(c, fd, c->a[1], &m, ret, flags);
	kmsg_free(&m);
	c->ret = ret;
}

/* sendmmsg/recvmmsg: at most this many messages, as Linux (UIO_MAXIOV). */
#define VLEN_MAX 1024

static long mmsg_in(struct call *c, struct kmsg **mp, struct lkl_mmsghdr **kp,
		    unsigned int *vlen, bool send)
{
	size_t budget = MAX_IO;
	unsigned int i;
	long ret = 0;

	if (*vlen > VLEN_MAX)
		*vlen = VLEN_MAX;
	*mp = calloc(*vlen ? *vlen : 1, sizeof(**mp));
	*kp = calloc(*vlen ? *vlen : 1, sizeof(**kp));
	if (!*mp || !*kp)
		return -ENOMEM;
	for (i = 0; i < *vlen; i++) {
		uint64_t ga = c->a[1] + i * sizeof(struct mmsghdr);

		ret = kmsg_in(c, ga, &(*mp)[i], send, &budget);
		/* One that does not fit whole waits for the next call; the first always goes. */
		if (ret >= 0 && i && (*mp)[i].clipped) {
			kmsg_free(&(*mp)[i]);
			break;
		}
		if (ret >= 0 && send && (*mp)[i].ctl)
			ret = ctl_send(c, &(*mp)[i]);
		if (ret < 0)
			break;
		(*kp)[i].msg_hdr = (*mp)[i].h;
	}
	/* A bad header after good ones: those before it go, as in Linux. */
	if (ret < 0) {
		ctl_unsend(&(*mp)[i]);
		kmsg_free(&(*mp)[i]);
		if (i > 0)
			ret = 0;
	}
	*vlen = i;
	return ret;
}

static void mmsg_free(struct kmsg *m, struct lkl_mmsghdr *k, unsigned int n)
{
	unsigned int i;

	for (i = 0; m && i < n; i++)
		kmsg_free(&m[i]);
	free(m);
	free(k);
}

static long put_msg_len(struct call *c, unsigned int i, unsigned int len)
{
	uint64_t ga = c->a[1] + i * sizeof(struct mmsghdr) + offsetof(struct mmsghdr, msg_len);

	return gmem_write(call_pid(c), ga, &len, sizeof(len)) ? -EFAULT : 0;
}

static void sys_sendmmsg(struct call *c)
{
	int fd = (int)c->a[0];
	unsigned int vlen = (unsigned int)c->a[2], n, i;
	struct kmsg *m = NULL;
	struct lkl_mmsghdr *k = NULL;
	long ret;

	if (is_host(c, fd)) {
		call_continue(c);
		return;
	}
	ret = mmsg_in(c, &m, &k, &vlen, true);
	n = vlen;
	if (ret >= 0 && vlen)
		ret = lkl_syscall(L(sendmmsg), (long[6]){ fd, (long)k, vlen, (long)c->a[3] });
	for (i = ret < 0 ? 0 : (unsigned int)ret; i < n; i++)
		ctl_unsend(&m[i]);
	for (i = 0; ret > 0 && i < (unsigned int)ret; i++)
		put_msg_len(c, i, k[i].msg_len);
	mmsg_free(m, k, n);
	c->ret = ret;
}

static void sys_recvmmsg(struct call *c)
{
	int fd = (int)c->a[0], flags = (int)c->a[3];
	unsigned int vlen = (unsigned int)c->a[2], n, i;
	struct __lkl__kernel_timespec ts;
	struct kmsg *m = NULL;
	struct lkl_mmsghdr *k = NULL;
	long ret;

	if (is_host(c, fd)) {
		call_continue(c);
		return;
	}
	if (c->a[4] && gmem_read(call_pid(c), &ts, c->a[4], sizeof(ts))) {
		c->ret = -EFAULT;
		return;
	}
	ret = mmsg_in(c, &m, &k, &vlen, false);
	n = vlen;
	if (ret >= 0 && vlen)
		ret = lkl_syscall(L(recvmmsg), (long[6]){ fd, (long)k, vlen, flags,
							   c->a[4] ? (long)&ts : 0 });
	for (i = 0; ret > 0 && i < (unsigned int)ret; i++) {
		long r;

		m[i].h = k[i].msg_hdr;
		r = kmsg_out(c, fd, c->a[1] + i * sizeof(struct mmsghdr), &m[i], k[i].msg_len, flags);
		if (r >= 0)
			r = put_msg_len(c, i, k[i].msg_len);
		if (r < 0) {
			ret = i ? (long)i : r;
			break;
		}
	}
	/* Linux writes back the time left. */
	if (ret > 0 && c->a[4] && gmem_write(call_pid(c), c->a[4], &ts, sizeof(ts)))
		ret = -EFAULT;
	mmsg_free(m, k, n);
	c->ret = ret;
}

/* ---- options ------------------------------------------------------------- */

/*
 * Options whose value is a struct sock_fprog: it points at the program's
 * instructions, which the kernel would read from there.
 */
static bool is_filter_opt(int level, int name)
{
	return (level == SOL_SOCKET &&
		(name == SO_ATTACH_FILTER || name == SO_ATTACH_REUSEPORT_CBPF)) ||
	       (level == SOL_PACKET && name == PACKET_FANOUT_DATA);
}

static void sys_setsockopt(struct call *c)
{
	int fd = (int)c->a[0], level = (int)c->a[1], name = (int)c->a[2];
	int len = (int)c->a[4];
	struct sock_fprog prog;
	void *val, *filter = NULL;
	long ret;

	if (is_host(c, fd)) {
		call_continue(c);
		return;
	}
	if (len < 0) {
		c->ret = -EINVAL;
		return;
	}
	if (len > OPT_MAX) {
		c->ret = -ENOBUFS;
		return;
	}
	/* Never NULL to the kernel: a copy from it would fault in kbox. */
	val = calloc(1, len ? len : 1);
	if (!val) {
		c->ret = -ENOMEM;
		return;
	}
	if (len && gmem_read(call_pid(c), val, c->a[3], len)) {
		ret = -EFAULT;
		goto out;
	}
	/* A classic BPF program's instructions come in too (never the guest's pointer). */
	if (is_filter_opt(level, name) && len >= (int)sizeof(prog)) {
		memcpy(&prog, val, sizeof(prog));
		/* None, or too many: the kernel's EINVAL (or EPERM) without reading any. */
		if (!prog.filter || prog.len > FILTER_MAX)
			prog.len = 0;
		filter = malloc(prog.len * sizeof(struct sock_filter) + 1);
		if (!filter) {
			ret = -ENOMEM;
			goto out;
		}
		if (gmem_read(call_pid(c), filter, (uint64_t)(uintptr_t)prog.filter,
			      prog.len * sizeof(struct sock_filter))) {
			ret = -EFAULT;
			goto out;
		}
		prog.filter = filter;
		memcpy(val, &prog, sizeof(prog));
	}
	ret = lkl_sys_setsockopt(fd, level, name, val, len);
out:
	free(filter);
	free(val);
	c->ret = ret;
}

static void sys_getsockopt(struct call *c)
{
	int fd = (int)c->a[0], level = (int)c->a[1], name = (int)c->a[2];
	int len, klen;
	size_t room, unit = 1;
	char *val;
	long ret;

	if (is_host(c, fd)) {
		call_continue(c);
		return;
	}
	if (gmem_read(call_pid(c), &len, c->a[4], sizeof(len))) {
		c->ret = -EFAULT;
		return;
	}
	if (len < 0) {
		c->ret = -EINVAL;
		return;
	}
	if (level == SOL_SOCKET && name == SO_GET_FILTER) {
		/* Its length counts instructions, and the kernel writes that many. */
		unit = sizeof(struct sock_filter);
		if (len > FILTER_MAX)
			len = FILTER_MAX;
	}
	if (len > OPT_MAX)
		len = OPT_MAX;
	room = (size_t)len * unit;
	val = calloc(1, room ? room : 1);
	if (!val) {
		c->ret = -ENOMEM;
		return;
	}
	/* A few options read what is there first (IP_MSFILTER...). */
	if (room && gmem_read(call_pid(c), val, c->a[3], room))
		memset(val, 0, room);
	klen = len;
	ret = lkl_sys_getsockopt(fd, level, name, val, &klen);
	if (ret >= 0 && level == SOL_SOCKET && name == SO_PEERCRED &&
	    klen >= (int)sizeof(pid_t)) {
		struct ucred u;

		memcpy(&u.pid, val, sizeof(u.pid));
		u.pid = guest_pid_of_ktgid(u.pid);
		memcpy(val, &u.pid, sizeof(u.pid));
	}
	if (ret >= 0) {
		size_t n = (size_t)(klen < len ? klen : len) * unit;

		if ((n && gmem_write(call_pid(c), c->a[3], val, n)) ||
		    gmem_write(call_pid(c), c->a[4], &klen, sizeof(klen)))
			ret = -EFAULT;
	}
	free(val);
	c->ret = ret;
}

/* ---- ioctls ---------------------------------------------------------------- */

/* Interface requests: a struct ifreq (40 bytes) or an int, no pointers inside. */
static const struct flat_ioctl sock_reqs[] = {
	{ 0x8905, 4, 0, 1 },	/* SIOCATMARK */
	{ 0x8906, 16, 0, 1 },	/* SIOCGSTAMP */
	{ 0x8907, 16, 0, 1 },	/* SIOCGSTAMPNS */
	{ 0x8910, 40, 1, 1 },	/* SIOCGIFNAME */
	{ 0x8913, 40, 1, 1 },	/* SIOCGIFFLAGS */
	{ 0x8914, 40, 1, 0 },	/* SIOCSIFFLAGS */
	{ 0x8915, 40, 1, 1 },	/* SIOCGIFADDR */
	{ 0x8916, 40, 1, 0 },	/* SIOCSIFADDR */
	{ 0x8917, 40, 1, 1 },	/* SIOCGIFDSTADDR */
	{ 0x8918, 40, 1, 0 },	/* SIOCSIFDSTADDR */
	{ 0x8919, 40, 1, 1 },	/* SIOCGIFBRDADDR */
	{ 0x891a, 40, 1, 0 },	/* SIOCSIFBRDADDR */
	{ 0x891b, 40, 1, 1 },	/* SIOCGIFNETMASK */
	{ 0x891c, 40, 1, 0 },	/* SIOCSIFNETMASK */
	{ 0x891d, 40, 1, 1 },	/* SIOCGIFMETRIC */
	{ 0x891e, 40, 1, 0 },	/* SIOCSIFMETRIC */
	{ 0x8921, 40, 1, 1 },	/* SIOCGIFMTU */
	{ 0x8922, 40, 1, 0 },	/* SIOCSIFMTU */
	{ 0x8923, 40, 1, 0 },	/* SIOCSIFNAME */
	{ 0x8924, 40, 1, 0 },	/* SIOCSIFHWADDR */
	{ 0x8927, 40, 1, 1 },	/* SIOCGIFHWADDR */
	{ 0x8933, 40, 1, 1 },	/* SIOCGIFINDEX */
	{ 0x8942, 40, 1, 1 },	/* SIOCGIFTXQLEN */
	{ 0x8943, 40, 1, 0 },	/* SIOCSIFTXQLEN */
	{ 0x894b, 4, 0, 1 },	/* SIOCOUTQNSD */
	{ 0x8970, 40, 1, 1 },	/* SIOCGIFMAP */
	{ 0x8971, 40, 1, 0 },	/* SIOCSIFMAP */
};

#define SIOCGIFCONF_ 0x8912

/* SIOCGIFCONF: struct ifconf points at the guest's buffer. */
static void ifconf(struct call *c, int fd, uint64_t arg)
{
	struct { int len; int pad; uint64_t buf; } g;
	struct { int len; int pad; void *buf; } k;
	long ret;

	if (gmem_read(call_pid(c), &g, arg, sizeof(g))) {
		c->ret = -EFAULT;
		return;
	}
	if (g.len < 0) {
		c->ret = -EINVAL;
		return;
	}
	k.len = g.len > OPT_MAX ? OPT_MAX : g.len;
	k.pad = 0;
	k.buf = g.buf ? malloc(k.len ? k.len : 1) : NULL;
	if (g.buf && !k.buf) {
		c->ret = -ENOMEM;
		return;
	}
	ret = lkl_sys_ioctl(fd, SIOCGIFCONF_, (long)&k);
	if (ret >= 0 && ((g.buf && k.len > 0 && gmem_write(call_pid(c), g.buf, k.buf, k.len)) ||
			 gmem_write(call_pid(c), arg, &k.len, sizeof(k.len))))
		ret = -EFAULT;
	free(k.buf);
	c->ret = ret;
}

bool socket_ioctl(struct call *c, int fd, unsigned long req, uint64_t arg)
{
	if (req == SIOCGIFCONF_) {
		ifconf(c, fd, arg);
		return true;
	}
	return call_flat_ioctl(c, fd, req, arg, sock_reqs, sizeof(sock_reqs) / sizeof(sock_reqs[0]));
}

void socket_handlers_init(void)
{
	generic_register(socket_table, sizeof(socket_table) / sizeof(socket_table[0]));
	dispatch_register(SYS_socketpair, sys_socketpair);
	dispatch_register(SYS_accept, sys_accept);
	dispatch_register(SYS_accept4, sys_accept4);
	dispatch_register(SYS_getsockname, sys_getsockname);
	dispatch_register(SYS_getpeername, sys_getpeername);
	dispatch_register(SYS_recvfrom, sys_recvfrom);
	dispatch_register(SYS_sendmsg, sys_sendmsg);
	dispatch_register(SYS_recvmsg, sys_recvmsg);
	dispatch_register(SYS_sendmmsg, sys_sendmmsg);
	dispatch_register(SYS_recvmmsg, sys_recvmmsg);
	dispatch_register(SYS_setsockopt, sys_setsockopt);
	dispatch_register(SYS_getsockopt, sys_getsockopt);
}
