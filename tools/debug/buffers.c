// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner buffers: the tracker's buffers joined with the processes
 * that hold or map them, as a table, CSV or JSON; or, with --by-process,
 * the totals of each process.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"
#include "proc.h"

/*
 * -p PID: a process that exists.  A thread's id names its process.  Says
 * what is wrong; returns 0 or EXIT_ENV.
 */
int buffers_pid(const char *arg, struct buffers_opts *o)
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

int cmd_buffers(const struct buffers_opts *o)
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
