// SPDX-License-Identifier: GPL-2.0
/*
 * Reliability of the tracker under load and hostile input:
 * - several processes x many iterations of alloc, mmap, SYNC, touch, import
 *   into the test importer, map, unmap, munmap, close, with concurrent
 *   debugfs readers, reset writers and a tracepoint consumer: a correct
 *   workload raises nothing and every transition is traced, none lost; a
 *   buggy one raises exactly what it did;
 * - nothing leaks: the buffers table empties, slab returns to its baseline;
 * - garbage, overlong and concurrent writes to every debugfs file, and
 *   hostile heap input in a loop: each refused as it should be, nothing
 *   leaked;
 * - an unprivileged process raising violations in a loop grows no memory
 *   and puts one report in the kernel log.
 * DHO_STRESS_PROCS, DHO_STRESS_ITERS and DHO_FLOOD scale it (default 4 x 250,
 * 20000 violations).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "dho_test.h"
#include "importer/dho_importer.h"
#include "kselftest_harness.h"
#include "dho_harness.h"

#define LEN		(16 * 4096)
#define LEN_PAGES	16

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
	if (munmap(p, LEN))
		ret = -1;
out:
	if (imp >= 0 && close(imp))
		ret = -1;
	if (close(fd))
		ret = -1;
	return ret;
}

/*
 * Helpers running beside the workers until told to stop: the parent
 * closes the write end of a pipe whose read end they poll.  Each reports
 * how many rounds it did and how many of its operations failed.
 */
struct helper {
	pid_t pid;
	int result;		/* read end: a struct helper_result */
};

struct helper_result {
	long rounds;
	long errors;
};

static bool stopped(int stop)
{
	char c;

	return read(stop, &c, 1) == 0;	/* EOF: every writer closed it */
}

static void reader(int stop, struct helper_result *r)
{
	static const char *const files[] = {
		"buffers", "violations", "counts", "error_count", "filter",
	};
	char path[128], *s;
	unsigned int i;

	while (!stopped(stop)) {
		for (i = 0; i < ARRAY_SIZE(files); i++) {
			snprintf(path, sizeof(path), DHO_DEBUGFS "/%s", files[i]);
			s = dho_read_file(path);
			r->errors += !s;
			free(s);
		}
		r->rounds++;
	}
}

static void resetter(int stop, struct helper_result *r)
{
	while (!stopped(stop)) {
		r->errors += dho_write_file(DHO_DEBUGFS "/reset", "1") != 0;
		r->rounds++;
		usleep(1000);
	}
}

static struct helper spawn(void (*fn)(int stop, struct helper_result *r),
			   int stop[2])
{
	struct helper h = { .pid = -1, .result = -1 };
	struct helper_result r = { 0 };
	int res[2];

	if (pipe(res))
		return h;
	h.pid = fork();
	if (!h.pid) {
		close(stop[1]);
		close(res[0]);
		fn(stop[0], &r);
		_exit(write(res[1], &r, sizeof(r)) != sizeof(r));
	}
	close(res[1]);
	h.result = res[0];
	return h;
}

/* Wait for a helper; its result, or -1 if it failed or said nothing. */
static int reap(struct helper *h, struct helper_result *r)
{
	int status, ok;

	if (h->pid < 0)
		return -1;
	ok = read(h->result, r, sizeof(*r)) == sizeof(*r);
	close(h->result);
	if (waitpid(h->pid, &status, 0) != h->pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ok = 0;
	return ok ? 0 : -1;
}

/*
 * The tracepoint consumer: reads trace_pipe line by line (a line split
 * across two reads is joined), counts the events per operation, the
 * violation events and the events the ring buffer says it lost.
 */
static const char *const trace_ops[] = {
	"alloc", "release", "cpu_begin", "cpu_end", "dev_map", "dev_unmap",
	"vmap", "vunmap", "user_fault",
};

enum {
	T_ALLOC, T_RELEASE, T_CPU_BEGIN, T_CPU_END, T_DEV_MAP, T_DEV_UNMAP,
	T_VMAP, T_VUNMAP, T_USER_FAULT, NR_T
};

struct tally {
	struct helper_result h;	/* rounds: reads; errors: read errors */
	long op[NR_T];
	long violations;
	long lost;		/* "[LOST n EVENTS]" lines */
	long unparsed;		/* lines that are none of the above */
};

static void tally_line(struct tally *t, const char *line)
{
	const char *p = strstr(line, ": ino="), *q;
	unsigned long n;
	unsigned int i;
	char op[16];

	if (!*line)
		return;
	q = strstr(line, "[LOST ");
	if (q && sscanf(q, "[LOST %lu EVENTS]", &n) == 1) {
		t->lost += n;
		return;
	}
	if (p && strstr(p, " class=")) {
		if (t->violations++ < 3)	/* show the first few */
			fprintf(stderr, "# violation event: %s\n", line);
		return;
	}
	q = p ? strstr(p, " op=") : NULL;
	if (q && sscanf(q, " op=%15s", op) == 1) {
		for (i = 0; i < NR_T; i++) {
			if (!strcmp(op, trace_ops[i])) {
				t->op[i]++;
				return;
			}
		}
	}
	if (t->unparsed++ < 3)
		fprintf(stderr, "# unparsed trace line: %s\n", line);
}

static void trace_consumer(int stop, struct tally *t)
{
	static char buf[65536];
	int fd = open(DHO_TRACEFS "/trace_pipe", O_RDONLY | O_NONBLOCK);
	size_t have = 0;
	int empty = 0;
	bool draining = false;
	ssize_t n;
	char *line, *eol;

	if (fd < 0) {
		t->h.errors++;
		return;
	}
	for (;;) {
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && errno == EAGAIN) {
			/* stopped, and empty twice in a row: all consumed */
			if (draining && ++empty >= 2)
				break;
			if (!draining && stopped(stop))
				draining = true;
			usleep(10000);
			continue;
		}
		if (n <= 0) {
			t->h.errors++;
			break;
		}
		empty = 0;
		t->h.rounds++;
		have += n;
		buf[have] = '\0';
		for (line = buf; (eol = strchr(line, '\n')); line = eol + 1) {
			*eol = '\0';
			tally_line(t, line);
		}
		/* keep the partial last line for the next read */
		have -= line - buf;
		memmove(buf, line, have);
		if (have == sizeof(buf) - 1) {	/* a line longer than the buffer */
			t->unparsed++;
			have = 0;
		}
	}
	if (have)
		t->unparsed++;		/* a line without its end */
	close(fd);
}

/* spawn() for the consumer, whose result is a whole struct tally. */
static struct helper spawn_consumer(int stop[2])
{
	struct helper h = { .pid = -1, .result = -1 };
	static struct tally t;
	int res[2];

	if (pipe(res))
		return h;
	h.pid = fork();
	if (!h.pid) {
		close(stop[1]);
		close(res[0]);
		trace_consumer(stop[0], &t);
		_exit(write(res[1], &t, sizeof(t)) != sizeof(t));
	}
	close(res[1]);
	h.result = res[0];
	return h;
}

static int reap_consumer(struct helper *h, struct tally *t)
{
	int status, ok;

	if (h->pid < 0)
		return -1;
	ok = read(h->result, t, sizeof(*t)) == sizeof(*t);
	close(h->result);
	if (waitpid(h->pid, &status, 0) != h->pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ok = 0;
	return ok ? 0 : -1;
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

/* Enable exactly the tracker's events (set_event opened with O_TRUNC). */
static int trace_only_ours(void)
{
	static const char events[] = "dma_heap_owner:*\n";
	int fd = open(DHO_TRACEFS "/set_event", O_WRONLY | O_TRUNC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, events, strlen(events)) != (ssize_t)strlen(events))
		ret = -EIO;
	close(fd);
	return ret;
}

FIXTURE(stress) {
	int procs, iters;
	struct dho_leak leak;
};

FIXTURE_SETUP(stress)
{
	if (!dho_tracker_present() || access("/dev/dho_importer", W_OK))
		DHO_SETUP_SKIP("needs the tracker and dho_importer.ko");
	self->procs = env_int("DHO_STRESS_PROCS", 4);
	self->iters = env_int("DHO_STRESS_ITERS", 250);
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/strict", "0"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/all_errors", "0"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/disabled", "0"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", ""));
	/* a warm-up round, so that caches settle before the baseline */
	ASSERT_EQ(0, workers(1, 20, 0));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/reset", "1"));
	dho_leak_begin(_metadata, &self->leak);
}

FIXTURE_TEARDOWN(stress)
{
}

TEST_F_TIMEOUT(stress, correct_workload_with_chaos, 900)
{
	long n = (long)self->procs * self->iters, lost_before, lost_after, unread;
	struct helper rd, rs, tc;
	struct helper_result rd_r, rs_r;
	struct tally t;
	int stop[2], ret, i;
	char *on, *size;

	on = dho_read_file(DHO_TRACEFS "/tracing_on");
	ASSERT_NE(NULL, on);
	ASSERT_EQ('1', on[0]) TH_LOG("tracing is off");
	free(on);
	/* room for bursts while the consumer waits for a CPU; restored below */
	size = dho_read_file(DHO_TRACEFS "/buffer_size_kb");
	ASSERT_NE(NULL, size);
	ASSERT_EQ(0, dho_write_file(DHO_TRACEFS "/buffer_size_kb", "8192"));
	ASSERT_EQ(0, trace_only_ours());
	ASSERT_EQ(0, dho_trace_clear());
	lost_before = dho_trace_lost(NULL);
	ASSERT_LE(0, lost_before);
	ASSERT_EQ(0, pipe(stop));
	ASSERT_EQ(0, fcntl(stop[0], F_SETFL, O_NONBLOCK));
	tc = spawn_consumer(stop);
	rd = spawn(reader, stop);
	rs = spawn(resetter, stop);

	ret = workers(self->procs, self->iters, 0);

	close(stop[1]);			/* stop: the consumer drains first */
	ASSERT_EQ(0, reap(&rd, &rd_r));
	ASSERT_EQ(0, reap(&rs, &rs_r));
	ASSERT_EQ(0, reap_consumer(&tc, &t));
	close(stop[0]);
	lost_after = dho_trace_lost(&unread);
	EXPECT_EQ(0, dho_write_file(DHO_TRACEFS "/events/dma_heap_owner/enable", "0"));
	*strchrnul(size, ' ') = '\0';		/* "N" or "N (expanded: M)" */
	*strchrnul(size, '\n') = '\0';
	EXPECT_EQ(0, dho_write_file(DHO_TRACEFS "/buffer_size_kb", size));
	free(size);

	EXPECT_EQ(0, ret) TH_LOG("%d workers failed", ret);
	/* the helpers ran beside the workers, and none of their calls failed */
	EXPECT_LT(0, rd_r.rounds);
	EXPECT_EQ(0, rd_r.errors) TH_LOG("debugfs reads failed");
	EXPECT_LT(0, rs_r.rounds);
	EXPECT_EQ(0, rs_r.errors) TH_LOG("reset writes failed");
	EXPECT_EQ(0, t.h.errors) TH_LOG("trace_pipe reads failed");

	/* nothing lost, all consumed */
	EXPECT_EQ(lost_before, lost_after) TH_LOG("the ring buffer dropped events");
	EXPECT_EQ(0, t.lost) TH_LOG("trace_pipe reported lost events");
	EXPECT_EQ(0, unread) TH_LOG("events left unread");
	EXPECT_EQ(0, t.unparsed);

	/* a correct workload: nothing raised, every transition traced */
	EXPECT_EQ(0, t.violations) TH_LOG("a correct workload raised violations");
	for (i = T_ALLOC; i <= T_DEV_UNMAP; i++)
		EXPECT_EQ(n, t.op[i]) TH_LOG("%s events", trace_ops[i]);
	EXPECT_EQ(0, t.op[T_VMAP]);
	EXPECT_EQ(0, t.op[T_VUNMAP]);
	/* a touch of 16 pages in a window faults once: that fault maps them all */
	EXPECT_EQ(n, t.op[T_USER_FAULT]);
	TH_LOG("%d processes x %d iterations: %ld trace events (%ld user_fault), %ld lost",
	       self->procs, self->iters, 6 * n + t.op[T_USER_FAULT], t.op[T_USER_FAULT],
	       lost_after - lost_before + t.lost);
	TH_LOG("%ld violation events; beside them %ld debugfs read rounds, %ld resets",
	       t.violations, rd_r.rounds, rs_r.rounds);
}

TEST_F_TIMEOUT(stress, buggy_workload_counts_exactly, 900)
{
	long before[DHO_NR_CLASSES], after[DHO_NR_CLASSES];
	struct helper rd;
	struct helper_result rd_r;
	int stop[2], i;

	ASSERT_EQ(0, dho_counts(before));
	ASSERT_EQ(0, pipe(stop));
	ASSERT_EQ(0, fcntl(stop[0], F_SETFL, O_NONBLOCK));
	rd = spawn(reader, stop);
	EXPECT_EQ(0, workers(self->procs, self->iters, 1));
	close(stop[1]);
	ASSERT_EQ(0, reap(&rd, &rd_r));
	close(stop[0]);
	EXPECT_EQ(0, rd_r.errors);
	ASSERT_EQ(0, dho_counts(after));
	for (i = 0; i < DHO_NR_CLASSES; i++)
		EXPECT_EQ(i == CPU_ACCESS_UNOWNED ? (long)self->procs * self->iters : 0,
			  after[i] - before[i]) TH_LOG("class %d", i);
}

/*
 * Half the buffers used right, half wrong: none left in the table, no
 * slab cache holding an object per buffer more.  The report ring (at most
 * 16 reports of 4 KiB, bounded by design) is emptied at both ends.
 */
TEST_F_TIMEOUT(stress, nothing_leaks, 900)
{
	int n = self->procs * (self->iters / 2) * 2;

	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/reset", "1"));
	dho_leak_begin(_metadata, &self->leak);
	ASSERT_EQ(0, workers(self->procs, self->iters / 2, 0));
	ASSERT_EQ(0, workers(self->procs, self->iters / 2, 1));
	EXPECT_EQ(0, dho_buffers_count()) TH_LOG("buffers left in the table");
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/reset", "1"));
	expect_no_leak(_metadata, &self->leak, n);
	TH_LOG("after %d buffers", n);
}

/* A knob's value, as read back, in @buf. */
static int knob(const char *name, char *buf, size_t len)
{
	char path[128], *s;

	snprintf(path, sizeof(path), DHO_DEBUGFS "/%s", name);
	s = dho_read_file(path);
	if (!s)
		return -1;
	snprintf(buf, len, "%s", s);
	free(s);
	return 0;
}

/*
 * One hostile write to a debugfs file: refused with EINVAL (ERANGE for a
 * number too large for 64 bits) without changing the knob, or taken where
 * it is valid.  0 if so, else -1 with the reason in @why.
 */
static int hostile_write(const char *file, const char *g, char *why, size_t len)
{
	bool is_filter = !strcmp(file, "filter"), is_reset = !strcmp(file, "reset");
	bool huge = strlen(g) > 40;	/* past every parser's buffer */
	char path[128], was[64] = "", now[64] = "";
	int ret;

	snprintf(path, sizeof(path), DHO_DEBUGFS "/%s", file);
	if (!is_reset && knob(file, was, sizeof(was)))
		goto unreadable;
	ret = dho_write_file(path, g);
	if (!is_reset && knob(file, now, sizeof(now)))
		goto unreadable;

	if (is_filter && !huge) {
		/*
		 * Any name shorter than 32 bytes is a (matchless) filter, ""
		 * clears it; one that is not printable may be refused.
		 */
		if (!ret && !strncmp(now, g, strlen(g)) && !strcmp(now + strlen(g), "\n"))
			return 0;
		if (ret == -EINVAL && g[0] && !isprint((unsigned char)g[0]) &&
		    !strcmp(was, now))
			return 0;
	} else if (!strcmp(file, "num_errors") && !strcmp(g, "2")) {
		if (!ret && !strcmp(now, "2\n"))
			return 0;
	} else if (ret == -EINVAL ||
		   (ret == -ERANGE && !strcmp(g, "99999999999999999999999"))) {
		if (!strcmp(was, now))
			return 0;
	}
	snprintf(why, len, "%s: writing '%.16s'%s: %s, '%.*s' -> '%.*s'", file, g,
		 huge ? "..." : "", ret ? strerror(-ret) : "taken",
		 (int)strcspn(was, "\n"), was, (int)strcspn(now, "\n"), now);
	return -1;
unreadable:
	snprintf(why, len, "%s: unreadable", file);
	return -1;
}

/*
 * Garbage and overlong writes to every writable debugfs file, 512 rounds
 * so that a leak on any one of them would show: each refused, or taken
 * where valid, and nothing leaked.
 */
#define HOSTILE_ROUNDS	512

TEST_F_TIMEOUT(stress, debugfs_hostile_writes, 300)
{
	static const char *const files[] = {
		"disabled", "all_errors", "num_errors", "filter", "strict", "reset",
	};
	static const char *const garbage[] = {
		"", "-1", "2", "0x", "yes please", "99999999999999999999999", "\xff\xfe",
	};
	static char big[8192];
	char why[160];
	unsigned int i, j;
	int r, bad = 0;

	memset(big, 'a', sizeof(big) - 1);
	for (r = 0; r < HOSTILE_ROUNDS; r++) {
		for (i = 0; i < ARRAY_SIZE(files); i++) {
			for (j = 0; j <= ARRAY_SIZE(garbage); j++) {
				const char *g = j < ARRAY_SIZE(garbage) ? garbage[j] : big;

				if (hostile_write(files[i], g, why, sizeof(why)) && !bad++)
					TH_LOG("round %d: %s", r, why);
			}
		}
	}
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", ""));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/num_errors", "100"));
	expect_no_leak(_metadata, &self->leak, HOSTILE_ROUNDS);
}

/*
 * Concurrent writers on every writable file: each write takes its valid
 * value ("reset" takes only 1), and the tracker still works afterwards.
 */
TEST_F_TIMEOUT(stress, debugfs_concurrent_writes, 300)
{
	static const char *const files[] = {
		"disabled", "all_errors", "num_errors", "filter", "strict", "reset",
	};
	char path[128];
	unsigned int i;
	pid_t pids[4];
	int k, status;

	for (k = 0; k < 4; k++) {
		pids[k] = fork();
		if (!pids[k]) {
			int n, bad = 0;

			for (n = 0; n < 300; n++)
				for (i = 0; i < ARRAY_SIZE(files); i++) {
					const char *v = (n + k) & 1 ? "1" : "0";
					int want = !strcmp(files[i], "reset") && *v == '0' ?
						   -EINVAL : 0;

					snprintf(path, sizeof(path), DHO_DEBUGFS "/%s", files[i]);
					bad += dho_write_file(path, v) != want;
				}
			_exit(bad ? 1 : 0);
		}
	}
	for (k = 0; k < 4; k++) {
		ASSERT_EQ(pids[k], waitpid(pids[k], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("writer %d: a write got an unexpected result", k);
	}
	/* restore the defaults */
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/disabled", "0"));
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/all_errors", "0"));
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/strict", "0"));
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/num_errors", "100"));
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", ""));
	EXPECT_EQ(0, cycle(0));
	EXPECT_EQ(0, cycle(1));
	/* 600 writes of each value to each file */
	expect_no_leak(_metadata, &self->leak, 600);
}

/*
 * Hostile heap input, in a loop so that a leak on any of these paths
 * would show: each gets its error, and nothing is left behind.
 */
TEST_F_TIMEOUT(stress, hostile_heap_input_leaks_nothing, 600)
{
	int heap = dho_heap_open("system"), r, fd;
	long page = sysconf(_SC_PAGESIZE);
	char *p, *q;

	ASSERT_LE(0, heap);
	for (r = 0; r < 512; r++) {
		ASSERT_EQ(-EINVAL, dho_alloc_flags(heap, 0, O_RDWR, 0));
		ASSERT_EQ(-EINVAL, dho_alloc_flags(heap, ~0ULL, O_RDWR, 0));
		ASSERT_EQ(-ENOMEM, dho_alloc_flags(heap, 1ULL << 46, O_RDWR, 0));
		ASSERT_EQ(-EINVAL, dho_alloc_flags(heap, page, O_RDWR | O_CREAT, 0));
		ASSERT_EQ(-EINVAL, dho_alloc_flags(heap, page, O_RDWR, ~0ULL));
		fd = dho_alloc_flags(heap, 2 * page, O_RDWR | O_CLOEXEC, 0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(-EINVAL, dho_sync(fd, 0x100));
		ASSERT_EQ(-EINVAL, dho_sync(fd, DMA_BUF_SYNC_START));
		ASSERT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 2 * page));
		ASSERT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ | PROT_WRITE,
					   MAP_PRIVATE, fd, 0));
		p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		q = mremap(p, 2 * page, 4 * page, MREMAP_MAYMOVE);
		ASSERT_EQ(MAP_FAILED, q);
		ASSERT_EQ(0, munmap(p, 2 * page));
		ASSERT_EQ(0, close(fd));
	}
	close(heap);
	expect_no_leak(_metadata, &self->leak, 512);
}

/*
 * An unprivileged process raising violations in a loop: all counted, one
 * report (one class, one buffer) in the kernel log, the ring bounded, and
 * memory does not grow.
 */
TEST_F_TIMEOUT(stress, unprivileged_flood, 900)
{
	int n = env_int("DHO_FLOOD", 20000), status, kmsg, err, res[2];
	long before, after;
	unsigned long ino = 0;
	char *s, *log, want[64];
	pid_t pid;

	/* a fresh start: the report count and the per-buffer marks */
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/reset", "1"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/num_errors", "100"));
	ASSERT_EQ(0, chmod("/dev/dma_heap/system", 0666));
	s = dho_read_file(DHO_DEBUGFS "/error_count");
	ASSERT_NE(NULL, s);
	before = atol(s);
	free(s);
	ASSERT_EQ(0, pipe(res));
	kmsg = dho_kmsg_open();
	ASSERT_LE(0, kmsg) TH_LOG("/dev/kmsg: %s", strerror(-kmsg));

	pid = fork();
	if (!pid) {
		int fd, i;
		char *p;

		close(res[0]);
		if (setgid(65534) || setuid(65534))
			_exit(2);
		if (!access(DHO_DEBUGFS "/reset", W_OK))
			_exit(3);		/* must not be able to control it */
		fd = dho_alloc("system", 4096);
		if (fd < 0)
			_exit(4);
		ino = dho_ino(fd);
		if (write(res[1], &ino, sizeof(ino)) != sizeof(ino))
			_exit(6);
		p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(5);
		for (i = 0; i < n; i++) {
			p[0] = i;		/* a violation per round */
			if (dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) ||
			    dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
				_exit(7);
		}
		_exit(0);
	}
	close(res[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, chmod("/dev/dma_heap/system", 0600));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(sizeof(ino), read(res[0], &ino, sizeof(ino)));
	close(res[0]);

	s = dho_read_file(DHO_DEBUGFS "/error_count");
	ASSERT_NE(NULL, s);
	after = atol(s);
	free(s);
	EXPECT_EQ(n, after - before);

	/* the log since the flood began: one report, for that buffer */
	log = dho_kmsg_read(kmsg, &err);
	close(kmsg);
	ASSERT_NE(NULL, log) TH_LOG("/dev/kmsg: %s", strerror(-err));
	EXPECT_EQ(1, dho_count_str(log, "BUG: dma-heap-owner: "))
		TH_LOG("%d reports in the log", dho_count_str(log, "BUG: dma-heap-owner: "));
	EXPECT_EQ(1, dho_count_str(log, "BUG: dma-heap-owner: cpu_access_unowned in userspace"));
	snprintf(want, sizeof(want),
		 "buffer: ino=%lu heap=system size=4096 exporter=system name=-\n", ino);
	EXPECT_EQ(1, dho_count_str(log, want));
	free(log);

	/* the ring: that one report */
	s = dho_read_file(DHO_DEBUGFS "/violations");
	ASSERT_NE(NULL, s);
	EXPECT_EQ(1, dho_count_str(s, "BUG: dma-heap-owner: "));
	free(s);
	/* no object kept per violation; the ring's report emptied first */
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/reset", "1"));
	expect_no_leak(_metadata, &self->leak, n);
	TH_LOG("%d violations absorbed, one report", n);
}

TEST_HARNESS_MAIN
