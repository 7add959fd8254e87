/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma-heap-owner: a private tracefs instance and its violation events
 * (trace.c), for check and watch.
 */
#ifndef DHO_TRACE_H
#define DHO_TRACE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* An instance, and what is read from its trace_pipe. */
struct tinst {
	char dir[PATH_MAX];		/* the instance, "" when there is none */
	int fd;				/* its trace_pipe, or -1 */
	long long lost;			/* events the ring buffer lost */
	char buf[8192];			/* what trace_pipe gave, up to a line */
	size_t len;
};

/* A violation event, as trace_pipe prints it. */
struct vio_event {
	unsigned long ino;
	const char *cls;		/* in the line, @cls_len bytes */
	size_t cls_len;
	long long pid;			/* the thread, or -1 */
	long long tgid;			/* the process, or -1 */
	long long seq;			/* its report's number, or -1 */
	const char *comm;		/* in the line, @comm_len bytes, as is */
	size_t comm_len;
};

typedef void (*line_fn)(void *arg, const char *line);

int tinst_open(struct tinst *ti, const char *kind, char *why, size_t whylen);
int tinst_write(struct tinst *ti, const char *name, const char *text);
int tinst_enable(struct tinst *ti, char *why, size_t whylen);
int tinst_read(struct tinst *ti, line_fn fn, void *arg);
void tinst_close(struct tinst *ti);
bool parse_event(const char *line, struct vio_event *e);

#endif /* DHO_TRACE_H */
