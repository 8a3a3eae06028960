/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layout of the relocatable kernel object.  There is no entry point and no
 * load address: the host's linker places it.  Init sections are kept (they
 * belong to the host image, not to the page allocator).
 */
#include <asm-generic/vmlinux.lds.h>
#include <asm/thread_info.h>
#include <asm/page.h>
#include <asm/cache.h>

/*
 * -fPIC puts data with relocations in .data.rel and .data.rel.local.  Keep
 * them in the kernel's .data output section, between _sdata and _edata:
 * left as orphans, they fall outside, and lockdep (static_obj) takes every
 * static lock there for a dynamic one.
 */
#undef DATA_MAIN
#define DATA_MAIN .data .data.rel .data.rel.*

OUTPUT_FORMAT(CONFIG_OUTPUT_FORMAT)

jiffies = jiffies_64;

SECTIONS
{
	HEAD_TEXT_SECTION
	INIT_TEXT_SECTION(PAGE_SIZE)
	PERCPU_SECTION(L1_CACHE_BYTES)

	_stext = .;
	_text = .;
	text = .;
	.text : {
		TEXT_TEXT
		SCHED_TEXT
		LOCK_TEXT
		IRQENTRY_TEXT
		SOFTIRQENTRY_TEXT
	}
	_etext = .;

	/*
	 * Read-only data as one output section (RO_DATA() makes a dozen, which
	 * the host's linker scatters), so [__start_rodata, __end_rodata)
	 * holds it all.  Without modules, PCI, firmware or BTF, only these
	 * parts of RO_DATA() have content.
	 */
	. = ALIGN(PAGE_SIZE);
	.rodata : {
		__start_rodata = .;
		*(.rodata) *(.rodata.*) *(.data.rel.ro*)
		SCHED_DATA
		RO_AFTER_INIT_DATA
		. = ALIGN(8);
		BOUNDED_SECTION_BY(__tracepoints_ptrs, ___tracepoints_ptrs)
		*(__tracepoints_strings)
		*(.rodata1)
		*(.ref.rodata)
		. = ALIGN(8);
		BOUNDED_SECTION_BY(__param, ___param)
		. = ALIGN(8);
		BOUNDED_SECTION_BY(__modver, ___modver)
		__end_rodata = .;
	}
	NOTES

	/*
	 * The host's linker places each output section of this object on its
	 * own, so range symbols live inside the section they bound.  Init
	 * data is never freed here; it sits inside [_sdata, _edata) with the
	 * rest, where lockdep and friends recognise static objects.
	 */
	. = ALIGN(PAGE_SIZE);
	.data : {
		_sdata = .;
		INIT_TASK_DATA(THREAD_SIZE)
		NOSAVE_DATA
		PAGE_ALIGNED_DATA(PAGE_SIZE)
		CACHELINE_ALIGNED_DATA(L1_CACHE_BYTES)
		READ_MOSTLY_DATA(L1_CACHE_BYTES)
		DATA_DATA
		CONSTRUCTORS
		. = ALIGN(16);
		__init_begin = .;
		INIT_DATA
		INIT_SETUP(16)
		INIT_CALLS
		CON_INITCALL
		INIT_RAM_FS
		__init_end = .;
		_edata = .;
	}
	BUG_TABLE

	EXCEPTION_TABLE(16)

	BSS_SECTION(0, 0, 0)
	_end = .;

	STABS_DEBUG
	DWARF_DEBUG
	ELF_DETAILS

	DISCARDS
}
