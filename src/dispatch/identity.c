// SPDX-License-Identifier: GPL-2.0
/*
 * Credentials live in the guest's kernel task: the kernel checks file
 * permissions with them, and the guest reads and changes them there.  The
 * host process keeps kbox's user's credentials throughout.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/syscall.h>

#include <lkl.h>

#include "generic.h"
#include "../guest/memory.h"

#define L(x) __lkl__NR_##x

static const struct sysdesc identity_table[] = {
	SYS(SYS_getuid, L(getuid)),
	SYS(SYS_geteuid, L(geteuid)),
	SYS(SYS_getgid, L(getgid)),
	SYS(SYS_getegid, L(getegid)),
	SYS(SYS_getresuid, L(getresuid), GN(0, A_OUT_FIX, 4), GN(1, A_OUT_FIX, 4), GN(2, A_OUT_FIX, 4)),
	SYS(SYS_getresgid, L(getresgid), GN(0, A_OUT_FIX, 4), GN(1, A_OUT_FIX, 4), GN(2, A_OUT_FIX, 4)),
	SYS(SYS_setuid, L(setuid), G(0, A_VAL)),
	SYS(SYS_setgid, L(setgid), G(0, A_VAL)),
	SYS(SYS_setreuid, L(setreuid), G(0, A_VAL), G(1, A_VAL)),
	SYS(SYS_setregid, L(setregid), G(0, A_VAL), G(1, A_VAL)),
	SYS(SYS_setresuid, L(setresuid), G(0, A_VAL), G(1, A_VAL), G(2, A_VAL)),
	SYS(SYS_setresgid, L(setresgid), G(0, A_VAL), G(1, A_VAL), G(2, A_VAL)),
	SYS(SYS_setfsuid, L(setfsuid), G(0, A_VAL)),
	SYS(SYS_setfsgid, L(setfsgid), G(0, A_VAL)),
};

/* The header's version: how many 12-byte structs the data holds (0: unknown). */
static unsigned int cap_structs(uint32_t version)
{
	switch (version) {
	case 0x19980330:	/* _LINUX_CAPABILITY_VERSION_1 */
		return 1;
	case 0x20071026:	/* _LINUX_CAPABILITY_VERSION_2 */
	case 0x20080522:	/* _LINUX_CAPABILITY_VERSION_3 */
		return 2;
	}
	return 0;
}

/*
 * capget/capset: the data is one struct or two, as the header's version
 * says; only that much is read or written.  An unknown version: the
 * kernel puts its own in the header and fails with EINVAL (capget with
 * no data: 0), never looking at the data.
 */
static void do_cap(struct call *c, bool set)
{
	struct { uint32_t version; int32_t pid; } hdr;
	uint32_t data[6];
	unsigned int n;
	uint32_t asked;
	long ret;

	if (gmem_read(call_pid(c), &hdr, c->a[0], sizeof(hdr))) {
		c->ret = -EFAULT;
		return;
	}
	asked = hdr.version;
	n = cap_structs(hdr.version);
	if (set && n && gmem_read(call_pid(c), data, c->a[1], n * 12)) {
		c->ret = -EFAULT;
		return;
	}
	ret = lkl_syscall(set ? L(capset) : L(capget),
			  (long[6]){ (long)&hdr, c->a[1] ? (long)data : 0 });
	if (hdr.version != asked &&
	    gmem_write(call_pid(c), c->a[0], &hdr.version, sizeof(hdr.version)))
		ret = -EFAULT;
	else if (!set && ret >= 0 && n && c->a[1] &&
		 gmem_write(call_pid(c), c->a[1], data, n * 12))
		ret = -EFAULT;
	c->ret = ret;
}

static void sys_capget(struct call *c)
{
	do_cap(c, false);
}

static void sys_capset(struct call *c)
{
	do_cap(c, true);
}

/* getgroups/setgroups: the list's length is a count of 4-byte gids. */
static void sys_getgroups(struct call *c)
{
	int n = (int)c->a[0];
	unsigned int gids[65536];
	long ret;

	if (n < 0 || n > 65536) {
		c->ret = -EINVAL;
		return;
	}
	ret = lkl_sys_getgroups(n, gids);
	if (ret > 0 && n && gmem_write(call_pid(c), c->a[1], gids, ret * sizeof(gids[0])))
		ret = -EFAULT;
	c->ret = ret;
}

static void sys_setgroups(struct call *c)
{
	int n = (int)c->a[0];
	unsigned int gids[65536];

	if (n < 0 || n > 65536) {
		c->ret = -EINVAL;
		return;
	}
	if (n && gmem_read(call_pid(c), gids, c->a[1], n * sizeof(gids[0]))) {
		c->ret = -EFAULT;
		return;
	}
	c->ret = lkl_sys_setgroups(n, gids);
}

void identity_handlers_init(void)
{
	generic_register(identity_table, sizeof(identity_table) / sizeof(identity_table[0]));
	dispatch_register(SYS_capget, sys_capget);
	dispatch_register(SYS_capset, sys_capset);
	dispatch_register(SYS_getgroups, sys_getgroups);
	dispatch_register(SYS_setgroups, sys_setgroups);
}
