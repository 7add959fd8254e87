// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-BUF heap ownership tracker: what the CPU did through a vmap alias,
 * read from the accessed and dirty bits of the alias's kernel PTEs.
 *
 * The bits mean something only after the tracker clears them, with a kernel
 * TLB flush of the range so that the next access walks the page table again
 * (the alias is global): PAGE_KERNEL presets them.
 *
 * x86: hardware sets both bits on kernel mappings too
 * (arch/x86/include/asm/pgtable_types.h presets _PAGE_ACCESSED and
 * _PAGE_DIRTY).
 *
 * arm64: only where the CPU manages them, which the kernel enables per CPU:
 * TCR_EL1.HA (hardware access flag) on every CPU that has it, TCR_EL1.HD
 * (hardware dirty state) on every CPU that has it and is not on the DBM
 * errata list.  PAGE_KERNEL presets PTE_AF, and is hardware-dirty (PTE_DBM
 * set, PTE_RDONLY clear); pte_mkold() clears PTE_AF and pte_mkclean() sets
 * PTE_RDONLY, keeping PTE_DBM, so that the hardware clears PTE_RDONLY again
 * at the next write.  On a CPU without HA, a kernel access through a PTE
 * without PTE_AF is an access flag fault, and without HD a write through a
 * PTE_RDONLY one a permission fault: in the kernel, an oops.  So the bits
 * are read and cleared only where every CPU the tracker has seen has both
 * (read from each CPU's TCR_EL1), and a CPU that comes online later without
 * them is refused; elsewhere the tracker never touches them and says at
 * boot, and in debugfs's vmap_alias, that the alias is not watched.
 *
 * Elsewhere this is not implemented: kernel accesses through the alias are
 * not detected, and the tracker says so in the same two places.
 */

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/sched/task_stack.h>
#include <linux/smp.h>
#include <linux/stacktrace.h>
#include <linux/uaccess.h>
#include <asm/tlbflush.h>

#include "owner.h"

#if defined(CONFIG_X86) || defined(CONFIG_ARM64)

/*
 * Test and clear both bits in one atomic step: hardware on another CPU may
 * set them between a read and a plain store of the PTE (arm64's hardware
 * updates descriptors atomically too), and the write would then be lost
 * (reported as a read, or not at all).  pte_mkold() and pte_mkclean() say
 * what clearing is on each architecture.
 */
static pte_t dho_pte_test_and_clear(pte_t *ptep)
{
	pteval_t old = READ_ONCE(ptep->pte), new;
	pte_t pte;

	do {
		pte = __pte(old);
		if (!pte_young(pte) && !pte_dirty(pte))
			break;
		new = pte_val(pte_mkclean(pte_mkold(pte)));
	} while (!try_cmpxchg(&ptep->pte, &old, new));
	return __pte(old);
}

static void dho_alias_pte(pte_t *ptep, pgoff_t pg, struct dho_alias_bits *bits)
{
	pte_t pte = dho_pte_test_and_clear(ptep);

	if (!pte_young(pte) && !pte_dirty(pte))
		return;
	if (pte_dirty(pte) && !bits->dirty) {
		bits->dirty = true;
		bits->first = pg;
	}
	if (!bits->accessed) {
		bits->accessed = true;
		if (!bits->dirty)
			bits->first = pg;
	}
}

#ifdef CONFIG_X86
bool dho_arch_alias_supported(void)
{
	return true;
}

const char *dho_arch_alias_why_not(void)
{
	return NULL;
}

void __init dho_arch_init(void)
{
}
#else /* CONFIG_ARM64 */
static bool dho_alias_ok __ro_after_init;
static const char *dho_alias_why __ro_after_init = "not probed yet";

/* Each CPU's TCR_EL1: what the kernel enabled on it, errata included. */
static void dho_arm64_probe_cpu(void *data)
{
	u64 tcr = read_sysreg(tcr_el1);
	atomic_t *missing = data;

	if (!(tcr & TCR_HA))
		atomic_or(1, missing);
	if (!(tcr & TCR_HD))
		atomic_or(2, missing);
}

/* A CPU that comes online later must have what the clearing relies on. */
static int dho_arm64_cpu_online(unsigned int cpu)
{
	atomic_t missing = ATOMIC_INIT(0);

	dho_arm64_probe_cpu(&missing);
	if (!atomic_read(&missing))
		return 0;
	pr_err("dma-heap-owner: CPU%u lacks hardware %s, on which the vmap alias watch relies (kernel accesses through it would fault): refusing it\n",
	       cpu, atomic_read(&missing) & 1 ? "access flag (TCR_EL1.HA)" :
	       "dirty state (TCR_EL1.HD)");
	return -EOPNOTSUPP;
}

bool dho_arch_alias_supported(void)
{
	return dho_alias_ok;
}

const char *dho_arch_alias_why_not(void)
{
	return dho_alias_ok ? NULL : dho_alias_why;
}

void __init dho_arch_init(void)
{
	atomic_t missing = ATOMIC_INIT(0);
	int ret;

	cpus_read_lock();
	on_each_cpu(dho_arm64_probe_cpu, &missing, 1);
	if (atomic_read(&missing) & 1) {
		dho_alias_why = "a CPU has no hardware access flag (TCR_EL1.HA)";
	} else if (atomic_read(&missing) & 2) {
		dho_alias_why = "a CPU has no hardware dirty state (TCR_EL1.HD)";
	} else {
		ret = cpuhp_setup_state_cpuslocked(CPUHP_AP_ONLINE_DYN,
						   "dma-heap-owner:online",
						   dho_arm64_cpu_online, NULL);
		if (ret < 0)
			dho_alias_why = "no check of later CPUs could be registered";
		else
			dho_alias_ok = true;
	}
	cpus_read_unlock();
}
#endif

/*
 * The page table of a kernel address, as apply_to_existing_page_range()
 * finds it: NULL where a level is missing, a leaf or bad.
 */
static pte_t *dho_alias_ptes(unsigned long addr)
{
	pgd_t *pgd = pgd_offset_k(addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_leaf(*pud) || pud_bad(*pud))
		return NULL;
	pmd = pmd_offset(pud, addr);
	if (pmd_none(*pmd) || pmd_leaf(*pmd) || pmd_bad(*pmd))
		return NULL;
	return pte_offset_kernel(pmd, addr);
}

/*
 * Test and clear both bits of every PTE of the alias; no TLB flush.  vmap()
 * maps with PTEs, never a huge mapping, and the alias stays mapped under the
 * buffer's lock, which the caller holds: the walk takes one page table at a
 * time and each entry inline, without apply_to_existing_page_range()'s
 * indirect call per entry (a vmap of 1 MiB is 256 of them, twice).
 */
static void dho_alias_test_and_clear(void *vaddr, pgoff_t pages,
				     struct dho_alias_bits *bits)
{
	unsigned long start = (unsigned long)vaddr, addr = start, next;
	unsigned long end = start + (pages << PAGE_SHIFT);
	pte_t *ptep;

	memset(bits, 0, sizeof(*bits));
	for (; addr < end; addr = next) {
		next = pmd_addr_end(addr, end);
		ptep = dho_alias_ptes(addr);
		if (WARN_ON_ONCE(!ptep))	/* not a vmap() alias */
			continue;
		for (; addr < next; addr += PAGE_SIZE, ptep++)
			dho_alias_pte(ptep, (addr - start) >> PAGE_SHIFT, bits);
	}
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
 * No TLB flush on x86: vmap() reuses an address range only after the lazy
 * purge of its earlier mapping has flushed it, so no TLB holds the new
 * alias unless it was used before this hook (another vmap user of the same
 * buffer, in between).  Such a CPU may then keep writing through a TLB
 * entry that does not set the bits again until its next flush: a missed
 * report, never a false one.  A flush here was an IPI to every CPU at
 * every vmap (x86_64 flushes every TLB past 33 pages).
 *
 * arm64 flushes: its CPUs may fill their TLBs from any valid entry
 * speculatively, a filled entry would keep the cleared bits from being set
 * again, and its flush is a broadcast TLBI, not an IPI.
 */
void dho_arch_alias_clear_new(void *vaddr, pgoff_t pages)
{
	unsigned long start = (unsigned long)vaddr;
	struct dho_alias_bits bits;

	dho_alias_test_and_clear(vaddr, pages, &bits);
	if (IS_ENABLED(CONFIG_ARM64) && bits.accessed)
		flush_tlb_kernel_range(start, start + (pages << PAGE_SHIFT));
}

#else

bool dho_arch_alias_supported(void)
{
	return false;
}

const char *dho_arch_alias_why_not(void)
{
	return "not implemented on this architecture";
}

void __init dho_arch_init(void)
{
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

#if defined(CONFIG_ARM64) && !defined(CONFIG_USER_STACKTRACE_SUPPORT)
/* An AAPCS64 frame record: the caller's frame pointer, the return address. */
struct dho_frame_record {
	unsigned long fp;
	unsigned long lr;
};

/*
 * The user stack by its frame records, as perf's user_backtrace() walks it
 * (6.1's arm64 has no stack_trace_save_user(); 6.12's has): the faulting pc,
 * then each record's return address, without faulting (the caller holds
 * the mmap lock), with any pointer authentication code stripped, for as
 * long as the records go strictly up the stack.
 */
static unsigned int dho_arm64_user_stack(unsigned long *entries,
					 unsigned int max)
{
	struct pt_regs *regs = task_pt_regs(current);
	unsigned long fp = regs->regs[29];
	struct dho_frame_record rec;
	unsigned int nr = 0;

	if (!max || !user_mode(regs) || compat_user_mode(regs))
		return 0;
	entries[nr++] = instruction_pointer(regs);
	while (nr < max && fp && IS_ALIGNED(fp, 8)) {
		if (copy_from_user_nofault(&rec, (void __user *)fp, sizeof(rec)))
			break;
		if (!rec.lr)
			break;
		entries[nr++] = rec.lr & ~ptrauth_user_pac_mask();
		if (rec.fp <= fp)
			break;
		fp = rec.fp;
	}
	return nr;
}
#endif

/**
 * dho_arch_user_stack() - the current task's user stack, where it can walk
 * @entries: where the return addresses go, the faulting pc first
 * @max:     room in @entries
 *
 * Return: how many were saved; 0 where the architecture cannot walk it.
 */
unsigned int dho_arch_user_stack(unsigned long *entries, unsigned int max)
{
#if defined(CONFIG_USER_STACKTRACE_SUPPORT)
	return stack_trace_save_user(entries, max);
#elif defined(CONFIG_ARM64)
	return dho_arm64_user_stack(entries, max);
#else
	return 0;
#endif
}
