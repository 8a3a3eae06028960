// SPDX-License-Identifier: GPL-2.0
/* Kernel placeholders for host fds (see hostfd.h). */
#include <errno.h>
#include <stdatomic.h>

#include <lkl.h>
#include <lkl/linux/memfd.h>

#include "hostfd.h"

/* Every kernel memfd lives on the kernel's one internal shmem mount. */
static _Atomic unsigned long long placeholder_dev = ~0ULL;

long hostfd_placeholder(bool cloexec)
{
	struct lkl_stat st;
	long fd;

	fd = lkl_sys_memfd_create(HOSTFD_NAME, cloexec ? LKL_MFD_CLOEXEC : 0);
	if (fd >= 0 && placeholder_dev == ~0ULL && !lkl_sys_fstat(fd, &st))
		placeholder_dev = st.st_dev;
	return fd;
}

int hostfd_behind(struct fdtab *t, long kfd)
{
	struct lkl_stat want, st;
	long n;

	if (lkl_sys_fstat(kfd, &want) < 0 || want.st_dev != placeholder_dev)
		return -1;
	/* A dup shares its placeholder: any number holding it will do. */
	for (n = 0; n < t->cap; n++) {
		if (n == kfd || !fdtab_is_host(t, n))
			continue;
		if (!lkl_sys_fstat(n, &st) && st.st_dev == want.st_dev &&
		    st.st_ino == want.st_ino)
			return (int)n;
	}
	return -ENOENT;
}

bool hostfd_is_placeholder(long kfd, unsigned long long *ino)
{
	struct lkl_stat st;

	if (lkl_sys_fstat(kfd, &st) < 0 || st.st_dev != placeholder_dev)
		return false;
	*ino = st.st_ino;
	return true;
}
