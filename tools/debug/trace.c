// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner: a private tracefs instance and its violation events.
 *
 * check and watch each read the violation event in a tracefs instance of
 * their own (instances/dma-heap-owner-check.PID, -watch.PID): the global
 * trace buffer and its event settings are left alone, and two of them on
 * one machine do not read each other's events.  The instance goes when
 * its reader ends; one left by a reader that was killed (SIGKILL) is
 * removed by the next, its pid being gone.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common.h"
#include "trace.h"

#define TRACEFS_DEFAULT		"/sys/kernel/tracing"
#define TRACEFS_LEGACY		"/sys/kernel/debug/tracing"
#define DHO_EVENT		"events/dma_heap_owner/violation"

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
int tinst_write(struct tinst *ti, const char *name, const char *text)
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
int tinst_open(struct tinst *ti, const char *kind, char *why, size_t whylen)
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
int tinst_enable(struct tinst *ti, char *why, size_t whylen)
{
	int ret = tinst_write(ti, DHO_EVENT "/enable", "1");

	if (ret)
		bufprintf(why, whylen, "cannot enable %s/%s: %s", ti->dir, DHO_EVENT,
			  strerror(-ret));
	return ret ? -1 : 0;
}

/* Close and remove the instance, whatever happened; say if it stays. */
void tinst_close(struct tinst *ti)
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
bool parse_event(const char *line, struct vio_event *e)
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
int tinst_read(struct tinst *ti, line_fn fn, void *arg)
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
