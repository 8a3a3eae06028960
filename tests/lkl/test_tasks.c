// SPDX-License-Identifier: GPL-2.0
/*
 * lkl_task_clone / lkl_task_adopt: a host thread runs as a clone of
 * another thread's task, with its own or shared fd table, cwd and umask;
 * lkl_task_renumber gives a task the number a sandbox chooses;
 * lkl_task_set_cmdline sets what /proc/PID/cmdline shows.
 */
#include <pthread.h>
#include <semaphore.h>
#include <unistd.h>
#include <string.h>
#include <lkl.h>
#include "tap.h"

#define SIGCHLD_NR 17

struct child_ctx {
	long tid;
	long parent_fd;		/* an fd the parent had when cloning */
	int pipe_rd;		/* the child blocks reading this */
	sem_t reading;		/* posted just before the blocking read */
	/* results, checked by the main thread */
	long adopt, adopt_again, getpid, gettid, getppid, fstat_parent_fd;
	long close_parent_fd, chdir, umask_old, new_fd, read_ret;
	long want, renumber, renumber_taken, adopt_old, setuid;
	char buf[16], cmdline[64], status[2048];
};

/* Read a whole small file of the kernel's into buf (NUL-terminated). */
static long slurp(const char *path, char *buf, size_t size)
{
	long fd = lkl_sys_open(path, LKL_O_RDONLY, 0), n;

	if (fd < 0)
		return fd;
	n = lkl_sys_read(fd, buf, size - 1);
	lkl_sys_close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/* The value of a "Name:\tvalue" line of /proc/self/status, or "". */
static const char *status_field(const char *status, const char *name, char *out, size_t size)
{
	const char *p = strstr(status, name);
	size_t n = 0;

	out[0] = 0;
	if (!p)
		return out;
	p += strlen(name);
	while (*p == ':' || *p == '\t')
		p++;
	while (p[n] && p[n] != '\n' && n + 1 < size)
		n++;
	memcpy(out, p, n);
	out[n] = 0;
	return out;
}

static void *child_process(void *arg)
{
	struct child_ctx *c = arg;
	struct lkl_stat st;

	c->adopt = lkl_task_adopt(c->tid);
	c->adopt_again = lkl_task_adopt(c->tid);
	c->renumber_taken = lkl_task_renumber(1);
	c->renumber = lkl_task_renumber(c->want);
	c->adopt_old = lkl_task_adopt(c->tid);
	slurp("/proc/self/cmdline", c->cmdline, sizeof(c->cmdline));
	c->getpid = lkl_sys_getpid();
	c->gettid = lkl_sys_gettid();
	c->getppid = lkl_sys_getppid();
	c->fstat_parent_fd = lkl_sys_fstat(c->parent_fd, &st);
	c->close_parent_fd = lkl_sys_close(c->parent_fd);
	c->chdir = lkl_sys_chdir("/child");
	c->umask_old = lkl_sys_umask(077);
	c->new_fd = lkl_sys_open("/child/file", LKL_O_CREAT | LKL_O_WRONLY, 0666);
	/* Blocks until the parent writes: the parent must keep running. */
	sem_post(&c->reading);
	c->read_ret = lkl_sys_read(c->pipe_rd, c->buf, sizeof(c->buf));
	lkl_sys_exit(7);
	return NULL;
}

static void *child_thread(void *arg)
{
	struct child_ctx *c = arg;

	c->adopt = lkl_task_adopt(c->tid);
	c->renumber = lkl_task_renumber(c->want);
	c->getpid = lkl_sys_getpid();
	c->gettid = lkl_sys_gettid();
	c->new_fd = lkl_sys_open("/shared-by-thread", LKL_O_CREAT | LKL_O_WRONLY, 0600);
	c->chdir = lkl_sys_chdir("/child");
	return NULL;
}

/* A process of an unprivileged user takes a number. */
static void *child_unprivileged(void *arg)
{
	struct child_ctx *c = arg;

	c->adopt = lkl_task_adopt(c->tid);
	c->setuid = lkl_sys_setresuid(1000, 1000, 1000);
	c->renumber = lkl_task_renumber(c->want);
	c->getpid = lkl_sys_getpid();
	slurp("/proc/self/status", c->status, sizeof(c->status));
	lkl_sys_exit(0);
	return NULL;
}

static long cwd_is(const char *want)
{
	char buf[256];
	long ret = lkl_sys_getcwd(buf, sizeof(buf));

	return ret > 0 && !strcmp(buf, want);
}

int main(void)
{
	struct child_ctx c = { 0 }, t = { 0 }, u = { 0 };
	static const char args[] = "prog\0first arg\0";
	char buf[64], field[64];
	struct lkl_stat st;
	int pipefd[2], status = 0;
	pthread_t th;
	long fd, self;
	char link[64];

	lkl_host_ops.print = NULL;
	is_int(lkl_init(&lkl_host_ops), 0, "lkl_init");
	is_int(lkl_start_kernel("mem=32M"), 0, "boot");

	is_int(lkl_sys_mkdir("/child", 0755), 0, "mkdir /child");
	fd = lkl_sys_open("/parent-file", LKL_O_CREAT | LKL_O_RDWR, 0644);
	ok(fd >= 0, "parent opens a file (fd %ld)", fd);
	is_int(lkl_sys_pipe2(pipefd, 0), 0, "pipe2");
	lkl_sys_umask(022);
	self = lkl_sys_gettid();
	is_int(lkl_sys_mkdir("/proc", 0555), 0, "mkdir /proc");
	is_int(lkl_sys_mount("proc", "/proc", "proc", 0, NULL), 0, "mount proc");

	/* The command line, set twice: the second replaces the first. */
	is_int(lkl_task_set_cmdline("", 0), 0, "an empty command line (an exec without argv)");
	is_int(slurp("/proc/self/cmdline", buf, sizeof(buf)), 0, "/proc/self/cmdline is empty");
	is_int(lkl_task_set_cmdline("old\0", 4), 0, "lkl_task_set_cmdline");
	is_int(lkl_task_set_cmdline(args, sizeof(args) - 1), 0, "lkl_task_set_cmdline again");
	is_int(slurp("/proc/self/cmdline", buf, sizeof(buf)), sizeof(args) - 1,
	       "/proc/self/cmdline has its length");
	ok(!memcmp(buf, args, sizeof(args) - 1), "and its bytes");
	is_int(lkl_task_set_cmdline(args, 1 << 30), -LKL_E2BIG, "a huge command line is refused");
	is_int(lkl_task_renumber(0), -LKL_EINVAL, "pid 0 is no number");

	is_int(lkl_task_clone(~0UL), -LKL_EINVAL, "unknown clone flags are refused");
	is_int(lkl_task_adopt(self), -LKL_EBUSY, "a bound task cannot be adopted");
	is_int(lkl_task_adopt(99999), -LKL_ESRCH, "an unknown tid cannot be adopted");

	/* A new process: nothing shared, SIGCHLD on exit. */
	c.tid = lkl_task_clone(SIGCHLD_NR);
	ok(c.tid > 1, "lkl_task_clone makes a process (tid %ld)", c.tid);
	c.parent_fd = fd;
	c.want = 4000000;	/* above the default pid_max: any host pid fits */
	c.pipe_rd = pipefd[0];
	sem_init(&c.reading, 0, 0);
	pthread_create(&th, NULL, child_process, &c);

	/* While the child is blocked in read(), the parent goes on working. */
	sem_wait(&c.reading);
	usleep(20000);
	ok(cwd_is("/"), "the parent's cwd is unchanged by the child's chdir");
	is_int(lkl_sys_fstat(fd, &st), 0, "the parent's fd survives the child closing its copy");
	is_int(lkl_sys_umask(022), 022, "the parent's umask is its own");
	is_int(lkl_sys_write(pipefd[1], "wake", 4), 4, "parent writes to the pipe");
	pthread_join(th, NULL);

	is_int(c.adopt, 0, "a host thread adopts the clone");
	is_int(c.adopt_again, -LKL_EBUSY, "an adopted task cannot be adopted again");
	is_int(c.renumber_taken, -LKL_EEXIST, "a number in use is refused");
	is_int(c.renumber, c.want, "lkl_task_renumber gives the process the number asked for");
	is_int(c.adopt_old, -LKL_ESRCH, "the old task is gone");
	is_int(c.getpid, c.want, "the clone is a process of its own (getpid == the new number)");
	is_int(c.gettid, c.want, "gettid in the clone");
	ok(!memcmp(c.cmdline, args, sizeof(args) - 1), "a new process has a copy of its parent's command line");
	is_int(c.getppid, 1, "its parent is pid 1");
	is_int(c.fstat_parent_fd, 0, "the clone inherited a copy of the fd table");
	is_int(c.close_parent_fd, 0, "the clone closes its copy");
	is_int(c.chdir, 0, "the clone changes its own cwd");
	is_int(c.umask_old, 022, "the clone inherited the umask");
	is_int(c.new_fd, fd, "the clone's new fd reuses the number it closed");
	is_int(c.read_ret, 4, "the blocked read completed");
	ok(!memcmp(c.buf, "wake", 4), "with the parent's data");
	is_int(lkl_sys_wait4(c.want, &status, 0, NULL), c.want, "the parent reaps the renumbered clone");
	is_int(status, 7 << 8, "exit status 7");
	is_int(lkl_sys_wait4(c.tid, &status, 0, NULL), c.tid, "and the task it replaced");
	is_int(status, 0, "which exited with 0");

	/* A thread: shares files and fs with the caller. */
	t.tid = lkl_task_clone(LKL_CLONE_VM | LKL_CLONE_FS | LKL_CLONE_FILES |
			       LKL_CLONE_SIGHAND | LKL_CLONE_THREAD | LKL_CLONE_SYSVSEM);
	ok(t.tid > 1, "lkl_task_clone makes a thread (tid %ld)", t.tid);
	t.want = 4343;
	pthread_create(&th, NULL, child_thread, &t);
	pthread_join(th, NULL);
	is_int(t.adopt, 0, "a host thread adopts the thread clone");
	is_int(t.renumber, t.want, "a thread takes a number");
	is_int(t.getpid, 1, "the thread clone belongs to pid 1");
	is_int(t.gettid, t.want, "with the number as its tid");
	ok(t.new_fd >= 0 && lkl_sys_fstat(t.new_fd, &st) == 0,
	   "an fd it opened is visible to the caller (shared table)");
	ok(cwd_is("/child"), "its chdir moved the caller too (shared fs)");

	/* An unprivileged task is numbered, and gains no capability. */
	u.tid = lkl_task_clone(SIGCHLD_NR);
	u.want = 31337;
	pthread_create(&th, NULL, child_unprivileged, &u);
	pthread_join(th, NULL);
	is_int(u.setuid, 0, "the clone becomes uid 1000");
	is_int(u.renumber, u.want, "and takes a number all the same");
	is_int(u.getpid, u.want, "getpid is the number");
	ok(!strcmp(status_field(u.status, "CapEff", field, sizeof(field)), "0000000000000000"),
	   "with no effective capability (%s)", field);
	ok(!strncmp(status_field(u.status, "Uid", field, sizeof(field)), "1000\t1000", 9),
	   "and still uid 1000 (%s)", field);
	is_int(lkl_sys_wait4(u.want, &status, 0, NULL), u.want, "reap it");
	is_int(lkl_sys_wait4(u.tid, &status, 0, NULL), u.tid, "and the task it replaced");

	/* A sandbox's program, run on the host: /proc/self/exe names it. */
	fd = lkl_sys_open("/prog", LKL_O_CREAT | LKL_O_WRONLY, 0755);
	ok(fd >= 0 && lkl_sys_close(fd) == 0, "make /prog");
	fd = lkl_sys_open("/prog", LKL_O_RDONLY, 0);
	is_int(lkl_task_set_exe(fd), 0, "lkl_task_set_exe(/prog)");
	lkl_sys_close(fd);
	memset(link, 0, sizeof(link));
	lkl_sys_readlink("/proc/self/exe", link, sizeof(link) - 1);
	ok(!strcmp(link, "/prog"), "/proc/self/exe is /prog (%s)", link);
	is_int(lkl_sys_open("/prog", LKL_O_WRONLY, 0), -LKL_ETXTBSY,
	       "a running program cannot be opened for writing");
	is_int(lkl_task_set_exe(-1), -LKL_EBADF, "a bad fd is refused");

	is_int(lkl_sys_halt(), 0, "halt");
	lkl_cleanup();
	return tap_done();
}
