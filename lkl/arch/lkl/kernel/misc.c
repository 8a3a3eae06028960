// SPDX-License-Identifier: GPL-2.0
/* Hooks generic code expects of every architecture that mean nothing here. */
#include <linux/kernel.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/debug.h>
#include <linux/panic_notifier.h>
#include <linux/notifier.h>
#include <linux/seq_file.h>
#include <asm/host_ops.h>

long arch_ptrace(struct task_struct *child, long request, unsigned long addr,
		 unsigned long data)
{
	return -EINVAL;
}

void ptrace_disable(struct task_struct *child)
{
}

void show_regs(struct pt_regs *regs)
{
}

static int host_panic(struct notifier_block *nb, unsigned long action,
		      void *data)
{
	lkl_ops->panic();
	return NOTIFY_DONE;
}

static struct notifier_block host_panic_nb = {
	.notifier_call = host_panic,
	.priority = INT_MIN,	/* after everyone else has printed */
};

static int __init register_host_panic(void)
{
	atomic_notifier_chain_register(&panic_notifier_list, &host_panic_nb);
	return 0;
}
pure_initcall(register_host_panic);

static int cpuinfo_show(struct seq_file *m, void *v)
{
	seq_puts(m, "processor\t: 0\nmodel name\t: lkl (Linux as a library)\n\n");
	return 0;
}

static void *cpuinfo_start(struct seq_file *m, loff_t *pos)
{
	return *pos < 1 ? (void *)1 : NULL;
}

static void *cpuinfo_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return NULL;
}

static void cpuinfo_stop(struct seq_file *m, void *v)
{
}

const struct seq_operations cpuinfo_op = {
	.start	= cpuinfo_start,
	.next	= cpuinfo_next,
	.stop	= cpuinfo_stop,
	.show	= cpuinfo_show,
};
