#!/bin/bash
# Runs inside the test VM (see tests/run-tests.sh): every userspace suite,
# each framed by @@SUITE/@@END lines for tests/summarize.py.
#   guest-suites.sh <build-dir> [suite]
build=$1 only=${2:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$build/bin
export PATH=$bin:$PATH

suite() {
	local name=$1
	shift
	[ -n "$only" ] && [ "$only" != "$name" ] && return 0
	echo "@@SUITE $name"
	"$@" 2>&1
	echo "@@END $name $?"
}

# The importer module plays a driver for the tests that need a device.
if [ -e "$bin/dho_importer.ko" ]; then
	insmod "$bin/dho_importer.ko" || echo "guest: insmod dho_importer.ko failed"
fi

suite heap_mmap "$bin/heap_mmap_test"
suite owner_user "$bin/owner_user_test"
[ -x "$bin/owner_importer_test" ] && suite owner_importer "$bin/owner_importer_test"
suite stress "$bin/stress_test"
[ -x "$bin/dma-heap-owner" ] && suite cli bash "$repo/tests/cli-test.sh" "$bin"
[ -d "$repo/tools/debug" ] && command -v bpftrace >/dev/null &&
	suite bpftrace bash "$repo/tests/bpftrace-test.sh" "$repo/tools/debug" "$bin"
# last: the false-positive check runs on a quiet tracker
suite dmabuf_heaps_upstream bash "$repo/tests/upstream-dmabuf-heaps.sh" "$bin/dmabuf-heap"
# after everything else: injected failures can make dma-debug give up
suite faultinject "$bin/faultinject_test"
# kmemleak (the debug kernel): a scan after everything, no leak reported
if [ -e /sys/kernel/debug/kmemleak ] && [ -z "$only" ]; then
	echo "@@SUITE kmemleak"
	echo scan > /sys/kernel/debug/kmemleak
	sleep 5
	echo scan > /sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
	if [ -z "$leaks" ]; then
		echo "ok 1 kmemleak: no unreferenced objects"
	else
		echo "$leaks" | sed 's/^/# /'
		echo "not ok 1 kmemleak: unreferenced objects"
	fi
	echo "1..1"
	echo "@@END kmemleak 0"
fi
exit 0
