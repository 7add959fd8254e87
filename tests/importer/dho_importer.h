/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * dho_importer: a test driver that imports dma-bufs and uses them on
 * demand, rightly or wrongly, so that tests can act out buggy drivers.
 *
 * Each open of /dev/dho_importer is one driver context with at most one
 * imported buffer and one attachment.  Closing it undoes whatever is left,
 * in the right order.
 */
#ifndef _UAPI_DHO_IMPORTER_H
#define _UAPI_DHO_IMPORTER_H

#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * struct dho_imp_access - an access through the vmap alias
 * @offset: byte offset into the buffer
 * @len:    bytes (write: how many to set; read: ignored, reads one u32)
 * @value:  byte value to write; for a read, the u32 read back
 */
struct dho_imp_access {
	__u64 offset;
	__u64 len;
	__u32 value;
	__u32 pad;
};

#define DHO_IMP_MAGIC	'H'
/* import a dma-buf fd (int); takes a reference */
#define DHO_IMP_IMPORT	_IOW(DHO_IMP_MAGIC, 1, __s32)
#define DHO_IMP_ATTACH	_IO(DHO_IMP_MAGIC, 2)
/* map the attachment for DMA, direction as enum dma_data_direction (u32) */
#define DHO_IMP_MAP	_IOW(DHO_IMP_MAGIC, 3, __u32)
#define DHO_IMP_UNMAP	_IO(DHO_IMP_MAGIC, 4)
/* detach, even while mapped (the driver bug behind release_while_mapped) */
#define DHO_IMP_DETACH	_IO(DHO_IMP_MAGIC, 5)
#define DHO_IMP_VMAP	_IO(DHO_IMP_MAGIC, 6)
#define DHO_IMP_VUNMAP	_IO(DHO_IMP_MAGIC, 7)
#define DHO_IMP_WRITE	_IOW(DHO_IMP_MAGIC, 8, struct dho_imp_access)
#define DHO_IMP_READ	_IOWR(DHO_IMP_MAGIC, 9, struct dho_imp_access)
/* dma_buf_begin/end_cpu_access, direction as enum dma_data_direction */
#define DHO_IMP_BEGIN	_IOW(DHO_IMP_MAGIC, 10, __u32)
#define DHO_IMP_END	_IOW(DHO_IMP_MAGIC, 11, __u32)
/* drop everything: unmap, detach, vunmap, put */
#define DHO_IMP_RELEASE	_IO(DHO_IMP_MAGIC, 12)
/* the entries of the DMA mapping's sg table (u32), to count segments */
#define DHO_IMP_NENTS	_IOR(DHO_IMP_MAGIC, 13, __u32)

/*
 * The device's maximum DMA segment size is the module parameter
 * max_seg_size (writable; 0, the default, leaves it unset: 64 KiB).
 */

/* enum dma_data_direction, for userspace */
#define DHO_IMP_BIDIRECTIONAL	0
#define DHO_IMP_TO_DEVICE	1
#define DHO_IMP_FROM_DEVICE	2

#endif /* _UAPI_DHO_IMPORTER_H */
