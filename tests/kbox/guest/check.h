/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the guest test programs share: each check prints "NAME ok" or
 * "NAME FAIL: why (errno NAME)", and the program fails if one did.
 */
#ifndef KBOX_TEST_GUEST_CHECK_H
#define KBOX_TEST_GUEST_CHECK_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>

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

#endif
