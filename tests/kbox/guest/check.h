/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest test programs share: each check prints "NAME ok" or
 * "NAME FAIL: why (errno NAME)", and the program fails if one did; a
 * clock, and children that write or read for them.
 */
#ifndef KBOX_TEST_GUEST_CHECK_H
#define KBOX_TEST_GUEST_CHECK_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failed;

static inline void check(const char *name, int good, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline void check(const char *name, int good, const char *fmt, ...)
{
	va_list ap;

	if (good) {
		printf("%s ok\n", name);
	} else {
		failed = 1;
		printf("%s FAIL: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf(" (errno %s)\n", strerrorname_np(errno) ?: "?");
	}
	fflush(stdout);
}

/* The exit status of child pid (128+N after signal N), or -1. */
static inline int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static inline long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A child that writes s to fd after ms. */
static inline pid_t write_later(int fd, const char *s, int ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		usleep(ms * 1000);
		_exit(write(fd, s, strlen(s)) != (ssize_t)strlen(s));
	}
	return pid;
}

/* What fd (non-blocking) has now, NUL-terminated (a static buffer). */
static inline const char *read_now(int fd)
{
	static char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

#endif
