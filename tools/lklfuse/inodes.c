// SPDX-License-Identifier: GPL-2.0
/*
 * The inodes the host kernel knows, each an O_PATH file in the library
 * kernel.  FUSE node ids are the addresses of struct lf_inode (the root is
 * FUSE_ROOT_ID); a hash by inode number makes a second name of a hard-linked
 * file (or a lookup racing another) find the same node.
 *
 * The O_PATH file pins the kernel inode, so an unlinked inode's number
 * cannot be reused while the host still holds its node: no stale match.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lklfuse.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct lf_inode **buckets;
static size_t nbuckets;
static size_t count;

static size_t bucket_of(uint64_t ino, size_t n)
{
	return (size_t)((ino * 0x9e3779b97f4a7c15ull) >> 20) & (n - 1);
}

static void insert(struct lf_inode *inode)
{
	size_t b = bucket_of(inode->ino, nbuckets);

	inode->next = buckets[b];
	buckets[b] = inode;
	count++;
}

/* Double the table when chains grow; on no memory keep the old one. */
static void maybe_grow(void)
{
	struct lf_inode **old = buckets, *inode, *next;
	size_t oldn = nbuckets, i;

	if (count < nbuckets * 2)
		return;
	buckets = calloc(oldn * 2, sizeof(*buckets));
	if (!buckets) {
		buckets = old;
		return;
	}
	nbuckets = oldn * 2;
	count = 0;
	for (i = 0; i < oldn; i++)
		for (inode = old[i]; inode; inode = next) {
			next = inode->next;
			insert(inode);
		}
	free(old);
}

static struct lf_inode *find(uint64_t ino)
{
	struct lf_inode *inode;

	for (inode = buckets[bucket_of(ino, nbuckets)]; inode; inode = inode->next)
		if (inode->ino == ino)
			return inode;
	return NULL;
}

static void unlink_inode(struct lf_inode *inode)
{
	struct lf_inode **p = &buckets[bucket_of(inode->ino, nbuckets)];

	while (*p && *p != inode)
		p = &(*p)->next;
	if (*p) {
		*p = inode->next;
		count--;
	}
}

/* An O_PATH file for name in dirfd, and its attributes: fd or -errno. */
static long open_inode(long dirfd, const char *name, int flags,
		       struct lkl_stat *ks)
{
	long fd, ret;

	fd = lkl_sys_openat(dirfd, name, LKL_O_PATH | LKL_O_NOFOLLOW |
			    LKL_O_CLOEXEC | flags, 0);
	if (fd < 0)
		return fd;
	ret = lkl_sys_newfstatat(fd, "", ks, LKL_AT_EMPTY_PATH |
				 LKL_AT_SYMLINK_NOFOLLOW);
	if (ret < 0) {
		lkl_sys_close(fd);
		return ret;
	}
	return fd;
}

int inodes_init(const char *mnt)
{
	struct lkl_stat ks;
	long fd;

	nbuckets = 1024;
	buckets = calloc(nbuckets, sizeof(*buckets));
	if (!buckets)
		return -ENOMEM;
	fd = open_inode(LKL_AT_FDCWD, mnt, LKL_O_DIRECTORY, &ks);
	if (fd < 0)
		return (int)fd;
	lf.root.fd = fd;
	lf.root.ino = ks.st_ino;
	lf.root.nlookup = 1;	/* never forgotten */
	insert(&lf.root);
	return 0;
}

struct lf_inode *inode_of(fuse_ino_t ino)
{
	if (ino == FUSE_ROOT_ID)
		return &lf.root;
	return (struct lf_inode *)(uintptr_t)ino;
}

fuse_ino_t inode_nodeid(struct lf_inode *inode)
{
	if (inode == &lf.root)
		return FUSE_ROOT_ID;
	return (fuse_ino_t)(uintptr_t)inode;
}

int inode_lookup(struct lf_inode *parent, const char *name,
		 struct fuse_entry_param *e)
{
	struct lf_inode *inode;
	struct lkl_stat ks;
	long fd;

	memset(e, 0, sizeof(*e));
	fd = open_inode(parent->fd, name, 0, &ks);
	if (fd < 0)
		return (int)fd;

	pthread_mutex_lock(&lock);
	inode = find(ks.st_ino);
	if (inode) {
		inode->nlookup++;
	} else {
		inode = calloc(1, sizeof(*inode));
		if (!inode) {
			pthread_mutex_unlock(&lock);
			lkl_sys_close(fd);
			return -ENOMEM;
		}
		inode->fd = fd;
		inode->ino = ks.st_ino;
		inode->nlookup = 1;
		insert(inode);
		maybe_grow();
		fd = -1;
	}
	pthread_mutex_unlock(&lock);
	if (fd >= 0)
		lkl_sys_close(fd);

	e->ino = inode_nodeid(inode);
	stat_from_lkl(&e->attr, &ks);
	e->attr_timeout = lf.timeout;
	e->entry_timeout = lf.timeout;
	return 0;
}

void inode_forget(fuse_ino_t ino, uint64_t nlookup)
{
	struct lf_inode *inode = inode_of(ino);

	if (inode == &lf.root)
		return;
	pthread_mutex_lock(&lock);
	if (inode->nlookup > nlookup) {
		inode->nlookup -= nlookup;
		inode = NULL;
	} else {
		unlink_inode(inode);
	}
	pthread_mutex_unlock(&lock);
	if (inode) {
		lkl_sys_close(inode->fd);
		free(inode);
	}
}

void inodes_release_all(void)
{
	struct lf_inode *inode, *next;
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nbuckets; i++) {
		for (inode = buckets[i]; inode; inode = next) {
			next = inode->next;
			if (inode != &lf.root)
				free(inode);
		}
		buckets[i] = NULL;
	}
	count = 0;
	free(buckets);
	buckets = NULL;
	nbuckets = 0;
	pthread_mutex_unlock(&lock);
}

void inode_proc_path(const struct lf_inode *inode, char *buf, size_t len)
{
	snprintf(buf, len, "/proc/self/fd/%ld", inode->fd);
}
