// SPDX-License-Identifier: GPL-2.0
/*
 * Shadows of shared maps.  A shadow keeps the file open in the kernel for
 * write-back after the guest has closed its fd: the file is taken from the
 * guest's task with pidfd_getfd by a thread of kbox's own (a thread of the
 * kernel's pid 1, whose fd table no guest shares), and every call on that
 * fd runs on that thread.  One lock serializes it all: shadows are rare,
 * and the calls that check for one cost nothing while there is none.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lkl.h>

#include "filecache.h"
#include "process.h"
#include "shadow.h"

#define SHADOW_MAX 64
#define CHUNK (1L << 20)

struct shadow {
	unsigned long long dev, ino;
	int memfd;		/* what the guests map */
	long kfd;		/* the file, in kbox's own fd table */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct shadow shadows[SHADOW_MAX];
static atomic_int count;

/* ---- kbox's kernel thread: runs one job at a time for the lock holder ---- */

static pthread_t thread;
static bool thread_up;
static sem_t job_ready, job_done;
static void (*job_fn)(void *arg);
static void *job_arg;

static void *thread_main(void *arg)
{
	(void)arg;
	for (;;) {
		sem_wait(&job_ready);
		if (!job_fn)
			return NULL;
		job_fn(job_arg);
		sem_post(&job_done);
	}
}

/* Run fn(arg) on kbox's kernel thread (lock held). */
static int run_job(void (*fn)(void *), void *arg)
{
	if (!thread_up) {
		if (sem_init(&job_ready, 0, 0) || sem_init(&job_done, 0, 0) ||
		    pthread_create(&thread, NULL, thread_main, NULL))
			return -EAGAIN;
		thread_up = true;
	}
	job_fn = fn;
	job_arg = arg;
	sem_post(&job_ready);
	sem_wait(&job_done);
	return 0;
}

/* ---- jobs ---- */

struct take {
	long pid, fd, result;
};

static void take_job(void *arg)
{
	struct take *t = arg;
	long pidfd = lkl_sys_pidfd_open((int)t->pid, 0);

	t->result = pidfd < 0 ? pidfd : lkl_sys_pidfd_getfd((int)pidfd, (int)t->fd, 0);
	if (pidfd >= 0)
		lkl_sys_close(pidfd);
}

/* Copy [0, size) from one side to the other where it differs. */
static long sync_content(struct shadow *s, bool to_kernel, long long size)
{
	char *a = malloc(CHUNK), *b = malloc(CHUNK);
	long long off;
	long ret = 0;

	if (!a || !b) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	for (off = 0; off < size && ret >= 0; off += CHUNK) {
		long len = size - off < CHUNK ? (long)(size - off) : CHUNK;
		ssize_t m = pread(s->memfd, a, (size_t)len, off);
		long k = lkl_sys_pread64(s->kfd, b, (size_t)len, off);

		if (m < 0 || k < 0) {
			ret = m < 0 ? -errno : k;
			break;
		}
		/* Short reads leave zeros: the size was set before. */
		if (m < len)
			memset(a + m, 0, (size_t)(len - m));
		if (k < len)
			memset(b + k, 0, (size_t)(len - k));
		if (!memcmp(a, b, (size_t)len))
			continue;
		if (to_kernel)
			ret = lkl_sys_pwrite64(s->kfd, a, (size_t)len, off);
		else
			ret = pwrite(s->memfd, b, (size_t)len, off) < 0 ? -errno : 0;
	}
	free(a);
	free(b);
	return ret;
}

struct flush {
	struct shadow *s;
	bool sync, to_kernel;
};

static void flush_job(void *arg)
{
	struct flush *f = arg;
	struct lkl_stat kst;
	struct stat mst;

	if (fstat(f->s->memfd, &mst) < 0 || lkl_sys_fstat(f->s->kfd, &kst) < 0)
		return;
	if (f->to_kernel) {
		if ((long long)kst.st_size != (long long)mst.st_size)
			lkl_sys_ftruncate(f->s->kfd, mst.st_size);
		sync_content(f->s, true, mst.st_size);
		if (f->sync)
			lkl_sys_fdatasync(f->s->kfd);
	} else {
		if ((long long)kst.st_size != (long long)mst.st_size &&
		    ftruncate(f->s->memfd, (off_t)kst.st_size) < 0)
			return;
		sync_content(f->s, false, (long long)kst.st_size);
	}
}

static void close_job(void *arg)
{
	lkl_sys_close(((struct shadow *)arg)->kfd);
}

/* ---- the registry ---- */

/* Inodes of the memfds some guest process maps (see evict_unmapped). */
struct mapped {
	unsigned long long ino[SHADOW_MAX];
	int n;
};

static void note_maps(struct gthread *t, void *arg)
{
	struct mapped *m = arg;
	char path[64], line[512];
	unsigned long long ino;
	FILE *f;

	if (t->tid != t->proc->pid)
		return;		/* threads share their leader's maps */
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)t->tid);
	f = fopen(path, "re");
	if (!f)
		return;
	/* "start-end perms offset dev inode /memfd:kbox (deleted)" */
	while (fgets(line, sizeof(line), f) && m->n < SHADOW_MAX) {
		if (strstr(line, "/memfd:kbox") &&
		    sscanf(line, "%*s %*s %*s %*s %llu", &ino) == 1)
			m->ino[m->n++] = ino;
	}
	fclose(f);
}

/*
 * The table is full: write back and drop the shadows no guest maps any
 * more (a later map of their file makes a new one).  Lock held.
 */
static void evict_unmapped(void)
{
	struct mapped m = { .n = 0 };
	struct flush f = { .sync = false, .to_kernel = true };
	struct stat st;
	int i, j, n = atomic_load(&count);

	guest_for_each_thread(note_maps, &m);
	for (i = n - 1; i >= 0; i--) {
		bool used = fstat(shadows[i].memfd, &st) < 0;

		for (j = 0; j < m.n && !used; j++)
			used = m.ino[j] == (unsigned long long)st.st_ino;
		if (used)
			continue;
		f.s = &shadows[i];
		run_job(flush_job, &f);
		run_job(close_job, &shadows[i]);
		close(shadows[i].memfd);
		shadows[i] = shadows[--n];
	}
	atomic_store(&count, n);
}

static struct shadow *find(unsigned long long dev, unsigned long long ino)
{
	int i;

	for (i = 0; i < atomic_load(&count); i++)
		if (shadows[i].dev == dev && shadows[i].ino == ino)
			return &shadows[i];
	return NULL;
}

int shadow_get(long kfd, bool create)
{
	struct lkl_stat st;
	struct shadow *s;
	struct take t;
	long ret = lkl_sys_fstat(kfd, &st);
	int fd;

	if (ret < 0)
		return (int)ret;
	pthread_mutex_lock(&lock);
	s = find(st.st_dev, st.st_ino);
	if (!s && !create) {
		pthread_mutex_unlock(&lock);
		return -ENOENT;
	}
	if (!s) {
		if (atomic_load(&count) == SHADOW_MAX)
			evict_unmapped();
		if (atomic_load(&count) == SHADOW_MAX) {
			pthread_mutex_unlock(&lock);
			return -ENOMEM;	/* as mmap says when out of maps */
		}
		fd = filecache_copy(kfd);
		if (fd < 0) {
			pthread_mutex_unlock(&lock);
			return fd;
		}
		t.pid = lkl_sys_getpid();
		t.fd = kfd;
		t.result = -EAGAIN;
		if (run_job(take_job, &t) || t.result < 0) {
			close(fd);
			pthread_mutex_unlock(&lock);
			return (int)t.result;
		}
		s = &shadows[atomic_load(&count)];
		s->dev = st.st_dev;
		s->ino = st.st_ino;
		s->memfd = fd;
		s->kfd = t.result;
		atomic_fetch_add(&count, 1);
	}
	fd = fcntl(s->memfd, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&lock);
	return fd < 0 ? -errno : fd;
}

bool shadow_any(void)
{
	return atomic_load(&count) > 0;
}

static void flush_fd(long kfd, bool sync, bool to_kernel)
{
	struct lkl_stat st;
	struct flush f = { .sync = sync, .to_kernel = to_kernel };

	if (!shadow_any() || lkl_sys_fstat(kfd, &st) < 0 || !LKL_S_ISREG(st.st_mode))
		return;
	pthread_mutex_lock(&lock);
	f.s = find(st.st_dev, st.st_ino);
	if (f.s)
		run_job(flush_job, &f);
	pthread_mutex_unlock(&lock);
}

void shadow_flush_fd(long kfd, bool sync)
{
	flush_fd(kfd, sync, true);
}

void shadow_refresh_fd(long kfd)
{
	flush_fd(kfd, false, false);
}

void shadow_flush_all(bool sync)
{
	struct flush f = { .sync = sync, .to_kernel = true };
	int i;

	if (!shadow_any())
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < atomic_load(&count); i++) {
		f.s = &shadows[i];
		run_job(flush_job, &f);
	}
	pthread_mutex_unlock(&lock);
}

void shadow_end(void)
{
	int i;

	shadow_flush_all(true);
	pthread_mutex_lock(&lock);
	for (i = 0; i < atomic_load(&count); i++) {
		run_job(close_job, &shadows[i]);
		close(shadows[i].memfd);
	}
	atomic_store(&count, 0);
	if (thread_up) {
		job_fn = NULL;
		sem_post(&job_ready);
		pthread_join(thread, NULL);
		thread_up = false;
	}
	pthread_mutex_unlock(&lock);
}
