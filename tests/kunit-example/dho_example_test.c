// SPDX-License-Identifier: GPL-2.0
/*
 * dho_example_test: how a driver that imports DMA-BUF heap buffers tests
 * itself against the ownership tracker with KUnit.
 *
 * The "driver" fills a frame header through a vmap of the buffer and hands
 * the buffer to its device.  Its tests use the tracker's public API
 * (include/linux/dma-heap-owner.h): a violation raised while a KUnit test
 * runs fails that test, as a KASAN report does, and the counts tell a test
 * what was raised.
 *
 * Two suites: dho-example-driver passes (the right sequence is clean; the
 * wrong one is caught, on purpose, as expected), and
 * dho-example-driver-buggy holds the driver's bug without expecting it:
 * it must fail.  tests/kunit-example.sh loads the module and checks both
 * verdicts.
 */

#include <kunit/test.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap-compat.h>
#include <linux/dma-heap.h>
#include <linux/dma-heap-helpers.h>
#include <linux/dma-heap-owner.h>
#include <linux/dma-mapping.h>
#include <linux/fcntl.h>
#include <linux/iosys-map.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/sizes.h>

#define EXAMPLE_DEV	"dho-example-dev"
#define EXAMPLE_MAGIC	0x46524d31	/* "FRM1" */

/* --- the driver under test --- */

/*
 * example_queue_frame() - write the frame header, then give the buffer to
 * the device.  @bracket: the right way, with begin/end_cpu_access around
 * the CPU's writes (end_cpu_access flushes the vmap alias); without it, the
 * device may read stale memory on a non-coherent SoC.
 */
static int example_queue_frame(struct device *dev, struct dma_buf *dmabuf,
			       bool bracket)
{
	struct dma_buf_attachment *att;
	struct iosys_map map;
	struct sg_table *sgt;
	int ret;

	ret = dma_buf_vmap_unlocked(dmabuf, &map);
	if (ret)
		return ret;
	if (bracket) {
		ret = dma_buf_begin_cpu_access(dmabuf, DMA_TO_DEVICE);
		if (ret)
			goto vunmap;
	}
	iosys_map_wr(&map, 0, u32, EXAMPLE_MAGIC);
	if (bracket)
		dma_buf_end_cpu_access(dmabuf, DMA_TO_DEVICE);

	att = dma_buf_attach(dmabuf, dev);
	if (IS_ERR(att)) {
		ret = PTR_ERR(att);
		goto vunmap;
	}
	sgt = dma_buf_map_attachment_unlocked(att, DMA_TO_DEVICE);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto detach;
	}
	/* ... the device reads the frame ... */
	dma_buf_unmap_attachment_unlocked(att, sgt, DMA_TO_DEVICE);
detach:
	dma_buf_detach(dmabuf, att);
vunmap:
	dma_buf_vunmap_unlocked(dmabuf, &map);
	return ret;
}

/* --- its tests --- */

struct example_test {
	struct platform_device *pdev;
	struct device *dev;
	struct dma_buf *dmabuf;
};

static int example_test_init(struct kunit *test)
{
	struct heap_helper_heap *heap;
	struct example_test *t;

	if (!dma_heap_owner_enabled())
		kunit_skip(test, "no ownership tracking in this kernel");
	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;		/* for the exit: what is set is undone */
	/* a driver gets its buffers from userspace; a test from the heap */
	heap = heap_helper_find("system");
	KUNIT_ASSERT_NOT_NULL(test, heap);
	t->dmabuf = heap->ops->allocate(heap->heap, SZ_64K, O_RDWR, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->dmabuf));
	t->pdev = platform_device_register_simple(EXAMPLE_DEV, PLATFORM_DEVID_NONE,
						  NULL, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->pdev));
	t->dev = &t->pdev->dev;
	KUNIT_ASSERT_EQ(test, dma_heap_set_max_seg_size(t->dev, UINT_MAX), 0);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(t->dev, DMA_BIT_MASK(64)), 0);
	return 0;
}

static void example_test_exit(struct kunit *test)
{
	struct example_test *t = test->priv;

	if (!t)
		return;
	if (!IS_ERR_OR_NULL(t->pdev))
		platform_device_unregister(t->pdev);
	if (!IS_ERR_OR_NULL(t->dmabuf))
		dma_buf_put(t->dmabuf);
}

/* The right sequence raises nothing (were it to, the test would fail). */
static void example_queue_frame_clean(struct kunit *test)
{
	struct example_test *t = test->priv;
	unsigned long before = dma_heap_owner_error_count();

	KUNIT_ASSERT_EQ(test, example_queue_frame(t->dev, t->dmabuf, true), 0);
	KUNIT_EXPECT_EQ(test, dma_heap_owner_error_count(), before);
}

/* The tracker catches the missing flush: expected here, so counted only. */
static void example_missing_flush_is_caught(struct kunit *test)
{
	struct example_test *t = test->priv;
	unsigned long before = dma_heap_owner_class_count(DHO_VMAP_FLUSH_MISSING);

	dma_heap_owner_kunit_expect(test);
	KUNIT_ASSERT_EQ(test, example_queue_frame(t->dev, t->dmabuf, false), 0);
	KUNIT_EXPECT_EQ(test, dma_heap_owner_class_count(DHO_VMAP_FLUSH_MISSING),
			before + 1);
}

static struct kunit_case example_test_cases[] = {
	KUNIT_CASE(example_queue_frame_clean),
	KUNIT_CASE(example_missing_flush_is_caught),
	{}
};

static struct kunit_suite example_test_suite = {
	.name = "dho-example-driver",
	.init = example_test_init,
	.exit = example_test_exit,
	.test_cases = example_test_cases,
};

/*
 * The driver's bug in a test that does not expect it: the tracker fails
 * the test, naming the class.  Nothing in the test itself checks for it.
 */
static void example_queue_frame_buggy(struct kunit *test)
{
	struct example_test *t = test->priv;

	KUNIT_ASSERT_EQ(test, example_queue_frame(t->dev, t->dmabuf, false), 0);
}

static struct kunit_case example_buggy_cases[] = {
	KUNIT_CASE(example_queue_frame_buggy),
	{}
};

static struct kunit_suite example_buggy_suite = {
	.name = "dho-example-driver-buggy",
	.init = example_test_init,
	.exit = example_test_exit,
	.test_cases = example_buggy_cases,
};

kunit_test_suites(&example_test_suite, &example_buggy_suite);

MODULE_DESCRIPTION("Example: a dma-buf importer's KUnit tests under the heap ownership tracker");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
