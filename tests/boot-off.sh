#!/bin/bash
# Runs in a VM booted with dma_heap_owner=off (see tests/run-tests.sh),
# after the boot's KUnit suites of the tracker: tracking must still be
# off, as the boot parameter says, whatever the suites did.  TAP.
d=/sys/kernel/debug/dma_heap_owner
. "$(dirname "$0")/guest-tap.sh"

echo "1..4"
grep -qw 'dma_heap_owner=off' /proc/cmdline
check $? "booted with dma_heap_owner=off"
dmesg | grep -q 'dma-heap-owner: tracking disabled at boot'
check $? "the kernel log says tracking is disabled at boot"
disabled=$(cat "$d/disabled" 2>&1)
echo "# $d/disabled: $disabled"
[ "$disabled" = 1 ]
check $? "tracking is still off after the KUnit suites ran"
! dmesg | splat
check $? "no splat"
exit 0
