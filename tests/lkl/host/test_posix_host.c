// SPDX-License-Identifier: GPL-2.0
/*
 * The POSIX host operations: semaphores, mutexes, threads, TLS, time,
 * timers (firing once, re-arming, freeing without leaked threads),
 * jmp_buf, string routines.
 *
 *   gcc -std=gnu11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
 *       -I<dir with lkl/asm/host_ops.h> -Ilkl/include \
 *       tests/lkl/host/test_posix_host.c lkl/host/posix_host.c \
 *       lkl/host/iomem.c -lpthread -o test_posix_host
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <lkl_host.h>

#include "../../../lkl/host/iomem.h"
#include "../../tap.h"

static struct lkl_host_operations *ops = &lkl_host_ops;

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

static int count_threads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* ---- semaphores ---- */

static struct lkl_sem *sem_a, *sem_b;
static volatile int sem_stage;

static void sem_thread(void *arg)
{
	(void)arg;
	ops->sem_down(sem_a);
	sem_stage = 1;
	ops->sem_up(sem_b);
}

static void test_sem(void)
{
	lkl_thread_t t;

	sem_a = ops->sem_alloc(0);
	sem_b = ops->sem_alloc(0);
	ok(sem_a && sem_b, "sem_alloc");
	t = ops->thread_create(sem_thread, NULL);
	sleep_ms(30);
	ok(sem_stage == 0, "sem_down blocks at count 0");
	ops->sem_up(sem_a);
	ops->sem_down(sem_b);
	ok(sem_stage == 1, "sem_up wakes the waiter");
	ok(ops->thread_join(t) == 0, "thread_join");
	ops->sem_free(sem_a);
	ops->sem_free(sem_b);

	sem_a = ops->sem_alloc(2);
	ops->sem_down(sem_a);
	ops->sem_down(sem_a);
	ok(1, "sem_alloc(2) allows two downs");
	ops->sem_free(sem_a);
}

/* ---- mutexes ---- */

static struct lkl_mutex *mtx;
static long shared_counter;

static void mutex_thread(void *arg)
{
	int i;

	(void)arg;
	for (i = 0; i < 100000; i++) {
		ops->mutex_lock(mtx);
		shared_counter++;
		ops->mutex_unlock(mtx);
	}
}

static void test_mutex(void)
{
	lkl_thread_t t[4];
	int i;

	mtx = ops->mutex_alloc(1);
	ok(mtx != NULL, "recursive mutex_alloc");
	ops->mutex_lock(mtx);
	ops->mutex_lock(mtx);
	ops->mutex_unlock(mtx);
	ops->mutex_unlock(mtx);
	ok(1, "recursive mutex can be taken twice");
	ops->mutex_free(mtx);

	mtx = ops->mutex_alloc(0);
	for (i = 0; i < 4; i++)
		t[i] = ops->thread_create(mutex_thread, NULL);
	for (i = 0; i < 4; i++)
		ops->thread_join(t[i]);
	is_int(shared_counter, 400000, "plain mutex excludes");
	ops->mutex_free(mtx);
}

/* ---- threads and TLS ---- */

static size_t seen_stack;
static lkl_thread_t seen_self;
static long seen_tid;
static struct lkl_tls_key *key;
static int destructor_calls;
static void *destructor_arg;

static void tls_destructor(void *p)
{
	__atomic_store_n(&destructor_arg, p, __ATOMIC_RELAXED);
	__atomic_fetch_add(&destructor_calls, 1, __ATOMIC_RELEASE);
}

static void thread_body(void *arg)
{
	pthread_attr_t attr;

	pthread_getattr_np(pthread_self(), &attr);
	pthread_attr_getstacksize(&attr, &seen_stack);
	pthread_attr_destroy(&attr);
	seen_self = ops->thread_self();
	seen_tid = ops->gettid();
	ops->tls_set(key, arg);
	if (ops->tls_get(key) != arg)
		seen_tid = -1;
}

static void exiting_thread(void *arg)
{
	ops->tls_set(key, arg);
	ops->thread_detach();
	ops->thread_exit();
	abort();	/* not reached */
}

static void test_threads(void)
{
	static int marker;
	lkl_thread_t t;
	int i;

	key = ops->tls_alloc(tls_destructor);
	ok(key != NULL, "tls_alloc");
	ok(ops->tls_set(key, &marker) == 0 && ops->tls_get(key) == &marker,
	   "tls_set/tls_get on the main thread");

	t = ops->thread_create(thread_body, &seen_stack);
	ok(t != 0, "thread_create");
	ok(ops->thread_join(t) == 0, "thread_join");
	ok(seen_stack >= (2UL << 20), "thread stack is at least 2 MiB");
	ok(ops->thread_equal(seen_self, t), "thread_self in the thread = id");
	ok(!ops->thread_equal(ops->thread_self(), t), "thread_equal differs");
	ok(seen_tid > 0 && seen_tid != ops->gettid(), "gettid per thread");
	ok(ops->gettid() == syscall(SYS_gettid), "gettid is the host tid");
	ok(__atomic_load_n(&destructor_calls, __ATOMIC_ACQUIRE) == 1 &&
	   destructor_arg == &seen_stack,
	   "TLS destructor ran at thread exit");

	t = ops->thread_create(exiting_thread, &marker);
	for (i = 0; i < 200 && __atomic_load_n(&destructor_calls,
					       __ATOMIC_ACQUIRE) < 2; i++)
		sleep_ms(5);
	ok(__atomic_load_n(&destructor_calls, __ATOMIC_ACQUIRE) == 2,
	   "thread_detach + thread_exit");
	ops->tls_set(key, NULL);
	ops->tls_free(key);
}

/* ---- time ---- */

static void test_time(void)
{
	unsigned long long a = ops->time(), b;
	struct timespec rt;

	sleep_ms(20);
	b = ops->time();
	ok(b - a >= 20000000ULL && b - a < 2000000000ULL,
	   "time() is monotonic nanoseconds");
	clock_gettime(CLOCK_REALTIME, &rt);
	a = ops->realtime();
	b = (unsigned long long)rt.tv_sec * 1000000000ULL +
	    (unsigned long long)rt.tv_nsec;
	ok(a >= b && a - b < 1000000000ULL, "realtime() is CLOCK_REALTIME");
}

/* ---- timers ---- */

struct timer_probe {
	int fired;
	unsigned long long when;
	void *self_free_timer;
	size_t stack;
};

static size_t my_stack_size(void)
{
	pthread_attr_t attr;
	size_t size = 0;

	pthread_getattr_np(pthread_self(), &attr);
	pthread_attr_getstacksize(&attr, &size);
	pthread_attr_destroy(&attr);
	return size;
}

static void timer_fn(void *arg)
{
	struct timer_probe *p = arg;

	p->stack = my_stack_size();
	p->when = ops->time();
	__atomic_fetch_add(&p->fired, 1, __ATOMIC_RELEASE);
	if (p->self_free_timer)
		ops->timer_free(p->self_free_timer);
}

static int fired(struct timer_probe *p)
{
	return __atomic_load_n(&p->fired, __ATOMIC_ACQUIRE);
}

static void test_timers(void)
{
	struct timer_probe p = { 0 }, q = { 0 }, r = { 0 };
	int threads_before = count_threads(), i;
	unsigned long long start;
	void *t, *u, *v;

	t = ops->timer_alloc(timer_fn, &p);
	ok(t != NULL, "timer_alloc");
	sleep_ms(30);
	ok(fired(&p) == 0, "an unarmed timer does not fire");

	start = ops->time();
	ok(ops->timer_set_oneshot(t, 50000000UL) == 0, "arm for 50 ms");
	sleep_ms(20);
	ok(fired(&p) == 0, "not yet fired after 20 ms");
	for (i = 0; i < 200 && !fired(&p); i++)
		sleep_ms(2);
	ok(fired(&p) == 1, "fired");
	ok(p.stack >= (2UL << 20), "timer callbacks get a 2 MiB+ stack");
	ok(p.when - start >= 50000000ULL, "not early (%llu us)",
	   (p.when - start) / 1000);
	ok(p.when - start < 250000000ULL, "not much late (%llu us)",
	   (p.when - start) / 1000);
	sleep_ms(80);
	ok(fired(&p) == 1, "one-shot: fired exactly once");

	/* Re-arm, then move the deadline later before it expires. */
	start = ops->time();
	ops->timer_set_oneshot(t, 30000000UL);
	ops->timer_set_oneshot(t, 90000000UL);
	sleep_ms(60);
	ok(fired(&p) == 1, "re-arming replaces the earlier deadline");
	for (i = 0; i < 200 && fired(&p) < 2; i++)
		sleep_ms(2);
	ok(fired(&p) == 2 && p.when - start >= 90000000ULL,
	   "re-armed timer fires at the new deadline");

	/* Zero delay fires promptly. */
	ops->timer_set_oneshot(t, 0);
	for (i = 0; i < 200 && fired(&p) < 3; i++)
		sleep_ms(1);
	ok(fired(&p) == 3, "zero delay fires");

	/* Free while armed far in the future: must not fire, nor hang. */
	u = ops->timer_alloc(timer_fn, &q);
	ops->timer_set_oneshot(u, ~0UL);
	ops->timer_set_oneshot(t, 3600UL * 1000000000UL);
	start = ops->time();
	ops->timer_free(t);
	ops->timer_free(u);
	ok(ops->time() - start < 1000000000ULL, "timer_free of armed timers is quick");
	ok(fired(&q) == 0, "\"never\" deadline does not wrap around");

	/* timer_free from the timer's own callback. */
	v = ops->timer_alloc(timer_fn, &r);
	r.self_free_timer = v;
	ops->timer_set_oneshot(v, 1000000UL);
	for (i = 0; i < 200 && !fired(&r); i++)
		sleep_ms(2);
	ok(fired(&r) == 1, "timer freeing itself from its callback fired");

	/* Many timers: allocation, firing, freeing. */
	{
		struct timer_probe many[32];
		void *tm[32];
		int all = 1;

		memset(many, 0, sizeof(many));
		for (i = 0; i < 32; i++) {
			tm[i] = ops->timer_alloc(timer_fn, &many[i]);
			ops->timer_set_oneshot(tm[i], (unsigned long)(i % 4) * 1000000UL);
		}
		sleep_ms(100);
		for (i = 0; i < 32; i++) {
			if (fired(&many[i]) != 1)
				all = 0;
			ops->timer_free(tm[i]);
		}
		ok(all, "32 timers each fired once");
	}

	for (i = 0; i < 200 && count_threads() != threads_before; i++)
		sleep_ms(5);
	is_int(count_threads(), threads_before,
	       "no timer thread is left after timer_free");
}

/* ---- jmp_buf ---- */

static struct lkl_jmp_buf jb;
static int jmp_stage;

static void deep(int n)
{
	if (n)
		deep(n - 1);
	else
		ops->jmp_buf_longjmp(&jb, 7);
}

static void jmp_fn(void)
{
	jmp_stage = 1;
	deep(10);
	jmp_stage = 2;	/* not reached */
}

static void plain_fn(void)
{
	jmp_stage = 3;
}

static void test_jmp(void)
{
	ops->jmp_buf_set(&jb, jmp_fn);
	ok(jmp_stage == 1, "jmp_buf_longjmp returns to jmp_buf_set");
	ops->jmp_buf_set(&jb, plain_fn);
	ok(jmp_stage == 3, "jmp_buf_set returns when fn returns");
}

/* ---- the rest of the table ---- */

static void test_misc(void)
{
	char a[16] = "hello", b[16];
	void *m;

	ok(ops->memcpy(b, a, 6) == b && !strcmp(b, "hello"), "memcpy");
	ok(ops->memset(b, 'x', 3) == b && !strncmp(b, "xxxlo", 5), "memset");
	ok(ops->memmove(a + 1, a, 5) == a + 1 && !strncmp(a, "hhello", 6),
	   "memmove (overlapping)");
	m = ops->mem_alloc(1 << 20);
	ok(m != NULL, "mem_alloc");
	memset(m, 0, 1 << 20);
	ops->mem_free(m);
	ok(ops->ioremap == lkl_host_ioremap &&
	   ops->iomem_access == lkl_host_iomem_access,
	   "ioremap/iomem_access dispatch to iomem.c");
	ok(ops->print && ops->panic, "print and panic are set");
	ops->print("# print works\n", 14);
	ok(ops->virtio_devices == NULL, "no virtio devices by default");
}

int main(void)
{
	test_sem();
	test_mutex();
	test_threads();
	test_time();
	test_timers();
	test_jmp();
	test_misc();
	return tap_done();
}
