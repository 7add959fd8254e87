// SPDX-License-Identifier: GPL-2.0
/*
 * A fail-nth sweep (Documentation/fault-injection/fault-injection.rst) over
 * allocation, mmap and fault, attach and map, which also covers the
 * tracker's own allocations on those paths.  Every failure must reach the
 * caller as an error or be absorbed, leak nothing, and leave the tracker
 * either recording correctly or disabled with one message (it is switched
 * back on after each point, so that every point runs tracked).
 *
 * vmap is not swept here: 6.1's dma_buf_vmap() does WARN_ON_ONCE() on any
 * exporter's vmap failure, which the run's splat check would rightly flag.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/syscall.h>

#include "dho_test.h"
#include "importer/dho_importer.h"
#include "kselftest_harness.h"

#define LEN	(8 * 4096)
#define MAX_NTH	400

static char nth_path[64];

static void fail_nth(int n)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", n);
	dho_write_file(nth_path, buf);
}

/* 0 if the injected fault was consumed inside the operation */
static int fail_nth_left(void)
{
	char *s = dho_read_file(nth_path);
	int n = s ? atoi(s) : -1;

	free(s);
	fail_nth(0);
	return n;
}

enum op { OP_ALLOC, OP_MMAP_TOUCH, OP_ATTACH, OP_MAP, NR_OPS };
static const char *const op_names[] = { "alloc", "mmap+touch", "attach", "map" };

/* If the tracker switched itself off (from a work item), switch it on. */
static int tracker_back_on(void)
{
	char *s;
	int i, off = 0;

	for (i = 0; i < 20; i++) {
		s = dho_read_file(DHO_DEBUGFS "/disabled");
		off = s && s[0] == '1';
		free(s);
		if (off)
			break;
		usleep(10000);
	}
	if (off)
		dho_write_file(DHO_DEBUGFS "/disabled", "0");
	return off;
}

/*
 * Run @op with the @n-th fault injected.  Returns 1 when the fault landed
 * in the operation (keep sweeping), 0 when the operation ran out of fault
 * points, -1 on a wrong result.
 */
static int one(enum op op, int n, int *errors)
{
	int fd = dho_alloc("system", LEN), imp = -1, ret, left, err = 0;
	__u32 dir = DHO_IMP_BIDIRECTIONAL;
	char *p = MAP_FAILED;

	if (fd < 0)
		return -1;
	if (op >= OP_ATTACH) {
		imp = open("/dev/dho_importer", O_RDWR);
		if (imp < 0 || ioctl(imp, DHO_IMP_IMPORT, &fd))
			return -1;
		if (op == OP_MAP && ioctl(imp, DHO_IMP_ATTACH))
			return -1;
	}
	if (op == OP_ALLOC) {
		close(fd);
		fd = -1;
	}

	fail_nth(n);
	switch (op) {
	case OP_ALLOC:
		ret = dho_alloc("system", LEN);
		if (ret >= 0)
			fd = ret;
		else
			err = -ret;
		break;
	case OP_MMAP_TOUCH:
		p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			err = errno;
			break;
		}
		if (dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE) == 0) {
			memset(p, 1, LEN);
			dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
		} else {
			err = errno;
		}
		break;
	case OP_ATTACH:
		if (ioctl(imp, DHO_IMP_ATTACH))
			err = errno;
		break;
	case OP_MAP:
		if (ioctl(imp, DHO_IMP_MAP, &dir))
			err = errno;
		break;
	default:
		break;
	}
	left = fail_nth_left();

	if (err) {
		(*errors)++;
		if (err != ENOMEM && err != EINTR && err != EFAULT && err != EAGAIN)
			return -1;	/* an error, but not one an allocation failure gives */
	}
	if (p != MAP_FAILED)
		munmap(p, LEN);
	if (imp >= 0)
		close(imp);
	if (fd >= 0)
		close(fd);
	return left == 0;
}

TEST(fail_nth_sweep)
{
	int op, n, r, swept = 0, errors, disables = 0;

	if (!dho_tracker_present() || access("/dev/dho_importer", W_OK))
		SKIP(return, "needs the tracker and dho_importer.ko");
	snprintf(nth_path, sizeof(nth_path), "/proc/self/task/%ld/fail-nth", syscall(SYS_gettid));
	if (access(nth_path, W_OK))
		SKIP(return, "no fail-nth (CONFIG_FAULT_INJECTION)");
	/* let failslab and fail_page_alloc fail sleeping allocations too */
	dho_write_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	dho_write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	dho_write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N");
	dho_write_file("/sys/kernel/debug/fail_page_alloc/min-order", "0");

	for (op = 0; op < NR_OPS; op++) {
		errors = 0;
		for (n = 1; n <= MAX_NTH; n++) {
			r = one(op, n, &errors);
			ASSERT_LE(0, r) TH_LOG("%s, fault %d: unexpected result", op_names[op], n);
			if (op == OP_MMAP_TOUCH)	/* where the tracker allocates */
				disables += tracker_back_on();
			if (!r)
				break;
		}
		EXPECT_GT(MAX_NTH, n)
			TH_LOG("%s: more than %d fault points?", op_names[op], MAX_NTH);
		TH_LOG("%s: %d fail points swept, %d reached the caller as errors",
		       op_names[op], n - 1, errors);
		swept += n - 1;
	}
	TH_LOG("%d fail points in all; the tracker switched itself off %d times", swept, disables);

	dho_write_file("/sys/kernel/debug/failslab/ignore-gfp-wait", "Y");
	dho_write_file("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "Y");
	/* nothing left behind */
	EXPECT_EQ(0, dho_buffers_count());
}

/* After the sweep the tracker works: on again if it switched itself off. */
TEST(tracker_still_records)
{
	long before[DHO_NR_CLASSES], after[DHO_NR_CLASSES];
	char *p;
	int fd;

	if (!dho_tracker_present())
		SKIP(return, "no tracker");
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/disabled", "0"));
	ASSERT_EQ(0, dho_counts(before));
	fd = dho_alloc("system", LEN);
	ASSERT_LE(0, fd);
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, dho_counts(after));
	EXPECT_EQ(1, after[CPU_ACCESS_UNOWNED] - before[CPU_ACCESS_UNOWNED]);
	munmap(p, LEN);
	close(fd);
	EXPECT_EQ(0, dho_buffers_count());
}

TEST_HARNESS_MAIN
