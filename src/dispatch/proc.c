// SPDX-License-Identifier: GPL-2.0
/*
 * Process life: clone and fork mirror the new guest thread or process as a
 * kernel task cloned from the caller's with the same sharing; exit ends
 * the kernel side before the host lets the guest go.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <linux/sched.h>

#include <lkl.h>

#include "dispatch.h"
#include "../guest/memory.h"
#include "../guest/shadow.h"
#include "../intercept/supervisor.h"

#define NAMESPACE_FLAGS (CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWPID | \
			 CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | \
			 CLONE_NEWCGROUP | CLONE_NEWTIME)

static void do_clone(struct call *c, uint64_t flags)
{
	struct gthread *t = c->t;
	bool thread = flags & CLONE_THREAD;
	unsigned long kflags;
	struct fdtab *fds;
	long ktid;

	if (flags & NAMESPACE_FLAGS) {
		c->ret = -EPERM;
		return;
	}
	kflags = flags & (CLONE_FILES | CLONE_FS | CLONE_SYSVSEM);
	if (thread)
		kflags |= CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
	else
		kflags |= SIGCHLD;	/* reaped by the kernel: SIGCHLD is ignored */
	ktid = lkl_task_clone(kflags);
	if (ktid < 0) {
		c->ret = ktid == -ENOMEM ? -EAGAIN : ktid;
		return;
	}
	fds = flags & CLONE_FILES ? fdtab_get(t->proc->fds) : fdtab_copy(t->proc->fds);
	if (!fds || guest_add_pending(t, ktid, thread, fds)) {
		if (fds)
			fdtab_put(fds);
		c->ret = -EAGAIN;
		return;
	}
	call_continue(c);
}

static void sys_clone(struct call *c)
{
	do_clone(c, c->a[0]);
}

static void sys_clone3(struct call *c)
{
	uint64_t flags;

	/* Linux's bounds for struct clone_args, before a kernel task is made. */
	if (c->a[1] < 64) {
		c->ret = -EINVAL;
		return;
	}
	if (c->a[1] > 4096) {
		c->ret = -E2BIG;
		return;
	}
	if (gmem_read(call_pid(c), &flags, c->a[0], sizeof(flags))) {
		c->ret = -EFAULT;
		return;
	}
	do_clone(c, flags);
}

static void sys_fork(struct call *c)
{
	do_clone(c, SIGCHLD);
}

static void sys_vfork(struct call *c)
{
	do_clone(c, CLONE_VM | CLONE_VFORK | SIGCHLD);
}

/* The thread ends: its kernel task first, then the host lets it go. */
static void sys_exit(struct call *c)
{
	lkl_sys_exit(0);
	guest_lock();
	guest_resolve_pending(c->t);
	c->t->die = true;
	guest_unlock();
	call_continue(c);
}

static void sys_exit_group(struct call *c)
{
	guest_lock();
	guest_resolve_pending(c->t);
	c->t->proc->exiting = true;
	supervisor_end_siblings(c->t);
	c->t->die = true;
	guest_unlock();
	/* What its shared maps wrote is in the image when its parent looks. */
	shadow_flush_all(false);
	/* Files close now, so whoever waits for this exit sees them closed. */
	lkl_sys_exit_group(0);
	call_continue(c);
}

void proc_handlers_init(void)
{
	dispatch_register(SYS_clone, sys_clone);
	dispatch_register(SYS_clone3, sys_clone3);
	dispatch_register(SYS_fork, sys_fork);
	dispatch_register(SYS_vfork, sys_vfork);
	dispatch_register(SYS_exit, sys_exit);
	dispatch_register(SYS_exit_group, sys_exit_group);
}
