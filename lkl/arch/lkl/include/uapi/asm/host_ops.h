/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The contract between the library kernel (ARCH=lkl) and its host.
 *
 * The kernel never calls libc: everything it needs from the outside world
 * (threads, semaphores, time, memory, MMIO) goes through this table, which
 * the embedding program hands to lkl_init().  The POSIX implementation is
 * lkl_host_ops in the host library.  This header is shared verbatim by the
 * kernel and by userspace, so it uses only plain C types.
 */
#ifndef _ASM_UAPI_LKL_HOST_OPS_H
#define _ASM_UAPI_LKL_HOST_OPS_H

/* Opaque host objects. */
struct lkl_mutex;
struct lkl_sem;
struct lkl_tls_key;
typedef unsigned long lkl_thread_t;

/* Large enough for a host jmp_buf (glibc x86_64: 200 bytes, aarch64: 312). */
struct lkl_jmp_buf {
	unsigned long buf[48];
};

struct lkl_host_operations {
	/* "virtio_mmio.device=..." entries appended to the kernel command line. */
	const char *virtio_devices;

	/* Kernel console output; NULL silences the kernel. */
	void (*print)(const char *str, int len);
	/* The kernel panicked: never returns. */
	void (*panic)(void);

	struct lkl_sem *(*sem_alloc)(int count);
	void (*sem_free)(struct lkl_sem *sem);
	void (*sem_up)(struct lkl_sem *sem);
	void (*sem_down)(struct lkl_sem *sem);

	struct lkl_mutex *(*mutex_alloc)(int recursive);
	void (*mutex_free)(struct lkl_mutex *mutex);
	void (*mutex_lock)(struct lkl_mutex *mutex);
	void (*mutex_unlock)(struct lkl_mutex *mutex);

	/* Returns 0 on failure. */
	lkl_thread_t (*thread_create)(void (*fn)(void *), void *arg);
	void (*thread_detach)(void);
	void (*thread_exit)(void);
	int (*thread_join)(lkl_thread_t tid);
	lkl_thread_t (*thread_self)(void);
	int (*thread_equal)(lkl_thread_t a, lkl_thread_t b);
	/* Host thread id, for diagnostics only. */
	long (*gettid)(void);

	/* Per-host-thread data; the destructor runs when a thread exits. */
	struct lkl_tls_key *(*tls_alloc)(void (*destructor)(void *));
	void (*tls_free)(struct lkl_tls_key *key);
	int (*tls_set)(struct lkl_tls_key *key, void *data);
	void *(*tls_get)(struct lkl_tls_key *key);

	void *(*mem_alloc)(unsigned long size);
	void (*mem_free)(void *mem);

	/* CLOCK_MONOTONIC and CLOCK_REALTIME, in nanoseconds. */
	unsigned long long (*time)(void);
	unsigned long long (*realtime)(void);

	/* One-shot timers: fn(arg) runs on a host thread when one expires. */
	void *(*timer_alloc)(void (*fn)(void *), void *arg);
	int (*timer_set_oneshot)(void *timer, unsigned long delta_ns);
	void (*timer_free)(void *timer);

	/* Emulated MMIO for virtio-mmio devices. */
	void *(*ioremap)(long addr, int size);
	int (*iomem_access)(const volatile void *addr, void *val, int size,
			    int write);

	/*
	 * Save the calling context in jmpb, then call fn.  A later
	 * jmp_buf_longjmp(jmpb, v) on the same host thread makes
	 * jmp_buf_set return.
	 */
	void (*jmp_buf_set)(struct lkl_jmp_buf *jmpb, void (*fn)(void));
	void (*jmp_buf_longjmp)(struct lkl_jmp_buf *jmpb, int val);

	/* The host's optimised string routines (the kernel's are bytewise). */
	void *(*memcpy)(void *dest, const void *src, unsigned long count);
	void *(*memset)(void *s, int c, unsigned long count);
	void *(*memmove)(void *dest, const void *src, unsigned long count);
};

#endif
