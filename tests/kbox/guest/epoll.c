// SPDX-License-Identifier: GPL-2.0
/*
 * epoll sets holding host fds inside kbox.  Its stdin must be a host pipe
 * holding "host-data" (whose writer is gone); each check prints "NAME ok"
 * or "NAME FAIL: why".
 *
 *   epoll host    stdin with a kernel pipe in one set: readiness and
 *                 epoll_data of each, a timeout with nothing ready, a wait
 *                 woken by a host write, EPOLLONESHOT, EPOLLET and level
 *                 triggering, EPOLLOUT, EPOLL_CTL_MOD/DEL and their
 *                 errors, epoll_pwait2's timeout, a signal interrupting
 *                 the wait, a set in a set, a host fd added by a thread,
 *                 a forked child waiting on the set, a set closed but for
 *                 a dup, a closed fd whose dup keeps it in the set (as on
 *                 Linux), EPOLLHUP
 *   epoll loop N  N rounds of sets holding stdin: left to a child's exit,
 *                 to its exec (close-on-exec), or closed with a reopened
 *                 /dev/stdin in them; kbox must let their bridges go
 *   epoll idle MS a set holding stdin (a pipe with nothing in it) waits
 *                 MS milliseconds for nothing
 *   epoll signalfd
 *                 a signalfd in a set with a kernel pipe: quiet without a
 *                 signal, ready with one sent before or during the wait
 *                 (by itself, by a child), quiet once read; its mask;
 *                 EPOLLET and EPOLLONESHOT; DEL; a thread waiting
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

/* The epoll_data of each fd in the set, told apart in every event. */
#define D_STDIN		0x5354444e00000001ULL
#define D_KPIPE		0x4b50495000000002ULL
#define D_WRITER	0x5752495400000003ULL
#define D_INNER		0x494e4e4500000004ULL
#define D_DUP		0x4455503d00000005ULL
#define D_SIGFD		0x5349474600000006ULL

static int ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, op, fd, &ev);
}

/* One wait of up to ms: the count; the first event in *got. */
static int wait1(int ep, int ms, struct epoll_event *got)
{
	struct epoll_event ev[8];
	int n = epoll_wait(ep, ev, 8, ms);

	memset(got, 0, sizeof(*got));
	if (n > 0)
		*got = ev[0];
	return n;
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void *add_in_thread(void *arg)
{
	return (void *)(long)ctl(*(int *)arg, EPOLL_CTL_ADD, 0, EPOLLIN, D_STDIN);
}

static void t_host(void)
{
	struct epoll_event ev[8], got;
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { 0, 200000 } };
	struct timespec ts = { 0, 300000000 };
	pthread_t th;
	void *ret;
	int ep, ep2, kp[2], w, n, i, st, seen;
	long t0;
	pid_t pid;

	/* A writer of kbox's stdin pipe for the guest: the host opens it anew. */
	w = open("/dev/stdin", O_WRONLY);
	check("reopen-writer", w >= 0, "open /dev/stdin for writing %d", w);
	ep = epoll_create1(EPOLL_CLOEXEC);
	n = pipe2(kp, O_NONBLOCK);
	fcntl(0, F_SETFL, O_NONBLOCK);
	check("add-host", ctl(ep, EPOLL_CTL_ADD, 0, EPOLLIN, D_STDIN) == 0, "add stdin");
	check("add-kernel", n == 0 && ctl(ep, EPOLL_CTL_ADD, kp[0], EPOLLIN, D_KPIPE) == 0,
	      "add a kernel pipe");
	n = ctl(ep, EPOLL_CTL_ADD, 0, EPOLLIN, D_STDIN);
	check("add-twice", n < 0 && errno == EEXIST, "second add %d", n);
	n = ctl(ep, EPOLL_CTL_MOD, w, EPOLLOUT, D_WRITER);
	check("mod-absent", n < 0 && errno == ENOENT, "mod of a host fd not in the set %d", n);
	n = ctl(-1, EPOLL_CTL_ADD, 0, EPOLLIN, D_STDIN);
	check("add-bad-epfd", n < 0 && errno == EBADF, "add to fd -1 %d", n);
	n = ctl(kp[0], EPOLL_CTL_ADD, 0, EPOLLIN, D_STDIN);
	check("add-not-epoll", n < 0 && errno == EINVAL, "add to a pipe %d", n);

	n = wait1(ep, 5000, &got);
	check("host-ready", n == 1 && got.events == EPOLLIN && got.data.u64 == D_STDIN,
	      "%d events, first %#x data %#llx", n, got.events,
	      (unsigned long long)got.data.u64);
	n = write(kp[1], "kernel-data", 11) == 11 ? epoll_wait(ep, ev, 8, 5000) : -1;
	for (i = 0, seen = 0; i < n; i++)
		if (ev[i].events == EPOLLIN)
			seen |= ev[i].data.u64 == D_STDIN ? 1 : ev[i].data.u64 == D_KPIPE ? 2 : 4;
	check("both-ready", n == 2 && seen == 3, "%d events, seen %#x", n, seen);
	check("read-host", !strcmp(read_now(0), "host-data"), "stdin had something else");
	check("read-kernel", !strcmp(read_now(kp[0]), "kernel-data"), "the pipe had something else");

	t0 = now_ms();
	n = wait1(ep, 300, &got);
	t0 = now_ms() - t0;
	check("timeout-nothing", n == 0 && t0 >= 250, "%d events after %ld ms", n, t0);
	t0 = now_ms();
	n = epoll_pwait2(ep, ev, 8, &ts, NULL);
	t0 = now_ms() - t0;
	check("pwait2-timeout", n == 0 && t0 >= 250, "%d events after %ld ms", n, t0);

	pid = write_later(w, "later", 300);
	t0 = now_ms();
	n = wait1(ep, 5000, &got);
	t0 = now_ms() - t0;
	check("wakes-on-host", n == 1 && got.data.u64 == D_STDIN && t0 >= 200,
	      "%d events, data %#llx after %ld ms", n, (unsigned long long)got.data.u64, t0);
	check("read-later", !strcmp(read_now(0), "later"), "stdin had something else");
	child_status(pid);

	/* One shot: reported once, then off until MOD, data unread or not. */
	n = ctl(ep, EPOLL_CTL_MOD, 0, EPOLLIN | EPOLLONESHOT, D_STDIN + 1);
	n = n || write(w, "x", 1) != 1 ? -1 : wait1(ep, 5000, &got);
	check("oneshot-first", n == 1 && got.data.u64 == D_STDIN + 1, "%d events", n);
	n = wait1(ep, 200, &got);
	check("oneshot-off", n == 0, "%d events, data %#llx", n, (unsigned long long)got.data.u64);
	n = ctl(ep, EPOLL_CTL_MOD, 0, EPOLLIN | EPOLLONESHOT, D_STDIN + 2);
	n = n ? -1 : wait1(ep, 5000, &got);
	check("oneshot-rearmed", n == 1 && got.data.u64 == D_STDIN + 2, "%d events", n);
	read_now(0);

	/* Edge-triggered: once per write; level-triggered: while there is data. */
	n = ctl(ep, EPOLL_CTL_MOD, 0, EPOLLIN | EPOLLET, D_STDIN + 3);
	n = n || write(w, "a", 1) != 1 ? -1 : wait1(ep, 5000, &got);
	check("et-edge", n == 1 && got.data.u64 == D_STDIN + 3, "%d events", n);
	n = wait1(ep, 200, &got);
	check("et-once", n == 0, "%d events", n);
	n = write(w, "b", 1) != 1 ? -1 : wait1(ep, 5000, &got);
	check("et-next-edge", n == 1 && got.data.u64 == D_STDIN + 3, "%d events", n);
	n = ctl(ep, EPOLL_CTL_MOD, 0, EPOLLIN, D_STDIN);
	n = n ? -1 : wait1(ep, 1000, &got) + wait1(ep, 1000, &got);
	check("level-repeats", n == 2 && got.data.u64 == D_STDIN, "%d events", n);
	check("read-edges", !strcmp(read_now(0), "ab"), "stdin had something else");

	n = ctl(ep, EPOLL_CTL_ADD, w, EPOLLOUT, D_WRITER);
	n = n ? -1 : wait1(ep, 5000, &got);
	check("out-ready", n == 1 && got.events == EPOLLOUT && got.data.u64 == D_WRITER,
	      "%d events, first %#x", n, got.events);
	n = ctl(ep, EPOLL_CTL_DEL, w, 0, 0);
	check("del-writer", n == 0, "del %d", n);

	n = ctl(ep, EPOLL_CTL_DEL, 0, 0, 0);
	check("del", n == 0, "del %d", n);
	n = ctl(ep, EPOLL_CTL_DEL, 0, 0, 0);
	check("del-again", n < 0 && errno == ENOENT, "second del %d", n);
	n = write(w, "y", 1) != 1 ? -1 : wait1(ep, 300, &got);
	check("del-quiet", n == 0, "%d events, data %#llx", n, (unsigned long long)got.data.u64);
	read_now(0);

	ctl(ep, EPOLL_CTL_ADD, 0, EPOLLIN, D_STDIN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	t0 = now_ms();
	n = epoll_wait(ep, ev, 8, -1);
	t0 = now_ms() - t0;
	check("eintr", n < 0 && errno == EINTR && t0 >= 150, "%d after %ld ms", n, t0);

	/* A set in a set: the outer one sees the inner one's host fd ready. */
	ep2 = epoll_create1(0);
	n = ctl(ep2, EPOLL_CTL_ADD, ep, EPOLLIN, D_INNER);
	pid = write_later(w, "z", 200);
	n = n ? -1 : wait1(ep2, 5000, &got);
	check("nested", n == 1 && got.data.u64 == D_INNER, "%d events", n);
	n = wait1(ep, 0, &got);
	check("nested-inner", n == 1 && got.data.u64 == D_STDIN, "%d events", n);
	child_status(pid);
	close(ep2);
	read_now(0);

	/* Another thread adds to a set of its own. */
	ep2 = epoll_create1(0);
	pthread_create(&th, NULL, add_in_thread, &ep2);
	pthread_join(th, &ret);
	check("thread-add", ret == NULL, "add from a thread %ld", (long)ret);
	close(ep2);

	/* A forked child shares the set, and its bridge. */
	pid = fork();
	if (pid == 0)
		_exit(wait1(ep, 5000, &got) == 1 && got.data.u64 == D_STDIN ? 0 : 1);
	usleep(200000);
	n = write(w, "f", 1);
	st = child_status(pid);
	check("fork-shares", n == 1 && st == 0, "child status %d", st);
	read_now(0);

	/* The set lives on in a dup of its fd: so does its bridge. */
	ep2 = epoll_create1(0);
	n = ctl(ep2, EPOLL_CTL_ADD, 0, EPOLLIN, D_STDIN);
	st = dup(ep2);
	close(ep2);
	n = n || ctl(st, EPOLL_CTL_MOD, 0, EPOLLIN, D_STDIN + 4) || write(w, "e", 1) != 1 ?
	    -1 : wait1(st, 5000, &got);
	check("dup-set-lives", n == 1 && got.data.u64 == D_STDIN + 4, "%d events", n);
	close(st);
	read_now(0);

	/* As on Linux, a closed fd stays in the set while a dup keeps its file open. */
	ep2 = epoll_create1(0);
	st = dup(0);
	n = ctl(ep2, EPOLL_CTL_ADD, st, EPOLLIN, D_DUP);
	close(st);
	n = n || write(w, "d", 1) != 1 ? -1 : wait1(ep2, 5000, &got);
	check("closed-dup-reports", n == 1 && got.data.u64 == D_DUP, "%d events", n);
	close(ep2);
	read_now(0);

	/* The last writer gone: hang-up. */
	close(w);
	n = wait1(ep, 5000, &got);
	check("hup", n == 1 && (got.events & EPOLLHUP) && got.data.u64 == D_STDIN,
	      "%d events, first %#x", n, got.events);
	close(ep);
}

/* A set holding stdin, in a child that exits (exec: execs self) without closing it. */
static int set_in_child(const char *self, bool exec)
{
	pid_t pid = fork();
	int ep;

	if (pid == 0) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		if (ep < 0 || ctl(ep, EPOLL_CTL_ADD, 0, EPOLLIN, D_STDIN))
			_exit(1);
		if (exec)
			execl(self, self, "noop", (char *)NULL);
		_exit(!!exec);
	}
	return child_status(pid);
}

static void t_loop(const char *self, int rounds)
{
	struct epoll_event got;
	int i, ep = -1, r = -1, n = 0;

	/* A third of the rounds each way: nothing else says a set is gone. */
	for (i = 0; i < rounds; i++) {
		int way = i * 3 / rounds;

		if (way < 2 && set_in_child(self, way == 1))
			break;
		if (way < 2)
			continue;
		ep = epoll_create1(0);
		r = open("/dev/stdin", O_RDONLY | O_NONBLOCK);
		if (ep < 0 || r < 0 || ctl(ep, EPOLL_CTL_ADD, 0, EPOLLIN, D_STDIN) ||
		    ctl(ep, EPOLL_CTL_ADD, r, EPOLLIN, D_WRITER) || epoll_wait(ep, &got, 1, 0) < 0)
			break;
		/* The reopened file's last fd closes while in the set. */
		close(r);
		close(ep);
	}
	check("loop", i == rounds, "round %d of %d: ep %d r %d", i, rounds, ep, r);
	ep = epoll_create1(0);
	n = ctl(ep, EPOLL_CTL_ADD, 0, EPOLLIN, D_STDIN) ? -1 : wait1(ep, 5000, &got);
	check("loop-after", n == 1 && got.data.u64 == D_STDIN, "%d events", n);
}

static void t_idle(int ms)
{
	struct epoll_event got;
	int ep = epoll_create1(0), n;

	n = ctl(ep, EPOLL_CTL_ADD, 0, EPOLLIN, D_STDIN) ? -1 : wait1(ep, ms, &got);
	check("idle", n == 0, "%d events", n);
}

/* The signal a read of signalfd sfd gives (it is non-blocking), or -errno. */
static int take_signal(int sfd)
{
	struct signalfd_siginfo si;

	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return -errno;
	return (int)si.ssi_signo;
}

/* A child that sends sig to the parent after ms. */
static pid_t signal_later(int sig, int ms)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		usleep(ms * 1000);
		_exit(kill(parent, sig) != 0);
	}
	return pid;
}

static void *wait_in_thread(void *arg)
{
	struct epoll_event got;
	int n = wait1(*(int *)arg, 5000, &got);

	return (void *)(long)(n == 1 && got.data.u64 == D_SIGFD);
}

static void t_signalfd(void)
{
	struct epoll_event got;
	sigset_t set;
	pthread_t th;
	void *res;
	long t0;
	int ep = epoll_create1(0), sfd, kp[2], n, sig;
	pid_t child;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigdelset(&set, SIGUSR2);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (ep < 0 || sfd < 0 || pipe2(kp, O_NONBLOCK)) {
		check("signalfd-setup", 0, "epoll %d, signalfd %d", ep, sfd);
		return;
	}
	check("sfd-add", ctl(ep, EPOLL_CTL_ADD, sfd, EPOLLIN, D_SIGFD) == 0, "ADD");
	check("sfd-add-pipe", ctl(ep, EPOLL_CTL_ADD, kp[0], EPOLLIN, D_KPIPE) == 0, "ADD");
	check("sfd-add-twice", ctl(ep, EPOLL_CTL_ADD, sfd, EPOLLIN, D_SIGFD) < 0 &&
	      errno == EEXIST, "not EEXIST");

	n = wait1(ep, 100, &got);
	check("sfd-quiet", n == 0, "%d events", n);

	/* Signals pending already: ready at once. */
	kill(getpid(), SIGUSR1);
	n = wait1(ep, 2000, &got);
	check("sfd-pending", n == 1 && got.data.u64 == D_SIGFD && got.events == EPOLLIN,
	      "%d events, data %llx, events %x", n, (unsigned long long)got.data.u64,
	      got.events);
	n = wait1(ep, 0, &got);
	check("sfd-level", n == 1 && got.data.u64 == D_SIGFD, "%d events", n);
	sig = take_signal(sfd);
	check("sfd-read", sig == SIGUSR1, "read %d", sig);
	n = wait1(ep, 100, &got);
	check("sfd-read-quiet", n == 0, "%d events", n);

	/* Not in its mask: no event (SIGUSR2 stays pending, blocked). */
	kill(getpid(), SIGUSR2);
	n = wait1(ep, 100, &got);
	check("sfd-mask", n == 0, "%d events", n);

	/* Sent while the set waits, by another process. */
	child = signal_later(SIGUSR1, 200);
	t0 = now_ms();
	n = wait1(ep, 5000, &got);
	check("sfd-wakes", n == 1 && got.data.u64 == D_SIGFD && now_ms() - t0 < 4000,
	      "%d events after %ld ms", n, now_ms() - t0);
	check("sfd-wakes-child", child_status(child) == 0, "child failed");
	sig = take_signal(sfd);
	check("sfd-wakes-read", sig == SIGUSR1, "read %d", sig);

	/* With a kernel pipe ready too: both. */
	kill(getpid(), SIGUSR1);
	n = write(kp[1], "k", 1) == 1 ? epoll_wait(ep, (struct epoll_event[4]){ 0 }, 4, 2000) : -1;
	check("sfd-both", n == 2, "%d events", n);
	take_signal(sfd);
	read_now(kp[0]);

	/* Edge-triggered: once per signal. */
	check("sfd-mod-et", ctl(ep, EPOLL_CTL_MOD, sfd, EPOLLIN | EPOLLET, D_SIGFD) == 0, "MOD");
	kill(getpid(), SIGUSR1);
	n = wait1(ep, 2000, &got);
	check("sfd-et-edge", n == 1 && got.data.u64 == D_SIGFD, "%d events", n);
	n = wait1(ep, 100, &got);
	check("sfd-et-once", n == 0, "%d events", n);
	take_signal(sfd);

	/* One-shot: off after one report until MOD. */
	check("sfd-mod-oneshot", ctl(ep, EPOLL_CTL_MOD, sfd, EPOLLIN | EPOLLONESHOT, D_SIGFD) == 0,
	      "MOD");
	kill(getpid(), SIGUSR1);
	n = wait1(ep, 2000, &got);
	check("sfd-oneshot-first", n == 1, "%d events", n);
	n = wait1(ep, 100, &got);
	check("sfd-oneshot-off", n == 0, "%d events", n);
	ctl(ep, EPOLL_CTL_MOD, sfd, EPOLLIN, D_SIGFD);
	n = wait1(ep, 2000, &got);
	check("sfd-oneshot-rearmed", n == 1 && got.data.u64 == D_SIGFD, "%d events", n);
	take_signal(sfd);

	/* A thread waits; the signal goes to the process. */
	if (pthread_create(&th, NULL, wait_in_thread, &ep)) {
		check("sfd-thread", 0, "pthread_create");
	} else {
		usleep(100000);
		kill(getpid(), SIGUSR1);
		pthread_join(th, &res);
		check("sfd-thread", res != NULL, "the thread's wait saw nothing");
		take_signal(sfd);
	}

	check("sfd-del", ctl(ep, EPOLL_CTL_DEL, sfd, 0, 0) == 0, "DEL");
	kill(getpid(), SIGUSR1);
	n = wait1(ep, 100, &got);
	check("sfd-del-quiet", n == 0, "%d events", n);
	sig = take_signal(sfd);
	check("sfd-still-pending", sig == SIGUSR1, "read %d", sig);
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "host"))
		t_host();
	else if (argc >= 3 && !strcmp(argv[1], "loop"))
		t_loop(argv[0], atoi(argv[2]));
	else if (argc >= 2 && !strcmp(argv[1], "noop"))
		return 0;
	else if (argc >= 3 && !strcmp(argv[1], "idle"))
		t_idle(atoi(argv[2]));
	else if (argc >= 2 && !strcmp(argv[1], "signalfd"))
		t_signalfd();
	else {
		fprintf(stderr, "usage: epoll host | loop N | idle MS | signalfd\n");
		return 2;
	}
	return failed;
}
