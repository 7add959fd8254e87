// SPDX-License-Identifier: GPL-2.0
/*
 * Reliability of the tracker under load and hostile input:
 * - several processes x many iterations of alloc, mmap, SYNC, touch, import
 *   into the test importer, map, unmap, munmap, close, with concurrent
 *   debugfs readers, reset writers and a tracepoint consumer: a correct
 *   workload raises nothing, a buggy one exactly what it did;
 * - nothing leaks: the buffers table empties, slab returns to its baseline;
 * - garbage, overlong and concurrent writes to every debugfs file;
 * - an unprivileged process raising violations in a loop grows no memory
 *   and cannot flood the kernel log.
 * DHO_STRESS_PROCS, DHO_STRESS_ITERS and DHO_FLOOD scale it (default 4 x 250,
 * 20000 violations).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "dho_test.h"
#include "importer/dho_importer.h"
#include "kselftest_harness.h"

#define LEN (16 * 4096)

static int env_int(const char *name, int def)
{
	const char *s = getenv(name);

	return s && atoi(s) > 0 ? atoi(s) : def;
}

/* One iteration of a client and a driver using a buffer; 0 or -1. */
static int cycle(int buggy)
{
	int fd = dho_alloc("system", LEN), imp = -1, ret = -1;
	__u32 d = DHO_IMP_BIDIRECTIONAL;
	char *p;

	if (fd < 0)
		return -1;
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto out;
	if (buggy) {
		p[4096] = 1;			/* exactly one violation */
	} else {
		if (dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
			goto unmap;
		memset(p, 3, LEN);
		if (dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
			goto unmap;
	}
	imp = open("/dev/dho_importer", O_RDWR);
	if (imp < 0 || ioctl(imp, DHO_IMP_IMPORT, &fd) || ioctl(imp, DHO_IMP_ATTACH) ||
	    ioctl(imp, DHO_IMP_MAP, &d) || ioctl(imp, DHO_IMP_UNMAP))
		goto unmap;
	ret = 0;
unmap:
	munmap(p, LEN);
out:
	if (imp >= 0)
		close(imp);
	close(fd);
	return ret;
}

static pid_t spawn(void (*fn)(void))
{
	pid_t pid = fork();

	if (!pid) {
		fn();
		_exit(0);
	}
	return pid;
}

static void reader(void)
{
	static const char *const files[] = {
		"buffers", "violations", "counts", "error_count", "filter",
	};
	char path[128];
	unsigned int i;

	for (;;) {
		for (i = 0; i < ARRAY_SIZE(files); i++) {
			snprintf(path, sizeof(path), DHO_DEBUGFS "/%s", files[i]);
			free(dho_read_file(path));
		}
	}
}

static void resetter(void)
{
	for (;;) {
		dho_write_file(DHO_DEBUGFS "/reset", "1");
		usleep(1000);
	}
}

/* Count events in trace_pipe until SIGTERM; then report on @out. */
static int stop;
static void on_term(int sig)
{
	__atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);	/* lock-free: signal safe */
}

static int trace_consumer(int out)
{
	char buf[8192];
	long events = 0, violations = 0;
	int fd = open(DHO_TRACEFS "/trace_pipe", O_RDONLY | O_NONBLOCK);
	ssize_t n;
	char *p;

	signal(SIGTERM, on_term);
	while (!__atomic_load_n(&stop, __ATOMIC_SEQ_CST) && fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		if (n <= 0) {
			usleep(2000);
			continue;
		}
		buf[n] = '\0';
		for (p = buf; (p = strstr(p, "ino=")); p++)
			events++;
		for (p = buf; (p = strstr(p, "class=")); p++) {
			char *eol = strchrnul(p, '\n'), *bol = p;

			while (bol > buf && bol[-1] != '\n')
				bol--;
			if (violations++ < 3)	/* show the first few */
				dprintf(2, "# violation event: %.*s\n", (int)(eol - bol), bol);
		}
	}
	dprintf(out, "%ld %ld\n", events, violations);
	return 0;
}

/* @procs processes x @iters cycles; returns how many processes failed. */
static int workers(int procs, int iters, int buggy)
{
	pid_t pids[64];
	int i, status, failed = 0;

	if (procs > 64)
		procs = 64;
	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		if (!pids[i]) {
			int j;

			for (j = 0; j < iters; j++)
				if (cycle(buggy))
					_exit(1);
			_exit(0);
		}
	}
	/* only ours: readers and writers run beside them */
	for (i = 0; i < procs; i++) {
		if (pids[i] < 0 || waitpid(pids[i], &status, 0) != pids[i])
			failed++;
		else
			failed += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	return failed;
}

FIXTURE(stress) {
	int procs, iters;
	long slab_before;
};

FIXTURE_SETUP(stress)
{
	if (!dho_tracker_present() || access("/dev/dho_importer", W_OK))
		SKIP(return, "needs the tracker and dho_importer.ko");
	self->procs = env_int("DHO_STRESS_PROCS", 4);
	self->iters = env_int("DHO_STRESS_ITERS", 250);
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/strict", "0"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/all_errors", "0"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/disabled", "0"));
	/* a warm-up round, so that caches settle before the baseline */
	ASSERT_EQ(0, workers(1, 20, 0));
	ASSERT_EQ(0, dho_write_file("/proc/sys/vm/drop_caches", "3"));
	self->slab_before = dho_meminfo("SUnreclaim");
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, correct_workload_with_chaos, 900)
{
	int pipefd[2], ret;
	pid_t rd, rs, tc;
	long events = -1, violations = -1;
	FILE *f;

	ASSERT_EQ(0, dho_trace_clear());
	ASSERT_EQ(0, dho_write_file(DHO_TRACEFS "/events/dma_heap_owner/enable", "1"));
	ASSERT_EQ(0, pipe(pipefd));
	tc = fork();
	if (!tc)
		_exit(trace_consumer(pipefd[1]));
	rd = spawn(reader);
	rs = spawn(resetter);

	ret = workers(self->procs, self->iters, 0);

	kill(rd, SIGKILL);
	kill(rs, SIGKILL);
	usleep(200000);
	kill(tc, SIGTERM);
	waitpid(rd, NULL, 0);
	waitpid(rs, NULL, 0);
	waitpid(tc, NULL, 0);
	close(pipefd[1]);
	f = fdopen(pipefd[0], "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(2, fscanf(f, "%ld %ld", &events, &violations));
	fclose(f);
	dho_write_file(DHO_TRACEFS "/events/dma_heap_owner/enable", "0");

	EXPECT_EQ(0, ret) TH_LOG("%d workers failed", ret);
	EXPECT_EQ(0, violations) TH_LOG("a correct workload raised violations");
	EXPECT_LT(self->procs * self->iters, events) TH_LOG("the consumer saw %ld events", events);
	TH_LOG("%d processes x %d iterations, %ld trace events, 0 violations",
	       self->procs, self->iters, events);
}

TEST_F_TIMEOUT(stress, buggy_workload_counts_exactly, 900)
{
	long before[DHO_NR_CLASSES], after[DHO_NR_CLASSES];
	pid_t rd;
	int i;

	ASSERT_EQ(0, dho_counts(before));
	rd = spawn(reader);
	EXPECT_EQ(0, workers(self->procs, self->iters, 1));
	kill(rd, SIGKILL);
	waitpid(rd, NULL, 0);
	ASSERT_EQ(0, dho_counts(after));
	for (i = 0; i < DHO_NR_CLASSES; i++)
		EXPECT_EQ(i == CPU_ACCESS_UNOWNED ? (long)self->procs * self->iters : 0,
			  after[i] - before[i]) TH_LOG("class %d", i);
}

TEST_F_TIMEOUT(stress, nothing_leaks, 900)
{
	long slab_after;

	ASSERT_EQ(0, workers(self->procs, self->iters / 2, 0));
	ASSERT_EQ(0, workers(self->procs, self->iters / 2, 1));
	EXPECT_EQ(0, dho_buffers_count()) TH_LOG("buffers left in the table");
	ASSERT_EQ(0, dho_write_file("/proc/sys/vm/drop_caches", "3"));
	slab_after = dho_meminfo("SUnreclaim");
	/* a few slab pages of slack for per-cpu caches, not per-buffer growth */
	EXPECT_LT(slab_after - self->slab_before, 512)
		TH_LOG("SUnreclaim %ld -> %ld kB", self->slab_before, slab_after);
	TH_LOG("SUnreclaim %ld -> %ld kB after %d buffers", self->slab_before,
	       slab_after, self->procs * self->iters);
}

/* Garbage, overlong and concurrent writes to every writable debugfs file. */
TEST_F_TIMEOUT(stress, debugfs_hostile_writes, 300)
{
	static const char *const files[] = {
		"disabled", "all_errors", "num_errors", "filter", "strict", "reset",
	};
	static const char *const garbage[] = {
		"", "-1", "2", "0x", "yes please", "99999999999999999999999", "\xff\xfe",
	};
	char path[128], big[8192];
	unsigned int i, j;
	pid_t pids[4];
	int k;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), DHO_DEBUGFS "/%s", files[i]);
		for (j = 0; j < ARRAY_SIZE(garbage); j++)
			dho_write_file(path, garbage[j]);	/* any error, no crash */
		EXPECT_NE(0, dho_write_file(path, big)) TH_LOG("%s took 8 KiB", files[i]);
	}
	/* concurrent writers on every file */
	for (k = 0; k < 4; k++) {
		pids[k] = fork();
		if (!pids[k]) {
			int n;

			for (n = 0; n < 300; n++)
				for (i = 0; i < ARRAY_SIZE(files); i++) {
					snprintf(path, sizeof(path), DHO_DEBUGFS "/%s", files[i]);
					dho_write_file(path, (n + k) & 1 ? "1" : "0");
				}
			_exit(0);
		}
	}
	for (k = 0; k < 4; k++)
		waitpid(pids[k], NULL, 0);
	/* restore the defaults */
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/disabled", "0"));
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/all_errors", "0"));
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/strict", "0"));
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/num_errors", "100"));
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", ""));
	EXPECT_EQ(0, cycle(0));
}

/* Tracker reports in the kernel log after a marker line. */
static int reports_in_log_since(const char *marker)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK), n = 0, seen = 0;
	char rec[8192];
	ssize_t len;

	if (fd < 0)
		return -1;
	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0 || (len < 0 && errno == EPIPE)) {
		if (len <= 0)
			continue;
		rec[len] = '\0';
		if (strstr(rec, marker))
			seen = 1;
		else if (seen && strstr(rec, "BUG: dma-heap-owner:"))
			n++;
	}
	close(fd);
	return seen ? n : -1;
}

/*
 * An unprivileged process raising violations in a loop: counted, but the
 * kernel log and the ring stay bounded and memory does not grow.
 */
TEST_F_TIMEOUT(stress, unprivileged_flood, 900)
{
	int n = env_int("DHO_FLOOD", 20000), status;
	long slab_before, slab_after, before = 0, after = 0;
	char *s;
	pid_t pid;

	ASSERT_EQ(0, chmod("/dev/dma_heap/system", 0666));
	ASSERT_EQ(0, dho_write_file("/proc/sys/vm/drop_caches", "3"));
	slab_before = dho_meminfo("SUnreclaim");
	s = dho_read_file(DHO_DEBUGFS "/error_count");
	before = s ? atol(s) : 0;
	free(s);
	ASSERT_EQ(0, dho_write_file("/dev/kmsg", "dho-flood-start\n"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/num_errors", "100"));

	pid = fork();
	if (!pid) {
		int fd, i;
		char *p;

		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (!access(DHO_DEBUGFS "/reset", W_OK))
			_exit(3);		/* must not be able to control it */
		fd = dho_alloc("system", 4096);
		if (fd < 0)
			_exit(4);
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(5);
		for (i = 0; i < n; i++) {
			p[0] = i;		/* a violation per round */
			dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
			dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	chmod("/dev/dma_heap/system", 0600);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));

	s = dho_read_file(DHO_DEBUGFS "/error_count");
	after = s ? atol(s) : 0;
	free(s);
	EXPECT_EQ(n, after - before);
	ASSERT_EQ(0, dho_write_file("/proc/sys/vm/drop_caches", "3"));
	slab_after = dho_meminfo("SUnreclaim");
	EXPECT_LT(slab_after - slab_before, 512)
		TH_LOG("SUnreclaim %ld -> %ld kB", slab_before, slab_after);
	TH_LOG("%d violations absorbed; SUnreclaim %ld -> %ld kB", n, slab_before, slab_after);
	/* the log: one report per class per buffer, not one per violation */
	EXPECT_GE(1, reports_in_log_since("dho-flood-start"));
	s = dho_read_file(DHO_DEBUGFS "/violations");
	ASSERT_NE(NULL, s);
	EXPECT_GT(16 * 4096, (long)strlen(s));
	free(s);
}

TEST_HARNESS_MAIN
