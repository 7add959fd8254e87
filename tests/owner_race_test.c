// SPDX-License-Identifier: GPL-2.0
/*
 * The tracker under races and hostile clients, from userspace, on two
 * CPUs: windows closing on one CPU while another writes, strict mode never
 * signalling a bystander nor reaching a WARN, task names that try to forge
 * report lines, and mapping records after fork.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "dho_test.h"
#include "kselftest_harness.h"
#include "dho_harness.h"
#include "importer/dho_importer.h"

#define LEN	(16 * 4096)

FIXTURE(race) {
	int fd;
	char *p;
	int kmsg;
	long before[DHO_NR_CLASSES];
};

FIXTURE_SETUP(race)
{
	if (!dho_tracker_present())
		DHO_SETUP_SKIP("kernel without DMABUF_HEAPS_OWNER_DEBUG or debugfs not mounted");
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/strict", "0"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/all_errors", "0"));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", ""));
	self->fd = dho_alloc("system", LEN);
	ASSERT_LE(0, self->fd);
	self->p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->p);
	/* the kernel log from here on */
	self->kmsg = dho_kmsg_open();
	ASSERT_LE(0, self->kmsg);
	ASSERT_EQ(0, dho_counts(self->before));
}

FIXTURE_TEARDOWN(race)
{
	dho_write_file(DHO_DEBUGFS "/strict", "0");
	if (self->p && self->p != MAP_FAILED)
		munmap(self->p, LEN);
	if (self->fd > 0)
		close(self->fd);
	if (self->kmsg > 0)
		close(self->kmsg);
}

#define expect_only(cls, n) expect_only_since(_metadata, self->before, cls, n)

/* A line of @text starts with @prefix. */
static bool line_starts(const char *text, const char *prefix)
{
	const char *line = text;

	while (line && *line) {
		if (!strncmp(line, prefix, strlen(prefix)))
			return true;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

struct writer {
	char *p;
	atomic_bool stop;
	atomic_long writes;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;
	long i = 0;

	while (!atomic_load(&w->stop)) {
		__atomic_store_n(&w->p[(i % 16) * 4096], (char)i, __ATOMIC_RELAXED);
		i++;
		atomic_store(&w->writes, i);
	}
	return NULL;
}

/*
 * One thread opens and closes windows while another, on the other CPU,
 * writes without SYNC.  Every window close hands the buffer back before
 * its flush, so the writer keeps faulting and is caught; the buffer ends
 * the run owned by nobody with its counts consistent.
 */
TEST_F_TIMEOUT(race, window_close_vs_writer, 120)
{
	struct writer w = { .p = self->p };
	long now[DHO_NR_CLASSES], writes;
	pthread_t thread;
	int i;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two online CPUs");
	ASSERT_EQ(0, pthread_create(&thread, NULL, writer_fn, &w));
	for (i = 0; i < 2000; i++) {
		ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
		self->p[4096] = (char)i;
		ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	}
	atomic_store(&w.stop, true);
	ASSERT_EQ(0, pthread_join(thread, NULL));
	writes = atomic_load(&w.writes);
	TH_LOG("%ld unsynced writes beside 2000 windows", writes);
	ASSERT_EQ(0, dho_counts(now));
	/* the writer raced every window; it was seen outside them */
	EXPECT_LT(0, now[0] - self->before[0]);
	for (i = 1; i < DHO_NR_CLASSES; i++)
		EXPECT_EQ(0, now[i] - self->before[i]) TH_LOG("class %d", i);
}

/* The buffers table's line for @fd, or NULL. */
static char *buffers_line(int fd)
{
	char *table = dho_read_file(DHO_DEBUGFS "/buffers"), want[64], *line, *copy;

	if (!table)
		return NULL;
	snprintf(want, sizeof(want), "ino=%lu ", dho_ino(fd));
	line = strstr(table, want);
	copy = line ? strndup(line, strchrnul(line, '\n') - line) : NULL;
	free(table);
	return copy;
}

/*
 * strict: a driver's write through its vmap alias, seen when a task SYNCs,
 * is the driver's fault; the task is a bystander and gets no signal.
 */
TEST_F(race, strict_spares_bystander)
{
	struct dho_imp_access acc = { .offset = 8192, .len = 4, .value = 0x55 };
	int imp, status;
	pid_t pid;

	if (access("/dev/dho_importer", R_OK | W_OK))
		SKIP(return, "dho_importer.ko not loaded");
	imp = open("/dev/dho_importer", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, imp);
	ASSERT_EQ(0, ioctl(imp, DHO_IMP_IMPORT, &self->fd));
	ASSERT_EQ(0, ioctl(imp, DHO_IMP_VMAP));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/strict", "1"));
	/* the driver's bug: a write through the alias outside any window */
	ASSERT_EQ(0, ioctl(imp, DHO_IMP_WRITE, &acc));

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
			_exit(2);
		self->p[0] = 1;
		_exit(dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW) ? 3 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status))
		TH_LOG("the SYNCing task got signal %d",
		       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	if (WIFEXITED(status))
		EXPECT_EQ(0, WEXITSTATUS(status));
	expect_only(0, 1);	/* cpu_access_unowned, the driver's */
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/strict", "0"));
	ASSERT_EQ(0, ioctl(imp, DHO_IMP_RELEASE));
	close(imp);
}

/*
 * strict: a device mapping the buffer inside a userspace SYNC window is a
 * violation an unprivileged task can cause; it must not reach a WARN (which
 * panic_on_warn would turn into a panic).
 */
TEST_F(race, strict_no_warn_from_userspace)
{
	__u32 d = DHO_IMP_BIDIRECTIONAL;
	char *log;
	int imp, err;

	if (access("/dev/dho_importer", R_OK | W_OK))
		SKIP(return, "dho_importer.ko not loaded");
	imp = open("/dev/dho_importer", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, imp);
	ASSERT_EQ(0, ioctl(imp, DHO_IMP_IMPORT, &self->fd));
	ASSERT_EQ(0, ioctl(imp, DHO_IMP_ATTACH));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/strict", "1"));
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	ASSERT_EQ(0, ioctl(imp, DHO_IMP_MAP, &d));
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/strict", "0"));
	expect_only(3, 1);	/* device_access_cpu_owned */
	ASSERT_EQ(0, ioctl(imp, DHO_IMP_RELEASE));
	close(imp);

	log = dho_kmsg_read(self->kmsg, &err);
	ASSERT_NE(NULL, log) TH_LOG("reading /dev/kmsg: %s", strerror(-err));
	EXPECT_EQ(NULL, strstr(log, "WARNING:")) TH_LOG("%s", log);
	EXPECT_EQ(NULL, strstr(log, "------------[ cut here ]")) TH_LOG("%s", log);
	free(log);
}

/*
 * A task name with a newline cannot start a line of its own in the kernel
 * log, the violations file or the buffers table.
 */
TEST_F(race, comm_cannot_forge_lines)
{
	char *log, *viol, *line;
	int status, err;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		prctl(PR_SET_NAME, "x\nFORGED x");
		self->p[0] = 1;		/* unsynced: reported under that name */
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	expect_only(0, 1);

	/* the name in a live mapping record and in the last transition */
	ASSERT_EQ(0, prctl(PR_SET_NAME, "y\nFORGED y"));
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	line = buffers_line(self->fd);
	ASSERT_EQ(0, prctl(PR_SET_NAME, "owner_race_test"));
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	ASSERT_NE(NULL, line);
	EXPECT_EQ(NULL, strchr(line, '\n')) TH_LOG("%s", line);
	EXPECT_NE(NULL, strstr(line, "y\\nFORGED y")) TH_LOG("%s", line);
	free(line);

	viol = dho_read_file(DHO_DEBUGFS "/violations");
	ASSERT_NE(NULL, viol);
	EXPECT_FALSE(line_starts(viol, "FORGED")) TH_LOG("%s", viol);
	EXPECT_NE(NULL, strstr(viol, "x\\nFORGED x")) TH_LOG("%s", viol);
	free(viol);
	log = dho_kmsg_read(self->kmsg, &err);
	ASSERT_NE(NULL, log) TH_LOG("reading /dev/kmsg: %s", strerror(-err));
	EXPECT_FALSE(line_starts(log, "FORGED")) TH_LOG("%s", log);
	free(log);
}

/* After fork, the child's mapping is recorded as the child's. */
TEST_F(race, fork_records_child)
{
	int to_child[2], to_parent[2], status;
	char *line, want[32], c = 0;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
			_exit(2);
		self->p[4096] = 1;
		if (dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
			_exit(3);
		if (write(to_parent[1], &c, 1) != 1 || read(to_child[0], &c, 1) != 1)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	line = buffers_line(self->fd);
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_NE(NULL, line);
	EXPECT_NE(NULL, strstr(line, " mmaps=2 ")) TH_LOG("%s", line);
	snprintf(want, sizeof(want), "%d:owner_race_test:", pid);
	EXPECT_NE(NULL, strstr(line, want)) TH_LOG("%s", line);
	snprintf(want, sizeof(want), "%d:owner_race_test:", getpid());
	EXPECT_NE(NULL, strstr(line, want)) TH_LOG("%s", line);
	free(line);
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	expect_only(-1, 0);
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

static void on_alarm(int sig)
{
	_exit(124);
}

/*
 * A PROT_WRITE-only mapping is readable, as on every MMU: a read in a
 * window, and a read and a write after it, resolve instead of refaulting
 * for ever (the page used to be mapped PAGE_NONE).
 */
TEST_F(race, write_only_mapping)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *p;

		signal(SIGALRM, on_alarm);
		alarm(10);
		p = mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, self->fd, 0);
		if (p == MAP_FAILED)
			_exit(2);
		if (dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
			_exit(3);
		(void)__atomic_load_n(&p[0], __ATOMIC_RELAXED);
		if (dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
			_exit(4);
		if (dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
			_exit(5);
		(void)__atomic_load_n(&p[1], __ATOMIC_RELAXED);
		__atomic_store_n(&p[1], 1, __ATOMIC_RELAXED);
		_exit(dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW) ? 6 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("124: a fault never resolved");
	expect_only(-1, 0);
}

/* dma-debug's error count, or -1 without DMA_API_DEBUG. */
static long dma_api_errors(void)
{
	char *s = dho_read_file("/sys/kernel/debug/dma-api/error_count");
	long n = s ? strtol(s, NULL, 10) : -1;

	free(s);
	return n;
}

/*
 * Two importers map one buffer at once: a shared dma-buf, nothing wrong.
 * dma-debug used to report the second mapping as overlapping (and WARN).
 */
TEST_F(race, two_importers_map_one_buffer)
{
	__u32 d = DHO_IMP_BIDIRECTIONAL;
	long before = dma_api_errors();
	int imp[2], i;

	if (access("/dev/dho_importer", R_OK | W_OK))
		SKIP(return, "dho_importer.ko not loaded");
	if (before < 0)
		SKIP(return, "no DMA-API debugging in this kernel");
	for (i = 0; i < 2; i++) {
		imp[i] = open("/dev/dho_importer", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, imp[i]);
		ASSERT_EQ(0, ioctl(imp[i], DHO_IMP_IMPORT, &self->fd));
		ASSERT_EQ(0, ioctl(imp[i], DHO_IMP_ATTACH));
		ASSERT_EQ(0, ioctl(imp[i], DHO_IMP_MAP, &d));
	}
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	self->p[0] = 1;
	ASSERT_EQ(0, dho_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, ioctl(imp[i], DHO_IMP_RELEASE));
		close(imp[i]);
	}
	EXPECT_EQ(before, dma_api_errors());
	expect_only(-1, 0);
}

struct vmapper {
	int imp;
	int rounds;
	pthread_barrier_t *bar;
	int err;
};

static void *vmapper_fn(void *arg)
{
	struct vmapper *v = arg;
	int i;

	/* after an error, keep meeting the other thread at the barriers */
	for (i = 0; i < v->rounds; i++) {
		pthread_barrier_wait(v->bar);
		if (!v->err && ioctl(v->imp, DHO_IMP_VMAP))
			v->err = errno;
		pthread_barrier_wait(v->bar);
		if (!v->err && ioctl(v->imp, DHO_IMP_VUNMAP))
			v->err = errno;
	}
	return NULL;
}

/*
 * Two importers vmap one buffer at once, on two CPUs, and never touch the
 * alias: nothing to report.  The alias is made by the first vmap with the
 * bits PAGE_KERNEL presets, which its hook clears; a second vmap between
 * the first and its hook would leave them set for the next sample to blame
 * on the kernel.  The dma-buf core serializes exporters' vmaps (dmabuf->lock on
 * 6.1, the reservation lock on 6.12) and makes the alias once, so this
 * holds; the test keeps it so.
 */
TEST_F_TIMEOUT(race, two_importers_vmap_at_once, 120)
{
	struct vmapper v[2] = { 0 };
	pthread_barrier_t bar;
	pthread_t thread[2];
	int i, fd;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "needs two online CPUs");
	if (access("/dev/dho_importer", R_OK | W_OK))
		SKIP(return, "dho_importer.ko not loaded");
	/* 1 MiB: the first vmap takes long enough for the second to wait */
	fd = dho_alloc("system", 1 << 20);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pthread_barrier_init(&bar, NULL, 2));
	for (i = 0; i < 2; i++) {
		v[i].imp = open("/dev/dho_importer", O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, v[i].imp);
		ASSERT_EQ(0, ioctl(v[i].imp, DHO_IMP_IMPORT, &fd));
		v[i].rounds = 200;
		v[i].bar = &bar;
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&thread[i], NULL, vmapper_fn, &v[i]));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(thread[i], NULL));
		EXPECT_EQ(0, v[i].err) TH_LOG("importer %d: %s", i, strerror(v[i].err));
		close(v[i].imp);
	}
	pthread_barrier_destroy(&bar);
	close(fd);
	expect_only(-1, 0);
}

/* Values a knob cannot hold are refused, never truncated or echoed raw. */
TEST(knob_values_refused)
{
	char *before, *after;

	if (!dho_tracker_present())
		SKIP(return, "kernel without DMABUF_HEAPS_OWNER_DEBUG or debugfs not mounted");
	ASSERT_EQ(0, dho_write_file(DHO_DEBUGFS "/filter", ""));
	before = dho_read_file(DHO_DEBUGFS "/num_errors");
	ASSERT_NE(NULL, before);
	EXPECT_NE(0, dho_write_file(DHO_DEBUGFS "/num_errors", "4294967296"));
	after = dho_read_file(DHO_DEBUGFS "/num_errors");
	ASSERT_NE(NULL, after);
	EXPECT_STREQ(before, after);
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/num_errors", "4294967295"));
	EXPECT_EQ(0, dho_write_file(DHO_DEBUGFS "/num_errors", before));
	free(before);
	free(after);

	EXPECT_NE(0, dho_write_file(DHO_DEBUGFS "/filter", "sys\x01tem"));
	EXPECT_NE(0, dho_write_file(DHO_DEBUGFS "/filter", "a\nb"));
	after = dho_read_file(DHO_DEBUGFS "/filter");
	ASSERT_NE(NULL, after);
	EXPECT_STREQ("\n", after);
	free(after);
}

TEST_HARNESS_MAIN
