/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host commands for the kernel tests: the independent tools (mkfs, fsck,
 * mtools, xfs_db...) that check what liblkl wrote.
 */
#ifndef TESTS_LKL_HOST_CMD_H
#define TESTS_LKL_HOST_CMD_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

/* Run a shell command; its exit status, or -1 if it did not exit. */
static inline int run(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A command's standard output, NUL-terminated, cut to len - 1 bytes. */
static inline char *host_output(const char *cmd, char *buf, size_t len)
{
	FILE *f = popen(cmd, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		pclose(f);
	return buf;
}

#endif
