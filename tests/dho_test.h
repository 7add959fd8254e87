/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the dma-heap-owner userspace tests: heap allocation,
 * DMA_BUF_IOCTL_SYNC, the tracker's debugfs counters and its tracepoint.
 */
#ifndef DHO_TEST_H
#define DHO_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#define DHO_DEBUGFS	"/sys/kernel/debug/dma_heap_owner"
#define DHO_TRACEFS	"/sys/kernel/tracing"
#define DHO_NR_CLASSES	7
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const dho_classes[DHO_NR_CLASSES] = {
	"cpu_access_unowned", "device_access_vmapped", "vmap_flush_missing",
	"device_access_cpu_owned", "cpu_write_in_read_window",
	"cpu_access_unbalanced", "release_while_mapped",
};

enum {
	CPU_ACCESS_UNOWNED, DEVICE_ACCESS_VMAPPED, VMAP_FLUSH_MISSING,
	DEVICE_ACCESS_CPU_OWNED, CPU_WRITE_IN_READ_WINDOW,
	CPU_ACCESS_UNBALANCED, RELEASE_WHILE_MAPPED,
};

static inline int dho_heap_open(const char *name)
{
	char path[sizeof("/dev/dma_heap/") + NAME_MAX];

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* Returns the dma-buf fd, or -errno. */
static inline int dho_alloc_flags(int heap_fd, unsigned long long len,
				  unsigned int fd_flags, unsigned long long heap_flags)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd_flags = fd_flags,
		.heap_flags = heap_flags,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -errno;
	return data.fd;
}

static inline int dho_alloc(const char *heap, unsigned long long len)
{
	int heap_fd = dho_heap_open(heap), fd;

	if (heap_fd < 0)
		return -errno;
	fd = dho_alloc_flags(heap_fd, len, O_RDWR | O_CLOEXEC, 0);
	close(heap_fd);
	return fd;
}

static inline int dho_sync(int fd, unsigned long long flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync) < 0 ? -errno : 0;
}

static inline bool dho_tracker_present(void)
{
	return access(DHO_DEBUGFS "/counts", R_OK) == 0;
}

/* Read every class's count; returns 0 or -1. */
static inline int dho_counts(long counts[DHO_NR_CLASSES])
{
	char name[64];
	long n;
	FILE *f = fopen(DHO_DEBUGFS "/counts", "r");
	int i, seen = 0;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", name, &n) == 2) {
		for (i = 0; i < DHO_NR_CLASSES; i++) {
			if (!strcmp(name, dho_classes[i])) {
				counts[i] = n;
				seen++;
			}
		}
	}
	fclose(f);
	return seen == DHO_NR_CLASSES ? 0 : -1;
}

static inline int dho_write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != strlen(val))
		ret = -EIO;		/* a short write took part of it */
	close(fd);
	return ret;
}

/* Read a whole (small) file into a malloc'ed string, or NULL on any error. */
static inline char *dho_read_file(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len)) > 0) {
		len += n;
		if (len == cap) {
			char *nbuf = realloc(buf, 2 * cap + 1);

			if (!nbuf) {
				n = -1;
				break;
			}
			buf = nbuf;
			cap *= 2;
		}
	}
	close(fd);
	if (n < 0) {		/* a read error is not an empty file */
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static inline unsigned long dho_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) ? 0 : st.st_ino;
}

/* Empty the trace buffer: opening "trace" with O_TRUNC does that. */
static inline int dho_trace_clear(void)
{
	int fd = open(DHO_TRACEFS "/trace", O_WRONLY | O_TRUNC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Enable the violation tracepoint and empty the trace buffer. */
static inline int dho_trace_start(void)
{
	int ret = dho_trace_clear();

	return ret ?: dho_write_file(DHO_TRACEFS "/events/dma_heap_owner/violation/enable", "1");
}

static inline char *dho_trace_read(void)
{
	return dho_read_file(DHO_TRACEFS "/trace");
}

/*
 * The trace has a violation event of @cls on buffer @fd (system heap), and
 * @also ("pid=N", "dev=NAME") somewhere in it, unless NULL.
 */
static inline bool dho_traced(int fd, const char *cls, const char *also)
{
	char *trace = dho_trace_read(), want[160];
	bool found;

	if (!trace)
		return false;
	snprintf(want, sizeof(want), "ino=%lu heap=system class=%s", dho_ino(fd), cls);
	found = strstr(trace, want) && (!also || strstr(trace, also));
	free(trace);
	return found;
}

/* Lines in the buffers table: live tracked buffers, or -1. */
static inline int dho_buffers_count(void)
{
	char *t = dho_read_file(DHO_DEBUGFS "/buffers"), *p;
	int n = 0;

	if (!t)
		return -1;
	for (p = t; *p; p++)
		n += *p == '\n';
	free(t);
	return n;
}

/* A /proc/meminfo value in kB (e.g. "SUnreclaim"), or -1. */
static inline long dho_meminfo(const char *key)
{
	size_t len = strlen(key);
	char line[256];
	long val = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			val = atol(line + len + 1);
	fclose(f);
	return val;
}

/* Occurrences of @needle in @s. */
static inline int dho_count_str(const char *s, const char *needle)
{
	int n = 0;

	while (s && (s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/*
 * The first kernel-looking address in @s: 16 hex digits starting with
 * ffff (x86_64's kernel half: direct map, vmalloc, vmemmap, text), with or
 * without 0x, in any case; NULL if none.  @len gets the match's length.
 */
static inline const char *dho_find_kaddr(const char *s, int *len)
{
	static regex_t re;
	static bool compiled;
	regmatch_t m;

	if (!compiled) {
		if (regcomp(&re, "[fF]{4}[0-9a-fA-F]{12}", REG_EXTENDED))
			return s;	/* cannot check: say it leaks */
		compiled = true;
	}
	if (regexec(&re, s, 1, &m, 0))
		return NULL;
	*len = m.rm_eo - m.rm_so;
	return s + m.rm_so;
}

/*
 * The kernel log from a position taken with dho_kmsg_open(): every record
 * since then, or an error.  A record lost before it was read (the reader
 * overrun: EPIPE, or a gap in the sequence numbers) is an error, not an
 * empty log.
 */
static unsigned long long dho_kmsg_next;	/* the next record's sequence */
static bool dho_kmsg_started;			/* dho_kmsg_next is known */

static inline int dho_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (lseek(fd, 0, SEEK_END) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	dho_kmsg_started = false;
	return fd;
}

/*
 * Read the records written since the last call (or the open; one reader
 * at a time per process) into a malloc'ed string, one message a line (continuation lines dropped).
 * Returns NULL and sets *@err (-EPIPE: records were lost) on error.
 */
static inline char *dho_kmsg_read(int fd, int *err)
{
	size_t len = 0, cap = 65536;
	char *out = malloc(cap), rec[8192];
	unsigned long long seq;
	ssize_t n;

	*err = 0;
	if (!out) {
		*err = -ENOMEM;
		return NULL;
	}
	out[0] = '\0';
	for (;;) {
		char *msg, *eol;

		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0) {
			if (errno == EAGAIN)
				break;
			*err = -errno;
			break;
		}
		if (n == 0) {
			*err = -EIO;
			break;
		}
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg || sscanf(rec, "%*u,%llu,", &seq) != 1) {
			*err = -EPROTO;
			break;
		}
		/* the first record read sets the sequence; then no gaps */
		if (dho_kmsg_started && seq != dho_kmsg_next) {
			*err = -EPIPE;
			break;
		}
		dho_kmsg_started = true;
		dho_kmsg_next = seq + 1;
		msg++;
		eol = strchrnul(msg, '\n');
		if (len + (eol - msg) + 2 > cap) {
			char *bigger = realloc(out, 2 * cap + (eol - msg));

			if (!bigger) {
				*err = -ENOMEM;
				break;
			}
			out = bigger;
			cap = 2 * cap + (eol - msg);
		}
		memcpy(out + len, msg, eol - msg);
		len += eol - msg;
		out[len++] = '\n';
		out[len] = '\0';
	}
	if (*err) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * Slab, settled: the reclaimable caches dropped (which also drains
 * kfree_rcu()'s batches), two RCU grace periods waited for (membarrier's
 * GLOBAL command is a synchronize_rcu(); without it, a sleep) so that
 * RCU-freed objects are gone, and every cache shrunk (per-CPU slabs flushed back, empty slabs
 * freed), so that what is left is what is allocated.
 */
#define DHO_MAX_CACHES	512

struct dho_slab {
	long sunreclaim_kb;		/* /proc/meminfo's SUnreclaim */
	int nr;
	struct {
		char name[40];
		long active;		/* active objects (/proc/slabinfo) */
		long per_slab;		/* objects per slab */
	} cache[DHO_MAX_CACHES];
};

static inline int dho_slab_settle(void)
{
	DIR *dir;
	struct dirent *d;
	char path[300];
	int fd, i, ret = 0;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, "3", 1) != 1)
		ret = -EIO;
	close(fd);
	for (i = 0; i < 2; i++) {
		/* without CONFIG_MEMBARRIER: several grace periods' time */
		if (syscall(__NR_membarrier, 1 /* MEMBARRIER_CMD_GLOBAL */, 0, 0))
			usleep(50000);
		usleep(10000);		/* the callbacks run after the grace period */
	}
	dir = opendir("/sys/kernel/slab");
	if (!dir)
		return ret ?: -errno;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.' || d->d_type == DT_LNK)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", d->d_name);
		fd = open(path, O_WRONLY);
		if (fd < 0)
			continue;	/* a cache that just went away */
		if (write(fd, "1", 1) != 1)
			ret = -EIO;
		close(fd);
	}
	closedir(dir);
	return ret;
}

/* Settle, then read SUnreclaim and every cache's active objects; 0 or -errno. */
static inline int dho_slab_read(struct dho_slab *sl)
{
	char line[512];
	FILE *f;
	int ret = dho_slab_settle();

	if (ret)
		return ret;
	sl->nr = 0;
	sl->sunreclaim_kb = -1;
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && sl->nr < DHO_MAX_CACHES) {
		if (sscanf(line, "%39s %ld %*d %*d %ld", sl->cache[sl->nr].name,
			   &sl->cache[sl->nr].active, &sl->cache[sl->nr].per_slab) == 3)
			sl->nr++;
	}
	fclose(f);
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "SUnreclaim:", 11))
			sl->sunreclaim_kb = atol(line + 11);
	fclose(f);
	return sl->nr && sl->sunreclaim_kb > 0 ? 0 : -EPROTO;
}

/*
 * The cache that gained most objects from @a to @b beyond what its CPU
 * slabs can hide: SLUB counts every object of a CPU's active slab as in
 * use, and a settled cache can take a partial slab as active again at any
 * time, so a reading moves by up to a slab's worth of objects per CPU.
 * Its index in @b, with the gain in @gain and that allowance in @slack.
 */
static inline int dho_slab_most_grown(const struct dho_slab *a,
				      const struct dho_slab *b,
				      long *gain, long *slack)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF), g, best_g = 0;
	int i, j, best = -1;

	for (i = 0; i < b->nr; i++) {
		long before = 0;

		for (j = 0; j < a->nr; j++) {
			if (!strcmp(a->cache[j].name, b->cache[i].name)) {
				before = a->cache[j].active;
				break;
			}
		}
		g = b->cache[i].active - before - cpus * b->cache[i].per_slab;
		if (best < 0 || g > best_g) {
			best_g = g;
			best = i;
			*gain = b->cache[i].active - before;
			*slack = cpus * b->cache[i].per_slab;
		}
	}
	return best;
}

/*
 * Events the trace buffer lost, summed over the CPUs (tracing/per_cpu/
 * cpu*\/stats: overrun, commit overrun, dropped events), or -1.  With
 * @entries, also the events still unread.
 */
static inline long dho_trace_lost(long *entries)
{
	DIR *dir = opendir(DHO_TRACEFS "/per_cpu");
	long lost = 0, unread = 0, v;
	struct dirent *d;
	char path[300], line[128];
	int cpus = 0;
	FILE *f;

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, "cpu", 3))
			continue;
		snprintf(path, sizeof(path), DHO_TRACEFS "/per_cpu/%s/stats", d->d_name);
		f = fopen(path, "r");
		if (!f) {
			closedir(dir);
			return -1;
		}
		cpus++;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "overrun: %ld", &v) == 1 ||
			    sscanf(line, "commit overrun: %ld", &v) == 1 ||
			    sscanf(line, "dropped events: %ld", &v) == 1)
				lost += v;
			else if (sscanf(line, "entries: %ld", &v) == 1)
				unread += v;
		}
		fclose(f);
	}
	closedir(dir);
	if (entries)
		*entries = unread;
	return cpus ? lost : -1;
}

#endif /* DHO_TEST_H */
