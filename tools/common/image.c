// SPDX-License-Identifier: GPL-2.0
/*
 * Boot the library kernel on an image file for a tool, and shut it down so
 * that everything written has reached the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "tool.h"

#define PROBE_NODE	"/dev/kbox-probe"
#define MOUNT_DATA_SIZE	4096	/* the kernel reads a whole page of it */
#define PROBE_SIZE	(0x10040 + 64)	/* reaches btrfs's magic, the farthest */

struct magic {
	const char *fstype;
	unsigned int offset;
	const char *bytes;
	unsigned int len;
};

/*
 * Superblock signatures, first match wins.  ext2 and ext3 are served by
 * the ext4 driver, so all three are reported as ext4.
 */
static const struct magic magics[] = {
	{ "ext4",	0x438,	 "\x53\xef",	2 },
	{ "xfs",	0,	 "XFSB",	4 },
	{ "btrfs",	0x10040, "_BHRfS_M",	8 },
	{ "f2fs",	0x400,	 "\x10\x20\xf5\xf2", 4 },
	{ "squashfs",	0,	 "hsqs",	4 },
	{ "iso9660",	0x8001,	 "CD001",	5 },
	{ "exfat",	3,	 "EXFAT   ",	8 },
	{ "vfat",	0x52,	 "FAT32   ",	8 },
	{ "vfat",	0x36,	 "FAT1",	4 },
	{ "vfat",	0x36,	 "FAT     ",	8 },
};

const char *image_detect_fd(long fd)
{
	static unsigned char buf[PROBE_SIZE];
	long n, got = 0;
	size_t i;

	while (got < PROBE_SIZE) {
		n = lkl_sys_pread64(fd, (char *)buf + got, PROBE_SIZE - got, got);
		if (n <= 0)
			break;
		got += n;
	}
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
		const struct magic *m = &magics[i];

		if (m->offset + m->len <= (unsigned long)got &&
		    !memcmp(buf + m->offset, m->bytes, m->len))
			return m->fstype;
	}
	return NULL;
}

/* Read the superblock area of the partition through the kernel. */
static int detect_type(struct image *img)
{
	unsigned int devid;
	const char *type;
	long fd, ret;

	ret = lkl_get_virtio_blkdev(img->disk_id, img->part, &devid);
	if (ret < 0) {
		if (img->part)
			tool_error(img->path, "no partition %u: %s", img->part,
				   lkl_strerror(ret));
		else
			tool_error(img->path, "cannot find the disk: %s",
				   lkl_strerror(ret));
		return -1;
	}
	lkl_sys_unlink(PROBE_NODE);
	ret = lkl_sys_mknod(PROBE_NODE, LKL_S_IFBLK | 0600, devid);
	if (ret < 0) {
		tool_error(img->path, "cannot probe the filesystem type: %s",
			   lkl_strerror(ret));
		return -1;
	}
	fd = lkl_sys_open(PROBE_NODE, LKL_O_RDONLY, 0);
	lkl_sys_unlink(PROBE_NODE);
	if (fd < 0) {
		tool_error(img->path, "cannot read the image: %s",
			   lkl_strerror(fd));
		return -1;
	}
	type = image_detect_fd(fd);
	lkl_sys_close(fd);
	if (!type) {
		tool_error(img->path, "no known filesystem found (not an image, "
			   "or corrupt; -t TYPE forces a type)");
		return -1;
	}
	snprintf(img->fstype, sizeof(img->fstype), "%s", type);
	return 0;
}

/* The generic mount options of mount(8), as flags to set and clear. */
static const struct {
	const char *name;
	unsigned long set, clear;
} flag_words[] = {
	{ "ro",		 LKL_MS_RDONLY,	     0 },
	{ "rw",		 0,		     LKL_MS_RDONLY },
	{ "nosuid",	 LKL_MS_NOSUID,	     0 },
	{ "suid",	 0,		     LKL_MS_NOSUID },
	{ "nodev",	 LKL_MS_NODEV,	     0 },
	{ "dev",	 0,		     LKL_MS_NODEV },
	{ "noexec",	 LKL_MS_NOEXEC,	     0 },
	{ "exec",	 0,		     LKL_MS_NOEXEC },
	{ "sync",	 LKL_MS_SYNCHRONOUS, 0 },
	{ "async",	 0,		     LKL_MS_SYNCHRONOUS },
	{ "dirsync",	 LKL_MS_DIRSYNC,     0 },
	{ "noatime",	 LKL_MS_NOATIME,     0 },
	{ "atime",	 0,		     LKL_MS_NOATIME },
	{ "nodiratime",	 LKL_MS_NODIRATIME,  0 },
	{ "diratime",	 0,		     LKL_MS_NODIRATIME },
	{ "relatime",	 LKL_MS_RELATIME,    LKL_MS_STRICTATIME },
	{ "norelatime",	 0,		     LKL_MS_RELATIME },
	{ "strictatime", LKL_MS_STRICTATIME, LKL_MS_RELATIME },
	{ "lazytime",	 LKL_MS_LAZYTIME,    0 },
	{ "nolazytime",	 0,		     LKL_MS_LAZYTIME },
	{ "defaults",	 0,		     0 },
};

int image_parse_options(const char *opts, unsigned long *flags, char *data,
			size_t data_len)
{
	size_t used = 0;
	const char *p = opts;

	*flags = 0;
	memset(data, 0, data_len);
	while (p && *p) {
		size_t len = strcspn(p, ","), i;
		int known = 0;

		for (i = 0; len && i < sizeof(flag_words) / sizeof(flag_words[0]); i++) {
			if (strlen(flag_words[i].name) == len &&
			    !strncmp(p, flag_words[i].name, len)) {
				*flags = (*flags & ~flag_words[i].clear) |
					 flag_words[i].set;
				known = 1;
				break;
			}
		}
		if (!known && len) {
			if (used + !!used + len + 1 > data_len)
				return -LKL_EINVAL;
			if (used)
				data[used++] = ',';
			memcpy(data + used, p, len);
			used += len;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int open_file(struct image *img)
{
	struct stat st;
	int fd;

	fd = open(img->path, (img->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		tool_error(img->path, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		tool_error(img->path, "%s", strerror(errno));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		tool_error(img->path, "is a directory, not an image file");
		goto fail;
	}
	if (S_ISREG(st.st_mode) && st.st_size < 4096) {
		tool_error(img->path, "%s, not a filesystem image",
			   st.st_size ? "too small" : "empty file");
		goto fail;
	}
	img->disk.fd = fd;
	return 0;
fail:
	close(fd);
	return -1;
}

static void stop_kernel(struct image *img)
{
	lkl_sys_halt();
	lkl_cleanup();
	lkl_disk_remove(img->disk);
}

static void mount_error(struct image *img, long err)
{
	if (err == -LKL_ENODEV)
		tool_error(img->path, "unknown filesystem type '%s' "
			   "(not built into liblkl)", img->fstype);
	else if (err == -LKL_EINVAL || err == -LKL_EUCLEAN)
		tool_error(img->path, "cannot mount as %s: %s (not a %s "
			   "filesystem, corrupt, or bad mount options)",
			   img->fstype, lkl_strerror(err), img->fstype);
	else
		tool_error(img->path, "cannot mount as %s: %s", img->fstype,
			   lkl_strerror(err));
}

int image_open(struct image *img, const struct image_opts *opts)
{
	unsigned int mem = opts->mem_mb ? opts->mem_mb : IMAGE_DEFAULT_MEM_MB;
	long ret;

	memset(img, 0, sizeof(*img));
	img->path = opts->path;
	img->part = opts->part;
	img->readonly = opts->readonly;
	img->disk_id = -1;
	img->disk.fd = -1;
	if (opts->fstype && *opts->fstype)
		snprintf(img->fstype, sizeof(img->fstype), "%s", opts->fstype);

	img->mount_data = malloc(MOUNT_DATA_SIZE);
	if (!img->mount_data) {
		tool_error(NULL, "out of memory");
		return -1;
	}
	if (image_parse_options(opts->mount_opts, &img->mount_flags,
				img->mount_data, MOUNT_DATA_SIZE) < 0) {
		tool_error(img->path, "mount options too long");
		goto free_data;
	}
	if (img->mount_flags & LKL_MS_RDONLY)
		img->readonly = 1;
	img->mount_flags &= ~(unsigned long)LKL_MS_RDONLY;

	if (open_file(img) < 0)
		goto free_data;

	if (!opts->kernel_log)
		lkl_host_ops.print = NULL;
	ret = lkl_disk_add(&img->disk);
	if (ret < 0) {
		tool_error(img->path, "cannot attach the image: %s",
			   lkl_strerror(ret));
		goto close_fd;
	}
	img->disk_id = (int)ret;

	ret = lkl_init(&lkl_host_ops);
	if (ret < 0) {
		tool_error(NULL, "cannot initialize liblkl: %s", lkl_strerror(ret));
		goto remove_disk;
	}
	ret = lkl_start_kernel("mem=%uM loglevel=%d %s", mem,
			       opts->kernel_log ? 7 : 4,
			       opts->cmdline ? opts->cmdline : "");
	if (ret < 0) {
		tool_error(NULL, "cannot start the kernel: %s", lkl_strerror(ret));
		lkl_cleanup();
		goto remove_disk;
	}

	if (!*img->fstype && detect_type(img) < 0)
		goto stop;

	ret = lkl_mount_dev(img->disk_id, img->part, img->fstype,
			    (int)img->mount_flags |
			    (img->readonly || opts->rw_later ? LKL_MS_RDONLY : 0),
			    img->mount_data, img->mnt, sizeof(img->mnt));
	if (ret < 0) {
		if (ret == -LKL_ENOENT && img->part)
			tool_error(img->path, "no partition %u", img->part);
		else if (ret == -LKL_EROFS && !strcmp(img->fstype, "ext4"))
			tool_error(img->path, "cannot mount as ext4: %s (the "
				   "journal needs recovery, which needs a writable "
				   "image; or mount with the noload option)",
				   lkl_strerror(ret));
		else
			mount_error(img, ret);
		goto stop;
	}
	img->mounted = 1;
	return 0;

stop:
	stop_kernel(img);
	goto close_fd;
remove_disk:
	lkl_disk_remove(img->disk);
close_fd:
	close(img->disk.fd);
	img->disk.fd = -1;
free_data:
	free(img->mount_data);
	img->mount_data = NULL;
	return -1;
}

long image_remount_rw(struct image *img, const char *path)
{
	long ret;

	ret = lkl_sys_mount("", path ? path : img->mnt, NULL,
			    LKL_MS_REMOUNT | img->mount_flags, img->mount_data);
	if (ret < 0)
		tool_error(img->path, "cannot mount read-write: %s",
			   lkl_strerror(ret));
	return ret;
}

int image_close(struct image *img)
{
	int status = 0;
	long ret;

	if (img->mounted) {
		ret = lkl_umount_dev(img->disk_id, img->part, 0, 2000);
		if (ret < 0) {
			tool_error(img->path, "cannot unmount: %s",
				   lkl_strerror(ret));
			/* Still get the data out: sync before halting. */
			lkl_sys_sync();
			status = -1;
		}
		img->mounted = 0;
	}
	stop_kernel(img);
	if (!img->readonly && fsync(img->disk.fd) < 0) {
		tool_error(img->path, "cannot flush the image: %s",
			   strerror(errno));
		status = -1;
	}
	close(img->disk.fd);
	img->disk.fd = -1;
	free(img->mount_data);
	img->mount_data = NULL;
	return status;
}
