/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lklfuse: an image file mounted on the host through FUSE 3, its
 * filesystem served by the library kernel.
 *
 * The low-level libfuse API is used, with one O_PATH file per inode the
 * host kernel knows (inodes.c): every operation reaches its object through
 * that file and *at() system calls, never through a path rebuilt from
 * names.  A path-based (high-level) design would walk the whole path
 * inside the library kernel on every call, be limited to PATH_MAX for the
 * full path, and race with renames between the host's lookup and ours;
 * by inode, an open-but-unlinked file or a renamed directory keeps working
 * exactly as on a local filesystem.
 */
#ifndef KBOX_TOOLS_LKLFUSE_H
#define KBOX_TOOLS_LKLFUSE_H

#define FUSE_USE_VERSION FUSE_MAKE_VERSION(3, 14)

#include <fuse_lowlevel.h>
#include <stdint.h>
#include <sys/stat.h>

#include <lkl.h>

#include "kernel_abi.h"

/* An inode the host kernel holds (it counts our lookups, then forgets). */
struct lf_inode {
	long fd;		/* O_PATH|O_NOFOLLOW file in the kernel */
	uint64_t ino;		/* the filesystem's inode number */
	uint64_t nlookup;	/* lookups the host has not forgotten */
	struct lf_inode *next;	/* hash chain */
};

/* The mounted filesystem, shared by every worker thread. */
struct lklfuse {
	struct lf_inode root;
	int default_permissions;	/* the host checks permissions */
	double timeout;			/* entry and attribute cache, seconds */
	struct fuse_session *se;
};

extern struct lklfuse lf;
extern const struct fuse_lowlevel_ops lf_ops;

/*
 * ops.c: after the session, close every kernel file still open (the host
 * sends releases asynchronously, so some may be left) so that the
 * filesystem can be unmounted.
 */
void ops_release_all(void);

/* inodes.c */
int inodes_init(const char *mnt);
/* The inode behind a FUSE node id. */
struct lf_inode *inode_of(fuse_ino_t ino);
fuse_ino_t inode_nodeid(struct lf_inode *inode);
/*
 * Look name up in parent and count one lookup; fills e (node id,
 * attributes, timeouts).  0 or -errno.
 */
int inode_lookup(struct lf_inode *parent, const char *name,
		 struct fuse_entry_param *e);
void inode_forget(fuse_ino_t ino, uint64_t nlookup);
/* Forget every inode (their files are closed by ops_release_all). */
void inodes_release_all(void);
/* "/proc/self/fd/N": reopens the inode, or reaches it with path calls. */
void inode_proc_path(const struct lf_inode *inode, char *buf, size_t len);
#define PROC_PATH_MAX 48

/* convert.c: between the host's and the library kernel's types. */
int open_flags_to_lkl(int flags);

/* creds.c */
/*
 * Run the calling worker's kernel task with the request's uid and gid as
 * its filesystem ids, so what it creates belongs to the caller; it keeps
 * every capability (the host has checked the permissions).
 */
void creds_enter(fuse_req_t req);
/* Back to root. */
void creds_leave(void);

#endif
