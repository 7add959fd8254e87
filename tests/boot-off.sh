#!/bin/bash
# Runs in a VM booted with dma_heap_owner=off (see tests/run-tests.sh),
# after the boot's KUnit suites of the tracker: tracking must still be
# off, as the boot parameter says, whatever the suites did.  TAP.
d=/sys/kernel/debug/dma_heap_owner
n=0
check() {	# check <status> <description>
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
	fi
}

echo "1..4"
grep -qw 'dma_heap_owner=off' /proc/cmdline
check $? "booted with dma_heap_owner=off"
dmesg | grep -q 'dma-heap-owner: tracking disabled at boot'
check $? "the kernel log says tracking is disabled at boot"
disabled=$(cat "$d/disabled" 2>&1)
echo "# $d/disabled: $disabled"
[ "$disabled" = 1 ]
check $? "tracking is still off after the KUnit suites ran"
! dmesg | grep -P 'WARNING:|Oops|KASAN:|UBSAN:|BUG: (?!dma-heap-owner: )|circular locking|recursive locking|lock state'
check $? "no splat"
exit 0
