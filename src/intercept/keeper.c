// SPDX-License-Identifier: GPL-2.0
/* The keeper process (see keeper.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "keeper.h"

static int sock = -1;

/* Whether pid's host working directory is the exec directory. */
static bool works_in(pid_t pid, const struct stat *dir)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/cwd", (int)pid);
	return stat(path, &st) == 0 && st.st_dev == dir->st_dev && st.st_ino == dir->st_ino;
}

/* Kill every process working in dir; how many there were. */
static int kill_round(const struct stat *dir)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!proc)
		return 0;
	while ((e = readdir(proc))) {
		pid_t pid = (pid_t)atoi(e->d_name);
		int pidfd;

		if (pid <= 0 || pid == getpid())
			continue;
		/* The pidfd first: the check and the kill are then of one process. */
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0)
			continue;
		if (works_in(pid, dir)) {
			syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
			n++;
		}
		close(pidfd);
	}
	closedir(proc);
	return n;
}

static void remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (d) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	rmdir(path);
}

static void __attribute__((noreturn)) keeper_main(int fd)
{
	char dir[PATH_MAX + 1];
	struct stat st;
	ssize_t n;
	int round, sig, devnull, i;
	char c;

	prctl(PR_SET_NAME, "kbox-keeper");
	/* Signals to kbox's process group are not for the keeper: it ends after kbox. */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_IGN);
	/* Nothing of kbox's: a pipe reading kbox's output must not wait for us. */
	devnull = open("/dev/null", O_RDWR);
	for (i = 0; i < 3 && devnull >= 0; i++)
		dup2(devnull, i);
	if (fd != 3)
		fd = dup3(fd, 3, O_CLOEXEC) < 0 ? fd : 3;
	syscall(SYS_close_range, fd == 3 ? 4 : 3, ~0U, 0);
	n = recv(fd, dir, sizeof(dir) - 1, 0);
	if (n <= 0)
		_exit(0);
	dir[n] = '\0';
	/* Blocks until kbox's end of the socket closes: its exit, or death. */
	while (recv(fd, &c, 1, 0) > 0)
		;
	if (stat(dir, &st) < 0)
		_exit(0);	/* kbox ended as it should and cleaned up */
	/* Guests may fork while being killed: until a round finds none. */
	for (round = 0; round < 100 && kill_round(&st) > 0; round++)
		usleep(10000);
	remove_dir(dir);
	_exit(0);
}

int keeper_start(void)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(sv[0]);
		close(sv[1]);
		return err;
	}
	if (pid == 0) {
		close(sv[0]);
		keeper_main(sv[1]);
	}
	close(sv[1]);
	sock = sv[0];
	return 0;
}

int keeper_watch(const char *execdir)
{
	if (sock < 0)
		return -EBADF;
	return send(sock, execdir, strlen(execdir), MSG_NOSIGNAL) < 0 ? -errno : 0;
}
