// SPDX-License-Identifier: GPL-2.0
/* The host side of a copy: struct fs over libc's system calls. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fsops.h"

#define RET(expr)	((expr) < 0 ? -(long)errno : 0)

static int host_dirfd(int dirfd)
{
	return dirfd == FS_CWD ? AT_FDCWD : dirfd;
}

static void from_stat(struct fs_stat *st, const struct stat *s)
{
	st->mode = s->st_mode;
	st->uid = s->st_uid;
	st->gid = s->st_gid;
	st->nlink = s->st_nlink;
	st->dev = s->st_dev;
	st->ino = s->st_ino;
	st->size = s->st_size;
	st->blocks = s->st_blocks;
	st->rdev_major = major(s->st_rdev);
	st->rdev_minor = minor(s->st_rdev);
	st->atime = s->st_atim;
	st->mtime = s->st_mtim;
}

static long host_stat_at(int dirfd, const char *name, struct fs_stat *st,
			 int follow)
{
	struct stat s;

	if (fstatat(host_dirfd(dirfd), name, &s,
		    follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	from_stat(st, &s);
	return 0;
}

static long host_fstat(int fd, struct fs_stat *st)
{
	struct stat s;

	if (fstat(fd, &s) < 0)
		return -errno;
	from_stat(st, &s);
	return 0;
}

static long host_open_at(int dirfd, const char *name, enum fs_open how,
			 unsigned int mode)
{
	int flags, fd;

	switch (how) {
	case FS_OPEN_CREATE:
		flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
		break;
	case FS_OPEN_DIR:
		flags = O_RDONLY | O_DIRECTORY;
		break;
	case FS_OPEN_SUBDIR:
		flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW;
		break;
	default:
		flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK;
		break;
	}
	flags |= O_CLOEXEC;
	/* Reading a source must not change its atime, which we copy. */
	if (how != FS_OPEN_CREATE) {
		fd = openat(host_dirfd(dirfd), name, flags | O_NOATIME, mode);
		if (fd >= 0 || errno != EPERM)
			return fd < 0 ? -errno : fd;
	}
	fd = openat(host_dirfd(dirfd), name, flags, mode);
	return fd < 0 ? -errno : fd;
}

static long host_close(int fd)
{
	return RET(close(fd));
}

static long host_getdents(int fd, void *buf, size_t len)
{
	ssize_t n = getdents64(fd, buf, len);

	return n < 0 ? -errno : n;
}

static long host_pread(int fd, void *buf, size_t len, int64_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	return n < 0 ? -errno : n;
}

static long host_pwrite(int fd, const void *buf, size_t len, int64_t off)
{
	ssize_t n = pwrite(fd, buf, len, off);

	return n < 0 ? -errno : n;
}

static long host_seek(int fd, int64_t off, enum fs_seek whence)
{
	off_t r = lseek(fd, off, whence == FS_SEEK_DATA ? SEEK_DATA : SEEK_HOLE);

	return r < 0 ? -errno : r;
}

static long host_truncate(int fd, int64_t len)
{
	return RET(ftruncate(fd, len));
}

static long host_mkdir_at(int dirfd, const char *name, unsigned int mode)
{
	return RET(mkdirat(host_dirfd(dirfd), name, mode));
}

static long host_symlink_at(const char *target, int dirfd, const char *name)
{
	return RET(symlinkat(target, host_dirfd(dirfd), name));
}

static long host_readlink_at(int dirfd, const char *name, char *buf,
			     size_t len)
{
	ssize_t n = readlinkat(host_dirfd(dirfd), name, buf, len);

	return n < 0 ? -errno : n;
}

static long host_link_at(const char *old, int dirfd, const char *name)
{
	return RET(linkat(AT_FDCWD, old, host_dirfd(dirfd), name, 0));
}

static long host_mknod_at(int dirfd, const char *name, unsigned int mode,
			  unsigned int maj, unsigned int min)
{
	return RET(mknodat(host_dirfd(dirfd), name, mode, makedev(maj, min)));
}

static long host_unlink_at(int dirfd, const char *name, int is_dir)
{
	return RET(unlinkat(host_dirfd(dirfd), name, is_dir ? AT_REMOVEDIR : 0));
}

static long host_chown(int fd, int dirfd, const char *name, uint32_t uid,
		       uint32_t gid)
{
	if (fd >= 0)
		return RET(fchown(fd, uid, gid));
	return RET(fchownat(host_dirfd(dirfd), name, uid, gid,
			    AT_SYMLINK_NOFOLLOW));
}

static long host_chmod(int fd, int dirfd, const char *name, unsigned int mode)
{
	if (fd >= 0)
		return RET(fchmod(fd, mode));
	/* Never called on a symlink, so following is harmless. */
	return RET(fchmodat(host_dirfd(dirfd), name, mode, 0));
}

static long host_utimens(int fd, int dirfd, const char *name,
			 const struct timespec ts[2])
{
	if (fd >= 0)
		return RET(futimens(fd, ts));
	return RET(utimensat(host_dirfd(dirfd), name, ts, AT_SYMLINK_NOFOLLOW));
}

static long host_listxattr(int fd, const char *path, char *buf, size_t len)
{
	ssize_t n = fd >= 0 ? flistxattr(fd, buf, len) : llistxattr(path, buf, len);

	return n < 0 ? -errno : n;
}

static long host_getxattr(int fd, const char *path, const char *name,
			  void *buf, size_t len)
{
	ssize_t n = fd >= 0 ? fgetxattr(fd, name, buf, len) :
			      lgetxattr(path, name, buf, len);

	return n < 0 ? -errno : n;
}

static long host_setxattr(int fd, const char *path, const char *name,
			  const void *val, size_t len)
{
	if (fd >= 0)
		return RET(fsetxattr(fd, name, val, len, 0));
	return RET(lsetxattr(path, name, val, len, 0));
}

struct fs fs_host = {
	.label = "",
	.stat_at = host_stat_at,
	.open_at = host_open_at,
	.fstat = host_fstat,
	.close = host_close,
	.getdents = host_getdents,
	.pread = host_pread,
	.pwrite = host_pwrite,
	.seek = host_seek,
	.truncate = host_truncate,
	.mkdir_at = host_mkdir_at,
	.symlink_at = host_symlink_at,
	.readlink_at = host_readlink_at,
	.link_at = host_link_at,
	.mknod_at = host_mknod_at,
	.unlink_at = host_unlink_at,
	.chown = host_chown,
	.chmod = host_chmod,
	.utimens = host_utimens,
	.listxattr = host_listxattr,
	.getxattr = host_getxattr,
	.setxattr = host_setxattr,
};
