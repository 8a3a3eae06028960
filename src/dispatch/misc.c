// SPDX-License-Identifier: GPL-2.0
/*
 * The system as the guest sees it: host name, kernel version and memory
 * are the library kernel's, not the host's (sockets: socket.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/syscall.h>

#include <lkl.h>

#include "generic.h"

#define L(x) __lkl__NR_##x

static const struct sysdesc misc_table[] = {
	SYS(SYS_uname, L(uname), GN(0, A_OUT_FIX, 390)),
	/* A length that is negative or over __NEW_UTS_LEN: EINVAL, before the copy. */
	SYS(SYS_sethostname, L(sethostname), GL(0, A_IN, 1, LEN_INT, 64, EINVAL), G(1, A_VAL)),
	SYS(SYS_setdomainname, L(setdomainname), GL(0, A_IN, 1, LEN_INT, 64, EINVAL), G(1, A_VAL)),
	SYS(SYS_sysinfo, L(sysinfo), GN(0, A_OUT_FIX, 112)),
};

void misc_handlers_init(void)
{
	generic_register(misc_table, sizeof(misc_table) / sizeof(misc_table[0]));
}
