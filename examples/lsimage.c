// SPDX-License-Identifier: GPL-2.0
/*
 * lsimage: list a filesystem image through the library kernel.
 *
 *	lsimage IMAGE [PATH] [FSTYPE]
 *
 * Boots liblkl, attaches IMAGE as a virtio disk, mounts it read-only and
 * prints the entries of PATH (default "/") with their mode, owner and size.
 * The smallest complete example of the liblkl API.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lkl.h>

static void print_entry(const char *dir, const char *name)
{
	char path[4096 + 256], target[256] = "";
	struct lkl_stat st;
	long ret;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ret = lkl_sys_lstat(path, &st);
	if (ret < 0) {
		printf("?????????? %s: %s\n", name, lkl_strerror(ret));
		return;
	}
	if (LKL_S_ISLNK(st.st_mode)) {
		ret = lkl_sys_readlink(path, target, sizeof(target) - 1);
		target[ret > 0 ? ret : 0] = '\0';
	}
	printf("%06o %5u %5u %10lld %s%s%s\n", (unsigned)st.st_mode,
	       (unsigned)st.st_uid, (unsigned)st.st_gid, (long long)st.st_size,
	       name, *target ? " -> " : "", target);
}

int main(int argc, char **argv)
{
	const char *fstype = argc > 3 ? argv[3] : "ext4";
	const char *sub = argc > 2 ? argv[2] : "/";
	struct lkl_disk disk = { 0 };
	char mnt[64], dir[4096], buf[8192];
	long ret, fd, n;
	int id, status = 0;

	if (argc < 2 || !strcmp(argv[1], "--help")) {
		fprintf(stderr, "usage: %s IMAGE [PATH] [FSTYPE]\n", argv[0]);
		return argc < 2 ? 2 : 0;
	}
	disk.fd = open(argv[1], O_RDONLY);
	if (disk.fd < 0) {
		fprintf(stderr, "lsimage: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}

	lkl_host_ops.print = NULL;	/* keep the kernel's log quiet */
	id = lkl_disk_add(&disk);
	if (id < 0 || lkl_init(&lkl_host_ops) < 0 ||
	    (ret = lkl_start_kernel("mem=32M")) < 0) {
		fprintf(stderr, "lsimage: cannot start the kernel\n");
		return 1;
	}

	ret = lkl_mount_dev(id, 0, fstype, LKL_MS_RDONLY, NULL, mnt, sizeof(mnt));
	if (ret < 0) {
		fprintf(stderr, "lsimage: %s: cannot mount as %s: %s\n", argv[1],
			fstype, lkl_strerror(ret));
		status = 1;
		goto halt;
	}

	snprintf(dir, sizeof(dir), "%s/%s", mnt, sub);
	fd = lkl_sys_open(dir, LKL_O_RDONLY | LKL_O_DIRECTORY, 0);
	if (fd < 0) {
		fprintf(stderr, "lsimage: %s: %s\n", sub, lkl_strerror(fd));
		status = 1;
		goto umount;
	}
	while ((n = lkl_sys_getdents64(fd, (void *)buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct lkl_linux_dirent64 *de = (void *)(buf + off);

			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				print_entry(dir, de->d_name);
			off += de->d_reclen;
		}
	}
	lkl_sys_close(fd);
umount:
	lkl_umount_dev(id, 0, 0, 1000);
halt:
	lkl_sys_halt();
	lkl_cleanup();
	close(disk.fd);
	return status;
}
