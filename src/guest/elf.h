/* SPDX-License-Identifier: GPL-2.0 */
/* What exec needs to know about an image file before the host runs it. */
#ifndef KBOX_GUEST_ELF_H
#define KBOX_GUEST_ELF_H

#include <limits.h>
#include <stdbool.h>

/* Linux reads a script's #! line from this many first bytes (BINPRM_BUF_SIZE). */
#define SCRIPT_BUF 256

struct exec_info {
	bool script;		/* starts with "#!" */
	char interp[PATH_MAX];	/* PT_INTERP, or the script's interpreter */
	bool has_arg;		/* the #! line has an argument (maybe empty) */
	char interp_arg[SCRIPT_BUF];	/* that argument */
	long interp_off;	/* file offset of PT_INTERP's string */
	unsigned long interp_room;	/* its size in the file, NUL included */
};

/*
 * Open path (relative to kernel fd dirfd) as the calling kernel task, check
 * that it may be executed (a regular file with execute permission on an
 * exec mount: -EACCES otherwise) and that it is an x86_64 ELF or a #!
 * script (-ENOEXEC otherwise).  Returns the open kernel fd, or -errno.
 */
long exec_open(long dirfd, const char *path, int at_flags, struct exec_info *info);

/*
 * Open a program's ELF interpreter (PT_INTERP) as the calling kernel task:
 * an x86_64 ELF without one of its own.  Returns the kernel fd, or what
 * Linux's exec fails with: -ENOENT, -EACCES or -ELIBBAD.
 */
long exec_open_interp(const char *interp);

#endif
