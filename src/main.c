// SPDX-License-Identifier: GPL-2.0
/*
 * kbox: run a program from a root filesystem image, its system calls
 * served by the Linux kernel linked into this process.
 *
 *   boot and mount (tools/common/image.c) -> host directories bound in
 *   (binds/) -> the guest's root and first task (rootfs.c) -> fork it under the seccomp filter (intercept/) ->
 *   serve its calls (intercept/supervisor.c, dispatch/) until it exits.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lkl.h>

#include "binds/binds.h"
#include "cli.h"
#include "dispatch/dispatch.h"
#include "dispatch/epollbridge.h"
#include "guest/execdir.h"
#include "guest/lineage.h"
#include "guest/process.h"
#include "guest/shadow.h"
#include "image.h"
#include "intercept/landlock.h"
#include "intercept/keeper.h"
#include "intercept/launch.h"
#include "intercept/supervisor.h"
#include "rootfs.h"
#include "tool.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* kbox's default image sits beside the binary: build/images/busybox.ext4. */
static char *default_image(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("KBOX_IMAGE");
	char exe[PATH_MAX - 32], *slash;
	ssize_t n;

	if (env && *env)
		return (char *)env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	snprintf(path, sizeof(path), "%s/images/busybox.ext4", exe);
	if (access(path, F_OK) == 0)
		return path;
	/* The sanitizer build lives one level deeper (build/san/kbox). */
	slash = strrchr(exe, '/');
	if (slash) {
		*slash = '\0';
		snprintf(path, sizeof(path), "%s/images/busybox.ext4", exe);
	}
	return path;
}

/* A clean environment plus -e. */
static char **guest_env(const struct kbox_opts *o, const char **path_env)
{
	int n = 0, i, j;
	char **env = calloc(o->nenv + 5, sizeof(char *));
	const char *term = getenv("TERM");
	static char term_var[256];

	if (!env)
		return NULL;
	env[n++] = "PATH=" DEFAULT_PATH;
	env[n++] = (o->root_id || (!o->change_id && getuid() == 0)) ?
		   "HOME=/root" : "HOME=/";
	snprintf(term_var, sizeof(term_var), "TERM=%s", term && *term ? term : "dumb");
	env[n++] = term_var;
	env[n++] = "LANG=C.UTF-8";
	for (i = 0; i < o->nenv; i++) {
		size_t k = strchr(o->env[i], '=') - o->env[i] + 1;

		for (j = 0; j < n; j++)
			if (!strncmp(env[j], o->env[i], k))
				break;
		env[j] = o->env[i];
		if (j == n)
			n++;
	}
	*path_env = DEFAULT_PATH;
	for (j = 0; j < n; j++)
		if (!strncmp(env[j], "PATH=", 5))
			*path_env = env[j] + 5;
	return env;
}

static int exit_status(int status)
{
	if (status < 0)
		return EXIT_KBOX_ERROR;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_KBOX_ERROR;
}

int main(int argc, char **argv)
{
	struct kbox_opts opts;
	struct image_opts io;
	struct image img;
	struct guest_task gt;
	struct launch l;
	struct gthread *initial = NULL;
	struct fdtab *fds;
	const char *path_env;
	char **envp;
	int ret, listener, status, fd;
	pid_t pid;

	tool_init(argv[0]);
	ret = cli_parse(argc, argv, &opts);
	if (ret >= 0) {
		cli_free(&opts);
		return ret;
	}
	dispatch_verbose = opts.verbose;
	/* Before any thread: the keeper ends the guests if kbox is killed. */
	ret = keeper_start();
	if (ret < 0 && opts.verbose)
		fprintf(stderr, "kbox: no keeper process: %s\n", strerror(-ret));
	envp = guest_env(&opts, &path_env);
	if (!envp) {
		tool_error(NULL, "out of memory");
		return EXIT_KBOX_ERROR;
	}

	memset(&io, 0, sizeof(io));
	io.path = opts.root ? opts.root : default_image();
	if (!io.path) {
		tool_error(NULL, "no image given and no default image found");
		cli_free(&opts);
		free(envp);
		return EXIT_KBOX_ERROR;
	}
	io.fstype = opts.fstype;
	io.part = opts.part;
	io.mount_opts = opts.mount_opts;
	io.readonly = opts.readonly;
	io.mem_mb = opts.mem_mb;
	io.cmdline = opts.kernel_cmdline;
	io.kernel_log = opts.verbose > 1;
	if (image_open(&img, &io) < 0) {
		cli_free(&opts);
		free(envp);
		return EXIT_KBOX_ERROR;
	}

	status = -1;
	rootfs_set_hostname(img.mnt);
	rootfs_loopback_up();
	ret = rootfs_mount_extras(img.mnt, &opts);
	if (!ret)
		ret = binds_start(img.mnt, &opts);
	if (!ret)
		ret = rootfs_guest_task(img.mnt, &opts, path_env, &gt);
	if (ret) {
		ret = ret < 0 ? EXIT_KBOX_ERROR : ret;
		goto close;
	}
	ret = execdir_create();
	if (ret < 0) {
		tool_error(NULL, "cannot make the exec directory: %s", strerror(-ret));
		ret = EXIT_KBOX_ERROR;
		goto close;
	}
	keeper_watch(execdir_path());
	dispatch_init();

	fds = fdtab_new();
	for (fd = 0; fds && fd < 3; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			fdtab_set(fds, fd, FDT_HOST);
	l.path = gt.path;
	l.argv = opts.argv;
	l.envp = envp;
	l.host_cwd = execdir_path();
	l.landlock_abi = landlock_abi();
	if (opts.verbose)
		fprintf(stderr, "kbox: Landlock ABI %d%s\n", l.landlock_abi,
			landlock_scopes_signals(l.landlock_abi) ? "" :
			" (signals checked by kbox)");
	ret = lineage_init();
	if (ret < 0) {
		if (ret == -EXDEV)
			tool_error(NULL, "/proc is not of this pid namespace "
				   "(mount one for it, as unshare --mount-proc does)");
		else
			tool_error(NULL, "cannot watch the guest's processes: %s",
				   strerror(-ret));
		ret = EXIT_KBOX_ERROR;
		goto end_task;
	}
	/* Terminal signals are the guest's; kbox ends when it does. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	pid = fds ? launch_guest(&l, &listener) : -1;
	if (pid < 0) {
		ret = EXIT_KBOX_ERROR;
		goto end_task;
	}
	initial = guest_add_initial(pid, gt.ktid, fds);
	if (!initial) {
		kill(pid, SIGKILL);
		ret = EXIT_KBOX_ERROR;
		goto end_task;
	}
	status = supervisor_run(listener, initial, pid);
	epoll_bridge_stop();
	shadow_end();
	ret = exit_status(status);
	goto rmdir;
end_task:
	/* No guest came for the kernel task: its root and cwd would pin the image. */
	rootfs_end_task(gt.ktid);
	if (fds && !initial)
		fdtab_put(fds);
rmdir:
	execdir_remove();
close:
	binds_stop(img.mnt);
	rootfs_umount_extras(img.mnt);
	if (image_close(&img) < 0 && ret == 0)
		ret = EXIT_KBOX_ERROR;
	cli_free(&opts);
	free(envp);
	return ret;
}
