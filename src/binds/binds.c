// SPDX-License-Identifier: GPL-2.0
/*
 * Mounting binds.  Each bind has a thread that is a thread of the kernel's
 * pid 1 with a private fd table and root (so neither the FUSE device nor
 * the image's paths leak to or from other tasks): it opens the device,
 * chroots into the image, walks to the guest path there (the kernel's own
 * walk: links in the image resolve inside it), mounts, then serves
 * requests until kbox aborts the connection through fusectl.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <lkl.h>

#include "binds.h"
#include "hostdir.h"
#include "tool.h"

/* Outside the guest's root, in the kernel's own. */
#define FUSE_NODE	"/kbox-fuse"
#define FUSECTL_DIR	"/kbox-fusectl"

struct server {
	const struct bind_mount *bind;
	const char *mnt;
	struct hostdir *hd;
	pthread_t thread;
	sem_t mounted;
	int error;		/* -errno of the mount, 0 when mounted */
	const char *failed;	/* what failed */
	char path[PATH_MAX];	/* the mount point, from the kernel's root */
	long conn;		/* the connection's number in fusectl */
};

static struct server *servers;
static int nservers;

/*
 * The FUSE device and a pipe, kernel fds of the serving thread.  The
 * device's read and write pin the caller's pages (get_user_pages), which
 * host memory has none of; its splice side works on the pipe's own
 * pages, so requests are spliced into the pipe and read from it, and
 * replies written to the pipe and spliced out.
 */
static __thread long device_fd;
static __thread int pipe_fds[2];

/* The pipe holds a whole request: the largest libfuse reads is ~1 MiB. */
#define PIPE_BYTES (2L << 20)

static ssize_t result(long n)
{
	if (n < 0) {
		errno = (int)-n;
		return -1;
	}
	return n;
}

static ssize_t device_read(int fd, void *buf, size_t len, void *userdata)
{
	long n = lkl_sys_splice(device_fd, NULL, pipe_fds[1], NULL, len, 0);
	long got = 0, r;

	(void)fd;
	(void)userdata;
	while (n > 0 && got < n) {
		r = lkl_sys_read(pipe_fds[0], (char *)buf + got, (size_t)(n - got));
		if (r <= 0)
			return result(r < 0 ? r : -EIO);
		got += r;
	}
	return result(n);
}

static ssize_t device_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	long n = lkl_sys_writev(pipe_fds[1], (struct lkl_iovec *)iov, count);

	(void)fd;
	(void)userdata;
	if (n < 0)
		return result(n);
	/* One splice: the device takes a reply whole or not at all. */
	return result(lkl_sys_splice(pipe_fds[0], NULL, device_fd, NULL, (size_t)n, 0));
}

static const struct fuse_custom_io device_io = {
	.read = device_read,
	.writev = device_writev,
};

/* mkdir -p of path (absolute, in the calling task's root). */
static long make_dirs(const char *path)
{
	char buf[PATH_MAX], *p;
	long ret;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; ; p++) {
		char c = *p;

		if (c != '/' && c)
			continue;
		*p = '\0';
		ret = lkl_sys_mkdirat(LKL_AT_FDCWD, buf, 0755);
		if (ret < 0 && ret != -EEXIST)
			return ret;
		if (!c)
			return 0;
		*p = c;
	}
}

/* Enter the guest path and mount there; 0 or -errno with s->failed set. */
static long mount_here(struct server *s, long fd)
{
	static __thread char data[4096];	/* the kernel reads a whole page */
	char cwd[PATH_MAX];
	long ret;

	s->failed = "cannot enter the image";
	ret = lkl_sys_chroot(s->mnt);
	if (ret < 0)
		return ret;
	ret = lkl_sys_chdir(s->bind->guest);
	if (ret == -ENOENT) {
		/* On a read-only root this fails (EROFS); on its tmpfs it works. */
		s->failed = "cannot make the directory";
		ret = make_dirs(s->bind->guest);
		if (ret < 0)
			return ret;
		ret = lkl_sys_chdir(s->bind->guest);
	}
	s->failed = "cannot use as a mount point";
	if (ret < 0)
		return ret;
	ret = lkl_sys_getcwd(cwd, sizeof(cwd));
	if (ret < 0)
		return ret;
	snprintf(s->path, sizeof(s->path), "%s%s", s->mnt, strcmp(cwd, "/") ? cwd : "");
	memset(data, 0, sizeof(data));
	snprintf(data, sizeof(data), "fd=%ld,rootmode=40000,user_id=0,group_id=0,"
		 "default_permissions,allow_other", fd);
	s->failed = "cannot mount";
	return lkl_sys_mount("kbox", ".", "fuse", LKL_MS_NOSUID | LKL_MS_NODEV |
			     (s->bind->readonly ? LKL_MS_RDONLY : 0), data);
}

static void *server_main(void *arg)
{
	struct server *s = arg;
	char *argv[] = { "kbox", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct fuse_session *se = NULL;
	int placeholder = -1;
	long fd, ret;

	/* First a private fd table and root: the device stays this thread's. */
	fd = lkl_sys_unshare(LKL_CLONE_FILES | LKL_CLONE_FS);
	if (fd >= 0)
		fd = lkl_sys_pipe2(pipe_fds, LKL_O_CLOEXEC);
	if (fd >= 0)
		fd = lkl_sys_fcntl(pipe_fds[0], LKL_F_SETPIPE_SZ, PIPE_BYTES);
	if (fd >= 0)
		fd = lkl_sys_open(FUSE_NODE, LKL_O_RDWR | LKL_O_CLOEXEC, 0);
	/* libfuse closes "its" fd at the end: give it a host one of its own. */
	placeholder = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (placeholder < 0 || fd < 0) {
		s->failed = "cannot open the FUSE device";
		ret = fd < 0 ? fd : -errno;
		goto fail;
	}
	device_fd = fd;
	se = fuse_session_new(&args, &hostdir_ops, sizeof(hostdir_ops), s->hd);
	fuse_opt_free_args(&args);
	if (!se || fuse_session_custom_io(se, &device_io, placeholder)) {
		s->failed = "cannot start the FUSE session";
		ret = -ENOMEM;
		goto fail;
	}
	placeholder = -1;
	ret = mount_here(s, fd);
	if (ret < 0)
		goto fail;
	sem_post(&s->mounted);
	fuse_session_loop(se);
	fuse_session_destroy(se);
	lkl_sys_close(fd);
	return NULL;
fail:
	s->error = (int)ret;
	if (se)
		fuse_session_destroy(se);
	if (placeholder >= 0)
		close(placeholder);
	if (fd >= 0)
		lkl_sys_close(fd);
	sem_post(&s->mounted);
	return NULL;
}

/* The highest connection number in fusectl above after, or -1. */
static long newest_conn(long after)
{
	char buf[4096] __attribute__((aligned(8)));
	long fd, n, off, best = -1;

	fd = lkl_sys_open(FUSECTL_DIR, LKL_O_RDONLY | LKL_O_DIRECTORY, 0);
	if (fd < 0)
		return -1;
	while ((n = lkl_sys_getdents64(fd, (void *)buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			struct lkl_linux_dirent64 *d = (struct lkl_linux_dirent64 *)(buf + off);
			char *end;
			long v = strtol(d->d_name, &end, 10);

			if (!*end && end != d->d_name && v > after && v > best)
				best = v;
			off += d->d_reclen;
		}
	}
	lkl_sys_close(fd);
	return best;
}

static int start_one(struct server *s, const char *mnt)
{
	const struct bind_mount *b = s->bind;
	long before = newest_conn(-1);
	int dirfd;

	s->mnt = mnt;
	dirfd = open(b->host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		tool_error(b->host, "cannot bind: %s", strerror(errno));
		return -1;
	}
	s->hd = hostdir_new(dirfd, b->readonly);
	if (!s->hd || sem_init(&s->mounted, 0, 0)) {
		tool_error(NULL, "out of memory");
		hostdir_free(s->hd);
		s->hd = NULL;
		return -1;
	}
	if (pthread_create(&s->thread, NULL, server_main, s)) {
		tool_error(NULL, "cannot start the server of %s", b->host);
		hostdir_free(s->hd);
		s->hd = NULL;
		return -1;
	}
	sem_wait(&s->mounted);
	if (s->error) {
		pthread_join(s->thread, NULL);
		tool_error(b->guest, "%s for %s: %s", s->failed, b->host,
			   lkl_strerror(s->error));
		hostdir_free(s->hd);
		s->hd = NULL;
		return -1;
	}
	s->conn = newest_conn(before);
	nservers++;
	return 0;
}

int binds_start(const char *mnt, const struct kbox_opts *opts)
{
	static char data[4096];
	int i;
	long ret;

	if (!opts->nbinds)
		return 0;
	servers = calloc((size_t)opts->nbinds, sizeof(*servers));
	if (!servers) {
		tool_error(NULL, "out of memory");
		return -1;
	}
	lkl_sys_mkdir(FUSECTL_DIR, 0700);
	memset(data, 0, sizeof(data));
	ret = lkl_sys_mount("fusectl", FUSECTL_DIR, "fusectl", 0, data);
	if (ret >= 0)
		ret = lkl_sys_mknod(FUSE_NODE, LKL_S_IFCHR | 0600, makedev(10, 229));
	if (ret < 0) {
		tool_error(NULL, "cannot set up FUSE for binds: %s", lkl_strerror(ret));
		return -1;
	}
	for (i = 0; i < opts->nbinds; i++) {
		servers[nservers].bind = &opts->binds[i];
		if (start_one(&servers[nservers], mnt))
			break;
	}
	lkl_sys_unlink(FUSE_NODE);
	return i < opts->nbinds ? -1 : 0;
}

void binds_stop(const char *mnt)
{
	struct timespec until;
	char path[64];
	int i;

	(void)mnt;
	if (!servers)
		return;
	for (i = nservers - 1; i >= 0; i--) {
		struct server *s = &servers[i];
		long fd;

		/* Aborting the connection ends the server's read: its loop ends. */
		snprintf(path, sizeof(path), "%s/%ld/abort", FUSECTL_DIR, s->conn);
		fd = s->conn >= 0 ? lkl_sys_open(path, LKL_O_WRONLY, 0) : -1;
		if (fd >= 0) {
			lkl_sys_write(fd, "1", 1);
			lkl_sys_close(fd);
		}
		/* Without the file, the guest unmounted it: the read ended too. */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 5;
		if (pthread_timedjoin_np(s->thread, NULL, &until) == 0) {
			hostdir_free(s->hd);
			sem_destroy(&s->mounted);
		} else {
			pthread_detach(s->thread);	/* still serving: hd stays */
		}
		lkl_sys_umount2(s->path, LKL_MNT_DETACH);
	}
	lkl_sys_umount2(FUSECTL_DIR, 0);
	free(servers);
	servers = NULL;
	nservers = 0;
}
