// SPDX-License-Identifier: GPL-2.0
/*
 * epoll over kernel fds: the instance is the library kernel's, and so
 * must be every fd it watches.  A host fd (the terminal) cannot join one:
 * the kernel would watch its placeholder, which never gets ready.  The
 * x86_64 struct epoll_event (packed, 12 bytes) is also the kernel's here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/syscall.h>

#include <lkl.h>

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
		/* What Linux says of a file epoll cannot watch. */
		c->ret = -EPERM;
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

/*
 * The waits; a signal mask is not the kernel task's business (as for
 * ppoll): a signal the guest takes interrupts the wait all the same.
 */
static void do_wait(struct call *c, long timeout_ms, uint64_t ts_addr)
{
	int epfd = (int)c->a[0], max = (int)c->a[2];
	struct __lkl__kernel_timespec ts;
	struct epoll_event *ev;
	long ret;

	if (fdtab_is_host(c->t->proc->fds, epfd)) {
		call_continue(c);
		return;
	}
	if (max <= 0 || max > INT_MAX / (int)sizeof(*ev)) {
		c->ret = -EINVAL;
		return;
	}
	if (ts_addr && gmem_read(call_pid(c), &ts, ts_addr, sizeof(ts))) {
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
	if (ts_addr)
		ret = lkl_sys_epoll_pwait2(epfd, (struct lkl_epoll_event *)ev, max, &ts, NULL, 8);
	else if (timeout_ms == -2)
		ret = lkl_sys_epoll_pwait2(epfd, (struct lkl_epoll_event *)ev, max, NULL, NULL, 8);
	else
		ret = lkl_sys_epoll_pwait(epfd, (struct lkl_epoll_event *)ev, max,
					  (int)timeout_ms, NULL, 8);
	if (ret > 0 && gmem_write(call_pid(c), c->a[1], ev, ret * sizeof(*ev)))
		ret = -EFAULT;
	free(ev);
	c->ret = ret;
}

static void sys_epoll_wait(struct call *c)
{
	do_wait(c, (int)c->a[3], 0);
}

static void sys_epoll_pwait(struct call *c)
{
	do_wait(c, (int)c->a[3], 0);
}

/* epoll_pwait2: a timespec, or NULL to wait for ever (-2 says so). */
static void sys_epoll_pwait2(struct call *c)
{
	do_wait(c, -2, c->a[3]);
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
