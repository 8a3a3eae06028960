// SPDX-License-Identifier: GPL-2.0
/*
 * System calls from host threads.
 *
 * Each host thread that calls lkl_syscall() gets a kernel task of its own,
 * a thread of pid 1 sharing its files, fs and credentials, so calls from
 * different host threads block and proceed independently.  New tasks are
 * cloned from host0 (pid 1 itself, which became this template after exec
 * of /init) and bound to the host thread through thread-local storage; the
 * task exits when the host thread does.
 */
#include <linux/syscalls.h>
#include <linux/kthread.h>
#include <linux/sched/task.h>
#include <linux/sched/signal.h>
#include <linux/resume_user_mode.h>
#include <linux/task_work.h>
#include <linux/platform_device.h>
#include <linux/pid_namespace.h>
#include <linux/mman.h>
#include <linux/capability.h>
#include <asm/host_ops.h>
#include <asm/lkl_internal.h>

long sys_virtio_mmio_device_add(long base, long size, unsigned int irq);
long sys_rt_sigreturn(void);
long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot,
	      unsigned long flags, unsigned long fd, off_t off);

typedef long (*syscall_fn_t)(long, long, long, long, long, long);

#undef __SYSCALL
#define __SYSCALL(nr, sym) [nr] = (syscall_fn_t)(void *)sym,

static const syscall_fn_t syscall_table[__NR_syscalls] = {
	[0 ... __NR_syscalls - 1] = (syscall_fn_t)(void *)sys_ni_syscall,
#include <uapi/asm-generic/unistd.h>
	[__NR_virtio_mmio_device_add] =
		(syscall_fn_t)(void *)sys_virtio_mmio_device_add,
};

static struct lkl_tls_key *task_key;
/* Serialises cloning from host0: one host thread at a time may run as it. */
static struct lkl_mutex *host0_lock;
static struct task_struct *host0;
static struct task_struct *idle_host_task;
static bool init_execed;

/* What a real architecture does on its way back to user mode. */
static void return_to_host_work(void)
{
	if (test_thread_flag(TIF_NOTIFY_SIGNAL))
		clear_thread_flag(TIF_NOTIFY_SIGNAL);
	if (test_thread_flag(TIF_NOTIFY_RESUME) || task_work_pending(current))
		resume_user_mode_work(NULL);
	/* A fatal signal (SIGKILL, a group exit) ends the task here. */
	if (fatal_signal_pending(current))
		do_exit(SIGKILL);
	/* Other signals are never delivered to host threads; don't let them linger. */
	if (signal_pending(current))
		flush_signals(current);
}

static long run_syscall(long no, long *params)
{
	long ret;

	if (no < 0 || no >= __NR_syscalls)
		return -ENOSYS;
	if (fatal_signal_pending(current))
		do_exit(SIGKILL);
	for (;;) {
		ret = syscall_table[no](params[0], params[1], params[2],
					params[3], params[4], params[5]);
		return_to_host_work();
		if (ret != -ERESTARTNOINTR)
			break;
	}
	/* No signal handler ran, so no restart: report the interruption. */
	if (ret == -ERESTARTSYS || ret == -ERESTARTNOHAND ||
	    ret == -ERESTART_RESTARTBLOCK)
		ret = -EINTR;
	return ret;
}

struct syscall_frame {
	long no;
	long *params;
	long ret;
	bool done;
};

/* Handed across jmp_buf_set(), which takes no argument; the CPU is held. */
static struct syscall_frame *entering;

static void syscall_entry(void)
{
	struct syscall_frame *f = entering;

	f->ret = run_syscall(f->no, f->params);
	f->done = true;
}

static void exit_current_task(void)
{
	do_exit(0);
}

/* With the CPU held: clone a task for this host thread and switch to it. */
static struct task_struct *new_host_task(void)
{
	struct kernel_clone_args args = {
		.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
			 CLONE_THREAD | CLONE_SYSVSEM,
		.fn = lkl_host_task_marker,
		.name = "host",
	};
	struct task_struct *task;
	char comm[TASK_COMM_LEN];
	pid_t pid;

	lkl_switch_to_host_task(host0);
	pid = kernel_clone(&args);
	if (pid < 0)
		return ERR_PTR(pid);

	rcu_read_lock();
	task = find_task_by_pid_ns(pid, &init_pid_ns);
	rcu_read_unlock();
	snprintf(comm, sizeof(comm), "host%d", pid);
	set_task_comm(task, comm);

	task->thread.bound = true;
	lkl_switch_to_host_task(task);
	lkl_ops->tls_set(task_key, task);
	return task;
}

/* TLS destructor: the host thread ends, and so does its task. */
static void host_thread_exited(void *data)
{
	struct task_struct *task = data;
	bool thrown_out = false;

	if (lkl_cpu_get() < 0)
		return;
	lkl_switch_to_host_task(task);
	task->thread.thrown_out = &thrown_out;
	lkl_ops->jmp_buf_set(&task->thread.exit_jb, exit_current_task);
	/* Back via __switch_to(); the CPU went to the next task. */
}

static struct lkl_sem *halt_done_sem;

/*
 * Enter the kernel from a host thread: take the CPU and run as this
 * thread's task, cloning one from host0 on its first call.  On success
 * the CPU is held; on failure it is not.
 */
struct task_struct *lkl_enter_kernel(void)
{
	struct task_struct *task;
	int ret;

	if (!lkl_is_running())
		return ERR_PTR(-ENODEV);

	task = lkl_ops->tls_get(task_key);
	if (task) {
		ret = lkl_cpu_get();
		if (ret < 0)
			return ERR_PTR(ret);
		lkl_switch_to_host_task(task);
		return task;
	}

	lkl_host_mutex_lock(host0_lock);
	ret = lkl_cpu_get();
	if (!ret)
		task = new_host_task();
	lkl_ops->mutex_unlock(host0_lock);
	if (ret < 0)
		return ERR_PTR(ret);
	if (IS_ERR(task))
		lkl_cpu_put();
	return task;
}

/* Bind the calling host thread to task (NULL: none); the CPU is held. */
void lkl_bind_host_thread(struct task_struct *task)
{
	struct task_struct *old = lkl_ops->tls_get(task_key);

	/* A task left behind stays parked; another thread may adopt it. */
	if (old && old != task)
		old->thread.bound = false;
	if (task)
		task->thread.bound = true;
	lkl_ops->tls_set(task_key, task);
}

long lkl_syscall(long no, long *params)
{
	struct syscall_frame frame = { .no = no, .params = params };
	struct task_struct *task;
	bool thrown_out = false;

	task = lkl_enter_kernel();
	if (IS_ERR(task))
		return PTR_ERR(task);

	task->thread.in_syscall = true;
	task->thread.thrown_out = &thrown_out;
	task->thread.stack_top = (unsigned long)__builtin_frame_address(0);
	entering = &frame;
	lkl_ops->jmp_buf_set(&task->thread.exit_jb, syscall_entry);
	barrier();
	if (!READ_ONCE(frame.done)) {
		/*
		 * The task is gone (exit, exit_group, reboot, a fatal signal)
		 * or halt threw us out; either way the CPU went on without us.
		 * The thread's next call gets a new task.
		 */
		lkl_ops->tls_set(task_key, NULL);
		if (READ_ONCE(thrown_out)) {
			lkl_ops->sem_up(halt_done_sem);
			return -ENODEV;
		}
		return 0;
	}
	task->thread.in_syscall = false;
	lkl_cpu_put();
	return frame.ret;
}

static int idle_host_task_loop(void *unused)
{
	struct thread_struct *t = &current->thread;

	t->lendable = true;
	for (;;) {
		/* No CPU, no kernel work: host threads may borrow this task. */
		lkl_cpu_put();
		lkl_ops->sem_down(t->sched_sem);
		if (t->dead)
			lkl_ops->thread_exit();
		schedule_tail(t->prev_sched);
	}
	return 0;
}

/*
 * Idle with nothing runnable: hand the CPU to the idle host task, which
 * releases it, so host threads can take it and borrow a context that may
 * sleep (the idle task itself never may).
 */
void lkl_idle_wake_host_task(void)
{
	if (idle_host_task)
		wake_up_process(idle_host_task);
	else
		lkl_cpu_wait_for_irq();
}

/* pid 1's exec of /init reached our binfmt. */
void lkl_init_execed(void)
{
	init_execed = true;
}

bool lkl_init_became_host0(void)
{
	struct task_struct *iht;

	if (!init_execed || current->pid != 1)
		return false;
	init_execed = false;

	task_key = lkl_ops->tls_alloc(host_thread_exited);
	host0_lock = lkl_ops->mutex_alloc(0);
	halt_done_sem = lkl_ops->sem_alloc(0);
	if (!task_key || !host0_lock || !halt_done_sem)
		panic("lkl: cannot allocate host objects for system calls\n");

	iht = kthread_run(idle_host_task_loop, NULL, "idle_host_task");
	if (IS_ERR(iht))
		panic("lkl: cannot start the idle host task\n");
	idle_host_task = iht;

	return_to_host_work();
	host0 = current;
	host0->thread.host_task = true;
	host0->thread.lendable = true;
	host0->thread.bound = true;
	/* The caller of lkl_start_kernel() takes over host0 and the CPU. */
	lkl_ops->thread_detach();
	lkl_boot_done(host0);
	return true;
}

struct lkl_sem *lkl_syscalls_halt_sem(void)
{
	return halt_done_sem;
}

void lkl_syscalls_cleanup(void)
{
	if (task_key)
		lkl_ops->tls_free(task_key);
	if (host0_lock)
		lkl_ops->mutex_free(host0_lock);
	if (halt_done_sem)
		lkl_ops->sem_free(halt_done_sem);
	task_key = NULL;
	host0_lock = NULL;
	halt_done_sem = NULL;
	host0 = NULL;
	idle_host_task = NULL;
}

SYSCALL_DEFINE3(virtio_mmio_device_add, long, base, long, size,
		unsigned int, irq)
{
	struct resource res[] = {
		DEFINE_RES_MEM(base, size),
		DEFINE_RES_IRQ(irq),
	};
	struct platform_device *pdev;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	pdev = platform_device_register_simple("virtio-mmio", PLATFORM_DEVID_AUTO,
					       res, ARRAY_SIZE(res));
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	return pdev->id;
}

/* asm-generic's 64-bit table names sys_mmap, which each arch provides. */
SYSCALL_DEFINE6(mmap, unsigned long, addr, unsigned long, len,
		unsigned long, prot, unsigned long, flags,
		unsigned long, fd, off_t, off)
{
	if (off & ~PAGE_MASK)
		return -EINVAL;
	return ksys_mmap_pgoff(addr, len, prot, flags, fd, off >> PAGE_SHIFT);
}

/* Signal handlers never run on this architecture, so there is no frame. */
SYSCALL_DEFINE0(rt_sigreturn)
{
	return -ENOSYS;
}
