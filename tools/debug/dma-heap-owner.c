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
 * Build: make -C tools/debug.  This file has the manual and the command
 * line; each command is in a file of its own (status.c, buffers.c,
 * reports.c, check.c, watch.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

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
	"              \"owner\" {\"state\", \"cpu_windows\", \"vmaps\", \"since\", \"by\", \"tgid\",\n"
	"              \"tid\", \"time\", \"sync_ip\", \"alloc_ip\"}, \"stacks\" {\"owner\":\n"
	"              [FRAME, ...], \"offending\" or \"seen_at\": [FRAME, ...]} and\n"
	"              \"text\", the report as written.  Addresses are strings\n"
	"              (\"0x7f...\"), sizes and offsets numbers; comms are as the kernel\n"
	"              escaped them.  A field the report lacks is null (an empty array\n"
	"              for a stack).  When check skips or fails before CMD ran:\n"
	"              \"result\" is \"skipped\" or \"error\", \"exit_status\" null, and\n"
	"              \"error\" {\"code\", \"message\"}, the code one of no_debugfs,\n"
	"              no_tracker, tracking_disabled, permission_denied, error.\n"
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
