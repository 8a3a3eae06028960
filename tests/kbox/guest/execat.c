// SPDX-License-Identifier: GPL-2.0
/*
 * execveat(2) for tests/kbox/test_scripts.sh, run inside kbox:
 *
 *   execat [-c] DIR NAME [ARG...]
 *   execat [-c] -f FILE [ARG...]
 *
 * opens DIR (close-on-exec with -c) and execs NAME relative to it with
 * argv [NAME, ARG...]; with -f opens FILE and execs it through its fd
 * (fexecve: an empty path, AT_EMPTY_PATH) with argv [FILE's basename,
 * ARG...].  When that fails, prints "execveat ERRNO-NAME" and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	int cloexec = argc > 1 && !strcmp(argv[1], "-c"), by_fd;
	int dirfd;

	argv += cloexec;
	argc -= cloexec;
	by_fd = argc > 2 && !strcmp(argv[1], "-f");
	if (by_fd) {
		char *base = strrchr(argv[2], '/');

		dirfd = open(argv[2], O_RDONLY | (cloexec ? O_CLOEXEC : 0));
		if (dirfd < 0) {
			perror(argv[2]);
			return 2;
		}
		argv[2] = base ? base + 1 : argv[2];
		syscall(SYS_execveat, dirfd, "", argv + 2, environ, AT_EMPTY_PATH);
		printf("execveat %s\n", strerrorname_np(errno));
		return 1;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: execat [-c] DIR NAME [ARG...]\n");
		return 2;
	}
	dirfd = open(argv[1], O_RDONLY | O_DIRECTORY | (cloexec ? O_CLOEXEC : 0));
	if (dirfd < 0) {
		perror(argv[1]);
		return 2;
	}
	syscall(SYS_execveat, dirfd, argv[2], argv + 2, environ, 0);
	printf("execveat %s\n", strerrorname_np(errno));
	return 1;
}
