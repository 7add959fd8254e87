// SPDX-License-Identifier: GPL-2.0
/*
 * DMA-BUF heap ownership tracker: /sys/kernel/debug/dma_heap_owner/.
 * The file names, modes and formats are ABI; see
 * Documentation/dma-buf-heaps/owner-debug.rst.
 */

#include <linux/debugfs.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "owner.h"

static int dho_error_count_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%ld\n", dho_error_count());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dho_error_count);

static int dho_counts_show(struct seq_file *m, void *unused)
{
	int i;

	for (i = 0; i < DHO_NR_CLASSES; i++)
		seq_printf(m, "%s %ld\n", dho_class_name(i),
			   atomic_long_read(&dho_counts[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dho_counts);

/* "watched", or "not watched: <why>" (owner-arch.c) */
static int dho_vmap_alias_show(struct seq_file *m, void *unused)
{
	const char *why = dho_arch_alias_why_not();

	if (why)
		seq_printf(m, "not watched: %s\n", why);
	else
		seq_puts(m, "watched\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dho_vmap_alias);

static int dho_violations_show(struct seq_file *m, void *unused)
{
	dho_ring_show(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dho_violations);

static const char *dho_window_dir(const struct dma_heap_owner *o)
{
	if (o->cpu_win[DMA_BIDIRECTIONAL] ||
	    (o->cpu_win[DMA_TO_DEVICE] && o->cpu_win[DMA_FROM_DEVICE]))
		return dho_dir_name(DMA_BIDIRECTIONAL);
	if (o->cpu_win[DMA_TO_DEVICE])
		return dho_dir_name(DMA_TO_DEVICE);
	if (o->cpu_win[DMA_FROM_DEVICE])
		return dho_dir_name(DMA_FROM_DEVICE);
	return dho_dir_name(DMA_NONE);
}

static void dho_buffer_show(struct seq_file *m, struct heap_helper_buffer *buffer)
{
	const struct dma_heap_owner *o = buffer->owner;
	const struct dma_heap_owner_event *last;
	const struct heap_helper_attachment *a;
	const struct dma_heap_owner_vma *r;
	unsigned int n;
	char sep;

	lockdep_assert_held(&buffer->lock);
	seq_printf(m, "ino=%lu heap=%s size=%zu owner=%s cpu_depth=%u cpu_dir=%s vmap=%u",
		   o->ino, buffer->heap_name, buffer->size,
		   dho_owner_name(o->owner),
		   dho_cpu_depth(o),
		   dho_window_dir(o), buffer->vmap_cnt);

	n = 0;
	list_for_each_entry(r, &o->vmas, list)
		n++;
	seq_printf(m, " mmaps=%u users=", n);
	sep = 0;
	list_for_each_entry(r, &o->vmas, list) {
		if (sep)
			seq_putc(m, sep);
		/* task names are escaped: a name cannot start a line */
		seq_printf(m, "%d:%*pE:%u", r->pid,
			   (int)strnlen(r->comm, sizeof(r->comm)), r->comm,
			   r->faults);
		sep = ',';
	}
	if (!sep)
		seq_putc(m, '-');

	n = 0;
	list_for_each_entry(a, &buffer->attachments, list)
		n++;
	seq_printf(m, " attach=%u devs=", n);
	sep = 0;
	list_for_each_entry(a, &buffer->attachments, list) {
		if (sep)
			seq_putc(m, sep);
		seq_printf(m, "%s:%s", a->owner.name[0] ? a->owner.name : "?",
			   a->mapped ? dho_dir_name(a->dir) : "unmapped");
		sep = ',';
	}
	if (!sep)
		seq_putc(m, '-');

	last = &o->hist[(o->hist_next + DHO_HIST_LEN - 1) % DHO_HIST_LEN];
	seq_printf(m, " last=%s:%*pE:%d\n", dho_op_name(last->op),
		   (int)strnlen(last->who, sizeof(last->who)), last->who,
		   last->pid);
}

static int dho_buffers_show(struct seq_file *m, void *unused)
{
	struct dma_heap_owner *o;

	mutex_lock(&dho_buffers_lock);
	list_for_each_entry(o, &dho_buffers, node) {
		struct heap_helper_buffer *buffer =
			o->buffer;

		mutex_lock(&buffer->lock);
		dho_buffer_show(m, buffer);
		mutex_unlock(&buffer->lock);
	}
	mutex_unlock(&dho_buffers_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(dho_buffers);

static int dho_disabled_get(void *data, u64 *val)
{
	*val = !dma_heap_owner_enabled();
	return 0;
}

static int dho_disabled_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	dho_set_enabled(!val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(dho_disabled_fops, dho_disabled_get,
			 dho_disabled_set, "%llu\n");

/* debugfs_create_bool() ignores what it cannot parse: refuse it instead. */
static int dho_bool_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(bool *)data);
	return 0;
}

static int dho_bool_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	WRITE_ONCE(*(bool *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(dho_bool_fops, dho_bool_get, dho_bool_set, "%llu\n");

/* debugfs_create_u32() truncates 2^32 and above: refuse it instead. */
static int dho_u32_get(void *data, u64 *val)
{
	*val = READ_ONCE(*(u32 *)data);
	return 0;
}

static int dho_u32_set(void *data, u64 val)
{
	if (val > U32_MAX)
		return -EINVAL;
	WRITE_ONCE(*(u32 *)data, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(dho_u32_fops, dho_u32_get, dho_u32_set, "%llu\n");

static int dho_reset_set(void *data, u64 val)
{
	if (val != 1)
		return -EINVAL;
	dho_reset();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(dho_reset_fops, NULL, dho_reset_set, "%llu\n");

static ssize_t dho_filter_read(struct file *file, char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	char buf[40];
	int len;

	dho_get_filter(buf, sizeof(buf) - 1);
	len = strlen(buf);
	buf[len++] = '\n';
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t dho_filter_write(struct file *file, const char __user *ubuf,
				size_t count, loff_t *ppos)
{
	char buf[40];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	ret = dho_set_filter(buf, count);
	return ret ?: count;
}

static const struct file_operations dho_filter_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = dho_filter_read,
	.write = dho_filter_write,
	.llseek = default_llseek,
};

/**
 * dho_debugfs_init() - create /sys/kernel/debug/dma_heap_owner/
 *
 * Failures are not fatal, as for any debugfs user.
 */
void dho_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("dma_heap_owner", NULL);

	debugfs_create_file("error_count", 0444, dir, NULL, &dho_error_count_fops);
	debugfs_create_file("counts", 0444, dir, NULL, &dho_counts_fops);
	debugfs_create_file("vmap_alias", 0444, dir, NULL, &dho_vmap_alias_fops);
	debugfs_create_file("violations", 0400, dir, NULL, &dho_violations_fops);
	debugfs_create_file("buffers", 0400, dir, NULL, &dho_buffers_fops);
	debugfs_create_file_unsafe("disabled", 0644, dir, NULL, &dho_disabled_fops);
	debugfs_create_file_unsafe("all_errors", 0644, dir, &dho_all_errors, &dho_bool_fops);
	debugfs_create_file_unsafe("num_errors", 0644, dir, &dho_num_errors, &dho_u32_fops);
	debugfs_create_file("filter", 0644, dir, NULL, &dho_filter_fops);
	debugfs_create_file_unsafe("strict", 0644, dir, &dho_strict, &dho_bool_fops);
	debugfs_create_file_unsafe("reset", 0200, dir, NULL, &dho_reset_fops);
}
