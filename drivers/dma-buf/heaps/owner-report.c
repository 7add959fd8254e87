// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-BUF heap ownership tracker: counting, tracing and reporting
 * violations.
 *
 * Every violation is counted and traced.  A report is written for the first
 * violation of each class on each buffer (every one with all_errors), if
 * the filter lets it through; it goes to the ring behind the debugfs file
 * "violations" and, for the first num_errors reports, to the kernel log,
 * framed like KFENCE's.  Nothing here runs under a buffer's lock.
 */

#include <kunit/resource.h>
#include <kunit/test-bug.h>
#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/kallsyms.h>
#include <linux/panic.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "owner.h"

#include <trace/events/dma_heap_owner.h>

#define DHO_REPORT_SIZE	4096
#define DHO_RING_LEN	16

atomic_long_t dho_counts[DHO_NR_CLASSES];
EXPORT_SYMBOL_IF_KUNIT(dho_counts);
bool dho_all_errors;
EXPORT_SYMBOL_IF_KUNIT(dho_all_errors);
unsigned int dho_num_errors = 100;
EXPORT_SYMBOL_IF_KUNIT(dho_num_errors);
bool dho_strict;

static atomic_t dho_printed;
static atomic64_t dho_seq;	/* numbers the violations: identical ones differ */

static DEFINE_SPINLOCK(dho_filter_lock);
static char dho_filter[32];			/* under dho_filter_lock */

static DEFINE_SPINLOCK(dho_ring_lock);
static char *dho_ring[DHO_RING_LEN];		/* under dho_ring_lock */
static unsigned int dho_ring_next;		/* under dho_ring_lock */

/**
 * dho_error_count() - violations since boot or the last reset
 *
 * Return: the sum of the per-class counts.
 */
long dho_error_count(void)
{
	long sum = 0;
	int i;

	for (i = 0; i < DHO_NR_CLASSES; i++)
		sum += atomic_long_read(&dho_counts[i]);
	return sum;
}
EXPORT_SYMBOL_IF_KUNIT(dho_error_count);

/**
 * dma_heap_owner_error_count() - violations raised since boot or reset
 *
 * For driver tests: compare the count before and after the code under
 * test.  Counters count whatever the report knobs say.
 *
 * Return: the number of violations, every class.
 */
unsigned long dma_heap_owner_error_count(void)
{
	return dho_error_count();
}
EXPORT_SYMBOL_GPL(dma_heap_owner_error_count);

/**
 * dma_heap_owner_class_count() - violations of one class
 * @cls: the class
 *
 * Return: the number of violations of @cls since boot or reset, 0 for a
 * class out of range.
 */
unsigned long dma_heap_owner_class_count(enum dma_heap_owner_class cls)
{
	if ((unsigned int)cls >= DHO_NR_CLASSES)
		return 0;
	return atomic_long_read(&dho_counts[cls]);
}
EXPORT_SYMBOL_GPL(dma_heap_owner_class_count);

#if IS_BUILTIN(CONFIG_KUNIT)
#define DHO_KUNIT_EXPECT	"dma_heap_owner_expect"

/**
 * dma_heap_owner_kunit_expect() - the running KUnit test expects violations
 * @test: the test
 *
 * A violation raised by a KUnit test's own task fails that test, as KASAN
 * and UBSAN reports do.  A test that provokes violations on purpose (and
 * checks them with dma_heap_owner_class_count()) calls this first; it lasts
 * until the test ends.
 */
void dma_heap_owner_kunit_expect(struct kunit *test)
{
	struct kunit_resource *res;

	/*
	 * Test-managed memory, added before the resource it holds, so freed
	 * after it: KUnit reads a resource after its free callback, which
	 * must not free it.  Expected twice, the second is left unused.
	 */
	res = kunit_kzalloc(test, sizeof(*res), GFP_KERNEL);
	if (!res) {
		kunit_fail_current_test("dma-heap-owner: out of memory");
		return;
	}
	kunit_add_named_resource(test, NULL, NULL, res, DHO_KUNIT_EXPECT, NULL);
}
EXPORT_SYMBOL_GPL(dma_heap_owner_kunit_expect);

/* A violation raised by a KUnit test that did not expect one fails it. */
static void dho_kunit_check(const struct dho_violation *v)
{
	struct kunit *test = current->kunit_test;
	struct kunit_resource *res;

	if (!test)
		return;
	res = kunit_find_named_resource(test, DHO_KUNIT_EXPECT);
	if (res) {
		kunit_put_resource(res);
		return;
	}
	kunit_fail_current_test("dma-heap-owner: %s (violation #%llu): %s",
				dho_class_name(v->cls), v->seq, v->what);
}
#else
static void dho_kunit_check(const struct dho_violation *v)
{
}
#endif

/**
 * dho_set_filter() - report only violations involving a heap or driver
 * @buf: the name, possibly ending in a newline; empty clears the filter
 * @len: its length
 *
 * Return: 0, or -EINVAL if the name is too long or holds a control
 * character.
 */
int dho_set_filter(const char *buf, size_t len)
{
	char name[sizeof(dho_filter)];
	size_t i;

	if (len && buf[len - 1] == '\n')
		len--;
	if (len >= sizeof(name))
		return -EINVAL;
	memcpy(name, buf, len);
	name[len] = '\0';
	if (strlen(name) != len)
		return -EINVAL;
	for (i = 0; i < len; i++)	/* it is printed back: no control bytes */
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return -EINVAL;

	spin_lock(&dho_filter_lock);
	strscpy(dho_filter, name, sizeof(dho_filter));
	spin_unlock(&dho_filter_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(dho_set_filter);

/**
 * dho_get_filter() - copy the current filter
 * @buf: where to
 * @len: its size
 */
void dho_get_filter(char *buf, size_t len)
{
	spin_lock(&dho_filter_lock);
	strscpy(buf, dho_filter, len);
	spin_unlock(&dho_filter_lock);
}

static bool dho_filter_match(const struct dho_violation *v)
{
	char name[sizeof(dho_filter)];

	dho_get_filter(name, sizeof(name));
	return !name[0] || !strcmp(name, v->heap) ||
	       (v->dev[0] && !strcmp(name, v->dev)) ||
	       (v->drv[0] && !strcmp(name, v->drv));
}

/*
 * The function that did it: the first frame of the offending stack outside
 * the tracker, the helpers and the dma-buf core, but for dma_buf_ioctl: that
 * is DMA_BUF_IOCTL_SYNC from userspace.
 */
static void dho_stack_culprit(depot_stack_handle_t stack, char *buf, size_t len)
{
	static const char *const skip[] = {
		"__dma_heap_owner", "heap_helper_", "dma_buf_",
		"__dma_buf", "__map_dma_buf", "__unmap_dma_buf",
	};
	unsigned long *entries;
	unsigned int nr, i, j;

	nr = stack ? stack_depot_fetch(stack, &entries) : 0;
	for (i = 0; i < nr; i++) {
		snprintf(buf, len, "%ps", (void *)entries[i]);
		if (!strcmp(buf, "dma_buf_ioctl"))
			return;
		for (j = 0; j < ARRAY_SIZE(skip); j++)
			if (!strncmp(buf, skip[j], strlen(skip[j])))
				break;
		if (j == ARRAY_SIZE(skip))
			return;
	}
	if (!nr)
		strscpy(buf, "unknown", len);
}

static void dho_culprit(const struct dho_violation *v, char *buf, size_t len)
{
	if (v->user)
		strscpy(buf, "userspace", len);
	else
		dho_stack_culprit(v->stack, buf, len);
}

#define DHO_RULE "==================================================================\n"

/*
 * stack_depot_snprint() returns what it would have written: never let the
 * offset run past the buffer, or every later write would overrun it.
 */
static int dho_snprint_stack(depot_stack_handle_t handle, char *buf, size_t size)
{
	int n;

	if (size < 2)
		return 0;
	n = stack_depot_snprint(handle, buf, size, 1);
	return clamp_t(int, n, 0, size - 1);
}

/*
 * Names a user chose (a task's, a file's, a dma-buf's) are printed escaped
 * ("%*pE", with their length): none can forge a line of its own.
 */
static int dho_len(const char *name, size_t size)
{
	return strnlen(name, size);
}

static int dho_print_ts(char *buf, size_t size, u64 ts)
{
	return scnprintf(buf, size, "%llu.%06llus", ts / NSEC_PER_SEC,
			 (ts % NSEC_PER_SEC) / NSEC_PER_USEC);
}

/* ip 00007f... in libfoo.so[7f...+1d000] offset 0x1234, as a segfault line */
static int dho_print_where(const struct dho_user_where *w, char *buf,
			   size_t size)
{
	const struct dho_uframe *f = &w->ip;
	int flen = dho_len(f->file, sizeof(f->file));
	unsigned int i;
	int n = 0;

	if (f->file[0])
		n += scnprintf(buf + n, size - n, "ip %016lx in %*pE[%lx+%lx] offset 0x%lx\n",
			       f->addr, flen, f->file, f->base, f->size,
			       f->offset);
	else
		n += scnprintf(buf + n, size - n, "ip %016lx in ?\n", f->addr);
	if (w->nr)
		n += scnprintf(buf + n, size - n, "user stack:\n");
	for (i = 0; i < w->nr; i++) {
		f = &w->stack[i];
		flen = dho_len(f->file, sizeof(f->file));
		if (f->file[0])
			n += scnprintf(buf + n, size - n, " #%u %016lx %*pE+0x%lx\n",
				       i, f->addr, flen, f->file, f->offset);
		else
			n += scnprintf(buf + n, size - n, " #%u %016lx ?\n",
				       i, f->addr);
	}
	return n;
}

/* Who vmapped the alias a kernel access went through. */
static int dho_print_vmapper(const struct dma_heap_owner_event *ev, char *buf,
			     size_t size)
{
	int wlen = dho_len(ev->who, sizeof(ev->who));
	char func[KSYM_NAME_LEN];
	int n = 0;

	dho_stack_culprit(ev->stack, func, sizeof(func));
	n += scnprintf(buf + n, size - n,
		       "vmapped by: %s (task %*pE tgid %d tid %d) at ",
		       func, wlen, ev->who, ev->tgid, ev->pid);
	n += dho_print_ts(buf + n, size - n, ev->ts);
	n += scnprintf(buf + n, size - n, ":\n");
	if (ev->stack)
		n += dho_snprint_stack(ev->stack, buf + n, size - n);
	else
		n += scnprintf(buf + n, size - n, " (no stack)\n");
	return n;
}

VISIBLE_IF_KUNIT int dho_format(const struct dho_violation *v,
				const char *func, char *buf, size_t full)
{
	const struct dma_heap_owner_event *ev = &v->owner_ev;
	size_t size = full - sizeof(DHO_RULE);	/* the closing rule always fits */
	int clen = dho_len(v->comm, sizeof(v->comm));
	int elen = dho_len(v->exporter, sizeof(v->exporter));
	int nlen = dho_len(v->name, sizeof(v->name));
	int wlen = dho_len(ev->who, sizeof(ev->who));
	int n = 0;

	n += scnprintf(buf + n, size - n,
		       DHO_RULE "BUG: dma-heap-owner: %s in %s\n\n%s\n\n",
		       dho_class_name(v->cls), func, v->what);
	n += scnprintf(buf + n, size - n, "violation: #%llu at ", v->seq);
	n += dho_print_ts(buf + n, size - n, v->ts);
	n += scnprintf(buf + n, size - n,
		       "\nbuffer: ino=%lu heap=%s size=%zu exporter=%*pE name=",
		       v->ino, v->heap, v->size, elen, v->exporter);
	if (v->name[0])
		n += scnprintf(buf + n, size - n, "%*pE\n", nlen, v->name);
	else
		n += scnprintf(buf + n, size - n, "-\n");

	if (v->user)
		n += scnprintf(buf + n, size - n,
			       "access: %s by task %*pE tgid %d tid %d at 0x%lx (page %ld)\n",
			       v->write ? "write" : "read", clen, v->comm,
			       v->tgid, v->pid, v->uaddr, v->pgoff);
	else if (v->dev[0])
		n += scnprintf(buf + n, size - n,
			       "access: device %s%s%s%s dir=%s, by task %*pE tgid %d tid %d\n",
			       v->dev, v->drv[0] ? " (driver " : "", v->drv,
			       v->drv[0] ? ")" : "", dho_dir_name(v->dir),
			       clen, v->comm, v->tgid, v->pid);
	else if (v->alias)
		n += scnprintf(buf + n, size - n,
			       "access: kernel %s through the vmap alias (first page %ld), seen by task %*pE tgid %d tid %d\n",
			       v->write ? "write" : "read", v->pgoff,
			       clen, v->comm, v->tgid, v->pid);
	else
		n += scnprintf(buf + n, size - n,
			       "access: task %*pE tgid %d tid %d dir=%s\n",
			       clen, v->comm, v->tgid, v->pid,
			       dho_dir_name(v->dir));
	if (v->user && v->where)
		n += dho_print_where(v->where, buf + n, size - n);
	else if (v->uip)
		n += scnprintf(buf + n, size - n,
			       "ip %016lx (DMA_BUF_IOCTL_SYNC)\n", v->uip);
	/* the alias's user is seen only at the next transition: name it */
	if (v->vmapped && (v->alias || v->cls == DHO_DEVICE_ACCESS_VMAPPED ||
			   v->cls == DHO_VMAP_FLUSH_MISSING))
		n += dho_print_vmapper(&v->vmap_ev, buf + n, size - n);

	n += scnprintf(buf + n, size - n,
		       "\nowner: %s (cpu windows %u, vmap %u) since %s by %*pE",
		       dho_owner_name(v->owner), v->cpu_depth, v->vmap_cnt,
		       dho_op_name(ev->op), wlen, ev->who);
	if (ev->pid)	/* a device-side event has no task */
		n += scnprintf(buf + n, size - n, " tgid %d tid %d",
			       ev->tgid, ev->pid);
	n += scnprintf(buf + n, size - n, " at ");
	n += dho_print_ts(buf + n, size - n, ev->ts);
	n += scnprintf(buf + n, size - n, ":\n");
	if (ev->stack)
		n += dho_snprint_stack(ev->stack, buf + n, size - n);
	else if (ev->uip)
		n += scnprintf(buf + n, size - n, " %s at user ip %016lx\n",
			       ev->op == DHO_OP_ALLOC ? "DMA_HEAP_IOCTL_ALLOC" :
			       "DMA_BUF_IOCTL_SYNC", ev->uip);
	else
		n += scnprintf(buf + n, size - n, " (no stack)\n");

	if (v->stack) {
		n += scnprintf(buf + n, size - n, "\n%s stack:\n",
			       v->alias ? "seen at" : "offending");
		n += dho_snprint_stack(v->stack, buf + n, size - n);
	}
	n += scnprintf(buf + n, full - n, DHO_RULE);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(dho_format);

static void dho_ring_push(char *text)
{
	char *old;

	spin_lock(&dho_ring_lock);
	old = dho_ring[dho_ring_next];
	dho_ring[dho_ring_next] = text;
	dho_ring_next = (dho_ring_next + 1) % DHO_RING_LEN;
	spin_unlock(&dho_ring_lock);
	kfree(old);
}

/**
 * dho_ring_show() - print the kept reports, oldest first
 * @m: the seq_file
 */
void dho_ring_show(struct seq_file *m)
{
	char *copy[DHO_RING_LEN] = { NULL };
	unsigned int i, next;

	/* copy out: seq_file may sleep, the ring lock is a spinlock */
	spin_lock(&dho_ring_lock);
	next = dho_ring_next;
	for (i = 0; i < DHO_RING_LEN; i++) {
		char *s = dho_ring[(next + i) % DHO_RING_LEN];

		if (s)
			copy[i] = kstrdup(s, GFP_ATOMIC);
	}
	spin_unlock(&dho_ring_lock);

	for (i = 0; i < DHO_RING_LEN; i++) {
		if (copy[i])
			seq_puts(m, copy[i]);
		kfree(copy[i]);
	}
}

static void dho_print(const char *text)
{
	const char *line = text, *nl;

	while (*line) {
		nl = strchrnul(line, '\n');
		pr_err("%.*s\n", (int)(nl - line), line);
		line = *nl ? nl + 1 : nl;
	}
}

/**
 * dho_report() - count, trace and report violations
 * @pending: what one hook collected; called without any tracker lock held
 */
void dho_report(struct dho_pending *pending)
{
	unsigned int i;

	for (i = 0; i < pending->n; i++) {
		struct dho_violation *v = &pending->v[i];
		char func[KSYM_NAME_LEN];
		char *text;

		atomic_long_inc(&dho_counts[v->cls]);
		v->seq = atomic64_inc_return(&dho_seq);
		trace_violation(v->cls, v->ino, v->heap, v->owner, v->dir,
				v->dev, v->pid, v->comm, v->pgoff, v->tgid,
				v->seq, v->where ? v->where->ip.addr : v->uip);
		dho_culprit(v, func, sizeof(func));
		dho_kunit_check(v);

		/*
		 * strict: a userspace access got SIGBUS in the fault handler.
		 * Here only a DMA_BUF_IOCTL_SYNC that is itself wrong (an
		 * unbalanced end) signals its task; what a driver did, even if
		 * seen during a task's SYNC or caused by its ioctl, signals no
		 * one.  The kernel's violations honour panic_on_warn without a
		 * WARN, so no unprivileged action produces a WARN splat and
		 * only a kernel booted to stop on one stops.
		 */
		if (READ_ONCE(dho_strict) && !v->user) {
			if (v->cls == DHO_CPU_ACCESS_UNBALANCED &&
			    !strcmp(func, "dma_buf_ioctl"))
				send_sig(SIGBUS, current, 0);
			else
				check_panic_on_warn("dma-heap-owner");
		}

		if (!v->report || !dho_filter_match(v))
			continue;

		text = kmalloc(DHO_REPORT_SIZE, GFP_KERNEL | __GFP_NOWARN);
		if (!text) {
			pr_err_ratelimited("BUG: dma-heap-owner: %s (report dropped: out of memory)\n",
					   dho_class_name(v->cls));
			continue;
		}
		dho_format(v, func, text, DHO_REPORT_SIZE);
		if (atomic_inc_return(&dho_printed) <= READ_ONCE(dho_num_errors))
			dho_print(text);
		dho_ring_push(text);
	}
	kfree(pending->where);
	pending->where = NULL;
}

/**
 * dho_reset() - zero the counters and empty the ring
 */
void dho_reset(void)
{
	char *old[DHO_RING_LEN];
	int i;

	for (i = 0; i < DHO_NR_CLASSES; i++)
		atomic_long_set(&dho_counts[i], 0);
	atomic_set(&dho_printed, 0);

	spin_lock(&dho_ring_lock);
	memcpy(old, dho_ring, sizeof(old));
	memset(dho_ring, 0, sizeof(dho_ring));
	dho_ring_next = 0;
	spin_unlock(&dho_ring_lock);
	for (i = 0; i < DHO_RING_LEN; i++)
		kfree(old[i]);

	dho_forget_reports();
}
EXPORT_SYMBOL_IF_KUNIT(dho_reset);
