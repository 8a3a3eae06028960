// SPDX-License-Identifier: GPL-2.0
/*
 * File-system calls served by the library kernel, driven end to end.
 * Each check prints "NAME ok" or "NAME FAIL: why" (check.h).
 *
 *   fscalls DIR [keep]
 *
 * DIR (made here, must not exist) is where it works; it must be on the
 * image's ext4 (holes, user.* xattrs).  The program must run as root (it
 * chowns and makes a char device).  Without "keep" it removes DIR at the
 * end; with it, it leaves these for the test to look at from the host:
 *
 *   io        "PWllo vectored EFcd!" (write, writev, pwrite, pwritev,
 *             pwritev2 at the position and with RWF_APPEND); 2 links
 *   hard      a hard link to io
 *   link      a symlink to "io", owned 42:43 (lchown)
 *   modes     mode 0751 (set-user-ID dropped by chown), owner 1234:4321
 *   times     atime 1000000000.123456789, mtime 1500000000.987654321
 *   xattr     user.kbox = "value-1", user.fattr = "fd" (user.gone removed)
 *   holey     192 KiB of 'x' with [64 KiB, 128 KiB) punched out
 *   sparse    4 KiB of 's' at 1 MiB, nothing before
 *   falloc    1 MiB allocated by fallocate, never written
 *   trunc     "0123" and four zero bytes (truncate, then ftruncate)
 *   renamed   "moved" (rename of "tomove"; renameat2 NOREPLACE refused)
 *   exch_a    "B", exch_b "A" (RENAME_EXCHANGE)
 *   fifo      a fifo, mode 0640 (mknod); chardev: char device 1:3, 0640
 *   umask     mode 0640, umaskdir mode 0750 (made under umask 027)
 *   copied    "vectored" (copy_file_range); sent "vectored" (sendfile);
 *   spliced   "PWllo" (splice through a pipe)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <linux/falloc.h>
#include <linux/fs.h>

#include "check.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif
#define EXT4_MAGIC 0xEF53

static bool keep;

/* A call that must fail with errno want. */
static void check_err(const char *name, long r, int want)
{
	int e = errno;

	check(name, r == -1 && e == want, "returned %ld, want errno %s", r,
	      strerrorname_np(want));
}

/* Make file name hold s (mode 0644); false if that failed. */
static bool put(const char *name, const char *s)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	bool good;

	if (fd < 0)
		return false;
	good = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	return !close(fd) && good;
}

/* The first size-1 bytes of file name, NUL-terminated; its length or -1. */
static ssize_t get(const char *name, char *buf, size_t size)
{
	int fd = open(name, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

static bool holds(const char *name, const char *want)
{
	char buf[256];

	return get(name, buf, sizeof(buf)) >= 0 && !strcmp(buf, want);
}

static bool all_bytes(const char *p, size_t n, char c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != c)
			return false;
	return true;
}

/* ---- open, read, write, vectored and positional I/O, lseek ------------ */

static void t_io(void)
{
	char buf[64], a[8], b[8];
	struct iovec wv[3] = { { "vec", 3 }, { "tored", 5 }, { " ", 1 } };
	struct iovec pv[2] = { { "ab", 2 }, { "cd", 2 } };
	struct iovec ef = { "EF", 2 }, bang = { "!", 1 };
	struct iovec rv[2] = { { a, 3 }, { b, 4 } };
	char *block = NULL;
	uint64_t hint;
	int fd, rd, r;
	ssize_t n;

	check_err("open-enoent", open("missing", O_RDONLY), ENOENT);
	fd = open("io", O_RDWR | O_CREAT | O_EXCL, 0644);
	check("open-create", fd >= 0, "open io: %d", fd);
	check_err("open-excl-eexist", open("io", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	check_err("open-directory-enotdir", open("io", O_RDONLY | O_DIRECTORY), ENOTDIR);
	n = write(fd, "hello ", 6);
	check("write", n == 6, "%zd", n);
	n = writev(fd, wv, 3);
	check("writev", n == 9 && lseek(fd, 0, SEEK_CUR) == 15, "%zd", n);
	n = pwrite(fd, "PW", 2, 0);
	check("pwrite-keeps-position", n == 2 && lseek(fd, 0, SEEK_CUR) == 15, "%zd", n);
	n = pwritev(fd, pv, 2, 15);
	check("pwritev", n == 4 && lseek(fd, 0, SEEK_CUR) == 15, "%zd", n);
	n = pwritev2(fd, &ef, 1, -1, 0);
	check("pwritev2-at-position", n == 2 && lseek(fd, 0, SEEK_CUR) == 17, "%zd", n);
	n = pwritev2(fd, &bang, 1, 0, RWF_APPEND);
	check("pwritev2-append", n == 1 && lseek(fd, 0, SEEK_END) == 20, "%zd", n);

	check("lseek-set", lseek(fd, 0, SEEK_SET) == 0, "failed");
	n = read(fd, buf, 5);
	check("read", n == 5 && !memcmp(buf, "PWllo", 5), "%zd", n);
	n = readv(fd, rv, 2);
	check("readv", n == 7 && !memcmp(a, " ve", 3) && !memcmp(b, "ctor", 4), "%zd", n);
	n = pread(fd, buf, 4, 15);
	check("pread", n == 4 && !memcmp(buf, "EFcd", 4) && lseek(fd, 0, SEEK_CUR) == 12,
	      "%zd", n);
	rv[0].iov_len = 2;
	rv[1].iov_len = 2;
	n = preadv(fd, rv, 2, 6);
	check("preadv", n == 4 && !memcmp(a, "ve", 2) && !memcmp(b, "ct", 2), "%zd", n);
	rv[0].iov_len = 4;
	n = preadv2(fd, rv, 1, -1, 0);
	check("preadv2-at-position", n == 4 && !memcmp(a, "ed E", 4) &&
	      lseek(fd, 0, SEEK_CUR) == 16, "%zd %.4s", n, a);
	n = preadv2(fd, rv, 1, 0, 0);
	check("preadv2-offset", n == 4 && !memcmp(a, "PWll", 4) &&
	      lseek(fd, 0, SEEK_CUR) == 16, "%zd", n);
	check("lseek-cur", lseek(fd, -2, SEEK_CUR) == 14, "failed");
	check("lseek-end", lseek(fd, -1, SEEK_END) == 19, "failed");
	n = read(fd, buf, sizeof(buf));
	check("read-to-eof", n == 1 && buf[0] == '!' && read(fd, buf, 1) == 0, "%zd", n);
	check_err("lseek-negative-einval", lseek(fd, -100, SEEK_SET), EINVAL);
	close(fd);
	check("read-back", holds("io", "PWllo vectored EFcd!"), "failed");

	rd = open("io", O_RDONLY);
	check_err("write-rdonly-ebadf", write(rd, "x", 1), EBADF);
	close(rd);
	rd = open(".", O_RDONLY | O_DIRECTORY);
	check_err("read-dir-eisdir", read(rd, buf, 1), EISDIR);
	close(rd);
	fd = open("app", O_WRONLY | O_CREAT | O_APPEND, 0644);
	n = write(fd, "one", 3);
	lseek(fd, 0, SEEK_SET);
	n += write(fd, "two", 3);
	close(fd);
	check("o-append", n == 6 && holds("app", "onetwo"), "%zd", n);
	fd = open("app", O_WRONLY | O_TRUNC);
	close(fd);
	check("o-trunc", holds("app", ""), "failed");
	/* A bad iovec after a good one: a short write of the good one. */
	fd = open("app", O_WRONLY);
	wv[1].iov_base = (void *)8;
	n = writev(fd, wv, 3);
	check("writev-bad-iovec-short", n == 3 && holds("app", "vec"), "%zd", n);
	wv[0].iov_base = (void *)8;
	check_err("writev-bad-first-iovec-efault", writev(fd, wv, 3), EFAULT);

	/* fcntl's u64 write hint: through a pointer. */
	hint = RWH_WRITE_LIFE_SHORT;
	r = fcntl(fd, F_SET_RW_HINT, &hint);
	hint = 0;
	check("fcntl-rw-hint", !r && !fcntl(fd, F_GET_RW_HINT, &hint) &&
	      hint == RWH_WRITE_LIFE_SHORT, "r %d hint %llu", r, (unsigned long long)hint);
	check_err("fcntl-unknown-einval", fcntl(fd, 1099, &hint), EINVAL);
	close(fd);
	unlink("app");

	/* O_DIRECT: aligned I/O, from open or from F_SETFL. */
	fd = open("direct", O_RDWR | O_CREAT | O_DIRECT, 0644);
	n = fd < 0 || posix_memalign((void **)&block, 4096, 8192) ? -1 :
	    pwrite(fd, memset(block, 'd', 4096), 4096, 0);
	check("o-direct-write-read", n == 4096 && pread(fd, block + 4096, 4096, 0) == 4096 &&
	      all_bytes(block + 4096, 4096, 'd'), "fd %d n %zd", fd, n);
	close(fd);
	fd = open("direct", O_RDWR);
	n = fcntl(fd, F_SETFL, O_DIRECT) ? -1 : pwrite(fd, memset(block, 'e', 4096), 4096, 4096);
	check("o-direct-setfl", n == 4096 && pread(fd, block + 4096, 4096, 4096) == 4096 &&
	      all_bytes(block + 4096, 4096, 'e'), "%zd", n);
	close(fd);
	free(block);
	unlink("direct");
}

/* SEEK_DATA / SEEK_HOLE on a file with data at 0 and at 1 MiB. */
static void t_seek_holes(void)
{
	char block[4096];
	int fd = open("holes", O_RDWR | O_CREAT | O_TRUNC, 0644);
	off_t r;

	memset(block, 'h', sizeof(block));
	if (pwrite(fd, block, 4096, 0) != 4096 || pwrite(fd, block, 4096, 1 << 20) != 4096)
		check("seek-setup", 0, "pwrite");
	r = lseek(fd, 0, SEEK_HOLE);
	check("seek-hole", r == 4096, "%lld", (long long)r);
	r = lseek(fd, 4096, SEEK_DATA);
	check("seek-data", r == 1 << 20, "%lld", (long long)r);
	r = lseek(fd, 1 << 20, SEEK_HOLE);
	check("seek-hole-at-eof", r == (1 << 20) + 4096, "%lld", (long long)r);
	check_err("seek-data-past-eof-enxio", lseek(fd, (1 << 20) + 4096, SEEK_DATA), ENXIO);
	close(fd);
	unlink("holes");

	/* Left behind: nothing before 1 MiB. */
	fd = open("sparse", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	memset(block, 's', sizeof(block));
	r = lseek(fd, 1 << 20, SEEK_SET);
	check("sparse-write-past-end", r == 1 << 20 && write(fd, block, 4096) == 4096 &&
	      lseek(fd, 0, SEEK_DATA) == 1 << 20, "failed");
	close(fd);
}

/* ---- stat, lstat, fstat, fstatat, statx --------------------------------- */

static void t_stat(void)
{
	struct stat st, lst, fst, ast;
	struct statx sx;
	int fd = open("io", O_RDONLY);
	int r;

	r = stat("io", &st);
	check("stat", !r && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644 &&
	      st.st_size == 20 && st.st_nlink == 1 && st.st_uid == 0,
	      "r %d mode %o size %lld", r, st.st_mode, (long long)st.st_size);
	r = fstat(fd, &fst);
	check("fstat", !r && fst.st_ino == st.st_ino && fst.st_dev == st.st_dev &&
	      fst.st_size == 20, "r %d", r);
	r = fstatat(AT_FDCWD, "io", &ast, 0);
	check("fstatat", !r && ast.st_ino == st.st_ino, "r %d", r);
	r = fstatat(fd, "", &ast, AT_EMPTY_PATH);
	check("fstatat-empty-path", !r && ast.st_ino == st.st_ino, "r %d", r);
	check_err("stat-enoent", stat("missing", &ast), ENOENT);
	check_err("stat-enotdir", stat("io/x", &ast), ENOTDIR);

	if (symlink("io", "statlink"))
		check("stat-setup", 0, "symlink");
	r = lstat("statlink", &lst);
	check("lstat", !r && S_ISLNK(lst.st_mode) && lst.st_size == 2 &&
	      lst.st_ino != st.st_ino, "r %d mode %o", r, lst.st_mode);
	r = stat("statlink", &ast);
	check("stat-follows", !r && ast.st_ino == st.st_ino, "r %d", r);
	r = fstatat(AT_FDCWD, "statlink", &ast, AT_SYMLINK_NOFOLLOW);
	check("fstatat-nofollow", !r && S_ISLNK(ast.st_mode), "r %d", r);

	r = statx(AT_FDCWD, "io", 0, STATX_BASIC_STATS | STATX_BTIME, &sx);
	check("statx", !r && (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS &&
	      sx.stx_ino == st.st_ino && sx.stx_size == 20 && S_ISREG(sx.stx_mode) &&
	      sx.stx_nlink == 1 && sx.stx_blocks == (uint64_t)st.st_blocks &&
	      sx.stx_mtime.tv_sec == st.st_mtim.tv_sec &&
	      sx.stx_mtime.tv_nsec == (uint32_t)st.st_mtim.tv_nsec &&
	      makedev(sx.stx_dev_major, sx.stx_dev_minor) == st.st_dev,
	      "r %d mask %#x", r, sx.stx_mask);
	check("statx-btime", !r && (sx.stx_mask & STATX_BTIME) && sx.stx_btime.tv_sec > 0,
	      "mask %#x", sx.stx_mask);
	r = statx(AT_FDCWD, "statlink", AT_SYMLINK_NOFOLLOW, STATX_TYPE | STATX_SIZE, &sx);
	check("statx-nofollow", !r && S_ISLNK(sx.stx_mode) && sx.stx_size == 2, "r %d", r);
	r = statx(fd, "", AT_EMPTY_PATH, STATX_INO, &sx);
	check("statx-empty-path", !r && sx.stx_ino == st.st_ino, "r %d", r);
	check_err("statx-enoent", statx(AT_FDCWD, "missing", 0, STATX_INO, &sx), ENOENT);
	/* Since Linux 6.11 NULL is "" with AT_EMPTY_PATH. */
	memset(&sx, 0, sizeof(sx));
	r = syscall(SYS_statx, fd, NULL, AT_EMPTY_PATH, STATX_INO, &sx);
	check("statx-null-path", !r && sx.stx_ino == st.st_ino, "r %d", r);
	memset(&ast, 0, sizeof(ast));
	r = syscall(SYS_newfstatat, fd, NULL, &ast, AT_EMPTY_PATH);
	check("fstatat-null-path", !r && ast.st_ino == st.st_ino, "r %d", r);
	check_err("statx-null-path-efault", syscall(SYS_statx, fd, NULL, 0, STATX_INO, &sx), EFAULT);
	close(fd);
	unlink("statlink");
}

/* ---- getdents64 ----------------------------------------------------------- */

struct dirent64_raw {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void t_getdents(void)
{
	/* Small: several calls for one directory. */
	char buf[80];
	int seen = 0, calls = 0, fd, i;
	long n;
	static const struct { const char *name; unsigned char type; } want[] = {
		{ ".", DT_DIR }, { "..", DT_DIR }, { "file", DT_REG },
		{ "subdir", DT_DIR }, { "alink", DT_LNK }, { "pipe", DT_FIFO },
	};

	mkdir("dents", 0755);
	put("dents/file", "f");
	mkdir("dents/subdir", 0755);
	symlink("file", "dents/alink");
	mkfifo("dents/pipe", 0644);
	fd = open("dents", O_RDONLY | O_DIRECTORY);
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		long off;

		calls++;
		for (off = 0; off < n;) {
			struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);

			for (i = 0; i < 6; i++)
				if (!strcmp(d->d_name, want[i].name) && d->d_type == want[i].type)
					seen |= 1 << i;
			off += d->d_reclen;
		}
	}
	check("getdents64", n == 0 && seen == 0x3f && calls > 1,
	      "last %ld, seen %#x in %d calls", n, seen, calls);
	close(fd);
	fd = open("dents/file", O_RDONLY);
	check_err("getdents64-enotdir", syscall(SYS_getdents64, fd, buf, sizeof(buf)), ENOTDIR);
	close(fd);
	unlink("dents/file");
	rmdir("dents/subdir");
	unlink("dents/alink");
	unlink("dents/pipe");
	rmdir("dents");
}

/* ---- mkdir, rmdir, unlink -------------------------------------------------- */

static void t_dirs(void)
{
	struct stat st;
	int dfd, r;

	r = mkdir("d", 0700);
	check("mkdir", !r && !stat("d", &st) && S_ISDIR(st.st_mode) &&
	      (st.st_mode & 0777) == 0700, "r %d", r);
	check_err("mkdir-eexist", mkdir("d", 0700), EEXIST);
	check_err("mkdir-enoent", mkdir("nodir/d", 0700), ENOENT);
	dfd = open("d", O_RDONLY | O_DIRECTORY);
	r = mkdirat(dfd, "inner", 0755);
	check("mkdirat", !r && !stat("d/inner", &st) && S_ISDIR(st.st_mode), "r %d", r);
	check("dir-nlink", !stat("d", &st) && st.st_nlink == 3, "nlink %lu",
	      (unsigned long)st.st_nlink);
	check_err("rmdir-enotempty", rmdir("d"), ENOTEMPTY);
	put("d/f", "x");
	check_err("rmdir-file-enotdir", rmdir("d/f"), ENOTDIR);
	check_err("unlink-dir-eisdir", unlink("d/inner"), EISDIR);
	r = unlink("d/f");
	check("unlink", !r && stat("d/f", &st) && errno == ENOENT, "r %d", r);
	check_err("unlink-enoent", unlink("d/f"), ENOENT);
	r = unlinkat(dfd, "inner", AT_REMOVEDIR);
	check("unlinkat-removedir", !r && stat("d/inner", &st), "r %d", r);
	close(dfd);
	r = rmdir("d");
	check("rmdir", !r && stat("d", &st) && errno == ENOENT, "r %d", r);
	check_err("rmdir-enoent", rmdir("d"), ENOENT);
}

/* ---- rename, renameat2 -------------------------------------------------- */

static void t_rename(void)
{
	struct stat a, b;
	int r;

	put("tomove", "moved");
	stat("tomove", &a);
	r = rename("tomove", "renamed");
	check("rename", !r && !stat("renamed", &b) && b.st_ino == a.st_ino &&
	      access("tomove", F_OK) && holds("renamed", "moved"), "r %d", r);
	put("other", "other");
	check_err("renameat2-noreplace-eexist",
		  renameat2(AT_FDCWD, "other", AT_FDCWD, "renamed", RENAME_NOREPLACE), EEXIST);
	r = renameat2(AT_FDCWD, "other", AT_FDCWD, "other2", RENAME_NOREPLACE);
	check("renameat2-noreplace", !r && holds("other2", "other") && holds("renamed", "moved"),
	      "r %d", r);
	put("exch_a", "A");
	put("exch_b", "B");
	r = renameat2(AT_FDCWD, "exch_a", AT_FDCWD, "exch_b", RENAME_EXCHANGE);
	check("renameat2-exchange", !r && holds("exch_a", "B") && holds("exch_b", "A"), "r %d", r);
	check_err("renameat2-exchange-enoent",
		  renameat2(AT_FDCWD, "exch_a", AT_FDCWD, "missing", RENAME_EXCHANGE), ENOENT);
	stat("other2", &a);
	put("victim", "victim");
	r = renameat(AT_FDCWD, "other2", AT_FDCWD, "victim");
	check("rename-replaces", !r && !stat("victim", &b) && b.st_ino == a.st_ino &&
	      holds("victim", "other"), "r %d", r);
	unlink("victim");
	mkdir("rd1", 0755);
	mkdir("rd2", 0755);
	put("rd2/f", "f");
	check_err("rename-dir-enotempty", rename("rd1", "rd2"), ENOTEMPTY);
	check_err("rename-dir-over-file-enotdir", rename("rd1", "renamed"), ENOTDIR);
	check_err("rename-into-itself-einval", rename("rd1", "rd1/sub"), EINVAL);
	unlink("rd2/f");
	r = rename("rd1", "rd2");
	check("rename-dir-over-empty", !r && access("rd1", F_OK) && !access("rd2", F_OK), "r %d", r);
	rmdir("rd2");
}

/* ---- link, symlink, readlink ------------------------------------------- */

static void t_links(void)
{
	struct stat st;
	char buf[64];
	ssize_t n;
	int r, dfd;

	r = link("io", "hard");
	check("link", !r && !stat("io", &st) && st.st_nlink == 2, "r %d", r);
	check_err("link-eexist", link("io", "hard"), EEXIST);
	check_err("link-dir-eperm", link(".", "dirlink"), EPERM);
	r = symlink("io", "link");
	check("symlink", !r && !lstat("link", &st) && S_ISLNK(st.st_mode), "r %d", r);
	check_err("symlink-eexist", symlink("x", "link"), EEXIST);
	r = linkat(AT_FDCWD, "link", AT_FDCWD, "hard2", AT_SYMLINK_FOLLOW);
	check("linkat-follow", !r && !lstat("hard2", &st) && S_ISREG(st.st_mode) &&
	      st.st_nlink == 3, "r %d", r);
	r = linkat(AT_FDCWD, "link", AT_FDCWD, "link2", 0);
	check("linkat-symlink-itself", !r && !lstat("link2", &st) && S_ISLNK(st.st_mode) &&
	      st.st_nlink == 2, "r %d", r);
	unlink("hard2");
	unlink("link2");
	/* An unnamed file given a name: linkat AT_EMPTY_PATH (root may). */
	dfd = open(".", O_TMPFILE | O_RDWR, 0600);
	r = write(dfd, "tmp", 3) == 3 ? linkat(dfd, "", AT_FDCWD, "tmpname", AT_EMPTY_PATH) : -1;
	check("linkat-empty-path-tmpfile", !r && holds("tmpname", "tmp") &&
	      !fstat(dfd, &st) && st.st_nlink == 1, "r %d", r);
	close(dfd);
	unlink("tmpname");

	n = readlink("link", buf, sizeof(buf));
	check("readlink", n == 2 && !memcmp(buf, "io", 2), "%zd", n);
	n = readlink("link", buf, 1);
	check("readlink-truncates", n == 1 && buf[0] == 'i', "%zd", n);
	check_err("readlink-file-einval", readlink("io", buf, sizeof(buf)), EINVAL);
	check_err("readlink-bad-size-einval", syscall(SYS_readlink, "link", buf, -1), EINVAL);
	check_err("readlink-enoent", readlink("missing", buf, sizeof(buf)), ENOENT);
	dfd = open(".", O_RDONLY | O_DIRECTORY);
	r = symlinkat("/a/long/absolute/target", dfd, "abslink");
	n = readlinkat(dfd, "abslink", buf, sizeof(buf));
	check("symlinkat-readlinkat", !r && n == 23 && !memcmp(buf, "/a/long/absolute/target", 23),
	      "r %d n %zd", r, n);
	check_err("dangling-enoent", open("abslink", O_RDONLY), ENOENT);
	unlink("abslink");
	close(dfd);
}

/* ---- chmod, chown ------------------------------------------------------- */

static mode_t mode_of(const char *name)
{
	struct stat st;

	return lstat(name, &st) ? (mode_t)-1 : st.st_mode & 07777;
}

static void t_modes(void)
{
	struct stat st;
	int fd, r;

	put("modes", "m");
	r = chmod("modes", 0600);
	check("chmod", !r && mode_of("modes") == 0600, "mode %o", mode_of("modes"));
	fd = open("modes", O_RDONLY);
	r = fchmod(fd, 0640);
	check("fchmod", !r && mode_of("modes") == 0640, "mode %o", mode_of("modes"));
	r = fchmodat(AT_FDCWD, "modes", 04751, 0);
	check("fchmodat", !r && mode_of("modes") == 04751, "mode %o", mode_of("modes"));
	r = syscall(SYS_fchmodat2, AT_FDCWD, "link", 0700, AT_SYMLINK_NOFOLLOW);
	check("fchmodat2-symlink-eopnotsupp", r == -1 && errno == EOPNOTSUPP &&
	      mode_of("io") == 0644, "r %d", r);
	check_err("chmod-enoent", chmod("missing", 0600), ENOENT);

	r = chown("modes", 1234, 5678);
	check("chown", !r && !stat("modes", &st) && st.st_uid == 1234 && st.st_gid == 5678,
	      "r %d", r);
	check("chown-drops-setuid", mode_of("modes") == 0751, "mode %o", mode_of("modes"));
	r = fchown(fd, -1, 4321);
	check("fchown", !r && !stat("modes", &st) && st.st_uid == 1234 && st.st_gid == 4321,
	      "r %d", r);
	close(fd);
	r = lchown("link", 42, 43);
	check("lchown", !r && !lstat("link", &st) && st.st_uid == 42 && st.st_gid == 43 &&
	      !stat("io", &st) && st.st_uid == 0, "r %d", r);
	r = fchownat(AT_FDCWD, "hard", 7, 7, 0);
	check("fchownat", !r && !stat("io", &st) && st.st_uid == 7, "r %d", r);
	fchownat(AT_FDCWD, "hard", 0, 0, 0);
}

/* ---- utimensat, futimens, utimes, utime -------------------------------- */

static void t_times(void)
{
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1500000000, 987654321 } };
	struct timespec now;
	struct timeval tv[2] = { { 1100000000, 250000 }, { 1200000000, 500000 } };
	struct utimbuf ub = { 1300000000, 1400000000 };
	struct stat st;
	int fd, r;

	put("times", "t");
	r = utimensat(AT_FDCWD, "times", ts, 0);
	check("utimensat-ns", !r && !stat("times", &st) &&
	      st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789 &&
	      st.st_mtim.tv_sec == 1500000000 && st.st_mtim.tv_nsec == 987654321,
	      "r %d atime %lld.%09ld", r, (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);

	r = utimes("io", tv);
	check("utimes", !r && !stat("io", &st) && st.st_atim.tv_sec == 1100000000 &&
	      st.st_atim.tv_nsec == 250000000 && st.st_mtim.tv_nsec == 500000000, "r %d", r);
	r = utime("io", &ub);
	check("utime", !r && !stat("io", &st) && st.st_atim.tv_sec == 1300000000 &&
	      st.st_mtim.tv_sec == 1400000000 && st.st_mtim.tv_nsec == 0, "r %d", r);

	/* UTIME_OMIT keeps atime; UTIME_NOW is the clock's time. */
	fd = open("io", O_RDONLY);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	clock_gettime(CLOCK_REALTIME, &now);
	r = futimens(fd, ts);
	check("futimens-omit-now", !r && !fstat(fd, &st) && st.st_atim.tv_sec == 1300000000 &&
	      st.st_mtim.tv_sec >= now.tv_sec - 1 && st.st_mtim.tv_sec <= now.tv_sec + 5,
	      "r %d atime %lld mtime %lld now %lld", r, (long long)st.st_atim.tv_sec,
	      (long long)st.st_mtim.tv_sec, (long long)now.tv_sec);
	close(fd);
	r = utimensat(AT_FDCWD, "io", NULL, 0);
	check("utimensat-null-now", !r && !stat("io", &st) &&
	      st.st_atim.tv_sec >= now.tv_sec - 1 && st.st_atim.tv_sec <= now.tv_sec + 5,
	      "r %d", r);
	ts[0].tv_sec = 5;
	ts[0].tv_nsec = 5;
	ts[1].tv_nsec = UTIME_OMIT;
	r = utimensat(AT_FDCWD, "link", ts, AT_SYMLINK_NOFOLLOW);
	check("utimensat-nofollow", !r && !lstat("link", &st) && st.st_atim.tv_sec == 5 &&
	      st.st_atim.tv_nsec == 5 && !stat("io", &st) && st.st_atim.tv_sec != 5, "r %d", r);
	ts[0].tv_nsec = 1000000000;
	check_err("utimensat-bad-ns-einval", utimensat(AT_FDCWD, "io", ts, 0), EINVAL);
	/* No path and no fd: Linux reads the NULL path (EFAULT). */
	check_err("utimensat-null-path-efault", syscall(SYS_utimensat, AT_FDCWD, NULL, NULL, 0),
		  EFAULT);
}

/* ---- truncate, ftruncate, fallocate ------------------------------------- */

static void t_sizes(void)
{
	char buf[16], big[4096];
	struct stat st, before;
	int fd, r, i;
	ssize_t n;

	put("trunc", "0123456789");
	r = truncate("trunc", 4);
	check("truncate", !r && holds("trunc", "0123"), "r %d", r);
	fd = open("trunc", O_RDWR);
	r = ftruncate(fd, 8);
	n = pread(fd, buf, sizeof(buf), 0);
	check("ftruncate-extends-with-zeros", !r && n == 8 && !memcmp(buf, "0123\0\0\0\0", 8),
	      "r %d n %zd", r, n);
	check_err("ftruncate-negative-einval", ftruncate(fd, -1), EINVAL);
	close(fd);
	check_err("truncate-dir-eisdir", truncate(".", 0), EISDIR);
	check_err("truncate-enoent", truncate("missing", 0), ENOENT);

	fd = open("falloc", O_RDWR | O_CREAT | O_TRUNC, 0644);
	r = fallocate(fd, 0, 0, 1 << 20);
	check("fallocate", !r && !fstat(fd, &st) && st.st_size == 1 << 20 &&
	      st.st_blocks >= (1 << 20) / 512, "r %d size %lld blocks %lld", r,
	      (long long)st.st_size, (long long)st.st_blocks);
	n = pread(fd, big, sizeof(big), 4096);
	check("fallocate-reads-zeros", n == 4096 && all_bytes(big, 4096, 0), "%zd", n);
	r = fallocate(fd, FALLOC_FL_KEEP_SIZE, 1 << 20, 1 << 16);
	check("fallocate-keep-size", !r && !fstat(fd, &st) && st.st_size == 1 << 20 &&
	      st.st_blocks >= ((1 << 20) + (1 << 16)) / 512, "r %d", r);
	check_err("fallocate-punch-needs-keep-size-eopnotsupp",
		  fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096), EOPNOTSUPP);
	close(fd);

	/* 192 KiB written, the middle 64 KiB punched out. */
	fd = open("holey", O_RDWR | O_CREAT | O_TRUNC, 0644);
	memset(big, 'x', sizeof(big));
	for (i = 0; i < 48; i++)
		if (write(fd, big, sizeof(big)) != sizeof(big))
			break;
	fsync(fd);
	fstat(fd, &before);
	r = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 64 << 10, 64 << 10);
	check("fallocate-punch-hole", !r && !fstat(fd, &st) && st.st_size == 192 << 10 &&
	      st.st_blocks <= before.st_blocks - (64 << 10) / 512,
	      "r %d size %lld blocks %lld before %lld", r, (long long)st.st_size,
	      (long long)st.st_blocks, (long long)before.st_blocks);
	n = pread(fd, big, sizeof(big), 100 << 10);
	check("punched-reads-zeros", n == 4096 && all_bytes(big, 4096, 0), "%zd", n);
	check("punched-seek-hole", lseek(fd, 0, SEEK_HOLE) == 64 << 10 &&
	      lseek(fd, 64 << 10, SEEK_DATA) == 128 << 10, "hole at %lld",
	      (long long)lseek(fd, 0, SEEK_HOLE));
	close(fd);
}

/* ---- fsync, fdatasync, sync, syncfs, sync_file_range ------------------- */

static void t_sync(void)
{
	int fd = open("io", O_RDWR), p[2];

	check("fsync", !fsync(fd), "failed");
	check("fdatasync", !fdatasync(fd), "failed");
	sync();
	check("sync", 1, "failed");
	check("syncfs", !syncfs(fd), "failed");
	check("sync-file-range", !sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE |
			SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER), "failed");
	check_err("sync-file-range-bad-flags-einval", sync_file_range(fd, 0, 0, 0x100), EINVAL);
	close(fd);
	if (pipe(p))
		return;
	check_err("fsync-pipe-einval", fsync(p[0]), EINVAL);
	close(p[0]);
	close(p[1]);
}

/* ---- xattrs ------------------------------------------------------------- */

static bool list_has(const char *list, ssize_t n, const char *name)
{
	ssize_t off;

	for (off = 0; off < n; off += strlen(list + off) + 1)
		if (!strcmp(list + off, name))
			return true;
	return false;
}

static void t_xattr(void)
{
	char buf[256];
	ssize_t n;
	int fd, r;

	put("xattr", "x");
	r = setxattr("xattr", "user.kbox", "value-1", 7, XATTR_CREATE);
	check("setxattr", !r, "r %d", r);
	check_err("setxattr-create-eexist",
		  setxattr("xattr", "user.kbox", "v", 1, XATTR_CREATE), EEXIST);
	check_err("setxattr-replace-enodata",
		  setxattr("xattr", "user.none", "v", 1, XATTR_REPLACE), ENODATA);
	n = getxattr("xattr", "user.kbox", buf, sizeof(buf));
	check("getxattr", n == 7 && !memcmp(buf, "value-1", 7), "%zd", n);
	n = getxattr("xattr", "user.kbox", NULL, 0);
	check("getxattr-size", n == 7, "%zd", n);
	check_err("getxattr-erange", getxattr("xattr", "user.kbox", buf, 3), ERANGE);
	check_err("getxattr-enodata", getxattr("xattr", "user.none", buf, sizeof(buf)), ENODATA);
	r = setxattr("xattr", "user.gone", "bye", 3, 0);
	n = listxattr("xattr", buf, sizeof(buf));
	check("listxattr", !r && list_has(buf, n, "user.kbox") && list_has(buf, n, "user.gone"),
	      "%zd", n);
	check("listxattr-size", listxattr("xattr", NULL, 0) == n, "%zd", n);
	r = removexattr("xattr", "user.gone");
	check("removexattr", !r && getxattr("xattr", "user.gone", buf, sizeof(buf)) == -1 &&
	      errno == ENODATA, "r %d", r);
	check_err("removexattr-enodata", removexattr("xattr", "user.gone"), ENODATA);

	fd = open("xattr", O_RDONLY);
	r = fsetxattr(fd, "user.fattr", "fd", 2, 0);
	n = fgetxattr(fd, "user.fattr", buf, sizeof(buf));
	check("fsetxattr-fgetxattr", !r && n == 2 && !memcmp(buf, "fd", 2), "r %d n %zd", r, n);
	r = fsetxattr(fd, "user.ftmp", "t", 1, 0);
	n = flistxattr(fd, buf, sizeof(buf));
	check("flistxattr", !r && list_has(buf, n, "user.fattr") && list_has(buf, n, "user.ftmp") &&
	      list_has(buf, n, "user.kbox") && !list_has(buf, n, "user.gone"), "%zd", n);
	r = fremovexattr(fd, "user.ftmp");
	check("fremovexattr", !r && fgetxattr(fd, "user.ftmp", buf, sizeof(buf)) == -1 &&
	      errno == ENODATA, "r %d", r);
	close(fd);

	/* The l* calls on a symlink: its own xattrs, not its target's. */
	symlink("xattr", "xlink");
	check_err("lsetxattr-user-on-symlink-eperm",
		  lsetxattr("xlink", "user.x", "v", 1, 0), EPERM);
	n = lgetxattr("xlink", "user.kbox", buf, sizeof(buf));
	check("lgetxattr-symlink-enodata", n == -1 && errno == ENODATA, "%zd", n);
	n = getxattr("xlink", "user.kbox", buf, sizeof(buf));
	check("getxattr-follows", n == 7, "%zd", n);
	n = llistxattr("xlink", buf, sizeof(buf));
	check("llistxattr-symlink", n >= 0 && !list_has(buf, n, "user.kbox"), "%zd", n);
	check_err("lremovexattr-user-on-symlink-eperm", lremovexattr("xlink", "user.kbox"), EPERM);
	r = lsetxattr("xattr", "user.ltmp", "l", 1, 0);
	n = lgetxattr("xattr", "user.ltmp", buf, sizeof(buf));
	check("lsetxattr-lgetxattr-file", !r && n == 1, "r %d n %zd", r, n);
	r = lremovexattr("xattr", "user.ltmp");
	check("lremovexattr-file", !r, "r %d", r);
	n = llistxattr("xattr", buf, sizeof(buf));
	check("llistxattr-file", list_has(buf, n, "user.kbox") && !list_has(buf, n, "user.ltmp"),
	      "%zd", n);
	unlink("xlink");
}

/* ---- flock and fcntl locks between two processes ------------------------ */

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void t_locks(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10 };
	int fd, fd2, p[2], st;
	pid_t pid, me = getpid();
	char c;

	put("locks", "0123456789abcdef");
	fd = open("locks", O_RDWR);
	check("flock", !flock(fd, LOCK_EX), "failed");
	check("fcntl-setlk", !fcntl(fd, F_SETLK, &fl), "failed");
	pid = fork();
	if (pid == 0) {
		struct flock g = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10 };
		int own = open("locks", O_RDWR);

		check_err("child-flock-ewouldblock", flock(own, LOCK_EX | LOCK_NB), EWOULDBLOCK);
		check_err("child-setlk-eagain", fcntl(own, F_SETLK, &g), EAGAIN);
		check("child-getlk", !fcntl(own, F_GETLK, &g) && g.l_type == F_WRLCK &&
		      g.l_pid == me && g.l_start == 0 && g.l_len == 10,
		      "type %d pid %d (parent %d)", g.l_type, g.l_pid, me);
		g.l_type = F_WRLCK;
		g.l_start = 10;
		g.l_len = 6;
		check("child-setlk-other-range", !fcntl(own, F_SETLK, &g), "failed");
		_exit(failed);
	}
	check("child-status-locks", child_status(pid) == 0, "failed");

	/* F_SETLKW sleeps in the kernel until the parent lets go. */
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		struct flock g = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_len = 10 };
		int own = open("locks", O_RDWR);

		close(p[0]);
		if (write(p[1], "r", 1) != 1)
			_exit(2);
		_exit(fcntl(own, F_SETLKW, &g) ? 3 : flock(own, LOCK_SH) ? 4 : 0);
	}
	close(p[1]);
	st = read(p[0], &c, 1) == 1;
	usleep(200000);
	check("setlkw-blocks", st && waitpid(pid, &st, WNOHANG) == 0, "failed");
	fl.l_type = F_UNLCK;
	fcntl(fd, F_SETLK, &fl);
	flock(fd, LOCK_UN);
	st = child_status(pid);
	check("setlkw-gets-it", st == 0, "child status %d", st);
	close(p[0]);

	/*
	 * A signal ends a sleeping lock call with EINTR; with SA_RESTART the
	 * call goes on and gets the lock when the parent lets go.
	 */
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10 };
	flock(fd, LOCK_EX);
	fcntl(fd, F_SETLK, &fl);
	if (pipe(p))
		return;
	pid = fork();
	if (pid == 0) {
		struct flock g = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10 };
		struct sigaction sa = { .sa_handler = on_alarm };
		struct itimerval soon = { .it_value = { 0, 100000 } };
		int own = open("locks", O_RDWR);

		close(p[0]);
		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &soon, NULL);
		check_err("child-flock-eintr", flock(own, LOCK_EX), EINTR);
		setitimer(ITIMER_REAL, &soon, NULL);
		check_err("child-setlkw-eintr", fcntl(own, F_SETLKW, &g), EINTR);
		sa.sa_flags = SA_RESTART;
		sigaction(SIGALRM, &sa, NULL);
		setitimer(ITIMER_REAL, &soon, NULL);
		/* Tell the parent to let go once the alarm has come. */
		if (write(p[1], "w", 1) != 1)
			_exit(2);
		check("child-flock-restarted", !flock(own, LOCK_EX) && alarms == 3, "%d alarms",
		      alarms);
		_exit(failed);
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		check("lock-signal-setup", 0, "read");
	usleep(300000);
	fl.l_type = F_UNLCK;
	fcntl(fd, F_SETLK, &fl);
	flock(fd, LOCK_UN);
	check("child-status-lock-signals", child_status(pid) == 0, "failed");
	close(p[0]);

	/* OFD locks: per open file, so two in one process conflict. */
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 4 };
	check("ofd-setlk", !fcntl(fd, F_OFD_SETLK, &fl), "failed");
	fd2 = open("locks", O_RDWR);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_len = 4 };
	check_err("ofd-setlk-eagain", fcntl(fd2, F_OFD_SETLK, &fl), EAGAIN);
	check("ofd-getlk", !fcntl(fd2, F_OFD_GETLK, &fl) && fl.l_type == F_WRLCK &&
	      fl.l_pid == -1, "type %d pid %d", fl.l_type, fl.l_pid);
	pid = fork();
	if (pid == 0) {
		struct flock g = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 4 };

		/* The inherited fd shares the open file, so its lock. */
		check("child-ofd-shared", !fcntl(fd, F_OFD_SETLK, &g), "failed");
		check_err("child-ofd-eagain", fcntl(fd2, F_OFD_SETLK, &g), EAGAIN);
		_exit(failed);
	}
	check("child-status-ofd", child_status(pid) == 0, "failed");
	close(fd2);
	close(fd);
	unlink("locks");
}

/* ---- access, faccessat, faccessat2 -------------------------------------- */

static void t_access(void)
{
	pid_t pid;
	int r;

	put("acc", "a");
	chmod("acc", 0600);
	mkdir("pub", 0777);
	chmod("pub", 0777);
	check("access", !access("acc", R_OK | W_OK), "failed");
	check_err("access-x-eacces", access("acc", X_OK), EACCES);
	check_err("access-enoent", access("missing", F_OK), ENOENT);
	r = faccessat(AT_FDCWD, "acc", R_OK, 0);
	check("faccessat", !r, "r %d", r);
	r = syscall(SYS_faccessat2, AT_FDCWD, "link", F_OK, AT_SYMLINK_NOFOLLOW);
	check("faccessat2-nofollow", !r, "r %d", r);
	pid = fork();
	if (pid == 0) {
		/* Real uid 0, effective 1000: access asks as uid 0, AT_EACCESS as 1000. */
		if (setresuid(0, 1000, 0))
			_exit(9);
		check("access-real-uid", !access("acc", R_OK), "failed");
		check_err("faccessat2-eaccess-eacces",
			  syscall(SYS_faccessat2, AT_FDCWD, "acc", R_OK, AT_EACCESS), EACCES);
		check_err("nonroot-chown-eperm", chown("acc", 1000, 1000), EPERM);
		check_err("nonroot-mknod-chr-eperm",
			  mknod("pub/nochr", S_IFCHR | 0600, makedev(1, 3)), EPERM);
		check_err("nonroot-create-eacces", open("nofile", O_CREAT | O_WRONLY, 0600), EACCES);
		_exit(failed);
	}
	check("child-status-access", child_status(pid) == 0, "failed");
	unlink("acc");
	rmdir("pub");
}

/* ---- chdir, fchdir, getcwd, umask --------------------------------------- */

static void t_cwd(const char *dir)
{
	char buf[PATH_MAX], want[PATH_MAX];
	struct stat st;
	int here = open(".", O_RDONLY | O_DIRECTORY), r;
	char small[4];
	pid_t pid;

	mkdir("cwd", 0755);
	mkdir("cwd/in", 0755);
	r = chdir("cwd/in");
	snprintf(want, sizeof(want), "%s/cwd/in", dir);
	check("chdir-getcwd", !r && getcwd(buf, sizeof(buf)) && !strcmp(buf, want),
	      "r %d cwd %s", r, buf);
	r = chdir("..");
	snprintf(want, sizeof(want), "%s/cwd", dir);
	check("chdir-dotdot", !r && getcwd(buf, sizeof(buf)) && !strcmp(buf, want), "cwd %s", buf);
	check("getcwd-erange", !getcwd(small, sizeof(small)) && errno == ERANGE, "failed");
	r = fchdir(here);
	check("fchdir", !r && getcwd(buf, sizeof(buf)) && !strcmp(buf, dir) &&
	      !access("io", F_OK), "r %d cwd %s", r, buf);
	check_err("chdir-file-enotdir", chdir("io"), ENOTDIR);
	check_err("chdir-enoent", chdir("missing"), ENOENT);
	close(here);
	rmdir("cwd/in");
	rmdir("cwd");

	r = umask(027);
	check("umask-returns-old", umask(027) == 027, "first was %o", r);
	close(open("umask", O_CREAT | O_WRONLY, 0666));
	mkdir("umaskdir", 0777);
	check("umask-applies", !stat("umask", &st) && (st.st_mode & 0777) == 0640 &&
	      !stat("umaskdir", &st) && (st.st_mode & 0777) == 0750, "mode %o", st.st_mode);
	umask(r);
	pid = fork();
	if (pid == 0) {
		check("umask-inherited", umask(0) == (mode_t)r, "failed");
		_exit(failed);
	}
	check("child-status-umask", child_status(pid) == 0, "failed");
}

/* ---- statfs, fstatfs ---------------------------------------------------- */

static void t_statfs(void)
{
	struct statfs a, b;
	int fd = open("io", O_RDONLY), r;

	r = statfs(".", &a);
	check("statfs", !r && a.f_type == EXT4_MAGIC && a.f_namelen == 255 &&
	      a.f_blocks > 0 && a.f_bfree <= a.f_blocks && a.f_bsize >= 1024,
	      "r %d type %#lx", r, (long)a.f_type);
	r = fstatfs(fd, &b);
	check("fstatfs", !r && b.f_type == EXT4_MAGIC && b.f_blocks == a.f_blocks &&
	      !memcmp(&a.f_fsid, &b.f_fsid, sizeof(a.f_fsid)), "r %d", r);
	check_err("statfs-enoent", statfs("missing", &a), ENOENT);
	close(fd);
}

/* ---- mknod, mknodat ------------------------------------------------------ */

static void t_mknod(void)
{
	struct stat st;
	char buf[16];
	int fd, dfd, r;
	pid_t pid;

	r = mknod("fifo", S_IFIFO | 0640, 0);
	check("mknod-fifo", !r && !stat("fifo", &st) && S_ISFIFO(st.st_mode) &&
	      (st.st_mode & 0777) == 0640, "r %d", r);
	fd = open("fifo", O_RDWR);
	r = write(fd, "ff", 2) == 2 && read(fd, buf, 2) == 2 && !memcmp(buf, "ff", 2);
	check("fifo-carries-data", fd >= 0 && r, "fd %d", fd);
	close(fd);
	dfd = open(".", O_RDONLY | O_DIRECTORY);
	r = mknodat(dfd, "chardev", S_IFCHR | 0640, makedev(1, 3));
	check("mknodat-chr", !r && !stat("chardev", &st) && S_ISCHR(st.st_mode) &&
	      st.st_rdev == makedev(1, 3) && (st.st_mode & 0777) == 0640,
	      "r %d rdev %#lx", r, (unsigned long)st.st_rdev);
	/* 1:3 is the kernel's null device. */
	fd = open("chardev", O_RDWR);
	check("chardev-is-null", fd >= 0 && write(fd, "abc", 3) == 3 && read(fd, buf, 3) == 0,
	      "fd %d", fd);
	close(fd);
	r = mknodat(dfd, "regular", S_IFREG | 0600, 0);
	check("mknodat-reg", !r && !stat("regular", &st) && S_ISREG(st.st_mode) &&
	      st.st_size == 0, "r %d", r);
	check_err("mknod-eexist", mknod("fifo", S_IFIFO | 0600, 0), EEXIST);

	/* A reader's open sleeps in the kernel until a writer comes. */
	pid = fork();
	if (pid == 0) {
		usleep(100000);
		fd = open("fifo", O_WRONLY);
		_exit(fd < 0 || write(fd, "from child", 10) != 10);
	}
	fd = open("fifo", O_RDONLY);
	r = fd >= 0 && read(fd, buf, sizeof(buf)) == 10 && !memcmp(buf, "from child", 10);
	check("fifo-open-waits-for-writer", r && child_status(pid) == 0 && read(fd, buf, 1) == 0,
	      "fd %d", fd);
	close(fd);
	unlink("regular");
	close(dfd);
}

/* ---- memfd ------------------------------------------------------------- */

static void t_memfd(void)
{
	int fd = memfd_create("kbox-test", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	char buf[8];
	int seals;

	check("memfd-create", fd >= 0 && write(fd, "memfd", 5) == 5 &&
	      pread(fd, buf, 5, 0) == 5 && !memcmp(buf, "memfd", 5), "fd %d", fd);
	check("memfd-add-seals", !fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK |
					F_SEAL_GROW), "failed");
	seals = fcntl(fd, F_GET_SEALS);
	check("memfd-get-seals", seals == (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW),
	      "%#x", seals);
	check_err("memfd-sealed-write-eperm", write(fd, "x", 1), EPERM);
	check_err("memfd-sealed-truncate-eperm", ftruncate(fd, 0), EPERM);
	close(fd);
	fd = memfd_create("unsealable", 0);
	check_err("memfd-no-sealing-eperm", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
	close(fd);
}

/* ---- sendfile, copy_file_range, splice, tee, vmsplice ------------------ */

static void t_copies(void)
{
	char buf[32], big[4096];
	off_t off;
	loff_t in_off, out_off;
	int in = open("io", O_RDONLY), out, p[2], q[2];
	ssize_t n;
	struct iovec iov[2] = { { "vm", 2 }, { "splice", 6 } };

	out = open("sent", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	off = 6;
	n = sendfile(out, in, &off, 8);
	check("sendfile-offset", n == 8 && off == 14 && lseek(in, 0, SEEK_CUR) == 0 &&
	      holds("sent", "vectored"), "%zd off %lld", n, (long long)off);
	close(out);
	out = open("sent2", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	n = sendfile(out, in, NULL, 5);
	check("sendfile-position", n == 5 && lseek(in, 0, SEEK_CUR) == 5 &&
	      holds("sent2", "PWllo"), "%zd", n);
	close(out);
	unlink("sent2");

	out = open("copied", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	in_off = 6;
	out_off = 0;
	n = copy_file_range(in, &in_off, out, &out_off, 8, 0);
	check("copy-file-range", n == 8 && in_off == 14 && out_off == 8 &&
	      holds("copied", "vectored"), "%zd", n);
	check_err("copy-file-range-flags-einval",
		  copy_file_range(in, &in_off, out, &out_off, 8, 1), EINVAL);
	close(out);

	if (pipe(p) || pipe(q))
		return;
	in_off = 0;
	n = splice(in, &in_off, p[1], NULL, 5, 0);
	check("splice-file-to-pipe", n == 5 && in_off == 5, "%zd", n);
	n = tee(p[0], q[1], 64, 0);
	check("tee", n == 5, "%zd", n);
	out = open("spliced", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	n = splice(p[0], NULL, out, NULL, 64, 0);
	check("splice-pipe-to-file", n == 5 && holds("spliced", "PWllo"), "%zd", n);
	close(out);
	n = read(q[0], buf, sizeof(buf));
	check("tee-copy-reads", n == 5 && !memcmp(buf, "PWllo", 5), "%zd", n);
	out = open("io", O_RDWR);
	check_err("splice-no-pipe-einval", splice(out, NULL, out, NULL, 4, 0), EINVAL);
	close(out);

	n = vmsplice(p[1], iov, 2, 0);
	check("vmsplice", n == 8, "%zd", n);
	n = read(p[0], buf, sizeof(buf));
	check("vmsplice-reads", n == 8 && !memcmp(buf, "vmsplice", 8), "%zd", n);
	iov[0].iov_base = buf;
	iov[0].iov_len = 3;
	if (write(q[1], "out", 3) != 3)
		check("vmsplice-setup", 0, "write");
	memset(buf, 0, sizeof(buf));
	n = vmsplice(q[0], iov, 1, 0);
	check("vmsplice-from-pipe", n == 3 && !memcmp(buf, "out", 3), "%zd", n);
	fcntl(q[0], F_SETFL, O_NONBLOCK);
	check_err("vmsplice-empty-nonblock-eagain", vmsplice(q[0], iov, 1, SPLICE_F_NONBLOCK),
		  EAGAIN);
	/* A full pipe: SPLICE_F_NONBLOCK says EAGAIN, not sleep. */
	if (fcntl(p[1], F_SETPIPE_SZ, 4096) < 0 || write(p[1], memset(big, 'f', 4096), 4096) != 4096)
		check("vmsplice-setup", 0, "fill");
	iov[0].iov_base = "x";
	iov[0].iov_len = 1;
	check_err("vmsplice-full-nonblock-eagain", vmsplice(p[1], iov, 1, SPLICE_F_NONBLOCK),
		  EAGAIN);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	close(in);
}

/* ---- inotify ------------------------------------------------------------ */

static void t_inotify(void)
{
	char buf[4096] __attribute__((aligned(8)));
	struct pollfd pfd;
	int fd, wd, r, got = 0;
	uint32_t cookie = 0;
	ssize_t n, off;
	static const struct { uint32_t mask; const char *name; } want[] = {
		{ IN_CREATE, "f" }, { IN_MODIFY, "f" }, { IN_MOVED_FROM, "f" },
		{ IN_MOVED_TO, "g" }, { IN_DELETE, "g" }, { IN_CREATE | IN_ISDIR, "sub" },
	};

	mkdir("ino", 0755);
	fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	check("inotify-init1", fd >= 0, "%d", fd);
	wd = inotify_add_watch(fd, "ino", IN_CREATE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM |
			       IN_MOVED_TO);
	check("inotify-add-watch", wd >= 0, "%d", wd);
	check_err("inotify-add-watch-enoent", inotify_add_watch(fd, "missing", IN_CREATE), ENOENT);
	check_err("inotify-read-empty-eagain", read(fd, buf, sizeof(buf)), EAGAIN);

	put("ino/f", "data");
	rename("ino/f", "ino/g");
	unlink("ino/g");
	mkdir("ino/sub", 0755);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	r = poll(&pfd, 1, 1000);
	check("inotify-poll", r == 1 && (pfd.revents & POLLIN), "%d", r);
	n = read(fd, buf, sizeof(buf));
	for (off = 0; off < n && got >= 0;) {
		struct inotify_event *e = (struct inotify_event *)(buf + off);

		/* put() may report more than one IN_MODIFY: take them as one. */
		if (got > 0 && e->mask == IN_MODIFY && want[got - 1].mask == IN_MODIFY) {
			off += sizeof(*e) + e->len;
			continue;
		}
		if (got >= 6 || e->wd != wd || e->mask != want[got].mask ||
		    strcmp(e->name, want[got].name)) {
			printf("# event %d: mask %#x name %s\n", got, e->mask, e->len ? e->name : "");
			got = -1;
			break;
		}
		if (e->mask == IN_MOVED_FROM)
			cookie = e->cookie;
		if (e->mask == IN_MOVED_TO && (!cookie || e->cookie != cookie)) {
			got = -1;
			break;
		}
		got++;
		off += sizeof(*e) + e->len;
	}
	check("inotify-events", got == 6, "%d of 6 events in %zd bytes", got, n);
	r = inotify_rm_watch(fd, wd);
	n = read(fd, buf, sizeof(buf));
	check("inotify-rm-watch", !r && n >= (ssize_t)sizeof(struct inotify_event) &&
	      (((struct inotify_event *)buf)->mask & IN_IGNORED), "r %d n %zd", r, n);
	check_err("inotify-rm-watch-einval", inotify_rm_watch(fd, wd), EINVAL);
	rmdir("ino/sub");
	n = read(fd, buf, sizeof(buf));
	check("inotify-no-events-after-rm", n == -1 && errno == EAGAIN, "%zd", n);
	close(fd);
	rmdir("ino");
}

/* ---- the end: everything removed, or left for the test ------------------ */

/* Remove directory path and all below it (getdents64, unlinkat). */
static int remove_tree(int parent, const char *path)
{
	char buf[1024];
	int fd = openat(parent, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	long n, off;
	int bad = 0;

	if (fd < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off < n;) {
			struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			if (d->d_type == DT_DIR)
				bad |= remove_tree(fd, d->d_name);
			else
				bad |= unlinkat(fd, d->d_name, 0);
		}
	}
	close(fd);
	return bad | unlinkat(parent, path, AT_REMOVEDIR);
}

int main(int argc, char **argv)
{
	const char *dir;

	if (argc < 2 || (argc > 2 && strcmp(argv[2], "keep"))) {
		fprintf(stderr, "usage: fscalls DIR [keep]\n");
		return 2;
	}
	dir = argv[1];
	keep = argc > 2;
	if (geteuid() != 0) {
		fprintf(stderr, "fscalls: must run as root\n");
		return 2;
	}
	umask(022);
	check("mkdir-workdir", !mkdir(dir, 0755) && !chdir(dir), "%s", dir);

	t_io();
	t_seek_holes();
	t_stat();
	t_getdents();
	t_dirs();
	t_rename();
	t_links();
	t_modes();
	t_times();
	t_sizes();
	t_sync();
	t_xattr();
	t_locks();
	t_access();
	t_cwd(dir);
	t_statfs();
	t_mknod();
	t_memfd();
	t_copies();
	t_inotify();

	if (!keep) {
		int r = chdir("/") || remove_tree(AT_FDCWD, dir);

		check("remove-workdir", !r && access(dir, F_OK) && errno == ENOENT, "r %d", r);
	}
	return failed;
}
