// SPDX-License-Identifier: GPL-2.0
/*
 * poll and select over a host fd and kernel fds at once inside kbox.  Its
 * stdin must be a host pipe holding "host-data" (whose writer is gone);
 * the program opens a writer of that pipe anew through /dev/stdin.  Each
 * check prints "NAME ok" or "NAME FAIL: why".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

static void on_alarm(int sig)
{
	(void)sig;
}

/* poll over stdin (host) and the kernel pipe's reader, with timeout ms. */
static int poll2(int kfd, int ms, short *host, short *kernel)
{
	struct pollfd p[3] = {
		{ .fd = 0, .events = POLLIN },
		{ .fd = -1 },		/* ignored, as on Linux */
		{ .fd = kfd, .events = POLLIN },
	};
	int n = poll(p, 3, ms);

	*host = p[0].revents;
	*kernel = p[2].revents;
	return n;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { { 0, 0 }, { 0, 200000 } };
	struct timeval tv;
	struct pollfd sp[2];
	short host, kernel;
	sigset_t set;
	fd_set rd;
	int w, kp[2], n, sfd;
	pid_t child;
	long t0;

	w = open("/dev/stdin", O_WRONLY);
	check("reopen-writer", w >= 0, "open /dev/stdin for writing");
	if (w < 0 || pipe2(kp, O_NONBLOCK))
		return 1;
	fcntl(0, F_SETFL, O_NONBLOCK);

	n = poll2(kp[0], 0, &host, &kernel);
	check("host-ready", n == 1 && host == POLLIN && !kernel, "%d, revents %#x %#x",
	      n, host, kernel);
	check("read-host", !strcmp(read_now(0), "host-data"), "read something else");
	t0 = now_ms();
	n = poll2(kp[0], 300, &host, &kernel);
	check("timeout", n == 0 && now_ms() - t0 >= 290, "%d after %ld ms", n, now_ms() - t0);

	/* Woken by either side while it sleeps. */
	child = write_later(w, "late-host", 200);
	n = poll2(kp[0], 10000, &host, &kernel);
	check("wakes-on-host", n == 1 && host == POLLIN && !kernel, "%d, revents %#x %#x",
	      n, host, kernel);
	check("wakes-on-host-child", child_status(child) == 0, "child failed");
	check("read-late-host", !strcmp(read_now(0), "late-host"), "read something else");
	child = write_later(kp[1], "late-kernel", 200);
	n = poll2(kp[0], 10000, &host, &kernel);
	check("wakes-on-kernel", n == 1 && kernel == POLLIN && !host, "%d, revents %#x %#x",
	      n, host, kernel);
	child_status(child);
	check("read-late-kernel", !strcmp(read_now(kp[0]), "late-kernel"), "read something else");

	/* Both ready: both reported. */
	n = write(w, "h", 1) + write(kp[1], "k", 1) == 2 ? poll2(kp[0], 1000, &host, &kernel) : -1;
	check("both", n == 2 && host == POLLIN && kernel == POLLIN, "%d, revents %#x %#x",
	      n, host, kernel);
	read_now(0);
	read_now(kp[0]);

	/* A signal interrupts it; the wait for ever is not restarted. */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	t0 = now_ms();
	n = poll2(kp[0], -1, &host, &kernel);
	check("eintr", n == -1 && errno == EINTR, "%d after %ld ms", n, now_ms() - t0);
	/* The next call is not cut short by what interrupted this one. */
	child = write_later(w, "after-eintr", 300);
	t0 = now_ms();
	n = poll2(kp[0], 10000, &host, &kernel);
	check("after-eintr", n == 1 && host == POLLIN && now_ms() - t0 >= 250,
	      "%d after %ld ms", n, now_ms() - t0);
	child_status(child);
	read_now(0);

	/* select over the same fds. */
	child = write_later(w, "s", 200);
	FD_ZERO(&rd);
	FD_SET(0, &rd);
	FD_SET(kp[0], &rd);
	tv = (struct timeval){ 10, 0 };
	n = select(kp[0] + 1, &rd, NULL, NULL, &tv);
	check("select-host", n == 1 && FD_ISSET(0, &rd) && !FD_ISSET(kp[0], &rd), "%d", n);
	child_status(child);
	read_now(0);
	FD_ZERO(&rd);
	FD_SET(0, &rd);
	FD_SET(kp[0], &rd);
	tv = (struct timeval){ 0, 200000 };
	n = select(kp[0] + 1, &rd, NULL, NULL, &tv);
	check("select-timeout", n == 0 && !FD_ISSET(0, &rd), "%d", n);

	/* A signalfd (a host fd) with a kernel pipe: its signals are the guest's. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_NONBLOCK);
	sp[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	sp[1] = (struct pollfd){ .fd = kp[0], .events = POLLIN };
	n = poll(sp, 2, 100);
	check("signalfd-quiet", n == 0, "%d", n);
	child = fork();
	if (child == 0) {
		usleep(200000);
		_exit(kill(getppid(), SIGUSR1));
	}
	n = poll(sp, 2, 10000);
	check("signalfd-wakes", n == 1 && sp[0].revents == POLLIN, "%d, revents %#x",
	      n, sp[0].revents);
	child_status(child);
	return failed;
}
