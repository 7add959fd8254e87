// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner watch: violations live, each followed by its report.
 *
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
#define _GNU_SOURCE
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "common.h"
#include "trace.h"

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

int cmd_watch(void)
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
