// SPDX-License-Identifier: GPL-2.0
/* The host-fd map of a guest fd table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fdtable.h"

struct fdtab *fdtab_new(void)
{
	struct fdtab *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	t->refs = 1;
	return t;
}

struct fdtab *fdtab_copy(struct fdtab *src)
{
	struct fdtab *t = fdtab_new();

	if (!t)
		return NULL;
	pthread_mutex_lock(&src->lock);
	if (src->cap) {
		t->kind = malloc(src->cap);
		if (t->kind) {
			memcpy(t->kind, src->kind, src->cap);
			t->cap = src->cap;
		}
	}
	pthread_mutex_unlock(&src->lock);
	if (src->cap && !t->kind) {
		fdtab_put(t);
		return NULL;
	}
	return t;
}

struct fdtab *fdtab_get(struct fdtab *t)
{
	__atomic_add_fetch(&t->refs, 1, __ATOMIC_RELAXED);
	return t;
}

void fdtab_put(struct fdtab *t)
{
	if (!t || __atomic_sub_fetch(&t->refs, 1, __ATOMIC_ACQ_REL))
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->kind);
	free(t);
}

int fdtab_kind(struct fdtab *t, long fd)
{
	int kind = FDT_KERNEL;

	if (fd < 0)
		return FDT_KERNEL;
	pthread_mutex_lock(&t->lock);
	if (fd < t->cap)
		kind = t->kind[fd];
	pthread_mutex_unlock(&t->lock);
	return kind;
}

int fdtab_set(struct fdtab *t, long fd, int kind)
{
	int ret = 0;

	if (fd < 0 || fd > (1 << 24))
		return -EBADF;
	pthread_mutex_lock(&t->lock);
	if (fd >= t->cap && kind != FDT_KERNEL) {
		int cap = t->cap ? t->cap : 64;
		unsigned char *k;

		while (cap <= fd)
			cap *= 2;
		k = realloc(t->kind, cap);
		if (!k) {
			ret = -ENOMEM;
			goto out;
		}
		memset(k + t->cap, FDT_KERNEL, cap - t->cap);
		t->kind = k;
		t->cap = cap;
	}
	if (fd < t->cap)
		t->kind[fd] = (unsigned char)kind;
out:
	pthread_mutex_unlock(&t->lock);
	return ret;
}

long fdtab_next_host(struct fdtab *t, long from)
{
	long fd;

	pthread_mutex_lock(&t->lock);
	for (fd = from < 0 ? 0 : from; fd < t->cap && t->kind[fd] == FDT_KERNEL; fd++)
		;
	if (fd >= t->cap)
		fd = -1;
	pthread_mutex_unlock(&t->lock);
	return fd;
}

void fdtab_exec(struct fdtab *t)
{
	int i;

	pthread_mutex_lock(&t->lock);
	for (i = 0; i < t->cap; i++)
		if (t->kind[i] == FDT_HOST_CLOEXEC)
			t->kind[i] = FDT_KERNEL;
	pthread_mutex_unlock(&t->lock);
}

void fdtab_clear_range(struct fdtab *t, long first, long last)
{
	long i;

	pthread_mutex_lock(&t->lock);
	for (i = first < 0 ? 0 : first; i <= last && i < t->cap; i++)
		t->kind[i] = FDT_KERNEL;
	pthread_mutex_unlock(&t->lock);
}
