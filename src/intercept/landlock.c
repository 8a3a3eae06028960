// SPDX-License-Identifier: GPL-2.0
/* Confining the guest with Landlock (see landlock.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "landlock.h"

#ifndef SYS_landlock_create_ruleset
#define SYS_landlock_create_ruleset	444
#define SYS_landlock_restrict_self	446
#endif

/* Debian 12's headers stop at ABI 1; the layout grew since, field by field. */
struct ruleset_attr {
	uint64_t handled_access_fs;	/* ABI 1 */
	uint64_t handled_access_net;	/* ABI 4 */
	uint64_t scoped;		/* ABI 6 */
};

#define CREATE_RULESET_VERSION	(1U << 0)

/* ABI 1: execute, write, read, read_dir, remove_dir/file, make_*. */
#define FS_ABI1		((1ULL << 13) - 1)
#define FS_REFER	(1ULL << 13)	/* ABI 2 */
#define FS_TRUNCATE	(1ULL << 14)	/* ABI 3 */
#define FS_IOCTL_DEV	(1ULL << 15)	/* ABI 5 */
#define NET_BIND_TCP	(1ULL << 0)	/* ABI 4 */
#define NET_CONNECT_TCP	(1ULL << 1)
#define SCOPE_ABSTRACT_UNIX	(1ULL << 0)	/* ABI 6 */
#define SCOPE_SIGNAL	(1ULL << 1)

int landlock_abi(void)
{
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
			   CREATE_RULESET_VERSION);
	const char *cap = getenv("KBOX_LANDLOCK_ABI");

	if (abi < 0)
		abi = 0;
	if (cap && *cap && atoi(cap) < abi)
		abi = atoi(cap) < 0 ? 0 : atoi(cap);
	return (int)abi;
}

int landlock_confine(int abi)
{
	struct ruleset_attr attr = { 0 };
	size_t size = sizeof(attr.handled_access_fs);
	long fd, ret;

	if (abi < 1)
		return 0;
	attr.handled_access_fs = FS_ABI1;
	if (abi >= 2)
		attr.handled_access_fs |= FS_REFER;
	if (abi >= 3)
		attr.handled_access_fs |= FS_TRUNCATE;
	if (abi >= 5)
		attr.handled_access_fs |= FS_IOCTL_DEV;
	if (abi >= 4) {
		attr.handled_access_net = NET_BIND_TCP | NET_CONNECT_TCP;
		size = offsetof(struct ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = SCOPE_ABSTRACT_UNIX | SCOPE_SIGNAL;
		size = sizeof(attr);
	}
	/* No rule: every handled access is refused (files already open stay usable). */
	fd = syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_landlock_restrict_self, fd, 0);
	if (ret < 0)
		ret = -errno;
	close((int)fd);
	return (int)ret;
}
