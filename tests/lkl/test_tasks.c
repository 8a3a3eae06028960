// SPDX-License-Identifier: GPL-2.0
/*
 * lkl_task_clone / lkl_task_adopt: a host thread runs as a clone of
 * another thread's task, with its own or shared fd table, cwd and umask.
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
	char buf[16];
};

static void *child_process(void *arg)
{
	struct child_ctx *c = arg;
	struct lkl_stat st;

	c->adopt = lkl_task_adopt(c->tid);
	c->adopt_again = lkl_task_adopt(c->tid);
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
	c->getpid = lkl_sys_getpid();
	c->gettid = lkl_sys_gettid();
	c->new_fd = lkl_sys_open("/shared-by-thread", LKL_O_CREAT | LKL_O_WRONLY, 0600);
	c->chdir = lkl_sys_chdir("/child");
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
	struct child_ctx c = { 0 }, t = { 0 };
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

	is_int(lkl_task_clone(~0UL), -LKL_EINVAL, "unknown clone flags are refused");
	is_int(lkl_task_adopt(self), -LKL_EBUSY, "a bound task cannot be adopted");
	is_int(lkl_task_adopt(99999), -LKL_ESRCH, "an unknown tid cannot be adopted");

	/* A new process: nothing shared, SIGCHLD on exit. */
	c.tid = lkl_task_clone(SIGCHLD_NR);
	ok(c.tid > 1, "lkl_task_clone makes a process (tid %ld)", c.tid);
	c.parent_fd = fd;
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
	is_int(c.getpid, c.tid, "the clone is a process of its own (getpid == tid)");
	is_int(c.gettid, c.tid, "gettid in the clone");
	is_int(c.getppid, 1, "its parent is pid 1");
	is_int(c.fstat_parent_fd, 0, "the clone inherited a copy of the fd table");
	is_int(c.close_parent_fd, 0, "the clone closes its copy");
	is_int(c.chdir, 0, "the clone changes its own cwd");
	is_int(c.umask_old, 022, "the clone inherited the umask");
	is_int(c.new_fd, fd, "the clone's new fd reuses the number it closed");
	is_int(c.read_ret, 4, "the blocked read completed");
	ok(!memcmp(c.buf, "wake", 4), "with the parent's data");
	is_int(lkl_sys_wait4(c.tid, &status, 0, NULL), c.tid, "the parent reaps the clone");
	is_int(status, 7 << 8, "exit status 7");

	/* A thread: shares files and fs with the caller. */
	t.tid = lkl_task_clone(LKL_CLONE_VM | LKL_CLONE_FS | LKL_CLONE_FILES |
			       LKL_CLONE_SIGHAND | LKL_CLONE_THREAD | LKL_CLONE_SYSVSEM);
	ok(t.tid > 1, "lkl_task_clone makes a thread (tid %ld)", t.tid);
	pthread_create(&th, NULL, child_thread, &t);
	pthread_join(th, NULL);
	is_int(t.adopt, 0, "a host thread adopts the thread clone");
	is_int(t.getpid, 1, "the thread clone belongs to pid 1");
	is_int(t.gettid, t.tid, "with its own tid");
	ok(t.new_fd >= 0 && lkl_sys_fstat(t.new_fd, &st) == 0,
	   "an fd it opened is visible to the caller (shared table)");
	ok(cwd_is("/child"), "its chdir moved the caller too (shared fs)");

	/* A sandbox's program, run on the host: /proc/self/exe names it. */
	fd = lkl_sys_open("/prog", LKL_O_CREAT | LKL_O_WRONLY, 0755);
	ok(fd >= 0 && lkl_sys_close(fd) == 0, "make /prog");
	fd = lkl_sys_open("/prog", LKL_O_RDONLY, 0);
	is_int(lkl_task_set_exe(fd), 0, "lkl_task_set_exe(/prog)");
	lkl_sys_close(fd);
	is_int(lkl_sys_mkdir("/proc", 0555), 0, "mkdir /proc");
	is_int(lkl_sys_mount("proc", "/proc", "proc", 0, NULL), 0, "mount proc");
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
