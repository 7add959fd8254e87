// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the ownership tracker's robustness: tracking switched off
 * while buffers are released, the order of a window's close against its
 * cache maintenance, counters that must not wrap or saturate, reports that
 * must keep their frame, and the alias's dirty bits under a concurrent
 * writer on another CPU.  Each case failed on the code before its fix.
 */

#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap-compat.h>
#include <linux/dma-heap.h>
#include <linux/dma-heap-helpers.h>
#include <linux/dma-mapping.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/iosys-map.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "owner.h"

#define DEV_NAME "dho-hardening-dev"

struct hardening_test {
	bool was_enabled;
	struct device *dev;
	struct heap_helper_heap *heap;
	long before[DHO_NR_CLASSES];
};

static struct dma_buf *hardening_alloc(struct kunit *test, size_t len)
{
	struct hardening_test *t = test->priv;
	struct dma_buf *dmabuf;

	dmabuf = t->heap->ops->allocate(t->heap->heap, len, O_RDWR, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	return dmabuf;
}

/* Release a dma-buf now: a kthread's last fput is otherwise deferred. */
static void hardening_put(struct dma_buf *dmabuf)
{
	dma_buf_put(dmabuf);
	flush_delayed_fput();
}

static long hardening_new(struct kunit *test, int cls)
{
	struct hardening_test *t = test->priv;

	return atomic_long_read(&dho_counts[cls]) - t->before[cls];
}

static long hardening_new_total(struct kunit *test)
{
	long sum = 0;
	int i;

	for (i = 0; i < DHO_NR_CLASSES; i++)
		sum += hardening_new(test, i);
	return sum;
}

static int hardening_test_init(struct kunit *test)
{
	struct hardening_test *t;
	int i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	t->heap = heap_helper_find("system");
	KUNIT_ASSERT_NOT_NULL(test, t->heap);
	t->dev = root_device_register(DEV_NAME);
	KUNIT_ASSERT_FALSE(test, IS_ERR(t->dev));
	t->dev->dma_mask = &t->dev->coherent_dma_mask;
	t->dev->dma_parms = kunit_kzalloc(test, sizeof(*t->dev->dma_parms), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->dev->dma_parms);
	KUNIT_ASSERT_EQ(test, dma_heap_set_max_seg_size(t->dev, UINT_MAX), 0);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(t->dev, DMA_BIT_MASK(64)), 0);
	test->priv = t;
	t->was_enabled = dma_heap_owner_enabled();
	if (!t->was_enabled)
		kunit_skip(test, "tracking is off (dma_heap_owner=off or debugfs)");
	/* these tests provoke violations on purpose */
	dma_heap_owner_kunit_expect(test);
	for (i = 0; i < DHO_NR_CLASSES; i++)
		t->before[i] = atomic_long_read(&dho_counts[i]);
	return 0;
}

static void hardening_test_exit(struct kunit *test)
{
	struct hardening_test *t = test->priv;

	/* cases switch it off: back on, unless it was off (dma_heap_owner=off) */
	if (t->was_enabled)
		dho_set_enabled(true);
	root_device_unregister(t->dev);
}

static bool hardening_listed(struct list_head *node)
{
	struct list_head *pos;
	bool found = false;

	mutex_lock(&dho_buffers_lock);
	list_for_each(pos, &dho_buffers)
		if (pos == node)
			found = true;
	mutex_unlock(&dho_buffers_lock);
	return found;
}

/*
 * A buffer released after the static key went off but before
 * dho_set_enabled() walked the list must still leave the list: the walk
 * (and any reader of "buffers") would otherwise touch freed memory.
 */
static void hardening_release_while_key_off(struct kunit *test)
{
	struct dma_buf *dmabuf = hardening_alloc(test, SZ_16K);
	struct list_head *node = &((struct heap_helper_buffer *)dmabuf->priv)->owner->node;
	bool listed;

	KUNIT_ASSERT_TRUE(test, hardening_listed(node));
	/* the window inside dho_set_enabled(false): key off, list not walked */
	static_branch_disable(&dma_heap_owner_key);
	hardening_put(dmabuf);
	listed = hardening_listed(node);
	if (listed) {
		/* unlink the freed node so that the rest of the run survives */
		mutex_lock(&dho_buffers_lock);
		__list_del(node->prev, node->next);
		mutex_unlock(&dho_buffers_lock);
	}
	static_branch_enable(&dma_heap_owner_key);
	KUNIT_EXPECT_FALSE_MSG(test, listed, "a released buffer stayed on the list");
}

/* What the buffer's owner was when the helper synced it for the device. */
static struct {
	struct heap_helper_buffer *buffer;
	int owner_at_sync;
	unsigned int syncs;
} hardening_probe_state;

static int hardening_sync_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct heap_helper_buffer *buffer = READ_ONCE(hardening_probe_state.buffer);

	if (buffer) {
		hardening_probe_state.owner_at_sync = READ_ONCE(buffer->owner->owner);
		hardening_probe_state.syncs++;
	}
	return 0;
}

/*
 * end_cpu_access must hand the buffer over (owner change, user PTEs zapped)
 * before the cache maintenance that ends the window: a write another
 * thread makes after the flush would otherwise be neither flushed nor
 * reported.  Watch the owner at the moment the helper syncs for the device.
 */
static void hardening_close_before_flush(struct kunit *test)
{
	struct hardening_test *t = test->priv;
	struct dma_buf *dmabuf = hardening_alloc(test, SZ_16K);
	struct heap_helper_buffer *buffer = ((struct heap_helper_buffer *)dmabuf->priv);
	struct kprobe kp = {
		.symbol_name = DMA_HEAP_SYNC_SG_FOR_DEVICE,
		.pre_handler = hardening_sync_pre,
	};
	struct dma_buf_attachment *att;
	struct sg_table *sgt;
	int ret;

	att = dma_buf_attach(dmabuf, t->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(att));
	sgt = dma_buf_map_attachment_unlocked(att, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sgt));

	ret = register_kprobe(&kp);
	if (ret) {
		dma_buf_unmap_attachment_unlocked(att, sgt, DMA_BIDIRECTIONAL);
		dma_buf_detach(dmabuf, att);
		hardening_put(dmabuf);
		kunit_skip(test, "cannot probe %s: %d", DMA_HEAP_SYNC_SG_FOR_DEVICE, ret);
	}
	hardening_probe_state.syncs = 0;
	hardening_probe_state.owner_at_sync = -1;
	WRITE_ONCE(hardening_probe_state.buffer, buffer);

	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL), 0);
	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL), 0);

	WRITE_ONCE(hardening_probe_state.buffer, NULL);
	unregister_kprobe(&kp);

	KUNIT_EXPECT_EQ(test, hardening_probe_state.syncs, 1U);
	KUNIT_EXPECT_EQ_MSG(test, hardening_probe_state.owner_at_sync, DHO_OWNER_DEVICE,
			    "the window was still open when its cache maintenance ran");
	dma_buf_unmap_attachment_unlocked(att, sgt, DMA_BIDIRECTIONAL);
	dma_buf_detach(dmabuf, att);
	hardening_put(dmabuf);
	KUNIT_EXPECT_EQ(test, hardening_new_total(test), 0L);
}

/* The direction of the last dma_sync_sg_for_{cpu,device}() on the test device. */
static struct {
	struct device *dev;
	int dir_cpu, dir_dev;
} hardening_dir_state;

static int hardening_dir_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct device *dev = (struct device *)regs_get_kernel_argument(regs, 0);
	int dir = regs_get_kernel_argument(regs, 3);

	if (dev != READ_ONCE(hardening_dir_state.dev))
		return 0;
	if (!strcmp(p->symbol_name, DMA_HEAP_SYNC_SG_FOR_CPU))
		hardening_dir_state.dir_cpu = dir;
	else
		hardening_dir_state.dir_dev = dir;
	return 0;
}

/*
 * A device's mapping is synced in the direction it was mapped with, not in
 * the CPU window's: a DMA_FROM_DEVICE window on a buffer a device has
 * mapped DMA_TO_DEVICE made dma-debug WARN, from an unprivileged SYNC.
 */
static void hardening_sync_in_mapped_direction(struct kunit *test)
{
	struct hardening_test *t = test->priv;
	struct dma_buf *dmabuf = hardening_alloc(test, SZ_16K);
	struct kprobe kp_cpu = {
		.symbol_name = DMA_HEAP_SYNC_SG_FOR_CPU,
		.pre_handler = hardening_dir_pre,
	};
	struct kprobe kp_dev = {
		.symbol_name = DMA_HEAP_SYNC_SG_FOR_DEVICE,
		.pre_handler = hardening_dir_pre,
	};
	struct dma_buf_attachment *att;
	struct sg_table *sgt;

	att = dma_buf_attach(dmabuf, t->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(att));
	sgt = dma_buf_map_attachment_unlocked(att, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sgt));
	hardening_dir_state.dir_cpu = -1;
	hardening_dir_state.dir_dev = -1;
	if (register_kprobe(&kp_cpu) || register_kprobe(&kp_dev)) {
		unregister_kprobe(&kp_cpu);
		dma_buf_unmap_attachment_unlocked(att, sgt, DMA_TO_DEVICE);
		dma_buf_detach(dmabuf, att);
		hardening_put(dmabuf);
		kunit_skip(test, "cannot probe dma_sync_sg_for_{cpu,device}");
	}
	WRITE_ONCE(hardening_dir_state.dev, t->dev);
	dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE);
	dma_buf_end_cpu_access(dmabuf, DMA_FROM_DEVICE);
	WRITE_ONCE(hardening_dir_state.dev, NULL);
	unregister_kprobe(&kp_dev);
	unregister_kprobe(&kp_cpu);

	KUNIT_EXPECT_EQ(test, hardening_dir_state.dir_cpu, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, hardening_dir_state.dir_dev, DMA_TO_DEVICE);
	dma_buf_unmap_attachment_unlocked(att, sgt, DMA_TO_DEVICE);
	dma_buf_detach(dmabuf, att);
	hardening_put(dmabuf);
}

/* More nested windows than a u8 holds: the last end still closes them. */
static void hardening_deep_windows(struct kunit *test)
{
	struct dma_buf *dmabuf = hardening_alloc(test, SZ_16K);
	struct dma_heap_owner *o = ((struct heap_helper_buffer *)dmabuf->priv)->owner;
	int i;

	for (i = 0; i < 300; i++)
		dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE);
	for (i = 0; i < 299; i++)
		dma_buf_end_cpu_access(dmabuf, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_CPU);
	dma_buf_end_cpu_access(dmabuf, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_NONE);
	KUNIT_EXPECT_EQ(test, hardening_new_total(test), 0L);
	hardening_put(dmabuf);
}

/* begin_cpu_access(DMA_NONE) opens a window that end(DMA_NONE) closes. */
static void hardening_window_dma_none(struct kunit *test)
{
	struct dma_buf *dmabuf = hardening_alloc(test, SZ_16K);
	struct dma_heap_owner *o = ((struct heap_helper_buffer *)dmabuf->priv)->owner;

	dma_buf_begin_cpu_access(dmabuf, DMA_NONE);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_CPU);
	dma_buf_end_cpu_access(dmabuf, DMA_NONE);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_NONE);
	KUNIT_EXPECT_EQ(test, hardening_new_total(test), 0L);
	hardening_put(dmabuf);
}

/* Mapping one attachment twice: refused, and counted once. */
static void hardening_map_twice(struct kunit *test)
{
	struct hardening_test *t = test->priv;
	struct dma_buf *dmabuf = hardening_alloc(test, SZ_16K);
	struct dma_heap_owner *o = ((struct heap_helper_buffer *)dmabuf->priv)->owner;
	struct dma_buf_attachment *att;
	struct sg_table *sgt, *again;

	att = dma_buf_attach(dmabuf, t->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(att));
	sgt = dma_buf_map_attachment_unlocked(att, DMA_TO_DEVICE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sgt));
	again = dma_buf_map_attachment_unlocked(att, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(again), -EBUSY);
	if (!IS_ERR(again))
		dma_buf_unmap_attachment_unlocked(att, again, DMA_TO_DEVICE);
	else
		KUNIT_EXPECT_EQ(test, o->nr_mapped, 1U);
	dma_buf_unmap_attachment_unlocked(att, sgt, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, o->nr_mapped, 0U);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_NONE);
	dma_buf_detach(dmabuf, att);
	hardening_put(dmabuf);
}

/*
 * A report that does not fit its buffer is cut, never overrun, and keeps
 * its closing rule.
 */
static void hardening_report_truncated(struct kunit *test)
{
	static const char rule[] =
		"==================================================================\n";
	const size_t full = 400, slack = 1024;
	struct dho_violation *v;
	char *buf;
	int n, i;

	v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	buf = kunit_kmalloc(test, full + slack, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	memset(buf, 0x5a, full + slack);

	v->cls = DHO_CPU_ACCESS_UNOWNED;
	v->heap = "system";
	v->pgoff = -1;
	v->what = "a long report";
	strscpy(v->comm, "kunit", sizeof(v->comm));
	v->stack = dho_save_stack();
	v->owner_ev.stack = v->stack;
	KUNIT_ASSERT_NE(test, v->stack, 0U);

	n = dho_format(v, "hardening_report_truncated", buf, full);
	KUNIT_EXPECT_LT(test, n, (int)full);
	KUNIT_EXPECT_EQ(test, strnlen(buf, full), (size_t)n);
	KUNIT_EXPECT_TRUE(test, n >= (int)strlen(rule) &&
			  !strcmp(buf + n - strlen(rule), rule));
	for (i = full; i < full + slack; i++)
		if (buf[i] != 0x5a)
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, (int)(full + slack), "written past the buffer");
}

/* A task name with control characters cannot forge a report line. */
static void hardening_report_escapes_comm(struct kunit *test)
{
	struct dho_violation *v;
	char *buf;

	v = kunit_kzalloc(test, sizeof(*v), GFP_KERNEL);
	buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	v->cls = DHO_CPU_ACCESS_UNOWNED;
	v->heap = "system";
	v->pgoff = 0;
	v->user = true;
	v->what = "user write";
	strscpy(v->comm, "x\nFORGED x", sizeof(v->comm));
	strscpy(v->owner_ev.who, "y\nFORGED y", sizeof(v->owner_ev.who));

	dho_format(v, "userspace", buf, 4096);
	KUNIT_EXPECT_NULL(test, strstr(buf, "\nFORGED"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "x\\nFORGED x"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "y\\nFORGED y"));
}

/* The alias writer of hardening_alias_dirty_race(), on another CPU. */
struct hardening_writer {
	u32 *p;
	atomic_t go;		/* round number to write in */
	atomic_t done;		/* last round written */
	bool stop;
};

static int hardening_writer_fn(void *data)
{
	struct hardening_writer *w = data;
	int round = 0, next;

	while (!READ_ONCE(w->stop)) {
		next = atomic_read_acquire(&w->go);
		if (next == round) {
			cond_resched();
			continue;
		}
		round = next;
		ndelay(get_random_u32_below(2000));
		WRITE_ONCE(*w->p, round);
		atomic_set_release(&w->done, round);
	}
	return 0;
}

/*
 * One write per round races a sample of the alias's bits on another CPU:
 * the write must show up dirty in the racing sample or in the one after,
 * never in neither (a non-atomic clear loses it).
 */
static void hardening_alias_dirty_race(struct kunit *test)
{
	struct dma_buf *dmabuf;
	struct hardening_writer *w;
	struct dho_alias_bits racing, after;
	struct task_struct *task;
	struct iosys_map map;
	unsigned long deadline;
	int round, lost = 0, cpu, here;

	if (!dho_arch_alias_supported())
		kunit_skip(test, "the alias's bits are not read on this architecture");
	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two online CPUs");

	dmabuf = hardening_alloc(test, SZ_4K);
	KUNIT_ASSERT_EQ(test, dma_buf_vmap_unlocked(dmabuf, &map), 0);
	w = kunit_kzalloc(test, sizeof(*w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	w->p = map.vaddr;

	/* the sampler and the writer each on a CPU of its own */
	here = raw_smp_processor_id();
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(here)), 0);
	cpu = cpumask_any_but(cpu_online_mask, here);
	task = kthread_create(hardening_writer_fn, w, "dho-alias-writer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	kthread_bind(task, cpu);
	get_task_struct(task);
	wake_up_process(task);

	dho_arch_alias_sample(map.vaddr, 1, &after);
	deadline = jiffies + 3 * HZ;
	for (round = 1; round <= 20000 && !lost && time_before(jiffies, deadline); round++) {
		atomic_set_release(&w->go, round);
		dho_arch_alias_sample(map.vaddr, 1, &racing);
		while (atomic_read_acquire(&w->done) != round)
			cond_resched();
		dho_arch_alias_sample(map.vaddr, 1, &after);
		if (!racing.dirty && !after.dirty)
			lost = round;
	}
	WRITE_ONCE(w->stop, true);
	kthread_stop(task);
	put_task_struct(task);
	set_cpus_allowed_ptr(current, cpu_possible_mask);
	kunit_info(test, "%d rounds on CPUs %d and %d\n", round - 1, here, cpu);
	KUNIT_EXPECT_GE(test, round - 1, 100);
	KUNIT_EXPECT_EQ_MSG(test, lost, 0, "the write of round %d was lost", lost);

	dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	dma_buf_vunmap_unlocked(dmabuf, &map);
	hardening_put(dmabuf);
}

static struct kunit_case hardening_test_cases[] = {
	KUNIT_CASE(hardening_release_while_key_off),
	KUNIT_CASE(hardening_close_before_flush),
	KUNIT_CASE(hardening_sync_in_mapped_direction),
	KUNIT_CASE(hardening_deep_windows),
	KUNIT_CASE(hardening_window_dma_none),
	KUNIT_CASE(hardening_map_twice),
	KUNIT_CASE(hardening_report_truncated),
	KUNIT_CASE(hardening_report_escapes_comm),
	KUNIT_CASE(hardening_alias_dirty_race),
	{}
};

static struct kunit_suite hardening_test_suite = {
	.name = "dma-heap-owner-hardening",
	.init = hardening_test_init,
	.exit = hardening_test_exit,
	.test_cases = hardening_test_cases,
};

kunit_test_suite(hardening_test_suite);

MODULE_DESCRIPTION("KUnit robustness tests for the DMA-BUF heap ownership tracker");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
