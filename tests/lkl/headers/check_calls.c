// SPDX-License-Identifier: GPL-2.0
/*
 * The lkl_sys_* wrappers have the expected parameter types (assigning them
 * to exactly typed function pointers fails under -Werror otherwise) and put
 * the right syscall number and arguments into lkl_syscall(), which is
 * replaced here by a stub that records them.
 */
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <lkl/syscalls.h>

static long last_no = -1, last_p[6], calls;
static struct __lkl__kernel_timespec last_ts;
static int failures;

long lkl_syscall(long no, long *params)
{
	last_no = no;
	memcpy(last_p, params, sizeof(last_p));
	calls++;
	if (no == __lkl__NR_ppoll && params[2])
		last_ts = *(struct __lkl__kernel_timespec *)params[2];
	return 0;
}

#define EXPECT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++;						\
	}								\
} while (0)

/* A call went to syscall nr with these first arguments. */
#define EXPECT_CALL(nr, ...) do {					\
	long want[] = { __VA_ARGS__ };					\
	EXPECT(last_no == (nr));					\
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)	\
		if (last_p[i] != want[i]) {				\
			fprintf(stderr, "%s:%d: syscall %ld arg %u: "	\
				"%ld != %ld\n", __FILE__, __LINE__,	\
				last_no, i, last_p[i], want[i]);	\
			failures++;					\
		}							\
} while (0)

#define TYPED(fn, ...) do {						\
	long (*p)(__VA_ARGS__) = fn;					\
	(void)p;							\
} while (0)

static void check_types(void)
{
	TYPED(lkl_sys_read, unsigned int, char *, lkl_size_t);
	TYPED(lkl_sys_write, unsigned int, const char *, lkl_size_t);
	TYPED(lkl_sys_openat, int, const char *, int, lkl_umode_t);
	TYPED(lkl_sys_close, unsigned int);
	TYPED(lkl_sys_fstat, unsigned int, struct lkl_stat *);
	TYPED(lkl_sys_newfstatat, int, const char *, struct lkl_stat *, int);
	TYPED(lkl_sys_getdents64, unsigned int, struct lkl_linux_dirent64 *,
	      unsigned int);
	TYPED(lkl_sys_mount, const char *, const char *, const char *,
	      unsigned long, const void *);
	TYPED(lkl_sys_umount2, const char *, int);
	TYPED(lkl_sys_pipe2, int *, int);
	TYPED(lkl_sys_socket, int, int, int);
	TYPED(lkl_sys_epoll_ctl, int, int, int, struct lkl_epoll_event *);
	TYPED(lkl_sys_clock_gettime, lkl_clockid_t,
	      struct __lkl__kernel_timespec *);
	TYPED(lkl_sys_nanosleep, struct __lkl__kernel_timespec *,
	      struct __lkl__kernel_timespec *);
	TYPED(lkl_sys_statx, int, const char *, unsigned int, unsigned int,
	      struct lkl_statx *);
	TYPED(lkl_sys_lseek, unsigned int, lkl_off_t, unsigned int);
	TYPED(lkl_sys_sendmsg, int, struct lkl_user_msghdr *, unsigned int);
	TYPED(lkl_sys_bind, int, struct lkl_sockaddr *, int);
	TYPED(lkl_sys_clone3, struct lkl_clone_args *, lkl_size_t);
	TYPED(lkl_sys_virtio_mmio_device_add, long, long, unsigned int);
	/* helpers */
	TYPED(lkl_sys_open, const char *, int, int);
	TYPED(lkl_sys_stat, const char *, struct lkl_stat *);
	TYPED(lkl_sys_lstat, const char *, struct lkl_stat *);
	TYPED(lkl_sys_fstatat, int, const char *, struct lkl_stat *, int);
	TYPED(lkl_sys_pipe, int *);
	TYPED(lkl_sys_poll, struct lkl_pollfd *, unsigned int, int);
	TYPED(lkl_sys_dup2, unsigned int, unsigned int);
}

static void check_calls(void)
{
	char buf[16];
	const char *msg = "x";
	int fds[2];
	struct lkl_stat st;
	struct lkl_statx stx;
	struct lkl_linux_dirent64 *de = (void *)buf;
	struct lkl_epoll_event ev;
	struct __lkl__kernel_timespec ts;
	struct lkl_pollfd pfd;

	lkl_sys_read(3, buf, sizeof(buf));
	EXPECT_CALL(63, 3, (long)buf, sizeof(buf));
	lkl_sys_write(4, msg, 1);
	EXPECT_CALL(64, 4, (long)msg, 1);
	lkl_sys_openat(LKL_AT_FDCWD, "/f", LKL_O_RDWR | LKL_O_CREAT, 0644);
	EXPECT(last_no == 56 && last_p[0] == -100 &&
	       last_p[2] == (LKL_O_RDWR | LKL_O_CREAT) && last_p[3] == 0644);
	lkl_sys_close(5);
	EXPECT_CALL(__lkl__NR_close, 5);
	lkl_sys_fstat(6, &st);
	EXPECT_CALL(80, 6, (long)&st);
	lkl_sys_getdents64(7, de, sizeof(buf));
	EXPECT_CALL(__lkl__NR_getdents64, 7, (long)de, sizeof(buf));
	lkl_sys_mount("dev", "/mnt", "ext4", LKL_MS_RDONLY, "");
	EXPECT(last_no == __lkl__NR_mount && last_p[3] == LKL_MS_RDONLY);
	lkl_sys_umount2("/mnt", LKL_MNT_DETACH);
	EXPECT(last_no == __lkl__NR_umount2 && last_p[1] == LKL_MNT_DETACH);
	lkl_sys_pipe2(fds, LKL_O_CLOEXEC);
	EXPECT_CALL(__lkl__NR_pipe2, (long)fds, LKL_O_CLOEXEC);
	lkl_sys_socket(LKL_AF_INET, LKL_SOCK_STREAM, 0);
	EXPECT_CALL(__lkl__NR_socket, 2, 1, 0);
	lkl_sys_epoll_ctl(8, LKL_EPOLL_CTL_ADD, 9, &ev);
	EXPECT_CALL(__lkl__NR_epoll_ctl, 8, 1, 9, (long)&ev);
	lkl_sys_clock_gettime(LKL_CLOCK_MONOTONIC, &ts);
	EXPECT_CALL(__lkl__NR_clock_gettime, 1, (long)&ts);
	lkl_sys_nanosleep(&ts, 0);
	EXPECT_CALL(__lkl__NR_nanosleep, (long)&ts, 0);
	lkl_sys_statx(LKL_AT_FDCWD, "p", LKL_AT_EMPTY_PATH, LKL_STATX_BASIC_STATS,
		      &stx);
	EXPECT(last_no == __lkl__NR_statx && last_p[2] == LKL_AT_EMPTY_PATH &&
	       last_p[3] == LKL_STATX_BASIC_STATS && last_p[4] == (long)&stx);
	lkl_sys_lseek(3, -1, LKL_SEEK_END);
	EXPECT_CALL(62, 3, -1, 2);
	lkl_sys_virtio_mmio_device_add(0x1000, 0x200, 5);
	EXPECT_CALL(244, 0x1000, 0x200, 5);

	/* the classic calls, through their *at replacements */
	lkl_sys_open("/f", LKL_O_RDONLY, 0);
	EXPECT(last_no == __lkl__NR_openat && last_p[0] == LKL_AT_FDCWD);
	lkl_sys_creat("/f", 0600);
	EXPECT(last_no == __lkl__NR_openat &&
	       last_p[2] == (LKL_O_CREAT | LKL_O_WRONLY | LKL_O_TRUNC) &&
	       last_p[3] == 0600);
	lkl_sys_stat("/f", &st);
	EXPECT_CALL(__lkl__NR_newfstatat, LKL_AT_FDCWD, last_p[1], (long)&st, 0);
	lkl_sys_lstat("/f", &st);
	EXPECT(last_no == __lkl__NR_newfstatat &&
	       last_p[3] == LKL_AT_SYMLINK_NOFOLLOW);
	lkl_sys_mkdir("/d", 0755);
	EXPECT(last_no == __lkl__NR_mkdirat && last_p[2] == 0755);
	lkl_sys_rmdir("/d");
	EXPECT(last_no == __lkl__NR_unlinkat && last_p[2] == LKL_AT_REMOVEDIR);
	lkl_sys_unlink("/f");
	EXPECT(last_no == __lkl__NR_unlinkat && last_p[2] == 0);
	lkl_sys_access("/f", LKL_R_OK);
	EXPECT(last_no == __lkl__NR_faccessat && last_p[2] == 4);
	lkl_sys_rename("/a", "/b");
	EXPECT(last_p[0] == LKL_AT_FDCWD && last_p[2] == LKL_AT_FDCWD);
	lkl_sys_link("/a", "/b");
	EXPECT(last_no == __lkl__NR_linkat && last_p[4] == 0);
	lkl_sys_symlink("/a", "/b");
	EXPECT(last_no == __lkl__NR_symlinkat && last_p[1] == LKL_AT_FDCWD);
	lkl_sys_readlink("/a", buf, sizeof(buf));
	EXPECT(last_no == __lkl__NR_readlinkat && last_p[3] == sizeof(buf));
	lkl_sys_chmod("/a", 0700);
	EXPECT(last_no == __lkl__NR_fchmodat && last_p[2] == 0700);
	lkl_sys_chown("/a", 1, 2);
	EXPECT_CALL(__lkl__NR_fchownat, LKL_AT_FDCWD, last_p[1], 1, 2, 0);
	lkl_sys_mknod("/n", LKL_S_IFCHR | 0600, 0x0103);
	EXPECT(last_no == __lkl__NR_mknodat && last_p[3] == 0x0103);
	lkl_sys_pipe(fds);
	EXPECT_CALL(__lkl__NR_pipe2, (long)fds, 0);
	pfd.fd = 3;
	lkl_sys_poll(&pfd, 1, 1500);
	EXPECT(last_no == __lkl__NR_ppoll && last_ts.tv_sec == 1 &&
	       last_ts.tv_nsec == 500000000);
	lkl_sys_poll(&pfd, 1, -1);
	EXPECT(last_no == __lkl__NR_ppoll && last_p[2] == 0);
	EXPECT(lkl_sys_dup2(3, 3) == 3 && last_no == __lkl__NR_fcntl);
	lkl_sys_dup2(3, 4);
	EXPECT_CALL(__lkl__NR_dup3, 3, 4, 0);
	calls = 0;
	EXPECT(lkl_sys_epoll_create(0) == -LKL_EINVAL && calls == 0);
	lkl_sys_epoll_create(1);
	EXPECT_CALL(__lkl__NR_epoll_create1, 0);
	lkl_sys_select(0, 0, 0, 0, 0);
	EXPECT(last_no == __lkl__NR_pselect6);
}

int main(void)
{
	check_types();
	check_calls();
	return failures != 0;
}
