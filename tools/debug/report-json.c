// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner: a report's fields, for JSON.  The report is parsed from
 * its text, as the kernel wrote it (see "Reading a report" in
 * Documentation/dma-buf-heaps/owner-debug.rst).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "common.h"
#include "report.h"

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

/* The lines of a report, and what each holds. */
#define REPORT_MAX_LINES	256
/* an owner's transition from userspace, named by its ioctl's user ip */
#define SYNC_IP			"DMA_BUF_IOCTL_SYNC at user ip "
#define ALLOC_IP		"DMA_HEAP_IOCTL_ALLOC at user ip "
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
	int title, what, seq, buffer, access, ip, vmapped, owner, sync, alloc;
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
	rl->alloc = -1;
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
			    starts(s, SYNC_IP)) {
				rl->sync = i;
				continue;
			}
			if (rl->block[rl->nblocks - 1].kind == BLK_OWNER &&
			    starts(s, ALLOC_IP)) {
				rl->alloc = i;
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
const char *access_task(const char *a, const char *end, const char **comm,
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

/* the address after @skip characters of line @i ("... at user ip "), or null */
static void json_user_ip(FILE *f, const struct report_lines *rl, int i, size_t skip)
{
	const char *p = NULL, *q;

	if (i >= 0) {
		p = rl->line[i] + strspn(rl->line[i], " ") + skip;
		if (hexdigits(p, &q) < 0 || q != line_end(rl, i))
			p = NULL;
	}
	if (p)
		json_hex(f, p, q);
	else
		fputs("null", f);
}

/*
 * "owner": "none (cpu windows 0, vmap 1) since alloc by dho-client tgid
 * 55 tid 55 at 4.195691s:", where the owner's name and the transition's
 * come from the kernel, and who made it (a comm, or a device, which has
 * no ids) sits between " by " and the last " at ".  The transition of a
 * SYNC from userspace has no kernel stack: its user ip is "sync_ip"; nor
 * has an allocation from userspace: its user ip is "alloc_ip".
 */
static void json_owner(FILE *f, const struct report_lines *rl)
{
	const char *o, *end, *p, *by, *at, *ids;
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
	json_user_ip(f, rl, rl->sync, strlen(SYNC_IP));
	fputs(", \"alloc_ip\": ", f);
	json_user_ip(f, rl, rl->alloc, strlen(ALLOC_IP));
	fputc('}', f);
}

/*
 * One report as a JSON object, parsed from its text (see "Reading a
 * report" in Documentation/dma-buf-heaps/owner-debug.rst).  Every field is
 * there, null when the report does not have it; "text" is the report as
 * the kernel wrote it.  @ind indents the object's lines.
 */
void json_report(FILE *f, const char *text, const char *ind)
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
