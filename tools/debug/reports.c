// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner reports: the reports in the tracker's ring or in a saved
 * log, as the kernel wrote them or as JSON.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "common.h"
#include "report.h"

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
int cmd_reports(const struct reports_opts *o)
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
