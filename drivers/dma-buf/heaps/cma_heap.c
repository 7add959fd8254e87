// SPDX-License-Identifier: GPL-2.0
/*
 * DMABUF CMA heap exporter, on the heap helpers
 *
 * Copyright (C) 2012, 2019, 2020 Linaro Ltd.
 * Author: <benjamin.gaignard@linaro.org> for ST-Ericsson.
 *
 * Also utilizing parts of Andrew Davis' SRAM heap:
 * Copyright (C) 2019 Texas Instruments Incorporated - http://www.ti.com/
 *	Andrew F. Davis <afd@ti.com>
 */
#include <linux/cma.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap-compat.h>
#include <linux/dma-heap.h>
#include <linux/dma-heap-helpers.h>
#include <linux/dma-map-ops.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

/**
 * struct cma_heap_buffer - a buffer from one contiguous CMA range
 * @buffer:    the helper buffer; its sg table describes the range, one
 *             entry per HEAP_HELPER_MAX_SEG bytes
 * @cma:       the area the range came from
 * @cma_pages: first page of the range
 */
struct cma_heap_buffer {
	struct heap_helper_buffer buffer;
	struct cma *cma;
	struct page *cma_pages;
};

static void cma_heap_free(struct heap_helper_buffer *buffer)
{
	struct cma_heap_buffer *cbuf = container_of(buffer, struct cma_heap_buffer, buffer);

	sg_free_table(&buffer->sg_table);
	cma_release(cbuf->cma, cbuf->cma_pages, buffer->pagecount);
	kfree(cbuf);
}

static int cma_heap_clear_pages(struct page *page, pgoff_t pagecount)
{
	if (!PageHighMem(page)) {
		memset(page_address(page), 0, pagecount << PAGE_SHIFT);
		return 0;
	}

	while (pagecount > 0) {
		clear_highpage(page);
		/*
		 * Avoid wasting time zeroing memory if the process
		 * has been killed by SIGKILL
		 */
		if (fatal_signal_pending(current))
			return -EINTR;
		page++;
		pagecount--;
	}
	return 0;
}

static struct dma_buf *cma_heap_allocate(struct dma_heap *heap,
					 unsigned long len,
					 dma_heap_fd_flags_t fd_flags,
					 dma_heap_flags_t heap_flags)
{
	struct cma *cma = dma_heap_get_drvdata(heap);
	struct cma_heap_buffer *cbuf;
	unsigned long align;
	struct page *cma_pages;
	struct dma_buf *dmabuf;
	pgoff_t pagecount;
	size_t size;
	int ret;

	ret = heap_helper_check_len(len);
	if (ret)
		return ERR_PTR(ret);
	size = PAGE_ALIGN(len);
	pagecount = size >> PAGE_SHIFT;
	align = min_t(unsigned long, get_order(size), CONFIG_CMA_ALIGNMENT);

	cbuf = kzalloc(sizeof(*cbuf), GFP_KERNEL);
	if (!cbuf)
		return ERR_PTR(-ENOMEM);

	ret = -ENOMEM;
	cma_pages = cma_alloc(cma, pagecount, align, false);
	if (!cma_pages)
		goto free_buffer;

	ret = cma_heap_clear_pages(cma_pages, pagecount);
	if (ret)
		goto free_cma;

	ret = heap_helper_table_from_range(&cbuf->buffer.sg_table, cma_pages, size);
	if (ret)
		goto free_cma;

	cbuf->cma = cma;
	cbuf->cma_pages = cma_pages;
	heap_helper_buffer_init(&cbuf->buffer, heap, size, cma_heap_free);
	dmabuf = heap_helper_export(&cbuf->buffer, fd_flags);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto free_table;
	}
	return dmabuf;

free_table:
	sg_free_table(&cbuf->buffer.sg_table);
free_cma:
	cma_release(cma, cma_pages, pagecount);
free_buffer:
	kfree(cbuf);
	return ERR_PTR(ret);
}

static const struct dma_heap_ops cma_heap_ops = {
	.allocate = cma_heap_allocate,
};

static int cma_heap_add(struct cma *cma)
{
	struct dma_heap_export_info exp_info = {
		.name = cma_get_name(cma),
		.ops = &cma_heap_ops,
		.priv = cma,
	};
	struct dma_heap *heap;

	heap = heap_helper_add(&exp_info);
	return PTR_ERR_OR_ZERO(heap);
}

static int cma_heap_add_default(void)
{
	struct cma *default_cma = dev_get_cma_area(NULL);

	return default_cma ? cma_heap_add(default_cma) : 0;
}
module_init(cma_heap_add_default);
MODULE_DESCRIPTION("DMA-BUF CMA Heap");
MODULE_LICENSE("GPL");
