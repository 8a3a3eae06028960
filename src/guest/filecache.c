// SPDX-License-Identifier: GPL-2.0
/* The cache of host copies of image files. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <lkl.h>

#include "filecache.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x10U
#endif

#define CACHE_SIZE 128
#define PATCH_MAX 64

struct entry {
	unsigned long long dev, ino, size;
	long long mtime_s, mtime_ns, ctime_s, ctime_ns;
	unsigned char patch[PATCH_MAX];
	size_t patch_len;
	long patch_off;
	int fd;
	uint64_t used;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry cache[CACHE_SIZE];
static uint64_t clock_tick;

static int new_memfd(void)
{
	int fd = memfd_create("kbox", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);

	if (fd < 0 && errno == EINVAL)
		fd = memfd_create("kbox", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd < 0 ? -errno : fd;
}

/* Copy the kernel file into a new memfd. */
static int copy_file(long kfd, unsigned long long size)
{
	size_t chunk = 1 << 20;
	unsigned long long off = 0;
	char *buf;
	int fd = new_memfd();

	if (fd < 0)
		return fd;
	buf = malloc(chunk);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	if (ftruncate(fd, (off_t)size) < 0)
		goto fail_errno;
	while (off < size) {
		long n = lkl_sys_pread64(kfd, buf, chunk, (long)off);

		if (n < 0) {
			free(buf);
			close(fd);
			return (int)n;
		}
		if (n == 0)
			break;
		if (pwrite(fd, buf, n, (off_t)off) != n)
			goto fail_errno;
		off += n;
	}
	free(buf);
	return fd;
fail_errno:
	free(buf);
	close(fd);
	return -errno;
}

int filecache_copy(long kfd)
{
	struct lkl_stat st;
	long ret = lkl_sys_fstat(kfd, &st);

	if (ret < 0)
		return (int)ret;
	return copy_file(kfd, st.st_size);
}

/* The seals that make a copy immutable. */
static int seal(int fd)
{
	return fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW |
		     F_SEAL_WRITE) < 0 ? -errno : 0;
}

int filecache_memfd(const void *data, size_t len)
{
	int fd = new_memfd(), ret;

	if (fd < 0)
		return fd;
	if (pwrite(fd, data, len, 0) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	ret = seal(fd);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

int filecache_get(long kfd, const void *patch, size_t patch_len, long patch_off)
{
	struct lkl_stat st;
	struct entry key, *victim = NULL;
	long ret = lkl_sys_fstat(kfd, &st);
	int i, fd;

	if (ret < 0)
		return (int)ret;
	if (patch_len > PATCH_MAX)
		return -ENAMETOOLONG;
	memset(&key, 0, sizeof(key));
	key.dev = st.st_dev;
	key.ino = st.st_ino;
	key.size = st.st_size;
	key.mtime_s = st.lkl_st_mtime;
	key.mtime_ns = st.st_mtime_nsec;
	key.ctime_s = st.lkl_st_ctime;
	key.ctime_ns = st.st_ctime_nsec;
	if (patch)
		memcpy(key.patch, patch, patch_len);
	key.patch_len = patch_len;
	key.patch_off = patch ? patch_off : 0;

	pthread_mutex_lock(&lock);
	for (i = 0; i < CACHE_SIZE; i++) {
		struct entry *e = &cache[i];

		if (e->used && e->dev == key.dev && e->ino == key.ino &&
		    e->size == key.size && e->mtime_s == key.mtime_s &&
		    e->mtime_ns == key.mtime_ns && e->ctime_s == key.ctime_s &&
		    e->ctime_ns == key.ctime_ns && e->patch_len == key.patch_len &&
		    e->patch_off == key.patch_off &&
		    !memcmp(e->patch, key.patch, key.patch_len)) {
			e->used = ++clock_tick;
			fd = fcntl(e->fd, F_DUPFD_CLOEXEC, 0);
			pthread_mutex_unlock(&lock);
			return fd < 0 ? -errno : fd;
		}
		if (!victim || e->used < victim->used)
			victim = e;
	}
	pthread_mutex_unlock(&lock);

	/* Copied without the lock: files can be large. */
	fd = copy_file(kfd, st.st_size);
	if (fd < 0)
		return fd;
	if (patch && pwrite(fd, patch, patch_len, patch_off) != (ssize_t)patch_len) {
		close(fd);
		return -EIO;
	}
	ret = seal(fd);
	if (ret < 0) {
		close(fd);
		return (int)ret;
	}

	pthread_mutex_lock(&lock);
	/* The victim may have been reused meanwhile; pick the oldest again. */
	victim = &cache[0];
	for (i = 1; i < CACHE_SIZE; i++)
		if (cache[i].used < victim->used)
			victim = &cache[i];
	if (victim->used)
		close(victim->fd);
	*victim = key;
	victim->fd = fd;
	victim->used = ++clock_tick;
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&lock);
	return fd < 0 ? -errno : fd;
}
