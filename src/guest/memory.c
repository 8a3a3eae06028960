// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory through process_vm_readv/writev: one system call, no fd to
 * keep per process, and always the current address space (an exec
 * replaces it; a kept /proc/PID/mem fd would still see the old one).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "memory.h"

#define PAGE 4096UL

bool gmem_access_ok(uint64_t addr, size_t len)
{
	return addr + len >= addr && addr + len <= GMEM_USER_END;
}

/* Page by page, the kernel stops at the first page it cannot reach: the bytes moved. */
static size_t transfer(pid_t pid, void *here, uint64_t addr, size_t len, bool write)
{
	struct iovec local = { here, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	if (!len)
		return 0;
	n = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0)
		  : process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return n > 0 ? (size_t)n : 0;
}

size_t gmem_read_some(pid_t pid, void *dst, uint64_t addr, size_t len)
{
	return transfer(pid, dst, addr, len, false);
}

size_t gmem_write_some(pid_t pid, uint64_t addr, const void *src, size_t len)
{
	return transfer(pid, (void *)src, addr, len, true);
}

int gmem_read(pid_t pid, void *dst, uint64_t addr, size_t len)
{
	return gmem_read_some(pid, dst, addr, len) == len ? 0 : -EFAULT;
}

int gmem_write(pid_t pid, uint64_t addr, const void *src, size_t len)
{
	return gmem_write_some(pid, addr, src, len) == len ? 0 : -EFAULT;
}

size_t gmem_mapped(pid_t pid, uint64_t addr, size_t len)
{
	struct iovec remote[256];
	char bytes[256];
	struct iovec local = { bytes, 0 };
	uint64_t page, end;
	size_t i;
	ssize_t n;

	if (addr >= GMEM_USER_END)
		return 0;
	if (len > GMEM_USER_END - addr)
		len = GMEM_USER_END - addr;
	end = addr + len;
	/* One byte of each page: the first page a read cannot reach ends it. */
	for (page = addr; page < end; ) {
		for (i = 0; i < 256 && page < end; i++) {
			remote[i].iov_base = (void *)(uintptr_t)page;
			remote[i].iov_len = 1;
			page = (page & ~(PAGE - 1)) + PAGE;
		}
		local.iov_len = i;
		n = process_vm_readv(pid, &local, 1, remote, i, 0);
		/* Up to the page of the first byte not read. */
		if (n < (ssize_t)i)
			return (size_t)((uintptr_t)remote[n > 0 ? n : 0].iov_base - addr);
	}
	return len;
}

long gmem_read_string(pid_t pid, uint64_t addr, char *dst, size_t max)
{
	size_t got = 0;

	if (!addr)
		return -EFAULT;
	/* Page by page: the string may end just before an unmapped page. */
	while (got < max) {
		size_t chunk = PAGE - ((addr + got) & (PAGE - 1));
		struct iovec local, remote;
		ssize_t n;
		char *nul;

		if (chunk > max - got)
			chunk = max - got;
		local.iov_base = dst + got;
		local.iov_len = chunk;
		remote.iov_base = (void *)(uintptr_t)(addr + got);
		remote.iov_len = chunk;
		n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			return -EFAULT;
		nul = memchr(dst + got, '\0', n);
		if (nul)
			return nul - dst;
		got += n;
	}
	return -ENAMETOOLONG;
}

/* Read the pages from the one holding addr on; false if addr's is unreadable. */
static bool window_fill(struct gmem_window *w, uint64_t addr)
{
	struct iovec local = { w->data, sizeof(w->data) }, remote[sizeof(w->data) / PAGE];
	size_t i;
	ssize_t n;

	/* A page per element: a read stops at the first missing page, not before. */
	w->base = addr & ~(PAGE - 1);
	for (i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
		remote[i].iov_base = (void *)(uintptr_t)(w->base + i * PAGE);
		remote[i].iov_len = PAGE;
	}
	n = process_vm_readv(w->pid, &local, 1, remote, sizeof(remote) / sizeof(remote[0]), 0);
	w->len = n > 0 ? (size_t)n : 0;
	return addr - w->base < w->len;
}

long gmem_strlen(struct gmem_window *w, uint64_t addr, size_t max)
{
	size_t n = 0, off, avail;
	const char *nul;

	if (!addr)
		return -EFAULT;
	for (;;) {
		uint64_t at = addr + n;

		if ((at < w->base || at - w->base >= w->len) && !window_fill(w, at))
			return -EFAULT;
		off = at - w->base;
		avail = w->len - off;
		nul = memchr(w->data + off, '\0', avail);
		n += nul ? (size_t)(nul - (w->data + off)) : avail;
		if (n > max)
			return -E2BIG;
		if (nul)
			return (long)n;
	}
}

int gmem_poke(pid_t pid, uint64_t addr, const void *src, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pwrite(fd, src, len, (off_t)addr);
	close(fd);
	return n == (ssize_t)len ? 0 : -EFAULT;
}
