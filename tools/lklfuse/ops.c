// SPDX-License-Identifier: GPL-2.0
/*
 * The FUSE low-level operations, each a few system calls in the library
 * kernel on the inode's O_PATH file (see lklfuse.h for why by inode).
 *
 * Open files and directories get a kernel file of their own, fi->fh, so
 * flags (O_APPEND, O_TRUNC, O_EXCL ...), locks and positions behave as on
 * a local filesystem.  Calls run as root inside the kernel; the host has
 * checked permissions (default_permissions), and only the owner of new
 * inodes comes from the caller (creds.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/statvfs.h>
#include <time.h>

#include "lklfuse.h"

struct lklfuse lf;

#define ERR(x) ((int)-(x))	/* kernel -errno to the errno FUSE wants */

static void reply_err(fuse_req_t req, long ret)
{
	fuse_reply_err(req, ret < 0 ? ERR(ret) : 0);
}

static long stat_inode(struct lf_inode *inode, struct lkl_stat *ks)
{
	return lkl_sys_newfstatat(inode->fd, "", ks, LKL_AT_EMPTY_PATH |
				  LKL_AT_SYMLINK_NOFOLLOW);
}

static void reply_attr(fuse_req_t req, struct lf_inode *inode, long fh)
{
	struct lkl_stat ks;
	struct stat st;
	long ret;

	ret = fh >= 0 ? lkl_sys_fstat(fh, &ks) : stat_inode(inode, &ks);
	if (ret < 0) {
		reply_err(req, ret);
		return;
	}
	stat_from_lkl(&st, &ks);
	fuse_reply_attr(req, &st, lf.timeout);
}

/* Reply to a creating call: look the new name up for the entry. */
static void reply_new_entry(fuse_req_t req, struct lf_inode *parent,
			    const char *name, long ret)
{
	struct fuse_entry_param e;

	if (ret >= 0)
		ret = inode_lookup(parent, name, &e);
	if (ret < 0)
		reply_err(req, ret);
	else
		fuse_reply_entry(req, &e);
}

/*
 * The mode for a new inode.  The host leaves the umask to us
 * (FUSE_CAP_DONT_MASK, the kernel task's own umask is 0): a directory
 * with a default ACL decides the mode itself (the kernel applies the ACL),
 * otherwise the caller's umask applies, as on a local filesystem.
 */
static mode_t new_mode(fuse_req_t req, struct lf_inode *parent, mode_t mode)
{
	char path[PROC_PATH_MAX];

	if (S_ISLNK(mode))
		return mode;
	inode_proc_path(parent, path, sizeof(path));
	if (lkl_sys_getxattr(path, "system.posix_acl_default", NULL, 0) > 0)
		return mode;
	return mode & ~fuse_req_ctx(req)->umask;
}

static void lf_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* flock(2) goes to the kernel's locks; fcntl locks stay on the host. */
	if (conn->capable & FUSE_CAP_FLOCK_LOCKS)
		conn->want |= FUSE_CAP_FLOCK_LOCKS;
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	if (conn->capable & FUSE_CAP_DONT_MASK)
		conn->want |= FUSE_CAP_DONT_MASK;
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	/* The host enforces ACLs too, but only if it checks permissions. */
	if (lf.default_permissions && (conn->capable & FUSE_CAP_POSIX_ACL))
		conn->want |= FUSE_CAP_POSIX_ACL;
	conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
	conn->time_gran = 1;
}

static void lf_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	int ret;

	ret = inode_lookup(inode_of(parent), name, &e);
	if (ret == -LKL_ENOENT) {
		/* A negative entry: the host may cache the absence. */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = lf.timeout;
		fuse_reply_entry(req, &e);
	} else if (ret < 0) {
		reply_err(req, ret);
	} else {
		fuse_reply_entry(req, &e);
	}
}

static void lf_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	inode_forget(ino, nlookup);
	fuse_reply_none(req);
}

static void lf_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	size_t i;

	for (i = 0; i < count; i++)
		inode_forget(forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void lf_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	reply_attr(req, inode_of(ino), fi ? (long)fi->fh : -1);
}

/* UTIME_NOW and UTIME_OMIT are kernel ABI, the host's values are the kernel's. */
static void lkl_time(struct __lkl__kernel_timespec *kt, const struct timespec *t,
		     int set, int now)
{
	if (now) {
		kt->tv_sec = 0;
		kt->tv_nsec = UTIME_NOW;
	} else if (set) {
		kt->tv_sec = t->tv_sec;
		kt->tv_nsec = t->tv_nsec;
	} else {
		kt->tv_sec = 0;
		kt->tv_nsec = UTIME_OMIT;
	}
}

static void lf_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int to_set, struct fuse_file_info *fi)
{
	struct lf_inode *inode = inode_of(ino);
	long fh = fi ? (long)fi->fh : -1;
	char path[PROC_PATH_MAX];
	long ret = 0;

	if (to_set & FUSE_SET_ATTR_MODE) {
		ret = fh >= 0 ? lkl_sys_fchmod(fh, attr->st_mode & 07777) :
			lkl_sys_fchmodat2(inode->fd, "", attr->st_mode & 07777,
					  LKL_AT_EMPTY_PATH);
		if (ret < 0)
			goto out;
	}
	if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
		unsigned int uid = to_set & FUSE_SET_ATTR_UID ? attr->st_uid : -1u;
		unsigned int gid = to_set & FUSE_SET_ATTR_GID ? attr->st_gid : -1u;

		ret = lkl_sys_fchownat(inode->fd, "", uid, gid,
				       LKL_AT_EMPTY_PATH | LKL_AT_SYMLINK_NOFOLLOW);
		if (ret < 0)
			goto out;
	}
	if (to_set & FUSE_SET_ATTR_SIZE) {
		if (fh >= 0) {
			ret = lkl_sys_ftruncate(fh, attr->st_size);
		} else {
			inode_proc_path(inode, path, sizeof(path));
			ret = lkl_sys_truncate(path, attr->st_size);
		}
		if (ret < 0)
			goto out;
	}
	if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) {
		struct __lkl__kernel_timespec ts[2];

		lkl_time(&ts[0], &attr->st_atim, to_set & FUSE_SET_ATTR_ATIME,
			 to_set & FUSE_SET_ATTR_ATIME_NOW);
		lkl_time(&ts[1], &attr->st_mtim, to_set & FUSE_SET_ATTR_MTIME,
			 to_set & FUSE_SET_ATTR_MTIME_NOW);
		ret = lkl_sys_utimensat(inode->fd, "", ts, LKL_AT_EMPTY_PATH |
					LKL_AT_SYMLINK_NOFOLLOW);
		if (ret < 0)
			goto out;
	}
out:
	if (ret < 0)
		reply_err(req, ret);
	else
		reply_attr(req, inode, fh);
}

static void lf_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char buf[LKL_PATH_MAX + 1];
	long ret;

	ret = lkl_sys_readlinkat(inode_of(ino)->fd, "", buf, sizeof(buf) - 1);
	if (ret < 0) {
		reply_err(req, ret);
		return;
	}
	buf[ret] = '\0';
	fuse_reply_readlink(req, buf);
}

static void lf_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev)
{
	struct lf_inode *dir = inode_of(parent);
	long ret;

	mode = new_mode(req, dir, mode);
	creds_enter(req);
	ret = lkl_sys_mknodat(dir->fd, name, mode, (unsigned int)rdev);
	creds_leave();
	reply_new_entry(req, dir, name, ret);
}

static void lf_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode)
{
	struct lf_inode *dir = inode_of(parent);
	long ret;

	mode = new_mode(req, dir, mode | S_IFDIR) & 07777;
	creds_enter(req);
	ret = lkl_sys_mkdirat(dir->fd, name, mode);
	creds_leave();
	reply_new_entry(req, dir, name, ret);
}

static void lf_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		       const char *name)
{
	struct lf_inode *dir = inode_of(parent);
	long ret;

	creds_enter(req);
	ret = lkl_sys_symlinkat(link, dir->fd, name);
	creds_leave();
	reply_new_entry(req, dir, name, ret);
}

static void lf_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		    const char *newname)
{
	struct lf_inode *dir = inode_of(newparent);
	long ret;

	ret = lkl_sys_linkat(inode_of(ino)->fd, "", dir->fd, newname,
			     LKL_AT_EMPTY_PATH);
	reply_new_entry(req, dir, newname, ret);
}

static void lf_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	reply_err(req, lkl_sys_unlinkat(inode_of(parent)->fd, name, 0));
}

static void lf_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	reply_err(req, lkl_sys_unlinkat(inode_of(parent)->fd, name,
					LKL_AT_REMOVEDIR));
}

static void lf_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname,
		      unsigned int flags)
{
	reply_err(req, lkl_sys_renameat2(inode_of(parent)->fd, name,
					 inode_of(newparent)->fd, newname,
					 flags));
}

/* A kernel file for an open(2) on the host, through the inode's O_PATH. */
static long reopen(struct lf_inode *inode, int flags)
{
	char path[PROC_PATH_MAX];

	inode_proc_path(inode, path, sizeof(path));
	flags &= ~(O_CREAT | O_EXCL | O_NOCTTY);
	return lkl_sys_openat(LKL_AT_FDCWD, path, open_flags_to_lkl(flags), 0);
}

static void lf_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	long fd;

	fd = reopen(inode_of(ino), fi->flags);
	if (fd < 0) {
		reply_err(req, fd);
		return;
	}
	fi->fh = fd;
	/* Every change goes through this mount: the host's cache stays good. */
	fi->keep_cache = 1;
	fuse_reply_open(req, fi);
}

static void lf_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi)
{
	struct lf_inode *dir = inode_of(parent);
	struct fuse_entry_param e;
	long fd, ret;

	mode = new_mode(req, dir, mode);
	creds_enter(req);
	fd = lkl_sys_openat(dir->fd, name, open_flags_to_lkl(fi->flags) |
			    LKL_O_CREAT, mode & 07777);
	creds_leave();
	if (fd < 0) {
		reply_err(req, fd);
		return;
	}
	ret = inode_lookup(dir, name, &e);
	if (ret < 0) {
		lkl_sys_close(fd);
		reply_err(req, ret);
		return;
	}
	fi->fh = fd;
	fi->keep_cache = 1;
	fuse_reply_create(req, &e, fi);
}

static void lf_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	size_t got = 0;
	char *buf;
	long ret = 0;

	(void)ino;
	buf = malloc(size ? size : 1);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	while (got < size) {
		ret = lkl_sys_pread64(fi->fh, buf + got, size - got, off + got);
		if (ret <= 0)
			break;
		got += ret;
	}
	if (ret < 0 && !got)
		reply_err(req, ret);
	else
		fuse_reply_buf(req, buf, got);
	free(buf);
}

static void lf_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
		     size_t size, off_t off, struct fuse_file_info *fi)
{
	size_t done = 0;
	long ret = 0;

	(void)ino;
	while (done < size) {
		ret = lkl_sys_pwrite64(fi->fh, buf + done, size - done,
				       off + done);
		if (ret <= 0)
			break;
		done += ret;
	}
	if (ret < 0 && !done)
		reply_err(req, ret);
	else
		fuse_reply_write(req, done);
}

static void lf_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	/* Writes went through already; the kernel file closes on release. */
	(void)ino;
	(void)fi;
	fuse_reply_err(req, 0);
}

static void lf_release(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	(void)ino;
	lkl_sys_close(fi->fh);	/* drops its flock, if any */
	fuse_reply_err(req, 0);
}

static void lf_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi)
{
	long fd = fi ? (long)fi->fh : -1, ret;

	if (fd < 0) {
		fd = reopen(inode_of(ino), O_RDONLY);
		if (fd < 0) {
			reply_err(req, fd);
			return;
		}
	}
	ret = datasync ? lkl_sys_fdatasync(fd) : lkl_sys_fsync(fd);
	if (!fi)
		lkl_sys_close(fd);
	reply_err(req, ret);
}

/*
 * An open directory: its kernel file and a buffer of getdents64 output.
 * Open ones are listed: the host may still hold some when the session
 * ends (releases are sent asynchronously), and they are freed then.
 */
struct lf_dir {
	long fd;
	off_t pos;		/* offset of the next entry to return */
	size_t len, next;	/* bytes in buf, where the next entry is */
	struct lf_dir *prev_open, *next_open;
	char buf[32768];
};

static pthread_mutex_t dirs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lf_dir *open_dirs;

static void lf_opendir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct lf_dir *d;

	d = calloc(1, sizeof(*d));
	if (!d) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	d->fd = lkl_sys_openat(inode_of(ino)->fd, ".", LKL_O_RDONLY |
			       LKL_O_DIRECTORY | LKL_O_CLOEXEC, 0);
	if (d->fd < 0) {
		reply_err(req, d->fd);
		free(d);
		return;
	}
	pthread_mutex_lock(&dirs_lock);
	d->next_open = open_dirs;
	if (open_dirs)
		open_dirs->prev_open = d;
	open_dirs = d;
	pthread_mutex_unlock(&dirs_lock);
	fi->fh = (uintptr_t)d;
	fuse_reply_open(req, fi);
}

static void lf_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct lf_dir *d = (struct lf_dir *)(uintptr_t)fi->fh;
	size_t used = 0;
	char *out;
	long ret = 0;

	(void)ino;
	out = malloc(size);
	if (!out) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/* A seek (rewinddir, or the host restarting): drop what we buffered. */
	if (off != d->pos) {
		ret = lkl_sys_lseek(d->fd, off, LKL_SEEK_SET);
		if (ret < 0)
			goto out;
		d->pos = off;
		d->len = d->next = 0;
	}
	for (;;) {
		struct lkl_linux_dirent64 *de;
		struct stat st;
		size_t need;

		if (d->next >= d->len) {
			ret = lkl_sys_getdents64(d->fd, (void *)d->buf,
						 sizeof(d->buf));
			if (ret <= 0)
				break;
			d->len = ret;
			d->next = 0;
		}
		de = (struct lkl_linux_dirent64 *)(d->buf + d->next);
		memset(&st, 0, sizeof(st));
		st.st_ino = de->d_ino;
		st.st_mode = (mode_t)de->d_type << 12;
		need = fuse_add_direntry(req, out + used, size - used,
					 de->d_name, &st, de->d_off);
		if (need > size - used)
			break;	/* stays buffered for the next call */
		used += need;
		d->pos = de->d_off;
		d->next += de->d_reclen;
	}
out:
	if (ret < 0 && !used)
		reply_err(req, ret);
	else
		fuse_reply_buf(req, out, used);
	free(out);
}

static void lf_releasedir(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	struct lf_dir *d = (struct lf_dir *)(uintptr_t)fi->fh;

	(void)ino;
	pthread_mutex_lock(&dirs_lock);
	if (d->prev_open)
		d->prev_open->next_open = d->next_open;
	else
		open_dirs = d->next_open;
	if (d->next_open)
		d->next_open->prev_open = d->prev_open;
	pthread_mutex_unlock(&dirs_lock);
	lkl_sys_close(d->fd);
	free(d);
	fuse_reply_err(req, 0);
}

void ops_release_all(void)
{
	struct lf_dir *d, *next;

	pthread_mutex_lock(&dirs_lock);
	for (d = open_dirs; d; d = next) {
		next = d->next_open;
		free(d);
	}
	open_dirs = NULL;
	pthread_mutex_unlock(&dirs_lock);
	/*
	 * Every kernel file lklfuse has: inodes' O_PATH files, and files and
	 * directories whose release the host had not sent yet.
	 */
	lkl_sys_close_range(0, ~0u, 0);
}

static void lf_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
			struct fuse_file_info *fi)
{
	struct lf_dir *d = (struct lf_dir *)(uintptr_t)fi->fh;

	(void)ino;
	reply_err(req, datasync ? lkl_sys_fdatasync(d->fd) :
		  lkl_sys_fsync(d->fd));
}

static void lf_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct lkl_statfs ks;
	struct statvfs sv;
	long ret;

	ret = lkl_sys_fstatfs(inode_of(ino)->fd, &ks);
	if (ret < 0) {
		reply_err(req, ret);
		return;
	}
	memset(&sv, 0, sizeof(sv));
	sv.f_bsize = ks.f_bsize;
	sv.f_frsize = ks.f_frsize ? ks.f_frsize : ks.f_bsize;
	sv.f_blocks = ks.f_blocks;
	sv.f_bfree = ks.f_bfree;
	sv.f_bavail = ks.f_bavail;
	sv.f_files = ks.f_files;
	sv.f_ffree = ks.f_ffree;
	sv.f_favail = ks.f_ffree;
	sv.f_namemax = ks.f_namelen;
	fuse_reply_statfs(req, &sv);
}

/*
 * Extended attributes go through /proc/self/fd/N: it reaches the inode
 * itself, a symlink included, without following it.
 */
static void lf_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			const char *value, size_t size, int flags)
{
	char path[PROC_PATH_MAX];

	inode_proc_path(inode_of(ino), path, sizeof(path));
	reply_err(req, lkl_sys_setxattr(path, name, value, size, flags));
}

/* Reply to getxattr/listxattr: the size when asked (size 0), else data. */
static void reply_xattr(fuse_req_t req, size_t size, char *buf, long ret)
{
	if (ret < 0)
		reply_err(req, ret);
	else if (!size)
		fuse_reply_xattr(req, ret);
	else
		fuse_reply_buf(req, buf, ret);
}

static void lf_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			size_t size)
{
	char path[PROC_PATH_MAX], *buf = NULL;

	inode_proc_path(inode_of(ino), path, sizeof(path));
	if (size && !(buf = malloc(size))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	reply_xattr(req, size, buf, lkl_sys_getxattr(path, name, buf, size));
	free(buf);
}

static void lf_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	char path[PROC_PATH_MAX], *buf = NULL;

	inode_proc_path(inode_of(ino), path, sizeof(path));
	if (size && !(buf = malloc(size))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	reply_xattr(req, size, buf, lkl_sys_listxattr(path, buf, size));
	free(buf);
}

static void lf_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	char path[PROC_PATH_MAX];

	inode_proc_path(inode_of(ino), path, sizeof(path));
	reply_err(req, lkl_sys_removexattr(path, name));
}

static void lf_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	reply_err(req, lkl_sys_faccessat2(inode_of(ino)->fd, "", mask,
					  LKL_AT_EMPTY_PATH));
}

/*
 * flock(2).  A blocking lock is polled rather than waited for in the
 * kernel: the wait then ends when the host interrupts the request (a
 * signal to the caller) or the mount goes away, and cannot hold up the
 * shutdown.  Other requests are served by other worker threads meanwhile.
 */
static void lf_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		     int op)
{
	struct timespec pause = { 0, 1000000 };
	long ret;

	(void)ino;
	for (;;) {
		ret = lkl_sys_flock(fi->fh, op | LOCK_NB);
		if (ret != -LKL_EWOULDBLOCK || (op & LOCK_NB))
			break;
		if (fuse_req_interrupted(req) || fuse_session_exited(lf.se)) {
			ret = -LKL_EINTR;
			break;
		}
		nanosleep(&pause, NULL);
		if (pause.tv_nsec < 32000000)
			pause.tv_nsec *= 2;
	}
	reply_err(req, ret);
}

static void lf_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off,
			 off_t len, struct fuse_file_info *fi)
{
	(void)ino;
	reply_err(req, lkl_sys_fallocate(fi->fh, mode, off, len));
}

static void lf_copy_file_range(fuse_req_t req, fuse_ino_t ino_in,
			       off_t off_in, struct fuse_file_info *fi_in,
			       fuse_ino_t ino_out, off_t off_out,
			       struct fuse_file_info *fi_out, size_t len,
			       int flags)
{
	lkl_loff_t in = off_in, out = off_out;
	long ret;

	(void)ino_in;
	(void)ino_out;
	ret = lkl_sys_copy_file_range(fi_in->fh, &in, fi_out->fh, &out, len,
				      flags);
	if (ret < 0)
		reply_err(req, ret);
	else
		fuse_reply_write(req, ret);
}

static void lf_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		     struct fuse_file_info *fi)
{
	long ret;

	(void)ino;
	ret = lkl_sys_lseek(fi->fh, off, whence);
	if (ret < 0)
		reply_err(req, ret);
	else
		fuse_reply_lseek(req, ret);
}

const struct fuse_lowlevel_ops lf_ops = {
	.init		= lf_init,
	.lookup		= lf_lookup,
	.forget		= lf_forget,
	.forget_multi	= lf_forget_multi,
	.getattr	= lf_getattr,
	.setattr	= lf_setattr,
	.readlink	= lf_readlink,
	.mknod		= lf_mknod,
	.mkdir		= lf_mkdir,
	.symlink	= lf_symlink,
	.link		= lf_link,
	.unlink		= lf_unlink,
	.rmdir		= lf_rmdir,
	.rename		= lf_rename,
	.open		= lf_open,
	.create		= lf_create,
	.read		= lf_read,
	.write		= lf_write,
	.flush		= lf_flush,
	.release	= lf_release,
	.fsync		= lf_fsync,
	.opendir	= lf_opendir,
	.readdir	= lf_readdir,
	.releasedir	= lf_releasedir,
	.fsyncdir	= lf_fsyncdir,
	.statfs		= lf_statfs,
	.setxattr	= lf_setxattr,
	.getxattr	= lf_getxattr,
	.listxattr	= lf_listxattr,
	.removexattr	= lf_removexattr,
	.access		= lf_access,
	.flock		= lf_flock,
	.fallocate	= lf_fallocate,
	.copy_file_range = lf_copy_file_range,
	.lseek		= lf_lseek,
};
