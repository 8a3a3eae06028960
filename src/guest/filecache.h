/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Host copies of image files, for what only the host kernel can do with a
 * file: execute it and map it.  Each copy is a sealed memfd (the guest
 * cannot change a shared copy), kept and reused while the file's identity
 * and change time stay the same.
 */
#ifndef KBOX_GUEST_FILECACHE_H
#define KBOX_GUEST_FILECACHE_H

#include <stddef.h>

/*
 * A sealed memfd with the content of kernel fd kfd (a regular file), or
 * -errno; the caller closes it (the cache keeps its own).
 * patch/patch_off, when patch is not NULL, overwrite bytes of the copy
 * (and make it a different cache entry).
 */
int filecache_get(long kfd, const void *patch, size_t patch_len, long patch_off);
/* A sealed memfd holding len bytes of data (not cached); the caller closes it. */
int filecache_memfd(const void *data, size_t len);
/* A private, unsealed copy (for shared writable maps); the caller closes it. */
int filecache_copy(long kfd);

#endif
