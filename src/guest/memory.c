// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory through process_vm_readv/writev: one system call, no fd to
 * keep per process, and always the current address space (an exec
 * replaces it; a kept /proc/PID/mem fd would still see the old one).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "memory.h"

#define PAGE 4096UL

int gmem_read(pid_t pid, void *dst, uint64_t addr, size_t len)
{
	struct iovec local = { dst, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	if (!len)
		return 0;
	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

int gmem_write(pid_t pid, uint64_t addr, const void *src, size_t len)
{
	struct iovec local = { (void *)src, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	if (!len)
		return 0;
	n = process_vm_writev(pid, &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
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
