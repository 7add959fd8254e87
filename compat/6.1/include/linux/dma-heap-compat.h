/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 6.1 base: what the heap helpers, the ownership tracker and their
 * tests need that 6.1 names otherwise.  The code is written against 6.12;
 * this header gives 6.12's interfaces their 6.1 meaning.  tests/kernel.sh
 * lays compat/<base>/ over the tree with the rest of the overlay, so each
 * base's tree holds its own version of this header and no code compares
 * kernel versions.
 */
#ifndef _LINUX_DMA_HEAP_COMPAT_H
#define _LINUX_DMA_HEAP_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>

/* dma_heap_ops.allocate()'s flags: u32 and u64 on 6.12 */
typedef unsigned long dma_heap_fd_flags_t;
typedef unsigned long dma_heap_flags_t;

/* 6.12 changes vm_flags only through these, which assert the mmap lock */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}

/*
 * 6.12's dma_buf_vmap() expects the reservation lock held and its
 * _unlocked variant takes it; 6.1's dma_buf_vmap() takes dmabuf->lock
 * itself, which is the _unlocked variant's meaning.
 */
static inline int dma_buf_vmap_unlocked(struct dma_buf *dmabuf,
					struct iosys_map *map)
{
	return dma_buf_vmap(dmabuf, map);
}

static inline void dma_buf_vunmap_unlocked(struct dma_buf *dmabuf,
					   struct iosys_map *map)
{
	dma_buf_vunmap(dmabuf, map);
}

/* the functions behind dma_sync_sg_for_{cpu,device}(), for a kprobe */
#define DMA_HEAP_SYNC_SG_FOR_CPU	"dma_sync_sg_for_cpu"
#define DMA_HEAP_SYNC_SG_FOR_DEVICE	"dma_sync_sg_for_device"

/**
 * dma_heap_set_max_seg_size() - dma_set_max_seg_size(), an int on each base
 * @dev: the device
 * @size: its maximum DMA segment size
 *
 * Return: 0, or -EIO when @dev has no dma_parms.
 */
static inline int dma_heap_set_max_seg_size(struct device *dev,
					    unsigned int size)
{
	return dma_set_max_seg_size(dev, size);
}

#endif /* _LINUX_DMA_HEAP_COMPAT_H */
