// SPDX-License-Identifier: GPL-2.0
/*
 * fs.c against a fake kernel: lkl_syscall() is served by a tiny in-memory
 * filesystem with a sysfs tree that appears when sysfs is mounted.
 * Covers lkl_mount_fs, lkl_get_virtio_blkdev (boot-time, hot-added,
 * partitions, large minors), lkl_mount_dev (node/dir creation, the zeroed
 * data page, cleanup on failure), lkl_umount_dev (EBUSY retry, timeout).
 *
 *   gcc -std=gnu11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
 *       -I<dir with lkl/asm/host_ops.h> -Ilkl/include \
 *       tests/lkl/host/test_fs.c lkl/host/fs.c -lpthread -o test_fs
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lkl_host.h>

#include "../../../lkl/host/ksyscall.h"
#include "../../tap.h"

/* ---- kernel and host-library stand-ins ---- */

static int fake_nboot = 2;

int lkl_host_virtio_boot_count(void)
{
	return fake_nboot;
}

enum { N_DIR = 1, N_FILE, N_BLK };

struct node {
	char path[160];
	int type;
	int mode;
	unsigned int dev;
	char content[32];
	int mounted;
};

static struct node nodes[256];
static int nnodes;

struct ofile {
	int node;	/* -1: free */
	long pos;
};

static struct ofile files[16];

static long busy_count;
static int busy_forever;
static long fail_mount;
static char mount_src[64], mount_target[64], mount_type[16];
static long mount_flags;
static char mount_data[4096];
static int mount_had_data, mount_calls;
static char written[512];

static int find(const char *path)
{
	int i;

	for (i = 0; i < nnodes; i++)
		if (nodes[i].type && !strcmp(nodes[i].path, path))
			return i;
	return -1;
}

static int parent_ok(const char *path)
{
	char parent[160];
	char *slash;
	int p;

	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (!slash)
		return 0;
	if (slash == parent)
		return 1;	/* "/" */
	*slash = 0;
	p = find(parent);
	return p >= 0 && nodes[p].type == N_DIR;
}

static int add(const char *path, int type, const char *content)
{
	struct node *n = &nodes[nnodes++];

	memset(n, 0, sizeof(*n));
	snprintf(n->path, sizeof(n->path), "%s", path);
	n->type = type;
	if (content)
		snprintf(n->content, sizeof(n->content), "%s", content);
	return (int)(n - nodes);
}

/* Files and directories, creating parent directories. */
static void add_path(const char *path, const char *content)
{
	char buf[160];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = strchr(buf + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = 0;
		if (find(buf) < 0)
			add(buf, N_DIR, NULL);
		*p = '/';
	}
	if (find(buf) < 0)
		add(buf, content ? N_FILE : N_DIR, content);
}

static void populate_sysfs(void)
{
	const char *cl = "/sysfs/devices/virtio-mmio-cmdline";

	char p[160];

	snprintf(p, sizeof(p), "%s/virtio-mmio.0/driver", cl);
	add_path(p, NULL);
	snprintf(p, sizeof(p), "%s/virtio-mmio.0/virtiofoo", cl);
	add_path(p, "decoy\n");
	snprintf(p, sizeof(p), "%s/virtio-mmio.0/virtio0/block/vda/dev", cl);
	add_path(p, "254:0\n");
	snprintf(p, sizeof(p), "%s/virtio-mmio.0/virtio0/block/vda/vda1/dev", cl);
	add_path(p, "254:1\n");
	snprintf(p, sizeof(p), "%s/virtio-mmio.1/virtio1/block/vdb/dev", cl);
	add_path(p, "254:16\n");
	add_path("/sysfs/devices/platform/virtio-mmio.0.auto/virtio2/block/vdc/dev",
		 "259:300\n");
}

static long f_mkdir(const char *path, int mode)
{
	int i;

	if (find(path) >= 0)
		return -K_EEXIST;
	if (!parent_ok(path))
		return -K_ENOENT;
	i = add(path, N_DIR, NULL);
	nodes[i].mode = mode;
	return 0;
}

static int has_children(const char *path)
{
	size_t len = strlen(path);
	int i;

	for (i = 0; i < nnodes; i++)
		if (nodes[i].type && !strncmp(nodes[i].path, path, len) &&
		    nodes[i].path[len] == '/')
			return 1;
	return 0;
}

static long f_getdents(struct ofile *f, char *buf, long len)
{
	const char *dir = nodes[f->node].path;
	size_t dlen = strlen(dir);
	long used = 0;
	int i, idx = 0;

	for (i = 0; i < nnodes; i++) {
		const char *name;
		struct k_dirent64 *d;
		size_t reclen;

		if (!nodes[i].type || strncmp(nodes[i].path, dir, dlen) ||
		    nodes[i].path[dlen] != '/')
			continue;
		name = nodes[i].path + dlen + 1;
		if (strchr(name, '/'))
			continue;
		if (idx++ < f->pos)
			continue;
		reclen = (sizeof(*d) + strlen(name) + 1 + 7) & ~7UL;
		if (used + (long)reclen > len)
			break;
		d = (struct k_dirent64 *)(buf + used);
		memset(d, 0, reclen);
		d->d_ino = (uint64_t)i + 1;
		d->d_reclen = (uint16_t)reclen;
		strcpy(d->d_name, name);
		used += (long)reclen;
		f->pos++;
	}
	return used;
}

static long fake_syscall(long no, long *p)
{
	const char *path = (const char *)p[1];
	int i;

	switch (no) {
	case K_NR_mkdirat:
		return f_mkdir(path, (int)p[2]);
	case K_NR_mknodat:
		if (find(path) >= 0)
			return -K_EEXIST;
		if (!parent_ok(path))
			return -K_ENOENT;
		i = add(path, N_BLK, NULL);
		nodes[i].mode = (int)p[2];
		nodes[i].dev = (unsigned int)p[3];
		return 0;
	case K_NR_unlinkat:
		i = find(path);
		if (i < 0)
			return -K_ENOENT;
		if (p[2] & K_AT_REMOVEDIR) {
			if (nodes[i].type != N_DIR)
				return -K_ENOTDIR;
			if (has_children(path) || nodes[i].mounted)
				return -K_EBUSY;
		} else if (nodes[i].type == N_DIR) {
			return -21;
		}
		nodes[i].type = 0;
		return 0;
	case K_NR_openat:
		i = find(path);
		if (i < 0)
			return -K_ENOENT;
		if ((p[2] & K_O_DIRECTORY) && nodes[i].type != N_DIR)
			return -K_ENOTDIR;
		for (int fd = 0; fd < 16; fd++)
			if (files[fd].node < 0) {
				files[fd].node = i;
				files[fd].pos = 0;
				return fd + 3;
			}
		return -24;
	case K_NR_close:
		if (p[0] < 3 || p[0] >= 19 || files[p[0] - 3].node < 0)
			return -K_EBADF;
		files[p[0] - 3].node = -1;
		return 0;
	case K_NR_getdents64:
		return f_getdents(&files[p[0] - 3], (char *)p[1], p[2]);
	case K_NR_read: {
		struct ofile *f = &files[p[0] - 3];
		const char *c = nodes[f->node].content + f->pos;
		long n = (long)strlen(c);

		if (n > p[2])
			n = p[2];
		memcpy((char *)p[1], c, (size_t)n);
		f->pos += n;
		return n;
	}
	case K_NR_write:
		snprintf(written, sizeof(written), "%s:%.*s",
			 nodes[files[p[0] - 3].node].path, (int)p[2],
			 (char *)p[1]);
		return p[2];
	case K_NR_mount:
		mount_calls++;
		if (fail_mount)
			return fail_mount;
		i = find((const char *)p[1]);
		if (i < 0)
			return -K_ENOENT;
		snprintf(mount_src, sizeof(mount_src), "%s", (char *)p[0]);
		snprintf(mount_target, sizeof(mount_target), "%s", (char *)p[1]);
		snprintf(mount_type, sizeof(mount_type), "%s", (char *)p[2]);
		mount_flags = p[3];
		mount_had_data = p[4] != 0;
		/* Like copy_mount_options(): a whole page. */
		if (p[4])
			memcpy(mount_data, (void *)p[4], sizeof(mount_data));
		nodes[i].mounted = 1;
		if (!strcmp(mount_type, "sysfs"))
			populate_sysfs();
		return 0;
	case K_NR_umount2:
		i = find(path = (const char *)p[0]);
		if (i < 0)
			return -K_ENOENT;
		if (busy_forever)
			return -K_EBUSY;
		if (busy_count > 0) {
			busy_count--;
			return -K_EBUSY;
		}
		if (!nodes[i].mounted)
			return -K_EINVAL;
		nodes[i].mounted = 0;
		return 0;
	case K_NR_statx: {
		struct k_statx *st = (struct k_statx *)p[4];

		i = find(path);
		if (i < 0 && strcmp(path, "/"))
			return -K_ENOENT;
		memset(st, 0, sizeof(*st));
		st->stx_dev_minor = (i >= 0 && nodes[i].mounted) ? 2 : 1;
		return 0;
	}
	default:
		return -38;
	}
}

int lkl_is_running(void)
{
	return 1;
}

long lkl_syscall(long no, long *params)
{
	return fake_syscall(no, params);
}

static void reset_fs(void)
{
	int i;

	nnodes = 0;
	for (i = 0; i < 16; i++)
		files[i].node = -1;
	busy_count = busy_forever = 0;
	fail_mount = 0;
	mount_calls = 0;
}

static int is_type(const char *path, int type)
{
	int i = find(path);

	return i >= 0 && nodes[i].type == type;
}

static int open_files(void)
{
	int i, n = 0;

	for (i = 0; i < 16; i++)
		if (files[i].node >= 0)
			n++;
	return n;
}

static unsigned long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (unsigned long long)ts.tv_sec * 1000 +
	       (unsigned long long)ts.tv_nsec / 1000000;
}

/* ---- tests ---- */

static void test_mount_fs(void)
{
	reset_fs();
	is_int(lkl_mount_fs("proc"), 0, "mount proc");
	ok(is_type("/proc", N_DIR) && nodes[find("/proc")].mounted &&
	   !strcmp(mount_type, "proc") && !strcmp(mount_target, "/proc"),
	   "proc mounted at /proc");
	is_int(nodes[find("/proc")].mode, 0700, "directory mode 0700");
	is_int(lkl_mount_fs("proc"), 1, "second mount: already there (1)");
	is_int(mount_calls, 1, "no second mount call");

	fail_mount = -19;
	is_int(lkl_mount_fs("nosuchfs"), -19, "mount failure returned");
	ok(find("/nosuchfs") < 0, "directory removed after failure");

	add("/existing", N_DIR, NULL);
	is_int(lkl_mount_fs("existing"), -19, "failure on a pre-existing dir");
	ok(is_type("/existing", N_DIR), "pre-existing dir kept");
	fail_mount = 0;
	is_int(lkl_mount_fs("existing"), 0, "unmounted existing dir gets mounted");

	is_int(lkl_mount_fs("a/b"), -K_EINVAL, "slash in fstype refused");
	is_int(lkl_mount_fs(""), -K_EINVAL, "empty fstype refused");
	is_int(lkl_mount_fs(NULL), -K_EINVAL, "NULL fstype refused");
}

static void test_blkdev(void)
{
	unsigned int dev = 0;

	reset_fs();
	is_int(lkl_get_virtio_blkdev(0, 0, &dev), 0, "boot disk 0");
	is_int(dev, 0xfe00, "254:0 -> 0xfe00");
	ok(nodes[find("/sysfs")].mounted, "sysfs mounted on demand");
	is_int(lkl_get_virtio_blkdev(0, 1, &dev), 0, "disk 0 partition 1");
	is_int(dev, 0xfe01, "254:1 -> 0xfe01");
	is_int(lkl_get_virtio_blkdev(1, 0, &dev), 0, "boot disk 1");
	is_int(dev, 0xfe10, "254:16 -> 0xfe10");
	is_int(lkl_get_virtio_blkdev(2, 0, &dev), 0,
	       "hot-added disk 2 = virtio-mmio.0.auto");
	is_int(dev, (300 & 0xff) | (259 << 8) | ((300 & ~0xff) << 12),
	       "259:300 -> new_encode_dev");
	is_int(lkl_get_virtio_blkdev(3, 0, &dev), -K_ENOENT, "no disk 3");
	is_int(lkl_get_virtio_blkdev(0, 5, &dev), -K_ENOENT, "no partition 5");
	is_int(lkl_get_virtio_blkdev(-1, 0, &dev), -K_EINVAL, "negative id");
	is_int(open_files(), 0, "no kernel fd leaked");
}

static void test_mount_dev(void)
{
	char mnt[32], small[8];
	unsigned long long start;
	int i, zero = 1;

	reset_fs();
	memset(mnt, 0, sizeof(mnt));
	is_int(lkl_mount_dev(0, 1, "ext4", 1, "errors=remount-ro", mnt,
			     sizeof(mnt)), 0, "mount disk 0 partition 1");
	ok(!strcmp(mnt, "/mnt/0000fe01"), "mount point %s", mnt);
	ok(is_type("/dev/0000fe01", N_BLK) &&
	   nodes[find("/dev/0000fe01")].mode == (K_S_IFBLK | 0600) &&
	   nodes[find("/dev/0000fe01")].dev == 0xfe01,
	   "block node /dev/0000fe01, S_IFBLK|0600, dev 0xfe01");
	ok(is_type("/dev", N_DIR) && nodes[find("/dev")].mode == 0700 &&
	   is_type("/mnt/0000fe01", N_DIR), "/dev and the mount dir created");
	ok(!strcmp(mount_src, "/dev/0000fe01") &&
	   !strcmp(mount_target, "/mnt/0000fe01") &&
	   !strcmp(mount_type, "ext4") && mount_flags == 1,
	   "mount(source, target, type, flags)");
	for (i = (int)strlen("errors=remount-ro"); i < 4096; i++)
		if (mount_data[i])
			zero = 0;
	ok(mount_had_data && !strcmp(mount_data, "errors=remount-ro") && zero,
	   "options passed in a zeroed 4096-byte page");

	is_int(lkl_mount_dev(1, 0, "ext4", 0, NULL, mnt, sizeof(mnt)), 0,
	       "mount without options");
	ok(!mount_had_data, "no options: NULL data");

	fail_mount = -22;
	is_int(lkl_mount_dev(0, 0, "ext4", 0, "", mnt, sizeof(mnt)), -22,
	       "mount failure returned");
	ok(find("/dev/0000fe00") < 0 && find("/mnt/0000fe00") < 0,
	   "node and directory removed after failure");
	ok(is_type("/dev", N_DIR) && is_type("/mnt", N_DIR),
	   "/dev and /mnt stay");
	fail_mount = 0;

	is_int(lkl_mount_dev(0, 0, "ext4", 0, NULL, small, sizeof(small)),
	       -K_ENAMETOOLONG, "mnt_str too small");
	ok(find("/dev/0000fe00") < 0, "nothing created");
	is_int(lkl_mount_dev(7, 0, "ext4", 0, NULL, mnt, sizeof(mnt)), -K_ENOENT,
	       "unknown disk");
	is_int(lkl_mount_dev(0, 0, NULL, 0, NULL, mnt, sizeof(mnt)), -K_EINVAL,
	       "NULL fs type");

	/* Unmount: busy three times, then gone. */
	busy_count = 3;
	start = now_ms();
	is_int(lkl_umount_dev(0, 1, 0, 1000), 0, "umount retries through EBUSY");
	ok(now_ms() - start >= 25, "retried every 10 ms (%llu ms)",
	   now_ms() - start);
	ok(find("/dev/0000fe01") < 0 && find("/mnt/0000fe01") < 0,
	   "node and directory removed");

	/* Busy forever: give up at the timeout, leave things in place. */
	busy_forever = 1;
	start = now_ms();
	is_int(lkl_umount_dev(1, 0, 0, 50), -K_EBUSY, "busy until timeout");
	ok(now_ms() - start >= 50 && now_ms() - start < 1000,
	   "gave up after the timeout (%llu ms)", now_ms() - start);
	ok(is_type("/dev/0000fe10", N_BLK) && is_type("/mnt/0000fe10", N_DIR),
	   "busy mount keeps its node and directory");
	busy_forever = 0;
	is_int(lkl_umount_dev(1, 0, 0, 0), 0, "then unmounts");
	is_int(open_files(), 0, "no kernel fd leaked");
}

int lkl_host_sysfs_write(const char *path, const char *str);

static void test_sysfs_write(void)
{
	reset_fs();
	add_path("/sysfs", NULL);
	lkl_mount_fs("sysfs");
	add_path("/sysfs/bus/platform/drivers/virtio-mmio/unbind", "");
	is_int(lkl_host_sysfs_write("/sysfs/bus/platform/drivers/virtio-mmio/unbind",
				    "virtio-mmio.3"), 0, "sysfs write");
	ok(!strcmp(written,
		   "/sysfs/bus/platform/drivers/virtio-mmio/unbind:virtio-mmio.3"),
	   "wrote the device name");
	is_int(lkl_host_sysfs_write("/sysfs/nope", "x"), -K_ENOENT,
	       "missing file");
}

int main(void)
{
	test_mount_fs();
	test_blkdev();
	test_mount_dev();
	test_sysfs_write();
	return tap_done();
}
