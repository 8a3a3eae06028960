// SPDX-License-Identifier: GPL-2.0
/* The registry of guest processes and threads. */
#include <stdlib.h>

#include <lkl.h>

#include "process.h"
#include "procfs.h"

#define HASH_SIZE 1024

static pthread_mutex_t registry = PTHREAD_MUTEX_INITIALIZER;
/* Signalled when a pending clone is no longer claimed. */
static pthread_cond_t unclaimed = PTHREAD_COND_INITIALIZER;
static struct gthread *by_tid[HASH_SIZE];
static struct gproc *procs;
static int nprocs;

void guest_lock(void)
{
	pthread_mutex_lock(&registry);
}

void guest_unlock(void)
{
	pthread_mutex_unlock(&registry);
}

static unsigned int slot(pid_t tid)
{
	return (unsigned int)tid % HASH_SIZE;
}

struct gthread *guest_thread_find(pid_t tid)
{
	struct gthread *t;

	for (t = by_tid[slot(tid)]; t; t = t->next_hash)
		if (t->tid == tid)
			return t;
	return NULL;
}

struct gproc *guest_proc_find(pid_t pid)
{
	struct gproc *p;

	for (p = procs; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

static struct gthread *new_thread(pid_t tid, long ktid, struct gproc *p)
{
	struct gthread *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->tid = tid;
	t->ktid = ktid;
	t->proc = p;
	t->wake_fd = -1;
	sem_init(&t->go, 0, 0);
	t->next_hash = by_tid[slot(tid)];
	by_tid[slot(tid)] = t;
	t->next_in_proc = p->threads;
	p->threads = t;
	p->nthreads++;
	return t;
}

/* ktid: the first thread's kernel task, whose tid is the group's tgid. */
static struct gproc *new_proc(pid_t pid, long ktid, struct fdtab *fds)
{
	struct gproc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	p->ktgid = ktid;
	p->fds = fds;
	p->next = procs;
	procs = p;
	nprocs++;
	return p;
}

pid_t guest_pid_of_ktgid(long ktgid)
{
	struct gproc *p;
	pid_t pid = 0;

	guest_lock();
	for (p = procs; p && !pid; p = p->next)
		if (p->ktgid == ktgid)
			pid = p->pid;
	guest_unlock();
	return pid;
}

long guest_ktgid_of_pid(pid_t pid)
{
	struct gproc *p;
	long ktgid = 0;

	guest_lock();
	p = guest_proc_find(pid);
	if (p)
		ktgid = p->ktgid;
	guest_unlock();
	return ktgid;
}

struct gthread *guest_add_initial(pid_t pid, long ktid, struct fdtab *fds)
{
	struct gthread *t = NULL;
	struct gproc *p;

	guest_lock();
	p = new_proc(pid, ktid, fds);
	if (p)
		t = new_thread(pid, ktid, p);
	guest_unlock();
	return t;
}

static bool listed(const pid_t *set, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (set[i] == pid)
			return true;
	return false;
}

/* A thread that ends the kernel task no guest thread came for. */
static void *end_task(void *arg)
{
	if (lkl_task_adopt((long)arg) >= 0)
		lkl_sys_exit(0);
	return NULL;
}

static void discard(struct pending_clone *c)
{
	pthread_t th;

	if (!pthread_create(&th, NULL, end_task, (void *)c->ktid))
		pthread_join(th, NULL);
	if (c->fds)
		fdtab_put(c->fds);
	free(c->before);
	free(c);
}

/* Clones whose process went before their child came (lock held). */
static struct pending_clone *orphans;

static void unlink_pending(struct pending_clone **list, struct pending_clone *c)
{
	struct pending_clone **pp;

	for (pp = list; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			return;
		}
	}
}

/* Drop the clones of list whose (known) child died before its first call. */
static void prune(struct pending_clone **list)
{
	struct pending_clone *c, *next;

	for (c = *list; c; c = next) {
		next = c->next;
		if (c->child && !c->claimed && procfs_gone(c->child)) {
			unlink_pending(list, c);
			discard(c);
		}
	}
}

/*
 * The child of c's fork, from the children its thread has now: the one
 * that is new since the fork.  None: the fork failed, c is dropped.
 */
static void learn_child(struct pending_clone **list, struct pending_clone *c,
			const pid_t *now, int n)
{
	pid_t found = 0;
	int i, news = 0;

	for (i = 0; i < n; i++) {
		if (!listed(c->before, c->nbefore, now[i])) {
			found = now[i];
			news++;
		}
	}
	if (news == 1) {
		c->child = found;
	} else if (news == 0) {
		unlink_pending(list, c);
		discard(c);
	}
}

/* The newest clone of thread tid whose child is not known yet. */
static struct pending_clone *unresolved(struct pending_clone *list, pid_t tid)
{
	struct pending_clone *c, *last = NULL;

	for (c = list; c; c = c->next)
		if (!c->thread && !c->child && c->parent_tid == tid)
			last = c;
	return last;
}

/* The clone that made child: known by its pid, or new since the fork. */
static struct pending_clone *match(struct pending_clone *list, pid_t ppid, pid_t child)
{
	struct pending_clone *c;
	pid_t *kids;
	int n;
	bool mine;

	for (c = list; c; c = c->next)
		if (!c->thread && c->child == child)
			return c;
	for (c = list; c; c = c->next) {
		if (c->thread || c->child || listed(c->before, c->nbefore, child))
			continue;
		n = ppid > 0 ? procfs_children(ppid, c->parent_tid, &kids) : -1;
		mine = n < 0 || listed(kids, n, child);
		free(kids);
		if (mine)
			return c;
	}
	return NULL;
}

/* A pending thread clone named for tid (0: for none; -1: any). */
static struct pending_clone *pending_thread(struct pending_clone *list, pid_t tid)
{
	struct pending_clone *c;

	for (c = list; c; c = c->next)
		if (c->thread && (tid < 0 || c->child == tid))
			return c;
	return NULL;
}

struct gthread *guest_adopt_new(pid_t tid)
{
	struct pending_clone *c = NULL, **list = NULL;
	struct gthread *t = NULL;
	struct gproc *parent, *p;
	pid_t tgid, ppid;

	if (procfs_ids(tid, &tgid, &ppid))
		return NULL;
	guest_lock();
again:
	t = guest_thread_find(tid);
	if (t)
		goto out;
	if (tgid != tid) {
		/*
		 * Its own clone if the thread that made it named it (the task
		 * has its number); else, as siblings share everything, one
		 * named for nobody, or any.
		 */
		p = guest_proc_find(tgid);
		c = p ? pending_thread(p->pending, tid) : NULL;
		if (!c && p)
			c = pending_thread(p->pending, 0);
		if (!c && p)
			c = pending_thread(p->pending, -1);
		if (c && c->claimed) {
			pthread_cond_wait(&unclaimed, &registry);
			c = NULL;
			goto again;
		}
		if (c) {
			unlink_pending(&p->pending, c);
			t = new_thread(tid, c->ktid, p);
		}
	} else {
		parent = guest_proc_find(ppid);
		if (parent && (c = match(parent->pending, ppid, tid)))
			list = &parent->pending;
		/* Its parent went first (it is kbox's child now). */
		if (!c && (c = match(orphans, 0, tid)))
			list = &orphans;
		for (parent = procs; !c && parent; parent = parent->next)
			if ((c = match(parent->pending, parent->pid, tid)))
				list = &parent->pending;
		if (c && c->claimed) {
			/* Its parent is numbering it; the lists may change meanwhile. */
			pthread_cond_wait(&unclaimed, &registry);
			c = NULL;
			list = NULL;
			goto again;
		}
		if (c) {
			unlink_pending(list, c);
			p = new_proc(tid, c->ktid, c->fds);
			c->fds = NULL;
			if (p) {
				p->sig = c->sig;
				t = new_thread(tid, c->ktid, p);
			}
		}
	}
	if (c) {
		if (c->fds)
			fdtab_put(c->fds);
		free(c->before);
		free(c);
	}
out:
	guest_unlock();
	return t;
}

int guest_add_pending(struct gthread *t, long ktid, bool thread, struct fdtab *fds)
{
	struct pending_clone *c = calloc(1, sizeof(*c)), **pp, *prev;
	struct gproc *p = t->proc;

	if (!c)
		return -1;
	c->ktid = ktid;
	c->thread = thread;
	c->fds = fds;
	c->parent_tid = t->tid;
	if (!thread)
		c->nbefore = procfs_children(p->pid, t->tid, &c->before);
	guest_lock();
	c->sig = p->sig;
	/* This thread's previous fork is over: its child is among these. */
	prev = thread ? NULL : unresolved(p->pending, t->tid);
	if (prev && c->nbefore >= 0)
		learn_child(&p->pending, prev, c->before, c->nbefore);
	prune(&p->pending);
	for (pp = &p->pending; *pp; pp = &(*pp)->next)
		;
	*pp = c;
	guest_unlock();
	return 0;
}

/* A thread of p that no worker serves and no clone is named for (lock held). */
static pid_t unnamed_thread(struct gproc *p)
{
	struct pending_clone *c;
	pid_t *tids, found = 0;
	int i, n = procfs_threads(p->pid, &tids);

	for (i = 0; i < n && !found; i++) {
		if (guest_thread_find(tids[i]))
			continue;
		for (c = p->pending; c; c = c->next)
			if (c->thread && c->child == tids[i])
				break;
		if (!c)
			found = tids[i];
	}
	free(tids);
	return found;
}

void guest_number_children(struct gthread *t)
{
	struct gproc *p = t->proc;
	struct pending_clone *c;
	pid_t *kids = NULL, child;
	long own, ktid;
	int n;

	guest_lock();
	/* The thread makes a call: its last fork has returned. */
	c = unresolved(p->pending, t->tid);
	if (c) {
		n = procfs_children(p->pid, t->tid, &kids);
		if (n >= 0)
			learn_child(&p->pending, c, kids, n);
		free(kids);
	}
	/* Its last thread clone has returned too: the new thread is listed. */
	for (c = p->pending; c; c = c->next) {
		if (!c->thread || c->child || c->numbered || c->parent_tid != t->tid)
			continue;
		c->child = unnamed_thread(p);
		/* None: the clone failed, or its thread came first. */
		if (!c->child)
			c->numbered = true;
	}
	for (c = p->pending; c; c = c->next)
		if (c->child && !c->numbered && !c->claimed && c->parent_tid == t->tid)
			break;
	if (!c) {
		guest_unlock();
		return;
	}
	/* Claimed, c stays where it is and as it is until this thread is done. */
	c->claimed = true;
	own = t->ktid;
	ktid = c->ktid;
	child = c->child;
	guest_unlock();

	/* This thread runs as the child's task for a moment to number it. */
	ktid = lkl_task_adopt(ktid) < 0 ? -1 : lkl_task_renumber(child);
	lkl_task_adopt(own);

	guest_lock();
	if (ktid > 0)
		c->ktid = ktid;
	c->numbered = true;
	c->claimed = false;
	pthread_cond_broadcast(&unclaimed);
	guest_unlock();
}

void guest_resolve_pending(struct gthread *t)
{
	struct pending_clone *c;
	struct gproc *p = t->proc;
	struct gthread *o;
	pid_t *kids;
	int n;

	for (o = p->threads; o; o = o->next_in_proc) {
		c = unresolved(p->pending, o->tid);
		if (!c)
			continue;
		n = procfs_children(p->pid, o->tid, &kids);
		if (n >= 0)
			learn_child(&p->pending, c, kids, n);
		free(kids);
	}
}

void guest_discard_orphans(void)
{
	struct pending_clone *c;

	guest_lock();
	while ((c = orphans)) {
		orphans = c->next;
		discard(c);
	}
	guest_unlock();
}

static void unhash(struct gthread *t)
{
	struct gthread **pp;

	for (pp = &by_tid[slot(t->tid)]; *pp; pp = &(*pp)->next_hash) {
		if (*pp == t) {
			*pp = t->next_hash;
			break;
		}
	}
}

void guest_remove_thread(struct gthread *t)
{
	struct gproc *p = t->proc, **pp;
	struct gthread **tp;

	unhash(t);
	for (tp = &p->threads; *tp; tp = &(*tp)->next_in_proc) {
		if (*tp == t) {
			*tp = t->next_in_proc;
			break;
		}
	}
	if (--p->nthreads)
		return;
	/* The last thread: the process is gone. */
	for (pp = &procs; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	nprocs--;
	/* Children not seen yet may still come: keep their clones. */
	while (p->pending) {
		struct pending_clone *c = p->pending;

		p->pending = c->next;
		if (c->thread) {
			discard(c);
		} else {
			c->next = orphans;
			orphans = c;
		}
	}
	prune(&orphans);
	fdtab_put(p->fds);
	free(p);
}

void guest_rekey_thread(struct gthread *t, pid_t tid)
{
	unhash(t);
	t->tid = tid;
	t->next_hash = by_tid[slot(tid)];
	by_tid[slot(tid)] = t;
}

int guest_nprocs(void)
{
	int n;

	guest_lock();
	n = nprocs;
	guest_unlock();
	return n;
}

void guest_for_each_thread(void (*fn)(struct gthread *t, void *arg), void *arg)
{
	struct gthread *t, *next;
	int i;

	guest_lock();
	for (i = 0; i < HASH_SIZE; i++) {
		for (t = by_tid[i]; t; t = next) {
			next = t->next_hash;
			fn(t, arg);
		}
	}
	guest_unlock();
}
