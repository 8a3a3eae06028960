// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks for programs that run processes and threads of their own through
 * the library kernel (the sandbox mirrors each guest process and thread
 * this way): clone the calling thread's task with the sharing the caller
 * chooses, then let another host thread adopt the clone.  Each clone then
 * has its own fd table, cwd, umask and credentials where it did not ask to
 * share them, and blocks in the kernel without stalling the others.
 */
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <asm/host_ops.h>
#include <asm/lkl_internal.h>

#define CLONE_ALLOWED (CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | \
		       CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | \
		       CLONE_PARENT | CLONE_NEWNS)

static struct task_struct *host_task_by_tid(long tid)
{
	struct task_struct *task;

	rcu_read_lock();
	task = find_task_by_pid_ns(tid, &init_pid_ns);
	rcu_read_unlock();
	if (!task || !task->thread.host_task)
		return NULL;
	return task;
}

/*
 * Clone the calling thread's task: flags are clone(2)'s CLONE_* sharing
 * flags with the exit signal in the low byte.  The clone runs nothing until
 * a host thread adopts it.  Returns its tid, or -errno.
 */
long lkl_task_clone(unsigned long flags)
{
	struct kernel_clone_args args = {
		.flags		= flags & ~CSIGNAL,
		.exit_signal	= flags & CSIGNAL,
		.fn		= lkl_host_task_marker,
		/* no .name: the clone keeps its parent's comm, as fork does */
	};
	struct task_struct *self, *child;
	pid_t pid;

	if (flags & ~CLONE_ALLOWED)
		return -EINVAL;
	if ((flags & CLONE_THREAD) && (flags & CSIGNAL))
		return -EINVAL;

	self = lkl_enter_kernel();
	if (IS_ERR(self))
		return PTR_ERR(self);

	pid = kernel_clone(&args);
	if (pid > 0) {
		child = host_task_by_tid(pid);
		/*
		 * The clone is runnable and the scheduler would hand the CPU
		 * to a thread that is not waiting for it: run as the clone
		 * once, so that coming back parks it until it is adopted.
		 */
		lkl_switch_to_host_task(child);
		lkl_switch_to_host_task(self);
	}
	lkl_cpu_put();
	return pid;
}

/*
 * Make the calling host thread run as task tid, a clone nobody runs yet.
 * A task the thread ran before is left parked for others to adopt.
 */
long lkl_task_adopt(long tid)
{
	struct task_struct *task;
	long ret;

	if (!lkl_is_running())
		return -ENODEV;
	ret = lkl_cpu_get();
	if (ret < 0)
		return ret;

	task = host_task_by_tid(tid);
	if (!task || (task->flags & PF_EXITING)) {
		ret = -ESRCH;
	} else if (task->thread.bound) {
		ret = -EBUSY;
	} else {
		lkl_bind_host_thread(task);
		lkl_switch_to_host_task(task);
	}
	lkl_cpu_put();
	return ret;
}

/*
 * Record the program open at fd as the calling thread's task's executable
 * (/proc/PID/exe), as exec would: a sandbox runs the program itself on
 * the host.  Like a running program's, the file cannot be opened for
 * writing while it is that.
 */
long lkl_task_set_exe(int fd)
{
	struct task_struct *self;
	struct file *file;
	long ret;

	self = lkl_enter_kernel();
	if (IS_ERR(self))
		return PTR_ERR(self);
	file = fget(fd);
	if (!file) {
		ret = -EBADF;
	} else {
		ret = self->mm ? replace_mm_exe_file(self->mm, file) : -EINVAL;
		fput(file);
	}
	lkl_cpu_put();
	return ret;
}
