// SPDX-License-Identifier: GPL-2.0
/*
 * vfat through liblkl: make an image with mkfs.vfat, write a tree into it
 * through the library kernel, then check it on the host with fsck.fat and
 * mtools, which know nothing of liblkl.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lkl.h>
#include "tap.h"
#include "host_cmd.h"

int main(void)
{
	char img[] = "/tmp/kbox-vfat-XXXXXX", cmd[512], mnt[64], path[128], out[32768];
	struct lkl_disk disk = { 0 };
	char big[20000];
	long fd;
	int id, tmp;

	if (run("command -v mkfs.vfat fsck.fat mtype mdir >/dev/null") != 0) {
		printf("1..0 # SKIP needs dosfstools and mtools\n");
		return 0;
	}
	tmp = mkstemp(img);
	close(tmp);
	snprintf(cmd, sizeof(cmd), "mkfs.vfat -C -n KBOX %s.img 8192 >/dev/null && mv %s.img %s",
		 img, img, img);
	unlink(img);
	is_int(run(cmd), 0, "mkfs.vfat makes an 8 MiB image");

	disk.fd = open(img, O_RDWR);
	lkl_host_ops.print = NULL;
	id = lkl_disk_add(&disk);
	ok(id >= 0, "lkl_disk_add");
	is_int(lkl_init(&lkl_host_ops), 0, "lkl_init");
	is_int(lkl_start_kernel("mem=32M"), 0, "boot");
	is_int(lkl_mount_dev(id, 0, "vfat", 0, "utf8", mnt, sizeof(mnt)), 0, "mount vfat read-write");

	snprintf(path, sizeof(path), "%s/docs", mnt);
	is_int(lkl_sys_mkdir(path, 0755), 0, "mkdir docs");
	snprintf(path, sizeof(path), "%s/docs/Hello World.txt", mnt);
	fd = lkl_sys_open(path, LKL_O_CREAT | LKL_O_WRONLY, 0644);
	ok(fd >= 0, "create a long file name");
	is_int(lkl_sys_write(fd, "written by liblkl\n", 18), 18, "write it");
	is_int(lkl_sys_close(fd), 0, "close");
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = 'a' + i % 26;
	snprintf(path, sizeof(path), "%s/BIG.BIN", mnt);
	fd = lkl_sys_open(path, LKL_O_CREAT | LKL_O_WRONLY, 0644);
	is_int(lkl_sys_write(fd, big, sizeof(big)), sizeof(big), "write 20000 bytes over several clusters");
	is_int(lkl_sys_fsync(fd), 0, "fsync");
	lkl_sys_close(fd);
	snprintf(path, sizeof(path), "%s/docs/gone.txt", mnt);
	fd = lkl_sys_open(path, LKL_O_CREAT | LKL_O_WRONLY, 0644);
	lkl_sys_close(fd);
	is_int(lkl_sys_unlink(path), 0, "create and unlink a file");

	is_int(lkl_umount_dev(id, 0, 0, 1000), 0, "umount");
	is_int(lkl_sys_halt(), 0, "halt");
	is_int(lkl_disk_remove(disk), 0, "lkl_disk_remove");
	lkl_cleanup();
	close(disk.fd);

	snprintf(cmd, sizeof(cmd), "fsck.fat -n %s >/dev/null 2>&1", img);
	is_int(run(cmd), 0, "fsck.fat -n: the image is clean");
	snprintf(cmd, sizeof(cmd), "mtype -i %s '::/docs/Hello World.txt'", img);
	ok(!strcmp(host_output(cmd, out, sizeof(out)), "written by liblkl\n"),
	   "mtools reads the long-named file's content");
	snprintf(cmd, sizeof(cmd), "mtype -i %s ::/BIG.BIN", img);
	host_output(cmd, out, sizeof(out));
	ok(strlen(out) == sizeof(big) && !memcmp(out, big, sizeof(big)),
	   "mtools reads the multi-cluster file's content");
	snprintf(cmd, sizeof(cmd), "mdir -b -i %s ::/docs", img);
	host_output(cmd, out, sizeof(out));
	ok(strstr(out, "Hello World.txt") && !strstr(out, "gone.txt"),
	   "mdir lists exactly what is left in docs");
	unlink(img);
	return tap_done();
}
