/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading and writing a guest's memory from the supervisor.  Addresses are
 * the guest's; pid is any thread of the guest process.  Every function
 * returns 0 (or a length) on success and -EFAULT when the guest's memory
 * is not there, so handlers can pass the error on to the guest.
 */
#ifndef KBOX_GUEST_MEMORY_H
#define KBOX_GUEST_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int gmem_read(pid_t pid, void *dst, uint64_t addr, size_t len);
int gmem_write(pid_t pid, uint64_t addr, const void *src, size_t len);
/*
 * The top of an x86_64 process's address space (4-level paging): Linux
 * refuses a buffer reaching beyond it with EFAULT before any copy
 * (access_ok), whatever is mapped below.
 */
#define GMEM_USER_END 0x7ffffffff000ULL
bool gmem_access_ok(uint64_t addr, size_t len);
/*
 * Copy as much of the range as can be, from its start up to the first
 * page that cannot be read (written): the bytes copied, 0 if none.
 */
size_t gmem_read_some(pid_t pid, void *dst, uint64_t addr, size_t len);
size_t gmem_write_some(pid_t pid, uint64_t addr, const void *src, size_t len);
/* How much of the range, from its start, lies in readable pages. */
size_t gmem_mapped(pid_t pid, uint64_t addr, size_t len);
/*
 * Copy a NUL-terminated string of at most max-1 bytes into dst.  Returns
 * its length, -EFAULT, or -ENAMETOOLONG when it does not fit.
 */
long gmem_read_string(pid_t pid, uint64_t addr, char *dst, size_t max);
/*
 * Measuring many strings (an exec's argv and envp): a few pages of the
 * guest's memory are read at a time and strings found in them cost no
 * further system call.
 */
struct gmem_window {
	pid_t pid;
	uint64_t base;		/* the guest address of data[0] */
	size_t len;		/* how much of data was read */
	char data[8192];
};
/* The length of the string at addr: -E2BIG when over max, or -EFAULT. */
long gmem_strlen(struct gmem_window *w, uint64_t addr, size_t max);
/* Write even into read-only pages (through /proc/PID/mem, as a debugger). */
int gmem_poke(pid_t pid, uint64_t addr, const void *src, size_t len);

#endif
