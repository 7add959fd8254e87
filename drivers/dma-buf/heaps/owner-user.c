// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-BUF heap ownership tracker: where in userspace.
 *
 * A report of a userspace access names the instruction that made it, in
 * the form of the kernel's segfault line (the file mapped there, its
 * mapping and the offset in the file, for addr2line), with a short user
 * stack where frame pointers allow.  A DMA_BUF_IOCTL_SYNC is recorded by
 * the user instruction pointer of its ioctl: its kernel stack is always
 * the ioctl path, and unwinding it on every SYNC would tell nothing.
 */

#include <linux/compat.h>
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>
#include <linux/unistd.h>
#include <asm/syscall.h>

#include "owner.h"

/**
 * dho_ioctl_user_ip() - is current in ioctl @cmd from userspace?
 * @cmd: DMA_BUF_IOCTL_SYNC or DMA_HEAP_IOCTL_ALLOC
 *
 * The dma-buf core calls begin/end_cpu_access for DMA_BUF_IOCTL_SYNC and
 * for kernel callers, and a heap allocates for DMA_HEAP_IOCTL_ALLOC and
 * for kernel callers; only the first of each has a user instruction
 * pointer to name.  A 32-bit task's ioctl is not recognised: it gets a
 * kernel stack.
 *
 * Return: the user instruction pointer of the ioctl, or 0.
 */
unsigned long dho_ioctl_user_ip(unsigned int cmd)
{
	unsigned long args[6];
	struct pt_regs *regs;

	if (!in_task() || (current->flags & (PF_KTHREAD | PF_EXITING)) ||
	    in_compat_syscall())
		return 0;
	regs = task_pt_regs(current);
	if (!user_mode(regs) || syscall_get_nr(current, regs) != __NR_ioctl)
		return 0;
	syscall_get_arguments(current, regs, args);
	if ((unsigned int)args[1] != cmd)
		return 0;
	return instruction_pointer(regs);
}

/* The file mapped at @addr; the caller holds @mm's mmap lock. */
static void dho_resolve(struct mm_struct *mm, unsigned long addr,
			struct dho_uframe *f)
{
	struct vm_area_struct *vma;

	f->addr = addr;
	if (!mm)
		return;
	vma = vma_lookup(mm, addr);
	if (!vma || !vma->vm_file)
		return;
	f->base = vma->vm_start;
	f->size = vma->vm_end - vma->vm_start;
	f->offset = addr - vma->vm_start + (vma->vm_pgoff << PAGE_SHIFT);
	snprintf(f->file, sizeof(f->file), "%pD", vma->vm_file);
}

/**
 * dho_user_where() - where in userspace current made a faulting access
 * @vma: the mapping it faulted on; its mm's mmap lock is held
 *
 * Called only when the access is a violation.  The files are named only
 * when the fault is current's own (not a remote access through another
 * mm, whose lock is not the one held).
 *
 * Return: a kmalloc()ed record for the report, or NULL (no user context,
 * or out of memory: the report goes without it).
 */
struct dho_user_where *dho_user_where(struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm == current->mm ? current->mm : NULL;
	unsigned long entries[DHO_USTACK_LEN];
	struct dho_user_where *w;
	unsigned int nr = 0, i;
	struct pt_regs *regs;

	if (current->flags & PF_KTHREAD)
		return NULL;
	w = kzalloc(sizeof(*w), GFP_KERNEL | __GFP_NOWARN);
	if (!w)
		return NULL;
	if (mm)
		mmap_assert_locked(mm);

	regs = task_pt_regs(current);
	dho_resolve(mm, instruction_pointer(regs), &w->ip);
	nr = dho_arch_user_stack(entries, ARRAY_SIZE(entries));
	for (i = 0; i < nr; i++)
		dho_resolve(mm, entries[i], &w->stack[i]);
	w->nr = nr;
	return w;
}
