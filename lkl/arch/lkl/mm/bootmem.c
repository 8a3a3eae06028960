// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's RAM is one block from the host allocator.  Its host
 * addresses are its "physical" addresses (no MMU), so the block starts
 * wherever the host put it; we align it to the largest buddy order so the
 * page allocator's biggest blocks are naturally aligned.
 */
#include <linux/memblock.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/pfn.h>
#include <linux/sizes.h>
#include <asm/host_ops.h>
#include <asm/lkl_internal.h>

unsigned long memory_start, memory_end;
void *empty_zero_page;

static void *host_block;
static unsigned long host_block_size;

#define RAM_ALIGN (MAX_ORDER_NR_PAGES * PAGE_SIZE)

int lkl_bootmem_alloc(unsigned long mem_size)
{
	mem_size = ALIGN(mem_size, RAM_ALIGN);
	host_block_size = mem_size + RAM_ALIGN;
	host_block = lkl_ops->mem_alloc(host_block_size);
	if (!host_block)
		return -ENOMEM;
	memory_start = ALIGN((unsigned long)host_block, RAM_ALIGN);
	memory_end = memory_start + mem_size;
	return 0;
}

void __init lkl_bootmem_init(void)
{
	unsigned long max_zone_pfn[MAX_NR_ZONES] = { 0 };

	min_low_pfn = PFN_UP(memory_start);
	max_low_pfn = PFN_DOWN(memory_end);
	max_pfn = max_low_pfn;
	max_mapnr = max_low_pfn - min_low_pfn;
	high_memory = (void *)memory_end;

	memblock_add(memory_start, memory_end - memory_start);

	empty_zero_page = memblock_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!empty_zero_page)
		panic("lkl: cannot allocate the zero page\n");

	max_zone_pfn[ZONE_NORMAL] = max_low_pfn;
	free_area_init(max_zone_pfn);
}

void __init mem_init(void)
{
	memblock_free_all();
}

/* Init sections belong to the host image, not to the page allocator. */
void free_initmem(void)
{
}

void lkl_bootmem_cleanup(void)
{
	if (host_block)
		lkl_ops->mem_free(host_block);
	host_block = NULL;
	memory_start = memory_end = 0;
}
