/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DMA-BUF heap helpers: page-backed buffers shared by the heaps.
 *
 * See drivers/dma-buf/heaps/heap-helpers.c for the ownership and locking
 * rules.
 */
#ifndef _LINUX_DMA_HEAP_HELPERS_H
#define _LINUX_DMA_HEAP_HELPERS_H

#include <linux/dma-direction.h>
#include <linux/dma-heap-owner.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/sizes.h>
#include <linux/types.h>

struct dma_buf;
struct dma_heap;
struct dma_heap_export_info;
struct device;
struct page;
struct vm_area_struct;

/*
 * The longest sg entry a heap builds: a page-aligned length that fits the
 * unsigned int of struct scatterlist (sg_set_page() truncates silently).
 */
#define HEAP_HELPER_MAX_SEG	SZ_1G

/**
 * struct heap_helper_seg - where one sg entry starts in the buffer
 * @start: page offset of its first page
 * @page:  its first page
 */
struct heap_helper_seg {
	pgoff_t start;
	struct page *page;
};

/**
 * struct heap_helper_buffer - a page-backed heap buffer
 * @heap_name:   name of the heap it came from (for reports and debugfs)
 * @dmabuf:      the dma-buf exporting it, set by heap_helper_export()
 * @size:        size in bytes, a multiple of PAGE_SIZE
 * @pagecount:   @size in pages
 * @sg_table:    the pages, possibly in high-order chunks; owned by the buffer
 *               and never changed after export
 * @free:        the heap's function that frees the pages and the buffer
 * @segs:        one entry per sg_table entry, for page lookups in
 *               O(log segments); built at export, never changed after
 * @nr_segs:     entries in @segs
 * @lock:        guards @attachments, @vmap_cnt, @vaddr and @owner
 * @attachments: list of &struct heap_helper_attachment, under @lock
 * @vmap_cnt:    vmap references, under @lock
 * @vaddr:       the vmap alias while @vmap_cnt > 0, under @lock
 * @owner:       the ownership record of a tracked buffer, NULL for an
 *               untracked one: set at export before the buffer is
 *               published, freed at release; its fields under @lock
 */
struct heap_helper_buffer {
	const char *heap_name;
	struct dma_buf *dmabuf;
	size_t size;
	pgoff_t pagecount;
	struct sg_table sg_table;
	void (*free)(struct heap_helper_buffer *buffer);
	struct heap_helper_seg *segs;
	unsigned int nr_segs;

	struct mutex lock;		/* see the kernel-doc above */
	struct list_head attachments;
	unsigned int vmap_cnt;
	void *vaddr;
#ifdef CONFIG_DMABUF_HEAPS_OWNER_DEBUG
	struct dma_heap_owner *owner;
#endif
};

/**
 * struct heap_helper_attachment - one device attachment of a buffer
 * @dev:    the importing device
 * @table:  this attachment's copy of the buffer's sg table
 * @list:   entry in &heap_helper_buffer.attachments, under the buffer's lock
 * @dir:    direction of the current mapping, under the buffer's lock
 * @mapped: true between map_dma_buf and unmap_dma_buf, under the buffer's lock
 * @owner:  the tracker's record of this mapping, under the buffer's lock
 */
struct heap_helper_attachment {
	struct device *dev;
	struct sg_table table;
	struct list_head list;
	enum dma_data_direction dir;
	bool mapped;
#ifdef CONFIG_DMABUF_HEAPS_OWNER_DEBUG
	struct dma_heap_owner_attach owner;
#endif
};

/**
 * struct heap_helper_heap - a heap registered through heap_helper_add()
 * @heap: the dma_heap
 * @ops:  its operations
 * @name: its name
 * @list: entry in the helper layer's list of heaps
 */
struct heap_helper_heap {
	struct dma_heap *heap;
	const struct dma_heap_ops *ops;
	const char *name;
	struct list_head list;
};

void heap_helper_buffer_init(struct heap_helper_buffer *buffer,
			     struct dma_heap *heap, size_t size,
			     void (*free)(struct heap_helper_buffer *buffer));
int heap_helper_check_len(unsigned long len);
int heap_helper_table_from_range(struct sg_table *table, struct page *page,
				 size_t size);
struct dma_buf *heap_helper_export(struct heap_helper_buffer *buffer,
				   unsigned long fd_flags);
void heap_helper_free_pages(struct heap_helper_buffer *buffer);
struct page *heap_helper_page(struct heap_helper_buffer *buffer, pgoff_t pgoff);
vm_fault_t heap_helper_insert_page(struct heap_helper_buffer *buffer,
				   struct vm_area_struct *vma,
				   unsigned long addr, pgoff_t pgoff,
				   bool writable);
vm_fault_t heap_helper_insert_all(struct heap_helper_buffer *buffer,
				  struct vm_area_struct *vma, bool writable);
struct dma_heap *heap_helper_add(const struct dma_heap_export_info *exp_info);
struct heap_helper_heap *heap_helper_find(const char *name);

#endif /* _LINUX_DMA_HEAP_HELPERS_H */
