/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _ASM_LKL_PAGE_H
#define _ASM_LKL_PAGE_H

#include <linux/const.h>

#define PAGE_SHIFT	CONFIG_PAGE_SHIFT
#define PAGE_SIZE	(_AC(1, UL) << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE - 1))

/*
 * No MMU: the kernel's "physical" addresses are the host virtual addresses
 * of the RAM block the host gave us, so __pa/__va are the identity.  The
 * block sits wherever the host's allocator put it, hence a variable
 * ARCH_PFN_OFFSET.
 */
#define PAGE_OFFSET	0UL

#ifndef __ASSEMBLY__

#include <linux/types.h>

extern unsigned long memory_start;
extern unsigned long memory_end;

typedef struct { unsigned long pte; } pte_t;
typedef struct { unsigned long pmd; } pmd_t;
typedef struct { unsigned long pgd; } pgd_t;
typedef struct { unsigned long pgprot; } pgprot_t;
typedef struct page *pgtable_t;

#define pte_val(x)	((x).pte)
#define pmd_val(x)	((x).pmd)
#define pgd_val(x)	((x).pgd)
#define pgprot_val(x)	((x).pgprot)

#define __pte(x)	((pte_t) { (x) })
#define __pmd(x)	((pmd_t) { (x) })
#define __pgd(x)	((pgd_t) { (x) })
#define __pgprot(x)	((pgprot_t) { (x) })

#define clear_page(page)	memset((page), 0, PAGE_SIZE)
#define copy_page(to, from)	memcpy((to), (from), PAGE_SIZE)
#define clear_user_page(page, vaddr, pg)	clear_page(page)
#define copy_user_page(to, from, vaddr, pg)	copy_page(to, from)

#define __pa(x)		((unsigned long)(x))
#define __va(x)		((void *)(unsigned long)(x))

static inline unsigned long virt_to_pfn(const void *kaddr)
{
	return __pa(kaddr) >> PAGE_SHIFT;
}

static inline void *pfn_to_virt(unsigned long pfn)
{
	return __va(pfn << PAGE_SHIFT);
}

#define ARCH_PFN_OFFSET		(memory_start >> PAGE_SHIFT)

#define virt_to_page(addr)	pfn_to_page(virt_to_pfn(addr))
#define page_to_virt(page)	pfn_to_virt(page_to_pfn(page))
#define virt_addr_valid(kaddr)	((unsigned long)(kaddr) >= memory_start && \
				 (unsigned long)(kaddr) < memory_end)

#include <asm-generic/memory_model.h>
#include <asm-generic/getorder.h>

#define page_to_phys(page)	PFN_PHYS(page_to_pfn(page))
#define phys_to_page(phys)	pfn_to_page(PHYS_PFN(phys))

#endif /* __ASSEMBLY__ */

#endif
