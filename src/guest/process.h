/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's processes and threads, each mirrored by a task of the
 * library kernel.
 *
 * Every guest thread has a kernel task (its fd table, cwd, root, umask and
 * credentials live there) and a host worker thread of kbox bound to that
 * task, which serves the guest thread's system calls one at a time.  A
 * clone is mirrored when the parent asks for it: the parent's task is
 * cloned with the matching sharing flags and the new task waits, pending,
 * until the child's first system call shows its tid.
 */
#ifndef KBOX_GUEST_PROCESS_H
#define KBOX_GUEST_PROCESS_H

#include <linux/seccomp.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "fdtable.h"

/*
 * A fork waiting for its child's first call.  Which child it made is
 * learnt from the forking thread's children (/proc/P/task/T/children):
 * the one not there before the fork, known for sure at that thread's next
 * fork or at its exit, and until then the only new one.
 */
/*
 * The guest's signal handlers all run with SA_RESTART on the host, as kbox
 * installs them: a signal that comes while a call waits for kbox to pick
 * it up must restart the call, not fail it with EINTR (close, open or
 * fork never fail so on Linux).  Which handlers the guest itself asked
 * SA_RESTART for is kept here, for kbox to answer EINTR or restart when a
 * signal interrupts a call it serves.
 */
struct sigtab {
	uint64_t restart_asked;		/* bit sig-1: the guest set SA_RESTART */
	uint64_t forced;		/* bit: the handler now has kbox's SA_RESTART */
	uint64_t leaked;		/* bit: the guest read such an action back */
	uint64_t handler[64];		/* the forced handlers */
	uint64_t leaked_handler[64];	/* and those read back */
};

struct pending_clone {
	long ktid;		/* the kernel task made for the child */
	bool thread;		/* CLONE_THREAD: joins the parent's process */
	struct fdtab *fds;	/* the child's host-fd map (shared or copied) */
	pid_t parent_tid;	/* the thread that forked */
	pid_t child;		/* the child's pid, 0 while not known */
	bool numbered;		/* the kernel task has the child's pid (or cannot) */
	bool claimed;		/* a worker is numbering it: wait to adopt it */
	pid_t *before;		/* parent_tid's children before the fork */
	int nbefore;
	struct sigtab sig;	/* the parent's, at the fork */
	struct pending_clone *next;
};

struct gproc {
	pid_t pid;		/* host tgid */
	long ktgid;		/* its kernel task group's (the pid kernel objects record) */
	struct fdtab *fds;
	int nthreads;
	bool exiting;
	struct sigtab sig;
	struct pending_clone *pending;	/* oldest first */
	char script_comm[16];	/* the #! trampoline runs: its script's name */
	struct gthread *threads;
	struct gproc *next;
};

struct gthread {
	pid_t tid;		/* host tid */
	long ktid;		/* kernel task */
	struct gproc *proc;
	pthread_t worker;
	sem_t go;
	struct seccomp_notif req;	/* the call being served */
	struct seccomp_notif queued;	/* one that came while it was busy */
	bool has_queued;
	bool busy;		/* the worker is serving req */
	uint64_t busy_since;	/* monotonic ns */
	bool interrupted;	/* the kernel task was told to give up */
	uint64_t interrupted_at;	/* monotonic ns, when it was last told */
	int wake_fd;		/* a host wait's eventfd, written when told (-1: none) */
	bool die;		/* the worker ends after the current call */
	/*
	 * A vfork child's exec pointed an argv slot of the memory it shares
	 * with its parent elsewhere and wrote over the path string that slot
	 * held (dispatch/exec.c): put back at its next call.
	 */
	pid_t argv_owner;	/* the parent, 0: nothing to put back */
	uint64_t argv_slot, argv_value;
	uint64_t path_addr;
	char *path_saved;	/* the bytes the name covered, path_len of them */
	size_t path_len;
	struct gthread *next_in_proc;
	struct gthread *next_hash;
};

/* The registry lock: taken for lookups and changes, never across calls. */
void guest_lock(void);
void guest_unlock(void);

/* With the lock held. */
struct gthread *guest_thread_find(pid_t tid);
struct gproc *guest_proc_find(pid_t pid);

/*
 * Register a process whose first thread is to run as kernel task ktid
 * (the initial guest process).  Returns its thread, or NULL.
 */
struct gthread *guest_add_initial(pid_t pid, long ktid, struct fdtab *fds);

/*
 * A tid the registry does not know made a call: find the clone its parent
 * prepared and register it.  NULL if there is none (a process kbox did not
 * start).  Takes the lock.
 */
struct gthread *guest_adopt_new(pid_t tid);

/* Record a clone made by the parent thread t (lock not held). */
int guest_add_pending(struct gthread *t, long ktid, bool thread, struct fdtab *fds);

/*
 * Before serving a call of t: the children of t's earlier forks are made
 * by now, and their kernel tasks take their host pids, so the guest's
 * /proc shows a child as soon as its parent can know its pid (not only
 * from the child's first call on).  Lock not held; nothing to do is cheap.
 */
void guest_number_children(struct gthread *t);

/* t's process is ending: learn the children of its threads' last forks (lock held). */
void guest_resolve_pending(struct gthread *t);

/* End the kernel tasks of the forks no child ever came for. */
void guest_discard_orphans(void);

/* Unlink t from the registry (lock held); the caller frees it. */
void guest_remove_thread(struct gthread *t);
/* Give t the tid tid (exec from a non-leader thread); lock held. */
void guest_rekey_thread(struct gthread *t, pid_t tid);

/*
 * The host pid of the guest process whose kernel tasks have tgid ktgid,
 * and back (the kernel records its own pids in socket credentials; the
 * guest knows the host's).  0 when it is no guest process; lock not held.
 */
pid_t guest_pid_of_ktgid(long ktgid);
long guest_ktgid_of_pid(pid_t pid);

/* How many guest processes are registered. */
int guest_nprocs(void);

/* Calls back fn for every thread (lock held during the walk). */
void guest_for_each_thread(void (*fn)(struct gthread *t, void *arg), void *arg);

#endif
