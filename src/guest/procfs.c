// SPDX-License-Identifier: GPL-2.0
/* Reading the host's /proc (see procfs.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"

/* The fields of /proc/pid/stat after the comm (which may hold ") "). */
static int read_stat(pid_t pid, char *state, pid_t *ppid, pid_t *pgrp)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;
	int pp, pg;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d %d", state, &pp, &pg) != 3)
		return -EINVAL;
	*ppid = pp;
	*pgrp = pg;
	return 0;
}

int procfs_parent(pid_t pid, pid_t *ppid, pid_t *pgrp)
{
	char state;

	return read_stat(pid, &state, ppid, pgrp);
}

bool procfs_gone(pid_t pid)
{
	pid_t ppid, pgrp;
	char state;

	if (read_stat(pid, &state, &ppid, &pgrp) < 0)
		return true;
	return state == 'Z' || state == 'X';
}

int procfs_ids(pid_t tid, pid_t *tgid, pid_t *ppid)
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

int procfs_children(pid_t pid, pid_t tid, pid_t **out)
{
	char path[64];
	pid_t *kids = NULL, *grown;
	int n = 0, cap = 0, kid;
	FILE *f;

	*out = NULL;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fscanf(f, "%d", &kid) == 1) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(kids, cap * sizeof(*kids));
			if (!grown)
				break;
			kids = grown;
		}
		kids[n++] = kid;
	}
	fclose(f);
	*out = kids;
	return n;
}

int procfs_threads(pid_t pid, pid_t **out)
{
	char path[64];
	pid_t *tids = NULL, *grown;
	int n = 0, cap = 0;
	struct dirent *e;
	DIR *d;

	*out = NULL;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(tids, cap * sizeof(*tids));
			if (!grown)
				break;
			tids = grown;
		}
		tids[n++] = atoi(e->d_name);
	}
	closedir(d);
	*out = tids;
	return n;
}

/* The signal sets of thread tid's status; 0 or -1. */
static int read_signals(pid_t tgid, pid_t tid, unsigned long long *pnd,
			unsigned long long *blk, unsigned long long *cgt)
{
	unsigned long long shd = 0;
	char path[64], line[128];
	FILE *f;

	*pnd = *blk = *cgt = 0;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)tgid, (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "SigPnd: %llx", pnd) == 1 ||
		    sscanf(line, "ShdPnd: %llx", &shd) == 1 ||
		    sscanf(line, "SigBlk: %llx", blk) == 1)
			continue;
		if (sscanf(line, "SigCgt: %llx", cgt) == 1)
			break;
	}
	fclose(f);
	*pnd |= shd;
	return 0;
}

uint64_t procfs_signals(pid_t tgid, pid_t tid, uint64_t *caught)
{
	unsigned long long pnd, blk, cgt;

	read_signals(tgid, tid, &pnd, &blk, &cgt);
	*caught = pnd & ~blk & cgt;
	return pnd & ~blk;
}

uint64_t procfs_pending(pid_t tgid, pid_t tid)
{
	unsigned long long pnd, blk, cgt;

	read_signals(tgid, tid, &pnd, &blk, &cgt);
	return pnd;
}

int procfs_signalfd_mask(int fd, uint64_t *mask)
{
	unsigned long long m;
	char path[64], line[128];
	int found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "sigmask: %llx", &m) == 1) {
			*mask = m;
			found = 0;
		}
	fclose(f);
	return found;
}
