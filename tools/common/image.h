/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An image file opened by a tool: the library kernel booted, the image
 * attached as a virtio disk and one partition mounted.  Every tool starts
 * with image_open() and ends with image_close(); both print a one-line
 * error naming the file when they fail.
 */
#ifndef KBOX_TOOLS_IMAGE_H
#define KBOX_TOOLS_IMAGE_H

#include <lkl.h>

struct image_opts {
	const char *path;	/* the image file on the host */
	const char *fstype;	/* NULL or "": detect from the superblock */
	unsigned int part;	/* partition number, 0 for the whole disk */
	/*
	 * Comma-separated mount options, may be NULL: the generic ones (ro,
	 * noatime, nosuid, sync, ...) become mount flags, the rest is the
	 * filesystem's data string.
	 */
	const char *mount_opts;
	int readonly;		/* open the file O_RDONLY and mount ro */
	/*
	 * Open the file read-write but mount read-only until
	 * image_remount_rw(): a tool that refuses its command before then
	 * leaves the image byte for byte as it was.
	 */
	int rw_later;
	unsigned int mem_mb;	/* kernel memory; 0 picks the default */
	int kernel_log;		/* let the kernel's log reach stderr */
	const char *cmdline;	/* extra kernel command-line words, or NULL */
};

struct image {
	const char *path;
	struct lkl_disk disk;
	int disk_id;
	unsigned int part;
	int readonly;
	int mounted;
	char fstype[32];
	char mnt[64];		/* where the image is mounted in the kernel */
	unsigned long mount_flags;	/* from the options, without MS_RDONLY */
	char *mount_data;	/* the filesystem's part of the options */
};

#define IMAGE_DEFAULT_MEM_MB	128

/* Boot, attach and mount.  0, or -1 after printing why (kernel halted). */
int image_open(struct image *img, const struct image_opts *opts);

/*
 * Make an image opened with rw_later writable, at path (where the mount is
 * visible to the caller now; NULL: img->mnt).  0, or -errno after
 * printing why.
 */
long image_remount_rw(struct image *img, const char *path);

/*
 * Split comma-separated options into MS_* flags (*flags) and the data
 * string (data, a page the kernel may read whole).  0, or -EINVAL if they
 * do not fit.  Exposed for tests.
 */
int image_parse_options(const char *opts, unsigned long *flags, char *data,
			size_t data_len);

/*
 * Sync, unmount, halt and detach.  0, or -1 after printing why (a failed
 * sync or unmount means data may not have reached the image).
 */
int image_close(struct image *img);

/*
 * The filesystem type whose magic the device at dev (an open kernel fd)
 * carries, or NULL.  Exposed for tests.
 */
const char *image_detect_fd(long fd);

#endif
