// SPDX-License-Identifier: GPL-2.0
/*
 * mmap of an image file: the host kernel maps a host copy (a memfd, see
 * guest/filecache.h) put at the same fd number in the guest's host table.
 * Private maps share one sealed copy per file version.  Shared maps of a
 * file open for writing share its shadow (guest/shadow.h), whose writes
 * go back to the image.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <lkl.h>

#include "dispatch.h"
#include "../guest/filecache.h"
#include "../guest/shadow.h"

static void sys_mmap(struct call *c)
{
	int prot = (int)c->a[2], flags = (int)c->a[3], fd = (int)c->a[4];
	struct lkl_stat st;
	long ret, mode;
	int mem;

	if ((flags & MAP_ANONYMOUS) || fdtab_is_host(c->t->proc->fds, fd)) {
		call_continue(c);
		return;
	}
	ret = lkl_sys_fstat(fd, &st);
	if (ret < 0) {
		c->ret = ret;
		return;
	}
	if ((st.st_mode & S_IFMT) != S_IFREG) {
		c->ret = -ENODEV;
		return;
	}
	mode = lkl_sys_fcntl(fd, LKL_F_GETFL, 0);
	if (mode < 0) {
		c->ret = mode;
		return;
	}
	/* The permission checks the host would make on the real file. */
	if ((mode & LKL_O_ACCMODE) == LKL_O_WRONLY ||
	    ((flags & MAP_TYPE) == MAP_SHARED && (prot & PROT_WRITE) &&
	     (mode & LKL_O_ACCMODE) != LKL_O_RDWR)) {
		c->ret = -EACCES;
		return;
	}
	if ((flags & MAP_TYPE) != MAP_PRIVATE) {
		/* Open for writing: mprotect may make a read-only map writable. */
		mem = shadow_get(fd, (mode & LKL_O_ACCMODE) == LKL_O_RDWR);
		if (mem == -ENOENT)
			mem = filecache_get(fd, NULL, 0, 0);
	} else {
		/* A private copy of the file as the shared maps left it. */
		shadow_flush_fd(fd, false);
		mem = filecache_get(fd, NULL, 0, 0);
	}
	if (mem < 0) {
		c->ret = mem;
		return;
	}
	ret = call_inject_fd(c, mem, fd, true);
	close(mem);
	if (ret < 0) {
		c->ret = ret;
		return;
	}
	call_continue(c);
}

/* The maps' writes go to the image; the host's msync has nothing to do. */
static void sys_msync(struct call *c)
{
	shadow_flush_all(c->a[2] & MS_SYNC);
	call_continue(c);
}

void mmap_handlers_init(void)
{
	dispatch_register(SYS_mmap, sys_mmap);
	dispatch_register(SYS_msync, sys_msync);
}
