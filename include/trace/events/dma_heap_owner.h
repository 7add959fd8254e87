/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the DMA-BUF heap ownership tracker: one event per recorded
 * transition, and one per violation.  TP_printk is key=value for bpftrace
 * and awk.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM dma_heap_owner

#if !defined(_TRACE_DMA_HEAP_OWNER_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_DMA_HEAP_OWNER_H

#include <linux/dma-heap-helpers.h>
#include <linux/dma-heap-owner.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

DECLARE_EVENT_CLASS(dma_heap_owner_transition,

	TP_PROTO(struct heap_helper_buffer *buffer, const char *op,
		 unsigned int dir, const char *dev, long pgoff),
	TP_ARGS(buffer, op, dir, dev, pgoff),

	TP_STRUCT__entry(
		__field(unsigned long, ino)
		__field(size_t, size)
		__field(long, pgoff)
		__field(pid_t, pid)
		__field(pid_t, tgid)
		__field(unsigned int, depth)
		__array(char, heap, DHO_NAME_LEN)
		__array(char, op, 12)
		__array(char, owner, 8)
		__array(char, dir, 16)
		__array(char, dev, DHO_NAME_LEN)
		__array(char, comm, TASK_COMM_LEN)
	),

	TP_fast_assign(
		__entry->ino = buffer->owner->ino;
		__entry->size = buffer->size;
		__entry->pgoff = pgoff;
		__entry->pid = current->pid;
		__entry->tgid = current->tgid;
		strscpy(__entry->owner, dho_owner_name(buffer->owner->owner), 8);
		strscpy(__entry->dir, dho_dir_name(dir), 16);
		__entry->depth = dho_cpu_depth(buffer->owner);
		strscpy(__entry->heap, buffer->heap_name, DHO_NAME_LEN);
		strscpy(__entry->op, op, sizeof(__entry->op));
		strscpy(__entry->dev, dev ?: "-", DHO_NAME_LEN);
		dho_copy_comm(__entry->comm, current->comm, TASK_COMM_LEN);
	),

	TP_printk("ino=%lu heap=%s op=%s owner=%s dir=%s depth=%u size=%zu pgoff=%ld dev=%s pid=%d comm=%s tgid=%d",
		  __entry->ino, __entry->heap, __entry->op,
		  __entry->owner, __entry->dir,
		  __entry->depth, __entry->size, __entry->pgoff, __entry->dev,
		  __entry->pid, __entry->comm, __entry->tgid)
);

#define DEFINE_DHO_EVENT(name)						\
DEFINE_EVENT(dma_heap_owner_transition, name,				\
	TP_PROTO(struct heap_helper_buffer *buffer, const char *op,	\
		 unsigned int dir, const char *dev, long pgoff),	\
	TP_ARGS(buffer, op, dir, dev, pgoff))

DEFINE_DHO_EVENT(alloc);
DEFINE_DHO_EVENT(release);
DEFINE_DHO_EVENT(cpu_begin);
DEFINE_DHO_EVENT(cpu_end);
DEFINE_DHO_EVENT(dev_map);
DEFINE_DHO_EVENT(dev_unmap);
DEFINE_DHO_EVENT(vmap);
DEFINE_DHO_EVENT(vunmap);
DEFINE_DHO_EVENT(user_fault);

TRACE_EVENT(violation,

	TP_PROTO(unsigned int cls, unsigned long ino, const char *heap,
		 unsigned int owner, unsigned int dir, const char *dev,
		 pid_t pid, const char *comm, long pgoff, pid_t tgid,
		 u64 seq, unsigned long ip),

	TP_ARGS(cls, ino, heap, owner, dir, dev, pid, comm, pgoff, tgid, seq,
		ip),

	TP_STRUCT__entry(
		__field(unsigned long, ino)
		__field(long, pgoff)
		__field(u64, seq)
		__field(unsigned long, ip)
		__field(pid_t, pid)
		__field(pid_t, tgid)
		__array(char, class, 28)
		__array(char, owner, 8)
		__array(char, dir, 16)
		__array(char, heap, DHO_NAME_LEN)
		__array(char, dev, DHO_NAME_LEN)
		__array(char, comm, TASK_COMM_LEN)
	),

	TP_fast_assign(
		__entry->ino = ino;
		__entry->pgoff = pgoff;
		__entry->pid = pid;
		__entry->tgid = tgid;
		__entry->seq = seq;
		__entry->ip = ip;
		strscpy(__entry->class, dho_class_name(cls), 28);
		strscpy(__entry->owner, dho_owner_name(owner), 8);
		strscpy(__entry->dir, dho_dir_name(dir), 16);
		strscpy(__entry->heap, heap, DHO_NAME_LEN);
		strscpy(__entry->dev, dev[0] ? dev : "-", DHO_NAME_LEN);
		dho_copy_comm(__entry->comm, comm, TASK_COMM_LEN);
	),

	TP_printk("ino=%lu heap=%s class=%s owner=%s dir=%s pgoff=%ld dev=%s pid=%d comm=%s tgid=%d seq=%llu ip=0x%lx",
		  __entry->ino, __entry->heap, __entry->class,
		  __entry->owner, __entry->dir,
		  __entry->pgoff, __entry->dev, __entry->pid, __entry->comm,
		  __entry->tgid, (unsigned long long)__entry->seq, __entry->ip)
);

#endif /* _TRACE_DMA_HEAP_OWNER_H */

#include <trace/define_trace.h>
