// SPDX-License-Identifier: GPL-2.0
/*
 * epoll: the instance is the library kernel's, and so are the kernel fds
 * it watches.  A host fd (the terminal, a pipe kbox was given) joins
 * through the set's bridge (epollbridge.h), and waits take its events
 * from there.  The x86_64 struct epoll_event (packed, 12 bytes) is also
 * the kernel's here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>

#include <lkl.h>

#include "epollbridge.h"
#include "generic.h"
#include "../guest/memory.h"

#define L(x) __lkl__NR_##x

/* Events one wait reports at most (more wait for the next call). */
#define EVENTS_MAX 65536

static const struct sysdesc epoll_table[] = {
	SYS(SYS_epoll_create1, L(epoll_create1), G(0, A_VAL)),
};

static void sys_epoll_create(struct call *c)
{
	c->ret = (int)c->a[0] <= 0 ? -EINVAL : lkl_sys_epoll_create1(0);
}

static void sys_epoll_ctl(struct call *c)
{
	int epfd = (int)c->a[0], op = (int)c->a[1], fd = (int)c->a[2];
	struct fdtab *t = c->t->proc->fds;
	struct epoll_event ev;

	if (fdtab_is_host(t, epfd)) {
		call_continue(c);
		return;
	}
	if (fdtab_is_host(t, fd)) {
		c->ret = epoll_bridge_ctl(c, epfd, op, fd, c->a[3]);
		return;
	}
	/* DEL ignores the event, as Linux does. */
	if (op == EPOLL_CTL_DEL) {
		c->ret = lkl_sys_epoll_ctl(epfd, op, fd, NULL);
		return;
	}
	if (gmem_read(call_pid(c), &ev, c->a[3], sizeof(ev))) {
		c->ret = -EFAULT;
		return;
	}
	c->ret = lkl_sys_epoll_ctl(epfd, op, fd, (struct lkl_epoll_event *)&ev);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One kernel wait until deadline (monotonic ns; -1: none). */
static long kernel_wait(int epfd, struct epoll_event *ev, int max, int64_t deadline)
{
	struct __lkl__kernel_timespec ts;
	int64_t left;

	if (deadline < 0)
		return lkl_sys_epoll_pwait2(epfd, (struct lkl_epoll_event *)ev, max, NULL, NULL, 8);
	left = deadline - now_ns();
	if (left < 0)
		left = 0;
	ts.tv_sec = left / 1000000000;
	ts.tv_nsec = left % 1000000000;
	return lkl_sys_epoll_pwait2(epfd, (struct lkl_epoll_event *)ev, max, &ts, NULL, 8);
}

/*
 * The waits; a signal mask is not the kernel task's business (as for
 * ppoll), but it is checked as Linux does: a signal the guest takes
 * interrupts the wait all the same.  timeout_ns: < 0 waits for ever.
 * Events the guest's buffer cannot take are lost (a level-triggered fd
 * is ready again at the next wait); none taken: EFAULT.
 */
static void do_wait(struct call *c, int64_t timeout_ns, uint64_t mask, uint64_t mask_size)
{
	int epfd = (int)c->a[0], max = (int)c->a[2];
	int64_t deadline = timeout_ns < 0 ? -1 : now_ns() + timeout_ns;
	struct epoll_event *ev;
	long ret;

	if (fdtab_is_host(c->t->proc->fds, epfd)) {
		call_continue(c);
		return;
	}
	ret = call_check_sigmask(c, mask, mask_size);
	if (ret < 0) {
		c->ret = ret;
		return;
	}
	if (max <= 0 || max > INT_MAX / (int)sizeof(*ev)) {
		c->ret = -EINVAL;
		return;
	}
	if (!gmem_access_ok(c->a[1], (size_t)max * sizeof(*ev))) {
		c->ret = -EFAULT;
		return;
	}
	if (max > EVENTS_MAX)
		max = EVENTS_MAX;
	ev = malloc(max * sizeof(*ev));
	if (!ev) {
		c->ret = -ENOMEM;
		return;
	}
	epoll_bridge_signals();
	for (;;) {
		ret = kernel_wait(epfd, ev, max, deadline);
		if (ret <= 0 || !epoll_bridge_any())
			break;
		ret = epoll_bridge_collect(c->t->proc->pid, c->t->tid, ev, (int)ret, max);
		/* Only a bridge's mark, whose host fds had nothing after all: wait on. */
		if (ret || (deadline >= 0 && now_ns() >= deadline))
			break;
	}
	if (ret > 0) {
		size_t done = gmem_write_some(call_pid(c), c->a[1], ev, ret * sizeof(*ev));

		if (done < ret * sizeof(*ev))
			ret = done >= sizeof(*ev) ? (long)(done / sizeof(*ev)) : -EFAULT;
	}
	free(ev);
	c->ret = ret;
}

static int64_t ms_ns(int ms)
{
	return ms < 0 ? -1 : ms * 1000000LL;
}

static void sys_epoll_wait(struct call *c)
{
	do_wait(c, ms_ns((int)c->a[3]), 0, 0);
}

static void sys_epoll_pwait(struct call *c)
{
	do_wait(c, ms_ns((int)c->a[3]), c->a[4], c->a[5]);
}

/* epoll_pwait2: a timespec, or NULL to wait for ever. */
static void sys_epoll_pwait2(struct call *c)
{
	struct timespec ts;

	if (fdtab_is_host(c->t->proc->fds, (int)c->a[0])) {
		call_continue(c);
		return;
	}
	if (!c->a[3]) {
		do_wait(c, -1, c->a[4], c->a[5]);
		return;
	}
	if (gmem_read(call_pid(c), &ts, c->a[3], sizeof(ts))) {
		c->ret = -EFAULT;
		return;
	}
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000) {
		c->ret = -EINVAL;
		return;
	}
	/* Beyond some centuries is for ever. */
	do_wait(c, ts.tv_sec >= INT64_MAX / 2000000000 ? -1 :
		   ts.tv_sec * 1000000000LL + ts.tv_nsec, c->a[4], c->a[5]);
}

void epoll_handlers_init(void)
{
	generic_register(epoll_table, sizeof(epoll_table) / sizeof(epoll_table[0]));
	dispatch_register(SYS_epoll_create, sys_epoll_create);
	dispatch_register(SYS_epoll_ctl, sys_epoll_ctl);
	dispatch_register(SYS_epoll_wait, sys_epoll_wait);
	dispatch_register(SYS_epoll_pwait, sys_epoll_pwait);
	dispatch_register(SYS_epoll_pwait2, sys_epoll_pwait2);
}
