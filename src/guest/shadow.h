/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared maps of image files.  The host kernel can only map host memory,
 * so each file mapped MAP_SHARED by a guest gets one host memfd (its
 * shadow), shared by every such map of the file in every guest process.
 * What the guest writes there goes back to the image file: on msync, on
 * fsync/fdatasync of the file, before the kernel reads or writes the file
 * (so read and write see the maps' data, and the maps see what write
 * did), when a guest process exits and when kbox ends.  A kbox killed
 * with SIGKILL loses what was never synced, as a crashed machine loses
 * dirty page cache.
 */
#ifndef KBOX_GUEST_SHADOW_H
#define KBOX_GUEST_SHADOW_H

#include <stdbool.h>

/*
 * The shadow of the file open at kernel fd kfd of the calling task (made
 * now if create, else -ENOENT when there is none): a memfd for the caller
 * to map and close, or -errno.
 */
int shadow_get(long kfd, bool create);

/* Whether any file has a shadow (the checks below cost nothing if not). */
bool shadow_any(void);

/* Write a shadow back if kfd (of the calling task) has one; sync: fdatasync. */
void shadow_flush_fd(long kfd, bool sync);
/* After the kernel changed kfd's file: its shadow takes the new content. */
void shadow_refresh_fd(long kfd);
/* Write every shadow back. */
void shadow_flush_all(bool sync);
/* At the end: write back, then drop every shadow. */
void shadow_end(void);

#endif
