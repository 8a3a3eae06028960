// SPDX-License-Identifier: GPL-2.0
/*
 * Bad pointers and lengths to every call kbox serves, through raw
 * syscall(2).  The library kernel's user copies are plain memcpy in
 * kbox: a guest's pointer reaching it would have it read or write kbox's
 * memory, or kill kbox.
 *
 *   badptr DIR [errnos]
 *
 * DIR (made here, must not exist) is where it works: files, a directory,
 * a symlink; the calls also get a kernel pipe, UDP, TCP and unix
 * sockets, an epoll set, a timerfd, an inotify fd and a pty master.
 *
 *   pointers  each pointer argument of each call in turn (and each
 *             pointer inside a structure: iovecs, message headers, BPF
 *             programs, struct ifconf...) is NULL, (void *)1, an unmapped
 *             address and one in the kernel's half;
 *   lengths   negative, huge, with high bits set, zero with NULL;
 *   partial   buffers mapped in part: short reads that leave the file
 *             position after what was delivered, pipes that keep what
 *             could not be, getdents64, epoll_wait; futimesat with no
 *             path; capget/capset with a v1 header.
 *
 * Each check prints "NAME ok" or "NAME FAIL: ..." (check.h), the answer
 * being Linux's (EFAULT, mostly), and the program ends with "end ok"
 * if kbox survived it all.  With "errnos" the calls print "NAME ANSWER"
 * instead ("ok" or the errno name), so that a run on the host's Linux
 * can be compared with a run in kbox.  Calls that need root are left out
 * when not run as root.
 *
 * A spec says what Linux answers: a default for the four kinds of bad
 * pointer ("EFAULT", "ok", an errno name), then exceptions by kind
 * ("null=ok"); "skip" leaves a kind out (execve with a NULL argv would
 * run: BADPTR_EXECED in the environment says one did).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netinet/in.h>

#include "check.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

enum { NUL, ONE, UNMAPPED, KERNEL, KINDS };
static const char *const kinds[KINDS] = { "null", "one", "unmapped", "kernel" };
static void *bad[KINDS];

static bool report;	/* "errnos": print answers, check nothing */
static bool root;
static char *self;	/* this program's path, for execve */

/* What the calls work on. */
static int ffile, ffile2, fdir, pr, pw, ua, ub, lst, tcp, us[2], ud[2], ep, tfd, ino, ptm;
static bool xattrs;	/* DIR takes user.* xattrs */
static char buf[4096];
static struct sockaddr_in lst_addr;
static char *page;	/* a mapped page, an unmapped one after it */
static char *edge;	/* its last 8 bytes */

static const char *answer(long r, int e)
{
	return r >= 0 ? "ok" : strerrorname_np(e) ?: "?";
}

/* The answer spec gives for kind k, into out. */
static void want_of(const char *spec, int k, char *out, size_t size)
{
	char copy[128], *tok, *save, *eq;

	snprintf(copy, sizeof(copy), "%s", spec);
	tok = strtok_r(copy, " ", &save);
	snprintf(out, size, "%s", tok ? tok : "EFAULT");
	while ((tok = strtok_r(NULL, " ", &save))) {
		eq = strchr(tok, '=');
		if (eq && (size_t)(eq - tok) == strlen(kinds[k]) &&
		    !strncmp(tok, kinds[k], eq - tok))
			snprintf(out, size, "%s", eq + 1);
	}
}

static void record(const char *name, const char *want, long r, int e)
{
	const char *got = answer(r, e);

	if (report) {
		printf("%s %s\n", name, got);
		fflush(stdout);
		return;
	}
	errno = e;
	check(name, !strcmp(got, want), "returned %ld (%s), want %s", r, got, want);
}

/*
 * TRY(name, spec, expr): expr, a call using p, once per kind of bad
 * pointer; its answer checked against spec (or printed).
 */
#define TRY(name, spec, expr) do {					\
	for (int k_ = 0; k_ < KINDS; k_++) {				\
		char want_[32], name_[96];				\
		void *p = bad[k_];					\
		long r_;						\
									\
		want_of(spec, k_, want_, sizeof(want_));		\
		if (!strcmp(want_, "skip"))				\
			continue;					\
		snprintf(name_, sizeof(name_), "%s.%s", name, kinds[k_]); \
		errno = 0;						\
		r_ = (expr);						\
		record(name_, want_, r_, errno);			\
	}								\
} while (0)

/* ONE(name, want, expr): a single call (a bad length...). */
#define ONE(name, want, expr) do {					\
	long r_;							\
									\
	errno = 0;							\
	r_ = (expr);							\
	record(name, want, r_, errno);					\
} while (0)

#define ROOT if (root)

static long sys(long nr, long a, long b, long c, long d, long e, long f)
{
	return syscall(nr, a, b, c, d, e, f);
}

#define S0(nr)			sys(nr, 0, 0, 0, 0, 0, 0)
#define S1(nr, a)		sys(nr, (long)(a), 0, 0, 0, 0, 0)
#define S2(nr, a, b)		sys(nr, (long)(a), (long)(b), 0, 0, 0, 0)
#define S3(nr, a, b, c)		sys(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define S4(nr, a, b, c, d)	sys(nr, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define S5(nr, a, b, c, d, e)	sys(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define S6(nr, a, b, c, d, e, f) sys(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/* A call that made an fd: closed again. */
static long fdres(long r)
{
	if (r >= 0)
		close((int)r);
	return r;
}

static void drain(int fd)
{
	char junk[256];

	while (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
}

/* The read end of the pipe, with 64 bytes or more (and no more than 4 KiB) in it. */
static int piped(void)
{
	int n = 0;

	ioctl(pr, FIONREAD, &n);
	if (n > 4096) {
		while (read(pr, buf, sizeof(buf)) > 0)
			;
		n = 0;
	}
	if (n < 64 && write(pw, buf, 64) != 64)
		abort();
	return pr;
}

/* The write end, with room. */
static int pipe_w(void)
{
	piped();
	return pw;
}

/* ua with exactly one datagram from ub waiting. */
static int dgram(void)
{
	drain(ua);
	if (send(ub, "datagram", 8, 0) != 8)
		abort();
	return ua;
}

/* lst with a connection waiting. */
static int conn(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&lst_addr, sizeof(lst_addr)))
		abort();
	close(s);
	return lst;
}

/* ffile at position 0. */
static int file0(void)
{
	lseek(ffile, 0, SEEK_SET);
	return ffile;
}

static struct iovec iov1(void *base, size_t len)
{
	struct iovec v = { base, len };

	return v;
}

static struct msghdr msg_of(struct iovec *v, void *name, socklen_t namelen,
			    void *ctl, size_t ctllen)
{
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = v;
	m.msg_iovlen = v ? 1 : 0;
	m.msg_name = name;
	m.msg_namelen = namelen;
	m.msg_control = ctl;
	m.msg_controllen = ctllen;
	return m;
}

/* ---- the fixtures ------------------------------------------------------------ */

static int udp_bound(struct sockaddr_in *a)
{
	socklen_t len = sizeof(*a);
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s < 0 || bind(s, (struct sockaddr *)a, sizeof(*a)) ||
	    getsockname(s, (struct sockaddr *)a, &len))
		abort();
	return s;
}

static void setup(const char *dir)
{
	static const char data[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct sockaddr_in a, b;
	struct epoll_event ev = { .events = EPOLLOUT };
	socklen_t len = sizeof(lst_addr);
	int pp[2], i;
	char *m;

	root = geteuid() == 0;
	if (root) {
		gid_t g = getegid();

		/* getgroups has one to copy out. */
		if (setgroups(1, &g))
			abort();
	}
	if (mkdir(dir, 0755) || chdir(dir))
		abort();
	ffile = open("file", O_RDWR | O_CREAT, 0644);
	ffile2 = open("file2", O_RDWR | O_CREAT, 0644);
	if (ffile < 0 || ffile2 < 0 || write(ffile, data, 64) != 64 ||
	    write(ffile2, data, 64) != 64 || symlink("file", "link") || mkdir("sub", 0755))
		abort();
	fdir = open(".", O_RDONLY | O_DIRECTORY);
	xattrs = !setxattr("file", "user.k", "v", 1, 0);
	if (pipe2(pp, O_NONBLOCK))
		abort();
	pr = pp[0];
	pw = pp[1];
	ua = udp_bound(&a);
	ub = udp_bound(&b);
	if (connect(ua, (struct sockaddr *)&b, sizeof(b)) ||
	    connect(ub, (struct sockaddr *)&a, sizeof(a)))
		abort();
	lst = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	memset(&lst_addr, 0, sizeof(lst_addr));
	lst_addr.sin_family = AF_INET;
	lst_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lst < 0 || bind(lst, (struct sockaddr *)&lst_addr, sizeof(lst_addr)) ||
	    listen(lst, 64) || getsockname(lst, (struct sockaddr *)&lst_addr, &len))
		abort();
	tcp = socket(AF_INET, SOCK_STREAM, 0);
	if (tcp < 0 || connect(tcp, (struct sockaddr *)&lst_addr, sizeof(lst_addr)) ||
	    (i = accept(lst, NULL, NULL)) < 0)
		abort();
	close(i);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, us) || socketpair(AF_UNIX, SOCK_DGRAM, 0, ud))
		abort();
	ep = epoll_create1(0);
	ev.data.fd = pw;
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, pw, &ev))
		abort();
	tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	ino = inotify_init1(0);
	ptm = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (tfd < 0 || ino < 0 || ptm < 0)
		abort();

	/* A buffer whose first 8 bytes are mapped, the rest not. */
	m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || munmap(m + 4096, 4096))
		abort();
	memset(m, 'e', 4096);
	page = m;
	edge = m + 4096 - 8;
	/* The bad pointers; the program maps nothing after this. */
	bad[NUL] = NULL;
	bad[ONE] = (void *)1;
	m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || munmap(m, 3 * 4096))
		abort();
	bad[UNMAPPED] = m + 4096;
	bad[KERNEL] = (void *)0xffff800000000000UL;
}

/* Whether the unmapped address still is (msync fails with ENOMEM). */
static bool still_unmapped(void)
{
	return msync(bad[UNMAPPED], 4096, MS_ASYNC) == -1 && errno == ENOMEM;
}

/* ---- paths ------------------------------------------------------------------- */

static void t_paths(void)
{
	struct open_how how = { .flags = O_RDONLY };
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	struct timeval tv[2] = { { 1000, 0 }, { 1000, 0 } };
	struct utimbuf ub_ = { 1000, 1000 };
	struct stat st;
	struct statfs *sfs = (struct statfs *)buf;
	char *argv[] = { self, "x", NULL }, *envp[] = { "BADPTR_EXECED=1", NULL };

	TRY("open", "", fdres(S2(SYS_open, p, O_RDONLY)));
	TRY("creat", "", fdres(S2(SYS_creat, p, 0644)));
	TRY("openat", "", fdres(S3(SYS_openat, AT_FDCWD, p, O_RDONLY)));
	TRY("openat2.path", "", fdres(S4(SYS_openat2, AT_FDCWD, p, &how, sizeof(how))));
	TRY("openat2.how", "", fdres(S4(SYS_openat2, AT_FDCWD, "file", p, sizeof(how))));
	TRY("access", "", S2(SYS_access, p, F_OK));
	TRY("faccessat", "", S3(SYS_faccessat, AT_FDCWD, p, F_OK));
	TRY("faccessat2", "", S4(SYS_faccessat2, AT_FDCWD, p, F_OK, 0));
	TRY("mkdir", "", S2(SYS_mkdir, p, 0755));
	TRY("mkdirat", "", S3(SYS_mkdirat, fdir, p, 0755));
	TRY("rmdir", "", S1(SYS_rmdir, p));
	TRY("unlink", "", S1(SYS_unlink, p));
	TRY("unlinkat", "", S3(SYS_unlinkat, fdir, p, 0));
	TRY("rename.old", "", S2(SYS_rename, p, "new"));
	TRY("rename.new", "", S2(SYS_rename, "file2", p));
	TRY("renameat.old", "", S4(SYS_renameat, fdir, p, fdir, "new"));
	TRY("renameat.new", "", S4(SYS_renameat, fdir, "file2", fdir, p));
	TRY("renameat2.old", "", S5(SYS_renameat2, fdir, p, fdir, "new", 0));
	TRY("renameat2.new", "", S5(SYS_renameat2, fdir, "file2", fdir, p, 0));
	TRY("link.old", "", S2(SYS_link, p, "new"));
	TRY("link.new", "", S2(SYS_link, "file2", p));
	TRY("linkat.old", "", S5(SYS_linkat, fdir, p, fdir, "new", 0));
	TRY("linkat.new", "", S5(SYS_linkat, fdir, "file2", fdir, p, 0));
	TRY("symlink.target", "", S2(SYS_symlink, p, "new"));
	TRY("symlink.path", "", S2(SYS_symlink, "file2", p));
	TRY("symlinkat.target", "", S3(SYS_symlinkat, p, fdir, "new"));
	TRY("symlinkat.path", "", S3(SYS_symlinkat, "file2", fdir, p));
	TRY("chmod", "", S2(SYS_chmod, p, 0644));
	TRY("fchmodat", "", S3(SYS_fchmodat, fdir, p, 0644));
	TRY("fchmodat2", "", S4(SYS_fchmodat2, fdir, p, 0644, 0));
	TRY("chown", "", S3(SYS_chown, p, -1, -1));
	TRY("lchown", "", S3(SYS_lchown, p, -1, -1));
	TRY("fchownat", "", S5(SYS_fchownat, fdir, p, -1, -1, 0));
	TRY("truncate", "", S2(SYS_truncate, p, 64));
	TRY("chdir", "", S1(SYS_chdir, p));
	ROOT TRY("chroot", "", S1(SYS_chroot, p));
	ROOT TRY("umount2", "", S2(SYS_umount2, p, 0));
	TRY("mknod", "", S3(SYS_mknod, p, S_IFIFO | 0644, 0));
	TRY("mknodat", "", S4(SYS_mknodat, fdir, p, S_IFIFO | 0644, 0));
	TRY("inotify_add_watch", "", S3(SYS_inotify_add_watch, ino, p, IN_ALL_EVENTS));
	TRY("readlink.path", "", S3(SYS_readlink, p, buf, 64));
	TRY("readlink.buf", "", S3(SYS_readlink, "link", p, 64));
	TRY("readlinkat.path", "", S4(SYS_readlinkat, fdir, p, buf, 64));
	TRY("readlinkat.buf", "", S4(SYS_readlinkat, fdir, "link", p, 64));
	TRY("utimensat.path", "", S4(SYS_utimensat, AT_FDCWD, p, NULL, 0));
	TRY("utimensat.path-fd", "EFAULT null=ok", S4(SYS_utimensat, ffile, p, ts, 0));
	TRY("utimensat.times", "EFAULT null=ok", S4(SYS_utimensat, AT_FDCWD, "file", p, 0));
	TRY("utimes.path", "", S2(SYS_utimes, p, tv));
	TRY("utimes.times", "EFAULT null=ok", S2(SYS_utimes, "file", p));
	TRY("futimesat.path", "EFAULT null=ok", S3(SYS_futimesat, fdir, p, tv));
	TRY("futimesat.path-cwd", "", S3(SYS_futimesat, AT_FDCWD, p, tv));
	TRY("futimesat.times", "EFAULT null=ok", S3(SYS_futimesat, fdir, "file", p));
	TRY("utime.path", "", S2(SYS_utime, p, &ub_));
	TRY("utime.times", "EFAULT null=ok", S2(SYS_utime, "file", p));
	TRY("stat.path", "", S2(SYS_stat, p, &st));
	TRY("stat.buf", "", S2(SYS_stat, "file", p));
	TRY("lstat.path", "", S2(SYS_lstat, p, &st));
	TRY("lstat.buf", "", S2(SYS_lstat, "link", p));
	TRY("fstat.buf", "", S2(SYS_fstat, ffile, p));
	TRY("newfstatat.path", "", S4(SYS_newfstatat, fdir, p, &st, 0));
	TRY("newfstatat.buf", "", S4(SYS_newfstatat, fdir, "file", p, 0));
	TRY("statx.path", "", S5(SYS_statx, fdir, p, 0, STATX_BASIC_STATS, buf));
	TRY("statx.buf", "", S5(SYS_statx, fdir, "file", 0, STATX_BASIC_STATS, p));
	TRY("statfs.path", "", S2(SYS_statfs, p, sfs));
	TRY("statfs.buf", "", S2(SYS_statfs, ".", p));
	TRY("fstatfs.buf", "", S2(SYS_fstatfs, ffile, p));
	TRY("getcwd", "", S2(SYS_getcwd, p, 4096));
	TRY("execve.path", "", S3(SYS_execve, p, argv, envp));
	TRY("execve.argv", "EFAULT null=skip", S3(SYS_execve, self, p, envp));
	TRY("execve.envp", "EFAULT null=skip", S3(SYS_execve, self, argv, p));
	TRY("execve.arg", "EFAULT null=skip", (argv[1] = p, S3(SYS_execve, self, argv, envp)));
	argv[1] = "x";
	TRY("execveat.path", "", S5(SYS_execveat, AT_FDCWD, p, argv, envp, 0));
	if (!xattrs)
		return;
	TRY("setxattr.path", "", S5(SYS_setxattr, p, "user.k", "v", 1, 0));
	TRY("setxattr.name", "", S5(SYS_setxattr, "file", p, "v", 1, 0));
	TRY("setxattr.value", "", S5(SYS_setxattr, "file", "user.k", p, 1, 0));
	TRY("lsetxattr.path", "", S5(SYS_lsetxattr, p, "user.k", "v", 1, 0));
	TRY("lsetxattr.name", "", S5(SYS_lsetxattr, "file", p, "v", 1, 0));
	TRY("lsetxattr.value", "", S5(SYS_lsetxattr, "file", "user.k", p, 1, 0));
	TRY("fsetxattr.name", "", S5(SYS_fsetxattr, ffile, p, "v", 1, 0));
	TRY("fsetxattr.value", "", S5(SYS_fsetxattr, ffile, "user.k", p, 1, 0));
	TRY("getxattr.path", "", S4(SYS_getxattr, p, "user.k", buf, 16));
	TRY("getxattr.name", "", S4(SYS_getxattr, "file", p, buf, 16));
	TRY("getxattr.value", "", S4(SYS_getxattr, "file", "user.k", p, 16));
	TRY("lgetxattr.path", "", S4(SYS_lgetxattr, p, "user.k", buf, 16));
	TRY("lgetxattr.name", "", S4(SYS_lgetxattr, "file", p, buf, 16));
	TRY("lgetxattr.value", "", S4(SYS_lgetxattr, "file", "user.k", p, 16));
	TRY("fgetxattr.name", "", S4(SYS_fgetxattr, ffile, p, buf, 16));
	TRY("fgetxattr.value", "", S4(SYS_fgetxattr, ffile, "user.k", p, 16));
	TRY("listxattr.path", "", S3(SYS_listxattr, p, buf, 64));
	TRY("listxattr.list", "", S3(SYS_listxattr, "file", p, 64));
	TRY("llistxattr.path", "", S3(SYS_llistxattr, p, buf, 64));
	TRY("llistxattr.list", "", S3(SYS_llistxattr, "file", p, 64));
	TRY("flistxattr.list", "", S3(SYS_flistxattr, ffile, p, 64));
	TRY("removexattr.path", "", S2(SYS_removexattr, p, "user.k"));
	TRY("removexattr.name", "", S2(SYS_removexattr, "file", p));
	TRY("lremovexattr.path", "", S2(SYS_lremovexattr, p, "user.k"));
	TRY("lremovexattr.name", "", S2(SYS_lremovexattr, "file", p));
	TRY("fremovexattr.name", "", S2(SYS_fremovexattr, ffile, p));
}

/* ---- data: read, write, vectored, positional, the copies ----------------------- */

static void t_io(void)
{
	struct iovec v;
	loff_t off = 0;

	TRY("read.pipe", "", S3(SYS_read, piped(), p, 16));
	TRY("read.file", "", S3(SYS_read, file0(), p, 16));
	TRY("write", "", S3(SYS_write, ffile, p, 16));
	TRY("write.pipe", "", S3(SYS_write, pipe_w(), p, 16));
	TRY("pread64", "", S4(SYS_pread64, ffile, p, 16, 0));
	TRY("pwrite64", "", S4(SYS_pwrite64, ffile, p, 16, 0));
	TRY("getdents64", "", (lseek(fdir, 0, SEEK_SET), S3(SYS_getdents64, fdir, p, 4096)));
	TRY("readv.iov", "", S3(SYS_readv, file0(), p, 1));
	TRY("readv.base", "", (v = iov1(p, 16), S3(SYS_readv, file0(), &v, 1)));
	TRY("readv.pipe", "", (v = iov1(p, 16), S3(SYS_readv, piped(), &v, 1)));
	TRY("writev.iov", "", S3(SYS_writev, ffile, p, 1));
	TRY("writev.base", "", (v = iov1(p, 16), S3(SYS_writev, ffile, &v, 1)));
	TRY("preadv.iov", "", S4(SYS_preadv, ffile, p, 1, 0));
	TRY("preadv.base", "", (v = iov1(p, 16), S4(SYS_preadv, ffile, &v, 1, 0)));
	TRY("pwritev.iov", "", S4(SYS_pwritev, ffile, p, 1, 0));
	TRY("pwritev.base", "", (v = iov1(p, 16), S4(SYS_pwritev, ffile, &v, 1, 0)));
	TRY("preadv2.iov", "", S6(SYS_preadv2, ffile, p, 1, 0, 0, 0));
	TRY("preadv2.base", "", (v = iov1(p, 16), S6(SYS_preadv2, ffile, &v, 1, -1, -1, 0)));
	TRY("pwritev2.iov", "", S6(SYS_pwritev2, ffile, p, 1, 0, 0, 0));
	TRY("pwritev2.base", "", (v = iov1(p, 16), S6(SYS_pwritev2, ffile, &v, 1, -1, -1, 0)));
	TRY("vmsplice.in.iov", "", S4(SYS_vmsplice, pipe_w(), p, 1, 0));
	TRY("vmsplice.in.base", "", (v = iov1(p, 16), S4(SYS_vmsplice, pipe_w(), &v, 1, 0)));
	TRY("vmsplice.out.iov", "", S4(SYS_vmsplice, piped(), p, 1, 0));
	TRY("vmsplice.out.base", "", (v = iov1(p, 16), S4(SYS_vmsplice, piped(), &v, 1, 0)));
	TRY("sendfile.offset", "EFAULT null=ok", S4(SYS_sendfile, pipe_w(), ffile, p, 1));
	TRY("copy_file_range.in", "EFAULT null=ok",
	    S6(SYS_copy_file_range, file0(), p, ffile2, &off, 1, 0));
	TRY("copy_file_range.out", "EFAULT null=ok",
	    S6(SYS_copy_file_range, file0(), &off, ffile2, p, 1, 0));
	TRY("splice.in", "EFAULT null=ok", S6(SYS_splice, ffile, p, pipe_w(), NULL, 1, 0));
	TRY("splice.out", "EFAULT null=ok", S6(SYS_splice, piped(), NULL, ffile2, p, 1, 0));
	TRY("sendto.buf", "", S6(SYS_sendto, ub, p, 8, 0, NULL, 0));
	TRY("recvfrom.buf", "", S6(SYS_recvfrom, dgram(), p, 8, MSG_DONTWAIT, NULL, NULL));
	drain(ua);
}

/* ---- fds: fcntl, ioctl, pipes, polls -------------------------------------------------- */

static void t_fds(void)
{
	struct pollfd pfd = { .fd = pw, .events = POLLOUT };
	struct timespec zero = { 0, 0 };
	struct timeval tv0 = { 0, 0 };
	struct { void *mask; size_t size; } pack;
	struct ifconf ifc;
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	sigset_t mask;
	fd_set w;
	int wn = pw + 1;

	sigemptyset(&mask);
	FD_ZERO(&w);
	FD_SET(pw, &w);
	TRY("fcntl.F_GETLK", "", S3(SYS_fcntl, ffile, F_GETLK, p));
	TRY("fcntl.F_SETLK", "", S3(SYS_fcntl, ffile, F_SETLK, p));
	TRY("fcntl.F_SETLKW", "", S3(SYS_fcntl, ffile, F_SETLKW, p));
	TRY("fcntl.F_OFD_GETLK", "", S3(SYS_fcntl, ffile, F_OFD_GETLK, p));
	TRY("fcntl.F_OFD_SETLK", "", S3(SYS_fcntl, ffile, F_OFD_SETLK, p));
	TRY("fcntl.F_OFD_SETLKW", "", S3(SYS_fcntl, ffile, F_OFD_SETLKW, p));
	TRY("fcntl.F_GETOWN_EX", "", S3(SYS_fcntl, ffile, F_GETOWN_EX, p));
	TRY("fcntl.F_SETOWN_EX", "", S3(SYS_fcntl, ffile, F_SETOWN_EX, p));
	TRY("fcntl.F_GET_RW_HINT", "", S3(SYS_fcntl, ffile, F_GET_RW_HINT, p));
	TRY("fcntl.F_SET_RW_HINT", "", S3(SYS_fcntl, ffile, F_SET_RW_HINT, p));
	TRY("fcntl.F_GET_FILE_RW_HINT", "EINVAL", S3(SYS_fcntl, ffile, 1037, p));
	TRY("ioctl.FIONBIO", "", S3(SYS_ioctl, ffile, FIONBIO, p));
	TRY("ioctl.FIOASYNC", "", S3(SYS_ioctl, ffile, FIOASYNC, p));
	TRY("ioctl.FIONREAD", "", S3(SYS_ioctl, piped(), FIONREAD, p));
	TRY("ioctl.FS_IOC_GETFLAGS", "", S3(SYS_ioctl, ffile, FS_IOC_GETFLAGS, p));
	TRY("ioctl.FS_IOC_SETFLAGS", "", S3(SYS_ioctl, ffile, FS_IOC_SETFLAGS, p));
	TRY("ioctl.FS_IOC_GETVERSION", "", S3(SYS_ioctl, ffile, FS_IOC_GETVERSION, p));
	TRY("ioctl.TCGETS", "", S3(SYS_ioctl, ptm, TCGETS, p));
	TRY("ioctl.TCSETS", "", S3(SYS_ioctl, ptm, TCSETS, p));
	TRY("ioctl.TIOCGWINSZ", "", S3(SYS_ioctl, ptm, TIOCGWINSZ, p));
	TRY("ioctl.TIOCSWINSZ", "", S3(SYS_ioctl, ptm, TIOCSWINSZ, p));
	TRY("ioctl.TIOCGPTN", "", S3(SYS_ioctl, ptm, TIOCGPTN, p));
	TRY("ioctl.TIOCSPTLCK", "", S3(SYS_ioctl, ptm, TIOCSPTLCK, p));
	TRY("ioctl.TIOCGPTLCK", "", S3(SYS_ioctl, ptm, TIOCGPTLCK, p));
	TRY("ioctl.TIOCOUTQ", "", S3(SYS_ioctl, ptm, TIOCOUTQ, p));
	TRY("ioctl.TIOCPKT", "", S3(SYS_ioctl, ptm, TIOCPKT, p));
	TRY("ioctl.TIOCGPKT", "", S3(SYS_ioctl, ptm, TIOCGPKT, p));
	TRY("ioctl.SIOCGIFFLAGS", "", S3(SYS_ioctl, ua, SIOCGIFFLAGS, p));
	TRY("ioctl.SIOCGIFINDEX", "", S3(SYS_ioctl, ua, SIOCGIFINDEX, p));
	TRY("ioctl.SIOCGIFCONF", "", S3(SYS_ioctl, ua, SIOCGIFCONF, p));
	TRY("ioctl.SIOCGIFCONF.buf", "EFAULT null=ok",
	    (ifc.ifc_len = 256, ifc.ifc_buf = p, S3(SYS_ioctl, ua, SIOCGIFCONF, &ifc)));
	TRY("ioctl.SIOCOUTQNSD", "", S3(SYS_ioctl, tcp, SIOCOUTQNSD, p));
	TRY("pipe", "", S1(SYS_pipe, p));
	TRY("pipe2", "", S2(SYS_pipe2, p, 0));
	TRY("memfd_create", "", fdres(S2(SYS_memfd_create, p, 0)));
	TRY("signalfd", "", fdres(S3(SYS_signalfd, -1, p, 8)));
	TRY("signalfd4", "", fdres(S4(SYS_signalfd4, -1, p, 8, 0)));
	TRY("poll", "", S3(SYS_poll, p, 1, 0));
	TRY("ppoll.fds", "", S5(SYS_ppoll, p, 1, &zero, NULL, 8));
	TRY("ppoll.timeout", "EFAULT null=ok", S5(SYS_ppoll, &pfd, 1, p, NULL, 8));
	TRY("ppoll.mask", "EFAULT null=ok", S5(SYS_ppoll, &pfd, 1, &zero, p, 8));
	TRY("select.read", "EFAULT null=ok", S5(SYS_select, wn, p, NULL, NULL, &tv0));
	TRY("select.write", "EFAULT null=ok", S5(SYS_select, wn, NULL, p, NULL, &tv0));
	TRY("select.except", "EFAULT null=ok", S5(SYS_select, wn, NULL, NULL, p, &tv0));
	TRY("select.timeout", "EFAULT null=ok", S5(SYS_select, wn, NULL, &w, NULL, p));
	TRY("pselect6.read", "EFAULT null=ok", S6(SYS_pselect6, wn, p, NULL, NULL, &zero, NULL));
	TRY("pselect6.write", "EFAULT null=ok", S6(SYS_pselect6, wn, NULL, p, NULL, &zero, NULL));
	TRY("pselect6.except", "EFAULT null=ok", S6(SYS_pselect6, wn, NULL, NULL, p, &zero, NULL));
	TRY("pselect6.timeout", "EFAULT null=ok", S6(SYS_pselect6, wn, NULL, &w, NULL, p, NULL));
	TRY("pselect6.sig", "EFAULT null=ok", S6(SYS_pselect6, wn, NULL, &w, NULL, &zero, p));
	TRY("pselect6.sig.mask", "EFAULT null=ok",
	    (pack.mask = p, pack.size = 8, S6(SYS_pselect6, wn, NULL, &w, NULL, &zero, &pack)));
	TRY("timerfd_settime.new", "", S4(SYS_timerfd_settime, tfd, 0, p, NULL));
	TRY("timerfd_settime.old", "EFAULT null=ok", S4(SYS_timerfd_settime, tfd, 0, &its, p));
	TRY("timerfd_gettime", "", S2(SYS_timerfd_gettime, tfd, p));
}

/* ---- credentials, the system ------------------------------------------------------------- */

static void t_ids(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	unsigned int id;

	TRY("getresuid.r", "", S3(SYS_getresuid, p, &id, &id));
	TRY("getresuid.e", "", S3(SYS_getresuid, &id, p, &id));
	TRY("getresuid.s", "", S3(SYS_getresuid, &id, &id, p));
	TRY("getresgid.r", "", S3(SYS_getresgid, p, &id, &id));
	TRY("getresgid.e", "", S3(SYS_getresgid, &id, p, &id));
	TRY("getresgid.s", "", S3(SYS_getresgid, &id, &id, p));
	TRY("capget.header", "", S2(SYS_capget, p, data));
	TRY("capget.data", "EFAULT null=ok", S2(SYS_capget, &hdr, p));
	TRY("capset.header", "", S2(SYS_capset, p, data));
	TRY("capset.data", "", S2(SYS_capset, &hdr, p));
	/* Copied out only when there are supplementary groups. */
	if (getgroups(0, NULL) > 0)
		TRY("getgroups", "", S2(SYS_getgroups, 64, p));
	ROOT TRY("setgroups", "", S2(SYS_setgroups, 1, p));
	TRY("uname", "", S1(SYS_uname, p));
	TRY("sysinfo", "", S1(SYS_sysinfo, p));
	ROOT TRY("sethostname", "", S2(SYS_sethostname, p, 4));
	ROOT TRY("setdomainname", "", S2(SYS_setdomainname, p, 4));
	TRY("prlimit64.new", "EFAULT null=ok", S4(SYS_prlimit64, 0, RLIMIT_NOFILE, p, NULL));
	TRY("prlimit64.old", "EFAULT null=ok", S4(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, p));
	TRY("setrlimit", "", S2(SYS_setrlimit, RLIMIT_NOFILE, p));
	TRY("rt_sigaction.act", "EFAULT null=ok", S4(SYS_rt_sigaction, SIGUSR2, p, NULL, 8));
	TRY("rt_sigaction.old", "EFAULT null=ok", S4(SYS_rt_sigaction, SIGUSR2, NULL, p, 8));
	TRY("clone3", "", S2(SYS_clone3, p, sizeof(struct clone_args)));
}

/* ---- sockets --------------------------------------------------------------------------------- */

static void t_sockets(void)
{
	struct sockaddr_in sa;
	socklen_t len;
	struct iovec v;
	struct msghdr m;
	struct mmsghdr mm;
	struct sock_filter insn = BPF_STMT(BPF_RET | BPF_K, 0xffff);
	struct sock_fprog prog;
	char cbuf[64];
	int one = 1, s;

	TRY("socketpair", "", S4(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, p));
	s = socket(AF_INET, SOCK_DGRAM, 0);
	TRY("bind", "", S3(SYS_bind, s, p, sizeof(sa)));
	TRY("connect", "", S3(SYS_connect, s, p, sizeof(sa)));
	close(s);
	TRY("sendto.addr", "EFAULT null=ok", S6(SYS_sendto, ub, "x", 1, 0, p, sizeof(sa)));
	drain(ua);
	TRY("accept.addr", "EFAULT null=ok", (len = sizeof(sa), fdres(S3(SYS_accept, conn(), p, &len))));
	TRY("accept.len", "", fdres(S3(SYS_accept, conn(), &sa, p)));
	TRY("accept4.addr", "EFAULT null=ok",
	    (len = sizeof(sa), fdres(S4(SYS_accept4, conn(), p, &len, 0))));
	TRY("accept4.len", "", fdres(S4(SYS_accept4, conn(), &sa, p, 0)));
	TRY("getsockname.addr", "", (len = sizeof(sa), S3(SYS_getsockname, ua, p, &len)));
	TRY("getsockname.len", "", S3(SYS_getsockname, ua, &sa, p));
	TRY("getpeername.addr", "", (len = sizeof(sa), S3(SYS_getpeername, ua, p, &len)));
	TRY("getpeername.len", "", S3(SYS_getpeername, ua, &sa, p));
	TRY("recvfrom.addr", "EFAULT null=ok",
	    (len = sizeof(sa), S6(SYS_recvfrom, dgram(), buf, 16, MSG_DONTWAIT, p, &len)));
	TRY("recvfrom.len", "", S6(SYS_recvfrom, dgram(), buf, 16, MSG_DONTWAIT, &sa, p));
	drain(ua);

	TRY("sendmsg.msg", "", S3(SYS_sendmsg, ub, p, 0));
	TRY("sendmsg.name", "EFAULT null=ok",
	    (v = iov1("x", 1), m = msg_of(&v, p, sizeof(sa), NULL, 0), S3(SYS_sendmsg, ub, &m, 0)));
	TRY("sendmsg.iov", "",
	    (m = msg_of(NULL, NULL, 0, NULL, 0), m.msg_iov = p, m.msg_iovlen = 1,
	     S3(SYS_sendmsg, ub, &m, 0)));
	TRY("sendmsg.base", "",
	    (v = iov1(p, 8), m = msg_of(&v, NULL, 0, NULL, 0), S3(SYS_sendmsg, ub, &m, 0)));
	TRY("sendmsg.control", "",
	    (v = iov1("x", 1), m = msg_of(&v, NULL, 0, p, 32), S3(SYS_sendmsg, ub, &m, 0)));
	drain(ua);
	TRY("recvmsg.msg", "", S3(SYS_recvmsg, dgram(), p, MSG_DONTWAIT));
	TRY("recvmsg.name", "EFAULT null=ok",
	    (v = iov1(buf, 16), m = msg_of(&v, p, sizeof(sa), NULL, 0),
	     S3(SYS_recvmsg, dgram(), &m, MSG_DONTWAIT)));
	TRY("recvmsg.iov", "",
	    (m = msg_of(NULL, NULL, 0, NULL, 0), m.msg_iov = p, m.msg_iovlen = 1,
	     S3(SYS_recvmsg, dgram(), &m, MSG_DONTWAIT)));
	TRY("recvmsg.base", "",
	    (v = iov1(p, 16), m = msg_of(&v, NULL, 0, NULL, 0),
	     S3(SYS_recvmsg, dgram(), &m, MSG_DONTWAIT)));
	TRY("recvmsg.control", "ok",
	    (v = iov1(buf, 16), m = msg_of(&v, NULL, 0, p, 64),
	     S3(SYS_recvmsg, dgram(), &m, MSG_DONTWAIT)));
	drain(ua);
	/* With credentials to deliver (SO_PASSCRED). */
	setsockopt(ud[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	TRY("recvmsg.control-creds", "ok",
	    (send(ud[0], "c", 1, 0), v = iov1(buf, 16), m = msg_of(&v, NULL, 0, p, 64),
	     S3(SYS_recvmsg, ud[1], &m, MSG_DONTWAIT)));
	drain(ud[1]);
	TRY("sendmmsg.vec", "", S4(SYS_sendmmsg, ub, p, 1, 0));
	TRY("sendmmsg.iov", "",
	    (memset(&mm, 0, sizeof(mm)), mm.msg_hdr.msg_iov = p, mm.msg_hdr.msg_iovlen = 1,
	     S4(SYS_sendmmsg, ub, &mm, 1, 0)));
	TRY("sendmmsg.base", "",
	    (v = iov1(p, 8), memset(&mm, 0, sizeof(mm)), mm.msg_hdr.msg_iov = &v,
	     mm.msg_hdr.msg_iovlen = 1, S4(SYS_sendmmsg, ub, &mm, 1, 0)));
	drain(ua);
	TRY("recvmmsg.vec", "", S5(SYS_recvmmsg, dgram(), p, 1, MSG_DONTWAIT, NULL));
	TRY("recvmmsg.base", "",
	    (v = iov1(p, 16), memset(&mm, 0, sizeof(mm)), mm.msg_hdr.msg_iov = &v,
	     mm.msg_hdr.msg_iovlen = 1, S5(SYS_recvmmsg, dgram(), &mm, 1, MSG_DONTWAIT, NULL)));
	TRY("recvmmsg.timeout", "EFAULT null=ok",
	    (v = iov1(buf, 16), memset(&mm, 0, sizeof(mm)), mm.msg_hdr.msg_iov = &v,
	     mm.msg_hdr.msg_iovlen = 1, S5(SYS_recvmmsg, dgram(), &mm, 1, MSG_DONTWAIT, p)));
	drain(ua);

	TRY("setsockopt.val", "", S5(SYS_setsockopt, ua, SOL_SOCKET, SO_RCVBUF, p, sizeof(int)));
	TRY("setsockopt.fprog", "",
	    S5(SYS_setsockopt, ua, SOL_SOCKET, SO_ATTACH_FILTER, p, sizeof(prog)));
	TRY("setsockopt.fprog.filter", "EFAULT null=EINVAL",
	    (prog.len = 1, prog.filter = p,
	     S5(SYS_setsockopt, ua, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog))));
	TRY("setsockopt.reuseport-cbpf.filter", "EFAULT null=EINVAL",
	    (prog.len = 1, prog.filter = p,
	     S5(SYS_setsockopt, ua, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog))));
	TRY("getsockopt.val", "",
	    (len = sizeof(int), S5(SYS_getsockopt, ua, SOL_SOCKET, SO_RCVBUF, p, &len)));
	TRY("getsockopt.len", "", S5(SYS_getsockopt, ua, SOL_SOCKET, SO_RCVBUF, cbuf, p));
	if (root) {
		/* A packet fanout group takes a classic BPF program too. */
		int pk = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
		int arg = 4242 | PACKET_FANOUT_CBPF << 16;

		if (pk >= 0 && !setsockopt(pk, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg))) {
			TRY("setsockopt.fanout.filter", "EFAULT null=EINVAL",
			    (prog.len = 1, prog.filter = p,
			     S5(SYS_setsockopt, pk, SOL_PACKET, PACKET_FANOUT_DATA, &prog,
				sizeof(prog))));
			prog.len = 1;
			prog.filter = &insn;
			ONE("setsockopt.fanout.good", "ok",
			    setsockopt(pk, SOL_PACKET, PACKET_FANOUT_DATA, &prog, sizeof(prog)));
		} else {
			check("packet-fanout", false, "no packet socket in a fanout group: %d", pk);
		}
		if (pk >= 0)
			close(pk);
	}
}

/* ---- epoll ------------------------------------------------------------------------------------- */

static void t_epoll(void)
{
	struct epoll_event ev[4];
	struct timespec zero = { 0, 0 };
	sigset_t mask;

	sigemptyset(&mask);
	TRY("epoll_ctl.add", "", S4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, pr, p));
	TRY("epoll_ctl.mod", "", S4(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, pw, p));
	TRY("epoll_wait", "", S4(SYS_epoll_wait, ep, p, 4, 0));
	TRY("epoll_pwait.events", "", S6(SYS_epoll_pwait, ep, p, 4, 0, NULL, 8));
	TRY("epoll_pwait.mask", "EFAULT null=ok", S6(SYS_epoll_pwait, ep, ev, 4, 0, p, 8));
	TRY("epoll_pwait2.events", "", S6(SYS_epoll_pwait2, ep, p, 4, &zero, NULL, 8));
	TRY("epoll_pwait2.timeout", "EFAULT null=ok", S6(SYS_epoll_pwait2, ep, ev, 4, p, NULL, 8));
	TRY("epoll_pwait2.mask", "EFAULT null=ok", S6(SYS_epoll_pwait2, ep, ev, 4, &zero, p, 8));
}

/* ---- lengths: negative, huge, high bits, zero ---------------------------------------- */

static void t_lengths(void)
{
	struct iovec v[2] = { { buf, SSIZE_MAX }, { buf, SSIZE_MAX } };
	struct sockaddr_in sa;
	struct pollfd pfd = { .fd = pw, .events = POLLOUT };
	struct epoll_event ev;
	struct timespec zero = { 0, 0 };
	struct timeval tv0 = { 0, 0 };
	struct open_how how = { .flags = O_RDONLY };
	struct msghdr m;
	struct iovec one = { "x", 1 };
	struct sock_fprog prog = { 0, NULL };
	sigset_t mask;
	socklen_t len;
	char how_buf[32];
	int s, n;

	sigemptyset(&mask);
	ONE("read.count-huge", "EFAULT", S3(SYS_read, file0(), buf, SIZE_MAX));
	ONE("read.count-past-user", "EFAULT", S3(SYS_read, file0(), buf, 1UL << 47));
	ONE("read.count-zero-null", "ok", S3(SYS_read, file0(), NULL, 0));
	ONE("read.kernel-bad-fd", "EBADF", S3(SYS_read, 999, bad[KERNEL], 16));
	ONE("read.kernel-write-end", "EBADF", S3(SYS_read, pw, bad[KERNEL], 16));
	ONE("read.null-write-end", "EBADF", S3(SYS_read, pw, NULL, 16));
	ONE("write.count-huge", "EFAULT", S3(SYS_write, ffile2, buf, SIZE_MAX));
	ONE("write.count-zero-null", "ok", S3(SYS_write, ffile2, NULL, 0));
	ONE("pread64.count-huge", "EFAULT", S4(SYS_pread64, ffile, buf, SIZE_MAX, 0));
	ONE("pread64.negative-kernel", "EINVAL", S4(SYS_pread64, ffile, bad[KERNEL], 16, -1));
	ONE("pread64.pipe-kernel", "ESPIPE", S4(SYS_pread64, pr, bad[KERNEL], 16, 0));
	ONE("readv.count-negative", "EINVAL", S3(SYS_readv, ffile, v, -1));
	ONE("readv.count-1025", "EINVAL", S3(SYS_readv, ffile, v, 1025));
	ONE("readv.count-zero-null", "ok", S3(SYS_readv, ffile, NULL, 0));
	ONE("readv.len-negative", "EINVAL",
	    (v[0].iov_len = (size_t)-1, S3(SYS_readv, file0(), v, 1)));
	ONE("readv.len-huge", "EFAULT",
	    (v[0].iov_len = SSIZE_MAX, S3(SYS_readv, file0(), v, 2)));
	ONE("readv.bad-fd-null", "EBADF", S3(SYS_readv, 999, NULL, 1));
	ONE("writev.len-negative", "EINVAL",
	    (v[0].iov_len = (size_t)-1, S3(SYS_writev, ffile2, v, 1)));
	ONE("preadv.negative-null", "EINVAL", S4(SYS_preadv, ffile, NULL, 1, -5));

	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ONE("bind.len-negative", "EINVAL", S3(SYS_bind, s, &sa, -1));
	ONE("bind.len-129", "EINVAL", S3(SYS_bind, s, buf, 129));
	ONE("bind.len-high-bits", "ok", S3(SYS_bind, s, &sa, (1UL << 32) | sizeof(sa)));
	ONE("connect.len-negative", "EINVAL", S3(SYS_connect, s, &sa, -1));
	close(s);
	ONE("sendto.addrlen-negative", "EINVAL", S6(SYS_sendto, ub, "x", 1, 0, &sa, -1));
	ONE("sendto.addrlen-negative-no-addr", "ok", S6(SYS_sendto, ub, "x", 1, 0, NULL, -1));
	drain(ua);
	ONE("getsockname.len-negative", "EINVAL",
	    (len = (socklen_t)-1, S3(SYS_getsockname, ua, &sa, &len)));
	ONE("getsockname.null-len-zero", "ok", (len = 0, S3(SYS_getsockname, ua, NULL, &len)));
	check("getsockname.null-len-zero-length", len == sizeof(sa), "length %u", len);
	ONE("accept.len-negative", "EINVAL",
	    (len = (socklen_t)-1, fdres(S3(SYS_accept, conn(), &sa, &len))));
	ONE("recvfrom.addrlen-negative", "EINVAL",
	    (len = (socklen_t)-1, S6(SYS_recvfrom, dgram(), buf, 16, MSG_DONTWAIT, &sa, &len)));
	drain(ua);
	ONE("getsockopt.len-negative", "EINVAL",
	    (n = -1, S5(SYS_getsockopt, ua, SOL_SOCKET, SO_RCVBUF, buf, &n)));
	ONE("setsockopt.len-negative", "EINVAL", S5(SYS_setsockopt, ua, SOL_SOCKET, SO_RCVBUF, buf, -1));
	ONE("setsockopt.fprog-len-0", "EINVAL",
	    (prog.len = 0, prog.filter = (void *)buf,
	     S5(SYS_setsockopt, ua, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog))));
	ONE("setsockopt.fprog-len-4097", "EINVAL",
	    (prog.len = 4097, prog.filter = (void *)buf,
	     S5(SYS_setsockopt, ua, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog))));
	ONE("sendmsg.namelen-negative", "EINVAL",
	    (m = msg_of(&one, &sa, (socklen_t)-1, NULL, 0), S3(SYS_sendmsg, ub, &m, 0)));
	ONE("sendmsg.iovlen-1025", "EMSGSIZE",
	    (m = msg_of(&one, NULL, 0, NULL, 0), m.msg_iovlen = 1025, S3(SYS_sendmsg, ub, &m, 0)));
	ONE("sendmsg.controllen-huge", "ENOBUFS",
	    (m = msg_of(&one, NULL, 0, buf, 1UL << 31), S3(SYS_sendmsg, ub, &m, 0)));
	drain(ua);

	ONE("getdents64.count-high-bits", "EINVAL",
	    (lseek(fdir, 0, SEEK_SET), S3(SYS_getdents64, fdir, buf, (1UL << 32) | 16)));
	ONE("readlink.size-zero", "EINVAL", S3(SYS_readlink, "link", buf, 0));
	ONE("readlink.size-negative", "EINVAL", S3(SYS_readlink, "link", buf, -1));
	ONE("readlink.size-high-bits", "ok", S3(SYS_readlink, "link", buf, (1UL << 32) | 2));
	ONE("getcwd.size-zero", "ERANGE", S2(SYS_getcwd, buf, 0));
	if (xattrs) {
		ONE("setxattr.size-huge", "E2BIG", S5(SYS_setxattr, "file", "user.k", buf, SIZE_MAX, 0));
		ONE("setxattr.size-65537", "E2BIG", S5(SYS_setxattr, "file", "user.k", buf, 65537, 0));
		ONE("getxattr.size-huge", "ok", S4(SYS_getxattr, "file", "user.k", buf, SIZE_MAX));
		ONE("getxattr.size-zero-null", "ok", S4(SYS_getxattr, "file", "user.k", NULL, 0));
	}
	ROOT ONE("sethostname.len-negative", "EINVAL", S2(SYS_sethostname, "x", -1));
	ROOT ONE("sethostname.len-65", "EINVAL", S2(SYS_sethostname, buf, 65));
	ROOT ONE("setdomainname.len-negative", "EINVAL", S2(SYS_setdomainname, "x", -1));

	ONE("poll.nfds-huge", "EINVAL", S3(SYS_poll, &pfd, UINT_MAX, 0));
	ONE("poll.nfds-zero-null", "ok", S3(SYS_poll, NULL, 0, 0));
	ONE("select.nfds-negative", "EINVAL", S5(SYS_select, -1, NULL, NULL, NULL, &zero));
	ONE("select.nfds-huge", "ok", S5(SYS_select, 1 << 20, NULL, NULL, NULL, &tv0));
	ONE("ppoll.sigsetsize-7", "EINVAL", S5(SYS_ppoll, &pfd, 1, &zero, &mask, 7));
	ONE("pselect6.sigsetsize-7", "EINVAL",
	    S6(SYS_pselect6, 0, NULL, NULL, NULL, &zero,
	       (&(struct { void *p; size_t n; }){ &mask, 7 })));
	ONE("epoll_wait.max-zero", "EINVAL", S4(SYS_epoll_wait, ep, &ev, 0, 0));
	ONE("epoll_wait.max-negative", "EINVAL", S4(SYS_epoll_wait, ep, &ev, -1, 0));
	ONE("epoll_wait.max-huge", "EINVAL", S4(SYS_epoll_wait, ep, &ev, INT_MAX, 0));
	ONE("epoll_wait.max-biggest", "ok", S4(SYS_epoll_wait, ep, buf, INT_MAX / 12, 0));
	ONE("epoll_wait.max-past-user", "EFAULT",
	    S4(SYS_epoll_wait, ep, (void *)(0x7ffffffff000UL - 24), 3, 0));
	ONE("epoll_pwait.sigsetsize-7", "EINVAL", S6(SYS_epoll_pwait, ep, &ev, 1, 0, &mask, 7));
	ONE("signalfd.size-7", "EINVAL", fdres(S3(SYS_signalfd, -1, &mask, 7)));
	ONE("getgroups.n-negative", "EINVAL", S2(SYS_getgroups, -1, buf));
	ROOT ONE("setgroups.n-huge", "EINVAL", S2(SYS_setgroups, 65537, buf));
	ONE("clone3.size-small", "EINVAL", S2(SYS_clone3, buf, 8));
	ONE("clone3.size-huge", "E2BIG", (memset(buf, 0, sizeof(buf)), S2(SYS_clone3, buf, 4097)));

	ONE("openat2.size-zero-null", "EINVAL", fdres(S4(SYS_openat2, AT_FDCWD, "file", NULL, 0)));
	ONE("openat2.size-8", "EINVAL", fdres(S4(SYS_openat2, AT_FDCWD, "file", &how, 8)));
	ONE("openat2.size-4097", "E2BIG", fdres(S4(SYS_openat2, AT_FDCWD, "file", buf, 4097)));
	memset(how_buf, 0, sizeof(how_buf));
	memcpy(how_buf, &how, sizeof(how));
	ONE("openat2.size-32", "ok", fdres(S4(SYS_openat2, AT_FDCWD, "file", how_buf, 32)));
	how_buf[30] = 1;
	ONE("openat2.size-32-trailing", "E2BIG", fdres(S4(SYS_openat2, AT_FDCWD, "file", how_buf, 32)));
}

/* ---- buffers partly mapped: short counts, positions -------------------------------- */

static int count_entries(int fd)
{
	char d[4096];
	long n, off;
	int count = 0;

	while ((n = syscall(SYS_getdents64, fd, d, sizeof(d))) > 0)
		for (off = 0; off < n; off += ((struct dirent64 *)(d + off))->d_reclen)
			count++;
	return n < 0 ? -1 : count;
}

static void t_partial(void)
{
	struct iovec v[2];
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_1, 0 };
	struct __user_cap_data_struct data[2];
	struct timeval tv[2] = { { 2000, 0 }, { 2000, 0 } };
	struct epoll_event ev = { .events = EPOLLOUT };
	struct stat st;
	unsigned char *bytes;
	long r, first, all;
	char out[32];
	int fd, i, total, e;

	r = S3(SYS_read, file0(), edge, 16);
	check("partial.read-file", r == 8 && lseek(ffile, 0, SEEK_CUR) == 8 && !memcmp(edge, "01234567", 8),
	      "%ld, position %ld", r, (long)lseek(ffile, 0, SEEK_CUR));
	r = S3(SYS_read, file0(), bad[UNMAPPED], 16);
	check("partial.read-file-none", r == -1 && errno == EFAULT && lseek(ffile, 0, SEEK_CUR) == 0,
	      "%ld, position %ld", r, (long)lseek(ffile, 0, SEEK_CUR));
	r = S4(SYS_pread64, ffile, edge, 16, 16);
	check("partial.pread", r == 8 && lseek(ffile, 0, SEEK_CUR) == 0, "%ld", r);
	v[0] = iov1(out, 4);
	v[1] = iov1(edge, 16);
	r = S3(SYS_readv, file0(), v, 2);
	check("partial.readv-file", r == 12 && lseek(ffile, 0, SEEK_CUR) == 12 &&
	      !memcmp(edge, "456789ab", 8), "%ld, position %ld", r, (long)lseek(ffile, 0, SEEK_CUR));
	r = S6(SYS_preadv2, file0(), &v[1], 1, -1, -1, 0);
	check("partial.preadv2-at-position", r == 8 && lseek(ffile, 0, SEEK_CUR) == 8, "%ld", r);

	/*
	 * A pipe gives a buffer's worth that cannot be copied whole back to
	 * the pipe: EFAULT, all of it kept; what fits is read.
	 */
	while (read(pr, buf, sizeof(buf)) > 0)
		;
	if (write(pw, "ABCDEFGHIJKLMNOP", 16) != 16)
		abort();
	r = S3(SYS_read, pr, edge, 16);
	check("partial.read-pipe", r == -1 && errno == EFAULT, "%ld", r);
	r = read(pr, out, sizeof(out));
	check("partial.read-pipe-kept", r == 16 && !memcmp(out, "ABCDEFGHIJKLMNOP", 16), "%ld", r);
	if (write(pw, "ABCD", 4) != 4)
		abort();
	r = S3(SYS_read, pr, edge, 16);
	check("partial.read-pipe-fits", r == 4 && !memcmp(edge, "ABCD", 4), "%ld", r);
	if (write(pw, "ABCDEFGHIJKLMNOP", 16) != 16)
		abort();
	r = S3(SYS_read, pr, bad[UNMAPPED], 16);
	check("partial.read-pipe-none", r == -1 && errno == EFAULT, "%ld", r);
	r = read(pr, out, sizeof(out));
	check("partial.read-pipe-none-kept", r == 16 && !memcmp(out, "ABCDEFGHIJKLMNOP", 16),
	      "%ld", r);

	r = S3(SYS_write, pw, edge - 8, 32);
	check("partial.write-pipe", r == -1 && errno == EFAULT, "%ld", r);
	r = S3(SYS_write, us[0], edge - 8, 32);
	check("partial.write-socket", r == -1 && errno == EFAULT, "%ld", r);
	fd = open("partial", O_RDWR | O_CREAT | O_TRUNC, 0644);
	r = S3(SYS_write, fd, edge - 8, 32);
	check("partial.write", r == 16 && lseek(fd, 0, SEEK_END) == 16, "%ld", r);
	v[0] = iov1("1234", 4);
	v[1] = iov1(edge, 16);
	r = S3(SYS_writev, fd, v, 2);
	check("partial.writev", r == 12 && lseek(fd, 0, SEEK_END) == 28, "%ld", r);
	close(fd);

	/* getdents64: whole entries up to the unmapped page, the position after them. */
	for (i = 0; i < 20; i++) {
		snprintf(out, sizeof(out), "entry-%02d", i);
		close(open(out, O_WRONLY | O_CREAT, 0644));
	}
	lseek(fdir, 0, SEEK_SET);
	all = count_entries(fdir);
	lseek(fdir, 0, SEEK_SET);
	r = S3(SYS_getdents64, fdir, edge, 4096);
	e = errno;
	total = count_entries(fdir);
	check("partial.getdents64-none", r == -1 && e == EFAULT && total == all,
	      "%ld, then %d of %ld", r, total, all);
	lseek(fdir, 0, SEEK_SET);
	r = S3(SYS_getdents64, fdir, buf, 4096);
	first = r > 0 ? ((struct dirent64 *)buf)->d_reclen : 0;
	lseek(fdir, 0, SEEK_SET);
	r = S3(SYS_getdents64, fdir, page + 4096 - first - 4, 4096);
	total = count_entries(fdir);
	check("partial.getdents64", first && r == first && total == all - 1,
	      "%ld (first %ld), then %d of %ld", r, first, total, all);

	/* epoll_wait: as many events as fit. */
	ev.data.fd = ub;
	epoll_ctl(ep, EPOLL_CTL_ADD, ub, &ev);
	r = S4(SYS_epoll_wait, ep, page + 4096 - 12, 2, 0);
	check("partial.epoll_wait", r == 1, "%ld", r);
	r = S4(SYS_epoll_wait, ep, page + 4096 - 6, 2, 0);
	check("partial.epoll_wait-none", r == -1 && errno == EFAULT, "%ld", r);
	epoll_ctl(ep, EPOLL_CTL_DEL, ub, NULL);

	/* futimesat with no path: its dirfd's own file. */
	utimes("file", tv);
	r = S3(SYS_futimesat, ffile, NULL, NULL);
	memset(&st, 0, sizeof(st));
	stat("file", &st);
	check("futimesat.null-path-now", r == 0 && st.st_mtime > 1000000000,
	      "%ld, mtime %ld", r, (long)st.st_mtime);
	r = S3(SYS_futimesat, fdir, NULL, tv);
	memset(&st, 0, sizeof(st));
	stat(".", &st);
	check("futimesat.null-path-times", r == 0 && st.st_mtime == 2000,
	      "%ld, mtime %ld", r, (long)st.st_mtime);

	/* capget/capset v1: one struct, not two. */
	memset(data, 0xaa, sizeof(data));
	r = S2(SYS_capget, &hdr, data);
	bytes = (unsigned char *)data;
	check("capget.v1-one-struct", r == 0 && bytes[12] == 0xaa && bytes[23] == 0xaa, "%ld", r);
	memcpy(page + 4096 - 12, data, 12);
	r = S2(SYS_capset, &hdr, page + 4096 - 12);
	check("capset.v1-one-struct", r == 0, "%ld", r);
	hdr.version = 0x12345678;
	r = S2(SYS_capget, &hdr, NULL);
	check("capget.bad-version-null", r == 0 && hdr.version == _LINUX_CAPABILITY_VERSION_3,
	      "%ld, version %#x", r, hdr.version);
	hdr.version = 0x12345678;
	r = S2(SYS_capget, &hdr, data);
	check("capget.bad-version", r == -1 && errno == EINVAL &&
	      hdr.version == _LINUX_CAPABILITY_VERSION_3, "%ld, version %#x", r, hdr.version);
}

int main(int argc, char **argv)
{
	if (getenv("BADPTR_EXECED")) {
		printf("exec FAIL: an execve with a bad pointer ran\n");
		return 1;
	}
	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "errnos"))) {
		fprintf(stderr, "usage: badptr DIR [errnos]\n");
		return 2;
	}
	report = argc == 3;
	self = argv[0];
	setup(argv[1]);
	check("unmapped", still_unmapped(), "the unmapped address is mapped");
	t_paths();
	t_io();
	t_fds();
	t_ids();
	t_sockets();
	t_epoll();
	t_lengths();
	t_partial();
	check("still-unmapped", still_unmapped(), "the unmapped address got mapped");
	check("end", true, "-");
	return failed;
}
