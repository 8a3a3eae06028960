/* SPDX-License-Identifier: GPL-2.0 */
/* What exec needs to know about an image file before the host runs it. */
#ifndef KBOX_GUEST_ELF_H
#define KBOX_GUEST_ELF_H

#include <limits.h>
#include <stdbool.h>

struct exec_info {
	bool script;		/* starts with "#!" */
	char interp[PATH_MAX];	/* PT_INTERP, or the script's interpreter */
	char interp_arg[256];	/* the script's optional argument */
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

#endif
