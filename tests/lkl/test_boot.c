// SPDX-License-Identifier: GPL-2.0
/*
 * Boot the library kernel on an ext4 disk and exercise system calls through
 * it: files, directories, metadata, xattrs and ACLs, locks, pipes, unix
 * sockets, epoll, eventfd, timerfd, signals between tasks, futexes, clocks,
 * pseudo filesystems, and many host threads (each one a kernel task) at once.
 *
 * Every system call goes through SC(), which records its number; the last
 * check counts how many distinct calls the test made.  Checks run on the
 * main thread only; helper threads record what they saw for it to judge.
 * LKL_TEST_VERBOSE=1 shows the kernel log.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lkl.h>
#include <lkl/asm/socket.h>
#include <lkl/linux/close_range.h>
#include <lkl/linux/eventfd.h>
#include <lkl/linux/fadvise.h>
#include <lkl/linux/falloc.h>
#include <lkl/linux/inotify.h>
#include <lkl/linux/magic.h>
#include <lkl/linux/memfd.h>
#include <lkl/linux/prctl.h>
#include <lkl/linux/random.h>
#include <lkl/linux/signalfd.h>
#include <lkl/linux/timerfd.h>
#include <lkl/linux/un.h>
#include <lkl/linux/xattr.h>

#include "tap.h"

/* ---- system calls, counted ---- */

/* Calls the kernel implements that the test made (ENOSYS does not count). */
static const char *sc_used[__lkl__NR_syscalls];

#define SC_MARK(nr, name) \
	__atomic_store_n(&sc_used[nr], name, __ATOMIC_RELAXED)
#define SC(name, ...) ({						\
	long __ret = lkl_sys_##name(__VA_ARGS__);			\
	if (__ret != -LKL_ENOSYS)					\
		SC_MARK(__lkl__NR_##name, #name);			\
	__ret;								\
})

static int sc_count(void)
{
	int i, n = 0;

	for (i = 0; i < __lkl__NR_syscalls; i++)
		n += !!sc_used[i];
	return n;
}

static void sc_list(void)
{
	int i, col = 0;

	for (i = 0; i < __lkl__NR_syscalls; i++) {
		if (!sc_used[i])
			continue;
		if (!col)
			col = printf("#  ");
		col += printf(" %s", sc_used[i]);
		if (col > 68) {
			printf("\n");
			col = 0;
		}
	}
	if (col)
		printf("\n");
}

/* ---- checks ---- */

/* A system call's result against the expected one, errno text on mismatch. */
__attribute__((format(printf, 3, 4)))
static int is_ret(long got, long want, const char *fmt, ...)
{
	char desc[256];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	r = ok(got == want, "%s", desc);
	if (!r)
		printf("#   got %ld (%s), want %ld (%s)\n", got,
		       got < 0 ? lkl_strerror((int)got) : "-", want,
		       want < 0 ? lkl_strerror((int)want) : "-");
	return r;
}

/* A call that returns a descriptor or a count: >= 0. */
__attribute__((format(printf, 2, 3)))
static int is_ge0(long got, const char *fmt, ...)
{
	char desc[256];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	r = ok(got >= 0, "%s", desc);
	if (!r)
		printf("#   got %ld (%s)\n", got, lkl_strerror((int)got));
	return r;
}

static int is_str(const char *got, const char *want, const char *desc)
{
	int r = ok(!strcmp(got, want), "%s", desc);

	if (!r)
		printf("#   got \"%s\", want \"%s\"\n", got, want);
	return r;
}

/* ---- host helpers ---- */

static long long host_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long mono_ms(void)
{
	return host_ns(CLOCK_MONOTONIC) / 1000000;
}

static void host_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts))
		;
}

static long long lkl_ns(int clk)
{
	struct __lkl__kernel_timespec ts;

	if (SC(clock_gettime, clk, &ts) < 0)
		return -1;
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Wait (up to 10 s) for a flag another thread sets. */
static int wait_flag(int *flag)
{
	long long end = mono_ms() + 10000;

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE)) {
		if (mono_ms() > end)
			return 0;
		host_sleep_ms(1);
	}
	return 1;
}

static void set_flag(int *flag)
{
	__atomic_store_n(flag, 1, __ATOMIC_RELEASE);
}

static int get_flag(int *flag)
{
	return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

/* Read a small kernel file whole into buf; its length or -errno. */
static long read_file(const char *path, char *buf, size_t len)
{
	long fd, n, total = 0;

	fd = SC(openat, LKL_AT_FDCWD, path, LKL_O_RDONLY | LKL_O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	while ((size_t)total < len - 1) {
		n = SC(read, fd, buf + total, len - 1 - total);
		if (n < 0) {
			SC(close, fd);
			return n;
		}
		if (!n)
			break;
		total += n;
	}
	buf[total] = 0;
	SC(close, fd);
	return total;
}

static long write_file(const char *path, const char *data, int flags)
{
	long fd, n;

	fd = SC(openat, LKL_AT_FDCWD, path,
		LKL_O_WRONLY | LKL_O_CREAT | LKL_O_CLOEXEC | flags, 0644);
	if (fd < 0)
		return fd;
	n = SC(write, fd, data, strlen(data));
	SC(close, fd);
	return n;
}

/* Scheduler state of a task of pid 1 ('S': asleep in the kernel), or 0. */
static char task_state(long tid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/1/task/%ld/stat", tid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Wait (up to 10 s) until task tid sleeps interruptibly in a system call. */
static int wait_sleeping(long tid)
{
	long long end = mono_ms() + 10000;

	while (task_state(tid) != 'S') {
		if (mono_ms() > end)
			return 0;
		host_sleep_ms(2);
	}
	return 1;
}

/* Count the entries of a directory other than "." and "..". */
static long count_dir(const char *path)
{
	char buf[4096];
	long fd, n, off, count = 0;

	fd = SC(openat, LKL_AT_FDCWD, path,
		LKL_O_RDONLY | LKL_O_DIRECTORY | LKL_O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	while ((n = SC(getdents64, fd, (struct lkl_linux_dirent64 *)buf,
		       sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			struct lkl_linux_dirent64 *d = (void *)(buf + off);

			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				count++;
			off += d->d_reclen;
		}
	}
	SC(close, fd);
	return n < 0 ? n : count;
}

static int run_cmd(const char *cmd)
{
	char buf[1024];
	int st;

	snprintf(buf, sizeof(buf), "PATH=\"$PATH:/sbin:/usr/sbin\" %s", cmd);
	st = system(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *mnt;		/* the ext4 mount, also the cwd */

/* ---- boot, identity, clocks ---- */

static void test_identity(void)
{
	struct lkl_new_utsname uts;
	struct lkl_sysinfo si;
	struct lkl_rlimit64 rl;
	char name[16] = "", rnd1[32], rnd2[32];
	static const char zero[32];
	long ret;

	is_ret(SC(getpid), 1, "getpid() is 1: host threads are threads of pid 1");
	ok(SC(gettid) > 1, "gettid(): the main thread has a task of its own");
	is_ret(SC(getppid), 0, "getppid() is 0");
	is_ret(SC(getuid), 0, "getuid() is root");
	is_ret(SC(geteuid), 0, "geteuid() is root");

	is_ret(SC(sethostname, "kbox-boot", 9), 0, "sethostname");
	memset(&uts, 0, sizeof(uts));
	is_ret(SC(uname, &uts), 0, "uname");
	is_str(uts.sysname, "Linux", "uname: sysname is Linux");
	ok(!strncmp(uts.release, "6.12", 4), "uname: release %s is 6.12",
	   uts.release);
	is_str(uts.nodename, "kbox-boot", "uname: nodename is what sethostname set");

	memset(&si, 0, sizeof(si));
	is_ret(SC(sysinfo, &si), 0, "sysinfo");
	ok(si.totalram * si.mem_unit > (8ULL << 20) &&
	   si.totalram * si.mem_unit <= (64ULL << 20) &&
	   si.freeram <= si.totalram && si.procs >= 1,
	   "sysinfo: %llu KiB RAM (mem=64M), %llu KiB free, %u tasks",
	   (unsigned long long)si.totalram * si.mem_unit >> 10,
	   (unsigned long long)si.freeram * si.mem_unit >> 10, si.procs);

	is_ret(SC(prlimit64, 0, LKL_RLIMIT_NOFILE, NULL, &rl), 0,
	       "prlimit64(RLIMIT_NOFILE)");
	ok(rl.rlim_cur > 0 && rl.rlim_cur <= rl.rlim_max,
	   "RLIMIT_NOFILE %llu/%llu", (unsigned long long)rl.rlim_cur,
	   (unsigned long long)rl.rlim_max);

	is_ret(SC(prctl, LKL_PR_SET_NAME, (unsigned long)"boot-main", 0, 0, 0),
	       0, "prctl(PR_SET_NAME)");
	is_ret(SC(prctl, LKL_PR_GET_NAME, (unsigned long)name, 0, 0, 0), 0,
	       "prctl(PR_GET_NAME)");
	is_str(name, "boot-main", "prctl: the task's name is what was set");

	ret = SC(getrandom, rnd1, sizeof(rnd1), 0);
	is_ret(ret, sizeof(rnd1), "getrandom(32 bytes, blocking flags)");
	is_ret(SC(getrandom, rnd2, sizeof(rnd2), LKL_GRND_NONBLOCK),
	       sizeof(rnd2), "getrandom(GRND_NONBLOCK) once the pool is ready");
	ok(memcmp(rnd1, zero, sizeof(zero)) && memcmp(rnd1, rnd2, sizeof(rnd1)),
	   "getrandom: bytes are not zero and differ between calls");

	is_ret(SC(sched_yield), 0, "sched_yield");
}

static void test_clocks(void)
{
	struct __lkl__kernel_timespec res, req, rem;
	struct __lkl__kernel_old_timeval tv;
	long long m1, m2, r, h, h0, k0, t;
	int i, mono_ok = 1;

	m1 = lkl_ns(LKL_CLOCK_MONOTONIC);
	for (i = 0; i < 1000; i++) {
		m2 = lkl_ns(LKL_CLOCK_MONOTONIC);
		if (m2 < m1)
			mono_ok = 0;
		m1 = m2;
	}
	ok(m1 > 0 && mono_ok, "clock_gettime(MONOTONIC) never goes back (1000 reads)");

	r = lkl_ns(LKL_CLOCK_REALTIME);
	h = host_ns(CLOCK_REALTIME);
	ok(r > 0 && llabs(r - h) < 2000000000LL,
	   "clock_gettime(REALTIME) within 2 s of the host's (off by %lld ms)",
	   (r - h) / 1000000);

	is_ret(SC(gettimeofday, &tv, NULL), 0, "gettimeofday");
	ok(llabs(tv.tv_sec - h / 1000000000LL) <= 2,
	   "gettimeofday agrees with the host's realtime clock");

	is_ret(SC(clock_getres, LKL_CLOCK_MONOTONIC, &res), 0, "clock_getres");
	ok(res.tv_sec == 0 && res.tv_nsec > 0,
	   "clock_getres(MONOTONIC) is a sub-second resolution (%lld ns)",
	   (long long)res.tv_nsec);

	/* A lower bound only: sleeping can never be shorter than asked. */
	req.tv_sec = 0;
	req.tv_nsec = 100 * 1000000;
	h0 = host_ns(CLOCK_MONOTONIC);
	k0 = lkl_ns(LKL_CLOCK_MONOTONIC);
	is_ret(SC(nanosleep, &req, &rem), 0, "nanosleep(100 ms)");
	t = host_ns(CLOCK_MONOTONIC) - h0;
	ok(t >= 100000000LL, "nanosleep(100 ms) took %lld ms of host time",
	   t / 1000000);
	ok(lkl_ns(LKL_CLOCK_MONOTONIC) - k0 >= 100000000LL,
	   "nanosleep(100 ms) took at least 100 ms of kernel time");

	k0 = lkl_ns(LKL_CLOCK_MONOTONIC) + 50000000LL;
	req.tv_sec = k0 / 1000000000LL;
	req.tv_nsec = k0 % 1000000000LL;
	is_ret(SC(clock_nanosleep, LKL_CLOCK_MONOTONIC, LKL_TIMER_ABSTIME, &req,
		  NULL), 0, "clock_nanosleep(TIMER_ABSTIME, now + 50 ms)");
	ok(lkl_ns(LKL_CLOCK_MONOTONIC) >= k0,
	   "clock_nanosleep returned after its absolute deadline");
}

/* ---- pseudo filesystems ---- */

static void test_proc(void)
{
	char buf[8192], want[64];
	struct lkl_statfs sfs;

	is_ret(lkl_mount_fs("proc"), 0, "mount proc at /proc");
	is_ret(SC(statfs, "/proc", &sfs), 0, "statfs(/proc)");
	is_ret(sfs.f_type, LKL_PROC_SUPER_MAGIC, "/proc is procfs");

	is_ge0(read_file("/proc/thread-self/status", buf, sizeof(buf)),
	       "read /proc/thread-self/status");
	snprintf(want, sizeof(want), "\nPid:\t%ld\n", SC(gettid));
	ok(strstr(buf, "Name:\tboot-main\n") && strstr(buf, "\nTgid:\t1\n") &&
	   strstr(buf, want),
	   "status names this task: boot-main, Tgid 1, Pid = gettid()");

	is_ge0(read_file("/proc/self/status", buf, sizeof(buf)),
	       "read /proc/self/status");
	ok(strstr(buf, "\nTgid:\t1\n") && strstr(buf, "\nThreads:\t"),
	   "/proc/self/status is pid 1's");

	is_ge0(read_file("/proc/meminfo", buf, sizeof(buf)), "read /proc/meminfo");
	ok(!strncmp(buf, "MemTotal:", 9), "/proc/meminfo starts with MemTotal");

	is_ge0(read_file("/proc/mounts", buf, sizeof(buf)), "read /proc/mounts");
	ok(strstr(buf, "proc /proc proc ") != NULL, "/proc/mounts lists /proc");
	snprintf(want, sizeof(want), " %s ext4 ", mnt);
	ok(strstr(buf, want) != NULL, "/proc/mounts lists the ext4 disk on %s",
	   mnt);
}

static void test_sysfs_devtmpfs(void)
{
	struct lkl_statfs sfs;
	struct lkl_stat st;
	char buf[64], zeros[16];
	long ret, fd;
	int i, all_zero = 1;

	ret = lkl_mount_fs("sysfs");
	ok(ret == 0 || ret == 1, "sysfs mounted at /sysfs (ret %ld)", ret);
	is_ret(SC(statfs, "/sysfs", &sfs), 0, "statfs(/sysfs)");
	is_ret(sfs.f_type, LKL_SYSFS_MAGIC, "/sysfs is sysfs");
	is_ge0(read_file("/sysfs/block/vda/size", buf, sizeof(buf)),
	       "read /sysfs/block/vda/size");
	is_ret(atol(buf), 64 << 11, "the disk has 64 MiB in 512-byte sectors");

	is_ret(lkl_mount_fs("devtmpfs"), 0, "mount devtmpfs at /devtmpfs");
	is_ret(SC(newfstatat, LKL_AT_FDCWD, "/devtmpfs/null", &st, 0), 0,
	       "stat /devtmpfs/null");
	ok(LKL_S_ISCHR(st.st_mode) && st.st_rdev == ((1 << 8) | 3),
	   "/devtmpfs/null is character device 1:3");
	is_ret(SC(newfstatat, LKL_AT_FDCWD, "/devtmpfs/vda", &st, 0), 0,
	       "stat /devtmpfs/vda");
	ok(LKL_S_ISBLK(st.st_mode), "devtmpfs made a node for the disk");

	fd = SC(openat, LKL_AT_FDCWD, "/devtmpfs/null", LKL_O_WRONLY, 0);
	is_ret(SC(write, fd, "discard", 7), 7, "write to /dev/null");
	SC(close, fd);
	fd = SC(openat, LKL_AT_FDCWD, "/devtmpfs/zero", LKL_O_RDONLY, 0);
	memset(zeros, 0x55, sizeof(zeros));
	is_ret(SC(read, fd, zeros, sizeof(zeros)), sizeof(zeros),
	       "read /dev/zero");
	for (i = 0; i < (int)sizeof(zeros); i++)
		if (zeros[i])
			all_zero = 0;
	ok(all_zero, "/dev/zero reads zeros");
	SC(close, fd);
}

static void test_tmpfs(void)
{
	struct lkl_statfs sfs;
	struct lkl_stat st;
	char buf[64];
	long ret, fd;

	ret = SC(mkdirat, LKL_AT_FDCWD, "/tmp", 01777);
	ok(ret == 0 || ret == -LKL_EEXIST, "mkdir /tmp");
	is_ret(SC(mount, "tmpfs", "/tmp", "tmpfs", 0, NULL), 0,
	       "mount tmpfs on /tmp");
	is_ret(SC(statfs, "/tmp", &sfs), 0, "statfs(/tmp)");
	ok(sfs.f_type == LKL_TMPFS_MAGIC || sfs.f_type == LKL_RAMFS_MAGIC,
	   "/tmp is tmpfs (magic %#lx)", (unsigned long)sfs.f_type);

	is_ret(write_file("/tmp/hello", "hello, tmpfs\n", LKL_O_EXCL), 13,
	       "write a file on tmpfs");
	ret = read_file("/tmp/hello", buf, sizeof(buf));
	ok(ret == 13 && !strcmp(buf, "hello, tmpfs\n"),
	   "the tmpfs file reads back");

	is_ret(SC(mknodat, LKL_AT_FDCWD, "/tmp/fifo", LKL_S_IFIFO | 0600, 0), 0,
	       "mknodat(S_IFIFO)");
	is_ret(SC(newfstatat, LKL_AT_FDCWD, "/tmp/fifo", &st, 0), 0, "stat fifo");
	ok(LKL_S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0600,
	   "the node is a fifo, mode 0600");
	fd = SC(openat, LKL_AT_FDCWD, "/tmp/fifo", LKL_O_RDWR | LKL_O_NONBLOCK, 0);
	is_ge0(fd, "open the fifo read-write");
	is_ret(SC(write, fd, "through", 7), 7, "write into the fifo");
	memset(buf, 0, sizeof(buf));
	ret = SC(read, fd, buf, sizeof(buf));
	ok(ret == 7 && !memcmp(buf, "through", 7), "read it back from the fifo");
	is_ret(SC(read, fd, buf, sizeof(buf)), -LKL_EAGAIN,
	       "empty non-blocking fifo: EAGAIN");
	SC(close, fd);

	is_ret(SC(umount2, "/tmp", 0), 0, "umount /tmp");
	is_ret(SC(faccessat, LKL_AT_FDCWD, "/tmp/hello", LKL_F_OK), -LKL_ENOENT,
	       "the tmpfs file went with the mount");
}

static void test_memfd(void)
{
	char path[64], link[128], buf[32];
	struct lkl_stat st;
	long fd, ret;

	fd = SC(memfd_create, "kbox", LKL_MFD_CLOEXEC);
	/* Needs lkl/patches/0001-shmem-nommu-empty-files.patch. */
	is_ge0(fd, "memfd_create");
	is_ret(SC(write, fd, "in memory", 9), 9, "write to the memfd");
	memset(buf, 0, sizeof(buf));
	ret = SC(pread64, fd, buf, sizeof(buf), 0);
	ok(ret == 9 && !strcmp(buf, "in memory"), "pread64 from the memfd");
	is_ret(SC(ftruncate, fd, 8192), 0, "ftruncate the memfd");
	SC(fstat, fd, &st);
	ok(st.st_size == 8192 && LKL_S_ISREG(st.st_mode),
	   "the memfd is a regular file of 8192 bytes");
	snprintf(path, sizeof(path), "/proc/self/fd/%ld", fd);
	memset(link, 0, sizeof(link));
	SC(readlinkat, LKL_AT_FDCWD, path, link, sizeof(link) - 1);
	is_str(link, "/memfd:kbox (deleted)", "/proc/self/fd names the memfd");
	SC(close, fd);
}

/* ---- files on ext4 ---- */

static int file_is(const char *path, const char *want)
{
	char buf[256];
	long n = read_file(path, buf, sizeof(buf));

	return n == (long)strlen(want) && !memcmp(buf, want, n);
}

static void test_files(void)
{
	static const char content[] = "HELLO world\nabcdefghi";	/* 21 bytes */
	struct lkl_iovec iov[3];
	struct lkl_statfs sfs;
	struct lkl_stat st;
	char buf[128], a[8], b[8], zeros[512];
	lkl_loff_t off, off2;
	long fd, out, ret, bs;
	int p[2], i, all_zero = 1;

	SC(statfs, ".", &sfs);
	bs = sfs.f_bsize;

	fd = SC(openat, LKL_AT_FDCWD, "data",
		LKL_O_CREAT | LKL_O_EXCL | LKL_O_RDWR | LKL_O_CLOEXEC, 0644);
	is_ge0(fd, "openat(O_CREAT|O_EXCL) on ext4");
	is_ret(SC(openat, LKL_AT_FDCWD, "data", LKL_O_CREAT | LKL_O_EXCL |
		  LKL_O_RDWR, 0644), -LKL_EEXIST, "O_EXCL on an existing file");
	is_ret(SC(write, fd, "hello world\n", 12), 12, "write");
	is_ret(SC(lseek, fd, 0, LKL_SEEK_SET), 0, "lseek(SEEK_SET)");
	memset(buf, 0, sizeof(buf));
	ret = SC(read, fd, buf, sizeof(buf));
	ok(ret == 12 && !strcmp(buf, "hello world\n"), "read it back");
	is_ret(SC(pwrite64, fd, "HELLO", 5, 0), 5, "pwrite64 at 0");
	memset(buf, 0, sizeof(buf));
	ret = SC(pread64, fd, buf, 5, 0);
	ok(ret == 5 && !strcmp(buf, "HELLO"), "pread64 sees it");
	is_ret(SC(lseek, fd, 0, LKL_SEEK_CUR), 12,
	       "pread64/pwrite64 leave the offset alone");

	iov[0] = (struct lkl_iovec){ "abc", 3 };
	iov[1] = (struct lkl_iovec){ "defg", 4 };
	iov[2] = (struct lkl_iovec){ "hi", 2 };
	is_ret(SC(writev, fd, iov, 3), 9, "writev of 3 buffers");
	is_ret(SC(lseek, fd, 12, LKL_SEEK_SET), 12, "lseek back");
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	iov[0] = (struct lkl_iovec){ a, 5 };
	iov[1] = (struct lkl_iovec){ b, 7 };
	ret = SC(readv, fd, iov, 2);
	ok(ret == 9 && !strcmp(a, "abcde") && !strcmp(b, "fghi"),
	   "readv scatters into 2 buffers");
	is_ret(SC(lseek, fd, 0, LKL_SEEK_END), 21, "lseek(SEEK_END) is the size");

	is_ret(SC(ftruncate, fd, 4 * bs), 0, "ftruncate to 4 blocks");
	SC(fstat, fd, &st);
	is_ret(st.st_size, 4 * bs, "fstat: size after ftruncate");
	is_ret(SC(lseek, fd, 0, LKL_SEEK_HOLE), bs,
	       "lseek(SEEK_HOLE): the extension is a hole");
	is_ret(SC(fallocate, fd, 0, 4 * bs, 1 << 20), 0, "fallocate 1 MiB");
	SC(fstat, fd, &st);
	ok(st.st_size == 4 * bs + (1 << 20) && st.st_blocks * 512 >= (1 << 20),
	   "fallocate grew the file and allocated its blocks");
	SC(pwrite64, fd, "xxxx", 4, 8 * bs);
	is_ret(SC(fallocate, fd, LKL_FALLOC_FL_PUNCH_HOLE | LKL_FALLOC_FL_KEEP_SIZE,
		  8 * bs, bs), 0, "fallocate(PUNCH_HOLE)");
	memset(zeros, 0x55, sizeof(zeros));
	SC(pread64, fd, zeros, sizeof(zeros), 8 * bs);
	for (i = 0; i < (int)sizeof(zeros); i++)
		if (zeros[i])
			all_zero = 0;
	ok(all_zero, "the punched range reads as zeros");
	is_ret(SC(fsync, fd), 0, "fsync");
	is_ret(SC(fdatasync, fd), 0, "fdatasync");
	is_ret(SC(fadvise64, fd, 0, 0, LKL_POSIX_FADV_WILLNEED), 0,
	       "fadvise64(WILLNEED)");
	is_ret(SC(readahead, fd, 0, 4096), 0, "readahead");
	is_ret(SC(syncfs, fd), 0, "syncfs");

	/* Copy the first 21 bytes three ways. */
	out = SC(openat, LKL_AT_FDCWD, "copy1", LKL_O_CREAT | LKL_O_WRONLY, 0644);
	off = 0;
	is_ret(SC(sendfile, out, fd, &off, 21), 21, "sendfile file to file");
	ok(off == 21, "sendfile advanced the offset");
	SC(close, out);
	ok(file_is("copy1", content), "sendfile copied the bytes");

	out = SC(openat, LKL_AT_FDCWD, "copy2", LKL_O_CREAT | LKL_O_WRONLY, 0644);
	off = 0;
	off2 = 0;
	is_ret(SC(copy_file_range, fd, &off, out, &off2, 21, 0), 21,
	       "copy_file_range");
	SC(close, out);
	ok(file_is("copy2", content), "copy_file_range copied the bytes");

	out = SC(openat, LKL_AT_FDCWD, "copy3", LKL_O_CREAT | LKL_O_WRONLY, 0644);
	SC(pipe2, p, LKL_O_CLOEXEC);
	off = 0;
	is_ret(SC(splice, fd, &off, p[1], NULL, 21, 0), 21, "splice file to pipe");
	off = 0;
	is_ret(SC(splice, p[0], NULL, out, &off, 21, 0), 21, "splice pipe to file");
	SC(close, p[0]);
	SC(close, p[1]);
	SC(close, out);
	ok(file_is("copy3", content), "splice copied the bytes");

	is_ret(SC(truncate, "copy1", 5), 0, "truncate by path");
	ok(file_is("copy1", "HELLO"), "truncate cut the file");
	SC(close, fd);
	SC(unlinkat, LKL_AT_FDCWD, "copy1", 0);
	SC(unlinkat, LKL_AT_FDCWD, "copy2", 0);
	SC(unlinkat, LKL_AT_FDCWD, "copy3", 0);
}

/* ---- directories ---- */

static void test_dirs(void)
{
	char buf[4096], cwd[256], want[256];
	struct lkl_stat st, st2;
	long dfd, n, off, ret;
	int seen = 0, types_ok = 1;

	is_ret(SC(mkdirat, LKL_AT_FDCWD, "dir", 0755), 0, "mkdirat");
	is_ret(SC(mkdirat, LKL_AT_FDCWD, "dir", 0755), -LKL_EEXIST,
	       "mkdirat on an existing name: EEXIST");
	write_file("dir/a", "A", 0);
	write_file("dir/b", "B", 0);
	SC(mkdirat, LKL_AT_FDCWD, "dir/sub", 0755);

	dfd = SC(openat, LKL_AT_FDCWD, "dir", LKL_O_RDONLY | LKL_O_DIRECTORY, 0);
	is_ge0(dfd, "open a directory");
	n = SC(getdents64, dfd, (struct lkl_linux_dirent64 *)buf, sizeof(buf));
	ok(n > 0, "getdents64");
	for (off = 0; off < n;) {
		struct lkl_linux_dirent64 *d = (void *)(buf + off);

		if (!strcmp(d->d_name, "."))
			seen |= 1;
		else if (!strcmp(d->d_name, ".."))
			seen |= 2;
		else if (!strcmp(d->d_name, "a"))
			seen |= 4, types_ok &= d->d_type == LKL_DT_REG;
		else if (!strcmp(d->d_name, "b"))
			seen |= 8, types_ok &= d->d_type == LKL_DT_REG;
		else if (!strcmp(d->d_name, "sub"))
			seen |= 16, types_ok &= d->d_type == LKL_DT_DIR;
		else
			seen |= 32;
		off += d->d_reclen;
	}
	ok(seen == 31 && types_ok,
	   "getdents64 lists ., .., a, b, sub with their types");
	is_ret(SC(getdents64, dfd, (struct lkl_linux_dirent64 *)buf, sizeof(buf)),
	       0, "getdents64 at the end returns 0");

	is_ret(SC(renameat2, dfd, "a", dfd, "c", 0), 0, "renameat2");
	is_ret(SC(faccessat, dfd, "a", LKL_F_OK), -LKL_ENOENT,
	       "the old name is gone");
	is_ret(SC(renameat2, dfd, "b", dfd, "c", LKL_RENAME_NOREPLACE),
	       -LKL_EEXIST, "renameat2(RENAME_NOREPLACE) onto a file: EEXIST");
	is_ret(SC(renameat2, dfd, "b", dfd, "c", LKL_RENAME_EXCHANGE), 0,
	       "renameat2(RENAME_EXCHANGE)");
	ok(file_is("dir/c", "B") && file_is("dir/b", "A"),
	   "RENAME_EXCHANGE swapped the files");

	is_ret(SC(linkat, dfd, "c", dfd, "hard", 0), 0, "linkat");
	SC(newfstatat, dfd, "c", &st, 0);
	SC(newfstatat, dfd, "hard", &st2, 0);
	ok(st.st_nlink == 2 && st.st_ino == st2.st_ino,
	   "a hard link shares the inode, nlink 2");
	is_ret(SC(symlinkat, "c", dfd, "sym"), 0, "symlinkat");
	memset(buf, 0, 64);
	is_ret(SC(readlinkat, dfd, "sym", buf, 64), 1, "readlinkat");
	is_str(buf, "c", "readlinkat returns the target");
	SC(newfstatat, dfd, "sym", &st2, LKL_AT_SYMLINK_NOFOLLOW);
	ok(LKL_S_ISLNK(st2.st_mode), "newfstatat(AT_SYMLINK_NOFOLLOW) sees a link");
	SC(newfstatat, dfd, "sym", &st2, 0);
	ok(LKL_S_ISREG(st2.st_mode) && st2.st_ino == st.st_ino,
	   "newfstatat follows the link to its target");

	is_ret(SC(unlinkat, dfd, "sub", 0), -LKL_EISDIR,
	       "unlinkat of a directory without AT_REMOVEDIR: EISDIR");
	is_ret(SC(unlinkat, LKL_AT_FDCWD, "dir", LKL_AT_REMOVEDIR), -LKL_ENOTEMPTY,
	       "rmdir of a non-empty directory: ENOTEMPTY");
	is_ret(lkl_sys_rmdir("dir/sub"), 0, "rmdir");

	memset(cwd, 0, sizeof(cwd));
	ret = SC(getcwd, cwd, sizeof(cwd));
	ok(ret > 0 && !strcmp(cwd, mnt), "getcwd is the ext4 mount");
	is_ret(SC(fchdir, dfd), 0, "fchdir");
	SC(getcwd, cwd, sizeof(cwd));
	snprintf(want, sizeof(want), "%s/dir", mnt);
	is_str(cwd, want, "getcwd after fchdir");
	is_ret(SC(chdir, ".."), 0, "chdir(..)");
	SC(getcwd, cwd, sizeof(cwd));
	is_str(cwd, mnt, "getcwd after chdir(..)");

	SC(unlinkat, dfd, "sym", 0);
	SC(unlinkat, dfd, "hard", 0);
	SC(unlinkat, dfd, "b", 0);
	is_ret(SC(unlinkat, dfd, "c", 0), 0, "unlinkat");
	SC(close, dfd);
	is_ret(SC(unlinkat, LKL_AT_FDCWD, "dir", LKL_AT_REMOVEDIR), 0,
	       "unlinkat(AT_REMOVEDIR) of the emptied directory");
}

/* ---- metadata ---- */

static void test_metadata(void)
{
	struct __lkl__kernel_timespec times[2] = {
		{ 1000000000, 0 }, { 1234567890, 123456789 },
	};
	struct lkl_statx stx;
	struct lkl_statfs sfs;
	struct lkl_stat st, st2;
	long old, fd;

	old = SC(umask, 077);
	is_ret(old, 022, "umask: the default is 022");
	fd = SC(openat, LKL_AT_FDCWD, "meta", LKL_O_CREAT | LKL_O_RDWR, 0666);
	is_ret(SC(umask, old), 077, "umask returns the previous mask");
	SC(fstat, fd, &st);
	is_ret(st.st_mode & 07777, 0600, "umask applied at creation: 0666 & ~077");

	is_ret(SC(fchmodat, LKL_AT_FDCWD, "meta", 0640), 0, "fchmodat");
	is_ret(SC(fchownat, LKL_AT_FDCWD, "meta", 1000, 1001, 0), 0, "fchownat");
	is_ret(SC(utimensat, LKL_AT_FDCWD, "meta", times, 0), 0, "utimensat");
	is_ret(SC(newfstatat, LKL_AT_FDCWD, "meta", &st, 0), 0, "newfstatat");
	ok((st.st_mode & 07777) == 0640 && st.st_uid == 1000 && st.st_gid == 1001,
	   "mode 0640 and owner 1000:1001 stuck");
	ok(st.lkl_st_atime == 1000000000 && st.lkl_st_mtime == 1234567890 &&
	   st.st_mtime_nsec == 123456789,
	   "utimensat set atime and mtime to the nanosecond");
	SC(fstat, fd, &st2);
	ok(st2.st_ino == st.st_ino && st2.st_dev == st.st_dev,
	   "fstat and newfstatat agree");

	memset(&stx, 0, sizeof(stx));
	is_ret(SC(statx, LKL_AT_FDCWD, "meta", 0,
		  LKL_STATX_BASIC_STATS | LKL_STATX_BTIME, &stx), 0, "statx");
	ok((stx.stx_mask & LKL_STATX_BASIC_STATS) == LKL_STATX_BASIC_STATS &&
	   stx.stx_ino == st.st_ino && (stx.stx_mode & 07777) == 0640 &&
	   stx.stx_uid == 1000, "statx: basic stats match newfstatat");
	ok((stx.stx_mask & LKL_STATX_BTIME) && stx.stx_btime.tv_sec > 0,
	   "statx: ext4 reports a birth time");

	is_ret(SC(faccessat, LKL_AT_FDCWD, "meta", LKL_R_OK | LKL_W_OK), 0,
	       "faccessat(R_OK|W_OK)");
	is_ret(SC(faccessat, LKL_AT_FDCWD, "nonexistent", LKL_F_OK), -LKL_ENOENT,
	       "faccessat on a missing file: ENOENT");

	is_ret(SC(statfs, ".", &sfs), 0, "statfs on ext4");
	ok(sfs.f_type == LKL_EXT4_SUPER_MAGIC && sfs.f_blocks > 0 &&
	   sfs.f_bfree <= sfs.f_blocks && sfs.f_namelen == 255,
	   "statfs: ext4 magic, sane counts");
	memset(&sfs, 0, sizeof(sfs));
	is_ret(SC(fstatfs, fd, &sfs), 0, "fstatfs");
	is_ret(sfs.f_type, LKL_EXT4_SUPER_MAGIC, "fstatfs: ext4 magic");
	SC(close, fd);
}

/* ---- extended attributes and POSIX ACLs ---- */

static void test_xattr(void)
{
	char buf[256];
	long fd, n;

	is_ret(SC(setxattr, "meta", "user.kbox", "value1", 6, 0), 0,
	       "setxattr(user.kbox)");
	is_ret(SC(getxattr, "meta", "user.kbox", NULL, 0), 6,
	       "getxattr size query");
	memset(buf, 0, sizeof(buf));
	is_ret(SC(getxattr, "meta", "user.kbox", buf, sizeof(buf)), 6, "getxattr");
	is_str(buf, "value1", "getxattr returns the value");
	is_ret(SC(setxattr, "meta", "user.kbox", "x", 1, LKL_XATTR_CREATE),
	       -LKL_EEXIST, "setxattr(XATTR_CREATE) on an existing name: EEXIST");
	is_ret(SC(setxattr, "meta", "user.kbox", "value-two", 9,
		  LKL_XATTR_REPLACE), 0, "setxattr(XATTR_REPLACE)");
	fd = SC(openat, LKL_AT_FDCWD, "meta", LKL_O_RDONLY, 0);
	is_ret(SC(fsetxattr, fd, "user.other", "o", 1, 0), 0, "fsetxattr");
	memset(buf, 0, sizeof(buf));
	is_ret(SC(fgetxattr, fd, "user.kbox", buf, sizeof(buf)), 9, "fgetxattr");
	is_str(buf, "value-two", "the replaced value");
	SC(close, fd);

	memset(buf, 0, sizeof(buf));
	n = SC(listxattr, "meta", buf, sizeof(buf));
	ok(n == (long)sizeof("user.kbox") + (long)sizeof("user.other") &&
	   (!strcmp(buf, "user.kbox") || !strcmp(buf, "user.other")),
	   "listxattr lists both names");
	is_ret(SC(removexattr, "meta", "user.kbox"), 0, "removexattr");
	is_ret(SC(getxattr, "meta", "user.kbox", buf, sizeof(buf)), -LKL_ENODATA,
	       "a removed attribute: ENODATA");
	SC(removexattr, "meta", "user.other");
	is_ret(SC(listxattr, "meta", buf, sizeof(buf)), 0, "no attributes left");
}

/* The on-disk/xattr form of a POSIX ACL (linux/posix_acl_xattr.h). */
#define ACL_XATTR_VERSION	2
#define ACL_USER_OBJ		0x01
#define ACL_USER		0x02
#define ACL_GROUP_OBJ		0x04
#define ACL_MASK		0x10
#define ACL_OTHER		0x20
#define ACL_UNDEFINED_ID	0xffffffffU

struct acl_entry {
	uint16_t tag, perm;
	uint32_t id;
};

struct acl_xattr {
	uint32_t version;
	struct acl_entry e[5];
};

static void test_acl(void)
{
	struct acl_xattr ext = {
		ACL_XATTR_VERSION, {
			{ ACL_USER_OBJ, 6, ACL_UNDEFINED_ID },
			{ ACL_USER, 7, 1000 },
			{ ACL_GROUP_OBJ, 4, ACL_UNDEFINED_ID },
			{ ACL_MASK, 5, ACL_UNDEFINED_ID },
			{ ACL_OTHER, 0, ACL_UNDEFINED_ID },
		}
	};
	struct acl_xattr minimal = {
		ACL_XATTR_VERSION, {
			{ ACL_USER_OBJ, 7, ACL_UNDEFINED_ID },
			{ ACL_GROUP_OBJ, 5, ACL_UNDEFINED_ID },
			{ ACL_OTHER, 4, ACL_UNDEFINED_ID },
		}
	};
	struct acl_xattr got;
	struct lkl_stat st;
	char list[256];
	long n;

	write_file("acl", "acl", 0);
	SC(fchmodat, LKL_AT_FDCWD, "acl", 0640);
	is_ret(SC(setxattr, "acl", LKL_XATTR_NAME_POSIX_ACL_ACCESS, &ext,
		  sizeof(ext), 0), 0, "set an extended ACL (user 1000: rwx, mask r-x)");
	SC(newfstatat, LKL_AT_FDCWD, "acl", &st, 0);
	is_ret(st.st_mode & 0777, 0650,
	       "the group bits of the mode show the ACL mask");
	memset(&got, 0, sizeof(got));
	n = SC(getxattr, "acl", LKL_XATTR_NAME_POSIX_ACL_ACCESS, &got, sizeof(got));
	ok(n == sizeof(ext) && !memcmp(&got, &ext, sizeof(ext)),
	   "getxattr returns the ACL as set");
	memset(list, 0, sizeof(list));
	n = SC(listxattr, "acl", list, sizeof(list));
	ok(n == sizeof(LKL_XATTR_NAME_POSIX_ACL_ACCESS) &&
	   !strcmp(list, LKL_XATTR_NAME_POSIX_ACL_ACCESS),
	   "listxattr shows system.posix_acl_access");

	/* chmod rewrites the mask entry, not the named user's. */
	SC(fchmodat, LKL_AT_FDCWD, "acl", 0600);
	n = SC(getxattr, "acl", LKL_XATTR_NAME_POSIX_ACL_ACCESS, &got, sizeof(got));
	ok(n == sizeof(ext) && got.e[3].tag == ACL_MASK && got.e[3].perm == 0 &&
	   got.e[1].tag == ACL_USER && got.e[1].perm == 7,
	   "chmod 0600 set the ACL mask to ---");

	/* An ACL the mode bits can express is no ACL: it becomes the mode. */
	is_ret(SC(setxattr, "acl", LKL_XATTR_NAME_POSIX_ACL_ACCESS, &minimal,
		  4 + 3 * sizeof(struct acl_entry), 0), 0, "set a minimal ACL");
	SC(newfstatat, LKL_AT_FDCWD, "acl", &st, 0);
	is_ret(st.st_mode & 0777, 0754, "a minimal ACL is folded into the mode");
	is_ret(SC(getxattr, "acl", LKL_XATTR_NAME_POSIX_ACL_ACCESS, &got,
		  sizeof(got)), -LKL_ENODATA, "and no ACL is stored");
	SC(unlinkat, LKL_AT_FDCWD, "acl", 0);
}

/* ---- helper threads ---- */

typedef void *(*thread_fn)(void *);

static pthread_t start_thread(thread_fn fn, void *arg)
{
	pthread_t t;

	if (pthread_create(&t, NULL, fn, arg)) {
		perror("pthread_create");
		exit(2);
	}
	return t;
}

/* A thread that makes one blocking call and reports back. */
struct blocker {
	long fd;
	long tid;
	long ret;
	int started;
	int done;
};

static void *flock_blocker(void *arg)
{
	struct blocker *b = arg;

	b->tid = SC(gettid);
	set_flag(&b->started);
	b->ret = SC(flock, b->fd, LKL_LOCK_EX);
	set_flag(&b->done);
	return NULL;
}

static struct lkl_flock mk_lock(short type, long start, long len)
{
	struct lkl_flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = LKL_SEEK_SET;
	fl.l_start = start;
	fl.l_len = len;
	return fl;
}

static void *ofd_blocker(void *arg)
{
	struct blocker *b = arg;
	struct lkl_flock fl = mk_lock(LKL_F_WRLCK, 50, 10);

	b->tid = SC(gettid);
	b->fd = SC(openat, LKL_AT_FDCWD, "lockf", LKL_O_RDWR, 0);
	/* An OFD lock's owner is the open file, so the conflict is seen. */
	b->ret = SC(fcntl, b->fd, LKL_F_OFD_SETLK, (unsigned long)&fl);
	set_flag(&b->started);
	if (b->ret == -LKL_EAGAIN)
		b->ret = SC(fcntl, b->fd, LKL_F_OFD_SETLKW, (unsigned long)&fl);
	set_flag(&b->done);
	return NULL;
}

static void test_locks(void)
{
	struct lkl_flock fl;
	struct blocker b;
	pthread_t t;
	long fd1, fd2;

	fd1 = SC(openat, LKL_AT_FDCWD, "lockf", LKL_O_CREAT | LKL_O_RDWR, 0644);
	fd2 = SC(openat, LKL_AT_FDCWD, "lockf", LKL_O_RDWR, 0);
	SC(ftruncate, fd1, 4096);

	/* flock: per open file. */
	is_ret(SC(flock, fd1, LKL_LOCK_EX), 0, "flock(LOCK_EX)");
	is_ret(SC(flock, fd2, LKL_LOCK_EX | LKL_LOCK_NB), -LKL_EWOULDBLOCK,
	       "flock(LOCK_EX|LOCK_NB) on another open file: EWOULDBLOCK");
	is_ret(SC(flock, fd2, LKL_LOCK_SH | LKL_LOCK_NB), -LKL_EWOULDBLOCK,
	       "flock(LOCK_SH|LOCK_NB) against an exclusive lock: EWOULDBLOCK");

	memset(&b, 0, sizeof(b));
	b.fd = fd2;
	t = start_thread(flock_blocker, &b);
	ok(wait_flag(&b.started) && wait_sleeping(b.tid) && !get_flag(&b.done),
	   "another thread's flock(LOCK_EX) sleeps while the lock is held");
	is_ret(SC(flock, fd1, LKL_LOCK_UN), 0, "flock(LOCK_UN)");
	pthread_join(t, NULL);
	is_ret(b.ret, 0, "the waiting thread got the lock once it was released");
	is_ret(SC(flock, fd1, LKL_LOCK_SH | LKL_LOCK_NB), -LKL_EWOULDBLOCK,
	       "and holds it: the first file cannot lock now");
	SC(flock, fd2, LKL_LOCK_UN);

	/* POSIX locks: all host threads are one process. */
	fl = mk_lock(LKL_F_WRLCK, 0, 100);
	is_ret(SC(fcntl, fd1, LKL_F_SETLK, (unsigned long)&fl), 0,
	       "fcntl(F_SETLK) write lock on bytes 0-99");
	fl = mk_lock(LKL_F_WRLCK, 0, 100);
	is_ret(SC(fcntl, fd2, LKL_F_GETLK, (unsigned long)&fl), 0,
	       "fcntl(F_GETLK) through another descriptor");
	is_ret(fl.l_type, LKL_F_UNLCK,
	       "F_GETLK: no conflict with our own process's lock");
	fl = mk_lock(LKL_F_WRLCK, 0, 100);
	is_ret(SC(fcntl, fd2, LKL_F_OFD_GETLK, (unsigned long)&fl), 0,
	       "fcntl(F_OFD_GETLK)");
	ok(fl.l_type == LKL_F_WRLCK && fl.l_pid == 1 && fl.l_start == 0 &&
	   fl.l_len == 100, "F_OFD_GETLK: pid 1's POSIX lock conflicts");

	/* OFD locks between two tasks. */
	memset(&b, 0, sizeof(b));
	t = start_thread(ofd_blocker, &b);
	ok(wait_flag(&b.started) && b.ret == -LKL_EAGAIN,
	   "another thread's F_OFD_SETLK on bytes 50-59: EAGAIN");
	ok(wait_sleeping(b.tid) && !get_flag(&b.done),
	   "its F_OFD_SETLKW sleeps while the POSIX lock is held");
	fl = mk_lock(LKL_F_UNLCK, 0, 100);
	is_ret(SC(fcntl, fd1, LKL_F_SETLK, (unsigned long)&fl), 0,
	       "fcntl(F_SETLK, F_UNLCK)");
	pthread_join(t, NULL);
	is_ret(b.ret, 0, "F_OFD_SETLKW got the lock once it was released");
	fl = mk_lock(LKL_F_WRLCK, 0, 100);
	is_ret(SC(fcntl, fd1, LKL_F_SETLK, (unsigned long)&fl), -LKL_EAGAIN,
	       "now our F_SETLK conflicts with the other thread's OFD lock");
	fl = mk_lock(LKL_F_WRLCK, 0, 100);
	SC(fcntl, fd1, LKL_F_GETLK, (unsigned long)&fl);
	ok(fl.l_type == LKL_F_WRLCK && fl.l_pid == -1 && fl.l_start == 50 &&
	   fl.l_len == 10, "F_GETLK reports the OFD lock (pid -1, bytes 50-59)");
	SC(close, b.fd);
	fl = mk_lock(LKL_F_WRLCK, 0, 100);
	is_ret(SC(fcntl, fd1, LKL_F_SETLK, (unsigned long)&fl), 0,
	       "closing the other file released its OFD lock");
	SC(close, fd1);
	SC(close, fd2);
	SC(unlinkat, LKL_AT_FDCWD, "lockf", 0);
}

/* ---- pipes and descriptors ---- */

static void test_pipes(void)
{
	char buf[4096];
	long d, total, n;
	int p[2];

	is_ret(SC(pipe2, p, LKL_O_NONBLOCK | LKL_O_CLOEXEC), 0,
	       "pipe2(O_NONBLOCK|O_CLOEXEC)");
	is_ret(SC(read, p[0], buf, sizeof(buf)), -LKL_EAGAIN,
	       "read from an empty non-blocking pipe: EAGAIN");
	ok(SC(fcntl, p[0], LKL_F_GETFL, 0) & LKL_O_NONBLOCK,
	   "F_GETFL shows O_NONBLOCK");
	is_ret(SC(fcntl, p[0], LKL_F_GETFD, 0), LKL_FD_CLOEXEC,
	       "F_GETFD shows FD_CLOEXEC");
	is_ret(SC(write, p[1], "ping", 4), 4, "write to the pipe");
	memset(buf, 0, 8);
	n = SC(read, p[0], buf, sizeof(buf));
	ok(n == 4 && !strcmp(buf, "ping"), "read from the pipe");

	d = SC(dup, p[1]);
	is_ge0(d, "dup");
	is_ret(SC(fcntl, d, LKL_F_GETFD, 0), 0, "dup does not copy FD_CLOEXEC");
	is_ret(SC(dup3, p[1], 100, LKL_O_CLOEXEC), 100, "dup3 to descriptor 100");
	is_ret(SC(fcntl, 100, LKL_F_GETFD, 0), LKL_FD_CLOEXEC,
	       "dup3(O_CLOEXEC) sets FD_CLOEXEC");
	is_ret(SC(dup3, d, d, 0), -LKL_EINVAL, "dup3 onto itself: EINVAL");
	SC(write, 100, "dup", 3);
	memset(buf, 0, 8);
	n = SC(read, p[0], buf, sizeof(buf));
	ok(n == 3 && !strcmp(buf, "dup"), "the duplicate writes into the same pipe");

	SC(dup3, p[1], 101, 0);
	SC(dup3, p[1], 102, 0);
	is_ret(SC(close_range, 101, 102, LKL_CLOSE_RANGE_CLOEXEC), 0,
	       "close_range(CLOSE_RANGE_CLOEXEC)");
	is_ret(SC(fcntl, 102, LKL_F_GETFD, 0), LKL_FD_CLOEXEC,
	       "close_range marked the range close-on-exec");
	is_ret(SC(close_range, 100, 102, 0), 0, "close_range(100, 102)");
	ok(SC(fcntl, 100, LKL_F_GETFD, 0) == -LKL_EBADF &&
	   SC(fcntl, 101, LKL_F_GETFD, 0) == -LKL_EBADF &&
	   SC(fcntl, 102, LKL_F_GETFD, 0) == -LKL_EBADF,
	   "close_range closed all three");
	SC(close, d);

	is_ret(SC(fcntl, p[1], LKL_F_GETPIPE_SZ, 0), 65536, "F_GETPIPE_SZ is 64 KiB");
	memset(buf, 'p', sizeof(buf));
	total = 0;
	while ((n = SC(write, p[1], buf, sizeof(buf))) > 0)
		total += n;
	ok(n == -LKL_EAGAIN && total == 65536,
	   "a non-blocking writer fills 64 KiB, then EAGAIN");
	SC(close, p[0]);
	is_ret(SC(write, p[1], "x", 1), -LKL_EPIPE,
	       "write with no reader: EPIPE");
	is_ret(SC(close, p[1]), 0, "close");
	is_ret(SC(close, p[1]), -LKL_EBADF, "close twice: EBADF");
}

/* ---- unix sockets ---- */

static struct lkl_sockaddr_un sock_addr(void)
{
	struct lkl_sockaddr_un sa;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = LKL_AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock", mnt);
	return sa;
}

struct sock_client {
	long tid;
	long connect_ret;
	long send_ret;
	char reply[16];
};

static void *sock_client_fn(void *arg)
{
	struct sock_client *c = arg;
	struct lkl_sockaddr_un sa = sock_addr();
	union {
		struct lkl_cmsghdr h;
		char buf[LKL_CMSG_SPACE(sizeof(int))];
	} ctl;
	struct lkl_user_msghdr msg;
	struct lkl_iovec iov = { "fd!", 3 };
	long fd, s;
	int pass;

	c->tid = SC(gettid);
	s = SC(socket, LKL_AF_UNIX, LKL_SOCK_STREAM | LKL_SOCK_CLOEXEC, 0);
	c->connect_ret = SC(connect, s, (struct lkl_sockaddr *)&sa, sizeof(sa));

	fd = SC(openat, LKL_AT_FDCWD, "passed", LKL_O_RDONLY, 0);
	pass = (int)fd;
	memset(&ctl, 0, sizeof(ctl));
	ctl.h.cmsg_len = LKL_CMSG_LEN(sizeof(int));
	ctl.h.cmsg_level = LKL_SOL_SOCKET;
	ctl.h.cmsg_type = LKL_SCM_RIGHTS;
	memcpy(LKL_CMSG_DATA(&ctl.h), &pass, sizeof(int));
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = &ctl;
	msg.msg_controllen = sizeof(ctl);
	c->send_ret = SC(sendmsg, s, &msg, 0);
	SC(close, fd);	/* the message holds its own reference */

	SC(read, s, c->reply, sizeof(c->reply) - 1);
	SC(close, s);
	return NULL;
}

static void test_sockets(void)
{
	struct lkl_sockaddr_un sa = sock_addr(), got;
	union {
		struct lkl_cmsghdr h;
		char buf[LKL_CMSG_SPACE(sizeof(int)) + 64];
	} ctl;
	struct lkl_user_msghdr msg;
	struct lkl_stat st, st2;
	struct sock_client c;
	struct lkl_cmsghdr *cm;
	struct lkl_iovec iov;
	char buf[64];
	int sv[2], alen, nfd = -1;
	long srv, a, n;
	pthread_t t;

	is_ret(SC(socketpair, LKL_AF_UNIX, LKL_SOCK_STREAM, 0, sv), 0,
	       "socketpair(AF_UNIX, SOCK_STREAM)");
	SC(write, sv[0], "there", 5);
	SC(write, sv[1], "back", 4);
	memset(buf, 0, sizeof(buf));
	n = SC(read, sv[1], buf, sizeof(buf));
	ok(n == 5 && !strcmp(buf, "there"), "socketpair carries data one way");
	memset(buf, 0, sizeof(buf));
	n = SC(read, sv[0], buf, sizeof(buf));
	ok(n == 4 && !strcmp(buf, "back"), "and the other");
	is_ret(SC(shutdown, sv[0], LKL_SHUT_WR), 0, "shutdown(SHUT_WR)");
	is_ret(SC(read, sv[1], buf, sizeof(buf)), 0, "the peer reads end of file");
	SC(close, sv[0]);
	SC(close, sv[1]);

	write_file("passed", "sent over a socket", LKL_O_TRUNC);
	srv = SC(socket, LKL_AF_UNIX, LKL_SOCK_STREAM | LKL_SOCK_CLOEXEC, 0);
	is_ge0(srv, "socket(AF_UNIX)");
	is_ret(SC(bind, srv, (struct lkl_sockaddr *)&sa, sizeof(sa)), 0,
	       "bind to a path on ext4");
	is_ret(SC(listen, srv, 4), 0, "listen");
	SC(newfstatat, LKL_AT_FDCWD, "sock", &st, 0);
	ok(LKL_S_ISSOCK(st.st_mode), "bind created a socket node");
	memset(&got, 0, sizeof(got));
	alen = sizeof(got);
	is_ret(SC(getsockname, srv, (struct lkl_sockaddr *)&got, &alen), 0,
	       "getsockname");
	is_str(got.sun_path, sa.sun_path, "getsockname returns the bound path");

	memset(&c, 0, sizeof(c));
	t = start_thread(sock_client_fn, &c);
	alen = sizeof(got);
	a = SC(accept, srv, (struct lkl_sockaddr *)&got, &alen);
	is_ge0(a, "accept a connection from another thread");

	memset(&ctl, 0, sizeof(ctl));
	memset(&msg, 0, sizeof(msg));
	memset(buf, 0, sizeof(buf));
	iov.iov_base = buf;
	iov.iov_len = sizeof(buf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = &ctl;
	msg.msg_controllen = sizeof(ctl);
	n = SC(recvmsg, a, &msg, LKL_MSG_CMSG_CLOEXEC);
	ok(n == 3 && !strcmp(buf, "fd!"), "recvmsg gets the payload");
	cm = LKL_CMSG_FIRSTHDR(&msg);
	ok(cm && cm->cmsg_level == LKL_SOL_SOCKET &&
	   cm->cmsg_type == LKL_SCM_RIGHTS &&
	   cm->cmsg_len == LKL_CMSG_LEN(sizeof(int)),
	   "recvmsg gets an SCM_RIGHTS message");
	if (cm)
		memcpy(&nfd, LKL_CMSG_DATA(cm), sizeof(int));
	memset(&st, 0, sizeof(st));
	memset(&st2, 0, sizeof(st2));
	SC(fstat, nfd, &st);
	SC(newfstatat, LKL_AT_FDCWD, "passed", &st2, 0);
	ok(nfd >= 0 && st.st_ino == st2.st_ino, "the passed descriptor is the file");
	memset(buf, 0, sizeof(buf));
	n = SC(pread64, nfd, buf, sizeof(buf), 0);
	ok(n == 18 && !strcmp(buf, "sent over a socket"),
	   "and reads its contents");
	is_ret(SC(write, a, "thanks", 6), 6, "reply on the accepted socket");
	pthread_join(t, NULL);
	is_ret(c.connect_ret, 0, "the client thread connected by path");
	is_ret(c.send_ret, 3, "its sendmsg with SCM_RIGHTS sent the payload");
	is_str(c.reply, "thanks", "it read the reply");

	SC(close, nfd);
	SC(close, a);
	SC(close, srv);
	SC(unlinkat, LKL_AT_FDCWD, "sock", 0);
	SC(unlinkat, LKL_AT_FDCWD, "passed", 0);
}

/* ---- epoll, poll, eventfd, timerfd, inotify ---- */

struct delayed_write {
	long fd;
	long ms;
	long ret;
};

static void *delayed_write_fn(void *arg)
{
	struct delayed_write *w = arg;

	host_sleep_ms(w->ms);
	w->ret = SC(write, w->fd, "w", 1);
	return NULL;
}

static void test_epoll(void)
{
	struct lkl_epoll_event ev, evs[4];
	struct delayed_write w;
	struct lkl_pollfd pfd;
	long long t0, t;
	long ep, n;
	int p[2];
	pthread_t th;
	char c;

	ep = SC(epoll_create1, LKL_EPOLL_CLOEXEC);
	is_ge0(ep, "epoll_create1");
	SC(pipe2, p, LKL_O_CLOEXEC);
	memset(&ev, 0, sizeof(ev));
	ev.events = LKL_EPOLLIN;
	ev.data = 42;
	is_ret(SC(epoll_ctl, ep, LKL_EPOLL_CTL_ADD, p[0], &ev), 0,
	       "epoll_ctl(ADD) a pipe");
	is_ret(SC(epoll_ctl, ep, LKL_EPOLL_CTL_ADD, p[0], &ev), -LKL_EEXIST,
	       "adding it twice: EEXIST");

	t0 = host_ns(CLOCK_MONOTONIC);
	is_ret(SC(epoll_pwait, ep, evs, 4, 100, NULL, 0), 0,
	       "epoll_pwait(100 ms) on an idle pipe times out");
	t = host_ns(CLOCK_MONOTONIC) - t0;
	ok(t >= 100000000LL, "after at least 100 ms (%lld ms)", t / 1000000);

	w = (struct delayed_write){ p[1], 50, 0 };
	th = start_thread(delayed_write_fn, &w);
	memset(evs, 0, sizeof(evs));
	n = SC(epoll_pwait, ep, evs, 4, 10000, NULL, 0);
	pthread_join(th, NULL);
	ok(n == 1 && evs[0].data == 42 && (evs[0].events & LKL_EPOLLIN),
	   "epoll_pwait wakes when another thread writes to the pipe");

	pfd.fd = p[0];
	pfd.events = LKL_POLLIN;
	pfd.revents = 0;
	is_ret(SC(ppoll, &pfd, 1, NULL, NULL, 0), 1, "ppoll sees the pipe ready");
	ok(pfd.revents & LKL_POLLIN, "ppoll: POLLIN");
	SC(read, p[0], &c, 1);
	is_ret(SC(epoll_ctl, ep, LKL_EPOLL_CTL_DEL, p[0], NULL), 0,
	       "epoll_ctl(DEL)");
	SC(write, p[1], "x", 1);
	is_ret(SC(epoll_pwait, ep, evs, 4, 0, NULL, 0), 0,
	       "a removed descriptor no longer reports");
	SC(close, p[0]);
	SC(close, p[1]);
	SC(close, ep);
}

static void test_eventfd(void)
{
	uint64_t v;
	long efd;

	efd = SC(eventfd2, 0, LKL_EFD_NONBLOCK | LKL_EFD_CLOEXEC);
	is_ge0(efd, "eventfd2");
	is_ret(SC(read, efd, (char *)&v, 8), -LKL_EAGAIN,
	       "reading a zero eventfd: EAGAIN");
	v = 3;
	SC(write, efd, (char *)&v, 8);
	v = 4;
	is_ret(SC(write, efd, (char *)&v, 8), 8, "write to the eventfd");
	v = 0;
	is_ret(SC(read, efd, (char *)&v, 8), 8, "read the eventfd");
	is_ret(v, 7, "the counter added up the writes");
	SC(close, efd);

	efd = SC(eventfd2, 2, LKL_EFD_SEMAPHORE | LKL_EFD_NONBLOCK);
	SC(read, efd, (char *)&v, 8);
	is_ret(v, 1, "EFD_SEMAPHORE reads 1 at a time");
	SC(read, efd, (char *)&v, 8);
	is_ret(SC(read, efd, (char *)&v, 8), -LKL_EAGAIN,
	       "and is empty after initval reads");
	SC(close, efd);
}

static void test_timerfd(void)
{
	struct __lkl__kernel_itimerspec its, old;
	struct __lkl__kernel_timespec nap = { 0, 100 * 1000000 };
	long long t0, t;
	uint64_t count = 0;
	long tfd;

	tfd = SC(timerfd_create, LKL_CLOCK_MONOTONIC, LKL_TFD_CLOEXEC);
	is_ge0(tfd, "timerfd_create");
	memset(&its, 0, sizeof(its));
	its.it_value.tv_nsec = 50 * 1000000;
	t0 = host_ns(CLOCK_MONOTONIC);
	is_ret(SC(timerfd_settime, tfd, 0, &its, NULL), 0,
	       "timerfd_settime(50 ms, one shot)");
	is_ret(SC(read, tfd, (char *)&count, 8), 8, "read blocks until it fires");
	t = host_ns(CLOCK_MONOTONIC) - t0;
	ok(count == 1 && t >= 50000000LL,
	   "the timer fired once, after %lld ms", t / 1000000);
	is_ret(SC(timerfd_gettime, tfd, &old), 0, "timerfd_gettime");
	ok(!old.it_value.tv_sec && !old.it_value.tv_nsec,
	   "a fired one-shot timer is disarmed");

	its.it_interval.tv_nsec = 10 * 1000000;
	its.it_value.tv_nsec = 10 * 1000000;
	SC(timerfd_settime, tfd, 0, &its, NULL);
	SC(nanosleep, &nap, NULL);
	count = 0;
	SC(read, tfd, (char *)&count, 8);
	ok(count >= 10, "a 10 ms periodic timer counted %llu expirations in 100 ms",
	   (unsigned long long)count);
	SC(close, tfd);
}

static void test_inotify(void)
{
	char buf[512];
	struct lkl_inotify_event *ev = (void *)buf;
	long in, wd, n;

	in = SC(inotify_init1, LKL_IN_NONBLOCK | LKL_IN_CLOEXEC);
	is_ge0(in, "inotify_init1");
	wd = SC(inotify_add_watch, in, ".", LKL_IN_CREATE);
	is_ge0(wd, "inotify_add_watch");
	write_file("watched", "w", 0);
	n = SC(read, in, buf, sizeof(buf));
	ok(n >= (long)sizeof(*ev) && ev->wd == wd && (ev->mask & LKL_IN_CREATE) &&
	   !strcmp(ev->name, "watched"), "inotify reports IN_CREATE for the file");
	is_ret(SC(inotify_rm_watch, in, wd), 0, "inotify_rm_watch");
	SC(close, in);
	SC(unlinkat, LKL_AT_FDCWD, "watched", 0);
}

/* ---- signals between tasks ---- */

struct sig_thread {
	long tid;
	long block_ret, timedwait_ret, sfd, read_ret, pending_ret, wait_ret;
	lkl_sigset_t blocked, pending;
	struct lkl_signalfd_siginfo si;
	int ready, done;
};

static lkl_sigset_t sigset_of(int a, int b)
{
	lkl_sigset_t s;

	memset(&s, 0, sizeof(s));
	s.sig[0] = 1UL << (a - 1);
	if (b)
		s.sig[0] |= 1UL << (b - 1);
	return s;
}

static void *sig_thread_fn(void *arg)
{
	struct sig_thread *s = arg;
	lkl_sigset_t both = sigset_of(LKL_SIGUSR1, LKL_SIGUSR2);
	lkl_sigset_t usr1 = sigset_of(LKL_SIGUSR1, 0);
	lkl_sigset_t usr2 = sigset_of(LKL_SIGUSR2, 0);
	lkl_sigset_t old;
	struct __lkl__kernel_timespec ts = { 0, 50 * 1000000 };

	s->tid = SC(gettid);
	s->block_ret = SC(rt_sigprocmask, LKL_SIG_BLOCK, &both, &old,
			  sizeof(lkl_sigset_t));
	SC(rt_sigprocmask, LKL_SIG_BLOCK, NULL, &s->blocked, sizeof(lkl_sigset_t));
	s->timedwait_ret = SC(rt_sigtimedwait, &usr2, NULL, &ts,
			      sizeof(lkl_sigset_t));
	s->sfd = SC(signalfd4, -1, &usr1, sizeof(lkl_sigset_t), LKL_SFD_CLOEXEC);
	set_flag(&s->ready);
	s->read_ret = SC(read, s->sfd, (char *)&s->si, sizeof(s->si));
	set_flag(&s->done);
	s->pending_ret = SC(rt_sigpending, &s->pending, sizeof(lkl_sigset_t));
	ts.tv_sec = 10;
	s->wait_ret = SC(rt_sigtimedwait, &usr2, NULL, &ts, sizeof(lkl_sigset_t));
	SC(rt_sigprocmask, LKL_SIG_SETMASK, &old, NULL, sizeof(lkl_sigset_t));
	SC(close, s->sfd);
	return NULL;
}

static void test_signals(void)
{
	lkl_sigset_t both = sigset_of(LKL_SIGUSR1, LKL_SIGUSR2);
	struct sig_thread s;
	pthread_t t;

	memset(&s, 0, sizeof(s));
	t = start_thread(sig_thread_fn, &s);
	ok(wait_flag(&s.ready) && wait_sleeping(s.tid),
	   "a thread blocks SIGUSR1/2 and sleeps in read(signalfd)");
	is_ret(SC(tgkill, 1, s.tid, 0), 0, "tgkill(signal 0) finds the task");
	is_ret(SC(tgkill, 1, s.tid, LKL_SIGUSR2), 0, "tgkill(SIGUSR2) to it");
	host_sleep_ms(20);
	ok(wait_sleeping(s.tid) && !get_flag(&s.done),
	   "SIGUSR2 does not satisfy the SIGUSR1 signalfd: still asleep");
	is_ret(SC(tgkill, 1, s.tid, LKL_SIGUSR1), 0, "tgkill(SIGUSR1) to it");
	pthread_join(t, NULL);

	is_ret(s.block_ret, 0, "rt_sigprocmask(SIG_BLOCK)");
	ok(!memcmp(&s.blocked, &both, sizeof(both)),
	   "rt_sigprocmask reports the blocked set");
	is_ret(s.timedwait_ret, -LKL_EAGAIN,
	       "rt_sigtimedwait(50 ms) with nothing pending: EAGAIN");
	is_ge0(s.sfd, "signalfd4");
	is_ret(s.read_ret, sizeof(struct lkl_signalfd_siginfo),
	       "read(signalfd) returned a siginfo");
	ok(s.si.ssi_signo == LKL_SIGUSR1 && s.si.ssi_code == LKL_SI_TKILL &&
	   s.si.ssi_pid == 1 && s.si.ssi_uid == 0,
	   "signalfd: SIGUSR1 from tgkill by pid 1, uid 0");
	is_ret(s.pending_ret, 0, "rt_sigpending");
	ok(s.pending.sig[0] == 1UL << (LKL_SIGUSR2 - 1),
	   "rt_sigpending: SIGUSR2 is still pending");
	is_ret(s.wait_ret, LKL_SIGUSR2, "rt_sigtimedwait takes the pending SIGUSR2");
	is_ret(SC(tgkill, 1, s.tid, 0), -LKL_ESRCH,
	       "tgkill to the exited thread's task: ESRCH");
}

/* ---- futexes ---- */

static uint32_t futex_word;

struct futex_waiter {
	long tid;
	long ret;
	int started;
};

static void *futex_waiter_fn(void *arg)
{
	struct futex_waiter *f = arg;
	struct __lkl__kernel_timespec ts = { 10, 0 };

	f->tid = SC(gettid);
	set_flag(&f->started);
	f->ret = SC(futex, &futex_word, LKL_FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0);
	return NULL;
}

static void test_futex(void)
{
	struct __lkl__kernel_timespec ts = { 0, 50 * 1000000 };
	struct futex_waiter f;
	long long t0, t;
	pthread_t th;

	futex_word = 0;
	is_ret(SC(futex, &futex_word, LKL_FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0),
	       -LKL_EAGAIN, "FUTEX_WAIT on a changed value: EAGAIN");
	t0 = host_ns(CLOCK_MONOTONIC);
	is_ret(SC(futex, &futex_word, LKL_FUTEX_WAIT_PRIVATE, 0, &ts, NULL, 0),
	       -LKL_ETIMEDOUT, "FUTEX_WAIT(50 ms): ETIMEDOUT");
	t = host_ns(CLOCK_MONOTONIC) - t0;
	ok(t >= 50000000LL, "after at least 50 ms (%lld ms)", t / 1000000);
	is_ret(SC(futex, &futex_word, LKL_FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0,
	       "FUTEX_WAKE with no waiter wakes 0");

	memset(&f, 0, sizeof(f));
	th = start_thread(futex_waiter_fn, &f);
	ok(wait_flag(&f.started) && wait_sleeping(f.tid),
	   "another thread sleeps in FUTEX_WAIT");
	__atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
	is_ret(SC(futex, &futex_word, LKL_FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1,
	       "FUTEX_WAKE wakes it");
	pthread_join(th, NULL);
	is_ret(f.ret, 0, "its FUTEX_WAIT returned 0");
}

/* ---- many threads at once ---- */

#define WORKERS		8
#define FILES		6
#define FILE_SIZE	(24 * 1024)
#define SHARED		16

struct worker {
	int id;
	long tid;
	int errors;
	char what[160];
	long drop_ret;
	pthread_barrier_t *go;
};

static void pattern(unsigned char *buf, size_t len, int id, int file)
{
	uint32_t x = (uint32_t)(id * 131 + file * 7 + 1) * 2654435761U;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (unsigned char)x;
	}
}

#define WFAIL(w, ...) do {						\
	if (!(w)->errors++)						\
		snprintf((w)->what, sizeof((w)->what), __VA_ARGS__);	\
} while (0)

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned char *want = malloc(FILE_SIZE), *got = malloc(FILE_SIZE);
	char path[64], to[64];
	struct lkl_stat st;
	long fd, n, off;
	int f, j;

	w->tid = SC(gettid);
	pthread_barrier_wait(w->go);

	snprintf(path, sizeof(path), "w%d", w->id);
	if ((n = SC(mkdirat, LKL_AT_FDCWD, path, 0755)) < 0)
		WFAIL(w, "mkdir %s: %ld", path, n);

	for (f = 0; f < FILES; f++) {
		snprintf(path, sizeof(path), "w%d/f%d", w->id, f);
		pattern(want, FILE_SIZE, w->id, f);
		fd = SC(openat, LKL_AT_FDCWD, path,
			LKL_O_CREAT | LKL_O_TRUNC | LKL_O_WRONLY, 0644);
		if (fd < 0) {
			WFAIL(w, "create %s: %ld", path, fd);
			continue;
		}
		for (off = 0; off < FILE_SIZE; off += 3000) {
			long len = FILE_SIZE - off < 3000 ? FILE_SIZE - off : 3000;

			n = SC(write, fd, (char *)want + off, len);
			if (n != len)
				WFAIL(w, "write %s at %ld: %ld", path, off, n);
		}
		if ((n = SC(fsync, fd)) < 0)
			WFAIL(w, "fsync %s: %ld", path, n);
		SC(close, fd);

		/* Shared directory: everyone creates, renames, unlinks there. */
		for (j = f; j < SHARED; j += FILES) {
			snprintf(path, sizeof(path), "shared/w%d-%d", w->id, j);
			if ((n = write_file(path, path, LKL_O_EXCL)) < 0)
				WFAIL(w, "create %s: %ld", path, n);
		}
	}

	/* Everyone has written: drop the page cache so reads go to the disk. */
	pthread_barrier_wait(w->go);
	if (w->id == 0)
		w->drop_ret = write_file("/proc/sys/vm/drop_caches", "3", 0);
	pthread_barrier_wait(w->go);

	for (f = 0; f < FILES; f++) {
		snprintf(path, sizeof(path), "w%d/f%d", w->id, f);
		pattern(want, FILE_SIZE, w->id, f);
		memset(got, 0, FILE_SIZE);
		memset(&st, 0, sizeof(st));
		fd = SC(openat, LKL_AT_FDCWD, path, LKL_O_RDONLY, 0);
		n = SC(read, fd, (char *)got, FILE_SIZE);
		if (n != FILE_SIZE || memcmp(got, want, FILE_SIZE))
			WFAIL(w, "read back %s: %ld bytes, %s", path, n,
			      memcmp(got, want, FILE_SIZE) ? "differ" : "same");
		n = SC(pread64, fd, (char *)got, 100, 12345);
		if (n != 100 || memcmp(got, want + 12345, 100))
			WFAIL(w, "pread %s: %ld", path, n);
		if (SC(fstat, fd, &st) || st.st_size != FILE_SIZE)
			WFAIL(w, "fstat %s: size %ld", path, (long)st.st_size);
		SC(close, fd);
	}

	/* Of SHARED names: rename half, unlink a quarter: 3/4 remain. */
	for (j = 0; j < SHARED / 2; j++) {
		snprintf(path, sizeof(path), "shared/w%d-%d", w->id, j);
		snprintf(to, sizeof(to), "shared/r%d-%d", w->id, j);
		if ((n = SC(renameat2, LKL_AT_FDCWD, path, LKL_AT_FDCWD, to, 0)))
			WFAIL(w, "rename %s: %ld", path, n);
		if (j % 2 && (n = SC(unlinkat, LKL_AT_FDCWD, to, 0)))
			WFAIL(w, "unlink %s: %ld", to, n);
	}

	free(want);
	free(got);
	return NULL;
}

struct reader {
	long tid;
	long fd;
	long ret;
	char buf[32];
	int started, done;
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;

	r->tid = SC(gettid);
	set_flag(&r->started);
	r->ret = SC(read, r->fd, r->buf, sizeof(r->buf) - 1);
	set_flag(&r->done);
	return NULL;
}

static void *gettid_fn(void *arg)
{
	long *tid = arg;

	*tid = SC(gettid);
	return NULL;
}

/* Sectors read from the disk so far (the third field of its stat file). */
static long long disk_sectors_read(void)
{
	char buf[256];
	long long ios, merges, sectors;

	if (read_file("/sysfs/block/vda/stat", buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "%lld %lld %lld", &ios, &merges, &sectors) != 3)
		return -1;
	return sectors;
}

static long count_tasks(void)
{
	return count_dir("/proc/1/task");
}

static void test_threads(void)
{
	struct worker w[WORKERS];
	pthread_t t[WORKERS], rt, et;
	pthread_barrier_t go;
	struct reader r;
	long tid_a, tid_b, tasks;
	long long sectors;
	int p[2], i, j, distinct = 1;
	char path[64];

	/* One thread blocks in a pipe read for the whole run. */
	SC(pipe2, p, LKL_O_CLOEXEC);
	memset(&r, 0, sizeof(r));
	r.fd = p[0];
	rt = start_thread(reader_fn, &r);
	ok(wait_flag(&r.started) && wait_sleeping(r.tid) && !get_flag(&r.done),
	   "a thread sleeps in read() on an empty pipe");

	/* Eight threads do file I/O on one ext4 mount at once. */
	is_ret(SC(mkdirat, LKL_AT_FDCWD, "shared", 0755), 0,
	       "mkdir the shared directory");
	sectors = disk_sectors_read();
	pthread_barrier_init(&go, NULL, WORKERS);
	for (i = 0; i < WORKERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		w[i].go = &go;
		t[i] = start_thread(worker_fn, &w[i]);
	}
	for (i = 0; i < WORKERS; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);

	is_ret(w[0].drop_ret, 1,
	       "between the write and read phases the page cache was dropped");
	sectors = disk_sectors_read() - sectors;
	ok(sectors >= WORKERS * FILES * FILE_SIZE / 512,
	   "the read phase read %lld KiB from the disk", sectors / 2);
	for (i = 0; i < WORKERS; i++) {
		ok(w[i].errors == 0 && w[i].tid > 1,
		   "worker %d (task %ld): %d files of %d KiB written, fsynced, "
		   "read back from disk, verified; shared entries made", i,
		   w[i].tid, FILES, FILE_SIZE / 1024);
		if (w[i].errors)
			printf("#   %d errors, first: %s\n", w[i].errors, w[i].what);
	}
	for (i = 0; i < WORKERS; i++)
		for (j = 0; j < i; j++)
			if (w[i].tid == w[j].tid || w[i].tid == r.tid)
				distinct = 0;
	ok(distinct, "every thread ran as a task of its own (distinct tids)");
	is_ret(count_dir("shared"), WORKERS * (SHARED - SHARED / 4),
	       "the shared directory holds every thread's surviving entries");
	for (i = 0; i < WORKERS; i++) {
		snprintf(path, sizeof(path), "w%d", i);
		is_ret(count_dir(path), FILES, "%s holds its files", path);
	}

	ok(!get_flag(&r.done) && wait_sleeping(r.tid) && !get_flag(&r.done),
	   "the pipe reader is still asleep: the others ran past it");
	is_ret(SC(write, p[1], "wake up", 7), 7, "write to the reader's pipe");
	pthread_join(rt, NULL);
	ok(r.ret == 7 && !strcmp(r.buf, "wake up"),
	   "the blocked reader woke with the data");
	SC(close, p[0]);
	SC(close, p[1]);

	/* A host thread's exit ends its task; the next thread gets a new one. */
	tasks = count_tasks();
	tid_a = 0;
	et = start_thread(gettid_fn, &tid_a);
	pthread_join(et, NULL);
	ok(tid_a > 1, "a short-lived thread had task %ld", tid_a);
	is_ret(SC(tgkill, 1, tid_a, 0), -LKL_ESRCH,
	       "its task is gone once the thread has exited");
	snprintf(path, sizeof(path), "/proc/1/task/%ld", tid_a);
	is_ret(SC(faccessat, LKL_AT_FDCWD, path, LKL_F_OK), -LKL_ENOENT,
	       "and gone from /proc/1/task");
	is_ret(count_tasks(), tasks, "pid 1 has as many threads as before");
	tid_b = 0;
	et = start_thread(gettid_fn, &tid_b);
	pthread_join(et, NULL);
	ok(tid_b > 1 && tid_b != tid_a, "a new thread gets a fresh task (%ld)",
	   tid_b);
}

/* ---- main ---- */

/* Without a disk and a kernel nothing else can run. */
static void __attribute__((noreturn)) bail_out(const char *image)
{
	printf("Bail out! setup failed\n");
	unlink(image);
	exit(1);
}

int main(void)
{
	const char *tmpdir = getenv("TMPDIR");
	char image[256], cmd[512], mnt_buf[32];
	struct lkl_disk disk;
	long disk_id;
	int imgfd;

	snprintf(image, sizeof(image), "%s/lkl-boot-XXXXXX.ext4",
		 tmpdir && *tmpdir ? tmpdir : "/tmp");
	imgfd = mkstemps(image, 5);
	if (imgfd < 0) {
		perror("mkstemps");
		return 2;
	}
	close(imgfd);
	snprintf(cmd, sizeof(cmd), "mke2fs -q -t ext4 '%s' 64M", image);
	if (!is_int(run_cmd(cmd), 0, "mke2fs a 64 MiB ext4 image"))
		bail_out(image);

	imgfd = open(image, O_RDWR);
	memset(&disk, 0, sizeof(disk));
	disk.fd = imgfd;
	disk_id = lkl_disk_add(&disk);
	if (!is_int(disk_id, 0, "lkl_disk_add before boot"))
		bail_out(image);

	if (!getenv("LKL_TEST_VERBOSE"))
		lkl_host_ops.print = NULL;
	if (!ok(lkl_init(&lkl_host_ops) == 0, "lkl_init") ||
	    !is_int(lkl_start_kernel("mem=64M loglevel=4"), 0,
		    "lkl_start_kernel"))
		bail_out(image);

	if (!is_ret(lkl_mount_dev(disk_id, 0, "ext4", 0, NULL, mnt_buf,
				  sizeof(mnt_buf)), 0, "mount the ext4 disk") ||
	    !is_ret(SC(chdir, mnt_buf), 0, "chdir to the mount"))
		bail_out(image);
	mnt = mnt_buf;

	test_identity();
	test_clocks();
	test_proc();
	test_sysfs_devtmpfs();
	test_tmpfs();
	test_memfd();
	test_files();
	test_dirs();
	test_metadata();
	test_xattr();
	test_acl();
	test_locks();
	test_pipes();
	test_sockets();
	test_epoll();
	test_eventfd();
	test_timerfd();
	test_inotify();
	test_signals();
	test_futex();
	test_threads();

	SC(unlinkat, LKL_AT_FDCWD, "data", 0);
	SC(unlinkat, LKL_AT_FDCWD, "meta", 0);
	SC(sync);
	is_ret(SC(chdir, "/"), 0, "leave the mount");
	is_ret(lkl_umount_dev(disk_id, 0, 0, 1000), 0, "umount the ext4 disk");

	SC_MARK(__lkl__NR_reboot, "reboot");	/* lkl_sys_halt() */
	ok(sc_count() >= 60, "exercised %d distinct system calls", sc_count());
	if (getenv("LKL_TEST_VERBOSE"))
		sc_list();
	is_int(lkl_sys_halt(), 0, "lkl_sys_halt");
	lkl_cleanup();
	lkl_disk_remove(disk);
	close(imgfd);

	snprintf(cmd, sizeof(cmd), "e2fsck -fn '%s' >/dev/null 2>&1", image);
	is_int(run_cmd(cmd), 0, "e2fsck -fn: the image is clean");
	unlink(image);
	return tap_done();
}
