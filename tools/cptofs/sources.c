// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dirlist.h"
#include "sources.h"

static long add(struct strlist *l, const char *prefix, size_t plen,
		const char *name)
{
	char *s;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if (asprintf(&s, "%.*s%s", (int)plen, prefix, name) < 0)
		return -ENOMEM;
	l->v[l->n++] = s;
	return 0;
}

long sources_expand(const struct fs *fs, const char *arg,
		    struct strlist *list, void *buf, size_t len)
{
	const char *slash = strrchr(arg, '/'), *pat = slash ? slash + 1 : arg;
	struct fs_stat st;
	struct dirlist dl;
	size_t i, before = list->n;
	char *dir;
	long r, fd;

	r = fs->stat_at(FS_CWD, arg, &st, 0);
	if (r == 0)
		return add(list, "", 0, arg);
	if (r != -ENOENT || !*pat || !strpbrk(pat, "*?["))
		return r;

	if (!slash)
		dir = strdup(".");
	else if (slash == arg)
		dir = strdup("/");
	else
		dir = strndup(arg, slash - arg);
	if (!dir)
		return -ENOMEM;
	fd = fs->open_at(FS_CWD, dir, FS_OPEN_DIR, 0);
	free(dir);
	if (fd < 0)
		return r;
	dirlist_read(&dl, fs, fd, buf, len);
	fs->close(fd);
	for (i = 0; i < dl.n; i++) {
		const char *name = dirlist_name(&dl, i);

		if (fnmatch(pat, name, FNM_PERIOD) == 0 &&
		    add(list, arg, pat - arg, name) < 0) {
			dirlist_free(&dl);
			return -ENOMEM;
		}
	}
	dirlist_free(&dl);
	return list->n > before ? 0 : -ENOENT;
}

void strlist_free(struct strlist *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		free(list->v[i]);
	free(list->v);
	memset(list, 0, sizeof(*list));
}
