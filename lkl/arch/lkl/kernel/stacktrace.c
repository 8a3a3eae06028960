// SPDX-License-Identifier: GPL-2.0
/*
 * Stack traces (lockdep, warnings): follow the frame-pointer chain of the
 * calling host thread from here up to the outermost kernel frame recorded
 * for its task, so the walk never leaves memory known to be its stack.
 * Other tasks' stacks belong to parked host threads: nothing to report.
 */
#include <linux/sched.h>
#include <linux/stacktrace.h>

struct frame {
	struct frame *next;
	unsigned long ret;
};

void arch_stack_walk(stack_trace_consume_fn consume_entry, void *cookie,
		     struct task_struct *task, struct pt_regs *regs)
{
	unsigned long top = current->thread.stack_top;
	struct frame *fp = __builtin_frame_address(0);

	if (task != current || regs)
		return;
	while (top && (unsigned long)fp < top &&
	       !((unsigned long)fp & (sizeof(long) - 1))) {
		if (!fp->ret || !consume_entry(cookie, fp->ret))
			break;
		if (fp->next <= fp)
			break;
		fp = fp->next;
	}
}
