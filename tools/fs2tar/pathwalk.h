/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Paths inside the image, resolved so that nothing reaches outside the
 * target: member names are cleaned lexically, and every directory on the
 * way is opened with O_NOFOLLOW, so a symlink already in the image (or made
 * by an earlier member) is never followed while creating a path.
 */
#ifndef KBOX_FS2TAR_PATHWALK_H
#define KBOX_FS2TAR_PATHWALK_H

#include <stddef.h>

/*
 * Open directory path of the image whose root is rootfd, with symlinks
 * resolved as if that root were "/" (so an absolute link stays inside the
 * image).  A kernel fd, or -errno.
 */
long image_open_dir(long rootfd, const char *path);

/*
 * Open directory name of at, not following a symlink: -ELOOP when it is
 * one (the kernel says -ENOTDIR for that and for other non-directories).
 */
long open_dir_nofollow(long at, const char *name);

enum member_check {
	MEMBER_OK,
	MEMBER_ABSOLUTE,	/* leading '/' dropped: still usable */
	MEMBER_DOTDOT,		/* has a ".." component: refuse */
};

/*
 * The member name as a clean relative path (components joined by single
 * slashes, no "." or empty ones; "" for the root) in a malloc'd *out.
 * *out is NULL for MEMBER_DOTDOT (or when out of memory).
 */
enum member_check member_clean(const char *name, char **out);

/*
 * Open the directory holding the last component of rel (clean, not "")
 * below base, making missing directories (mode 0755) when create.  Returns
 * a kernel fd the caller closes, or -errno: -ELOOP when a component is a
 * symlink, -ENOTDIR when it is another non-directory.  *leaf points into
 * rel at the last component; on failure *bad_len is the length of the
 * prefix of rel that names the component that failed.
 */
long walk_to_parent(long base, const char *rel, int create,
		    const char **leaf, size_t *bad_len);

#endif
