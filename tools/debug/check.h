/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma-heap-owner check: running CMD (check.c), counting what its process
 * tree raised (check-tree.c) and printing the result (check-output.c).
 */
#ifndef DHO_CHECK_H
#define DHO_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "commands.h"
#include "common.h"
#include "trace.h"

/* A violation CMD's tree raised, to tell its reports from others'. */
struct tree_event {
	unsigned long ino;
	long long seq;			/* -1: the event carries no seq= */
	long long pid;			/* the thread */
	unsigned int cls;
};

struct tree_trace {
	struct tinst ti;
	bool on;			/* counting CMD's tree */
	char why[400];			/* why not, when !on */
	const struct counts *classes;	/* the class names, in the kernel's order */
	long long count[MAX_CLASSES];
	long long total;
	struct tree_event *ev;
	size_t nev, evsize;
};

struct check_result {
	const struct check_opts *o;
	int exit_status;		/* shell style: 128 + signal if killed */
	int signal;			/* 0 if it exited */
	int forwarded;			/* the first signal passed on to CMD, or 0 */
	bool tree;			/* the counts are CMD's tree's, not system-wide */
	char why[400];			/* if not, why not */
	long long lost;			/* trace events lost */
	long long total;		/* violations, counted as @tree says */
	long long delta[MAX_CLASSES];
	long long sys_total;		/* violations system-wide */
	long long sys_delta[MAX_CLASSES];
	bool reset;			/* the counters went down meanwhile */
	struct counts before, after;
	struct reports fresh;		/* new reports, of CMD's tree if @tree */
	unsigned int elsewhere;		/* new reports of other processes */
	int ret;			/* our exit status */
};

/* check-tree.c */
void tree_open(struct tree_trace *tt);
void tree_start(struct tree_trace *tt, pid_t pid);
void tree_read(struct tree_trace *tt);
bool tree_owns(const struct tree_trace *tt, const char *text);

/* check-output.c */
void check_print_text(const struct check_result *cr);
void check_print_json(const struct check_result *cr);
void check_print_ktap(const struct check_result *cr);
int check_print_error(const struct check_opts *o, int ret);

#endif /* DHO_CHECK_H */
