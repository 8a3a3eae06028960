// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to liblkl: every case must come back as a negative errno whose
 * lkl_strerror() text says what went wrong, never a crash, a hang or a
 * success; a disk whose mount failed (or was read-only) is left unchanged.
 *
 * Everything runs in one process: the bad mem= values first (a refused
 * lkl_start_kernel must not use up the process's one boot), then one boot
 * and the disk cases.  Images are made in a temporary directory with
 * mke2fs and mkfs.vfat; cases whose tool is missing are skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lkl.h>
#include "tap.h"

#define MiB		(1024L * 1024L)
#define SB_OFF		1024		/* the ext4 superblock */

static char dir[PATH_MAX];
static int have_mke2fs, have_vfat;

static void skip(const char *desc, const char *why)
{
	tap_count++;
	printf("ok %d - %s # SKIP %s\n", tap_count, desc, why);
	fflush(stdout);
}

static const char *path(const char *name)
{
	static char bufs[4][PATH_MAX];
	static int next;
	char *b = bufs[next++ & 3];

	snprintf(b, PATH_MAX, "%.3000s/%.1000s", dir, name);
	return b;
}

__attribute__((format(printf, 1, 2)))
static int run(const char *fmt, ...)
{
	char cmd[2 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int have(const char *tool)
{
	return run("PATH=$PATH:/sbin:/usr/sbin command -v %s >/dev/null 2>&1",
		   tool) == 0;
}

/* FNV-1a over the file's bytes, and its size: "unchanged" means both equal. */
struct digest {
	uint64_t h;
	long long size;
};

static struct digest digest(const char *file)
{
	struct digest d = { 0xcbf29ce484222325ULL, -1 };
	unsigned char buf[65536];
	ssize_t n, i;
	int fd = open(file, O_RDONLY);

	if (fd < 0)
		return d;
	d.size = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			d.h = (d.h ^ buf[i]) * 0x100000001b3ULL;
		d.size += n;
	}
	close(fd);
	return d;
}

static int write_file(const char *file, const void *buf, size_t len)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int ret = 0;

	if (fd < 0)
		return -1;
	if (len && write(fd, buf, len) != (ssize_t)len)
		ret = -1;
	if (close(fd))
		ret = -1;
	return ret;
}

/* Copy the first len bytes (all if len < 0) of src to dst. */
static int copy_file(const char *src, const char *dst, long len)
{
	static char buf[65536];
	int in = open(src, O_RDONLY), out, ret = 0;
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		close(in);
		return -1;
	}
	while (len && (n = read(in, buf, len > 0 && len < (long)sizeof(buf) ?
					(size_t)len : sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			ret = -1;
			break;
		}
		if (len > 0)
			len -= n;
	}
	close(in);
	if (close(out))
		ret = -1;
	return ret;
}

static int patch_file(const char *file, long off, const void *buf, size_t len)
{
	int fd = open(file, O_WRONLY);
	int ret = 0;

	if (fd < 0)
		return -1;
	if (pwrite(fd, buf, len, off) != (ssize_t)len)
		ret = -1;
	close(fd);
	return ret;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* A negative errno with a real message (not "Unknown error N"). */
static int says_what(long ret)
{
	const char *msg = lkl_strerror((int)ret);

	return ret < 0 && msg && *msg && strncmp(msg, "Unknown error", 13);
}

/* ---------------------------------------------------------------------- */
/* mem=                                                                    */

static void bad_mem(const char *cmdline)
{
	int ret = lkl_start_kernel("%s", cmdline);

	ok(ret < 0 && says_what(ret) && !lkl_is_running(),
	   "lkl_start_kernel(\"%s\") refused: %d (%s)", cmdline, ret,
	   lkl_strerror(ret));
}

/* ---------------------------------------------------------------------- */
/* Disks                                                                   */

struct mount_try {
	unsigned int part;
	const char *fstype;
	int flags;
	long want;		/* the errno wanted, 0: any negative */
};

/*
 * Add image file name (opened with oflags) as a disk, try each mount, then
 * remove the disk and check the file is unchanged.
 */
static void mount_fails(const char *what, const char *name, int oflags,
			const struct mount_try *tries, int ntries)
{
	struct digest before = digest(path(name)), after;
	struct lkl_disk disk;
	char mnt[32];
	int id, i;

	memset(&disk, 0, sizeof(disk));
	disk.fd = open(path(name), oflags);
	if (!ok(disk.fd >= 0, "%s: open the image on the host", what))
		return;
	id = lkl_disk_add(&disk);
	if (!ok(id >= 0, "%s: lkl_disk_add accepts it (%d)", what, id)) {
		printf("#   %s\n", lkl_strerror(id));
		close(disk.fd);
		return;
	}
	for (i = 0; i < ntries; i++) {
		const struct mount_try *t = &tries[i];
		long ret = lkl_mount_dev((unsigned int)id, t->part, t->fstype,
					 t->flags, NULL, mnt, sizeof(mnt));

		ok(says_what(ret) && (!t->want || ret == t->want),
		   "%s: mount part %u as %s%s fails: %ld (%s)", what, t->part,
		   t->fstype, t->flags & LKL_MS_RDONLY ? " read-only" : "",
		   ret, lkl_strerror((int)ret));
		if (t->want && ret != t->want)
			printf("#   want %ld (%s)\n", t->want,
			       lkl_strerror((int)t->want));
		if (ret == 0)
			lkl_umount_dev((unsigned int)id, t->part, 0, 1000);
	}
	is_int(lkl_disk_remove(disk), 0, "disk removed after the failed mounts");
	close(disk.fd);
	after = digest(path(name));
	ok(before.size >= 0 && before.size == after.size && before.h == after.h,
	   "%s: image unchanged (%lld bytes, fnv %016llx)", what, after.size,
	   (unsigned long long)after.h);
}

#define TRIES(...) (const struct mount_try[]){ __VA_ARGS__ },		\
	(int)(sizeof((const struct mount_try[]){ __VA_ARGS__ }) /		\
	      sizeof(struct mount_try))

static void missing_and_unreadable(void)
{
	struct lkl_disk disk;
	int fd;

	memset(&disk, 0, sizeof(disk));
	fd = open(path("does-not-exist.img"), O_RDWR);
	ok(fd < 0 && errno == ENOENT, "missing image: the caller's open fails "
	   "(%s)", strerror(errno));
	disk.fd = fd;
	is_int(lkl_disk_add(&disk), -LKL_EBADF,
	       "missing image: lkl_disk_add with fd -1 returns -EBADF");
	printf("#   %s\n", lkl_strerror(-LKL_EBADF));

	unlink(path("mode000.img"));
	if (write_file(path("mode000.img"), "x", 1) || chmod(path("mode000.img"), 0)) {
		ok(0, "make a mode 000 image");
		return;
	}
	fd = open(path("mode000.img"), O_RDONLY);
	if (fd >= 0) {
		skip("unreadable image: open fails",
		     "this user (root?) can read a mode 000 file");
		close(fd);
	} else {
		ok(errno == EACCES, "unreadable image: the caller's open fails "
		   "with EACCES (%s)", strerror(errno));
		disk.fd = fd;
		is_int(lkl_disk_add(&disk), -LKL_EBADF,
		       "unreadable image: lkl_disk_add(fd -1) returns -EBADF");
	}

	/* Not files to read: O_PATH and closed descriptors. */
	fd = open(dir, O_PATH);
	disk.fd = fd;
	is_int(lkl_disk_add(&disk), -LKL_EBADF,
	       "O_PATH descriptor: lkl_disk_add returns -EBADF");
	close(fd);
	disk.fd = fd;	/* closed now */
	is_int(lkl_disk_add(&disk), -LKL_EBADF,
	       "closed descriptor: lkl_disk_add returns -EBADF");
}

static int fail_capacity(struct lkl_disk disk, unsigned long long *res)
{
	(void)disk;
	*res = 0;
	return -LKL_EIO;
}

static int never_request(struct lkl_disk disk, struct lkl_blk_req *req)
{
	(void)disk;
	(void)req;
	return LKL_DEV_BLK_STATUS_IOERR;
}

static void bad_ops(void)
{
	struct lkl_dev_blk_ops no_request = { fail_capacity, NULL };
	struct lkl_dev_blk_ops bad_capacity = { fail_capacity, never_request };
	struct lkl_disk disk;

	memset(&disk, 0, sizeof(disk));
	disk.fd = -1;
	disk.ops = &no_request;
	is_int(lkl_disk_add(&disk), -LKL_EINVAL,
	       "block ops without request: -EINVAL");
	disk.ops = &bad_capacity;
	is_int(lkl_disk_add(&disk), -LKL_EIO,
	       "get_capacity's error comes back from lkl_disk_add");
	is_int(lkl_disk_add(NULL), -LKL_EINVAL, "lkl_disk_add(NULL): -EINVAL");
}

static void bad_mount_args(const char *valid)
{
	struct digest before = digest(path(valid)), after;
	struct lkl_disk disk;
	char mnt[32], tiny[8];
	long ret;
	int id;

	memset(&disk, 0, sizeof(disk));
	disk.fd = open(path(valid), O_RDWR);
	id = lkl_disk_add(&disk);
	if (!ok(id >= 0, "valid image added (%d)", id))
		return;
	is_int(lkl_mount_dev((unsigned int)id, 0, NULL, 0, NULL, mnt,
			     sizeof(mnt)), -LKL_EINVAL,
	       "mount with a NULL fstype: -EINVAL");
	is_int(lkl_mount_dev((unsigned int)id, 0, "ext4", 0, NULL, tiny,
			     sizeof(tiny)), -LKL_ENAMETOOLONG,
	       "mount with a too short mnt_str: -ENAMETOOLONG");
	ret = lkl_mount_dev(4242, 0, "ext4", 0, NULL, mnt, sizeof(mnt));
	ok(says_what(ret), "mount a disk id never added fails: %ld (%s)", ret,
	   lkl_strerror((int)ret));
	ret = lkl_umount_dev((unsigned int)id, 0, 0, 0);
	ok(says_what(ret), "umount of a disk not mounted fails: %ld (%s)", ret,
	   lkl_strerror((int)ret));

	/* After all the failures, the valid image still mounts. */
	ret = lkl_mount_dev((unsigned int)id, 0, "ext4", LKL_MS_RDONLY, NULL,
			    mnt, sizeof(mnt));
	is_int(ret, 0, "the valid image mounts read-only");
	if (ret == 0) {
		struct lkl_stat st;

		memset(&st, 0, sizeof(st));
		is_int(lkl_sys_stat(mnt, &st), 0, "stat its root");
		ok((st.st_mode & LKL_S_IFMT) == LKL_S_IFDIR, "root is a directory");
		is_int(lkl_umount_dev((unsigned int)id, 0, 0, 1000), 0, "umount");
	}
	is_int(lkl_disk_remove(disk), 0, "disk removed");
	close(disk.fd);
	after = digest(path(valid));
	ok(before.h == after.h && before.size == after.size,
	   "valid image unchanged by the read-only mount");
}

/* ---------------------------------------------------------------------- */

static int make_images(void)
{
	static unsigned char buf[4 * MiB];
	unsigned char zero[1024] = { 0 }, le[4];
	uint64_t x = 0x243F6A8885A308D3ULL;
	size_t i;

	if (write_file(path("zero.img"), "", 0))
		return -1;
	for (i = 0; i < sizeof(buf); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (unsigned char)x;
	}
	if (write_file(path("random.img"), buf, sizeof(buf)))
		return -1;

	have_mke2fs = have("mke2fs");
	have_vfat = have("mkfs.vfat");
	if (have_mke2fs) {
		if (run("PATH=$PATH:/sbin:/usr/sbin; mke2fs -q -F -t ext4 %s 16M "
			">/dev/null 2>&1 && mke2fs -q -F -t ext4 -O ^metadata_csum "
			"%s 16M >/dev/null 2>&1", path("valid.ext4"),
			path("nocsum.ext4")))
			return -1;
		if (copy_file(path("valid.ext4"), path("truncated.ext4"), MiB) ||
		    copy_file(path("valid.ext4"), path("badmagic.ext4"), -1) ||
		    copy_file(path("valid.ext4"), path("zerosb.ext4"), -1) ||
		    copy_file(path("nocsum.ext4"), path("badlog.ext4"), -1) ||
		    copy_file(path("nocsum.ext4"), path("badipg.ext4"), -1))
			return -1;
		/* s_magic (0xEF53) at 56; s_log_block_size at 24; s_inodes_per_group at 40. */
		put_le32(le, 0);
		if (patch_file(path("badmagic.ext4"), SB_OFF + 56, le, 2) ||
		    patch_file(path("zerosb.ext4"), SB_OFF, zero, sizeof(zero)))
			return -1;
		put_le32(le, 20);
		if (patch_file(path("badlog.ext4"), SB_OFF + 24, le, 4))
			return -1;
		put_le32(le, 0);
		if (patch_file(path("badipg.ext4"), SB_OFF + 40, le, 4))
			return -1;
	}
	if (have_vfat &&
	    run("PATH=$PATH:/sbin:/usr/sbin; mkfs.vfat -C %s 8192 >/dev/null 2>&1",
		path("vfat.img")))
		return -1;
	return 0;
}

static void remove_images(void)
{
	static const char *const names[] = {
		"zero.img", "random.img", "valid.ext4", "nocsum.ext4",
		"truncated.ext4", "badmagic.ext4", "zerosb.ext4", "badlog.ext4",
		"badipg.ext4", "vfat.img", "mode000.img",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(path(names[i]));
	rmdir(dir);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	/* A hang is a failure too: SIGALRM ends the process. */
	alarm(300);

	snprintf(dir, sizeof(dir), "%s/test_badinput.XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!ok(mkdtemp(dir) != NULL, "temporary directory"))
		return tap_done();
	if (!ok(make_images() == 0, "images made"))
		goto out;

	ok(lkl_init(&lkl_host_ops) == 0, "lkl_init");

	/* Before boot: refused command lines leave the boot unused. */
	bad_mem("mem=foo");
	bad_mem("mem=1K");
	bad_mem("mem=");
	bad_mem("mem=64Mjunk");
	bad_mem("mem=2T");
	bad_mem("loglevel=4 mem=");
	missing_and_unreadable();	/* lkl_disk_add before boot */
	is_int(lkl_start_kernel("mem=64M loglevel=4"), 0,
	       "then a valid mem= boots");
	is_int(lkl_start_kernel("mem=64M"), -LKL_EINVAL,
	       "a second lkl_start_kernel is refused: -EINVAL");

	missing_and_unreadable();	/* and after */
	bad_ops();

	mount_fails("zero-length image", "zero.img", O_RDWR,
		    TRIES({ 0, "ext4", LKL_MS_RDONLY, 0 },
			  { 0, "ext4", 0, 0 }));
	mount_fails("random bytes", "random.img", O_RDWR,
		    TRIES({ 0, "ext4", LKL_MS_RDONLY, -LKL_EINVAL },
			  { 0, "ext4", 0, -LKL_EINVAL }));
	mount_fails("write-only descriptor", "random.img", O_WRONLY,
		    TRIES({ 0, "ext4", LKL_MS_RDONLY, 0 },
			  { 0, "ext4", 0, 0 }));

	if (have_mke2fs) {
		mount_fails("truncated ext4 (first 1 MiB)", "truncated.ext4",
			    O_RDWR,
			    TRIES({ 0, "ext4", LKL_MS_RDONLY, 0 },
				  { 0, "ext4", 0, 0 }));
		mount_fails("ext4 magic overwritten", "badmagic.ext4", O_RDWR,
			    TRIES({ 0, "ext4", LKL_MS_RDONLY, -LKL_EINVAL },
				  { 0, "ext4", 0, -LKL_EINVAL }));
		mount_fails("superblock zeroed", "zerosb.ext4", O_RDWR,
			    TRIES({ 0, "ext4", LKL_MS_RDONLY, -LKL_EINVAL },
				  { 0, "ext4", 0, -LKL_EINVAL }));
		mount_fails("s_log_block_size 20", "badlog.ext4", O_RDWR,
			    TRIES({ 0, "ext4", LKL_MS_RDONLY, -LKL_EINVAL },
				  { 0, "ext4", 0, -LKL_EINVAL }));
		mount_fails("s_inodes_per_group 0", "badipg.ext4", O_RDWR,
			    TRIES({ 0, "ext4", LKL_MS_RDONLY, -LKL_EINVAL },
				  { 0, "ext4", 0, -LKL_EINVAL }));
		mount_fails("unknown filesystem type", "valid.ext4", O_RDWR,
			    TRIES({ 0, "nosuchfs", 0, -LKL_ENODEV },
				  { 0, "nosuchfs", LKL_MS_RDONLY,
				    -LKL_ENODEV }));
		mount_fails("partition that does not exist", "valid.ext4",
			    O_RDWR,
			    TRIES({ 5, "ext4", 0, 0 },
				  { 1, "ext4", LKL_MS_RDONLY, 0 }));
		bad_mount_args("valid.ext4");
	} else {
		skip("ext4 image cases", "mke2fs not found (e2fsprogs)");
	}
	if (have_vfat)
		mount_fails("vfat image mounted as ext4", "vfat.img", O_RDWR,
			    TRIES({ 0, "ext4", LKL_MS_RDONLY, -LKL_EINVAL },
				  { 0, "ext4", 0, -LKL_EINVAL }));
	else
		skip("vfat image mounted as ext4",
		     "mkfs.vfat not found (dosfstools)");

	is_int(lkl_sys_halt(), 0, "lkl_sys_halt");
	lkl_cleanup();
out:
	remove_images();
	return tap_done();
}
