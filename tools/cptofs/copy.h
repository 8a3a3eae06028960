/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The copy engine: "cp -a" from one struct fs to another.  Trees are
 * copied depth first; every entry keeps its type, mode, owner, extended
 * attributes (ACLs included) and nanosecond atime and mtime, a directory's
 * times being set once its contents are written; symlinks are copied, not
 * followed; files with several names inside one copy stay one inode; holes
 * in sparse files stay holes.
 *
 * Errors name the file and are counted (status), and the copy goes on
 * with the next file, except after an error that leaves nothing to hope
 * for (no space, read-only or failing destination), which stops it.
 * Metadata the destination cannot hold (owners on vfat, for example) is
 * not an error: it is counted per kind and summed up in one warning each.
 */
#ifndef KBOX_CPTOFS_COPY_H
#define KBOX_CPTOFS_COPY_H

#include <stddef.h>

#include "fsops.h"
#include "linkmap.h"

enum loss {
	LOSS_OWNER,
	LOSS_MODE,
	LOSS_XATTR,
	LOSS_TIMES,
	LOSS_LINKS,
	LOSS_KINDS
};

struct loss_count {
	unsigned long files;
	char *first;			/* the first file, in messages' form */
	long err;
};

struct copy {
	struct fs *src, *dst;
	int status;			/* 1 once an error was reported */
	int stop;			/* the destination is full or failing */
	char *buf;			/* file data and directory listings */
	size_t buflen;
	char *xattr_names, *xattr_value;
	char *link_target;
	struct linkmap links;
	struct loss_count losses[LOSS_KINDS];
};

int copy_init(struct copy *c, struct fs *src, struct fs *dst);
void copy_fini(struct copy *c);

/*
 * Copy the entry at spath (not followed if it is a symlink) to name in the
 * destination directory dirfd, whose full path for messages and links is
 * dpath.  name "." copies a directory's contents into dirfd itself.
 */
void copy_entry(struct copy *c, int sdirfd, const char *sname,
		const char *spath, int ddirfd, const char *dname,
		const char *dpath);

/* One warning line for each kind of metadata that was not preserved. */
void copy_report_losses(const struct copy *c);

/* "label" + path, as every message names a file. */
void copy_error(struct copy *c, const struct fs *fs, const char *path,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
