// SPDX-License-Identifier: GPL-2.0
/*
 * Life cycle of the library kernel: lkl_init, boot, halt, cleanup.
 *
 * lkl_start_kernel() starts a host thread that runs start_kernel() and
 * stays on as the idle task.  Boot ends when pid 1 execs /init (see
 * init_binfmt.c): pid 1 then becomes host0 and the caller of
 * lkl_start_kernel() takes it, and the CPU, over.
 */
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/start_kernel.h>
#include <linux/string.h>
#include <linux/reboot.h>
#include <linux/unistd.h>
#include <linux/tick.h>
#include <linux/cpu.h>
#include <linux/errno.h>
#include <asm/setup.h>
#include <asm/host_ops.h>
#include <asm/lkl_internal.h>

struct lkl_host_operations *lkl_ops;

static char cmd_line[COMMAND_LINE_SIZE];
static struct lkl_sem *boot_sem;
static struct lkl_sem *halt_sem;
static lkl_thread_t boot_thread;
static struct task_struct *boot_host0;
static bool running;
static bool halt_requested;

int lkl_init(struct lkl_host_operations *ops)
{
	/* Everything but print, gettid and the string routines is required. */
	if (!ops || !ops->panic || !ops->sem_alloc || !ops->sem_free ||
	    !ops->sem_up || !ops->sem_down || !ops->mutex_alloc ||
	    !ops->mutex_free || !ops->mutex_lock || !ops->mutex_unlock ||
	    !ops->thread_create || !ops->thread_detach || !ops->thread_exit ||
	    !ops->thread_join || !ops->thread_self || !ops->thread_equal ||
	    !ops->tls_alloc || !ops->tls_free || !ops->tls_set ||
	    !ops->tls_get || !ops->mem_alloc || !ops->mem_free ||
	    !ops->time || !ops->realtime || !ops->timer_alloc ||
	    !ops->timer_set_oneshot || !ops->timer_free || !ops->ioremap ||
	    !ops->iomem_access || !ops->jmp_buf_set || !ops->jmp_buf_longjmp)
		return -1;
	if (running)
		return -1;
	lkl_ops = ops;
	return 0;
}

int lkl_is_running(void)
{
	return READ_ONCE(running);
}

/* The value of mem= on a command line, or 0 if absent; -1 if malformed. */
static long long parse_mem(const char *cl)
{
	const char *p = cl;
	long long size = 0;

	while ((p = strstr(p, "mem="))) {
		char *end;

		if (p != cl && p[-1] != ' ') {
			p += 4;
			continue;
		}
		size = memparse(p + 4, &end);
		if (end == p + 4 || (*end && *end != ' '))
			return -1;
		p = end;
	}
	return size;
}

/* What lkl_start_kernel() takes from the host, given back. */
static void release_boot_objects(void)
{
	lkl_cpu_cleanup();
	if (boot_sem)
		lkl_ops->sem_free(boot_sem);
	if (halt_sem)
		lkl_ops->sem_free(halt_sem);
	boot_sem = halt_sem = NULL;
	lkl_bootmem_cleanup();
}

static void __ref run_kernel(void *arg)
{
	lkl_threads_init();
	if (lkl_cpu_get() < 0)
		lkl_bug("boot: cannot take the CPU\n");
	start_kernel();
}

int __ref lkl_start_kernel(const char *fmt, ...)
{
	unsigned long mem_size = 64UL << 20;
	long long mem;
	va_list ap;
	int len, ret;

	if (!lkl_ops || running)
		return -EINVAL;

	len = scnprintf(cmd_line, sizeof(cmd_line), "%s ", CONFIG_BUILTIN_CMDLINE);
	va_start(ap, fmt);
	ret = vsnprintf(cmd_line + len, sizeof(cmd_line) - len, fmt, ap);
	va_end(ap);
	if (ret >= sizeof(cmd_line) - len)
		return -E2BIG;
	len += ret;
	if (lkl_ops->virtio_devices) {
		ret = snprintf(cmd_line + len, sizeof(cmd_line) - len, " %s",
			       lkl_ops->virtio_devices);
		if (ret >= sizeof(cmd_line) - len)
			return -E2BIG;
	}

	/* A bad mem= is refused here rather than panicking the boot. */
	mem = parse_mem(cmd_line);
	if (mem < 0 || (mem && mem < (16LL << 20)) || mem > (1LL << 40))
		return -EINVAL;
	if (mem)
		mem_size = mem;
	ret = lkl_bootmem_alloc(mem_size);
	if (ret)
		return ret;
	strscpy(boot_command_line, cmd_line, COMMAND_LINE_SIZE);

	ret = -ENOMEM;
	boot_sem = lkl_ops->sem_alloc(0);
	halt_sem = lkl_ops->sem_alloc(0);
	if (!boot_sem || !halt_sem)
		goto out_free;
	ret = lkl_cpu_init();
	if (ret)
		goto out_free;

	boot_thread = lkl_ops->thread_create(run_kernel, NULL);
	if (!boot_thread) {
		ret = -ENOMEM;
		goto out_free;
	}
	lkl_ops->sem_down(boot_sem);

	/* pid 1 is host0 now; this thread runs it until it lets the CPU go. */
	boot_host0->thread.tid = lkl_ops->thread_self();
	lkl_cpu_change_owner(boot_host0->thread.tid);
	WRITE_ONCE(running, true);
	lkl_cpu_put();
	return 0;

out_free:
	release_boot_objects();
	return ret;
}

void lkl_boot_done(struct task_struct *host0)
{
	boot_host0 = host0;
	lkl_ops->sem_up(boot_sem);
}

void __init setup_arch(char **cl)
{
	*cl = cmd_line;
	parse_early_param();
	lkl_bootmem_init();
}

void machine_halt(void)
{
	WRITE_ONCE(halt_requested, true);
}

void machine_power_off(void)
{
	machine_halt();
}

void machine_restart(char *cmd)
{
	machine_halt();
}

/*
 * The idle task found nothing to do after halt was requested: every task
 * sleeps, so the kernel can stop here.  Close the CPU to newcomers, tell
 * lkl_sys_halt() and end the boot thread.
 */
static void __noreturn halt_from_idle(void)
{
	tick_suspend_local();
	lkl_cpu_shutdown();
	lkl_ops->sem_up(halt_sem);
	lkl_ops->thread_exit();
	lkl_bug("thread_exit returned\n");
}

void arch_cpu_idle(void)
{
	if (READ_ONCE(halt_requested))
		halt_from_idle();
	lkl_idle_wake_host_task();
	/* default_idle_call() expects interrupts still disabled here. */
}

long lkl_sys_halt(void)
{
	long params[6] = { LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
			   LINUX_REBOOT_CMD_POWER_OFF, 0, 0, 0 };
	long ret;

	if (!lkl_is_running())
		return -EINVAL;
	/* Our task exits inside reboot(); the call comes back with 0. */
	ret = lkl_syscall(__NR_reboot, params);
	if (ret < 0)
		return ret;

	lkl_ops->sem_down(halt_sem);
	lkl_ops->thread_join(boot_thread);
	WRITE_ONCE(running, false);

	lkl_threads_cleanup(lkl_syscalls_halt_sem());
	lkl_syscalls_cleanup();
	lkl_time_cleanup();
	return 0;
}

void lkl_cleanup(void)
{
	if (!READ_ONCE(running))
		release_boot_objects();
}
