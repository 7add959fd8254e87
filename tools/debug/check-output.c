// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner check: the result, as text, JSON or KTAP, and what check
 * prints when it cannot run CMD or has nothing to check it with.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "commands.h"
#include "common.h"
#include "report.h"

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

void check_print_text(const struct check_result *cr)
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

void check_print_json(const struct check_result *cr)
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

void check_print_ktap(const struct check_result *cr)
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
int check_print_error(const struct check_opts *o, int ret)
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
