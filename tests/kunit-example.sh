#!/bin/bash
# The example driver's KUnit tests (tests/kunit-example/), loaded as a
# driver's own tests are: KUnit runs a module's suites when it is loaded.
# dho-example-driver must pass; dho-example-driver-buggy holds the driver's
# bug in a test that does not expect it, and must fail, with the class the
# tracker raised in its message.  TAP on standard output.
#   kunit-example.sh <dho_example_test.ko>
ko=$1
mod=$(basename "$ko" .ko)

if [ ! -d /sys/kernel/debug/dma_heap_owner ]; then
	echo "1..0 # SKIP no ownership tracker in this kernel"
	exit 4
fi

. "$(dirname "$0")/guest-tap.sh"

echo "1..6"
mark="dho-kunit-example-$$-$RANDOM"
level=$(awk '{ print $1 }' /proc/sys/kernel/printk)
echo "$mark" > /dev/kmsg
# The module's KTAP stays off the console, where the boot suites' KTAP is
# parsed; it is read back from the kernel log below.
dmesg -n 1
out=$(insmod "$ko" 2>&1)
rc=$?
dmesg -n "$level"
[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
check "$rc" "insmod $ko"
log=$(dmesg | sed -n "/$mark/,\$p" | sed 's/^\[[ 0-9.]*\] //')
rmmod "$mod" 2>/dev/null
printf '%s\n' "$log" | grep -E '^ *(ok|not ok) |^ *# .*(dma-heap-owner|pass:)' | sed 's/^/# /'

printf '%s\n' "$log" | grep -qxE 'ok [0-9]+ dho-example-driver'
check $? "dho-example-driver passes (a clean sequence; a missing flush caught as expected)"
printf '%s\n' "$log" | grep -qxE '    ok 2 example_missing_flush_is_caught'
check $? "the expected violation did not fail its test"
printf '%s\n' "$log" | grep -qxE 'not ok [0-9]+ dho-example-driver-buggy'
check $? "dho-example-driver-buggy fails"
printf '%s\n' "$log" | grep -qE '# example_queue_frame_buggy: .*dma-heap-owner: (cpu_access_unowned|vmap_flush_missing) \(violation #[0-9]+\)'
check $? "its failure names the violation's class"
! printf '%s\n' "$log" | splat
check $? "no splat while it ran"
exit 0
