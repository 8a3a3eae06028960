// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "copy.h"
#include "dirlist.h"
#include "progress.h"
#include "tool.h"

/* Big enough that a large file costs few calls into either kernel. */
#define DATA_BUF	(1u << 20)
/* Linux's limits for one xattr value and for a list of names. */
#define XATTR_BUF	65536
/* How many files of a directory are being read ahead of the copy. */
#define PREFETCH_AHEAD	32
/* A symlink target is at most PATH_MAX - 1 bytes. */
#define TARGET_MAX	4095

int copy_init(struct copy *c, struct fs *src, struct fs *dst)
{
	memset(c, 0, sizeof(*c));
	c->src = src;
	c->dst = dst;
	c->buflen = DATA_BUF;
	c->buf = malloc(DATA_BUF);
	c->xattr_names = malloc(XATTR_BUF);
	c->xattr_value = malloc(XATTR_BUF);
	c->link_target = malloc(TARGET_MAX + 2);
	if (!c->buf || !c->xattr_names || !c->xattr_value || !c->link_target) {
		copy_fini(c);
		return -1;
	}
	return 0;
}

void copy_fini(struct copy *c)
{
	int k;

	free(c->buf);
	free(c->xattr_names);
	free(c->xattr_value);
	free(c->link_target);
	linkmap_free(&c->links);
	for (k = 0; k < LOSS_KINDS; k++)
		free(c->losses[k].first);
	memset(c, 0, sizeof(*c));
}

static char *labelled(const struct fs *fs, const char *path)
{
	char *s;

	if (asprintf(&s, "%s%s", fs->label, path) < 0)
		return NULL;
	return s;
}

void copy_error(struct copy *c, const struct fs *fs, const char *path,
		const char *fmt, ...)
{
	char *what = labelled(fs, path), *msg;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	tool_error(what ? what : path, "%s", n < 0 ? fmt : msg);
	c->status = 1;
	if (n >= 0)
		free(msg);
	free(what);
}

/* Errors after which no further write to the destination can succeed. */
static int stops_the_copy(long err)
{
	return err == -ENOSPC || err == -EDQUOT || err == -EROFS || err == -EIO;
}

/* A destination error on path: reported; a full or failing disk stops. */
static void dst_fail(struct copy *c, const char *path, const char *doing,
		     long err)
{
	copy_error(c, c->dst, path, "%s%s%s", doing ? doing : "",
		   doing ? ": " : "", strerror((int)-err));
	if (stops_the_copy(err))
		c->stop = 1;
}

static void src_fail(struct copy *c, const char *path, long err)
{
	copy_error(c, c->src, path, "%s", strerror((int)-err));
}

/* Metadata the destination refused: counted, summed up at the end. */
static void lose(struct copy *c, enum loss kind, const char *path, long err)
{
	struct loss_count *l = &c->losses[kind];

	if (err == -EIO || err == -EROFS) {
		dst_fail(c, path, NULL, err);
		return;
	}
	if (!l->files++) {
		l->first = labelled(c->dst, path);
		l->err = err;
	}
}

void copy_report_losses(const struct copy *c)
{
	static const char *const what[LOSS_KINDS] = {
		[LOSS_OWNER] = "ownership not preserved",
		[LOSS_MODE] = "permissions not preserved",
		[LOSS_XATTR] = "extended attributes not preserved",
		[LOSS_TIMES] = "timestamps not preserved",
		[LOSS_LINKS] = "hard link not preserved, copied as a separate file",
	};
	int k;

	for (k = 0; k < LOSS_KINDS; k++) {
		const struct loss_count *l = &c->losses[k];

		if (!l->files)
			continue;
		if (l->files > 1)
			tool_error(l->first, "warning: %s: %s (nor for %lu more)",
				   what[k], strerror((int)-l->err), l->files - 1);
		else
			tool_error(l->first, "warning: %s: %s", what[k],
				   strerror((int)-l->err));
	}
}

static char *join(const char *dir, const char *name)
{
	size_t len = strlen(dir);
	char *s;

	if (asprintf(&s, "%s%s%s", dir, len && dir[len - 1] == '/' ? "" : "/",
		     name) < 0)
		return NULL;
	return s;
}

/*
 * Creating name failed with EEXIST: make way for the new entry, as cp
 * does.  0 to create again, 1 to merge into the existing directory, -1
 * after reporting why not.
 */
static int make_room(struct copy *c, int dirfd, const char *name,
		     const char *path, int src_is_dir)
{
	struct fs_stat st;
	long r;

	r = c->dst->stat_at(dirfd, name, &st, 0);
	if (r < 0) {
		dst_fail(c, path, NULL, r);
		return -1;
	}
	if (S_ISDIR(st.mode)) {
		if (src_is_dir)
			return 1;
		copy_error(c, c->dst, path,
			   "cannot overwrite directory with non-directory");
		return -1;
	}
	if (src_is_dir) {
		copy_error(c, c->dst, path,
			   "cannot overwrite non-directory with directory");
		return -1;
	}
	r = c->dst->unlink_at(dirfd, name, 0);
	if (r < 0) {
		dst_fail(c, path, "cannot replace", r);
		return -1;
	}
	return 0;
}

/*
 * Copy every extended attribute; fd < 0 goes by path.  1 if an access ACL
 * was set (it rewrites the group bits of the mode), else 0.
 */
static int copy_xattrs(struct copy *c, int sfd, const char *spath, int dfd,
		       const char *dpath)
{
	const char *name;
	int acl = 0;
	long n, v, r;

	n = c->src->listxattr(sfd, spath, c->xattr_names, XATTR_BUF);
	if (n == -EOPNOTSUPP)
		return 0;
	if (n < 0) {
		src_fail(c, spath, n);
		return 0;
	}
	for (name = c->xattr_names; name < c->xattr_names + n;
	     name += strlen(name) + 1) {
		v = c->src->getxattr(sfd, spath, name, c->xattr_value, XATTR_BUF);
		if (v == -ENODATA)
			continue;	/* removed since it was listed */
		if (v < 0) {
			copy_error(c, c->src, spath, "%s: %s", name,
				   strerror((int)-v));
			continue;
		}
		r = c->dst->setxattr(dfd, dpath, name, c->xattr_value, v);
		if (r < 0)
			lose(c, LOSS_XATTR, dpath, r);
		else if (!strcmp(name, "system.posix_acl_access"))
			acl = 1;
	}
	return acl;
}

/*
 * Owner first (chown clears setuid bits and file capabilities), then the
 * xattrs, the mode, and the times last, as anything else may touch them.
 * On the open file fd, or on dirfd/name when fd < 0.  A new file mostly
 * has the right owner and mode already (it is created with the source's
 * mode and no umask, by root in the image), and a chown or chmod that
 * changes nothing still costs the destination an inode update and a
 * journal entry, so the current state is looked at first.
 */
static void set_metadata(struct copy *c, const struct fs_stat *st, int sfd,
			 const char *spath, int dfd, int ddirfd,
			 const char *dname, const char *dpath)
{
	const struct timespec times[2] = { st->atime, st->mtime };
	struct fs_stat now;
	int chowned = 0;
	long r;

	r = dfd >= 0 ? c->dst->fstat(dfd, &now) :
		       c->dst->stat_at(ddirfd, dname, &now, 0);
	if (r < 0) {
		dst_fail(c, dpath, NULL, r);
		return;
	}
	if (now.uid != st->uid || now.gid != st->gid) {
		r = c->dst->chown(dfd, ddirfd, dname, st->uid, st->gid);
		if (r < 0)
			lose(c, LOSS_OWNER, dpath, r);
		chowned = r == 0;
	}
	if (copy_xattrs(c, sfd, spath, dfd, dpath) ||
	    (chowned && (st->mode & 06000)) ||
	    (now.mode & 07777) != (st->mode & 07777)) {
		if (!S_ISLNK(st->mode)) {
			r = c->dst->chmod(dfd, ddirfd, dname, st->mode & 07777);
			if (r < 0)
				lose(c, LOSS_MODE, dpath, r);
		}
	}
	r = c->dst->utimens(dfd, ddirfd, dname, times);
	if (r < 0)
		lose(c, LOSS_TIMES, dpath, r);
}

static long write_all(struct copy *c, int fd, const char *buf, size_t len,
		      int64_t off)
{
	long n;

	while (len) {
		n = c->dst->pwrite(fd, buf, len, off);
		if (n == 0)
			n = -EIO;
		if (n < 0)
			return n;
		buf += n;
		len -= n;
		off += n;
	}
	return 0;
}

/*
 * The data of a regular file.  A sparse source (fewer blocks than its
 * size) is walked with SEEK_DATA/SEEK_HOLE and only its data extents are
 * written, so holes stay holes; the size is set at the end.
 */
static int copy_data(struct copy *c, const struct fs_stat *st, int sfd,
		     const char *spath, int dfd, const char *dpath)
{
	int sparse = st->blocks * 512 < st->size;
	int64_t end = st->size, pos = 0, data, hole, written = 0;
	long n, r;

	while (pos < end) {
		data = pos;
		hole = end;
		if (sparse) {
			data = c->src->seek(sfd, pos, FS_SEEK_DATA);
			if (data == -ENXIO)
				break;		/* nothing but a hole is left */
			if (data < 0) {
				sparse = 0;	/* no hole support: copy it all */
				data = pos;
			} else {
				hole = c->src->seek(sfd, data, FS_SEEK_HOLE);
				if (hole < 0 || hole > end)
					hole = end;
			}
		}
		for (pos = data; pos < hole; pos += n) {
			size_t want = hole - pos < (int64_t)c->buflen ?
				      (size_t)(hole - pos) : c->buflen;

			n = c->src->pread(sfd, c->buf, want, pos);
			if (n < 0) {
				src_fail(c, spath, n);
				return -1;
			}
			if (n == 0) {
				end = pos;	/* it shrank while we copied */
				break;
			}
			r = write_all(c, dfd, c->buf, n, pos);
			if (r < 0) {
				dst_fail(c, dpath, NULL, r);
				return -1;
			}
			written = pos + n;
			progress_add(0, n);
		}
	}
	if (written != end) {
		r = c->dst->truncate(dfd, end);
		if (r < 0) {
			dst_fail(c, dpath, NULL, r);
			return -1;
		}
	}
	return 0;
}

static int copy_file(struct copy *c, const struct fs_stat *st, int sdirfd,
		     const char *sname, const char *spath, int ddirfd,
		     const char *dname, const char *dpath)
{
	long sfd, dfd, r;
	int ret = -1;

	sfd = c->src->open_at(sdirfd, sname, FS_OPEN_READ, 0);
	if (sfd < 0) {
		src_fail(c, spath, sfd);
		return -1;
	}
	dfd = c->dst->open_at(ddirfd, dname, FS_OPEN_CREATE, st->mode & 07777);
	if (dfd == -EEXIST) {
		if (make_room(c, ddirfd, dname, dpath, 0) < 0)
			goto out;
		dfd = c->dst->open_at(ddirfd, dname, FS_OPEN_CREATE,
				      st->mode & 07777);
	}
	if (dfd < 0) {
		dst_fail(c, dpath, NULL, dfd);
		goto out;
	}
	if (copy_data(c, st, sfd, spath, dfd, dpath) < 0) {
		/* No half-written file is left behind. */
		c->dst->close(dfd);
		c->dst->unlink_at(ddirfd, dname, 0);
		goto out;
	}
	set_metadata(c, st, sfd, spath, dfd, -1, NULL, dpath);
	r = c->dst->close(dfd);
	if (r < 0)
		dst_fail(c, dpath, NULL, r);
	else
		ret = 0;
out:
	c->src->close(sfd);
	return ret;
}

static int copy_symlink(struct copy *c, const struct fs_stat *st, int sdirfd,
			const char *sname, const char *spath, int ddirfd,
			const char *dname, const char *dpath)
{
	long n, r;

	n = c->src->readlink_at(sdirfd, sname, c->link_target, TARGET_MAX + 1);
	if (n < 0) {
		src_fail(c, spath, n);
		return -1;
	}
	if (n > TARGET_MAX) {
		src_fail(c, spath, -ENAMETOOLONG);
		return -1;
	}
	c->link_target[n] = '\0';
	r = c->dst->symlink_at(c->link_target, ddirfd, dname);
	if (r == -EEXIST) {
		if (make_room(c, ddirfd, dname, dpath, 0) < 0)
			return -1;
		r = c->dst->symlink_at(c->link_target, ddirfd, dname);
	}
	if (r < 0) {
		dst_fail(c, dpath, "cannot create symlink", r);
		return -1;
	}
	set_metadata(c, st, -1, spath, -1, ddirfd, dname, dpath);
	return 0;
}

/* Device nodes, fifos and sockets: the node itself, never its contents. */
static int copy_special(struct copy *c, const struct fs_stat *st,
			const char *spath, int ddirfd, const char *dname,
			const char *dpath)
{
	unsigned int mode = st->mode & (S_IFMT | 07777);
	long r;

	r = c->dst->mknod_at(ddirfd, dname, mode, st->rdev_major,
			     st->rdev_minor);
	if (r == -EEXIST) {
		if (make_room(c, ddirfd, dname, dpath, 0) < 0)
			return -1;
		r = c->dst->mknod_at(ddirfd, dname, mode, st->rdev_major,
				     st->rdev_minor);
	}
	if (r < 0) {
		dst_fail(c, dpath, "cannot create special file", r);
		return -1;
	}
	set_metadata(c, st, -1, spath, -1, ddirfd, dname, dpath);
	return 0;
}

/*
 * The second name of a file already copied: a link to the first copy.
 * 0 linked, 1 the destination has no hard links (copy the file instead),
 * -1 after reporting an error.
 */
static int make_link(struct copy *c, const char *first, int ddirfd,
		     const char *dname, const char *dpath)
{
	long r;

	r = c->dst->link_at(first, ddirfd, dname);
	if (r == -EEXIST) {
		if (make_room(c, ddirfd, dname, dpath, 0) < 0)
			return -1;
		r = c->dst->link_at(first, ddirfd, dname);
	}
	if (r == 0)
		return 0;
	if (r == -EPERM || r == -EOPNOTSUPP || r == -EMLINK || r == -EXDEV) {
		lose(c, LOSS_LINKS, dpath, r);
		return 1;
	}
	dst_fail(c, dpath, "cannot link", r);
	return -1;
}

static void copy_dir(struct copy *c, const struct fs_stat *st, int sdirfd,
		     const char *sname, const char *spath, int ddirfd,
		     const char *dname, const char *dpath)
{
	struct dirlist dl;
	long sfd, dfd, r;
	size_t i, ahead = 0;

	sfd = c->src->open_at(sdirfd, sname, FS_OPEN_SUBDIR, 0);
	if (sfd < 0) {
		src_fail(c, spath, sfd);
		return;
	}
	/* Writable by us until its own mode is set, after its contents. */
	r = c->dst->mkdir_at(ddirfd, dname, (st->mode & 0777) | 0700);
	if (r == -EEXIST) {
		int room = make_room(c, ddirfd, dname, dpath, 1);

		if (room < 0)
			goto out;
		if (room == 0)
			r = c->dst->mkdir_at(ddirfd, dname,
					     (st->mode & 0777) | 0700);
		else
			r = 0;
	}
	if (r < 0) {
		dst_fail(c, dpath, NULL, r);
		goto out;
	}
	dfd = c->dst->open_at(ddirfd, dname, FS_OPEN_SUBDIR, 0);
	if (dfd < 0) {
		dst_fail(c, dpath, NULL, dfd);
		goto out;
	}

	r = dirlist_read(&dl, c->src, sfd, c->buf, c->buflen);
	if (r < 0)
		src_fail(c, spath, r);
	for (i = 0; i < dl.n && !c->stop; i++) {
		const char *name = dirlist_name(&dl, i);
		char *s = join(spath, name), *d = join(dpath, name);

		for (; c->src->prefetch && ahead < dl.n &&
		       ahead < i + PREFETCH_AHEAD; ahead++)
			if (dl.e[ahead].type == DT_REG)
				c->src->prefetch(sfd, dirlist_name(&dl, ahead));
		if (s && d)
			copy_entry(c, sfd, name, s, dfd, name, d);
		else
			src_fail(c, spath, -ENOMEM);
		free(s);
		free(d);
	}
	dirlist_free(&dl);

	set_metadata(c, st, sfd, spath, dfd, -1, NULL, dpath);
	progress_add(1, 0);
	c->dst->close(dfd);
out:
	c->src->close(sfd);
}

void copy_entry(struct copy *c, int sdirfd, const char *sname,
		const char *spath, int ddirfd, const char *dname,
		const char *dpath)
{
	const char *first = NULL;
	struct fs_stat st;
	long r;

	if (c->stop)
		return;
	r = c->src->stat_at(sdirfd, sname, &st, 0);
	if (r < 0) {
		src_fail(c, spath, r);
		return;
	}
	if (S_ISDIR(st.mode)) {
		copy_dir(c, &st, sdirfd, sname, spath, ddirfd, dname, dpath);
		return;
	}
	if (st.nlink > 1) {
		first = linkmap_find(&c->links, st.dev, st.ino);
		if (first) {
			r = make_link(c, first, ddirfd, dname, dpath);
			if (r == 0)
				progress_add(1, 0);
			if (r <= 0)
				return;
		}
	}
	switch (st.mode & S_IFMT) {
	case S_IFREG:
		r = copy_file(c, &st, sdirfd, sname, spath, ddirfd, dname,
			      dpath);
		break;
	case S_IFLNK:
		r = copy_symlink(c, &st, sdirfd, sname, spath, ddirfd, dname,
				 dpath);
		break;
	default:
		r = copy_special(c, &st, spath, ddirfd, dname, dpath);
		break;
	}
	if (r < 0)
		return;
	if (st.nlink > 1 && !first &&
	    linkmap_add(&c->links, st.dev, st.ino, dpath) < 0)
		src_fail(c, spath, -ENOMEM);
	progress_add(1, 0);
}
