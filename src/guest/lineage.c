// SPDX-License-Identifier: GPL-2.0
/* Telling guest processes from host ones (see lineage.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "lineage.h"
#include "procfs.h"

/* Deeper process trees than this are not followed. */
#define MAX_DEPTH 4096

static pid_t self;

int lineage_init(void)
{
	char link[32];
	ssize_t n;

	self = getpid();
	/*
	 * Every pid kbox reads from /proc must be one of its own namespace:
	 * a /proc of another (unshare -p without --mount-proc) would have
	 * kbox judge, and signal, the wrong processes.
	 */
	n = readlink("/proc/self", link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	if (strtol(link, NULL, 10) != self)
		return -EXDEV;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

bool lineage_is_guest(pid_t pid)
{
	pid_t ppid, pgrp;
	int depth;

	if (pid <= 1 || pid == self || procfs_ids(pid, &pid, &ppid) < 0)
		return false;
	if (pid <= 1 || pid == self)
		return false;
	for (depth = 0; depth < MAX_DEPTH; depth++) {
		if (procfs_parent(pid, &ppid, &pgrp) < 0 || ppid <= 1)
			return false;
		if (ppid == self)
			return true;
		pid = ppid;
	}
	return false;
}

pid_t lineage_pgrp(pid_t pid)
{
	pid_t ppid, pgrp;
	int ret = procfs_parent(pid, &ppid, &pgrp);

	return ret < 0 ? ret : pgrp;
}

struct entry {
	pid_t pid, ppid, pgrp;
	int guest;	/* -1: not known yet */
};

static int cmp_pid(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static struct entry *find(struct entry *e, size_t n, pid_t pid)
{
	struct entry key = { .pid = pid };

	return bsearch(&key, e, n, sizeof(*e), cmp_pid);
}

/* Whether e descends from kbox, memoized along the way. */
static int descends(struct entry *all, size_t n, struct entry *e)
{
	struct entry *chain[1024];
	int depth = 0, verdict = 0, i;

	while (e && e->guest < 0 && depth < 1024) {
		chain[depth++] = e;
		if (e->ppid == self) {
			verdict = 1;
			e = NULL;
			break;
		}
		e = e->ppid > 1 ? find(all, n, e->ppid) : NULL;
	}
	if (e && e->guest >= 0)
		verdict = e->guest;
	for (i = 0; i < depth; i++)
		chain[i]->guest = verdict;
	return verdict;
}

int lineage_for_each(pid_t only_pgrp, int (*fn)(pid_t pid, pid_t pgrp, void *arg),
		     void *arg, int *outsiders)
{
	struct entry *all = NULL, *grown;
	size_t n = 0, cap = 0, i;
	struct dirent *d;
	DIR *dir = opendir("/proc");
	int ret = 0;

	if (outsiders)
		*outsiders = 0;
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		pid_t pid, ppid, pgrp;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		pid = atoi(d->d_name);
		if (procfs_parent(pid, &ppid, &pgrp) < 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			grown = realloc(all, cap * sizeof(*all));
			if (!grown) {
				ret = -ENOMEM;
				goto out;
			}
			all = grown;
		}
		all[n++] = (struct entry){ pid, ppid, pgrp, pid == self ? 0 : -1 };
	}
	if (n)	/* none readable (out of fds): all is NULL */
		qsort(all, n, sizeof(*all), cmp_pid);
	for (i = 0; i < n && !ret; i++) {
		if (only_pgrp > 0 && all[i].pgrp != only_pgrp)
			continue;
		if (!descends(all, n, &all[i])) {
			if (outsiders)
				++*outsiders;
			continue;
		}
		ret = fn(all[i].pid, all[i].pgrp, arg);
	}
out:
	closedir(dir);
	free(all);
	return ret;
}
