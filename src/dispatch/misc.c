// SPDX-License-Identifier: GPL-2.0
/*
 * The system as the guest sees it: host name, kernel version, memory and
 * sockets are the library kernel's, not the host's.
 */
#define _GNU_SOURCE
#include <sys/syscall.h>

#include <lkl.h>

#include "generic.h"

#define L(x) __lkl__NR_##x

static const struct sysdesc misc_table[] = {
	SYS(SYS_uname, L(uname), GN(0, A_OUT_FIX, 390)),
	SYS(SYS_sethostname, L(sethostname), GN(0, A_IN, 1), G(1, A_VAL)),
	SYS(SYS_setdomainname, L(setdomainname), GN(0, A_IN, 1), G(1, A_VAL)),
	SYS(SYS_sysinfo, L(sysinfo), GN(0, A_OUT_FIX, 112)),
	SYS(SYS_socket, L(socket), G(0, A_VAL), G(1, A_VAL), G(2, A_VAL)),
	SYS(SYS_socketpair, L(socketpair), G(0, A_VAL), G(1, A_VAL), G(2, A_VAL), GN(3, A_OUT_FIX, 8)),
	SYS(SYS_bind, L(bind), G(0, A_FD), GN(1, A_IN, 2), G(2, A_VAL)),
	SYS(SYS_connect, L(connect), G(0, A_FD), GN(1, A_IN, 2), G(2, A_VAL)),
	SYS(SYS_listen, L(listen), G(0, A_FD), G(1, A_VAL)),
	SYS(SYS_shutdown, L(shutdown), G(0, A_FD), G(1, A_VAL)),
	SYS(SYS_sendto, L(sendto), G(0, A_FD), GN(1, A_IN, 2), G(2, A_VAL), G(3, A_VAL), GN(4, A_IN, 5), G(5, A_VAL)),
};

void misc_handlers_init(void)
{
	generic_register(misc_table, sizeof(misc_table) / sizeof(misc_table[0]));
}
