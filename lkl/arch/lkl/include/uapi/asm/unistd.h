/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
#ifndef _ASM_UAPI_LKL_UNISTD_H
#define _ASM_UAPI_LKL_UNISTD_H

/*
 * The asm-generic syscall numbers, as on arm64 and riscv, with the optional
 * calls a library user expects (renameat, newfstatat, the set/getrlimit pair,
 * and the old 128-byte struct stat calls).
 */
#define __ARCH_WANT_RENAMEAT
#define __ARCH_WANT_NEW_STAT
#define __ARCH_WANT_SET_GET_RLIMIT

#include <asm-generic/unistd.h>

/* Our one private call: hot-add a virtio-mmio device (base, size, irq). */
#define __NR_virtio_mmio_device_add (__NR_arch_specific_syscall + 0)

#endif
