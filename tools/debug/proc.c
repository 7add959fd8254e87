// SPDX-License-Identifier: GPL-2.0
/*
 * dma-heap-owner: who holds and maps each dma-buf, from /proc: every
 * process's file descriptors to one (with their fdinfo) and its mappings.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common.h"
#include "proc.h"

static int holders_add(struct holders *hs, const struct holder *h)
{
	struct holder *tmp;

	if (hs->n == hs->size) {
		hs->size = hs->size ? 2 * hs->size : 64;
		tmp = realloc(hs->h, hs->size * sizeof(*tmp));
		if (!tmp)
			return -ENOMEM;
		hs->h = tmp;
	}
	hs->h[hs->n++] = *h;
	return 0;
}

/*
 * @n bytes of @src into @dst, escaped as the kernel's %pE does, so that a
 * name a task or a buffer's owner chose cannot break a line or a column.
 */
void escape_into(char *dst, size_t len, const char *src, size_t n)
{
	static const char special[] = "\n\t\r\f\v\a\033\\\"";
	static const char letter[] = "ntrfvae\\\"";
	const char *s;
	size_t o = 0;
	unsigned char c;

	for (; n && *src && o + 5 < len; src++, n--) {
		c = *src;
		s = strchr(special, c);
		if (c && s)
			o += snprintf(dst + o, len - o, "\\%c", letter[s - special]);
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(dst + o, len - o, "\\%03o", c);
		else
			dst[o++] = c;
	}
	dst[o] = '\0';
}

static bool is_dmabuf_path(const char *path)
{
	return !strncmp(path, "/dmabuf:", 8) || !strncmp(path, "anon_inode:dmabuf", 17) ||
	       !strncmp(path, "dmabuf:", 7);
}

/*
 * The ino:, size:, exp_name: and name: of /proc/PID/fdinfo/FD, the first
 * of each: the name, which userspace sets, is the last line and cannot
 * fake the others.
 */
static void fdinfo_read(struct holder *h, const char *fd)
{
	char path[PATH_MAX], *text, *p, *nl, *v;

	mkpath(path, sizeof(path), "/proc/%d/fdinfo/%s", h->pid, fd);
	if (read_file(path, &text))
		return;
	for (p = text; *p; p = *nl ? nl + 1 : nl) {
		nl = strchrnul(p, '\n');
		v = strchr(p, ':');
		if (!v || v > nl)
			continue;
		v += 1 + strspn(v + 1, "\t ");
		if (!h->ino && starts(p, "ino:"))
			h->ino = strtoul(v, NULL, 10);
		else if (!h->size && starts(p, "size:"))
			h->size = strtoull(v, NULL, 10);
		else if (!h->exporter[0] && starts(p, "exp_name:"))
			escape_into(h->exporter, sizeof(h->exporter), v, nl - v);
		else if (!h->name[0] && starts(p, "name:"))
			escape_into(h->name, sizeof(h->name), v, nl - v);
	}
	free(text);
}

static int scan_fds(struct holders *hs, pid_t pid, const char *comm)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct holder h;
	struct dirent *de;
	struct stat st;
	ssize_t n;
	DIR *d;
	int ret = 0;

	mkpath(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return 0;		/* gone, or not ours to see */
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		mkpath(path, sizeof(path), "/proc/%d/fd/%s", pid, de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		if (!is_dmabuf_path(target))
			continue;
		memset(&h, 0, sizeof(h));
		h.pid = pid;
		h.fd = atoi(de->d_name);
		snprintf(h.comm, sizeof(h.comm), "%s", comm);
		fdinfo_read(&h, de->d_name);
		if (!stat(path, &st)) {
			if (!h.ino)
				h.ino = st.st_ino;
			if (!h.size)
				h.size = st.st_size;
		}
		if (h.ino && holders_add(hs, &h)) {
			ret = -ENOMEM;
			break;
		}
	}
	closedir(d);
	return ret;
}

static int scan_maps(struct holders *hs, pid_t pid, const char *comm)
{
	char path[PATH_MAX], *text, *line, *save = NULL;
	struct holder h;
	struct stat st;
	int ret = 0;

	mkpath(path, sizeof(path), "/proc/%d/maps", pid);
	if (read_file(path, &text))
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned int major, minor;
		int pos = 0;

		memset(&h, 0, sizeof(h));
		h.pid = pid;
		h.fd = -1;
		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &h.start, &h.end, h.prot,
			   &h.pgoff, &major, &minor, &h.ino, &pos) < 7 || !pos)
			continue;
		if (!is_dmabuf_path(line + pos))
			continue;
		h.pgoff /= (unsigned long)sysconf(_SC_PAGESIZE);
		snprintf(h.comm, sizeof(h.comm), "%s", comm);
		/* the mapped file, for its size: the dma-buf's */
		mkpath(path, sizeof(path), "/proc/%d/map_files/%lx-%lx", pid, h.start, h.end);
		if (!stat(path, &st) && st.st_ino == h.ino)
			h.size = st.st_size;
		if (holders_add(hs, &h)) {
			ret = -ENOMEM;
			break;
		}
	}
	free(text);
	return ret;
}

/* Every process's dma-buf file descriptors and mappings, or only @only's. */
int scan_proc(struct holders *hs, pid_t only)
{
	char path[64], *text, comm[64];
	struct dirent *de;
	size_t n;
	DIR *d;
	pid_t pid;
	int ret = 0;

	d = opendir("/proc");
	if (!d)
		return path_error("cannot read", "/proc", errno);
	while (!ret && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (only && pid != only)
			continue;
		mkpath(path, sizeof(path), "/proc/%d/comm", pid);
		if (read_file(path, &text))
			continue;
		n = strlen(text);
		if (n && text[n - 1] == '\n')	/* the kernel's; one in the name stays */
			n--;
		escape_into(comm, sizeof(comm), text, n);
		free(text);
		ret = scan_fds(hs, pid, comm) ?: scan_maps(hs, pid, comm);
	}
	closedir(d);
	return ret ? env_error("out of memory") : 0;
}
