#!/bin/bash
# Runs inside the test VM (see tests/run-tests.sh): every userspace suite,
# each framed by @@SUITE/@@END lines for tests/summarize.py, which holds the
# list of suites each variant must run: a suite added here goes there too.
#   guest-suites.sh <build-dir>/<variant> [suite]
# Exports DHO_VARIANT (base or debug) for the suites.
build=${1%/} only=${2:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$build/bin
bname=${build##*/}
export DHO_VARIANT=${bname##*-}
export PATH=$bin:$PATH
echo "@@VARIANT $DHO_VARIANT"

# frame name command...: run one suite between @@SUITE and @@END lines.
# --needs FILE (repeatable) before the command names a file it needs; any
# absolute path among the arguments is needed too.  What is not there (a
# test that did not build, a script that is gone) is reported as missing
# and the suite is not run.
frame() {
	local name=$1 arg missing=0 needs=()
	shift
	while [ "$1" = --needs ]; do
		needs+=("$2")
		shift 2
	done
	echo "@@SUITE $name"
	for arg in "${needs[@]}" "$@"; do
		if [[ $arg == /* ]] && [ ! -e "$arg" ]; then
			echo "@@MISSING $arg"
			missing=1
		fi
	done
	if [ $missing = 1 ]; then
		echo "@@END $name 127"
		return 0
	fi
	"$@" 2>&1
	echo "@@END $name $?"
}

# suite name [--needs FILE]... command...: frame it, unless make test
# asked for other suites (SUITE=, one or several separated by commas).
suite() {
	[ -n "$only" ] && [[ ,$only, != *,$1,* ]] && return 0
	frame "$@"
}

# result number status description: one TAP result line.
result() {
	if [ "$2" = 0 ]; then
		echo "ok $1 $3"
	else
		echo "not ok $1 $3"
	fi
}

# The importer module plays a driver for the tests that need a device;
# every run loads it, whichever suite it runs.
# On arm64 its device is not DMA-coherent, so the heaps' syncs for it do
# real cache maintenance, under dma-debug's eye.
insmod_importer() {
	local out rc arm64=0

	[ "$(uname -m)" = aarch64 ] && arm64=1
	echo "1..$((1 + 2 * arm64))"
	out=$(insmod "$1" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
	result 1 "$rc" "insmod $1"
	if [ $arm64 = 1 ]; then
		dmesg | grep -q 'dho-importer dho-importer: is not DMA-coherent$'
		result 2 $? "arm64: the importer's device is not DMA-coherent"
		[ "$(cat /sys/kernel/debug/dma-api/disabled 2>&1)" = N ]
		result 3 $? "arm64: dma-debug is on, checking its mappings and syncs"
	fi
	return "$rc"
}

# kmemleak (the debug kernel): two checked scans after everything else,
# then the report read back; a kmemleak that switched itself off refuses
# the scan (EPERM) and says so in the kernel log.
kmemleak_check() {
	local kml=/sys/kernel/debug/kmemleak out rc i

	echo "1..5"
	[ -e "$kml" ]
	result 1 $? "$kml exists"
	for i in 2 3; do
		out=$( { echo scan > "$kml"; } 2>&1)
		rc=$?
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
		result "$i" "$rc" "echo scan > $kml"
		[ "$i" = 2 ] && sleep 5
	done
	out=$(cat "$kml" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /' | head -200
	result 4 "$rc" "cat $kml"
	[ "$rc" = 0 ] && [ -z "$out" ]
	result 5 $? "no unreferenced objects"
	# what kmemleak told the kernel log, beyond its start-up lines
	dmesg 2>&1 | grep -i kmemleak |
		grep -iv 'detector initialized\|memory scanning thread' |
		sed 's/^/# dmesg: /'
	return 0
}

# The suites, in order.  A function, so that bash has read all of it
# before it runs any: bash reads a script as it goes, and an edit to this
# file during a run would otherwise run whatever lands at its offset.
main() {
	frame insmod insmod_importer "$bin/dho_importer.ko"
	# tests/vm-init.sh pinned the tracepoints: check it held (fewer
	# cycles on the debug kernel: each instance takes seconds to make)
	frame tracefs bash "$repo/tests/tracefs-pin.sh" check \
		"$([ "$DHO_VARIANT" = debug ] && echo 5 || echo 50)"
	suite heap_mmap "$bin/heap_mmap_test"
	suite owner_user "$bin/owner_user_test"
	suite owner_importer "$bin/owner_importer_test"
	suite kunit_example bash "$repo/tests/kunit-example.sh" "$bin/dho_example_test.ko"
	suite owner_race "$bin/owner_race_test"
	suite stress "$bin/stress_test"
	suite torture "$bin/torture_test"
	suite fuzz "$bin/fuzz_test"
	suite cli --needs "$bin/dma-heap-owner" --needs "$bin/dho-client" \
		bash "$repo/tests/cli-test.sh" "$bin"
	# no bpftrace in the arm64 guest's root (tests/arm64-root.sh): said,
	# and allowed for arm64 alone by tests/summarize.py
	local bpft=(bash "$repo/tests/bpftrace-test.sh" "$repo/tools/debug" "$bin")
	[ "$(uname -m)" = aarch64 ] &&
		bpft=(echo "1..0 # SKIP no bpftrace in the arm64 guest: the scripts are tested on x86_64")
	suite bpftrace --needs "$bin/dho-client" "${bpft[@]}"
	# the false-positive check runs on a quiet tracker
	suite dmabuf_heaps_upstream bash "$repo/tests/upstream-dmabuf-heaps.sh" "$bin/dmabuf-heap"
	# after everything else: injected failures can make dma-debug give up
	suite faultinject "$bin/faultinject_test"
	# last: a scan after everything
	[ "$DHO_VARIANT" = debug ] || [ -e /sys/kernel/debug/kmemleak ] &&
		suite kmemleak kmemleak_check
}

main; exit 0
