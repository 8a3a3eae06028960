// SPDX-License-Identifier: GPL-2.0
/*
 * The one CPU of the library kernel is a host lock.  Whichever host thread
 * holds it runs kernel code; the others queue.  Ownership moves along with
 * the scheduler (__switch_to hands it to the next task's thread), and host
 * threads that only want to run an interrupt queue it when the CPU is busy:
 * the owner runs queued interrupts before it lets go.
 */
#include <linux/sched.h>
#include <linux/hardirq.h>
#include <linux/errno.h>
#include <asm/host_ops.h>
#include <asm/lkl_internal.h>

static struct {
	struct lkl_mutex *lock;
	/* Threads waiting for the CPU sleep here. */
	struct lkl_sem *wait_sem;
	unsigned int sleepers;
	lkl_thread_t owner;
	/* Re-entrant acquisitions by the owner. */
	unsigned int count;
	bool shutdown;
	/* Early boot only: the idle task gave the CPU away until an IRQ. */
	struct lkl_sem *idle_sem;
	bool idle_waiting;
} cpu;

static bool owned_by_self(void)
{
	return cpu.count && lkl_ops->thread_equal(cpu.owner, lkl_ops->thread_self());
}

int lkl_cpu_init(void)
{
	cpu.lock = lkl_ops->mutex_alloc(0);
	cpu.wait_sem = lkl_ops->sem_alloc(0);
	cpu.idle_sem = lkl_ops->sem_alloc(0);
	if (!cpu.lock || !cpu.wait_sem || !cpu.idle_sem) {
		lkl_cpu_cleanup();
		return -ENOMEM;
	}
	return 0;
}

void lkl_cpu_cleanup(void)
{
	if (cpu.lock)
		lkl_ops->mutex_free(cpu.lock);
	if (cpu.wait_sem)
		lkl_ops->sem_free(cpu.wait_sem);
	if (cpu.idle_sem)
		lkl_ops->sem_free(cpu.idle_sem);
	memset(&cpu, 0, sizeof(cpu));
}

/* With cpu.lock held: release the CPU completely and wake one waiter. */
static void release_locked(void)
{
	cpu.count = 0;
	cpu.owner = 0;
	if (cpu.sleepers) {
		cpu.sleepers--;
		lkl_ops->sem_up(cpu.wait_sem);
	}
	if (cpu.idle_waiting) {
		cpu.idle_waiting = false;
		lkl_ops->sem_up(cpu.idle_sem);
	}
}

int lkl_cpu_get(void)
{
	lkl_thread_t self = lkl_ops->thread_self();

	lkl_host_mutex_lock(cpu.lock);
	for (;;) {
		if (cpu.shutdown) {
			lkl_ops->mutex_unlock(cpu.lock);
			return -ENODEV;
		}
		if (!cpu.count || lkl_ops->thread_equal(cpu.owner, self))
			break;
		cpu.sleepers++;
		lkl_ops->mutex_unlock(cpu.lock);
		lkl_ops->sem_down(cpu.wait_sem);
		lkl_host_mutex_lock(cpu.lock);
	}
	cpu.owner = self;
	cpu.count++;
	lkl_ops->mutex_unlock(cpu.lock);
	return 0;
}

void lkl_cpu_put(void)
{
	lkl_host_mutex_lock(cpu.lock);
	if (!owned_by_self())
		lkl_bug("lkl_cpu_put: CPU not held by this thread\n");

	while (lkl_irqs_pending() && !irqs_disabled()) {
		lkl_ops->mutex_unlock(cpu.lock);
		lkl_run_pending_irqs();
		lkl_host_mutex_lock(cpu.lock);
	}

	/*
	 * Leaving the kernel from a task that host threads inhabit while other
	 * tasks are runnable: let them run.  This thread goes back to the host
	 * through the scheduler, and the CPU goes with the next task.
	 */
	if (cpu.count == 1 && current->thread.lendable &&
	    lkl_others_runnable()) {
		if (in_interrupt())
			lkl_bug("lkl_cpu_put: leaving the kernel in interrupt\n");
		lkl_ops->mutex_unlock(cpu.lock);
		lkl_leave_kernel_via_schedule();
		return;
	}

	if (--cpu.count == 0)
		release_locked();
	lkl_ops->mutex_unlock(cpu.lock);
}

void lkl_cpu_change_owner(lkl_thread_t owner)
{
	lkl_host_mutex_lock(cpu.lock);
	if (cpu.count > 1)
		lkl_bug("lkl_cpu_change_owner: CPU held recursively\n");
	cpu.owner = owner;
	cpu.count = 1;
	lkl_ops->mutex_unlock(cpu.lock);
}

int lkl_cpu_try_run_irq(int irq)
{
	int ret = 0;

	lkl_host_mutex_lock(cpu.lock);
	if (cpu.shutdown) {
		ret = -ENODEV;
	} else if (cpu.count && !owned_by_self()) {
		/* The owner runs it before releasing the CPU. */
		lkl_irq_set_pending(irq);
		ret = -EBUSY;
	} else {
		lkl_irq_set_pending(irq);
		cpu.owner = lkl_ops->thread_self();
		cpu.count++;
	}
	lkl_ops->mutex_unlock(cpu.lock);
	return ret;
}

/*
 * Idle before any task exists that host threads could borrow: give the CPU
 * up and sleep until an interrupt has been queued, then take it back.
 */
void lkl_cpu_wait_for_irq(void)
{
	lkl_host_mutex_lock(cpu.lock);
	if (lkl_irqs_pending() || cpu.shutdown) {
		lkl_ops->mutex_unlock(cpu.lock);
		return;
	}
	release_locked();
	cpu.idle_waiting = true;
	lkl_ops->mutex_unlock(cpu.lock);

	lkl_ops->sem_down(cpu.idle_sem);
	if (lkl_cpu_get() < 0)
		lkl_bug("lkl_cpu_wait_for_irq: shut down while idle\n");
}

void lkl_cpu_shutdown(void)
{
	lkl_host_mutex_lock(cpu.lock);
	cpu.shutdown = true;
	cpu.count = 0;
	cpu.owner = 0;
	while (cpu.sleepers) {
		cpu.sleepers--;
		lkl_ops->sem_up(cpu.wait_sem);
	}
	lkl_ops->mutex_unlock(cpu.lock);
}
