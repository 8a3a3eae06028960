// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include <lkl.h>

#include "owners.h"

/* A passwd or group file larger than this is not one. */
#define TABLE_MAX_BYTES	(4 << 20)

/* The whole file, NUL-terminated, or NULL. */
static char *read_image_file(long rootfd, const char *path)
{
	struct lkl_open_how how = {
		.flags = LKL_O_RDONLY | LKL_O_CLOEXEC,
		.resolve = LKL_RESOLVE_IN_ROOT,
	};
	size_t len = 0, cap = 8192;
	char *buf = malloc(cap + 1);
	long fd, n;

	if (!buf)
		return NULL;
	fd = lkl_sys_openat2(rootfd, path, &how, sizeof(how));
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			char *bigger;

			if (cap >= TABLE_MAX_BYTES)
				break;
			bigger = realloc(buf, cap * 2 + 1);
			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		n = lkl_sys_read(fd, buf + len, cap - len);
		if (n <= 0)
			break;
		len += n;
	}
	lkl_sys_close(fd);
	buf[len] = '\0';
	return buf;
}

static int by_id(const void *a, const void *b)
{
	const struct id_name *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* name:password:id:... lines; anything else is skipped. */
static void parse_table(struct id_names *t, char *text)
{
	char *line, *next, *name, *pw, *id, *end;
	size_t cap = 0;
	unsigned int lineno = 0;
	unsigned long v;

	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		name = line;
		pw = strchr(name, ':');
		if (!pw || pw == name)
			continue;
		*pw++ = '\0';
		id = strchr(pw, ':');
		if (!id)
			continue;
		id++;
		v = strtoul(id, &end, 10);
		if (end == id || *end != ':' || v > 0xffffffffUL)
			continue;
		if (t->n == cap) {
			struct id_name *bigger;

			cap = cap ? cap * 2 : 32;
			bigger = realloc(t->v, cap * sizeof(*bigger));
			if (!bigger)
				break;
			t->v = bigger;
		}
		t->v[t->n].id = (unsigned int)v;
		t->v[t->n].line = lineno;
		t->v[t->n].name = strdup(name);
		if (t->v[t->n].name)
			t->n++;
	}
	if (t->n)
		qsort(t->v, t->n, sizeof(*t->v), by_id);
}

void owners_load(struct owners *o, long rootfd)
{
	char *text;

	memset(o, 0, sizeof(*o));
	text = read_image_file(rootfd, "/etc/passwd");
	if (text) {
		parse_table(&o->users, text);
		free(text);
	}
	text = read_image_file(rootfd, "/etc/group");
	if (text) {
		parse_table(&o->groups, text);
		free(text);
	}
}

static void free_table(struct id_names *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].name);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

void owners_free(struct owners *o)
{
	free_table(&o->users);
	free_table(&o->groups);
}

const char *owners_name(const struct id_names *t, unsigned int id)
{
	size_t lo = 0, hi = t->n, mid;

	/* The first entry with this id: the one getpwuid would return. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->v[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && t->v[lo].id == id ? t->v[lo].name : NULL;
}

int owners_id(const struct id_names *t, const char *name, unsigned int *id)
{
	const struct id_name *best = NULL;
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].name, name) &&
		    (!best || t->v[i].line < best->line))
			best = &t->v[i];
	if (!best)
		return -1;
	*id = best->id;
	return 0;
}
