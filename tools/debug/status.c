// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner status: tracking on or off, whether kernel accesses through
 * the vmap alias are watched, the counters, the buffers tracked, the reports
 * kept, and the settings.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "common.h"

int cmd_status(void)
{
	char path[PATH_MAX], *text, *p;
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

	/* a tracker older than the file watches the alias on x86 only */
	mkpath(path, sizeof(path), "%s/vmap_alias", dho_dir);
	ret = read_file(path, &text);
	if (ret && ret != -ENOENT)
		return path_error("cannot read", path, -ret);
	if (ret) {
		printf("vmap alias:      unknown (no vmap_alias file)\n");
	} else {
		text[strcspn(text, "\n")] = '\0';
		printf("vmap alias:      %s\n", text);
		free(text);
	}

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
