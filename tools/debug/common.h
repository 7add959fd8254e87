/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma-heap-owner: what every command shares.  Errors and files
 * (common.c), the kernel's text scanned and written back out (text.c), and
 * the tracker's debugfs files (tracker.c).
 */
#ifndef DHO_COMMON_H
#define DHO_COMMON_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PROG			"dma-heap-owner"

/* Exit statuses: the contract documented in --help (EXIT STATUS). */
#define EXIT_CLEAN		0
#define EXIT_VIOLATIONS		1
#define EXIT_ENV		2	/* usage or environment error */
#define EXIT_CMD_FAILED		3
#define EXIT_SKIP		4	/* KSFT_SKIP: nothing to check */

/* the JSON outputs: bump when a field changes meaning or goes away */
#define JSON_SCHEMA_VERSION	3

#define MAX_CLASSES		32
#define CLASS_LEN		48
#define REPORT_RULE \
	"=================================================================="
#define REPORT_TITLE		"BUG: dma-heap-owner: "

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* common.c: errors, paths and files */

/*
 * The last error or reason to skip, for check to put in its output: a
 * short code ("no_debugfs", "no_tracker", "tracking_disabled",
 * "permission_denied", "error") and the message.  While @defer is set the
 * message is only recorded and check prints it.
 */
struct last_error {
	bool defer;
	const char *code;
	char msg[512];
};

extern struct last_error last_error;

int usage(void);
int usage_error(const char *fmt, ...);
int env_error(const char *fmt, ...);
int skip_error(const char *code, const char *fmt, ...);
int path_error(const char *what, const char *path, int err);
void mkpath(char *buf, size_t len, const char *fmt, ...);
void bufprintf(char *buf, size_t len, const char *fmt, ...);
int read_fd(int fd, char **out);
int read_file(const char *path, char **out);
int write_file(const char *path, const char *text);

/* text.c: the kernel's text, scanned, and written as JSON or one line */
void json_strn(FILE *f, const char *s, size_t n);
void json_string(FILE *f, const char *s);
void json_seconds(FILE *f, const char *p);
void json_num_or_null(FILE *f, long long v);
void json_span(FILE *f, const char *s, const char *end);
void json_hex(FILE *f, const char *s, const char *end);
void print_cmdline(FILE *f, char **argv);
void print_oneline(FILE *f, const char *s);
bool starts(const char *s, const char *prefix);
long long digits(const char *p, const char **end);
long long hexdigits(const char *p, const char **end);
const char *find_last(const char *s, const char *end, const char *needle);
const char *find_first(const char *s, const char *end, const char *needle);

/* tracker.c: the tracker's debugfs files */

/* Where the tracker lives; set up by tracker_open(). */
extern char dho_dir[PATH_MAX];

/* The per-class counters, in the kernel's order. */
struct counts {
	unsigned int n;
	char name[MAX_CLASSES][CLASS_LEN];
	long long val[MAX_CLASSES];
};

/* The reports in the "violations" ring, oldest first. */
struct reports {
	unsigned int n;
	char **text;
};

int tracker_open(bool need_enabled);
int dho_read(const char *name, char **out);
int read_counts(struct counts *c);
void reports_free(struct reports *r);
int split_reports(const char *text, struct reports *r);
int read_reports(struct reports *r);
bool reports_has(const struct reports *r, const char *text);
void report_class(const char *text, char *buf, size_t len);
unsigned long report_ino(const char *text);

#endif /* DHO_COMMON_H */
