/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dma-heap-owner: a report's fields, parsed from its text and written as
 * JSON (report-json.c).
 */
#ifndef DHO_REPORT_H
#define DHO_REPORT_H

#include <stdio.h>

const char *access_task(const char *a, const char *end, const char **comm,
			long long *tgid, long long *tid);
void json_report(FILE *f, const char *text, const char *ind);

#endif /* DHO_REPORT_H */
