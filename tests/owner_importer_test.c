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
	int buffers;	/* lines in the buffers table before the test */
};

FIXTURE_SETUP(drv)
{
	if (!dho_tracker_present())
		DHO_SETUP_SKIP("kernel without the tracker");
	if (access("/dev/dho_importer", R_OK | W_OK))
		DHO_SETUP_SKIP("dho_importer.ko not loaded");
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", ""));
	ASSERT_EQ(0, dho_trace_start());
	self->buffers = dho_buffers_count();
	ASSERT_LE(0, self->buffers);
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
		EXPECT_EQ(0, close(self->imp));
	if (self->fd > 0)
		EXPECT_EQ(0, close(self->fd));
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", ""));
	/* nothing left behind: the buffer went with its last reference */
	EXPECT_EQ(self->buffers, dho_buffers_count()) TH_LOG("buffers left in the table");
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

/*
 * Hostile input to the importer, from a fresh driver context each round:
 * clear errors, nothing raised, and nothing leaked: a leak on any of
 * these paths, once a round, would grow some slab cache by 512 objects.
 */
#define HOSTILE_ROUNDS	512

TEST_F_TIMEOUT(drv, hostile_importer_input, 300)
{
	int notbuf = open("/dev/null", O_RDONLY), closed = 999, r;
	struct dho_imp_access acc;
	struct dho_leak leak;

	ASSERT_LE(0, notbuf);
	/* a closed fd, above any the loop opens */
	ASSERT_EQ(closed, dup2(self->fd, closed));
	ASSERT_EQ(0, close(closed));
	dho_leak_begin(_metadata, &leak);
	for (r = 0; r < HOSTILE_ROUNDS; r++) {
		int other = open("/dev/dho_importer", O_RDWR);

		ASSERT_LE(0, other);
		ASSERT_EQ(-1, ioctl(other, DHO_IMP_IMPORT, &closed));
		ASSERT_EQ(EBADF, errno);
		ASSERT_EQ(-1, ioctl(other, DHO_IMP_IMPORT, &notbuf));
		ASSERT_EQ(EINVAL, errno);
		ASSERT_EQ(-1, ioctl(other, DHO_IMP_ATTACH));	/* nothing imported */
		ASSERT_EQ(ENXIO, errno);
		ASSERT_EQ(0, ioctl(other, DHO_IMP_IMPORT, &self->fd));
		ASSERT_EQ(-1, ioctl(other, DHO_IMP_IMPORT, &self->fd));
		ASSERT_EQ(EBUSY, errno);
		ASSERT_EQ(-1, ioctl(other, DHO_IMP_UNMAP));	/* nothing mapped */
		ASSERT_EQ(ENXIO, errno);
		ASSERT_EQ(0, ioctl(other, DHO_IMP_ATTACH));
		ASSERT_EQ(-1, dir(other, DHO_IMP_MAP, 7));
		ASSERT_EQ(EINVAL, errno);
		ASSERT_EQ(-1, dir(other, DHO_IMP_BEGIN, 7));
		ASSERT_EQ(EINVAL, errno);
		ASSERT_EQ(0, ioctl(other, DHO_IMP_VMAP));
		acc = (struct dho_imp_access){ .offset = LEN - 2, .len = 4 };
		ASSERT_EQ(-1, ioctl(other, DHO_IMP_WRITE, &acc));	/* past the end */
		ASSERT_EQ(EINVAL, errno);
		acc.offset = ~0ULL - 1;
		ASSERT_EQ(-1, ioctl(other, DHO_IMP_WRITE, &acc));	/* overflow */
		ASSERT_EQ(EINVAL, errno);
		acc = (struct dho_imp_access){ .offset = 0, .len = 0 };
		ASSERT_EQ(-1, ioctl(other, DHO_IMP_WRITE, &acc));	/* empty */
		ASSERT_EQ(EINVAL, errno);
		ASSERT_EQ(-1, ioctl(other, 0x1234));
		ASSERT_EQ(ENOTTY, errno);
		ASSERT_EQ(0, close(other));	/* attached and vmapped: undone */
	}
	close(notbuf);
	expect_none();
	expect_no_leak(_metadata, &leak, HOSTILE_ROUNDS);
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

/*
 * Every order of closing the dma-buf fd, the driver context and the mmap,
 * while the driver has the buffer attached, mapped and vmapped and the
 * mmap has pages in: the buffer lives until the last goes, raises
 * nothing, and leaves nothing behind.  Each order runs CLOSE_ROUNDS times,
 * so that leaking any object once a round would grow its slab cache by
 * that many.
 */
#define CLOSE_ROUNDS	512

enum { C_FD, C_IMP, C_MAP };
static const char *const close_names[] = { "fd", "driver", "mmap" };

FIXTURE(close_order) {
	long before[DHO_NR_CLASSES];
	struct dho_leak leak;
};

FIXTURE_VARIANT(close_order) {
	int order[3];
};

FIXTURE_VARIANT_ADD(close_order, fd_driver_mmap) { .order = { C_FD, C_IMP, C_MAP } };
FIXTURE_VARIANT_ADD(close_order, fd_mmap_driver) { .order = { C_FD, C_MAP, C_IMP } };
FIXTURE_VARIANT_ADD(close_order, driver_fd_mmap) { .order = { C_IMP, C_FD, C_MAP } };
FIXTURE_VARIANT_ADD(close_order, driver_mmap_fd) { .order = { C_IMP, C_MAP, C_FD } };
FIXTURE_VARIANT_ADD(close_order, mmap_fd_driver) { .order = { C_MAP, C_FD, C_IMP } };
FIXTURE_VARIANT_ADD(close_order, mmap_driver_fd) { .order = { C_MAP, C_IMP, C_FD } };

FIXTURE_SETUP(close_order)
{
	if (!dho_tracker_present())
		DHO_SETUP_SKIP("kernel without the tracker");
	if (access("/dev/dho_importer", R_OK | W_OK))
		DHO_SETUP_SKIP("dho_importer.ko not loaded");
	ASSERT_EQ(0, dho_counts(self->before));
	dho_leak_begin(_metadata, &self->leak);
}

FIXTURE_TEARDOWN(close_order)
{
}

TEST_F_TIMEOUT(close_order, while_mapped_and_vmapped, 300)
{
	int r, i;

	for (r = 0; r < CLOSE_ROUNDS; r++) {
		int fd = dho_alloc("system", LEN), imp;
		unsigned long ino = dho_ino(fd);
		char *p;

		ASSERT_LE(0, fd);
		p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		ASSERT_EQ(0, dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
		memset(p, 5, LEN);
		ASSERT_EQ(0, dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
		imp = open("/dev/dho_importer", O_RDWR);
		ASSERT_LE(0, imp);
		ASSERT_EQ(0, ioctl(imp, DHO_IMP_IMPORT, &fd));
		ASSERT_EQ(0, ioctl(imp, DHO_IMP_ATTACH));
		ASSERT_EQ(0, dir(imp, DHO_IMP_MAP, DHO_IMP_BIDIRECTIONAL));
		ASSERT_EQ(0, ioctl(imp, DHO_IMP_VMAP));
		for (i = 0; i < 3; i++) {
			int what = variant->order[i];

			switch (what) {
			case C_FD:
				ASSERT_EQ(0, close(fd));
				break;
			case C_IMP:
				ASSERT_EQ(0, close(imp));
				break;
			default:
				ASSERT_EQ(0, munmap(p, LEN));
				break;
			}
			/* held until the last of the three goes */
			ASSERT_EQ(i < 2, buffer_listed(ino))
				TH_LOG("round %d, after closing the %s", r, close_names[what]);
		}
	}
	expect_only_since(_metadata, self->before, -1, 0);
	expect_no_leak(_metadata, &self->leak, CLOSE_ROUNDS);
}

/* Lines of @log inside the tracker's report frames (the rule lines). */
static char *report_lines(const char *log)
{
	char *out = calloc(1, strlen(log) + 1), *o = out;
	const char *line = log, *eol;
	bool in = false;

	if (!out)
		return NULL;
	for (; *line; line = *eol ? eol + 1 : eol) {
		eol = strchrnul(line, '\n');
		if (!strncmp(line, "=====", 5)) {
			in = !in && !strncmp(eol + !!*eol, "BUG: dma-heap-owner: ", 21);
			continue;
		}
		if (in || strstr(line, "dma-heap-owner")) {
			memcpy(o, line, eol - line);
			o += eol - line;
			*o++ = '\n';
		}
	}
	return out;
}

static void expect_no_kaddr(struct __test_metadata *_metadata,
			    const char *what, const char *text)
{
	const char *at;
	int len = 0;

	ASSERT_NE(NULL, text) TH_LOG("%s unreadable", what);
	at = dho_find_kaddr(text, &len);
	EXPECT_EQ(NULL, at) TH_LOG("%s leaks a kernel address: %.*s", what, len, at);
}

/*
 * No kernel address in anything the tracker prints, with a buffer in every
 * state that has one to leak: mapped by userspace, attached, mapped and
 * vmapped by a driver, and with a userspace violation and a kernel one
 * (a write through the alias, seen when the driver maps) reported.
 */
TEST_F(drv, no_kernel_address_in_any_output)
{
	char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	char *v, *b, *t, *log, *rep, want[64];
	long now[DHO_NR_CLASSES];
	int kmsg, err, len;

	/* the matcher itself */
	EXPECT_NE(NULL, dho_find_kaddr("at ffffc90000a3b000 in", &len));
	EXPECT_NE(NULL, dho_find_kaddr("0xFFFF888004A1C000", &len));
	EXPECT_EQ(NULL, dho_find_kaddr("at 0x00007f1c2a3e4000 (page 0)", &len));

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/all_errors", "1"));
	ASSERT_EQ(0, dho_write_file(DHO_TRACEFS "/events/dma_heap_owner/enable", "1"));
	ASSERT_EQ(0, dho_trace_clear());
	kmsg = dho_kmsg_open();
	ASSERT_LE(0, kmsg);

	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	memset(p, 1, LEN);
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_ATTACH));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_VMAP));
	ASSERT_EQ(0, kwrite(self->imp, 4096, 64));	/* outside any window */
	ASSERT_EQ(0, dir(self->imp, DHO_IMP_MAP, DHO_IMP_BIDIRECTIONAL));
	p[2 * 4096] = 2;				/* the device owns it */
	/* the kernel's write and the user's, and the unflushed hand-off */
	ASSERT_EQ(0, dho_counts(now));
	EXPECT_EQ(2, now[CPU_ACCESS_UNOWNED] - self->before[CPU_ACCESS_UNOWNED]);
	EXPECT_EQ(1, now[VMAP_FLUSH_MISSING] - self->before[VMAP_FLUSH_MISSING]);

	v = dho_read_file(DHO_DEBUGFS "/violations");
	b = dho_read_file(DHO_DEBUGFS "/buffers");
	t = dho_trace_read();
	log = dho_kmsg_read(kmsg, &err);
	close(kmsg);
	ASSERT_NE(NULL, log) TH_LOG("/dev/kmsg: %s", strerror(-err));
	rep = report_lines(log);

	/* what is checked holds what could leak */
	ASSERT_NE(NULL, v);
	EXPECT_NE(NULL, strstr(v, "BUG: dma-heap-owner: cpu_access_unowned in userspace"));
	EXPECT_NE(NULL, strstr(v, "through the vmap alias"));
	EXPECT_NE(NULL, strstr(v, "BUG: dma-heap-owner: vmap_flush_missing in "));
	ASSERT_NE(NULL, b);
	snprintf(want, sizeof(want), "ino=%lu ", dho_ino(self->fd));
	EXPECT_NE(NULL, strstr(b, want));
	EXPECT_NE(NULL, strstr(b, " vmap=1 mmaps=1 ")) TH_LOG("%s", b);
	EXPECT_NE(NULL, strstr(b, " attach=1 devs=dho-importer:bidirectional ")) TH_LOG("%s", b);
	ASSERT_NE(NULL, t);
	EXPECT_NE(NULL, strstr(t, " op=vmap ")) TH_LOG("no vmap event traced");
	EXPECT_NE(NULL, strstr(t, " class=vmap_flush_missing "));
	ASSERT_NE(NULL, rep);
	EXPECT_EQ(3, dho_count_str(rep, "BUG: dma-heap-owner: ")) TH_LOG("%s", rep);

	expect_no_kaddr(_metadata, "violations", v);
	expect_no_kaddr(_metadata, "buffers", b);
	expect_no_kaddr(_metadata, "the trace", t);
	expect_no_kaddr(_metadata, "the kernel log's reports", rep);
	free(v);
	free(b);
	free(t);
	free(log);
	free(rep);

	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_UNMAP));
	ASSERT_EQ(0, ioctl(self->imp, DHO_IMP_VUNMAP));
	EXPECT_EQ(0, munmap(p, LEN));
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/all_errors", "0"));
	EXPECT_EQ(0, dho_write_file(DHO_TRACEFS "/events/dma_heap_owner/enable", "0"));
	EXPECT_EQ(0, dho_write_file(DHO_TRACEFS "/events/dma_heap_owner/violation/enable", "1"));
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
