// SPDX-License-Identifier: GPL-2.0
/*
 * xfs through liblkl: mkfs.xfs makes the image, the library kernel writes
 * a tree into it, then xfs_repair and xfs_db on the host (which know
 * nothing of liblkl) check it, and a fresh process boots again and reads
 * everything back from a read-only mount.
 *
 *	test_xfs             the TAP test
 *	test_xfs verify IMG  the second boot; exit status 0 if all matched
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lkl.h>
#include "tap.h"
#include "host_cmd.h"

#define BIG_SIZE	(1 << 20)
#define GREETING	"written by liblkl on xfs\n"

static void fill(char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)(i * 7 + i / 4096);
}

static int boot_and_mount(const char *img, int flags, struct lkl_disk *disk,
			  char *mnt, size_t mnt_len)
{
	int id;

	disk->fd = open(img, flags & LKL_MS_RDONLY ? O_RDONLY : O_RDWR);
	lkl_host_ops.print = NULL;
	id = lkl_disk_add(disk);
	if (id < 0 || lkl_init(&lkl_host_ops) < 0 ||
	    lkl_start_kernel("mem=64M") < 0)
		return -1;
	if (lkl_mount_dev(id, 0, "xfs", flags, NULL, mnt, mnt_len) < 0)
		return -1;
	return id;
}

static void shut_down(int id, struct lkl_disk *disk)
{
	lkl_umount_dev(id, 0, 0, 1000);
	lkl_sys_halt();
	lkl_disk_remove(*disk);
	lkl_cleanup();
	close(disk->fd);
}

/* The second boot: everything the first one wrote must read back. */
static int verify(const char *img)
{
	struct lkl_disk disk = { 0 };
	char mnt[64], path[160], buf[256];
	static char want[BIG_SIZE], got[BIG_SIZE];
	int id, bad = 0;
	long fd, n;

	id = boot_and_mount(img, LKL_MS_RDONLY, &disk, mnt, sizeof(mnt));
	if (id < 0) {
		fprintf(stderr, "verify: cannot boot and mount %s\n", img);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/docs/Hello World.txt", mnt);
	fd = lkl_sys_open(path, LKL_O_RDONLY, 0);
	n = lkl_sys_read(fd, buf, sizeof(buf));
	bad |= n != (long)strlen(GREETING) || memcmp(buf, GREETING, n);
	lkl_sys_close(fd);

	fill(want, sizeof(want));
	snprintf(path, sizeof(path), "%s/big.bin", mnt);
	fd = lkl_sys_open(path, LKL_O_RDONLY, 0);
	for (n = 0; n < BIG_SIZE;) {
		long r = lkl_sys_read(fd, got + n, BIG_SIZE - n);

		if (r <= 0)
			break;
		n += r;
	}
	bad |= (n != BIG_SIZE || memcmp(want, got, BIG_SIZE)) << 1;
	lkl_sys_close(fd);

	snprintf(path, sizeof(path), "%s/big.link", mnt);
	n = lkl_sys_readlink(path, buf, sizeof(buf));
	bad |= (n != 7 || memcmp(buf, "big.bin", 7)) << 2;
	snprintf(path, sizeof(path), "%s/big.hard", mnt);
	{
		struct lkl_stat st;

		bad |= (lkl_sys_stat(path, &st) < 0 || st.st_nlink != 2 ||
			st.st_size != BIG_SIZE) << 3;
	}
	snprintf(path, sizeof(path), "%s/docs", mnt);
	n = lkl_sys_getxattr(path, "user.kbox", buf, sizeof(buf));
	bad |= (n != 5 || memcmp(buf, "xattr", 5)) << 4;
	snprintf(path, sizeof(path), "%s/docs/gone.txt", mnt);
	bad |= (lkl_sys_access(path, LKL_F_OK) != -LKL_ENOENT) << 5;

	shut_down(id, &disk);
	if (bad)
		fprintf(stderr, "verify: mismatch mask %#x\n", bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	char img[] = "/tmp/kbox-xfs-XXXXXX", cmd[1024], mnt[64], path[160];
	char out[8192];
	static char big[BIG_SIZE];
	struct lkl_disk disk = { 0 };
	long fd;
	int id, tmp;

	if (argc == 3 && !strcmp(argv[1], "verify"))
		return verify(argv[2]);

	if (run("command -v mkfs.xfs xfs_repair xfs_db >/dev/null") != 0) {
		printf("1..0 # SKIP needs xfsprogs\n");
		return 0;
	}
	tmp = mkstemp(img);
	close(tmp);
	/* xfsprogs 6 refuses filesystems under 300 MiB; the file is sparse. */
	snprintf(cmd, sizeof(cmd), "truncate -s 320M %s && mkfs.xfs -q -f %s", img, img);
	is_int(run(cmd), 0, "mkfs.xfs makes a 320 MiB image");

	id = boot_and_mount(img, 0, &disk, mnt, sizeof(mnt));
	ok(id >= 0, "boot and mount xfs read-write");
	if (id < 0) {
		unlink(img);
		return tap_done();
	}

	snprintf(path, sizeof(path), "%s/docs", mnt);
	is_int(lkl_sys_mkdir(path, 0755), 0, "mkdir docs");
	is_int(lkl_sys_setxattr(path, "user.kbox", "xattr", 5, 0), 0,
	       "set a user xattr on it");
	snprintf(path, sizeof(path), "%s/docs/Hello World.txt", mnt);
	fd = lkl_sys_open(path, LKL_O_CREAT | LKL_O_WRONLY, 0644);
	ok(fd >= 0, "create a file");
	is_int(lkl_sys_write(fd, GREETING, strlen(GREETING)), (long)strlen(GREETING),
	       "write it");
	is_int(lkl_sys_close(fd), 0, "close");

	fill(big, sizeof(big));
	snprintf(path, sizeof(path), "%s/big.tmp", mnt);
	fd = lkl_sys_open(path, LKL_O_CREAT | LKL_O_WRONLY, 0600);
	is_int(lkl_sys_write(fd, big, sizeof(big)), (long)sizeof(big), "write 1 MiB");
	is_int(lkl_sys_fsync(fd), 0, "fsync");
	lkl_sys_close(fd);
	{
		char to[160];

		snprintf(to, sizeof(to), "%s/big.bin", mnt);
		is_int(lkl_sys_rename(path, to), 0, "rename it");
		snprintf(path, sizeof(path), "%s/big.hard", mnt);
		is_int(lkl_sys_link(to, path), 0, "hard link");
	}
	snprintf(path, sizeof(path), "%s/big.link", mnt);
	is_int(lkl_sys_symlink("big.bin", path), 0, "symlink");
	snprintf(path, sizeof(path), "%s/docs/gone.txt", mnt);
	fd = lkl_sys_open(path, LKL_O_CREAT | LKL_O_WRONLY, 0644);
	lkl_sys_close(fd);
	is_int(lkl_sys_unlink(path), 0, "create and unlink a file");

	is_int(lkl_umount_dev(id, 0, 0, 1000), 0, "umount");
	is_int(lkl_sys_halt(), 0, "halt");
	is_int(lkl_disk_remove(disk), 0, "lkl_disk_remove");
	lkl_cleanup();
	close(disk.fd);

	snprintf(cmd, sizeof(cmd), "xfs_repair -n %s >/dev/null 2>&1", img);
	is_int(run(cmd), 0, "xfs_repair -n: the image is clean");
	snprintf(cmd, sizeof(cmd), "xfs_db -r -c 'ls /' -c 'ls /docs' %s", img);
	host_output(cmd, out, sizeof(out));
	/* Lines end "<name> (good)": the name and a verified hash. */
	ok(strstr(out, " big.bin (good)\n") && strstr(out, " big.hard (good)\n") &&
	   strstr(out, " big.link (good)\n") &&
	   strstr(out, " Hello World.txt (good)\n") &&
	   !strstr(out, "big.tmp") && !strstr(out, "gone.txt"),
	   "xfs_db lists exactly the entries left");
	snprintf(cmd, sizeof(cmd),
		 "xfs_db -r -c 'path /big.bin' -c 'print core.size core.nlinkv2' %s",
		 img);
	host_output(cmd, out, sizeof(out));
	ok(strstr(out, "core.size = 1048576") && strstr(out, "core.nlinkv2 = 2"),
	   "xfs_db: big.bin is 1 MiB with two links");

	snprintf(cmd, sizeof(cmd), "%s verify %s", argv[0], img);
	is_int(run(cmd), 0, "a second boot reads it all back (content, link, xattr)");
	unlink(img);
	return tap_done();
}
