// SPDX-License-Identifier: GPL-2.0
/*
 * A fail-nth sweep (Documentation/fault-injection/fault-injection.rst) over
 * allocation, mmap and fault, attach and map, which also covers the
 * tracker's own allocations on those paths.  At every point the operation
 * must return ENOMEM, or absorb the failure and do what it does without
 * one (and the tracker record it); leave nothing in the buffers table; and
 * leave the tracker either recording or switched off with exactly one
 * message (it is switched back on after each point, so that every point
 * runs tracked).  Each operation must go through at least the fault points
 * its code has, and each that allocates must pass a failure to its caller.
 *
 * Map allocates nothing that can fail: the attachment's sg table is built
 * at attach, and dma-direct maps it without allocating.  Its only fault
 * points are DMA-API debugging's (radix tree nodes, GFP_ATOMIC |
 * __GFP_NOWARN, which fall back to preloaded nodes), so every one must be
 * absorbed, with the mapping made and recorded.
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
#include "dho_harness.h"

#define LEN	(8 * 4096)
#define MAX_NTH	400
#define OFF_MSG	"disabling tracking"	/* dho_disable_oom()'s message */

/*
 * /proc/self/task/TID/fail-nth, opened once: opening it after the
 * operation would spend the points the operation left on the open itself.
 */
static int nth_fd = -1;

static int fail_nth(int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%d", n);

	return pwrite(nth_fd, buf, len, 0) == len ? 0 : -1;
}

/* The points left of the last fail_nth(): 0 if the fault was injected. */
static int fail_nth_left(void)
{
	char buf[16];
	ssize_t n = pread(nth_fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

enum op { OP_ALLOC, OP_MMAP_TOUCH, OP_ATTACH, OP_MAP, NR_OPS };
static const char *const op_names[] = { "alloc", "mmap+touch", "attach", "map" };

/*
 * The fault points each operation goes through at least, from its code
 * (system heap, 8 pages):
 * - alloc (the ioctl): the heap's buffer, eight order-0 pages (the larger
 *   orders' failures are absorbed), the sg table, the dma-buf, its inode,
 *   dentry and file;
 * - mmap+touch: the VMA, the maple tree's nodes for it, the tracker's user
 *   mapping record;
 * - attach: the dma-buf core's attachment, the helper's attachment and its
 *   sg table;
 * - map: none (see the top of the file).
 */
static const int min_points[NR_OPS] = { 14, 3, 3, 0 };
/* does the operation allocate, so that a failure can reach its caller? */
static const bool allocates[NR_OPS] = { true, true, true, false };

/* Where a sweep stood after one point. */
struct point {
	int err;		/* errno the operation returned, or 0 */
	bool injected;		/* the fault landed in the operation */
	bool broken;		/* the test's own calls failed */
	bool recorded;		/* done, it shows in the buffers table */
	char site[48];		/* the function the fault was injected in */
};

/*
 * The function an injected fault hit: the first frame of the dump that
 * fail_dump() printed that is not the allocator's or fault injection's;
 * "?" for an allocation with __GFP_NOWARN, which gets no dump.
 */
static void fault_site(const char *log, char *site, size_t len)
{
	static const char *const skip[] = {
		"dump_stack", "should_fail", "__should_fail", "fail_dump",
		"slab_", "kmem_cache_alloc", "__kmem_cache_alloc", "kmalloc",
		"__kmalloc", "kzalloc", "kvmalloc", "__kvmalloc", "kmalloc_trace",
		"__alloc_pages", "alloc_pages", "prepare_alloc_pages",
		"__get_free_pages", "get_zeroed_page", "__vmalloc", "vmalloc",
		"alloc_slab_page", "allocate_slab", "new_slab", "___slab_alloc",
		"__slab_alloc", "__folio_alloc", "folio_alloc", "mas_alloc_nodes",
	};
	const char *p = log ? strstr(log, "FAULT_INJECTION: forcing a failure") : NULL;
	unsigned int i;

	snprintf(site, len, "?");
	while (p && (p = strchr(p, '\n'))) {
		char fn[48];
		int end = 0;

		p++;
		if (sscanf(p, " %47[A-Za-z0-9_.]+0x%n", fn, &end) != 1 || !end)
			continue;
		for (i = 0; i < ARRAY_SIZE(skip); i++)
			if (!strncmp(fn, skip[i], strlen(skip[i])))
				break;
		if (i == ARRAY_SIZE(skip)) {
			snprintf(site, len, "%s", fn);
			return;
		}
	}
}

/* The buffers table's line for @ino has @want (NULL: it is listed). */
static bool recorded(unsigned long ino, const char *want)
{
	char *t = dho_read_file(DHO_DEBUGFS "/buffers"), key[32], *line;
	bool found = false;

	snprintf(key, sizeof(key), "ino=%lu ", ino);
	line = t ? strstr(t, key) : NULL;
	if (line) {
		*strchrnul(line, '\n') = '\0';
		found = !want || strstr(line, want);
	}
	free(t);
	return found;
}

/* Run @op with the @n-th fault injected. */
static void one(int heap, enum op op, int n, struct point *pt)
{
	int fd = dho_alloc_flags(heap, LEN, O_RDWR | O_CLOEXEC, 0), imp = -1, ret;
	__u32 dir = DHO_IMP_BIDIRECTIONAL;
	char *p = MAP_FAILED;

	memset(pt, 0, sizeof(*pt));
	pt->broken = true;
	if (fd < 0)
		return;
	if (op >= OP_ATTACH) {
		imp = open("/dev/dho_importer", O_RDWR);
		if (imp < 0 || ioctl(imp, DHO_IMP_IMPORT, &fd))
			return;
		if (op == OP_MAP && ioctl(imp, DHO_IMP_ATTACH))
			return;
	}
	if (op == OP_ALLOC) {
		close(fd);
		fd = -1;
	}

	if (fail_nth(n))
		return;
	switch (op) {
	case OP_ALLOC:
		ret = dho_alloc_flags(heap, LEN, O_RDWR | O_CLOEXEC, 0);
		if (ret >= 0)
			fd = ret;
		else
			pt->err = -ret;
		break;
	case OP_MMAP_TOUCH:
		p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED) {
			pt->err = errno;
			break;
		}
		ret = dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		if (ret) {
			pt->err = -ret;
			break;
		}
		memset(p, 1, LEN);
		ret = dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
		if (ret)
			pt->err = -ret;
		break;
	case OP_ATTACH:
		if (ioctl(imp, DHO_IMP_ATTACH))
			pt->err = errno;
		break;
	case OP_MAP:
		if (ioctl(imp, DHO_IMP_MAP, &dir))
			pt->err = errno;
		break;
	default:
		break;
	}
	ret = fail_nth_left();
	if (fail_nth(0) || ret < 0)
		return;
	pt->injected = ret == 0;

	/* done: the tracker has it as done (unless it switched itself off) */
	if (!pt->err) {
		static const char *const want[] = {
			NULL, " mmaps=1 ", " attach=1 devs=dho-importer:unmapped ",
			" owner=device ",
		};

		pt->recorded = recorded(dho_ino(fd), want[op]);
		if (op == OP_MAP)
			pt->recorded &= recorded(dho_ino(fd), " devs=dho-importer:bidirectional ");
	}

	if (p != MAP_FAILED && munmap(p, LEN))
		return;
	if (imp >= 0 && close(imp))
		return;
	if (fd >= 0 && close(fd))
		return;
	pt->broken = false;
}

/* The tracker's "disabled" knob: 1, 0, or -1. */
static int tracker_off(void)
{
	char *s = dho_read_file(DHO_DEBUGFS "/disabled");
	int off = s ? s[0] == '1' : -1;

	free(s);
	return off;
}

/* Knobs of failslab and fail_page_alloc: set for the sweep, then restored. */
static const char *const knobs[][2] = {
	{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
	{ "/sys/kernel/debug/failslab/verbose", "2" },		/* dump the stack */
	{ "/sys/kernel/debug/fail_page_alloc/verbose", "2" },
};

/* Put back what the sweep found; 0, or how many writes failed. */
static int restore_knobs(char saved[][32])
{
	unsigned int i;
	int failed = 0;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		failed += dho_write_file(knobs[i][0], saved[i]) != 0;
	return failed;
}

/* Append @site to the summary @sum, a run of the same as "site xN"; NULL ends it. */
static void sites_add(char *sum, size_t len, char *last, int *run, const char *site)
{
	size_t used = strlen(sum);

	if (site && *run && !strcmp(last, site)) {
		(*run)++;
		return;
	}
	if (*run > 1 && used < len)
		used += snprintf(sum + used, len - used, " x%d", *run);
	if (site && used < len)
		snprintf(sum + used, len - used, "%s%s", used ? ", " : "", site);
	if (site)
		snprintf(last, 48, "%s", site);
	*run = 1;
}

FIXTURE(sweep) {
};

FIXTURE_SETUP(sweep)
{
	if (!dho_tracker_present() || access("/dev/dho_importer", W_OK))
		DHO_SETUP_SKIP("needs the tracker and dho_importer.ko");
}

FIXTURE_TEARDOWN(sweep)
{
}

TEST_F_TIMEOUT(sweep, fail_nth, 900)
{
	int op, n, swept = 0, disables = 0, kmsg, err, heap;
	char path[64], saved[ARRAY_SIZE(knobs)][32], *log;
	struct point pt;
	unsigned int i;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/fail-nth", syscall(SYS_gettid));
	if (access(path, W_OK))
		SKIP(return, "no fail-nth (CONFIG_FAULT_INJECTION)");
	nth_fd = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nth_fd);
	ASSERT_EQ(0, fail_nth(0));
	ASSERT_EQ(0, fail_nth_left());
	heap = dho_heap_open("system");
	ASSERT_LE(0, heap);
	/* let failslab and fail_page_alloc fail sleeping allocations too */
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		char *s = dho_read_file(knobs[i][0]);

		ASSERT_NE(NULL, s) TH_LOG("%s", knobs[i][0]);
		snprintf(saved[i], sizeof(saved[i]), "%.*s", (int)strcspn(s, "\n"), s);
		free(s);
		ASSERT_EQ(0, dho_write_file(knobs[i][0], knobs[i][1])) TH_LOG("%s", knobs[i][0]);
	}
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/disabled", "0"));
	kmsg = dho_kmsg_open();
	ASSERT_LE(0, kmsg);

	for (op = 0; op < NR_OPS; op++) {
		int errors = 0, absorbed = 0, run = 0;
		char sum[1024] = "", last[48] = "";

		for (n = 1; n <= MAX_NTH; n++) {
			int off, msgs;

			free(dho_kmsg_read(kmsg, &err));	/* only this point's */
			ASSERT_EQ(0, err);
			one(heap, op, n, &pt);
			ASSERT_FALSE(pt.broken) TH_LOG("%s, fault %d: the test's own calls failed",
						       op_names[op], n);
			log = dho_kmsg_read(kmsg, &err);
			ASSERT_NE(NULL, log) TH_LOG("/dev/kmsg: %s", strerror(-err));
			fault_site(log, pt.site, sizeof(pt.site));
			msgs = dho_count_str(log, OFF_MSG);
			free(log);
			if (!pt.injected)
				break;

			/* switched itself off: with one message, and only then */
			/*
			 * The switch runs from a work item, and patches the
			 * static keys' call sites, which waits for the other
			 * vCPU: allow it 30 s on a loaded host.
			 */
			off = tracker_off();
			for (i = 0; msgs && off == 0 && i < 3000; i++) {
				usleep(10000);
				off = tracker_off();
			}
			ASSERT_LE(0, off);
			EXPECT_EQ(off, msgs) TH_LOG("%s, fault %d in %s: %d messages, tracking %s",
						    op_names[op], n, pt.site, msgs,
						    off ? "off" : "on");
			if (off) {
				disables++;
				ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/disabled", "0"));
			}

			if (pt.err) {
				errors++;
				EXPECT_EQ(ENOMEM, pt.err) TH_LOG("%s, fault %d in %s: %s",
								 op_names[op], n, pt.site,
								 strerror(pt.err));
			} else {
				absorbed++;
				EXPECT_TRUE(pt.recorded || off)
					TH_LOG("%s, fault %d in %s: absorbed, not recorded",
					       op_names[op], n, pt.site);
			}
			if (!pt.err) {
				char what[48];

				snprintf(what, sizeof(what), "%s %.30s",
					 off ? "tracker off:" : "absorbed:", pt.site);
				snprintf(pt.site, sizeof(pt.site), "%s", what);
			}
			sites_add(sum, sizeof(sum), last, &run, pt.site);
			/* nothing left behind */
			EXPECT_EQ(0, dho_buffers_count())
				TH_LOG("%s, fault %d in %s: buffers left", op_names[op], n,
				       pt.site);
		}
		sites_add(sum, sizeof(sum), last, &run, NULL);
		EXPECT_GT(MAX_NTH, n) TH_LOG("%s: more than %d fault points?",
					     op_names[op], MAX_NTH);
		EXPECT_LE(min_points[op], n - 1) TH_LOG("%s: too few fault points",
							op_names[op]);
		if (allocates[op])
			EXPECT_LT(0, errors) TH_LOG("%s: no failure reached the caller",
						    op_names[op]);
		TH_LOG("%s: %d fault points: %d ENOMEM to the caller, %d absorbed",
		       op_names[op], n - 1, errors, absorbed);
		TH_LOG("%s: %s", op_names[op], sum);
		swept += n - 1;
	}
	/* the tracker's own allocation on the mmap path failed at least once */
	EXPECT_LT(0, disables);
	TH_LOG("%d fault points in all; the tracker switched itself off %d times, one message each",
	       swept, disables);

	close(kmsg);
	close(heap);
	EXPECT_EQ(0, restore_knobs(saved));
	close(nth_fd);
}

/* After the sweep the tracker works: on again if it switched itself off. */
TEST_F(sweep, tracker_still_records)
{
	long before[DHO_NR_CLASSES], after[DHO_NR_CLASSES];
	char *p;
	int fd;

	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/disabled", "0"));
	ASSERT_EQ(0, dho_counts(before));
	fd = dho_alloc("system", LEN);
	ASSERT_LE(0, fd);
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, dho_counts(after));
	EXPECT_EQ(1, after[CPU_ACCESS_UNOWNED] - before[CPU_ACCESS_UNOWNED]);
	EXPECT_EQ(0, munmap(p, LEN));
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(0, dho_buffers_count());
}

TEST_HARNESS_MAIN
