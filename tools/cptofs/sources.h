/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The source operands: each names an entry, or, when no entry has that
 * name, its last component is a pattern matched against the entries of
 * its directory (fnmatch(3): *, ?, [...]; a leading dot only matches a
 * leading dot, as in the shell).  The same on the host and in the image,
 * so a pattern the shell did not expand, or could not because it names
 * files in the image, still works.
 */
#ifndef KBOX_CPTOFS_SOURCES_H
#define KBOX_CPTOFS_SOURCES_H

#include <stddef.h>

#include "fsops.h"

struct strlist {
	char **v;
	size_t n, cap;
};

/*
 * Append what arg names on fs to list, sorted.  0, or a negative errno
 * (-ENOENT: nothing has that name or matches that pattern).  buf (len
 * bytes) is scratch space for listing a directory.
 */
long sources_expand(const struct fs *fs, const char *arg,
		    struct strlist *list, void *buf, size_t len);

void strlist_free(struct strlist *list);

#endif
