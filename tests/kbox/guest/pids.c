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
