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
#include <sys/prctl.h>
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

enum output_format {
	FMT_TEXT,
	FMT_JSON,
	FMT_KTAP,
};

/* Where the tracker lives; set up by tracker_open(). */
static char dho_dir[PATH_MAX];

/*
 * The last error or reason to skip, for check to put in its output: a
 * short code ("no_debugfs", "no_tracker", "tracking_disabled",
 * "permission_denied", "error") and the message.  While @defer is set the
 * message is only recorded and check prints it.
 */
static struct {
	bool defer;
	const char *code;
	char msg[512];
} last_error;

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
	"       " PROG " buffers [--by-process] [-p PID] [-o table|csv|json]\n"
	"       " PROG " check [--json|--ktap] [--name NAME [--number N]] [--] CMD [ARGS...]\n"
	"       " PROG " reports [--json] [--from FILE]\n"
	"       " PROG " watch\n";

static const char help_text[] =
	"NAME\n"
	"       " PROG " - inspect the DMA-BUF heap ownership tracker\n"
	"\n"
	"SYNOPSIS\n"
	"       " PROG " status\n"
	"       " PROG " buffers [--by-process] [-p PID] [-o table | csv | json]\n"
	"       " PROG " check [--json | --ktap] [--name NAME [--number N]]\n"
	"                            [--] CMD [ARGS...]\n"
	"       " PROG " reports [--json] [--from FILE]\n"
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
	"       as debugfs and tracefs do.\n"
	"\n"
	"COMMANDS\n"
	"       status Print whether tracking is on, the total error count, the\n"
	"              count of each class, the number of tracked buffers and\n"
	"              reports kept, and the reporting settings.  Exits 0 even if\n"
	"              tracking is disabled (it says so).\n"
	"\n"
	"       buffers [--by-process] [-p PID] [-o table | csv | json]\n"
	"              Who holds what.  Print one row per tracked buffer (the\n"
	"              kernel's buffers file: inode number, heap, size, owner, CPU\n"
	"              window depth and direction, vmap count, user mappings,\n"
	"              attachments with their devices, last transition, and the\n"
	"              name userspace gave it), followed by the processes that\n"
	"              hold a file descriptor to it (\"fd pid= comm= fd=\") and\n"
	"              those that map it (\"map pid= comm= addr= prot= pgoff=\"),\n"
	"              found by matching the buffer's inode number with the ino:\n"
	"              of /proc/PID/fdinfo/FD and the inode of /proc/PID/maps.\n"
	"              Names a task or userspace chose are escaped.\n"
	"\n"
	"              --by-process prints one row per process holding or mapping\n"
	"              a dma-buf, tracked or not, as Android's dmabuf_dump does:\n"
	"              PID, COMM, BUFFERS (dma-bufs it holds or maps), TRACKED (of\n"
	"              those, the tracker's), FDS, MAPS, BYTES (their sizes), PSS\n"
	"              (each buffer's size divided by the number of processes\n"
	"              holding or mapping it) and MAPPED (the length of its\n"
	"              mappings), then a total line.\n"
	"\n"
	"              -p PID (--pid) keeps the buffers PID holds or maps (with all\n"
	"              their holders), or with --by-process its row alone (zeros if\n"
	"              it has none); a thread's id stands for its process.  -o\n"
	"              (--output) table (the default), csv (a header line, then\n"
	"              one row per buffer and holder, or per process) or json (an\n"
	"              object: \"schema_version\" 3 and \"buffers\", each with the\n"
	"              kernel's fields, \"users\", \"devices\", \"last\", \"exporter\",\n"
	"              \"name\", \"fds\", \"maps\" and the kernel's \"line\"; or\n"
	"              \"processes\", each with the columns above and \"inos\").  An\n"
	"              unknown format, or a PID that is not a number or not a\n"
	"              process, is an error (exit 2).\n"
	"\n"
	"       check [--json | --ktap] [--name NAME [--number N]] [--] CMD [ARGS...]\n"
	"              Run CMD (searched in PATH), wait for it, then print CMD's\n"
	"              exit status, every class whose count rose with its increase,\n"
	"              and the new reports.  If debugfs, the tracker or tracking is\n"
	"              missing, CMD is not run: check says why and exits 4.\n"
	"\n"
	"              The violations counted are those raised by CMD's own\n"
	"              processes and threads, what they fork included: a private\n"
	"              tracefs instance (instances/" PROG "-check.PID) traces the\n"
	"              dma_heap_owner:violation event for them alone (set_event_pid\n"
	"              with options/event-fork), so two checks on one machine do\n"
	"              not count each other's.  The system-wide counts are printed\n"
	"              beside.  A violation is the task's whose action raised it:\n"
	"              one raised by a server CMD talks to, by a kernel thread, or\n"
	"              by a process CMD left running after it exited is not CMD's.\n"
	"              Without tracefs or trace events, or if events were lost,\n"
	"              check counts system-wide and says why.  The instance is\n"
	"              removed when check ends, also on errors and signals; one\n"
	"              left by a check killed with SIGKILL is removed by the next.\n"
	"\n"
	"              Only the first violation of a class on a buffer gets a\n"
	"              report unless all_errors is 1, and the ring keeps 16, so\n"
	"              there may be fewer reports than violations.\n"
	"\n"
	"              SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed on to CMD\n"
	"              (a CI job's timeout sends SIGTERM), and check still prints\n"
	"              its result once CMD has exited.  Run from a terminal's\n"
	"              foreground, CMD shares check's process group and gets the\n"
	"              terminal's signals itself; otherwise it has a group of its\n"
	"              own and check signals the whole group, once (timeout(1)\n"
	"              signals its child and then its group).\n"
	"\n"
	"              In text mode CMD's output is left alone and the result\n"
	"              follows it on standard output, ending with a PASS, FAIL or\n"
	"              SKIP line.  With --json or --ktap CMD's standard output is\n"
	"              redirected to standard error so that standard output holds\n"
	"              only the result.  Standard output is never empty.\n"
	"\n"
	"       reports [--json] [--from FILE]\n"
	"              Print the reports kept in the violations ring (the last\n"
	"              16), or those in FILE: a copy of the ring, or a kernel log\n"
	"              (dmesg; the times that start its lines are taken off), \"-\"\n"
	"              for standard input.  As the kernel wrote them, or with\n"
	"              --json one object: \"schema_version\", \"source\" and\n"
	"              \"reports\", each report as check --json gives it.  --from\n"
	"              needs neither root nor the tracker.\n"
	"\n"
	"       watch  Print each violation as it happens: the\n"
	"              dma_heap_owner:violation event, traced in a tracefs\n"
	"              instance of its own (instances/" PROG "-watch.PID), so that\n"
	"              the global trace buffer and its settings are left alone,\n"
	"              followed by its report from the ring, the one whose\n"
	"              \"violation: #N\" is the event's seq=N, or by a line saying\n"
	"              why it has none (all_errors=0 reports the first violation\n"
	"              of a class on a buffer; the filter).  Events are printed in\n"
	"              the order they came.  Runs until SIGINT, SIGTERM, SIGHUP or\n"
	"              SIGQUIT, then removes the instance.  Without tracefs, the\n"
	"              event or an instance, it says why and exits 2, as it does\n"
	"              if tracing is switched off in its instance; it says so when\n"
	"              tracking is switched off and on meanwhile.\n"
	"\n"
	"OPTIONS\n"
	"       -j, --json\n"
	"              check, reports: print JSON.  check prints one object\n"
	"              (schema_version 3): \"schema_version\", \"name\" (with\n"
	"              --name), \"command\" [CMD, ARGS...], \"exit_status\" (CMD's,\n"
	"              or 128+SIG if a signal killed it), \"signal\" (SIG or null),\n"
	"              \"forwarded_signal\" (the first signal passed on to CMD, or\n"
	"              null), \"result\" (\"clean\", \"violations\" or\n"
	"              \"command_failed\"), \"scope\" (\"process_tree\", or \"system\"\n"
	"              with the reason in \"scope_reason\"), \"violations\" (the\n"
	"              total) and \"classes\" {CLASS: DELTA} (every class), as the\n"
	"              scope counts them, \"system\" {\"violations\", \"classes\"},\n"
	"              \"counters_reset\", \"events_lost\", \"reports\" and\n"
	"              \"reports_elsewhere\" (new reports of other processes, left\n"
	"              out).  Each report is an object: \"seq\", \"time\", \"class\",\n"
	"              \"function\", \"description\", \"buffer\" {\"ino\", \"heap\",\n"
	"              \"size\", \"exporter\", \"name\" (null if it has none)},\n"
	"              \"access\" {\"kind\": \"user\" | \"device\" | \"vmap\" | \"task\",\n"
	"              \"op\", \"address\", \"page\", \"device\", \"driver\", \"dir\" where\n"
	"              the line has them, \"text\"}, \"process\" {\"comm\", \"tgid\",\n"
	"              \"tid\"}, \"ip\" {\"addr\", \"file\", \"base\", \"size\", \"offset\"}\n"
	"              (a userspace access's instruction pointer; file and the\n"
	"              rest null outside a file) or null, \"user_stack\" [{\"addr\",\n"
	"              \"file\", \"offset\"}, ...], \"vmapped_by\" {\"function\", \"comm\",\n"
	"              \"tgid\", \"tid\", \"time\", \"stack\": [FRAME, ...]} or null,\n"
	"              \"owner\" {\"state\", \"cpu_windows\", \"vmaps\", \"since\", \"by\",\n"
	"              \"tgid\", \"tid\", \"time\", \"sync_ip\"}, \"stacks\" {\"owner\":\n"
	"              [FRAME, ...], \"offending\" or \"seen_at\": [FRAME, ...]} and\n"
	"              \"text\", the report as written.  Addresses are strings\n"
	"              (\"0x7f...\"), sizes and offsets numbers; comms are as the\n"
	"              kernel escaped them.  A field the report lacks is null (an\n"
	"              empty array for a stack).  When check skips or fails\n"
	"              before CMD ran: \"result\" is \"skipped\" or \"error\",\n"
	"              \"exit_status\" null, and \"error\" {\"code\", \"message\"}, the\n"
	"              code one of no_debugfs, no_tracker, tracking_disabled,\n"
	"              permission_denied, error.\n"
	"\n"
	"       -k, --ktap\n"
	"              check: print KTAP version 1, one test per class (\"not ok\"\n"
	"              if its count rose, with the reports as diagnostics) and a\n"
	"              last test, \"command\", that fails if CMD did.  When check\n"
	"              skips: \"1..0 # SKIP REASON\".\n"
	"\n"
	"       --name NAME\n"
	"              check: make the KTAP output a subtest named NAME (indented,\n"
	"              with \"# Subtest: NAME\") followed by its result line \"ok N\n"
	"              NAME\" or \"not ok N NAME\", so that several checks make one\n"
	"              KTAP document under a \"KTAP version 1\" and \"1..COUNT\" header\n"
	"              of your own (see EXAMPLES).  NAME cannot hold '#'.  The\n"
	"              JSON object and the text carry it too.\n"
	"\n"
	"       --number N\n"
	"              check --name: the subtest's number in the document (from\n"
	"              1, the default).\n"
	"\n"
	"       --from FILE\n"
	"              reports: read the reports in FILE (\"-\": standard input)\n"
	"              instead of the ring.\n"
	"\n"
	"       --by-process\n"
	"              buffers: totals per process instead of rows per buffer.\n"
	"\n"
	"       -p, --pid PID\n"
	"              buffers: only what process PID holds or maps.\n"
	"\n"
	"       -o, --output table | csv | json\n"
	"              buffers: the output format, table by default.\n"
	"\n"
	"       -h, --help\n"
	"              Print this manual and exit 0.\n"
	"\n"
	"EXIT STATUS\n"
	"       0      Success.  For check: CMD exited 0 and raised no violation.\n"
	"       1      check: at least one violation was raised by CMD's processes\n"
	"              (system-wide when they cannot be told apart), whatever CMD's\n"
	"              own exit status.\n"
	"       2      Usage or environment error: unknown command or option, no\n"
	"              CMD, CMD could not be executed, permission denied (not\n"
	"              root), tracefs, the tracepoint or a tracefs instance missing\n"
	"              or tracing switched off (watch), or an I/O error.\n"
	"       3      check: CMD failed (non-zero exit status or killed by a\n"
	"              signal) without raising any violation.  Its status is in\n"
	"              the output.\n"
	"       4      Skipped (KSFT_SKIP), nothing to check with: debugfs not\n"
	"              mounted, no tracker in this kernel, or tracking disabled\n"
	"              (check and watch).  check does not run CMD.\n"
	"\n"
	"       watch exits 0 when stopped by SIGINT, SIGTERM, SIGHUP or SIGQUIT.\n"
	"\n"
	"ENVIRONMENT\n"
	"       DHO_DEBUGFS\n"
	"              Where debugfs is mounted (default /sys/kernel/debug).\n"
	"              The tracker is looked for in $DHO_DEBUGFS/dma_heap_owner/.\n"
	"              When set, the file system type is not checked, so tests\n"
	"              can point it at a fake directory.\n"
	"\n"
	"       DHO_TRACEFS\n"
	"              Where tracefs is mounted (default /sys/kernel/tracing, then\n"
	"              /sys/kernel/debug/tracing), for the instances of check and\n"
	"              watch.\n"
	"\n"
	"FILES\n"
	"       /sys/kernel/debug/dma_heap_owner/\n"
	"              error_count, counts, violations, buffers, disabled,\n"
	"              all_errors, strict, num_errors, filter, reset: see\n"
	"              Documentation/dma-buf-heaps/owner-debug.rst.\n"
	"       /sys/kernel/tracing/instances/" PROG "-check.PID/,\n"
	"       /sys/kernel/tracing/instances/" PROG "-watch.PID/\n"
	"              The instances of check and watch: one left by a process\n"
	"              that is gone (SIGKILL) is removed by the next.\n"
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
	"       Two tests as one KTAP document:\n"
	"              { echo 'KTAP version 1'; echo 1..2\n"
	"                " PROG " check --ktap --name camera -- ./camera-test\n"
	"                " PROG " check --ktap --name codec --number 2 -- ./codec\n"
	"              } > result.ktap\n"
	"\n"
	"       A CI timeout: CMD gets SIGTERM after 10 minutes, the result is\n"
	"       printed, and timeout exits 124:\n"
	"              timeout 600 " PROG " check -- ./camera-test\n"
	"\n"
	"       Who holds and maps each buffer; what each process holds:\n"
	"              " PROG " buffers\n"
	"              " PROG " buffers --by-process -o csv > dmabufs.csv\n"
	"\n"
	"       The reports of a saved kernel log, as JSON:\n"
	"              dmesg > log.txt; " PROG " reports --json --from log.txt\n"
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

static int verror(int ret, const char *code, const char *fmt, va_list ap)
{
	vsnprintf(last_error.msg, sizeof(last_error.msg), fmt, ap);
	last_error.code = code;
	if (!last_error.defer)
		fprintf(stderr, PROG ": %s\n", last_error.msg);
	return ret;
}

/* An environment error: says why, returns EXIT_ENV. */
static int env_error(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = verror(EXIT_ENV, "error", fmt, ap);
	va_end(ap);
	return ret;
}

/* Nothing to check (no debugfs, no tracker, tracking off): EXIT_SKIP. */
static int skip_error(const char *code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = verror(EXIT_SKIP, code, fmt, ap);
	va_end(ap);
	return ret;
}

/* The message for failing to reach @path with errno @err. */
static int path_error(const char *what, const char *path, int err)
{
	int ret;

	if (err != EACCES && err != EPERM)
		return env_error("%s %s: %s", what, path, strerror(err));
	ret = env_error("%s %s: %s (debugfs and tracefs need root)", what, path,
			strerror(err));
	last_error.code = "permission_denied";
	return ret;
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

/* snprintf() into @buf, where a long argument may be cut short. */
static void bufprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/*
 * Read what @fd holds, to its end.  Returns 0 and a NUL-terminated buffer
 * the caller frees, or -errno.
 */
static int read_fd(int fd, char **out)
{
	size_t len = 0, size = 4096;
	char *buf, *tmp;
	ssize_t n;

	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (size - len < 2) {
			size *= 2;
			tmp = realloc(buf, size);
			if (!tmp) {
				free(buf);
				return -ENOMEM;
			}
			buf = tmp;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			free(buf);
			return n;
		}
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/*
 * Read a whole file.  debugfs and procfs files report size 0, so read to
 * the end.  Returns 0 and a NUL-terminated buffer the caller frees, or
 * -errno.
 */
static int read_file(const char *path, char **out)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = read_fd(fd, out);
	close(fd);
	return ret;
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

/* Read a file of the tracker.  On failure say why; return 0 or EXIT_ENV. */
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
 * the directory readable.  If @need_enabled, tracking must be on.  Says
 * what is wrong; returns 0, EXIT_SKIP when there is nothing to look at (no
 * debugfs, no tracker, tracking off) or EXIT_ENV.
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
 * Split @text, the ring or a file holding reports, into reports.  Each
 * starts with the rule and the title; splitting on that, rather than
 * pairing rules, survives a report whose closing rule was truncated.
 * Anything before the first report is left out.
 */
static int split_reports(const char *text, struct reports *r)
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
static int read_reports(struct reports *r)
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

/* --- check --- */

/* A JSON string of @n bytes: escape quotes, backslashes and controls; keep UTF-8 valid. */
static void json_strn(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	fputc('"', f);
	while (p < end) {
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
		if (need >= (size_t)(end - p))
			need = 0;
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

static void json_string(FILE *f, const char *s)
{
	json_strn(f, s, strlen(s));
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

/* @s on one line, controls as '?': for a KTAP line. */
static void print_oneline(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* What check was asked to do. */
struct check_opts {
	char **argv;			/* CMD and its arguments */
	enum output_format fmt;
	const char *name;		/* --name: a KTAP subtest, else NULL */
	int number;			/* --number: its test number */
};

/* --- reports: a report's fields, for JSON --- */

/* Does @s start with @prefix? */
static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* A decimal number of @s's digits at @p, or -1; its end in @end. */
static long long digits(const char *p, const char **end)
{
	long long v = 0;

	if (!isdigit((unsigned char)*p)) {
		*end = p;
		return -1;
	}
	while (isdigit((unsigned char)*p) && v < LLONG_MAX / 10)
		v = v * 10 + (*p++ - '0');
	*end = p;
	return v;
}

/*
 * The hexadecimal digits at @p, at most 16 of them, or -1 if there is
 * none; their end in @end.  Values are at most 2^64 - 1: the caller
 * prints the digits themselves where a value may not fit a long long.
 */
static long long hexdigits(const char *p, const char **end)
{
	unsigned long long v = 0;
	const char *s = p;

	while (isxdigit((unsigned char)*p) && p - s < 16) {
		v = v * 16 + (isdigit((unsigned char)*p) ? *p - '0' :
			      tolower((unsigned char)*p) - 'a' + 10);
		p++;
	}
	*end = p;
	if (p == s || isxdigit((unsigned char)*p))
		return -1;
	return v > LLONG_MAX ? LLONG_MAX : (long long)v;
}

/* The last @needle in [@s, @end), or NULL. */
static const char *find_last(const char *s, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	const char *p, *found = NULL;

	for (p = s; p < end && (p = memmem(p, end - p, needle, n)); p++)
		found = p;
	return found;
}

/* The first @needle in [@s, @end), or NULL. */
static const char *find_first(const char *s, const char *end, const char *needle)
{
	return s < end ? memmem(s, end - s, needle, strlen(needle)) : NULL;
}

/*
 * A task as the kernel names it: " tgid N tid N".  A task's comm comes
 * first and may itself read "tgid 1 tid 2", so the kernel's is the last
 * one in [@s, @end) that is followed by @follow (the end of the span if
 * @follow is empty).  Returns where it starts, or NULL; the numbers in
 * @tgid and @tid.
 */
static const char *find_ids(const char *s, const char *end, const char *follow,
			    long long *tgid, long long *tid)
{
	const char *p, *q, *found = NULL;
	size_t flen = strlen(follow);
	long long a, b;

	for (p = s; p < end && (p = memmem(p, end - p, " tgid ", 6)); p++) {
		a = digits(p + 6, &q);
		if (a < 0 || end - q < 5 || memcmp(q, " tid ", 5))
			continue;
		b = digits(q + 5, &q);
		if (b < 0 || q > end)
			continue;
		if (flen ? (size_t)(end - q) < flen || memcmp(q, follow, flen) : q != end)
			continue;
		found = p;
		*tgid = a;
		*tid = b;
	}
	return found;
}

/*
 * The seconds at @p ("4.197062", as the kernel prints a time) as a JSON
 * number, or null.
 */
static void json_seconds(FILE *f, const char *p)
{
	size_t whole = strspn(p, "0123456789"), frac = 0;

	if (p[whole] == '.')
		frac = strspn(p + whole + 1, "0123456789");
	if (!whole || (p[whole] == '.' && !frac)) {
		fputs("null", f);
		return;
	}
	/* JSON has no leading zeros */
	while (whole > 1 && *p == '0') {
		p++;
		whole--;
	}
	fwrite(p, 1, whole + (frac ? frac + 1 : 0), f);
}

static void json_num_or_null(FILE *f, long long v)
{
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%lld", v);
}

/* [@s, @end) as a JSON string, or null if @s is NULL. */
static void json_span(FILE *f, const char *s, const char *end)
{
	if (!s || end < s)
		fputs("null", f);
	else
		json_strn(f, s, end - s);
}

/* "0x" and the hex digits at [@s, @end), as a JSON string. */
static void json_hex(FILE *f, const char *s, const char *end)
{
	fputs("\"0x", f);
	fwrite(s, 1, end - s, f);
	fputc('"', f);
}

/* The lines of a report, and what each holds. */
#define REPORT_MAX_LINES	256
#define REPORT_MAX_BLOCKS	8

/* What the indented lines under a header line are. */
enum block_kind {
	BLK_OWNER,			/* "owner: ...:", the transition's stack */
	BLK_STACK,			/* "offending stack:", "seen at stack:" */
	BLK_USER,			/* "user stack:", " #N ADDR FILE+0xOFF" */
	BLK_VMAP,			/* "vmapped by: ...:", the vmap's stack */
};

struct report_lines {
	const char *line[REPORT_MAX_LINES];
	size_t len[REPORT_MAX_LINES];
	unsigned int n;
	/* the line of each part, or -1 */
	int title, what, seq, buffer, access, ip, vmapped, owner, sync;
	struct {
		enum block_kind kind;
		const char *name;	/* a stack's name, for BLK_STACK */
		size_t name_len;
		unsigned int first, n;	/* lines[first .. first + n) */
	} block[REPORT_MAX_BLOCKS];
	unsigned int nblocks;
};

/* Start a block of indented lines after line @i. */
static bool report_block(struct report_lines *rl, unsigned int i, enum block_kind kind,
			 size_t name_len)
{
	if (rl->nblocks == REPORT_MAX_BLOCKS)
		return false;
	rl->block[rl->nblocks].kind = kind;
	rl->block[rl->nblocks].name = rl->line[i];
	rl->block[rl->nblocks].name_len = name_len;
	rl->block[rl->nblocks].first = i + 1;
	rl->block[rl->nblocks++].n = 0;
	return true;
}

/*
 * Split a report into its lines and find its parts.  The report is the
 * kernel's, but a task names itself and a line may be cut: anything not
 * where it belongs is left out, never trusted.  An indented line belongs
 * to the block its header opened; an empty or unknown line closes it.
 */
static void report_split(const char *text, struct report_lines *rl)
{
	const char *p = text, *nl, *s;
	bool in_block = false;
	unsigned int i;

	memset(rl, 0, sizeof(*rl));
	rl->title = -1;
	rl->what = -1;
	rl->seq = -1;
	rl->buffer = -1;
	rl->access = -1;
	rl->ip = -1;
	rl->vmapped = -1;
	rl->owner = -1;
	rl->sync = -1;
	while (*p && rl->n < REPORT_MAX_LINES) {
		nl = strchrnul(p, '\n');
		rl->line[rl->n] = p;
		rl->len[rl->n++] = nl - p;
		p = *nl ? nl + 1 : nl;
	}
	for (i = 0; i < rl->n; i++) {
		const char *l = rl->line[i];
		size_t len = rl->len[i];
		bool block = false;

		if (len && l[0] == ' ') {
			s = l + strspn(l, " ");
			if (!in_block)
				continue;
			if (rl->block[rl->nblocks - 1].kind == BLK_OWNER &&
			    starts(s, "DMA_BUF_IOCTL_SYNC at user ip ")) {
				rl->sync = i;
				continue;
			}
			if (!starts(s, "(no stack)"))
				rl->block[rl->nblocks - 1].n++;
			continue;
		}
		if (!len || starts(l, REPORT_RULE)) {
			in_block = false;
			continue;
		}
		if (rl->title < 0 && starts(l, REPORT_TITLE)) {
			rl->title = i;
		} else if (rl->seq < 0 && starts(l, "violation: #")) {
			rl->seq = i;
		} else if (rl->buffer < 0 && starts(l, "buffer: ")) {
			rl->buffer = i;
		} else if (rl->access < 0 && starts(l, "access: ")) {
			rl->access = i;
		} else if (rl->ip < 0 && rl->access >= 0 && starts(l, "ip ")) {
			rl->ip = i;
		} else if (len == 11 && starts(l, "user stack:")) {
			block = report_block(rl, i, BLK_USER, 4);
		} else if (rl->vmapped < 0 && starts(l, "vmapped by: ")) {
			rl->vmapped = i;
			block = report_block(rl, i, BLK_VMAP, 0);
		} else if (rl->owner < 0 && starts(l, "owner: ")) {
			rl->owner = i;
			block = report_block(rl, i, BLK_OWNER, 5);
		} else if (len > 7 && !memcmp(l + len - 7, " stack:", 7) && rl->owner >= 0) {
			block = report_block(rl, i, BLK_STACK, len - 7);
		} else if (rl->title >= 0 && rl->what < 0 && rl->seq < 0) {
			rl->what = i;
		}
		in_block = block;
	}
}

static const char *line_end(const struct report_lines *rl, int i)
{
	return rl->line[i] + rl->len[i];
}

/* The line @i of @rl, less @skip bytes of prefix, as a JSON string or null. */
static void json_line(FILE *f, const struct report_lines *rl, int i, size_t skip)
{
	if (i < 0 || rl->len[i] < skip)
		fputs("null", f);
	else
		json_strn(f, rl->line[i] + skip, rl->len[i] - skip);
}

/* A block's lines as an array of strings, one a line, less their indent. */
static void json_block(FILE *f, const struct report_lines *rl, unsigned int b, const char *ind)
{
	unsigned int j;
	const char *l, *p;

	fputc('[', f);
	for (j = 0; j < rl->block[b].n; j++) {
		l = rl->line[rl->block[b].first + j];
		p = l + strspn(l, " ");
		fprintf(f, "%s\n%s  ", j ? "," : "", ind);
		json_strn(f, p, rl->len[rl->block[b].first + j] - (p - l));
	}
	if (j)
		fprintf(f, "\n%s", ind);
	fputc(']', f);
}

/* The block of @kind, or -1. */
static int report_find_block(const struct report_lines *rl, enum block_kind kind)
{
	unsigned int b;

	for (b = 0; b < rl->nblocks; b++)
		if (rl->block[b].kind == kind)
			return b;
	return -1;
}

/*
 * "buffer": "ino=N heap=H size=N exporter=E name=REST": the name, which
 * userspace sets (DMA_BUF_SET_NAME, printed escaped), is the rest of the
 * line and may hold spaces; "-" when the buffer has none.
 */
static void json_buffer(FILE *f, const struct report_lines *rl)
{
	static const char *const keys[] = { "ino", "heap", "size", "exporter" };
	const char *s, *end, *name, *k, *v, *sp, *q;
	unsigned int i;
	size_t klen;

	if (rl->buffer < 0) {
		fputs("null", f);
		return;
	}
	s = rl->line[rl->buffer] + 8;
	end = line_end(rl, rl->buffer);
	name = find_first(s, end, "name=");
	if (name && name != s && name[-1] != ' ')
		name = NULL;
	fputc('{', f);
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		klen = strlen(keys[i]);
		fprintf(f, "%s\"%s\": ", i ? ", " : "", keys[i]);
		/* the first KEY= that starts a word, before the name */
		for (k = s; (k = find_first(k, name ?: end, keys[i])); k++)
			if ((k == s || k[-1] == ' ') && k[klen] == '=')
				break;
		if (!k) {
			fputs("null", f);
			continue;
		}
		v = k + klen + 1;
		sp = v + strcspn(v, "\n ");
		if (sp > end)
			sp = end;
		if (digits(v, &q) >= 0 && q == sp)
			json_num_or_null(f, digits(v, &q));
		else
			json_span(f, v, sp);
	}
	fputs(", \"name\": ", f);
	if (!name || (end - name == 6 && name[5] == '-'))
		fputs("null", f);
	else
		json_span(f, name + 5, end);
	fputc('}', f);
}

/* The four forms of the access line. */
enum access_kind {
	ACC_OTHER,
	ACC_USER,		/* "write by task C tgid N tid N at 0xA (page N)" */
	ACC_DEVICE,		/* "device D (driver R) dir=X, by task C tgid N tid N" */
	ACC_VMAP,		/* "kernel write through the vmap alias ..., seen by task ..." */
	ACC_TASK,		/* "task C tgid N tid N dir=X" */
};

static enum access_kind access_kind(const char *a)
{
	if (starts(a, "read by task ") || starts(a, "write by task "))
		return ACC_USER;
	if (starts(a, "device "))
		return ACC_DEVICE;
	if (starts(a, "kernel "))
		return ACC_VMAP;
	if (starts(a, "task "))
		return ACC_TASK;
	return ACC_OTHER;
}

/* What follows the task's ids in each form: kernel text, never the comm. */
static const char *const access_follow[] = {
	[ACC_OTHER] = "",
	[ACC_USER] = " at 0x",
	[ACC_DEVICE] = "",
	[ACC_VMAP] = "",
	[ACC_TASK] = " dir=",
};

/*
 * The task in an access line: its comm starts after the first "task " and
 * ends where the kernel's " tgid N tid N" starts.  Returns that, or NULL.
 */
static const char *access_task(const char *a, const char *end, const char **comm,
			       long long *tgid, long long *tid)
{
	const char *ids;

	*comm = find_first(a, end, "task ");
	if (!*comm)
		return NULL;
	*comm += 5;
	ids = find_ids(*comm - 1, end, access_follow[access_kind(a)], tgid, tid);
	if (!ids || ids < *comm)
		return NULL;
	return ids;
}

/* "process": who made the access, {"comm", "tgid", "tid"}, or null. */
static void json_process(FILE *f, const struct report_lines *rl)
{
	const char *a, *end, *comm, *ids;
	long long tgid, tid;

	if (rl->access < 0) {
		fputs("null", f);
		return;
	}
	a = rl->line[rl->access] + 8;
	end = line_end(rl, rl->access);
	ids = access_task(a, end, &comm, &tgid, &tid);
	if (!ids) {
		fputs("null", f);
		return;
	}
	fputs("{\"comm\": ", f);
	json_span(f, comm, ids);
	fprintf(f, ", \"tgid\": %lld, \"tid\": %lld}", tgid, tid);
}

/* "access": what the offending access was, in one of the report's four forms. */
static void json_access(FILE *f, const struct report_lines *rl)
{
	static const char *const kinds[] = {
		[ACC_OTHER] = "other", [ACC_USER] = "user", [ACC_DEVICE] = "device",
		[ACC_VMAP] = "vmap", [ACC_TASK] = "task",
	};
	const char *a, *end, *p, *q, *comm, *ids;
	long long page = -1, tgid, tid;
	enum access_kind kind;

	if (rl->access < 0) {
		fputs("null", f);
		return;
	}
	a = rl->line[rl->access] + 8;
	end = line_end(rl, rl->access);
	kind = access_kind(a);
	ids = access_task(a, end, &comm, &tgid, &tid);
	fprintf(f, "{\"kind\": \"%s\"", kinds[kind]);
	if (kind == ACC_USER || kind == ACC_VMAP)
		fprintf(f, ", \"op\": \"%s\"",
			starts(a, "write") || starts(a, "kernel write") ? "write" : "read");
	if (kind == ACC_USER && ids) {
		/* what follows the ids is the kernel's: the comm cannot fake it */
		p = find_first(ids + 1, end, " at 0x");
		q = p ? p + 4 + strcspn(p + 4, "\n ") : NULL;
		if (p) {
			fputs(", \"address\": ", f);
			json_span(f, p + 4, q);
		}
		if (q && starts(q, " (page "))
			page = digits(q + 7, &p);
	} else if (kind == ACC_VMAP && starts(a, "kernel ")) {
		p = find_first(a, end, "(first page ");
		if (p)
			page = digits(p + 12, &q);
	} else if (kind == ACC_DEVICE) {
		p = a + 7;
		q = p + strcspn(p, " ,\n");
		fputs(", \"device\": ", f);
		json_span(f, p, q);
		if (starts(q, " (driver ")) {
			p = q + 9;
			q = p + strcspn(p, ")\n");
			fputs(", \"driver\": ", f);
			json_span(f, p, q);
		}
	}
	if (page >= 0)
		fprintf(f, ", \"page\": %lld", page);
	/* dir=: before the task for a device, after its ids for a task */
	p = NULL;
	if (kind == ACC_DEVICE)
		p = find_first(a, comm ? comm : end, " dir=");
	else if (kind == ACC_TASK && ids)
		p = find_first(ids + 1, end, " dir=");
	if (p) {
		p += 5;
		q = p + strcspn(p, " ,\n");
		fputs(", \"dir\": ", f);
		json_span(f, p, q < end ? q : end);
	}
	fputs(", \"text\": ", f);
	json_span(f, a, end);
	fputc('}', f);
}

/*
 * "ip": the user instruction pointer, in the form of the kernel's segfault
 * line: "ip 00007f0012345678 in libfoo.so[7f0012300000+21000] offset
 * 0x45678", or "ip ... in ?" outside a file; a wrong DMA_BUF_IOCTL_SYNC
 * is "ip ... (DMA_BUF_IOCTL_SYNC)", with no file.  The file's name is its
 * owner's to choose: it is what lies between " in " and the last '['
 * whose "BASE+SIZE] offset 0xOFF" ends the line.  {"addr", "file",
 * "base", "size", "offset"}, or null when the report has no ip.
 */
static void json_ip(FILE *f, const struct report_lines *rl)
{
	const char *l, *end, *a, *in, *br, *plus, *close, *off, *q;
	long long size = -1, offset = -1;

	if (rl->ip < 0) {
		fputs("null", f);
		return;
	}
	l = rl->line[rl->ip];
	end = line_end(rl, rl->ip);
	a = l + 3;
	if (hexdigits(a, &q) < 0 || (!starts(q, " in ") && !starts(q, " ("))) {
		fputs("null", f);
		return;
	}
	fputs("{\"addr\": ", f);
	json_hex(f, a, q);
	/* "ip ... (DMA_BUF_IOCTL_SYNC)": where a wrong SYNC was called */
	if (starts(q, " (")) {
		fputs(", \"file\": null, \"base\": null, \"size\": null, \"offset\": null}", f);
		return;
	}
	in = q + 4;
	close = find_last(in, end, "] offset 0x");
	off = close ? close + 11 : NULL;
	if (off && hexdigits(off, &q) >= 0 && q == end) {
		offset = hexdigits(off, &q);
		/* the last '[' before it, and "BASE+SIZE" inside */
		for (br = close; br > in && br[-1] != '['; br--)
			;
		plus = br > in ? memchr(br, '+', close - br) : NULL;
		if (plus && hexdigits(br, &q) >= 0 && q == plus &&
		    hexdigits(plus + 1, &q) >= 0 && q == close) {
			size = hexdigits(plus + 1, &q);
			fputs(", \"file\": ", f);
			json_span(f, in, br - 1);
			fputs(", \"base\": ", f);
			json_hex(f, br, plus);
			fprintf(f, ", \"size\": %lld, \"offset\": %lld}", size, offset);
			return;
		}
	}
	/* "in ?", or a form this parser does not know: the text as it is */
	fputs(", \"file\": ", f);
	if (end - in == 1 && *in == '?')
		fputs("null", f);
	else
		json_span(f, in, end);
	fputs(", \"base\": null, \"size\": null, \"offset\": null}", f);
}

/*
 * "user_stack": the frames of "user stack:", " #0 00007f0012345678
 * libfoo.so+0x45678" or " #1 00007f0012345678 ?", as [{"addr", "file",
 * "offset"}]; empty when the report has none.
 */
static void json_user_stack(FILE *f, const struct report_lines *rl, const char *ind)
{
	int b = report_find_block(rl, BLK_USER);
	const char *l, *end, *a, *q, *file, *plus;
	long long offset;
	unsigned int j, n = 0;

	fputc('[', f);
	for (j = 0; b >= 0 && j < rl->block[b].n; j++) {
		l = rl->line[rl->block[b].first + j];
		end = line_end(rl, rl->block[b].first + j);
		l += strspn(l, " ");
		if (*l != '#' || digits(l + 1, &q) < 0 || *q != ' ')
			continue;
		a = q + 1;
		if (hexdigits(a, &q) < 0 || *q != ' ')
			continue;
		file = q + 1;
		fprintf(f, "%s\n%s  {\"addr\": ", n++ ? "," : "", ind);
		json_hex(f, a, q);
		offset = -1;
		plus = find_last(file, end, "+0x");
		if (plus && hexdigits(plus + 3, &q) >= 0 && q == end)
			offset = hexdigits(plus + 3, &q);
		else
			plus = end;
		fputs(", \"file\": ", f);
		if (end - file == 1 && *file == '?')
			fputs("null", f);
		else
			json_span(f, file, plus);
		fputs(", \"offset\": ", f);
		json_num_or_null(f, offset);
		fputc('}', f);
	}
	if (n)
		fprintf(f, "\n%s", ind);
	fputc(']', f);
}

/*
 * "vmapped_by": who vmapped the alias through which the kernel wrote,
 * "vmapped by: FUNCTION (task COMM tgid N tid N) at S.USs:" and the vmap's
 * stack, as {"function", "comm", "tgid", "tid", "time", "stack"}, or null.
 */
static void json_vmapped_by(FILE *f, const struct report_lines *rl, const char *ind)
{
	const char *l, *end, *at, *task, *ids = NULL;
	long long tgid = -1, tid = -1;
	char sub[64];

	if (rl->vmapped < 0) {
		fputs("null", f);
		return;
	}
	l = rl->line[rl->vmapped] + 12;
	end = line_end(rl, rl->vmapped);
	at = find_last(l, end, " at ");
	if (!at)
		at = end;
	task = find_first(l, at, " (task ");
	if (task)
		ids = find_ids(task + 6, at, ")", &tgid, &tid);
	fputs("{\"function\": ", f);
	json_span(f, l, task ? task : at);
	fputs(", \"comm\": ", f);
	json_span(f, ids ? task + 7 : NULL, ids);
	fputs(", \"tgid\": ", f);
	json_num_or_null(f, ids ? tgid : -1);
	fputs(", \"tid\": ", f);
	json_num_or_null(f, ids ? tid : -1);
	fputs(", \"time\": ", f);
	if (at < end)
		json_seconds(f, at + 4);
	else
		fputs("null", f);
	fputs(", \"stack\": ", f);
	bufprintf(sub, sizeof(sub), "%s  ", ind);
	json_block(f, rl, report_find_block(rl, BLK_VMAP), sub);
	fputc('}', f);
}

/*
 * "owner": "none (cpu windows 0, vmap 1) since alloc by dho-client tgid
 * 55 tid 55 at 4.195691s:", where the owner's name and the transition's
 * come from the kernel, and who made it (a comm, or a device, which has
 * no ids) sits between " by " and the last " at ".  The transition of a
 * SYNC from userspace has no kernel stack: its user ip is "sync_ip".
 */
static void json_owner(FILE *f, const struct report_lines *rl)
{
	const char *o, *end, *p, *by, *at, *ids, *q;
	unsigned int windows = 0, vmaps = 0;
	long long tgid = -1, tid = -1;

	if (rl->owner < 0) {
		fputs("null", f);
		return;
	}
	o = rl->line[rl->owner] + 7;
	end = line_end(rl, rl->owner);
	p = o + strcspn(o, "\n ");
	fputs("{\"state\": ", f);
	json_span(f, o, p);
	fputs(", \"cpu_windows\": ", f);
	if (sscanf(p, " (cpu windows %u, vmap %u)", &windows, &vmaps) == 2)
		fprintf(f, "%u, \"vmaps\": %u", windows, vmaps);
	else
		fputs("null, \"vmaps\": null", f);
	p = find_first(p, end, ") since ");
	by = p ? find_first(p + 8, end, " by ") : NULL;
	at = by ? find_last(by, end, " at ") : NULL;
	/* a task is followed by " tgid N tid N", a device by nothing */
	ids = at ? find_ids(by + 3, at, "", &tgid, &tid) : NULL;
	fputs(", \"since\": ", f);
	json_span(f, at ? p + 8 : NULL, by);
	fputs(", \"by\": ", f);
	json_span(f, at ? by + 4 : NULL, ids ? ids : at);
	fputs(", \"tgid\": ", f);
	json_num_or_null(f, ids ? tgid : -1);
	fputs(", \"tid\": ", f);
	json_num_or_null(f, ids ? tid : -1);
	fputs(", \"time\": ", f);
	if (at)
		json_seconds(f, at + 4);
	else
		fputs("null", f);
	fputs(", \"sync_ip\": ", f);
	p = NULL;
	if (rl->sync >= 0) {
		p = rl->line[rl->sync] + strspn(rl->line[rl->sync], " ") + 30;
		if (hexdigits(p, &q) < 0 || q != line_end(rl, rl->sync))
			p = NULL;
	}
	if (p)
		json_hex(f, p, q);
	else
		fputs("null", f);
	fputc('}', f);
}

/*
 * One report as a JSON object, parsed from its text (see "Reading a
 * report" in Documentation/dma-buf-heaps/owner-debug.rst).  Every field is
 * there, null when the report does not have it; "text" is the report as
 * the kernel wrote it.  @ind indents the object's lines.
 */
static void json_report(FILE *f, const char *text, const char *ind)
{
	static struct report_lines rl;
	const char *l, *p, *q, *end = NULL;
	char sub[64];
	long long v;
	unsigned int i, j;
	bool first = true;

	report_split(text, &rl);
	bufprintf(sub, sizeof(sub), "%s  ", ind);

	fprintf(f, "{\n%s  \"seq\": ", ind);
	v = -1;
	p = NULL;
	if (rl.seq >= 0) {
		l = rl.line[rl.seq];
		v = digits(l + 12, &p);
	}
	json_num_or_null(f, v);
	fprintf(f, ",\n%s  \"time\": ", ind);
	if (p && starts(p, " at "))
		json_seconds(f, p + 4);
	else
		fputs("null", f);

	fprintf(f, ",\n%s  \"class\": ", ind);
	q = NULL;
	if (rl.title >= 0) {
		l = rl.line[rl.title] + strlen(REPORT_TITLE);
		end = line_end(&rl, rl.title);
		p = l + strcspn(l, "\n ");
		json_span(f, p > l ? l : NULL, p);
		if (starts(p, " in "))
			q = p + 4;
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\n%s  \"function\": ", ind);
	json_span(f, q, end);
	fprintf(f, ",\n%s  \"description\": ", ind);
	json_line(f, &rl, rl.what, 0);
	fprintf(f, ",\n%s  \"buffer\": ", ind);
	json_buffer(f, &rl);
	fprintf(f, ",\n%s  \"access\": ", ind);
	json_access(f, &rl);
	fprintf(f, ",\n%s  \"process\": ", ind);
	json_process(f, &rl);
	fprintf(f, ",\n%s  \"ip\": ", ind);
	json_ip(f, &rl);
	fprintf(f, ",\n%s  \"user_stack\": ", ind);
	json_user_stack(f, &rl, sub);
	fprintf(f, ",\n%s  \"vmapped_by\": ", ind);
	json_vmapped_by(f, &rl, sub);
	fprintf(f, ",\n%s  \"owner\": ", ind);
	json_owner(f, &rl);

	/* the kernel stacks: "owner", and "offending" or "seen_at" */
	fprintf(f, ",\n%s  \"stacks\": {", ind);
	bufprintf(sub, sizeof(sub), "%s    ", ind);
	for (i = 0; i < rl.nblocks; i++) {
		char name[64];

		if (rl.block[i].kind != BLK_OWNER && rl.block[i].kind != BLK_STACK)
			continue;
		for (j = 0; j < rl.block[i].name_len && j < sizeof(name) - 1; j++)
			name[j] = rl.block[i].name[j] == ' ' ? '_' : rl.block[i].name[j];
		name[j] = '\0';
		fprintf(f, "%s\n%s    ", first ? "" : ",", ind);
		first = false;
		json_string(f, name);
		fputs(": ", f);
		json_block(f, &rl, i, sub);
	}
	if (!first)
		fprintf(f, "\n%s  ", ind);
	fprintf(f, "},\n%s  \"text\": ", ind);
	json_string(f, text);
	fprintf(f, "\n%s}", ind);
}

/* --- buffers --- */

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

/*
 * @n bytes of @src into @dst, escaped as the kernel's %pE does, so that a
 * name a task or a buffer's owner chose cannot break a line or a column.
 */
static void escape_into(char *dst, size_t len, const char *src, size_t n)
{
	static const char special[] = "\n\t\r\f\v\a\033\\\"";
	static const char letter[] = "ntrfvae\\\"";
	const char *s;
	size_t o = 0;
	unsigned char c;

	for (; n && *src && o + 5 < len; src++, n--) {
		c = *src;
		s = strchr(special, c);
		if (c && s)
			o += snprintf(dst + o, len - o, "\\%c", letter[s - special]);
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(dst + o, len - o, "\\%03o", c);
		else
			dst[o++] = c;
	}
	dst[o] = '\0';
}

static bool is_dmabuf_path(const char *path)
{
	return !strncmp(path, "/dmabuf:", 8) || !strncmp(path, "anon_inode:dmabuf", 17) ||
	       !strncmp(path, "dmabuf:", 7);
}

/*
 * The ino:, size:, exp_name: and name: of /proc/PID/fdinfo/FD, the first
 * of each: the name, which userspace sets, is the last line and cannot
 * fake the others.
 */
static void fdinfo_read(struct holder *h, const char *fd)
{
	char path[PATH_MAX], *text, *p, *nl, *v;

	mkpath(path, sizeof(path), "/proc/%d/fdinfo/%s", h->pid, fd);
	if (read_file(path, &text))
		return;
	for (p = text; *p; p = *nl ? nl + 1 : nl) {
		nl = strchrnul(p, '\n');
		v = strchr(p, ':');
		if (!v || v > nl)
			continue;
		v += 1 + strspn(v + 1, "\t ");
		if (!h->ino && starts(p, "ino:"))
			h->ino = strtoul(v, NULL, 10);
		else if (!h->size && starts(p, "size:"))
			h->size = strtoull(v, NULL, 10);
		else if (!h->exporter[0] && starts(p, "exp_name:"))
			escape_into(h->exporter, sizeof(h->exporter), v, nl - v);
		else if (!h->name[0] && starts(p, "name:"))
			escape_into(h->name, sizeof(h->name), v, nl - v);
	}
	free(text);
}

static int scan_fds(struct holders *hs, pid_t pid, const char *comm)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct holder h;
	struct dirent *de;
	struct stat st;
	ssize_t n;
	DIR *d;
	int ret = 0;

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
		memset(&h, 0, sizeof(h));
		h.pid = pid;
		h.fd = atoi(de->d_name);
		snprintf(h.comm, sizeof(h.comm), "%s", comm);
		fdinfo_read(&h, de->d_name);
		if (!stat(path, &st)) {
			if (!h.ino)
				h.ino = st.st_ino;
			if (!h.size)
				h.size = st.st_size;
		}
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
	char path[PATH_MAX], *text, *line, *save = NULL;
	struct holder h;
	struct stat st;
	int ret = 0;

	mkpath(path, sizeof(path), "/proc/%d/maps", pid);
	if (read_file(path, &text))
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned int major, minor;
		int pos = 0;

		memset(&h, 0, sizeof(h));
		h.pid = pid;
		h.fd = -1;
		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &h.start, &h.end, h.prot,
			   &h.pgoff, &major, &minor, &h.ino, &pos) < 7 || !pos)
			continue;
		if (!is_dmabuf_path(line + pos))
			continue;
		h.pgoff /= (unsigned long)sysconf(_SC_PAGESIZE);
		snprintf(h.comm, sizeof(h.comm), "%s", comm);
		/* the mapped file, for its size: the dma-buf's */
		mkpath(path, sizeof(path), "/proc/%d/map_files/%lx-%lx", pid, h.start, h.end);
		if (!stat(path, &st) && st.st_ino == h.ino)
			h.size = st.st_size;
		if (holders_add(hs, &h)) {
			ret = -ENOMEM;
			break;
		}
	}
	free(text);
	return ret;
}

/* Every process's dma-buf file descriptors and mappings, or only @only's. */
static int scan_proc(struct holders *hs, pid_t only)
{
	char path[64], *text, comm[64];
	struct dirent *de;
	size_t n;
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
		if (only && pid != only)
			continue;
		mkpath(path, sizeof(path), "/proc/%d/comm", pid);
		if (read_file(path, &text))
			continue;
		n = strlen(text);
		if (n && text[n - 1] == '\n')	/* the kernel's; one in the name stays */
			n--;
		escape_into(comm, sizeof(comm), text, n);
		free(text);
		ret = scan_fds(hs, pid, comm) ?: scan_maps(hs, pid, comm);
	}
	closedir(d);
	return ret ? env_error("out of memory") : 0;
}

/*
 * -p PID: a process that exists.  A thread's id names its process.  Says
 * what is wrong; returns 0 or EXIT_ENV.
 */
static int buffers_pid(const char *arg, struct buffers_opts *o)
{
	char path[64], *text, *p;
	long long v, tgid;
	const char *end;
	size_t n;

	v = digits(arg, &end);
	if (v <= 0 || *end || v > INT_MAX)
		return usage_error("-p: '%s' is not a process id", arg);
	mkpath(path, sizeof(path), "/proc/%lld/status", v);
	if (read_file(path, &text))
		return env_error("-p: no process %lld", v);
	p = strstr(text, "\nTgid:");
	tgid = p ? digits(p + 6 + strspn(p + 6, "\t "), &end) : v;
	free(text);
	if (tgid > 0 && tgid != v) {
		fprintf(stderr, PROG ": -p: %lld is a thread of process %lld: showing %lld\n",
			v, tgid, tgid);
		v = tgid;
	}
	o->pid = v;
	mkpath(path, sizeof(path), "/proc/%lld/comm", v);
	if (!read_file(path, &text)) {
		n = strlen(text);
		escape_into(o->comm, sizeof(o->comm), text, n && text[n - 1] == '\n' ? n - 1 : n);
		free(text);
	}
	return 0;
}

/* A field of CSV: quoted if it must be. */
static void csv_field(const char *s, size_t n, bool last)
{
	size_t i;

	if (strcspn(s, ",\"\n\r") >= n) {
		fwrite(s, 1, n, stdout);
	} else {
		putchar('"');
		for (i = 0; i < n; i++) {
			if (s[i] == '"')
				putchar('"');
			putchar(s[i]);
		}
		putchar('"');
	}
	putchar(last ? '\n' : ',');
}

static void csv_str(const char *s, bool last)
{
	csv_field(s, strlen(s), last);
}

/*
 * One line of the tracker's buffers file, "ino=N heap=H size=N owner=O
 * cpu_depth=N cpu_dir=D vmap=N mmaps=N users=PID:COMM:FAULTS,... attach=N
 * devs=DEV:DIR,... last=OP:WHO:PID", in spans.  A comm is a task's (escaped,
 * but it may hold ':' or ','): the users are found by their count, the last
 * transition's pid at the end of the line.  A span not found is NULL.
 */
enum kbuf_field {
	KB_INO, KB_HEAP, KB_SIZE, KB_OWNER, KB_CPU_DEPTH, KB_CPU_DIR, KB_VMAP,
	KB_MMAPS, KB_USERS, KB_ATTACH, KB_DEVS, KB_LAST, KB_NR,
};

static const char *const kbuf_keys[KB_NR] = {
	"ino", "heap", "size", "owner", "cpu_depth", "cpu_dir", "vmap",
	"mmaps", "users", "attach", "devs", "last",
};

struct kbuf {
	const char *line;
	size_t len;
	const char *v[KB_NR], *e[KB_NR];	/* each value: [v, e) */
	unsigned long ino;
	unsigned long long size;
	long long mmaps, attach;
};

/*
 * One entry of users=, "PID:COMM:FAULTS" at @p: the comm ends at the first
 * ":FAULTS" followed by @sep (or by @end if @sep is empty).  Returns where
 * @sep is, or NULL; the comm in [@comm, @comm_end).
 */
static const char *user_entry(const char *p, const char *end, const char *sep,
			      const char **comm, const char **comm_end)
{
	size_t slen = strlen(sep);
	const char *q, *r;

	if (digits(p, &q) < 0 || *q != ':' || q >= end)
		return NULL;
	*comm = q + 1;
	for (r = *comm; r < end && (r = memchr(r, ':', end - r)); r++) {
		if (digits(r + 1, &q) < 0 || q > end)
			continue;
		if (slen ? (size_t)(end - q) >= slen && !memcmp(q, sep, slen) : q == end) {
			*comm_end = r;
			return q;
		}
	}
	return NULL;
}

static bool kbuf_parse(const char *line, size_t len, struct kbuf *kb)
{
	const char *end = line + len, *p = line, *q, *r, *c;
	bool last;
	size_t klen;
	long long i;
	int k;

	memset(kb, 0, sizeof(*kb));
	kb->line = line;
	kb->len = len;
	kb->mmaps = -1;
	kb->attach = -1;
	for (k = 0; k < KB_NR && p < end; k++) {
		klen = strlen(kbuf_keys[k]);
		if ((size_t)(end - p) <= klen || memcmp(p, kbuf_keys[k], klen) || p[klen] != '=')
			break;
		kb->v[k] = p + klen + 1;
		if (k == KB_USERS && kb->mmaps > 0) {
			/* each PID:COMM:FAULTS up to "," and the last up to " attach=" */
			q = kb->v[k];
			for (i = 0; q && i < kb->mmaps; i++) {
				last = i + 1 == kb->mmaps;
				q = user_entry(q, end, last ? " attach=" : ",", &c, &r);
				if (q && !last)
					q++;
			}
			if (!q) {
				kb->v[k] = NULL;
				break;
			}
			p = q;
		} else if (k == KB_LAST) {
			p = end;
		} else {
			p = kb->v[k] + strcspn(kb->v[k], "\n ");
			if (p > end)
				p = end;
		}
		kb->e[k] = p;
		if (k == KB_MMAPS)
			kb->mmaps = digits(kb->v[k], &q);
		if (k == KB_ATTACH)
			kb->attach = digits(kb->v[k], &q);
		if (p < end)
			p++;
	}
	if (!kb->v[KB_INO] || !kb->v[KB_SIZE])
		return false;
	kb->ino = strtoul(kb->v[KB_INO], NULL, 10);
	kb->size = strtoull(kb->v[KB_SIZE], NULL, 10);
	return true;
}

/* A field of @kb as text, "?" if it is not there. */
static int kb_len(const struct kbuf *kb, enum kbuf_field k)
{
	return kb->v[k] ? (int)(kb->e[k] - kb->v[k]) : 1;
}

static const char *kb_str(const struct kbuf *kb, enum kbuf_field k)
{
	return kb->v[k] ?: "?";
}

/* A field of @kb as JSON: a number if it is one, else a string, or null. */
static void kb_json(const struct kbuf *kb, enum kbuf_field k)
{
	const char *q;

	if (!kb->v[k])
		fputs("null", stdout);
	else if (digits(kb->v[k], &q) >= 0 && q == kb->e[k])
		printf("%lld", digits(kb->v[k], &q));
	else
		json_span(stdout, kb->v[k], kb->e[k]);
}

/* "users": [{"pid", "comm", "faults"}], from the span its parse found. */
static void kb_json_users(const struct kbuf *kb)
{
	const char *p = kb->v[KB_USERS], *end = kb->e[KB_USERS], *q, *c, *ce, *f;
	long long i;

	if (!p || kb->mmaps < 0) {
		fputs("null", stdout);
		return;
	}
	fputc('[', stdout);
	for (i = 0; i < kb->mmaps && p; i++) {
		q = user_entry(p, end, i + 1 < kb->mmaps ? "," : "", &c, &ce);
		if (!q)
			break;
		/* a forked child's mapping: "0::N" until the child faults */
		printf("%s{\"pid\": ", i ? ", " : "");
		json_num_or_null(stdout, digits(p, &f) ?: -1);
		fputs(", \"comm\": ", stdout);
		json_span(stdout, ce > c ? c : NULL, ce);
		printf(", \"faults\": %lld}", digits(ce + 1, &f));
		p = q + 1;
	}
	fputc(']', stdout);
}

/* "devices": [{"device", "dir"}]: each DEV:DIR, the device up to the last ':'. */
static void kb_json_devs(const struct kbuf *kb)
{
	const char *p = kb->v[KB_DEVS], *end = kb->e[KB_DEVS], *q, *c;
	bool first = true;

	if (!p) {
		fputs("null", stdout);
		return;
	}
	fputc('[', stdout);
	while (p < end && !(end - p == 1 && *p == '-')) {
		q = memchr(p, ',', end - p) ?: end;
		for (c = q; c > p && c[-1] != ':'; c--)
			;
		printf("%s{\"device\": ", first ? "" : ", ");
		first = false;
		json_span(stdout, p, c > p ? c - 1 : q);
		fputs(", \"dir\": ", stdout);
		json_span(stdout, c > p ? c : NULL, q);
		fputc('}', stdout);
		p = q + 1;
	}
	fputc(']', stdout);
}

/* "last": {"op", "who", "pid"}: OP:WHO:PID, the pid after the last ':'. */
static void kb_json_last(const struct kbuf *kb)
{
	const char *p = kb->v[KB_LAST], *end = kb->e[KB_LAST], *c, *l, *q;

	c = p ? memchr(p, ':', end - p) : NULL;
	for (l = end; c && l > c + 1 && l[-1] != ':'; l--)
		;
	if (!c || l <= c + 1 || digits(l, &q) < 0 || q != end) {
		fputs("null", stdout);
		return;
	}
	fputs("{\"op\": ", stdout);
	json_span(stdout, p, c);
	fputs(", \"who\": ", stdout);
	json_span(stdout, c + 1, l - 1);
	printf(", \"pid\": %lld}", digits(l, &q));
}

/* The first fd holder of @ino that named its exporter, or NULL. */
static const struct holder *holder_fdinfo(const struct holders *hs, unsigned long ino)
{
	size_t i;

	for (i = 0; i < hs->n; i++)
		if (hs->h[i].ino == ino && hs->h[i].exporter[0])
			return &hs->h[i];
	return NULL;
}

static bool held_by(const struct holders *hs, unsigned long ino, pid_t pid)
{
	size_t i;

	for (i = 0; i < hs->n; i++)
		if (hs->h[i].ino == ino && (!pid || hs->h[i].pid == pid))
			return true;
	return false;
}

#define CSV_BUFFERS_HEAD \
	"ino,heap,size,owner,cpu_depth,cpu_dir,vmap,mmaps,attach,devs,last," \
	"exporter,name,holder,pid,comm,fd,start,end,prot,pgoff\n"

/* One CSV row: the buffer's fields, then the holder's (or empty ones). */
static void csv_buffer_row(const struct kbuf *kb, const struct holder *fi,
			   const struct holder *h)
{
	static const enum kbuf_field cols[] = {
		KB_INO, KB_HEAP, KB_SIZE, KB_OWNER, KB_CPU_DEPTH, KB_CPU_DIR, KB_VMAP,
		KB_MMAPS, KB_ATTACH, KB_DEVS, KB_LAST,
	};
	char num[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cols); i++)
		csv_field(kb_str(kb, cols[i]), kb_len(kb, cols[i]), false);
	csv_str(fi ? fi->exporter : "", false);
	csv_str(fi ? fi->name : "", false);
	if (!h) {
		fputs(",,,,,,,\n", stdout);
		return;
	}
	csv_str(h->fd >= 0 ? "fd" : "map", false);
	printf("%d,", h->pid);
	csv_str(h->comm, false);
	if (h->fd >= 0) {
		printf("%d,,,,\n", h->fd);
		return;
	}
	snprintf(num, sizeof(num), ",%lx,%lx,%s,%lu", h->start, h->end, h->prot, h->pgoff);
	puts(num);
}

static void table_holder(const struct holder *h)
{
	if (h->fd >= 0)
		printf("  fd  pid=%d comm=%s fd=%d\n", h->pid, h->comm, h->fd);
	else
		printf("  map pid=%d comm=%s addr=%lx-%lx prot=%s pgoff=%lu\n",
		       h->pid, h->comm, h->start, h->end, h->prot, h->pgoff);
}

static void json_holders(const struct holders *hs, unsigned long ino, bool fds)
{
	const char *sep = "";
	bool is_fd;
	size_t i;

	fputc('[', stdout);
	for (i = 0; i < hs->n; i++) {
		const struct holder *h = &hs->h[i];

		is_fd = h->fd >= 0;
		if (h->ino != ino || is_fd != fds)
			continue;
		printf("%s{\"pid\": %d, \"comm\": ", sep, h->pid);
		json_string(stdout, h->comm);
		if (fds) {
			printf(", \"fd\": %d}", h->fd);
		} else {
			printf(", \"start\": \"0x%lx\", \"end\": \"0x%lx\"", h->start, h->end);
			printf(", \"prot\": \"%s\", \"pgoff\": %lu}", h->prot, h->pgoff);
		}
		sep = ", ";
	}
	fputc(']', stdout);
}

static void json_buffer_obj(const struct kbuf *kb, const struct holders *hs)
{
	static const enum kbuf_field fields[] = {
		KB_INO, KB_HEAP, KB_SIZE, KB_OWNER, KB_CPU_DEPTH, KB_CPU_DIR, KB_VMAP,
		KB_MMAPS, KB_ATTACH,
	};
	const struct holder *fi = holder_fdinfo(hs, kb->ino);
	unsigned int i;

	printf("{");
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		printf("%s\"%s\": ", i ? ", " : "", kbuf_keys[fields[i]]);
		kb_json(kb, fields[i]);
	}
	fputs(",\n     \"users\": ", stdout);
	kb_json_users(kb);
	fputs(", \"devices\": ", stdout);
	kb_json_devs(kb);
	fputs(", \"last\": ", stdout);
	kb_json_last(kb);
	fputs(",\n     \"exporter\": ", stdout);
	if (fi)
		json_string(stdout, fi->exporter);
	else
		fputs("null", stdout);
	fputs(", \"name\": ", stdout);
	if (fi && fi->name[0])
		json_string(stdout, fi->name);
	else
		fputs("null", stdout);
	fputs(",\n     \"fds\": ", stdout);
	json_holders(hs, kb->ino, true);
	fputs(",\n     \"maps\": ", stdout);
	json_holders(hs, kb->ino, false);
	fputs(",\n     \"line\": ", stdout);
	json_strn(stdout, kb->line, kb->len);
	fputc('}', stdout);
}

/* One line per tracked buffer, with the processes that hold or map it. */
static int buffers_list(const struct buffers_opts *o, const char *text,
			const struct holders *hs)
{
	const char *line, *nl;
	unsigned int nbuf = 0;
	struct kbuf kb;
	char cpu[64];
	size_t i;
	bool any;

	if (o->fmt == OUT_TABLE)
		printf("%8s %-12s %10s %-6s %-18s %4s %5s %6s %-24s %-24s %s\n", "INO",
		       "HEAP", "SIZE", "OWNER", "CPU", "VMAP", "MMAPS", "ATTACH", "DEVICES", "LAST",
		       "NAME");
	else if (o->fmt == OUT_CSV)
		fputs(CSV_BUFFERS_HEAD, stdout);
	else
		printf("{\n  \"schema_version\": %d,\n  \"buffers\": [", JSON_SCHEMA_VERSION);

	for (line = text; *line; line = *nl ? nl + 1 : nl) {
		const struct holder *fi;

		nl = strchrnul(line, '\n');
		if (!kbuf_parse(line, nl - line, &kb))
			continue;
		if (o->pid && !held_by(hs, kb.ino, o->pid))
			continue;
		fi = holder_fdinfo(hs, kb.ino);
		if (o->fmt == OUT_JSON) {
			printf("%s\n    ", nbuf ? "," : "");
			json_buffer_obj(&kb, hs);
			nbuf++;
			continue;
		}
		nbuf++;
		if (o->fmt == OUT_CSV) {
			any = false;
			for (i = 0; i < hs->n; i++) {
				if (hs->h[i].ino != kb.ino)
					continue;
				csv_buffer_row(&kb, fi, &hs->h[i]);
				any = true;
			}
			if (!any)
				csv_buffer_row(&kb, fi, NULL);
			continue;
		}
		/* CPU: the window depth and direction, "1:from_device" */
		snprintf(cpu, sizeof(cpu), "%.*s:%.*s",
			 kb_len(&kb, KB_CPU_DEPTH), kb_str(&kb, KB_CPU_DEPTH),
			 kb_len(&kb, KB_CPU_DIR), kb_str(&kb, KB_CPU_DIR));
		printf("%8lu %-12.*s %10llu %-6.*s %-18s %4.*s %5.*s %6.*s %-24.*s %-24.*s %s\n",
		       kb.ino, kb_len(&kb, KB_HEAP), kb_str(&kb, KB_HEAP), kb.size,
		       kb_len(&kb, KB_OWNER), kb_str(&kb, KB_OWNER), cpu,
		       kb_len(&kb, KB_VMAP), kb_str(&kb, KB_VMAP),
		       kb_len(&kb, KB_MMAPS), kb_str(&kb, KB_MMAPS),
		       kb_len(&kb, KB_ATTACH), kb_str(&kb, KB_ATTACH),
		       kb_len(&kb, KB_DEVS), kb_str(&kb, KB_DEVS),
		       kb_len(&kb, KB_LAST), kb_str(&kb, KB_LAST),
		       fi && fi->name[0] ? fi->name : "-");
		any = false;
		for (i = 0; i < hs->n; i++) {
			if (hs->h[i].ino != kb.ino)
				continue;
			table_holder(&hs->h[i]);
			any = true;
		}
		if (!any)
			printf("  (no process holds or maps it: a driver or the kernel does)\n");
	}
	if (o->fmt == OUT_JSON)
		printf("%s]\n}\n", nbuf ? "\n  " : "");
	else if (o->fmt == OUT_TABLE && !nbuf && o->pid)
		printf("no tracked buffer held or mapped by process %d\n", o->pid);
	else if (o->fmt == OUT_TABLE && !nbuf)
		printf("no tracked buffers\n");
	return EXIT_CLEAN;
}

/* The tracker's buffers: their inode numbers and sizes. */
struct tracked {
	unsigned long ino;
	unsigned long long size;
};

/* The size of dma-buf @ino: the tracker's, else what stat or fdinfo said. */
static unsigned long long buffer_size(unsigned long ino, const struct tracked *tb, size_t ntb,
				      const struct holders *hs, bool *is_tracked)
{
	unsigned long long size = 0;
	size_t i;

	*is_tracked = false;
	for (i = 0; i < ntb; i++) {
		if (tb[i].ino == ino) {
			*is_tracked = true;
			return tb[i].size;
		}
	}
	for (i = 0; i < hs->n; i++)
		if (hs->h[i].ino == ino && hs->h[i].size > size)
			size = hs->h[i].size;
	return size;
}

/* Is entry @i of @hs the first of its process for its buffer (@pid), or at all (0)? */
static bool holder_first(const struct holders *hs, size_t i, bool any_pid)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (hs->h[j].ino == hs->h[i].ino && (any_pid || hs->h[j].pid == hs->h[i].pid))
			return false;
	return true;
}

/* What one process holds and maps, every dma-buf counted. */
struct proc_total {
	pid_t pid;
	const char *comm;
	unsigned int buffers, tracked, fds, maps;
	unsigned long long bytes, pss, mapped;
};

static int proc_total_cmp(const void *a, const void *b)
{
	const struct proc_total *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void print_proc_total(const struct buffers_opts *o, const struct proc_total *p,
			     const struct holders *hs, bool first)
{
	const char *sep = "";
	size_t i;

	if (o->fmt == OUT_TABLE) {
		printf("%8d %-16s %7u %7u %5u %5u %12llu %12llu %12llu\n", p->pid, p->comm,
		       p->buffers, p->tracked, p->fds, p->maps, p->bytes, p->pss, p->mapped);
		return;
	}
	if (o->fmt == OUT_CSV) {
		printf("%d,", p->pid);
		csv_str(p->comm, false);
		printf("%u,%u,%u,%u,%llu,%llu,%llu\n", p->buffers, p->tracked, p->fds, p->maps,
		       p->bytes, p->pss, p->mapped);
		return;
	}
	printf("%s\n    {\"pid\": %d, \"comm\": ", first ? "" : ",", p->pid);
	json_string(stdout, p->comm);
	printf(", \"buffers\": %u, \"tracked\": %u, \"fds\": %u, \"maps\": %u, ",
	       p->buffers, p->tracked, p->fds, p->maps);
	printf("\"bytes\": %llu, \"pss_bytes\": %llu, \"mapped_bytes\": %llu, \"inos\": [",
	       p->bytes, p->pss, p->mapped);
	for (i = 0; i < hs->n; i++) {
		if (hs->h[i].pid != p->pid || !holder_first(hs, i, false))
			continue;
		printf("%s%lu", sep, hs->h[i].ino);
		sep = ", ";
	}
	printf("]}");
}

/*
 * Totals per process over every dma-buf it holds or maps, tracked or not,
 * as dmabuf_dump gives them: the buffers, how many of them the tracker
 * tracks, their bytes, the proportional share (each buffer's size split
 * between the processes that hold or map it), and the length of the
 * mappings.
 */
static int buffers_by_process(const struct buffers_opts *o, const struct tracked *tb,
			      size_t ntb, const struct holders *hs)
{
	unsigned long long total_bytes = 0, size;
	unsigned int np = 0, nbuf = 0, nprocs, shown = 0;
	struct proc_total *pt, zero = { 0 };
	bool is_tracked;
	size_t i, j, k;

	pt = calloc(hs->n + 1, sizeof(*pt));
	if (!pt)
		return env_error("out of memory");
	for (i = 0; i < hs->n; i++) {
		const struct holder *h = &hs->h[i];

		for (k = 0; k < np && pt[k].pid != h->pid; k++)
			;
		if (k == np) {
			pt[np].pid = h->pid;
			pt[np++].comm = h->comm;
		}
		if (h->fd >= 0) {
			pt[k].fds++;
		} else {
			pt[k].maps++;
			pt[k].mapped += h->end - h->start;
		}
		if (!holder_first(hs, i, false))
			continue;
		size = buffer_size(h->ino, tb, ntb, hs, &is_tracked);
		for (j = 0, nprocs = 0; j < hs->n; j++)
			nprocs += hs->h[j].ino == h->ino && holder_first(hs, j, false);
		pt[k].buffers++;
		pt[k].tracked += is_tracked;
		pt[k].bytes += size;
		pt[k].pss += size / (nprocs ?: 1);
		if (holder_first(hs, i, true)) {
			nbuf++;
			total_bytes += size;
		}
	}
	qsort(pt, np, sizeof(*pt), proc_total_cmp);

	if (o->fmt == OUT_TABLE)
		printf("%8s %-16s %7s %7s %5s %5s %12s %12s %12s\n", "PID", "COMM", "BUFFERS",
		       "TRACKED", "FDS", "MAPS", "BYTES", "PSS", "MAPPED");
	else if (o->fmt == OUT_CSV)
		fputs("pid,comm,buffers,tracked,fds,maps,bytes,pss_bytes,mapped_bytes\n", stdout);
	else
		printf("{\n  \"schema_version\": %d,\n  \"processes\": [", JSON_SCHEMA_VERSION);
	for (k = 0; k < np; k++) {
		if (o->pid && pt[k].pid != o->pid)
			continue;
		print_proc_total(o, &pt[k], hs, !shown++);
	}
	if (o->pid && !shown) {
		/* -p: the process exists, and holds and maps none */
		zero.pid = o->pid;
		zero.comm = o->comm;
		print_proc_total(o, &zero, hs, !shown++);
	}
	if (o->fmt == OUT_JSON)
		printf("%s]\n}\n", shown ? "\n  " : "");
	else if (o->fmt == OUT_TABLE && !o->pid)
		printf("total: %u process%s, %u buffer%s, %llu bytes\n", np, np == 1 ? "" : "es",
		       nbuf, nbuf == 1 ? "" : "s", total_bytes);
	free(pt);
	return EXIT_CLEAN;
}

static int cmd_buffers(const struct buffers_opts *o)
{
	struct holders hs = { 0 };
	struct tracked *tb = NULL;
	const char *line, *nl;
	size_t ntb = 0, n = 0;
	struct kbuf kb;
	char *text;
	int ret;

	ret = tracker_open(false);
	if (ret)
		return ret;
	ret = dho_read("buffers", &text);
	if (ret)
		return ret;
	for (line = text; *line; line = *nl ? nl + 1 : nl) {
		nl = strchrnul(line, '\n');
		n++;
	}
	tb = calloc(n + 1, sizeof(*tb));
	if (!tb) {
		free(text);
		return env_error("out of memory");
	}
	for (line = text; *line; line = *nl ? nl + 1 : nl) {
		nl = strchrnul(line, '\n');
		if (kbuf_parse(line, nl - line, &kb)) {
			tb[ntb].ino = kb.ino;
			tb[ntb++].size = kb.size;
		}
	}
	/* every process: -p shows who else holds its buffers, and shares */
	ret = scan_proc(&hs, 0);
	if (!ret && o->by_process)
		ret = buffers_by_process(o, tb, ntb, &hs);
	else if (!ret)
		ret = buffers_list(o, text, &hs);
	free(text);
	free(tb);
	free(hs.h);
	return ret;
}

/* --- reports --- */

/* What reports was asked to do. */
struct reports_opts {
	bool json;
	const char *from;		/* --from FILE ("-": standard input), or NULL */
};

/*
 * A kernel log (dmesg) prefixes each line with its time, "[    4.197062] ":
 * take it off, in place, so that the reports in it read as the ring's.
 */
static void strip_log_times(char *text)
{
	char *in = text, *out = text;
	size_t n;

	while (*in) {
		if (*in == '[') {
			n = 1 + strspn(in + 1, " 0123456789.");
			if (n > 1 && in[n] == ']')
				in += n + 1 + (in[n + 1] == ' ');
		}
		while (*in && *in != '\n')
			*out++ = *in++;
		if (*in)
			*out++ = *in++;
	}
	*out = '\0';
}

/*
 * Print the reports in the tracker's ring, or in a file (a saved copy of
 * the ring, a kernel log): as the kernel wrote them, or as JSON objects.
 */
static int cmd_reports(const struct reports_opts *o)
{
	const char *src = o->from;
	struct reports r;
	char *text;
	unsigned int i;
	int ret;

	if (src) {
		if (strcmp(src, "-"))
			ret = read_file(src, &text);
		else
			ret = read_fd(STDIN_FILENO, &text);
		if (ret)
			return path_error("cannot read", strcmp(src, "-") ? src : "standard input",
					  -ret);
		strip_log_times(text);
	} else {
		ret = tracker_open(false);
		if (!ret)
			ret = dho_read("violations", &text);
		if (ret)
			return ret;
		src = dho_dir;
	}
	ret = split_reports(text, &r);
	free(text);
	if (ret)
		return ret;
	if (o->json) {
		printf("{\n  \"schema_version\": %d,\n  \"source\": ", JSON_SCHEMA_VERSION);
		json_string(stdout, o->from ? o->from : "violations");
		printf(",\n  \"reports\": [");
		for (i = 0; i < r.n; i++) {
			printf("%s\n    ", i ? "," : "");
			json_report(stdout, r.text[i], "    ");
		}
		printf("%s]\n}\n", r.n ? "\n  " : "");
	} else if (!r.n) {
		printf("no reports in %s%s\n", src, o->from ? "" : "/violations");
	} else {
		for (i = 0; i < r.n; i++) {
			fputs(r.text[i], stdout);
			if (!*r.text[i] || r.text[i][strlen(r.text[i]) - 1] != '\n')
				putchar('\n');
		}
	}
	reports_free(&r);
	return EXIT_CLEAN;
}

/* --- trace: a private tracefs instance and its violation events --- */

/*
 * check and watch each read the violation event in a tracefs instance of
 * their own (instances/dma-heap-owner-check.PID, -watch.PID): the global
 * trace buffer and its event settings are left alone, and two of them on
 * one machine do not read each other's events.  The instance goes when
 * its reader ends; one left by a reader that was killed (SIGKILL) is
 * removed by the next, its pid being gone.
 */
#define INSTANCE_PREFIX		"dma-heap-owner-"

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

/* An instance, and what is read from its trace_pipe. */
struct tinst {
	char dir[PATH_MAX];		/* the instance, "" when there is none */
	int fd;				/* its trace_pipe, or -1 */
	long long lost;			/* events the ring buffer lost */
	char buf[8192];			/* what trace_pipe gave, up to a line */
	size_t len;
};

/* Remove the instances of checks and watches that are gone. */
static void tinst_reap(const char *instances)
{
	static const char *const kinds[] = { "check.", "watch." };
	char path[PATH_MAX];
	struct dirent *de;
	const char *p;
	long long pid;
	unsigned int i;
	DIR *d;

	d = opendir(instances);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!starts(de->d_name, INSTANCE_PREFIX))
			continue;
		p = de->d_name + strlen(INSTANCE_PREFIX);
		for (i = 0; i < ARRAY_SIZE(kinds); i++)
			if (starts(p, kinds[i]))
				break;
		if (i == ARRAY_SIZE(kinds))
			continue;
		pid = digits(p + strlen(kinds[i]), &p);
		if (pid <= 0 || pid > INT_MAX || (*p && *p != '.'))
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		mkpath(path, sizeof(path), "%s/%s", instances, de->d_name);
		rmdir(path);		/* busy if someone still reads it */
	}
	closedir(d);
}

/* Write @text to the instance's file @name; 0 or -errno. */
static int tinst_write(struct tinst *ti, const char *name, const char *text)
{
	char path[PATH_MAX];

	mkpath(path, sizeof(path), "%s/%s", ti->dir, name);
	return write_file(path, text);
}

/*
 * Make the instance instances/dma-heap-owner-@kind.PID and open its
 * trace_pipe, the violation event not enabled yet.  Returns 0, or -1 with
 * the reason in @why (tracefs or the event missing, no instance).
 */
static int tinst_open(struct tinst *ti, const char *kind, char *why, size_t whylen)
{
	char root[PATH_MAX], inst[PATH_MAX], path[PATH_MAX];
	unsigned int i;
	int ret;

	memset(ti, 0, sizeof(*ti));
	ti->fd = -1;
	if (tracefs_find(root, sizeof(root))) {
		bufprintf(why, whylen, "%s", last_error.msg);
		return -1;
	}
	mkpath(inst, sizeof(inst), "%s/instances", root);
	tinst_reap(inst);
	for (i = 0; i < 100; i++) {
		if (i)
			mkpath(path, sizeof(path), "%s/" INSTANCE_PREFIX "%s.%d.%u", inst, kind,
			       getpid(), i);
		else
			mkpath(path, sizeof(path), "%s/" INSTANCE_PREFIX "%s.%d", inst, kind,
			       getpid());
		if (!mkdir(path, 0700))
			break;
		if (errno != EEXIST) {
			bufprintf(why, whylen, "cannot create the tracefs instance %s: %s", path,
				  strerror(errno));
			return -1;
		}
	}
	if (i == 100) {
		bufprintf(why, whylen, "cannot create a tracefs instance in %s", inst);
		return -1;
	}
	snprintf(ti->dir, sizeof(ti->dir), "%s", path);
	/* wake the reader at the first event, not when the buffer is half full */
	tinst_write(ti, "buffer_percent", "0");
	/* a new instance traces; make sure, as someone may have said otherwise */
	ret = tinst_write(ti, "tracing_on", "1");
	if (ret && ret != -ENOENT) {
		bufprintf(why, whylen, "cannot switch tracing on in %s: %s", ti->dir,
			  strerror(-ret));
		return -1;
	}
	mkpath(path, sizeof(path), "%s/trace_pipe", ti->dir);
	ti->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (ti->fd < 0) {
		bufprintf(why, whylen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Enable the violation event in the instance: 0 or -1 with the reason. */
static int tinst_enable(struct tinst *ti, char *why, size_t whylen)
{
	int ret = tinst_write(ti, DHO_EVENT "/enable", "1");

	if (ret)
		bufprintf(why, whylen, "cannot enable %s/%s: %s", ti->dir, DHO_EVENT,
			  strerror(-ret));
	return ret ? -1 : 0;
}

/* Close and remove the instance, whatever happened; say if it stays. */
static void tinst_close(struct tinst *ti)
{
	if (ti->fd >= 0)
		close(ti->fd);
	ti->fd = -1;
	if (!ti->dir[0])
		return;
	tinst_write(ti, DHO_EVENT "/enable", "0");
	if (rmdir(ti->dir) && errno != ENOENT)
		fprintf(stderr, PROG ": cannot remove the tracefs instance %s: %s\n",
			ti->dir, strerror(errno));
	ti->dir[0] = '\0';
}

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

/*
 * The kernel's keys after the comm: " tgid=N seq=N ip=0xH" ending the
 * line at @t.  Returns true and fills @e if they are there.
 */
static bool event_tail(const char *t, struct vio_event *e)
{
	const char *q;
	long long tgid, seq;

	if (!starts(t, " tgid="))
		return false;
	tgid = digits(t + 6, &q);
	if (tgid < 0 || !starts(q, " seq="))
		return false;
	seq = digits(q + 5, &q);
	if (seq < 0 || !starts(q, " ip=0x") || hexdigits(q + 6, &q) < 0 || *q)
		return false;
	e->tgid = tgid;
	e->seq = seq;
	return true;
}

/*
 * Parse a trace line holding a violation event: "ino=%lu heap=%s class=%s
 * owner=%s dir=%s pgoff=%ld dev=%s pid=%d comm=%s tgid=%d seq=%llu
 * ip=0x%lx" after ": violation: ".  The keys up to comm= are the kernel's;
 * the comm is the task's (control bytes made '?', but it may hold spaces
 * and "seq="), so the last keys are taken from the end of the line.  An
 * older kernel ends the line at comm=.  Returns false if @line holds no
 * violation event.
 */
static bool parse_event(const char *line, struct vio_event *e)
{
	const char *ev, *comm, *p, *t, *end;

	memset(e, 0, sizeof(*e));
	e->pid = -1;
	e->tgid = -1;
	e->seq = -1;
	ev = strstr(line, ": violation: ino=");
	if (!ev)
		return false;
	ev += strlen(": violation: ");
	end = ev + strlen(ev);
	comm = strstr(ev, " comm=");
	if (!comm)
		comm = end;
	p = find_first(ev, comm, " class=");
	if (!p)
		return false;
	e->cls = p + 7;
	e->cls_len = strcspn(e->cls, " ");
	e->ino = strtoul(ev + 4, NULL, 10);
	p = find_first(ev, comm, " pid=");
	if (p)
		e->pid = atoi(p + 5);
	if (comm == end)
		return true;
	e->comm = comm + 6;
	e->comm_len = end - e->comm;
	t = find_last(e->comm, end, " tgid=");
	if (t && event_tail(t, e))
		e->comm_len = t - e->comm;
	return true;
}

typedef void (*line_fn)(void *arg, const char *line);

/* One line of trace_pipe, to @fn; a note of lost events is counted. */
static void tinst_line(struct tinst *ti, const char *line, line_fn fn, void *arg)
{
	const char *p;
	long long v;

	/* "CPU:%d [LOST %lu EVENTS]": longer than a comm, cannot be forged */
	if (starts(line, "CPU:") && digits(line + 4, &p) >= 0 && starts(p, " [LOST ")) {
		v = digits(p + 7, &p);
		if (v >= 0 && !strcmp(p, " EVENTS]")) {
			ti->lost += v ?: 1;
			return;
		}
	}
	fn(arg, line);
}

/*
 * Read what trace_pipe holds now and pass each line to @fn.  Returns 0,
 * or -errno if reading failed.
 */
static int tinst_read(struct tinst *ti, line_fn fn, void *arg)
{
	char *nl;
	ssize_t n;

	while (ti->fd >= 0) {
		n = read(ti->fd, ti->buf + ti->len, sizeof(ti->buf) - 1 - ti->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 && errno != EAGAIN ? -errno : 0;
		ti->len += n;
		ti->buf[ti->len] = '\0';
		while ((nl = strchr(ti->buf, '\n'))) {
			*nl = '\0';
			tinst_line(ti, ti->buf, fn, arg);
			ti->len -= nl + 1 - ti->buf;
			memmove(ti->buf, nl + 1, ti->len + 1);
		}
		if (ti->len == sizeof(ti->buf) - 1) {	/* a line longer than the buffer */
			tinst_line(ti, ti->buf, fn, arg);
			ti->len = 0;
		}
	}
	return 0;
}

/* --- check: counting CMD's own process tree --- */

/*
 * check's instance traces the violation event for CMD's pid only
 * (set_event_pid); with options/event-fork the kernel adds every task
 * CMD's tree forks, threads too, and drops those that exit.  The instance
 * sees the violations raised in the context of CMD's processes, and no
 * one else's.  check reads its trace_pipe while CMD runs, so the ring
 * buffer does not wrap however many violations CMD raises.
 */
#define TREE_MAX_EVENTS		262144

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

/*
 * Make the instance and open its trace_pipe.  If it cannot be done, @tt
 * says why and check counts system-wide only.
 */
static void tree_open(struct tree_trace *tt)
{
	int ret;

	tt->on = !tinst_open(&tt->ti, "check", tt->why, sizeof(tt->why));
	if (!tt->on)
		return;
	ret = tinst_write(&tt->ti, "options/event-fork", "1");
	if (ret) {
		bufprintf(tt->why, sizeof(tt->why), "cannot set %s/options/event-fork: %s",
			  tt->ti.dir, strerror(-ret));
		tt->on = false;
	}
}

/* Follow @pid and what it forks, and enable the event: before CMD runs. */
static void tree_start(struct tree_trace *tt, pid_t pid)
{
	char num[32];
	int ret;

	if (!tt->on)
		return;
	snprintf(num, sizeof(num), "%d", pid);
	ret = tinst_write(&tt->ti, "set_event_pid", num);
	if (ret) {
		bufprintf(tt->why, sizeof(tt->why), "cannot write %s/set_event_pid: %s",
			  tt->ti.dir, strerror(-ret));
		tt->on = false;
		return;
	}
	if (tinst_enable(&tt->ti, tt->why, sizeof(tt->why)))
		tt->on = false;
}

static void tree_event(struct tree_trace *tt, const struct tree_event *e)
{
	struct tree_event *tmp, *last = tt->nev ? &tt->ev[tt->nev - 1] : NULL;

	/* a run of one bug on one buffer is one entry */
	if (last && last->ino == e->ino && last->pid == e->pid && last->cls == e->cls &&
	    e->seq < 0)
		return;
	if (tt->nev == tt->evsize) {
		if (tt->evsize >= TREE_MAX_EVENTS)
			return;		/* reports past this are "elsewhere" */
		tt->evsize = tt->evsize ? 2 * tt->evsize : 256;
		tmp = realloc(tt->ev, tt->evsize * sizeof(*tmp));
		if (!tmp) {
			tt->evsize = tt->nev;
			return;
		}
		tt->ev = tmp;
	}
	tt->ev[tt->nev++] = *e;
}

/* One line of trace_pipe: count a violation event of a class we know. */
static void tree_line(void *arg, const char *line)
{
	struct tree_trace *tt = arg;
	struct tree_event te;
	struct vio_event e;
	unsigned int i;

	if (!parse_event(line, &e))
		return;
	for (i = 0; i < tt->classes->n; i++)
		if (strlen(tt->classes->name[i]) == e.cls_len &&
		    !strncmp(tt->classes->name[i], e.cls, e.cls_len))
			break;
	if (i == tt->classes->n)
		return;			/* not a class this kernel counts */
	tt->count[i]++;
	tt->total++;
	te.cls = i;
	te.ino = e.ino;
	te.pid = e.pid;
	te.seq = e.seq;
	tree_event(tt, &te);
}

/* Read what trace_pipe holds now. */
static void tree_read(struct tree_trace *tt)
{
	int ret = tinst_read(&tt->ti, tree_line, tt);

	if (ret && tt->on) {
		bufprintf(tt->why, sizeof(tt->why), "cannot read %s/trace_pipe: %s",
			  tt->ti.dir, strerror(-ret));
		tt->on = false;
	}
}

/* Did CMD's tree raise the violation this report is about? */
static bool tree_owns(const struct tree_trace *tt, const char *text)
{
	char cls[CLASS_LEN];
	const char *p, *end, *comm;
	long long seq = -1, tid = -1, tgid;
	unsigned long ino;
	size_t i;

	p = strstr(text, "\nviolation: #");
	if (p)
		seq = digits(p + 13, &end);
	report_class(text, cls, sizeof(cls));
	ino = report_ino(text);
	p = strstr(text, "\naccess: ");
	if (p) {
		end = strchrnul(p + 1, '\n');
		if (!access_task(p + 9, end, &comm, &tgid, &tid))
			tid = -1;
	}
	for (i = 0; i < tt->nev; i++) {
		const struct tree_event *e = &tt->ev[i];

		/* by number; an event without one, by buffer, class and thread */
		if (e->seq >= 0) {
			if (e->seq == seq)
				return true;
			continue;
		}
		if (e->ino == ino && e->pid == tid && !strcmp(tt->classes->name[e->cls], cls))
			return true;
	}
	return false;
}

/* --- check: signals --- */

/* What check passes on to CMD: a CI job's timeout sends SIGTERM. */
static const int fwd_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/*
 * Shared with the signal handler, which runs with the others blocked; the
 * main flow writes @target with them blocked too, and reads @first once
 * CMD is gone.
 */
static struct {
	int target;			/* kill() it: CMD, or -its group; 0 if none */
	int pending;			/* a signal that came before CMD did */
	int first;			/* the first signal passed on, for the result */
	int last;			/* the last one passed on, and when */
	struct timespec last_ts;
	bool tty;			/* CMD is in our terminal's foreground group */
	int wake[2];			/* SIGCHLD wakes the main loop through it */
} fwd = { .wake = { -1, -1 } };

static void fwd_handler(int sig, siginfo_t *si, void *uc)
{
	struct timespec now;
	int saved = errno;
	long long ns;
	ssize_t n;

	(void)uc;
	if (sig == SIGCHLD) {
		n = write(fwd.wake[1], "", 1);
		(void)n;
		goto out;
	}
	/* the terminal signals its foreground group: CMD had it too */
	if (fwd.tty && si->si_code == SI_KERNEL)
		goto out;
	/* timeout(1) signals its child, then its process group: pass it on once */
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (now.tv_sec - fwd.last_ts.tv_sec) * 1000000000LL + now.tv_nsec - fwd.last_ts.tv_nsec;
	if (sig == fwd.last && ns < 1000000000LL)
		goto out;
	fwd.last = sig;
	fwd.last_ts = now;
	if (!__atomic_load_n(&fwd.first, __ATOMIC_SEQ_CST))
		__atomic_store_n(&fwd.first, sig, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&fwd.target, __ATOMIC_SEQ_CST))
		kill(fwd.target, sig);
	else
		__atomic_store_n(&fwd.pending, sig, __ATOMIC_SEQ_CST);
out:
	errno = saved;
}

/*
 * The handler for the signals to pass on and for SIGCHLD; SIGPIPE
 * ignored.  @old gets what was there: CMD gets it back.
 */
#define FWD_NSIGS	(ARRAY_SIZE(fwd_sigs) + 2)

static int fwd_sig(unsigned int i)
{
	if (i < ARRAY_SIZE(fwd_sigs))
		return fwd_sigs[i];
	return i == ARRAY_SIZE(fwd_sigs) ? SIGCHLD : SIGPIPE;
}

static void fwd_install(struct sigaction *old, sigset_t *set)
{
	struct sigaction sa = { .sa_sigaction = fwd_handler };
	struct sigaction ign = { .sa_handler = SIG_IGN };
	unsigned int i;

	sigemptyset(set);
	for (i = 0; i < FWD_NSIGS - 1; i++)
		sigaddset(set, fwd_sig(i));
	sa.sa_mask = *set;
	sigemptyset(&ign.sa_mask);
	for (i = 0; i < FWD_NSIGS; i++) {
		sa.sa_flags = SA_SIGINFO | (fwd_sig(i) == SIGCHLD ? SA_NOCLDSTOP : 0);
		sigaction(fwd_sig(i), fwd_sig(i) == SIGPIPE ? &ign : &sa, &old[i]);
	}
}

static void fwd_restore(const struct sigaction *old)
{
	unsigned int i;

	for (i = 0; i < FWD_NSIGS; i++)
		sigaction(fwd_sig(i), &old[i], NULL);
}

/*
 * Is check in the foreground of a terminal?  Then CMD stays in our process
 * group, so that it can read the terminal and gets Ctrl-C from it as it
 * would alone.  Otherwise CMD gets a group of its own, and check passes
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT on to all of it, once.
 */
static bool check_tty(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (isatty(fd) && tcgetpgrp(fd) == getpgrp())
			return true;
	return false;
}

/* CMD's side of the fork: wait until it is traced, then exec. */
static void check_child(const struct check_opts *o, int go[2], int errfd,
			const sigset_t *mask, const struct sigaction *old)
{
	ssize_t n;
	char c;
	int err;

	fwd_restore(old);
	close(go[1]);
	if (!fwd.tty)
		setpgid(0, 0);
	/* if check dies (SIGKILL), CMD hears of it */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	sigprocmask(SIG_SETMASK, mask, NULL);
	do {
		n = read(go[0], &c, 1);
	} while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(127);		/* check gave up before starting it */
	if (o->fmt == FMT_TEXT || dup2(STDERR_FILENO, STDOUT_FILENO) >= 0)
		execvp(o->argv[0], o->argv);
	err = errno;
	n = write(errfd, &err, sizeof(err));
	_exit(127);
}

/* Wait for CMD, reading the trace meanwhile. */
static int check_wait(pid_t pid, int *status, struct tree_trace *tt, const sigset_t *block)
{
	struct pollfd pfd[2];
	sigset_t saved;
	char drain[64];
	pid_t r;

	for (;;) {
		sigprocmask(SIG_BLOCK, block, &saved);
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)		/* never signal a reused pid */
			__atomic_store_n(&fwd.target, 0, __ATOMIC_SEQ_CST);
		sigprocmask(SIG_SETMASK, &saved, NULL);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return env_error("waitpid: %s", strerror(errno));
		pfd[0].fd = fwd.wake[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = tt->ti.fd;
		pfd[1].events = POLLIN;
		poll(pfd, tt->ti.fd >= 0 ? 2 : 1, 200);
		while (read(fwd.wake[0], drain, sizeof(drain)) > 0)
			;
		tree_read(tt);
	}
}

/* --- check: the result --- */

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

static const char *check_verdict(const struct check_result *cr)
{
	if (cr->ret == EXIT_VIOLATIONS)
		return "violations";
	if (cr->ret == EXIT_CMD_FAILED)
		return "command_failed";
	return "clean";
}

static const char *signame(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	case SIGQUIT:
		return "SIGQUIT";
	case SIGKILL:
		return "SIGKILL";
	default:
		return "a signal";
	}
}

static void check_print_text(const struct check_result *cr)
{
	unsigned int i;

	printf("\n" PROG " check: ");
	print_cmdline(stdout, cr->o->argv);
	printf("\n");
	if (cr->o->name) {
		printf("name: ");
		print_oneline(stdout, cr->o->name);
		printf("\n");
	}
	if (cr->signal)
		printf("command: killed by signal %d (%s)\n", cr->signal, strsignal(cr->signal));
	else
		printf("command: exited with status %d\n", cr->exit_status);
	if (cr->forwarded)
		printf("signal: %s received, passed on to the command\n", signame(cr->forwarded));
	if (cr->reset)
		printf("warning: the counters were reset while the command ran\n");
	if (cr->tree)
		printf("violations: %lld by the command's processes\n", cr->total);
	else
		printf("violations: %lld system-wide (%s: %s)\n", cr->total,
		       "the command's own cannot be told apart", cr->why);
	for (i = 0; i < cr->after.n; i++)
		if (cr->delta[i])
			printf("  %-28s +%lld\n", cr->after.name[i], cr->delta[i]);
	if (cr->tree)
		printf("system-wide: %lld (%lld by other processes)\n", cr->sys_total,
		       cr->sys_total > cr->total ? cr->sys_total - cr->total : 0);
	if (cr->fresh.n) {
		printf("new reports: %u\n", cr->fresh.n);
		for (i = 0; i < cr->fresh.n; i++)
			fputs(cr->fresh.text[i], stdout);
	} else if (cr->total) {
		printf("new reports: none (the filter, or all_errors=0 and already reported)\n");
	}
	if (cr->elsewhere)
		printf("(%u new report%s of other processes not shown)\n", cr->elsewhere,
		       cr->elsewhere == 1 ? "" : "s");

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

static void json_command(const struct check_opts *o)
{
	char **a;

	printf("{\n  \"schema_version\": %d,\n", JSON_SCHEMA_VERSION);
	if (o->name) {
		printf("  \"name\": ");
		json_string(stdout, o->name);
		printf(",\n");
	}
	printf("  \"command\": [");
	for (a = o->argv; *a; a++) {
		json_string(stdout, *a);
		if (a[1])
			printf(", ");
	}
	printf("],\n");
}

static void json_classes(const struct counts *c, const long long *delta, const char *ind)
{
	unsigned int i;

	printf("{");
	for (i = 0; i < c->n; i++) {
		printf("%s\n%s  ", i ? "," : "", ind);
		json_string(stdout, c->name[i]);
		printf(": %lld", delta[i]);
	}
	printf("\n%s}", ind);
}

static void check_print_json(const struct check_result *cr)
{
	unsigned int i;

	json_command(cr->o);
	printf("  \"exit_status\": %d,\n", cr->exit_status);
	if (cr->signal)
		printf("  \"signal\": %d,\n", cr->signal);
	else
		printf("  \"signal\": null,\n");
	if (cr->forwarded)
		printf("  \"forwarded_signal\": %d,\n", cr->forwarded);
	else
		printf("  \"forwarded_signal\": null,\n");
	printf("  \"result\": \"%s\",\n", check_verdict(cr));
	printf("  \"scope\": \"%s\",\n  \"scope_reason\": ", cr->tree ? "process_tree" : "system");
	if (cr->tree)
		printf("null");
	else
		json_string(stdout, cr->why);
	printf(",\n  \"violations\": %lld,\n  \"classes\": ", cr->total);
	json_classes(&cr->after, cr->delta, "  ");
	printf(",\n  \"system\": {\n    \"violations\": %lld,\n    \"classes\": ", cr->sys_total);
	json_classes(&cr->after, cr->sys_delta, "    ");
	printf("\n  },\n  \"counters_reset\": %s,\n", cr->reset ? "true" : "false");
	printf("  \"events_lost\": %lld,\n  \"reports\": [", cr->lost);
	for (i = 0; i < cr->fresh.n; i++) {
		printf("%s\n    ", i ? "," : "");
		json_report(stdout, cr->fresh.text[i], "    ");
	}
	printf("%s],\n", cr->fresh.n ? "\n  " : "");
	printf("  \"reports_elsewhere\": %u\n}\n", cr->elsewhere);
}

/* Print @text as KTAP diagnostic lines. */
static void ktap_diag(const char *ind, const char *text)
{
	const char *nl;

	while (*text) {
		nl = strchrnul(text, '\n');
		printf("%s# %.*s\n", ind, (int)(nl - text), text);
		text = *nl ? nl + 1 : nl;
	}
}

/* The version line, and with --name the subtest's header. */
static const char *ktap_head(const struct check_opts *o)
{
	const char *ind = o->name ? "  " : "";

	printf("%sKTAP version 1\n", ind);
	if (o->name) {
		printf("%s# Subtest: ", ind);
		print_oneline(stdout, o->name);
		printf("\n");
	}
	return ind;
}

/* With --name, the subtest's result in the parent. */
static void ktap_tail(const struct check_opts *o, bool ok, const char *directive,
		      const char *msg)
{
	if (!o->name)
		return;
	printf("%s %d ", ok ? "ok" : "not ok", o->number);
	print_oneline(stdout, o->name);
	if (directive) {
		printf(" # %s ", directive);
		print_oneline(stdout, msg);
	}
	printf("\n");
}

static void check_print_ktap(const struct check_result *cr)
{
	const struct check_opts *o = cr->o;
	unsigned int i, j, fail = 0;
	char cls[CLASS_LEN];
	const char *ind;

	ind = ktap_head(o);
	printf("%s1..%u\n%s# " PROG " check: ", ind, cr->after.n + 1, ind);
	print_cmdline(stdout, o->argv);
	printf("\n");
	if (cr->tree)
		printf("%s# counted: the command's processes; system-wide %lld\n", ind,
		       cr->sys_total);
	else
		printf("%s# counted: system-wide (%s)\n", ind, cr->why);
	if (cr->forwarded)
		printf("%s# %s received, passed on to the command\n", ind, signame(cr->forwarded));
	if (cr->reset)
		printf("%s# warning: the counters were reset while the command ran\n", ind);
	for (i = 0; i < cr->after.n; i++) {
		if (!cr->delta[i]) {
			printf("%sok %u %s\n", ind, i + 1, cr->after.name[i]);
			continue;
		}
		fail++;
		printf("%s# %s: +%lld\n", ind, cr->after.name[i], cr->delta[i]);
		for (j = 0; j < cr->fresh.n; j++) {
			report_class(cr->fresh.text[j], cls, sizeof(cls));
			if (!strcmp(cls, cr->after.name[i]))
				ktap_diag(ind, cr->fresh.text[j]);
		}
		printf("%snot ok %u %s\n", ind, i + 1, cr->after.name[i]);
	}
	if (cr->signal) {
		printf("%s# command killed by signal %d\n", ind, cr->signal);
		fail++;
	} else if (cr->exit_status) {
		printf("%s# command exited with status %d\n", ind, cr->exit_status);
		fail++;
	}
	printf("%s%s %u command\n", ind, cr->exit_status ? "not ok" : "ok", cr->after.n + 1);
	printf("%s# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n", ind,
	       cr->after.n + 1 - fail, fail);
	ktap_tail(o, cr->ret == EXIT_CLEAN, NULL, NULL);
}

/*
 * check could not run CMD, or had nothing to check it with: say so in
 * the format asked for, on standard output (never empty), and on
 * standard error.  Returns @ret.
 */
static int check_print_error(const struct check_opts *o, int ret)
{
	bool skip = ret == EXIT_SKIP;
	const char *msg = last_error.msg, *ind;

	fflush(stdout);
	if (o->fmt != FMT_TEXT || !skip)
		fprintf(stderr, PROG ": %s%s\n", skip ? "SKIP: " : "", msg);
	switch (o->fmt) {
	case FMT_JSON:
		json_command(o);
		printf("  \"exit_status\": null,\n  \"result\": \"%s\",\n",
		       skip ? "skipped" : "error");
		printf("  \"error\": {\n    \"code\": ");
		json_string(stdout, last_error.code ? last_error.code : "error");
		printf(",\n    \"message\": ");
		json_string(stdout, msg);
		printf("\n  }\n}\n");
		break;
	case FMT_KTAP:
		ind = ktap_head(o);
		if (skip) {
			printf("%s1..0 # SKIP ", ind);
			print_oneline(stdout, msg);
			printf("\n");
			ktap_tail(o, true, "SKIP", msg);
			break;
		}
		printf("%s1..1\n%snot ok 1 check # ERROR ", ind, ind);
		print_oneline(stdout, msg);
		printf("\n");
		ktap_tail(o, false, NULL, NULL);
		break;
	default:
		if (skip)
			printf(PROG ": SKIP: %s\n", msg);
		break;
	}
	fflush(stdout);
	return ret;
}

/* The counters' rise, system-wide and as CMD's tree saw it; the new reports. */
static int check_tally(struct check_result *cr, struct tree_trace *tt,
		       struct reports *old, struct reports *now)
{
	unsigned int i, j;

	for (i = 0; i < cr->after.n; i++) {
		long long before = 0;

		for (j = 0; j < cr->before.n; j++)
			if (!strcmp(cr->before.name[j], cr->after.name[i]))
				before = cr->before.val[j];
		if (cr->after.val[i] < before) {
			cr->reset = true;
			before = 0;
		}
		cr->sys_delta[i] = cr->after.val[i] - before;
		cr->sys_total += cr->sys_delta[i];
	}

	cr->lost = tt->ti.lost;
	cr->tree = tt->on && !tt->ti.lost;
	if (tt->on && tt->ti.lost)
		snprintf(cr->why, sizeof(cr->why),
			 "%lld trace events were lost, the count of its own is short", tt->ti.lost);
	else if (!tt->on)
		snprintf(cr->why, sizeof(cr->why), "%s", tt->why);
	for (i = 0; i < cr->after.n; i++) {
		cr->delta[i] = cr->sys_delta[i];
		if (!cr->tree)
			goto add;
		cr->delta[i] = 0;
		for (j = 0; j < tt->classes->n; j++)
			if (!strcmp(tt->classes->name[j], cr->after.name[i]))
				cr->delta[i] = tt->count[j];
add:
		cr->total += cr->delta[i];
	}

	/* new reports: compare by content (each carries its number) */
	cr->fresh.text = calloc(now->n ?: 1, sizeof(char *));
	if (!cr->fresh.text)
		return env_error("out of memory");
	for (i = 0; i < now->n; i++) {
		if (reports_has(old, now->text[i]))
			continue;
		if (cr->tree && !tree_owns(tt, now->text[i])) {
			cr->elsewhere++;
			continue;
		}
		cr->fresh.text[cr->fresh.n++] = now->text[i];
		now->text[i] = NULL;
	}

	if (cr->total)
		cr->ret = EXIT_VIOLATIONS;
	else if (cr->exit_status)
		cr->ret = EXIT_CMD_FAILED;
	else
		cr->ret = EXIT_CLEAN;
	return 0;
}

static int cmd_check(const struct check_opts *o)
{
	struct sigaction old_sa[FWD_NSIGS];
	struct check_result *cr;
	struct reports old = { 0 }, now = { 0 };
	struct tree_trace *tt = NULL;
	int go[2] = { -1, -1 }, errp[2] = { -1, -1 };
	int status = 0, err = 0, ret, i;
	bool installed = false;
	sigset_t block, mask, run;
	ssize_t n = 0;
	pid_t pid;

	last_error.defer = true;
	cr = calloc(1, sizeof(*cr));
	tt = calloc(1, sizeof(*tt));
	if (!cr || !tt) {
		ret = env_error("out of memory");
		goto out;
	}
	cr->o = o;
	tt->ti.fd = -1;
	tt->classes = &cr->before;
	if (pipe2(fwd.wake, O_CLOEXEC | O_NONBLOCK)) {
		ret = env_error("pipe: %s", strerror(errno));
		goto out;
	}
	/*
	 * From here a signal to pass on waits for CMD: until the fork it is
	 * noted, then blocked until the child can take it before its exec.
	 */
	fwd_install(old_sa, &block);
	/* CMD gets the mask we got; we take the signals we handle, even if blocked */
	sigprocmask(SIG_UNBLOCK, &block, &mask);
	sigprocmask(SIG_BLOCK, NULL, &run);
	installed = true;
	ret = tracker_open(true);
	if (!ret)
		ret = read_counts(&cr->before);
	if (!ret)
		ret = read_reports(&old);
	if (ret)
		goto out;

	if (pipe2(go, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		ret = env_error("pipe: %s", strerror(errno));
		goto out;
	}
	sigprocmask(SIG_BLOCK, &block, NULL);
	fwd.tty = check_tty();
	tree_open(tt);

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		ret = env_error("fork: %s", strerror(errno));
		goto out;
	}
	if (!pid)
		check_child(o, go, errp[1], &mask, old_sa);
	close(go[0]);
	close(errp[1]);
	go[0] = -1;
	errp[1] = -1;
	if (!fwd.tty)
		setpgid(pid, pid);
	__atomic_store_n(&fwd.target, fwd.tty ? pid : -pid, __ATOMIC_SEQ_CST);
	if (fwd.pending)	/* CMD dies before its exec, as it would have */
		kill(fwd.target, fwd.pending);
	tree_start(tt, pid);
	n = write(go[1], "g", 1);
	close(go[1]);
	go[1] = -1;
	sigprocmask(SIG_SETMASK, &run, NULL);

	do {
		n = read(errp[0], &err, sizeof(err));
	} while (n < 0 && errno == EINTR);
	ret = check_wait(pid, &status, tt, &block);
	if (ret)
		goto out;
	tree_read(tt);
	tinst_close(&tt->ti);
	if (n == sizeof(err)) {
		ret = env_error("cannot run '%s': %s", o->argv[0], strerror(err));
		goto out;
	}

	if (WIFSIGNALED(status)) {
		cr->signal = WTERMSIG(status);
		cr->exit_status = 128 + cr->signal;
	} else {
		cr->exit_status = WEXITSTATUS(status);
	}
	cr->forwarded = __atomic_load_n(&fwd.first, __ATOMIC_SEQ_CST);

	ret = read_counts(&cr->after);
	if (!ret)
		ret = read_reports(&now);
	if (!ret)
		ret = check_tally(cr, tt, &old, &now);
	if (ret)
		goto out;

	switch (o->fmt) {
	case FMT_JSON:
		check_print_json(cr);
		break;
	case FMT_KTAP:
		check_print_ktap(cr);
		break;
	default:
		check_print_text(cr);
		break;
	}
	fflush(stdout);
	ret = cr->ret;

out:
	if (ret != EXIT_CLEAN && ret != EXIT_VIOLATIONS && ret != EXIT_CMD_FAILED)
		check_print_error(o, ret);
	if (tt) {
		tinst_close(&tt->ti);
		free(tt->ev);
		free(tt);
	}
	if (installed) {
		__atomic_store_n(&fwd.target, 0, __ATOMIC_SEQ_CST);
		fwd_restore(old_sa);
		sigprocmask(SIG_SETMASK, &mask, NULL);
	}
	for (i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (fwd.wake[i] >= 0)
			close(fwd.wake[i]);
		fwd.wake[i] = -1;
	}
	reports_free(&old);
	reports_free(&now);
	if (cr)
		reports_free(&cr->fresh);
	free(cr);
	last_error.defer = false;
	return ret;
}

/* --- watch --- */

/*
 * watch reads the violation event in its own tracefs instance
 * (instances/dma-heap-owner-watch.PID), so that the global trace buffer
 * and its settings are left alone, and prints each event followed by its
 * report.  An event's seq= is its report's number ("violation: #N"): the
 * kernel traces a violation, then writes its report to the ring, in the
 * same task.  An event waits for its report until the ring has it; it has
 * none (all_errors, the filter) once a later event of the same thread came
 * (that thread's reports before it are in the ring by then), or after
 * WATCH_WAIT_MS.  Events are printed in the order they came.
 */
#define WATCH_WAIT_MS		2000
#define WATCH_MAX_QUEUE		4096

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

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* An event waiting for its report. */
struct watch_event {
	char *line;			/* as trace_pipe gave it */
	long long seq;			/* its report's number, -1 if none */
	long long pid;			/* the thread that raised it */
	long long when;			/* now_ms() when it was read */
};

struct watch_state {
	struct watch_event q[WATCH_MAX_QUEUE];	/* in the order they came */
	unsigned int head, n;
	long long lost;			/* lost events already said */
};

/* The number of a report, "violation: #N", or -1. */
static long long report_seq(const char *text)
{
	const char *p = strstr(text, "\nviolation: #");

	return p ? digits(p + 13, &p) : -1;
}

/* Print @line with its control bytes as '?': a line of its own. */
static void print_line(const char *line)
{
	print_oneline(stdout, line);
	putchar('\n');
}

/* Why an event has no report, from the knobs that decide it. */
static void watch_no_report(long long seq)
{
	char *all = NULL, *filter = NULL;

	last_error.defer = true;
	if (dho_read("all_errors", &all) || dho_read("filter", &filter)) {
		printf("  (no report for violation #%lld in the ring)\n", seq);
	} else {
		all[strcspn(all, "\n")] = '\0';
		filter[strcspn(filter, "\n")] = '\0';
		printf("  (no report for violation #%lld in the ring: all_errors=", seq);
		print_oneline(stdout, all);
		printf(", filter=");
		print_oneline(stdout, *filter ? filter : "-");
		if (!atoi(all))
			printf("; all_errors=0 reports the first of a class on a buffer");
		printf(")\n");
	}
	last_error.defer = false;
	free(all);
	free(filter);
}

/* Print the events whose report came, or that will have none, in order. */
static void watch_flush(struct watch_state *ws, bool all)
{
	struct watch_event *e, *later;
	struct reports r = { 0 };
	unsigned int i, j;
	bool done;

	if (!ws->n)
		return;
	last_error.defer = true;	/* a ring that cannot be read has no reports */
	if (read_reports(&r))
		r.n = 0;
	last_error.defer = false;
	while (ws->n) {
		e = &ws->q[ws->head];
		for (i = 0; e->seq >= 0 && i < r.n; i++)
			if (report_seq(r.text[i]) == e->seq)
				break;
		done = e->seq < 0 || i < r.n || all || now_ms() - e->when >= WATCH_WAIT_MS;
		for (j = 1; !done && j < ws->n; j++) {
			later = &ws->q[(ws->head + j) % WATCH_MAX_QUEUE];
			done = e->pid >= 0 && later->pid == e->pid;
		}
		if (!done)
			break;
		print_line(e->line);
		if (e->seq < 0)
			printf("  (the event has no seq=: no report can be matched to it)\n");
		else if (i < r.n)
			fputs(r.text[i], stdout);
		else
			watch_no_report(e->seq);
		free(e->line);
		ws->head = (ws->head + 1) % WATCH_MAX_QUEUE;
		ws->n--;
	}
	reports_free(&r);
	fflush(stdout);
}

/* One line of trace_pipe: queue a violation event. */
static void watch_line(void *arg, const char *line)
{
	struct watch_state *ws = arg;
	struct watch_event *e;
	struct vio_event ev;

	if (!parse_event(line, &ev))
		return;
	if (ws->n == WATCH_MAX_QUEUE)
		watch_flush(ws, true);
	e = &ws->q[(ws->head + ws->n) % WATCH_MAX_QUEUE];
	e->line = strdup(line);
	if (!e->line)
		return;
	e->seq = ev.seq;
	e->pid = ev.pid;
	e->when = now_ms();
	ws->n++;
}

/* Read a 0/1 file; -1 if it cannot be read. */
static int read_flag(const char *path)
{
	char *text;
	int v;

	if (read_file(path, &text))
		return -1;
	v = atoi(text);
	free(text);
	return v;
}

static int cmd_watch(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
	struct sigaction sa = { .sa_handler = watch_signal };
	char why[400], path[PATH_MAX], tracing_on[PATH_MAX];
	struct watch_state *ws = NULL;
	struct tinst *ti;
	long long checked = 0;
	int ret, off = 0, v;
	unsigned int i;

	ret = tracker_open(true);
	if (ret)
		return ret;
	ti = calloc(1, sizeof(*ti));
	ws = calloc(1, sizeof(*ws));
	if (!ti || !ws) {
		free(ti);
		free(ws);
		return env_error("out of memory");
	}
	/* the handlers first: a signal from here on removes the instance */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);

	if (tinst_open(ti, "watch", why, sizeof(why)) || tinst_enable(ti, why, sizeof(why))) {
		ret = env_error("cannot trace violations: %s", why);
		goto out;
	}
	mkpath(tracing_on, sizeof(tracing_on), "%s/tracing_on", ti->dir);
	mkpath(path, sizeof(path), "%s/disabled", dho_dir);
	fprintf(stderr, PROG ": watching for violations (tracefs instance %s); %s\n",
		ti->dir, "stop with Ctrl-C");

	while (!watch_stopped()) {
		struct pollfd pfd = { .fd = ti->fd, .events = POLLIN };

		/* a timeout, so that a signal between the test and poll() is not lost */
		poll(&pfd, 1, 200);
		ret = tinst_read(ti, watch_line, ws);
		if (ret) {
			ret = env_error("cannot read %s/trace_pipe: %s", ti->dir, strerror(-ret));
			break;
		}
		if (ti->lost > ws->lost) {
			watch_flush(ws, true);
			printf("(%lld violation events lost: the trace buffer overflowed)\n",
			       ti->lost - ws->lost);
			ws->lost = ti->lost;
		}
		watch_flush(ws, false);
		if (ferror(stdout))
			break;
		if (now_ms() - checked < 1000)
			continue;
		/* once a second: is there still something to watch? */
		checked = now_ms();
		if (read_flag(tracing_on) == 0) {
			ret = env_error("tracing was switched off in %s: no event can come",
					ti->dir);
			break;
		}
		v = read_flag(path);
		if (v >= 0 && v != off)
			fprintf(stderr, PROG ": tracking %s\n",
				v ? "was switched off: no violations are seen until it is on" :
				    "is on again");
		off = v >= 0 ? v : off;
	}
	watch_flush(ws, true);
out:
	tinst_close(ti);
	while (ws->n) {
		free(ws->q[ws->head].line);
		ws->head = (ws->head + 1) % WATCH_MAX_QUEUE;
		ws->n--;
	}
	free(ws);
	free(ti);
	return ret;
}

/* --- main --- */

/* --name: a KTAP test's description, which cannot hold '#' */
static int check_name_ok(const char *name)
{
	const char *p;

	if (!*name)
		return usage_error("--name: empty");
	for (p = name; *p; p++)
		if (*p == '#' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return usage_error("--name: no '#' or control characters in a test name");
	return 0;
}

/* The long name of option @c, for a message. */
static const char *opt_name(const struct option *opts, int c)
{
	for (; opts->name; opts++)
		if (opts->val == c)
			return opts->name;
	return "?";
}

int main(int argc, char **argv)
{
	enum { OPT_NAME = 256, OPT_NUMBER, OPT_FROM, OPT_BY_PROCESS };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "ktap", no_argument, NULL, 'k' },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "number", required_argument, NULL, OPT_NUMBER },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "by-process", no_argument, NULL, OPT_BY_PROCESS },
		{ "pid", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ }
	};
	/* each command's options, by their getopt value */
	static const struct {
		const char *name;
		int opts[4];
	} cmds[] = {
		{ "status", { 0 } },
		{ "buffers", { OPT_BY_PROCESS, 'p', 'o' } },
		{ "check", { 'j', 'k', OPT_NAME, OPT_NUMBER } },
		{ "reports", { 'j', OPT_FROM } },
		{ "watch", { 0 } },
	};
	struct check_opts co = { .fmt = FMT_TEXT, .number = 1 };
	struct reports_opts ro = { 0 };
	struct buffers_opts bo = { .fmt = OUT_TABLE };
	bool numbered = false;
	const char *cmd;
	unsigned int i, k;
	char *end;
	long num;
	int c;

	/* global options, up to the command */
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c != 'h')
			return c == '?' ? usage() :
			       usage_error("--%s is an option of a command", opt_name(opts, c));
		fputs(help_text, stdout);
		return EXIT_CLEAN;
	}
	if (optind >= argc)
		return usage_error("no command given");
	cmd = argv[optind];
	if (!strcmp(cmd, "help")) {
		fputs(help_text, stdout);
		return EXIT_CLEAN;
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmd, cmds[i].name))
			break;
	if (i == ARRAY_SIZE(cmds))
		return usage_error("unknown command '%s'", cmd);

	/* the command's options; stop at CMD for check */
	argc -= optind;
	argv += optind;
	optind = 0;
	while ((c = getopt_long(argc, argv, "+hjkp:o:", opts, NULL)) != -1) {
		if (c == '?')
			return usage();
		for (k = 0; c != 'h' && k < ARRAY_SIZE(cmds[i].opts); k++)
			if (cmds[i].opts[k] == c)
				break;
		if (c != 'h' && k == ARRAY_SIZE(cmds[i].opts))
			return usage_error("%s: --%s is not one of its options", cmd,
					   opt_name(opts, c));
		switch (c) {
		case 'h':
			fputs(help_text, stdout);
			return EXIT_CLEAN;
		case 'j':
		case 'k':
			if (co.fmt != FMT_TEXT)
				return usage_error("--json and --ktap exclude each other");
			co.fmt = c == 'j' ? FMT_JSON : FMT_KTAP;
			ro.json = true;
			break;
		case OPT_NAME:
			if (check_name_ok(optarg))
				return EXIT_ENV;
			co.name = optarg;
			break;
		case OPT_NUMBER:
			errno = 0;
			num = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || num < 1 || num > INT_MAX)
				return usage_error("--number: '%s' is not a test number", optarg);
			co.number = num;
			numbered = true;
			break;
		case OPT_FROM:
			if (!*optarg)
				return usage_error("--from: no file named");
			ro.from = optarg;
			break;
		case OPT_BY_PROCESS:
			bo.by_process = true;
			break;
		case 'p':
			if (buffers_pid(optarg, &bo))
				return EXIT_ENV;
			break;
		case 'o':
			if (!strcmp(optarg, "table"))
				bo.fmt = OUT_TABLE;
			else if (!strcmp(optarg, "csv"))
				bo.fmt = OUT_CSV;
			else if (!strcmp(optarg, "json"))
				bo.fmt = OUT_JSON;
			else
				return usage_error("-o: unknown format '%s' (table, csv or json)",
						   optarg);
			break;
		}
	}
	argc -= optind;
	argv += optind;

	if (!strcmp(cmd, "check")) {
		if (numbered && !co.name)
			return usage_error("check: --number goes with --name");
		if (!argc)
			return usage_error("check: no command to run");
		co.argv = argv;
		return cmd_check(&co);
	}
	if (argc)
		return usage_error("%s: unexpected argument '%s'", cmd, argv[0]);
	if (!strcmp(cmd, "status"))
		return cmd_status();
	if (!strcmp(cmd, "buffers"))
		return cmd_buffers(&bo);
	if (!strcmp(cmd, "reports"))
		return cmd_reports(&ro);
	return cmd_watch();
}
