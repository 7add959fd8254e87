// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner check: counting the violations of CMD's own process tree.
 *
 * check's instance traces the violation event for CMD's pid only
 * (set_event_pid); with options/event-fork the kernel adds every task
 * CMD's tree forks, threads too, and drops those that exit.  The instance
 * sees the violations raised in the context of CMD's processes, and no
 * one else's.  check reads its trace_pipe while CMD runs, so the ring
 * buffer does not wrap however many violations CMD raises.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common.h"
#include "report.h"
#include "trace.h"

#define TREE_MAX_EVENTS		262144

/*
 * Make the instance and open its trace_pipe.  If it cannot be done, @tt
 * says why and check counts system-wide only.
 */
void tree_open(struct tree_trace *tt)
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
void tree_start(struct tree_trace *tt, pid_t pid)
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
void tree_read(struct tree_trace *tt)
{
	int ret = tinst_read(&tt->ti, tree_line, tt);

	if (ret && tt->on) {
		bufprintf(tt->why, sizeof(tt->why), "cannot read %s/trace_pipe: %s",
			  tt->ti.dir, strerror(-ret));
		tt->on = false;
	}
}

/* Did CMD's tree raise the violation this report is about? */
bool tree_owns(const struct tree_trace *tt, const char *text)
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
