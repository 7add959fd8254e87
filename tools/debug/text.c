// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner: the kernel's text, scanned (numbers, spans), and written
 * back out as JSON or on one line.  What the kernel prints may hold names
 * a task chose: nothing here trusts it to be well formed.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

/* A JSON string of @n bytes: escape quotes, backslashes and controls; keep UTF-8 valid. */
void json_strn(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	fputc('"', f);
	while (p < end) {
		unsigned int need = 0, i;

		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
			continue;
		}
		if (*p == '\n' || *p == '\t') {
			fputs(*p == '\n' ? "\\n" : "\\t", f);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\u%04x", *p++);
			continue;
		}
		if (*p < 0x80) {
			fputc(*p++, f);
			continue;
		}
		/* a valid UTF-8 sequence is copied, anything else is U+FFFD */
		if (*p >= 0xc2 && *p <= 0xdf)
			need = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			need = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			need = 3;
		if (need >= (size_t)(end - p))
			need = 0;
		for (i = 1; need && i <= need; i++)
			if ((p[i] & 0xc0) != 0x80)
				need = 0;
		if (need == 2 && ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f)))
			need = 0;
		if (need == 3 && ((p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f)))
			need = 0;
		if (!need) {
			fputs("\\ufffd", f);
			p++;
			continue;
		}
		fwrite(p, 1, need + 1, f);
		p += need + 1;
	}
	fputc('"', f);
}

void json_string(FILE *f, const char *s)
{
	json_strn(f, s, strlen(s));
}

/* The command line on one line: words joined by spaces, controls as '?'. */
void print_cmdline(FILE *f, char **argv)
{
	const char *p;

	for (; *argv; argv++) {
		for (p = *argv; *p; p++)
			fputc((unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p, f);
		if (argv[1])
			fputc(' ', f);
	}
}

/* @s on one line, controls as '?': for a KTAP line. */
void print_oneline(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* Does @s start with @prefix? */
bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* A decimal number of @s's digits at @p, or -1; its end in @end. */
long long digits(const char *p, const char **end)
{
	long long v = 0;

	if (!isdigit((unsigned char)*p)) {
		*end = p;
		return -1;
	}
	while (isdigit((unsigned char)*p) && v < LLONG_MAX / 10)
		v = v * 10 + (*p++ - '0');
	*end = p;
	return v;
}

/*
 * The hexadecimal digits at @p, at most 16 of them, or -1 if there is
 * none; their end in @end.  Values are at most 2^64 - 1: the caller
 * prints the digits themselves where a value may not fit a long long.
 */
long long hexdigits(const char *p, const char **end)
{
	unsigned long long v = 0;
	const char *s = p;

	while (isxdigit((unsigned char)*p) && p - s < 16) {
		v = v * 16 + (isdigit((unsigned char)*p) ? *p - '0' :
			      tolower((unsigned char)*p) - 'a' + 10);
		p++;
	}
	*end = p;
	if (p == s || isxdigit((unsigned char)*p))
		return -1;
	return v > LLONG_MAX ? LLONG_MAX : (long long)v;
}

/* The last @needle in [@s, @end), or NULL. */
const char *find_last(const char *s, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	const char *p, *found = NULL;

	for (p = s; p < end && (p = memmem(p, end - p, needle, n)); p++)
		found = p;
	return found;
}

/* The first @needle in [@s, @end), or NULL. */
const char *find_first(const char *s, const char *end, const char *needle)
{
	return s < end ? memmem(s, end - s, needle, strlen(needle)) : NULL;
}

/*
 * The seconds at @p ("4.197062", as the kernel prints a time) as a JSON
 * number, or null.
 */
void json_seconds(FILE *f, const char *p)
{
	size_t whole = strspn(p, "0123456789"), frac = 0;

	if (p[whole] == '.')
		frac = strspn(p + whole + 1, "0123456789");
	if (!whole || (p[whole] == '.' && !frac)) {
		fputs("null", f);
		return;
	}
	/* JSON has no leading zeros */
	while (whole > 1 && *p == '0') {
		p++;
		whole--;
	}
	fwrite(p, 1, whole + (frac ? frac + 1 : 0), f);
}

void json_num_or_null(FILE *f, long long v)
{
	if (v < 0)
		fputs("null", f);
	else
		fprintf(f, "%lld", v);
}

/* [@s, @end) as a JSON string, or null if @s is NULL. */
void json_span(FILE *f, const char *s, const char *end)
{
	if (!s || end < s)
		fputs("null", f);
	else
		json_strn(f, s, end - s);
}

/* "0x" and the hex digits at [@s, @end), as a JSON string. */
void json_hex(FILE *f, const char *s, const char *end)
{
	fputs("\"0x", f);
	fwrite(s, 1, end - s, f);
	fputc('"', f);
}
