#!/bin/bash
# Runs in an arm64 VM on a CPU without hardware access flag management
# (QEMU's cortex-a57; see tests/run-tests.sh), after the boot's KUnit
# suites of the tracker: the tracker must say that it does not watch the
# vmap alias, never touch the alias's bits (a kernel access through an
# alias whose access flag it cleared would be an oops here), and report
# nothing of the accesses the KUnit cases make through it.  TAP.
d=/sys/kernel/debug/dma_heap_owner
. "$(dirname "$0")/guest-tap.sh"
why='a CPU has no hardware access flag (TCR_EL1.HA)'

echo "1..6"
# MIDR part number 0xd07: Cortex-A57, which has no FEAT_HAFDBS
grep -q '^CPU part.*: 0xd07$' /proc/cpuinfo
check $? "the CPU is a Cortex-A57"
alias=$(cat "$d/vmap_alias" 2>&1)
echo "# $d/vmap_alias: $alias"
[ "$alias" = "not watched: $why" ]
check $? "debugfs vmap_alias says the alias is not watched, and why"
dmesg | grep -qF "dma-heap-owner: kernel accesses through the vmap alias are not detected: $why"
check $? "the kernel log says so at boot"
# owner_alias_unwatched() in owner_test.c: each alias case wrote and read
# through the alias around a device, and expected no report
cases=$(dmesg | grep -c 'vmap alias not watched (.*): checking that nothing of it is reported')
echo "# alias cases run unwatched: $cases"
[ "$cases" = 4 ]
check $? "the four alias cases ran their unwatched checks"
dmesg | grep -Eq '^(\[[ 0-9.]+\] )?(    )?ok [0-9]+ dma-heap-owner$' &&
	! dmesg | grep -Eq 'not ok [0-9]+ (dma-heap-owner|owner_)'
check $? "the dma-heap-owner KUnit suite passed"
! dmesg | splat
check $? "no splat"
exit 0
