// SPDX-License-Identifier: GPL-2.0
/*
 * tar2fs: fill an image (or one directory of it) from a tar stream in any
 * format and compression libarchive reads.  Members are extracted like
 * `tar --numeric-owner -xp` would: owners by number, modes, ns times
 * (directories' once everything is in), xattrs, ACLs, hard links, device
 * nodes, fifos, sparse data.  An existing file in the way is replaced.
 *
 * Safety: a member name with ".." is refused, a leading "/" dropped, and
 * every directory on the way is opened without following symlinks (see
 * pathwalk.h), so nothing is created outside the target.  A bad member is
 * reported and skipped; the exit status is then 1.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "acl.h"
#include "fs2tar.h"
#include "image.h"
#include "kernel_abi.h"
#include "owners.h"
#include "pathwalk.h"
#include "progress.h"
#include "tool.h"

#define READ_BLOCK	(64 << 10)

struct dir_times {
	char *rel;
	struct __lkl__kernel_timespec ts[2];
};

struct tar2fs {
	struct archive *ar;
	const char *in_name;
	long base;		/* the target directory in the image */
	int meta;		/* the filesystem keeps owners, modes, xattrs */
	struct owners owners;
	struct dir_times *dirs;	/* times to set once all is extracted */
	size_t ndirs, dirs_cap;
	char acl[ACL_XATTR_MAX];
	int failed;		/* a member was refused or incomplete */
	int broken;		/* the archive cannot be read on: stop */
};

static void member_error(struct tar2fs *t, const char *name, const char *what,
			 long err)
{
	tool_error(name, "%s: %s", what, lkl_strerror(err));
	t->failed = 1;
}

static void archive_failed(struct tar2fs *t, int r)
{
	tool_error(t->in_name, "%s", archive_error_string(t->ar));
	t->failed = 1;
	if (r == ARCHIVE_FATAL)
		t->broken = 1;
}

static void entry_times(struct archive_entry *e,
			struct __lkl__kernel_timespec ts[2])
{
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = KABI_UTIME_OMIT;
	ts[1] = ts[0];
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	}
	if (archive_entry_mtime_is_set(e)) {
		ts[1].tv_sec = archive_entry_mtime(e);
		ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	}
}

/*
 * Set one xattr on fd, or on leaf in parent without following it (the
 * l*xattr calls take a path: a single name from the parent's cwd).
 */
static long set_xattr(long fd, long parent, const char *leaf,
		      const char *name, const void *value, size_t size)
{
	long ret;

	if (fd >= 0)
		return lkl_sys_fsetxattr(fd, name, value, size, 0);
	ret = lkl_sys_fchdir(parent);
	return ret < 0 ? ret : lkl_sys_lsetxattr(leaf, name, value, size, 0);
}

/*
 * The member's xattrs.  Returns whether one was the raw access ACL
 * (system.posix_acl_access); *raw_default tells the same of the default.
 */
static int set_xattrs(struct tar2fs *t, struct archive_entry *e,
		      const char *name, long fd, long parent, const char *leaf,
		      int *raw_default)
{
	const char *xname;
	const void *value;
	size_t size;
	int raw_access = 0;
	long ret;

	*raw_default = 0;
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK) {
		ret = set_xattr(fd, parent, leaf, xname, value, size);
		if (ret < 0) {
			tool_error(name, "cannot set xattr %s: %s", xname,
				   lkl_strerror(ret));
			t->failed = 1;
			continue;
		}
		if (!strcmp(xname, ACL_XATTR_ACCESS))
			raw_access = 1;
		if (!strcmp(xname, ACL_XATTR_DEFAULT))
			*raw_default = 1;
	}
	return raw_access;
}

static void set_acl(struct tar2fs *t, struct archive_entry *e,
		    const char *name, long fd, long parent, const char *leaf,
		    int type)
{
	const char *xname = type == ARCHIVE_ENTRY_ACL_TYPE_ACCESS ?
			    ACL_XATTR_ACCESS : ACL_XATTR_DEFAULT;
	const char *bad;
	long len, ret;

	len = acl_entry_to_xattr(e, type, &t->owners, t->acl, sizeof(t->acl),
				 &bad);
	if (len < 0) {
		if (bad)
			tool_error(name, "ACL names unknown user or group '%s'",
				   bad);
		else
			tool_error(name, "ACL too large");
		t->failed = 1;
		return;
	}
	if (!len)
		return;
	ret = set_xattr(fd, parent, leaf, xname, t->acl, (size_t)len);
	if (ret < 0)
		member_error(t, name, "cannot set the ACL", ret);
}

static long remove_xattr(long fd, long parent, const char *leaf,
			 const char *name)
{
	long ret;

	if (fd >= 0)
		return lkl_sys_fremovexattr(fd, name);
	ret = lkl_sys_fchdir(parent);
	return ret < 0 ? ret : lkl_sys_lremovexattr(leaf, name);
}

/*
 * A new node inherits ACLs from a directory with a default ACL; the
 * archive's word replaces them (as GNU tar --acls does): none means none.
 */
static void drop_inherited_acls(struct tar2fs *t, const char *name, long fd,
				long parent, const char *leaf, int is_dir)
{
	long ret;

	ret = remove_xattr(fd, parent, leaf, ACL_XATTR_ACCESS);
	if (ret < 0 && ret != -LKL_ENODATA)
		member_error(t, name, "cannot reset the ACL", ret);
	if (!is_dir)
		return;
	ret = remove_xattr(fd, parent, leaf, ACL_XATTR_DEFAULT);
	if (ret < 0 && ret != -LKL_ENODATA)
		member_error(t, name, "cannot reset the default ACL", ret);
}

/*
 * Owner, mode, xattrs and ACLs of the member just made, through fd or by
 * leaf in parent.  In that order: chown clears set-id bits and file
 * capabilities, and the mode must be set before the ACL, whose mask then
 * becomes the group bits.
 */
static void set_meta(struct tar2fs *t, struct archive_entry *e,
		     const char *name, long fd, long parent, const char *leaf)
{
	int is_link = archive_entry_filetype(e) == AE_IFLNK;
	unsigned int perm = archive_entry_perm(e) & 07777;
	int raw_access, raw_default;
	long ret;

	if (!t->meta)
		return;
	ret = fd >= 0 ?
	      lkl_sys_fchown(fd, (unsigned int)archive_entry_uid(e),
			     (unsigned int)archive_entry_gid(e)) :
	      lkl_sys_fchownat(parent, leaf, (unsigned int)archive_entry_uid(e),
			       (unsigned int)archive_entry_gid(e),
			       LKL_AT_SYMLINK_NOFOLLOW);
	if (ret < 0)
		member_error(t, name, "cannot set the owner", ret);
	if (!is_link) {
		drop_inherited_acls(t, name, fd, parent, leaf,
				    archive_entry_filetype(e) == AE_IFDIR);
		ret = fd >= 0 ? lkl_sys_fchmod(fd, perm) :
				lkl_sys_fchmodat(parent, leaf, perm);
		if (ret < 0)
			member_error(t, name, "cannot set the mode", ret);
	}
	raw_access = set_xattrs(t, e, name, fd, parent, leaf, &raw_default);
	/* GNU tar stores both forms; the raw one has exact ids. */
	if (!raw_access)
		set_acl(t, e, name, fd, parent, leaf,
			ARCHIVE_ENTRY_ACL_TYPE_ACCESS);
	if (!raw_default && archive_entry_filetype(e) == AE_IFDIR)
		set_acl(t, e, name, fd, parent, leaf,
			ARCHIVE_ENTRY_ACL_TYPE_DEFAULT);
}

static void set_times(struct tar2fs *t, struct archive_entry *e,
		      const char *name, long fd, long parent, const char *leaf)
{
	struct __lkl__kernel_timespec ts[2];
	long ret;

	entry_times(e, ts);
	ret = fd >= 0 ? lkl_sys_utimensat(fd, NULL, ts, 0) :
			lkl_sys_utimensat(parent, leaf, ts,
					  LKL_AT_SYMLINK_NOFOLLOW);
	if (ret < 0)
		member_error(t, name, "cannot set the times", ret);
}

static void remember_dir(struct tar2fs *t, struct archive_entry *e,
			 const char *rel)
{
	struct dir_times *d;

	if (t->ndirs == t->dirs_cap) {
		size_t cap = t->dirs_cap ? t->dirs_cap * 2 : 64;

		d = realloc(t->dirs, cap * sizeof(*d));
		if (!d)
			return;
		t->dirs = d;
		t->dirs_cap = cap;
	}
	d = &t->dirs[t->ndirs];
	d->rel = strdup(rel);
	if (!d->rel)
		return;
	entry_times(e, d->ts);
	t->ndirs++;
}

/*
 * Directory times last: making anything inside changes them.  In archive
 * order, so a directory listed twice gets its later times.  A directory
 * replaced since by a symlink is left alone.
 */
static void apply_dir_times(struct tar2fs *t)
{
	const char *leaf;
	long parent, fd;
	size_t i, bad;

	for (i = 0; i < t->ndirs; i++) {
		struct dir_times *d = &t->dirs[i];

		if (!*d->rel) {
			fd = lkl_sys_dup(t->base);
		} else {
			parent = walk_to_parent(t->base, d->rel, 0, &leaf, &bad);
			if (parent < 0)
				continue;
			fd = open_dir_nofollow(parent, leaf);
			lkl_sys_close(parent);
		}
		if (fd < 0)
			continue;
		lkl_sys_utimensat(fd, NULL, d->ts, 0);
		lkl_sys_close(fd);
	}
}

static void walk_failed(struct tar2fs *t, const char *name, const char *rel,
			size_t bad, long err)
{
	if (err == -LKL_ELOOP)
		tool_error(name, "'%.*s' is a symlink in the image, not followed; "
			   "skipped", (int)bad, rel);
	else if (err == -LKL_ENOTDIR)
		tool_error(name, "'%.*s' is not a directory; skipped", (int)bad,
			   rel);
	else
		tool_error(name, "'%.*s': %s; skipped", (int)bad, rel,
			   lkl_strerror(err));
	t->failed = 1;
}

/*
 * Clear the way for leaf like tar does: an existing non-directory (or an
 * empty directory, for a non-directory member) is removed.  1 when a
 * directory is there for a directory member, 0 when the name is free, -1
 * after reporting.
 */
static int make_room(struct tar2fs *t, long parent, const char *leaf,
		     int want_dir, const char *name)
{
	struct lkl_stat st;
	long ret;

	ret = lkl_sys_newfstatat(parent, leaf, &st, LKL_AT_SYMLINK_NOFOLLOW);
	if (ret == -LKL_ENOENT)
		return 0;
	if (ret < 0) {
		member_error(t, name, "cannot stat", ret);
		return -1;
	}
	if (LKL_S_ISDIR(st.st_mode) && want_dir)
		return 1;
	ret = lkl_sys_unlinkat(parent, leaf,
			       LKL_S_ISDIR(st.st_mode) ? LKL_AT_REMOVEDIR : 0);
	if (ret < 0) {
		member_error(t, name, "cannot replace what is there", ret);
		return -1;
	}
	return 0;
}

/* The member's data into fd at the offsets the archive gives. */
static int write_data(struct tar2fs *t, struct archive_entry *e,
		      const char *name, long fd)
{
	const void *buf;
	const char *p;
	size_t size;
	la_int64_t off;
	long n;
	int r;

	for (;;) {
		r = archive_read_data_block(t->ar, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			archive_failed(t, r);
			return -1;
		}
		for (p = buf; size; p += n, size -= (size_t)n, off += n) {
			n = lkl_sys_pwrite64(fd, p, size, off);
			if (n <= 0) {
				member_error(t, name, "cannot write",
					     n ? n : -LKL_EIO);
				return -1;
			}
			progress_add(0, (uint64_t)n);
		}
	}
	/* Sparse members end in a hole, or are all hole. */
	if (archive_entry_size_is_set(e)) {
		n = lkl_sys_ftruncate(fd, archive_entry_size(e));
		if (n < 0) {
			member_error(t, name, "cannot set the size", n);
			return -1;
		}
	}
	return 0;
}

static void extract_hardlink(struct tar2fs *t, struct archive_entry *e,
			     const char *name, const char *rel,
			     const char *link)
{
	const char *leaf, *tleaf;
	long parent = -1, tparent = -1, ret, fd;
	char *target = NULL;
	size_t bad;

	if (member_clean(link, &target) == MEMBER_DOTDOT) {
		tool_error(name, "hard link target '%s' escapes the target "
			   "('..'); skipped", link);
		t->failed = 1;
		return;
	}
	if (!target || !*target) {
		tool_error(name, "bad hard link target '%s'; skipped", link);
		t->failed = 1;
		goto out;
	}
	if (!strcmp(target, rel))
		goto out;	/* a link to itself: already there */
	tparent = walk_to_parent(t->base, target, 0, &tleaf, &bad);
	if (tparent < 0) {
		walk_failed(t, name, target, bad, tparent);
		goto out;
	}
	parent = walk_to_parent(t->base, rel, 1, &leaf, &bad);
	if (parent < 0) {
		walk_failed(t, name, rel, bad, parent);
		goto out;
	}
	if (make_room(t, parent, leaf, 0, name) < 0)
		goto out;
	ret = lkl_sys_linkat(tparent, tleaf, parent, leaf, 0);
	if (ret < 0) {
		tool_error(name, "cannot link to '%s': %s", link,
			   lkl_strerror(ret));
		t->failed = 1;
		goto out;
	}
	/* pax lets a hard link carry (new) data for the shared inode. */
	if (archive_entry_size(e) > 0) {
		fd = lkl_sys_openat(parent, leaf, LKL_O_WRONLY | LKL_O_TRUNC |
				    LKL_O_NOFOLLOW | LKL_O_CLOEXEC, 0);
		if (fd < 0) {
			member_error(t, name, "cannot open", fd);
			goto out;
		}
		write_data(t, e, name, fd);
		lkl_sys_close(fd);
	}
out:
	if (parent >= 0)
		lkl_sys_close(parent);
	if (tparent >= 0)
		lkl_sys_close(tparent);
	free(target);
}

/* The member for the target directory itself ("./"): only its metadata. */
static void extract_root(struct tar2fs *t, struct archive_entry *e,
			 const char *name)
{
	if (archive_entry_filetype(e) != AE_IFDIR) {
		tool_error(name, "would replace the target directory; skipped");
		t->failed = 1;
		return;
	}
	set_meta(t, e, name, t->base, -1, NULL);
	remember_dir(t, e, "");
}

static void extract_node(struct tar2fs *t, struct archive_entry *e,
			 const char *name, const char *rel)
{
	unsigned int type = archive_entry_filetype(e);
	const char *leaf, *target;
	long parent, fd = -1, ret = 0;
	unsigned int dev;
	size_t bad;
	int there;

	if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK &&
	    type != AE_IFCHR && type != AE_IFBLK && type != AE_IFIFO) {
		tool_error(name, "unsupported member type 0%o; skipped", type);
		t->failed = 1;
		return;
	}
	parent = walk_to_parent(t->base, rel, 1, &leaf, &bad);
	if (parent < 0) {
		walk_failed(t, name, rel, bad, parent);
		return;
	}
	there = make_room(t, parent, leaf, type == AE_IFDIR, name);
	if (there < 0)
		goto out;

	switch (type) {
	case AE_IFDIR:
		if (!there)
			ret = lkl_sys_mkdirat(parent, leaf, 0700);
		if (ret >= 0)
			ret = fd = open_dir_nofollow(parent, leaf);
		break;
	case AE_IFREG:
		ret = fd = lkl_sys_openat(parent, leaf, LKL_O_WRONLY |
					  LKL_O_CREAT | LKL_O_EXCL |
					  LKL_O_NOFOLLOW | LKL_O_CLOEXEC, 0600);
		break;
	case AE_IFLNK:
		target = archive_entry_symlink(e);
		if (!target)
			target = archive_entry_symlink_utf8(e);
		ret = target ? lkl_sys_symlinkat(target, parent, leaf) :
			       -LKL_EINVAL;
		break;
	default:
		dev = kabi_dev((unsigned int)archive_entry_rdevmajor(e),
			       (unsigned int)archive_entry_rdevminor(e));
		ret = lkl_sys_mknodat(parent, leaf, type | 0600,
				      type == AE_IFIFO ? 0 : dev);
		break;
	}
	if (ret < 0) {
		member_error(t, name, "cannot create", ret);
		goto out;
	}
	if (type == AE_IFREG && write_data(t, e, name, fd) < 0)
		goto out;
	set_meta(t, e, name, fd, parent, leaf);
	if (type == AE_IFDIR)
		remember_dir(t, e, rel);
	else
		set_times(t, e, name, fd, parent, leaf);
out:
	if (fd >= 0)
		lkl_sys_close(fd);
	lkl_sys_close(parent);
}

static void extract(struct tar2fs *t, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e), *link;
	char *rel;

	if (!name)
		name = archive_entry_pathname_utf8(e);
	if (!name) {
		tool_error(t->in_name, "a member without a name; skipped");
		t->failed = 1;
		return;
	}
	switch (member_clean(name, &rel)) {
	case MEMBER_DOTDOT:
		tool_error(name, "path escapes the target ('..'); skipped");
		t->failed = 1;
		return;
	case MEMBER_ABSOLUTE:
		if (rel)
			tool_error(name, "leading '/' removed: extracted as "
				   "'%s'", *rel ? rel : ".");
		break;
	case MEMBER_OK:
		break;
	}
	if (!rel) {
		member_error(t, name, "cannot extract", -LKL_ENOMEM);
		return;
	}
	link = archive_entry_hardlink(e);
	if (!link)
		link = archive_entry_hardlink_utf8(e);
	if (link)
		extract_hardlink(t, e, name, rel, link);
	else if (!*rel)
		extract_root(t, e, name);
	else
		extract_node(t, e, name, rel);
	progress_add(1, 0);
	free(rel);
}

static int open_input(struct tar2fs *t, const char *archive)
{
	int from_stdin = !strcmp(archive, "-");

	t->in_name = from_stdin ? "(stdin)" : archive;
	t->ar = archive_read_new();
	if (!t->ar) {
		tool_error(NULL, "out of memory");
		return -1;
	}
	archive_read_support_filter_all(t->ar);
	archive_read_support_format_all(t->ar);
	if (archive_read_open_filename(t->ar, from_stdin ? NULL : archive,
				       READ_BLOCK) != ARCHIVE_OK) {
		/* libarchive's text would not say why. */
		if (archive_errno(t->ar) > 0)
			tool_error(t->in_name, "cannot open: %s",
				   strerror(archive_errno(t->ar)));
		else
			tool_error(t->in_name, "%s", archive_error_string(t->ar));
		return -1;
	}
	return 0;
}

/*
 * The image is mounted read-only until the target directory is known to
 * exist, so a bad -C leaves the file untouched; then read-write.
 */
static long open_target(struct tar2fs *t, struct image *img,
			const struct xfer_opts *o)
{
	long rootfd, base, ret;

	rootfd = lkl_sys_open(img->mnt, LKL_O_RDONLY | LKL_O_DIRECTORY, 0);
	if (rootfd < 0) {
		tool_error(o->image, "cannot open the root: %s",
			   lkl_strerror(rootfd));
		return rootfd;
	}
	base = o->subdir ? image_open_dir(rootfd, o->subdir) :
			   lkl_sys_dup(rootfd);
	if (base < 0) {
		tool_error(o->image, "%s: %s", o->subdir ? o->subdir : "/",
			   lkl_strerror(base));
		lkl_sys_close(rootfd);
		return base;
	}
	ret = image_remount_rw(img, NULL);
	if (ret < 0) {
		lkl_sys_close(base);
		lkl_sys_close(rootfd);
		return ret;
	}
	owners_load(&t->owners, rootfd);
	lkl_sys_close(rootfd);
	t->meta = strcmp(img->fstype, "vfat") != 0;
	return base;
}

int tar2fs_run(const struct xfer_opts *o)
{
	struct image_opts io = {
		.path = o->image, .fstype = o->fstype, .part = o->part,
		.rw_later = 1,
	};
	struct archive_entry *e;
	struct tar2fs t;
	struct image img;
	int r;

	memset(&t, 0, sizeof(t));
	t.base = -1;
	/* The first header before the image: bad input leaves it untouched. */
	if (open_input(&t, o->archive) < 0)
		goto free_archive;
	r = archive_read_next_header(t.ar, &e);
	if (r == ARCHIVE_FATAL) {
		tool_error(t.in_name, "%s", archive_error_string(t.ar));
		goto free_archive;
	}
	if (image_open(&img, &io) < 0)
		goto free_archive;
	t.base = open_target(&t, &img, o);
	if (t.base < 0) {
		t.failed = 1;
		goto close_image;
	}
	lkl_sys_umask(0);	/* modes exactly as the archive says */

	progress_init(o->progress);
	for (; r != ARCHIVE_EOF && !t.broken;
	     r = archive_read_next_header(t.ar, &e)) {
		if (r < ARCHIVE_WARN) {
			archive_failed(&t, r);
			continue;
		}
		if (r == ARCHIVE_WARN)
			tool_error(t.in_name, "%s", archive_error_string(t.ar));
		extract(&t, e);
	}
	apply_dir_times(&t);
	progress_done();
	lkl_sys_close(t.base);
close_image:
	lkl_sys_chdir("/");	/* fchdir for xattrs would keep the mount busy */
	if (image_close(&img) < 0)
		t.failed = 1;
	while (t.ndirs)
		free(t.dirs[--t.ndirs].rel);
	free(t.dirs);
	owners_free(&t.owners);
	archive_read_free(t.ar);
	return t.failed ? 1 : 0;
free_archive:
	if (t.ar)
		archive_read_free(t.ar);
	return 1;
}
