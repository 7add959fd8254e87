// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner: the userspace side of the DMA-BUF heap ownership tracker.
 *
 * Reads /sys/kernel/debug/dma_heap_owner/ (counters, the report ring and
 * the tracked buffers), joins the buffers with /proc, runs a command and
 * says which violations it raised (text, JSON or KTAP, for CI), and follows
 * the violation tracepoint live.  Run "dma-heap-owner --help" for the
 * manual.
 *
 * Build: gcc -O2 -Wall -Wextra -o dma-heap-owner dma-heap-owner.c
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/wait.h>

#define PROG			"dma-heap-owner"
#define DEBUGFS_DEFAULT		"/sys/kernel/debug"
#define TRACEFS_DEFAULT		"/sys/kernel/tracing"
#define TRACEFS_LEGACY		"/sys/kernel/debug/tracing"
#define DHO_DIR			"dma_heap_owner"
#define DHO_EVENT		"events/dma_heap_owner/violation"
#ifndef DEBUGFS_MAGIC
#define DEBUGFS_MAGIC		0x64626720
#endif

/* Exit statuses: the contract documented in --help (EXIT STATUS). */
#define EXIT_CLEAN		0
#define EXIT_VIOLATIONS		1
#define EXIT_ENV		2
#define EXIT_CMD_FAILED		3

#define MAX_CLASSES		32
#define CLASS_LEN		48
#define REPORT_RULE \
	"=================================================================="
#define REPORT_TITLE		"BUG: dma-heap-owner: "

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

enum output_format {
	FMT_TEXT,
	FMT_JSON,
	FMT_KTAP,
};

/* Where the tracker lives; set up by tracker_open(). */
static char dho_dir[PATH_MAX];

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

static const char usage_text[] =
	"usage: " PROG " [--help] COMMAND [ARGS]\n"
	"       " PROG " status\n"
	"       " PROG " buffers\n"
	"       " PROG " check [--json|--ktap] [--] CMD [ARGS...]\n"
	"       " PROG " watch\n";

static const char help_text[] =
	"NAME\n"
	"       " PROG " - inspect the DMA-BUF heap ownership tracker\n"
	"\n"
	"SYNOPSIS\n"
	"       " PROG " status\n"
	"       " PROG " buffers\n"
	"       " PROG " check [--json | --ktap] [--] CMD [ARGS...]\n"
	"       " PROG " watch\n"
	"       " PROG " --help\n"
	"\n"
	"DESCRIPTION\n"
	"       The DMA-BUF heap ownership tracker (CONFIG_DMABUF_HEAPS_OWNER_DEBUG)\n"
	"       gives every heap buffer one owner at a time (none, the CPU or a\n"
	"       device) and reports accesses that break the ownership rules, in\n"
	"       seven classes: cpu_access_unowned, device_access_vmapped,\n"
	"       vmap_flush_missing, device_access_cpu_owned, cpu_write_in_read_window,\n"
	"       cpu_access_unbalanced and release_while_mapped.  It counts them in\n"
	"       debugfs, keeps the last reports in a ring and traces them.\n"
	"\n"
	"       " PROG " reads those files for people and for CI.  It needs root,\n"
	"       as debugfs does.  The counters are system-wide: a violation raised\n"
	"       by any process while check runs is counted against CMD.\n"
	"\n"
	"COMMANDS\n"
	"       status Print whether tracking is on, the total error count, the\n"
	"              count of each class, the number of tracked buffers and\n"
	"              reports kept, and the reporting settings.  Exits 0 even if\n"
	"              tracking is disabled (it says so).\n"
	"\n"
	"       buffers\n"
	"              Print one line per tracked buffer, as the kernel gives it\n"
	"              (ino= heap= size= owner= ...), followed by the processes\n"
	"              that hold a file descriptor to it (\"fd pid= comm= fd=\") and\n"
	"              those that map it (\"map pid= comm= addr= prot= pgoff=\"),\n"
	"              found by matching the buffer's inode number with the ino:\n"
	"              of /proc/PID/fdinfo/FD and the inode of /proc/PID/maps.\n"
	"\n"
	"       check [--json | --ktap] [--] CMD [ARGS...]\n"
	"              Snapshot the counters and the report ring, run CMD (searched\n"
	"              in PATH) and wait for it, then print CMD's exit status, every\n"
	"              class whose count rose with its increase, and the reports\n"
	"              that appeared in the ring meanwhile.  Only the first\n"
	"              violation of a class on a buffer gets a report unless\n"
	"              all_errors is 1, and the ring keeps 16, so there may be\n"
	"              fewer reports than violations.  While CMD runs, " PROG "\n"
	"              ignores SIGINT and SIGQUIT (CMD gets them).  In text mode\n"
	"              CMD's output is left alone and the result follows it\n"
	"              on standard output, ending with a PASS or FAIL line.  With\n"
	"              --json or --ktap CMD's standard output is redirected to\n"
	"              standard error so that standard output holds only the\n"
	"              result.\n"
	"\n"
	"       watch  Enable the dma_heap_owner:violation tracepoint, read\n"
	"              trace_pipe and print each violation event as it happens,\n"
	"              followed by its report from the ring when one was written.\n"
	"              Runs until SIGINT, SIGTERM or SIGHUP, then puts the event's\n"
	"              enable file back as it found it.  trace_pipe is a consuming\n"
	"              reader: other readers of it see fewer events meanwhile.\n"
	"\n"
	"OPTIONS\n"
	"       -j, --json\n"
	"              check: print one JSON object: {\"command\": [CMD, ARGS...],\n"
	"              \"exit_status\": N, \"signal\": SIG or null, \"result\":\n"
	"              \"clean\" | \"violations\" | \"command_failed\", \"violations\":\n"
	"              TOTAL, \"classes\": {CLASS: DELTA, ...} (every class),\n"
	"              \"reports\": [TEXT, ...], \"counters_reset\": BOOL}.\n"
	"              exit_status is CMD's, or 128+SIG if a signal killed it.\n"
	"\n"
	"       -k, --ktap\n"
	"              check: print KTAP version 1, one test per class (\"not ok\"\n"
	"              if its count rose, with the reports as diagnostics) and a\n"
	"              last test, \"command\", that fails if CMD did.\n"
	"\n"
	"       -h, --help\n"
	"              Print this manual and exit 0.\n"
	"\n"
	"EXIT STATUS\n"
	"       0      Success.  For check: CMD exited 0 and raised no violation.\n"
	"       1      check: at least one violation was raised while CMD ran,\n"
	"              whatever CMD's own exit status.\n"
	"       2      Usage or environment error: unknown command or option, no\n"
	"              CMD, CMD could not be executed, debugfs not mounted, no\n"
	"              tracker in this kernel, permission denied (not root),\n"
	"              tracking disabled (check and watch), tracefs or the\n"
	"              tracepoint missing (watch), or an I/O error.\n"
	"       3      check: CMD failed (non-zero exit status or killed by a\n"
	"              signal) without raising any violation.  Its status is in\n"
	"              the output.\n"
	"\n"
	"       watch exits 0 when stopped by SIGINT, SIGTERM or SIGHUP.\n"
	"\n"
	"ENVIRONMENT\n"
	"       DHO_DEBUGFS\n"
	"              Where debugfs is mounted (default " DEBUGFS_DEFAULT ").\n"
	"              The tracker is looked for in $DHO_DEBUGFS/" DHO_DIR "/.\n"
	"              When set, the file system type is not checked, so tests\n"
	"              can point it at a fake directory.\n"
	"\n"
	"       DHO_TRACEFS\n"
	"              Where tracefs is mounted (default " TRACEFS_DEFAULT ", then\n"
	"              " TRACEFS_LEGACY ").\n"
	"\n"
	"FILES\n"
	"       " DEBUGFS_DEFAULT "/" DHO_DIR "/\n"
	"              error_count, counts, violations, buffers, disabled,\n"
	"              all_errors, strict, num_errors, filter, reset: see\n"
	"              Documentation/dma-buf-heaps/owner-debug.rst.\n"
	"       " TRACEFS_DEFAULT "/" DHO_EVENT "/enable\n"
	"       " TRACEFS_DEFAULT "/trace_pipe\n"
	"       /proc/PID/fd/, /proc/PID/fdinfo/, /proc/PID/maps\n"
	"\n"
	"EXAMPLES\n"
	"       Show the counters:\n"
	"              " PROG " status\n"
	"\n"
	"       Fail a CI step if a test raises a violation:\n"
	"              " PROG " check -- ./camera-test --frames 100\n"
	"\n"
	"       The same, for a KTAP-reading harness, or as JSON:\n"
	"              " PROG " check --ktap -- ./camera-test > result.ktap\n"
	"              " PROG " check --json -- ./camera-test | python3 -m json.tool\n"
	"\n"
	"       Who holds and maps each buffer:\n"
	"              " PROG " buffers\n"
	"\n"
	"       Follow violations live for a minute:\n"
	"              timeout -s INT 60 " PROG " watch\n";

/* After getopt_long() said what was wrong, or after usage_error(). */
static int usage(void)
{
	fputs(usage_text, stderr);
	fputs("Try '" PROG " --help' for more information.\n", stderr);
	return EXIT_ENV;
}

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return usage();
}

static int env_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ENV;
}

/* The message for failing to reach @path with errno @err. */
static int path_error(const char *what, const char *path, int err)
{
	if (err == EACCES || err == EPERM)
		return env_error("%s %s: %s (debugfs and tracefs need root)", what, path,
				 strerror(err));
	return env_error("%s %s: %s", what, path, strerror(err));
}

/*
 * snprintf() for paths.  The roots are checked to leave room for what is
 * appended, so this cannot truncate; if it did, the path would not exist.
 */
static void mkpath(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		buf[0] = '\0';
}

/*
 * Read a whole file.  debugfs and procfs files report size 0, so read to
 * the end.  Returns 0 and a NUL-terminated buffer the caller frees, or
 * -errno.
 */
static int read_file(const char *path, char **out)
{
	size_t len = 0, size = 4096;
	char *buf, *tmp;
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(size);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (size - len < 2) {
			size *= 2;
			tmp = realloc(buf, size);
			if (!tmp) {
				err = -ENOMEM;
				goto fail;
			}
			buf = tmp;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto fail;
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return 0;
fail:
	close(fd);
	free(buf);
	return err;
}

static int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, text, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}

/* Read a file of the tracker.  On failure print why; return 0 or EXIT_ENV. */
static int dho_read(const char *name, char **out)
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
 * the directory readable.  If @need_enabled, tracking must be on.  Prints
 * what is wrong; returns 0 or EXIT_ENV.
 */
static int tracker_open(bool need_enabled)
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
			return env_error("debugfs is not mounted: %s does not exist", root);
		return path_error("cannot access", root, errno);
	}
	if (!overridden && (statfs(root, &sfs) || sfs.f_type != DEBUGFS_MAGIC))
		return env_error("debugfs is not mounted at %s (mount -t debugfs none %s)",
				 root, root);
	ret = dir_empty(root);
	if (ret < 0)
		return path_error("cannot read", root, -ret);
	if (ret)
		return env_error("debugfs is not mounted at %s (the directory is empty)", root);

	mkpath(dho_dir, sizeof(dho_dir), "%s/%s", root, DHO_DIR);
	if (stat(dho_dir, &st) && (errno == EACCES || errno == EPERM))
		return path_error("cannot access", dho_dir, errno);
	if (stat(dho_dir, &st) || !S_ISDIR(st.st_mode))
		return env_error("%s (CONFIG_DMABUF_HEAPS_OWNER_DEBUG): no %s",
				 "this kernel has no DMA-BUF heap ownership tracker", dho_dir);
	if (access(dho_dir, R_OK | X_OK))
		return path_error("cannot access", dho_dir, errno);

	ret = dho_read("disabled", &disabled);
	if (ret)
		return ret;
	ret = atoi(disabled);
	free(disabled);
	if (need_enabled && ret)
		return env_error("tracking is disabled; enable it with: echo 0 > %s/disabled",
				 dho_dir);
	return 0;
}

static int read_counts(struct counts *c)
{
	char *text, *line, *save = NULL;
	int ret;

	ret = dho_read("counts", &text);
	if (ret)
		return ret;
	c->n = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[CLASS_LEN];
		long long val;

		if (c->n == MAX_CLASSES)
			break;
		if (sscanf(line, "%47s %lld", name, &val) != 2)
			continue;
		strcpy(c->name[c->n], name);
		c->val[c->n++] = val;
	}
	free(text);
	if (!c->n)
		return env_error("%s/counts: no counters in it", dho_dir);
	return 0;
}

static void reports_free(struct reports *r)
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
 * Split the ring into reports.  Each starts with the rule and the title;
 * splitting on that, rather than pairing rules, survives a report whose
 * closing rule was truncated.
 */
static int read_reports(struct reports *r)
{
	const char *p, *next;
	char *text, **tmp;
	int ret;

	r->n = 0;
	r->text = NULL;
	ret = dho_read("violations", &text);
	if (ret)
		return ret;
	for (p = report_start(text); p; p = next) {
		next = report_start(p + 1);
		tmp = realloc(r->text, (r->n + 1) * sizeof(*tmp));
		if (!tmp)
			goto nomem;
		r->text = tmp;
		r->text[r->n] = next ? strndup(p, next - p) : strdup(p);
		if (!r->text[r->n])
			goto nomem;
		r->n++;
	}
	free(text);
	return 0;
nomem:
	free(text);
	reports_free(r);
	return env_error("out of memory");
}

static bool reports_has(const struct reports *r, const char *text)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		if (r->text[i] && !strcmp(r->text[i], text))
			return true;
	return false;
}

/* The class named in a report's title, into @buf. */
static void report_class(const char *text, char *buf, size_t len)
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
static unsigned long report_ino(const char *text)
{
	const char *p = strstr(text, "\nbuffer: ino=");

	return p ? strtoul(p + strlen("\nbuffer: ino="), NULL, 10) : 0;
}

/* --- status --- */

static int cmd_status(void)
{
	char *text, *p;
	unsigned int i, nbuf = 0;
	struct reports r;
	struct counts c;
	int ret, off;
	long long total = 0;
	static const char *const knobs[] = {
		"all_errors", "strict", "num_errors", "filter",
	};

	ret = tracker_open(false);
	if (ret)
		return ret;

	ret = dho_read("disabled", &text);
	if (ret)
		return ret;
	off = atoi(text);
	free(text);
	printf("tracking:        %s\n", off ? "off (disabled)" : "on");

	ret = dho_read("error_count", &text);
	if (ret)
		return ret;
	total = atoll(text);
	free(text);
	printf("error_count:     %lld\n", total);

	ret = read_counts(&c);
	if (ret)
		return ret;
	printf("counts:\n");
	for (i = 0; i < c.n; i++)
		printf("  %-28s %lld\n", c.name[i], c.val[i]);

	ret = dho_read("buffers", &text);
	if (ret)
		return ret;
	for (p = text; *p; p++)
		nbuf += *p == '\n';
	free(text);
	printf("buffers tracked: %u\n", nbuf);

	ret = read_reports(&r);
	if (ret)
		return ret;
	printf("reports kept:    %u\n", r.n);
	reports_free(&r);

	printf("settings:       ");
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		if (dho_read(knobs[i], &text))
			return EXIT_ENV;
		text[strcspn(text, "\n")] = '\0';
		printf(" %s=%s", knobs[i], *text ? text : "-");
		free(text);
	}
	printf("\n");
	return EXIT_CLEAN;
}

/* --- buffers --- */

struct holder {
	unsigned long ino;
	pid_t pid;
	int fd;				/* -1 for a mapping */
	unsigned long start, end, pgoff;
	char prot[5];
	char comm[32];
};

struct holders {
	size_t n, size;
	struct holder *h;
};

static int holders_add(struct holders *hs, const struct holder *h)
{
	struct holder *tmp;

	if (hs->n == hs->size) {
		hs->size = hs->size ? 2 * hs->size : 64;
		tmp = realloc(hs->h, hs->size * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		hs->h = tmp;
	}
	hs->h[hs->n++] = *h;
	return 0;
}

static bool is_dmabuf_path(const char *path)
{
	return !strncmp(path, "/dmabuf:", 8) || !strncmp(path, "anon_inode:dmabuf", 17) ||
	       !strncmp(path, "dmabuf:", 7);
}

/* The ino: of /proc/PID/fdinfo/FD, or 0. */
static unsigned long fdinfo_ino(pid_t pid, const char *fd)
{
	char path[PATH_MAX], *text, *p;
	unsigned long ino = 0;

	mkpath(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fd);
	if (read_file(path, &text))
		return 0;
	for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
		if (!strncmp(p, "ino:", 4)) {
			ino = strtoul(p + 4, NULL, 10);
			break;
		}
	}
	free(text);
	return ino;
}

static int scan_fds(struct holders *hs, pid_t pid, const char *comm)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct holder h = { .pid = pid };
	struct dirent *de;
	struct stat st;
	ssize_t n;
	DIR *d;
	int ret = 0;

	snprintf(h.comm, sizeof(h.comm), "%s", comm);
	mkpath(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return 0;		/* gone, or not ours to see */
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		mkpath(path, sizeof(path), "/proc/%d/fd/%s", pid, de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (!is_dmabuf_path(target))
			continue;
		h.fd = atoi(de->d_name);
		h.ino = fdinfo_ino(pid, de->d_name);
		if (!h.ino && !stat(path, &st))
			h.ino = st.st_ino;
		if (h.ino && holders_add(hs, &h)) {
			ret = -ENOMEM;
			break;
		}
	}
	closedir(d);
	return ret;
}

static int scan_maps(struct holders *hs, pid_t pid, const char *comm)
{
	struct holder h = { .pid = pid, .fd = -1 };
	char path[64], *text, *line, *save = NULL;
	int ret = 0;

	snprintf(h.comm, sizeof(h.comm), "%s", comm);
	mkpath(path, sizeof(path), "/proc/%d/maps", pid);
	if (read_file(path, &text))
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned int major, minor;
		int pos = 0;

		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &h.start, &h.end, h.prot,
			   &h.pgoff, &major, &minor, &h.ino, &pos) < 7 || !pos)
			continue;
		if (!is_dmabuf_path(line + pos))
			continue;
		h.pgoff /= (unsigned long)sysconf(_SC_PAGESIZE);
		if (holders_add(hs, &h)) {
			ret = -ENOMEM;
			break;
		}
	}
	free(text);
	return ret;
}

static int scan_proc(struct holders *hs)
{
	char path[64], *comm;
	struct dirent *de;
	DIR *d;
	pid_t pid;
	int ret = 0;

	d = opendir("/proc");
	if (!d)
		return path_error("cannot read", "/proc", errno);
	while (!ret && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		mkpath(path, sizeof(path), "/proc/%d/comm", pid);
		if (read_file(path, &comm))
			continue;
		comm[strcspn(comm, "\n")] = '\0';
		ret = scan_fds(hs, pid, comm) ?: scan_maps(hs, pid, comm);
		free(comm);
	}
	closedir(d);
	return ret ? env_error("out of memory") : 0;
}

static int cmd_buffers(void)
{
	struct holders hs = { 0 };
	char *text, *line, *save = NULL;
	unsigned int nbuf = 0;
	size_t i;
	int ret;

	ret = tracker_open(false);
	if (ret)
		return ret;
	ret = dho_read("buffers", &text);
	if (ret)
		return ret;
	ret = scan_proc(&hs);
	if (ret)
		goto out;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long ino;
		bool any = false;

		if (sscanf(line, "ino=%lu", &ino) != 1)
			continue;
		nbuf++;
		printf("%s\n", line);
		for (i = 0; i < hs.n; i++) {
			const struct holder *h = &hs.h[i];

			if (h->ino != ino)
				continue;
			any = true;
			if (h->fd >= 0)
				printf("  fd  pid=%d comm=%s fd=%d\n", h->pid, h->comm, h->fd);
			else
				printf("  map pid=%d comm=%s addr=%lx-%lx prot=%s pgoff=%lu\n",
				       h->pid, h->comm, h->start, h->end, h->prot, h->pgoff);
		}
		if (!any)
			printf("  (no process holds or maps it: a driver or the kernel does)\n");
	}
	if (!nbuf)
		printf("no tracked buffers\n");
out:
	free(text);
	free(hs.h);
	return ret;
}

/* --- check --- */

/* JSON string: escape quotes, backslashes and controls; keep UTF-8 valid. */
static void json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		unsigned int need = 0, i;

		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
			continue;
		}
		if (*p == '\n' || *p == '\t') {
			fputs(*p == '\n' ? "\\n" : "\\t", f);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
			continue;
		}
		if (*p < 0x80) {
			fputc(*p++, f);
			continue;
		}
		/* a valid UTF-8 sequence is copied, anything else is U+FFFD */
		if (*p >= 0xc2 && *p <= 0xdf)
			need = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			need = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			need = 3;
		for (i = 1; need && i <= need; i++)
			if ((p[i] & 0xc0) != 0x80)
				need = 0;
		if (need == 2 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f)))
			need = 0;
		if (need == 3 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f)))
			need = 0;
		if (!need) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		fwrite(p, 1, need + 1, f);
		p += need + 1;
	}
	fputc('"', f);
}

/* The command line on one line: words joined by spaces, controls as '?'. */
static void print_cmdline(FILE *f, char **argv)
{
	const char *p;

	for (; *argv; argv++) {
		for (p = *argv; *p; p++)
			fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, f);
		if (argv[1])
			fputc(' ', f);
	}
}

struct check_result {
	char **argv;
	int exit_status;		/* shell style: 128 + signal if killed */
	int signal;			/* 0 if it exited */
	long long total;
	bool reset;			/* the counters went down meanwhile */
	struct counts before, after;
	long long delta[MAX_CLASSES];
	struct reports fresh;		/* reports that were not there before */
	int ret;			/* our exit status */
};

static const char *check_verdict(const struct check_result *cr)
{
	if (cr->ret == EXIT_VIOLATIONS)
		return "violations";
	if (cr->ret == EXIT_CMD_FAILED)
		return "command_failed";
	return "clean";
}

static void check_print_text(const struct check_result *cr)
{
	unsigned int i;

	printf("\n" PROG " check: ");
	print_cmdline(stdout, cr->argv);
	printf("\n");
	if (cr->signal)
		printf("command: killed by signal %d (%s)\n", cr->signal, strsignal(cr->signal));
	else
		printf("command: exited with status %d\n", cr->exit_status);
	if (cr->reset)
		printf("warning: the counters were reset while the command ran\n");
	printf("violations: %lld\n", cr->total);
	for (i = 0; i < cr->after.n; i++)
		if (cr->delta[i])
			printf("  %-28s +%lld\n", cr->after.name[i], cr->delta[i]);
	if (cr->fresh.n) {
		printf("new reports: %u\n", cr->fresh.n);
		for (i = 0; i < cr->fresh.n; i++)
			fputs(cr->fresh.text[i], stdout);
	} else if (cr->total) {
		printf("new reports: none (the filter, or all_errors=0 and already reported)\n");
	}

	if (cr->ret == EXIT_VIOLATIONS) {
		const char *sep = "";

		printf(PROG ": FAIL: %lld violation%s (", cr->total, cr->total == 1 ? "" : "s");
		for (i = 0; i < cr->after.n; i++) {
			if (!cr->delta[i])
				continue;
			printf("%s%s +%lld", sep, cr->after.name[i], cr->delta[i]);
			sep = ", ";
		}
		printf(")\n");
	} else if (cr->ret == EXIT_CMD_FAILED) {
		printf(PROG ": FAIL: command failed (status %d), no violations\n",
		       cr->exit_status);
	} else {
		printf(PROG ": PASS: no violations\n");
	}
}

static void check_print_json(const struct check_result *cr)
{
	unsigned int i;
	char **a;

	printf("{\n  \"command\": [");
	for (a = cr->argv; *a; a++) {
		json_string(stdout, *a);
		if (a[1])
			printf(", ");
	}
	printf("],\n  \"exit_status\": %d,\n", cr->exit_status);
	if (cr->signal)
		printf("  \"signal\": %d,\n", cr->signal);
	else
		printf("  \"signal\": null,\n");
	printf("  \"result\": \"%s\",\n", check_verdict(cr));
	printf("  \"violations\": %lld,\n", cr->total);
	printf("  \"classes\": {");
	for (i = 0; i < cr->after.n; i++) {
		printf("%s\n    ", i ? "," : "");
		json_string(stdout, cr->after.name[i]);
		printf(": %lld", cr->delta[i]);
	}
	printf("\n  },\n  \"reports\": [");
	for (i = 0; i < cr->fresh.n; i++) {
		printf("%s\n    ", i ? "," : "");
		json_string(stdout, cr->fresh.text[i]);
	}
	printf("%s],\n", cr->fresh.n ? "\n  " : "");
	printf("  \"counters_reset\": %s\n}\n", cr->reset ? "true" : "false");
}

/* Print @text as KTAP diagnostic lines. */
static void ktap_diag(const char *text)
{
	const char *nl;

	while (*text) {
		nl = strchrnul(text, '\n');
		printf("# %.*s\n", (int)(nl - text), text);
		text = *nl ? nl + 1 : nl;
	}
}

static void check_print_ktap(const struct check_result *cr)
{
	unsigned int i, j, fail = 0;
	char cls[CLASS_LEN];

	printf("KTAP version 1\n1..%u\n# " PROG " check: ", cr->after.n + 1);
	print_cmdline(stdout, cr->argv);
	printf("\n");
	if (cr->reset)
		printf("# warning: the counters were reset while the command ran\n");
	for (i = 0; i < cr->after.n; i++) {
		if (!cr->delta[i]) {
			printf("ok %u %s\n", i + 1, cr->after.name[i]);
			continue;
		}
		fail++;
		printf("# %s: +%lld\n", cr->after.name[i], cr->delta[i]);
		for (j = 0; j < cr->fresh.n; j++) {
			report_class(cr->fresh.text[j], cls, sizeof(cls));
			if (!strcmp(cls, cr->after.name[i]))
				ktap_diag(cr->fresh.text[j]);
		}
		printf("not ok %u %s\n", i + 1, cr->after.name[i]);
	}
	if (cr->signal) {
		printf("# command killed by signal %d\n", cr->signal);
		fail++;
	} else if (cr->exit_status) {
		printf("# command exited with status %d\n", cr->exit_status);
		fail++;
	}
	printf("%s %u command\n", cr->exit_status ? "not ok" : "ok", cr->after.n + 1);
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       cr->after.n + 1 - fail, fail);
}

static int cmd_check(char **argv, enum output_format fmt)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	struct check_result cr = { .argv = argv };
	struct reports old, now;
	int pfd[2], status, err = 0;
	unsigned int i;
	ssize_t n;
	pid_t pid;
	int ret;

	ret = tracker_open(true);
	if (ret)
		return ret;
	ret = read_counts(&cr.before);
	if (ret)
		return ret;
	ret = read_reports(&old);
	if (ret)
		return ret;

	if (pipe2(pfd, O_CLOEXEC)) {
		reports_free(&old);
		return env_error("pipe: %s", strerror(errno));
	}
	fflush(stdout);
	fflush(stderr);
	/* as system() does: the child gets the terminal's signals, we wait */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid = fork();
	if (pid < 0) {
		err = errno;
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		reports_free(&old);
		return env_error("fork: %s", strerror(err));
	}
	if (!pid) {
		close(pfd[0]);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		if (fmt == FMT_TEXT || dup2(STDERR_FILENO, STDOUT_FILENO) >= 0)
			execvp(argv[0], argv);
		err = errno;
		n = write(pfd[1], &err, sizeof(err));
		_exit(127);
	}
	close(pfd[1]);
	do {
		n = read(pfd[0], &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			err = errno;
			sigaction(SIGINT, &old_int, NULL);
			sigaction(SIGQUIT, &old_quit, NULL);
			reports_free(&old);
			return env_error("waitpid: %s", strerror(err));
		}
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (n == sizeof(err)) {
		reports_free(&old);
		return env_error("cannot run '%s': %s", argv[0], strerror(err));
	}

	if (WIFSIGNALED(status)) {
		cr.signal = WTERMSIG(status);
		cr.exit_status = 128 + cr.signal;
	} else {
		cr.exit_status = WEXITSTATUS(status);
	}

	ret = read_counts(&cr.after);
	if (!ret)
		ret = read_reports(&now);
	if (ret) {
		reports_free(&old);
		return ret;
	}

	for (i = 0; i < cr.after.n; i++) {
		long long before = 0;
		unsigned int j;

		for (j = 0; j < cr.before.n; j++)
			if (!strcmp(cr.before.name[j], cr.after.name[i]))
				before = cr.before.val[j];
		if (cr.after.val[i] < before) {
			cr.reset = true;
			before = 0;
		}
		cr.delta[i] = cr.after.val[i] - before;
		cr.total += cr.delta[i];
	}

	/* new reports: compare by content (each carries a timestamp) */
	cr.fresh.text = calloc(now.n ?: 1, sizeof(char *));
	if (!cr.fresh.text) {
		reports_free(&old);
		reports_free(&now);
		return env_error("out of memory");
	}
	for (i = 0; i < now.n; i++) {
		if (reports_has(&old, now.text[i]))
			continue;
		cr.fresh.text[cr.fresh.n++] = now.text[i];
		now.text[i] = NULL;
	}

	if (cr.total)
		cr.ret = EXIT_VIOLATIONS;
	else if (cr.exit_status)
		cr.ret = EXIT_CMD_FAILED;
	else
		cr.ret = EXIT_CLEAN;

	switch (fmt) {
	case FMT_JSON:
		check_print_json(&cr);
		break;
	case FMT_KTAP:
		check_print_ktap(&cr);
		break;
	default:
		check_print_text(&cr);
		break;
	}
	fflush(stdout);

	reports_free(&old);
	reports_free(&now);
	reports_free(&cr.fresh);
	return cr.ret;
}

/* --- watch --- */

/* the signal that stops watch, set by the handler with a lock-free atomic */
static int watch_stop;

static bool watch_stopped(void)
{
	return __atomic_load_n(&watch_stop, __ATOMIC_SEQ_CST);
}

static void watch_signal(int sig)
{
	__atomic_store_n(&watch_stop, sig, __ATOMIC_SEQ_CST);
}

static int tracefs_find(char *root, size_t len)
{
	const char *env = getenv("DHO_TRACEFS");
	char path[PATH_MAX];
	struct stat st;

	if (env && *env) {
		if (strlen(env) > PATH_MAX - 64)
			return env_error("DHO_TRACEFS is too long");
		mkpath(root, len, "%s", env);
	} else {
		mkpath(root, len, "%s", TRACEFS_DEFAULT);
		mkpath(path, sizeof(path), "%s/events", root);
		if (stat(path, &st)) {
			mkpath(path, sizeof(path), "%s/events", TRACEFS_LEGACY);
			if (!stat(path, &st))
				mkpath(root, len, "%s", TRACEFS_LEGACY);
		}
	}
	mkpath(path, sizeof(path), "%s/events", root);
	if (stat(path, &st)) {
		if (errno == EACCES || errno == EPERM)
			return path_error("cannot access", path, errno);
		return env_error("tracefs is not mounted at %s (mount -t tracefs none %s)",
				 root, root);
	}
	mkpath(path, sizeof(path), "%s/%s/enable", root, DHO_EVENT);
	if (stat(path, &st)) {
		if (errno == EACCES || errno == EPERM)
			return path_error("cannot access", path, errno);
		return env_error("no dma_heap_owner:violation tracepoint: %s is missing", path);
	}
	return 0;
}

/* What watch remembers between events. */
struct watch_state {
	struct reports seen;		/* reports printed or there at start */
	struct {
		unsigned long ino;
		char cls[CLASS_LEN];
	} pairs[256];			/* (buffer, class) events seen, a ring */
	unsigned int npairs, next;
};

/*
 * Has @cls on buffer @ino been seen before?  Remember it.  The kernel
 * reports only the first violation of a class on a buffer unless
 * all_errors is set.
 */
static bool watch_repeat(struct watch_state *ws, const char *cls, unsigned long ino)
{
	unsigned int i;

	for (i = 0; i < ws->npairs; i++)
		if (ws->pairs[i].ino == ino && !strcmp(ws->pairs[i].cls, cls))
			return true;
	ws->pairs[ws->next].ino = ino;
	strcpy(ws->pairs[ws->next].cls, cls);
	ws->next = (ws->next + 1) % ARRAY_SIZE(ws->pairs);
	if (ws->npairs < ARRAY_SIZE(ws->pairs))
		ws->npairs++;
	return false;
}

static bool all_errors_on(void)
{
	char path[PATH_MAX], *text;
	bool on;

	mkpath(path, sizeof(path), "%s/all_errors", dho_dir);
	if (read_file(path, &text))
		return false;
	on = atoi(text);
	free(text);
	return on;
}

/*
 * Print the first report in the ring that is not in @ws->seen and is about
 * @cls on buffer @ino, then remember the ring, less the reports not printed
 * yet.  A report is written just after its event is traced: if one is
 * expected, wait a little for it.
 */
static void watch_report(struct watch_state *ws, const char *cls, unsigned long ino)
{
	bool expected = !watch_repeat(ws, cls, ino) || all_errors_on();
	unsigned int i, j, k, try;
	char rcls[CLASS_LEN];
	struct reports now;

	for (try = 0; try < (expected ? 25 : 1) && !watch_stopped(); try++) {
		if (try) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			nanosleep(&ts, NULL);
		}
		if (read_reports(&now))
			return;
		for (i = 0; i < now.n; i++) {
			if (reports_has(&ws->seen, now.text[i]))
				continue;
			report_class(now.text[i], rcls, sizeof(rcls));
			if (!strcmp(rcls, cls) && report_ino(now.text[i]) == ino)
				break;
		}
		if (i == now.n) {
			reports_free(&now);
			continue;
		}
		fputs(now.text[i], stdout);
		for (j = k = 0; j < now.n; j++) {
			if (j != i && !reports_has(&ws->seen, now.text[j]))
				free(now.text[j]);
			else
				now.text[k++] = now.text[j];
		}
		now.n = k;
		reports_free(&ws->seen);
		ws->seen = now;
		return;
	}
	if (expected)
		printf("  (no report for this event in the ring: see the filter)\n");
	else
		printf("  (reported before for this buffer and class: see all_errors)\n");
}

static void watch_line(char *line, struct watch_state *ws)
{
	char cls[CLASS_LEN] = "";
	unsigned long ino = 0;
	const char *ev, *p;

	if (strstr(line, "LOST") && strstr(line, "EVENTS")) {
		printf("%s\n", line);
		return;
	}
	ev = strstr(line, " violation: ");
	if (!ev)
		return;			/* another event someone else enabled */
	printf("%s\n", line);
	p = strstr(ev, " ino=");
	if (p)
		ino = strtoul(p + 5, NULL, 10);
	p = strstr(ev, " class=");
	if (p) {
		size_t n = strcspn(p + 7, " ");

		if (n >= sizeof(cls))
			n = sizeof(cls) - 1;
		memcpy(cls, p + 7, n);
		cls[n] = '\0';
	}
	watch_report(ws, cls, ino);
	fflush(stdout);
}

static int cmd_watch(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction sa = { .sa_handler = watch_signal };
	char root[PATH_MAX], enable[PATH_MAX], pipe_path[PATH_MAX];
	char buf[8192], *prev, *nl;
	struct watch_state *ws;
	bool changed = false;
	size_t len = 0;
	unsigned int i;
	int ret, fd;

	ret = tracker_open(true);
	if (ret)
		return ret;
	ret = tracefs_find(root, sizeof(root));
	if (ret)
		return ret;
	mkpath(enable, sizeof(enable), "%s/%s/enable", root, DHO_EVENT);
	mkpath(pipe_path, sizeof(pipe_path), "%s/trace_pipe", root);

	ret = read_file(enable, &prev);
	if (ret)
		return path_error("cannot read", enable, -ret);
	prev[strcspn(prev, "\n")] = '\0';

	fd = open(pipe_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		ret = path_error("cannot open", pipe_path, errno);
		free(prev);
		return ret;
	}
	ws = calloc(1, sizeof(*ws));
	if (!ws) {
		ret = env_error("out of memory");
		goto out_close;
	}
	ret = read_reports(&ws->seen);
	if (ret) {
		free(ws);
		goto out_close;
	}

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);

	if (prev[0] != '1') {
		ret = write_file(enable, "1");
		if (ret) {
			ret = path_error("cannot write", enable, -ret);
			goto out_free;
		}
		changed = true;
	}
	fprintf(stderr, PROG ": watching for violations (%s); stop with Ctrl-C\n", pipe_path);
	setvbuf(stdout, NULL, _IOLBF, 0);

	while (!watch_stopped()) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		/* a timeout, so that a signal between the test and poll() is not lost */
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			ret = path_error("cannot read", pipe_path, errno);
			break;
		}
		len += n;
		buf[len] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			watch_line(buf, ws);
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len + 1);
		}
		if (len == sizeof(buf) - 1) {	/* a line longer than the buffer */
			watch_line(buf, ws);
			len = 0;
		}
		if (ferror(stdout))
			break;
	}

out_free:
	if (changed && write_file(enable, "0"))
		fprintf(stderr, PROG ": could not restore %s to 0\n", enable);
	reports_free(&ws->seen);
	free(ws);
out_close:
	close(fd);
	free(prev);
	return ret;
}

/* --- main --- */

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "ktap", no_argument, NULL, 'k' },
		{ }
	};
	enum output_format fmt = FMT_TEXT;
	const char *cmd;
	int c;

	/* global options, up to the command */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help_text, stdout);
			return EXIT_CLEAN;
		case 'j':
		case 'k':
			return usage_error("--json and --ktap are options of check");
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage_error("no command given");
	cmd = argv[optind];
	if (!strcmp(cmd, "help")) {
		fputs(help_text, stdout);
		return EXIT_CLEAN;
	}
	if (strcmp(cmd, "status") && strcmp(cmd, "buffers") && strcmp(cmd, "check") &&
	    strcmp(cmd, "watch"))
		return usage_error("unknown command '%s'", cmd);

	/* the command's options; stop at CMD for check */
	argc -= optind;
	argv += optind;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+hjk", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help_text, stdout);
			return EXIT_CLEAN;
		case 'j':
		case 'k':
			if (strcmp(cmd, "check"))
				return usage_error("--json and --ktap are options of check");
			if (fmt != FMT_TEXT)
				return usage_error("--json and --ktap exclude each other");
			fmt = c == 'j' ? FMT_JSON : FMT_KTAP;
			break;
		default:
			return usage();
		}
	}
	argc -= optind;
	argv += optind;

	if (!strcmp(cmd, "check")) {
		if (!argc)
			return usage_error("check: no command to run");
		return cmd_check(argv, fmt);
	}
	if (argc)
		return usage_error("%s: unexpected argument '%s'", cmd, argv[0]);
	if (!strcmp(cmd, "status"))
		return cmd_status();
	if (!strcmp(cmd, "buffers"))
		return cmd_buffers();
	return cmd_watch();
}
