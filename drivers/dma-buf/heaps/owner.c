// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-BUF heap ownership tracker: the record and the state machine.
 *
 * A tracked helper buffer has a &struct dma_heap_owner.  The helpers call a
 * hook at each transition; the hook takes the buffer's lock (the CPU access
 * hooks run under the helper's), checks the transition against the owner
 * and the mappings, records it, and collects any violation into a
 * &struct dho_pending that is reported (counted, traced, printed) once the
 * lock is dropped.
 *
 * How each access is seen:
 * - userspace: every user PTE of the buffer is zapped whenever it leaves
 *   CPU ownership, a device takes it, a CPU window opens on it or its last
 *   writable window closes, so the next touch faults here.  A legal fault,
 *   in a window, maps the whole mapping as the window allows (read-only in
 *   a read window, so a write faults too); a fault outside a window maps
 *   one page, so that each report keeps its exact page and task.
 * - the kernel through the vmap alias: the accessed and dirty bits of the
 *   alias's PTEs, sampled and cleared at every transition (owner-arch.c).
 *   What they show is attributed to the state the buffer was in since the
 *   previous transition.
 * - devices: the map and unmap hooks.
 *
 * Lock order: dho_buffers_lock, then a buffer's lock.  Nothing is printed
 * under either.
 */

#include <kunit/visibility.h>
#include <linux/dma-buf.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/mm.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <uapi/linux/dma-buf.h>
#include <uapi/linux/dma-heap.h>

#include "owner.h"

#define CREATE_TRACE_POINTS
#include <trace/events/dma_heap_owner.h>

/* Tracking on or off (owner-setup.c): the static branch of every hook. */
DEFINE_STATIC_KEY_TRUE(dma_heap_owner_key);
EXPORT_SYMBOL_GPL(dma_heap_owner_key);

VISIBLE_IF_KUNIT noinline depot_stack_handle_t dho_save_stack(void)
{
	unsigned long entries[16] __uninitialized;
	unsigned int nr;

	nr = stack_trace_save(entries, ARRAY_SIZE(entries), 1);
	return stack_depot_save(entries, nr, GFP_KERNEL);
}
EXPORT_SYMBOL_IF_KUNIT(dho_save_stack);

static unsigned int dho_depth(const struct dma_heap_owner *o)
{
	return dho_cpu_depth(o);
}

/*
 * Is a CPU write allowed by the open windows?  A read window is
 * FROM_DEVICE; a DMA_NONE window says nothing, so it does not forbid one.
 */
static bool dho_window_writable(const struct dma_heap_owner *o)
{
	return o->cpu_win[DMA_BIDIRECTIONAL] || o->cpu_win[DMA_TO_DEVICE] ||
	       o->cpu_win[DMA_NONE];
}

/* The window slot of a direction; a value out of the enum counts as NONE. */
static unsigned int dho_win_slot(enum dma_data_direction dir)
{
	return (unsigned int)dir <= DMA_NONE ? dir : DMA_NONE;
}

static_assert(sizeof_field(struct dma_heap_owner_event, who) ==
	      sizeof_field(struct task_struct, comm));

static struct dma_heap_owner_event *
dho_record(struct heap_helper_buffer *buffer, enum dma_heap_owner_op op,
	   unsigned int dir, const char *dev, depot_stack_handle_t stack)
{
	struct dma_heap_owner *o = buffer->owner;
	struct dma_heap_owner_event *ev = &o->hist[o->hist_next];

	lockdep_assert_held(&buffer->lock);

	ev->ts = local_clock();
	ev->uip = 0;
	ev->stack = stack;
	ev->op = op;
	ev->owner = o->owner;
	ev->dir = dir;
	if (dev) {
		ev->pid = 0;
		ev->tgid = 0;
		strscpy(ev->who, dev, sizeof(ev->who));
	} else {
		ev->pid = task_pid_nr(current);
		ev->tgid = task_tgid_nr(current);
		/*
		 * As the sched tracepoints do: comm is always NUL-terminated
		 * in its last byte, even while its task renames itself.
		 */
		memcpy(ev->who, current->comm, sizeof(ev->who));
	}
	o->hist_next = (o->hist_next + 1) % DHO_HIST_LEN;
	if (o->hist_len < DHO_HIST_LEN)
		o->hist_len++;
	return ev;
}

static void dho_set_owner(struct heap_helper_buffer *buffer,
			  enum dma_heap_owner_state owner,
			  struct dma_heap_owner_event *ev)
{
	struct dma_heap_owner *o = buffer->owner;

	lockdep_assert_held(&buffer->lock);
	if (o->owner == owner)
		return;
	o->owner = owner;
	ev->owner = owner;
	o->owner_ev = *ev;
}

/*
 * Zap every user PTE of the buffer: the next user touch faults.  Only the
 * fault hook maps a tracked buffer (fork copies what it mapped), so there
 * is nothing to zap until it has run: a SYNC cycle on an untouched mapping
 * walks no page table.
 */
static void dho_zap_user(struct heap_helper_buffer *buffer)
{
	lockdep_assert_held(&buffer->lock);
	if (!buffer->owner->user_mapped)
		return;
	unmap_mapping_range(buffer->dmabuf->file->f_mapping, 0, 0, 1);
	buffer->owner->user_mapped = false;
}

static struct dho_violation *
dho_violation(struct heap_helper_buffer *buffer, struct dho_pending *p,
	      enum dma_heap_owner_class cls, const char *what,
	      depot_stack_handle_t stack)
{
	struct dma_heap_owner *o = buffer->owner;
	struct dho_violation *v;

	lockdep_assert_held(&buffer->lock);
	if (WARN_ON_ONCE(p->n >= DHO_MAX_PENDING))
		return NULL;

	v = &p->v[p->n++];
	memset(v, 0, sizeof(*v));
	v->cls = cls;
	v->report = dho_all_errors || !(o->reported & BIT(cls));
	o->reported |= BIT(cls);
	v->dir = DMA_NONE;
	v->owner = o->owner;
	v->cpu_depth = dho_depth(o);
	v->vmap_cnt = buffer->vmap_cnt;
	v->ino = o->ino;
	v->size = buffer->size;
	v->pgoff = -1;
	v->heap = buffer->heap_name;
	strscpy(v->exporter, buffer->dmabuf->exp_name ?: "", sizeof(v->exporter));
	spin_lock(&buffer->dmabuf->name_lock);
	strscpy(v->name, buffer->dmabuf->name ?: "", sizeof(v->name));
	spin_unlock(&buffer->dmabuf->name_lock);
	v->pid = task_pid_nr(current);
	v->tgid = task_tgid_nr(current);
	strscpy(v->comm, current->comm, sizeof(v->comm));
	v->what = what;
	v->stack = stack;
	v->ts = local_clock();
	v->owner_ev = o->owner_ev;
	if (buffer->vmap_cnt) {
		v->vmapped = true;
		v->vmap_ev = o->vmap_ev;
	}
	return v;
}

static void dho_set_device(struct dho_violation *v,
			   struct heap_helper_attachment *a)
{
	if (!v)
		return;
	strscpy(v->dev, a->owner.name, sizeof(v->dev));
	strscpy(v->drv, dev_driver_string(a->dev), sizeof(v->drv));
	v->dir = a->dir;
}

#define DHO_ALIAS_WRITE \
	"kernel write through the vmap alias outside begin/end_cpu_access (seen at the next transition)"
#define DHO_ALIAS_READ \
	"kernel read through the vmap alias outside begin/end_cpu_access (seen at the next transition)"

/*
 * Read and clear the vmap alias's accessed and dirty bits, and judge what
 * the kernel did through it since the last transition, in the state the
 * buffer was in then.  Returns the stack for the transition's record:
 * @stack, or, if @stack is 0 and the alias was touched, the one saved here.
 */
static depot_stack_handle_t dho_check_alias(struct heap_helper_buffer *buffer,
					    struct dho_pending *p,
					    depot_stack_handle_t stack)
{
	struct dma_heap_owner *o = buffer->owner;
	struct dho_alias_bits bits;
	struct dho_violation *v = NULL;

	lockdep_assert_held(&buffer->lock);
	if (!buffer->vmap_cnt || !dho_arch_alias_supported())
		return stack;

	dho_arch_alias_sample(buffer->vaddr, buffer->pagecount, &bits);
	if (!bits.accessed)
		return stack;
	if (!stack)
		stack = dho_save_stack();
	if (bits.dirty)
		o->alias_dirty = true;

	if (o->owner != DHO_OWNER_CPU) {
		if (o->owner == DHO_OWNER_NONE && o->alias_stale)
			v = dho_violation(buffer, p, DHO_VMAP_FLUSH_MISSING,
					  "kernel access through the vmap alias after a device had the buffer, without invalidate_kernel_vmap_range (seen at the next transition)",
					  stack);
		else
			v = dho_violation(buffer, p, DHO_CPU_ACCESS_UNOWNED,
					  bits.dirty ? DHO_ALIAS_WRITE : DHO_ALIAS_READ,
					  stack);
	} else if (bits.dirty && !dho_window_writable(o)) {
		v = dho_violation(buffer, p, DHO_CPU_WRITE_IN_READ_WINDOW,
				  "kernel write through the vmap alias inside a read-only CPU window",
				  stack);
	}
	if (v) {
		v->alias = true;
		v->write = bits.dirty;
		v->pgoff = bits.first;
	}
	return stack;
}

/* Unlocked: spares untracked buffers the stack trace; rechecked locked. */
static bool dho_tracked_hint(struct heap_helper_buffer *buffer)
{
	struct dma_heap_owner *o = READ_ONCE(buffer->owner);

	return o && READ_ONCE(o->tracked);
}

/*
 * @buffer->owner is set before the buffer is published and cleared by the
 * release hook, after which no hook runs: read unlocked.
 */
static bool dho_lock_tracked(struct heap_helper_buffer *buffer)
{
	if (!READ_ONCE(buffer->owner))
		return false;
	mutex_lock(&buffer->lock);
	if (buffer->owner->tracked)
		return true;
	mutex_unlock(&buffer->lock);
	return false;
}

static void dho_unlock_report(struct heap_helper_buffer *buffer,
			      struct dho_pending *p)
{
	mutex_unlock(&buffer->lock);
	dho_report_pending(p);
}

void __dma_heap_owner_alloc(struct heap_helper_buffer *buffer)
{
	struct dma_heap_owner_event *ev;
	depot_stack_handle_t stack;
	struct dma_heap_owner *o;
	unsigned long uip;

	if (!dho_record_cache)
		return;
	o = kmem_cache_zalloc(dho_record_cache, GFP_KERNEL | __GFP_NOWARN);
	if (!o) {
		dho_disable_oom("a buffer record");
		return;
	}
	uip = dho_ioctl_user_ip(DMA_HEAP_IOCTL_ALLOC);
	stack = uip ? 0 : dho_save_stack();
	INIT_LIST_HEAD(&o->vmas);
	o->buffer = buffer;
	o->ino = file_inode(buffer->dmabuf->file)->i_ino;
	o->owner = DHO_OWNER_NONE;

	mutex_lock(&dho_buffers_lock);
	mutex_lock(&buffer->lock);
	/* recheck under the lock dho_set_enabled() takes */
	if (dma_heap_owner_enabled()) {
		o->tracked = true;
		buffer->owner = o;	/* the buffer is not published yet */
		ev = dho_record(buffer, DHO_OP_ALLOC, DMA_NONE, NULL, stack);
		ev->uip = uip;
		o->owner_ev = *ev;
		list_add_tail(&o->node, &dho_buffers);
		trace_alloc(buffer, "alloc", DMA_NONE, NULL, -1);
		o = NULL;
	}
	mutex_unlock(&buffer->lock);
	mutex_unlock(&dho_buffers_lock);
	if (o)
		kmem_cache_free(dho_record_cache, o);
}

void __dma_heap_owner_release(struct heap_helper_buffer *buffer)
{
	struct dma_heap_owner *o = buffer->owner;
	struct dho_pending p __uninitialized;
	struct heap_helper_attachment *a;
	struct dma_heap_owner_vma *r, *tmp;
	depot_stack_handle_t stack = 0;

	dho_pending_init(&p);
	/*
	 * Called whatever the static key says (dma_heap_owner_release()).
	 * A buffer with a record was listed at alloc; taking the list lock
	 * waits for a dho_set_enabled() walk that may be looking at it.
	 */
	if (!o)
		return;

	mutex_lock(&dho_buffers_lock);
	list_del_init(&o->node);
	mutex_unlock(&dho_buffers_lock);

	mutex_lock(&buffer->lock);
	if (o->tracked) {
		/* One report for the buffer, naming the first attachment. */
		a = list_first_entry_or_null(&buffer->attachments,
					     struct heap_helper_attachment, list);
		if (a) {
			/* the record is freed below: a stack only for a report */
			stack = dho_save_stack();
			dho_set_device(dho_violation(buffer, &p, DHO_RELEASE_WHILE_MAPPED,
						     "buffer released with an attachment left",
						     stack), a);
		}
		dho_record(buffer, DHO_OP_RELEASE, DMA_NONE, NULL, stack);
		trace_release(buffer, "release", DMA_NONE, NULL, -1);
		WRITE_ONCE(o->tracked, false);
	}
	list_for_each_entry_safe(r, tmp, &o->vmas, list) {
		list_del(&r->list);
		kfree(r);
	}
	dho_unlock_report(buffer, &p);
	/* after the report: it was made from the record's copies */
	buffer->owner = NULL;
	kmem_cache_free(dho_record_cache, o);
}

void __dma_heap_owner_attach(struct heap_helper_buffer *buffer,
			     struct heap_helper_attachment *a)
{
	if (!dho_lock_tracked(buffer))
		return;
	strscpy(a->owner.name, dev_name(a->dev), sizeof(a->owner.name));
	mutex_unlock(&buffer->lock);
}

/* The attachment stops being mapped: by unmap, or by a buggy detach. */
static void dho_unmapped(struct heap_helper_buffer *buffer,
			 struct heap_helper_attachment *a,
			 depot_stack_handle_t stack)
{
	struct dma_heap_owner *o = buffer->owner;
	struct dma_heap_owner_event *ev;

	lockdep_assert_held(&buffer->lock);
	if (!a->owner.counted)
		return;
	a->owner.counted = false;
	o->nr_mapped--;
	ev = dho_record(buffer, DHO_OP_DEV_UNMAP, a->dir, a->owner.name, stack);
	if (!o->nr_mapped && o->owner == DHO_OWNER_DEVICE)
		dho_set_owner(buffer, DHO_OWNER_NONE, ev);
	trace_dev_unmap(buffer, "dev_unmap", a->dir, a->owner.name, -1);
}

void __dma_heap_owner_detach(struct heap_helper_buffer *buffer,
			     struct heap_helper_attachment *a)
{
	struct dho_pending p __uninitialized;
	depot_stack_handle_t stack;

	dho_pending_init(&p);
	/* a detach after its unmap, the right way, records nothing */
	if (!dho_lock_tracked(buffer))
		return;
	if (a->owner.counted) {
		stack = dho_save_stack();
		dho_set_device(dho_violation(buffer, &p, DHO_RELEASE_WHILE_MAPPED,
					     "attachment detached while still mapped",
					     stack), a);
		dho_check_alias(buffer, &p, stack);
		dho_unmapped(buffer, a, stack);
	}
	dho_unlock_report(buffer, &p);
}

void __dma_heap_owner_map(struct heap_helper_buffer *buffer,
			  struct heap_helper_attachment *a)
{
	struct dma_heap_owner *o;
	struct dho_pending p __uninitialized;
	depot_stack_handle_t stack;
	struct dma_heap_owner_event *ev;
	struct dho_violation *v = NULL;

	dho_pending_init(&p);
	if (!dho_tracked_hint(buffer))
		return;
	stack = dho_save_stack();
	if (!dho_lock_tracked(buffer))
		return;
	o = buffer->owner;
	if (!a->owner.name[0])	/* attached while tracking was off */
		strscpy(a->owner.name, dev_name(a->dev), sizeof(a->owner.name));

	dho_check_alias(buffer, &p, stack);

	/* One event, one class: the most specific that fits. */
	if (o->owner == DHO_OWNER_CPU && buffer->vmap_cnt)
		v = dho_violation(buffer, &p, DHO_DEVICE_ACCESS_VMAPPED,
				  "device mapped the buffer while a CPU window was open on a live vmap alias",
				  stack);
	else if (o->owner == DHO_OWNER_CPU)
		v = dho_violation(buffer, &p, DHO_DEVICE_ACCESS_CPU_OWNED,
				  "device mapped the buffer while a CPU window was open",
				  stack);
	else if (buffer->vmap_cnt && o->alias_dirty)
		v = dho_violation(buffer, &p, DHO_VMAP_FLUSH_MISSING,
				  "device mapped the buffer while the vmap alias held writes not covered by flush_kernel_vmap_range",
				  stack);
	dho_set_device(v, a);
	if (v && v->cls == DHO_VMAP_FLUSH_MISSING)
		o->alias_dirty = false;	/* reported once */

	if (!a->owner.counted) {	/* the helper refuses a second map */
		a->owner.counted = true;
		o->nr_mapped++;
	}
	o->alias_stale = true;
	a->owner.map_stack = stack;
	ev = dho_record(buffer, DHO_OP_DEV_MAP, a->dir, a->owner.name, stack);
	if (o->owner != DHO_OWNER_CPU) {
		dho_set_owner(buffer, DHO_OWNER_DEVICE, ev);
		dho_zap_user(buffer);
	}
	trace_dev_map(buffer, "dev_map", a->dir, a->owner.name, -1);
	dho_unlock_report(buffer, &p);
}

void __dma_heap_owner_unmap(struct heap_helper_buffer *buffer,
			    struct heap_helper_attachment *a)
{
	struct dho_pending p __uninitialized;
	depot_stack_handle_t stack;

	dho_pending_init(&p);
	if (!dho_tracked_hint(buffer))
		return;
	stack = dho_save_stack();
	if (!dho_lock_tracked(buffer))
		return;
	if (a->owner.counted) {
		dho_check_alias(buffer, &p, stack);
		dho_unmapped(buffer, a, stack);
	}
	dho_unlock_report(buffer, &p);
}

/*
 * The CPU access hooks run inside the helper's critical section, after its
 * invalidate and before its flush, so that a window opens and closes in
 * one step with its cache maintenance and a SYNC takes the buffer's lock
 * once.  They collect violations into the helper's @p, reported after it
 * drops the lock.
 */
static bool dho_tracked_locked(struct heap_helper_buffer *buffer)
{
	lockdep_assert_held(&buffer->lock);
	return buffer->owner && buffer->owner->tracked;
}

void __dma_heap_owner_cpu_begin(struct heap_helper_buffer *buffer,
				enum dma_data_direction dir,
				struct dho_pending *p)
{
	depot_stack_handle_t stack;
	struct dma_heap_owner_event *ev;
	struct dma_heap_owner *o;
	unsigned long uip;

	if (!dho_tracked_locked(buffer))
		return;
	o = buffer->owner;
	uip = dho_ioctl_user_ip(DMA_BUF_IOCTL_SYNC);
	stack = uip ? 0 : dho_save_stack();
	dho_check_alias(buffer, p, stack);

	o->cpu_win[dho_win_slot(dir)]++;
	/* the helper has just invalidated a live alias */
	o->alias_stale = false;
	ev = dho_record(buffer, DHO_OP_CPU_BEGIN, dir, NULL, stack);
	ev->uip = uip;
	/*
	 * Pages a violation left mapped must fault again, so that a write in
	 * this window is judged against its direction.
	 */
	if (o->owner != DHO_OWNER_CPU)
		dho_zap_user(buffer);
	dho_set_owner(buffer, DHO_OWNER_CPU, ev);
	trace_cpu_begin(buffer, "cpu_begin", dir, NULL, -1);
}

void __dma_heap_owner_cpu_end(struct heap_helper_buffer *buffer,
			      enum dma_data_direction dir,
			      struct dho_pending *p)
{
	depot_stack_handle_t stack;
	struct dma_heap_owner_event *ev;
	struct dma_heap_owner *o;
	struct dho_violation *v;
	bool was_writable;
	unsigned long uip;
	int d;

	if (!dho_tracked_locked(buffer))
		return;
	o = buffer->owner;
	uip = dho_ioctl_user_ip(DMA_BUF_IOCTL_SYNC);
	stack = uip ? 0 : dho_save_stack();
	/* what the alias did inside the window, judged in it */
	dho_check_alias(buffer, p, stack);

	if (!dho_depth(o)) {
		/* the violation itself keeps its full stack */
		v = dho_violation(buffer, p, DHO_CPU_ACCESS_UNBALANCED,
				  "end_cpu_access without begin_cpu_access",
				  stack ?: dho_save_stack());
		if (v) {
			v->dir = dir;
			v->uip = uip;
		}
		ev = dho_record(buffer, DHO_OP_CPU_END, dir, NULL, stack);
		ev->uip = uip;
		goto out;
	}

	was_writable = dho_window_writable(o);
	if (!o->cpu_win[dho_win_slot(dir)]) {
		v = dho_violation(buffer, p, DHO_CPU_ACCESS_UNBALANCED,
				  "end_cpu_access with another direction than begin_cpu_access",
				  stack ?: dho_save_stack());
		if (v) {
			v->dir = dir;
			v->uip = uip;
		}
		/* close some window anyway, so the state moves on */
		for (d = 0; d < ARRAY_SIZE(o->cpu_win); d++)
			if (o->cpu_win[d])
				break;
		o->cpu_win[d]--;
	} else {
		o->cpu_win[dho_win_slot(dir)]--;
	}

	ev = dho_record(buffer, DHO_OP_CPU_END, dir, NULL, stack);
	ev->uip = uip;
	if (!dho_depth(o)) {
		dho_set_owner(buffer, o->nr_mapped ? DHO_OWNER_DEVICE :
				      DHO_OWNER_NONE, ev);
		dho_zap_user(buffer);
	} else if (was_writable && !dho_window_writable(o)) {
		/* only read windows left: writable pages must fault again */
		dho_zap_user(buffer);
	}
out:
	trace_cpu_end(buffer, "cpu_end", dir, NULL, -1);
}

/*
 * After end_cpu_access's flush, still under its lock: the alias holds
 * nothing unflushed, but for what the kernel did through it since the end
 * hook sampled it, which is judged against the new owner.
 */
void __dma_heap_owner_cpu_end_flushed(struct heap_helper_buffer *buffer,
				      struct dho_pending *p)
{
	/*
	 * Without an alias there is nothing to sample, and alias_dirty means
	 * nothing (the next vmap resets it).
	 */
	if (!buffer->vmap_cnt || !dho_tracked_locked(buffer))
		return;
	buffer->owner->alias_dirty = false;
	dho_check_alias(buffer, p, 0);
}

void __dma_heap_owner_vmap(struct heap_helper_buffer *buffer)
{
	struct dma_heap_owner *o = buffer->owner;
	struct dma_heap_owner_event *ev;
	depot_stack_handle_t stack;

	if (!dho_tracked_hint(buffer))
		return;
	stack = dho_save_stack();
	if (!dho_lock_tracked(buffer))
		return;
	if (buffer->vmap_cnt == 1) {
		/* A new alias: PAGE_KERNEL presets the bits, clear them. */
		if (dho_arch_alias_supported())
			dho_arch_alias_clear_new(buffer->vaddr,
						 buffer->pagecount);
		o->alias_dirty = false;
		o->alias_stale = false;
	}
	ev = dho_record(buffer, DHO_OP_VMAP, DMA_NONE, NULL, stack);
	if (buffer->vmap_cnt == 1)
		o->vmap_ev = *ev;
	trace_vmap(buffer, "vmap", DMA_NONE, NULL, -1);
	mutex_unlock(&buffer->lock);
}

/*
 * No stack but for a report: the alias's stack is its vmap's, and a
 * vunmap is recorded by who made it.
 */
void __dma_heap_owner_vunmap(struct heap_helper_buffer *buffer)
{
	struct dho_pending p __uninitialized;
	depot_stack_handle_t stack;

	dho_pending_init(&p);
	if (!dho_lock_tracked(buffer))
		return;
	stack = dho_check_alias(buffer, &p, 0);
	dho_record(buffer, DHO_OP_VUNMAP, DMA_NONE, NULL, stack);
	trace_vunmap(buffer, "vunmap", DMA_NONE, NULL, -1);
	dho_unlock_report(buffer, &p);
}

void __dma_heap_owner_vma_open(struct heap_helper_buffer *buffer,
			       struct vm_area_struct *vma)
{
	struct dma_heap_owner_vma *r;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!dho_lock_tracked(buffer)) {
		kfree(r);
		return;
	}
	if (!r) {
		mutex_unlock(&buffer->lock);
		dho_disable_oom("a user mapping record");
		return;
	}
	r->vma = vma;
	/* fork copies the mapping from the parent: the child is named later */
	if (vma->vm_mm == current->mm) {
		r->pid = task_pid_nr(current);
		strscpy(r->comm, current->comm, sizeof(r->comm));
	}
	list_add_tail(&r->list, &buffer->owner->vmas);
	mutex_unlock(&buffer->lock);
}

void __dma_heap_owner_vma_close(struct heap_helper_buffer *buffer,
				struct vm_area_struct *vma)
{
	struct dma_heap_owner_vma *r, *found = NULL;

	if (!dho_lock_tracked(buffer))
		return;
	list_for_each_entry(r, &buffer->owner->vmas, list) {
		if (r->vma == vma) {
			found = r;
			list_del(&r->list);
			break;
		}
	}
	mutex_unlock(&buffer->lock);
	kfree(found);
}

vm_fault_t __dma_heap_owner_fault(struct heap_helper_buffer *buffer,
				  struct vm_fault *vmf, bool *handled)
{
	struct vm_area_struct *vma = vmf->vma;
	bool mkwrite = vmf->flags & FAULT_FLAG_MKWRITE;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	struct dho_pending p __uninitialized;
	struct dma_heap_owner_vma *r;
	struct dho_violation *v = NULL;
	struct dma_heap_owner *o;
	bool writable;
	vm_fault_t ret;

	dho_pending_init(&p);
	*handled = false;
	if (!dho_lock_tracked(buffer))
		return 0;
	*handled = true;
	o = buffer->owner;

	list_for_each_entry(r, &o->vmas, list) {
		if (r->vma != vma)
			continue;
		r->faults++;
		if (!r->pid && vma->vm_mm == current->mm) {
			r->pid = task_pid_nr(current);
			strscpy(r->comm, current->comm, sizeof(r->comm));
		}
	}

	if (o->owner != DHO_OWNER_CPU)
		v = dho_violation(buffer, &p, DHO_CPU_ACCESS_UNOWNED,
				  write ? "user write through mmap without DMA_BUF_IOCTL_SYNC" :
					  "user read through mmap without DMA_BUF_IOCTL_SYNC",
				  0);
	else if (write && !dho_window_writable(o))
		v = dho_violation(buffer, &p, DHO_CPU_WRITE_IN_READ_WINDOW,
				  "user write through mmap inside a DMA_BUF_SYNC_READ window",
				  0);
	if (v) {
		p.where = dho_user_where(vma);
		v->where = p.where;
		v->user = true;
		v->write = write;
		/* as in the user_fault event: a write goes to the device */
		v->dir = write ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
		v->uaddr = vmf->address;
		v->pgoff = vmf->pgoff;
	}

	dho_record(buffer, DHO_OP_USER_FAULT, write ? DMA_TO_DEVICE :
		   DMA_FROM_DEVICE, NULL, 0);
	trace_user_fault(buffer, "user_fault", write ? DMA_TO_DEVICE :
			 DMA_FROM_DEVICE, NULL, vmf->pgoff);

	if (!(v && dho_strict))
		o->user_mapped = true;	/* mkwrite too: the page was mapped */
	if (v && dho_strict) {
		ret = VM_FAULT_SIGBUS;
	} else if (mkwrite) {
		ret = 0;
	} else if (!v) {
		/*
		 * A legal access, in a window: one fault maps the mapping, as
		 * the window allows (read-only in a read window, so a write
		 * still faults).  Every user PTE is zapped when the window
		 * closes, under this lock.
		 */
		ret = heap_helper_insert_all(buffer, vma, dho_window_writable(o));
	} else {
		/*
		 * Outside a window, one page at a time, so that every report
		 * keeps its exact page and task.  Map as the access needs: a
		 * later write to a read mapping faults.
		 */
		writable = write || (o->owner == DHO_OWNER_CPU && dho_window_writable(o));
		ret = heap_helper_insert_page(buffer, vma, vmf->address & PAGE_MASK,
					      vmf->pgoff, writable);
	}
	dho_unlock_report(buffer, &p);
	return ret;
}
