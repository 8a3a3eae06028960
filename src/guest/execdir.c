// SPDX-License-Identifier: GPL-2.0
/* The exec link directory (see execdir.h). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "execdir.h"

#define KNOWN_MAX 4096

static char dir[PATH_MAX];
static int dirfd_ = -1;
static unsigned char known[KNOWN_MAX];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int execdir_create(void)
{
	const char *tmp = getenv("TMPDIR");

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (snprintf(dir, sizeof(dir), "%s/kbox-exec.XXXXXX", tmp) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	if (!mkdtemp(dir))
		return -errno;
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd_ < 0) {
		int err = -errno;

		rmdir(dir);
		return err;
	}
	return 0;
}

const char *execdir_path(void)
{
	return dir;
}

int execdir_link(int n)
{
	char name[16], target[32];
	int ret = 0;

	if (n < 0)
		return -EBADF;
	if (n < KNOWN_MAX && __atomic_load_n(&known[n], __ATOMIC_ACQUIRE))
		return 0;
	snprintf(name, sizeof(name), "%d", n);
	snprintf(target, sizeof(target), "/proc/self/fd/%d", n);
	pthread_mutex_lock(&lock);
	if (symlinkat(target, dirfd_, name) < 0 && errno != EEXIST)
		ret = -errno;
	else if (n < KNOWN_MAX)
		__atomic_store_n(&known[n], 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&lock);
	return ret;
}

void execdir_remove(void)
{
	DIR *d;
	struct dirent *e;

	if (dirfd_ < 0)
		return;
	d = fdopendir(dirfd_);
	if (d) {
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	} else {
		close(dirfd_);
	}
	dirfd_ = -1;
	rmdir(dir);
}
