// SPDX-License-Identifier: GPL-2.0
/*
 * Filesystem helpers that run inside the library kernel: find a virtio disk's
 * device number through sysfs, mount it under /mnt, mount pseudo
 * filesystems.  Everything goes through lkl_syscall() with the asm-generic
 * numbers of ksyscall.h; results are the kernel's -errno values.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lkl_host.h>

#include "ksyscall.h"
#include "virtio.h"

#define MOUNT_DATA_SIZE	4096	/* the kernel copies a whole page of data */

static long k_mkdir(const char *path, int mode)
{
	return k_syscall(K_NR_mkdirat, K_AT_FDCWD, (long)path, mode);
}

static long k_rmdir(const char *path)
{
	return k_syscall(K_NR_unlinkat, K_AT_FDCWD, (long)path, K_AT_REMOVEDIR);
}

static long k_unlink(const char *path)
{
	return k_syscall(K_NR_unlinkat, K_AT_FDCWD, (long)path, 0);
}

static long k_open(const char *path, int flags)
{
	return k_syscall(K_NR_openat, K_AT_FDCWD, (long)path,
			 flags | K_O_CLOEXEC, 0);
}

static long k_close(long fd)
{
	return k_syscall(K_NR_close, fd);
}

/* Directory mounted-ness: a mount point lives on another device than "/". */
static int is_mountpoint(const char *path)
{
	struct k_statx root, st;

	memset(&root, 0, sizeof(root));
	memset(&st, 0, sizeof(st));
	if (k_syscall(K_NR_statx, K_AT_FDCWD, (long)"/", 0,
		      K_STATX_BASIC_STATS, (long)&root) < 0 ||
	    k_syscall(K_NR_statx, K_AT_FDCWD, (long)path, 0,
		      K_STATX_BASIC_STATS, (long)&st) < 0)
		return 0;
	return root.stx_dev_major != st.stx_dev_major ||
	       root.stx_dev_minor != st.stx_dev_minor;
}

static pthread_mutex_t mount_fs_lock = PTHREAD_MUTEX_INITIALIZER;

long lkl_mount_fs(const char *fstype)
{
	char path[80];
	int created = 1;
	long ret;

	if (!fstype || !*fstype || strchr(fstype, '/') ||
	    strlen(fstype) >= sizeof(path) - 1)
		return -K_EINVAL;
	snprintf(path, sizeof(path), "/%s", fstype);

	/* Serialized so two callers never stack two mounts on one directory. */
	pthread_mutex_lock(&mount_fs_lock);
	ret = k_mkdir(path, 0700);
	if (ret == -K_EEXIST) {
		if (is_mountpoint(path)) {
			ret = 1;
			goto out;
		}
		created = 0;
	} else if (ret < 0) {
		goto out;
	}

	ret = k_syscall(K_NR_mount, (long)fstype, (long)path, (long)fstype, 0, 0);
	if (ret < 0 && created)
		k_rmdir(path);
out:
	pthread_mutex_unlock(&mount_fs_lock);
	return ret < 0 ? ret : ret ? 1 : 0;
}

int lkl_host_sysfs_write(const char *path, const char *str)
{
	long fd, ret;

	ret = lkl_mount_fs("sysfs");
	if (ret < 0)
		return (int)ret;
	fd = k_open(path, K_O_WRONLY);
	if (fd < 0)
		return (int)fd;
	ret = k_syscall(K_NR_write, fd, (long)str, (long)strlen(str));
	k_close(fd);
	return ret < 0 ? (int)ret : 0;
}

/*
 * Find the first entry of directory dir named prefix<digits> (digits_only)
 * or prefix<anything>; copy its name to name.
 */
static long find_entry(const char *dir, const char *prefix, int digits_only,
		       char *name, size_t len)
{
	size_t plen = strlen(prefix);
	long fd, n, ret = -K_ENOENT;
	char *buf;

	buf = malloc(4096);
	if (!buf)
		return -K_ENOMEM;
	fd = k_open(dir, K_O_RDONLY | K_O_DIRECTORY);
	if (fd < 0) {
		free(buf);
		return fd;
	}
	while (ret == -K_ENOENT) {
		long off = 0;

		n = k_syscall(K_NR_getdents64, fd, (long)buf, 4096);
		if (n <= 0) {
			if (n < 0)
				ret = n;
			break;
		}
		while (off < n) {
			struct k_dirent64 *d = (struct k_dirent64 *)(buf + off);
			const char *rest = d->d_name + plen;

			if (d->d_reclen == 0)
				break;
			off += d->d_reclen;
			if (strncmp(d->d_name, prefix, plen) || !*rest)
				continue;
			if (digits_only &&
			    strspn(rest, "0123456789") != strlen(rest))
				continue;
			if (strlen(d->d_name) >= len) {
				ret = -K_ENAMETOOLONG;
				break;
			}
			strcpy(name, d->d_name);
			ret = 0;
			break;
		}
	}
	k_close(fd);
	free(buf);
	return ret;
}

static long read_small_file(const char *path, char *buf, size_t len)
{
	long fd, n;

	fd = k_open(path, K_O_RDONLY);
	if (fd < 0)
		return fd;
	n = k_syscall(K_NR_read, fd, (long)buf, (long)len - 1);
	k_close(fd);
	if (n < 0)
		return n;
	buf[n] = 0;
	return n;
}

int lkl_get_virtio_blkdev(int disk_id, unsigned int part, unsigned int *pdevid)
{
	char path[256], virtio[32], vd[32], buf[32];
	unsigned int major, minor;
	size_t len;
	int nboot;
	long ret;

	if (disk_id < 0 || !pdevid)
		return -K_EINVAL;

	ret = lkl_mount_fs("sysfs");
	if (ret < 0)
		return (int)ret;

	nboot = lkl_host_virtio_boot_count();
	if (disk_id < nboot)
		len = (size_t)snprintf(path, sizeof(path),
				"/sysfs/devices/virtio-mmio-cmdline/virtio-mmio.%d",
				disk_id);
	else
		len = (size_t)snprintf(path, sizeof(path),
				"/sysfs/devices/platform/virtio-mmio.%d.auto",
				disk_id - nboot);

	/* .../virtio<N>: the virtio device the driver bound. */
	ret = find_entry(path, "virtio", 1, virtio, sizeof(virtio));
	if (ret < 0)
		return (int)ret;
	len += (size_t)snprintf(path + len, sizeof(path) - len, "/%s/block",
				virtio);

	/* .../block/vd<X>: the disk. */
	ret = find_entry(path, "vd", 0, vd, sizeof(vd));
	if (ret < 0)
		return (int)ret;
	if (part)
		snprintf(path + len, sizeof(path) - len, "/%s/%s%u/dev",
			 vd, vd, part);
	else
		snprintf(path + len, sizeof(path) - len, "/%s/dev", vd);

	ret = read_small_file(path, buf, sizeof(buf));
	if (ret < 0)
		return (int)ret;
	if (sscanf(buf, "%u:%u", &major, &minor) != 2)
		return -K_EINVAL;

	/* The kernel's new_encode_dev(). */
	*pdevid = (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
	return 0;
}

long lkl_mount_dev(unsigned int disk_id, unsigned int part,
		   const char *fs_type, int flags, const char *opts,
		   char *mnt_str, unsigned int mnt_str_len)
{
	char dev_path[32], mnt_path[32], *data = NULL;
	int node_created = 1, dir_created = 1;
	unsigned int devid;
	long ret;

	if (!fs_type || !mnt_str || disk_id > (unsigned int)INT32_MAX)
		return -K_EINVAL;
	if (opts && strlen(opts) >= MOUNT_DATA_SIZE)
		return -K_EINVAL;

	ret = lkl_get_virtio_blkdev((int)disk_id, part, &devid);
	if (ret < 0)
		return ret;

	snprintf(dev_path, sizeof(dev_path), "/dev/%08x", devid);
	snprintf(mnt_path, sizeof(mnt_path), "/mnt/%08x", devid);
	if (strlen(mnt_path) >= mnt_str_len)
		return -K_ENAMETOOLONG;

	if (opts) {
		/* Zeroed page: the kernel reads all of it, not just the string. */
		data = calloc(1, MOUNT_DATA_SIZE);
		if (!data)
			return -K_ENOMEM;
		strcpy(data, opts);
	}

	ret = k_mkdir("/dev", 0700);
	if (ret < 0 && ret != -K_EEXIST)
		goto out;
	ret = k_syscall(K_NR_mknodat, K_AT_FDCWD, (long)dev_path,
			K_S_IFBLK | 0600, devid);
	if (ret == -K_EEXIST)
		node_created = 0;
	else if (ret < 0)
		goto out;

	ret = k_mkdir("/mnt", 0700);
	if (ret < 0 && ret != -K_EEXIST)
		goto out_node;
	ret = k_mkdir(mnt_path, 0700);
	if (ret == -K_EEXIST)
		dir_created = 0;
	else if (ret < 0)
		goto out_node;

	ret = k_syscall(K_NR_mount, (long)dev_path, (long)mnt_path,
			(long)fs_type, (long)(unsigned int)flags, (long)data);
	if (ret < 0)
		goto out_dir;

	strcpy(mnt_str, mnt_path);
	ret = 0;
	goto out;

out_dir:
	if (dir_created)
		k_rmdir(mnt_path);
out_node:
	if (node_created)
		k_unlink(dev_path);
out:
	free(data);
	return ret;
}

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 +
	       (unsigned long long)ts.tv_nsec / 1000000;
}

long lkl_umount_dev(unsigned int disk_id, unsigned int part, int flags,
		    long timeout_ms)
{
	char dev_path[32], mnt_path[32];
	unsigned long long start = now_ms();
	unsigned int devid;
	long ret;

	if (disk_id > (unsigned int)INT32_MAX)
		return -K_EINVAL;
	ret = lkl_get_virtio_blkdev((int)disk_id, part, &devid);
	if (ret < 0)
		return ret;

	snprintf(dev_path, sizeof(dev_path), "/dev/%08x", devid);
	snprintf(mnt_path, sizeof(mnt_path), "/mnt/%08x", devid);

	for (;;) {
		const struct timespec tick = { 0, 10 * 1000 * 1000 };

		ret = k_syscall(K_NR_umount2, (long)mnt_path, flags);
		if (ret != -K_EBUSY || timeout_ms <= 0 ||
		    now_ms() - start >= (unsigned long long)timeout_ms)
			break;
		/* Busy: give the kernel's users time to let go. */
		nanosleep(&tick, NULL);
	}
	if (ret < 0)
		return ret;

	k_unlink(dev_path);
	k_rmdir(mnt_path);
	return 0;
}
