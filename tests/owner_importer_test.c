// SPDX-License-Identifier: GPL-2.0
/*
 * The ownership tracker against drivers: the dho_importer test driver acts
 * out each buggy driver (and its correct twin), vgem imports as a real
 * driver does.  Each test asserts the debugfs counts (that class, nothing
 * else), the violation tracepoint, and that nothing is raised when done
 * right; then hostile input to the importer and every close ordering.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <sys/mman.h>
#include <drm/drm.h>

#include "dho_test.h"
#include "importer/dho_importer.h"
#include "kselftest_harness.h"
#include "dho_harness.h"

#define LEN	(32 * 4096)

FIXTURE(drv) {
	int fd;		/* the dma-buf */
	int imp;	/* a driver context holding it */
	long before[DHO_NR_CLASSES];
};

FIXTURE_SETUP(drv)
{
	if (!dho_tracker_present())
		SKIP(return, "kernel without the tracker");
	if (access("/dev/dho_importer", R_OK | W_OK))
		SKIP(return, "dho_importer.ko not loaded");
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", ""));
	ASSERT_EQ(0, dho_trace_start());
	self->fd = dho_alloc("system", LEN);
	ASSERT_LE(0, self->fd);
	self->imp = open("/dev/dho_importer", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->imp);
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_IMPORT, &self->fd));
	ASSERT_EQ(0, dho_counts(self->before));
}

FIXTURE_TEARDOWN(drv)
{
	if (self->imp > 0)
		close(self->imp);
	if (self->fd > 0)
		close(self->fd);
	dho_write_file(DHO_DEBUGFS "/filter", "");
}

#define expect_only(cls, n) expect_only_since(_metadata, self->before, cls, n)
#define expect_none() expect_only(-1, 0)

static bool traced_class(int fd, const char *cls, const char *dev)
{
	char also[32];

	snprintf(also, sizeof(also), "dev=%s", dev);
	return dho_traced(fd, cls, also);
}

static int dir(int imp, unsigned long cmd, __u32 d)
{
	return ioctl(imp, cmd, &d);
}

static int kwrite(int imp, __u64 off, __u64 len)
{
	struct dho_imp_access acc = { .offset = off, .len = len, .value = 0x77 };

	return ioctl(imp, DHO_IMP_WRITE, &acc);
}

static int kread(int imp, __u64 off, __u32 *val)
{
	struct dho_imp_access acc = { .offset = off };
	int ret = ioctl(imp, DHO_IMP_READ, &acc);

	*val = acc.value;
	return ret;
}

static int count_reports(void)
{
	char *v = dho_read_file(DHO_DEBUGFS "/violations"), *p = v;
	int n = 0;

	while (p && (p = strstr(p, "BUG: dma-heap-owner: "))) {
		n++;
		p++;
	}
	free(v);
	return n;
}

TEST_F(drv, correct_driver)
{
	__u32 val;

	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_VMAP));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_BEGIN, DHO_IMP_TO_DEVICE));
	ASSERT_EQ(0, kwrite(self->imp, 0, LEN));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_END, DHO_IMP_TO_DEVICE));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_ATTACH));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_MAP, DHO_IMP_BIDIRECTIONAL));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_UNMAP));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_BEGIN, DHO_IMP_FROM_DEVICE));
	ASSERT_EQ(0, kread(self->imp, 4096, &val));
	EXPECT_EQ(0x77777777, val);
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_END, DHO_IMP_FROM_DEVICE));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_DETACH));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_VUNMAP));
	expect_none();
}

TEST_F(drv, device_access_vmapped)
{
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_VMAP));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_BEGIN, DHO_IMP_TO_DEVICE));
	ASSERT_EQ(0, kwrite(self->imp, 0, 4096));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_ATTACH));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_MAP, DHO_IMP_TO_DEVICE));
	expect_only(DEVICE_ACCESS_VMAPPED, 1);
	EXPECT_TRUE(traced_class(self->fd, "device_access_vmapped", "dho-importer"));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_END, DHO_IMP_TO_DEVICE));
	expect_only(DEVICE_ACCESS_VMAPPED, 1);
}

TEST_F(drv, vmap_flush_missing)
{
	long now[DHO_NR_CLASSES];

	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_VMAP));
	ASSERT_EQ(0, kwrite(self->imp, 8192, 100));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_ATTACH));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_MAP, DHO_IMP_TO_DEVICE));
	/* two events, two classes: the unowned write, the unflushed hand-off */
	ASSERT_EQ(0, dho_counts(now));
	EXPECT_EQ(1, now[VMAP_FLUSH_MISSING] - self->before[VMAP_FLUSH_MISSING]);
	EXPECT_EQ(1, now[CPU_ACCESS_UNOWNED] - self->before[CPU_ACCESS_UNOWNED]);
	EXPECT_EQ(0, now[DEVICE_ACCESS_VMAPPED] - self->before[DEVICE_ACCESS_VMAPPED]);
	EXPECT_TRUE(traced_class(self->fd, "vmap_flush_missing", "dho-importer"));
}

/* The CPU reads through the alias right after the device, no invalidate. */
TEST_F(drv, vmap_invalidate_missing)
{
	__u32 val;

	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_VMAP));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_ATTACH));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_MAP, DHO_IMP_FROM_DEVICE));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_UNMAP));
	ASSERT_EQ(0, kread(self->imp, 0, &val));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_VUNMAP));
	expect_only(VMAP_FLUSH_MISSING, 1);
}

TEST_F(drv, kernel_write_unowned)
{
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_VMAP));
	ASSERT_EQ(0, kwrite(self->imp, 0, 16));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_VUNMAP));
	expect_only(CPU_ACCESS_UNOWNED, 1);
}

TEST_F(drv, kernel_write_in_read_window)
{
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_VMAP));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_BEGIN, DHO_IMP_FROM_DEVICE));
	ASSERT_EQ(0, kwrite(self->imp, 0, 16));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_END, DHO_IMP_FROM_DEVICE));
	expect_only(CPU_WRITE_IN_READ_WINDOW, 1);
}

TEST_F(drv, device_access_cpu_owned)
{
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_ATTACH));
	/* right: map outside the window */
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_MAP, DHO_IMP_BIDIRECTIONAL));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_UNMAP));
	expect_none();
	/* wrong: userspace holds a window */
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_MAP, DHO_IMP_BIDIRECTIONAL));
	expect_only(DEVICE_ACCESS_CPU_OWNED, 1);
	EXPECT_TRUE(traced_class(self->fd, "device_access_cpu_owned", "dho-importer"));
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
}

TEST_F(drv, kernel_unbalanced)
{
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_END, DHO_IMP_BIDIRECTIONAL));
	expect_only(CPU_ACCESS_UNBALANCED, 1);
}

TEST_F(drv, release_while_mapped)
{
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_ATTACH));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_DETACH));		/* right */
	expect_none();
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_ATTACH));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_MAP, DHO_IMP_TO_DEVICE));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_DETACH));		/* wrong */
	expect_only(RELEASE_WHILE_MAPPED, 1);
	EXPECT_TRUE(traced_class(self->fd, "release_while_mapped", "dho-importer"));
}

/* A user write while the device owns the buffer names the owner. */
TEST_F(drv, user_write_while_device_owns)
{
	char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	char *v;

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_ATTACH));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_MAP, DHO_IMP_BIDIRECTIONAL));
	p[0] = 1;
	expect_only(CPU_ACCESS_UNOWNED, 1);
	v = dho_read_file(DHO_DEBUGFS "/violations");
	ASSERT_NE(NULL, v);
	EXPECT_NE(NULL, strstr(v, "owner: device")) TH_LOG("%s", v);
	free(v);
	munmap(p, LEN);
}

/* The filter names a heap or a driver; counts count regardless. */
TEST_F(drv, filter)
{
	/* start from an empty ring, so that reports can be counted */
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/reset", "1"));
	ASSERT_EQ(0, dho_counts(self->before));
	ASSERT_EQ(0, count_reports());
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/all_errors", "1"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", "vgem"));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_ATTACH));
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_MAP, DHO_IMP_BIDIRECTIONAL));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_UNMAP));
	EXPECT_EQ(0, count_reports());
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", "dho-importer"));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_MAP, DHO_IMP_BIDIRECTIONAL));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_UNMAP));
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	EXPECT_EQ(1, count_reports());
	expect_only(DEVICE_ACCESS_CPU_OWNED, 2);
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/all_errors", "0"));
}

/* Hostile input to the importer: clear errors, nothing raised. */
TEST_F(drv, hostile_importer_input)
{
	int other = open("/dev/dho_importer", O_RDWR), notbuf = open("/dev/null", O_RDONLY);
	int closed = dup(self->fd);
	struct dho_imp_access acc = { .offset = LEN - 2, .len = 4 };

	ASSERT_LE(0, other);
	close(closed);
	EXPECT_EQ(-1, ioctl(other, DHO_IMP_IMPORT, &closed));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, ioctl(other, DHO_IMP_IMPORT, &notbuf));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(other, DHO_IMP_ATTACH));		/* nothing imported */
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(-1, ioctl(self->imp, DHO_IMP_IMPORT, &self->fd));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, ioctl(self->imp, DHO_IMP_UNMAP));	/* nothing mapped */
	EXPECT_EQ(ENXIO, errno);
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_ATTACH));
	EXPECT_EQ(-1, dir(self->imp, DHO_IMP_MAP, 7));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_VMAP));
	EXPECT_EQ(-1, ioctl(self->imp, DHO_IMP_WRITE, &acc));	/* past the end */
	EXPECT_EQ(EINVAL, errno);
	acc.offset = ~0ULL - 1;
	EXPECT_EQ(-1, ioctl(self->imp, DHO_IMP_WRITE, &acc));	/* overflow */
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->imp, 0x1234));
	EXPECT_EQ(ENOTTY, errno);
	close(other);
	close(notbuf);
	expect_none();
}

static bool buffer_listed(unsigned long ino)
{
	char *table = dho_read_file(DHO_DEBUGFS "/buffers"), want[64];
	bool found;

	snprintf(want, sizeof(want), "ino=%lu ", ino);
	found = table && strstr(table, want);
	free(table);
	return found;
}

/* Close the fd first while a driver has the buffer mapped and vmapped. */
TEST_F(drv, close_orderings)
{
	unsigned long ino = dho_ino(self->fd);
	char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_ATTACH));
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_MAP, DHO_IMP_BIDIRECTIONAL));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_VMAP));
	close(self->fd);
	self->fd = -1;
	EXPECT_TRUE(buffer_listed(ino));	/* the mmap and the driver hold it */
	close(self->imp);
	self->imp = -1;
	EXPECT_TRUE(buffer_listed(ino));	/* the mmap still does */
	munmap(p, LEN);
	EXPECT_FALSE(buffer_listed(ino));	/* released */
	expect_none();
}

/* vgem, a real importer, as the upstream kselftest uses it. */
TEST_F(drv, vgem_import)
{
	struct drm_prime_handle import = { .fd = self->fd };
	struct drm_gem_close gclose = { };
	char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	int card = -1, i;
	char path[32];

	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < 16 && card < 0; i++) {
		char name[64] = "";
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		card = open(path, O_RDWR);
		if (card >= 0 && (ioctl(card, DRM_IOCTL_VERSION, &v) || strcmp(name, "vgem"))) {
			close(card);
			card = -1;
		}
	}
	ASSERT_LE(0, card) TH_LOG("no vgem device");
	ASSERT_EQ(0, ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, &import));

	/* right: the CPU writes inside a window while vgem has it mapped */
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	memset(p, 1, LEN);
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	expect_none();

	/* wrong: a write while vgem owns it */
	p[LEN - 1] = 2;
	expect_only(CPU_ACCESS_UNOWNED, 1);

	gclose.handle = import.handle;
	EXPECT_EQ(0, ioctl(card, DRM_IOCTL_GEM_CLOSE, &gclose));
	close(card);
	munmap(p, LEN);
}

TEST_HARNESS_MAIN
