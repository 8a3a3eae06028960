// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dirlist.h"

/* getdents64's record, the same on the host and in the library kernel. */
struct dirent64_rec {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int add(struct dirlist *dl, const char *name, unsigned char type)
{
	size_t len = strlen(name) + 1;

	if (dl->n == dl->ncap) {
		size_t ncap = dl->ncap ? dl->ncap * 2 : 64;
		struct dirlist_entry *e = realloc(dl->e, ncap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		dl->e = e;
		dl->ncap = ncap;
	}
	if (dl->len + len > dl->cap) {
		size_t cap = dl->cap ? dl->cap * 2 : 4096;
		char *names;

		while (cap < dl->len + len)
			cap *= 2;
		names = realloc(dl->names, cap);
		if (!names)
			return -ENOMEM;
		dl->names = names;
		dl->cap = cap;
	}
	memcpy(dl->names + dl->len, name, len);
	dl->e[dl->n].off = dl->len;
	dl->e[dl->n].type = type;
	dl->n++;
	dl->len += len;
	return 0;
}

static int by_name(const void *a, const void *b, void *names)
{
	return strcmp((const char *)names + ((const struct dirlist_entry *)a)->off,
		      (const char *)names + ((const struct dirlist_entry *)b)->off);
}

long dirlist_read(struct dirlist *dl, const struct fs *fs, int fd,
		  void *buf, size_t len)
{
	long n, pos, ret;

	memset(dl, 0, sizeof(*dl));
	while ((n = fs->getdents(fd, buf, len)) > 0) {
		for (pos = 0; pos < n;) {
			struct dirent64_rec *d = (void *)((char *)buf + pos);

			pos += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			ret = add(dl, d->d_name, d->d_type);
			if (ret < 0)
				return ret;
		}
	}
	if (dl->n)
		qsort_r(dl->e, dl->n, sizeof(*dl->e), by_name, dl->names);
	return n < 0 ? n : 0;
}

void dirlist_free(struct dirlist *dl)
{
	free(dl->names);
	free(dl->e);
	memset(dl, 0, sizeof(*dl));
}
