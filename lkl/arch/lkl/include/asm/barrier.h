/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_BARRIER_H
#define _ASM_LKL_BARRIER_H

/*
 * The kernel is UP, but virtio rings are shared with host worker threads
 * running on other host CPUs, so mandatory barriers must be real fences.
 */
#define __mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define __rmb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define __wmb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)

#include <asm-generic/barrier.h>

#endif
