/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Assertions shared by the dma-heap-owner kselftests; include after
 * kselftest_harness.h.
 */
#ifndef DHO_HARNESS_H
#define DHO_HARNESS_H

#include "dho_test.h"

/*
 * SKIP() for a FIXTURE_SETUP(): the test is skipped and neither its body
 * nor the teardown runs.  6.1's harness stops after a setup only when it
 * failed, and SKIP() leaves the test passed: after SKIP(return, ...) in a
 * setup it runs the body and the teardown on a half-set-up fixture, and
 * what they find wrong is hidden under the SKIP.  This jumps back to the
 * wrapper's setjmp(), as an ASSERT does but without marking the test
 * aborted: the rest of the setup and the body are passed over, and the
 * teardown too, as setup_completed is set only after the setup returned;
 * the test's process exits 255, reported as a skip with the message.  So
 * skip before changing anything that the teardown would undo.
 * tests/harness_skip_test.c checks this on the host (make test).
 */
#define DHO_SETUP_SKIP(fmt, ...) \
	SKIP(longjmp(_metadata->env, 1), fmt, ##__VA_ARGS__)

/* Exactly @n violations of class @cls since @before, none of any other. */
static inline void expect_only_since(struct __test_metadata *_metadata,
				     const long *before, int cls, long n)
{
	long now[DHO_NR_CLASSES];
	int i;

	ASSERT_EQ(0, dho_counts(now));
	for (i = 0; i < DHO_NR_CLASSES; i++)
		EXPECT_EQ(i == cls ? n : 0, now[i] - before[i])
			TH_LOG("class %d", i);
}

/*
 * How far above its baseline unreclaimable slab may end, settled by
 * dho_slab_read(), in kB.  Settled readings of the same idle state differ
 * by up to about 100 kB here: objects freed back into slabs that keep one
 * object in use cannot be given back by any shrink.  A leak of one
 * 512-byte object a round over the 512 rounds the tests below run, or of
 * one buffer record (1 KiB) per buffer over the stress test's 1,000, is
 * more.  The objects of each cache are the finer check: expect_no_leak().
 */
#define DHO_SLAB_SLACK_KB	256

/* Nothing leaked: the buffers table and the slab caches, as they were. */
struct dho_leak {
	int buffers;
	struct dho_slab slab;
};

static inline void dho_leak_begin(struct __test_metadata *_metadata, struct dho_leak *l)
{
	l->buffers = dho_buffers_count();
	ASSERT_LE(0, l->buffers);
	ASSERT_EQ(0, dho_slab_read(&l->slab));
}

/*
 * After @rounds rounds of the same work since dho_leak_begin(): the
 * buffers table is back to its length; no slab cache gained rounds / 2
 * objects or more beyond a slab's worth per CPU (dho_slab_most_grown()),
 * which a leak of one object a round would (sure for objects of 64 bytes
 * and more at 512 rounds: a slab holds 64 of them); and SUnreclaim is
 * back within DHO_SLAB_SLACK_KB.
 */
static inline void expect_no_leak(struct __test_metadata *_metadata,
				  const struct dho_leak *l, long rounds)
{
	static struct dho_slab now;	/* large: not on the stack */
	long gain = 0, slack = 0;
	int i;

	EXPECT_EQ(l->buffers, dho_buffers_count()) TH_LOG("buffers left in the table");
	ASSERT_EQ(0, dho_slab_read(&now));
	i = dho_slab_most_grown(&l->slab, &now, &gain, &slack);
	ASSERT_LE(0, i);
	EXPECT_GT(rounds / 2 + slack, gain)
		TH_LOG("slab cache %s: %ld more objects after %ld rounds",
		       now.cache[i].name, gain, rounds);
	EXPECT_GE(DHO_SLAB_SLACK_KB, now.sunreclaim_kb - l->slab.sunreclaim_kb)
		TH_LOG("SUnreclaim %ld -> %ld kB", l->slab.sunreclaim_kb, now.sunreclaim_kb);
	TH_LOG("SUnreclaim %ld -> %ld kB; nearest its limit: %s +%ld objects (limit %ld + %ld)",
	       l->slab.sunreclaim_kb, now.sunreclaim_kb, now.cache[i].name, gain,
	       rounds / 2, slack);
}

#endif /* DHO_HARNESS_H */
