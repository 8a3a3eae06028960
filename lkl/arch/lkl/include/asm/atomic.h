/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_ATOMIC_H
#define _ASM_LKL_ATOMIC_H

#include <linux/types.h>
#include <asm/cmpxchg.h>
#include <asm/barrier.h>

/*
 * atomic_t and atomic64_t on the host compiler's atomics.  Everything else
 * (inc, dec, try_cmpxchg, the acquire/release forms) the generic fallbacks
 * derive from these.
 */
#define LKL_ATOMIC_OPS(pfx, type, op, gcc_op)				\
static __always_inline void arch_##pfx##_##op(type i, pfx##_t *v)	\
{									\
	__atomic_##gcc_op##_fetch(&v->counter, i, __ATOMIC_RELAXED);	\
}									\
static __always_inline type arch_##pfx##_fetch_##op(type i, pfx##_t *v) \
{									\
	return __atomic_fetch_##gcc_op(&v->counter, i, __ATOMIC_SEQ_CST); \
}

#define LKL_ATOMIC_RETURN(pfx, type, op, gcc_op)			\
static __always_inline type arch_##pfx##_##op##_return(type i, pfx##_t *v) \
{									\
	return __atomic_##gcc_op##_fetch(&v->counter, i, __ATOMIC_SEQ_CST); \
}

#define LKL_ATOMIC_TYPE(pfx, type)					\
LKL_ATOMIC_OPS(pfx, type, add, add)					\
LKL_ATOMIC_OPS(pfx, type, sub, sub)					\
LKL_ATOMIC_OPS(pfx, type, and, and)					\
LKL_ATOMIC_OPS(pfx, type, or, or)					\
LKL_ATOMIC_OPS(pfx, type, xor, xor)					\
LKL_ATOMIC_RETURN(pfx, type, add, add)					\
LKL_ATOMIC_RETURN(pfx, type, sub, sub)					\
static __always_inline type arch_##pfx##_read(const pfx##_t *v)	\
{									\
	return __atomic_load_n(&v->counter, __ATOMIC_RELAXED);		\
}									\
static __always_inline void arch_##pfx##_set(pfx##_t *v, type i)	\
{									\
	__atomic_store_n(&v->counter, i, __ATOMIC_RELAXED);		\
}									\
static __always_inline type arch_##pfx##_xchg(pfx##_t *v, type i)	\
{									\
	return arch_xchg(&v->counter, i);				\
}									\
static __always_inline type arch_##pfx##_cmpxchg(pfx##_t *v, type o, type n) \
{									\
	return arch_cmpxchg(&v->counter, o, n);				\
}

#define ATOMIC64_INIT(i)	{ (i) }

LKL_ATOMIC_TYPE(atomic, int)
LKL_ATOMIC_TYPE(atomic64, s64)

#define arch_atomic_add			arch_atomic_add
#define arch_atomic_sub			arch_atomic_sub
#define arch_atomic_and			arch_atomic_and
#define arch_atomic_or			arch_atomic_or
#define arch_atomic_xor			arch_atomic_xor
#define arch_atomic_fetch_add		arch_atomic_fetch_add
#define arch_atomic_fetch_sub		arch_atomic_fetch_sub
#define arch_atomic_fetch_and		arch_atomic_fetch_and
#define arch_atomic_fetch_or		arch_atomic_fetch_or
#define arch_atomic_fetch_xor		arch_atomic_fetch_xor
#define arch_atomic_add_return		arch_atomic_add_return
#define arch_atomic_sub_return		arch_atomic_sub_return
#define arch_atomic_read		arch_atomic_read
#define arch_atomic_set			arch_atomic_set
#define arch_atomic_xchg		arch_atomic_xchg
#define arch_atomic_cmpxchg		arch_atomic_cmpxchg

#define arch_atomic64_add		arch_atomic64_add
#define arch_atomic64_sub		arch_atomic64_sub
#define arch_atomic64_and		arch_atomic64_and
#define arch_atomic64_or		arch_atomic64_or
#define arch_atomic64_xor		arch_atomic64_xor
#define arch_atomic64_fetch_add		arch_atomic64_fetch_add
#define arch_atomic64_fetch_sub		arch_atomic64_fetch_sub
#define arch_atomic64_fetch_and		arch_atomic64_fetch_and
#define arch_atomic64_fetch_or		arch_atomic64_fetch_or
#define arch_atomic64_fetch_xor		arch_atomic64_fetch_xor
#define arch_atomic64_add_return	arch_atomic64_add_return
#define arch_atomic64_sub_return	arch_atomic64_sub_return
#define arch_atomic64_read		arch_atomic64_read
#define arch_atomic64_set		arch_atomic64_set
#define arch_atomic64_xchg		arch_atomic64_xchg
#define arch_atomic64_cmpxchg		arch_atomic64_cmpxchg

#endif
