#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bpftrace scripts of tools/debug against events provoked on purpose.
# Runs inside the test VM, as root; prints TAP and exits non-zero on any
# failure.
#
#   bpftrace-test.sh <tools-debug-dir> [bin-dir]
#
# bin-dir holds dho-client and dho_importer.ko (default: build/base/bin of
# this repository; dho-client is also looked up in PATH).
#
# bpftrace takes tens of seconds to compile and attach under software
# emulation, so the tracers run side by side: every script is started and
# waited for until it prints its banner (which also shows that it compiles
# against this kernel's events), then the events are provoked once for all
# of them, the tracers are asked to exit (so END runs: see bt_stop) and each
# output is checked for the events it must show.
set -u

tools=${1:?usage: bpftrace-test.sh <tools-debug-dir> [bin-dir]}
bin=${2:-$(dirname "$0")/../build/base/bin}
events=/sys/kernel/tracing/events/dma_heap_owner
attach_wait=600		# seconds for a tracer to compile and attach (139 seen)
stop_wait=60		# seconds for a tracer to exit once asked

n=0 failed=0
declare -A bt_pid attached stopped

ok() {	# status description
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

skip() {	# description reason
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

diag() {	# file: show it as TAP comments
	sed 's/^/#   /' "$1"
}

cleanup() {	# whatever this script started and left running
	local p

	for p in $(jobs -p); do
		kill -KILL "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}

# bt_start name [args]: start tools/debug/<name>.bt in the background,
# output in $tmp/<name>.out.
bt_start() {
	local name=$1

	shift
	bpftrace -B none "$tools/$name.bt" "$@" >"$tmp/$name.out" 2>&1 &
	bt_pid[$name]=$!
}

# bt_wait name: wait for the tracer's banner; fails if it died first or
# took too long.
bt_wait() {
	local name=$1 i

	for ((i = 0; i < attach_wait * 2; i++)); do
		grep -q 'Hit Ctrl-C to end' "$tmp/$name.out" && return 0
		kill -0 "${bt_pid[$name]}" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}

# bt_stop name: ask the tracer to exit, so that END runs and it prints its
# maps; wait for the exit.  bpftrace 0.17 notices an exit signal only if
# it lands while it sleeps in epoll_wait(), or with the next event: one
# that lands between two of its 100 ms waits leaves an idle tracer running
# for good (seen here: dho-ustack killed 180 s after SIGINT).  So the
# request is repeated every second, as SIGTERM: its handler is the same as
# SIGINT's, but SIGINT's is reset to the default once the tracer prints its
# maps, and a second SIGINT would kill it there.
bt_stop() {
	local pid=${bt_pid[$1]} t0=$SECONDS i

	for ((i = 0; i < stop_wait * 2; i++)); do
		((i % 2)) || kill -TERM "$pid" 2>/dev/null
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.5
	done
	if kill -KILL "$pid" 2>/dev/null; then
		stopped[$1]="killed $stop_wait s after it was asked to exit, before it printed its maps"
		echo "# $1.bt: ${stopped[$1]}"
	fi
	wait "$pid" 2>/dev/null
	echo "# $1.bt: exit status $? after $((SECONDS - t0)) s, $(wc -l < "$tmp/$1.out") lines of output"
}

# check name description command...: one test on a tracer's output, fed to
# the command's stdin; the output is shown when the test fails.
check() {
	local name=$1 desc=$2 rc

	shift 2
	if [ -z "${attached[$name]:-}" ]; then
		skip "$name.bt: $desc" "not started"
		return
	fi
	if [ "${attached[$name]}" != 0 ]; then
		ok 1 "$name.bt: $desc (it did not attach)"
		return
	fi
	"$@" <"$tmp/$name.out"
	rc=$?
	if [ "$rc" != 0 ]; then
		[ -n "${stopped[$name]:-}" ] && echo "# $name.bt was ${stopped[$name]}"
		diag "$tmp/$name.out"
	fi
	ok "$rc" "$name.bt: $desc"
}

command -v bpftrace >/dev/null || skip_all "bpftrace not installed"
[ -d "$events" ] || skip_all "no dma_heap_owner tracepoints in this kernel"
[ "$(cat /sys/kernel/debug/dma_heap_owner/disabled 2>/dev/null)" = 1 ] &&
	skip_all "the tracker is disabled"
client=$bin/dho-client
[ -x "$client" ] || client=$(command -v dho-client) ||
	skip_all "no dho-client in $bin or PATH"
if [ ! -e /dev/dho_importer ]; then
	insmod "$(dirname "$client")/dho_importer.ko" ||
		skip_all "cannot load dho_importer.ko"
fi

tmp=$(mktemp -d /tmp/bpftrace-test.XXXXXX)
trap cleanup EXIT
start=$SECONDS

# A buffer for the timeline, held by a small client that waits for SIGUSR1,
# then opens a CPU window and writes in it, closes it, writes once more
# (cpu_access_unowned on page 2) and releases the buffer.
holder_pid=
if command -v python3 >/dev/null; then
	cat >"$tmp/holder.py" <<-'EOF'
	import fcntl, mmap, os, signal, struct

	LEN = 64 * 1024
	DMA_HEAP_IOCTL_ALLOC = 0xc0184800	# struct dma_heap_allocation_data
	DMA_BUF_IOCTL_SYNC = 0x40086200
	START, END, RW = 0, 4, 3

	signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
	heap = os.open("/dev/dma_heap/system", os.O_RDONLY | os.O_CLOEXEC)
	data = bytearray(struct.pack("QIIQ", LEN, 0, os.O_RDWR | os.O_CLOEXEC, 0))
	fcntl.ioctl(heap, DMA_HEAP_IOCTL_ALLOC, data)
	fd = struct.unpack("QIIQ", data)[1]
	print(os.fstat(fd).st_ino, flush=True)
	signal.sigwait({signal.SIGUSR1})

	def sync(flags):
	    fcntl.ioctl(fd, DMA_BUF_IOCTL_SYNC, struct.pack("Q", flags))

	m = mmap.mmap(fd, LEN)
	sync(START | RW)
	m[0:4096] = b"\xa5" * 4096
	sync(END | RW)
	m[2 * 4096] = 1
	m.close()
	os.close(fd)
	EOF
	python3 "$tmp/holder.py" >"$tmp/ino" &
	holder_pid=$!
	for ((i = 0; i < 60; i++)); do
		[ -s "$tmp/ino" ] && break
		kill -0 "$holder_pid" 2>/dev/null || break
		sleep 0.5
	done
fi
ino=$(cat "$tmp/ino" 2>/dev/null)

# Start every tracer, and the timeline once without its argument.
bpftrace -B none "$tools/dho-timeline.bt" >"$tmp/usage.out" 2>&1 &
usage_pid=$!
bt_start dho-violations
[ -n "$ino" ] && bt_start dho-timeline "$ino"
bt_start dho-cpuwindow
bt_start dho-heapbytes 1
bt_start dho-ustack
for s in dho-violations dho-timeline dho-cpuwindow dho-heapbytes dho-ustack; do
	if [ -z "${bt_pid[$s]:-}" ]; then
		skip "$s.bt compiles and attaches" "no buffer to trace (python3 missing?)"
		continue
	fi
	bt_wait "$s"
	attached[$s]=$?
	[ "${attached[$s]}" = 0 ] || diag "$tmp/$s.out"
	ok "${attached[$s]}" "$s.bt compiles and attaches"
done
wait "$usage_pid"
grep -q '^USAGE: dho-timeline.bt INO' "$tmp/usage.out" &&
	! grep -q 'Hit Ctrl-C' "$tmp/usage.out"
rc=$?
[ "$rc" = 0 ] || diag "$tmp/usage.out"
ok "$rc" "dho-timeline.bt without an inode prints its usage and exits"
echo "# tracers attached at $((SECONDS - start)) s"

# ustack_printed pid: has dho-ustack printed the user stack of pid's
# cpu_access_unowned (its header, the ip line, frames, the blank line)?
ustack_printed() {
	awk -v p="$1" '
		$2 ~ /^#/ { b = $3 == "cpu_access_unowned" && $6 == "tgid=" p; next }
		b && /^\t/ { f = 1 }
		b && f && /^$/ { done = 1 }
		END { exit !done }' "$tmp/dho-ustack.out"
}

# Provoke: a userspace and a driver violation, a correct client (two CPU
# windows; a buffer allocated and released), and the timeline's buffer.
#
# bpftrace names user frames from /proc/PID/maps when it prints them, and
# dho-client unsynced exits at once: its line goes into a pipe filled
# beforehand, so that it stays alive, blocked in exit's flush, until
# dho-ustack has printed its user stack; then the pipe is drained.
exec {hold}> >(while [ -d "$tmp" ] && [ ! -e "$tmp/drain" ]; do
		sleep 0.2
	done
	cat >/dev/null)
timeout 2 cat /dev/zero >&"$hold"
"$client" unsynced >&"$hold" &
unsynced_pid=$!
if [ "${attached[dho-ustack]:-1}" = 0 ]; then
	for ((i = 0; i < 120; i++)); do
		ustack_printed "$unsynced_pid" && break
		sleep 0.5
	done
fi
: >"$tmp/drain"
exec {hold}>&-
wait $unsynced_pid
unsynced_rc=$?
"$client" flush-missing >/dev/null
flush_rc=$?
"$client" correct >/dev/null
correct_rc=$?
if [ -n "$holder_pid" ]; then
	kill -USR1 "$holder_pid"
	wait "$holder_pid"
	rc=$?
	[ "$rc" = 0 ] || echo "# the buffer holder exited with $rc"
fi
# The checks below hold only if the events were provoked: the clients
# must have done what they say (each prints why it failed on stderr).
rc=0
for c in unsynced:$unsynced_rc flush-missing:$flush_rc correct:$correct_rc; do
	[ "${c#*:}" = 0 ] && continue
	echo "# dho-client ${c%:*} exited with ${c#*:}"
	rc=1
done
ok "$rc" "dho-client unsynced, flush-missing and correct exit 0"
sleep 2		# the perf buffers drain; dho-heapbytes prints once more
for s in "${!bt_pid[@]}"; do
	bt_stop "$s"
done

check dho-violations "cpu_access_unowned from dho-client pid $unsynced_pid" \
	grep -Eq "^[0-9:]+ +dho-client +$unsynced_pid +cpu_access_unowned +[0-9]+ +system +- +none\$"
check dho-violations "vmap_flush_missing on device dho-importer" \
	grep -Eq ' dho-client +[0-9]+ +vmap_flush_missing +[0-9]+ +system +dho-importer +none$'
check dho-violations "END prints the count by class" \
	grep -Eq '^@violations\[cpu_access_unowned\]: [1-9]'

p=$holder_pid
check dho-timeline "cpu_begin: owner cpu, depth 1, by python3 pid $p" \
	grep -Eq "^ *[0-9.]+ +[0-9]+ +cpu_begin +cpu +bidirectional +1 +- +$p +python3\$"
check dho-timeline "cpu_end: owner none, depth 0" \
	grep -Eq "^ *[0-9.]+ +[0-9]+ +cpu_end +none +bidirectional +0 +- +$p +python3\$"
check dho-timeline "the write after cpu_end: user_fault, then cpu_access_unowned on page 2" \
	awk -v p="$p" '
		$3 == "user_fault" && $4 == "none" && $(NF - 1) == "pgoff=2" &&
		    $NF == "write" { f = 1 }
		$3 == "!cpu_access_unowned" && $8 == p && $NF == "pgoff=2" { v = f }
		END { exit !v }'
check dho-timeline "release" \
	grep -Eq "^ *[0-9.]+ +[0-9]+ +release +none +none +0 +- +$p +python3\$"
check dho-timeline "ino $ino only (nothing from dho-client's buffers)" \
	sh -c '! grep -q dho-client'

check dho-cpuwindow "a histogram for dho-client, with its 2 windows" \
	awk '/^@usecs\[/ { h = $0 ~ /^@usecs\[dho-client\]:/; next }
	     h && /^\[/ { sub(/^[^])]*[])] +/, ""); n += $1 }
	     END { exit n < 2 }'

check dho-heapbytes "bytes allocated from the system heap, at END" \
	grep -Eq '^@alloc_bytes\[system\]: [1-9]'
check dho-heapbytes "bytes released to the system heap, at END" \
	grep -Eq '^@release_bytes\[system\]: [1-9]'
check dho-heapbytes "the totals every second, with the time (dho-heapbytes.bt 1)" \
	grep -Eq '^[0-9]{2}:[0-9]{2}:[0-9]{2}$'

p=$unsynced_pid
check dho-ustack "cpu_access_unowned by dho-client tgid $p tid $p, at a user ip" \
	awk -v p="$p" '
		h && /^    userspace access to page 0 at ip 0x[0-9a-f]+; user stack:$/ { ok = 1 }
		{ h = $0 ~ "^[0-9:]+ #[0-9]+ cpu_access_unowned ino=[0-9]+ heap=system tgid=" p " tid=" p " comm=dho-client$" }
		END { exit !ok }'
check dho-ustack "its user stack: the ip first, then scen_unsynced in dho-client" \
	awk -v p="$p" '
		$2 ~ /^#/ { b = $3 == "cpu_access_unowned" && $6 == "tgid=" p; n = 0; next }
		b && /userspace access to page/ { ip = $8; sub(/^0x/, "", ip); sub(/;$/, "", ip) }
		b && /^\t/ && ++n == 1 && $1 == ip { first = 1 }
		b && /^\t/ && /scen_unsynced/ && /\/dho-client\)$/ { named = 1 }
		END { exit !(first && named) }'
# The event's seq and ip are those of the kernel's report of that access:
# the tracer's output (stdin) first, then the ring of reports.
check dho-ustack "its seq and ip are those of the kernel's report of it" \
	awk -v p="$p" '
		FILENAME == "-" && $2 ~ /^#/ {
			b = $3 == "cpu_access_unowned" && $6 == "tgid=" p
			if (b) seq = substr($2, 2)
		}
		FILENAME == "-" && b && /userspace access to page/ {
			ip = $8; sub(/^0x/, "", ip); sub(/;$/, "", ip); b = 0
		}
		FILENAME == "-" { next }
		/^violation: #/ { r = seq != "" && $2 == "#" seq }
		r && $1 == "ip" { sub(/^0+/, "", $2); ok = $2 == ip && $4 ~ /^dho-client\[/ }
		END { exit !ok }' - /sys/kernel/debug/dma_heap_owner/violations
check dho-ustack "vmap_flush_missing: raised in the kernel, through dho_imp_ioctl" \
	awk '
		$2 ~ /^#/ { b = $3 == "vmap_flush_missing"; k = 0; next }
		b && /^    raised in the kernel \(device dho-importer, owner none\); kernel stack:$/ { k = 1 }
		b && k && /^[ \t]+dho_imp_ioctl\+/ { ok = 1 }
		END { exit !ok }'

echo "# $((SECONDS - start)) s"
echo "1..$n"
[ "$failed" = 0 ]
