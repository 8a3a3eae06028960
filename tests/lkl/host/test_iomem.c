// SPDX-License-Identifier: GPL-2.0
/*
 * Emulated MMIO regions: register, ioremap validation, access dispatch,
 * handler swap, unregister, table exhaustion.
 *
 *   gcc -std=gnu11 -Wall -Wextra -Werror -g -fsanitize=address,undefined \
 *       -I<dir with lkl/asm/host_ops.h> -Ilkl/include \
 *       tests/lkl/host/test_iomem.c lkl/host/iomem.c -lpthread -o test_iomem
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "../../../lkl/host/iomem.h"
#include "../../tap.h"

struct region {
	uint8_t mem[64];
	int reads, writes;
	unsigned int last_off;
	int last_size;
};

static int r_read(void *data, unsigned int off, void *val, int size)
{
	struct region *r = data;

	r->reads++;
	r->last_off = off;
	r->last_size = size;
	memcpy(val, r->mem + off, (size_t)size);
	return 0;
}

static int r_write(void *data, unsigned int off, const void *val, int size)
{
	struct region *r = data;

	r->writes++;
	r->last_off = off;
	r->last_size = size;
	memcpy(r->mem + off, val, (size_t)size);
	return 0;
}

static int r_read_const(void *data, unsigned int off, void *val, int size)
{
	(void)data;
	(void)off;
	memset(val, 0x5a, (size_t)size);
	return 0;
}

static const struct lkl_host_iomem_ops rw_ops = { r_read, r_write };
static const struct lkl_host_iomem_ops const_ops = { r_read_const, NULL };

static void *at(long base, long off)
{
	return (void *)(uintptr_t)(base + off);
}

int main(void)
{
	struct region a = { 0 }, b = { 0 };
	long ba, bb, bases[LKL_HOST_IOMEM_REGIONS];
	uint64_t v64 = 0;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;
	int i, n;

	ba = lkl_host_iomem_register(sizeof(a.mem), &rw_ops, &a);
	bb = lkl_host_iomem_register(sizeof(b.mem), &rw_ops, &b);
	ok(ba > 0 && bb > 0 && ba != bb, "register two regions");
	ok(!(ba & (LKL_HOST_IOMEM_MAX_SIZE - 1)) && (ba >> 24) >= 1,
	   "base is index << 24, index 0 unused");
	is_int(lkl_host_iomem_register(0, &rw_ops, &a), -EINVAL, "size 0 refused");
	is_int(lkl_host_iomem_register(LKL_HOST_IOMEM_MAX_SIZE + 1, &rw_ops, &a),
	       -EINVAL, "oversized region refused");

	ok(lkl_host_ioremap(ba, 64) == at(ba, 0), "ioremap whole region");
	ok(lkl_host_ioremap(ba + 16, 8) == at(ba, 16), "ioremap inner window");
	ok(lkl_host_ioremap(ba, 65) == NULL, "ioremap past the end refused");
	ok(lkl_host_ioremap(ba + 60, 8) == NULL, "ioremap straddling the end refused");
	ok(lkl_host_ioremap(0, 4) == NULL, "ioremap of 0 refused");
	ok(lkl_host_ioremap(ba + (50L << 24), 4) == NULL,
	   "ioremap of an unregistered index refused");

	v32 = 0x11223344;
	is_int(lkl_host_iomem_access(at(ba, 8), &v32, 4, 1), 0, "32-bit write");
	ok(a.writes == 1 && a.last_off == 8 && a.last_size == 4 &&
	   !memcmp(a.mem + 8, &v32, 4), "write dispatched with offset and size");
	ok(b.writes == 0, "other region untouched");
	v32 = 0;
	lkl_host_iomem_access(at(ba, 8), &v32, 4, 0);
	ok(v32 == 0x11223344 && a.reads == 1, "32-bit read back");
	lkl_host_iomem_access(at(ba, 8), &v8, 1, 0);
	lkl_host_iomem_access(at(ba, 8), &v16, 2, 0);
	ok(v8 == 0x44 && v16 == 0x3344, "8- and 16-bit reads");
	v64 = 0x0102030405060708ULL;
	lkl_host_iomem_access(at(ba, 56), &v64, 8, 1);
	v64 = 0;
	lkl_host_iomem_access(at(ba, 56), &v64, 8, 0);
	ok(v64 == 0x0102030405060708ULL, "64-bit access at the last slot");

	v32 = 0;
	is_int(lkl_host_iomem_access(at(ba, 62), &v32, 4, 0), -EFAULT,
	       "access straddling the end fails");
	ok(v32 == 0xffffffff, "failed read returns all-ones");
	is_int(lkl_host_iomem_access(at(ba, 0), &v32, 3, 0), -EINVAL,
	       "size 3 refused");
	is_int(lkl_host_iomem_access(NULL, &v32, 4, 0), -EFAULT,
	       "NULL address fails");

	is_int(lkl_host_iomem_set_ops(ba, &const_ops, NULL), 0, "set_ops");
	lkl_host_iomem_access(at(ba, 0), &v32, 4, 0);
	ok(v32 == 0x5a5a5a5a, "new read handler used");
	is_int(lkl_host_iomem_access(at(ba, 0), &v32, 4, 1), 0,
	       "write to a region without write handler is ignored");

	is_int(lkl_host_iomem_unregister(ba), 0, "unregister");
	ok(lkl_host_ioremap(ba, 4) == NULL, "ioremap after unregister fails");
	is_int(lkl_host_iomem_access(at(ba, 0), &v32, 4, 0), -EFAULT,
	       "access after unregister fails");
	is_int(lkl_host_iomem_unregister(ba), -EINVAL, "double unregister");
	is_int(lkl_host_iomem_unregister(bb + 4), -EINVAL,
	       "unregister of a non-base address");

	n = 0;
	for (i = 0; i < LKL_HOST_IOMEM_REGIONS; i++) {
		bases[i] = lkl_host_iomem_register(16, &rw_ops, &a);
		if (bases[i] > 0)
			n++;
	}
	is_int(n, LKL_HOST_IOMEM_REGIONS - 2,
	       "table holds 255 regions (one already taken)");
	is_int(bases[LKL_HOST_IOMEM_REGIONS - 1], -ENOSPC, "then -ENOSPC");
	ok(bases[0] == ba, "a freed index is reused");
	for (i = 0; i < LKL_HOST_IOMEM_REGIONS; i++)
		if (bases[i] > 0)
			lkl_host_iomem_unregister(bases[i]);
	lkl_host_iomem_unregister(bb);

	return tap_done();
}
