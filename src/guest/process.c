// SPDX-License-Identifier: GPL-2.0
/* The registry of guest processes and threads. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "process.h"

#define HASH_SIZE 1024

static pthread_mutex_t registry = PTHREAD_MUTEX_INITIALIZER;
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

/*
 * Processes seen lately, exited or not: a child that made its first call
 * and exited is still in its parent's list until reaped.
 */
#define SEEN_MAX 4096
static pid_t seen[SEEN_MAX];
static unsigned int seen_next;

static void mark_seen(pid_t pid)
{
	seen[seen_next++ % SEEN_MAX] = pid;
}

static bool was_seen(pid_t pid)
{
	unsigned int i;

	if (guest_thread_find(pid))
		return true;
	for (i = 0; i < SEEN_MAX; i++)
		if (seen[i] == pid)
			return true;
	return false;
}

static struct gthread *new_thread(pid_t tid, long ktid, struct gproc *p)
{
	struct gthread *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->tid = tid;
	t->ktid = ktid;
	t->proc = p;
	sem_init(&t->go, 0, 0);
	t->next_hash = by_tid[slot(tid)];
	by_tid[slot(tid)] = t;
	t->next_in_proc = p->threads;
	p->threads = t;
	p->nthreads++;
	return t;
}

static struct gproc *new_proc(pid_t pid, struct fdtab *fds)
{
	struct gproc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->pid = pid;
	p->fds = fds;
	mark_seen(pid);
	p->next = procs;
	procs = p;
	nprocs++;
	return p;
}

struct gthread *guest_add_initial(pid_t pid, long ktid, struct fdtab *fds)
{
	struct gthread *t = NULL;
	struct gproc *p;

	guest_lock();
	p = new_proc(pid, fds);
	if (p)
		t = new_thread(pid, ktid, p);
	guest_unlock();
	return t;
}

/* Tgid and PPid of tid from /proc. */
static int read_ids(pid_t tid, pid_t *tgid, pid_t *ppid)
{
	char path[64], line[256];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (found < 2 && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Tgid: %d", tgid) == 1)
			found++;
		else if (sscanf(line, "PPid: %d", ppid) == 1)
			found++;
	}
	fclose(f);
	return found == 2 ? 0 : -1;
}

static struct pending_clone *take_pending(struct gproc *p, bool thread, int index)
{
	struct pending_clone **pp, *c, **first = NULL;

	for (pp = &p->pending; (c = *pp); pp = &c->next) {
		if (c->thread != thread)
			continue;
		if (!first)
			first = pp;
		if (index-- == 0) {
			*pp = c->next;
			return c;
		}
	}
	if (!first)
		return NULL;
	c = *first;
	*first = c->next;
	return c;
}

static int cmp_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

/*
 * Which of the parent's not yet seen children child is, in fork order.
 * Children may make their first call in any order, but pids are handed
 * out in increasing order, and pending clones are queued in fork order:
 * the k-th lowest unseen child pid is the k-th pending clone.
 */
static int child_rank(pid_t parent, pid_t child)
{
	pid_t kids[256];
	char path[320];
	int n = 0, rank = 0, i;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)parent);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)) && n < 256) {
		FILE *f;
		int pid;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/children",
			 (int)parent, e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (n < 256 && fscanf(f, "%d", &pid) == 1)
			if (!was_seen(pid))
				kids[n++] = pid;
		fclose(f);
	}
	closedir(d);
	qsort(kids, n, sizeof(kids[0]), cmp_pid);
	for (i = 0; i < n; i++)
		if (kids[i] < child)
			rank++;
	return rank;
}

struct gthread *guest_adopt_new(pid_t tid)
{
	struct pending_clone *c = NULL;
	struct gthread *t = NULL;
	struct gproc *parent, *p;
	pid_t tgid, ppid;

	if (read_ids(tid, &tgid, &ppid))
		return NULL;
	guest_lock();
	t = guest_thread_find(tid);
	if (t)
		goto out;
	if (tgid != tid) {
		/* Sibling threads share everything: any pending thread will do. */
		p = guest_proc_find(tgid);
		if (p)
			c = take_pending(p, true, 0);
		if (c)
			t = new_thread(tid, c->ktid, p);
	} else {
		parent = guest_proc_find(ppid);
		if (parent)
			c = take_pending(parent, false, child_rank(ppid, tid));
		/* Reparented before its first call: any process's fork will do. */
		for (parent = procs; !c && parent; parent = parent->next)
			c = take_pending(parent, false, 0);
		if (c) {
			p = new_proc(tid, c->fds);
			c->fds = NULL;
			if (p)
				t = new_thread(tid, c->ktid, p);
		}
	}
	if (c) {
		if (c->fds)
			fdtab_put(c->fds);
		free(c);
	}
out:
	guest_unlock();
	return t;
}

int guest_add_pending(struct gthread *t, long ktid, bool thread, struct fdtab *fds)
{
	struct pending_clone *c = calloc(1, sizeof(*c)), **pp;

	if (!c)
		return -1;
	c->ktid = ktid;
	c->thread = thread;
	c->fds = fds;
	guest_lock();
	for (pp = &t->proc->pending; *pp; pp = &(*pp)->next)
		;
	*pp = c;
	guest_unlock();
	return 0;
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
	while (p->pending) {
		struct pending_clone *c = p->pending;

		p->pending = c->next;
		if (c->fds)
			fdtab_put(c->fds);
		free(c);
	}
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
