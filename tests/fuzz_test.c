// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded random-sequence fuzzer over every public operation on heap
 * buffers (issue 10):
 * - DMA_HEAP_IOCTL_ALLOC on every heap with lengths 0, 1, page multiples,
 *   unaligned, past RAM and overflowing, valid and invalid fd_flags,
 *   heap_flags and ioctl numbers;
 * - mmap (shared, private, read-only, with offsets, past the end), munmap
 *   (whole or partial), mremap (shrink, grow, move, duplicate), mprotect and
 *   madvise of the buffers, and touching them: a SIGSEGV or SIGBUS is caught
 *   and is a fine outcome where it can be (strict mode, unmapped pages);
 * - DMA_BUF_IOCTL_SYNC with valid and invalid flags, DMA_BUF_SET_NAME with
 *   control characters and overlong names, the sync-file ioctls, lseek,
 *   poll and fdinfo;
 * - every ioctl of the test importer on several contexts, with bad fds,
 *   directions and offsets; PRIME imports into vgem and vgem's own
 *   buffers; the tracker's debugfs knobs, restored at exit;
 * - fork (a child does a few operations and exits), dup and close in any
 *   order.
 * Several threads share one table of fds and one of mappings: a mutex
 * guards the tables, the operations run outside it, so they race.  Every
 * fd an operation uses is a dup taken under the mutex, so a number closed
 * and reused meanwhile cannot turn an operation into another one (a
 * dma-heap fd takes any ioctl numbered 0 as an allocation).  Mappings live
 * inside an address range reserved at start, one region per mapping entry,
 * so a touch racing with an munmap lands on a buffer or on the reservation,
 * never on the program's own memory.
 *
 * Failures: an errno outside the set expected for the operation, a success
 * where the ABI says no, a crash (of the program or a child), a SIGBUS
 * with strict off, a fault on a page that is mapped (when one thread owns
 * the tables), a touch still faulting after TOUCH_SECS (a fault that never
 * resolves retries for ever: a timer gets the thread out), a buffer of this
 * run left in the tracker's table after everything is closed, a kernel
 * splat in the log since the start (read as it comes, by a thread).
 * Violations raised on the way are expected; the knobs are restored.
 *
 *   fuzz_test [--seed N] [--ops N] [--threads N] [--max-seconds N]
 *             [--no-knobs] [-v]
 *
 * The seed is printed first; --seed N --threads 1 replays a run operation
 * for operation (-v logs each one with its outcome, -vv also before it
 * runs; children run one at a time then).  The environment sets the
 * same: DHO_FUZZ_SEED, DHO_FUZZ_OPS, DHO_FUZZ_THREADS, DHO_FUZZ_VERBOSE;
 * DHO_VARIANT=debug raises the default budget.  The output ends with a TAP
 * plan and one line per check.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <drm/drm.h>

#include "dho_test.h"
#include "importer/dho_importer.h"

#define PAGE		4096ULL
#define NSLOTS		48
#define NMAPS		32
#define REGION		(8ULL << 20)	/* address space of one mapping entry */
#define BIG_LEN		(4ULL << 20)	/* largest length meant to succeed */
#define MAX_HEAPS	4
#define MAX_INOS	65536
#define MAX_CHILDREN	3
#define MAX_PIDS	64
#define MAX_FAIL_LINES	40
#define NAME_LEN	4096		/* longest DMA_BUF_SET_NAME tried */
#define TOUCH_SECS	5		/* a touch taking longer loops in the kernel */
#define BASE_OPS	10000
#define DEBUG_OPS	15000

enum kind { K_FREE, K_BUF, K_FOREIGN, K_HEAP, K_IMP, K_VGEM, K_SYNC, NR_KINDS };

static const char *const kind_names[NR_KINDS] = {
	"free", "buf", "foreign", "heap", "imp", "vgem", "syncfile",
};

#define KB(k)		(1U << (k))
#define K_BUFS		(KB(K_BUF) | KB(K_FOREIGN))	/* dma-bufs: ours, vgem's */
#define K_ANY		(K_BUFS | KB(K_HEAP) | KB(K_IMP) | KB(K_VGEM) | KB(K_SYNC))
/* where a dma-buf ioctl may go wrongly: not a heap, whose ioctl 0 allocates */
#define K_NOT_BUF	(KB(K_IMP) | KB(K_SYNC))

/* An fd of the shared table. */
struct slot {
	int kind;
	int fd;
	unsigned int gen;		/* bumped each time the slot is filled */
	unsigned long long size;	/* K_BUF, K_FOREIGN: bytes */
	int nhandles;			/* K_VGEM: GEM handles imported */
	__u32 handles[4];
};

enum { M_FREE, M_LIVE, M_BUSY };

/* A mapping entry: region m of the reservation, mapped from its start. */
struct map {
	int state;		/* M_BUSY: an operation is changing it */
	unsigned long long len;
	int prot;
	int kind;		/* of the fd it maps */
	bool shared;
	bool holey;		/* pages unmapped or reprotected: no exact checks */
	bool dontfork;
	bool stuck;		/* a touch never finished: do not touch it again */
};

/* Shared with the children (MAP_SHARED). */
struct shared {
	long failures;
	long ops;
	long child_ops;
	long sigbus;
	long sigsegv;
	long kicks;		/* SIGBUS that strict sent to a SYNC caller */
	long crashed;		/* children that did not exit 0 */
	int children;
	int live_children;
	int wo_read_hangs;	/* a touch of a write-only mapping never ended */
	int strict_seq;		/* odd while strict changes */
	int strict;
	int nino;
	unsigned long inos[MAX_INOS];	/* every buffer this run allocated */
};

/* One thread's (or child's) state. */
struct ctx {
	unsigned long long rng;
	char tag[8];
	bool child;
	bool exact;		/* alone on the tables: a mapped page must not fault */
	long n;			/* operations done */
	int imp;		/* the importer context it drove last, and its gen */
	unsigned int imp_gen;
	char desc[256];		/* the current operation */
};

static struct {
	unsigned long long seed;
	long ops;
	int threads;
	int max_seconds;
	int verbose;
	bool knobs;
	int nheaps;
	char heaps[MAX_HEAPS][64];
	int heap_fds[MAX_HEAPS];
	bool importer;
	char vgem[32];		/* the vgem node, or empty */
	bool tracker;
	bool madvise;		/* CONFIG_ADVISE_SYSCALLS */
	unsigned long long ram;
	char *resv;		/* NMAPS regions, then a guard page */
	struct shared *sh;
	struct timespec start;
	pthread_mutex_t lock;	/* guards slots, maps, pids, npids */
	struct slot slots[NSLOTS];
	struct map maps[NMAPS];
	pid_t pids[MAX_PIDS];
	int npids;
} g = { .lock = PTHREAD_MUTEX_INITIALIZER, .knobs = true, .threads = 4 };

/* ---- output ---------------------------------------------------------- */

static void say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	ssize_t w;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	w = write(1, buf, n);	/* one write: lines of threads do not mix */
	(void)w;
}

static const char *ename(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "E?";
}

/* Escape control and non-ASCII bytes: no output line can be forged. */
static void escape(char *out, size_t size, const char *in, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 5 < size; i++) {
		unsigned char ch = in[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			out[o++] = ch;
		else
			o += snprintf(out + o, size - o, "\\x%02x", ch);
	}
	out[o] = '\0';
}

static void op(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->desc, sizeof(c->desc), fmt, ap);
	va_end(ap);
	if (g.verbose > 1)	/* before it runs: a hang shows where */
		say("# %s %ld %s ...", c->tag, c->n, c->desc);
}

static void fail(struct ctx *c, const char *fmt, ...)
{
	long n = __atomic_add_fetch(&g.sh->failures, 1, __ATOMIC_RELAXED);
	char msg[512];
	va_list ap;

	if (n > MAX_FAIL_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("# FAIL seed %llu %s op %ld: %s: %s", g.seed, c->tag, c->n, c->desc, msg);
}

static void logged(struct ctx *c, const char *outcome)
{
	if (g.verbose)
		say("# %s %ld %s -> %s", c->tag, c->n, c->desc, outcome);
}

/*
 * The outcome of c->desc: 0 or an errno.  An errno outside @ok (ended by
 * 0) fails, and so does a success when @must_fail.
 */
static void check(struct ctx *c, int err, bool must_fail, const int *ok)
{
	const int *e;

	logged(c, err ? ename(err) : "0");
	if (!err) {
		if (must_fail)
			fail(c, "succeeded");
		return;
	}
	for (e = ok; *e; e++)
		if (*e == err)
			return;
	fail(c, "unexpected errno %d (%s)", err, ename(err));
}

/* errnos expected per operation, beyond success */
static const int E_NONE[] = { 0 };
static const int E_EINVAL[] = { EINVAL, 0 };
static const int E_EFAULT[] = { EFAULT, 0 };
static const int E_ENOMEM[] = { ENOMEM, 0 };
static const int E_ALLOC[] = { ENOMEM, EINTR, 0 };
static const int E_OPEN[] = { ENOMEM, EMFILE, ENFILE, 0 };
static const int E_FORK[] = { EAGAIN, ENOMEM, 0 };
static const int E_MMAP[] = { EINVAL, EACCES, EPERM, ENODEV, ENOMEM, EOVERFLOW,
			      EOPNOTSUPP, EAGAIN, 0 };
static const int E_MUNMAP[] = { EINVAL, ENOMEM, 0 };
static const int E_MREMAP[] = { EFAULT, EINVAL, ENOMEM, EAGAIN, 0 };
static const int E_MPROTECT[] = { EACCES, EINVAL, ENOMEM, 0 };
static const int E_MADVISE[] = { EINVAL, ENOMEM, EACCES, EOPNOTSUPP, EBADF, EPERM,
				 EAGAIN, EIO, EFAULT, EINTR, 0 };
/* a dma-buf or importer ioctl on an fd of another kind */
static const int E_OTHER[] = { ENOTTY, ENXIO, EINVAL, 0 };
static const int E_NAME[] = { EINVAL, EFAULT, ENOMEM, 0 };
static const int E_SYNCFILE[] = { EINVAL, EFAULT, ENOMEM, EMFILE, ENOTTY, EBADF, 0 };
static const int E_LSEEK[] = { EINVAL, ESPIPE, 0 };
static const int E_POLL[] = { ENOMEM, EINTR, 0 };
static const int E_KNOB[] = { EINVAL, ERANGE, 0 };
static const int E_IMP_IMPORT[] = { EBUSY, EBADF, EINVAL, EFAULT, 0 };
static const int E_IMP_ATTACH[] = { ENXIO, EBUSY, ENOMEM, EINVAL, 0 };
static const int E_IMP_MAP[] = { ENXIO, EBUSY, EINVAL, EFAULT, ENOMEM, EIO, 0 };
static const int E_IMP_ENXIO[] = { ENXIO, 0 };
static const int E_IMP_DETACH[] = { ENXIO, ENOMEM, 0 };
static const int E_IMP_VMAP[] = { ENXIO, EBUSY, ENOMEM, EINVAL, 0 };
static const int E_IMP_ACCESS[] = { ENXIO, EINVAL, EFAULT, 0 };
static const int E_IMP_UNKNOWN[] = { ENXIO, ENOTTY, 0 };
static const int E_PRIME[] = { EBADF, EINVAL, ENOMEM, ENOSPC, EACCES, ENODEV, EOPNOTSUPP,
			       EIO, 0 };
static const int E_DUMB[] = { EINVAL, ENOMEM, ENOSPC, EACCES, EPERM, 0 };

/* ---- randomness ------------------------------------------------------ */

/* splitmix64: one 64-bit state per thread, reproducible from the seed */
static unsigned long long rnd(struct ctx *c)
{
	unsigned long long z;

	c->rng += 0x9e3779b97f4a7c15ULL;
	z = c->rng;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned long long below(struct ctx *c, unsigned long long n)
{
	return n ? rnd(c) % n : 0;
}

static bool chance(struct ctx *c, unsigned int pct)
{
	return below(c, 100) < pct;
}

static unsigned long long page_align(unsigned long long len)
{
	return (len + PAGE - 1) & ~(PAGE - 1);	/* wraps to 0 near the top */
}

/* A length: 0, 1, page multiples, unaligned, large, past RAM, overflowing. */
static unsigned long long rand_len(struct ctx *c)
{
	unsigned long long huge[] = { 1ULL << 32, 1ULL << 40, 1ULL << 62, ~0ULL >> 1,
				      ~0ULL - PAGE + 1, g.ram + PAGE };
	unsigned long long v;

	switch (below(c, 12)) {
	case 0:
		return 0;
	case 1:
		return 1 + below(c, PAGE - 1);
	case 2:
	case 3:
	case 4:
		return PAGE * (1 + below(c, 16));
	case 5:
		return PAGE * (1 + below(c, 256));
	case 6:
	case 7:
		return 1 + below(c, 1 << 20);
	case 8:
		return PAGE * (256 + below(c, BIG_LEN / PAGE - 255));
	case 9:
		/* past RAM: ENOMEM at once, never the OOM killer */
		v = huge[below(c, ARRAY_SIZE(huge))];
		return v > g.ram + PAGE ? v : g.ram + PAGE + below(c, g.ram);
	case 10:
		return ~0ULL - below(c, PAGE - 1);	/* PAGE_ALIGN overflows to 0 */
	default:
		return PAGE * (1 + below(c, 4));
	}
}

/* A name for DMA_BUF_SET_NAME or a comm: control bytes, overlong. */
static size_t rand_name(struct ctx *c, char *buf)
{
	/* no letters: a name in a report cannot spell a splat */
	static const char chars[] = "0123456789 _-.,+=/#[]{}()\t\n\r\x01\x1b\x7f\x80\xff";
	static const char *const fixed[] = {
		"", "x\nFORGED x", "\x1b[2J\x1b[H", "%s%s%n%p", "tab\there", "\xff\xfe\x80",
		"cr\rlf\n",
	};
	size_t len, i;

	if (chance(c, 25)) {
		const char *f = fixed[below(c, ARRAY_SIZE(fixed))];

		len = strlen(f);
		memcpy(buf, f, len + 1);
		return len;
	}
	switch (below(c, 8)) {
	case 0:
		len = 31;	/* the longest DMA_BUF_NAME_LEN takes */
		break;
	case 1:
		len = 32;
		break;
	case 2:
		len = 33 + below(c, 100);
		break;
	case 3:
		len = NAME_LEN - below(c, 100);
		break;
	default:
		len = 1 + below(c, 31);
		break;
	}
	for (i = 0; i < len; i++)
		buf[i] = chars[below(c, sizeof(chars) - 1)];
	buf[len] = '\0';
	return len;
}

/* enum dma_data_direction: mostly valid */
static __u32 rand_dir(struct ctx *c)
{
	if (chance(c, 85))
		return below(c, 3);
	return chance(c, 50) ? 3 : (__u32)rnd(c);	/* DMA_NONE, garbage */
}

/* ---- the tables ------------------------------------------------------ */

/*
 * A random slot of one of @kinds, copied into @s with its fd dup'ed (the
 * caller closes s->fd); the slot's index, or -1 if there is none.
 */
static int pick(struct ctx *c, unsigned int kinds, struct slot *s)
{
	int i, n = 0, k, idx = -1;

	s->fd = -1;
	pthread_mutex_lock(&g.lock);
	for (i = 0; i < NSLOTS; i++)
		n += !!(kinds & KB(g.slots[i].kind));
	k = below(c, n);
	for (i = 0; n && i < NSLOTS; i++) {
		if ((kinds & KB(g.slots[i].kind)) && !k--) {
			*s = g.slots[i];
			s->fd = fcntl(g.slots[i].fd, F_DUPFD_CLOEXEC, 0);
			idx = s->fd < 0 ? -1 : i;
			break;
		}
	}
	pthread_mutex_unlock(&g.lock);
	return idx;
}

/* Take a random slot out of the table; its index, or -1. */
static int take(struct ctx *c, struct slot *s)
{
	int i, n = 0, k, idx = -1;

	pthread_mutex_lock(&g.lock);
	for (i = 0; i < NSLOTS; i++)
		n += g.slots[i].kind != K_FREE;
	k = below(c, n);
	for (i = 0; n && i < NSLOTS; i++) {
		if (g.slots[i].kind != K_FREE && !k--) {
			*s = g.slots[i];
			g.slots[i].kind = K_FREE;
			idx = i;
			break;
		}
	}
	pthread_mutex_unlock(&g.lock);
	return idx;
}

/* Put a new fd in the table, or close it if the table is full. */
static int put(int kind, int fd, unsigned long long size)
{
	int i, idx = -1;

	pthread_mutex_lock(&g.lock);
	for (i = 0; i < NSLOTS; i++) {
		if (g.slots[i].kind == K_FREE) {
			g.slots[i] = (struct slot){ .kind = kind, .fd = fd, .size = size,
						    .gen = g.slots[i].gen + 1 };
			idx = i;
			break;
		}
	}
	pthread_mutex_unlock(&g.lock);
	if (idx < 0)
		close(fd);
	return idx;
}

static void log_ino(int fd)
{
	int i = __atomic_fetch_add(&g.sh->nino, 1, __ATOMIC_RELAXED);

	if (i < MAX_INOS)
		g.sh->inos[i] = dho_ino(fd);
}

static char *region(int m)
{
	return g.resv + m * REGION;
}

/* Map the reservation back over a range (after munmap, or a failed mmap). */
static void reserve(struct ctx *c, char *addr, unsigned long long len)
{
	if (mmap(addr, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
		 -1, 0) == MAP_FAILED)
		fail(c, "re-reserving %#llx bytes at region offset %#llx: %s", len,
		     (unsigned long long)(addr - g.resv), ename(errno));
}

/* Mark a random mapping entry in state @from busy; its index, or -1. */
static int claim(struct ctx *c, int from, struct map *e)
{
	int i, n = 0, k, idx = -1;

	pthread_mutex_lock(&g.lock);
	for (i = 0; i < NMAPS; i++)
		n += g.maps[i].state == from;
	k = below(c, n);
	for (i = 0; n && i < NMAPS; i++) {
		if (g.maps[i].state == from && !k--) {
			*e = g.maps[i];
			g.maps[i].state = M_BUSY;
			idx = i;
			break;
		}
	}
	pthread_mutex_unlock(&g.lock);
	return idx;
}

static void settle(int m, const struct map *e)
{
	pthread_mutex_lock(&g.lock);
	g.maps[m] = *e;
	pthread_mutex_unlock(&g.lock);
}

/* ---- strict, as last written by us ----------------------------------- */

static int strict_begin(void)
{
	return __atomic_load_n(&g.sh->strict_seq, __ATOMIC_ACQUIRE);
}

/* strict was off throughout, since strict_begin() returned @seq */
static bool strict_was_off(int seq, int strict)
{
	return !(seq & 1) && !strict && __atomic_load_n(&g.sh->strict_seq, __ATOMIC_ACQUIRE) == seq;
}

/* ---- touching mapped pages ------------------------------------------- */

struct access {
	char *addr;
	unsigned int pages;
	unsigned int off;	/* byte offset in each page, or whole pages */
	bool whole;
	bool write;
	unsigned char val;
};

static __thread sigjmp_buf touch_jb;
static __thread int touch_armed;
static __thread struct access touch_acc;
static __thread timer_t touch_timer;	/* SIGALRM to this thread: a touch hangs */
static __thread bool touch_timer_made;

static void touch_timer_set(int secs)
{
	struct itimerspec its = { .it_value.tv_sec = secs };
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM };

	sev._sigev_un._tid = gettid();	/* sigev_notify_thread_id */
	if (!touch_timer_made)
		touch_timer_made = !timer_create(CLOCK_MONOTONIC, &sev, &touch_timer);
	if (touch_timer_made)
		timer_settime(touch_timer, 0, &its, NULL);
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	/* strict's SIGBUS to a SYNC caller is sent, not a fault: carry on */
	if (si->si_code == SI_USER || si->si_code == SI_KERNEL) {
		__atomic_add_fetch(&g.sh->kicks, 1, __ATOMIC_RELAXED);
		return;
	}
	if (touch_armed) {
		touch_armed = 0;
		if (sig != SIGALRM)
			touch_timer_set(0);
		siglongjmp(touch_jb, sig);
	}
	/* a fault of our own: die of it (the default action on return) */
	if (sig != SIGALRM)
		signal(sig, SIG_DFL);
}

static void touch_pages(void)
{
	const struct access *a = &touch_acc;
	unsigned int i, j;

	for (i = 0; i < a->pages; i++) {
		char *p = a->addr + i * PAGE;

		if (a->whole) {
			for (j = 0; j < PAGE; j += 64) {
				if (a->write)
					__atomic_store_n(p + j, a->val, __ATOMIC_RELAXED);
				else
					(void)__atomic_load_n(p + j, __ATOMIC_RELAXED);
			}
		} else if (a->write) {
			__atomic_store_n(p + a->off, a->val, __ATOMIC_RELAXED);
		} else {
			(void)__atomic_load_n(p + a->off, __ATOMIC_RELAXED);
		}
	}
}

/*
 * Run touch_pages() on touch_acc; 0, or the signal it got: SIGSEGV,
 * SIGBUS, or SIGALRM when it did not finish (a fault that never resolves
 * retries for ever, and only a signal gets the task out).
 */
static int guarded_touch(void)
{
	int sig = sigsetjmp(touch_jb, 1);

	if (sig)
		return sig;
	touch_timer_set(TOUCH_SECS);
	__atomic_store_n(&touch_armed, 1, __ATOMIC_SEQ_CST);
	touch_pages();
	__atomic_store_n(&touch_armed, 0, __ATOMIC_SEQ_CST);
	touch_timer_set(0);
	return 0;
}

/* ---- operations: heaps ----------------------------------------------- */

static unsigned int rand_fd_flags(struct ctx *c)
{
	switch (below(c, 20)) {
	case 0:
		return O_RDWR;
	case 1:
		return O_RDONLY | O_CLOEXEC;
	case 2:
		return O_WRONLY | O_CLOEXEC;
	case 3:
		return O_ACCMODE;
	case 4:
		return O_RDWR | O_CLOEXEC | (1U << below(c, 32));
	default:
		return O_RDWR | O_CLOEXEC;
	}
}

static void op_alloc(struct ctx *c)
{
	struct dma_heap_allocation_data d = { 0 };
	int h = below(c, g.nheaps), hfd = g.heap_fds[h], fd = -1, err;
	bool null = chance(c, 2), viaslot = chance(c, 15);
	unsigned long long aligned;
	const int *ok = E_ALLOC;
	struct slot s;
	char hname[16];

	snprintf(hname, sizeof(hname), "%d", h);
	if (viaslot && pick(c, KB(K_HEAP), &s) >= 0) {
		hfd = s.fd;
		snprintf(hname, sizeof(hname), "slot");
	}
	d.len = rand_len(c);
	d.fd_flags = rand_fd_flags(c);
	d.heap_flags = chance(c, 92) ? 0 : 1ULL << below(c, 64);
	if (chance(c, 3))
		d.fd = 1 + below(c, 1000);
	aligned = page_align(d.len);
	if (null)
		ok = E_EFAULT;
	else if (d.fd || (d.fd_flags & ~(O_CLOEXEC | O_ACCMODE)) || d.heap_flags || !aligned)
		ok = E_EINVAL;
	else if (aligned / PAGE > g.ram / PAGE)
		ok = E_ENOMEM;

	op(c, "alloc heap=%s len=%#llx fd_flags=%#x heap_flags=%#llx fd=%u%s", hname,
	   (unsigned long long)d.len, d.fd_flags, (unsigned long long)d.heap_flags, d.fd,
	   null ? " arg=NULL" : "");
	err = ioctl(hfd, DMA_HEAP_IOCTL_ALLOC, null ? NULL : &d) ? errno : 0;
	if (!err)
		fd = d.fd;
	if (hfd != g.heap_fds[h])
		close(hfd);
	check(c, err, ok != E_ALLOC, ok);
	if (fd < 0)
		return;
	log_ino(fd);
	put(K_BUF, fd, aligned);
}

/* Ioctls a heap must refuse; none of them may allocate behind our back. */
static void op_heap_ioctl(struct ctx *c)
{
	struct {
		struct dma_heap_allocation_data d;
		char pad[184];
	} big = { .d = { .len = PAGE, .fd_flags = O_RDWR | O_CLOEXEC } };
	unsigned int cmd;
	const int *ok = E_EINVAL;
	bool must_fail = true;
	void *arg = &big;
	struct slot s;
	int hfd = g.heap_fds[below(c, g.nheaps)], err, v = below(c, 5);

	if (chance(c, 20) && pick(c, KB(K_HEAP), &s) >= 0)
		hfd = s.fd;
	else
		s.fd = -1;
	switch (v) {
	case 0:		/* another number: EINVAL */
		cmd = _IOWR('H', 1 + below(c, 255), struct dma_heap_allocation_data);
		break;
	case 1:
		cmd = DMA_HEAP_IOCTL_ALLOC;
		arg = NULL;
		ok = E_EFAULT;
		break;
	case 2:		/* nothing copied in: length 0 */
		cmd = _IO('H', 0);
		break;
	case 3:
		cmd = _IOR('H', 0, struct dma_heap_allocation_data);
		break;
	default:	/* a larger struct: a valid allocation through kmalloc'ed data */
		cmd = _IOWR('H', 0, big);
		must_fail = false;
		ok = E_ALLOC;
		break;
	}
	op(c, "heap_ioctl %s cmd=%#x", s.fd >= 0 ? "slot" : "heap", cmd);
	err = ioctl(hfd, cmd, arg) ? errno : 0;
	check(c, err, must_fail, ok);
	if (!err && !must_fail) {
		log_ino(big.d.fd);
		put(K_BUF, big.d.fd, PAGE);
	} else if (!err && v == 0) {
		close(big.d.fd);
	}
	if (s.fd >= 0)
		close(s.fd);
}

static void op_heap_open(struct ctx *c)
{
	static const int modes[] = { O_RDONLY, O_RDWR, O_WRONLY };
	char path[128];
	int h = below(c, g.nheaps), fd;

	snprintf(path, sizeof(path), "/dev/dma_heap/%s", g.heaps[h]);
	op(c, "heap_open heap=%d", h);
	fd = open(path, modes[below(c, 3)] | O_CLOEXEC);
	check(c, fd < 0 ? errno : 0, false, E_OPEN);
	if (fd >= 0)
		put(K_HEAP, fd, 0);
}

static void op_close(struct ctx *c)
{
	struct slot s;
	int i = take(c, &s);

	if (i < 0)
		return;
	op(c, "close slot=%d(%s)", i, kind_names[s.kind]);
	check(c, close(s.fd) ? errno : 0, false, E_NONE);
}

static void op_dup(struct ctx *c)
{
	struct slot s;
	int i = pick(c, K_ANY, &s);

	if (i < 0)
		return;
	op(c, "dup slot=%d(%s)", i, kind_names[s.kind]);
	logged(c, "0");
	put(s.kind, s.fd, s.size);
}

/* ---- operations: mappings -------------------------------------------- */

static int rand_prot(struct ctx *c)
{
	static const int prots[] = {
		PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE,
		PROT_READ, PROT_READ, PROT_WRITE, PROT_NONE, PROT_READ | PROT_EXEC,
	};

	return prots[below(c, ARRAY_SIZE(prots))];
}

static void op_mmap(struct ctx *c)
{
	unsigned long long off, len, pages, size;
	int m, si, prot, flags, err;
	bool shared, must_fail, isbuf;
	struct map e;
	struct slot s;
	char *p;

	m = claim(c, M_FREE, &e);
	if (m < 0)
		return;
	si = pick(c, chance(c, 92) ? K_BUFS : K_ANY, &s);
	if (si < 0) {
		settle(m, &e);
		return;
	}
	isbuf = s.kind == K_BUF || s.kind == K_FOREIGN;
	size = isbuf ? s.size : PAGE;
	pages = size / PAGE;
	switch (below(c, 8)) {
	case 4:
		off = below(c, pages + 1) * PAGE;
		break;
	case 5:
		off = (pages + below(c, 3)) * PAGE;	/* at or past the end */
		break;
	case 6:
		off = 1 + below(c, PAGE - 1);		/* unaligned */
		break;
	case 7:
		off = (1ULL << (40 + below(c, 23))) & ~(PAGE - 1);
		break;
	default:
		off = 0;
		break;
	}
	switch (below(c, 6)) {
	case 3:
		len = PAGE * (1 + below(c, pages ? pages : 1));
		break;
	case 4:
		len = (size > off ? size - off : 0) + PAGE * (1 + below(c, 4));
		break;
	case 5:
		len = chance(c, 30) ? 0 : 1 + below(c, 3 * PAGE);
		break;
	default:
		len = size > off ? size - off : PAGE;
		break;
	}
	if (len > REGION)
		len = REGION;
	prot = rand_prot(c);
	shared = chance(c, 75);
	flags = MAP_FIXED | (shared ? MAP_SHARED : MAP_PRIVATE);
	if (chance(c, 4))
		flags = MAP_FIXED | MAP_SHARED_VALIDATE | MAP_SYNC;	/* EOPNOTSUPP */
	if (chance(c, 5))
		flags |= MAP_POPULATE;
	if (chance(c, 3))
		flags |= MAP_LOCKED;
	if (chance(c, 5))
		flags |= MAP_NORESERVE;
	must_fail = !len || (off & (PAGE - 1)) ||
		    (isbuf && off / PAGE + page_align(len) / PAGE > pages) ||
		    (s.kind == K_BUF && !shared && (prot & PROT_WRITE));

	op(c, "mmap map=%d slot=%d(%s) size=%#llx off=%#llx len=%#llx prot=%#x flags=%#x", m, si,
	   kind_names[s.kind], s.size, off, len, prot, flags);
	p = mmap(region(m), len, prot, flags, s.fd, off);
	err = p == MAP_FAILED ? errno : 0;
	close(s.fd);
	check(c, err, must_fail, E_MMAP);
	if (!err && p != region(m))
		fail(c, "MAP_FIXED placed it at region offset %#llx",
		     (unsigned long long)(p - g.resv));
	if (err) {
		/* a failed MAP_FIXED may have unmapped the range first */
		reserve(c, region(m), REGION);
		e.state = M_FREE;
	} else {
		e = (struct map){ .state = M_LIVE, .len = page_align(len), .prot = prot,
				  .kind = s.kind, .shared = !!(flags & MAP_SHARED) };
	}
	settle(m, &e);
}

static void op_munmap(struct ctx *c)
{
	unsigned long long pages, first = 0, len;
	bool whole = chance(c, 60);
	struct map e;
	char *addr;
	int m, err;

	m = claim(c, M_LIVE, &e);
	if (m < 0)
		return;
	pages = e.len / PAGE;
	len = e.len;
	if (!whole) {
		first = below(c, pages);
		len = PAGE * (1 + below(c, pages - first));
	}
	addr = region(m) + first * PAGE;
	if (chance(c, 4))
		addr += 1 + below(c, PAGE - 1);		/* EINVAL */
	else if (chance(c, 3))
		len = 0;				/* EINVAL */
	op(c, "munmap map=%d page=%llu len=%#llx%s", m, first, len,
	   (unsigned long long)addr & (PAGE - 1) ? " unaligned" : "");
	err = munmap(addr, len) ? errno : 0;
	check(c, err, !len || ((unsigned long long)addr & (PAGE - 1)), E_MUNMAP);
	if (!err) {
		reserve(c, addr, page_align(len));
		if (whole)
			e.state = M_FREE;
		else
			e.holey = true;
	}
	if (e.state == M_BUSY)
		e.state = M_LIVE;
	settle(m, &e);
}

static void op_mremap(struct ctx *c)
{
	unsigned long long pages, nlen;
	int m, d = -1, flags = 0, err, v = below(c, 6);
	struct map e, de;
	char *p, *to = NULL;
	bool must_fail = false;

	m = claim(c, M_LIVE, &e);
	if (m < 0)
		return;
	pages = e.len / PAGE;
	nlen = e.len;
	if (v == 0 && pages < 2)
		v = 1;
	if (v == 2 || v == 3) {
		d = claim(c, M_FREE, &de);
		if (d < 0)
			v = 5;
	}
	switch (v) {
	case 0:		/* shrink */
		nlen = PAGE * (1 + below(c, pages - 1));
		break;
	case 1:		/* grow: a dma-buf mapping cannot (VM_DONTEXPAND) */
		nlen = e.len + PAGE * (1 + below(c, 8));
		if (nlen > REGION)
			nlen = REGION;
		must_fail = e.kind == K_BUF && !e.holey && nlen > e.len;
		break;
	case 2:		/* move */
		flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		if (chance(c, 15)) {
			flags |= MREMAP_DONTUNMAP;	/* not on a VM_PFNMAP */
			must_fail = e.kind == K_BUF && !e.holey;
		}
		to = region(d);
		break;
	case 3:		/* duplicate (old length 0): not a dma-buf mapping */
		flags = MREMAP_MAYMOVE | MREMAP_FIXED;
		to = region(d);
		nlen = PAGE * (1 + below(c, 4));
		must_fail = e.kind == K_BUF && !e.holey;
		break;
	case 4:		/* unaligned */
		must_fail = true;
		break;
	default:	/* same size: nothing to do */
		break;
	}
	op(c, "mremap map=%d len=%#llx -> %#llx flags=%#x to=%d%s", m, e.len, nlen, flags, d,
	   v == 3 ? " dup" : v == 4 ? " unaligned" : "");
	p = mremap(region(m) + (v == 4), v == 3 ? 0 : e.len, nlen, flags, to);
	err = p == MAP_FAILED ? errno : 0;
	check(c, err, must_fail, E_MREMAP);
	if (err) {
		if (d >= 0) {	/* MREMAP_FIXED unmaps the target first */
			reserve(c, to, REGION);
			de.state = M_FREE;
		}
	} else if (v == 0) {
		reserve(c, region(m) + nlen, e.len - nlen);
		e.len = nlen;
	} else if (v == 1 && p != region(m)) {
		fail(c, "grown and moved out of the reservation");
		munmap(p, nlen);
		reserve(c, region(m), REGION);
		e.state = M_FREE;
	} else if (v == 1) {
		e.len = nlen;
		e.holey = true;
	} else if (v == 2 || v == 3) {
		de = e;
		de.state = M_LIVE;
		de.len = nlen;
		if (v == 2 && !(flags & MREMAP_DONTUNMAP)) {
			reserve(c, region(m), e.len);
			e.state = M_FREE;
		}
	}
	if (e.state == M_BUSY)
		e.state = M_LIVE;
	settle(m, &e);
	if (d >= 0) {
		if (de.state == M_BUSY)
			de.state = M_FREE;
		settle(d, &de);
	}
}

static void op_mprotect(struct ctx *c)
{
	unsigned long long pages, first = 0, n;
	int m, prot, err;
	bool whole = chance(c, 60), must_fail;
	struct map e;

	m = claim(c, M_LIVE, &e);
	if (m < 0)
		return;
	pages = e.len / PAGE;
	n = pages;
	if (!whole) {
		first = below(c, pages);
		n = 1 + below(c, pages - first);
	}
	prot = chance(c, 3) ? 0x40 : rand_prot(c);
	/* a private dma-buf mapping never becomes writable */
	must_fail = prot == 0x40 ||
		    (e.kind == K_BUF && !e.shared && !e.holey && (prot & PROT_WRITE));
	op(c, "mprotect map=%d page=%llu pages=%llu prot=%#x", m, first, n, prot);
	err = mprotect(region(m) + first * PAGE, n * PAGE, prot) ? errno : 0;
	check(c, err, must_fail, E_MPROTECT);
	if (!err && whole)
		e.prot = prot;
	else if (!err || err == ENOMEM)	/* may have changed a part */
		e.holey = true;
	e.state = M_LIVE;
	settle(m, &e);
}

static void op_madvise(struct ctx *c)
{
	/* not MADV_HWPOISON nor MADV_SOFT_OFFLINE: they act on the machine */
	static const int advice[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED,
		MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE,
		MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP,
		MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT,
		22 /* POPULATE_READ */, 23 /* POPULATE_WRITE */, 24 /* DONTNEED_LOCKED */,
		25 /* COLLAPSE */, 77 /* none */,
	};
	unsigned long long pages, first = 0, n;
	int m, adv, err;
	struct map e;

	m = claim(c, M_LIVE, &e);
	if (m < 0)
		return;
	pages = e.len / PAGE;
	n = pages;
	if (chance(c, 40)) {
		first = below(c, pages);
		n = 1 + below(c, pages - first);
	}
	adv = advice[below(c, ARRAY_SIZE(advice))];
	op(c, "madvise map=%d page=%llu pages=%llu advice=%d", m, first, n, adv);
	err = madvise(region(m) + first * PAGE, n * PAGE, adv) ? errno : 0;
	check(c, err, adv == 77, E_MADVISE);
	if (!err && adv == MADV_DONTFORK)
		e.dontfork = true;
	else if (!err && adv == MADV_DOFORK && n == pages)
		e.dontfork = false;
	e.state = M_LIVE;
	settle(m, &e);
}

static void op_touch(struct ctx *c)
{
	struct access *a = &touch_acc;
	unsigned long long pages, first;
	int m, i, n = 0, k, sig, seq, strict;
	bool within, allowed;
	struct map e;

	pthread_mutex_lock(&g.lock);
	for (i = 0; i < NMAPS; i++)
		n += g.maps[i].state == M_LIVE && !g.maps[i].stuck;
	k = below(c, n);
	for (m = -1, i = 0; n && i < NMAPS; i++) {
		if (g.maps[i].state == M_LIVE && !g.maps[i].stuck && !k--) {
			e = g.maps[i];
			m = i;
			break;
		}
	}
	pthread_mutex_unlock(&g.lock);
	if (m < 0)
		return;

	pages = e.len / PAGE;
	/* sometimes the page past the end: the reservation */
	first = chance(c, 10) ? pages : below(c, pages);
	*a = (struct access){ .addr = region(m) + first * PAGE, .write = chance(c, 50),
			      .whole = chance(c, 20), .off = below(c, PAGE),
			      .val = rnd(c), .pages = 1 + below(c, 4) };
	if ((first + a->pages) * PAGE > REGION)
		a->pages = REGION / PAGE - first;
	within = first + a->pages <= pages;
	/* reported once is enough: each costs TOUCH_SECS */
	if (e.prot == PROT_WRITE && __atomic_load_n(&g.sh->wo_read_hangs, __ATOMIC_RELAXED))
		return;
	op(c, "touch map=%d page=%llu pages=%u %s%s", m, first, a->pages,
	   a->write ? "write" : "read", a->whole ? " whole" : "");

	seq = strict_begin();
	strict = __atomic_load_n(&g.sh->strict, __ATOMIC_RELAXED);
	sig = guarded_touch();
	logged(c, sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" :
		  sig == SIGALRM ? "TIMEOUT" : "0");
	if (sig == SIGALRM) {
		fail(c, "not done in %d s: the access faults for ever (prot %#x)", TOUCH_SECS,
		     e.prot);
		if (e.prot == PROT_WRITE)
			__atomic_store_n(&g.sh->wo_read_hangs, 1, __ATOMIC_RELAXED);
		pthread_mutex_lock(&g.lock);
		if (g.maps[m].state != M_FREE)
			g.maps[m].stuck = true;
		pthread_mutex_unlock(&g.lock);
		return;
	}
	if (sig == SIGBUS)
		__atomic_add_fetch(&g.sh->sigbus, 1, __ATOMIC_RELAXED);
	else if (sig)
		__atomic_add_fetch(&g.sh->sigsegv, 1, __ATOMIC_RELAXED);

	/* SIGBUS comes from strict only: every page is inside its buffer */
	if (sig == SIGBUS && strict_was_off(seq, strict))
		fail(c, "SIGBUS with strict off");
	if (!c->exact || e.holey)
		return;
	allowed = a->write ? e.prot & PROT_WRITE : e.prot != PROT_NONE;
	if (within && allowed && sig == SIGSEGV)
		fail(c, "SIGSEGV on a mapped page (prot %#x)", e.prot);
	if (!within && !sig)
		fail(c, "no fault past the mapping");
}

/* ---- operations: dma-buf ioctls -------------------------------------- */

static void op_sync(struct ctx *c)
{
	static const __u64 rw[] = { DMA_BUF_SYNC_READ, DMA_BUF_SYNC_WRITE, DMA_BUF_SYNC_RW };
	struct dma_buf_sync sync;
	bool null = chance(c, 2), bad = false, isbuf;
	int si, err, v = below(c, 10);
	struct slot s;

	si = pick(c, chance(c, 92) ? K_BUFS : K_NOT_BUF, &s);
	if (si < 0)
		return;
	isbuf = s.kind == K_BUF || s.kind == K_FOREIGN;
	sync.flags = (chance(c, 50) ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END) | rw[below(c, 3)];
	if (v == 8) {
		sync.flags &= DMA_BUF_SYNC_END;		/* no direction */
		bad = true;
	} else if (v == 9) {
		sync.flags |= 1ULL << (3 + below(c, 61));
		bad = true;
	}
	op(c, "sync slot=%d(%s) flags=%#llx%s", si, kind_names[s.kind],
	   (unsigned long long)sync.flags, null ? " arg=NULL" : "");
	err = ioctl(s.fd, DMA_BUF_IOCTL_SYNC, null ? NULL : &sync) ? errno : 0;
	close(s.fd);
	if (!isbuf)
		check(c, err, true, E_OTHER);
	else
		check(c, err, null || bad, null ? E_EFAULT : bad ? E_EINVAL : E_NONE);
}

static void op_set_name(struct ctx *c)
{
	static __thread char name[NAME_LEN + 1];
	const char *arg = name;
	char esc[80];
	bool isbuf, must_fail;
	size_t len = rand_name(c, name);
	int si, err, v = below(c, 20);
	struct slot s;

	si = pick(c, chance(c, 92) ? K_BUFS : K_NOT_BUF, &s);
	if (si < 0)
		return;
	isbuf = s.kind == K_BUF || s.kind == K_FOREIGN;
	if (v == 0)
		arg = NULL;
	else if (v == 1)
		arg = g.resv + NMAPS * REGION;	/* the guard page */
	must_fail = !isbuf || v < 2 || len >= DMA_BUF_NAME_LEN;
	escape(esc, sizeof(esc), name, len < 16 ? len : 16);
	op(c, "set_name slot=%d(%s) len=%zu name=\"%s%s\"%s", si, kind_names[s.kind], len, esc,
	   len > 16 ? "..." : "", v == 0 ? " arg=NULL" : v == 1 ? " arg=guard" : "");
	err = ioctl(s.fd, chance(c, 50) ? DMA_BUF_SET_NAME_A : DMA_BUF_SET_NAME_B, arg) ?
	      errno : 0;
	close(s.fd);
	check(c, err, must_fail, isbuf ? E_NAME : E_OTHER);
}

static void op_export_sync_file(struct ctx *c)
{
	struct dma_buf_export_sync_file es = { .fd = -1 };
	bool bad = chance(c, 15), isbuf;
	struct slot s;
	int si, err;

	si = pick(c, chance(c, 92) ? K_BUFS : K_NOT_BUF, &s);
	if (si < 0)
		return;
	isbuf = s.kind == K_BUF || s.kind == K_FOREIGN;
	es.flags = 1 + below(c, 3);
	if (bad)
		es.flags = chance(c, 30) ? 0 : es.flags | 1U << (2 + below(c, 30));
	op(c, "export_sync_file slot=%d(%s) flags=%#x", si, kind_names[s.kind], es.flags);
	err = ioctl(s.fd, DMA_BUF_IOCTL_EXPORT_SYNC_FILE, &es) ? errno : 0;
	close(s.fd);
	check(c, err, bad || !isbuf, isbuf ? E_SYNCFILE : E_OTHER);
	if (!err)
		put(K_SYNC, es.fd, 0);
}

static void op_import_sync_file(struct ctx *c)
{
	struct dma_buf_import_sync_file is = { .fd = -1 };
	bool bad = chance(c, 15), isbuf, notsync = false;
	struct slot s, f = { .fd = -1 };
	int si, err, v = below(c, 10);

	si = pick(c, chance(c, 92) ? K_BUFS : K_NOT_BUF, &s);
	if (si < 0)
		return;
	isbuf = s.kind == K_BUF || s.kind == K_FOREIGN;
	if (v < 7 && pick(c, KB(K_SYNC), &f) >= 0) {
		is.fd = f.fd;
	} else if (v < 9 && pick(c, K_ANY & ~KB(K_SYNC), &f) >= 0) {
		is.fd = f.fd;
		notsync = true;
	} else {
		is.fd = chance(c, 50) ? -1 : 1 << 20;
		notsync = true;
	}
	is.flags = 1 + below(c, 3);
	if (bad)
		is.flags = chance(c, 30) ? 0 : is.flags | 1U << (2 + below(c, 30));
	op(c, "import_sync_file slot=%d(%s) flags=%#x fd=%s", si, kind_names[s.kind], is.flags,
	   notsync ? "other" : "syncfile");
	err = ioctl(s.fd, DMA_BUF_IOCTL_IMPORT_SYNC_FILE, &is) ? errno : 0;
	close(s.fd);
	if (f.fd >= 0)
		close(f.fd);
	check(c, err, bad || notsync || !isbuf, isbuf ? E_SYNCFILE : E_OTHER);
}

/* lseek, poll and fdinfo of any fd; a dma-buf's size must read back. */
static void op_misc(struct ctx *c)
{
	static const char *const whences[] = { "set", "cur", "end", "data" };
	struct pollfd pfd;
	char path[64], buf[1024], *sz;
	int si, err, v = below(c, 3), whence, fd;
	bool isbuf;
	struct slot s;
	off_t off, r;
	ssize_t n;

	si = pick(c, K_ANY, &s);
	if (si < 0)
		return;
	isbuf = s.kind == K_BUF || s.kind == K_FOREIGN;
	if (v == 0) {
		whence = below(c, 4);
		off = chance(c, 80) ? 0 : (off_t)below(c, 1ULL << 40) - (1LL << 39);
		op(c, "lseek slot=%d(%s) off=%lld whence=%s", si, kind_names[s.kind],
		   (long long)off, whences[whence]);
		r = lseek(s.fd, off, whence);
		err = r < 0 ? errno : 0;
		check(c, err, isbuf && (off || (whence != SEEK_SET && whence != SEEK_END)),
		      E_LSEEK);
		if (isbuf && !err && r != (whence == SEEK_END ? (off_t)s.size : 0))
			fail(c, "lseek gave %lld, size %llu", (long long)r, s.size);
	} else if (v == 1) {
		pfd = (struct pollfd){ .fd = s.fd, .events = POLLIN | POLLOUT | POLLPRI };
		op(c, "poll slot=%d(%s)", si, kind_names[s.kind]);
		err = poll(&pfd, 1, 0) < 0 ? errno : 0;
		check(c, err, false, E_POLL);
	} else {
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", s.fd);
		op(c, "fdinfo slot=%d(%s)", si, kind_names[s.kind]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		err = n < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
		check(c, err, false, E_NONE);
		if (n > 0 && isbuf) {
			buf[n] = '\0';
			sz = strstr(buf, "\nsize:");
			if (!sz || strtoull(sz + 6, NULL, 10) != s.size)
				fail(c, "fdinfo has no size %llu", s.size);
		}
	}
	close(s.fd);
}

/* ---- operations: the test importer ----------------------------------- */

static void op_imp_open(struct ctx *c)
{
	int fd;

	op(c, "importer_open");
	fd = open("/dev/dho_importer", O_RDWR | O_CLOEXEC);
	check(c, fd < 0 ? errno : 0, false, E_OPEN);
	if (fd >= 0)
		put(K_IMP, fd, 0);
}

static unsigned long long rand_imp_off(struct ctx *c)
{
	switch (below(c, 8)) {
	case 0:
	case 1:
		return 0;
	case 2:
		return 4 * below(c, 1024);
	case 3:
		return PAGE * below(c, 1024);
	case 4:
		return below(c, 8 << 20);
	case 5:
		return 1ULL << 62;
	case 6:
		return ~0ULL - below(c, 8);
	default:
		return 1 + 4 * below(c, 64);
	}
}

static unsigned long long rand_imp_len(struct ctx *c)
{
	switch (below(c, 10)) {
	case 0:
		return 0;
	case 1:
		return ~0ULL;
	case 2:
		return 1ULL << 63;
	case 3:
		return PAGE;
	case 4:
		return 1 + below(c, 1 << 16);
	default:
		return 1 + below(c, 8);
	}
}

static void op_imp(struct ctx *c)
{
	static const struct {
		unsigned int cmd;
		const char *name;
		int weight;
		const int *ok;
	} cmds[] = {
		{ DHO_IMP_IMPORT, "import", 12, E_IMP_IMPORT },
		{ DHO_IMP_ATTACH, "attach", 12, E_IMP_ATTACH },
		{ DHO_IMP_MAP, "map", 13, E_IMP_MAP },
		{ DHO_IMP_UNMAP, "unmap", 8, E_IMP_ENXIO },
		{ DHO_IMP_DETACH, "detach", 5, E_IMP_DETACH },
		{ DHO_IMP_VMAP, "vmap", 9, E_IMP_VMAP },
		{ DHO_IMP_VUNMAP, "vunmap", 5, E_IMP_ENXIO },
		{ DHO_IMP_WRITE, "write", 10, E_IMP_ACCESS },
		{ DHO_IMP_READ, "read", 7, E_IMP_ACCESS },
		{ DHO_IMP_BEGIN, "begin", 7, E_IMP_MAP },
		{ DHO_IMP_END, "end", 7, E_IMP_MAP },
		{ DHO_IMP_RELEASE, "release", 4, E_IMP_ENXIO },
		{ 0, "unknown", 1, E_IMP_UNKNOWN },
	};
	struct dho_imp_access acc = { 0 };
	struct slot s, a = { .fd = -1 };
	bool other = chance(c, 8), must_fail = false;
	int si, i, w = below(c, 100), err, arg_fd = -1;
	unsigned int cmd;
	char what[48] = "";
	void *arg = NULL;
	__u32 dir;

	si = -1;
	if (!other && chance(c, 70)) {	/* drive one context deeper */
		pthread_mutex_lock(&g.lock);
		if (g.slots[c->imp].kind == K_IMP && g.slots[c->imp].gen == c->imp_gen) {
			s = g.slots[c->imp];
			s.fd = fcntl(s.fd, F_DUPFD_CLOEXEC, 0);
			si = s.fd < 0 ? -1 : c->imp;
		}
		pthread_mutex_unlock(&g.lock);
	}
	if (si < 0)
		si = pick(c, other ? K_BUFS | KB(K_HEAP) | KB(K_SYNC) : KB(K_IMP), &s);
	if (si < 0)
		return;
	if (!other) {
		c->imp = si;
		c->imp_gen = s.gen;
	}
	for (i = 0; i < (int)ARRAY_SIZE(cmds) - 1 && w >= cmds[i].weight; i++)
		w -= cmds[i].weight;
	cmd = cmds[i].cmd ?: (unsigned int)_IO(DHO_IMP_MAGIC, 13 + below(c, 200));
	switch (cmd) {
	case DHO_IMP_IMPORT:
		w = below(c, 20);
		arg = &arg_fd;
		if (w < 14 && pick(c, K_BUFS, &a) >= 0) {
			arg_fd = a.fd;
			snprintf(what, sizeof(what), " fd=%s", kind_names[a.kind]);
		} else if (w < 17 && pick(c, K_ANY & ~K_BUFS, &a) >= 0) {
			arg_fd = a.fd;
			must_fail = true;
			snprintf(what, sizeof(what), " fd=%s", kind_names[a.kind]);
		} else if (w < 19) {
			arg_fd = chance(c, 50) ? -1 : 1 << 20;
			must_fail = true;
			snprintf(what, sizeof(what), " fd=%d", arg_fd);
		} else {
			arg = NULL;
			must_fail = true;
			snprintf(what, sizeof(what), " arg=NULL");
		}
		break;
	case DHO_IMP_MAP:
	case DHO_IMP_BEGIN:
	case DHO_IMP_END:
		dir = rand_dir(c);
		arg = &dir;
		must_fail = dir > 2;
		if (chance(c, 3)) {
			arg = NULL;
			must_fail = true;
		}
		snprintf(what, sizeof(what), " dir=%u%s", dir, arg ? "" : " arg=NULL");
		break;
	case DHO_IMP_WRITE:
	case DHO_IMP_READ:
		acc.offset = rand_imp_off(c);
		acc.len = rand_imp_len(c);
		acc.value = rnd(c);
		arg = &acc;
		if (cmd == DHO_IMP_WRITE)
			must_fail = !acc.len || acc.offset + acc.len < acc.offset;
		else
			must_fail = acc.offset & 3;
		snprintf(what, sizeof(what), " off=%#llx len=%#llx",
			 (unsigned long long)acc.offset, (unsigned long long)acc.len);
		break;
	default:
		break;
	}
	op(c, "importer slot=%d(%s) %s%s", si, kind_names[s.kind], cmds[i].name, what);
	err = ioctl(s.fd, cmd, arg) ? errno : 0;
	close(s.fd);
	if (a.fd >= 0)
		close(a.fd);
	if (other)
		check(c, err, true, E_OTHER);
	else
		check(c, err, must_fail, cmds[i].ok);
}

/* ---- operations: vgem ------------------------------------------------ */

static void op_vgem_open(struct ctx *c)
{
	int fd;

	op(c, "vgem_open");
	fd = open(g.vgem, O_RDWR | O_CLOEXEC);
	check(c, fd < 0 ? errno : 0, false, E_OPEN);
	if (fd >= 0)
		put(K_VGEM, fd, 0);
}

static void op_vgem_import(struct ctx *c)
{
	struct drm_prime_handle ph = { .fd = -1 };
	struct slot s, a = { .fd = -1 };
	int si, err, v = below(c, 10);
	bool must_fail = false;

	si = pick(c, KB(K_VGEM), &s);
	if (si < 0)
		return;
	if (v < 8 && pick(c, K_BUFS, &a) >= 0) {
		ph.fd = a.fd;
	} else if (v < 9 && pick(c, K_ANY & ~K_BUFS, &a) >= 0) {
		ph.fd = a.fd;
		must_fail = true;
	} else {
		ph.fd = chance(c, 50) ? -1 : 1 << 20;
		must_fail = true;
	}
	op(c, "vgem_import slot=%d fd=%s", si, a.fd >= 0 ? kind_names[a.kind] : "bad");
	err = ioctl(s.fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph) ? errno : 0;
	check(c, err, must_fail, E_PRIME);
	if (!err) {
		pthread_mutex_lock(&g.lock);
		if (g.slots[si].kind == K_VGEM && g.slots[si].gen == s.gen &&
		    g.slots[si].nhandles < (int)ARRAY_SIZE(s.handles))
			g.slots[si].handles[g.slots[si].nhandles++] = ph.handle;
		pthread_mutex_unlock(&g.lock);
	}
	close(s.fd);
	if (a.fd >= 0)
		close(a.fd);
}

static void op_vgem_close(struct ctx *c)
{
	struct drm_gem_close gc = { 0 };
	bool known = false;
	struct slot s;
	int si, err;

	si = pick(c, KB(K_VGEM), &s);
	if (si < 0)
		return;
	pthread_mutex_lock(&g.lock);
	if (chance(c, 75) && g.slots[si].gen == s.gen && g.slots[si].nhandles) {
		gc.handle = g.slots[si].handles[--g.slots[si].nhandles];
		known = true;
	}
	pthread_mutex_unlock(&g.lock);
	if (!known)
		gc.handle = chance(c, 50) ? 0 : 1 + below(c, 64);
	op(c, "vgem_gem_close slot=%d handle=%s", si, known ? "imported" : "random");
	err = ioctl(s.fd, DRM_IOCTL_GEM_CLOSE, &gc) ? errno : 0;
	close(s.fd);
	/* a known handle may be gone: a child or a duplicate import closed it */
	check(c, err, false, E_EINVAL);
}

/* vgem's own buffer, exported: a dma-buf of another exporter */
static void op_vgem_export(struct ctx *c)
{
	struct drm_mode_create_dumb cd = { .bpp = 32 };
	struct drm_prime_handle ph = { .fd = -1 };
	struct drm_gem_close gc = { 0 };
	bool bad;
	struct slot s;
	int si, err;

	si = pick(c, KB(K_VGEM), &s);
	if (si < 0)
		return;
	/*
	 * On a vgem file of its own: the slot's is shared with the other
	 * threads, whose random GEM_CLOSE may close this dumb handle first.
	 */
	close(s.fd);
	s.fd = open(g.vgem, O_RDWR | O_CLOEXEC);
	check(c, s.fd < 0 ? errno : 0, false, E_OPEN);
	if (s.fd < 0)
		return;
	/*
	 * At most 64 KiB (128 x 128 x 4): the test importer's device takes
	 * segments of 64 KiB at most, and vgem builds its table with its own
	 * device's limit, not the importer's, so a larger buffer whose pages
	 * happen to be contiguous maps with a longer segment, and DMA-API
	 * debug WARNs about vgem, not about the tracker.
	 */
	cd.width = chance(c, 5) ? 0 : 1 + below(c, 128);
	cd.height = 1 + below(c, 128);
	op(c, "vgem_create_dumb slot=%d %ux%u", si, cd.width, cd.height);
	err = ioctl(s.fd, DRM_IOCTL_MODE_CREATE_DUMB, &cd) ? errno : 0;
	check(c, err, !cd.width, E_DUMB);
	if (err)
		goto out;
	bad = chance(c, 10);
	ph.handle = cd.handle;
	ph.flags = bad ? DRM_CLOEXEC | 1U << (3 + below(c, 16)) : DRM_CLOEXEC | DRM_RDWR;
	op(c, "vgem_export slot=%d size=%#llx flags=%#x", si, (unsigned long long)cd.size,
	   ph.flags);
	err = ioctl(s.fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph) ? errno : 0;
	check(c, err, bad, E_PRIME);
	if (!err)
		put(K_FOREIGN, ph.fd, cd.size);
	gc.handle = cd.handle;
	op(c, "vgem_gem_close slot=%d handle=dumb", si);
	check(c, ioctl(s.fd, DRM_IOCTL_GEM_CLOSE, &gc) ? errno : 0, false, E_NONE);
out:
	close(s.fd);
}

/* ---- operations: the tracker, the task, fork ------------------------- */

static const char *const knob_files[] = {
	"strict", "all_errors", "num_errors", "filter", "disabled",
};

static char knob_saved[ARRAY_SIZE(knob_files)][64];

static void op_knob(struct ctx *c)
{
	static const char *const bools[] = { "0", "1", "0\n", "1\n" };
	/* the last two are valid for num_errors, a u32 */
	static const char *const bad[] = { "-1", "yes", "0x", "2", "99999999999999999999999" };
	static const char *const nums[] = { "0", "1", "10", "100" };
	static const char *const filters[] = {
		"", "system", "reserved", "dho-importer", "vgem", "nonesuch", "sys\ntem",
		"0123456789012345678901234567890123456789",
	};
	unsigned int k = below(c, ARRAY_SIZE(knob_files));
	bool invalid = chance(c, 10), maybe = false;
	const char *val;
	char path[128], esc[64];
	int err, seq;

	if (k == 3) {
		val = filters[below(c, ARRAY_SIZE(filters))];
		invalid = strlen(val) >= 40;
		maybe = !invalid;
	} else if (invalid) {
		val = bad[below(c, ARRAY_SIZE(bad) - 2 * (k == 2))];
	} else {
		val = k == 2 ? nums[below(c, ARRAY_SIZE(nums))] : bools[below(c, 4)];
	}
	snprintf(path, sizeof(path), DHO_DEBUGFS "/%s", knob_files[k]);
	escape(esc, sizeof(esc), val, strlen(val));
	op(c, "knob %s=\"%s\"", knob_files[k], esc);
	if (k == 0) {
		seq = __atomic_add_fetch(&g.sh->strict_seq, 1, __ATOMIC_ACQ_REL);
		err = -dho_write_file(path, val);
		if (!err)
			__atomic_store_n(&g.sh->strict, val[0] == '1', __ATOMIC_RELAXED);
		__atomic_store_n(&g.sh->strict_seq, seq + 1, __ATOMIC_RELEASE);
	} else {
		err = -dho_write_file(path, val);
	}
	if (maybe)
		logged(c, err ? ename(err) : "0");
	else
		check(c, err, invalid, E_KNOB);
}

static void op_debugfs_read(struct ctx *c)
{
	static const char *const files[] = {
		"buffers", "violations", "counts", "error_count", "filter", "strict",
		"all_errors", "num_errors", "disabled",
	};
	unsigned int k = below(c, ARRAY_SIZE(files));
	char path[128], buf[4096];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), DHO_DEBUGFS "/%s", files[k]);
	op(c, "debugfs_read %s", files[k]);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	err = fd < 0 ? errno : 0;
	while (!err && (n = read(fd, buf, sizeof(buf))) != 0)
		err = n < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	check(c, err, false, E_NONE);
}

static void op_comm(struct ctx *c)
{
	char name[NAME_LEN + 1], esc[80];
	size_t len = rand_name(c, name);

	if (len > 15)
		name[15] = '\0';
	escape(esc, sizeof(esc), name, strlen(name));
	op(c, "comm \"%s\"", esc);
	check(c, prctl(PR_SET_NAME, name) ? errno : 0, false, E_NONE);
}

static void run(struct ctx *c, long quota);

static void wait_child(struct ctx *c, pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid) {
		fail(c, "waitpid %d: %s", pid, ename(errno));
		return;
	}
	__atomic_sub_fetch(&g.sh->live_children, 1, __ATOMIC_RELAXED);
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return;
	__atomic_add_fetch(&g.sh->crashed, 1, __ATOMIC_RELAXED);
	say("# FAIL seed %llu: child %d %s %d", g.seed, pid,
	    WIFSIGNALED(status) ? "killed by signal" : "exited with",
	    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

/* Reap the children that have exited (all of them when @block). */
static void reap(struct ctx *c, bool block)
{
	int i, status;
	pid_t r;

	pthread_mutex_lock(&g.lock);
	for (i = 0; i < g.npids; i++) {
		r = waitpid(g.pids[i], &status, block ? 0 : WNOHANG);
		if (r == 0)
			continue;
		if (r == g.pids[i]) {
			__atomic_sub_fetch(&g.sh->live_children, 1, __ATOMIC_RELAXED);
			if (!WIFEXITED(status) || WEXITSTATUS(status)) {
				__atomic_add_fetch(&g.sh->crashed, 1, __ATOMIC_RELAXED);
				say("# FAIL seed %llu: child %d %s %d", g.seed, g.pids[i],
				    WIFSIGNALED(status) ? "killed by signal" : "exited with",
				    WIFSIGNALED(status) ? WTERMSIG(status) :
				    WEXITSTATUS(status));
			}
		} else {
			fail(c, "waitpid %d: %s", g.pids[i], ename(errno));
		}
		g.pids[i--] = g.pids[--g.npids];
	}
	pthread_mutex_unlock(&g.lock);
}

/* A child: a few operations of its own on the inherited tables, then exit. */
static void child_main(unsigned long long seed, long nops)
{
	struct ctx c = { .rng = seed, .child = true, .exact = true };
	int i;

	pthread_mutex_init(&g.lock, NULL);
	g.npids = 0;
	touch_timer_made = false;	/* timers are not inherited */
	for (i = 0; i < NMAPS; i++)
		if (g.maps[i].dontfork)
			g.maps[i].holey = true;		/* not inherited */
	snprintf(c.tag, sizeof(c.tag), "c%d",
		 __atomic_add_fetch(&g.sh->children, 1, __ATOMIC_RELAXED));
	run(&c, nops);
	_exit(0);
}

static void op_fork(struct ctx *c)
{
	unsigned long long seed = rnd(c);
	long nops = 2 + below(c, 12);
	bool later = false;
	pid_t pid;

	reap(c, false);
	if (__atomic_load_n(&g.sh->live_children, __ATOMIC_RELAXED) >= MAX_CHILDREN)
		return;
	op(c, "fork ops=%ld", nops);
	logged(c, "...");
	pthread_mutex_lock(&g.lock);	/* the child gets consistent tables */
	pid = fork();
	if (!pid)
		child_main(seed, nops);
	if (pid > 0) {
		__atomic_add_fetch(&g.sh->live_children, 1, __ATOMIC_RELAXED);
		if (g.threads > 1 && g.npids < MAX_PIDS) {
			g.pids[g.npids++] = pid;
			later = true;
		}
	}
	pthread_mutex_unlock(&g.lock);
	if (pid < 0)
		check(c, errno, false, E_FORK);
	else if (!later)
		wait_child(c, pid);	/* one thread: children run in turn */
}

/* ---- the operation table --------------------------------------------- */

enum {
	NEED_IMP = 1, NEED_VGEM = 2, NEED_KNOBS = 4, NEED_TRACKER = 8, NEED_MADVISE = 16,
	PARENT = 32,
};

static const struct {
	void (*fn)(struct ctx *c);
	int weight;
	unsigned int flags;
} ops[] = {
	{ op_alloc, 10, 0 },
	{ op_heap_ioctl, 1, 0 },
	{ op_heap_open, 1, 0 },
	{ op_close, 7, 0 },
	{ op_dup, 2, 0 },
	{ op_mmap, 9, 0 },
	{ op_munmap, 4, 0 },
	{ op_mremap, 3, 0 },
	{ op_mprotect, 3, 0 },
	{ op_madvise, 3, NEED_MADVISE },
	{ op_touch, 14, 0 },
	{ op_sync, 10, 0 },
	{ op_set_name, 3, 0 },
	{ op_export_sync_file, 2, 0 },
	{ op_import_sync_file, 2, 0 },
	{ op_misc, 2, 0 },
	{ op_imp_open, 1, NEED_IMP },
	{ op_imp, 18, NEED_IMP },
	{ op_vgem_open, 1, NEED_VGEM },
	{ op_vgem_import, 3, NEED_VGEM },
	{ op_vgem_close, 2, NEED_VGEM },
	{ op_vgem_export, 1, NEED_VGEM },
	{ op_debugfs_read, 1, NEED_TRACKER },
	{ op_comm, 1, 0 },
	{ op_knob, 2, NEED_KNOBS | PARENT },
	{ op_fork, 1, PARENT },
};

static int weights[2][ARRAY_SIZE(ops)];	/* [child][op] */
static int total_weight[2];

static void setup_weights(void)
{
	unsigned int i, f;
	int ch;

	for (ch = 0; ch < 2; ch++) {
		for (i = 0; i < ARRAY_SIZE(ops); i++) {
			f = ops[i].flags;
			if ((f & NEED_IMP && !g.importer) || (f & NEED_VGEM && !g.vgem[0]) ||
			    (f & NEED_KNOBS && !(g.knobs && g.tracker)) ||
			    (f & NEED_TRACKER && !g.tracker) || (f & PARENT && ch) ||
			    (f & NEED_MADVISE && !g.madvise))
				continue;
			weights[ch][i] = ops[i].weight;
			total_weight[ch] += ops[i].weight;
		}
	}
}

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - g.start.tv_sec + (now.tv_nsec - g.start.tv_nsec) / 1e9;
}

static void run(struct ctx *c, long quota)
{
	int w, i;

	for (c->n = 0; c->n < quota; c->n++) {
		if (!c->child && g.max_seconds && elapsed() > g.max_seconds) {
			say("# %s: stopped at the time limit (%d s) after %ld operations",
			    c->tag, g.max_seconds, c->n);
			break;
		}
		w = below(c, total_weight[c->child]);
		for (i = 0; w >= weights[c->child][i]; i++)
			w -= weights[c->child][i];
		c->desc[0] = '\0';
		ops[i].fn(c);
		__atomic_add_fetch(c->child ? &g.sh->child_ops : &g.sh->ops, 1, __ATOMIC_RELAXED);
	}
}

struct thread {
	pthread_t tid;
	struct ctx c;
	long quota;
};

static void *thread_main(void *arg)
{
	struct thread *t = arg;

	run(&t->c, t->quota);
	return NULL;
}

/* ---- setup and the checks at the end --------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void find_heaps(void)
{
	char names[MAX_HEAPS][sizeof(g.heaps[0])], path[300];
	struct dirent *de;
	DIR *dir = opendir("/dev/dma_heap");
	int i, n = 0, fd;

	while (dir && (de = readdir(dir)) && n < MAX_HEAPS)
		if (de->d_name[0] != '.' && strlen(de->d_name) < sizeof(names[0]))
			snprintf(names[n++], sizeof(names[0]), "%s", de->d_name);
	if (dir)
		closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_str);	/* a stable order, for replays */
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/dev/dma_heap/%s", names[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			say("# cannot open heap %s: %s", names[i], ename(errno));
			continue;
		}
		memcpy(g.heaps[g.nheaps], names[i], sizeof(names[0]));
		g.heap_fds[g.nheaps++] = fd;
	}
}

static bool is_vgem(int fd)
{
	char name[5] = "";
	struct drm_version v = { .name_len = 4, .name = name };

	return !ioctl(fd, DRM_IOCTL_VERSION, &v) && v.name_len == 4 && !memcmp(name, "vgem", 4);
}

static void find_vgem(void)
{
	char path[32];
	int i, fd;

	for (i = 0; i < 16 && !g.vgem[0]; i++) {
		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_vgem(fd))
			snprintf(g.vgem, sizeof(g.vgem), "%s", path);
		close(fd);
	}
}

static int parse_inos(const char *text, unsigned long *inos, int max)
{
	const char *p = text;
	int n = 0;

	while (p && *p && n < max) {
		if (!strncmp(p, "ino=", 4))
			inos[n++] = strtoul(p + 4, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

static bool in_list(unsigned long ino, const unsigned long *list, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (list[i] == ino)
			return true;
	return false;
}

/* Buffers in the tracker's table that this run allocated; -1 if unreadable. */
static int leftovers(const unsigned long *before, int nbefore, bool show)
{
	char *text = dho_read_file(DHO_DEBUGFS "/buffers"), *line, *save = NULL, esc[256];
	int n = 0, nino = g.sh->nino < MAX_INOS ? g.sh->nino : MAX_INOS;
	unsigned long ino;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "ino=", 4))
			continue;
		ino = strtoul(line + 4, NULL, 10);
		/* ours, or unknown before the run (the log may have overflowed) */
		if (!in_list(ino, g.sh->inos, nino) && in_list(ino, before, nbefore))
			continue;
		if (show) {
			escape(esc, sizeof(esc), line, strlen(line));
			say("# left: %s", esc);
		}
		n++;
	}
	free(text);
	return n;
}

static bool word_at(const char *s, const char *p, size_t len)
{
	return (p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')) &&
	       !(isalnum((unsigned char)p[len]) || p[len] == '_');
}

/* A kernel log message that is a splat (the tracker's reports are not). */
static bool splat(const char *msg)
{
	static const char *const pats[] = {
		"WARNING:", "Oops", "KASAN", "general protection fault", "Kernel panic",
		"possible recursive locking", "possible circular locking",
		"inconsistent lock state", "suspicious RCU usage", "unreferenced object",
		"soft lockup", "blocked for more than", "self-detected stall",
		"detected stalls", "UBSAN",
	};
	static const char *const dma_api_ok[] = {
		"preallocated", "debugging enabled", "cacheline tracking ENOMEM",
	};
	const char *p;
	unsigned int i;
	bool ok;

	for (i = 0; i < ARRAY_SIZE(pats); i++)
		if (strstr(msg, pats[i]))
			return true;
	for (p = msg; (p = strstr(p, "BUG: ")); p += 5)
		if (strncmp(p + 5, "dma-heap-owner: ", 16))
			return true;
	for (p = msg; (p = strstr(p, "lockdep")); p += 7)
		if (word_at(msg, p, 7))
			return true;
	for (p = msg; (p = strstr(p, "DMA-API: ")); p += 9) {
		for (ok = false, i = 0; i < ARRAY_SIZE(dma_api_ok); i++)
			ok |= !strncmp(p + 9, dma_api_ok[i], strlen(dma_api_ok[i]));
		if (!ok)
			return true;
	}
	return false;
}

/*
 * The kernel log since the start, read as it comes by a thread of its own
 * (the tracker's reports could overrun the ring before the end).
 */
static struct {
	int fd;
	int hits;		/* splats seen */
	int lost;		/* overruns: records lost before they were read */
	int stop;
	pthread_t tid;
} km = { .fd = -1 };

static void kmsg_drain(void)
{
	char rec[8192], esc[300], *msg, *eol;
	ssize_t n;

	for (;;) {
		n = read(km.fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) {
			km.lost++;
			continue;
		}
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		msg = msg ? msg + 1 : rec;
		eol = strchr(msg, '\n');
		if (eol)
			*eol = '\0';
		if (!splat(msg))
			continue;
		if (km.hits++ < 10) {
			escape(esc, sizeof(esc), msg, strlen(msg));
			say("# splat: %s", esc);
		}
	}
}

static void *kmsg_thread(void *arg)
{
	while (!__atomic_load_n(&km.stop, __ATOMIC_ACQUIRE)) {
		kmsg_drain();
		usleep(50000);
	}
	return NULL;
}

static void print_help(const char *prog)
{
	printf("usage: %s [--seed N] [--ops N] [--threads N] [--max-seconds N] [--no-knobs] [-v]\n"
	       "  --seed N         replay seed N (default: random; printed first)\n"
	       "  --ops N          operations in all threads (default %d, %d with DHO_VARIANT=debug)\n"
	       "  --threads N      threads sharing the tables (default 4; 1 replays exactly)\n"
	       "  --max-seconds N  stop early after N seconds (default 60, 150 with debug; 0: none)\n"
	       "  --no-knobs       leave the tracker's debugfs knobs alone\n"
	       "  -v, --verbose    log every operation and its outcome (twice: before it too)\n"
	       "environment: DHO_FUZZ_SEED, DHO_FUZZ_OPS, DHO_FUZZ_THREADS, DHO_FUZZ_VERBOSE,\n"
	       "DHO_VARIANT=debug\n", prog, BASE_OPS, DEBUG_OPS);
}

static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "ops", required_argument, NULL, 'o' },
		{ "threads", required_argument, NULL, 't' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ "no-knobs", no_argument, NULL, 'k' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool debug = getenv("DHO_VARIANT") && !strcmp(getenv("DHO_VARIANT"), "debug");
	const char *e;
	bool seeded = false;
	int o;

	g.ops = debug ? DEBUG_OPS : BASE_OPS;
	g.max_seconds = debug ? 150 : 60;
	e = getenv("DHO_FUZZ_SEED");
	if (e && *e) {
		g.seed = strtoull(e, NULL, 0);
		seeded = true;
	}
	e = getenv("DHO_FUZZ_OPS");
	if (e && atol(e) > 0)
		g.ops = atol(e);
	e = getenv("DHO_FUZZ_THREADS");
	if (e && atoi(e) > 0)
		g.threads = atoi(e);
	e = getenv("DHO_FUZZ_VERBOSE");
	g.verbose = e ? atoi(e) : 0;
	while ((o = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			g.seed = strtoull(optarg, NULL, 0);
			seeded = true;
			break;
		case 'o':
			g.ops = atol(optarg);
			break;
		case 't':
			g.threads = atoi(optarg);
			break;
		case 'm':
			g.max_seconds = atoi(optarg);
			break;
		case 'k':
			g.knobs = false;
			break;
		case 'v':
			g.verbose++;
			break;
		case 'h':
			print_help(argv[0]);
			exit(0);
		default:
			print_help(argv[0]);
			exit(2);
		}
	}
	if (g.ops < 0 || g.threads < 1 || g.threads > 64 || g.max_seconds < 0) {
		print_help(argv[0]);
		exit(2);
	}
	if (!seeded && getrandom(&g.seed, sizeof(g.seed), 0) != sizeof(g.seed))
		g.seed = time(NULL) ^ ((unsigned long long)getpid() << 32);
}

static int tap(int n, bool ok, const char *name, const char *skip)
{
	if (skip)
		say("ok %d %s # SKIP %s", n, name, skip);
	else
		say("%sok %d %s", ok ? "" : "not ", n, name);
	return !ok && !skip;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO | SA_RESTART };
	long before[DHO_NR_CLASSES], after[DHO_NR_CLASSES];
	int i, nbefore = 0, left = -1, bad = 0;
	unsigned long *inos_before = NULL;
	struct thread *threads;
	bool counted = false;
	struct ctx end = { 0 };
	struct sysinfo si;
	char comm[16] = "", *text, *p;
	unsigned int order[NSLOTS];

	parse_args(argc, argv);
	say("# seed %llu", g.seed);
	say("TAP version 13");
	setvbuf(stdout, NULL, _IONBF, 0);

	g.sh = mmap(NULL, sizeof(*g.sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g.sh == MAP_FAILED) {
		say("1..0 # SKIP no memory for the shared state");
		return 1;
	}
	if (!sysinfo(&si))
		g.ram = (unsigned long long)si.totalram * si.mem_unit;
	find_heaps();
	if (!g.nheaps) {
		say("1..1");
		say("ok 1 fuzz # SKIP no dma-buf heap in /dev/dma_heap");
		return 0;
	}
	g.importer = !access("/dev/dho_importer", R_OK | W_OK);
	find_vgem();
	g.tracker = dho_tracker_present();
	for (i = 0; g.tracker && i < (int)ARRAY_SIZE(knob_files); i++) {
		char path[128];

		snprintf(path, sizeof(path), DHO_DEBUGFS "/%s", knob_files[i]);
		text = dho_read_file(path);
		snprintf(knob_saved[i], sizeof(knob_saved[i]), "%s", text ? text : "");
		free(text);
	}
	g.sh->strict = knob_saved[0][0] == '1';
	if (g.tracker) {
		text = dho_read_file(DHO_DEBUGFS "/buffers");
		inos_before = calloc(MAX_INOS, sizeof(*inos_before));
		if (text && inos_before)
			nbefore = parse_inos(text, inos_before, MAX_INOS);
		free(text);
		counted = !dho_counts(before);
	}
	km.fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (km.fd >= 0 && (lseek(km.fd, 0, SEEK_END) < 0 ||
			   pthread_create(&km.tid, NULL, kmsg_thread, NULL))) {
		close(km.fd);
		km.fd = -1;
	}
	prctl(PR_GET_NAME, comm);

	/* the mapping regions and, after them, a guard page */
	g.resv = mmap(NULL, NMAPS * REGION + PAGE, PROT_NONE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (g.resv == MAP_FAILED) {
		say("1..0 # SKIP cannot reserve the mapping regions");
		return 1;
	}
	g.madvise = !madvise(g.resv, PAGE, MADV_NORMAL);	/* ADVISE_SYSCALLS=n */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	setup_weights();

	say("# ops %ld, threads %d, heaps:%s%s%s%s, importer %s, vgem %s, tracker %s, knobs %s%s",
	    g.ops, g.threads, g.heaps[0], g.nheaps > 1 ? " " : "", g.nheaps > 1 ? g.heaps[1] : "",
	    g.nheaps > 2 ? " ..." : "", g.importer ? "yes" : "no", g.vgem[0] ? g.vgem : "no",
	    g.tracker ? "yes" : "no", g.knobs && g.tracker ? "fuzzed" : "untouched",
	    g.madvise ? "" : ", no madvise syscall");

	clock_gettime(CLOCK_MONOTONIC, &g.start);
	threads = calloc(g.threads, sizeof(*threads));
	for (i = 0; i < g.threads; i++) {
		struct thread *t = &threads[i];

		/* each thread's stream derives from the seed and its number */
		t->c.rng = g.seed ^ (0xd1b54a32d192ed03ULL * (i + 1));
		t->c.exact = g.threads == 1;
		snprintf(t->c.tag, sizeof(t->c.tag), "t%u", i & 63);
		t->quota = g.ops / g.threads + (i < g.ops % g.threads);
		if (i && pthread_create(&t->tid, NULL, thread_main, t)) {
			say("# cannot start thread %d: running its share in thread 0", i);
			threads[0].quota += t->quota;
			t->quota = 0;
			t->tid = 0;
		}
	}
	run(&threads[0].c, threads[0].quota);
	for (i = 1; i < g.threads; i++)
		if (threads[i].tid)
			pthread_join(threads[i].tid, NULL);

	/* everything closed, in an order from the seed */
	snprintf(end.tag, sizeof(end.tag), "end");
	end.rng = g.seed ^ 0x5eed;
	reap(&end, true);
	munmap(g.resv, NMAPS * REGION + PAGE);
	for (i = 0; i < NSLOTS; i++)
		order[i] = i;
	for (i = NSLOTS - 1; i > 0; i--) {
		unsigned int j = below(&end, i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < NSLOTS; i++) {
		struct slot *s = &g.slots[order[i]];

		if (s->kind == K_FREE)
			continue;
		op(&end, "close slot=%u(%s)", order[i], kind_names[s->kind]);
		check(&end, close(s->fd) ? errno : 0, false, E_NONE);
	}
	for (i = 0; i < g.nheaps; i++)
		close(g.heap_fds[i]);
	prctl(PR_SET_NAME, comm);
	for (i = 0; g.knobs && g.tracker && i < (int)ARRAY_SIZE(knob_files); i++) {
		char path[128];

		snprintf(path, sizeof(path), DHO_DEBUGFS "/%s", knob_files[i]);
		if (dho_write_file(path, knob_saved[i][0] ? knob_saved[i] : "\n"))
			say("# could not restore %s", knob_files[i]);
	}

	say("# %ld operations (+%ld in %d children) by %d threads in %.1f s", g.sh->ops,
	    g.sh->child_ops, g.sh->children, g.threads, elapsed());
	say("# caught: SIGBUS %ld, SIGSEGV %ld, strict SIGBUS after SYNC %ld; buffers allocated %d",
	    g.sh->sigbus, g.sh->sigsegv, g.sh->kicks, g.sh->nino);
	if (counted && !dho_counts(after)) {
		char line[512];
		int o = 0;

		for (i = 0; i < DHO_NR_CLASSES; i++)
			o += snprintf(line + o, sizeof(line) - o, " %s %ld", dho_classes[i],
				      after[i] - before[i]);
		say("# violations raised:%s", line);
	}
	if (g.tracker) {
		/* releases run on return to userspace: give stragglers a moment */
		for (i = 0; i < 20 && (left = leftovers(inos_before, nbefore, false)) > 0; i++)
			usleep(100000);
		if (left > 0)
			leftovers(inos_before, nbefore, true);
	}
	if (km.fd >= 0) {
		__atomic_store_n(&km.stop, 1, __ATOMIC_RELEASE);
		pthread_join(km.tid, NULL);
		kmsg_drain();
		if (km.lost)
			say("# the kernel log overran its reader %d times: records were lost",
			    km.lost);
		close(km.fd);
	}
	free(inos_before);
	free(threads);

	say("1..4");
	bad += tap(1, !g.sh->failures, "fuzz_ops_expected_errnos", NULL);
	bad += tap(2, !g.sh->crashed, "fuzz_children_exit_cleanly", NULL);
	bad += tap(3, !left, "fuzz_no_buffer_left",
		   !g.tracker ? "no tracker debugfs" : left < 0 ? "buffers unreadable" : NULL);
	p = km.fd < 0 ? "/dev/kmsg unreadable" : NULL;
	bad += tap(4, !km.hits, "fuzz_no_kernel_splat", p);
	if (g.sh->failures || g.sh->crashed || left > 0 || km.hits)
		say("# rerun: --seed %llu --threads %d --ops %ld (exact with --threads 1)",
		    g.seed, g.threads, g.ops);
	return bad ? 1 : 0;
}
