// SPDX-License-Identifier: GPL-2.0
/*
 * fs2tar: the files of an image (or of one directory in it) as a pax tar
 * archive.  Each directory's entries are sorted by name and a directory
 * comes before its contents, so two runs on one image give the same
 * archive.  Member names are "./" and "./name/...", as GNU tar writes them
 * for `tar -C dir -cf - .`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "acl.h"
#include "fs2tar.h"
#include "image.h"
#include "kernel_abi.h"
#include "linkmap.h"
#include "owners.h"
#include "pathwalk.h"
#include "progress.h"
#include "tool.h"

#define DATA_CHUNK	(1 << 20)
#define DIRENT_BUF	(64 << 10)
#define LINK_MAX_LEN	4096

struct extent {
	int64_t off, len;
};

struct fs2tar {
	struct archive *ar;
	struct archive_entry *entry;
	const char *out_name;
	struct owners owners;
	struct linkmap links;
	char *path;		/* the member name being archived */
	size_t path_len, path_cap;
	char *data;		/* DATA_CHUNK of file contents */
	char *zeros;		/* DATA_CHUNK of zeros: fed for holes */
	char *xnames;		/* an xattr name list */
	char *xvalue;		/* one xattr value */
	char *dirents;		/* DIRENT_BUF for getdents64 */
	struct extent *ext;
	size_t next, ext_cap;
	int failed;		/* a file was left out or incomplete */
	int broken;		/* the archive cannot be written: stop */
};

/* A file that cannot be archived (fully): report it, go on, exit 1. */
static void entry_error(struct fs2tar *w, const char *what, long err)
{
	tool_error(w->path, "%s: %s", what, lkl_strerror(err));
	w->failed = 1;
}

static int path_push(struct fs2tar *w, const char *name)
{
	size_t len = strlen(name), need = w->path_len + 1 + len + 1;

	if (need > w->path_cap) {
		size_t cap = need * 2;
		char *p = realloc(w->path, cap);

		if (!p)
			return -1;
		w->path = p;
		w->path_cap = cap;
	}
	w->path[w->path_len++] = '/';
	memcpy(w->path + w->path_len, name, len + 1);
	w->path_len += len;
	return 0;
}

static void path_pop(struct fs2tar *w, size_t len)
{
	w->path_len = len;
	w->path[len] = '\0';
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	while (n)
		free(names[--n]);
	free(names);
}

/* The names in a directory, sorted bytewise; -errno on failure. */
static long read_dir_sorted(struct fs2tar *w, long fd, char ***out,
			    size_t *count)
{
	char **names = NULL, **bigger;
	size_t n = 0, cap = 0;
	long got, off;

	for (;;) {
		got = lkl_sys_getdents64(fd, (void *)w->dirents, DIRENT_BUF);
		if (got <= 0)
			break;
		for (off = 0; off < got;) {
			struct lkl_linux_dirent64 *d =
				(void *)(w->dirents + off);

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				bigger = realloc(names, cap * sizeof(*names));
				if (!bigger)
					goto nomem;
				names = bigger;
			}
			names[n] = strdup(d->d_name);
			if (!names[n])
				goto nomem;
			n++;
		}
	}
	if (got < 0) {
		free_names(names, n);
		return got;
	}
	if (n)
		qsort(names, n, sizeof(*names), by_name);
	*out = names;
	*count = n;
	return 0;
nomem:
	free_names(names, n);
	return -LKL_ENOMEM;
}

/*
 * xattrs and ACLs, read through fd, or (symlinks, devices, fifos, which
 * cannot be opened for that) by name from their directory.
 */
static void add_xattrs(struct fs2tar *w, struct archive_entry *e, long fd,
		       long dirfd, const char *name)
{
	long len, vlen, ret;
	const char *x;

	if (fd < 0) {
		ret = lkl_sys_fchdir(dirfd);
		if (ret < 0) {
			entry_error(w, "cannot read xattrs", ret);
			return;
		}
		len = lkl_sys_llistxattr(name, w->xnames, LKL_XATTR_LIST_MAX);
	} else {
		len = lkl_sys_flistxattr(fd, w->xnames, LKL_XATTR_LIST_MAX);
	}
	if (len == -LKL_EOPNOTSUPP)
		return;		/* vfat: nothing to archive */
	if (len < 0) {
		entry_error(w, "cannot list xattrs", len);
		return;
	}
	for (x = w->xnames; x < w->xnames + len; x += strlen(x) + 1) {
		vlen = fd < 0 ?
			lkl_sys_lgetxattr(name, x, w->xvalue, LKL_XATTR_SIZE_MAX) :
			lkl_sys_fgetxattr(fd, x, w->xvalue, LKL_XATTR_SIZE_MAX);
		if (vlen == -LKL_ENODATA)
			continue;
		if (vlen < 0) {
			tool_error(w->path, "cannot read xattr %s: %s", x,
				   lkl_strerror(vlen));
			w->failed = 1;
			continue;
		}
		if (!strcmp(x, ACL_XATTR_ACCESS) || !strcmp(x, ACL_XATTR_DEFAULT)) {
			int type = !strcmp(x, ACL_XATTR_ACCESS) ?
				   ARCHIVE_ENTRY_ACL_TYPE_ACCESS :
				   ARCHIVE_ENTRY_ACL_TYPE_DEFAULT;

			if (acl_xattr_to_entry(e, type, w->xvalue, vlen) < 0) {
				tool_error(w->path, "malformed ACL in %s", x);
				w->failed = 1;
			}
			continue;
		}
		archive_entry_xattr_add_entry(e, x, w->xvalue, (size_t)vlen);
	}
}

static int push_extent(struct fs2tar *w, int64_t off, int64_t len)
{
	if (w->next == w->ext_cap) {
		size_t cap = w->ext_cap ? w->ext_cap * 2 : 16;
		struct extent *p = realloc(w->ext, cap * sizeof(*p));

		if (!p)
			return -1;
		w->ext = p;
		w->ext_cap = cap;
	}
	w->ext[w->next].off = off;
	w->ext[w->next].len = len;
	w->next++;
	return 0;
}

/*
 * The data extents of a file with fewer blocks than its size suggests,
 * from SEEK_DATA/SEEK_HOLE.  1 when the file has holes (w->ext holds its
 * data, possibly nothing), 0 when it is to be stored whole.
 */
static int find_extents(struct fs2tar *w, long fd, int64_t size)
{
	int64_t off = 0, data, hole;

	w->next = 0;
	while (off < size) {
		data = lkl_sys_lseek(fd, off, LKL_SEEK_DATA);
		if (data == -LKL_ENXIO)
			break;
		if (data < 0)
			return 0;	/* no SEEK_DATA here: store it whole */
		hole = lkl_sys_lseek(fd, data, LKL_SEEK_HOLE);
		if (hole <= data)
			return 0;
		if (hole > size)
			hole = size;
		if (push_extent(w, data, hole - data) < 0)
			return 0;
		off = hole;
	}
	return !(w->next == 1 && w->ext[0].off == 0 && w->ext[0].len == size);
}

static int feed(struct fs2tar *w, const char *buf, size_t len)
{
	la_ssize_t n;

	while (len) {
		n = archive_write_data(w->ar, buf, len);
		if (n <= 0) {
			tool_error(w->out_name, "%s", n < 0 ?
				   archive_error_string(w->ar) : "short write");
			w->broken = 1;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int feed_zeros(struct fs2tar *w, int64_t len)
{
	size_t n;

	while (len > 0) {
		n = len > DATA_CHUNK ? DATA_CHUNK : (size_t)len;
		if (feed(w, w->zeros, n) < 0)
			return -1;
		progress_add(0, n);
		len -= (int64_t)n;
	}
	return 0;
}

/*
 * The file's bytes, in order: data extents read from the image, holes as
 * zeros (which libarchive drops again for a sparse entry).  Exactly size
 * bytes go out even when a read fails, so the archive stays well formed.
 */
static void copy_data(struct fs2tar *w, long fd, int64_t size, int sparse)
{
	struct extent whole = { 0, size };
	const struct extent *ext = sparse ? w->ext : &whole;
	size_t n_ext = sparse ? w->next : 1, i;
	int64_t pos = 0, end;
	long got;

	for (i = 0; i < n_ext; i++) {
		if (feed_zeros(w, ext[i].off - pos) < 0)
			return;
		pos = ext[i].off;
		end = ext[i].off + ext[i].len;
		while (pos < end) {
			size_t want = end - pos > DATA_CHUNK ? DATA_CHUNK :
				      (size_t)(end - pos);

			got = lkl_sys_pread64(fd, w->data, want, pos);
			if (got <= 0) {
				entry_error(w, "cannot read", got ? got : -LKL_EIO);
				feed_zeros(w, size - pos);
				return;
			}
			if (feed(w, w->data, (size_t)got) < 0)
				return;
			progress_add(0, (uint64_t)got);
			pos += got;
		}
	}
	feed_zeros(w, size - pos);
}

static void set_owner(struct fs2tar *w, struct archive_entry *e,
		      const struct lkl_stat *st)
{
	const char *name;

	archive_entry_set_uid(e, st->st_uid);
	archive_entry_set_gid(e, st->st_gid);
	name = owners_name(&w->owners.users, st->st_uid);
	if (name)
		archive_entry_copy_uname(e, name);
	name = owners_name(&w->owners.groups, st->st_gid);
	if (name)
		archive_entry_copy_gname(e, name);
}

/*
 * One member for the file name in dirfd (name NULL: the root, fd == dirfd)
 * whose metadata is st; fd is open on it for directories and regular
 * files, -1 otherwise.
 */
static void emit(struct fs2tar *w, long dirfd, const char *name, long fd,
		 const struct lkl_stat *st)
{
	struct archive_entry *e = w->entry;
	unsigned int type = st->st_mode & LKL_S_IFMT;
	const char *first = NULL;
	char target[LINK_MAX_LEN + 1];
	int sparse = 0, r;
	long n;

	if (type == LKL_S_IFSOCK) {
		tool_error(w->path, "socket ignored (tar cannot hold one)");
		return;
	}
	archive_entry_clear(e);
	archive_entry_copy_pathname(e, w->path);
	archive_entry_set_mode(e, st->st_mode);
	set_owner(w, e, st);
	archive_entry_set_mtime(e, st->lkl_st_mtime, (long)st->st_mtime_nsec);
	archive_entry_set_atime(e, st->lkl_st_atime, (long)st->st_atime_nsec);
	archive_entry_set_ctime(e, st->lkl_st_ctime, (long)st->st_ctime_nsec);

	/* Out of memory in linkmap_add: the file is archived again. */
	if (type != LKL_S_IFDIR && st->st_nlink > 1) {
		first = linkmap_find(&w->links, 0, st->st_ino);
		if (!first)
			linkmap_add(&w->links, 0, st->st_ino, w->path);
	}
	if (first) {
		/* Same inode as an earlier member: a hard link to it. */
		archive_entry_copy_hardlink(e, first);
		archive_entry_set_size(e, 0);
	} else {
		switch (type) {
		case LKL_S_IFREG:
			archive_entry_set_size(e, st->st_size);
			if (st->st_blocks * 512 < st->st_size &&
			    find_extents(w, fd, st->st_size)) {
				size_t i;

				sparse = 1;
				for (i = 0; i < w->next; i++)
					archive_entry_sparse_add_entry(e,
						w->ext[i].off, w->ext[i].len);
				/*
				 * All hole: an empty extent at the end, as
				 * GNU tar writes it (no extent at all would
				 * mean "not sparse" to libarchive).
				 */
				if (!w->next)
					archive_entry_sparse_add_entry(e,
						st->st_size, 0);
			}
			break;
		case LKL_S_IFLNK:
			n = lkl_sys_readlinkat(dirfd, name, target, LINK_MAX_LEN);
			if (n < 0) {
				entry_error(w, "cannot read the symlink", n);
				return;
			}
			target[n] = '\0';
			archive_entry_copy_symlink(e, target);
			break;
		case LKL_S_IFCHR:
		case LKL_S_IFBLK:
			archive_entry_set_rdevmajor(e, kabi_dev_major(st->st_rdev));
			archive_entry_set_rdevminor(e, kabi_dev_minor(st->st_rdev));
			break;
		}
		add_xattrs(w, e, fd, dirfd, name);
	}

	r = archive_write_header(w->ar, e);
	if (r == ARCHIVE_FATAL) {
		tool_error(w->out_name, "%s", archive_error_string(w->ar));
		w->broken = 1;
		return;
	}
	if (r < ARCHIVE_OK) {
		tool_error(w->path, "%s", archive_error_string(w->ar));
		if (r < ARCHIVE_WARN) {
			w->failed = 1;
			return;
		}
	}
	progress_add(1, 0);
	if (type == LKL_S_IFREG && !first && st->st_size > 0)
		copy_data(w, fd, st->st_size, sparse);
}

static void walk(struct fs2tar *w, long dirfd);

/* The child name of dirfd, whose member name is w->path. */
static void archive_child(struct fs2tar *w, long dirfd, const char *name)
{
	struct lkl_stat st;
	long ret, fd = -1;

	ret = lkl_sys_newfstatat(dirfd, name, &st, LKL_AT_SYMLINK_NOFOLLOW);
	if (ret < 0) {
		entry_error(w, "cannot stat", ret);
		return;
	}
	if (LKL_S_ISDIR(st.st_mode) || LKL_S_ISREG(st.st_mode)) {
		fd = lkl_sys_openat(dirfd, name, LKL_O_RDONLY | LKL_O_NOFOLLOW |
				    LKL_O_CLOEXEC, 0);
		if (fd < 0) {
			entry_error(w, "cannot open", fd);
			return;
		}
	}
	emit(w, dirfd, name, fd, &st);
	if (LKL_S_ISDIR(st.st_mode) && !w->broken)
		walk(w, fd);
	if (fd >= 0)
		lkl_sys_close(fd);
}

static void walk(struct fs2tar *w, long dirfd)
{
	size_t n = 0, i, len = w->path_len;
	char **names = NULL;
	long ret;

	ret = read_dir_sorted(w, dirfd, &names, &n);
	if (ret < 0) {
		entry_error(w, "cannot read the directory", ret);
		return;
	}
	for (i = 0; i < n && !w->broken; i++) {
		if (path_push(w, names[i]) < 0) {
			entry_error(w, "cannot archive", -LKL_ENOMEM);
			break;
		}
		archive_child(w, dirfd, names[i]);
		path_pop(w, len);
	}
	free_names(names, n);
}

static int setup(struct fs2tar *w)
{
	w->path_cap = 256;
	w->path = malloc(w->path_cap);
	w->data = malloc(DATA_CHUNK);
	w->zeros = calloc(1, DATA_CHUNK);
	w->xnames = malloc(LKL_XATTR_LIST_MAX);
	w->xvalue = malloc(LKL_XATTR_SIZE_MAX);
	w->dirents = malloc(DIRENT_BUF);
	w->entry = archive_entry_new();
	if (!w->path || !w->data || !w->zeros || !w->xnames || !w->xvalue ||
	    !w->dirents || !w->entry) {
		tool_error(NULL, "out of memory");
		return -1;
	}
	strcpy(w->path, ".");
	w->path_len = 1;
	memset(&w->links, 0, sizeof(w->links));
	return 0;
}

static void teardown(struct fs2tar *w)
{
	if (w->entry)
		archive_entry_free(w->entry);
	free(w->path);
	free(w->data);
	free(w->zeros);
	free(w->xnames);
	free(w->xvalue);
	free(w->dirents);
	free(w->ext);
	linkmap_free(&w->links);
	owners_free(&w->owners);
}

static int open_output(struct fs2tar *w, const char *archive)
{
	int to_stdout = !strcmp(archive, "-");

	w->out_name = to_stdout ? "(stdout)" : archive;
	w->ar = archive_write_new();
	if (!w->ar) {
		tool_error(NULL, "out of memory");
		return -1;
	}
	/*
	 * pax (not "restricted"): atime and ctime go into every header with
	 * nanoseconds.  xattrs only as SCHILY.xattr.*, the keyword GNU tar
	 * knows (it warns about libarchive's own LIBARCHIVE.xattr.*).
	 */
	if (archive_write_set_format_pax(w->ar) != ARCHIVE_OK ||
	    archive_write_set_format_option(w->ar, "pax", "xattrheader",
					    "SCHILY") < ARCHIVE_WARN) {
		tool_error(NULL, "libarchive: %s", archive_error_string(w->ar));
		return -1;
	}
	/*
	 * Pad to a whole 10 KiB record, like GNU tar, to a file too (libarchive
	 * would not): a file and stdout then get the same bytes.
	 */
	archive_write_set_bytes_in_last_block(w->ar, 0);
	if (archive_write_open_filename(w->ar, to_stdout ? NULL : archive)
	    != ARCHIVE_OK) {
		/* libarchive's text would not say why. */
		if (archive_errno(w->ar) > 0)
			tool_error(w->out_name, "cannot create: %s",
				   strerror(archive_errno(w->ar)));
		else
			tool_error(w->out_name, "%s",
				   archive_error_string(w->ar));
		return -1;
	}
	return 0;
}

int fs2tar_run(const struct xfer_opts *o)
{
	struct image_opts io = {
		.path = o->image, .fstype = o->fstype, .part = o->part,
		.readonly = 1,
	};
	struct fs2tar w;
	struct lkl_stat st;
	struct image img;
	long rootfd = -1, base = -1, ret;
	int status = 1;

	memset(&w, 0, sizeof(w));
	if (!strcmp(o->archive, "-") && isatty(STDOUT_FILENO)) {
		tool_error(NULL, "refusing to write an archive to a terminal");
		return 1;
	}
	if (setup(&w) < 0) {
		teardown(&w);
		return 1;
	}
	if (image_open(&img, &io) < 0) {
		teardown(&w);
		return 1;
	}
	rootfd = lkl_sys_open(img.mnt, LKL_O_RDONLY | LKL_O_DIRECTORY, 0);
	if (rootfd < 0) {
		tool_error(o->image, "cannot open the root: %s",
			   lkl_strerror(rootfd));
		goto out;
	}
	base = o->subdir ? image_open_dir(rootfd, o->subdir) : lkl_sys_dup(rootfd);
	if (base < 0) {
		tool_error(o->image, "%s: %s", o->subdir ? o->subdir : "/",
			   lkl_strerror(base));
		goto out;
	}
	owners_load(&w.owners, rootfd);
	if (open_output(&w, o->archive) < 0)
		goto out;

	progress_init(o->progress);
	ret = lkl_sys_fstat(base, &st);
	if (ret < 0) {
		entry_error(&w, "cannot stat", ret);
	} else {
		emit(&w, base, NULL, base, &st);
		if (!w.broken)
			walk(&w, base);
	}
	progress_done();
	if (archive_write_close(w.ar) != ARCHIVE_OK && !w.broken) {
		tool_error(w.out_name, "%s", archive_error_string(w.ar));
		w.broken = 1;
	}
	status = w.failed || w.broken;
out:
	if (w.ar)
		archive_write_free(w.ar);
	if (base >= 0)
		lkl_sys_close(base);
	if (rootfd >= 0)
		lkl_sys_close(rootfd);
	lkl_sys_chdir("/");	/* fchdir for xattrs would keep the mount busy */
	if (image_close(&img) < 0)
		status = 1;
	teardown(&w);
	return status;
}
