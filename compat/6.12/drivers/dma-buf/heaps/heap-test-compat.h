/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 6.12 base's half of what the KUnit suites do differently on each
 * base (compat/6.1/ has the other; tests/kernel.sh lays the base's one).
 */
#ifndef _HEAP_TEST_COMPAT_H
#define _HEAP_TEST_COMPAT_H

#include <kunit/test.h>
#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/mman.h>

/**
 * dma_heap_kunit_mmap() - map a dma-buf for a test of its mmap and fault handlers
 * @test: the test
 * @dmabuf: the buffer
 * @shared: MAP_SHARED, else MAP_PRIVATE
 * @writable: PROT_WRITE as well as PROT_READ
 *
 * vm_flags_set() asserts the mmap lock, so the mapping is a real one, in
 * the test's own mm (kunit_vm_mmap()).  dma_heap_kunit_munmap() unmaps it;
 * the test's end tears down what is left.
 *
 * Return: the vma, or an ERR_PTR() with the mmap handler's error.
 */
static inline struct vm_area_struct *
dma_heap_kunit_mmap(struct kunit *test, struct dma_buf *dmabuf, bool shared,
		    bool writable)
{
	unsigned long prot = PROT_READ | (writable ? PROT_WRITE : 0);
	struct vm_area_struct *vma;
	unsigned long addr;

	addr = kunit_vm_mmap(test, dmabuf->file, 0, dmabuf->size, prot,
			     shared ? MAP_SHARED : MAP_PRIVATE, 0);
	if (!addr)
		return ERR_PTR(-ENOMEM);
	if (IS_ERR_VALUE(addr))
		return ERR_PTR((long)addr);
	mmap_read_lock(current->mm);
	vma = vma_lookup(current->mm, addr);
	mmap_read_unlock(current->mm);
	return vma ?: ERR_PTR(-EFAULT);
}

/**
 * dma_heap_kunit_munmap() - undo dma_heap_kunit_mmap()
 * @vma: what it returned
 */
static inline void dma_heap_kunit_munmap(struct vm_area_struct *vma)
{
	vm_munmap(vma->vm_start, vma->vm_end - vma->vm_start);
}

#endif /* _HEAP_TEST_COMPAT_H */
