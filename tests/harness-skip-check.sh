#!/bin/bash
# Host-side check of the kselftest harness as the suites use it, run by
# make test before the VM boots: a skip in a fixture's setup
# (DHO_SETUP_SKIP) runs neither the body nor the teardown and reports the
# test skipped with its message.  6.1's harness runs the body after a plain
# SKIP(return, ...) in the setup, whose failures the SKIP then hides.
#   harness-skip-check.sh <bin-dir>/harness_skip_test
# The binary is tests/harness_skip_test.c, built by tests/build-user.sh
# with the suites' flags.  Also checks that no FIXTURE_SETUP in tests/*.c
# uses a plain SKIP().  Prints each check; exits 1 if any failed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath -m "${1:?usage: harness-skip-check.sh <bin-dir>/harness_skip_test}")
if [ ! -x "$bin" ]; then
	echo "harness-skip-check: FAIL: no $bin (tests/build-user.sh builds it)" >&2
	exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

(cd "$dir" && "$bin") > "$dir/out" 2>&1
rc=$?
failed=0
check() {	# description command...
	local what=$1
	shift
	if "$@"; then
		echo "harness-skip-check: ok: $what"
	else
		echo "harness-skip-check: FAIL: $what"
		failed=1
	fi
}
has() { grep -qxF -- "$1" "$dir/out"; }
has_re() { grep -qxE -- "$1" "$dir/out"; }
count() { [ "$(grep -cE -- "$1" "$dir/out")" = "$2" ]; }

check "exits 0 (got $rc)" [ "$rc" = 0 ]
n=0
for v in first second; do
	n=$((n + 1))
	# 6.1's harness leaves the test's name out of a skip's line, 6.12's not
	check "skips.$v.body_not_run reported skipped with the setup's message" \
		has_re "ok $n( skips\.$v\.body_not_run)? # SKIP setup skipped on purpose \($v\)"
done
check "the body did not run after a skip in the setup" [ ! -e "$dir/skips-body-ran" ]
check "the teardown did not run after a skip in the setup" [ ! -e "$dir/skips-teardown-ran" ]
check "runs.body_and_teardown passed" has "ok 3 runs.body_and_teardown"
check "a setup that does not skip runs the body" [ -e "$dir/runs-body-ran" ]
check "and the teardown" [ -e "$dir/runs-teardown-ran" ]
check "totals: 1 pass, 2 skip, no failure" \
	has "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:2 error:0"
check "no 'not ok', FAIL or failed expectation in the output" \
	count '^not ok|FAIL|Expected|terminated' 0

# and every suite's setups skip that way: a plain SKIP() in a
# FIXTURE_SETUP body (up to its closing brace in column 0) is one that
# runs the body anyway
plain=$(awk '/^FIXTURE_SETUP\(/ { in_setup = 1 }
	in_setup && /(^|[^_])SKIP\(/ { print FILENAME ":" FNR ": " $0 }
	in_setup && /^}/ { in_setup = 0 }' "$repo"/tests/*.c)
check "every FIXTURE_SETUP in tests/*.c skips with DHO_SETUP_SKIP" [ -z "$plain" ]
[ -n "$plain" ] && printf '%s\n' "$plain" | sed 's/^/  | /'
if [ $failed != 0 ]; then
	echo "harness-skip-check: $bin printed:"
	sed 's/^/  | /' "$dir/out"
	echo "harness-skip-check: FAILED"
	exit 1
fi
echo "harness-skip-check: passed"
