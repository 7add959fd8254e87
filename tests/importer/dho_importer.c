// SPDX-License-Identifier: GPL-2.0
/*
 * dho_importer: a dma-buf importer that plays a driver on demand, rightly
 * or wrongly, so that userspace tests and the demo can provoke every
 * violation class of the dma-heap-owner tracker.  See dho_importer.h.
 *
 * Each open file is one driver context holding at most one buffer, one
 * attachment, one DMA mapping and one vmap; the context's mutex guards
 * them all.  Closing the file undoes what is left, in the right order.
 */

#include <linux/dma-buf.h>
#include <linux/dma-heap-compat.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/dma-map-ops.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "dho_importer.h"

#define DHO_IMP_NAME "dho-importer"

static struct platform_device *dho_imp_pdev;

/*
 * The device's maximum DMA segment size: 0 (the default) leaves dma_parms
 * at 0, which the DMA API reads as 64 KiB; the heaps split longer chunks
 * for it.  Writable, for new attachments: the benchmark times the split.
 */
static unsigned int dho_imp_max_seg;

static int dho_imp_set_max_seg(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret;

	ret = kstrtouint(val, 0, &v);
	if (ret)
		return ret;
	if (v && v < PAGE_SIZE)
		return -EINVAL;
	dho_imp_max_seg = v;
	if (dho_imp_pdev)
		dma_set_max_seg_size(&dho_imp_pdev->dev, v);
	return 0;
}

static const struct kernel_param_ops dho_imp_max_seg_ops = {
	.set = dho_imp_set_max_seg,
	.get = param_get_uint,
};
module_param_cb(max_seg_size, &dho_imp_max_seg_ops, &dho_imp_max_seg, 0644);
MODULE_PARM_DESC(max_seg_size, "maximum DMA segment size in bytes (0: unset, 64 KiB)");

/**
 * struct dho_imp - one driver context
 * @lock:   guards every field below
 * @dmabuf: the imported buffer, referenced
 * @att:    its attachment to our device
 * @sgt:    the DMA mapping of @att
 * @dir:    direction of @sgt
 * @map:    the vmap alias
 * @vmapped: @map is set
 */
struct dho_imp {
	struct mutex lock;	/* guards the rest */
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *att;
	struct sg_table *sgt;
	enum dma_data_direction dir;
	struct iosys_map map;
	bool vmapped;
};

static struct device *dho_imp_dev(void)
{
	return &dho_imp_pdev->dev;
}

/* Detach while mapped: what a buggy driver does, with the DMA unmapping it
 * forgot done here after the fact, so that the test leaks nothing.
 */
static int dho_imp_detach_mapped(struct dho_imp *imp)
{
	struct scatterlist *sg, *copy_sg;
	struct sg_table copy;
	int i, ret;

	/*
	 * An exporter whose mappings the dma-buf core caches (drm prime:
	 * vgem's own buffers) is unmapped by the core at detach; only the
	 * others leave the mapping behind.
	 */
	if (imp->att->sgt) {
		dma_buf_detach(imp->dmabuf, imp->att);
		imp->att = NULL;
		imp->sgt = NULL;
		return 0;
	}
	ret = sg_alloc_table(&copy, imp->sgt->orig_nents, GFP_KERNEL);
	if (ret)
		return ret;
	copy_sg = copy.sgl;
	for_each_sgtable_sg(imp->sgt, sg, i) {
		*copy_sg = *sg;
		if (sg_is_last(sg))
			sg_mark_end(copy_sg);
		copy_sg = sg_next(copy_sg);
	}
	copy.nents = imp->sgt->nents;

	dma_buf_detach(imp->dmabuf, imp->att);
	imp->att = NULL;
	imp->sgt = NULL;
	dma_unmap_sgtable(dho_imp_dev(), &copy, imp->dir, 0);
	sg_free_table(&copy);
	return 0;
}

static void dho_imp_release_all(struct dho_imp *imp)
{
	lockdep_assert_held(&imp->lock);
	if (imp->sgt) {
		dma_buf_unmap_attachment_unlocked(imp->att, imp->sgt, imp->dir);
		imp->sgt = NULL;
	}
	if (imp->att) {
		dma_buf_detach(imp->dmabuf, imp->att);
		imp->att = NULL;
	}
	if (imp->vmapped) {
		dma_buf_vunmap_unlocked(imp->dmabuf, &imp->map);
		imp->vmapped = false;
	}
	if (imp->dmabuf) {
		dma_buf_put(imp->dmabuf);
		imp->dmabuf = NULL;
	}
}

static int dho_imp_dir(unsigned long arg, enum dma_data_direction *dir)
{
	u32 d;

	if (get_user(d, (u32 __user *)arg))
		return -EFAULT;
	if (d != DMA_BIDIRECTIONAL && d != DMA_TO_DEVICE && d != DMA_FROM_DEVICE)
		return -EINVAL;
	*dir = d;
	return 0;
}

static int dho_imp_access(struct dho_imp *imp, unsigned int cmd,
			  unsigned long arg)
{
	struct dho_imp_access acc;
	u64 end;

	if (copy_from_user(&acc, (void __user *)arg, sizeof(acc)))
		return -EFAULT;
	if (!imp->vmapped)
		return -ENXIO;
	if (cmd == DHO_IMP_READ)
		acc.len = sizeof(u32);
	if (!acc.len || check_add_overflow(acc.offset, acc.len, &end) ||
	    end > imp->dmabuf->size)
		return -EINVAL;

	if (cmd == DHO_IMP_WRITE) {
		memset(imp->map.vaddr + acc.offset, acc.value & 0xff, acc.len);
		return 0;
	}
	if (!IS_ALIGNED(acc.offset, sizeof(u32)))
		return -EINVAL;
	acc.value = READ_ONCE(*(u32 *)(imp->map.vaddr + acc.offset));
	return copy_to_user((void __user *)arg, &acc, sizeof(acc)) ? -EFAULT : 0;
}

static long dho_imp_ioctl_locked(struct dho_imp *imp, unsigned int cmd,
				 unsigned long arg)
{
	enum dma_data_direction dir;
	struct sg_table *sgt;
	struct dma_buf *dmabuf;
	int fd, ret;

	if (cmd != DHO_IMP_IMPORT && !imp->dmabuf)
		return -ENXIO;

	switch (cmd) {
	case DHO_IMP_IMPORT:
		if (imp->dmabuf)
			return -EBUSY;
		if (get_user(fd, (int __user *)arg))
			return -EFAULT;
		dmabuf = dma_buf_get(fd);
		if (IS_ERR(dmabuf))
			return PTR_ERR(dmabuf);
		imp->dmabuf = dmabuf;
		return 0;
	case DHO_IMP_ATTACH:
		if (imp->att)
			return -EBUSY;
		imp->att = dma_buf_attach(imp->dmabuf, dho_imp_dev());
		if (IS_ERR(imp->att)) {
			ret = PTR_ERR(imp->att);
			imp->att = NULL;
			return ret;
		}
		return 0;
	case DHO_IMP_MAP:
		ret = dho_imp_dir(arg, &dir);
		if (ret)
			return ret;
		if (!imp->att)
			return -ENXIO;
		if (imp->sgt)
			return -EBUSY;
		sgt = dma_buf_map_attachment_unlocked(imp->att, dir);
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
		imp->sgt = sgt;
		imp->dir = dir;
		return 0;
	case DHO_IMP_UNMAP:
		if (!imp->sgt)
			return -ENXIO;
		dma_buf_unmap_attachment_unlocked(imp->att, imp->sgt, imp->dir);
		imp->sgt = NULL;
		return 0;
	case DHO_IMP_DETACH:
		if (!imp->att)
			return -ENXIO;
		if (imp->sgt)
			return dho_imp_detach_mapped(imp);
		dma_buf_detach(imp->dmabuf, imp->att);
		imp->att = NULL;
		return 0;
	case DHO_IMP_VMAP:
		if (imp->vmapped)
			return -EBUSY;
		ret = dma_buf_vmap_unlocked(imp->dmabuf, &imp->map);
		if (ret)
			return ret;
		imp->vmapped = true;
		return 0;
	case DHO_IMP_VUNMAP:
		if (!imp->vmapped)
			return -ENXIO;
		dma_buf_vunmap_unlocked(imp->dmabuf, &imp->map);
		imp->vmapped = false;
		return 0;
	case DHO_IMP_WRITE:
	case DHO_IMP_READ:
		return dho_imp_access(imp, cmd, arg);
	case DHO_IMP_BEGIN:
	case DHO_IMP_END:
		ret = dho_imp_dir(arg, &dir);
		if (ret)
			return ret;
		return cmd == DHO_IMP_BEGIN ? dma_buf_begin_cpu_access(imp->dmabuf, dir) :
					      dma_buf_end_cpu_access(imp->dmabuf, dir);
	case DHO_IMP_RELEASE:
		dho_imp_release_all(imp);
		return 0;
	case DHO_IMP_NENTS:
		if (!imp->sgt)
			return -ENXIO;
		return put_user(imp->sgt->orig_nents, (__u32 __user *)arg);
	default:
		return -ENOTTY;
	}
}

static long dho_imp_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct dho_imp *imp = file->private_data;
	long ret;

	mutex_lock(&imp->lock);
	ret = dho_imp_ioctl_locked(imp, cmd, arg);
	mutex_unlock(&imp->lock);
	return ret;
}

static int dho_imp_open(struct inode *inode, struct file *file)
{
	struct dho_imp *imp = kzalloc(sizeof(*imp), GFP_KERNEL);

	if (!imp)
		return -ENOMEM;
	mutex_init(&imp->lock);
	file->private_data = imp;
	return 0;
}

static int dho_imp_release(struct inode *inode, struct file *file)
{
	struct dho_imp *imp = file->private_data;

	mutex_lock(&imp->lock);
	dho_imp_release_all(imp);
	mutex_unlock(&imp->lock);
	mutex_destroy(&imp->lock);
	kfree(imp);
	return 0;
}

static const struct file_operations dho_imp_fops = {
	.owner = THIS_MODULE,
	.open = dho_imp_open,
	.release = dho_imp_release,
	.unlocked_ioctl = dho_imp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice dho_imp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "dho_importer",
	.fops = &dho_imp_fops,
};

static struct platform_driver dho_imp_driver = {
	.driver = {
		.name = DHO_IMP_NAME,
	},
};

static int __init dho_imp_init(void)
{
	int ret;

	ret = platform_driver_register(&dho_imp_driver);
	if (ret)
		return ret;

	dho_imp_pdev = platform_device_register_simple(DHO_IMP_NAME, -1, NULL, 0);
	if (IS_ERR(dho_imp_pdev)) {
		ret = PTR_ERR(dho_imp_pdev);
		goto unregister_driver;
	}
	ret = dma_coerce_mask_and_coherent(&dho_imp_pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto unregister_device;
	dma_set_max_seg_size(&dho_imp_pdev->dev, dho_imp_max_seg);
	/*
	 * No firmware node says otherwise: on arm64 the device is not
	 * coherent, and the heaps' dma_sync_sgtable_*() do real cache
	 * maintenance for it (tests/guest-suites.sh checks this line there).
	 */
	dev_info(&dho_imp_pdev->dev, "%s DMA-coherent\n",
		 dev_is_dma_coherent(&dho_imp_pdev->dev) ? "is" : "is not");

	ret = misc_register(&dho_imp_misc);
	if (ret)
		goto unregister_device;
	return 0;

unregister_device:
	platform_device_unregister(dho_imp_pdev);
unregister_driver:
	platform_driver_unregister(&dho_imp_driver);
	return ret;
}

static void __exit dho_imp_exit(void)
{
	misc_deregister(&dho_imp_misc);
	platform_device_unregister(dho_imp_pdev);
	platform_driver_unregister(&dho_imp_driver);
}

module_init(dho_imp_init);
module_exit(dho_imp_exit);
MODULE_DESCRIPTION("dma-heap-owner test importer: a driver on demand");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(DMA_BUF);
