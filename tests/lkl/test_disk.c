// SPDX-License-Identifier: GPL-2.0
/*
 * Driver of tests/lkl/test_disk.sh: an ext4 image made on the host, mounted
 * through liblkl.  Each phase boots the library kernel once (one boot per
 * process) and prints TAP lines that the script renumbers.
 *
 *   test_disk pattern SIZE SEED     the test pattern, on stdout
 *   test_disk rw IMG TREE EXPECTED  mount rw, compare with TREE, change the
 *                                   tree, compare with EXPECTED, umount
 *   test_disk ro IMG EXPECTED       mount LKL_MS_RDONLY: EXPECTED, EROFS
 *   test_disk rofd IMG EXPECTED     the image opened O_RDONLY on the host
 *   test_disk crash|dirty|recover IMG
 *                                   an unclean unmount and its journal
 *
 * Run without arguments (as "make check" does for every test binary) it
 * only says that the script drives it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <lkl.h>
#include "tap.h"

#ifndef LKL_XATTR_CREATE
#define LKL_XATTR_CREATE	1
#define LKL_XATTR_REPLACE	2
#endif
#define LKL_ST_RDONLY		1	/* statfs f_flags */

#define MiB			(1024L * 1024L)
#define BIG_SIZE		(8 * MiB)
#define SPARSE_SIZE		(5 * MiB)
#define CHUNK			(64 * 1024)

static char mnt[64];

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

/* The test pattern: byte off of stream seed (also made by "pattern"). */
static unsigned char pattern_byte(unsigned long long off, unsigned int seed)
{
	uint64_t x = (off >> 3) * 0x9E3779B97F4A7C15ULL + seed * 0xD1B54A32D192ED03ULL;

	x ^= x >> 31;
	x *= 0xBF58476D1CE4E5B9ULL;
	x ^= x >> 29;
	return (unsigned char)(x >> (8 * (off & 7)));
}

static void pattern_fill(unsigned char *buf, size_t len,
			 unsigned long long off, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pattern_byte(off + i, seed);
}

/* a "/" b into buf (PATH_MAX bytes); b "" gives a itself. */
static char *join(char *buf, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la + 1 + lb >= PATH_MAX) {
		fprintf(stderr, "path too long: %s/%s\n", a, b);
		abort();
	}
	memcpy(buf, a, la);
	if (lb) {
		buf[la++] = '/';
		memcpy(buf + la, b, lb);
	}
	buf[la + lb] = 0;
	return buf;
}

/* The path of rel inside the mounted filesystem (a few rotating buffers). */
static const char *L(const char *rel)
{
	static char bufs[8][PATH_MAX];
	static int next;

	return join(bufs[next++ & 7], mnt, rel);
}

static const char *err(long ret)
{
	return ret < 0 ? lkl_strerror((int)ret) : "ok";
}

#define is_ret(got, want, ...) ({					\
	long __g = (long)(got), __w = (long)(want);			\
	int __r = ok(__g == __w, __VA_ARGS__);				\
	if (!__r)							\
		printf("#   got %ld (%s), want %ld (%s)\n", __g, err(__g),	\
		       __w, err(__w));					\
	__r;								\
})

static long lkl_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		long n = lkl_sys_write(fd, p, len);

		if (n <= 0)
			return n ? n : -LKL_EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Create rel with content (mode exact: fchmod after, umask aside). */
static long lkl_make_file(const char *rel, const char *content, int mode)
{
	long fd, ret;

	fd = lkl_sys_open(L(rel), LKL_O_CREAT | LKL_O_EXCL | LKL_O_WRONLY, mode);
	if (fd < 0)
		return fd;
	ret = lkl_write_all((int)fd, content, strlen(content));
	if (!ret)
		ret = lkl_sys_fchmod((unsigned int)fd, (lkl_umode_t)mode);
	if (!ret)
		ret = lkl_sys_fsync((unsigned int)fd);
	lkl_sys_close((unsigned int)fd);
	return ret;
}

static int boot(void)
{
	if (!ok(lkl_init(&lkl_host_ops) == 0, "lkl_init"))
		return -1;
	if (!is_ret(lkl_start_kernel("mem=64M loglevel=4"), 0, "boot"))
		return -1;
	return 0;
}

static void shutdown_kernel(void)
{
	is_ret(lkl_sys_halt(), 0, "lkl_sys_halt");
	lkl_cleanup();
}

/* ---------------------------------------------------------------------- */
/* Comparing the mounted tree with a host tree                             */

struct ino_pair {
	dev_t hdev;
	ino_t hino;
	unsigned long lino;
};

static struct ino_pair *pairs;
static size_t npairs, pairs_alloc;

/* Hard links: one host inode must be one kernel inode, and vice versa. */
static int same_link_group(const struct stat *hs, unsigned long lino)
{
	size_t i;

	for (i = 0; i < npairs; i++) {
		int h = pairs[i].hdev == hs->st_dev && pairs[i].hino == hs->st_ino;
		int l = pairs[i].lino == lino;

		if (h || l)
			return h && l;
	}
	if (npairs == pairs_alloc) {
		pairs_alloc = pairs_alloc ? 2 * pairs_alloc : 64;
		pairs = realloc(pairs, pairs_alloc * sizeof(*pairs));
		if (!pairs)
			abort();
	}
	pairs[npairs++] = (struct ino_pair){ hs->st_dev, hs->st_ino, lino };
	return 1;
}

/* Content of a host file and a kernel file, byte for byte. */
static int same_content(const char *hpath, const char *lpath, char *why,
			size_t whylen)
{
	static char hb[CHUNK], lb[CHUNK];
	long long off = 0;
	int hfd, same = 0;
	long lfd;

	hfd = open(hpath, O_RDONLY);
	lfd = lkl_sys_open(lpath, LKL_O_RDONLY, 0);
	if (hfd < 0 || lfd < 0) {
		snprintf(why, whylen, "open: host %s, lkl %s",
			 hfd < 0 ? strerror(errno) : "ok", err(lfd));
		goto out;
	}
	for (;;) {
		ssize_t hn = read(hfd, hb, sizeof(hb));
		long ln = 0, n;

		/* The kernel may return short reads: fill to hn. */
		while (hn > 0 && ln < hn) {
			n = lkl_sys_read((unsigned int)lfd, lb + ln,
					 (size_t)(hn - ln));
			if (n <= 0) {
				if (n < 0) {
					snprintf(why, whylen, "read: %s", err(n));
					goto out;
				}
				break;
			}
			ln += n;
		}
		if (hn < 0) {
			snprintf(why, whylen, "host read: %s", strerror(errno));
			goto out;
		}
		if (hn == 0) {
			n = lkl_sys_read((unsigned int)lfd, lb, sizeof(lb));
			if (n != 0) {
				snprintf(why, whylen, "lkl file longer (%ld)", n);
				goto out;
			}
			same = 1;
			goto out;
		}
		if (ln != hn || memcmp(hb, lb, (size_t)hn)) {
			long i;

			for (i = 0; i < ln && hb[i] == lb[i]; i++)
				;
			snprintf(why, whylen, "content differs at byte %lld",
				 off + i);
			goto out;
		}
		off += hn;
	}
out:
	if (hfd >= 0)
		close(hfd);
	if (lfd >= 0)
		lkl_sys_close((unsigned int)lfd);
	return same;
}

/* user.* extended attributes, names and values. */
static int same_xattrs(const char *hpath, const char *lpath, char *why,
		       size_t whylen)
{
	char hl[4096], ll[4096], hv[4096], lv[4096];
	ssize_t hn = llistxattr(hpath, hl, sizeof(hl));
	long ln = lkl_sys_llistxattr(lpath, ll, sizeof(ll));
	int hcount = 0, lcount = 0;
	char *p;

	if (hn < 0)
		hn = 0;		/* host filesystem without xattrs: none */
	if (ln < 0) {
		snprintf(why, whylen, "llistxattr: %s", err(ln));
		return 0;
	}
	for (p = hl; p < hl + hn; p += strlen(p) + 1) {
		ssize_t hs;
		long ls;

		if (strncmp(p, "user.", 5))
			continue;
		hcount++;
		hs = lgetxattr(hpath, p, hv, sizeof(hv));
		ls = lkl_sys_lgetxattr(lpath, p, lv, sizeof(lv));
		if (hs < 0 || ls != hs || memcmp(hv, lv, (size_t)hs)) {
			snprintf(why, whylen, "xattr %.64s: host %zd, lkl %ld (%s)",
				 p, hs, ls, err(ls));
			return 0;
		}
	}
	for (p = ll; p < ll + ln; p += strlen(p) + 1)
		if (!strncmp(p, "user.", 5))
			lcount++;
	if (hcount != lcount) {
		snprintf(why, whylen, "%d user xattrs on the host, %d in lkl",
			 hcount, lcount);
		return 0;
	}
	return 1;
}

static int count_subdirs(const char *hpath)
{
	char p[PATH_MAX];
	struct dirent *d;
	struct stat st;
	int n = 0;
	DIR *dir = opendir(hpath);

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		join(p, hpath, d->d_name);
		if (!lstat(p, &st) && S_ISDIR(st.st_mode))
			n++;
	}
	closedir(dir);
	return n;
}

/* One entry: type, mode, size, links, content or target, xattrs. */
static void compare_entry(const char *hroot, const char *rel, int xattrs)
{
	char hpath[PATH_MAX], lpath[PATH_MAX], why[256] = "";
	char ht[PATH_MAX], lt[PATH_MAX];
	struct lkl_stat ls;
	struct stat hs;
	long ret;
	int good = 0;

	join(hpath, hroot, rel);
	join(lpath, mnt, rel);
	memset(&ls, 0, sizeof(ls));
	if (lstat(hpath, &hs) < 0) {
		snprintf(why, sizeof(why), "host lstat: %s", strerror(errno));
		goto out;
	}
	ret = lkl_sys_lstat(lpath, &ls);
	if (ret < 0) {
		snprintf(why, sizeof(why), "lstat: %s", err(ret));
		goto out;
	}
	if ((ls.st_mode & S_IFMT) != (hs.st_mode & S_IFMT) ||
	    (ls.st_mode & 07777) != (hs.st_mode & 07777)) {
		snprintf(why, sizeof(why), "mode %06o, want %06o",
			 ls.st_mode, (unsigned int)hs.st_mode);
		goto out;
	}
	if (S_ISDIR(hs.st_mode)) {
		/* Subdirectories' ".." plus "." and the parent's entry. */
		int want = 2 + count_subdirs(hpath);

		if ((int)ls.st_nlink != want) {
			snprintf(why, sizeof(why), "dir nlink %u, want %d",
				 ls.st_nlink, want);
			goto out;
		}
	} else {
		if (ls.st_size != (long)hs.st_size) {
			snprintf(why, sizeof(why), "size %ld, want %lld",
				 ls.st_size, (long long)hs.st_size);
			goto out;
		}
		if (ls.st_nlink != hs.st_nlink) {
			snprintf(why, sizeof(why), "nlink %u, want %lu",
				 ls.st_nlink, (unsigned long)hs.st_nlink);
			goto out;
		}
		if (hs.st_nlink > 1 && !same_link_group(&hs, ls.st_ino)) {
			snprintf(why, sizeof(why), "hard link to the wrong inode");
			goto out;
		}
	}
	if (S_ISLNK(hs.st_mode)) {
		ssize_t hn = readlink(hpath, ht, sizeof(ht) - 1);
		long ln = lkl_sys_readlink(lpath, lt, sizeof(lt) - 1);

		if (hn < 0 || ln != hn || memcmp(ht, lt, (size_t)hn)) {
			snprintf(why, sizeof(why), "link target differs (%ld: %s)",
				 ln, err(ln));
			goto out;
		}
	}
	if (S_ISREG(hs.st_mode) &&
	    !same_content(hpath, lpath, why, sizeof(why)))
		goto out;
	if (xattrs && !same_xattrs(hpath, lpath, why, sizeof(why)))
		goto out;
	good = 1;
out:
	ok(good, "same as the host: %s", rel);
	if (!good)
		printf("#   %s\n", why);
}

/* Every kernel entry of directory rel must exist on the host. */
static void compare_listing(const char *hroot, const char *rel)
{
	char buf[4096], hpath[PATH_MAX], sub[PATH_MAX];
	int extra = 0;
	long fd, n;
	struct stat hs;

	fd = lkl_sys_open(L(rel), LKL_O_RDONLY | LKL_O_DIRECTORY, 0);
	if (fd < 0) {
		is_ret(fd, 0, "open dir /%s", rel);
		return;
	}
	while ((n = lkl_sys_getdents64((unsigned int)fd,
				       (struct lkl_linux_dirent64 *)buf,
				       sizeof(buf))) > 0) {
		long off = 0;

		while (off < n) {
			struct lkl_linux_dirent64 *d =
				(struct lkl_linux_dirent64 *)(buf + off);

			off += d->d_reclen;
			if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
				continue;
			join(hpath, join(sub, hroot, rel), d->d_name);
			if (lstat(hpath, &hs) < 0) {
				/* mke2fs made lost+found; the host tree may lack it. */
				if (!*rel && !strcmp(d->d_name, "lost+found"))
					continue;
				printf("#   not on the host: %s\n", hpath);
				extra++;
			}
		}
	}
	lkl_sys_close((unsigned int)fd);
	ok(n == 0 && !extra, "no entries beyond the host's in /%s", rel);
	if (n < 0)
		printf("#   getdents64: %s\n", err(n));
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk the host tree under rel ("" for its root), comparing as we go. */
static void compare_tree(const char *hroot, const char *rel, int xattrs)
{
	char hpath[PATH_MAX], sub[PATH_MAX];
	char **names = NULL;
	size_t n = 0, alloc = 0, i;
	struct dirent *d;
	DIR *dir;

	join(hpath, hroot, rel);
	dir = opendir(hpath);
	if (!dir) {
		ok(0, "host dir %s: %s", hpath, strerror(errno));
		return;
	}
	while ((d = readdir(dir))) {
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 32;
			names = realloc(names, alloc * sizeof(*names));
			if (!names)
				abort();
		}
		names[n++] = strdup(d->d_name);
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), entry_cmp);

	for (i = 0; i < n; i++) {
		struct stat st;

		if (*rel)
			join(sub, rel, names[i]);
		else
			join(sub, names[i], "");
		compare_entry(hroot, sub, xattrs);
		join(hpath, hroot, sub);
		if (!lstat(hpath, &st) && S_ISDIR(st.st_mode))
			compare_tree(hroot, sub, xattrs);
	}
	compare_listing(hroot, rel);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static void compare_with_host(const char *hroot, int xattrs)
{
	npairs = 0;
	compare_tree(hroot, "", xattrs);
}

/* ---------------------------------------------------------------------- */
/* Phase rw: change the tree (test_disk.sh makes the same changes on the   */
/* host copy it compares the image with)                                   */

static const char long_target[] =
	"/a/rather/long/symlink/target/that/does/not/fit/in/the/inode/itself/"
	"so/ext4/stores/it/in/a/data/block/of/its/own/and/the/kernel/has/to/"
	"read/that/block/back/through/the/virtio/disk/to/resolve/it/end";

static const char *big_xattr(void)
{
	static char v[801];
	size_t i;

	for (i = 0; i < 800; i++)
		v[i] = "liblkl-xattr-"[i % 13];
	return v;
}

static void check_xattr(const char *rel, const char *name, const void *want,
			size_t len)
{
	char buf[1024];
	long n = lkl_sys_lgetxattr(L(rel), name, buf, sizeof(buf));

	ok(n == (long)len && !memcmp(buf, want, len), "getxattr %s %s",
	   rel, name);
	if (n != (long)len)
		printf("#   got %ld (%s), want %zu\n", n, err(n), len);
}

static void set_xattrs(void)
{
	static const unsigned char bin[] = { 0, 1, 2, 0xff };

	is_ret(lkl_sys_lsetxattr(L("new/file.txt"), "user.comment", "first", 5,
				 LKL_XATTR_CREATE), 0, "setxattr create");
	is_ret(lkl_sys_lsetxattr(L("new/file.txt"), "user.comment", "again", 5,
				 LKL_XATTR_CREATE), -LKL_EEXIST,
	       "setxattr XATTR_CREATE on an existing one: EEXIST");
	is_ret(lkl_sys_lsetxattr(L("new/file.txt"), "user.comment",
				 "hello xattr", 11, LKL_XATTR_REPLACE), 0,
	       "setxattr replace");
	is_ret(lkl_sys_lsetxattr(L("new/file.txt"), "user.empty", "", 0, 0), 0,
	       "setxattr empty value");
	is_ret(lkl_sys_lsetxattr(L("new/file.txt"), "user.binary", bin,
				 sizeof(bin), 0), 0, "setxattr binary value");
	is_ret(lkl_sys_lsetxattr(L("new/file.txt"), "user.tmp", "x", 1, 0), 0,
	       "setxattr user.tmp");
	is_ret(lkl_sys_lremovexattr(L("new/file.txt"), "user.tmp"), 0,
	       "removexattr user.tmp");
	is_ret(lkl_sys_lgetxattr(L("new/file.txt"), "user.tmp", NULL, 0),
	       -LKL_ENODATA, "removed xattr is gone: ENODATA");
	is_ret(lkl_sys_lsetxattr(L("new/sub"), "user.dirattr",
				 "on a directory", 14, 0), 0,
	       "setxattr on a directory");
	is_ret(lkl_sys_lsetxattr(L("small.txt"), "user.big", big_xattr(), 800,
				 0), 0, "setxattr 800 bytes (external block)");
	is_ret(lkl_sys_lsetxattr(L("new/sym-rel"), "user.nope", "x", 1, 0),
	       -LKL_EPERM, "user xattr on a symlink: EPERM");

	check_xattr("new/file.txt", "user.comment", "hello xattr", 11);
	check_xattr("new/file.txt", "user.empty", "", 0);
	check_xattr("new/file.txt", "user.binary", bin, sizeof(bin));
	check_xattr("new/sub", "user.dirattr", "on a directory", 14);
	check_xattr("small.txt", "user.big", big_xattr(), 800);
}

static void write_big(void)
{
	static unsigned char buf[1000003];	/* odd-sized chunks */
	long long off = 0;
	long fd, ret = 0;

	fd = lkl_sys_open(L("new/big-8M.bin"),
			  LKL_O_CREAT | LKL_O_WRONLY | LKL_O_TRUNC, 0644);
	if (!is_ret(fd < 0 ? fd : 0, 0, "create new/big-8M.bin"))
		return;
	while (off < BIG_SIZE && !ret) {
		size_t n = sizeof(buf);

		if ((long long)n > BIG_SIZE - off)
			n = (size_t)(BIG_SIZE - off);
		pattern_fill(buf, n, (unsigned long long)off, 3);
		ret = lkl_write_all((int)fd, buf, n);
		off += (long long)n;
	}
	is_ret(ret, 0, "write 8 MiB in odd-sized chunks");
	is_ret(lkl_sys_fsync((unsigned int)fd), 0, "fsync new/big-8M.bin");
	is_ret(lkl_sys_close((unsigned int)fd), 0, "close new/big-8M.bin");
}

static void modify_tree(void)
{
	static unsigned char patch[10000];
	struct lkl_stat st;
	long fd;

	is_ret(lkl_sys_mkdir(L("new"), 0755), 0, "mkdir new");
	is_ret(lkl_sys_mkdir(L("new/sub"), 0750), 0, "mkdir new/sub");
	is_ret(lkl_sys_mkdir(L("new/sub/deeper"), 0700), 0,
	       "mkdir new/sub/deeper");
	is_ret(lkl_sys_mkdir(L("new"), 0755), -LKL_EEXIST,
	       "mkdir existing: EEXIST");
	is_ret(lkl_make_file("new/file.txt", "created inside liblkl\n", 0640),
	       0, "create new/file.txt");
	is_ret(lkl_sys_link(L("new/file.txt"), L("new/sub/file-link.txt")), 0,
	       "link new/sub/file-link.txt");
	is_ret(lkl_sys_link(L("hard-a"), L("new/hard-d")), 0,
	       "link new/hard-d to hard-a");
	is_ret(lkl_sys_symlink("file.txt", L("new/sym-rel")), 0,
	       "symlink new/sym-rel");
	is_ret(lkl_sys_symlink(long_target, L("new/sym-long")), 0,
	       "symlink new/sym-long (slow symlink)");

	set_xattrs();

	is_ret(lkl_sys_rename(L("with space.txt"), L("renamed with space.txt")),
	       0, "rename a name with spaces");
	is_ret(lkl_sys_rename(L("dir-a/dir-b/dir-c"), L("new/moved-c")), 0,
	       "rename a directory to another parent");
	is_ret(lkl_sys_rename(L("ünïcødé файл.txt"),
			      L("new/ünïcødé-moved.txt")), 0,
	       "rename a UTF-8 name to another directory");
	is_ret(lkl_sys_rename(L("readonly.txt"), L("empty")), 0,
	       "rename over an existing file");
	is_ret(lkl_sys_unlink(L("hard-b")), 0, "unlink hard-b");
	is_ret(lkl_sys_unlink(L("sym-dangling")), 0, "unlink sym-dangling");
	is_ret(lkl_sys_rmdir(L("emptydir")), 0, "rmdir emptydir");
	is_ret(lkl_sys_rmdir(L("new")), -LKL_ENOTEMPTY,
	       "rmdir non-empty: ENOTEMPTY");

	write_big();

	/* Overwrite 10000 bytes in the middle of the 3 MiB file. */
	pattern_fill(patch, sizeof(patch), 0, 4);
	fd = lkl_sys_open(L("big-3M.bin"), LKL_O_WRONLY, 0);
	is_ret(fd < 0 ? fd : 0, 0, "open big-3M.bin for writing");
	if (fd >= 0) {
		is_ret(lkl_sys_pwrite64((unsigned int)fd, (const char *)patch,
					sizeof(patch), 1000000), sizeof(patch),
		       "pwrite 10000 bytes at 1000000");
		is_ret(lkl_sys_fsync((unsigned int)fd), 0, "fsync big-3M.bin");
		lkl_sys_close((unsigned int)fd);
	}

	fd = lkl_sys_open(L("small.txt"), LKL_O_WRONLY | LKL_O_APPEND, 0);
	is_ret(fd < 0 ? fd : lkl_write_all((int)fd, "appended\n", 9), 0,
	       "append to small.txt");
	if (fd >= 0)
		lkl_sys_close((unsigned int)fd);

	is_ret(lkl_sys_truncate(L("odd-4097.bin"), 1000), 0,
	       "truncate odd-4097.bin to 1000");
	is_ret(lkl_sys_chmod(L("exec.sh"), 0700), 0, "chmod exec.sh 0700");

	/* A sparse file: a 5 MiB hole with 4 bytes at the end. */
	fd = lkl_sys_open(L("new/sparse.bin"),
			  LKL_O_CREAT | LKL_O_EXCL | LKL_O_WRONLY, 0644);
	is_ret(fd < 0 ? fd : 0, 0, "create new/sparse.bin");
	if (fd >= 0) {
		is_ret(lkl_sys_ftruncate((unsigned int)fd, SPARSE_SIZE), 0,
		       "ftruncate to 5 MiB");
		is_ret(lkl_sys_pwrite64((unsigned int)fd, "end\n", 4,
					SPARSE_SIZE - 4), 4,
		       "write the last 4 bytes");
		lkl_sys_close((unsigned int)fd);
		memset(&st, 0, sizeof(st));
		lkl_sys_stat(L("new/sparse.bin"), &st);
		ok(st.st_blocks < 64, "new/sparse.bin stays sparse (%ld blocks)",
		   st.st_blocks);
	}
	is_ret(lkl_sys_sync(), 0, "sync");
}

/* Read big-8M.bin back in a different chunking and check the pattern. */
static void check_big(void)
{
	static unsigned char buf[77777], want[77777];
	long long off = 0;
	long fd, n = 0;
	int good = 1;

	fd = lkl_sys_open(L("new/big-8M.bin"), LKL_O_RDONLY, 0);
	if (!is_ret(fd < 0 ? fd : 0, 0, "open new/big-8M.bin"))
		return;
	while ((n = lkl_sys_read((unsigned int)fd, (char *)buf, sizeof(buf))) > 0) {
		pattern_fill(want, (size_t)n, (unsigned long long)off, 3);
		if (memcmp(buf, want, (size_t)n)) {
			good = 0;
			break;
		}
		off += n;
	}
	lkl_sys_close((unsigned int)fd);
	ok(good && n == 0 && off == BIG_SIZE,
	   "read back new/big-8M.bin: pattern intact (%lld bytes)", off);
}

static void drop_caches(void)
{
	long fd, ret = lkl_mount_fs("proc");

	ok(ret >= 0, "mount proc (%s)", err(ret));
	fd = lkl_sys_open("/proc/sys/vm/drop_caches", LKL_O_WRONLY, 0);
	is_ret(fd < 0 ? fd : lkl_write_all((int)fd, "3\n", 2), 0,
	       "drop the page cache: reads come from the disk again");
	if (fd >= 0)
		lkl_sys_close((unsigned int)fd);
}

/* ---------------------------------------------------------------------- */
/* Phases                                                                  */

static int add_disk(const char *img, int oflags, struct lkl_disk *disk)
{
	int id;

	memset(disk, 0, sizeof(*disk));
	disk->fd = open(img, oflags);
	if (!ok(disk->fd >= 0, "open %s", img))
		return -1;
	id = lkl_disk_add(disk);
	ok(id >= 0, "lkl_disk_add: %d (%s)", id, err(id));
	return id;
}

/* Boot, attach img read-write and mount it with flags; the disk id or -1. */
static int boot_and_mount(const char *img, int flags, const char *desc,
			  struct lkl_disk *disk)
{
	int id;

	if (boot() < 0)
		return -1;
	id = add_disk(img, O_RDWR, disk);
	if (id < 0)
		return -1;
	if (!is_ret(lkl_mount_dev((unsigned int)id, 0, "ext4", flags, NULL, mnt,
				  sizeof(mnt)), 0, desc))
		return -1;
	return id;
}

static int phase_rw(const char *img, const char *tree, const char *expected)
{
	struct lkl_disk disk;
	int id;

	id = boot_and_mount(img, 0, "mount ext4 rw", &disk);
	if (id < 0)
		return tap_done();

	compare_with_host(tree, 1);
	modify_tree();
	check_big();
	drop_caches();
	check_big();
	/* The host copy has no xattrs: those are checked by name above. */
	compare_with_host(expected, 0);

	is_ret(lkl_umount_dev((unsigned int)id, 0, 0, 1000), 0, "umount");
	shutdown_kernel();
	lkl_disk_remove(disk);
	close(disk.fd);
	free(pairs);
	return tap_done();
}

/* Writes must all fail with EROFS on a read-only mount. */
static void check_erofs(void)
{
	char dummy[8];
	long fd;

	fd = lkl_sys_open(L("ro-new"), LKL_O_CREAT | LKL_O_WRONLY, 0644);
	is_ret(fd, -LKL_EROFS, "create: EROFS");
	fd = lkl_sys_open(L("small.txt"), LKL_O_WRONLY, 0);
	is_ret(fd, -LKL_EROFS, "open for writing: EROFS");
	fd = lkl_sys_open(L("small.txt"), LKL_O_RDONLY, 0);
	is_ret(fd < 0 ? fd : lkl_sys_read((unsigned int)fd, dummy, 5), 5,
	       "open for reading and read");
	if (fd >= 0)
		lkl_sys_close((unsigned int)fd);
	is_ret(lkl_sys_mkdir(L("ro-dir"), 0755), -LKL_EROFS, "mkdir: EROFS");
	is_ret(lkl_sys_unlink(L("small.txt")), -LKL_EROFS, "unlink: EROFS");
	is_ret(lkl_sys_rmdir(L("new/sub/deeper")), -LKL_EROFS, "rmdir: EROFS");
	is_ret(lkl_sys_rename(L("small.txt"), L("ro-renamed")), -LKL_EROFS,
	       "rename: EROFS");
	is_ret(lkl_sys_link(L("small.txt"), L("ro-link")), -LKL_EROFS,
	       "link: EROFS");
	is_ret(lkl_sys_symlink("x", L("ro-sym")), -LKL_EROFS, "symlink: EROFS");
	is_ret(lkl_sys_chmod(L("small.txt"), 0600), -LKL_EROFS, "chmod: EROFS");
	is_ret(lkl_sys_truncate(L("small.txt"), 0), -LKL_EROFS,
	       "truncate: EROFS");
	is_ret(lkl_sys_lsetxattr(L("small.txt"), "user.ro", "x", 1, 0),
	       -LKL_EROFS, "setxattr: EROFS");
	is_ret(lkl_sys_lremovexattr(L("small.txt"), "user.big"), -LKL_EROFS,
	       "removexattr: EROFS");
}

static void check_statfs_ro(void)
{
	struct lkl_statfs sf;

	memset(&sf, 0, sizeof(sf));
	is_ret(lkl_sys_statfs(mnt, &sf), 0, "statfs");
	ok(sf.f_flags & LKL_ST_RDONLY, "statfs says read-only");
}

static int phase_ro(const char *img, const char *expected)
{
	struct lkl_disk disk;
	int id;

	id = boot_and_mount(img, LKL_MS_RDONLY, "mount ext4 LKL_MS_RDONLY", &disk);
	if (id < 0)
		return tap_done();
	check_statfs_ro();
	compare_with_host(expected, 0);
	check_xattr("new/file.txt", "user.comment", "hello xattr", 11);
	check_xattr("small.txt", "user.big", big_xattr(), 800);
	check_big();
	check_erofs();
	is_ret(lkl_umount_dev((unsigned int)id, 0, 0, 1000), 0, "umount");
	shutdown_kernel();
	lkl_disk_remove(disk);
	close(disk.fd);
	free(pairs);
	return tap_done();
}

/* Default block ops, counting the writes that reach them. */
static long writes_seen;

static int counting_capacity(struct lkl_disk disk, unsigned long long *res)
{
	return lkl_dev_blk_ops.get_capacity(disk, res);
}

static int counting_request(struct lkl_disk disk, struct lkl_blk_req *req)
{
	if (req->type == LKL_DEV_BLK_TYPE_WRITE)
		__atomic_add_fetch(&writes_seen, 1, __ATOMIC_RELAXED);
	return lkl_dev_blk_ops.request(disk, req);
}

static struct lkl_dev_blk_ops counting_ops = {
	.get_capacity = counting_capacity,
	.request = counting_request,
};

/* Boot with img attached through a read-only host fd and counting ops. */
static int boot_with_rofd_disk(const char *img, struct lkl_disk *disk)
{
	int id;

	if (boot() < 0)
		return -1;
	memset(disk, 0, sizeof(*disk));
	disk->fd = open(img, O_RDONLY);
	disk->ops = &counting_ops;
	if (!ok(disk->fd >= 0, "open %s O_RDONLY", img))
		return -1;
	id = lkl_disk_add(disk);
	if (!ok(id >= 0, "lkl_disk_add (O_RDONLY fd): %d (%s)", id, err(id)))
		return -1;
	return id;
}

static int phase_rofd(const char *img, const char *expected)
{
	struct lkl_disk disk;
	long ret;
	int id;

	id = boot_with_rofd_disk(img, &disk);
	if (id < 0)
		return tap_done();

	ret = lkl_mount_dev((unsigned int)id, 0, "ext4", 0, NULL, mnt,
			    sizeof(mnt));
	if (ret < 0) {
		ok(ret == -LKL_EACCES || ret == -LKL_EROFS,
		   "mount rw on a read-only disk fails cleanly: %ld (%s)", ret,
		   err(ret));
	} else {
		ok(1, "mount rw on a read-only disk came up: must be read-only");
		check_statfs_ro();
		check_erofs();
		is_ret(lkl_umount_dev((unsigned int)id, 0, 0, 1000), 0,
		       "umount");
	}

	is_ret(lkl_mount_dev((unsigned int)id, 0, "ext4", LKL_MS_RDONLY, NULL,
			     mnt, sizeof(mnt)), 0,
	       "mount LKL_MS_RDONLY on a read-only disk");
	compare_with_host(expected, 0);
	check_erofs();
	is_ret(lkl_umount_dev((unsigned int)id, 0, 0, 1000), 0, "umount");
	shutdown_kernel();
	is_int(__atomic_load_n(&writes_seen, __ATOMIC_RELAXED), 0,
	       "no write request reached the block ops");
	lkl_disk_remove(disk);
	close(disk.fd);
	free(pairs);
	return tap_done();
}

/*
 * Journal recovery: "crash" mounts rw, writes and fsyncs a file, then exits
 * without unmounting (the journal stays marked for recovery); "dirty"
 * mounts that image read-only from an O_RDONLY descriptor (no write may
 * happen, so the kernel must refuse or skip recovery); "recover" mounts it
 * rw, which replays the journal.
 */
static const char crash_text[] = "written before the crash\n";

static int phase_crash(const char *img)
{
	struct lkl_disk disk;
	int id;

	id = boot_and_mount(img, 0, "mount ext4 rw", &disk);
	if (id < 0)
		return tap_done();
	is_ret(lkl_make_file("crash.txt", crash_text, 0644), 0,
	       "create and fsync crash.txt");
	ok(1, "exit without umount or halt");
	tap_done();
	fflush(stdout);
	_exit(0);
}

static int phase_dirty(const char *img)
{
	struct lkl_disk disk;
	long ret;
	int id;

	id = boot_with_rofd_disk(img, &disk);
	if (id < 0)
		return tap_done();
	ret = lkl_mount_dev((unsigned int)id, 0, "ext4", LKL_MS_RDONLY, NULL,
			    mnt, sizeof(mnt));
	ok(ret == 0 || ret == -LKL_EROFS,
	   "read-only mount of a journal needing recovery on a read-only disk:"
	   " %ld (%s)", ret, err(ret));
	if (ret == 0)
		lkl_umount_dev((unsigned int)id, 0, 0, 1000);
	is_ret(lkl_mount_dev((unsigned int)id, 0, "ext4", LKL_MS_RDONLY,
			     "noload", mnt, sizeof(mnt)), 0,
	       "read-only mount with noload (journal not replayed)");
	check_erofs();
	is_ret(lkl_umount_dev((unsigned int)id, 0, 0, 1000), 0, "umount");
	shutdown_kernel();
	is_int(__atomic_load_n(&writes_seen, __ATOMIC_RELAXED), 0,
	       "no write request reached the block ops");
	lkl_disk_remove(disk);
	close(disk.fd);
	return tap_done();
}

static int phase_recover(const char *img)
{
	struct lkl_disk disk;
	char buf[64];
	long fd, n = 0;
	int id;

	id = boot_and_mount(img, 0, "mount rw: journal replayed", &disk);
	if (id < 0)
		return tap_done();
	fd = lkl_sys_open(L("crash.txt"), LKL_O_RDONLY, 0);
	if (fd >= 0) {
		n = lkl_sys_read((unsigned int)fd, buf, sizeof(buf));
		lkl_sys_close((unsigned int)fd);
	}
	ok(fd >= 0 && n == (long)strlen(crash_text) &&
	   !memcmp(buf, crash_text, (size_t)n),
	   "crash.txt survived the crash (%s)", err(fd < 0 ? fd : n));
	is_ret(lkl_umount_dev((unsigned int)id, 0, 0, 1000), 0, "umount");
	shutdown_kernel();
	lkl_disk_remove(disk);
	close(disk.fd);
	return tap_done();
}

static int write_pattern(const char *size_s, const char *seed_s)
{
	static unsigned char buf[CHUNK];
	unsigned long long size = strtoull(size_s, NULL, 0), off = 0;
	unsigned int seed = (unsigned int)strtoul(seed_s, NULL, 0);

	while (off < size) {
		size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);

		pattern_fill(buf, n, off, seed);
		if (fwrite(buf, 1, n, stdout) != n)
			return 1;
		off += n;
	}
	return fflush(stdout) ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "pattern"))
		return write_pattern(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "rw"))
		return phase_rw(argv[2], argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "ro"))
		return phase_ro(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "rofd"))
		return phase_rofd(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "crash"))
		return phase_crash(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "dirty"))
		return phase_dirty(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "recover"))
		return phase_recover(argv[2]);
	if (argc == 1) {
		printf("1..0 # SKIP driven by tests/lkl/test_disk.sh\n");
		return 0;
	}
	fprintf(stderr, "usage: %s pattern SIZE SEED | rw IMG TREE EXPECTED |"
		" ro IMG EXPECTED | rofd IMG EXPECTED | crash IMG | dirty IMG |"
		" recover IMG\n", argv[0]);
	return 2;
}
