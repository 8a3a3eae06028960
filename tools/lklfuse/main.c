// SPDX-License-Identifier: GPL-2.0
/*
 * lklfuse IMAGE MOUNTPOINT [-o type=,ro,mb=,part=,opts=] [libfuse options]
 *
 * Start-up order.  The library kernel runs on host threads (CPU hand-off,
 * timers, disk workers) that a fork() does not copy, so the process that
 * serves the mount must be the one that booted it.  fuse_daemonize() is
 * no use here: it forks, and its parent exits 0 as soon as the child calls
 * it, before the child knows whether the image boots and mounts.  So:
 *
 *   1. parse and check everything that can be checked without the kernel
 *      (options, the image file opens with the right mode, the mount
 *      point is a directory), with errors on the terminal;
 *   2. without -f, fork once, before any thread exists: the parent only
 *      waits on a pipe for the child's status and exits with it (1 if the
 *      child dies without a word);
 *   3. the child boots the kernel and mounts the image (image_open), then
 *      mounts FUSE on the host, and only then detaches (setsid, stdio to
 *      /dev/null) and reports success.  Errors up to that point still
 *      reach the user's stderr.
 *
 * Shutdown: fusermount3 -u (the session ends) or SIGTERM/SIGINT/SIGHUP
 * (libfuse's handlers end it); then the host mount goes, every kernel file
 * is closed, and image_close() unmounts inside the kernel, halts it and
 * fsyncs the image.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "lklfuse.h"
#include "options.h"
#include "tool.h"

#define CACHE_TIMEOUT	1.0	/* seconds the host may cache entries, attrs */

/* Step 1: can the image be opened the way image_open() will open it? */
static int check_image(const struct lf_options *o)
{
	struct stat st;
	int fd;

	fd = open(o->image, o->ro ? O_RDONLY : O_RDWR);
	if (fd < 0) {
		if (!o->ro && (errno == EACCES || errno == EROFS ||
			       errno == EPERM))
			tool_error(o->image, "%s (not writable: use -o ro to "
				   "mount it read-only)", strerror(errno));
		else
			tool_error(o->image, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		tool_error(o->image, "is a directory, not an image file");
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int check_mountpoint(const char *mnt)
{
	struct stat st;

	if (stat(mnt, &st) < 0) {
		tool_error(mnt, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		tool_error(mnt, "not a directory");
		return -1;
	}
	return 0;
}

/*
 * "-ofsname=PATH" (what df and /proc/mounts show), with libfuse's option
 * separators escaped, put first so that a user's own fsname= wins.
 */
static int add_fsname(struct fuse_args *args, const char *image)
{
	char abs[PATH_MAX], *arg, *q;
	const char *p;
	int ret;

	if (!realpath(image, abs))
		snprintf(abs, sizeof(abs), "%s", image);
	arg = malloc(strlen("-ofsname=") + 2 * strlen(abs) + 1);
	if (!arg)
		return -1;
	q = arg + sprintf(arg, "-ofsname=");
	for (p = abs; *p; p++) {
		if (*p == ',' || *p == '\\')
			*q++ = '\\';
		*q++ = *p;
	}
	*q = '\0';
	ret = fuse_opt_insert_arg(args, 1, arg);
	free(arg);
	return ret;
}

/* Step 2: the parent waits for the child's status byte and exits with it. */
static int detach_fork(int *status_fd)
{
	int pfd[2];
	unsigned char status;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd) < 0) {
		tool_error(NULL, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		tool_error(NULL, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(pfd[1]);
		do
			n = read(pfd[0], &status, 1);
		while (n < 0 && errno == EINTR);
		/* Nothing read: the child died; it said why on stderr. */
		_exit(n == 1 ? status : 1);
	}
	close(pfd[0]);
	*status_fd = pfd[1];
	return 0;
}

static void report(int *status_fd, unsigned char status)
{
	if (*status_fd < 0)
		return;
	if (write(*status_fd, &status, 1) != 1)
		status = 1;	/* the parent is gone: nothing else to do */
	close(*status_fd);
	*status_fd = -1;
}

/* Step 3's end: leave the terminal and session like a daemon. */
static void detach_finish(void)
{
	int fd;

	setsid();
	if (chdir("/") < 0)
		return;
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

/* What the kernel needs beyond the mounted image, before serving. */
static int kernel_setup(struct image *img)
{
	struct lkl_rlimit64 nofile = { 1 << 20, 1 << 20 };
	long ret;

	/* Every inode the host holds is an open O_PATH file. */
	lkl_sys_prlimit64(0, LKL_RLIMIT_NOFILE, &nofile, NULL);
	/* The caller's umask is applied per request (ops.c: new_mode). */
	lkl_sys_umask(0);
	/* /proc/self/fd/N reopens inodes and reaches them for xattrs. */
	ret = lkl_mount_fs("proc");
	if (ret < 0) {
		tool_error(img->path, "cannot mount /proc in the kernel: %s",
			   lkl_strerror(ret));
		return -1;
	}
	ret = inodes_init(img->mnt);
	if (ret < 0) {
		tool_error(img->path, "cannot open the root directory: %s",
			   lkl_strerror(ret));
		return -1;
	}
	return 0;
}

static int serve(struct fuse_session *se, struct fuse_cmdline_opts *cmd)
{
	struct fuse_loop_config *cfg;
	int ret;

	if (cmd->singlethread)
		return fuse_session_loop(se);
	/*
	 * Each worker thread becomes its own kernel task on its first call,
	 * so a call that sleeps in the kernel holds up only its own thread.
	 */
	cfg = fuse_loop_cfg_create();
	if (!cfg)
		return -ENOMEM;
	fuse_loop_cfg_set_clone_fd(cfg, cmd->clone_fd);
	/* libfuse's parser leaves UINT_MAX for "not given": keep defaults. */
	if (cmd->max_idle_threads != UINT_MAX)
		fuse_loop_cfg_set_idle_threads(cfg, cmd->max_idle_threads);
	if (cmd->max_threads && cmd->max_threads != UINT_MAX)
		fuse_loop_cfg_set_max_threads(cfg, cmd->max_threads);
	ret = fuse_session_loop_mt(se, cfg);
	fuse_loop_cfg_destroy(cfg);
	return ret;
}

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct fuse_cmdline_opts cmd;
	struct lf_options o;
	struct image_opts io;
	struct image img;
	int status_fd = -1, status, ret;

	tool_init(argv[0]);
	memset(&o, 0, sizeof(o));
	memset(&cmd, 0, sizeof(cmd));
	status = 2;
	if (options_parse(&args, &o) != OPTIONS_OK) {
		options_usage(stderr);
		goto free_args;
	}
	/* Before libfuse's parser, which would say "bad mount point". */
	if (!o.help && !o.version && (check_image(&o) < 0 ||
				      check_mountpoint(o.mountpoint) < 0)) {
		status = 1;
		goto free_args;
	}
	if (fuse_parse_cmdline(&args, &cmd) < 0) {
		options_usage(stderr);
		goto free_args;
	}
	status = 0;
	if (o.help) {
		options_usage(stdout);
		printf("\nlibfuse options:\n");
		fuse_cmdline_help();
		fuse_lowlevel_help();
		goto free_args;
	}
	if (o.version) {
		tool_print_version();
		printf("FUSE library version %s\n", fuse_pkgversion());
		goto free_args;
	}

	status = 1;
	lf.default_permissions = !o.no_default_permissions;
	lf.timeout = CACHE_TIMEOUT;
	if ((lf.default_permissions &&
	     fuse_opt_add_arg(&args, "-odefault_permissions") < 0) ||
	    add_fsname(&args, o.image) < 0) {
		tool_error(NULL, "out of memory");
		goto free_args;
	}
	lf.se = fuse_session_new(&args, &lf_ops, sizeof(lf_ops), NULL);
	if (!lf.se) {
		options_usage(stderr);
		status = 2;	/* libfuse said which option it rejects */
		goto free_args;
	}

	if (!cmd.foreground && detach_fork(&status_fd) < 0)
		goto destroy;

	memset(&io, 0, sizeof(io));
	io.path = o.image;
	io.fstype = o.type;
	io.part = o.partition;
	io.mount_opts = o.opts;
	io.readonly = o.ro;
	io.mem_mb = o.mem_mb;
	io.kernel_log = o.kernel_log;
	if (image_open(&img, &io) < 0)
		goto destroy;
	if (kernel_setup(&img) < 0)
		goto close_image;
	if (fuse_set_signal_handlers(lf.se) < 0) {
		tool_error(NULL, "cannot set signal handlers");
		goto close_image;
	}
	if (fuse_session_mount(lf.se, cmd.mountpoint) < 0) {
		tool_error(cmd.mountpoint, "cannot mount (see above)");
		goto signals;
	}

	if (status_fd >= 0) {
		detach_finish();
		report(&status_fd, 0);
	}
	ret = serve(lf.se, &cmd);
	status = ret < 0 ? 1 : 0;
	if (ret < 0)
		tool_error(cmd.mountpoint, "serving failed: %s", strerror(-ret));
	fuse_session_unmount(lf.se);
signals:
	fuse_remove_signal_handlers(lf.se);
close_image:
	inodes_release_all();
	ops_release_all();
	if (image_close(&img) < 0)
		status = 1;
destroy:
	report(&status_fd, 1);
	fuse_session_destroy(lf.se);
free_args:
	free(cmd.mountpoint);
	free(o.type);
	free(o.mb);
	free(o.part);
	free(o.opts);
	fuse_opt_free_args(&args);
	return status;
}
