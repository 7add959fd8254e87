/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the two kernel bases the heap helpers and the
 * ownership tracker build on (Debian's 6.1 and 6.12 LTS trees), in one
 * place.  Each entry gives the 6.12 interface a name the 6.1 tree lacks,
 * so the code that includes this header is written once, against 6.12.
 */
#ifndef _LINUX_DMA_HEAP_COMPAT_H
#define _LINUX_DMA_HEAP_COMPAT_H

#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/version.h>

/*
 * dma_heap_ops.allocate()'s flags: unsigned long on 6.1, u32 and u64 on
 * 6.12, which builds with -Werror=incompatible-pointer-types.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
typedef u32 dma_heap_fd_flags_t;
typedef u64 dma_heap_flags_t;
#else
typedef unsigned long dma_heap_fd_flags_t;
typedef unsigned long dma_heap_flags_t;
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
/* 6.3 made vm_flags read-only outside these helpers (mm: introduce vma->vm_flags wrapper functions) */
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	vma->vm_flags &= ~flags;
}
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
/*
 * 6.1's dma_buf_vmap() takes dmabuf->lock itself, which is what 6.12's
 * _unlocked variants do with the reservation lock; the names are 6.12's.
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
#endif

/*
 * The out-of-line functions behind dma_sync_sg_for_{cpu,device}(), for a
 * kprobe: 6.12's are inline wrappers that call these when the device needs
 * syncing (always with DMA_API_DEBUG).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define DMA_HEAP_SYNC_SG_FOR_CPU	"__dma_sync_sg_for_cpu"
#define DMA_HEAP_SYNC_SG_FOR_DEVICE	"__dma_sync_sg_for_device"
#else
#define DMA_HEAP_SYNC_SG_FOR_CPU	"dma_sync_sg_for_cpu"
#define DMA_HEAP_SYNC_SG_FOR_DEVICE	"dma_sync_sg_for_device"
#endif

/**
 * dma_heap_set_max_seg_size() - dma_set_max_seg_size() on both bases
 * @dev: the device
 * @size: its maximum DMA segment size
 *
 * 6.12's dma_set_max_seg_size() returns nothing and warns when @dev has no
 * dma_parms; 6.1's returns -EIO then.
 *
 * Return: 0, or -EIO when @dev has no dma_parms.
 */
static inline int dma_heap_set_max_seg_size(struct device *dev,
					    unsigned int size)
{
	if (!dev->dma_parms)
		return -EIO;
	dma_set_max_seg_size(dev, size);
	return 0;
}

#endif /* _LINUX_DMA_HEAP_COMPAT_H */
