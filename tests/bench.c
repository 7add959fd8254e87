// SPDX-License-Identifier: GPL-2.0
/*
 * dho-bench: medians of the heap operations, printed as "<op> <median_ns>"
 * lines for tests/bench.sh to compare across kernels and tracker states.
 *
 *   dho-bench ops              the operation set
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

static void bench_alloc(size_t len, int reps)
{
	int i, fd;
	long long t;

	for (i = 0; i < reps; i++) {
		t = now_ns();
		fd = alloc_or_die(len);
		close(fd);
		samples[i] = now_ns() - t;
	}
	printf("alloc_free_%zuk %lld\n", len / 1024, median(samples, reps));
}

static void touch(char *p, size_t len)
{
	size_t off;

	for (off = 0; off < len; off += 4096)
		p[off] = (char)off;
}

/* mmap @fd, a SYNC window touching every page, munmap */
static void mmap_window(int fd, size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
	dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
	touch(p, len);
	dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
	munmap(p, len);
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

/* attach, map, unmap, detach @reps times; then the mapping's entries */
static void bench_attach(int imp, const char *suffix, const char *what, int reps)
{
	__u32 dir = DHO_IMP_BIDIRECTIONAL;
	long long t;
	int i;

	for (i = 0; i < reps; i++) {
		t = now_ns();
		if (ioctl(imp, DHO_IMP_ATTACH) || ioctl(imp, DHO_IMP_MAP, &dir) ||
		    ioctl(imp, DHO_IMP_UNMAP) || ioctl(imp, DHO_IMP_DETACH))
			die("attach/map");
		samples[i] = now_ns() - t;
	}
	printf("attach_map_unmap%s %lld\n", suffix, median(samples, reps));
	printf("attach_nents_%s %u\n", what, attach_nents(imp));
}

static void bench_ops(void)
{
	const size_t len = 1 << 20;
	int i, fd, imp, reps;
	long long t;
	char *p;

	bench_alloc(4096, 2000);
	bench_alloc(64 << 10, 1000);
	bench_alloc(1 << 20, 200);
	bench_alloc(8 << 20, 40);
	bench_alloc(32 << 20, 15);

	fd = alloc_or_die(len);
	reps = 200;
	for (i = 0; i < reps; i++) {
		t = now_ns();
		mmap_window(fd, len);
		samples[i] = now_ns() - t;
	}
	printf("mmap_touch_1m %lld\n", median(samples, reps));

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	reps = 4000;
	for (i = 0; i < reps; i++) {
		t = now_ns();
		dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		samples[i] = now_ns() - t;
	}
	printf("sync_cycle %lld\n", median(samples, reps));
	reps = 200;
	for (i = 0; i < reps; i++) {
		t = now_ns();
		dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		touch(p, len);
		dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		samples[i] = now_ns() - t;
	}
	printf("sync_touch_1m %lld\n", median(samples, reps));
	munmap(p, len);
	close(fd);

	/* a SYNC'd frame of 8 MiB */
	fd = alloc_or_die(8 * len);
	p = mmap(NULL, 8 * len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	reps = 40;
	for (i = 0; i < reps; i++) {
		t = now_ns();
		dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		touch(p, 8 * len);
		dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		samples[i] = now_ns() - t;
	}
	printf("sync_touch_8m %lld\n", median(samples, reps));
	munmap(p, 8 * len);
	close(fd);

	fd = alloc_or_die(len);

	imp = open("/dev/dho_importer", O_RDWR);
	if (imp < 0 || ioctl(imp, DHO_IMP_IMPORT, &fd))
		die("dho_importer (insmod dho_importer.ko)");
	reps = 2000;
	for (i = 0; i < reps; i++) {
		t = now_ns();
		if (ioctl(imp, DHO_IMP_VMAP) || ioctl(imp, DHO_IMP_VUNMAP))
			die("vmap");
		samples[i] = now_ns() - t;
	}
	printf("vmap_vunmap %lld\n", median(samples, reps));
	bench_attach(imp, "", "split", reps);
	/* the same with a device that takes the 1 MiB segment whole */
	set_max_seg("4294967295");
	bench_attach(imp, "_1seg", "1seg", reps);
	set_max_seg("0");
	close(imp);
	close(fd);
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
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die("mmap");
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

static void sync_median(const char *label)
{
	int fd = alloc_or_die(4096), i, reps = 4000;
	long long t;

	for (i = 0; i < reps; i++) {
		t = now_ns();
		dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
		dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		samples[i] = now_ns() - t;
	}
	close(fd);
	printf("%s %lld\n", label, median(samples, reps));
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
		fprintf(stderr, "usage: dho-bench ops | scale N | live N | slab N | segments\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "ops")) {
		bench_ops();
	} else if (!strcmp(argv[1], "scale") && n > 0) {
		bench_scale(n);
	} else if (!strcmp(argv[1], "live") && n >= 0) {
		fds = hold(n);
		sync_median(n ? "sync_cycle_live_many" : "sync_cycle_live_one");
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
