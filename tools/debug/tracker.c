// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner: the tracker's files in debugfs, /sys/kernel/debug/
 * dma_heap_owner/: finding them, the counters, and the reports in the ring.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "common.h"

#define DEBUGFS_DEFAULT		"/sys/kernel/debug"
#define DHO_DIR			"dma_heap_owner"
#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC		0x64626720
#endif

char dho_dir[PATH_MAX];

/* Read a file of the tracker.  On failure say why; return 0 or EXIT_ENV. */
int dho_read(const char *name, char **out)
{
	char path[PATH_MAX];
	int ret;

	mkpath(path, sizeof(path), "%s/%s", dho_dir, name);
	ret = read_file(path, out);
	if (ret)
		return path_error("cannot read", path, -ret);
	return 0;
}

/* Is directory @path empty?  Returns 1, 0 or -errno. */
static int dir_empty(const char *path)
{
	struct dirent *de;
	DIR *d;
	int ret = 1;

	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

/*
 * Find the tracker: debugfs mounted, the kernel built with the tracker, and
 * the directory readable.  If @need_enabled, tracking must be on.  Says
 * what is wrong; returns 0, EXIT_SKIP when there is nothing to look at (no
 * debugfs, no tracker, tracking off) or EXIT_ENV.
 */
int tracker_open(bool need_enabled)
{
	const char *root = getenv("DHO_DEBUGFS");
	bool overridden = root && *root;
	struct statfs sfs;
	struct stat st;
	char *disabled;
	int ret;

	if (!overridden)
		root = DEBUGFS_DEFAULT;
	if (strlen(root) > PATH_MAX - 64)
		return env_error("DHO_DEBUGFS is too long");
	if (stat(root, &st)) {
		if (errno == ENOENT)
			return skip_error("no_debugfs", "debugfs is not mounted: %s does not exist",
					  root);
		return path_error("cannot access", root, errno);
	}
	if (!overridden && (statfs(root, &sfs) || sfs.f_type != DEBUGFS_MAGIC))
		return skip_error("no_debugfs",
				  "debugfs is not mounted at %s (mount -t debugfs none %s)",
				  root, root);
	ret = dir_empty(root);
	if (ret < 0)
		return path_error("cannot read", root, -ret);
	if (ret)
		return skip_error("no_debugfs",
				  "debugfs is not mounted at %s (the directory is empty)", root);

	mkpath(dho_dir, sizeof(dho_dir), "%s/%s", root, DHO_DIR);
	if (stat(dho_dir, &st) && (errno == EACCES || errno == EPERM))
		return path_error("cannot access", dho_dir, errno);
	if (stat(dho_dir, &st) || !S_ISDIR(st.st_mode))
		return skip_error("no_tracker", "%s (CONFIG_DMABUF_HEAPS_OWNER_DEBUG): no %s",
				  "this kernel has no DMA-BUF heap ownership tracker", dho_dir);
	if (access(dho_dir, R_OK | X_OK))
		return path_error("cannot access", dho_dir, errno);

	ret = dho_read("disabled", &disabled);
	if (ret)
		return ret;
	ret = atoi(disabled);
	free(disabled);
	if (need_enabled && ret)
		return skip_error("tracking_disabled",
				  "tracking is disabled; enable it with: echo 0 > %s/disabled",
				  dho_dir);
	return 0;
}

int read_counts(struct counts *c)
{
	char *text, *line, *save = NULL;
	int ret;

	ret = dho_read("counts", &text);
	if (ret)
		return ret;
	c->n = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		long long val;

		if (c->n == MAX_CLASSES)
			break;
		/* 47: CLASS_LEN less the slot's NUL */
		if (sscanf(line, "%47s %lld", c->name[c->n], &val) != 2)
			continue;
		c->val[c->n++] = val;
	}
	free(text);
	if (!c->n)
		return env_error("%s/counts: no counters in it", dho_dir);
	return 0;
}

void reports_free(struct reports *r)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		free(r->text[i]);
	free(r->text);
	r->text = NULL;
	r->n = 0;
}

/* Where the next report starts in @s, or NULL. */
static const char *report_start(const char *s)
{
	static const char head[] = REPORT_RULE "\n" REPORT_TITLE;
	const char *p = s;

	while ((p = strstr(p, head))) {
		if (p == s || p[-1] == '\n')
			return p;
		p++;
	}
	return NULL;
}

/*
 * Split @text, the ring or a file holding reports, into reports.  Each
 * starts with the rule and the title; splitting on that, rather than
 * pairing rules, survives a report whose closing rule was truncated.
 * Anything before the first report is left out.
 */
int split_reports(const char *text, struct reports *r)
{
	const char *p, *next, *close;
	char **tmp;

	r->n = 0;
	r->text = NULL;
	for (p = report_start(text); p; p = next) {
		next = report_start(p + 1);
		/* up to its closing rule: a log goes on with other lines */
		close = strstr(p + strlen(REPORT_RULE), "\n" REPORT_RULE "\n");
		if (close)
			close += strlen(REPORT_RULE) + 2;
		if (!close || (next && close > next))
			close = next;
		tmp = realloc(r->text, (r->n + 1) * sizeof(*tmp));
		if (!tmp)
			goto nomem;
		r->text = tmp;
		r->text[r->n] = close ? strndup(p, close - p) : strdup(p);
		if (!r->text[r->n])
			goto nomem;
		r->n++;
	}
	return 0;
nomem:
	reports_free(r);
	return env_error("out of memory");
}

/* The reports in the tracker's ring. */
int read_reports(struct reports *r)
{
	char *text;
	int ret;

	r->n = 0;
	r->text = NULL;
	ret = dho_read("violations", &text);
	if (ret)
		return ret;
	ret = split_reports(text, r);
	free(text);
	return ret;
}

bool reports_has(const struct reports *r, const char *text)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (r->text[i] && !strcmp(r->text[i], text))
			return true;
	return false;
}

/* The class named in a report's title, into @buf. */
void report_class(const char *text, char *buf, size_t len)
{
	const char *p = strstr(text, REPORT_TITLE);
	size_t n;

	buf[0] = '\0';
	if (!p)
		return;
	p += strlen(REPORT_TITLE);
	n = strcspn(p, "\n ");
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* The buffer's inode number in a report, or 0. */
unsigned long report_ino(const char *text)
{
	const char *p = strstr(text, "\nbuffer: ino=");

	return p ? strtoul(p + strlen("\nbuffer: ino="), NULL, 10) : 0;
}
