// SPDX-License-Identifier: GPL-2.0
/* The generic marshaller: see generic.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <lkl.h>

#include "generic.h"
#include "../guest/memory.h"

#define MAX_STR 256

/*
 * The length *v of slot s as the kernel sees it (its C type), checked
 * against the slot's max, then clamped to what one call moves.
 */
static long typed_len(const struct slot *s, long *v)
{
	unsigned long len = (unsigned long)*v;

	if (s->len == LEN_INT && (int)len < 0)
		return s->too_big ? s->too_big : -EINVAL;
	if (s->len == LEN_INT)
		len = (unsigned int)(int)len;
	if (s->too_big && len > s->max)
		return s->too_big;
	*v = (long)(len > MAX_IO ? MAX_IO : len);
	return 0;
}

void generic_run(struct call *c, const struct sysdesc *d)
{
	long g[6], params[6] = { 0 };
	void *bufs[6] = { 0 };
	size_t caps[6] = { 0 };
	bool host = false, kernel = false, has_path = false;
	struct fdtab *fds = c->t->proc->fds;
	int pid = call_pid(c);
	int i;
	long ret;

	for (i = 0; i < 6; i++)
		g[i] = (long)c->a[i];

	/* First pass: fds decide where the call goes; lengths are clamped. */
	for (i = 0; i < 6; i++) {
		const struct slot *s = &d->slot[i];

		if (s->from < 0)
			continue;
		if (s->kind == A_PATH || (s->kind == A_PATH_NULL && g[s->from]))
			has_path = true;
		if (s->kind == A_FD) {
			if (fdtab_is_host(fds, (int)g[s->from]))
				host = true;
			else
				kernel = true;
		}
	}
	for (i = 0; i < 6; i++) {
		const struct slot *s = &d->slot[i];

		if (s->from < 0 || s->kind != A_DIRFD)
			continue;
		if ((int)g[s->from] == AT_FDCWD || !fdtab_is_host(fds, (int)g[s->from]))
			continue;
		/* A path relative to a host directory fd: never walked on the host. */
		if (has_path) {
			c->ret = -ENOTDIR;
			return;
		}
		host = true;
	}
	if (host && (kernel || has_path)) {
		c->ret = -EBADF;
		return;
	}
	if (host) {
		call_continue(c);
		return;
	}

	/* Second pass: copy guest memory in. */
	for (i = 0; i < 6; i++) {
		const struct slot *s = &d->slot[i];
		uint64_t addr;
		size_t len = 0;
		long n;

		if (s->from < 0)
			continue;
		addr = (uint64_t)g[s->from];
		switch (s->kind) {
		case A_PATH_NULL:
			if (!addr)
				break;
			/* fall through */
		case A_PATH:
		case A_STR:
			len = s->kind == A_STR ? MAX_STR : PATH_MAX;
			bufs[i] = malloc(len);
			if (!bufs[i]) {
				ret = -ENOMEM;
				goto out;
			}
			n = gmem_read_string(pid, addr, bufs[i], len);
			if (n < 0) {
				ret = n == -ENAMETOOLONG && s->kind == A_STR ? -ERANGE : n;
				goto out;
			}
			g[s->from] = (long)bufs[i];
			break;
		case A_IN:
		case A_OUT:
			if (!addr && s->null_ok)
				break;
			ret = typed_len(s, &g[s->n]);
			if (ret < 0)
				goto out;
			len = (size_t)g[s->n];
			/* fall through */
		case A_IN_FIX:
		case A_OUT_FIX:
		case A_INOUT_FIX:
			if (s->kind >= A_IN_FIX)
				len = s->n;
			/* See struct slot. */
			if (!addr && len && !s->null_ok) {
				ret = -EFAULT;
				goto out;
			}
			if (!addr)
				break;
			bufs[i] = malloc(len ? len : 1);
			caps[i] = len;
			if (!bufs[i]) {
				ret = -ENOMEM;
				goto out;
			}
			if (s->kind == A_IN || s->kind == A_IN_FIX ||
			    s->kind == A_INOUT_FIX) {
				if (gmem_read(pid, bufs[i], addr, len)) {
					ret = -EFAULT;
					goto out;
				}
			}
			g[s->from] = (long)bufs[i];
			break;
		}
	}

	for (i = 0; i < 6; i++) {
		const struct slot *s = &d->slot[i];

		params[i] = s->from < 0 ? s->konst : g[s->from];
	}
	ret = lkl_syscall(d->lkl_nr, params);

	/* Copy results back. */
	for (i = 0; ret >= 0 && i < 6; i++) {
		const struct slot *s = &d->slot[i];
		size_t len;

		if (s->from < 0 || !bufs[i])
			continue;
		if (s->kind == A_OUT)
			len = (size_t)ret;
		else if (s->kind == A_OUT_FIX || s->kind == A_INOUT_FIX)
			len = s->n;
		else
			continue;
		if (len > caps[i])
			len = caps[i];
		if (gmem_write(pid, c->a[s->from], bufs[i], len))
			ret = -EFAULT;
	}
	c->ret = ret;
	if (d->after)
		d->after(c, params);
	ret = c->ret;
out:
	for (i = 0; i < 6; i++)
		free(bufs[i]);
	c->ret = ret;
}
