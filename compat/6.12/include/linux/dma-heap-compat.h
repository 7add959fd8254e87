/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The 6.12 base: the heap helpers, the ownership tracker and their tests
 * are written against 6.12, so this header only names what the 6.1 base's
 * version (compat/6.1/) has to provide differently.  tests/kernel.sh lays
 * compat/<base>/ over the tree with the rest of the overlay, so each base's
 * tree holds its own version of this header and no code compares kernel
 * versions.
 */
#ifndef _LINUX_DMA_HEAP_COMPAT_H
#define _LINUX_DMA_HEAP_COMPAT_H

#include <linux/dma-mapping.h>
#include <linux/types.h>

/* dma_heap_ops.allocate()'s flags: unsigned long on 6.1 */
typedef u32 dma_heap_fd_flags_t;
typedef u64 dma_heap_flags_t;

/*
 * The functions behind dma_sync_sg_for_{cpu,device}(), for a kprobe:
 * 6.12's are inline wrappers that call these when the device needs
 * syncing (always with DMA_API_DEBUG).
 */
#define DMA_HEAP_SYNC_SG_FOR_CPU	"__dma_sync_sg_for_cpu"
#define DMA_HEAP_SYNC_SG_FOR_DEVICE	"__dma_sync_sg_for_device"

/**
 * dma_heap_set_max_seg_size() - dma_set_max_seg_size(), an int on each base
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
