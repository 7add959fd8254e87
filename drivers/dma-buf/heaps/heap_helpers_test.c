// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the DMA-BUF heap helpers, through the real system and CMA
 * heaps and a test device with a 64-bit DMA mask, so that
 * dma_map_sgtable() really maps.
 */

#include <kunit/test.h>
#include <linux/cma.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap-compat.h>
#include <linux/dma-heap.h>
#include <linux/dma-heap-helpers.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/fcntl.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "heap-test-compat.h"

struct helpers_test {
	struct device *dev;
	struct heap_helper_heap *heap;
};

static struct dma_buf *helpers_alloc(struct kunit *test, unsigned long len)
{
	struct helpers_test *t = test->priv;

	return t->heap->ops->allocate(t->heap->heap, len, O_RDWR | O_CLOEXEC, 0);
}

static int helpers_test_init(struct kunit *test)
{
	struct helpers_test *t;
	int ret;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->heap = heap_helper_find("system");
	KUNIT_ASSERT_NOT_NULL(test, t->heap);

	t->dev = root_device_register("dma-heap-helpers-test");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->dev));
	t->dev->dma_mask = &t->dev->coherent_dma_mask;
	t->dev->dma_parms = kunit_kzalloc(test, sizeof(*t->dev->dma_parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->dev->dma_parms);
	KUNIT_ASSERT_EQ(test, dma_heap_set_max_seg_size(t->dev, UINT_MAX), 0);
	ret = dma_set_mask_and_coherent(t->dev, DMA_BIT_MASK(64));
	KUNIT_ASSERT_EQ(test, ret, 0);
	test->priv = t;
	return 0;
}

static void helpers_test_exit(struct kunit *test)
{
	struct helpers_test *t = test->priv;

	root_device_unregister(t->dev);
}

static unsigned int helpers_count(struct list_head *head)
{
	struct list_head *pos;
	unsigned int n = 0;

	list_for_each(pos, head)
		n++;
	return n;
}

static size_t helpers_sg_bytes(struct sg_table *table)
{
	struct scatterlist *sg;
	size_t sum = 0;
	int i;

	for_each_sgtable_sg(table, sg, i)
		sum += sg->length;
	return sum;
}

/* Sizes round up to pages; high-order chunks are used when they fit. */
static void helpers_test_alloc(struct kunit *test)
{
	struct heap_helper_buffer *buffer;
	struct dma_buf *dmabuf;

	dmabuf = helpers_alloc(test, SZ_1M + 1);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	buffer = dmabuf->priv;
	KUNIT_EXPECT_EQ(test, buffer->size, (size_t)SZ_1M + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, dmabuf->size, (size_t)SZ_1M + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, buffer->pagecount, (pgoff_t)(SZ_1M / PAGE_SIZE + 1));
	KUNIT_EXPECT_EQ(test, helpers_sg_bytes(&buffer->sg_table), buffer->size);
	KUNIT_EXPECT_LT(test, buffer->sg_table.orig_nents, buffer->pagecount);
	KUNIT_EXPECT_STREQ(test, buffer->heap_name, "system");
	KUNIT_EXPECT_PTR_EQ(test, heap_helper_page(buffer, buffer->pagecount),
			    (struct page *)NULL);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, heap_helper_page(buffer, 0));
	dma_buf_put(dmabuf);
}

static void helpers_test_alloc_errors(struct kunit *test)
{
	struct cma *cma = dev_get_cma_area(NULL);
	struct heap_helper_heap *h;
	struct dma_buf *dmabuf;

	dmabuf = helpers_alloc(test, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dmabuf), -EINVAL);
	dmabuf = helpers_alloc(test, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dmabuf), -EINVAL);
	dmabuf = helpers_alloc(test, ULONG_MAX - PAGE_SIZE - 1);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dmabuf), -ENOMEM);
	/*
	 * Twice the RAM, not one page more: at boot, the initramfs is freed
	 * concurrently (arm64's test VM has one), and totalram_pages() can
	 * grow between here and the heap's check; a length the check then
	 * lets through wakes the OOM killer, which has nothing to kill yet.
	 */
	dmabuf = helpers_alloc(test, 2 * totalram_pages() << PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dmabuf), -ENOMEM);

	/* The CMA heap: more than its area fails cleanly. */
	if (!cma)
		return;
	h = heap_helper_find(cma_get_name(cma));
	KUNIT_ASSERT_NOT_NULL(test, h);
	dmabuf = h->ops->allocate(h->heap, 0, O_RDWR, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dmabuf), -EINVAL);
	dmabuf = h->ops->allocate(h->heap, cma_get_size(cma) + PAGE_SIZE, O_RDWR, 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR(dmabuf), -ENOMEM);
	dmabuf = h->ops->allocate(h->heap, SZ_64K, O_RDWR, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	KUNIT_EXPECT_EQ(test, ((struct heap_helper_buffer *)dmabuf->priv)->sg_table.orig_nents, 1U);
	dma_buf_put(dmabuf);
}

/* Fresh buffers are zeroed, in every page. */
static void helpers_test_zeroed(struct kunit *test)
{
	struct heap_helper_buffer *buffer;
	struct dma_buf *dmabuf;
	pgoff_t pg;

	dmabuf = helpers_alloc(test, SZ_256K);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	buffer = dmabuf->priv;
	for (pg = 0; pg < buffer->pagecount; pg++) {
		void *p = kmap_local_page(heap_helper_page(buffer, pg));

		KUNIT_EXPECT_TRUE(test, !memchr_inv(p, 0, PAGE_SIZE));
		kunmap_local(p);
	}
	dma_buf_put(dmabuf);
}

static void helpers_test_attach_map(struct kunit *test)
{
	struct helpers_test *t = test->priv;
	struct dma_buf_attachment *att1, *att2;
	struct heap_helper_attachment *a1, *a2;
	struct heap_helper_buffer *buffer;
	struct dma_buf *dmabuf;
	struct sg_table *sgt;

	dmabuf = helpers_alloc(test, SZ_1M);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	buffer = dmabuf->priv;

	att1 = dma_buf_attach(dmabuf, t->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(att1));
	att2 = dma_buf_attach(dmabuf, t->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(att2));
	a1 = att1->priv;
	a2 = att2->priv;
	KUNIT_EXPECT_PTR_NE(test, &a1->table, &a2->table);
	KUNIT_EXPECT_FALSE(test, a1->mapped);
	KUNIT_EXPECT_EQ(test, helpers_count(&buffer->attachments), 2U);

	sgt = dma_buf_map_attachment_unlocked(att1, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sgt));
	KUNIT_EXPECT_PTR_EQ(test, sgt, &a1->table);
	KUNIT_EXPECT_TRUE(test, a1->mapped);
	KUNIT_EXPECT_FALSE(test, a2->mapped);
	KUNIT_EXPECT_GT(test, sgt->nents, 0U);
	KUNIT_EXPECT_NE(test, sg_dma_address(sgt->sgl), (dma_addr_t)0);
	KUNIT_EXPECT_EQ(test, helpers_sg_bytes(sgt), buffer->size);
	/* a device with the default 64 KiB segments gets them split */
	{
		struct dma_buf_attachment *att3;
		struct scatterlist *sg;
		int i;

		t->dev->dma_parms->max_segment_size = SZ_64K;
		att3 = dma_buf_attach(dmabuf, t->dev);
		KUNIT_ASSERT_FALSE(test, IS_ERR(att3));
		a2 = att3->priv;
		KUNIT_EXPECT_EQ(test, a2->table.orig_nents, (unsigned int)(SZ_1M / SZ_64K));
		for_each_sgtable_sg(&a2->table, sg, i)
			KUNIT_EXPECT_LE(test, sg->length, (unsigned int)SZ_64K);
		KUNIT_EXPECT_EQ(test, helpers_sg_bytes(&a2->table), buffer->size);
		dma_buf_detach(dmabuf, att3);
		a2 = att2->priv;
	}

	/* begin/end sync the mapped attachment and skip the other */
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_FROM_DEVICE), 0);

	dma_buf_unmap_attachment_unlocked(att1, sgt, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_FALSE(test, a1->mapped);
	dma_buf_detach(dmabuf, att2);
	dma_buf_detach(dmabuf, att1);
	KUNIT_EXPECT_TRUE(test, list_empty(&buffer->attachments));
	dma_buf_put(dmabuf);
}

static void helpers_test_vmap(struct kunit *test)
{
	struct iosys_map map1, map2;
	struct heap_helper_buffer *buffer;
	struct dma_buf *dmabuf;
	pgoff_t last;
	u32 *p, *q;

	dmabuf = helpers_alloc(test, SZ_64K + PAGE_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	buffer = dmabuf->priv;
	last = buffer->pagecount - 1;

	/* the exporter's own refcount, under the core's */
	KUNIT_ASSERT_EQ(test, dmabuf->ops->vmap(dmabuf, &map1), 0);
	KUNIT_ASSERT_EQ(test, dmabuf->ops->vmap(dmabuf, &map2), 0);
	KUNIT_EXPECT_EQ(test, buffer->vmap_cnt, 2U);
	KUNIT_EXPECT_PTR_EQ(test, map1.vaddr, map2.vaddr);

	/* the alias covers every page, in order */
	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL), 0);
	p = map1.vaddr + (last << PAGE_SHIFT);
	*p = 0xdeadbeef;
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL), 0);
	q = kmap_local_page(heap_helper_page(buffer, last));
	KUNIT_EXPECT_EQ(test, *q, 0xdeadbeefU);
	kunmap_local(q);

	dmabuf->ops->vunmap(dmabuf, &map2);
	KUNIT_EXPECT_EQ(test, buffer->vmap_cnt, 1U);
	KUNIT_EXPECT_NOT_NULL(test, buffer->vaddr);
	KUNIT_EXPECT_TRUE(test, iosys_map_is_null(&map2));
	dmabuf->ops->vunmap(dmabuf, &map1);
	KUNIT_EXPECT_EQ(test, buffer->vmap_cnt, 0U);
	KUNIT_EXPECT_NULL(test, buffer->vaddr);
	dma_buf_put(dmabuf);
}

/* A fault at or past the page count is SIGBUS (CVE-2024-46852). */
static void helpers_test_fault_bounds(struct kunit *test)
{
	struct heap_helper_buffer *buffer;
	struct vm_area_struct *vma;
	struct dma_buf *dmabuf;

	dmabuf = helpers_alloc(test, 2 * PAGE_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	buffer = dmabuf->priv;

	vma = dma_heap_kunit_mmap(test, dmabuf, true, true);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(vma), "mmap: %ld", PTR_ERR(vma));
	KUNIT_EXPECT_TRUE(test, vma->vm_flags & VM_DONTEXPAND);
	KUNIT_EXPECT_TRUE(test, vma->vm_flags & VM_PFNMAP);
	KUNIT_EXPECT_PTR_EQ(test, vma->vm_private_data, (void *)buffer);

	{
		struct vm_fault end = { .vma = vma, .pgoff = buffer->pagecount };
		struct vm_fault far = { .vma = vma, .pgoff = ULONG_MAX };

		KUNIT_EXPECT_TRUE(test, vma->vm_ops->fault(&end) == VM_FAULT_SIGBUS);
		KUNIT_EXPECT_TRUE(test, vma->vm_ops->fault(&far) == VM_FAULT_SIGBUS);
		KUNIT_EXPECT_TRUE(test, vma->vm_ops->pfn_mkwrite(&end) == VM_FAULT_SIGBUS);
	}
	dma_heap_kunit_munmap(vma);

	/* a private writable mapping is refused, a private read-only one is not */
	vma = dma_heap_kunit_mmap(test, dmabuf, false, true);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(vma), -EINVAL);
	vma = dma_heap_kunit_mmap(test, dmabuf, false, false);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(vma), "mmap: %ld", PTR_ERR(vma));
	KUNIT_EXPECT_FALSE(test, vma->vm_flags & VM_MAYWRITE);
	dma_heap_kunit_munmap(vma);
	dma_buf_put(dmabuf);
}

struct helpers_fake {
	struct heap_helper_buffer buffer;
	struct page *page;
};

static void helpers_fake_free(struct heap_helper_buffer *buffer)
{
	struct helpers_fake *f = container_of(buffer, struct helpers_fake, buffer);

	sg_free_table(&buffer->sg_table);
	__free_page(f->page);
	kfree(f);
}

/*
 * A buffer whose table does not describe exactly its size is refused at
 * export with -EINVAL: before the check, a 4 GiB + 4 KiB CMA range whose
 * one entry sg_set_page() truncated to 4 KiB was exported, and vmap then
 * mapped an array most of which was never filled.  Crafted tables, so
 * that no machine needs 4 GiB: the truncated entry, and an empty entry.
 */
static void helpers_test_export_checks_table(struct kunit *test)
{
	struct helpers_test *t = test->priv;
	static const struct { u64 size; unsigned int len[2]; } cases[] = {
		/* one entry, cut by sg_set_page() as the CMA heap's was */
		{ SZ_4G + PAGE_SIZE, { lower_32_bits(SZ_4G + PAGE_SIZE), 0 } },
		{ 2 * PAGE_SIZE, { PAGE_SIZE, 0 } },
		{ PAGE_SIZE, { PAGE_SIZE, 0 } },
	};
	static const unsigned int nents[] = { 1, 2, 2 };
	struct dma_buf *dmabuf;
	struct helpers_fake *f;
	struct scatterlist *sg;
	int i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		f = kzalloc(sizeof(*f), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, f);
		f->page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, f->page);
		KUNIT_ASSERT_EQ(test, sg_alloc_table(&f->buffer.sg_table, nents[i],
						     GFP_KERNEL), 0);
		for_each_sgtable_sg(&f->buffer.sg_table, sg, j)
			sg_set_page(sg, f->page, cases[i].len[j], 0);
		heap_helper_buffer_init(&f->buffer, t->heap->heap, cases[i].size,
					helpers_fake_free);
		dmabuf = heap_helper_export(&f->buffer, O_RDWR);
		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR_OR_ZERO(dmabuf), -EINVAL,
				    "case %d: size %llu", i, cases[i].size);
		if (IS_ERR(dmabuf))
			helpers_fake_free(&f->buffer);
		else
			dma_buf_put(dmabuf);
	}
}

/*
 * A contiguous range of 4 GiB and more is cut into entries that fit an sg
 * entry's unsigned int length (the CMA heap's table).  Only the table is
 * built: the range is a page's neighbours, never touched.
 */
static void helpers_test_table_from_range(struct kunit *test)
{
	const size_t size = SZ_4G + SZ_1G + PAGE_SIZE;
	struct page *page = alloc_page(GFP_KERNEL);
	struct scatterlist *sg;
	struct sg_table table;
	size_t sum = 0;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, heap_helper_table_from_range(&table, page, size), 0);
	KUNIT_EXPECT_EQ(test, table.orig_nents,
			(unsigned int)DIV_ROUND_UP(size, HEAP_HELPER_MAX_SEG));
	for_each_sgtable_sg(&table, sg, i) {
		KUNIT_EXPECT_GT(test, sg->length, 0U);
		KUNIT_EXPECT_LE(test, sg->length, (unsigned int)HEAP_HELPER_MAX_SEG);
		KUNIT_EXPECT_PTR_EQ(test, sg_page(sg), nth_page(page, sum >> PAGE_SHIFT));
		sum += sg->length;
	}
	KUNIT_EXPECT_EQ(test, sum, size);
	sg_free_table(&table);
	__free_page(page);
}

/* The segment index finds every page of a buffer of many segments. */
static void helpers_test_page_lookup(struct kunit *test)
{
	struct heap_helper_buffer *buffer;
	struct sg_page_iter piter;
	struct dma_buf *dmabuf;
	pgoff_t pg = 0;

	dmabuf = helpers_alloc(test, SZ_4M + 3 * PAGE_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	buffer = dmabuf->priv;
	KUNIT_EXPECT_EQ(test, buffer->nr_segs, buffer->sg_table.orig_nents);
	for_each_sgtable_page(&buffer->sg_table, &piter, 0) {
		KUNIT_EXPECT_PTR_EQ(test, heap_helper_page(buffer, pg),
				    sg_page_iter_page(&piter));
		pg++;
	}
	KUNIT_EXPECT_EQ(test, pg, buffer->pagecount);
	KUNIT_EXPECT_PTR_EQ(test, heap_helper_page(buffer, pg), (struct page *)NULL);
	dma_buf_put(dmabuf);
}

static struct kunit_case helpers_test_cases[] = {
	KUNIT_CASE(helpers_test_alloc),
	KUNIT_CASE(helpers_test_alloc_errors),
	KUNIT_CASE(helpers_test_zeroed),
	KUNIT_CASE(helpers_test_attach_map),
	KUNIT_CASE(helpers_test_vmap),
	KUNIT_CASE(helpers_test_fault_bounds),
	KUNIT_CASE(helpers_test_export_checks_table),
	KUNIT_CASE(helpers_test_table_from_range),
	KUNIT_CASE(helpers_test_page_lookup),
	{}
};

static struct kunit_suite helpers_test_suite = {
	.name = "dma-heap-helpers",
	.init = helpers_test_init,
	.exit = helpers_test_exit,
	.test_cases = helpers_test_cases,
};

kunit_test_suite(helpers_test_suite);

MODULE_DESCRIPTION("KUnit tests for the DMA-BUF heap helpers");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
