// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks for programs that run processes and threads of their own through
 * the library kernel (the sandbox mirrors each guest process and thread
 * this way): clone the calling thread's task with the sharing the caller
 * chooses, then let another host thread adopt the clone.  Each clone then
 * has its own fd table, cwd, umask and credentials where it did not ask to
 * share them, and blocks in the kernel without stalling the others.
 */
#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
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
 * A sandbox numbers its tasks as the host numbers its processes: any host
 * pid must be one the kernel can give (see lkl_task_renumber()).
 */
static int __init lkl_pid_max_init(void)
{
	pid_max = pid_max_max;
	return 0;
}
core_initcall(lkl_pid_max_init);

/*
 * Choosing a pid (set_tid) takes CAP_CHECKPOINT_RESTORE, which the task
 * being numbered (a sandboxed program's) need not have: the clone is made
 * with it raised, and the clone drops it again before anything runs as it.
 * Returns the creds to put back, NULL when the caller had it already.
 */
static const struct cred *raise_set_tid_cap(struct cred **raised)
{
	const struct cred *cred = current_cred();
	struct cred *new;

	*raised = NULL;
	if (cap_raised(cred->cap_effective, CAP_CHECKPOINT_RESTORE) ||
	    cap_raised(cred->cap_effective, CAP_SYS_ADMIN))
		return NULL;
	new = prepare_creds();
	if (!new)
		return ERR_PTR(-ENOMEM);
	cap_raise(new->cap_effective, CAP_CHECKPOINT_RESTORE);
	*raised = new;
	return override_creds(new);
}

/* In the clone, before it runs: the capability it was born with goes. */
static void drop_set_tid_cap(void)
{
	struct cred *new = prepare_creds();

	/* Without memory the clone keeps it; it is about to be adopted or fail. */
	if (WARN_ON(!new))
		return;
	cap_lower(new->cap_effective, CAP_CHECKPOINT_RESTORE);
	commit_creds(new);
}

/* The mapping that holds mm's command line, if one of ours holds it. */
static struct vm_area_struct *cmdline_vma(struct mm_struct *mm)
{
	struct vm_area_struct *vma;

	if (!mm->arg_start || mm->arg_end <= mm->arg_start)
		return NULL;
	vma = find_vma(mm, mm->arg_start);
	if (!vma || vma->vm_start != mm->arg_start || vma->vm_end < mm->arg_end)
		return NULL;
	return vma;
}

/*
 * Point current's mm at a copy of args (NUL-separated, what
 * /proc/PID/cmdline shows) in a mapping of its own, and drop the mapping
 * an earlier call made.  Fork copies no mappings here (no MMU): a new
 * process gets a copy of its parent's command line the same way.
 */
static long install_cmdline(const char *args, unsigned long len)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *old;
	unsigned long addr, old_start = 0, old_len = 0;

	if (!mm)
		return -EINVAL;
	/* No args (an exec with an empty argv): an empty command line. */
	addr = 0;
	if (len) {
		addr = vm_mmap(NULL, 0, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, 0);
		if (IS_ERR_VALUE(addr))
			return (long)addr;
		memcpy((void *)addr, args, len);
	}

	mmap_read_lock(mm);
	old = cmdline_vma(mm);
	if (old) {
		old_start = old->vm_start;
		old_len = old->vm_end - old->vm_start;
	}
	mmap_read_unlock(mm);

	spin_lock(&mm->arg_lock);
	mm->arg_start = addr;
	mm->arg_end = addr + len;
	mm->env_start = mm->env_end = addr + len;
	spin_unlock(&mm->arg_lock);
	if (old_len)
		vm_munmap(old_start, old_len);
	return 0;
}

/* In a new process: a copy of the command line of parent's mm. */
static void copy_cmdline(struct mm_struct *parent)
{
	struct vm_area_struct *vma;
	unsigned long len = 0;
	char *buf = NULL;

	if (!parent || parent == current->mm)
		return;
	mmap_read_lock(parent);
	vma = cmdline_vma(parent);
	if (vma) {
		len = parent->arg_end - parent->arg_start;
		buf = kmemdup((void *)parent->arg_start, len, GFP_KERNEL);
	}
	mmap_read_unlock(parent);
	if (buf)
		install_cmdline(buf, len);
	kfree(buf);
}

/*
 * Clone current as args say and leave the clone parked for adoption.
 * With the CPU held; returns the clone's tid or -errno.
 */
static pid_t clone_parked(struct kernel_clone_args *args, struct task_struct **childp)
{
	struct task_struct *self = current, *child;
	const struct cred *saved = NULL;
	struct cred *raised = NULL;
	pid_t pid;

	if (args->set_tid) {
		saved = raise_set_tid_cap(&raised);
		if (IS_ERR(saved))
			return PTR_ERR(saved);
	}
	pid = kernel_clone(args);
	if (raised) {
		revert_creds(saved);
		put_cred(raised);
	}
	if (pid < 0)
		return pid;
	child = host_task_by_tid(pid);
	/*
	 * The clone is runnable and the scheduler would hand the CPU to a
	 * thread that is not waiting for it: run as the clone once, so that
	 * coming back parks it until it is adopted.
	 */
	lkl_switch_to_host_task(child);
	if (raised)
		drop_set_tid_cap();
	if (!(args->flags & CLONE_VM))
		copy_cmdline(self->mm);
	lkl_switch_to_host_task(self);
	*childp = child;
	return pid;
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
	pid = clone_parked(&args, &child);
	lkl_cpu_put();
	return pid;
}

static void exit_task(void)
{
	do_exit(0);
}

/*
 * Give the calling thread's task the tid tid: a clone of it that shares
 * everything it has (files, fs, memory; its thread group, or for a
 * process its parent) takes its place under that number, and the task
 * itself exits.  A sandbox learns its program's pid only once the host has
 * forked, after the kernel side of the fork was made.  Returns tid, or
 * -errno with the task unchanged (-EEXIST: another task has that number).
 */
long lkl_task_renumber(long tid)
{
	struct kernel_clone_args args = {
		.fn		= lkl_host_task_marker,
		.set_tid_size	= 1,
	};
	struct task_struct *self, *child;
	bool thrown_out = false;
	pid_t want = tid, pid;
	long ret;

	if (tid < 1 || tid > INT_MAX)
		return -EINVAL;
	self = lkl_enter_kernel();
	if (IS_ERR(self))
		return PTR_ERR(self);
	if (self->pid == want) {
		lkl_cpu_put();
		return tid;
	}
	if (thread_group_leader(self)) {
		/* A process alone: its threads would stay behind in the old group. */
		if (!thread_group_empty(self)) {
			lkl_cpu_put();
			return -EBUSY;
		}
		args.flags = CLONE_PARENT;
	} else {
		args.flags = CLONE_THREAD | CLONE_SIGHAND;
	}
	args.flags |= CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM;
	args.set_tid = &want;
	pid = clone_parked(&args, &child);
	if (pid < 0) {
		lkl_cpu_put();
		return pid;
	}

	/* The thread belongs to the clone; the old task exits without it. */
	lkl_bind_host_thread(child);
	self->thread.thrown_out = &thrown_out;
	lkl_ops->jmp_buf_set(&self->thread.exit_jb, exit_task);
	/* Back via __switch_to() once the old task is dead; no CPU now. */
	ret = lkl_cpu_get();
	if (ret < 0)
		return ret;
	lkl_switch_to_host_task(child);
	lkl_cpu_put();
	return pid;
}

/*
 * The calling thread's task shows args (NUL-separated, len bytes) as its
 * command line in /proc/PID/cmdline, as exec would: a sandbox runs the
 * program itself on the host.
 */
long lkl_task_set_cmdline(const char *args, unsigned long len)
{
	struct task_struct *self;
	long ret;

	if (len > MAX_ARG_STRLEN * 4)
		return -E2BIG;
	self = lkl_enter_kernel();
	if (IS_ERR(self))
		return PTR_ERR(self);
	ret = install_cmdline(args, len);
	lkl_cpu_put();
	return ret;
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
