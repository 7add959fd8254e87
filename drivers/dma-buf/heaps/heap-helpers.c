// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-BUF heap helpers: the dma_buf_ops of page-backed heap buffers.
 *
 * Ownership at every hand-off:
 *
 * - A heap allocates a &struct heap_helper_buffer, fills its sg_table with
 *   pages it owns, calls heap_helper_buffer_init() and heap_helper_export().
 *   From a successful export on, the dma-buf owns the buffer and its pages:
 *   they live until the last reference to the dma-buf file goes, when
 *   heap_helper_release() hands them back to the heap's ->free().  If the
 *   export fails, the heap still owns both and frees them itself.
 * - Each attachment owns its &struct heap_helper_attachment and the copy of
 *   the sg table in it, from heap_helper_attach() to heap_helper_detach().
 *   The pages stay the buffer's; an attachment only maps them.
 * - The vmap alias belongs to the buffer and is shared by every vmap user:
 *   created by the first heap_helper_vmap(), destroyed by the last
 *   heap_helper_vunmap().  CPU access brackets keep it coherent:
 *   invalidate_kernel_vmap_range() in begin_cpu_access,
 *   flush_kernel_vmap_range() in end_cpu_access.
 * - A user mapping references the dma-buf file (vma->vm_file), so the
 *   buffer outlives it.  Pages are mapped by the fault handler; nothing is
 *   mapped at mmap time.
 *
 * Locking: &heap_helper_buffer.lock guards the attachment list, each
 * attachment's mapped flag and direction, the vmap count and alias, and the
 * ownership record.  The pages and the sg table never change after export
 * and are read without it.  The ownership tracker's hooks take the lock
 * themselves, so the helpers call them outside their own critical sections;
 * but for the CPU access hooks, called inside begin/end_cpu_access's, so
 * that a window opens and closes in one step with its cache maintenance.
 * Those collect what they find in a &struct dho_pending that the helper
 * reports once it has dropped the lock.
 */

#include <linux/dma-buf.h>
#include <linux/dma-heap-compat.h>
#include <linux/dma-heap.h>
#include <linux/dma-heap-helpers.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "owner.h"

static LIST_HEAD(heap_helper_heaps);
static DEFINE_MUTEX(heap_helper_heaps_lock);	/* guards heap_helper_heaps */

/**
 * heap_helper_buffer_init() - initialise a heap buffer before export
 * @buffer: the buffer, zeroed, its sg_table already filled by the heap
 * @heap:   the heap it comes from
 * @size:   its size in bytes, page aligned
 * @free:   the heap's function freeing the pages and @buffer
 */
void heap_helper_buffer_init(struct heap_helper_buffer *buffer,
			     struct dma_heap *heap, size_t size,
			     void (*free)(struct heap_helper_buffer *buffer))
{
	buffer->heap_name = dma_heap_get_name(heap);
	buffer->size = size;
	buffer->pagecount = size >> PAGE_SHIFT;
	buffer->free = free;
	mutex_init(&buffer->lock);
	INIT_LIST_HEAD(&buffer->attachments);
}
EXPORT_SYMBOL_GPL(heap_helper_buffer_init);

/**
 * heap_helper_check_len() - reject lengths no heap can satisfy
 * @len: the requested length (the dma-heap core has page aligned it and
 *       rejected 0 and overflow)
 *
 * Return: 0, -EINVAL for 0, or -ENOMEM for more than the machine's RAM, so
 * that an absurd request fails at once instead of waking the OOM killer.
 */
int heap_helper_check_len(unsigned long len)
{
	if (!len || PAGE_ALIGN(len) < len)
		return -EINVAL;
	if (len >> PAGE_SHIFT > totalram_pages())
		return -ENOMEM;
	return 0;
}
EXPORT_SYMBOL_GPL(heap_helper_check_len);

/**
 * heap_helper_table_from_range() - describe a physically contiguous range
 * @table: an unallocated sg table
 * @page:  the range's first page
 * @size:  its size in bytes, page aligned and not 0
 *
 * One entry per HEAP_HELPER_MAX_SEG bytes: an sg entry's length is an
 * unsigned int, and a range of 4 GiB or more in one entry would be cut.
 *
 * Return: 0, or the error of sg_alloc_table().
 */
int heap_helper_table_from_range(struct sg_table *table, struct page *page,
				 size_t size)
{
	struct scatterlist *sg;
	size_t off = 0, len;
	int ret, i;

	ret = sg_alloc_table(table, DIV_ROUND_UP(size, HEAP_HELPER_MAX_SEG),
			     GFP_KERNEL);
	if (ret)
		return ret;
	for_each_sgtable_sg(table, sg, i) {
		len = min_t(size_t, size - off, HEAP_HELPER_MAX_SEG);
		sg_set_page(sg, nth_page(page, off >> PAGE_SHIFT), len, 0);
		off += len;
	}
	return 0;
}
EXPORT_SYMBOL_GPL(heap_helper_table_from_range);

/*
 * Index the buffer's sg table by page offset, checking that it describes
 * exactly the buffer: whole pages, no empty entry, as many bytes as @size.
 */
static int heap_helper_index(struct heap_helper_buffer *buffer)
{
	struct sg_table *table = &buffer->sg_table;
	struct scatterlist *sg;
	pgoff_t start = 0;
	int i;

	if (!table->orig_nents)
		return -EINVAL;
	buffer->segs = kvmalloc_array(table->orig_nents, sizeof(*buffer->segs),
				      GFP_KERNEL);
	if (!buffer->segs)
		return -ENOMEM;
	for_each_sgtable_sg(table, sg, i) {
		if (!sg->length || sg->offset || !PAGE_ALIGNED(sg->length))
			goto invalid;
		buffer->segs[i].start = start;
		buffer->segs[i].page = sg_page(sg);
		start += sg->length >> PAGE_SHIFT;
	}
	if (start != buffer->pagecount || buffer->pagecount << PAGE_SHIFT != buffer->size)
		goto invalid;
	buffer->nr_segs = table->orig_nents;
	return 0;

invalid:
	kvfree(buffer->segs);
	buffer->segs = NULL;
	return -EINVAL;
}

/**
 * heap_helper_free_pages() - free the pages of a buffer's sg table
 * @buffer: the buffer; each entry of its sg table is one (compound) page
 *
 * For heaps whose pages come from the page allocator.  Frees the sg table
 * too, not the buffer.
 */
void heap_helper_free_pages(struct heap_helper_buffer *buffer)
{
	struct sg_table *table = &buffer->sg_table;
	struct scatterlist *sg;
	int i;

	for_each_sgtable_sg(table, sg, i) {
		struct page *page = sg_page(sg);

		__free_pages(page, compound_order(page));
	}
	sg_free_table(table);
}
EXPORT_SYMBOL_GPL(heap_helper_free_pages);

/**
 * heap_helper_page() - the page at an offset into a buffer
 * @buffer: the buffer, exported
 * @pgoff:  page offset, below @buffer->pagecount
 *
 * A binary search of the segment index: faulting a whole buffer in is
 * O(pages * log segments), not O(pages * segments).
 *
 * Return: the page, or NULL past the end.
 */
struct page *heap_helper_page(struct heap_helper_buffer *buffer, pgoff_t pgoff)
{
	unsigned int lo = 0, hi = buffer->nr_segs, mid;

	if (pgoff >= buffer->pagecount || !hi)
		return NULL;
	/* the last segment starting at or before @pgoff */
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (buffer->segs[mid].start <= pgoff)
			lo = mid;
		else
			hi = mid;
	}
	return nth_page(buffer->segs[lo].page, pgoff - buffer->segs[lo].start);
}
EXPORT_SYMBOL_GPL(heap_helper_page);

/*
 * Copy the buffer's sg table for an attachment, splitting chunks larger than
 * the device's maximum segment size: high-order pages make long segments,
 * and an importer without dma_parms takes at most 64 KiB per segment.
 */
static int heap_helper_dup_table(struct heap_helper_buffer *buffer,
				 struct device *dev, struct sg_table *table)
{
	unsigned int max = max_t(unsigned int, PAGE_SIZE,
				 round_down(dma_get_max_seg_size(dev), PAGE_SIZE));
	struct scatterlist *sg, *new_sg;
	unsigned int nents = 0, off, len;
	int ret, i;

	for_each_sgtable_sg(&buffer->sg_table, sg, i)
		nents += (sg->length - 1) / max + 1;	/* no overflow near UINT_MAX */

	ret = sg_alloc_table(table, nents, GFP_KERNEL);
	if (ret)
		return ret;

	new_sg = table->sgl;
	for_each_sgtable_sg(&buffer->sg_table, sg, i) {
		for (off = 0; off < sg->length; off += len) {
			len = min(max, sg->length - off);
			sg_set_page(new_sg, nth_page(sg_page(sg), off >> PAGE_SHIFT),
				    len, 0);
			new_sg = sg_next(new_sg);
		}
	}
	return 0;
}

static int heap_helper_attach(struct dma_buf *dmabuf,
			      struct dma_buf_attachment *attachment)
{
	struct heap_helper_buffer *buffer = dmabuf->priv;
	struct heap_helper_attachment *a;
	int ret;

	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;

	ret = heap_helper_dup_table(buffer, attachment->dev, &a->table);
	if (ret)
		goto free_attachment;

	a->dev = attachment->dev;
	a->dir = DMA_NONE;
	INIT_LIST_HEAD(&a->list);
	attachment->priv = a;

	mutex_lock(&buffer->lock);
	list_add(&a->list, &buffer->attachments);
	mutex_unlock(&buffer->lock);

	DHO_HOOK(attach, buffer, a);
	return 0;

free_attachment:
	kfree(a);
	return ret;
}

static void heap_helper_detach(struct dma_buf *dmabuf,
			       struct dma_buf_attachment *attachment)
{
	struct heap_helper_buffer *buffer = dmabuf->priv;
	struct heap_helper_attachment *a = attachment->priv;

	DHO_HOOK(detach, buffer, a);

	mutex_lock(&buffer->lock);
	list_del(&a->list);
	mutex_unlock(&buffer->lock);

	sg_free_table(&a->table);
	kfree(a);
}

static struct sg_table *heap_helper_map_dma_buf(struct dma_buf_attachment *attachment,
						enum dma_data_direction direction)
{
	struct heap_helper_attachment *a = attachment->priv;
	struct heap_helper_buffer *buffer = attachment->dmabuf->priv;
	int ret;

	/*
	 * One table per attachment: a second map would overwrite the DMA
	 * addresses of the first.  Mark it taken before mapping.
	 */
	mutex_lock(&buffer->lock);
	if (a->mapped) {
		mutex_unlock(&buffer->lock);
		return ERR_PTR(-EBUSY);
	}
	a->mapped = true;
	mutex_unlock(&buffer->lock);

	/*
	 * Cache maintenance is explicit, here and in begin/end_cpu_access:
	 * DMA_ATTR_SKIP_CPU_SYNC tells dma-debug so, and it then accepts
	 * the same pages mapped by several attachments at once (a shared
	 * dma-buf), which it otherwise reports as overlapping mappings.
	 */
	ret = dma_map_sgtable(attachment->dev, &a->table, direction,
			      DMA_ATTR_SKIP_CPU_SYNC);
	if (!ret)
		dma_sync_sgtable_for_device(attachment->dev, &a->table, direction);
	if (ret) {
		mutex_lock(&buffer->lock);
		a->mapped = false;
		mutex_unlock(&buffer->lock);
		return ERR_PTR(ret);
	}

	mutex_lock(&buffer->lock);
	a->dir = direction;
	mutex_unlock(&buffer->lock);

	DHO_HOOK(map, buffer, a);
	return &a->table;
}

static void heap_helper_unmap_dma_buf(struct dma_buf_attachment *attachment,
				      struct sg_table *table,
				      enum dma_data_direction direction)
{
	struct heap_helper_attachment *a = attachment->priv;
	struct heap_helper_buffer *buffer = attachment->dmabuf->priv;

	DHO_HOOK(unmap, buffer, a);

	mutex_lock(&buffer->lock);
	a->mapped = false;
	a->dir = DMA_NONE;
	mutex_unlock(&buffer->lock);

	dma_sync_sgtable_for_cpu(attachment->dev, table, direction);
	dma_unmap_sgtable(attachment->dev, table, direction, DMA_ATTR_SKIP_CPU_SYNC);
}

static int heap_helper_begin_cpu_access(struct dma_buf *dmabuf,
					enum dma_data_direction direction)
{
	struct heap_helper_buffer *buffer = dmabuf->priv;
	struct heap_helper_attachment *a;
	struct dho_pending p __uninitialized;

	dho_pending_init(&p);
	mutex_lock(&buffer->lock);
	if (buffer->vmap_cnt)
		invalidate_kernel_vmap_range(buffer->vaddr, buffer->size);

	/*
	 * Each attachment is synced in the direction it was mapped with:
	 * the DMA API requires it (dma-debug WARNs otherwise), and the CPU
	 * window's direction says nothing about what the device did.
	 */
	list_for_each_entry(a, &buffer->attachments, list) {
		if (!a->mapped || a->dir == DMA_NONE)
			continue;
		dma_sync_sgtable_for_cpu(a->dev, &a->table, a->dir);
	}

	/*
	 * The window opens once the CPU's view is coherent: a user access
	 * before this still faults and is judged outside the window.
	 */
	DHO_HOOK(cpu_begin, buffer, direction, &p);
	mutex_unlock(&buffer->lock);
	dho_report_pending(&p);
	return 0;
}

static int heap_helper_end_cpu_access(struct dma_buf *dmabuf,
				      enum dma_data_direction direction)
{
	struct heap_helper_buffer *buffer = dmabuf->priv;
	struct heap_helper_attachment *a;
	struct dho_pending p __uninitialized;

	dho_pending_init(&p);
	mutex_lock(&buffer->lock);
	/*
	 * The window closes before its cache maintenance: the owner changes
	 * and user PTEs are zapped first, so that a write racing the close
	 * either lands before the flush below or faults and is reported.
	 */
	DHO_HOOK(cpu_end, buffer, direction, &p);

	if (buffer->vmap_cnt)
		flush_kernel_vmap_range(buffer->vaddr, buffer->size);

	list_for_each_entry(a, &buffer->attachments, list) {
		if (!a->mapped || a->dir == DMA_NONE)
			continue;
		dma_sync_sgtable_for_device(a->dev, &a->table, a->dir);
	}

	/* The alias is clean up to the flush: sample it after. */
	DHO_HOOK(cpu_end_flushed, buffer, &p);
	mutex_unlock(&buffer->lock);
	dho_report_pending(&p);
	return 0;
}

/*
 * The protection of a page mapped writable or not.  Read-only: a mapping
 * the CPU may write may also read (PROT_WRITE alone is readable on every
 * MMU we run on); without VM_READ a write-only mapping would get PAGE_NONE
 * and refault for ever.
 */
static pgprot_t heap_helper_prot(unsigned long flags, bool writable)
{
	if (!writable && (flags & VM_WRITE))
		flags = (flags & ~VM_WRITE) | VM_READ;
	return vm_get_page_prot(flags);
}

/**
 * heap_helper_insert_page() - map one page of a buffer into a user mapping
 * @buffer:   the buffer
 * @vma:      the user mapping, VM_PFNMAP
 * @addr:     user address of the page
 * @pgoff:    page offset into @buffer, below @buffer->pagecount
 * @writable: map it writable (the mapping must allow it)
 *
 * Return: VM_FAULT_NOPAGE on success (also if a racing fault mapped it
 * first), or a VM_FAULT_ error.
 */
vm_fault_t heap_helper_insert_page(struct heap_helper_buffer *buffer,
				   struct vm_area_struct *vma,
				   unsigned long addr, pgoff_t pgoff,
				   bool writable)
{
	struct page *page;

	page = heap_helper_page(buffer, pgoff);
	if (!page)
		return VM_FAULT_SIGBUS;
	return vmf_insert_pfn_prot(vma, addr, page_to_pfn(page),
				   heap_helper_prot(vma->vm_flags, writable));
}
EXPORT_SYMBOL_GPL(heap_helper_insert_page);

/* Map every page of the mapping that is not mapped yet, with @prot. */
static vm_fault_t heap_helper_fill_vma(struct heap_helper_buffer *buffer,
				       struct vm_area_struct *vma, pgprot_t prot)
{
	unsigned long addr = vma->vm_start;
	struct sg_page_iter piter;
	vm_fault_t ret;

	for_each_sgtable_page(&buffer->sg_table, &piter, vma->vm_pgoff) {
		ret = vmf_insert_pfn_prot(vma, addr,
					  page_to_pfn(sg_page_iter_page(&piter)),
					  prot);
		if (ret != VM_FAULT_NOPAGE)
			return ret;
		addr += PAGE_SIZE;
		if (addr >= vma->vm_end)
			break;
	}
	return VM_FAULT_NOPAGE;
}

/**
 * heap_helper_insert_all() - map the whole of a user mapping of a buffer
 * @buffer:   the buffer
 * @vma:      the user mapping, VM_PFNMAP
 * @writable: map it writable (the mapping must allow it)
 *
 * One fault fills the mapping, as the eager remap_pfn_range() of the
 * upstream heaps does.  Pages already mapped are left as they are.
 *
 * Return: VM_FAULT_NOPAGE on success, or a VM_FAULT_ error.
 */
vm_fault_t heap_helper_insert_all(struct heap_helper_buffer *buffer,
				  struct vm_area_struct *vma, bool writable)
{
	return heap_helper_fill_vma(buffer, vma,
				    heap_helper_prot(vma->vm_flags, writable));
}
EXPORT_SYMBOL_GPL(heap_helper_insert_all);

static vm_fault_t heap_helper_vm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct heap_helper_buffer *buffer = vma->vm_private_data;
	bool handled = false;
	vm_fault_t ret;

	/* The mapping cannot grow (VM_DONTEXPAND), but check anyway. */
	if (vmf->pgoff >= buffer->pagecount)
		return VM_FAULT_SIGBUS;

	if (dma_heap_owner_enabled()) {
		ret = __dma_heap_owner_fault(buffer, vmf, &handled);
		if (handled)
			return ret;
	}
	/* untracked */
	return heap_helper_fill_vma(buffer, vma, vm_get_page_prot(vma->vm_flags));
}

/* A write to a page the tracker mapped read-only. */
static vm_fault_t heap_helper_vm_pfn_mkwrite(struct vm_fault *vmf)
{
	struct heap_helper_buffer *buffer = vmf->vma->vm_private_data;
	bool handled = false;
	vm_fault_t ret;

	if (vmf->pgoff >= buffer->pagecount)
		return VM_FAULT_SIGBUS;
	if (dma_heap_owner_enabled()) {
		ret = __dma_heap_owner_fault(buffer, vmf, &handled);
		if (handled)
			return ret;
	}
	return 0;
}

static void heap_helper_vm_open(struct vm_area_struct *vma)
{
	DHO_HOOK(vma_open, vma->vm_private_data, vma);
}

static void heap_helper_vm_close(struct vm_area_struct *vma)
{
	DHO_HOOK(vma_close, vma->vm_private_data, vma);
}

static const struct vm_operations_struct heap_helper_vm_ops = {
	.open = heap_helper_vm_open,
	.close = heap_helper_vm_close,
	.fault = heap_helper_vm_fault,
	.pfn_mkwrite = heap_helper_vm_pfn_mkwrite,
};

static int heap_helper_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct heap_helper_buffer *buffer = dmabuf->priv;

	/* The dma-buf core checked the range; a private mapping is read-only. */
	if (!(vma->vm_flags & VM_SHARED)) {
		if (vma->vm_flags & VM_WRITE)
			return -EINVAL;
		vm_flags_clear(vma, VM_MAYWRITE);
	}
	vm_flags_set(vma, VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &heap_helper_vm_ops;
	vma->vm_private_data = buffer;

	DHO_HOOK(vma_open, buffer, vma);
	return 0;
}

static void *heap_helper_do_vmap(struct heap_helper_buffer *buffer)
{
	struct page **pages;
	unsigned int seg;
	pgoff_t i = 0, end;
	void *vaddr;

	if (buffer->pagecount > UINT_MAX)	/* vmap() takes an unsigned int */
		return ERR_PTR(-E2BIG);
	pages = kvmalloc_array(buffer->pagecount, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return ERR_PTR(-ENOMEM);

	/* the index covers every page exactly once (heap_helper_index()) */
	for (seg = 0; seg < buffer->nr_segs; seg++) {
		end = seg + 1 < buffer->nr_segs ? buffer->segs[seg + 1].start :
						  buffer->pagecount;
		for (; i < end; i++)
			pages[i] = nth_page(buffer->segs[seg].page,
					    i - buffer->segs[seg].start);
	}

	vaddr = vmap(pages, buffer->pagecount, VM_MAP, PAGE_KERNEL);
	kvfree(pages);

	return vaddr ?: ERR_PTR(-ENOMEM);
}

static int heap_helper_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct heap_helper_buffer *buffer = dmabuf->priv;
	void *vaddr;

	mutex_lock(&buffer->lock);
	if (!buffer->vmap_cnt) {
		vaddr = heap_helper_do_vmap(buffer);
		if (IS_ERR(vaddr)) {
			mutex_unlock(&buffer->lock);
			return PTR_ERR(vaddr);
		}
		buffer->vaddr = vaddr;
	}
	buffer->vmap_cnt++;
	iosys_map_set_vaddr(map, buffer->vaddr);
	mutex_unlock(&buffer->lock);

	DHO_HOOK(vmap, buffer);
	return 0;
}

static void heap_helper_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct heap_helper_buffer *buffer = dmabuf->priv;

	/* Record (and read the alias's access bits) before it goes. */
	DHO_HOOK(vunmap, buffer);

	mutex_lock(&buffer->lock);
	if (!WARN_ON(!buffer->vmap_cnt) && !--buffer->vmap_cnt) {
		vunmap(buffer->vaddr);
		buffer->vaddr = NULL;
	}
	mutex_unlock(&buffer->lock);
	iosys_map_clear(map);
}

static void heap_helper_release(struct dma_buf *dmabuf)
{
	struct heap_helper_buffer *buffer = dmabuf->priv;

	dma_heap_owner_release(buffer);
	kvfree(buffer->segs);
	buffer->free(buffer);
}

static const struct dma_buf_ops heap_helper_buf_ops = {
	.attach = heap_helper_attach,
	.detach = heap_helper_detach,
	.map_dma_buf = heap_helper_map_dma_buf,
	.unmap_dma_buf = heap_helper_unmap_dma_buf,
	.begin_cpu_access = heap_helper_begin_cpu_access,
	.end_cpu_access = heap_helper_end_cpu_access,
	.mmap = heap_helper_mmap,
	.vmap = heap_helper_vmap,
	.vunmap = heap_helper_vunmap,
	.release = heap_helper_release,
};

/**
 * heap_helper_export() - export a heap buffer as a dma-buf
 * @buffer:   the initialised buffer; the dma-buf owns it on success
 * @fd_flags: the file flags userspace asked for
 *
 * The sg table must describe exactly @buffer->size bytes in whole pages,
 * without empty entries, each at most HEAP_HELPER_MAX_SEG long.
 *
 * Return: the dma-buf, or an ERR_PTR(): -EINVAL for a table that does not
 * describe the buffer; on error the caller still owns @buffer and its
 * pages.
 */
struct dma_buf *heap_helper_export(struct heap_helper_buffer *buffer,
				   unsigned long fd_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dma_buf *dmabuf;
	int ret;

	ret = heap_helper_index(buffer);
	if (ret)
		return ERR_PTR(ret);

	exp_info.exp_name = buffer->heap_name;
	exp_info.ops = &heap_helper_buf_ops;
	exp_info.size = buffer->size;
	exp_info.flags = fd_flags;
	exp_info.priv = buffer;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		kvfree(buffer->segs);
		buffer->segs = NULL;
		return dmabuf;
	}

	buffer->dmabuf = dmabuf;
	DHO_HOOK(alloc, buffer);
	return dmabuf;
}
EXPORT_SYMBOL_GPL(heap_helper_export);

/**
 * heap_helper_add() - register a heap and remember it
 * @exp_info: as for dma_heap_add()
 *
 * Return: the heap, or an ERR_PTR().  The heap can later be found by name
 * with heap_helper_find(), which is how the KUnit suites allocate.
 */
struct dma_heap *heap_helper_add(const struct dma_heap_export_info *exp_info)
{
	struct heap_helper_heap *h;
	struct dma_heap *heap;

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return ERR_PTR(-ENOMEM);

	heap = dma_heap_add(exp_info);
	if (IS_ERR(heap)) {
		kfree(h);
		return heap;
	}
	h->heap = heap;
	h->ops = exp_info->ops;
	h->name = dma_heap_get_name(heap);

	mutex_lock(&heap_helper_heaps_lock);
	list_add_tail(&h->list, &heap_helper_heaps);
	mutex_unlock(&heap_helper_heaps_lock);
	return heap;
}
EXPORT_SYMBOL_GPL(heap_helper_add);

/**
 * heap_helper_find() - find a heap registered with heap_helper_add()
 * @name: its name
 *
 * Return: the heap's record (heaps are never removed), or NULL.
 */
struct heap_helper_heap *heap_helper_find(const char *name)
{
	struct heap_helper_heap *h, *found = NULL;

	mutex_lock(&heap_helper_heaps_lock);
	list_for_each_entry(h, &heap_helper_heaps, list) {
		if (!strcmp(h->name, name)) {
			found = h;
			break;
		}
	}
	mutex_unlock(&heap_helper_heaps_lock);
	return found;
}
EXPORT_SYMBOL_GPL(heap_helper_find);
