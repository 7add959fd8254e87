// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-BUF heap ownership tracker: what the CPU did through a vmap alias,
 * read from the accessed and dirty bits of the alias's kernel PTEs.
 *
 * x86 hardware sets both bits on kernel mappings too.  PAGE_KERNEL presets
 * them (arch/x86/include/asm/pgtable_types.h), so they mean something only
 * after the tracker clears them, with a kernel TLB flush of the range so
 * that the next access walks the page table again (the alias is global).
 *
 * Elsewhere this is not implemented yet: kernel accesses through the alias
 * are then not detected, and the tracker says so at boot.
 */

#include <linux/mm.h>
#include <linux/pgtable.h>
#include <asm/tlbflush.h>

#include "owner.h"

#ifdef CONFIG_X86

struct dho_alias_walk {
	unsigned long start;
	struct dho_alias_bits *bits;
};

/*
 * Test and clear both bits in one atomic step: hardware on another CPU may
 * set the dirty bit between a read and a plain store of the PTE, and the
 * write would then be lost (reported as a read, or not at all).
 */
static pte_t dho_pte_test_and_clear(pte_t *ptep)
{
	pteval_t old = READ_ONCE(ptep->pte), new;

	do {
		if (!(old & (_PAGE_ACCESSED | _PAGE_DIRTY)))
			break;
		new = old & ~(_PAGE_ACCESSED | _PAGE_DIRTY);
	} while (!try_cmpxchg(&ptep->pte, &old, new));
	return native_make_pte(old);
}

static int dho_alias_pte(pte_t *ptep, unsigned long addr, void *data)
{
	struct dho_alias_walk *w = data;
	pte_t pte = dho_pte_test_and_clear(ptep);
	pgoff_t pg = (addr - w->start) >> PAGE_SHIFT;

	if (!pte_young(pte) && !pte_dirty(pte))
		return 0;
	if (pte_dirty(pte) && !w->bits->dirty) {
		w->bits->dirty = true;
		w->bits->first = pg;
	}
	if (!w->bits->accessed) {
		w->bits->accessed = true;
		if (!w->bits->dirty)
			w->bits->first = pg;
	}
	return 0;
}

bool dho_arch_alias_supported(void)
{
	return true;
}

/* Test and clear both bits of every PTE of the alias; no TLB flush. */
static void dho_alias_test_and_clear(void *vaddr, pgoff_t pages,
				     struct dho_alias_bits *bits)
{
	struct dho_alias_walk w = { .start = (unsigned long)vaddr,
				    .bits = bits };

	memset(bits, 0, sizeof(*bits));
	apply_to_existing_page_range(&init_mm, w.start, pages << PAGE_SHIFT,
				     dho_alias_pte, &w);
}

/**
 * dho_arch_alias_sample() - test and clear an alias's accessed/dirty bits
 * @vaddr: start of the alias (vmap)
 * @pages: its length in pages
 * @bits:  what was found
 */
void dho_arch_alias_sample(void *vaddr, pgoff_t pages,
			   struct dho_alias_bits *bits)
{
	unsigned long start = (unsigned long)vaddr;

	dho_alias_test_and_clear(vaddr, pages, bits);
	if (bits->accessed)
		flush_tlb_kernel_range(start, start + (pages << PAGE_SHIFT));
}

/**
 * dho_arch_alias_clear_new() - clear a new alias's preset bits
 * @vaddr: start of the alias, just returned by vmap()
 * @pages: its length in pages
 *
 * No TLB flush: vmap() reuses an address range only after the lazy purge
 * of its earlier mapping has flushed it, so no TLB holds the new alias
 * unless it was used before this hook (another vmap user of the same
 * buffer, in between).  Such a CPU may then keep writing through a TLB
 * entry that does not set the bits again until its next flush: a missed
 * report, never a false one.  A flush here was an IPI to every CPU at
 * every vmap (x86_64 flushes every TLB past 33 pages).
 */
void dho_arch_alias_clear_new(void *vaddr, pgoff_t pages)
{
	struct dho_alias_bits bits;

	dho_alias_test_and_clear(vaddr, pages, &bits);
}

#else

bool dho_arch_alias_supported(void)
{
	return false;
}

void dho_arch_alias_sample(void *vaddr, pgoff_t pages,
			   struct dho_alias_bits *bits)
{
	memset(bits, 0, sizeof(*bits));
}

void dho_arch_alias_clear_new(void *vaddr, pgoff_t pages)
{
}

#endif
