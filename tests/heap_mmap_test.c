// SPDX-License-Identifier: GPL-2.0
/*
 * The mmap and allocation edges of the heaps built on the heap helpers, on
 * every heap: offsets and lengths past the end, mremap growth, partial and
 * unaligned mappings, bad fd_flags and heap_flags, bad lengths.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>

#include "dho_test.h"
#include "kselftest_harness.h"

static long page;

/* The CMA heap's name is its area's: the first heap that is not "system". */
static const char *cma_heap_name(void)
{
	static char name[256];
	struct dirent *d;
	DIR *dir = opendir("/dev/dma_heap");

	if (!dir)
		return NULL;
	while ((d = readdir(dir))) {
		if (d->d_name[0] != '.' && strcmp(d->d_name, "system")) {
			snprintf(name, sizeof(name), "%s", d->d_name);
			closedir(dir);
			return name;
		}
	}
	closedir(dir);
	return NULL;
}

FIXTURE(heap) {
	const char *name;
	int heap_fd;
};

FIXTURE_VARIANT(heap) {
	bool cma;
};

FIXTURE_VARIANT_ADD(heap, system) { .cma = false };
FIXTURE_VARIANT_ADD(heap, cma) { .cma = true };

FIXTURE_SETUP(heap)
{
	page = sysconf(_SC_PAGESIZE);
	self->name = variant->cma ? cma_heap_name() : "system";
	ASSERT_NE(NULL, self->name) TH_LOG("no CMA heap in /dev/dma_heap");
	self->heap_fd = dho_heap_open(self->name);
	ASSERT_LE(0, self->heap_fd) TH_LOG("open heap %s: %s", self->name, strerror(errno));
}

FIXTURE_TEARDOWN(heap)
{
	close(self->heap_fd);
}

static int alloc_from(int heap_fd, unsigned long long len)
{
	return dho_alloc_flags(heap_fd, len, O_RDWR | O_CLOEXEC, 0);
}

#define alloc(self, len) alloc_from((self)->heap_fd, len)

TEST_F(heap, bad_lengths)
{
	EXPECT_EQ(-EINVAL, alloc(self, 0));
	EXPECT_EQ(-EINVAL, alloc(self, ~0ULL));			/* PAGE_ALIGN overflows */
	EXPECT_EQ(-EINVAL, alloc(self, ~0ULL - page + 2));
	EXPECT_EQ(-ENOMEM, alloc(self, 1ULL << 46));		/* past RAM */
}

TEST_F(heap, bad_flags)
{
	EXPECT_EQ(-EINVAL, dho_alloc_flags(self->heap_fd, page, O_RDWR | O_CREAT, 0));
	EXPECT_EQ(-EINVAL, dho_alloc_flags(self->heap_fd, page, O_RDWR, 1));
	EXPECT_EQ(-EINVAL, dho_alloc_flags(self->heap_fd, page, O_RDWR, ~0ULL));
}

/* An unaligned length rounds up to pages; the fd reports the size. */
TEST_F(heap, unaligned_length)
{
	int fd = alloc(self, page + 1);
	char *p;

	ASSERT_LE(0, fd);
	EXPECT_EQ(2 * page, lseek(fd, 0, SEEK_END));
	ASSERT_EQ(0, dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	p = mmap(NULL, page + 1, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[page] = 1;				/* the rest of the last page is there */
	EXPECT_EQ(0, p[2 * page - 1]);
	munmap(p, page + 1);
	EXPECT_EQ(0, dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	close(fd);
}

TEST_F(heap, mmap_past_end)
{
	int fd = alloc(self, 4 * page);

	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 4 * page));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 5 * page, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, 3 * page));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* A partial mapping at an offset sees the right pages. */
TEST_F(heap, partial_mapping)
{
	int fd = alloc(self, 4 * page);
	char *all, *part;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	all = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, all);
	part = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 2 * page);
	ASSERT_NE(MAP_FAILED, part);
	all[2 * page + 5] = 42;
	part[page + 7] = 43;
	EXPECT_EQ(42, part[5]);
	EXPECT_EQ(43, all[3 * page + 7]);
	/* partial munmap of the middle */
	EXPECT_EQ(0, munmap(all + page, page));
	EXPECT_EQ(43, all[3 * page + 7]);
	EXPECT_EQ(0, dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	munmap(all, page);
	munmap(all + 2 * page, 2 * page);
	munmap(part, 2 * page);
	close(fd);
}

/* The mapping cannot grow past the buffer (VM_DONTEXPAND). */
TEST_F(heap, mremap_growth)
{
	int fd = alloc(self, 2 * page);
	char *p, *q;

	ASSERT_LE(0, fd);
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	q = mremap(p, 2 * page, 4 * page, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, q);
	/* shrinking and moving are fine */
	q = mremap(p, 2 * page, page, MREMAP_MAYMOVE);
	EXPECT_EQ(p, q);
	munmap(p, page);
	close(fd);
}

TEST_F(heap, private_mapping)
{
	int fd = alloc(self, page);
	char *p;

	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
	p = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, dho_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(0, dho_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	/* and it cannot be made writable */
	EXPECT_EQ(-1, mprotect(p, page, PROT_READ | PROT_WRITE));
	munmap(p, page);
	close(fd);
}

/* Bad sync flags are refused by the core, before the heap sees them. */
TEST_F(heap, bad_sync_flags)
{
	int fd = alloc(self, page);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, dho_sync(fd, 0x100));
	EXPECT_EQ(-EINVAL, dho_sync(fd, DMA_BUF_SYNC_START));	/* no direction */
	close(fd);
}

TEST_HARNESS_MAIN
