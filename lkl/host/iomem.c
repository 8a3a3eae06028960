// SPDX-License-Identifier: GPL-2.0
/*
 * Emulated MMIO: a table of up to 255 regions, looked up by the top bits of
 * the fake bus address.  Accesses take the table lock shared, so handlers of
 * different regions (and of the same one) may run concurrently; changing
 * the table takes it exclusively, which is what lets unregister promise that
 * no handler is still running on the old data.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "iomem.h"

struct iomem_region {
	unsigned long size;		/* 0: slot free */
	const struct lkl_host_iomem_ops *ops;
	void *data;
};

static struct iomem_region regions[LKL_HOST_IOMEM_REGIONS];
static pthread_rwlock_t regions_lock = PTHREAD_RWLOCK_INITIALIZER;

/* Index of the region holding [addr, addr + size), or 0. Lock held. */
static unsigned int region_lookup(unsigned long addr, unsigned long size)
{
	unsigned long idx = addr >> LKL_HOST_IOMEM_SHIFT;
	unsigned long off = addr & (LKL_HOST_IOMEM_MAX_SIZE - 1);

	if (idx == 0 || idx >= LKL_HOST_IOMEM_REGIONS || !regions[idx].size)
		return 0;
	if (size > regions[idx].size || off > regions[idx].size - size)
		return 0;
	return idx;
}

long lkl_host_iomem_register(unsigned long size,
			     const struct lkl_host_iomem_ops *ops, void *data)
{
	unsigned int i;
	long ret = -ENOSPC;

	if (!size || size > LKL_HOST_IOMEM_MAX_SIZE || !ops)
		return -EINVAL;

	pthread_rwlock_wrlock(&regions_lock);
	for (i = 1; i < LKL_HOST_IOMEM_REGIONS; i++) {
		if (regions[i].size)
			continue;
		regions[i].size = size;
		regions[i].ops = ops;
		regions[i].data = data;
		ret = (long)i << LKL_HOST_IOMEM_SHIFT;
		break;
	}
	pthread_rwlock_unlock(&regions_lock);
	return ret;
}

int lkl_host_iomem_set_ops(long base, const struct lkl_host_iomem_ops *ops,
			   void *data)
{
	unsigned int idx;
	int ret = -EINVAL;

	if (!ops || base <= 0 || (base & (LKL_HOST_IOMEM_MAX_SIZE - 1)))
		return -EINVAL;

	pthread_rwlock_wrlock(&regions_lock);
	idx = region_lookup((unsigned long)base, 1);
	if (idx) {
		regions[idx].ops = ops;
		regions[idx].data = data;
		ret = 0;
	}
	pthread_rwlock_unlock(&regions_lock);
	return ret;
}

int lkl_host_iomem_unregister(long base)
{
	unsigned int idx;
	int ret = -EINVAL;

	if (base <= 0 || (base & (LKL_HOST_IOMEM_MAX_SIZE - 1)))
		return -EINVAL;

	pthread_rwlock_wrlock(&regions_lock);
	idx = region_lookup((unsigned long)base, 1);
	if (idx) {
		memset(&regions[idx], 0, sizeof(regions[idx]));
		ret = 0;
	}
	pthread_rwlock_unlock(&regions_lock);
	return ret;
}

void *lkl_host_ioremap(long addr, int size)
{
	unsigned int idx;

	if (addr <= 0 || size <= 0)
		return NULL;

	pthread_rwlock_rdlock(&regions_lock);
	idx = region_lookup((unsigned long)addr, (unsigned long)size);
	pthread_rwlock_unlock(&regions_lock);

	/* The cookie is the bus address itself; see iomem.h. */
	return idx ? (void *)(uintptr_t)addr : NULL;
}

int lkl_host_iomem_access(const volatile void *addr, void *val, int size,
			  int write)
{
	unsigned long a = (unsigned long)(uintptr_t)addr;
	const struct lkl_host_iomem_ops *ops;
	unsigned int idx, off;
	int ret = -EFAULT;

	if (size != 1 && size != 2 && size != 4 && size != 8) {
		ret = -EINVAL;
		goto out;
	}

	pthread_rwlock_rdlock(&regions_lock);
	idx = region_lookup(a, (unsigned long)size);
	if (idx) {
		ops = regions[idx].ops;
		off = (unsigned int)(a & (LKL_HOST_IOMEM_MAX_SIZE - 1));
		if (write)
			ret = ops->write ? ops->write(regions[idx].data, off,
						      val, size) : 0;
		else
			ret = ops->read ? ops->read(regions[idx].data, off,
						    val, size) : -EFAULT;
	}
	pthread_rwlock_unlock(&regions_lock);

out:
	/* A read nobody answers floats high, like an empty bus. */
	if (ret < 0 && !write && size > 0 && size <= 8)
		memset(val, 0xff, (size_t)size);
	return ret;
}
