// SPDX-License-Identifier: GPL-2.0
/* The notification loop, the workers and the watchdog. */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <lkl.h>

#include "supervisor.h"
#include "../dispatch/dispatch.h"
#include "../dispatch/epollbridge.h"
#include "../guest/lineage.h"
#include "../guest/procfs.h"
#include "tool.h"

/* The kernel's internal "restart unless the handler says otherwise". */
#define ERESTARTSYS_	512

/* Calls pending longer than this are checked for a vanished caller. */
#define WATCH_NS	(20 * 1000000ULL)

static int listener = -1;
static volatile int stopping;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

long supervisor_prepare_kernel(void)
{
	struct lkl_sigaction act;
	long ret;
	int sig;

	/*
	 * Signals are the host's business: kernel tasks ignore them all, so
	 * none can kill one (SIGPIPE from a pipe write, SIGXFSZ...), and
	 * children are reaped by the kernel at once (SIGCHLD ignored).
	 * kbox passes SIGPIPE on to the guest itself.
	 */
	memset(&act, 0, sizeof(act));
	act.lkl_sa_handler = (__lkl__sighandler_t)LKL_SIG_IGN;
	for (sig = 1; sig <= _LKL_NSIG; sig++) {
		if (sig == LKL_SIGKILL || sig == LKL_SIGSTOP || sig == KBOX_INTR_SIGNAL)
			continue;
		ret = lkl_sys_rt_sigaction(sig, &act, NULL, sizeof(act.sa_mask));
		if (ret < 0 && ret != -LKL_EINVAL)
			return ret;
	}
	/*
	 * A "handler" (never run: handlers do not run on this architecture)
	 * makes this signal interrupt sleeping calls without killing.
	 */
	act.lkl_sa_handler = (__lkl__sighandler_t)0x1000;
	return lkl_sys_rt_sigaction(KBOX_INTR_SIGNAL, &act, NULL, sizeof(act.sa_mask));
}

void supervisor_drop_interrupt(void)
{
	struct __lkl__kernel_timespec zero = { 0, 0 };
	lkl_sigset_t set = { { 1UL << (KBOX_INTR_SIGNAL - 1) } };

	while (lkl_sys_rt_sigtimedwait(&set, NULL, &zero, sizeof(set)) > 0)
		;
}

void supervisor_interrupt(struct gthread *t)
{
	uint64_t one = 1;

	if (t->busy && !t->interrupted) {
		t->interrupted = true;
		t->interrupted_at = now_ns();
		lkl_sys_tkill(t->ktid, KBOX_INTR_SIGNAL);
		/* The kernel's signal cannot reach a host wait: its eventfd can. */
		if (t->wake_fd >= 0 && write(t->wake_fd, &one, sizeof(one)) < 0) {
			/* A full counter wakes the wait all the same. */
		}
	}
}

int supervisor_host_wait(struct gthread *t, int fd, short events)
{
	struct pollfd p[2] = { { .fd = fd, .events = events } };
	int wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), ret = 0;

	if (wake < 0)
		return -errno;
	/* Under the lock: an interrupt comes either before (seen) or after (written). */
	guest_lock();
	if (t->interrupted)
		ret = -EINTR;
	else
		t->wake_fd = wake;
	guest_unlock();
	if (!ret) {
		p[1] = (struct pollfd){ .fd = wake, .events = POLLIN };
		while ((ret = poll(p, 2, -1)) < 0 && errno == EINTR)
			;
		ret = ret < 0 ? -errno : p[1].revents ? -EINTR : p[0].revents;
		guest_lock();
		t->wake_fd = -1;
		guest_unlock();
	}
	close(wake);
	return ret;
}

bool supervisor_interrupted(struct gthread *t)
{
	bool ret;

	guest_lock();
	ret = t->interrupted;
	guest_unlock();
	return ret;
}

void supervisor_end_siblings(struct gthread *t)
{
	struct gthread *o;

	for (o = t->proc->threads; o; o = o->next_in_proc) {
		if (o == t || o->die)
			continue;
		o->die = true;
		if (o->busy)
			supervisor_interrupt(o);
		else
			sem_post(&o->go);
	}
}

static void send_reply(const struct call *c, uint64_t id, pid_t pid)
{
	struct seccomp_notif_resp resp;

	memset(&resp, 0, sizeof(resp));
	resp.id = id;
	if (c->cont) {
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	} else if (c->ret < 0) {
		resp.error = (int)c->ret;
	} else {
		resp.val = c->ret;
	}
	/* ENOENT: the caller is gone (killed, or a signal interrupted it). */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 &&
	    errno != ENOENT && dispatch_verbose)
		fprintf(stderr, "kbox: reply to %d: %s\n", (int)pid,
			strerror(errno));
}

/* Calls Linux never restarts after a handler ran (-ERESTARTNOHAND). */
static bool never_restarted(int nr)
{
	switch (nr) {
	case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6:
	case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2:
		return true;
	}
	return false;
}

/*
 * A call kbox stopped for a signal: EINTR if a handler that the guest
 * did not ask SA_RESTART for is about to run, else a restart (the host
 * restarts it, after the handler if any: every handler has SA_RESTART
 * there).
 */
static long interrupted_result(struct gthread *t, int nr)
{
	uint64_t caught;

	procfs_signals(t->proc->pid, t->tid, &caught);
	if (caught && (never_restarted(nr) || (caught & ~t->proc->sig.restart_asked)))
		return -EINTR;
	return -ERESTARTSYS_;
}

/*
 * The kernel task was cloned when the guest forked, before the host chose
 * the child's pid: now it takes that number, so that the guest's /proc,
 * ps, lock owners and getpid agree.  Where the kernel has the number in
 * use (one of its own threads), the task keeps its own; kbox translates.
 */
static void take_host_number(struct gthread *t)
{
	long ktid = lkl_task_renumber(t->tid);

	if (ktid < 0) {
		if (dispatch_verbose)
			fprintf(stderr, "kbox: [%d] keeps kernel tid %ld: %s\n",
				(int)t->tid, t->ktid, lkl_strerror((int)ktid));
		return;
	}
	guest_lock();
	if (t->proc->ktgid == t->ktid)
		t->proc->ktgid = ktid;
	t->ktid = ktid;
	guest_unlock();
}

static void *worker_main(void *arg)
{
	struct gthread *t = arg;
	long ret = lkl_task_adopt(t->ktid);

	if (ret < 0)
		tool_error(NULL, "guest thread %d: cannot adopt kernel task %ld: %s",
			   (int)t->tid, t->ktid, lkl_strerror((int)ret));
	else if (t->ktid != t->tid)
		take_host_number(t);
	for (;;) {
		struct call c;
		struct seccomp_notif req;
		bool die, interrupted;

		sem_wait(&t->go);
		guest_lock();
		if (!t->busy) {
			die = t->die;
			guest_unlock();
			if (die)
				break;
			continue;
		}
		guest_unlock();

		memset(&c, 0, sizeof(c));
		req = t->req;
		c.t = t;
		c.req = &req;
		c.nr = req.data.nr;
		memcpy(c.a, req.data.args, sizeof(c.a));
		/*
		 * The kernel task is gone (the kernel's OOM killer...): calls
		 * would run as a fresh task of kbox's own, outside the guest's
		 * root.  The guest thread cannot go on.
		 */
		if (ret >= 0 && lkl_sys_gettid() != t->ktid) {
			tool_error(NULL, "guest thread %d lost its kernel task", (int)t->tid);
			syscall(SYS_tgkill, t->proc->pid, t->tid, SIGKILL);
			ret = -ESRCH;
		}
		if (ret < 0) {
			c.ret = -ENOSYS;
		} else {
			guest_number_children(t);
			dispatch_call(&c);
		}

		/*
		 * Not busy before the reply: once answered, the call's id is no
		 * longer valid and the watchdog must not take that for a signal.
		 */
		guest_lock();
		t->busy = false;
		interrupted = t->interrupted;
		t->interrupted = false;
		guest_unlock();
		if (interrupted && c.ret == -EINTR)
			c.ret = interrupted_result(t, c.nr);
		if (interrupted)
			supervisor_drop_interrupt();
		if (!c.no_reply)
			send_reply(&c, req.id, req.pid);

		guest_lock();
		if (t->has_queued && !t->die) {
			t->req = t->queued;
			t->has_queued = false;
			t->busy = true;
			t->busy_since = now_ns();
			sem_post(&t->go);
		}
		die = t->die;
		guest_unlock();
		if (die)
			break;
	}
	guest_lock();
	guest_remove_thread(t);
	guest_unlock();
	sem_destroy(&t->go);
	free(t->path_saved);
	free(t);
	/* A killed guest's fds went without a call: some may have been in epoll sets. */
	epoll_bridge_sweep_soon();
	/* The thread ends; so does the kernel task it was bound to. */
	return NULL;
}

static int start_worker(struct gthread *t)
{
	pthread_attr_t attr;
	int ret;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 1 << 20);
	ret = pthread_create(&t->worker, &attr, worker_main, t);
	pthread_attr_destroy(&attr);
	return ret;
}

static void watch_one(struct gthread *t, void *arg)
{
	uint64_t now = *(uint64_t *)arg, caught;

	if (!t->busy || now - t->busy_since < WATCH_NS)
		return;
	/*
	 * Told to give up and still at it: the interrupt may be lost.  The
	 * kernel drops a task's pending signals at the end of each of its
	 * calls, and serving one guest call can take several (gettid
	 * first), so one that came early went with an earlier call.
	 */
	if (t->interrupted) {
		if (now - t->interrupted_at >= WATCH_NS) {
			t->interrupted_at = now;
			lkl_sys_tkill(t->ktid, KBOX_INTR_SIGNAL);
		}
		return;
	}
	/* The caller was killed, or has a signal to take: the call gives up. */
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &t->req.id) < 0 ||
	    procfs_signals(t->proc->pid, t->tid, &caught))
		supervisor_interrupt(t);
}

/* A process that died without exit_group (a signal): end its threads. */
static void reap_one(struct gthread *t, void *arg)
{
	(void)arg;
	if (t->die || t->tid != t->proc->pid)
		return;
	/* A zombie is gone too, as far as its tasks go. */
	if (!procfs_gone(t->tid))
		return;
	t->proc->exiting = true;
	supervisor_end_siblings(t);
	t->die = true;
	if (t->busy)
		supervisor_interrupt(t);
	else
		sem_post(&t->go);
}

static void *watchdog_main(void *arg)
{
	unsigned int round = 0;

	(void)arg;
	while (!stopping) {
		uint64_t now = now_ns();

		guest_for_each_thread(watch_one, &now);
		if (++round % 5 == 0)
			guest_for_each_thread(reap_one, NULL);
		usleep(10000);
	}
	return NULL;
}

static void kill_one(struct gthread *t, void *arg)
{
	(void)arg;
	if (t->tid == t->proc->pid)
		kill(t->tid, SIGKILL);
}

static int kill_lineage(pid_t pid, pid_t pgrp, void *arg)
{
	(void)pgrp;
	(void)arg;
	kill(pid, SIGKILL);
	return 0;
}

/*
 * Reap kbox's children: the first guest process, and the orphans kbox
 * inherits as their subreaper.  True once the first one has ended (its
 * status in *status); wait: block until it does.
 */
static bool reap(pid_t init_pid, int *status, bool wait)
{
	int st;
	pid_t w;

	while ((w = waitpid(wait ? init_pid : -1, &st, (wait ? 0 : WNOHANG) | __WALL)) > 0) {
		if (w == init_pid && (WIFEXITED(st) || WIFSIGNALED(st))) {
			if (status)
				*status = st;
			return true;
		}
	}
	return false;
}

static void end_one(struct gthread *t, void *arg)
{
	(void)arg;
	if (t->die)
		return;
	t->die = true;
	if (t->busy)
		supervisor_interrupt(t);
	else
		sem_post(&t->go);
}

/* Let every worker finish, so that every kernel task of the guest exits. */
static void end_all(void)
{
	int i;

	for (i = 0; i < 500 && guest_nprocs() > 0; i++) {
		guest_for_each_thread(end_one, NULL);
		usleep(2000);
	}
	if (guest_nprocs() > 0)
		tool_error(NULL, "some guest threads did not end");
	guest_discard_orphans();
}

static void receive(void)
{
	struct seccomp_notif req;
	struct gthread *t;

	memset(&req, 0, sizeof(req));
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return;	/* ENOENT: the caller went away meanwhile */

	guest_lock();
	t = guest_thread_find(req.pid);
	guest_unlock();
	if (!t) {
		t = guest_adopt_new(req.pid);
		if (t && start_worker(t)) {
			tool_error(NULL, "cannot start a worker thread");
			t = NULL;
		}
	}
	if (!t) {
		struct seccomp_notif_resp resp = { .id = req.id, .error = -EPERM };

		if (dispatch_verbose)
			fprintf(stderr, "kbox: [%d] %s from an unknown thread: refused\n",
				(int)req.pid, syscall_name(req.data.nr));
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
		return;
	}

	guest_lock();
	if (t->busy) {
		/* Its last call was abandoned (a signal); that one must give up. */
		t->queued = req;
		t->has_queued = true;
		supervisor_interrupt(t);
	} else {
		t->req = req;
		t->busy = true;
		t->busy_since = now_ns();
		sem_post(&t->go);
	}
	guest_unlock();
}

int supervisor_run(int fd, struct gthread *initial, pid_t init_pid)
{
	pthread_t watchdog;
	int status = -1;

	listener = fd;
	dispatch_listener = fd;
	if (start_worker(initial)) {
		tool_error(NULL, "cannot start a worker thread");
		return -1;
	}
	if (pthread_create(&watchdog, NULL, watchdog_main, NULL)) {
		tool_error(NULL, "cannot start the watchdog thread");
		return -1;
	}

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, 100);

		if (r > 0 && (p.revents & POLLIN))
			receive();
		if (reap(init_pid, &status, false))
			break;
		if (r > 0 && (p.revents & (POLLHUP | POLLERR)) && !(p.revents & POLLIN)) {
			/* No guest left; the initial one is about to be reaped. */
			if (!reap(init_pid, &status, true))
				status = -1;
			break;
		}
	}

	/* The first process is gone: so is the guest, seen by kbox or not. */
	guest_for_each_thread(kill_one, NULL);
	lineage_for_each(0, kill_lineage, NULL, NULL);
	reap(init_pid, NULL, false);
	stopping = 1;
	pthread_join(watchdog, NULL);
	end_all();
	return status;
}
