/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interface over the two sides of a copy: the host's filesystem (libc
 * system calls) and the image (the library kernel's system calls).  The
 * copy engine only talks to a struct fs, so cptofs and cpfromfs are the
 * same code with the two sides swapped.
 *
 * Every operation returns >= 0 on success or a negative errno; the values
 * are Linux errnos on both sides, so strerror() names them all.
 * Descriptors are the side's own: a host fd or a kernel fd.
 */
#ifndef KBOX_CPTOFS_FSOPS_H
#define KBOX_CPTOFS_FSOPS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* The file's metadata as both sides report it. */
struct fs_stat {
	uint32_t mode;			/* type and permission bits */
	uint32_t uid, gid;
	uint64_t nlink;
	uint64_t dev, ino;		/* identity, for hard links */
	int64_t size;
	int64_t blocks;			/* 512-byte units allocated */
	unsigned int rdev_major, rdev_minor;
	struct timespec atime, mtime;
};

enum fs_open {
	FS_OPEN_READ,			/* a regular file, for reading */
	FS_OPEN_DIR,			/* a directory, for listing and *at */
	FS_OPEN_SUBDIR,			/* the same, never through a symlink */
	FS_OPEN_CREATE,			/* a new regular file (O_EXCL) */
};

enum fs_seek { FS_SEEK_DATA, FS_SEEK_HOLE };

/* The directory a path given on the command line is relative to. */
#define FS_CWD	(-100)

struct fs {
	/* Prefix for the paths in messages: "" or "IMAGE:". */
	const char *label;

	/* follow: 0 acts on a symlink itself (lstat), 1 follows it. */
	long (*stat_at)(int dirfd, const char *name, struct fs_stat *st,
			int follow);
	long (*open_at)(int dirfd, const char *name, enum fs_open how,
			unsigned int mode);
	long (*fstat)(int fd, struct fs_stat *st);
	long (*close)(int fd);
	/* Raw linux_dirent64 records, as getdents64(2). */
	long (*getdents)(int fd, void *buf, size_t len);

	/*
	 * Start reading the beginning of regular file dirfd/name into the
	 * cache without waiting; NULL where it would not pay.
	 */
	long (*prefetch)(int dirfd, const char *name);

	long (*pread)(int fd, void *buf, size_t len, int64_t off);
	long (*pwrite)(int fd, const void *buf, size_t len, int64_t off);
	long (*seek)(int fd, int64_t off, enum fs_seek whence);
	long (*truncate)(int fd, int64_t len);

	long (*mkdir_at)(int dirfd, const char *name, unsigned int mode);
	long (*symlink_at)(const char *target, int dirfd, const char *name);
	long (*readlink_at)(int dirfd, const char *name, char *buf,
			    size_t len);
	/* A new name in dirfd for the file at path old. */
	long (*link_at)(const char *old, int dirfd, const char *name);
	long (*mknod_at)(int dirfd, const char *name, unsigned int mode,
			 unsigned int major, unsigned int minor);
	long (*unlink_at)(int dirfd, const char *name, int is_dir);

	/*
	 * Metadata: on the open file fd when fd >= 0, else on dirfd/name
	 * without following a symlink.
	 */
	long (*chown)(int fd, int dirfd, const char *name, uint32_t uid,
		      uint32_t gid);
	long (*chmod)(int fd, int dirfd, const char *name, unsigned int mode);
	long (*utimens)(int fd, int dirfd, const char *name,
			const struct timespec ts[2]);

	/* Extended attributes: on fd when fd >= 0, else on path (lxattr). */
	long (*listxattr)(int fd, const char *path, char *buf, size_t len);
	long (*getxattr)(int fd, const char *path, const char *name,
			 void *buf, size_t len);
	long (*setxattr)(int fd, const char *path, const char *name,
			 const void *val, size_t len);
};

extern struct fs fs_host;
extern struct fs fs_image;	/* label set by fs_image_enter() */

/*
 * The image side works inside a chroot at the mount point, so image paths
 * are plain absolute paths and absolute symlinks in the image resolve
 * inside it.  fs_image_enter() also clears the kernel umask.
 */
long fs_image_enter(const char *mnt, const char *label);
void fs_image_leave(void);

#endif
