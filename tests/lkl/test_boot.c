// SPDX-License-Identifier: GPL-2.0
/* Boot the library kernel and exercise system calls through it. */
#include <lkl.h>
#include "tap.h"

int main(void)
{
	ok(lkl_init(&lkl_host_ops) == 0, "lkl_init");
	is_int(lkl_start_kernel("mem=64M loglevel=4"), 0, "lkl_start_kernel");
	is_int(lkl_sys_getpid(), 1, "getpid() is 1: host threads are threads of pid 1");
	is_int(lkl_sys_halt(), 0, "lkl_sys_halt");
	lkl_cleanup();
	return tap_done();
}
