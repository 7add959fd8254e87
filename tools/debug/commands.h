/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma-heap-owner: the commands, each in a file of its own, and what
 * main() parses for them.
 */
#ifndef DHO_COMMANDS_H
#define DHO_COMMANDS_H

#include <stdbool.h>
#include <sys/types.h>

enum output_format {
	FMT_TEXT,
	FMT_JSON,
	FMT_KTAP,
};

/* What check was asked to do. */
struct check_opts {
	char **argv;			/* CMD and its arguments */
	enum output_format fmt;
	const char *name;		/* --name: a KTAP subtest, else NULL */
	int number;			/* --number: its test number */
};

enum buffers_format {
	OUT_TABLE,
	OUT_CSV,
	OUT_JSON,
};

/* What buffers was asked to do. */
struct buffers_opts {
	bool by_process;		/* --by-process: totals per process */
	pid_t pid;			/* -p: only this process's, or 0 */
	char comm[64];			/* -p: its comm, escaped */
	enum buffers_format fmt;	/* -o */
};

/* What reports was asked to do. */
struct reports_opts {
	bool json;
	const char *from;		/* --from FILE ("-": standard input), or NULL */
};

/* status.c */
int cmd_status(void);

/* buffers.c */
int buffers_pid(const char *arg, struct buffers_opts *o);
int cmd_buffers(const struct buffers_opts *o);

/* reports.c */
int cmd_reports(const struct reports_opts *o);

/* check.c */
int cmd_check(const struct check_opts *o);

/* watch.c */
int cmd_watch(void);

#endif /* DHO_COMMANDS_H */
