/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DMA-BUF heap ownership tracker: records who owns each heap buffer (the
 * CPU, a device or nobody) and every mapping of it, and reports misuse.
 * See Documentation/dma-buf-heaps/owner-debug.rst.
 */
#ifndef _LINUX_DMA_HEAP_OWNER_H
#define _LINUX_DMA_HEAP_OWNER_H

#include <linux/dma-direction.h>
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/sched.h>
#include <linux/stackdepot.h>
#include <linux/types.h>

struct heap_helper_buffer;
struct heap_helper_attachment;
struct dho_pending;
struct vm_area_struct;
struct vm_fault;

/**
 * enum dma_heap_owner_state - who owns a buffer
 * @DHO_OWNER_NONE:   fresh, or no mapped attachment and no CPU window
 * @DHO_OWNER_CPU:    at least one CPU window (begin_cpu_access) is open
 * @DHO_OWNER_DEVICE: at least one attachment is mapped, no CPU window open
 */
enum dma_heap_owner_state {
	DHO_OWNER_NONE,
	DHO_OWNER_CPU,
	DHO_OWNER_DEVICE,
};

/**
 * enum dma_heap_owner_class - violation classes; the names are ABI
 * @DHO_CPU_ACCESS_UNOWNED: CPU touched the buffer while not CPU-owned
 * @DHO_DEVICE_ACCESS_VMAPPED: device took it with a live vmap in a CPU window
 * @DHO_VMAP_FLUSH_MISSING: vmap alias writes not flushed (or not invalidated)
 * @DHO_DEVICE_ACCESS_CPU_OWNED: device took it while a CPU window was open
 * @DHO_CPU_WRITE_IN_READ_WINDOW: CPU write inside a read-only window
 * @DHO_CPU_ACCESS_UNBALANCED: end_cpu_access without begin or another direction
 * @DHO_RELEASE_WHILE_MAPPED: detached while mapped, or released attached
 * @DHO_NR_CLASSES: number of classes
 */
enum dma_heap_owner_class {
	DHO_CPU_ACCESS_UNOWNED,
	DHO_DEVICE_ACCESS_VMAPPED,
	DHO_VMAP_FLUSH_MISSING,
	DHO_DEVICE_ACCESS_CPU_OWNED,
	DHO_CPU_WRITE_IN_READ_WINDOW,
	DHO_CPU_ACCESS_UNBALANCED,
	DHO_RELEASE_WHILE_MAPPED,
	DHO_NR_CLASSES,
};

/**
 * enum dma_heap_owner_op - recorded operations; one tracepoint each
 * @DHO_OP_ALLOC:      buffer allocated
 * @DHO_OP_RELEASE:    buffer released
 * @DHO_OP_CPU_BEGIN:  begin_cpu_access
 * @DHO_OP_CPU_END:    end_cpu_access
 * @DHO_OP_DEV_MAP:    map_dma_buf of an attachment
 * @DHO_OP_DEV_UNMAP:  unmap_dma_buf of an attachment
 * @DHO_OP_VMAP:       vmap alias created (or referenced)
 * @DHO_OP_VUNMAP:     vmap reference dropped
 * @DHO_OP_USER_FAULT: userspace page fault on a mapping
 * @DHO_NR_OPS:        number of operations
 */
enum dma_heap_owner_op {
	DHO_OP_ALLOC,
	DHO_OP_RELEASE,
	DHO_OP_CPU_BEGIN,
	DHO_OP_CPU_END,
	DHO_OP_DEV_MAP,
	DHO_OP_DEV_UNMAP,
	DHO_OP_VMAP,
	DHO_OP_VUNMAP,
	DHO_OP_USER_FAULT,
	DHO_NR_OPS,
};

#define DHO_HIST_LEN	8
#define DHO_NAME_LEN	16

/**
 * struct dma_heap_owner_event - one recorded transition
 * @ts:    local_clock() in ns
 * @uip:   for a DMA_BUF_IOCTL_SYNC or a DMA_HEAP_IOCTL_ALLOC, the user
 *         instruction pointer of the ioctl (its kernel stack is always the
 *         ioctl path, so none is saved); else 0
 * @stack: stackdepot handle of the call stack, 0 if none was saved
 * @pid:   thread id of the task, or 0 for a device-side event
 * @tgid:  its process id
 * @op:    &enum dma_heap_owner_op
 * @owner: owner after the transition
 * @dir:   &enum dma_data_direction of the operation
 * @who:   task comm, or device name for a device-side event
 */
struct dma_heap_owner_event {
	u64 ts;
	unsigned long uip;
	depot_stack_handle_t stack;
	pid_t pid;
	pid_t tgid;
	u8 op;
	u8 owner;
	u8 dir;
	char who[DHO_NAME_LEN];
};

/**
 * struct dma_heap_owner - the ownership record of a tracked helper buffer
 *
 * Allocated from its own slab cache, only for a buffer allocated while
 * tracking is on, and put on the list of tracked buffers; freed when the
 * buffer is.  All fields are guarded by the buffer's
 * &heap_helper_buffer.lock, but for @node, which is guarded by the
 * tracker's list lock, and @buffer, which never changes.
 *
 * @node:        entry in the list of tracked buffers
 * @buffer:      the buffer
 * @ino:         inode number of the dma-buf file
 * @vmas:        &struct dma_heap_owner_vma records of user mappings
 * @tracked:     buffer is tracked (allocated while tracking was on); set at
 *               alloc, cleared under both the buffer's lock and the list
 *               lock, read unlocked only by the release hook
 * @owner:       &enum dma_heap_owner_state
 * @cpu_win:     open CPU windows per &enum dma_data_direction, DMA_NONE too
 * @nr_mapped:   mapped attachments
 * @user_mapped: a user PTE may map the buffer (set by the fault hook,
 *               cleared when every user PTE is zapped)
 * @alias_dirty: the vmap alias holds writes not covered by a flush
 * @alias_stale: a device had the buffer since the alias was last invalidated
 * @reported:    bitmask of classes already reported for this buffer
 * @owner_ev:    the transition that made @owner
 * @vmap_ev:     the vmap that created the live alias: who to blame for what
 *               the kernel does through it
 * @hist_next:   next slot in @hist
 * @hist_len:    valid entries in @hist
 * @hist:        ring of the last transitions
 */
struct dma_heap_owner {
	struct list_head node;
	struct heap_helper_buffer *buffer;
	unsigned long ino;
	struct list_head vmas;
	bool tracked;
	u8 owner;
	unsigned int cpu_win[DMA_NONE + 1];
	unsigned int nr_mapped;
	bool user_mapped;
	bool alias_dirty;
	bool alias_stale;
	u32 reported;
	struct dma_heap_owner_event owner_ev;
	struct dma_heap_owner_event vmap_ev;
	u8 hist_next;
	u8 hist_len;
	struct dma_heap_owner_event hist[DHO_HIST_LEN];
};

/**
 * struct dma_heap_owner_attach - the tracker's record of one attachment
 * @map_stack: stackdepot handle of the last map_dma_buf
 * @counted:   counted in &dma_heap_owner.nr_mapped
 * @name:      device name, copied at attach
 */
struct dma_heap_owner_attach {
	depot_stack_handle_t map_stack;
	bool counted;
	char name[DHO_NAME_LEN];
};

/**
 * struct dma_heap_owner_vma - the tracker's record of one user mapping
 * @list:   entry in &dma_heap_owner.vmas
 * @vma:    the mapping (compared, never dereferenced after close)
 * @pid:    pid of the task that created it; after fork, of the child's
 *          first task to fault on it (0 until then)
 * @faults: page faults taken on it
 * @comm:   comm of that task
 */
struct dma_heap_owner_vma {
	struct list_head list;
	const struct vm_area_struct *vma;
	pid_t pid;
	unsigned int faults;
	char comm[TASK_COMM_LEN];
};

/*
 * The hooks called through DHO_HOOK().  Declared whether or not the tracker
 * is built, so that the compiled-out DHO_HOOK() still checks its arguments.
 */
void __dma_heap_owner_alloc(struct heap_helper_buffer *buffer);
void __dma_heap_owner_release(struct heap_helper_buffer *buffer);
void __dma_heap_owner_attach(struct heap_helper_buffer *buffer,
			     struct heap_helper_attachment *a);
void __dma_heap_owner_detach(struct heap_helper_buffer *buffer,
			     struct heap_helper_attachment *a);
void __dma_heap_owner_map(struct heap_helper_buffer *buffer,
			  struct heap_helper_attachment *a);
void __dma_heap_owner_unmap(struct heap_helper_buffer *buffer,
			    struct heap_helper_attachment *a);
/* called under &heap_helper_buffer.lock; @p is reported after it */
void __dma_heap_owner_cpu_begin(struct heap_helper_buffer *buffer,
				enum dma_data_direction dir,
				struct dho_pending *p);
void __dma_heap_owner_cpu_end(struct heap_helper_buffer *buffer,
			      enum dma_data_direction dir,
			      struct dho_pending *p);
void __dma_heap_owner_cpu_end_flushed(struct heap_helper_buffer *buffer,
				      struct dho_pending *p);
void __dma_heap_owner_vmap(struct heap_helper_buffer *buffer);
void __dma_heap_owner_vunmap(struct heap_helper_buffer *buffer);
void __dma_heap_owner_vma_open(struct heap_helper_buffer *buffer,
			       struct vm_area_struct *vma);
void __dma_heap_owner_vma_close(struct heap_helper_buffer *buffer,
				struct vm_area_struct *vma);

#ifdef CONFIG_DMABUF_HEAPS_OWNER_DEBUG

/**
 * dho_cpu_depth() - open CPU windows, in every direction
 * @o: the record
 *
 * Return: the window depth.
 */
static inline unsigned int dho_cpu_depth(const struct dma_heap_owner *o)
{
	unsigned int d, depth = 0;

	for (d = 0; d < ARRAY_SIZE(o->cpu_win); d++)
		depth += o->cpu_win[d];
	return depth;
}

/**
 * dho_copy_comm() - copy a task name for a one-line text output
 * @dst: the destination, @len bytes
 * @src: the name, NUL-terminated within @len
 * @len: the size of both
 *
 * A task sets its own name (prctl(PR_SET_NAME)); control characters are
 * replaced so that the name cannot start a line of its own in a trace.
 */
static inline void dho_copy_comm(char *dst, const char *src, size_t len)
{
	unsigned char c;
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++) {
		c = src[i];
		dst[i] = c < 0x20 || c == 0x7f ? '?' : c;
	}
	dst[i] = '\0';
}

const char *dho_class_name(unsigned int cls);
const char *dho_owner_name(unsigned int owner);
const char *dho_dir_name(unsigned int dir);

DECLARE_STATIC_KEY_TRUE(dma_heap_owner_key);

/**
 * dma_heap_owner_enabled() - is ownership tracking on?
 *
 * A static branch: the only cost of the hooks while tracking is off.
 */
static inline bool dma_heap_owner_enabled(void)
{
	return static_branch_likely(&dma_heap_owner_key);
}

vm_fault_t __dma_heap_owner_fault(struct heap_helper_buffer *buffer,
				  struct vm_fault *vmf, bool *handled);

#define DHO_HOOK(name, ...)					\
	do {							\
		if (dma_heap_owner_enabled())			\
			__dma_heap_owner_##name(__VA_ARGS__);	\
	} while (0)

/**
 * dma_heap_owner_release() - the release hook, whatever the static key says
 * @buffer: the buffer being freed
 *
 * A buffer tracked when the key went off is still listed until
 * dho_set_enabled() has walked the list, and has a record to free: it
 * must leave the list before it is freed, so this hook does not depend on
 * the key.
 */
static inline void dma_heap_owner_release(struct heap_helper_buffer *buffer)
{
	__dma_heap_owner_release(buffer);
}

unsigned long dma_heap_owner_error_count(void);
unsigned long dma_heap_owner_class_count(enum dma_heap_owner_class cls);

#else /* !CONFIG_DMABUF_HEAPS_OWNER_DEBUG */

static inline void dma_heap_owner_release(struct heap_helper_buffer *buffer)
{
}

static inline unsigned long dma_heap_owner_error_count(void)
{
	return 0;
}

static inline unsigned long
dma_heap_owner_class_count(enum dma_heap_owner_class cls)
{
	return 0;
}

static inline bool dma_heap_owner_enabled(void)
{
	return false;
}

static inline vm_fault_t __dma_heap_owner_fault(struct heap_helper_buffer *buffer,
						struct vm_fault *vmf,
						bool *handled)
{
	*handled = false;
	return 0;
}

/* checks the hook's arguments, as no_printk() does; nothing is called */
#define DHO_HOOK(name, ...)					\
	do {							\
		if (0)						\
			__dma_heap_owner_##name(__VA_ARGS__);	\
	} while (0)

#endif /* CONFIG_DMABUF_HEAPS_OWNER_DEBUG */

struct kunit;

#if IS_ENABLED(CONFIG_DMABUF_HEAPS_OWNER_DEBUG) && IS_BUILTIN(CONFIG_KUNIT)
void dma_heap_owner_kunit_expect(struct kunit *test);
#else
static inline void dma_heap_owner_kunit_expect(struct kunit *test)
{
}
#endif

#endif /* _LINUX_DMA_HEAP_OWNER_H */
