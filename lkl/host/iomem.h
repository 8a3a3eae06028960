/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Emulated MMIO regions (private to the host library).
 *
 * The kernel "maps" device registers with lkl_host_ops.ioremap and accesses
 * them with lkl_host_ops.iomem_access; it never dereferences the cookie.  A
 * region gets the fake bus address index << LKL_HOST_IOMEM_SHIFT (index 0 is
 * never used, so 0/NULL is never a valid address) and the cookie ioremap hands
 * back is that same address, so "cookie + offset" decodes trivially.
 */
#ifndef LKL_HOST_IOMEM_H
#define LKL_HOST_IOMEM_H

#define LKL_HOST_IOMEM_SHIFT	24
#define LKL_HOST_IOMEM_REGIONS	256
#define LKL_HOST_IOMEM_MAX_SIZE	(1UL << LKL_HOST_IOMEM_SHIFT)

struct lkl_host_iomem_ops {
	/*
	 * size is 1, 2, 4 or 8 and offset + size never exceeds the region.
	 * Return 0, or a negative errno (a failed read yields all-ones).
	 */
	int (*read)(void *data, unsigned int offset, void *val, int size);
	int (*write)(void *data, unsigned int offset, const void *val, int size);
};

/* Returns the region's base address (> 0), or -errno. */
long lkl_host_iomem_register(unsigned long size,
			     const struct lkl_host_iomem_ops *ops, void *data);
/*
 * Swap the handlers of a live region.  When this returns, no access is
 * still running with the old (ops, data).
 */
int lkl_host_iomem_set_ops(long base, const struct lkl_host_iomem_ops *ops,
			   void *data);
/* Free the region; same guarantee as lkl_host_iomem_set_ops. */
int lkl_host_iomem_unregister(long base);

/* The two host operations. */
void *lkl_host_ioremap(long addr, int size);
int lkl_host_iomem_access(const volatile void *addr, void *val, int size,
			  int write);

#endif
