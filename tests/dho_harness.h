/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Assertions shared by the dma-heap-owner kselftests; include after
 * kselftest_harness.h.
 */
#ifndef DHO_HARNESS_H
#define DHO_HARNESS_H

#include "dho_test.h"

/* Exactly @n violations of class @cls since @before, none of any other. */
static void expect_only_since(struct __test_metadata *_metadata,
			      const long *before, int cls, long n)
{
	long now[DHO_NR_CLASSES];
	int i;

	ASSERT_EQ(0, dho_counts(now));
	for (i = 0; i < DHO_NR_CLASSES; i++)
		EXPECT_EQ(i == cls ? n : 0, now[i] - before[i])
			TH_LOG("class %d", i);
}

#endif /* DHO_HARNESS_H */
