/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the dma-heap-owner userspace tests: heap allocation,
 * DMA_BUF_IOCTL_SYNC, the tracker's debugfs counters and its tracepoint.
 */
#ifndef DHO_TEST_H
#define DHO_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
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
	char path[256];

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

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Read a whole (small) file into a malloc'ed string, or NULL. */
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

			if (!nbuf)
				break;
			buf = nbuf;
			cap *= 2;
		}
	}
	buf[len] = '\0';
	close(fd);
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

#endif /* DHO_TEST_H */
