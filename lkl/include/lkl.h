/* SPDX-License-Identifier: GPL-2.0 */
/*
 * liblkl: the Linux kernel as a library.
 *
 *	#include <lkl.h>
 *
 *	lkl_init(&lkl_host_ops);
 *	lkl_start_kernel("mem=64M");
 *	int fd = lkl_sys_open("/hello", LKL_O_CREAT | LKL_O_WRONLY, 0644);
 *	lkl_sys_write(fd, "hi\n", 3);
 *	lkl_sys_close(fd);
 *	lkl_sys_halt();
 *	lkl_cleanup();
 *
 * Every uapi name is prefixed (struct lkl_stat, LKL_O_CREAT, __lkl__NR_read)
 * so this header mixes with the C library's.  System calls return the
 * kernel's raw result: >= 0 on success, -LKL_Exxx on failure.
 */
#ifndef LKL_H
#define LKL_H

#include <lkl/syscalls.h>
#include <lkl_host.h>

#endif
