/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces of the DMA-BUF heap ownership tracker.
 */
#ifndef _DMA_HEAP_OWNER_INTERNAL_H
#define _DMA_HEAP_OWNER_INTERNAL_H

#include <linux/dma-heap-helpers.h>
#include <linux/dma-heap-owner.h>
#include <linux/mutex.h>
#include <linux/sched.h>

#define DHO_USTACK_LEN	6

/**
 * struct dho_uframe - a user address and the file mapped there
 * @addr:   the address
 * @base:   start of its mapping
 * @size:   size of its mapping
 * @offset: its offset in the file, for addr2line
 * @file:   the file's name, empty if the mapping has no file or was not found
 */
struct dho_uframe {
	unsigned long addr;
	unsigned long base;
	unsigned long size;
	unsigned long offset;
	char file[32];
};

/**
 * struct dho_user_where - where in userspace an access was made
 * @ip:    the faulting instruction pointer
 * @nr:    saved frames of @stack
 * @stack: the user stack, innermost first, where frame pointers allow
 */
struct dho_user_where {
	struct dho_uframe ip;
	unsigned int nr;
	struct dho_uframe stack[DHO_USTACK_LEN];
};

/**
 * struct dho_violation - one violation, collected under the buffer's lock
 * and reported after it is dropped
 * @cls:      &enum dma_heap_owner_class
 * @report:   not yet reported for this buffer (or all_errors is set)
 * @user:     raised by a userspace access (else by the kernel)
 * @alias:    a kernel access through the vmap alias
 * @vmapped:  the buffer had a vmap alias: @vmap_ev is valid
 * @write:    the access was a write
 * @dir:      direction of the offending operation
 * @owner:    owner when it happened
 * @cpu_depth: open CPU windows then
 * @vmap_cnt: vmap references then
 * @ino:      dma-buf inode number
 * @size:     buffer size
 * @pgoff:    page offset of the access, or -1
 * @heap:     heap name (heap names live forever)
 * @exporter: the dma-buf's exporter name
 * @name:     the dma-buf's name (DMA_BUF_SET_NAME), or empty
 * @pid:      offending task's thread id
 * @tgid:     its process id
 * @comm:     offending task's comm
 * @uaddr:    user address of the access
 * @dev:      offending device name, or empty
 * @drv:      its driver name, or empty
 * @what:     a short description of the access
 * @stack:    stack of the offending operation, 0 if none
 * @ts:       when it was seen (local_clock(), ns)
 * @seq:      number of the violation since boot, set when it is reported
 * @where:    for a userspace access, where in userspace; else NULL
 * @uip:      raised by a DMA_BUF_IOCTL_SYNC: the ioctl's user instruction
 *            pointer; else 0
 * @owner_ev: the transition that made @owner
 * @vmap_ev:  the vmap that created the alias, if @vmapped
 */
struct dho_violation {
	enum dma_heap_owner_class cls;
	bool report;
	bool user;
	bool alias;
	bool vmapped;
	bool write;
	u8 dir;
	u8 owner;
	unsigned int cpu_depth;
	unsigned int vmap_cnt;
	unsigned long ino;
	size_t size;
	long pgoff;
	const char *heap;
	char exporter[DHO_NAME_LEN];
	char name[32];
	pid_t pid;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	unsigned long uaddr;
	char dev[DHO_NAME_LEN];
	char drv[DHO_NAME_LEN];
	const char *what;
	depot_stack_handle_t stack;
	u64 ts;
	u64 seq;
	const struct dho_user_where *where;
	unsigned long uip;
	struct dma_heap_owner_event owner_ev;
	struct dma_heap_owner_event vmap_ev;
};

/* an end_cpu_access: its alias sample, an unbalanced end, the sample after */
#define DHO_MAX_PENDING	3

/**
 * struct dho_pending - violations raised by one hook
 * @n:     how many
 * @where: for a userspace access, where it was made (allocated; freed by
 *         dho_report())
 * @v:     the violations; only the first @n are initialised
 *
 * Every hook has one on its stack, declared __uninitialized and set up by
 * dho_pending_init(): the array is filled by dho_violation() and never read
 * past @n, and zeroing it at every transition (as ``= { 0 }`` does, and
 * CONFIG_INIT_STACK_ALL_ZERO for any stack variable) cost a tracked SYNC
 * cycle more than its state machine did.
 */
struct dho_pending {
	unsigned int n;
	struct dho_user_where *where;
	struct dho_violation v[DHO_MAX_PENDING];
};

static inline void dho_pending_init(struct dho_pending *p)
{
	p->n = 0;
	p->where = NULL;
}

void dho_report(struct dho_pending *pending);

/**
 * dho_report_pending() - report what hooks run under a caller's lock raised
 * @p: the pending violations, dho_pending_init() done
 *
 * Called after the lock is dropped, whatever the static key says now:
 * what was collected is reported, and @p's allocation freed.
 */
static inline void dho_report_pending(struct dho_pending *p)
{
	if (IS_ENABLED(CONFIG_DMABUF_HEAPS_OWNER_DEBUG) && p->n)
		dho_report(p);
}

/* owner-setup.c */
const char *dho_op_name(unsigned int op);
extern struct mutex dho_buffers_lock;
extern struct list_head dho_buffers;
extern struct kmem_cache *dho_record_cache;
void dho_set_enabled(bool on);
void dho_forget_reports(void);
void dho_disable_oom(const char *what);

/* owner-user.c */
unsigned long dho_ioctl_user_ip(unsigned int cmd);
struct dho_user_where *dho_user_where(struct vm_area_struct *vma);

/* owner-report.c */
extern atomic_long_t dho_counts[DHO_NR_CLASSES];
extern bool dho_all_errors;
extern unsigned int dho_num_errors;
extern bool dho_strict;
void dho_reset(void);
long dho_error_count(void);
int dho_set_filter(const char *buf, size_t len);
void dho_get_filter(char *buf, size_t len);
void dho_ring_show(struct seq_file *m);

#if IS_ENABLED(CONFIG_KUNIT)
depot_stack_handle_t dho_save_stack(void);
int dho_format(const struct dho_violation *v, const char *func, char *buf,
	       size_t full);
#endif

/* owner-debugfs.c */
void dho_debugfs_init(void);

/* owner-arch.c: the vmap alias's accessed and dirty bits */

/**
 * struct dho_alias_bits - what the CPU did through an alias since last time
 * @accessed:    some page was read or written
 * @dirty:       some page was written
 * @first:       first page accessed (or written, if @dirty)
 */
struct dho_alias_bits {
	bool accessed;
	bool dirty;
	pgoff_t first;
};

void dho_arch_init(void);
bool dho_arch_alias_supported(void);
const char *dho_arch_alias_why_not(void);
void dho_arch_alias_sample(void *vaddr, pgoff_t pages,
			   struct dho_alias_bits *bits);
void dho_arch_alias_clear_new(void *vaddr, pgoff_t pages);
unsigned int dho_arch_user_stack(unsigned long *entries, unsigned int max);

#endif /* _DMA_HEAP_OWNER_INTERNAL_H */
