// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the DMA-BUF heap ownership tracker: every transition, and
 * every violation class the kernel can provoke, both done wrong (the class
 * and nothing else is raised) and done right (nothing is raised).  Reports
 * are captured from the console through the printk tracepoint, as
 * mm/kfence/kfence_test.c does.  Userspace accesses are tested by the
 * kselftests under tests/.
 */

#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap-compat.h>
#include <linux/dma-heap.h>
#include <linux/dma-heap-helpers.h>
#include <linux/dma-mapping.h>
#include <linux/fcntl.h>
#include <linux/iosys-map.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/printk.h>

#include "owner.h"

#define DEV_NAME "dho-kunit-dev"

/* Reports seen on the console. */
static struct {
	spinlock_t lock;	/* guards the rest */
	unsigned int reports;	/* titles seen */
	bool in_report;
	char text[4096];	/* the last report */
} observed = {
	.lock = __SPIN_LOCK_UNLOCKED(observed.lock),
};

static void probe_console(void *ignore, const char *buf, size_t len)
{
	unsigned long flags;
	size_t n;

	spin_lock_irqsave(&observed.lock, flags);
	if (strnstr(buf, "BUG: dma-heap-owner: ", len)) {
		observed.reports++;
		observed.in_report = true;
		observed.text[0] = '\0';
	}
	if (observed.in_report) {
		n = strlen(observed.text);
		if (n + len + 2 < sizeof(observed.text)) {
			memcpy(observed.text + n, buf, len);
			observed.text[n + len] = '\n';
			observed.text[n + len + 1] = '\0';
		}
		if (strnstr(buf, "=====", len) && n)
			observed.in_report = false;
	}
	spin_unlock_irqrestore(&observed.lock, flags);
}

/* The number of the last report seen ("violation: #N"), 0 if none. */
static u64 owner_report_seq(void)
{
	unsigned long flags;
	u64 seq = 0;
	char *p;

	spin_lock_irqsave(&observed.lock, flags);
	p = strstr(observed.text, "violation: #");
	if (!p || sscanf(p, "violation: #%llu ", &seq) != 1)
		seq = 0;
	spin_unlock_irqrestore(&observed.lock, flags);
	return seq;
}

static unsigned int observed_reports(void)
{
	return READ_ONCE(observed.reports);
}

static bool observed_has(const char *s)
{
	unsigned long flags;
	bool found;

	spin_lock_irqsave(&observed.lock, flags);
	found = strstr(observed.text, s);
	spin_unlock_irqrestore(&observed.lock, flags);
	return found;
}

struct owner_test {
	bool was_enabled;
	struct device *dev;
	struct heap_helper_heap *heap;
	long before[DHO_NR_CLASSES];
};

static void owner_snapshot(struct kunit *test)
{
	struct owner_test *t = test->priv;
	int i;

	for (i = 0; i < DHO_NR_CLASSES; i++)
		t->before[i] = atomic_long_read(&dho_counts[i]);
}

/* Exactly @n violations of class @cls since the snapshot, none of another. */
static void owner_expect(struct kunit *test, int cls, long n)
{
	struct owner_test *t = test->priv;
	int i;

	for (i = 0; i < DHO_NR_CLASSES; i++)
		KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&dho_counts[i]) - t->before[i],
				    i == cls ? n : 0, "class %s", dho_class_name(i));
}

static void owner_expect_none(struct kunit *test)
{
	owner_expect(test, -1, 0);
}

/* "<prefix>kunit_try_catch tgid N tid N<suffix>" for the running test */
static const char *owner_task_says(const char *prefix, const char *suffix)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s%s tgid %d tid %d%s", prefix, current->comm,
		 task_tgid_nr(current), task_pid_nr(current), suffix);
	return buf;
}

static struct dma_buf *owner_test_alloc(struct kunit *test)
{
	struct owner_test *t = test->priv;
	struct dma_buf *dmabuf;

	dmabuf = t->heap->ops->allocate(t->heap->heap, SZ_64K, O_RDWR, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(dmabuf));
	return dmabuf;
}

static struct heap_helper_buffer *to_buffer(struct dma_buf *dmabuf)
{
	return dmabuf->priv;
}

static noinline struct dma_buf_attachment *
owner_test_map(struct kunit *test, struct dma_buf *dmabuf)
{
	struct owner_test *t = test->priv;
	struct dma_buf_attachment *att;
	struct sg_table *sgt;

	att = dma_buf_attach(dmabuf, t->dev);
	KUNIT_ASSERT_FALSE(test, IS_ERR(att));
	sgt = dma_buf_map_attachment_unlocked(att, DMA_BIDIRECTIONAL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(sgt));
	return att;
}

static void owner_test_unmap(struct dma_buf *dmabuf, struct dma_buf_attachment *att)
{
	struct heap_helper_attachment *a = att->priv;

	dma_buf_unmap_attachment_unlocked(att, &a->table, DMA_BIDIRECTIONAL);
	dma_buf_detach(dmabuf, att);
}

static void *owner_test_vmap(struct kunit *test, struct dma_buf *dmabuf,
			     struct iosys_map *map)
{
	KUNIT_ASSERT_EQ(test, dma_buf_vmap_unlocked(dmabuf, map), 0);
	return map->vaddr;
}

static void owner_test_write(void *vaddr, pgoff_t pg)
{
	WRITE_ONCE(*(u32 *)(vaddr + (pg << PAGE_SHIFT)), 0x5a5a5a5a);
}

static u32 owner_test_read(void *vaddr, pgoff_t pg)
{
	return READ_ONCE(*(u32 *)(vaddr + (pg << PAGE_SHIFT)));
}

static int owner_test_init(struct kunit *test)
{
	struct owner_test *t;

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
	dho_all_errors = false;
	dho_num_errors = 1000;
	dho_set_filter("", 0);
	owner_snapshot(test);
	return 0;
}

static void owner_test_exit(struct kunit *test)
{
	struct owner_test *t = test->priv;

	if (t->was_enabled)	/* owner_knobs switches it off and on */
		dho_set_enabled(true);
	root_device_unregister(t->dev);
}

static void owner_transitions(struct kunit *test)
{
	struct dma_buf *dmabuf = owner_test_alloc(test);
	struct heap_helper_buffer *buffer = to_buffer(dmabuf);
	struct dma_heap_owner *o = buffer->owner;
	struct dma_buf_attachment *att;
	static const u8 ops[] = { DHO_OP_ALLOC, DHO_OP_DEV_MAP, DHO_OP_CPU_BEGIN,
				  DHO_OP_CPU_END, DHO_OP_DEV_UNMAP };
	int i;

	KUNIT_EXPECT_TRUE(test, o->tracked);
	KUNIT_EXPECT_EQ(test, o->ino, file_inode(dmabuf->file)->i_ino);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_NONE);

	att = owner_test_map(test, dmabuf);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_DEVICE);
	KUNIT_EXPECT_EQ(test, o->nr_mapped, 1);
	KUNIT_EXPECT_EQ(test, o->owner_ev.op, DHO_OP_DEV_MAP);
	KUNIT_EXPECT_STREQ(test, o->owner_ev.who, DEV_NAME);

	KUNIT_EXPECT_EQ(test, dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL), 0);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_CPU);
	KUNIT_EXPECT_EQ(test, o->cpu_win[DMA_BIDIRECTIONAL], 1);
	KUNIT_EXPECT_EQ(test, o->owner_ev.pid, task_pid_nr(current));
	KUNIT_EXPECT_NE(test, o->owner_ev.stack, 0U);

	KUNIT_EXPECT_EQ(test, dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL), 0);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_DEVICE);
	KUNIT_EXPECT_EQ(test, o->owner_ev.op, DHO_OP_CPU_END);

	owner_test_unmap(dmabuf, att);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_NONE);
	KUNIT_EXPECT_EQ(test, o->nr_mapped, 0);

	KUNIT_ASSERT_EQ(test, o->hist_len, ARRAY_SIZE(ops));
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		KUNIT_EXPECT_EQ_MSG(test, o->hist[i].op, ops[i], "event %d", i);
	dma_buf_put(dmabuf);
	owner_expect_none(test);
}

/* Nested windows from several CPU users: owner stays CPU until the last. */
static void owner_nested_windows(struct kunit *test)
{
	struct dma_buf *dmabuf = owner_test_alloc(test);
	struct dma_heap_owner *o = to_buffer(dmabuf)->owner;

	dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE);
	dma_buf_begin_cpu_access(dmabuf, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, o->cpu_win[DMA_FROM_DEVICE] + o->cpu_win[DMA_TO_DEVICE], 2);
	dma_buf_end_cpu_access(dmabuf, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_CPU);
	dma_buf_end_cpu_access(dmabuf, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_NONE);
	dma_buf_put(dmabuf);
	owner_expect_none(test);
}

/*
 * Where the alias is not watched (owner-arch.c), the tracker must never
 * touch its bits: every access through it works, and nothing is reported
 * of it.  The alias cases run this instead, so that they check something
 * there too: writes and reads outside any window, around a device.
 */
static bool owner_alias_unwatched(struct kunit *test, struct dma_buf *dmabuf)
{
	struct dma_buf_attachment *att;
	struct iosys_map map;
	void *vaddr;

	if (dho_arch_alias_supported())
		return false;
	kunit_info(test, "vmap alias not watched (%s): checking that nothing of it is reported\n",
		   dho_arch_alias_why_not());
	vaddr = owner_test_vmap(test, dmabuf, &map);
	owner_test_write(vaddr, 1);
	att = owner_test_map(test, dmabuf);
	owner_test_unmap(dmabuf, att);
	owner_test_read(vaddr, 2);
	owner_test_write(vaddr, 3);
	dma_buf_vunmap_unlocked(dmabuf, &map);
	owner_expect_none(test);
	dma_buf_put(dmabuf);
	return true;
}

static void owner_cpu_access_unowned(struct kunit *test)
{
	struct dma_buf *dmabuf = owner_test_alloc(test);
	struct iosys_map map;
	void *vaddr;

	if (owner_alias_unwatched(test, dmabuf))
		return;

	/* right: write inside a window */
	vaddr = owner_test_vmap(test, dmabuf, &map);
	dma_buf_begin_cpu_access(dmabuf, DMA_TO_DEVICE);
	owner_test_write(vaddr, 3);
	dma_buf_end_cpu_access(dmabuf, DMA_TO_DEVICE);
	dma_buf_vunmap_unlocked(dmabuf, &map);
	owner_expect_none(test);

	/* wrong: write outside any window, seen at vunmap */
	vaddr = owner_test_vmap(test, dmabuf, &map);
	owner_test_write(vaddr, 3);
	dma_buf_vunmap_unlocked(dmabuf, &map);
	owner_expect(test, DHO_CPU_ACCESS_UNOWNED, 1);
	KUNIT_EXPECT_TRUE(test, observed_has("kernel write through the vmap alias (first page 3)"));
	dma_buf_put(dmabuf);
}

static void owner_device_access_vmapped(struct kunit *test)
{
	struct dma_buf *dmabuf = owner_test_alloc(test);
	struct dma_buf_attachment *att;
	struct iosys_map map;
	void *vaddr;

	/* right: the window is closed (and the alias flushed) before the map */
	vaddr = owner_test_vmap(test, dmabuf, &map);
	dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	owner_test_write(vaddr, 0);
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	att = owner_test_map(test, dmabuf);
	owner_test_unmap(dmabuf, att);
	owner_expect_none(test);

	/* wrong: the device maps inside the window, the alias live */
	dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	owner_test_write(vaddr, 0);
	att = owner_test_map(test, dmabuf);
	owner_expect(test, DHO_DEVICE_ACCESS_VMAPPED, 1);
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	owner_test_unmap(dmabuf, att);
	dma_buf_vunmap_unlocked(dmabuf, &map);
	owner_expect(test, DHO_DEVICE_ACCESS_VMAPPED, 1);
	dma_buf_put(dmabuf);
}

static void owner_vmap_flush_missing(struct kunit *test)
{
	struct dma_buf *dmabuf = owner_test_alloc(test);
	struct owner_test *t = test->priv;
	struct dma_buf_attachment *att;
	struct iosys_map map;
	void *vaddr;

	if (owner_alias_unwatched(test, dmabuf))
		return;
	/* wrong: a write outside a window, never flushed, then the device */
	vaddr = owner_test_vmap(test, dmabuf, &map);
	owner_test_write(vaddr, 1);
	att = owner_test_map(test, dmabuf);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&dho_counts[DHO_VMAP_FLUSH_MISSING]) -
			t->before[DHO_VMAP_FLUSH_MISSING], 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&dho_counts[DHO_CPU_ACCESS_UNOWNED]) -
			t->before[DHO_CPU_ACCESS_UNOWNED], 1);
	/* the report names who vmapped the alias, and its stack */
	KUNIT_EXPECT_TRUE(test, observed_has("vmap_flush_missing"));
	KUNIT_EXPECT_TRUE(test, observed_has("\nvmapped by: owner_"));
	KUNIT_EXPECT_TRUE(test, observed_has(owner_task_says("(task ", ") at ")));
	KUNIT_EXPECT_TRUE(test, observed_has("\n  dma_buf_vmap+0x"));
	owner_test_unmap(dmabuf, att);
	dma_buf_vunmap_unlocked(dmabuf, &map);
	dma_buf_put(dmabuf);
}

/* The CPU takes the buffer back from a device without an invalidate. */
static void owner_vmap_invalidate_missing(struct kunit *test)
{
	struct dma_buf *dmabuf = owner_test_alloc(test);
	struct dma_buf_attachment *att;
	struct iosys_map map;
	void *vaddr;

	if (owner_alias_unwatched(test, dmabuf))
		return;
	/* right: begin_cpu_access invalidates the alias */
	vaddr = owner_test_vmap(test, dmabuf, &map);
	att = owner_test_map(test, dmabuf);
	owner_test_unmap(dmabuf, att);
	dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE);
	owner_test_read(vaddr, 2);
	dma_buf_end_cpu_access(dmabuf, DMA_FROM_DEVICE);
	owner_expect_none(test);

	/* wrong: read it straight after the device */
	att = owner_test_map(test, dmabuf);
	owner_test_unmap(dmabuf, att);
	owner_test_read(vaddr, 2);
	dma_buf_vunmap_unlocked(dmabuf, &map);
	owner_expect(test, DHO_VMAP_FLUSH_MISSING, 1);
	dma_buf_put(dmabuf);
}

static void owner_device_access_cpu_owned(struct kunit *test)
{
	struct dma_buf *dmabuf = owner_test_alloc(test);
	struct dma_buf_attachment *att;
	unsigned int reports = observed_reports();
	char ino[64];	/* "buffer: ino=<20 digits> heap=system size=65536" */

	/* right: map, then a window, then unmap after it closes */
	att = owner_test_map(test, dmabuf);
	dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	owner_test_unmap(dmabuf, att);
	owner_expect_none(test);

	/* wrong: map inside the window */
	dma_buf_begin_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	att = owner_test_map(test, dmabuf);
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	owner_test_unmap(dmabuf, att);
	owner_expect(test, DHO_DEVICE_ACCESS_CPU_OWNED, 1);

	/* the report, from the console */
	KUNIT_EXPECT_EQ(test, observed_reports(), reports + 1);
	KUNIT_EXPECT_TRUE(test, observed_has("device_access_cpu_owned in owner_test_map"));
	snprintf(ino, sizeof(ino), "buffer: ino=%lu heap=system size=65536",
		 file_inode(dmabuf->file)->i_ino);
	KUNIT_EXPECT_TRUE(test, observed_has(ino));
	KUNIT_EXPECT_TRUE(test, observed_has("access: device " DEV_NAME));
	KUNIT_EXPECT_TRUE(test, observed_has("owner: cpu (cpu windows 1, vmap 0) since cpu_begin"));
	KUNIT_EXPECT_TRUE(test, observed_has("owner_device_access_cpu_owned"));
	dma_buf_put(dmabuf);
}

static void owner_cpu_write_in_read_window(struct kunit *test)
{
	struct dma_buf *dmabuf = owner_test_alloc(test);
	struct iosys_map map;
	void *vaddr;

	if (owner_alias_unwatched(test, dmabuf))
		return;
	/* right: read in a read window, write in a write window */
	vaddr = owner_test_vmap(test, dmabuf, &map);
	dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE);
	owner_test_read(vaddr, 0);
	dma_buf_end_cpu_access(dmabuf, DMA_FROM_DEVICE);
	dma_buf_begin_cpu_access(dmabuf, DMA_TO_DEVICE);
	owner_test_write(vaddr, 0);
	dma_buf_end_cpu_access(dmabuf, DMA_TO_DEVICE);
	owner_expect_none(test);

	/* wrong: write in a read window */
	dma_buf_begin_cpu_access(dmabuf, DMA_FROM_DEVICE);
	owner_test_write(vaddr, 4);
	dma_buf_end_cpu_access(dmabuf, DMA_FROM_DEVICE);
	dma_buf_vunmap_unlocked(dmabuf, &map);
	owner_expect(test, DHO_CPU_WRITE_IN_READ_WINDOW, 1);
	dma_buf_put(dmabuf);
}

static void owner_cpu_access_unbalanced(struct kunit *test)
{
	struct dma_buf *dmabuf = owner_test_alloc(test);
	struct dma_heap_owner *o = to_buffer(dmabuf)->owner;

	dma_buf_begin_cpu_access(dmabuf, DMA_TO_DEVICE);
	dma_buf_end_cpu_access(dmabuf, DMA_TO_DEVICE);
	owner_expect_none(test);

	/* end without begin */
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	owner_expect(test, DHO_CPU_ACCESS_UNBALANCED, 1);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_NONE);
	/* the task by process and thread id; no alias, so no vmapper */
	KUNIT_EXPECT_TRUE(test, observed_has(owner_task_says("access: task ",
							     " dir=bidirectional")));
	KUNIT_EXPECT_TRUE(test, observed_has("exporter=system name=-\n"));
	KUNIT_EXPECT_FALSE(test, observed_has("vmapped by"));

	/* end with another direction: counted, and the window still closes */
	dma_buf_begin_cpu_access(dmabuf, DMA_TO_DEVICE);
	dma_buf_end_cpu_access(dmabuf, DMA_FROM_DEVICE);
	owner_expect(test, DHO_CPU_ACCESS_UNBALANCED, 2);
	KUNIT_EXPECT_EQ(test, o->owner, DHO_OWNER_NONE);
	dma_buf_put(dmabuf);
}

/*
 * A violation raised by a KUnit test fails it, unless the test expects
 * violations (dma_heap_owner_kunit_expect()).  Run with a stand-in test as
 * current's, so that the verdict can be read back.
 */
static void owner_kunit_hook(struct kunit *test)
{
	struct dma_buf *dmabuf = owner_test_alloc(test);
	struct kunit fake;
	u64 seq;

	dho_all_errors = true;	/* every violation is reported, and numbered */
	kunit_init_test(&fake, "dma-heap-owner-stand-in", NULL);
	current->kunit_test = &fake;
	dma_buf_begin_cpu_access(dmabuf, DMA_TO_DEVICE);
	dma_buf_end_cpu_access(dmabuf, DMA_TO_DEVICE);
	current->kunit_test = test;
	KUNIT_EXPECT_EQ(test, fake.status, KUNIT_SUCCESS);	/* done right */

	current->kunit_test = &fake;
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);	/* done wrong */
	current->kunit_test = test;
	KUNIT_EXPECT_EQ(test, fake.status, KUNIT_FAILURE);
	kunit_cleanup(&fake);
	seq = owner_report_seq();

	kunit_init_test(&fake, "dma-heap-owner-stand-in", NULL);
	current->kunit_test = &fake;
	dma_heap_owner_kunit_expect(&fake);
	dma_heap_owner_kunit_expect(&fake);	/* twice is once */
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	current->kunit_test = test;
	KUNIT_EXPECT_EQ(test, fake.status, KUNIT_SUCCESS);
	kunit_cleanup(&fake);

	/* counted either way, through the public API too, and numbered */
	owner_expect(test, DHO_CPU_ACCESS_UNBALANCED, 2);
	KUNIT_EXPECT_EQ(test, dma_heap_owner_class_count(DHO_CPU_ACCESS_UNBALANCED),
			atomic_long_read(&dho_counts[DHO_CPU_ACCESS_UNBALANCED]));
	KUNIT_EXPECT_EQ(test, dma_heap_owner_error_count(), dho_error_count());
	KUNIT_EXPECT_EQ(test, dma_heap_owner_class_count(DHO_NR_CLASSES), 0);
	KUNIT_EXPECT_EQ(test, owner_report_seq(), seq + 1);
	dma_buf_put(dmabuf);
}

static void owner_release_while_mapped(struct kunit *test)
{
	struct dma_buf *dmabuf = owner_test_alloc(test);
	struct owner_test *t = test->priv;
	struct dma_buf_attachment *att;
	struct heap_helper_attachment *a;
	struct scatterlist *sg, *copy_sg;
	struct sg_table copy;
	int i;

	att = owner_test_map(test, dmabuf);
	owner_test_unmap(dmabuf, att);
	owner_expect_none(test);

	/* detach while mapped; keep the mapping to undo it afterwards */
	att = owner_test_map(test, dmabuf);
	a = att->priv;
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&copy, a->table.orig_nents, GFP_KERNEL), 0);
	copy_sg = copy.sgl;
	for_each_sgtable_sg(&a->table, sg, i) {
		*copy_sg = *sg;
		if (sg_is_last(sg))
			sg_mark_end(copy_sg);
		copy_sg = sg_next(copy_sg);
	}
	copy.nents = a->table.nents;
	dma_buf_detach(dmabuf, att);
	owner_expect(test, DHO_RELEASE_WHILE_MAPPED, 1);
	KUNIT_EXPECT_EQ(test, to_buffer(dmabuf)->owner->owner, DHO_OWNER_NONE);
	dma_unmap_sgtable(t->dev, &copy, DMA_BIDIRECTIONAL, 0);
	sg_free_table(&copy);
	dma_buf_put(dmabuf);
}

/* all_errors, num_errors, filter, reset and disabled. */
static void owner_knobs(struct kunit *test)
{
	struct dma_buf *dmabuf = owner_test_alloc(test);
	unsigned int reports = observed_reports();

	/* by default, one report per class per buffer; counts count all */
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	owner_expect(test, DHO_CPU_ACCESS_UNBALANCED, 2);
	KUNIT_EXPECT_EQ(test, observed_reports(), reports + 1);

	dho_all_errors = true;
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, observed_reports(), reports + 2);

	/* the filter: another heap's name hides the report, not the count */
	KUNIT_EXPECT_EQ(test, dho_set_filter("vgem\n", 5), 0);
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, observed_reports(), reports + 2);
	KUNIT_EXPECT_EQ(test, dho_set_filter("system", 6), 0);
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, observed_reports(), reports + 3);
	KUNIT_EXPECT_EQ(test, dho_set_filter("0123456789012345678901234567890123", 34), -EINVAL);
	KUNIT_EXPECT_EQ(test, dho_set_filter("sys\ntem", 8), -EINVAL);
	KUNIT_EXPECT_EQ(test, dho_set_filter("sys\x7f", 4), -EINVAL);
	KUNIT_EXPECT_EQ(test, dho_set_filter("", 0), 0);

	/* num_errors: no more reports in the log */
	dho_num_errors = 0;
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	KUNIT_EXPECT_EQ(test, observed_reports(), reports + 3);
	owner_expect(test, DHO_CPU_ACCESS_UNBALANCED, 6);

	/* reset */
	dho_reset();
	KUNIT_EXPECT_EQ(test, dho_error_count(), 0L);
	owner_snapshot(test);

	/* disabled: buffers are forgotten and new ones untracked */
	dho_set_enabled(false);
	KUNIT_EXPECT_FALSE(test, to_buffer(dmabuf)->owner->tracked);
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	dma_buf_put(dmabuf);
	dmabuf = owner_test_alloc(test);
	/* an untracked buffer has no record at all */
	KUNIT_EXPECT_NULL(test, to_buffer(dmabuf)->owner);
	dma_buf_end_cpu_access(dmabuf, DMA_BIDIRECTIONAL);
	owner_expect_none(test);
	dho_set_enabled(true);
	dma_buf_put(dmabuf);

	dmabuf = owner_test_alloc(test);
	KUNIT_EXPECT_TRUE(test, to_buffer(dmabuf)->owner->tracked);
	dma_buf_put(dmabuf);
}

static void owner_register_tp(struct tracepoint *tp, void *ignore)
{
	check_trace_callback_type_console(probe_console);
	if (!strcmp(tp->name, "console"))
		WARN_ON(tracepoint_probe_register(tp, probe_console, NULL));
}

static void owner_unregister_tp(struct tracepoint *tp, void *ignore)
{
	if (!strcmp(tp->name, "console"))
		tracepoint_probe_unregister(tp, probe_console, NULL);
}

static int owner_suite_init(struct kunit_suite *suite)
{
	for_each_kernel_tracepoint(owner_register_tp, NULL);
	return 0;
}

static void owner_suite_exit(struct kunit_suite *suite)
{
	for_each_kernel_tracepoint(owner_unregister_tp, NULL);
	tracepoint_synchronize_unregister();
	/* leave the counters as a fresh boot has them */
	dho_all_errors = false;
	dho_num_errors = 100;
	dho_reset();
}

static struct kunit_case owner_test_cases[] = {
	KUNIT_CASE(owner_transitions),
	KUNIT_CASE(owner_nested_windows),
	KUNIT_CASE(owner_cpu_access_unowned),
	KUNIT_CASE(owner_device_access_vmapped),
	KUNIT_CASE(owner_vmap_flush_missing),
	KUNIT_CASE(owner_vmap_invalidate_missing),
	KUNIT_CASE(owner_device_access_cpu_owned),
	KUNIT_CASE(owner_cpu_write_in_read_window),
	KUNIT_CASE(owner_cpu_access_unbalanced),
	KUNIT_CASE(owner_release_while_mapped),
	KUNIT_CASE(owner_kunit_hook),
	KUNIT_CASE(owner_knobs),
	{}
};

static struct kunit_suite owner_test_suite = {
	.name = "dma-heap-owner",
	.init = owner_test_init,
	.exit = owner_test_exit,
	.suite_init = owner_suite_init,
	.suite_exit = owner_suite_exit,
	.test_cases = owner_test_cases,
};

kunit_test_suite(owner_test_suite);

MODULE_DESCRIPTION("KUnit tests for the DMA-BUF heap ownership tracker");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
