// SPDX-License-Identifier: GPL-2.0
/*
 * Calls that name another process by pid: they reach guest processes only.
 *
 * The filter lets the host run them when they name the caller (pid 0);
 * otherwise kbox checks that the process (or group) is the guest's and
 * lets the host run the call, or answers as if no such process existed.
 * Signals come here only when Landlock cannot scope them (hosts before
 * Linux 6.12): kill to a group that also holds host processes (kbox's
 * own, at first) and kill(-1) are then done by kbox, process by process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lkl.h>

#include "dispatch.h"
#include "../guest/lineage.h"
#include "../guest/memory.h"

/* ioprio's "which" values (linux/ioprio.h is not in Debian 12's libc headers). */
#define IOPRIO_WHO_PROCESS	1
#define IOPRIO_WHO_PGRP		2

static void only_guest(struct call *c, pid_t pid)
{
	if (pid > 0 && !lineage_is_guest(pid))
		c->ret = -ESRCH;
	else
		call_continue(c);
}

/* tkill(tid), tgkill(tgid), rt_[tg]sigqueueinfo(tgid), sched_*(pid)... */
static void sys_arg0_pid(struct call *c)
{
	only_guest(c, (pid_t)c->a[0]);
}

struct killing {
	pid_t skip;	/* kill(-1) spares the caller */
	int sig;
	int found, sent;
	int err;
};

static int kill_one(pid_t pid, pid_t pgrp, void *arg)
{
	struct killing *k = arg;

	(void)pgrp;
	if (pid == k->skip)
		return 0;
	k->found++;
	if (kill(pid, k->sig) == 0)
		k->sent++;
	else
		k->err = errno;
	return 0;
}

static void sys_kill(struct call *c)
{
	pid_t pid = (pid_t)c->a[0], pgrp;
	struct killing k = { .skip = 0, .sig = (int)c->a[1] };
	int outsiders = 0;

	if (pid > 0) {
		only_guest(c, pid);
		return;
	}
	if (pid == -1) {
		k.skip = c->t->proc->pid;
		pgrp = 0;
	} else {
		pgrp = pid == 0 ? lineage_pgrp(c->t->proc->pid) : -pid;
		if (pgrp < 0) {
			c->ret = -ESRCH;
			return;
		}
	}
	if (lineage_for_each(pgrp, kill_one, &k, &outsiders) < 0) {
		c->ret = -ENOMEM;
		return;
	}
	if (pgrp > 0 && !outsiders && k.found) {
		/* A group of guests only: the host's kill, with the caller as sender. */
		call_continue(c);
		return;
	}
	c->ret = !k.found ? -ESRCH : k.sent ? 0 : -k.err;
}

static int has_member(pid_t pid, pid_t pgrp, void *arg)
{
	(void)pid;
	(void)pgrp;
	(void)arg;
	return 1;
}

/* Whether the group pgrp holds guest processes and no others. */
static bool pgrp_is_guests(pid_t pgrp)
{
	int outsiders;

	return lineage_for_each(pgrp, has_member, NULL, &outsiders) == 1 && !outsiders;
}

/*
 * RLIMIT_NOFILE bounds fd numbers in both kernels: host fds (and the
 * numbers kbox injects) in the host's table, every other fd in the
 * library kernel's.  kbox sets the host's limit on the guest process, as
 * the guest would have, then gives its kernel task the same soft limit;
 * the kernel's hard limit stays its maximum (rootfs.c), the host's is the
 * one that holds.  Other resources, and reads, are the host's alone.
 */
static void do_prlimit(struct call *c, pid_t pid, int resource, uint64_t new_addr,
		       uint64_t old_addr)
{
	struct lkl_rlimit64 klim;
	struct rlimit lim, old;
	struct gthread *t;
	long ktid = 0;

	if (pid > 0 && !lineage_is_guest(pid)) {
		c->ret = -ESRCH;
		return;
	}
	if (resource != RLIMIT_NOFILE || !new_addr) {
		call_continue(c);
		return;
	}
	if (gmem_read(call_pid(c), &lim, new_addr, sizeof(lim))) {
		c->ret = -EFAULT;
		return;
	}
	if (prlimit(pid ? pid : c->t->tid, RLIMIT_NOFILE, &lim, old_addr ? &old : NULL)) {
		c->ret = -errno;
		return;
	}
	if (pid > 0) {
		guest_lock();
		t = guest_thread_find(pid);
		ktid = t ? t->ktid : -1;
		guest_unlock();
	}
	/*
	 * A child that has made no call yet is not known by its pid: its
	 * kernel task keeps the limit it was forked with.
	 */
	if (ktid >= 0 && lkl_sys_prlimit64(ktid, LKL_RLIMIT_NOFILE, NULL, &klim) >= 0) {
		klim.rlim_cur = lim.rlim_cur < klim.rlim_max ? lim.rlim_cur : klim.rlim_max;
		lkl_sys_prlimit64(ktid, LKL_RLIMIT_NOFILE, &klim, NULL);
	}
	c->ret = old_addr && gmem_write(call_pid(c), old_addr, &old, sizeof(old)) ? -EFAULT : 0;
}

static void sys_setrlimit(struct call *c)
{
	do_prlimit(c, 0, (int)c->a[0], c->a[1], 0);
}

static void sys_prlimit64(struct call *c)
{
	do_prlimit(c, (pid_t)c->a[0], (int)c->a[1], c->a[2], c->a[3]);
}

/* setpgid(pid, pgid): a guest's group, or kbox's (where the guest began). */
static void sys_setpgid(struct call *c)
{
	pid_t pid = (pid_t)c->a[0], pgid = (pid_t)c->a[1];

	if (pid > 0 && !lineage_is_guest(pid)) {
		c->ret = -ESRCH;
		return;
	}
	if (pgid > 0 && pgid != getpgrp() && !lineage_is_guest(pgid) &&
	    lineage_for_each(pgid, has_member, NULL, NULL) != 1) {
		c->ret = -EPERM;
		return;
	}
	call_continue(c);
}

/* (which, who) calls: a guest process or group; users are not the guest's. */
static void which_who(struct call *c, int process, int pgrp, bool setting)
{
	int which = (int)c->a[0];
	pid_t who = (pid_t)c->a[1];

	if (which == process)
		only_guest(c, who);
	else if (which == pgrp)
		pgrp_is_guests(who) ? call_continue(c) : (void)(c->ret = -ESRCH);
	else if (setting)
		c->ret = -EPERM;
	else
		call_continue(c);
}

static void sys_getpriority(struct call *c)
{
	which_who(c, PRIO_PROCESS, PRIO_PGRP, false);
}

static void sys_setpriority(struct call *c)
{
	which_who(c, PRIO_PROCESS, PRIO_PGRP, true);
}

static void sys_ioprio_get(struct call *c)
{
	which_who(c, IOPRIO_WHO_PROCESS, IOPRIO_WHO_PGRP, false);
}

static void sys_ioprio_set(struct call *c)
{
	which_who(c, IOPRIO_WHO_PROCESS, IOPRIO_WHO_PGRP, true);
}

void pid_handlers_init(void)
{
	static const int arg0_pid[] = {
		SYS_tkill, SYS_tgkill, SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo,
		SYS_getpgid, SYS_getsid, SYS_sched_setparam, SYS_sched_getparam,
		SYS_sched_setscheduler, SYS_sched_getscheduler,
		SYS_sched_rr_get_interval, SYS_sched_setaffinity,
		SYS_sched_getaffinity, SYS_sched_setattr, SYS_sched_getattr,
		SYS_get_robust_list, SYS_pidfd_open,
	};
	size_t i;

	for (i = 0; i < sizeof(arg0_pid) / sizeof(arg0_pid[0]); i++)
		dispatch_register(arg0_pid[i], sys_arg0_pid);
	dispatch_register(SYS_kill, sys_kill);
	dispatch_register(SYS_setpgid, sys_setpgid);
	dispatch_register(SYS_setrlimit, sys_setrlimit);
	dispatch_register(SYS_prlimit64, sys_prlimit64);
	dispatch_register(SYS_getpriority, sys_getpriority);
	dispatch_register(SYS_setpriority, sys_setpriority);
	dispatch_register(SYS_ioprio_get, sys_ioprio_get);
	dispatch_register(SYS_ioprio_set, sys_ioprio_set);
}
