// SPDX-License-Identifier: GPL-2.0
/*
 * The POSIX host operations: everything the library kernel needs from the
 * host, on pthreads and libc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <lkl_host.h>

#include "iomem.h"
#include "posix_host.h"

_Static_assert(sizeof(pthread_t) <= sizeof(lkl_thread_t),
	       "pthread_t fits in lkl_thread_t");
_Static_assert(sizeof(jmp_buf) <= sizeof(struct lkl_jmp_buf) &&
	       _Alignof(jmp_buf) <= _Alignof(struct lkl_jmp_buf),
	       "jmp_buf fits in struct lkl_jmp_buf");
/* The libc string routines go into the table as they are. */
_Static_assert(__builtin_types_compatible_p(size_t, unsigned long),
	       "size_t is unsigned long");

/* ---- console ---- */

static void posix_print(const char *str, int len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, str, (size_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		str += n;
		len -= (int)n;
	}
}

static void posix_panic(void)
{
	static const char msg[] = "liblkl: kernel panic, aborting\n";

	posix_print(msg, (int)sizeof(msg) - 1);
	abort();
}

/* ---- semaphores ---- */

struct lkl_sem {
	sem_t sem;
};

static struct lkl_sem *posix_sem_alloc(int count)
{
	struct lkl_sem *s = malloc(sizeof(*s));

	if (!s)
		return NULL;
	if (sem_init(&s->sem, 0, (unsigned int)count) < 0) {
		free(s);
		return NULL;
	}
	return s;
}

static void posix_sem_free(struct lkl_sem *s)
{
	sem_destroy(&s->sem);
	free(s);
}

static void posix_sem_up(struct lkl_sem *s)
{
	sem_post(&s->sem);
}

static void posix_sem_down(struct lkl_sem *s)
{
	while (sem_wait(&s->sem) < 0 && errno == EINTR)
		;
}

/* ---- mutexes ---- */

struct lkl_mutex {
	pthread_mutex_t mutex;
};

static struct lkl_mutex *posix_mutex_alloc(int recursive)
{
	struct lkl_mutex *m = malloc(sizeof(*m));
	pthread_mutexattr_t attr;
	int ret;

	if (!m)
		return NULL;
	pthread_mutexattr_init(&attr);
	if (recursive)
		pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	ret = pthread_mutex_init(&m->mutex, &attr);
	pthread_mutexattr_destroy(&attr);
	if (ret) {
		free(m);
		return NULL;
	}
	return m;
}

static void posix_mutex_free(struct lkl_mutex *m)
{
	pthread_mutex_destroy(&m->mutex);
	free(m);
}

static void posix_mutex_lock(struct lkl_mutex *m)
{
	pthread_mutex_lock(&m->mutex);
}

static void posix_mutex_unlock(struct lkl_mutex *m)
{
	pthread_mutex_unlock(&m->mutex);
}

/* ---- threads ---- */

struct thread_start {
	void (*fn)(void *);
	void *arg;
};

static void *thread_trampoline(void *p)
{
	struct thread_start ts = *(struct thread_start *)p;

	free(p);
	ts.fn(ts.arg);
	return NULL;
}

int lkl_host_pthread_create(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	size_t stack = 0;
	int ret;

	ret = pthread_attr_init(&attr);
	if (ret)
		return ret;
	if (pthread_attr_getstacksize(&attr, &stack) || stack < LKL_HOST_MIN_STACK)
		pthread_attr_setstacksize(&attr, LKL_HOST_MIN_STACK);
	ret = pthread_create(thread, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return ret;
}

static lkl_thread_t posix_thread_create(void (*fn)(void *), void *arg)
{
	struct thread_start *ts = malloc(sizeof(*ts));
	pthread_t tid;

	if (!ts)
		return 0;
	ts->fn = fn;
	ts->arg = arg;
	if (lkl_host_pthread_create(&tid, thread_trampoline, ts)) {
		free(ts);
		return 0;
	}
	return (lkl_thread_t)tid;
}

static void posix_thread_detach(void)
{
	pthread_detach(pthread_self());
}

static void posix_thread_exit(void)
{
	pthread_exit(NULL);
}

static int posix_thread_join(lkl_thread_t tid)
{
	return pthread_join((pthread_t)tid, NULL) ? -1 : 0;
}

static lkl_thread_t posix_thread_self(void)
{
	return (lkl_thread_t)pthread_self();
}

static int posix_thread_equal(lkl_thread_t a, lkl_thread_t b)
{
	return pthread_equal((pthread_t)a, (pthread_t)b);
}

static long posix_gettid(void)
{
	return syscall(SYS_gettid);
}

/* ---- thread-local storage ---- */

struct lkl_tls_key {
	pthread_key_t key;
};

static struct lkl_tls_key *posix_tls_alloc(void (*destructor)(void *))
{
	struct lkl_tls_key *k = malloc(sizeof(*k));

	if (!k)
		return NULL;
	if (pthread_key_create(&k->key, destructor)) {
		free(k);
		return NULL;
	}
	return k;
}

static void posix_tls_free(struct lkl_tls_key *k)
{
	pthread_key_delete(k->key);
	free(k);
}

static int posix_tls_set(struct lkl_tls_key *k, void *data)
{
	return pthread_setspecific(k->key, data) ? -1 : 0;
}

static void *posix_tls_get(struct lkl_tls_key *k)
{
	return pthread_getspecific(k->key);
}

/* ---- memory ---- */

/*
 * The kernel's RAM, one block per boot.  Its host addresses are its
 * physical addresses, and at boot the kernel walks the "hole" below it from
 * address 0 a pageblock (4 MiB) at a time (mm_init.c:memmap_init): some
 * 30 ms for a block at the usual 0x7f... mmap addresses, nothing for one
 * low in the address space.  So ask for a low address; it is only a hint.
 */
#define RAM_HINT	((void *)0x40000000UL)	/* 1 GiB */
#define RAM_HEADER	16			/* the mapping's length */

static void *posix_mem_alloc(unsigned long size)
{
	size_t len = size + RAM_HEADER;
	char *p;

	if (len < size)
		return NULL;
	p = mmap(RAM_HINT, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/*
	 * Transparent huge pages where the host allows them ("madvise" is a
	 * common default): RAM is first touched 2 MiB at a time, not 4 KiB.
	 * A host page fault per 4 KiB dominated the first pass over RAM: with
	 * mem=64M, the first 256 MiB written through ext4 went from ~450 to
	 * ~850 MiB/s and boot from ~21 to ~12 ms.  The price is resident
	 * memory: a touched 2 MiB extent is resident as a whole (peak RSS
	 * right after boot ~8 -> ~14 MiB; once the guest has used all of its
	 * RAM there is no difference).  Failure is harmless.
	 */
	madvise(p, len, MADV_HUGEPAGE);
	*(size_t *)p = len;
	return p + RAM_HEADER;
}

static void posix_mem_free(void *mem)
{
	char *p = (char *)mem - RAM_HEADER;

	if (mem)
		munmap(p, *(size_t *)p);
}

/* ---- time ---- */

static unsigned long long clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ULL +
	       (unsigned long long)ts.tv_nsec;
}

static unsigned long long posix_time(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static unsigned long long posix_realtime(void)
{
	return clock_ns(CLOCK_REALTIME);
}

/*
 * One-shot timers.  Each timer owns a host thread sleeping on a condvar
 * (CLOCK_MONOTONIC) until its deadline, so arming is a cheap signal and no
 * thread is created per expiry.  timer_free joins the thread, except when
 * called from the timer's own callback: then the thread frees the timer
 * itself on its way out.
 */
struct posix_timer {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	void (*fn)(void *);
	void *arg;
	unsigned long long deadline;	/* CLOCK_MONOTONIC ns */
	int armed;
	int stop;
	int self_free;
};

static struct timespec ns_to_timespec(unsigned long long ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / 1000000000ULL);
	ts.tv_nsec = (long)(ns % 1000000000ULL);
	return ts;
}

static void *timer_thread(void *p)
{
	struct posix_timer *t = p;
	int self_free;

	pthread_mutex_lock(&t->lock);
	while (!t->stop) {
		if (!t->armed) {
			pthread_cond_wait(&t->cond, &t->lock);
			continue;
		}
		if (posix_time() < t->deadline) {
			struct timespec ts = ns_to_timespec(t->deadline);

			/* Wakes early on re-arm or stop: loop re-checks. */
			pthread_cond_timedwait(&t->cond, &t->lock, &ts);
			continue;
		}
		t->armed = 0;
		pthread_mutex_unlock(&t->lock);
		t->fn(t->arg);
		pthread_mutex_lock(&t->lock);
	}
	self_free = t->self_free;
	pthread_mutex_unlock(&t->lock);

	if (self_free) {
		pthread_mutex_destroy(&t->lock);
		pthread_cond_destroy(&t->cond);
		free(t);
	}
	return NULL;
}

static void *posix_timer_alloc(void (*fn)(void *), void *arg)
{
	struct posix_timer *t = calloc(1, sizeof(*t));
	pthread_condattr_t cattr;

	if (!t)
		return NULL;
	t->fn = fn;
	t->arg = arg;
	pthread_mutex_init(&t->lock, NULL);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&t->cond, &cattr);
	pthread_condattr_destroy(&cattr);

	if (lkl_host_pthread_create(&t->thread, timer_thread, t)) {
		pthread_cond_destroy(&t->cond);
		pthread_mutex_destroy(&t->lock);
		free(t);
		return NULL;
	}
	return t;
}

static int posix_timer_set_oneshot(void *timer, unsigned long delta_ns)
{
	struct posix_timer *t = timer;

	unsigned long long now = posix_time();

	pthread_mutex_lock(&t->lock);
	/* Saturate: "never" must not wrap into "now". */
	t->deadline = delta_ns > ~0ULL - now ? ~0ULL : now + delta_ns;
	t->armed = 1;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	return 0;
}

static void posix_timer_free(void *timer)
{
	struct posix_timer *t = timer;

	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	t->stop = 1;
	t->armed = 0;
	if (pthread_equal(pthread_self(), t->thread)) {
		/* From the callback: the thread cannot join itself. */
		t->self_free = 1;
		pthread_detach(t->thread);
		pthread_mutex_unlock(&t->lock);
		return;
	}
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);

	pthread_join(t->thread, NULL);
	pthread_mutex_destroy(&t->lock);
	pthread_cond_destroy(&t->cond);
	free(t);
}

/* ---- non-local jumps ---- */

/* _setjmp/_longjmp: no signal mask save/restore, hence no syscalls. */
static void posix_jmp_buf_set(struct lkl_jmp_buf *jmpb, void (*fn)(void))
{
	if (!_setjmp(*(jmp_buf *)jmpb->buf))
		fn();
}

static void posix_jmp_buf_longjmp(struct lkl_jmp_buf *jmpb, int val)
{
	_longjmp(*(jmp_buf *)jmpb->buf, val ? val : 1);
}

struct lkl_host_operations lkl_host_ops = {
	.virtio_devices = NULL,
	.print = posix_print,
	.panic = posix_panic,
	.sem_alloc = posix_sem_alloc,
	.sem_free = posix_sem_free,
	.sem_up = posix_sem_up,
	.sem_down = posix_sem_down,
	.mutex_alloc = posix_mutex_alloc,
	.mutex_free = posix_mutex_free,
	.mutex_lock = posix_mutex_lock,
	.mutex_unlock = posix_mutex_unlock,
	.thread_create = posix_thread_create,
	.thread_detach = posix_thread_detach,
	.thread_exit = posix_thread_exit,
	.thread_join = posix_thread_join,
	.thread_self = posix_thread_self,
	.thread_equal = posix_thread_equal,
	.gettid = posix_gettid,
	.tls_alloc = posix_tls_alloc,
	.tls_free = posix_tls_free,
	.tls_set = posix_tls_set,
	.tls_get = posix_tls_get,
	.mem_alloc = posix_mem_alloc,
	.mem_free = posix_mem_free,
	.time = posix_time,
	.realtime = posix_realtime,
	.timer_alloc = posix_timer_alloc,
	.timer_set_oneshot = posix_timer_set_oneshot,
	.timer_free = posix_timer_free,
	.ioremap = lkl_host_ioremap,
	.iomem_access = lkl_host_iomem_access,
	.jmp_buf_set = posix_jmp_buf_set,
	.jmp_buf_longjmp = posix_jmp_buf_longjmp,
	.memcpy = memcpy,
	.memset = memset,
	.memmove = memmove,
};
