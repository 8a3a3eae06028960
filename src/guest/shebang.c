// SPDX-License-Identifier: GPL-2.0
/* Running a #! script through the trampoline (see shebang.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lkl.h>

#include "filecache.h"
#include "shebang.h"
#include "shebang/area.h"

/* The trampoline, built on its own (see src/Makefile.inc). */
__asm__(".pushsection .rodata\n"
	".balign 16\n"
	"trampoline:\n"
	".incbin \"" KBOX_SHEBANG_BLOB "\"\n"
	"trampoline_end:\n"
	".popsection\n");
extern const unsigned char trampoline[], trampoline_end[];

/* Linux runs at most this many #! scripts in a row (exec_binprm's depth). */
#define SCRIPTS_MAX 5

/*
 * Linux opens each interpreter before the point of no return: a missing
 * or forbidden one fails the exec.  Returns the program at the chain's end
 * (an ELF, whose own loader must open too), open in the kernel, or -errno.
 */
static long check_chain(const char *interp)
{
	struct exec_info *info = malloc(sizeof(*info));
	char name[PATH_MAX];
	long fd = -ENOMEM, lfd;
	int depth;

	snprintf(name, sizeof(name), "%s", interp);
	for (depth = 1; info; depth++) {
		fd = exec_open(LKL_AT_FDCWD, name, 0, info);
		if (fd < 0 || !info->script)
			break;
		lkl_sys_close(fd);
		fd = -ELOOP;
		if (depth == SCRIPTS_MAX)
			break;
		snprintf(name, sizeof(name), "%s", info->interp);
	}
	if (fd >= 0 && info->interp[0]) {
		lfd = exec_open_interp(info->interp);
		if (lfd < 0) {
			lkl_sys_close(fd);
			fd = lfd;
		} else {
			lkl_sys_close(lfd);
		}
	}
	free(info);
	return fd;
}

/* A copy of the trampoline with its area filled; the caller frees it. */
static unsigned char *fill(const struct exec_info *info, const char *script, size_t *size)
{
	size_t len = (size_t)(trampoline_end - trampoline);
	unsigned char *copy, *at;
	struct shebang_area area;
	char *p = area.text;
	size_t need = strlen(info->interp) + 1 + strlen(script) + 1 +
		      (info->has_arg ? strlen(info->interp_arg) + 1 : 0);

	errno = ENAMETOOLONG;
	if (need > sizeof(area.text))
		return NULL;
	errno = ENOEXEC;
	at = memmem(trampoline, len, SHEBANG_MARKER, sizeof(SHEBANG_MARKER));
	if (!at || at + sizeof(area) > trampoline_end)
		return NULL;
	copy = malloc(len);
	if (!copy)
		return NULL;
	memset(&area, 0, sizeof(area));
	memcpy(area.marker, SHEBANG_MARKER, sizeof(SHEBANG_MARKER));
	area.has_arg = info->has_arg;
	p = stpcpy(p, info->interp) + 1;
	if (info->has_arg)
		p = stpcpy(p, info->interp_arg) + 1;
	strcpy(p, script);
	memcpy(copy, trampoline, len);
	memcpy(copy + (at - trampoline), &area, sizeof(area));
	*size = len;
	return copy;
}

int shebang_prepare(long dirfd, const char *path, const struct exec_info *info, long *exe)
{
	char script[PATH_MAX + 32];
	unsigned char *copy;
	size_t size;
	long fd, fl;
	int mem;

	/* The name the interpreter opens the script by, as Linux makes it. */
	if (dirfd == LKL_AT_FDCWD || path[0] == '/') {
		snprintf(script, sizeof(script), "%s", path);
	} else {
		/* Gone after the exec: Linux fails rather than start the interpreter. */
		fl = lkl_sys_fcntl(dirfd, LKL_F_GETFD, 0);
		if (fl < 0 || (fl & LKL_FD_CLOEXEC))
			return fl < 0 ? (int)fl : -ENOENT;
		snprintf(script, sizeof(script), "/dev/fd/%ld%s%s", dirfd,
			 *path ? "/" : "", path);
	}
	fd = check_chain(info->interp);
	if (fd < 0)
		return (int)fd;
	copy = fill(info, script, &size);
	if (!copy) {
		lkl_sys_close(fd);
		return -errno;
	}
	mem = filecache_memfd(copy, size);
	free(copy);
	if (mem < 0) {
		lkl_sys_close(fd);
		return mem;
	}
	*exe = fd;
	return mem;
}
