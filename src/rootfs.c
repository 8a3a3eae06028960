// SPDX-License-Identifier: GPL-2.0
/* The guest's root in the library kernel. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <lkl.h>

#include "guest/elf.h"
#include "guest/hostfd.h"
#include "intercept/supervisor.h"
#include "rootfs.h"
#include "tool.h"

struct extra_mount {
	const char *dir, *type, *data;
	unsigned long flags;
	enum mounts_level level;
};

static const struct extra_mount extras[] = {
	{ "proc", "proc", NULL, LKL_MS_NOSUID | LKL_MS_NODEV | LKL_MS_NOEXEC, MOUNTS_MINIMAL },
	{ "sys", "sysfs", NULL, LKL_MS_NOSUID | LKL_MS_NODEV | LKL_MS_NOEXEC, MOUNTS_MINIMAL },
	{ "dev", "devtmpfs", NULL, LKL_MS_NOSUID, MOUNTS_MINIMAL },
	{ "dev/pts", "devpts", "mode=620,ptmxmode=666", LKL_MS_NOSUID | LKL_MS_NOEXEC,
	  MOUNTS_MINIMAL },
	{ "tmp", "tmpfs", "mode=1777", LKL_MS_NOSUID | LKL_MS_NODEV, MOUNTS_FULL },
	{ "dev/shm", "tmpfs", "mode=1777", LKL_MS_NOSUID | LKL_MS_NODEV, MOUNTS_FULL },
};

/*
 * The image's own disk (and any other) is kbox's: a guest writing to it
 * under the mounted file system would wreck it.  devtmpfs is the kernel's
 * one instance, so the nodes go for good.
 */
static void dev_hide_disks(const char *dev)
{
	char buf[4096] __attribute__((aligned(8)));
	long fd, n, off;

	fd = lkl_sys_openat(LKL_AT_FDCWD, dev, LKL_O_RDONLY | LKL_O_DIRECTORY, 0);
	if (fd < 0)
		return;
	while ((n = lkl_sys_getdents64(fd, (void *)buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			struct lkl_linux_dirent64 *d = (struct lkl_linux_dirent64 *)(buf + off);

			if (d->d_type == LKL_DT_BLK)
				lkl_sys_unlinkat(fd, d->d_name, 0);
			off += d->d_reclen;
		}
	}
	lkl_sys_close(fd);
}

/* What udev and container runtimes add to /dev, where devtmpfs has none. */
static void dev_links(const char *dev)
{
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
	};
	char path[300];
	size_t i;

	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dev, links[i][0]);
		lkl_sys_symlinkat(links[i][1], LKL_AT_FDCWD, path);	/* EEXIST: kept */
	}
}

int rootfs_mount_extras(const char *mnt, const struct kbox_opts *opts)
{
	static char data[4096];	/* the kernel reads a whole page */
	struct lkl_stat st;
	char dir[256];
	size_t i;
	long ret;

	for (i = 0; i < sizeof(extras) / sizeof(extras[0]); i++) {
		const struct extra_mount *m = &extras[i];

		if (m->level > opts->mounts)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", mnt, m->dir);
		/* Only where the image has the directory: kbox adds none to it. */
		if (!strncmp(m->dir, "dev/", 4))
			lkl_sys_mkdirat(LKL_AT_FDCWD, dir, 0755);	/* in devtmpfs */
		if (lkl_sys_newfstatat(LKL_AT_FDCWD, dir, &st, 0) < 0 ||
		    !LKL_S_ISDIR(st.st_mode))
			continue;
		memset(data, 0, sizeof(data));
		if (m->data)
			snprintf(data, sizeof(data), "%s", m->data);
		ret = lkl_sys_mount(m->type, dir, m->type, m->flags, data);
		if (ret < 0) {
			tool_error(NULL, "cannot mount %s on /%s: %s", m->type,
				   m->dir, lkl_strerror(ret));
			return -1;
		}
		if (!strcmp(m->type, "devtmpfs")) {
			dev_hide_disks(dir);
			dev_links(dir);
		}
	}
	return 0;
}

void rootfs_set_hostname(const char *mnt)
{
	char path[256], name[65];
	long fd, n;

	snprintf(path, sizeof(path), "%s/etc/hostname", mnt);
	fd = lkl_sys_openat(LKL_AT_FDCWD, path, LKL_O_RDONLY, 0);
	n = fd < 0 ? 0 : lkl_sys_read(fd, name, sizeof(name) - 1);
	if (fd >= 0)
		lkl_sys_close(fd);
	name[n > 0 ? n : 0] = '\0';
	name[strcspn(name, " \t\r\n")] = '\0';
	if (!name[0])
		strcpy(name, "kbox");
	lkl_sys_sethostname(name, strlen(name));
}

void rootfs_loopback_up(void)
{
	struct ifreq ifr;
	long fd = lkl_sys_socket(LKL_AF_INET, LKL_SOCK_DGRAM, 0);

	if (fd < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (lkl_sys_ioctl(fd, SIOCGIFFLAGS, (long)&ifr) >= 0) {
		ifr.ifr_flags |= IFF_UP;
		lkl_sys_ioctl(fd, SIOCSIFFLAGS, (long)&ifr);
	}
	lkl_sys_close(fd);
}

void rootfs_umount_extras(const char *mnt)
{
	char dir[256];
	int i;

	for (i = (int)(sizeof(extras) / sizeof(extras[0])) - 1; i >= 0; i--) {
		snprintf(dir, sizeof(dir), "%s/%s", mnt, extras[i].dir);
		lkl_sys_umount2(dir, 0);
	}
}

static int set_identity(const struct kbox_opts *opts)
{
	long uid = getuid(), gid = getgid();
	unsigned int g;
	long ret;

	if (opts->root_id) {
		uid = 0;
		gid = 0;
	} else if (opts->change_id) {
		uid = opts->uid;
		gid = opts->gid;
	}
	g = (unsigned int)gid;
	ret = lkl_sys_setgroups(1, &g);
	if (ret >= 0)
		ret = lkl_sys_setresgid(gid, gid, gid);
	if (ret >= 0)
		ret = lkl_sys_setresuid(uid, uid, uid);
	if (ret < 0)
		tool_error(NULL, "cannot take the guest identity %ld:%ld: %s",
			   uid, gid, lkl_strerror(ret));
	return ret < 0 ? -1 : 0;
}

/* The kernel's fs.nr_open: no fd table grows beyond it. */
#define KERNEL_NR_OPEN	(1 << 20)

/*
 * The guest's fd limit holds in the kernel too (see do_prlimit in
 * dispatch/pidcalls.c): the host's soft limit, under the largest hard
 * limit the kernel has, so that the guest can raise its soft limit as
 * far as the host lets it without a capability in the kernel.
 */
static void set_nofile(void)
{
	struct lkl_rlimit64 klim = { KERNEL_NR_OPEN, KERNEL_NR_OPEN };
	struct rlimit lim;

	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < klim.rlim_cur)
		klim.rlim_cur = lim.rlim_cur;
	lkl_sys_prlimit64(0, LKL_RLIMIT_NOFILE, &klim, NULL);
}

/* Placeholders at the numbers of the host fds the guest inherits. */
static int hold_stdio(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		long k;

		if (fcntl(fd, F_GETFD) < 0)
			continue;
		k = hostfd_placeholder(false);
		if (k >= 0 && k != fd) {
			long d = lkl_sys_dup3(k, fd, 0);

			lkl_sys_close(k);
			k = d;
		}
		if (k < 0) {
			tool_error(NULL, "cannot set up the guest's fd table: %s",
				   lkl_strerror(k));
			return -1;
		}
	}
	return 0;
}

static int check_error(const char *cmd, long err)
{
	if (err == -LKL_ENOENT || err == -LKL_ENOTDIR) {
		tool_error(cmd, "command not found in the image");
		return EXIT_NOT_FOUND;
	}
	if (err == -LKL_ENOEXEC)
		tool_error(cmd, "cannot execute: not an x86_64 program or script");
	else
		tool_error(cmd, "cannot execute: %s", lkl_strerror(err));
	return EXIT_CANNOT_EXEC;
}

/* A dynamic program's loader, or a script's interpreter, must be in the image too. */
static int check_interp(const char *cmd, const struct exec_info *info)
{
	struct exec_info iinfo;
	long fd;

	if (!info->interp[0])
		return 0;
	fd = exec_open(LKL_AT_FDCWD, info->interp, 0, &iinfo);
	if (fd < 0) {
		tool_error(cmd, "cannot execute: its %s %s: %s",
			   info->script ? "interpreter" : "loader", info->interp,
			   fd == -LKL_ENOENT ? "not in the image" : lkl_strerror(fd));
		return EXIT_CANNOT_EXEC;
	}
	lkl_sys_close(fd);
	return 0;
}

/* execvp's search, inside the image, as the guest task. */
static int resolve(const char *cmd, const char *path_env, char *out, size_t len)
{
	struct exec_info info;
	long fd, first_err = -LKL_ENOENT;
	const char *p = path_env, *end;

	if (!*cmd) {
		tool_error(NULL, "empty command");
		return EXIT_NOT_FOUND;
	}
	if (strchr(cmd, '/')) {
		fd = exec_open(LKL_AT_FDCWD, cmd, 0, &info);
		if (fd < 0)
			return check_error(cmd, fd);
		lkl_sys_close(fd);
		snprintf(out, len, "%s", cmd);
		return check_interp(cmd, &info);
	}
	while (p && *p) {
		char cand[PATH_MAX];
		size_t dl;

		end = strchr(p, ':');
		dl = end ? (size_t)(end - p) : strlen(p);
		snprintf(cand, sizeof(cand), "%.*s/%s", (int)dl, dl ? p : ".", cmd);
		fd = exec_open(LKL_AT_FDCWD, cand, 0, &info);
		if (fd >= 0) {
			lkl_sys_close(fd);
			snprintf(out, len, "%s", cand);
			return check_interp(cmd, &info);
		}
		if (fd != -LKL_ENOENT && fd != -LKL_ENOTDIR && first_err == -LKL_ENOENT)
			first_err = fd;
		p = end ? end + 1 : NULL;
	}
	return check_error(cmd, first_err);
}

static void *end_task_main(void *arg)
{
	if (lkl_task_adopt((long)arg) >= 0)
		lkl_sys_exit(0);
	return NULL;
}

void rootfs_end_task(long ktid)
{
	pthread_t th;

	/* A thread becomes the task and exits: its root, cwd and files go. */
	if (ktid > 0 && pthread_create(&th, NULL, end_task_main, (void *)ktid) == 0)
		pthread_join(th, NULL);
}

/* /proc/PID/cmdline of the guest's task: the command kbox runs. */
static void set_cmdline(char *const *argv)
{
	size_t len = 0, n;
	char *buf, *p;
	int i;

	for (i = 0; argv[i]; i++)
		len += strlen(argv[i]) + 1;
	buf = malloc(len ? len : 1);
	if (!buf)
		return;
	for (p = buf, i = 0; argv[i]; i++, p += n) {
		n = strlen(argv[i]) + 1;
		memcpy(p, argv[i], n);
	}
	lkl_task_set_cmdline(buf, len);
	free(buf);
}

int rootfs_guest_task(const char *mnt, const struct kbox_opts *opts,
		      const char *path_env, struct guest_task *gt)
{
	long self, ret;
	int status = EXIT_KBOX_ERROR;

	self = lkl_sys_gettid();
	ret = supervisor_prepare_kernel();
	if (ret < 0) {
		tool_error(NULL, "cannot prepare kernel tasks: %s", lkl_strerror(ret));
		return EXIT_KBOX_ERROR;
	}
	gt->ktid = lkl_task_clone(LKL_SIGCHLD);
	if (gt->ktid < 0) {
		tool_error(NULL, "cannot make the guest's kernel task: %s",
			   lkl_strerror(gt->ktid));
		return EXIT_KBOX_ERROR;
	}
	/* Become the new task for a while to set it up, then come back. */
	ret = lkl_task_adopt(gt->ktid);
	if (ret < 0) {
		tool_error(NULL, "cannot enter the guest's kernel task: %s",
			   lkl_strerror(ret));
		return EXIT_KBOX_ERROR;
	}
	ret = lkl_sys_chroot(mnt);
	if (ret >= 0)
		ret = lkl_sys_chdir("/");
	if (ret < 0) {
		tool_error(NULL, "cannot enter the image: %s", lkl_strerror(ret));
		goto back;
	}
	lkl_sys_umask(022);
	set_nofile();
	set_cmdline(opts->argv);
	if (hold_stdio() || set_identity(opts))
		goto back;
	if (opts->workdir) {
		ret = lkl_sys_chdir(opts->workdir);
		if (ret < 0) {
			tool_error(opts->workdir, "cannot use as working directory: %s",
				   lkl_strerror(ret));
			goto back;
		}
	}
	status = resolve(opts->argv[0], path_env, gt->path, sizeof(gt->path));
back:
	ret = lkl_task_adopt(self);
	if (ret < 0) {
		tool_error(NULL, "cannot leave the guest's kernel task: %s",
			   lkl_strerror(ret));
		return EXIT_KBOX_ERROR;
	}
	if (status)
		rootfs_end_task(gt->ktid);
	return status;
}
