#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tests of tools/debug/dma-heap-owner, run as root inside the test VM:
#
#   bash tests/cli-test.sh BIN_DIR
#
# BIN_DIR holds dma-heap-owner, dho-client and dho_importer.ko (loaded here
# if /dev/dho_importer is missing).  Prints TAP; exits 1 if a test failed.
# Leaves the tracker's knobs and the violation event as it found them.
set -u

bin=$(realpath "${1:?usage: cli-test.sh BIN_DIR}")
repo=$(cd "$(dirname "$0")/.." && pwd)
dho=$bin/dma-heap-owner
client=$bin/dho-client
dbg=/sys/kernel/debug/dma_heap_owner
event=/sys/kernel/tracing/events/dma_heap_owner/violation/enable
classes="cpu_access_unowned device_access_vmapped vmap_flush_missing
	 device_access_cpu_owned cpu_write_in_read_window cpu_access_unbalanced
	 release_while_mapped"
unset DHO_DEBUGFS DHO_TRACEFS

n=0 failed=0
tmp=$(mktemp -d)
out=$tmp/out err=$tmp/err rc=0
pids=()

# The knobs a test suite may have left set, and the violation event.
saved_knobs=()
for k in disabled filter strict; do
	[ -r "$dbg/$k" ] && saved_knobs+=("$k=$(cat "$dbg/$k")")
done
saved_event=$(cat "$event" 2>/dev/null)

cleanup() {
	local kv p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for kv in "${saved_knobs[@]}"; do
		echo "${kv#*=}" > "$dbg/${kv%%=*}" 2>/dev/null
	done
	[ -n "$saved_event" ] && echo "${saved_event%\*}" > "$event" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

diag() {	# file...: as TAP diagnostics, indented so no line reads as a result
	sed 's/^/#   /' "$@" 2>/dev/null | head -60
}

result() {	# status description
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
		echo "#   exit status: $rc"
		diag "$out" "$err"
	fi
}

skip() {	# description reason
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

run() {		# cmd...: output in $out, stderr in $err, status in $rc
	"$@" > "$out" 2> "$err"
	rc=$?
}

# True if every line of the extended regular expressions is found in @file.
has() {		# file regex...
	local f=$1 re
	shift
	for re in "$@"; do
		grep -Eq -- "$re" "$f" || return 1
	done
}

# JSON from $out: parses, and the Python expression @1 on it (as j) holds.
json_ok() {
	python3 -m json.tool "$out" > /dev/null &&
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(not eval("(" + sys.argv[2] + ")"))' "$out" "$1"
}

wait_for() {	# seconds command...: poll until command succeeds
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		"${@:2}" && return 0
		sleep 0.1
	done
	return 1
}

echo "TAP version 13"

if [ ! -e /dev/dho_importer ] && [ -e "$bin/dho_importer.ko" ]; then
	insmod "$bin/dho_importer.ko" || echo "# insmod dho_importer.ko failed"
fi
[ -w "$dbg/disabled" ] && echo 0 > "$dbg/disabled"
[ -w "$dbg/filter" ] && echo > "$dbg/filter"
[ -w "$dbg/strict" ] && echo 0 > "$dbg/strict"

# --- usage ---

run "$dho" --help
has "$out" '^NAME' '^SYNOPSIS' '^DESCRIPTION' '^COMMANDS' '^OPTIONS' '^EXIT STATUS' \
	'^FILES' '^EXAMPLES'
result $(( $? || rc != 0 )) "--help exits 0 with the manual's sections"

run "$dho" frobnicate
has "$err" "unknown command 'frobnicate'" '^usage: ' && [ ! -s "$out" ]
result $(( $? || rc != 2 )) "unknown command: usage on stderr, exit 2"

run "$dho" status --frobnicate
result $(( rc != 2 )) "unknown option: exit 2"

run "$dho" check
result $(( rc != 2 )) "check without a command: exit 2"

run "$dho" check --json --ktap -- true
result $(( rc != 2 )) "check --json --ktap: exit 2"

# --- status ---

run "$dho" status
ok=0
[ $rc = 0 ] || ok=1
for c in $classes; do
	has "$out" "^ +$c +[0-9]+$" || ok=1
done
has "$out" '^tracking: +on$' '^error_count: +[0-9]+$' '^buffers tracked: +[0-9]+$' || ok=1
result $ok "status: exit 0, tracking on, every class and the buffer count"

# --- check ---

run "$dho" check -- "$client" correct
result $(( rc != 0 )) "check -- dho-client correct: exit 0"
has "$out" '^correct: ' 'PASS: no violations'
result $? "check -- dho-client correct: client output and PASS"

run "$dho" check -- "$client" unsynced
result $(( rc != 1 )) "check -- dho-client unsynced: exit 1"
has "$out" '^ +cpu_access_unowned +\+1$' '^BUG: dma-heap-owner: cpu_access_unowned in userspace$' \
	'^buffer: ino=[0-9]+ heap=system size=65536$' 'FAIL: 1 violation \(cpu_access_unowned \+1\)'
result $? "check -- dho-client unsynced: names cpu_access_unowned +1, with its new report"
grep -c '^BUG: dma-heap-owner:' "$out" | grep -qx 1
result $? "check -- dho-client unsynced: only the new report, not older ones"

run "$dho" check --json -- "$client" unsynced
result $(( rc != 1 )) "check --json -- dho-client unsynced: exit 1"
json_ok 'j["classes"]["cpu_access_unowned"] == 1 and j["violations"] == 1 and
	 j["result"] == "violations" and j["exit_status"] == 0 and j["signal"] is None and
	 j["command"][1:] == ["unsynced"] and len(j["reports"]) == 1 and
	 "BUG: dma-heap-owner: cpu_access_unowned" in j["reports"][0] and
	 sum(j["classes"].values()) == 1 and len(j["classes"]) == 7'
result $? "check --json: parses, with the command, status, class delta and report"
has "$err" '^unsynced: wrote'
result $? "check --json: the command's output went to stderr"

run "$dho" check --json -- sh -c 'exit 0' 'a"b\c' $'tab\there' $'\x01' $'\xff' 'é'
json_ok 'j["command"][3:] == ["a\"b\\c", "tab\there", "\x01", "\ufffd", "\u00e9"]'
result $? "check --json: escapes quotes, backslashes, controls and invalid UTF-8"

run "$dho" check --ktap -- "$client" unsynced
ok=0
[ $rc = 1 ] || ok=1
has "$out" '^KTAP version 1$' '^1\.\.8$' '^not ok 1 cpu_access_unowned$' \
	'^ok 2 device_access_vmapped$' '^ok 7 release_while_mapped$' '^ok 8 command$' \
	'^# BUG: dma-heap-owner: cpu_access_unowned' || ok=1
result $ok "check --ktap: not ok for cpu_access_unowned, ok for the rest"

kunit=$repo/build/linux-base/tools/testing/kunit/kunit.py
if [ -r "$kunit" ]; then
	cp "$out" "$tmp/ktap"
	run python3 "$kunit" parse "$tmp/ktap"
	has "$out" '\[FAILED\] cpu_access_unowned' '\[PASSED\] command' 'Ran 8 tests'
	result $? "check --ktap: kunit.py parse reads it, and sees the failure"
else
	skip "check --ktap: kunit.py parse reads it" "no $kunit"
fi

# every scenario raises its class, and nothing else
while read -r scen expect; do
	run "$dho" check --json -- "$client" "$scen"
	if [ "$expect" = - ]; then
		json_ok 'j["violations"] == 0 and j["result"] == "clean"'
		result $(( $? || rc != 0 )) "check -- dho-client $scen: clean, exit 0"
	else
		json_ok "sorted(k for k, v in j['classes'].items() if v) == sorted('$expect'.split(','))"
		result $(( $? || rc != 1 )) "check -- dho-client $scen: $expect, exit 1"
	fi
done <<'EOF'
driver-correct -
read-window cpu_write_in_read_window
unbalanced cpu_access_unbalanced
vmapped device_access_vmapped
flush-missing cpu_access_unowned,vmap_flush_missing
cpu-owned device_access_cpu_owned
detach-mapped release_while_mapped
EOF

run "$dho" check -- sh -c 'exit 5'
has "$out" 'exited with status 5' 'FAIL: command failed'
result $(( $? || rc != 3 )) "check: a command failing without violations: exit 3"

run "$dho" check --ktap -- sh -c 'kill -TERM $$'
has "$out" '^not ok 8 command$' '^# command killed by signal 15$'
result $(( $? || rc != 3 )) "check --ktap: a command killed by a signal: not ok command, exit 3"

# a command that fails and raises violations: the violations decide, exit 1
run "$dho" check -- sh -c '"$1" unsynced; exit 5' sh "$client"
has "$out" 'exited with status 5' '^ +cpu_access_unowned +\+1$' \
	'FAIL: 1 violation \(cpu_access_unowned \+1\)'
result $(( $? || rc != 1 )) "check: a command failing with violations: exit 1"
run "$dho" check --json -- sh -c '"$1" unsynced; exit 5' sh "$client"
json_ok 'j["exit_status"] == 5 and j["violations"] == 1 and j["result"] == "violations"'
result $(( $? || rc != 1 )) "check --json: a command failing with violations: exit 1, status 5"

run "$dho" check -- "$tmp/no-such-command"
has "$err" 'cannot run'
result $(( $? || rc != 2 )) "check: a command that cannot run: exit 2"

# --- buffers ---

cat > "$tmp/hold.py" <<'EOF'
# Allocate from the system heap, mmap the buffer (without touching it) and sleep.
import fcntl, mmap, os, struct, sys, time
heap = os.open("/dev/dma_heap/system", os.O_RDWR | os.O_CLOEXEC)
arg = bytearray(struct.pack("QIIQ", 65536, 0, os.O_RDWR | os.O_CLOEXEC, 0))
fcntl.ioctl(heap, 0xc0184800, arg, True)   # DMA_HEAP_IOCTL_ALLOC
fd = struct.unpack("QIIQ", arg)[1]
m = mmap.mmap(fd, 65536, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d %d %d\n" % (os.getpid(), fd, os.fstat(fd).st_ino))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(120)
EOF
python3 "$tmp/hold.py" "$tmp/held" 2> "$tmp/hold.err" &
pids+=($!)
if wait_for 20 test -s "$tmp/held"; then
	read -r hpid hfd hino < "$tmp/held"
	run "$dho" buffers
	# the buffer's line, and the indented lines after it
	awk -v ino="ino=$hino" '$1 == ino { p = 1; print; next } /^[^ ]/ { p = 0 } p' \
		"$out" > "$tmp/block"
	has "$tmp/block" "^ino=$hino heap=system size=65536 owner=none .* mmaps=1 users=$hpid:python3:0 " \
		"^  fd  pid=$hpid comm=python3 fd=$hfd\$" \
		"^  map pid=$hpid comm=python3 addr=[0-9a-f]+-[0-9a-f]+ prot=rw-s pgoff=0\$"
	result $(( $? || rc != 0 )) "buffers: the buffer with the process that holds and maps it"
	kill "${pids[-1]}" 2>/dev/null
	wait "${pids[-1]}" 2>/dev/null
else
	rc=-1
	cp "$tmp/hold.err" "$err"
	result 1 "buffers: the buffer with the process that holds and maps it (holder did not start)"
fi

# --- watch ---

watch_test() {	# initial enable state
	local wpid wrc unowned_event
	unowned_event=' violation: ino=[0-9]+ heap=system class=cpu_access_unowned owner=none '
	unowned_event+='dir=[a-z_]+ pgoff=0 dev=- pid=[0-9]+ comm=dho-client$'
	echo "$1" > "$event"
	"$dho" watch > "$tmp/watch.out" 2> "$tmp/watch.err" &
	wpid=$!
	pids+=("$wpid")
	wait_for 20 grep -q watching "$tmp/watch.err"
	"$client" unsynced > /dev/null
	"$client" vmapped > /dev/null
	wait_for 20 grep -q '^BUG: dma-heap-owner: device_access_vmapped' "$tmp/watch.out"
	kill -INT "$wpid"
	wait "$wpid"
	wrc=$?
	cp "$tmp/watch.out" "$out"
	cp "$tmp/watch.err" "$err"
	rc=$wrc
	has "$out" "$unowned_event" \
		'^BUG: dma-heap-owner: cpu_access_unowned in userspace$' \
		'^access: write by task dho-client pid [0-9]+' \
		' violation: ino=[0-9]+ heap=system class=device_access_vmapped .*dev=dho-importer ' \
		'^BUG: dma-heap-owner: device_access_vmapped in '
	result $(( $? || wrc != 0 )) \
		"watch (event enable was $1): prints the events and their reports, exits 0 on SIGINT"
	grep -qx "$1" "$event"
	result $? "watch (event enable was $1): enable restored to $1"
}
if [ -e "$event" ]; then
	watch_test 0
	watch_test 1
	echo 0 > "$event"
else
	skip "watch" "no $event"
fi

# --- no kernel address in what the tool prints ---

# 16 hex digits starting with ffff, with or without 0x, any case
kaddr='[fF]{4}[0-9a-fA-F]{12}'
ok=0
: > "$tmp/all"
for cmd in status buffers "check -- $client flush-missing" "check --json -- $client vmapped"; do
	# shellcheck disable=SC2086
	run "$dho" $cmd
	cat "$out" "$err" >> "$tmp/all"
done
grep -Eq 'BUG: dma-heap-owner: vmap_flush_missing' "$tmp/all" || ok=1
if grep -E "$kaddr" "$tmp/all" > "$out"; then
	ok=1
fi
: > "$err"
result $ok "status, buffers, check: no kernel address in the output"

# --- environment errors ---

mkdir -p "$tmp/empty" "$tmp/fake/other"
DHO_DEBUGFS=$tmp/empty run "$dho" status
has "$err" 'debugfs is not mounted'
result $(( $? || rc != 2 )) "DHO_DEBUGFS at an empty directory: 'debugfs is not mounted', exit 2"

DHO_TRACEFS=$tmp/empty run "$dho" watch
has "$err" 'tracefs is not mounted'
result $(( $? || rc != 2 )) "DHO_TRACEFS at an empty directory: 'tracefs is not mounted', exit 2"

DHO_DEBUGFS=$tmp/fake run "$dho" check -- true
has "$err" 'no DMA-BUF heap ownership tracker'
result $(( $? || rc != 2 )) "DHO_DEBUGFS without dma_heap_owner/: 'no ... tracker', exit 2"

# a fake tracker: status and check read whatever the files say
mkdir -p "$tmp/fake/dma_heap_owner"
(
	cd "$tmp/fake/dma_heap_owner" || exit
	echo 4 > error_count
	i=0
	for c in $classes; do
		echo "$c $i"
		i=$((i + 1))
	done > counts
	: > violations
	: > buffers
	echo 0 > disabled
	echo 0 > all_errors
	echo 0 > strict
	echo 100 > num_errors
	echo > filter
)
DHO_DEBUGFS=$tmp/fake run "$dho" status
has "$out" '^error_count: +4$' '^  vmap_flush_missing +2$' '^buffers tracked: +0$'
result $(( $? || rc != 0 )) "DHO_DEBUGFS at a fake tracker: status reads it"

echo 1 > "$dbg/disabled"
run "$dho" check -- "$client" unsynced
has "$err" 'tracking is disabled'
result $(( $? || rc != 2 )) "tracking disabled: check says so, exit 2"
run "$dho" watch
has "$err" 'tracking is disabled'
result $(( $? || rc != 2 )) "tracking disabled: watch says so, exit 2"
run "$dho" status
has "$out" '^tracking: +off'
result $(( $? || rc != 0 )) "tracking disabled: status reports it, exit 0"
echo 0 > "$dbg/disabled"

if command -v setpriv > /dev/null; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$dho" status
	has "$err" 'Permission denied.*root'
	result $(( $? || rc != 2 )) "not root: permission denied, needs root, exit 2"
else
	skip "not root: permission denied" "no setpriv"
fi

echo "1..$n"
[ $failed = 0 ]
