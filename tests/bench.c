// SPDX-License-Identifier: GPL-2.0
/*
 * dho-bench: medians of the heap operations, printed as "<op> <median_ns>"
 * lines for tests/bench.py to compare across kernels and tracker states.
 *
 *   dho-bench ops              the operation set
 *   dho-bench paired N         N rounds of the set with tracking off and on
 *                              next to each other: "D|E <op> <median_ns>"
 *   dho-bench scale N          N processes, each on its own buffers: SYNC
 *                              windows touching 64 KiB, then 4 KiB allocations:
 *                              "scale_sync<N> <windows per second, all processes>"
 *                              "scale_alloc<N> <allocations per second, all>"
 *   dho-bench live N           SYNC cycle median with N extra live buffers
 *   dho-bench slab N           SUnreclaim kB per buffer with N live 4 KiB buffers
 *   dho-bench segments         faulting in buffers of 4 KiB segments, 1 MiB and
 *                              256 MiB: "fault_page_4kseg_<N>m <ns per page>"
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "dho_test.h"
#include "importer/dho_importer.h"

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static long long median(long long *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_ll);
	return v[n / 2];
}

static void die(const char *what)
{
	fprintf(stderr, "dho-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int alloc_or_die(size_t len)
{
	int fd = dho_alloc("system", len);

	if (fd < 0) {
		errno = -fd;
		die("allocate");
	}
	return fd;
}

#define MAXREP 4000
static long long samples[MAXREP];

static long long op_alloc(size_t len, int reps)
{
	int i, fd;
	long long t;

	for (i = 0; i < reps; i++) {
		t = now_ns();
		fd = alloc_or_die(len);
		close(fd);
		samples[i] = now_ns() - t;
	}
	return median(samples, reps);
}

static void touch(char *p, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += 4096)
		p[off] = (char)off;
}

static char *map_or_die(int fd, size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* mmap @fd, a SYNC window touching every page, munmap */
static void mmap_window(int fd, size_t len)
{
	char *p = map_or_die(fd, len);

	dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	touch(p, len);
	dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	munmap(p, len);
}

/* a new 1 MiB buffer, mapped, SYNC'd and touched each time */
static long long op_mmap_touch(int reps)
{
	const size_t len = 1 << 20;
	int fd = alloc_or_die(len), i;
	long long t;

	for (i = 0; i < reps; i++) {
		t = now_ns();
		mmap_window(fd, len);
		samples[i] = now_ns() - t;
	}
	close(fd);
	return median(samples, reps);
}

/* SYNC windows on one mapping of a @len buffer, touching @touched of it */
static long long op_sync(size_t len, size_t touched, int reps)
{
	int fd = alloc_or_die(len), i;
	char *p = map_or_die(fd, len);
	long long t;

	for (i = 0; i < reps; i++) {
		t = now_ns();
		dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		touch(p, touched);
		dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		samples[i] = now_ns() - t;
	}
	munmap(p, len);
	close(fd);
	return median(samples, reps);
}

#define MAX_SEG "/sys/module/dho_importer/parameters/max_seg_size"

static void set_max_seg(const char *val)
{
	errno = -dho_write_file(MAX_SEG, val);
	if (errno)
		die(MAX_SEG);
}

/* The sg entries of a DMA mapping of the buffer imported on @imp. */
static unsigned int attach_nents(int imp)
{
	__u32 dir = DHO_IMP_BIDIRECTIONAL, n;

	if (ioctl(imp, DHO_IMP_ATTACH) || ioctl(imp, DHO_IMP_MAP, &dir) ||
	    ioctl(imp, DHO_IMP_NENTS, &n) || ioctl(imp, DHO_IMP_UNMAP) ||
	    ioctl(imp, DHO_IMP_DETACH))
		die("attach/map/nents");
	return n;
}

/* the test importer, holding a new 1 MiB buffer; *@fd is the buffer */
static int import_new(int *fd)
{
	int imp = open("/dev/dho_importer", O_RDWR);

	*fd = alloc_or_die(1 << 20);
	if (imp < 0 || ioctl(imp, DHO_IMP_IMPORT, fd))
		die("dho_importer (insmod dho_importer.ko)");
	return imp;
}

static long long op_vmap(int reps)
{
	int fd, imp = import_new(&fd), i;
	long long t;

	for (i = 0; i < reps; i++) {
		t = now_ns();
		if (ioctl(imp, DHO_IMP_VMAP) || ioctl(imp, DHO_IMP_VUNMAP))
			die("vmap");
		samples[i] = now_ns() - t;
	}
	close(imp);
	close(fd);
	return median(samples, reps);
}

/*
 * attach, map, unmap, detach @reps times, for a device of 64 KiB segments
 * (the importer's default: the 1 MiB segment is split) or, @whole, one
 * that takes any segment whole; *@nents: the mapping's sg entries
 */
static long long op_attach(bool whole, int reps, unsigned int *nents)
{
	__u32 dir = DHO_IMP_BIDIRECTIONAL;
	int fd, imp = import_new(&fd), i;
	long long t;

	if (whole)
		set_max_seg("4294967295");
	for (i = 0; i < reps; i++) {
		t = now_ns();
		if (ioctl(imp, DHO_IMP_ATTACH) || ioctl(imp, DHO_IMP_MAP, &dir) ||
		    ioctl(imp, DHO_IMP_UNMAP) || ioctl(imp, DHO_IMP_DETACH))
			die("attach/map");
		samples[i] = now_ns() - t;
	}
	if (nents)
		*nents = attach_nents(imp);
	if (whole)
		set_max_seg("0");
	close(imp);
	close(fd);
	return median(samples, reps);
}

/*
 * The operation set.  @reps is each operation's repetitions in "ops"; a
 * paired round runs fewer (reps()).
 */
enum { OP_A4K, OP_A64K, OP_A1M, OP_A8M, OP_A32M, OP_MMAP, OP_SYNC, OP_ST1M,
	OP_ST8M, OP_VMAP, OP_ATT, OP_ATT1, NR_OPS };
static const struct {
	const char *name;
	int reps;
} ops[NR_OPS] = {
	[OP_A4K] = { "alloc_free_4k", 2000 },
	[OP_A64K] = { "alloc_free_64k", 1000 },
	[OP_A1M] = { "alloc_free_1024k", 200 },
	[OP_A8M] = { "alloc_free_8192k", 40 },
	[OP_A32M] = { "alloc_free_32768k", 15 },
	[OP_MMAP] = { "mmap_touch_1m", 200 },
	[OP_SYNC] = { "sync_cycle", 4000 },
	[OP_ST1M] = { "sync_touch_1m", 200 },
	[OP_ST8M] = { "sync_touch_8m", 40 },
	[OP_VMAP] = { "vmap_vunmap", 2000 },
	[OP_ATT] = { "attach_map_unmap", 2000 },
	[OP_ATT1] = { "attach_map_unmap_1seg", 2000 },
};

/* the median of operation @op over @reps repetitions */
static long long run_op(int op, int reps, unsigned int *nents)
{
	const size_t m = 1 << 20;

	switch (op) {
	case OP_A4K: return op_alloc(4096, reps);
	case OP_A64K: return op_alloc(64 << 10, reps);
	case OP_A1M: return op_alloc(m, reps);
	case OP_A8M: return op_alloc(8 * m, reps);
	case OP_A32M: return op_alloc(32 * m, reps);
	case OP_MMAP: return op_mmap_touch(reps);
	case OP_SYNC: return op_sync(m, 0, reps);
	case OP_ST1M: return op_sync(m, m, reps);
	case OP_ST8M: return op_sync(8 * m, 8 * m, reps);
	case OP_VMAP: return op_vmap(reps);
	case OP_ATT: return op_attach(false, reps, nents);
	default: return op_attach(true, reps, nents);
	}
}

static void bench_ops(void)
{
	unsigned int split = 0, whole = 0;
	int op;

	for (op = 0; op < NR_OPS; op++)
		printf("%s %lld\n", ops[op].name,
		       run_op(op, ops[op].reps,
			      op == OP_ATT ? &split : op == OP_ATT1 ? &whole : NULL));
	printf("attach_nents_split %u\nattach_nents_1seg %u\n", split, whole);
}

#define DISABLED DHO_DEBUGFS "/disabled"

/* a paired round's repetitions of @op */
static int reps(int op)
{
	return ops[op].reps < 20 ? 5 : ops[op].reps / 4;
}

/*
 * Tracking off and on, measured next to each other: each of the @rounds
 * runs every operation with tracking off, then on (every other round on
 * first), at a quarter of its repetitions (at least 5), on buffers
 * allocated after the switch.  What drifts or jumps in the machine's speed
 * over a run (under software emulation, whole rounds of one boot have run
 * at half speed) then falls on both halves of a pair alike, and a pair's
 * ratio keeps only what tracking changes.  Prints "D <op> <ns>" and "E <op>
 * <ns>" lines, one of each per round and operation, in round order, and
 * the attachments' sg entries; tracking is left on.
 */
static void bench_paired(int rounds)
{
	unsigned int nents[NR_OPS] = { 0 };
	int r, op, k, on;

	for (r = 0; r < rounds; r++)
		for (op = 0; op < NR_OPS; op++)
			for (k = 0; k < 2; k++) {
				on = k ^ (r & 1);
				errno = -dho_write_file(DISABLED, on ? "0" : "1");
				if (errno)
					die(DISABLED);
				printf("%c %s %lld\n", on ? 'E' : 'D', ops[op].name,
				       run_op(op, reps(op), &nents[op]));
			}
	errno = -dho_write_file(DISABLED, "0");
	if (errno)
		die(DISABLED);
	printf("D attach_nents_split %u\nD attach_nents_1seg %u\n", nents[OP_ATT],
	       nents[OP_ATT1]);
}

/*
 * A system-heap buffer of 4 KiB segments: fail_page_alloc fails every
 * allocation of order 1 and up made by this task, so the heap falls back
 * to single pages, as it does when memory is fragmented.
 */
#define FPA "/sys/kernel/debug/fail_page_alloc/"
static const char *const fpa_knobs[][2] = {
	{ FPA "task-filter", "Y" }, { FPA "min-order", "1" },
	{ FPA "ignore-gfp-highmem", "N" }, { FPA "ignore-gfp-wait", "N" },
	{ FPA "verbose", "0" }, { FPA "interval", "1" }, { FPA "times", "-1" },
	{ FPA "space", "0" }, { FPA "probability", "100" },
};

static int alloc_4k_segments(size_t len)
{
	char *old[ARRAY_SIZE(fpa_knobs)];
	unsigned int i, n;
	int fd, imp, err;

	for (i = 0; i < ARRAY_SIZE(fpa_knobs); i++) {
		old[i] = dho_read_file(fpa_knobs[i][0]);
		if (!old[i] || dho_write_file(fpa_knobs[i][0], fpa_knobs[i][1]))
			die(fpa_knobs[i][0]);
	}
	if (dho_write_file("/proc/self/make-it-fail", "1"))
		die("/proc/self/make-it-fail");
	fd = dho_alloc("system", len);
	err = -fd;
	dho_write_file("/proc/self/make-it-fail", "0");
	/* restore probability first: it is the switch */
	for (i = ARRAY_SIZE(fpa_knobs); i-- > 0; ) {
		old[i][strcspn(old[i], "\n")] = '\0';
		if (dho_write_file(fpa_knobs[i][0], old[i]))
			die(fpa_knobs[i][0]);
		free(old[i]);
	}
	if (fd < 0) {
		errno = err;
		die("allocate with 4 KiB segments");
	}

	/* check: a device that takes any segment whole sees one per page */
	imp = open("/dev/dho_importer", O_RDWR);
	if (imp < 0 || ioctl(imp, DHO_IMP_IMPORT, &fd))
		die("dho_importer (insmod dho_importer.ko)");
	set_max_seg("4294967295");
	n = attach_nents(imp);
	set_max_seg("0");
	close(imp);
	if (n != len / 4096) {
		fprintf(stderr, "dho-bench: a %zu KiB buffer of 4 KiB segments has %u segments\n",
			len >> 10, n);
		exit(1);
	}
	return fd;
}

/* mmap, a SYNC window touching every page, munmap: ns per page */
static void bench_segments(size_t len, int reps)
{
	int fd = alloc_4k_segments(len), i;
	long long t;

	for (i = 0; i < reps; i++) {
		t = now_ns();
		mmap_window(fd, len);
		samples[i] = (now_ns() - t) / (long long)(len / 4096);
	}
	close(fd);
	printf("fault_page_4kseg_%zum %lld\n", len >> 20, median(samples, reps));
}

/* SYNC windows touching a 64 KiB mapping of the process's own buffer */
static void sync_loop(int reps)
{
	const size_t len = 64 << 10;
	int fd = alloc_or_die(len), i;
	char *p = map_or_die(fd, len);

	for (i = 0; i < reps; i++) {
		dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		touch(p, len);
		dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	}
	munmap(p, len);
	close(fd);
}

static void alloc_loop(int reps)
{
	int i;

	for (i = 0; i < reps; i++)
		close(alloc_or_die(4096));
}

/* @procs processes, started together; the throughput of all of them */
static void scale_run(const char *name, int procs, int reps, void (*loop)(int))
{
	int i, status, failed = 0;
	long long t = now_ns();

	for (i = 0; i < procs; i++)
		if (!fork()) {
			loop(reps);
			_exit(0);
		}
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	t = now_ns() - t;
	if (failed) {
		fprintf(stderr, "dho-bench: a %s process failed\n", name);
		exit(1);
	}
	printf("%s%d %.0f\n", name, procs, (double)procs * reps * 1e9 / t);
}

static void bench_scale(int procs)
{
	scale_run("scale_sync", procs, 4000, sync_loop);
	scale_run("scale_alloc", procs, 3000, alloc_loop);
}

static int *hold(int n)
{
	struct rlimit rl = { n + 1024, n + 1024 };
	int *fds = calloc(n, sizeof(int)), i;

	if (!fds || setrlimit(RLIMIT_NOFILE, &rl))
		die("rlimit");
	for (i = 0; i < n; i++)
		fds[i] = alloc_or_die(4096);
	return fds;
}

static void release(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 0;
	long before, after;
	int *fds;

	if (argc < 2) {
		fprintf(stderr,
			"usage: dho-bench ops | paired N | scale N | live N | slab N | segments\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "ops")) {
		bench_ops();
	} else if (!strcmp(argv[1], "paired") && n > 0) {
		bench_paired(n);
	} else if (!strcmp(argv[1], "scale") && n > 0) {
		bench_scale(n);
	} else if (!strcmp(argv[1], "live") && n >= 0) {
		fds = hold(n);
		printf("%s %lld\n", n ? "sync_cycle_live_many" : "sync_cycle_live_one",
		       op_sync(4096, 0, 4000));
		release(fds, n);
	} else if (!strcmp(argv[1], "segments")) {
		bench_segments(1 << 20, 101);
		bench_segments(256 << 20, 5);
	} else if (!strcmp(argv[1], "slab") && n > 0) {
		dho_write_file("/proc/sys/vm/drop_caches", "3");
		before = dho_meminfo("SUnreclaim");
		fds = hold(n);
		dho_write_file("/proc/sys/vm/drop_caches", "3");
		after = dho_meminfo("SUnreclaim");
		printf("slab_bytes_per_buffer %ld\n", (after - before) * 1024 / n);
		release(fds, n);
	} else {
		fprintf(stderr, "dho-bench: bad arguments\n");
		return 2;
	}
	return 0;
}
