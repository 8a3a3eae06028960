// SPDX-License-Identifier: GPL-2.0
/*
 * Whether a task other than current is ready to run.  Leaving the kernel
 * to the host frees the CPU, so such a task should run now rather than at
 * the next interrupt.  rq->nr_running cannot answer alone: with EEVDF's
 * delayed dequeue, tasks that went to sleep with negative lag stay queued
 * (and counted) until picked, and yielding to them would bounce every
 * system call through the idle loop for a long while after busy periods.
 * The scheduler's own count excludes them; so do we.
 */
#include "../../../kernel/sched/sched.h"
#include <asm/lkl_internal.h>

bool lkl_others_runnable(void)
{
	struct rq *rq = this_rq();

	return rq->nr_running - rq->cfs.h_nr_delayed > 1;
}
