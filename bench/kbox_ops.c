// SPDX-License-Identifier: GPL-2.0
/*
 * Per-operation cost of system calls, for bench/kbox.sh: the same static
 * binary runs on the host, in a kbox image, under proot and under runsc.
 *
 *   kbox_ops DIR OP N [OP N]...
 *
 * DIR is a writable scratch directory (the files the calls use are made
 * there and removed).  Each OP runs N times after a short warm-up, or for
 * at most about a second when the sandbox is slower than N calls allow,
 * and one line "OP NS" gives the mean nanoseconds of one operation; an OP
 * that fails prints "OP failed: REASON" and the exit status is 1.
 *
 * OP is one of getpid, stat, open+close, read4k, write4k, mkdir+rmdir,
 * create+unlink, fork+wait, fork+exec+wait (this program again, run with
 * the op "nop"), pipe-pingpong (one byte there and back between two
 * processes), and nop (does nothing, exits 0: what fork+exec+wait runs).
 * The program's own path for fork+exec+wait is argv[0], which must
 * therefore be a path (the scripts run it by absolute path).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUDGET_NS 1000000000LL	/* stop early after about this long */
#define CHECK_EVERY 16		/* look at the clock once per this many ops */

static const char *dir;
static char self[PATH_MAX];	/* a copy: execve's path is never argv[0] */
static char path_file[PATH_MAX], path_dir[PATH_MAX], path_new[PATH_MAX];
static char buf[4096];
static int fd_read = -1, fd_write = -1;
static int ping[2] = { -1, -1 }, pong[2] = { -1, -1 };
static pid_t echo_pid = -1;
static const char *why;		/* set by an op that failed */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int fail(const char *what)
{
	static char msg[128];

	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(errno));
	why = msg;
	return -1;
}

static int op_getpid(long i)
{
	(void)i;
	return syscall(SYS_getpid) > 0 ? 0 : fail("getpid");
}

static int op_stat(long i)
{
	struct stat st;

	(void)i;
	return stat(path_file, &st) ? fail("stat") : 0;
}

static int op_open_close(long i)
{
	int fd = open(path_file, O_RDONLY);

	(void)i;
	if (fd < 0)
		return fail("open");
	return close(fd) ? fail("close") : 0;
}

static int op_read4k(long i)
{
	(void)i;
	return pread(fd_read, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf) ?
	       0 : fail("pread");
}

/* Overwrites within the first MiB of a file: page cache, no growth. */
static int op_write4k(long i)
{
	off_t at = (off_t)(i & 255) * (off_t)sizeof(buf);

	return pwrite(fd_write, buf, sizeof(buf), at) == (ssize_t)sizeof(buf) ?
	       0 : fail("pwrite");
}

static int op_mkdir_rmdir(long i)
{
	(void)i;
	if (mkdir(path_dir, 0755))
		return fail("mkdir");
	return rmdir(path_dir) ? fail("rmdir") : 0;
}

static int op_create_unlink(long i)
{
	int fd = open(path_new, O_WRONLY | O_CREAT | O_EXCL, 0644);

	(void)i;
	if (fd < 0)
		return fail("open O_CREAT");
	if (close(fd))
		return fail("close");
	return unlink(path_new) ? fail("unlink") : 0;
}

static int reap(pid_t pid)
{
	int status;

	if (pid < 0)
		return fail("fork");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		why = "child did not exit 0";
		return -1;
	}
	return 0;
}

static int op_fork_wait(long i)
{
	pid_t pid = fork();

	(void)i;
	if (pid == 0)
		_exit(0);
	return reap(pid);
}

static int op_fork_exec_wait(long i)
{
	pid_t pid;

	(void)i;
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "kbox_ops", "-", "nop", "1", NULL };

		execv(self, argv);
		_exit(127);
	}
	return reap(pid);
}

static int op_pipe_pingpong(long i)
{
	char c = (char)i;

	if (write(ping[1], &c, 1) != 1)
		return fail("write");
	if (read(pong[0], &c, 1) != 1) {
		errno = errno ? errno : EPIPE;
		return fail("read");
	}
	return 0;
}

static int op_nop(long i)
{
	(void)i;
	return 0;
}

/* Files and processes an op needs, made before its timing starts. */
static int setup(const char *op)
{
	ssize_t n;

	memset(buf, 'k', sizeof(buf));
	if (!strcmp(op, "stat") || !strcmp(op, "open+close") ||
	    !strcmp(op, "read4k")) {
		int fd = open(path_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0)
			return fail("create the test file");
		n = write(fd, buf, sizeof(buf));
		close(fd);
		if (n != (ssize_t)sizeof(buf))
			return fail("write the test file");
		if (!strcmp(op, "read4k")) {
			fd_read = open(path_file, O_RDONLY);
			if (fd_read < 0)
				return fail("open the test file");
		}
	} else if (!strcmp(op, "write4k")) {
		fd_write = open(path_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd_write < 0)
			return fail("create the test file");
	} else if (!strcmp(op, "mkdir+rmdir")) {
		rmdir(path_dir);
	} else if (!strcmp(op, "create+unlink")) {
		unlink(path_new);
	} else if (!strcmp(op, "pipe-pingpong")) {
		if (pipe(ping) || pipe(pong))
			return fail("pipe");
		echo_pid = fork();
		if (echo_pid < 0)
			return fail("fork");
		if (echo_pid == 0) {
			char c;

			close(ping[1]);
			close(pong[0]);
			while (read(ping[0], &c, 1) == 1)
				if (write(pong[1], &c, 1) != 1)
					break;
			_exit(0);
		}
		close(ping[0]);
		close(pong[1]);
	}
	return 0;
}

static void teardown(void)
{
	if (fd_read >= 0)
		close(fd_read);
	if (fd_write >= 0)
		close(fd_write);
	fd_read = fd_write = -1;
	if (echo_pid > 0) {
		close(ping[1]);
		close(pong[0]);
		waitpid(echo_pid, NULL, 0);
		echo_pid = -1;
	}
	unlink(path_file);
	unlink(path_new);
	rmdir(path_dir);
}

static const struct {
	const char *name;
	int (*fn)(long i);
} ops[] = {
	{ "getpid", op_getpid },
	{ "stat", op_stat },
	{ "open+close", op_open_close },
	{ "read4k", op_read4k },
	{ "write4k", op_write4k },
	{ "mkdir+rmdir", op_mkdir_rmdir },
	{ "create+unlink", op_create_unlink },
	{ "fork+wait", op_fork_wait },
	{ "fork+exec+wait", op_fork_exec_wait },
	{ "pipe-pingpong", op_pipe_pingpong },
	{ "nop", op_nop },
};

/* Runs OP up to N times; 0 and the mean ns in *ns, or -1 (see why). */
static int run(int (*fn)(long i), long n, double *ns)
{
	long i, warm = n / 20 + 1;
	long long start, t = 0;

	for (i = 0; i < warm; i++)
		if (fn(i))
			return -1;
	start = now_ns();
	for (i = 0; i < n; i++) {
		if (fn(i))
			return -1;
		if (i % CHECK_EVERY == CHECK_EVERY - 1) {
			t = now_ns() - start;
			if (t > BUDGET_NS) {
				i++;
				break;
			}
		}
	}
	t = now_ns() - start;
	*ns = (double)t / (double)i;
	return 0;
}

static int usage(void)
{
	size_t k;

	fprintf(stderr, "usage: kbox_ops DIR OP N [OP N]...\nOP:");
	for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
		fprintf(stderr, " %s", ops[k].name);
	fprintf(stderr, "\n");
	return 2;
}

int main(int argc, char **argv)
{
	int a, status = 0;

	if (argc < 4 || argc % 2)
		return usage();
	dir = argv[1];
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(path_file, sizeof(path_file), "%s/kbox_ops.%d.f", dir, (int)getpid());
	snprintf(path_dir, sizeof(path_dir), "%s/kbox_ops.%d.d", dir, (int)getpid());
	snprintf(path_new, sizeof(path_new), "%s/kbox_ops.%d.n", dir, (int)getpid());
	signal(SIGPIPE, SIG_IGN);
	for (a = 2; a + 1 < argc; a += 2) {
		const char *op = argv[a];
		char *end;
		long n = strtol(argv[a + 1], &end, 10);
		size_t k;
		double ns;

		for (k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			if (!strcmp(op, ops[k].name))
				break;
		if (k == sizeof(ops) / sizeof(ops[0]) || *end || n <= 0)
			return usage();
		if (!strcmp(op, "nop"))
			continue;
		why = NULL;
		errno = 0;
		if (setup(op) || run(ops[k].fn, n, &ns)) {
			printf("%s failed: %s\n", op, why ? why : "?");
			status = 1;
		} else {
			printf("%s %.0f\n", op, ns);
		}
		fflush(stdout);
		teardown();
	}
	return status;
}
