// SPDX-License-Identifier: GPL-2.0
/*
 * The FUSE operations of a bound host directory.  Each inode the kernel
 * knows is a node holding an O_PATH fd of the host file, found again by
 * (device, inode) so hard links share one node.  Names are opened
 * relative to their directory's fd with O_NOFOLLOW; files are reopened
 * through /proc/self/fd, which names the very inode, not a path.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "hostdir.h"

/* How long the kernel may trust a name or attributes: host files can change. */
#define CACHE_SECONDS 1.0

struct node {
	struct node *next;	/* in its hash bucket */
	dev_t dev;
	ino_t ino;
	int fd;			/* O_PATH */
	uint64_t nlookup;	/* the kernel's references */
};

struct hostdir {
	struct node root;
	struct node **buckets;
	size_t nbuckets, count;
	bool readonly;
};

/* An open directory: the stream and the offset the kernel last got. */
struct dir_handle {
	DIR *dir;
	off_t offset;
	struct dirent *entry;	/* read but not yet given to the kernel */
};

static struct hostdir *hd_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static struct node *node_of(fuse_req_t req, fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? &hd_of(req)->root : (struct node *)(uintptr_t)ino;
}

static int fd_of(fuse_req_t req, fuse_ino_t ino)
{
	return node_of(req, ino)->fd;
}

/* The file itself, for calls that take a path: no name is resolved. */
static void proc_path(char *buf, size_t len, int fd)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

static size_t bucket(const struct hostdir *hd, dev_t dev, ino_t ino)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ULL) ^ dev) % hd->nbuckets;
}

static int grow(struct hostdir *hd)
{
	size_t n = hd->nbuckets * 2, i;
	struct node **b = calloc(n, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (i = 0; i < hd->nbuckets; i++) {
		struct node *e = hd->buckets[i], *next;

		for (; e; e = next) {
			size_t k = (size_t)((e->ino * 0x9e3779b97f4a7c15ULL) ^ e->dev) % n;

			next = e->next;
			e->next = b[k];
			b[k] = e;
		}
	}
	free(hd->buckets);
	hd->buckets = b;
	hd->nbuckets = n;
	return 0;
}

struct hostdir *hostdir_new(int dirfd, bool readonly)
{
	struct hostdir *hd = calloc(1, sizeof(*hd));
	struct stat st;

	if (!hd || fstat(dirfd, &st) < 0)
		goto fail;
	hd->nbuckets = 256;
	hd->buckets = calloc(hd->nbuckets, sizeof(*hd->buckets));
	if (!hd->buckets)
		goto fail;
	hd->root.fd = dirfd;
	hd->root.dev = st.st_dev;
	hd->root.ino = st.st_ino;
	hd->root.nlookup = 1;
	hd->readonly = readonly;
	return hd;
fail:
	free(hd);
	close(dirfd);
	return NULL;
}

void hostdir_free(struct hostdir *hd)
{
	size_t i;

	if (!hd)
		return;
	for (i = 0; i < hd->nbuckets; i++) {
		struct node *e = hd->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			close(e->fd);
			free(e);
		}
	}
	free(hd->buckets);
	close(hd->root.fd);
	free(hd);
}

static int stat_fd(int fd, struct stat *st)
{
	return fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

/*
 * Look name up below parent and count one more kernel reference to it.
 * The root itself can come back (a bind of a directory holding a link to
 * itself cannot, but "." never reaches us): it is matched like any node.
 */
static int do_lookup(fuse_req_t req, fuse_ino_t parent, const char *name,
		     struct fuse_entry_param *e)
{
	struct hostdir *hd = hd_of(req);
	struct node *n;
	size_t k;
	int fd, err;

	memset(e, 0, sizeof(*e));
	e->attr_timeout = CACHE_SECONDS;
	e->entry_timeout = CACHE_SECONDS;
	fd = openat(fd_of(req, parent), name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = stat_fd(fd, &e->attr);
	if (err) {
		close(fd);
		return err;
	}
	if (e->attr.st_dev == hd->root.dev && e->attr.st_ino == hd->root.ino) {
		close(fd);
		hd->root.nlookup++;
		e->ino = FUSE_ROOT_ID;
		return 0;
	}
	k = bucket(hd, e->attr.st_dev, e->attr.st_ino);
	for (n = hd->buckets[k]; n; n = n->next)
		if (n->dev == e->attr.st_dev && n->ino == e->attr.st_ino)
			break;
	if (n) {
		close(fd);
	} else {
		if (hd->count >= hd->nbuckets * 2 && grow(hd) == 0)
			k = bucket(hd, e->attr.st_dev, e->attr.st_ino);
		n = calloc(1, sizeof(*n));
		if (!n) {
			close(fd);
			return -ENOMEM;
		}
		n->fd = fd;
		n->dev = e->attr.st_dev;
		n->ino = e->attr.st_ino;
		n->next = hd->buckets[k];
		hd->buckets[k] = n;
		hd->count++;
	}
	n->nlookup++;
	e->ino = (fuse_ino_t)(uintptr_t)n;
	return 0;
}

static void forget_one(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct hostdir *hd = hd_of(req);
	struct node *n = node_of(req, ino), **p;

	if (nlookup > n->nlookup)
		nlookup = n->nlookup;
	n->nlookup -= nlookup;
	if (n->nlookup || n == &hd->root)
		return;
	for (p = &hd->buckets[bucket(hd, n->dev, n->ino)]; *p; p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			break;
		}
	}
	hd->count--;
	close(n->fd);
	free(n);
}

static void op_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* The device is the library kernel's fd, not a host one: no splice. */
	conn->want &= ~(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE);
	/* Writes go to the host file as they come: nothing to lose on a kill. */
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
}

static void op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	int err = do_lookup(req, parent, name, &e);

	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_entry(req, &e);
}

static void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	forget_one(req, ino, nlookup);
	fuse_reply_none(req);
}

static void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *f)
{
	size_t i;

	for (i = 0; i < count; i++)
		forget_one(req, f[i].ino, f[i].nlookup);
	fuse_reply_none(req);
}

static void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;
	int err = stat_fd(fd_of(req, ino), &st);

	(void)fi;
	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_attr(req, &st, CACHE_SECONDS);
}

/* 0, or EROFS when the bind is read-only (the mount says so too). */
static int refuse_write(fuse_req_t req)
{
	if (!hd_of(req)->readonly)
		return 0;
	fuse_reply_err(req, EROFS);
	return 1;
}

static int set_times(int fd, const struct fuse_file_info *fi, const struct stat *attr,
		     int to_set)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };
	char path[64];

	if (to_set & FUSE_SET_ATTR_ATIME_NOW)
		ts[0].tv_nsec = UTIME_NOW;
	else if (to_set & FUSE_SET_ATTR_ATIME)
		ts[0] = attr->st_atim;
	if (to_set & FUSE_SET_ATTR_MTIME_NOW)
		ts[1].tv_nsec = UTIME_NOW;
	else if (to_set & FUSE_SET_ATTR_MTIME)
		ts[1] = attr->st_mtim;
	if (fi)
		return futimens((int)fi->fh, ts) < 0 ? -errno : 0;
	proc_path(path, sizeof(path), fd);
	return utimensat(AT_FDCWD, path, ts, 0) < 0 ? -errno : 0;
}

static void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	int fd = fd_of(req, ino), err = 0;
	char path[64];
	struct stat st;

	if (refuse_write(req))
		return;
	proc_path(path, sizeof(path), fd);
	if (to_set & FUSE_SET_ATTR_MODE) {
		if ((fi ? fchmod((int)fi->fh, attr->st_mode) : chmod(path, attr->st_mode)) < 0)
			err = -errno;
	}
	if (!err && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
		uid_t uid = to_set & FUSE_SET_ATTR_UID ? attr->st_uid : (uid_t)-1;
		gid_t gid = to_set & FUSE_SET_ATTR_GID ? attr->st_gid : (gid_t)-1;

		if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			err = -errno;
	}
	if (!err && (to_set & FUSE_SET_ATTR_SIZE)) {
		if ((fi ? ftruncate((int)fi->fh, attr->st_size) : truncate(path, attr->st_size)) < 0)
			err = -errno;
	}
	if (!err && (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
			       FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW)))
		err = set_times(fd, fi, attr, to_set);
	if (!err)
		err = stat_fd(fd, &st);
	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_attr(req, &st, CACHE_SECONDS);
}

static void op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char buf[PATH_MAX + 1];
	ssize_t n = readlinkat(fd_of(req, ino), "", buf, sizeof(buf));

	if (n < 0)
		fuse_reply_err(req, errno);
	else if (n >= (ssize_t)sizeof(buf))
		fuse_reply_err(req, ENAMETOOLONG);
	else {
		buf[n] = '\0';
		fuse_reply_readlink(req, buf);
	}
}

/* After a call that made parent/name: its entry, or the call's error. */
static void reply_made(fuse_req_t req, int ret, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	int err = ret < 0 ? -errno : do_lookup(req, parent, name, &e);

	if (err)
		fuse_reply_err(req, -err);
	else
		fuse_reply_entry(req, &e);
}

static void op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		     dev_t rdev)
{
	if (!refuse_write(req))
		reply_made(req, mknodat(fd_of(req, parent), name, mode, rdev), parent, name);
}

static void op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	if (!refuse_write(req))
		reply_made(req, mkdirat(fd_of(req, parent), name, mode), parent, name);
}

static void op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name)
{
	if (!refuse_write(req))
		reply_made(req, symlinkat(link, fd_of(req, parent), name), parent, name);
}

static void op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t parent, const char *name)
{
	char path[64];

	if (refuse_write(req))
		return;
	proc_path(path, sizeof(path), fd_of(req, ino));
	reply_made(req, linkat(AT_FDCWD, path, fd_of(req, parent), name, AT_SYMLINK_FOLLOW),
		   parent, name);
}

static void reply_status(fuse_req_t req, int ret)
{
	fuse_reply_err(req, ret < 0 ? errno : 0);
}

static void op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	if (!refuse_write(req))
		reply_status(req, unlinkat(fd_of(req, parent), name, 0));
}

static void op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	if (!refuse_write(req))
		reply_status(req, unlinkat(fd_of(req, parent), name, AT_REMOVEDIR));
}

static void op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	if (!refuse_write(req))
		reply_status(req, renameat2(fd_of(req, parent), name, fd_of(req, newparent),
					    newname, flags));
}

/* Flags for reopening a node: what the guest asked, minus what names a path. */
static int reopen_flags(int flags)
{
	return (flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_NOFOLLOW)) | O_CLOEXEC;
}

static void op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	char path[64];
	int fd;

	if ((fi->flags & O_ACCMODE) != O_RDONLY && refuse_write(req))
		return;
	proc_path(path, sizeof(path), fd_of(req, ino));
	fd = open(path, reopen_flags(fi->flags));
	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	fi->fh = (uint64_t)fd;
	if (fuse_reply_open(req, fi))
		close(fd);
}

static void op_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct fuse_entry_param e;
	int fd, err;

	if (refuse_write(req))
		return;
	fd = openat(fd_of(req, parent), name,
		    (fi->flags & ~O_NOCTTY) | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	err = do_lookup(req, parent, name, &e);
	if (err) {
		close(fd);
		fuse_reply_err(req, -err);
		return;
	}
	fi->fh = (uint64_t)fd;
	if (fuse_reply_create(req, &e, fi)) {
		close(fd);
		forget_one(req, e.ino, 1);
	}
}

static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);

	(void)ino;
	buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	buf.buf[0].fd = (int)fi->fh;
	buf.buf[0].pos = off;
	fuse_reply_data(req, &buf, FUSE_BUF_NO_SPLICE);
}

static void op_write(fuse_req_t req, fuse_ino_t ino, const char *data, size_t size,
		     off_t off, struct fuse_file_info *fi)
{
	ssize_t n;

	(void)ino;
	if (refuse_write(req))
		return;
	n = pwrite((int)fi->fh, data, size, off);
	if (n < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_write(req, (size_t)n);
}

static void op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	/* Locks are the library kernel's own; the host file has none to drop. */
	fuse_reply_err(req, 0);
}

static void op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	close((int)fi->fh);
	fuse_reply_err(req, 0);
}

static void op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi)
{
	(void)ino;
	reply_status(req, datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh));
}

static void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dir_handle *d = calloc(1, sizeof(*d));
	int fd;

	if (!d) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fd = openat(fd_of(req, ino), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d->dir = fd < 0 ? NULL : fdopendir(fd);
	if (!d->dir) {
		fuse_reply_err(req, errno);
		if (fd >= 0)
			close(fd);
		free(d);
		return;
	}
	fi->fh = (uint64_t)(uintptr_t)d;
	if (fuse_reply_open(req, fi)) {
		closedir(d->dir);
		free(d);
	}
}

static void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct dir_handle *d = (struct dir_handle *)(uintptr_t)fi->fh;
	char *buf = malloc(size);
	size_t used = 0;

	(void)ino;
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (off != d->offset) {
		seekdir(d->dir, off);
		d->entry = NULL;
		d->offset = off;
	}
	for (;;) {
		struct stat st;
		size_t len;

		if (!d->entry) {
			errno = 0;
			d->entry = readdir(d->dir);
			if (!d->entry) {
				if (errno && !used) {
					free(buf);
					fuse_reply_err(req, errno);
					return;
				}
				break;
			}
		}
		memset(&st, 0, sizeof(st));
		st.st_ino = d->entry->d_ino;
		st.st_mode = (mode_t)d->entry->d_type << 12;
		len = fuse_add_direntry(req, buf + used, size - used, d->entry->d_name, &st,
					d->entry->d_off);
		if (len > size - used)
			break;	/* kept for the next call */
		used += len;
		d->offset = d->entry->d_off;
		d->entry = NULL;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dir_handle *d = (struct dir_handle *)(uintptr_t)fi->fh;

	(void)ino;
	closedir(d->dir);
	free(d);
	fuse_reply_err(req, 0);
}

static void op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
			struct fuse_file_info *fi)
{
	struct dir_handle *d = (struct dir_handle *)(uintptr_t)fi->fh;
	int fd = dirfd(d->dir);

	(void)ino;
	reply_status(req, datasync ? fdatasync(fd) : fsync(fd));
}

static void op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;

	if (fstatvfs(fd_of(req, ino), &sv) < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_statfs(req, &sv);
}

static void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			const char *value, size_t size, int flags)
{
	char path[64];

	if (refuse_write(req))
		return;
	proc_path(path, sizeof(path), fd_of(req, ino));
	reply_status(req, setxattr(path, name, value, size, flags));
}

/* getxattr and listxattr: the size asked for, or the value. */
static void reply_xattr(fuse_req_t req, size_t size, ssize_t (*get)(const char *path,
			const char *name, char *buf, size_t len), fuse_ino_t ino, const char *name)
{
	char path[64], *buf = NULL;
	ssize_t n;

	proc_path(path, sizeof(path), fd_of(req, ino));
	if (size) {
		buf = malloc(size);
		if (!buf) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
	}
	n = get(path, name, buf, size);
	if (n < 0)
		fuse_reply_err(req, errno);
	else if (size)
		fuse_reply_buf(req, buf, (size_t)n);
	else
		fuse_reply_xattr(req, (size_t)n);
	free(buf);
}

static ssize_t get_one(const char *path, const char *name, char *buf, size_t len)
{
	return getxattr(path, name, buf, len);
}

static ssize_t get_list(const char *path, const char *name, char *buf, size_t len)
{
	(void)name;
	return listxattr(path, buf, len);
}

static void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	reply_xattr(req, size, get_one, ino, name);
}

static void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	reply_xattr(req, size, get_list, ino, NULL);
}

static void op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	char path[64];

	if (refuse_write(req))
		return;
	proc_path(path, sizeof(path), fd_of(req, ino));
	reply_status(req, removexattr(path, name));
}

static void op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off,
			 off_t len, struct fuse_file_info *fi)
{
	(void)ino;
	if (!refuse_write(req))
		reply_status(req, fallocate((int)fi->fh, mode, off, len));
}

static void op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		     struct fuse_file_info *fi)
{
	off_t r = lseek((int)fi->fh, off, whence);

	(void)ino;
	if (r < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_lseek(req, r);
}

const struct fuse_lowlevel_ops hostdir_ops = {
	.init = op_init,
	.lookup = op_lookup,
	.forget = op_forget,
	.forget_multi = op_forget_multi,
	.getattr = op_getattr,
	.setattr = op_setattr,
	.readlink = op_readlink,
	.mknod = op_mknod,
	.mkdir = op_mkdir,
	.symlink = op_symlink,
	.link = op_link,
	.unlink = op_unlink,
	.rmdir = op_rmdir,
	.rename = op_rename,
	.open = op_open,
	.create = op_create,
	.read = op_read,
	.write = op_write,
	.flush = op_flush,
	.release = op_release,
	.fsync = op_fsync,
	.opendir = op_opendir,
	.readdir = op_readdir,
	.releasedir = op_releasedir,
	.fsyncdir = op_fsyncdir,
	.statfs = op_statfs,
	.setxattr = op_setxattr,
	.getxattr = op_getxattr,
	.listxattr = op_listxattr,
	.removexattr = op_removexattr,
	.fallocate = op_fallocate,
	.lseek = op_lseek,
};
