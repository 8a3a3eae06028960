/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A host directory served to the library kernel as a FUSE file system
 * (what -b binds into the guest).  The kernel walks the guest's paths, so
 * `..`, mount crossings and symbolic links are resolved in the guest's
 * tree; this side only ever opens one name at a time below a directory it
 * already holds, never following a link: nothing outside the directory is
 * reachable.  One thread serves the file system (fuse_session_loop).
 */
#ifndef KBOX_BINDS_HOSTDIR_H
#define KBOX_BINDS_HOSTDIR_H

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
#include <stdbool.h>

struct hostdir;

/* Serve the directory open at dirfd (taken over); NULL when out of memory. */
struct hostdir *hostdir_new(int dirfd, bool readonly);
void hostdir_free(struct hostdir *hd);

/* The operations; the session's userdata is the struct hostdir. */
extern const struct fuse_lowlevel_ops hostdir_ops;

#endif
