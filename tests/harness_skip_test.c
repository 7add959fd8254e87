// SPDX-License-Identifier: GPL-2.0
/*
 * The harness itself, not the tracker: a skip in a fixture's setup
 * (DHO_SETUP_SKIP, tests/dho_harness.h) must run neither the test's body
 * nor the fixture's teardown, and report the test skipped with its
 * message; a setup that does not skip runs both.  No suite: make test runs
 * it on the host before the VM boots, through tests/harness-skip-check.sh,
 * which checks the marker files below (written in the current directory)
 * and the TAP.
 */
#define _GNU_SOURCE
#include "dho_test.h"
#include "kselftest_harness.h"
#include "dho_harness.h"

/* An empty file @name in the current directory: this part ran. */
static void mark(const char *name)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd >= 0)
		close(fd);
}

FIXTURE(skips) {
	int half_set_up;
};

/* Twice: the harness runs the same test object for each variant. */
FIXTURE_VARIANT(skips) {
	const char *name;
};

FIXTURE_VARIANT_ADD(skips, first) { .name = "first" };
FIXTURE_VARIANT_ADD(skips, second) { .name = "second" };

FIXTURE_SETUP(skips)
{
	DHO_SETUP_SKIP("setup skipped on purpose (%s)", variant->name);
	self->half_set_up = 1;
}

FIXTURE_TEARDOWN(skips)
{
	mark("skips-teardown-ran");
	abort();
}

/* What a suite's body does on a half-set-up fixture: fail, under the SKIP. */
TEST_F(skips, body_not_run)
{
	mark("skips-body-ran");
	EXPECT_EQ(1, self->half_set_up) TH_LOG("the body ran after a skip in the setup");
}

FIXTURE(runs) {
	int set_up;
};

FIXTURE_SETUP(runs)
{
	self->set_up = 1;
}

FIXTURE_TEARDOWN(runs)
{
	if (self->set_up == 2)
		mark("runs-teardown-ran");
}

TEST_F(runs, body_and_teardown)
{
	ASSERT_EQ(1, self->set_up);
	self->set_up = 2;
	mark("runs-body-ran");
}

TEST_HARNESS_MAIN
