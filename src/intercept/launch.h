/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Starting the guest: a child process that puts itself under the seccomp
 * filter and execs the guest's first program, its exec already served by
 * kbox like any other.
 */
#ifndef KBOX_INTERCEPT_LAUNCH_H
#define KBOX_INTERCEPT_LAUNCH_H

#include <sys/types.h>

struct launch {
	const char *path;	/* the program, resolved in the image */
	char **argv;
	char **envp;
	const char *host_cwd;	/* the exec directory */
	int landlock_abi;	/* 0: no Landlock on this host */
};

/*
 * Fork the guest.  On success returns its pid with the filter's listener
 * in *listener; the child is stopped in its first exec until the
 * supervisor serves it.  -1 after printing why.
 */
pid_t launch_guest(const struct launch *l, int *listener);

#endif
