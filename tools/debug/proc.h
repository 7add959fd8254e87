/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma-heap-owner: who holds and maps each dma-buf, from /proc (proc.c).
 */
#ifndef DHO_PROC_H
#define DHO_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* A process's file descriptor to a dma-buf, or its mapping of one. */
struct holder {
	unsigned long ino;
	unsigned long long size;	/* the dma-buf's (stat, fdinfo), 0 if unknown */
	pid_t pid;
	int fd;				/* -1 for a mapping */
	unsigned long start, end, pgoff;
	char prot[5];
	char comm[64];			/* escaped */
	char exporter[32];		/* fdinfo's exp_name, "" for a mapping */
	char name[160];			/* fdinfo's name, escaped, "" if none */
};

struct holders {
	size_t n, size;
	struct holder *h;
};

void escape_into(char *dst, size_t len, const char *src, size_t n);
int scan_proc(struct holders *hs, pid_t only);

#endif /* DHO_PROC_H */
