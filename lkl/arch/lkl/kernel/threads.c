// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel tasks on host threads.
 *
 * Every kernel thread gets a host thread of its own.  A task that is not
 * running keeps its host thread asleep on thread.sched_sem; __switch_to()
 * wakes the next task's thread and puts the previous one to sleep, so only
 * one host thread runs kernel code at a time and Linux's own scheduler
 * decides which.
 *
 * Host tasks have no thread of their own: host threads that make system
 * calls inhabit them (see syscalls.c).  Such a thread enters through
 * lkl_switch_to_host_task() and leaves through the scheduler: it lends the
 * task that happens to be current to schedule() and jumps back out of
 * __switch_to() once the next task runs.
 */
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/sched/signal.h>
#include <linux/sched/debug.h>
#include <linux/list.h>
#include <linux/sched/mm.h>
#include <asm/switch_to.h>
#include <asm/host_ops.h>
#include <asm/lkl_internal.h>

struct thread_info *lkl_current_ti = &init_thread_info;

/* Tasks holding host objects; changed only with the CPU held. */
static LIST_HEAD(host_objects);

/* Marks a clone as a host task in copy_thread(); never called. */
int lkl_host_task_marker(void *unused)
{
	return 0;
}

void lkl_threads_init(void)
{
	struct thread_struct *t = &init_task.thread;

	t->sched_sem = lkl_ops->sem_alloc(0);
	if (!t->sched_sem)
		lkl_bug("cannot allocate the idle task's semaphore\n");
	t->tid = lkl_ops->thread_self();
	list_add(&t->all, &host_objects);
}

/* fork copies the whole task_struct; the host objects must not be shared. */
int arch_dup_task_struct(struct task_struct *dst, struct task_struct *src)
{
	*dst = *src;
	memset(&dst->thread, 0, sizeof(dst->thread));
	INIT_LIST_HEAD(&dst->thread.all);
	return 0;
}

static void __noreturn exit_host_thread(void)
{
	lkl_ops->thread_exit();
	lkl_bug("thread_exit returned\n");
}

/* First code a new kernel thread's host thread runs. */
static void thread_bootstrap(void *arg)
{
	struct task_struct *task = arg;
	struct thread_struct *t = &task->thread;
	int ret;

	t->stack_top = (unsigned long)__builtin_frame_address(0);
	lkl_ops->sem_down(t->sched_sem);
	if (t->dead)
		exit_host_thread();
	schedule_tail(t->prev_sched);

	ret = t->fn(t->fn_arg);

	/*
	 * A kernel thread's function only returns to "go to user space" after
	 * a successful exec.  The only program here is /init: pid 1 turns into
	 * the template that host tasks are cloned from.
	 */
	if (!ret && lkl_init_became_host0())
		exit_host_thread();
	do_exit(ret);
}

int copy_thread(struct task_struct *p, const struct kernel_clone_args *args)
{
	struct thread_struct *t = &p->thread;

	if (!args->fn)
		return -EOPNOTSUPP;	/* fork with nothing to run */

	t->sched_sem = lkl_ops->sem_alloc(0);
	if (!t->sched_sem)
		return -ENOMEM;
	list_add(&t->all, &host_objects);

	if (args->fn == lkl_host_task_marker) {
		/* Run first by the host thread that creates it. */
		t->host_task = true;
		t->lendable = true;
		t->tid = lkl_ops->thread_self();
		return 0;
	}

	t->fn = args->fn;
	t->fn_arg = args->fn_arg;
	t->tid = lkl_ops->thread_create(thread_bootstrap, p);
	if (!t->tid)
		return -ENOMEM;
	return 0;
}

/* Last reference to the task is gone: release its host objects. */
void arch_release_task_struct(struct task_struct *tsk)
{
	struct thread_struct *t = &tsk->thread;

	if (!t->sched_sem)
		return;
	/* A kernel thread's host thread exited in __switch_to(); reap it. */
	if (!t->host_task && t->tid)
		lkl_ops->thread_join(t->tid);
	lkl_ops->sem_free(t->sched_sem);
	t->sched_sem = NULL;
	list_del(&t->all);
}

struct task_struct *__switch_to(struct task_struct *prev,
				struct task_struct *next)
{
	struct thread_struct *pt = &prev->thread, *nt = &next->thread;
	bool prev_dead = READ_ONCE(prev->__state) == TASK_DEAD;
	struct lkl_jmp_buf jb;
	bool leave = pt->leave_on_switch;

	/*
	 * Once next runs it may free prev, so anything needed from prev after
	 * the wake-up is copied first.
	 */
	if (leave) {
		pt->leave_on_switch = false;
		jb = pt->leave_jb;
	} else if (prev_dead && pt->host_task) {
		leave = true;
		jb = pt->exit_jb;
	}

	lkl_current_ti = task_thread_info(next);
	nt->prev_sched = prev;
	lkl_cpu_change_owner(nt->tid);
	lkl_ops->sem_up(nt->sched_sem);

	if (leave)
		lkl_ops->jmp_buf_longjmp(&jb, 1);
	if (prev_dead)
		exit_host_thread();	/* joined in arch_release_task_struct */

	lkl_ops->sem_down(pt->sched_sem);
	if (pt->dead) {
		if (pt->host_task) {
			*pt->thrown_out = true;
			lkl_ops->jmp_buf_longjmp(&pt->exit_jb, 1);
		}
		exit_host_thread();
	}
	return pt->prev_sched;
}

/*
 * Give the CPU to the scheduler and return to the host: the current task
 * (borrowed by this host thread) sleeps, the next one runs on its own
 * thread, and __switch_to() jumps back here.
 */
void lkl_leave_kernel_via_schedule(void)
{
	struct thread_struct *t = &current->thread;

	t->leave_on_switch = true;
	set_current_state(TASK_UNINTERRUPTIBLE);
	lkl_ops->jmp_buf_set(&t->leave_jb, schedule);
}

/* Make the calling host thread (holding the CPU) run as task. */
void lkl_switch_to_host_task(struct task_struct *task)
{
	struct thread_struct *t = &task->thread;

	if (WARN_ON(!t->host_task))
		return;
	t->tid = lkl_ops->thread_self();
	if (current == task)
		return;

	wake_up_process(task);
	lkl_leave_kernel_via_schedule();
	/* Without the CPU now, until the scheduler picks task. */
	lkl_ops->sem_down(t->sched_sem);
	if (t->dead)
		lkl_ops->jmp_buf_longjmp(&t->exit_jb, 1);
	schedule_tail(t->prev_sched);
}

/*
 * Halt: every task is asleep and nothing holds the CPU.  End the host
 * threads of kernel threads, send host threads blocked in system calls
 * back out (their calls fail), and free every task's host objects.
 * The host threads sent out post done_sem once they no longer touch
 * their task's semaphore.
 */
void lkl_threads_cleanup(struct lkl_sem *done_sem)
{
	struct thread_struct *t, *tmp;
	int sent_out = 0;

	list_for_each_entry(t, &host_objects, all) {
		struct task_struct *task = container_of(t, struct task_struct, thread);

		if (task == &init_task || task == current)
			continue;
		if (t->host_task) {
			if (t->in_syscall) {
				t->dead = true;
				lkl_ops->sem_up(t->sched_sem);
				sent_out++;
			}
		} else if (t->tid) {
			t->dead = true;
			lkl_ops->sem_up(t->sched_sem);
			lkl_ops->thread_join(t->tid);
		}
	}
	while (sent_out--)
		lkl_ops->sem_down(done_sem);

	list_for_each_entry_safe(t, tmp, &host_objects, all) {
		list_del(&t->all);
		lkl_ops->sem_free(t->sched_sem);
		t->sched_sem = NULL;
	}
}

void flush_thread(void)
{
}

unsigned long __get_wchan(struct task_struct *p)
{
	return 0;
}

void show_stack(struct task_struct *task, unsigned long *sp, const char *loglvl)
{
	printk("%sCall trace: (not available on lkl)\n", loglvl);
}
