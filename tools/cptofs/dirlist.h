/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names in a directory, read in one go through struct fs and sorted,
 * so a copy is deterministic and the directory fd is free for *at calls.
 */
#ifndef KBOX_CPTOFS_DIRLIST_H
#define KBOX_CPTOFS_DIRLIST_H

#include <stddef.h>

#include "fsops.h"

struct dirlist_entry {
	size_t off;			/* where the name starts in names */
	unsigned char type;		/* DT_REG, DT_DIR, ... or DT_UNKNOWN */
};

struct dirlist {
	char *names;			/* NUL-terminated names, end to end */
	size_t len, cap;
	struct dirlist_entry *e;
	size_t n, ncap;
};

/*
 * Read every entry of the open directory fd but "." and "..", using buf
 * (len bytes) for getdents.  0, or a negative errno (the list then holds
 * what was read).
 */
long dirlist_read(struct dirlist *dl, const struct fs *fs, int fd,
		  void *buf, size_t len);

static inline const char *dirlist_name(const struct dirlist *dl, size_t i)
{
	return dl->names + dl->e[i].off;
}

void dirlist_free(struct dirlist *dl);

#endif
