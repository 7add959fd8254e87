// SPDX-License-Identifier: GPL-2.0
/*
 * dho-client: small dma-buf heap clients, correct and buggy, for the make run
 * demo, the CLI's tests and anyone who wants to see a report.  Each
 * scenario allocates from a heap, does one thing right or wrong, and exits
 * 0 (the scenario ran) or 1 (it could not run).  The kernel-side scenarios
 * use the dho_importer test module as their driver.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <sys/mman.h>

#include "dho_test.h"
#include "importer/dho_importer.h"

#define LEN (64 * 1024)

static const char *heap = "system";

static int fail(const char *what)
{
	fprintf(stderr, "dho-client: %s: %s\n", what, strerror(errno));
	return 1;
}

/*
 * DMA_BUF_IOCTL_SYNC, checked: a scenario whose window did not open has
 * not done what it says, whatever the tracker reported of it.
 */
static int sync_or_fail(int fd, unsigned long long flags)
{
	if (dho_sync(fd, flags))
		return fail("DMA_BUF_IOCTL_SYNC");
	return 0;
}

static int alloc_map(int *fd, char **p)
{
	*fd = dho_alloc(heap, LEN);
	if (*fd < 0) {
		errno = -*fd;
		return fail("allocate");
	}
	*p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (*p == MAP_FAILED)
		return fail("mmap");
	return 0;
}

/* A driver context in the test importer, holding buffer @fd. */
static int importer(int fd)
{
	int imp = open("/dev/dho_importer", O_RDWR | O_CLOEXEC);

	if (imp < 0) {
		fail("open /dev/dho_importer (is dho_importer.ko loaded?)");
		return -1;
	}
	if (ioctl(imp, DHO_IMP_IMPORT, &fd)) {
		fail("DHO_IMP_IMPORT");
		return -1;
	}
	return imp;
}

static int imp_dir(int imp, unsigned long cmd, __u32 dir)
{
	return ioctl(imp, cmd, &dir);
}

static int imp_write(int imp, __u64 off, __u64 len, __u32 val)
{
	struct dho_imp_access acc = { .offset = off, .len = len, .value = val };

	return ioctl(imp, DHO_IMP_WRITE, &acc);
}

/* Userspace, right: every access inside DMA_BUF_IOCTL_SYNC. */
static int scen_correct(void)
{
	char *p;
	int fd;

	if (alloc_map(&fd, &p))
		return 1;
	if (sync_or_fail(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE))
		return 1;
	memset(p, 0xa5, LEN);
	if (sync_or_fail(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE) ||
	    sync_or_fail(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		return 1;
	if (p[LEN - 1] != (char)0xa5)
		return fail("read back");
	if (sync_or_fail(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
		return 1;
	printf("correct: wrote and read %d bytes inside SYNC_START/SYNC_END\n", LEN);
	return 0;
}

/* Userspace, wrong: write through mmap without DMA_BUF_IOCTL_SYNC. */
static int scen_unsynced(void)
{
	char *p;
	int fd;

	if (alloc_map(&fd, &p))
		return 1;
	memset(p, 0x5a, 4096);
	printf("unsynced: wrote 4096 bytes through mmap without DMA_BUF_IOCTL_SYNC\n");
	return 0;
}

/* Userspace, wrong: write inside a SYNC_READ window. */
static int scen_read_window(void)
{
	char *p;
	int fd;

	if (alloc_map(&fd, &p))
		return 1;
	if (sync_or_fail(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ))
		return 1;
	p[0] = 1;
	if (sync_or_fail(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ))
		return 1;
	printf("read-window: wrote inside a DMA_BUF_SYNC_READ window\n");
	return 0;
}

/* Userspace, wrong: SYNC_END without SYNC_START. */
static int scen_unbalanced(void)
{
	char *p;
	int fd;

	if (alloc_map(&fd, &p))
		return 1;
	/* the kernel accepts an unbalanced end: the tracker reports it */
	if (sync_or_fail(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
		return 1;
	printf("unbalanced: SYNC_END without SYNC_START\n");
	return 0;
}

/*
 * Kernel, wrong: a driver vmaps, opens a CPU window, writes through the
 * alias and maps the buffer for its device before closing the window.
 */
static int scen_vmapped(void)
{
	char *p;
	int fd, imp;

	if (alloc_map(&fd, &p))
		return 1;
	imp = importer(fd);
	if (imp < 0)
		return 1;
	if (ioctl(imp, DHO_IMP_VMAP) || imp_dir(imp, DHO_IMP_BEGIN, DHO_IMP_TO_DEVICE) ||
	    imp_write(imp, 0, 4096, 0x11) || ioctl(imp, DHO_IMP_ATTACH) ||
	    imp_dir(imp, DHO_IMP_MAP, DHO_IMP_TO_DEVICE))
		return fail("importer");
	imp_dir(imp, DHO_IMP_END, DHO_IMP_TO_DEVICE);
	close(imp);
	printf("vmapped: driver mapped the buffer for DMA inside its CPU window, vmap live\n");
	return 0;
}

/*
 * Kernel, wrong: a driver writes through its vmap alias with no CPU window
 * (so nothing flushes it) and hands the buffer to its device.
 */
static int scen_flush_missing(void)
{
	char *p;
	int fd, imp;

	if (alloc_map(&fd, &p))
		return 1;
	imp = importer(fd);
	if (imp < 0)
		return 1;
	if (ioctl(imp, DHO_IMP_VMAP) || imp_write(imp, 8192, 4096, 0x22) ||
	    ioctl(imp, DHO_IMP_ATTACH) || imp_dir(imp, DHO_IMP_MAP, DHO_IMP_TO_DEVICE))
		return fail("importer");
	close(imp);
	printf("flush-missing: driver wrote through its vmap and mapped for DMA, no flush\n");
	return 0;
}

/* Kernel, right: the same driver, bracketing its writes. */
static int scen_driver_correct(void)
{
	char *p;
	int fd, imp;

	if (alloc_map(&fd, &p))
		return 1;
	imp = importer(fd);
	if (imp < 0)
		return 1;
	if (ioctl(imp, DHO_IMP_VMAP) || imp_dir(imp, DHO_IMP_BEGIN, DHO_IMP_TO_DEVICE) ||
	    imp_write(imp, 0, LEN, 0x33) || imp_dir(imp, DHO_IMP_END, DHO_IMP_TO_DEVICE) ||
	    ioctl(imp, DHO_IMP_ATTACH) || imp_dir(imp, DHO_IMP_MAP, DHO_IMP_TO_DEVICE) ||
	    ioctl(imp, DHO_IMP_UNMAP))
		return fail("importer");
	close(imp);
	printf("driver-correct: driver wrote through vmap inside begin/end, then mapped\n");
	return 0;
}

/* Userspace holds a CPU window while a driver maps the buffer. */
static int scen_cpu_owned(void)
{
	char *p;
	int fd, imp;

	if (alloc_map(&fd, &p))
		return 1;
	imp = importer(fd);
	if (imp < 0)
		return 1;
	if (sync_or_fail(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW))
		return 1;
	if (ioctl(imp, DHO_IMP_ATTACH) || imp_dir(imp, DHO_IMP_MAP, DHO_IMP_BIDIRECTIONAL))
		return fail("importer");
	if (sync_or_fail(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
		return 1;
	close(imp);
	printf("cpu-owned: a device mapped the buffer inside a userspace SYNC window\n");
	return 0;
}

/* A driver detaches while its mapping is still live. */
static int scen_detach_mapped(void)
{
	char *p;
	int fd, imp;

	if (alloc_map(&fd, &p))
		return 1;
	imp = importer(fd);
	if (imp < 0)
		return 1;
	if (ioctl(imp, DHO_IMP_ATTACH) || imp_dir(imp, DHO_IMP_MAP, DHO_IMP_BIDIRECTIONAL) ||
	    ioctl(imp, DHO_IMP_DETACH))
		return fail("importer");
	close(imp);
	printf("detach-mapped: driver detached while still mapped\n");
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
	const char *help;
} scenarios[] = {
	{ "correct", scen_correct,
	  "userspace: mmap access inside SYNC (nothing raised)" },
	{ "unsynced", scen_unsynced,
	  "userspace: write without SYNC (cpu_access_unowned)" },
	{ "read-window", scen_read_window,
	  "userspace: write in a SYNC_READ window (cpu_write_in_read_window)" },
	{ "unbalanced", scen_unbalanced,
	  "userspace: SYNC_END without START (cpu_access_unbalanced)" },
	{ "driver-correct", scen_driver_correct,
	  "driver: vmap writes bracketed, then map (nothing raised)" },
	{ "vmapped", scen_vmapped,
	  "driver: map inside its CPU window, vmap live (device_access_vmapped)" },
	{ "flush-missing", scen_flush_missing,
	  "driver: unflushed vmap writes, then map (vmap_flush_missing)" },
	{ "cpu-owned", scen_cpu_owned,
	  "device maps inside a userspace window (device_access_cpu_owned)" },
	{ "detach-mapped", scen_detach_mapped,
	  "driver: detach while mapped (release_while_mapped)" },
};

static void print_usage(FILE *f)
{
	unsigned int i;

	fprintf(f, "usage: dho-client [--heap NAME] SCENARIO\n\nscenarios:\n");
	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		fprintf(f, "  %-15s %s\n", scenarios[i].name, scenarios[i].help);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "heap", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	unsigned int i;
	int c;

	while ((c = getopt_long(argc, argv, "H:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H':
			heap = optarg;
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		default:
			print_usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		print_usage(stderr);
		return 2;
	}
	for (i = 0; i < ARRAY_SIZE(scenarios); i++)
		if (!strcmp(argv[optind], scenarios[i].name))
			return scenarios[i].fn();
	fprintf(stderr, "dho-client: unknown scenario '%s'\n", argv[optind]);
	print_usage(stderr);
	return 2;
}
