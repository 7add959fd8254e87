// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-BUF heap ownership tracker: switching tracking on and off (the boot
 * parameter, debugfs, running out of memory), the list of tracked buffers
 * and the slab cache of their records, and the names of the ABI's enums.
 *
 * Lock order: dho_enable_lock, then dho_buffers_lock, then a buffer's lock.
 */

#include <kunit/visibility.h>
#include <linux/dma-direction.h>
#include <linux/init.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/stackdepot.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "owner.h"

/* Tracked buffers, for debugfs and for switching tracking off. */
LIST_HEAD(dho_buffers);			/* under dho_buffers_lock */
DEFINE_MUTEX(dho_buffers_lock);		/* guards dho_buffers and the nodes */

static DEFINE_MUTEX(dho_enable_lock);	/* serialises dho_set_enabled() */
struct kmem_cache *dho_record_cache;		/* struct dma_heap_owner */
static bool dho_off_at_boot;

static const char *const dho_class_names[] = {
	[DHO_CPU_ACCESS_UNOWNED] = "cpu_access_unowned",
	[DHO_DEVICE_ACCESS_VMAPPED] = "device_access_vmapped",
	[DHO_VMAP_FLUSH_MISSING] = "vmap_flush_missing",
	[DHO_DEVICE_ACCESS_CPU_OWNED] = "device_access_cpu_owned",
	[DHO_CPU_WRITE_IN_READ_WINDOW] = "cpu_write_in_read_window",
	[DHO_CPU_ACCESS_UNBALANCED] = "cpu_access_unbalanced",
	[DHO_RELEASE_WHILE_MAPPED] = "release_while_mapped",
};

static_assert(ARRAY_SIZE(dho_class_names) == DHO_NR_CLASSES);

static const char *const dho_op_names[] = {
	[DHO_OP_ALLOC] = "alloc",
	[DHO_OP_RELEASE] = "release",
	[DHO_OP_CPU_BEGIN] = "cpu_begin",
	[DHO_OP_CPU_END] = "cpu_end",
	[DHO_OP_DEV_MAP] = "dev_map",
	[DHO_OP_DEV_UNMAP] = "dev_unmap",
	[DHO_OP_VMAP] = "vmap",
	[DHO_OP_VUNMAP] = "vunmap",
	[DHO_OP_USER_FAULT] = "user_fault",
};

static_assert(ARRAY_SIZE(dho_op_names) == DHO_NR_OPS);

static const char *const dho_owner_names[] = {
	[DHO_OWNER_NONE] = "none",
	[DHO_OWNER_CPU] = "cpu",
	[DHO_OWNER_DEVICE] = "device",
};

/**
 * dho_class_name() - the ABI name of a violation class
 * @cls: &enum dma_heap_owner_class
 *
 * Return: the name, or "?" out of range.
 */
const char *dho_class_name(unsigned int cls)
{
	return cls < DHO_NR_CLASSES ? dho_class_names[cls] : "?";
}
EXPORT_SYMBOL_IF_KUNIT(dho_class_name);

/**
 * dho_op_name() - the name of a recorded operation
 * @op: &enum dma_heap_owner_op
 *
 * Return: the name, or "?" out of range.
 */
const char *dho_op_name(unsigned int op)
{
	return op < DHO_NR_OPS ? dho_op_names[op] : "?";
}

/**
 * dho_owner_name() - the name of an owner
 * @owner: &enum dma_heap_owner_state
 *
 * Return: the name, or "?" out of range.
 */
const char *dho_owner_name(unsigned int owner)
{
	return owner < ARRAY_SIZE(dho_owner_names) ? dho_owner_names[owner] : "?";
}

/**
 * dho_dir_name() - the name of a DMA direction
 * @dir: &enum dma_data_direction
 *
 * Return: the name.
 */
const char *dho_dir_name(unsigned int dir)
{
	switch (dir) {
	case DMA_BIDIRECTIONAL:
		return "bidirectional";
	case DMA_TO_DEVICE:
		return "to_device";
	case DMA_FROM_DEVICE:
		return "from_device";
	default:
		return "none";
	}
}

/* Stop tracking a buffer: its record goes stale while hooks are off. */
static void dho_untrack(struct heap_helper_buffer *buffer)
{
	struct dma_heap_owner_vma *r, *tmp;

	lockdep_assert_held(&dho_buffers_lock);
	mutex_lock(&buffer->lock);
	WRITE_ONCE(buffer->owner->tracked, false);
	list_for_each_entry_safe(r, tmp, &buffer->owner->vmas, list) {
		list_del(&r->list);
		kfree(r);
	}
	mutex_unlock(&buffer->lock);
}

/**
 * dho_set_enabled() - switch tracking on or off
 * @on: the new state
 *
 * Switching off forgets every tracked buffer (its record would go stale);
 * switching on tracks the buffers allocated from then on.
 */
void dho_set_enabled(bool on)
{
	struct dma_heap_owner *o, *tmp;

	mutex_lock(&dho_enable_lock);
	if (on == dma_heap_owner_enabled())
		goto out;
	if (on) {
		static_branch_enable(&dma_heap_owner_key);
		goto out;
	}
	static_branch_disable(&dma_heap_owner_key);
	mutex_lock(&dho_buffers_lock);
	list_for_each_entry_safe(o, tmp, &dho_buffers, node) {
		dho_untrack(o->buffer);
		list_del_init(&o->node);
	}
	mutex_unlock(&dho_buffers_lock);
out:
	mutex_unlock(&dho_enable_lock);
}
EXPORT_SYMBOL_IF_KUNIT(dho_set_enabled);

/**
 * dho_forget_reports() - let every buffer report each class again
 */
void dho_forget_reports(void)
{
	struct dma_heap_owner *o;

	mutex_lock(&dho_buffers_lock);
	list_for_each_entry(o, &dho_buffers, node) {
		struct heap_helper_buffer *buffer =
			o->buffer;

		mutex_lock(&buffer->lock);
		o->reported = 0;
		mutex_unlock(&buffer->lock);
	}
	mutex_unlock(&dho_buffers_lock);
}

static void dho_disable_work_fn(struct work_struct *work)
{
	dho_set_enabled(false);
}

static DECLARE_WORK(dho_disable_work, dho_disable_work_fn);

/**
 * dho_disable_oom() - the tracker could not allocate: switch it off
 * @what: what it failed to allocate
 *
 * Like dma-debug, say so once and stop tracking; the dma-buf operation goes
 * on.  The switch runs from a work item, since the caller may hold locks.
 */
void dho_disable_oom(const char *what)
{
	if (!dma_heap_owner_enabled())
		return;
	pr_err("dma-heap-owner: out of memory allocating %s, disabling tracking\n",
	       what);
	schedule_work(&dho_disable_work);
}

static int __init dho_setup(char *str)
{
	if (str && !strcmp(str, "off")) {
		pr_info("dma-heap-owner: tracking disabled at boot\n");
		dho_off_at_boot = true;
	}
	return 1;
}
__setup("dma_heap_owner=", dho_setup);

static int __init dho_init(void)
{
	dho_record_cache = KMEM_CACHE(dma_heap_owner, 0);
	if (!dho_record_cache) {
		pr_err("dma-heap-owner: no slab cache for the records, disabling tracking\n");
		dho_off_at_boot = true;
	}
	if (dho_off_at_boot)
		static_branch_disable(&dma_heap_owner_key);
	stack_depot_init();
	dho_debugfs_init();
	dho_arch_init();
	if (!dho_arch_alias_supported())
		pr_info("dma-heap-owner: kernel accesses through the vmap alias are not detected: %s\n",
			dho_arch_alias_why_not());
	pr_info("dma-heap-owner: %zu bytes per buffer record + %zu of history, %zu per user mapping, %zu per attachment\n",
		offsetof(struct dma_heap_owner, hist),
		sizeof_field(struct dma_heap_owner, hist),
		sizeof(struct dma_heap_owner_vma),
		sizeof(struct dma_heap_owner_attach));
	return 0;
}
fs_initcall(dho_init);
