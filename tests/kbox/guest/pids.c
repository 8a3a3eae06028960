// SPDX-License-Identifier: GPL-2.0
/*
 * Guest program: the pids a process learns from system calls are the ones
 * /proc shows it, for itself, its threads, its children, and the owner of
 * a lock it holds.  Prints one line per check; "ok" or what differed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t link_pid(const char *path)
{
	char buf[64];
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);

	if (n < 0)
		return -1;
	buf[n] = 0;
	return atoi(buf);
}

/* The value of field name in /proc/PID/status ("self" too), or -1. */
static long status_field(const char *pid, const char *name)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, strlen(name)) && line[strlen(name)] == ':')
			v = atol(line + strlen(name) + 1);
	fclose(f);
	return v;
}

static void check(const char *what, long got, long want)
{
	if (got == want)
		printf("%s: ok\n", what);
	else
		printf("%s: %ld, not %ld\n", what, got, want);
	fflush(stdout);
}

static void *thread_main(void *arg)
{
	char path[64], buf[64], want[64];
	ssize_t n;

	(void)arg;
	n = readlink("/proc/thread-self", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof(want), "%d/task/%ld", getpid(), (long)syscall(SYS_gettid));
	printf("thread: /proc/thread-self %s\n", strcmp(buf, want) ? buf : "ok");
	snprintf(path, sizeof(path), "/proc/self/task/%ld/comm", (long)syscall(SYS_gettid));
	printf("thread: its task directory %s\n", access(path, R_OK) ? "missing" : "ok");
	fflush(stdout);
	return NULL;
}

static pthread_mutex_t quiet_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t quiet_cond = PTHREAD_COND_INITIALIZER;
static pid_t quiet_tid;
static int quiet_done;

/* A thread that makes no call kbox serves: it waits on host futexes only. */
static void *quiet_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&quiet_lock);
	quiet_tid = (pid_t)syscall(SYS_gettid);
	pthread_cond_broadcast(&quiet_cond);
	while (!quiet_done)
		pthread_cond_wait(&quiet_cond, &quiet_lock);
	pthread_mutex_unlock(&quiet_lock);
	return NULL;
}

int main(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10 };
	pthread_t th[3];
	int i, status, fd;
	pid_t child;
	char path[64];

	check("getpid is /proc/self", link_pid("/proc/self"), getpid());
	check("Pid in /proc/self/status", status_field("self", "Pid"), getpid());
	/* One thread at a time, so that their lines come in order. */
	for (i = 0; i < 3; i++) {
		pthread_create(&th[i], NULL, thread_main, NULL);
		pthread_join(th[i], NULL);
	}

	/* Its creator's next call has the kernel list it, not its own first. */
	pthread_create(&th[0], NULL, quiet_main, NULL);
	pthread_mutex_lock(&quiet_lock);
	while (!quiet_tid)
		pthread_cond_wait(&quiet_cond, &quiet_lock);
	pthread_mutex_unlock(&quiet_lock);
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)quiet_tid);
	check("a quiet thread's task directory", access(path, R_OK), 0);
	check("Threads in /proc/self/status", status_field("self", "Threads"), 2);
	pthread_mutex_lock(&quiet_lock);
	quiet_done = 1;
	pthread_cond_broadcast(&quiet_cond);
	pthread_mutex_unlock(&quiet_lock);
	pthread_join(th[0], NULL);

	fd = open("/tmp/pids.lock", O_RDWR | O_CREAT, 0600);
	if (fd < 0 || fcntl(fd, F_SETLK, &fl)) {
		perror("lock");
		return 1;
	}
	child = fork();
	if (child == 0) {
		check("child: getpid is /proc/self", link_pid("/proc/self"), getpid());
		check("child: PPid in /proc/self/status", status_field("self", "PPid"), getppid());
		fl.l_pid = 0;
		if (fcntl(fd, F_GETLK, &fl))
			perror("F_GETLK");
		check("child: the lock's owner is its parent", fl.l_pid, getppid());
		_exit(0);
	}
	waitpid(child, &status, 0);
	snprintf(path, sizeof(path), "/proc/%d", (int)child);
	check("the reaped child is gone from /proc", access(path, F_OK), -1);
	return 0;
}
