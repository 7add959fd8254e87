// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner: errors (of usage, of the environment, nothing to check),
 * and the paths and files everything reads.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

struct last_error last_error;

static const char usage_text[] =
	"usage: " PROG " [--help] COMMAND [ARGS]\n"
	"       " PROG " status\n"
	"       " PROG " buffers [--by-process] [-p PID] [-o table|csv|json]\n"
	"       " PROG " check [--json|--ktap] [--name NAME [--number N]] [--] CMD [ARGS...]\n"
	"       " PROG " reports [--json] [--from FILE]\n"
	"       " PROG " watch\n";

/* After getopt_long() said what was wrong, or after usage_error(). */
int usage(void)
{
	fputs(usage_text, stderr);
	fputs("Try '" PROG " --help' for more information.\n", stderr);
	return EXIT_ENV;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return usage();
}

static int verror(int ret, const char *code, const char *fmt, va_list ap)
{
	vsnprintf(last_error.msg, sizeof(last_error.msg), fmt, ap);
	last_error.code = code;
	if (!last_error.defer)
		fprintf(stderr, PROG ": %s\n", last_error.msg);
	return ret;
}

/* An environment error: says why, returns EXIT_ENV. */
int env_error(const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = verror(EXIT_ENV, "error", fmt, ap);
	va_end(ap);
	return ret;
}

/* Nothing to check (no debugfs, no tracker, tracking off): EXIT_SKIP. */
int skip_error(const char *code, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = verror(EXIT_SKIP, code, fmt, ap);
	va_end(ap);
	return ret;
}

/* The message for failing to reach @path with errno @err. */
int path_error(const char *what, const char *path, int err)
{
	int ret;

	if (err != EACCES && err != EPERM)
		return env_error("%s %s: %s", what, path, strerror(err));
	ret = env_error("%s %s: %s (debugfs and tracefs need root)", what, path,
			strerror(err));
	last_error.code = "permission_denied";
	return ret;
}

/*
 * snprintf() for paths.  The roots are checked to leave room for what is
 * appended, so this cannot truncate; if it did, the path would not exist.
 */
void mkpath(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		buf[0] = '\0';
}

/* snprintf() into @buf, where a long argument may be cut short. */
void bufprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/*
 * Read what @fd holds, to its end.  Returns 0 and a NUL-terminated buffer
 * the caller frees, or -errno.
 */
int read_fd(int fd, char **out)
{
	size_t len = 0, size = 4096;
	char *buf, *tmp;
	ssize_t n;

	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (size - len < 2) {
			size *= 2;
			tmp = realloc(buf, size);
			if (!tmp) {
				free(buf);
				return -ENOMEM;
			}
			buf = tmp;
		}
		n = read(fd, buf + len, size - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			free(buf);
			return n;
		}
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/*
 * Read a whole file.  debugfs and procfs files report size 0, so read to
 * the end.  Returns 0 and a NUL-terminated buffer the caller frees, or
 * -errno.
 */
int read_file(const char *path, char **out)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = read_fd(fd, out);
	close(fd);
	return ret;
}

int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do {
		n = write(fd, text, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	close(fd);
	return (size_t)n == len ? 0 : -EIO;
}
