// SPDX-License-Identifier: GPL-2.0
/* Forking the guest under the filter. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/seccomp.h>

#include "filter.h"
#include "landlock.h"
#include "launch.h"
#include "tool.h"

/* Debian 12's headers predate it (Linux 6.6). */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS	SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP	(1UL << 0)
#endif

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV	(1UL << 5)
#endif

/* The listener's number in the child: the lowest after stdio. */
#define CHILD_LISTENER_FD 3

/*
 * The handshake, in a page both sides share: the child says its listener
 * exists, and waits until kbox has taken it.  (A signal would not do:
 * without Landlock's scoping, kill is one of the calls kbox serves.)
 */
enum { SYNC_START, SYNC_LISTENING, SYNC_TAKEN };
static int *sync_word;

static void __attribute__((noreturn)) child(const struct launch *l)
{
	struct sock_fprog prog;
	char path[PATH_MAX];
	long fd;

	/* The guest inherits stdio and nothing else of kbox's. */
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
		_exit(125);
	/* kbox ignores some signals for itself; the guest starts with none ignored. */
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	/* If kbox dies, the guest does not outlive it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(125);
	if (chdir(l->host_cwd) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		_exit(125);
	/* Writable, and long enough for kbox to write the memfd's name over. */
	snprintf(path, sizeof(path), "%s", l->path);
	if (landlock_confine(l->landlock_abi) < 0)
		_exit(124);
	prog.filter = filter_build(&prog.len, landlock_scopes_signals(l->landlock_abi));
	/*
	 * Once kbox took a call, only a fatal signal ends the guest's wait:
	 * a fork or a write is never half done.  kbox itself stops a blocking
	 * call when a signal is pending and answers ERESTARTSYS, which the
	 * host turns into EINTR or a restart, as the handler's SA_RESTART says.
	 */
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		     SECCOMP_FILTER_FLAG_NEW_LISTENER |
		     SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &prog);
	if (fd != CHILD_LISTENER_FD)
		_exit(125);
	/* Wait for kbox to take the listener (futex is a host call). */
	__atomic_store_n(sync_word, SYNC_LISTENING, __ATOMIC_RELEASE);
	syscall(SYS_futex, sync_word, FUTEX_WAKE, 1, NULL, NULL, 0);
	while (__atomic_load_n(sync_word, __ATOMIC_ACQUIRE) != SYNC_TAKEN)
		syscall(SYS_futex, sync_word, FUTEX_WAIT, SYNC_LISTENING, NULL, NULL, 0);
	execve(path, l->argv, l->envp);
	_exit(errno == ENOENT ? 127 : 126);
}

pid_t launch_guest(const struct launch *l, int *listener)
{
	int status, pidfd, fd;
	__u64 flags = SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP;
	pid_t pid;

	sync_word = mmap(NULL, sizeof(*sync_word), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sync_word == MAP_FAILED) {
		tool_error(NULL, "mmap: %s", strerror(errno));
		return -1;
	}
	*sync_word = SYNC_START;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		tool_error(NULL, "fork: %s", strerror(errno));
		munmap(sync_word, sizeof(*sync_word));
		return -1;
	}
	if (pid == 0)
		child(l);

	while (__atomic_load_n(sync_word, __ATOMIC_ACQUIRE) != SYNC_LISTENING) {
		struct timespec tick = { 0, 10 * 1000 * 1000 };

		if (waitpid(pid, &status, WNOHANG) == pid) {
			tool_error(NULL, "cannot start the guest: %s",
				   !WIFEXITED(status) ? "it died before its first exec" :
				   WEXITSTATUS(status) == 124 ? "Landlock refused to confine it" :
				   "seccomp user notification is not available");
			munmap(sync_word, sizeof(*sync_word));
			return -1;
		}
		syscall(SYS_futex, sync_word, FUTEX_WAIT, SYNC_START, &tick, NULL, 0);
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	fd = pidfd < 0 ? -1 : (int)syscall(SYS_pidfd_getfd, pidfd, CHILD_LISTENER_FD, 0);
	if (fd < 0) {
		tool_error(NULL, "cannot take the guest's seccomp listener: %s",
			   strerror(errno));
		if (pidfd >= 0)
			close(pidfd);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(pidfd);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	/* Both sides of a call may share a CPU: wake the other one directly. */
	ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, flags);
	*listener = fd;
	__atomic_store_n(sync_word, SYNC_TAKEN, __ATOMIC_RELEASE);
	syscall(SYS_futex, sync_word, FUTEX_WAKE, 1, NULL, NULL, 0);
	munmap(sync_word, sizeof(*sync_word));
	return pid;
}
