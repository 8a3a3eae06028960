// SPDX-License-Identifier: GPL-2.0
/*
 * Guest program: execs that fail (E2BIG, EFAULT) leave the process as it
 * was: its close-on-exec fds open, its other thread running, its command
 * line; an exec just within the limits runs.  Prints one line per check.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
static int wake[2];

static void *sleeper(void *arg)
{
	char c;

	(void)arg;
	return read(wake[0], &c, 1) == 1 ? (void *)1 : NULL;
}

/* argv of n strings of size bytes each (NUL included), after "true". */
static char **many(int n, size_t size)
{
	char **argv = calloc(n + 2, sizeof(*argv));
	int i;

	argv[0] = "true";
	for (i = 1; i <= n; i++) {
		argv[i] = malloc(size);
		memset(argv[i], 'a', size - 1);
		argv[i][size - 1] = 0;
	}
	return argv;
}

static void try_exec(const char *what, char **argv, int want)
{
	int ret = execve("/bin/true", argv, environ);

	printf("%s: %s\n", what, ret < 0 && errno == want ? "refused" : strerror(errno));
}

/* Runs argv in a child; its exit status. */
static int run(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execve("/bin/true", argv, environ);
		_exit(errno == E2BIG ? 7 : 8);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	struct rlimit stack = { 1024 * 1024, 1024 * 1024 };
	char buf[64] = "", cmdline[64] = "";
	pthread_t th;
	void *res;
	int fd, cfd;
	ssize_t n;

	/* A quarter of 1 MiB, 256 KiB, for argv and envp. */
	if (setrlimit(RLIMIT_STACK, &stack) || pipe(wake))
		return 1;
	fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	pthread_create(&th, NULL, sleeper, NULL);

	try_exec("one string over 128 KiB", many(1, 128 * 1024 + 1), E2BIG);
	try_exec("300 strings of 1000 bytes", many(300, 1000), E2BIG);
	try_exec("argv at a bad address", (char **)8, EFAULT);
	printf("200 strings of 1000 bytes: status %d\n", run(many(200, 1000)));
	printf("a string of 128 KiB: status %d\n", run(many(1, 128 * 1024)));

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	printf("the close-on-exec fd still reads: %s", n > 0 ? buf : "no\n");
	cfd = open("/proc/self/cmdline", O_RDONLY);
	n = read(cfd, cmdline, sizeof(cmdline) - 1);
	printf("the command line is still: %s\n", n > 0 ? cmdline : "(none)");
	if (write(wake[1], "x", 1) != 1 || pthread_join(th, &res))
		return 1;
	printf("the other thread still runs: %s\n", res ? "yes" : "no");
	return 0;
}
