// SPDX-License-Identifier: GPL-2.0
/* The image side of a copy: struct fs over the library kernel's calls. */
#include <stddef.h>
#include <string.h>
#include <lkl.h>
#include <lkl/linux/fadvise.h>

#include "fsops.h"
#include "kernel_abi.h"

static long saved_root = -1;

long fs_image_enter(const char *mnt, const char *label)
{
	long ret;

	fs_image.label = label;
	saved_root = lkl_sys_open("/", LKL_O_RDONLY | LKL_O_DIRECTORY, 0);
	if (saved_root < 0)
		return saved_root;
	ret = lkl_sys_chroot(mnt);
	if (ret == 0)
		ret = lkl_sys_chdir("/");
	if (ret < 0) {
		lkl_sys_close(saved_root);
		saved_root = -1;
		return ret;
	}
	/* Modes are given exactly; the creating process's umask must not bite. */
	lkl_sys_umask(0);
	return 0;
}

/* Back to the kernel's own root, where img_close() unmounts. */
void fs_image_leave(void)
{
	if (saved_root < 0)
		return;
	lkl_sys_fchdir(saved_root);
	lkl_sys_chroot(".");
	lkl_sys_chdir("/");
	lkl_sys_close(saved_root);
	saved_root = -1;
}

static int img_dirfd(int dirfd)
{
	return dirfd == FS_CWD ? LKL_AT_FDCWD : dirfd;
}

static void from_stat(struct fs_stat *st, const struct lkl_stat *s)
{
	st->mode = s->st_mode;
	st->uid = s->st_uid;
	st->gid = s->st_gid;
	st->nlink = s->st_nlink;
	st->dev = s->st_dev;
	st->ino = s->st_ino;
	st->size = s->st_size;
	st->blocks = s->st_blocks;
	st->rdev_major = kabi_dev_major(s->st_rdev);
	st->rdev_minor = kabi_dev_minor(s->st_rdev);
	st->atime.tv_sec = s->lkl_st_atime;
	st->atime.tv_nsec = s->st_atime_nsec;
	st->mtime.tv_sec = s->lkl_st_mtime;
	st->mtime.tv_nsec = s->st_mtime_nsec;
}

static long img_stat_at(int dirfd, const char *name, struct fs_stat *st,
			int follow)
{
	struct lkl_stat s;
	long ret;

	ret = lkl_sys_newfstatat(img_dirfd(dirfd), name, &s,
				 follow ? 0 : LKL_AT_SYMLINK_NOFOLLOW);
	if (ret == 0)
		from_stat(st, &s);
	return ret;
}

static long img_fstat(int fd, struct fs_stat *st)
{
	struct lkl_stat s;
	long ret = lkl_sys_fstat(fd, &s);

	if (ret == 0)
		from_stat(st, &s);
	return ret;
}

static long img_open_at(int dirfd, const char *name, enum fs_open how,
			  unsigned int mode)
{
	int flags;

	switch (how) {
	case FS_OPEN_CREATE:
		flags = LKL_O_WRONLY | LKL_O_CREAT | LKL_O_EXCL | LKL_O_NOFOLLOW;
		break;
	case FS_OPEN_DIR:
		flags = LKL_O_RDONLY | LKL_O_DIRECTORY | LKL_O_NOATIME;
		break;
	case FS_OPEN_SUBDIR:
		flags = LKL_O_RDONLY | LKL_O_DIRECTORY | LKL_O_NOFOLLOW |
			LKL_O_NOATIME;
		break;
	default:
		flags = LKL_O_RDONLY | LKL_O_NOFOLLOW | LKL_O_NONBLOCK |
			LKL_O_NOATIME;
		break;
	}
	return lkl_sys_openat(img_dirfd(dirfd), name,
			      flags | LKL_O_LARGEFILE | LKL_O_CLOEXEC, mode);
}

static long img_close(int fd)
{
	return lkl_sys_close(fd);
}

static long img_getdents(int fd, void *buf, size_t len)
{
	return lkl_sys_getdents64(fd, buf, len);
}

/*
 * Small files each cost a wait for the disk when read one after another;
 * asking for several ahead lets their reads be in flight together.
 */
#define PREFETCH_BYTES	(256 << 10)

static long img_prefetch(int dirfd, const char *name)
{
	long fd;

	fd = lkl_sys_openat(img_dirfd(dirfd), name, LKL_O_RDONLY |
			    LKL_O_NOFOLLOW | LKL_O_NONBLOCK | LKL_O_NOATIME |
			    LKL_O_LARGEFILE | LKL_O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	lkl_sys_fadvise64(fd, 0, PREFETCH_BYTES, LKL_POSIX_FADV_WILLNEED);
	return lkl_sys_close(fd);
}

static long img_pread(int fd, void *buf, size_t len, int64_t off)
{
	return lkl_sys_pread64(fd, buf, len, off);
}

static long img_pwrite(int fd, const void *buf, size_t len, int64_t off)
{
	return lkl_sys_pwrite64(fd, buf, len, off);
}

static long img_seek(int fd, int64_t off, enum fs_seek whence)
{
	return lkl_sys_lseek(fd, off, whence == FS_SEEK_DATA ?
			     LKL_SEEK_DATA : LKL_SEEK_HOLE);
}

static long img_truncate(int fd, int64_t len)
{
	return lkl_sys_ftruncate(fd, len);
}

static long img_mkdir_at(int dirfd, const char *name, unsigned int mode)
{
	return lkl_sys_mkdirat(img_dirfd(dirfd), name, mode);
}

static long img_symlink_at(const char *target, int dirfd, const char *name)
{
	return lkl_sys_symlinkat(target, img_dirfd(dirfd), name);
}

static long img_readlink_at(int dirfd, const char *name, char *buf,
			      size_t len)
{
	return lkl_sys_readlinkat(img_dirfd(dirfd), name, buf, len);
}

static long img_link_at(const char *old, int dirfd, const char *name)
{
	return lkl_sys_linkat(LKL_AT_FDCWD, old, img_dirfd(dirfd), name, 0);
}

static long img_mknod_at(int dirfd, const char *name, unsigned int mode,
			   unsigned int maj, unsigned int min)
{
	return lkl_sys_mknodat(img_dirfd(dirfd), name, mode,
			       kabi_dev(maj, min));
}

static long img_unlink_at(int dirfd, const char *name, int is_dir)
{
	return lkl_sys_unlinkat(img_dirfd(dirfd), name,
				is_dir ? LKL_AT_REMOVEDIR : 0);
}

static long img_chown(int fd, int dirfd, const char *name, uint32_t uid,
			uint32_t gid)
{
	if (fd >= 0)
		return lkl_sys_fchown(fd, uid, gid);
	return lkl_sys_fchownat(img_dirfd(dirfd), name, uid, gid,
				LKL_AT_SYMLINK_NOFOLLOW);
}

static long img_chmod(int fd, int dirfd, const char *name, unsigned int mode)
{
	if (fd >= 0)
		return lkl_sys_fchmod(fd, mode);
	return lkl_sys_fchmodat(img_dirfd(dirfd), name, mode);
}

static long img_utimens(int fd, int dirfd, const char *name,
			  const struct timespec ts[2])
{
	struct __lkl__kernel_timespec kts[2] = {
		{ ts[0].tv_sec, ts[0].tv_nsec },
		{ ts[1].tv_sec, ts[1].tv_nsec },
	};

	if (fd >= 0)
		return lkl_sys_utimensat(fd, NULL, kts, 0);
	return lkl_sys_utimensat(img_dirfd(dirfd), name, kts,
				 LKL_AT_SYMLINK_NOFOLLOW);
}

static long img_listxattr(int fd, const char *path, char *buf, size_t len)
{
	if (fd >= 0)
		return lkl_sys_flistxattr(fd, buf, len);
	return lkl_sys_llistxattr(path, buf, len);
}

static long img_getxattr(int fd, const char *path, const char *name,
			   void *buf, size_t len)
{
	if (fd >= 0)
		return lkl_sys_fgetxattr(fd, name, buf, len);
	return lkl_sys_lgetxattr(path, name, buf, len);
}

static long img_setxattr(int fd, const char *path, const char *name,
			   const void *val, size_t len)
{
	if (fd >= 0)
		return lkl_sys_fsetxattr(fd, name, val, len, 0);
	return lkl_sys_lsetxattr(path, name, val, len, 0);
}

struct fs fs_image = {
	.label = "",
	.stat_at = img_stat_at,
	.open_at = img_open_at,
	.fstat = img_fstat,
	.close = img_close,
	.getdents = img_getdents,
	.prefetch = img_prefetch,
	.pread = img_pread,
	.pwrite = img_pwrite,
	.seek = img_seek,
	.truncate = img_truncate,
	.mkdir_at = img_mkdir_at,
	.symlink_at = img_symlink_at,
	.readlink_at = img_readlink_at,
	.link_at = img_link_at,
	.mknod_at = img_mknod_at,
	.unlink_at = img_unlink_at,
	.chown = img_chown,
	.chmod = img_chmod,
	.utimens = img_utimens,
	.listxattr = img_listxattr,
	.getxattr = img_getxattr,
	.setxattr = img_setxattr,
};
