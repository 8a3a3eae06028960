// SPDX-License-Identifier: GPL-2.0
/*
 * Signal handlers: the host installs them, with SA_RESTART added (see
 * struct sigtab in guest/process.h), and kbox remembers what the guest
 * asked for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "dispatch.h"
#include "../guest/memory.h"

/* The kernel's struct sigaction on x86_64. */
struct ksigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

static void sys_rt_sigaction(struct call *c)
{
	int sig = (int)c->a[0];
	struct ksigaction act;
	struct sigtab *s = &c->t->proc->sig;
	uint64_t bit = sig >= 1 && sig <= 64 ? 1ULL << (sig - 1) : 0;
	bool asked, set;

	set = c->a[1] && bit && c->a[3] == sizeof(act.mask) &&
	      !gmem_read(call_pid(c), &act, c->a[1], sizeof(act));
	guest_lock();
	/* The host hands the old action back with kbox's SA_RESTART in it. */
	if (c->a[2] && (s->forced & bit)) {
		s->leaked |= bit;
		s->leaked_handler[sig - 1] = s->handler[sig - 1];
	}
	if (set && (act.handler == (uint64_t)(uintptr_t)SIG_DFL ||
		    act.handler == (uint64_t)(uintptr_t)SIG_IGN)) {
		s->forced &= ~bit;
		s->restart_asked &= ~bit;
		set = false;
	} else if (set) {
		asked = act.flags & SA_RESTART;
		/* Putting back an action it read: SA_RESTART was kbox's. */
		if (asked && (s->leaked & bit) && s->leaked_handler[sig - 1] == act.handler)
			asked = false;
		s->restart_asked = asked ? s->restart_asked | bit : s->restart_asked & ~bit;
		s->forced = asked ? s->forced & ~bit : s->forced | bit;
		s->handler[sig - 1] = act.handler;
	}
	guest_unlock();
	if (set && !(act.flags & SA_RESTART)) {
		/* glibc and musl pass a copy of their own: the program never sees this. */
		act.flags |= SA_RESTART;
		if (gmem_poke(call_pid(c), c->a[1] + offsetof(struct ksigaction, flags),
			      &act.flags, sizeof(act.flags)) < 0) {
			c->ret = -EFAULT;
			return;
		}
	}
	call_continue(c);
}

void signal_handlers_init(void)
{
	dispatch_register(SYS_rt_sigaction, sys_rt_sigaction);
}
