// SPDX-License-Identifier: GPL-2.0
/*
 * The ownership tracker seen from userspace: accesses through mmap with and
 * without DMA_BUF_IOCTL_SYNC, each class provoked and done right, asserting
 * the debugfs counts, the report and the violation tracepoint; strict mode,
 * the buffers table and the debugfs ABI.
 */
#define _GNU_SOURCE
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "dho_test.h"
#include "kselftest_harness.h"
#include "dho_harness.h"

#define LEN	(16 * 4096)

FIXTURE(owner) {
	int fd;
	char *p;
	long before[DHO_NR_CLASSES];
};

FIXTURE_SETUP(owner)
{
	if (!dho_tracker_present())
		DHO_SETUP_SKIP("kernel without DMABUF_HEAPS_OWNER_DEBUG or debugfs not mounted");
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/strict", "0"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/all_errors", "0"));
	ASSERT_EQ(0, dho_trace_start());
	self->fd = dho_alloc("system", LEN);
	ASSERT_LE(0, self->fd);
	self->p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->p);
	ASSERT_EQ(0, dho_counts(self->before));
}

FIXTURE_TEARDOWN(owner)
{
	if (self->p && self->p != MAP_FAILED)
		munmap(self->p, LEN);
	if (self->fd > 0)
		close(self->fd);
	dho_write_file(DHO_DEBUGFS "/strict", "0");
}

#define expect_only(m, self, cls, n) expect_only_since(m, (self)->before, cls, n)

/* The trace has a violation event of @cls on the fixture's buffer, by @pid. */
static bool traced_by(int fd, const char *cls, pid_t pid)
{
	char also[32];

	snprintf(also, sizeof(also), "pid=%d", pid);
	return dho_traced(fd, cls, also);
}

#define traced(self, cls, pid) traced_by((self)->fd, cls, pid)

static bool reported(const char *what)
{
	char *v = dho_read_file(DHO_DEBUGFS "/violations");
	bool found = v && strstr(v, what);

	free(v);
	return found;
}

TEST_F(owner, synced_write_is_clean)
{
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	memset(self->p, 0x5a, LEN);
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(0x5a, self->p[LEN - 1]);
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	expect_only(_metadata, self, -1, 0);
}

TEST_F(owner, unsynced_write)
{
	char want[128];

	ASSERT_EQ(0, prctl(PR_SET_NAME, "dho-unsynced"));
	self->p[3 * 4096 + 1] = 1;
	expect_only(_metadata, self, CPU_ACCESS_UNOWNED, 1);
	EXPECT_TRUE(traced(self, "cpu_access_unowned", getpid()));
	snprintf(want, sizeof(want), "access: write by task dho-unsynced tgid %d tid %d",
		 getpid(), gettid());
	EXPECT_TRUE(reported(want)) TH_LOG("no report naming the task");
	snprintf(want, sizeof(want), "buffer: ino=%lu heap=system size=%d exporter=system name=-\n",
		 dho_ino(self->fd), LEN);
	EXPECT_TRUE(reported(want));
	EXPECT_TRUE(reported("BUG: dma-heap-owner: cpu_access_unowned in userspace"));
	/* the data got there all the same */
	EXPECT_EQ(1, self->p[3 * 4096 + 1]);
}

/* user_fault events on the fixture's buffer in the trace */
static int user_faults(int fd)
{
	char *trace = dho_trace_read(), want[96];
	int n;

	if (!trace)
		return -1;
	snprintf(want, sizeof(want), "ino=%lu heap=system op=user_fault ", dho_ino(fd));
	n = dho_count_str(trace, want);
	free(trace);
	return n;
}

/*
 * A window costs one fault: a legal fault maps the whole mapping, as the
 * window allows.  A read window maps it read-only, so a write in it still
 * faults (and is raised); outside a window every page faults on its own.
 */
TEST_F(owner, window_faults_once)
{
	const char *ev = DHO_TRACEFS "/events/dma_heap_owner/user_fault/enable";
	int i;

	ASSERT_EQ(0, dho_write_file(ev, "1"));
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	for (i = 0; i < LEN; i += 4096)
		self->p[i] = 1;
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	EXPECT_EQ(1, user_faults(self->fd));

	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	for (i = 0; i < LEN; i += 4096)
		EXPECT_EQ(1, self->p[i]);
	EXPECT_EQ(2, user_faults(self->fd));
	expect_only(_metadata, self, -1, 0);
	self->p[4096] = 2;
	self->p[2 * 4096] = 2;
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	EXPECT_EQ(4, user_faults(self->fd));
	expect_only(_metadata, self, CPU_WRITE_IN_READ_WINDOW, 2);

	/* outside a window: one fault, one report's page, per page touched */
	for (i = 0; i < 4; i++)
		self->p[i * 4096] = 3;
	EXPECT_EQ(8, user_faults(self->fd));
	EXPECT_EQ(0, dho_write_file(ev, "0"));
}

/* After a correct window, the next unsynchronised touch is caught again. */
TEST_F(owner, touch_after_window)
{
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	self->p[0] = 1;
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	expect_only(_metadata, self, -1, 0);
	EXPECT_EQ(1, self->p[0]);		/* a read, outside the window */
	expect_only(_metadata, self, CPU_ACCESS_UNOWNED, 1);
}

TEST_F(owner, forked_child)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (!pid) {
		self->p[5] = 7;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	expect_only(_metadata, self, CPU_ACCESS_UNOWNED, 1);
	EXPECT_TRUE(traced(self, "cpu_access_unowned", pid));
}

TEST_F(owner, write_in_read_window)
{
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, self->p[100]);
	expect_only(_metadata, self, -1, 0);
	self->p[100] = 1;
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	expect_only(_metadata, self, CPU_WRITE_IN_READ_WINDOW, 1);
	EXPECT_TRUE(traced(self, "cpu_write_in_read_window", getpid()));
	/* the window was opened by a SYNC: named by its user ip, not a stack */
	EXPECT_TRUE(reported(" since cpu_begin by owner_user_test tgid "));
	EXPECT_TRUE(reported(":\n DMA_BUF_IOCTL_SYNC at user ip 0000"));
}

#define REPORT_START "BUG: dma-heap-owner: "

/* @s in the text from @from to @end (NULL: to the end), or NULL */
static char *within(char *from, const char *end, const char *s)
{
	char *p = strstr(from, s);

	return p && (!end || p < end) ? p : NULL;
}

/* The address after @label in the fixture buffer's @cls report, or 0. */
static unsigned long report_ip(int fd, const char *cls, const char *label)
{
	char *v = dho_read_file(DHO_DEBUGFS "/violations"), *r, *end, *at;
	unsigned long ip = 0;
	char ino[48];

	if (!v)
		return 0;
	snprintf(ino, sizeof(ino), "buffer: ino=%lu ", dho_ino(fd));
	for (r = strstr(v, REPORT_START); r; r = end) {
		end = strstr(r + 1, REPORT_START);
		if (strncmp(r + strlen(REPORT_START), cls, strlen(cls)) ||
		    !within(r, end, ino))
			continue;
		at = within(r, end, label);
		if (at)
			ip = strtoul(at + strlen(label), NULL, 16);
	}
	free(v);
	return ip;
}

/*
 * An allocation from userspace is named by its ioctl's user ip, as a SYNC
 * is, not by a kernel stack: both ioctls go through the C library's
 * ioctl(), so the two addresses are the same instruction.
 */
TEST_F(owner, alloc_named_by_user_ip)
{
	unsigned long alloc_ip, sync_ip;

	self->p[0] = 1;		/* the owner: none, since the allocation */
	expect_only(_metadata, self, CPU_ACCESS_UNOWNED, 1);
	EXPECT_TRUE(reported(" since alloc by owner_user_test tgid "));
	alloc_ip = report_ip(self->fd, "cpu_access_unowned",
			     ":\n DMA_HEAP_IOCTL_ALLOC at user ip ");
	EXPECT_NE(0, alloc_ip);

	ASSERT_EQ(0, dho_counts(self->before));
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	self->p[4096] = 1;	/* the owner: the CPU, since that SYNC */
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	expect_only(_metadata, self, CPU_WRITE_IN_READ_WINDOW, 1);
	sync_ip = report_ip(self->fd, "cpu_write_in_read_window",
			    ":\n DMA_BUF_IOCTL_SYNC at user ip ");
	EXPECT_NE(0, sync_ip);
	EXPECT_EQ(sync_ip, alloc_ip);
}

TEST_F(owner, write_window_after_read_window)
{
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, self->p[100]);
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	self->p[100] = 1;
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	expect_only(_metadata, self, -1, 0);
}

TEST_F(owner, unbalanced_end)
{
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	expect_only(_metadata, self, CPU_ACCESS_UNBALANCED, 1);
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	expect_only(_metadata, self, CPU_ACCESS_UNBALANCED, 2);
	EXPECT_TRUE(traced(self, "cpu_access_unbalanced", getpid()));
	/* raised by the ioctl itself: its user ip, and its kernel stack */
	EXPECT_TRUE(reported(" (DMA_BUF_IOCTL_SYNC)\n"));
	EXPECT_TRUE(reported("BUG: dma-heap-owner: cpu_access_unbalanced in dma_buf_ioctl"));
}

/*
 * The store the reports below must point at.  At -O2 gcc gives a leaf
 * function no frame (or sets it up after the store), and a frame-pointer
 * walk then skips its caller, as perf's does: -O0 keeps the frame (and
 * keeps it out of line: gcc does not inline across optimisation levels).
 */
static __attribute__((optimize("O0"))) void touch_byte(char *p)
{
	*p = 1;
}

struct toucher {
	char *p;
	pid_t tid;
};

static void *toucher_thread(void *arg)
{
	struct toucher *t = arg;

	t->tid = gettid();
	touch_byte(t->p);
	return NULL;
}

/* The mapping of /proc/self/maps that holds @addr: its start and file offset. */
static bool self_mapping(unsigned long addr, unsigned long *start,
			 unsigned long *end, unsigned long *off)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%lx-%lx %*s %lx", start, end, off) == 3 &&
			*start <= addr && addr < *end;
	if (f)
		fclose(f);
	return found;
}

/*
 * A userspace access names the process and the thread, the instruction
 * (file, mapping, offset for addr2line: checked against /proc/self/maps)
 * and the user stack; its number is the violation event's seq=.
 */
TEST_F(owner, report_points_at_code)
{
	unsigned long ip, base, size, off, start, end, moff, frame;
	struct toucher t = { .p = self->p + 2 * 4096 };
	char want[256], exe[256], file[64], *v, *at, *rec, *end_at;
	unsigned long long seq;
	pthread_t th;
	ssize_t n;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/all_errors", "1"));
	ASSERT_EQ(0, pthread_create(&th, NULL, toucher_thread, &t));
	ASSERT_EQ(0, pthread_join(th, NULL));
	expect_only(_metadata, self, CPU_ACCESS_UNOWNED, 1);
	ASSERT_NE(getpid(), t.tid);

	v = dho_read_file(DHO_DEBUGFS "/violations");
	ASSERT_NE(NULL, v);
	snprintf(want, sizeof(want),
		 "access: write by task owner_user_test tgid %d tid %d at %p (page 2)\n",
		 getpid(), t.tid, (void *)t.p);
	at = strstr(v, want);
	ASSERT_NE(NULL, at) TH_LOG("no access line '%s' in:\n%s", want, v);
	at += strlen(want);

	/* ip 000055... in owner_user_test[55...+...] offset 0x... */
	n = sscanf(at, "ip %lx in %63[^[][%lx+%lx] offset 0x%lx\n",
		   &ip, file, &base, &size, &off);
	ASSERT_EQ(5, n) TH_LOG("%.300s", at);
	EXPECT_LE((unsigned long)touch_byte, ip);
	EXPECT_GT((unsigned long)touch_byte + 64, ip);
	EXPECT_STREQ(basename(exe), file);
	ASSERT_TRUE(self_mapping(ip, &start, &end, &moff));
	EXPECT_EQ(start, base);
	EXPECT_EQ(end - start, size);
	EXPECT_EQ(ip - start + moff, off);

	/* the user stack: the store, then its caller in this program */
	at = strstr(at, "\nuser stack:\n");
	ASSERT_NE(NULL, at);
	snprintf(want, sizeof(want), "\nuser stack:\n #0 %016lx %s+0x%lx\n #1 ",
		 ip, file, off);
	EXPECT_EQ(0, strncmp(at, want, strlen(want))) TH_LOG("%.200s", at);
	at += strlen(want);
	frame = strtoul(at, &end_at, 16);
	ASSERT_NE(at, end_at);
	EXPECT_LE((unsigned long)toucher_thread, frame);
	EXPECT_GT((unsigned long)toucher_thread + 256, frame);

	/* the report's number (its last "violation: #" before the access) */
	snprintf(want, sizeof(want), "tgid %d tid %d at %p", getpid(), t.tid, (void *)t.p);
	end_at = strstr(v, want);
	for (rec = NULL, at = v; (at = strstr(at, "violation: #")) && at < end_at; at++)
		rec = at;
	ASSERT_NE(NULL, rec);
	seq = strtoull(rec + strlen("violation: #"), &at, 10);
	ASSERT_NE(rec + strlen("violation: #"), at);
	/* is the event's, with the process, the thread and the ip */
	snprintf(want, sizeof(want), "pid=%d comm=owner_user_test tgid=%d seq=%llu ip=0x%lx",
		 t.tid, getpid(), seq, ip);
	EXPECT_TRUE(dho_traced(self->fd, "cpu_access_unowned", want)) TH_LOG("%s", want);
	free(v);
	dho_write_file(DHO_DEBUGFS "/all_errors", "0");
}

/* The buffer's exporter and its DMA_BUF_SET_NAME, escaped. */
TEST_F(owner, report_names_buffer)
{
	char want[160];

	ASSERT_EQ(0, ioctl(self->fd, DMA_BUF_SET_NAME, "cam0\nFORGED line"));
	self->p[0] = 1;
	expect_only(_metadata, self, CPU_ACCESS_UNOWNED, 1);
	snprintf(want, sizeof(want),
		 "buffer: ino=%lu heap=system size=%d exporter=system name=%s\n",
		 dho_ino(self->fd), LEN, "cam0\\nFORGED line");
	EXPECT_TRUE(reported(want)) TH_LOG("no '%s'", want);
	EXPECT_FALSE(reported("\nFORGED line"));
}

TEST_F(owner, strict_sigbus)
{
	pid_t pid;
	int status;

	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/strict", "1"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		self->p[0] = 1;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGBUS, WTERMSIG(status));
	expect_only(_metadata, self, CPU_ACCESS_UNOWNED, 1);

	/* a correct client is untouched by strict mode */
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	self->p[0] = 2;
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	expect_only(_metadata, self, CPU_ACCESS_UNOWNED, 1);
}

/* strict: an unbalanced SYNC from userspace gets SIGBUS, not a kernel WARN */
TEST_F(owner, strict_unbalanced_sync)
{
	pid_t pid;
	int status;

	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/strict", "1"));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGBUS, WTERMSIG(status));
	expect_only(_metadata, self, CPU_ACCESS_UNBALANCED, 1);
}

TEST_F(owner, buffers_table)
{
	char *table, want[64], *line;

	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	table = dho_read_file(DHO_DEBUGFS "/buffers");
	ASSERT_NE(NULL, table);
	snprintf(want, sizeof(want), "ino=%lu heap=system size=%d ", dho_ino(self->fd), LEN);
	line = strstr(table, want);
	ASSERT_NE(NULL, line) TH_LOG("%s", table);
	*strchrnul(line, '\n') = '\0';
	EXPECT_NE(NULL, strstr(line, " owner=cpu cpu_depth=1 cpu_dir=from_device vmap=0 mmaps=1 "))
		TH_LOG("%s", line);
	snprintf(want, sizeof(want), " users=%d:", getpid());
	EXPECT_NE(NULL, strstr(line, want)) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, " attach=0 devs=- last=cpu_begin:")) TH_LOG("%s", line);
	free(table);
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
}

/* The debugfs ABI: file modes and formats. */
TEST(debugfs_abi)
{
	static const struct { const char *name; mode_t mode; } files[] = {
		{ "error_count", 0444 }, { "counts", 0444 }, { "violations", 0400 },
		{ "buffers", 0400 }, { "disabled", 0644 }, { "all_errors", 0644 },
		{ "num_errors", 0644 }, { "filter", 0644 }, { "strict", 0644 },
		{ "reset", 0200 },
	};
	long counts[DHO_NR_CLASSES], total = 0, error_count;
	char path[128], *s;
	struct stat st;
	unsigned int i;

	if (!dho_tracker_present())
		SKIP(return, "no tracker");
	for (i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), DHO_DEBUGFS "/%s", files[i].name);
		ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s", path);
		EXPECT_EQ(files[i].mode, st.st_mode & 0777) TH_LOG("%s", path);
	}
	ASSERT_EQ(0, dho_counts(counts));
	s = dho_read_file(DHO_DEBUGFS "/counts");
	ASSERT_NE(NULL, s);
	/* every class, in the table's order */
	for (i = 0; i < DHO_NR_CLASSES; i++) {
		char *at = strstr(s, dho_classes[i]);

		ASSERT_NE(NULL, at);
		if (i)
			EXPECT_LT(strstr(s, dho_classes[i - 1]), at);
		total += counts[i];
	}
	free(s);
	s = dho_read_file(DHO_DEBUGFS "/error_count");
	ASSERT_NE(NULL, s);
	error_count = strtol(s, NULL, 10);
	free(s);
	EXPECT_LE(total, error_count);

	/* bad writes are refused */
	EXPECT_EQ(-EINVAL, dho_write_file(DHO_DEBUGFS "/reset", "2"));
	EXPECT_EQ(-EINVAL, dho_write_file(DHO_DEBUGFS "/disabled", "7"));
	EXPECT_EQ(-EINVAL, dho_write_file(DHO_DEBUGFS "/filter",
					  "a-name-much-too-long-for-any-heap-or-driver"));
	EXPECT_EQ(-EINVAL, dho_write_file(DHO_DEBUGFS "/strict", "maybe"));
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", "system\n"));
	s = dho_read_file(DHO_DEBUGFS "/filter");
	EXPECT_STREQ("system\n", s);
	free(s);
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", "\n"));
}

/* A buffer of the system heap, mapped; its fd, or the test fails. */
struct mapped {
	int fd;
	char *p;
	unsigned long ino;
};

static void map_new(struct __test_metadata *_metadata, struct mapped *m)
{
	m->fd = dho_alloc("system", LEN);
	ASSERT_LE(0, m->fd);
	m->p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, m->fd, 0);
	ASSERT_NE(MAP_FAILED, m->p);
	m->ino = dho_ino(m->fd);
}

static void unmap(struct __test_metadata *_metadata, struct mapped *m)
{
	EXPECT_EQ(0, munmap(m->p, LEN));
	EXPECT_EQ(0, close(m->fd));
}

/* An unsynchronised write; a SYNC cycle first, so that it faults again. */
static void unsynced(struct __test_metadata *_metadata, struct mapped *m)
{
	ASSERT_EQ(0, dho_sync(m->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	ASSERT_EQ(0, dho_sync(m->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	m->p[4096] = 1;
}

static bool listed(unsigned long ino)
{
	char *t = dho_read_file(DHO_DEBUGFS "/buffers"), want[64];
	bool found;

	snprintf(want, sizeof(want), "ino=%lu ", ino);
	found = t && strstr(t, want);
	free(t);
	return found;
}

static int reports_in(const char *file)
{
	char *s = dho_read_file(file);
	int n = s ? dho_count_str(s, "BUG: dma-heap-owner: ") : -1;

	free(s);
	return n;
}

/* The knobs every test here starts from. */
static void knobs_default(struct __test_metadata *_metadata)
{
	if (!dho_tracker_present())
		SKIP(return, "no tracker");
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/disabled", "0"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/strict", "0"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/all_errors", "0"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", ""));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/num_errors", "100"));
}

/* disabled: violations stop being counted, and are counted again after. */
TEST(knob_disabled)
{
	long before[DHO_NR_CLASSES];
	struct mapped on, off, again;
	char *s;

	knobs_default(_metadata);
	map_new(_metadata, &on);		/* tracked, then tracking stops */
	ASSERT_TRUE(listed(on.ino));
	ASSERT_EQ(0, dho_counts(before));

	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/disabled", "1"));
	s = dho_read_file(DHO_DEBUGFS "/disabled");
	EXPECT_STREQ("1\n", s);
	free(s);
	map_new(_metadata, &off);		/* allocated while off */
	on.p[0] = 1;
	off.p[0] = 1;
	ASSERT_EQ(0, dho_sync(off.fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	expect_only_since(_metadata, before, -1, 0);
	EXPECT_FALSE(listed(off.ino));

	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/disabled", "0"));
	s = dho_read_file(DHO_DEBUGFS "/disabled");
	EXPECT_STREQ("0\n", s);
	free(s);
	map_new(_metadata, &again);
	EXPECT_TRUE(listed(again.ino));
	again.p[0] = 1;
	expect_only_since(_metadata, before, CPU_ACCESS_UNOWNED, 1);
	unmap(_metadata, &on);
	unmap(_metadata, &off);
	unmap(_metadata, &again);
}

/*
 * num_errors=N: the first N reports reach the kernel log, every report
 * reaches the ring, which keeps the last 16.
 */
TEST(knob_num_errors)
{
	struct mapped m[20];
	char *log, want[64];
	int kmsg, err, i;

	knobs_default(_metadata);
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/reset", "1"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/num_errors", "3"));
	kmsg = dho_kmsg_open();
	ASSERT_LE(0, kmsg);
	for (i = 0; i < 8; i++) {
		map_new(_metadata, &m[i]);
		m[i].p[0] = 1;			/* one report each */
	}
	log = dho_kmsg_read(kmsg, &err);
	ASSERT_NE(NULL, log) TH_LOG("/dev/kmsg: %s", strerror(-err));
	EXPECT_EQ(3, dho_count_str(log, "BUG: dma-heap-owner: "));
	for (i = 0; i < 8; i++) {
		snprintf(want, sizeof(want), "buffer: ino=%lu ", m[i].ino);
		EXPECT_EQ(i < 3, dho_count_str(log, want)) TH_LOG("buffer %d", i);
	}
	free(log);
	EXPECT_EQ(8, reports_in(DHO_DEBUGFS "/violations"));

	/* twelve more: the ring keeps 16, the log still 3 */
	for (i = 8; i < 20; i++) {
		map_new(_metadata, &m[i]);
		m[i].p[0] = 1;
	}
	log = dho_kmsg_read(kmsg, &err);
	close(kmsg);
	ASSERT_NE(NULL, log) TH_LOG("/dev/kmsg: %s", strerror(-err));
	EXPECT_EQ(0, dho_count_str(log, "BUG: dma-heap-owner: "));
	free(log);
	EXPECT_EQ(16, reports_in(DHO_DEBUGFS "/violations"));
	log = dho_read_file(DHO_DEBUGFS "/violations");
	ASSERT_NE(NULL, log);
	for (i = 0; i < 20; i++) {		/* the last 16 */
		snprintf(want, sizeof(want), "buffer: ino=%lu ", m[i].ino);
		EXPECT_EQ(i >= 4, dho_count_str(log, want)) TH_LOG("buffer %d", i);
	}
	free(log);
	for (i = 0; i < 20; i++)
		unmap(_metadata, &m[i]);
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/num_errors", "100"));
}

/* reset: counters and ring emptied, and each buffer reports each class again. */
TEST(knob_reset)
{
	long counts[DHO_NR_CLASSES];
	struct mapped m[2];
	char *s;
	int i, round, kmsg, err;

	knobs_default(_metadata);
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/reset", "1"));
	for (i = 0; i < 2; i++)
		map_new(_metadata, &m[i]);
	for (round = 0; round < 2; round++) {
		kmsg = dho_kmsg_open();
		ASSERT_LE(0, kmsg);
		for (i = 0; i < 2; i++) {
			m[i].p[0] = 1;		/* cpu_access_unowned */
			ASSERT_EQ(0, dho_sync(m[i].fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
		}
		/* the same again: counted, not reported */
		for (i = 0; i < 2; i++) {
			unsynced(_metadata, &m[i]);
			ASSERT_EQ(0, dho_sync(m[i].fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
		}
		ASSERT_EQ(0, dho_counts(counts));
		EXPECT_EQ(4, counts[CPU_ACCESS_UNOWNED]) TH_LOG("round %d", round);
		EXPECT_EQ(4, counts[CPU_ACCESS_UNBALANCED]) TH_LOG("round %d", round);
		EXPECT_EQ(4, reports_in(DHO_DEBUGFS "/violations")) TH_LOG("round %d", round);
		s = dho_kmsg_read(kmsg, &err);
		close(kmsg);
		ASSERT_NE(NULL, s) TH_LOG("/dev/kmsg: %s", strerror(-err));
		EXPECT_EQ(2, dho_count_str(s, "BUG: dma-heap-owner: cpu_access_unowned "));
		EXPECT_EQ(2, dho_count_str(s, "BUG: dma-heap-owner: cpu_access_unbalanced "));
		free(s);

		ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/reset", "1"));
		ASSERT_EQ(0, dho_counts(counts));
		for (i = 0; i < DHO_NR_CLASSES; i++)
			EXPECT_EQ(0, counts[i]);
		s = dho_read_file(DHO_DEBUGFS "/error_count");
		EXPECT_STREQ("0\n", s);
		free(s);
		EXPECT_EQ(0, reports_in(DHO_DEBUGFS "/violations"));
	}
	for (i = 0; i < 2; i++)
		unmap(_metadata, &m[i]);
}

TEST_HARNESS_MAIN
