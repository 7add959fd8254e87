// SPDX-License-Identifier: GPL-2.0
/*
 * DMABUF System heap exporter, on the heap helpers
 *
 * Copyright (C) 2011 Google, Inc.
 * Copyright (C) 2019, 2020 Linaro Ltd.
 *
 * Portions based off of Andrew Davis' SRAM heap:
 * Copyright (C) 2019 Texas Instruments Incorporated - http://www.ti.com/
 *	Andrew F. Davis <afd@ti.com>
 */

#include <linux/dma-buf.h>
#include <linux/dma-heap-compat.h>
#include <linux/dma-heap.h>
#include <linux/dma-heap-helpers.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

/*
 * As 6.12's system heap: order 4 is tried without reclaim, as order 8 is,
 * for an allocation time that does not depend on how fragmented memory
 * is (an order-0 page is the fallback), and an order-0 page is not
 * compound (__GFP_COMP means nothing there).
 */
#define LOW_ORDER_GFP (GFP_HIGHUSER | __GFP_ZERO)
#define HIGH_ORDER_GFP  (((GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN \
				| __GFP_NORETRY) & ~__GFP_RECLAIM) \
				| __GFP_COMP)
static const gfp_t order_flags[] = {HIGH_ORDER_GFP, HIGH_ORDER_GFP, LOW_ORDER_GFP};
/*
 * The selection of the orders used for allocation (1MB, 64K, 4K) is designed
 * to match with the sizes often found in IOMMUs. Using order 4 pages instead
 * of order 0 pages can significantly improve the performance of many IOMMUs
 * by reducing TLB pressure and time spent updating page tables.
 */
static const unsigned int orders[] = {8, 4, 0};
#define NUM_ORDERS ARRAY_SIZE(orders)

static void system_heap_free(struct heap_helper_buffer *buffer)
{
	heap_helper_free_pages(buffer);
	kfree(buffer);
}

static struct page *system_heap_alloc_largest(unsigned long size,
					      unsigned int max_order)
{
	struct page *page;
	int i;

	for (i = 0; i < NUM_ORDERS; i++) {
		if (size < (PAGE_SIZE << orders[i]))
			continue;
		if (max_order < orders[i])
			continue;

		page = alloc_pages(order_flags[i], orders[i]);
		if (!page)
			continue;
		return page;
	}
	return NULL;
}

static struct dma_buf *system_heap_allocate(struct dma_heap *heap,
					    unsigned long len,
					    dma_heap_fd_flags_t fd_flags,
					    dma_heap_flags_t heap_flags)
{
	struct heap_helper_buffer *buffer;
	unsigned long size_remaining;
	unsigned int max_order = orders[0];
	struct page *page, *tmp_page;
	struct dma_buf *dmabuf;
	struct scatterlist *sg;
	struct list_head pages;
	int i = 0, ret;

	ret = heap_helper_check_len(len);
	if (ret)
		return ERR_PTR(ret);
	len = PAGE_ALIGN(len);

	buffer = kzalloc(sizeof(*buffer), GFP_KERNEL);
	if (!buffer)
		return ERR_PTR(-ENOMEM);

	INIT_LIST_HEAD(&pages);
	ret = -ENOMEM;
	size_remaining = len;
	while (size_remaining > 0) {
		/*
		 * Avoid trying to allocate memory if the process
		 * has been killed by SIGKILL
		 */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto free_pages;
		}

		page = system_heap_alloc_largest(size_remaining, max_order);
		if (!page)
			goto free_pages;

		list_add_tail(&page->lru, &pages);
		size_remaining -= page_size(page);
		max_order = compound_order(page);
		i++;
	}

	if (sg_alloc_table(&buffer->sg_table, i, GFP_KERNEL))
		goto free_pages;

	sg = buffer->sg_table.sgl;
	list_for_each_entry_safe(page, tmp_page, &pages, lru) {
		sg_set_page(sg, page, page_size(page), 0);
		sg = sg_next(sg);
		list_del(&page->lru);
	}

	heap_helper_buffer_init(buffer, heap, len, system_heap_free);
	dmabuf = heap_helper_export(buffer, fd_flags);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto free_table;
	}
	return dmabuf;

free_table:
	/* the pages are all in the table now */
	heap_helper_free_pages(buffer);
free_pages:
	list_for_each_entry_safe(page, tmp_page, &pages, lru)
		__free_pages(page, compound_order(page));
	kfree(buffer);
	return ERR_PTR(ret);
}

static const struct dma_heap_ops system_heap_ops = {
	.allocate = system_heap_allocate,
};

static int system_heap_create(void)
{
	struct dma_heap_export_info exp_info = {
		.name = "system",
		.ops = &system_heap_ops,
	};
	struct dma_heap *heap;

	heap = heap_helper_add(&exp_info);
	return PTR_ERR_OR_ZERO(heap);
}
module_init(system_heap_create);
MODULE_LICENSE("GPL");
