/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hard links within one copy or archive: a file's identity (device, inode)
 * mapped to the path its first name was written to, so a later name
 * becomes a link to that path instead of a second copy.
 */
#ifndef KBOX_TOOLS_LINKMAP_H
#define KBOX_TOOLS_LINKMAP_H

#include <stddef.h>
#include <stdint.h>

struct linkmap_slot {
	uint64_t dev, ino;
	char *path;			/* NULL: the slot is free */
};

struct linkmap {
	struct linkmap_slot *slots;
	size_t cap, used;		/* cap is 0 or a power of two */
};

/* The destination path recorded for (dev, ino), or NULL. */
const char *linkmap_find(const struct linkmap *m, uint64_t dev, uint64_t ino);

/* Record a copy of path; 0, or -1 when out of memory. */
int linkmap_add(struct linkmap *m, uint64_t dev, uint64_t ino,
		const char *path);

void linkmap_free(struct linkmap *m);

#endif
