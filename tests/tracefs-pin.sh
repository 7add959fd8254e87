#!/bin/bash
# Keeps Linux alive under QEMU TCG while tracing filters come and go.
#   tracefs-pin.sh pin            (tests/vm-init.sh, at every boot)
#   tracefs-pin.sh check [CYCLES] (the tracefs setup suite: TAP)
#
# On 6.12 with two vCPUs under TCG, a PID filter written to a tracing
# instance (set_event_pid, which `dma-heap-owner check` writes) oopses the
# guest within a few dozen cycles: "Oops: int3" in trace_sched_waking or
# __schedule, at the call site that the filter's probe registration has
# just patched.  The pristine 6.12 tree, without this project's overlay,
# does the same.  6.1 survived 300 cycles at first, but later hung in
# this check, once with CONFIG_JUMP_LABEL on and once with it off while a
# second VM shared the host's two cores: a soft lockup in text_poke_bp()
# (from __static_call_update(), registering the filter's probe), waiting
# for the other vCPU to answer its IPI.  The tracker is not involved.  So
# every kernel is pinned at boot.
#
# A registration patches a tracepoint's call sites only when its probe
# count goes from 0 to 1 or from 1 to 2 (a lone probe is called directly,
# two or more through the iterator), and back.  Two instances that hold a
# filter from boot give every tracepoint a filter uses (sched_switch,
# sched_wakeup, sched_wakeup_new, sched_waking; with event-fork,
# sched_process_fork and sched_process_free) at least two probes, so no
# later filter patches any code.  Their filter holds the highest PID
# (pid_max - 1), which no process has at boot.  A process may get it once
# the PID counter wraps (pid_max is 4096 in the guests), and then the
# filter follows its forks; that changes only the filter's list of PIDs,
# never a probe count, and these instances record no event anyway.
set -u
T=/sys/kernel/tracing
PINS="dho-pin-a dho-pin-b"

pid=$(($(cat /proc/sys/kernel/pid_max) - 1))

pin() {
	local i
	# (not mountpoint(1): the arm64 guest's busybox has none)
	grep -q "^[^ ]* $T tracefs " /proc/mounts || mount -t tracefs tracefs $T || return 1
	for i in $PINS; do
		[ -d $T/instances/$i ] || mkdir $T/instances/$i || return 1
		echo 1 > $T/instances/$i/options/event-fork || return 1
		echo $pid > $T/instances/$i/set_event_pid || return 1
	done
}

pinned() {
	local i
	for i in $PINS; do
		[ "$(cat $T/instances/$i/set_event_pid 2>/dev/null)" = $pid ] || return 1
	done
}

# others: the PIDs of the processes of this script's check other than the
# script and the subshell running this (builtins only: any other fork
# would find itself).
others() {
	local p argv
	for p in /proc/[0-9]*; do
		case ${p#/proc/} in $$|$BASHPID) continue ;; esac
		mapfile -d '' -t argv < "$p/cmdline" 2>/dev/null || continue
		[[ " ${argv[*]} " == *"/tracefs-pin.sh check "* ]] && echo -n "${p#/proc/} "
	done
}

# check CYCLES: the CLI's own sequence, CYCLES times, while a loop keeps
# the other CPU waking tasks (a pipe read by a new process each time).  The
# loop is one process, killed at the end; its last pipe's two processes
# exit on their own.
check() {
	local n=${1:-100} i d load rc=0 t=2 w left
	echo "1..2"
	# vm-init.sh's pin, as it stands: pinned here only if it failed, so
	# that the cycles and later suites do not oops or hang
	if pinned; then
		echo "ok 1 tracefs: instances $PINS hold a PID filter on $(uname -r)"
	else
		echo "not ok 1 tracefs: instances $PINS hold no PID filter on $(uname -r)"
		rc=1
		pin
	fi
	(while :; do echo x | cat > /dev/null; done) &
	load=$!
	for ((i = 1; i <= n; i++)); do
		d=$T/instances/dho-churn
		mkdir $d || break
		echo 1 > $d/options/event-fork &&
			echo $$ > $d/set_event_pid &&
			echo hi | cat > /dev/null &&
			echo > $d/set_event_pid || { rmdir $d; break; }
		rmdir $d || break
	done
	kill $load
	wait $load 2>/dev/null
	# a load left running would slow every later suite
	for ((w = 0; w < 10; w++)); do
		left=$(others)
		[ -z "$left" ] && break
		sleep 0.2
	done
	if [ $i -le "$n" ]; then
		echo "not ok $t tracefs: cycle $i of $n failed"
		rc=1
	elif [ -n "$left" ]; then
		echo "not ok $t tracefs: $n cycles, but their load still runs: PID $left"
		rc=1
	else
		echo "ok $t tracefs: $n set_event_pid cycles with wakeups on the other CPU"
	fi
	return $rc
}

case ${1:-} in
pin) pin ;;
check) check "${2:-100}" ;;
*) echo "usage: $0 pin | check [CYCLES]" >&2; exit 2 ;;
esac
