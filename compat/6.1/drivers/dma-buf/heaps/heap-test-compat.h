/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 6.1 base's half of what the KUnit suites do differently on each base
 * (compat/6.12/ has the other; tests/kernel.sh lays the base's one).
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
 * 6.1 has no kunit_vm_mmap(), and lets vm_flags be written directly: the
 * buffer's mmap handler is called on a vma made by hand, with the flags
 * mmap() would give it.  dma_heap_kunit_munmap() closes it.
 *
 * Return: the vma, or an ERR_PTR() with the mmap handler's error.
 */
static inline struct vm_area_struct *
dma_heap_kunit_mmap(struct kunit *test, struct dma_buf *dmabuf, bool shared,
		    bool writable)
{
	unsigned long prot = PROT_READ | (writable ? PROT_WRITE : 0);
	struct vm_area_struct *vma;
	int ret;

	vma = kunit_kzalloc(test, sizeof(*vma), GFP_KERNEL);
	if (!vma)
		return ERR_PTR(-ENOMEM);
	vma->vm_flags = calc_vm_prot_bits(prot, 0) | VM_MAYREAD | VM_MAYWRITE |
			(shared ? VM_SHARED | VM_MAYSHARE : 0);
	ret = dmabuf->ops->mmap(dmabuf, vma);
	return ret ? ERR_PTR(ret) : vma;
}

/**
 * dma_heap_kunit_munmap() - undo dma_heap_kunit_mmap()
 * @vma: what it returned
 */
static inline void dma_heap_kunit_munmap(struct vm_area_struct *vma)
{
	vma->vm_ops->close(vma);
}

#endif /* _HEAP_TEST_COMPAT_H */
