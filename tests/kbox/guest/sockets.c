// SPDX-License-Identifier: GPL-2.0
/*
 * Sockets inside kbox.  sockets CHECK [ARG]; each check prints
 * "NAME ok" or "NAME FAIL: why" lines:
 *   stream PATH   a server and a forked client over a unix stream socket
 *                 bound at PATH: accept4 (SOCK_CLOEXEC), get*name, SO_TYPE,
 *                 SO_PEERCRED (pids as getpid says), SO_RCVBUF, data both ways
 *   dgram PATH    recvfrom gives the sender's path; abstract addresses
 *   seqpacket     record boundaries on a socketpair
 *   iov           sendmsg/recvmsg with several iovecs; MSG_TRUNC
 *   rights FILE   SCM_RIGHTS from a child: FILE's fd and a pipe's end,
 *                 read by the parent; SCM_CREDENTIALS with the child's pid
 *   hostfd        SCM_RIGHTS of host fds: stdout and a memfd
 *   mmsg          sendmmsg/recvmmsg
 *   eintr PATH    a blocked accept: EINTR without SA_RESTART, resumed with
 *                 it; another thread works meanwhile
 *   poll PATH     poll, select and epoll on a listening and a connected socket
 *   inet          TCP and UDP on 127.0.0.1
 *   filter        a classic BPF socket filter (it points at its code) cuts
 *                 datagrams; SO_GET_FILTER gives it back
 *   null          NULL buffers with lengths fail with EFAULT (kbox lives),
 *                 where the kernel takes NULL it still passes; a control
 *                 message longer than its buffer fails with EINVAL
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

static socklen_t un_addr(struct sockaddr_un *a, const char *path)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (path[0] == '@') {
		/* Abstract: a leading NUL, the rest of the name, no terminator. */
		memcpy(a->sun_path + 1, path + 1, strlen(path + 1));
		return offsetof(struct sockaddr_un, sun_path) + strlen(path);
	}
	strcpy(a->sun_path, path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static int listen_at(const char *path)
{
	struct sockaddr_un a;
	socklen_t len = un_addr(&a, path);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	unlink(path);
	if (s < 0 || bind(s, (struct sockaddr *)&a, len) || listen(s, 8))
		return -1;
	return s;
}

static int connect_to(const char *path)
{
	struct sockaddr_un a;
	socklen_t len = un_addr(&a, path);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&a, len))
		return -1;
	return s;
}

/* ---- stream ------------------------------------------------------------- */

static int stream_client(const char *path)
{
	struct sockaddr_un peer;
	socklen_t len = sizeof(peer);
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	char buf[16] = "";
	int s = connect_to(path);

	if (s < 0)
		return 1;
	if (getpeername(s, (struct sockaddr *)&peer, &len) || strcmp(peer.sun_path, path))
		return 2;
	/* The server's pid, as this process's getppid() sees it. */
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cred, &clen) || cred.pid != getppid())
		return 3;
	if (write(s, "ping", 4) != 4 || read(s, buf, sizeof(buf)) != 4 || strcmp(buf, "pong"))
		return 4;
	close(s);
	return 0;
}

static void t_stream(const char *path)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	struct ucred cred;
	int s, c, type = 0, rcv = 0, st;
	socklen_t olen = sizeof(type);
	char buf[16] = "";
	pid_t pid;

	s = listen_at(path);
	check("stream-listen", s >= 0, "bind/listen at %s", path);
	if (s < 0)
		return;
	memset(&a, 0, sizeof(a));
	check("getsockname", !getsockname(s, (struct sockaddr *)&a, &len) &&
	      !strcmp(a.sun_path, path) &&
	      len == offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1,
	      "got '%s' len %u", a.sun_path, len);
	pid = fork();
	if (pid == 0)
		_exit(stream_client(path));
	len = sizeof(a);
	c = accept4(s, (struct sockaddr *)&a, &len, SOCK_CLOEXEC);
	check("accept4", c >= 0 && a.sun_family == AF_UNIX, "fd %d family %d", c, a.sun_family);
	check("accept4-cloexec", fcntl(c, F_GETFD) == FD_CLOEXEC, "flags %d", fcntl(c, F_GETFD));
	check("so-type", !getsockopt(c, SOL_SOCKET, SO_TYPE, &type, &olen) &&
	      type == SOCK_STREAM && olen == sizeof(int), "type %d len %u", type, olen);
	olen = sizeof(cred);
	check("so-peercred", !getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &olen) &&
	      cred.pid == pid && cred.uid == getuid() && cred.gid == getgid(),
	      "pid %d (child %d) uid %d gid %d", cred.pid, pid, cred.uid, cred.gid);
	rcv = 16384;
	olen = sizeof(rcv);
	check("so-rcvbuf", !setsockopt(c, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)) &&
	      !getsockopt(c, SOL_SOCKET, SO_RCVBUF, &rcv, &olen) && rcv == 2 * 16384,
	      "rcvbuf %d", rcv);
	check("stream-data", read(c, buf, sizeof(buf)) == 4 && !strcmp(buf, "ping") &&
	      write(c, "pong", 4) == 4, "got '%s'", buf);
	st = child_status(pid);
	check("stream-client", st == 0, "client status %d", st);
	close(c);
	close(s);
}

/* ---- dgram ------------------------------------------------------------- */

static void t_dgram(const char *path)
{
	static const char *names[2][2] = { { NULL, NULL }, { "@kbox-test-a", "@kbox-test-b" } };
	char pa[108], pb[108];
	int round;

	snprintf(pa, sizeof(pa), "%s.a", path);
	snprintf(pb, sizeof(pb), "%s.b", path);
	names[0][0] = pa;
	names[0][1] = pb;
	for (round = 0; round < 2; round++) {
		const char *an = names[round][0], *bn = names[round][1];
		const char *tag = round ? "dgram-abstract" : "dgram-path";
		struct sockaddr_un a, b, from;
		socklen_t alen = un_addr(&a, an), blen = un_addr(&b, bn), flen = sizeof(from);
		int sa = socket(AF_UNIX, SOCK_DGRAM, 0), sb = socket(AF_UNIX, SOCK_DGRAM, 0);
		char buf[32] = "";
		ssize_t n;

		unlink(pa);
		unlink(pb);
		if (sa < 0 || sb < 0 || bind(sa, (struct sockaddr *)&a, alen) ||
		    bind(sb, (struct sockaddr *)&b, blen)) {
			check(tag, 0, "socket/bind");
			continue;
		}
		n = sendto(sa, "datagram", 8, 0, (struct sockaddr *)&b, blen);
		memset(&from, 0, sizeof(from));
		n = n == 8 ? recvfrom(sb, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) : -1;
		check(tag, n == 8 && !strcmp(buf, "datagram") && flen == alen &&
		      !memcmp(&from, &a, alen),
		      "n %zd '%s' from len %u (want %u) '%s'", n, buf, flen, alen,
		      from.sun_path[0] ? from.sun_path : from.sun_path + 1);
		close(sa);
		close(sb);
	}
}

/* ---- seqpacket, iov ---------------------------------------------------- */

static void t_seqpacket(void)
{
	int sv[2];
	char buf[32] = "";
	ssize_t a, b;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv)) {
		check("seqpacket", 0, "socketpair");
		return;
	}
	a = write(sv[0], "first", 5);
	b = write(sv[0], "second!", 7);
	a = a == 5 && b == 7 ? read(sv[1], buf, sizeof(buf)) : -1;
	b = read(sv[1], buf + 8, sizeof(buf) - 8);
	check("seqpacket", a == 5 && b == 7 && !memcmp(buf, "first", 5) && !strcmp(buf + 8, "second!"),
	      "records %zd %zd", a, b);
}

static void t_iov(void)
{
	char x[4] = "abc", y[8] = "defghij", z[3] = "kl", r1[5], r2[20], small[4];
	struct iovec out[3] = { { x, 3 }, { y, 7 }, { z, 2 } };
	struct iovec in[2] = { { r1, 5 }, { r2, sizeof(r2) } };
	struct msghdr m;
	int sv[2];
	ssize_t n;

	memset(r2, 0, sizeof(r2));
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) {
		check("iov", 0, "socketpair");
		return;
	}
	memset(&m, 0, sizeof(m));
	m.msg_iov = out;
	m.msg_iovlen = 3;
	n = sendmsg(sv[0], &m, 0);
	memset(&m, 0, sizeof(m));
	m.msg_iov = in;
	m.msg_iovlen = 2;
	n = n == 12 ? recvmsg(sv[1], &m, 0) : -1;
	check("iov", n == 12 && !memcmp(r1, "abcde", 5) && !strcmp(r2, "fghijkl") && !m.msg_flags,
	      "n %zd r1 '%.5s' r2 '%s' flags %#x", n, r1, r2, m.msg_flags);
	/* A datagram longer than the buffer: cut, MSG_TRUNC says so. */
	in[0].iov_base = small;
	in[0].iov_len = sizeof(small);
	m.msg_iovlen = 1;
	n = send(sv[0], "0123456789", 10, 0);
	n = n == 10 ? recvmsg(sv[1], &m, 0) : -1;
	check("iov-trunc", n == 4 && (m.msg_flags & MSG_TRUNC) && !memcmp(small, "0123", 4),
	      "n %zd flags %#x", n, m.msg_flags);
	close(sv[0]);
	close(sv[1]);
}

/* ---- rights -------------------------------------------------------------- */

/* Send fds (and this process's credentials) with one byte. */
static int send_fds(int s, const int *fds, int n, int creds)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4) + CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { "x", 1 };
	struct msghdr m;
	struct cmsghdr *cm;
	struct ucred cred = { getpid(), getuid(), getgid() };

	memset(&u, 0, sizeof(u));
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = CMSG_SPACE(sizeof(int) * n) + (creds ? CMSG_SPACE(sizeof(cred)) : 0);
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
	if (creds) {
		cm = CMSG_NXTHDR(&m, cm);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_CREDENTIALS;
		cm->cmsg_len = CMSG_LEN(sizeof(cred));
		memcpy(CMSG_DATA(cm), &cred, sizeof(cred));
	}
	return sendmsg(s, &m, 0) == 1 ? 0 : -1;
}

/* Receive up to 4 fds; *pid: the sender's credentials, if any. */
static int recv_fds(int s, int *fds, pid_t *pid, int flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4) + CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	char c;
	struct iovec iov = { &c, 1 };
	struct msghdr m;
	struct cmsghdr *cm;
	int n = 0;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	if (recvmsg(s, &m, flags) != 1)
		return -1;
	for (cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
		}
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS && pid)
			*pid = ((struct ucred *)CMSG_DATA(cm))->pid;
	}
	return n;
}

static void t_rights(const char *file)
{
	int sv[2], fds[4] = { -1, -1, -1, -1 }, one = 1, n, st;
	pid_t pid, sender = -1;
	char buf[64] = "", pbuf[16] = "";
	ssize_t r;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) ||
	    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one))) {
		check("rights", 0, "socketpair");
		return;
	}
	pid = fork();
	if (pid == 0) {
		int p[2], f = open(file, O_RDONLY), out[2];

		if (f < 0 || pipe(p))
			_exit(1);
		out[0] = f;
		out[1] = p[0];
		if (send_fds(sv[1], out, 2, 1))
			_exit(2);
		close(f);
		close(p[0]);
		/* The reader has the other end now: what goes in comes out there. */
		if (write(p[1], "through", 7) != 7)
			_exit(3);
		_exit(0);
	}
	close(sv[1]);
	n = recv_fds(sv[0], fds, &sender, MSG_CMSG_CLOEXEC);
	check("rights-recv", n == 2 && fds[0] >= 0 && fds[1] >= 0, "%d fds", n);
	r = n == 2 ? read(fds[0], buf, sizeof(buf) - 1) : -1;
	if (r > 0)
		buf[r] = '\0';
	check("rights-file", r > 0, "read %zd", r);
	printf("rights-content %s", buf);
	r = n == 2 ? read(fds[1], pbuf, sizeof(pbuf)) : -1;
	check("rights-pipe", r == 7 && !memcmp(pbuf, "through", 7), "read %zd", r);
	check("rights-cloexec", n == 2 && fcntl(fds[0], F_GETFD) == FD_CLOEXEC, "flags %d",
	      fcntl(fds[0], F_GETFD));
	check("scm-credentials", sender == pid, "sender %d, child %d", sender, pid);
	st = child_status(pid);
	check("rights-child", st == 0, "status %d", st);
}

/* Host fds: the terminal's stdout kbox was given, and a memfd. */
static void t_hostfd(void)
{
	int sv[2], fds[4] = { -1, -1, -1, -1 }, n, st;
	char buf[32] = "";
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) {
		check("hostfd", 0, "socketpair");
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int out[2] = { 1, memfd_create("kbox-test", 0) };

		if (out[1] < 0 || write(out[1], "in a memfd", 10) != 10)
			_exit(1);
		_exit(send_fds(sv[1], out, 2, 0) ? 2 : 0);
	}
	n = recv_fds(sv[0], fds, NULL, 0);
	st = child_status(pid);
	check("hostfd-recv", n == 2 && st == 0, "%d fds, child status %d", n, st);
	if (n != 2)
		return;
	/* Where this goes is the test's to see. */
	if (write(fds[0], "hostfd-stdout ok\n", 17) != 17)
		check("hostfd-stdout", 0, "write");
	n = (int)pread(fds[1], buf, sizeof(buf) - 1, 0);
	check("hostfd-memfd", n == 10 && !strcmp(buf, "in a memfd"), "read %d '%s'", n, buf);
}

/* ---- mmsg ----------------------------------------------------------------- */

static void t_mmsg(void)
{
	char a[] = "one", b[] = "second", c[] = "3", in[3][16];
	struct iovec out[3] = { { a, 3 }, { b, 6 }, { c, 1 } }, iv[3];
	struct mmsghdr mo[3], mi[3];
	struct timespec ts = { 1, 0 };
	int sv[2], i, n, m;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) {
		check("mmsg", 0, "socketpair");
		return;
	}
	memset(mo, 0, sizeof(mo));
	memset(mi, 0, sizeof(mi));
	memset(in, 0, sizeof(in));
	for (i = 0; i < 3; i++) {
		mo[i].msg_hdr.msg_iov = &out[i];
		mo[i].msg_hdr.msg_iovlen = 1;
		iv[i].iov_base = in[i];
		iv[i].iov_len = sizeof(in[i]);
		mi[i].msg_hdr.msg_iov = &iv[i];
		mi[i].msg_hdr.msg_iovlen = 1;
	}
	n = sendmmsg(sv[0], mo, 3, 0);
	check("sendmmsg", n == 3 && mo[0].msg_len == 3 && mo[1].msg_len == 6 && mo[2].msg_len == 1,
	      "sent %d, lens %u %u %u", n, mo[0].msg_len, mo[1].msg_len, mo[2].msg_len);
	m = recvmmsg(sv[1], mi, 3, MSG_WAITFORONE, &ts);
	check("recvmmsg", m == 3 && mi[0].msg_len == 3 && mi[1].msg_len == 6 && mi[2].msg_len == 1 &&
	      !strcmp(in[0], "one") && !strcmp(in[1], "second") && !strcmp(in[2], "3"),
	      "got %d: '%s' '%s' '%s'", m, in[0], in[1], in[2]);
	close(sv[0]);
	close(sv[1]);
}

/* ---- eintr ---------------------------------------------------------------- */

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * SIGALRM to the blocked thread every 100 ms until told to stop: a call
 * that blocks late (a loaded machine) is interrupted all the same.
 */
static volatile int pester_stop;
static pthread_t pester_target;

static void *pester(void *arg)
{
	(void)arg;
	while (!pester_stop) {
		usleep(100000);
		if (!pester_stop)
			pthread_kill(pester_target, SIGALRM);
	}
	return NULL;
}

static void pester_start(pthread_t *th)
{
	pester_stop = 0;
	pester_target = pthread_self();
	pthread_create(th, NULL, pester, NULL);
}

static void pester_end(pthread_t th)
{
	pester_stop = 1;
	pthread_join(th, NULL);
}

static void *file_worker(void *arg)
{
	int i, ok = 1;

	(void)arg;
	for (i = 0; i < 20 && ok; i++) {
		char path[] = "/tmp/sockets-worker", got[8] = "";
		int fd = open(path, O_CREAT | O_TRUNC | O_RDWR, 0600);

		ok = fd >= 0 && pwrite(fd, "work", 4, 0) == 4 && pread(fd, got, 8, 0) == 4 &&
		     !strcmp(got, "work");
		close(fd);
	}
	return (void *)(long)ok;
}

static void t_eintr(const char *path)
{
	struct sigaction sa;
	pthread_t th, pt;
	void *res = NULL;
	pid_t pid;
	int s = listen_at(path), c, e, st;

	if (s < 0) {
		check("eintr", 0, "listen");
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	/* The blocked accept stalls no other thread. */
	pthread_create(&th, NULL, file_worker, NULL);
	pester_start(&pt);
	c = accept(s, NULL, NULL);
	e = errno;
	pester_end(pt);
	pthread_join(th, &res);
	errno = e;
	check("accept-eintr", c < 0 && e == EINTR, "accept %d", c);
	check("accept-others-run", res != NULL, "the file thread failed");

	/* SA_RESTART: the accept goes on, signal after signal, and gets the late client. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	pid = fork();
	if (pid == 0) {
		usleep(500000);
		_exit(connect_to(path) < 0);
	}
	pester_start(&pt);
	c = accept(s, NULL, NULL);
	pester_end(pt);
	st = child_status(pid);
	check("accept-restart", c >= 0 && st == 0, "accept %d, child %d", c, st);
	close(c);

	/* A blocked recvmsg, interrupted the same way. */
	{
		int sv[2];
		char buf[4];
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		sa.sa_flags = 0;
		sigaction(SIGALRM, &sa, NULL);
		socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		pester_start(&pt);
		n = recvmsg(sv[0], &m, 0);
		e = errno;
		pester_end(pt);
		errno = e;
		check("recvmsg-eintr", n < 0 && e == EINTR, "recvmsg %zd", n);
	}
	close(s);
}

/* ---- poll ----------------------------------------------------------------- */

static void t_poll(const char *path)
{
	int s = listen_at(path), c, ep, n, st;
	struct pollfd p;
	struct epoll_event ev, got[2];
	fd_set rd;
	struct timeval tv = { 0, 50000 };
	pid_t pid;

	if (s < 0) {
		check("poll", 0, "listen");
		return;
	}
	p.fd = s;
	p.events = POLLIN;
	n = poll(&p, 1, 50);
	check("poll-timeout", n == 0, "poll %d", n);
	pid = fork();
	if (pid == 0) {
		int k;
		usleep(200000);
		k = connect_to(path);
		usleep(500000);
		_exit(k < 0 || write(k, "data", 4) != 4);
	}
	n = poll(&p, 1, 5000);
	check("poll-listen", n == 1 && p.revents == POLLIN, "poll %d revents %#x", n, p.revents);
	FD_ZERO(&rd);
	FD_SET(s, &rd);
	n = select(s + 1, &rd, NULL, NULL, &tv);
	check("select-listen", n == 1 && FD_ISSET(s, &rd), "select %d", n);
	c = accept(s, NULL, NULL);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.u64 = 0x1234567890abcdefULL;
	n = ep >= 0 && c >= 0 ? epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) : -1;
	check("epoll-ctl", n == 0, "epoll_ctl %d", n);
	n = epoll_wait(ep, got, 2, 0);
	check("epoll-nothing-yet", n == 0, "epoll_wait %d", n);
	n = epoll_wait(ep, got, 2, 5000);
	check("epoll-wait", n == 1 && got[0].events == EPOLLIN &&
	      got[0].data.u64 == 0x1234567890abcdefULL,
	      "epoll_wait %d events %#x data %#llx", n, got[0].events,
	      (unsigned long long)got[0].data.u64);
	n = epoll_ctl(ep, EPOLL_CTL_ADD, 1, &ev);
	/* stdout is a regular file here: no epoll watches those. */
	check("epoll-host-fd", n < 0 && errno == EPERM, "epoll_ctl on stdout %d", n);
	st = child_status(pid);
	check("poll-child", st == 0, "status %d", st);
	close(ep);
	close(c);
	close(s);
}

/* ---- inet ----------------------------------------------------------------- */

static void t_inet(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, b, from;
	socklen_t len = sizeof(a), flen = sizeof(from);
	int s, c, k, one = 1, nd = 0, u1, u2, st;
	socklen_t olen = sizeof(nd);
	char buf[16] = "";
	pid_t pid;
	ssize_t n;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	k = s < 0 ? -1 : bind(s, (struct sockaddr *)&a, sizeof(a));
	if (!k)
		k = listen(s, 4);
	if (!k)
		k = getsockname(s, (struct sockaddr *)&a, &len);
	check("tcp-listen", !k && a.sin_port != 0, "port %d", ntohs(a.sin_port));
	if (k)
		return;
	pid = fork();
	if (pid == 0) {
		char r[8] = "";
		int t = socket(AF_INET, SOCK_STREAM, 0);

		if (t < 0 || connect(t, (struct sockaddr *)&a, sizeof(a)) ||
		    setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
		    send(t, "..tcp!", 6, 0) != 6 || recv(t, r, 3, MSG_WAITALL) != 3 ||
		    strcmp(r, "ack"))
			_exit(1);
		_exit(0);
	}
	len = sizeof(b);
	c = accept(s, (struct sockaddr *)&b, &len);
	check("tcp-accept", c >= 0 && b.sin_addr.s_addr == htonl(INADDR_LOOPBACK) && b.sin_port,
	      "accept %d from %s:%d", c, inet_ntoa(b.sin_addr), ntohs(b.sin_port));
	/* MSG_TRUNC drops bytes on TCP and leaves the buffer alone. */
	strcpy(buf, "ZZ");
	n = recv(c, buf, 2, MSG_TRUNC | MSG_WAITALL);
	check("tcp-trunc", n == 2 && !strcmp(buf, "ZZ"), "recv %zd '%s'", n, buf);
	memset(buf, 0, sizeof(buf));
	n = recv(c, buf, sizeof(buf), 0);
	check("tcp-data", n == 4 && !strcmp(buf, "tcp!") && send(c, "ack", 3, 0) == 3, "recv %zd", n);
	check("tcp-getsockopt", !getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &nd, &olen) && !nd,
	      "nodelay %d", nd);
	st = child_status(pid);
	check("tcp-client", st == 0, "status %d", st);
	close(c);
	close(s);

	u1 = socket(AF_INET, SOCK_DGRAM, 0);
	u2 = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = 0;
	len = sizeof(a);
	if (u1 < 0 || u2 < 0 || bind(u1, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(u1, (struct sockaddr *)&a, &len)) {
		check("udp-recvfrom", 0, "socket/bind");
		return;
	}
	/* u2 gets its port at this first send. */
	n = sendto(u2, "udp", 3, 0, (struct sockaddr *)&a, sizeof(a));
	len = sizeof(b);
	getsockname(u2, (struct sockaddr *)&b, &len);
	memset(buf, 0, sizeof(buf));
	n = n == 3 ? recvfrom(u1, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen) : -1;
	check("udp-recvfrom", n == 3 && !strcmp(buf, "udp") && flen == sizeof(from) &&
	      from.sin_port == b.sin_port && from.sin_addr.s_addr == htonl(INADDR_LOOPBACK),
	      "n %zd from %s:%d (sender port %d)", n, inet_ntoa(from.sin_addr),
	      ntohs(from.sin_port), ntohs(b.sin_port));
}

/* ---- filter, null ---------------------------------------------------------- */

static void t_filter(void)
{
	struct sock_filter code[1] = { BPF_STMT(BPF_RET | BPF_K, 4) }, back[4];
	struct sock_fprog prog = { 1, code };
	socklen_t blen = 4;
	char buf[16] = "";
	int sv[2], k;
	ssize_t n;

	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv)) {
		check("filter", 0, "socketpair");
		return;
	}
	k = setsockopt(sv[1], SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
	n = !k && send(sv[0], "0123456789", 10, 0) == 10 ? recv(sv[1], buf, sizeof(buf), 0) : -1;
	check("filter-cuts", n == 4 && !strcmp(buf, "0123"), "setsockopt %d, recv %zd", k, n);
	memset(back, 0, sizeof(back));
	k = getsockopt(sv[1], SOL_SOCKET, SO_GET_FILTER, back, &blen);
	check("filter-get", !k && blen == 1 && back[0].k == 4 && back[0].code == (BPF_RET | BPF_K),
	      "getsockopt %d, %u instructions, k %u", k, blen, back[0].k);
}

static void t_null(void)
{
	int sv[2], v = 4096, fd = open("/tmp/sockets-null", O_CREAT | O_RDWR, 0600);
	char *volatile nul = NULL;	/* the compiler need not know */
	long r[8];

	errno = 0;
	r[0] = socketpair(AF_UNIX, SOCK_STREAM, 0, NULL) < 0 && errno == EFAULT;
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv))
		sv[0] = sv[1] = -1;
	r[1] = sendto(sv[0], nul, 10, 0, NULL, 0) < 0 && errno == EFAULT;
	r[2] = setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, NULL, sizeof(v)) < 0 && errno == EFAULT;
	r[3] = write(fd, nul, 10) < 0 && errno == EFAULT;
	r[4] = syscall(SYS_uname, nul) < 0 && errno == EFAULT;
	/* Where the kernel takes NULL, NULL still passes: utimensat's "now". */
	r[5] = utimensat(AT_FDCWD, "/tmp/sockets-null", NULL, 0) == 0;
	/* A control message longer than its buffer: EINVAL, as in Linux. */
	{
		union {
			char buf[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = { "x", 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = 1 << 20;
		r[6] = sendmsg(sv[0], &m, 0) < 0 && errno == EINVAL;
	}
	r[7] = setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) == 0;
	check("null", r[0] && r[1] && r[2] && r[3] && r[4] && r[5] && r[6] && r[7],
	      "socketpair %ld sendto %ld setsockopt %ld write %ld uname %ld utimensat %ld"
	      " cmsg_len %ld after %ld", r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "", *arg = argc > 2 ? argv[2] : "/tmp/sock";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "stream"))
		t_stream(arg);
	else if (!strcmp(cmd, "dgram"))
		t_dgram(arg);
	else if (!strcmp(cmd, "seqpacket"))
		t_seqpacket();
	else if (!strcmp(cmd, "iov"))
		t_iov();
	else if (!strcmp(cmd, "rights"))
		t_rights(arg);
	else if (!strcmp(cmd, "hostfd"))
		t_hostfd();
	else if (!strcmp(cmd, "mmsg"))
		t_mmsg();
	else if (!strcmp(cmd, "eintr"))
		t_eintr(arg);
	else if (!strcmp(cmd, "poll"))
		t_poll(arg);
	else if (!strcmp(cmd, "inet"))
		t_inet();
	else if (!strcmp(cmd, "filter"))
		t_filter();
	else if (!strcmp(cmd, "null"))
		t_null();
	else {
		fprintf(stderr, "usage: sockets CHECK [ARG]\n");
		return 2;
	}
	return failed;
}
