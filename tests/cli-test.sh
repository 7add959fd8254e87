#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Tests of tools/debug/dma-heap-owner, run as root inside the test VM:
#
#   bash tests/cli-test.sh BIN_DIR
#
# BIN_DIR holds dma-heap-owner, dho-client and dho_importer.ko (loaded here
# if /dev/dho_importer is missing).  Prints TAP; exits 1 if a test failed.
# Leaves the tracker's knobs and the violation event as it found them, and
# no tracefs instance of check behind.
set -u

bin=$(realpath "${1:?usage: cli-test.sh BIN_DIR}")
repo=$(cd "$(dirname "$0")/.." && pwd)
fixtures=$repo/tests/fixtures/cli
dho=$bin/dma-heap-owner
client=$bin/dho-client
dbg=/sys/kernel/debug/dma_heap_owner
event=/sys/kernel/tracing/events/dma_heap_owner/violation/enable
instances=/sys/kernel/tracing/instances
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

# A PID no process has: that of a child just reaped.  The kernel hands PIDs
# out in turn, so it comes back only after every other free PID has been
# handed out.  (Not "the highest PID no process has now": pid_max is 4096
# in the guests and the suites fork more than that, so the counter may be
# just below it, and the next command run gets it.)
free_pid() {
	: &
	wait $!
	echo $!
}

# JSON results are decided at the end by one python3 for all of them: a
# python3 start costs seconds in the VM, over 9p.
json_n=0

# json_result description status expression: one TAP result, printed by
# json_results: $out must parse as JSON (json.loads), the Python expression
# on it (as j) must hold, and status must be 0.
json_result() {
	json_n=$((json_n + 1))
	cp "$out" "$tmp/json.$json_n.out"
	cp "$err" "$tmp/json.$json_n.err"
	printf '%s' "$1" > "$tmp/json.$json_n.desc"
	printf '%s' "$2" > "$tmp/json.$json_n.status"
	printf '%s' "$3" > "$tmp/json.$json_n.expr"
	printf '%s' "$rc" > "$tmp/json.$json_n.rc"
}

json_results() {
	local line i=0
	[ "$json_n" = 0 ] && return 0
	python3 -c 'import json, sys
tmp, count, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(1, count + 1):
    def rd(what):
        with open("%s/json.%d.%s" % (tmp, i, what), errors="replace") as f:
            return f.read()
    desc, expr, why = rd("desc"), rd("expr"), ""
    try:
        j = json.loads(rd("out"))
    except ValueError as e:
        why = "not JSON: %s" % e
    else:
        try:
            if not eval("(" + expr + ")"):
                why = "does not hold: " + " ".join(expr.split())
        except Exception as e:
            why = "%s: %s" % (type(e).__name__, e)
    if not why and rd("status") != "0":
        why = "the exit status or a file is wrong"
    n += 1
    if not why:
        print("ok %d %s" % (n, desc))
        continue
    print("not ok %d %s" % (n, desc))
    print("#   " + why)
    print("#   exit status: " + rd("rc"))
    for line in (rd("out").splitlines() + rd("err").splitlines())[:60]:
        print("#   " + line)' "$tmp" "$json_n" "$n" > "$tmp/json.tap"
	while IFS= read -r line; do
		echo "$line"
		case $line in
		"ok "*) i=$((i + 1)) ;;
		"not ok "*) i=$((i + 1)); failed=$((failed + 1)) ;;
		esac
	done < "$tmp/json.tap"
	n=$((n + i))
	# what python3 did not get to
	while [ "$i" -lt "$json_n" ]; do
		i=$((i + 1))
		n=$((n + 1))
		failed=$((failed + 1))
		echo "not ok $n $(cat "$tmp/json.$i.desc") (python3 failed)"
	done
}

# Is a process running whose command line matches the extended regular
# expression?  pgrep -f's question, without procps (the arm64 guest has
# none); a missing tool must not read as "none left".
running() {
	local f line
	for f in /proc/[0-9]*/cmdline; do
		line=$(tr '\0' ' ' < "$f" 2>/dev/null) || continue
		line=${line% }
		[[ $line =~ $1 ]] && return 0
	done
	return 1
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

run "$dho" status --json
has "$err" '^dma-heap-owner: status: --json is not one of its options$'
result $(( $? || rc != 2 )) "status --json: not an option of status, exit 2"

run "$dho" reports --ktap
has "$err" '^dma-heap-owner: reports: --ktap is not one of its options$' && [ ! -s "$out" ]
result $(( $? || rc != 2 )) "reports --ktap: not an option of reports, exit 2"

run "$dho" reports --from "$tmp/no-such-file"
has "$err" "^dma-heap-owner: cannot read $tmp/no-such-file: No such file or directory\$" &&
	[ ! -s "$out" ]
result $(( $? || rc != 2 )) "reports --from a missing file: says so, exit 2"

run "$dho" reports --from ''
has "$err" '^dma-heap-owner: --from: no file named$'
result $(( $? || rc != 2 )) "reports --from '': exit 2"

run "$dho" reports --from "$fixtures/violations.txt" extra
has "$err" "^dma-heap-owner: reports: unexpected argument 'extra'\$"
result $(( $? || rc != 2 )) "reports with an argument: exit 2"

# --- reports: the parser, on sample reports (tests/fixtures/cli) ---

run "$dho" reports --from "$fixtures/violations.txt"
diff "$fixtures/violations.txt" "$out" > /dev/null
result $(( $? || rc != 0 )) "reports --from: the reports as written, exit 0"

run "$dho" reports --json --from "$fixtures/violations.txt"
json_result "reports --json: six reports, schema_version 3, seq and class of each" $(( rc != 0 )) \
	'j["schema_version"] == 3 and j["source"].endswith("violations.txt") and
	 [(r["seq"], r["class"]) for r in j["reports"]] == [(16, "cpu_access_unowned"),
	  (17, "cpu_write_in_read_window"), (18, "cpu_access_unowned"),
	  (19, "vmap_flush_missing"), (20, "cpu_access_unbalanced"), (21, "cpu_access_unowned")]'
json_result "reports --json: a userspace access: buffer, process, ip, user stack, owner" 0 \
	'(lambda r: r["time"] == 4.357796 and r["function"] == "userspace" and
	 r["buffer"] == {"ino": 21, "heap": "system", "size": 65536, "exporter": "system",
			 "name": None} and
	 r["access"] == {"kind": "user", "op": "write", "address": "0x7fa0d41d1000",
			 "page": 0, "text": r["access"]["text"]} and
	 r["process"] == {"comm": "dho-client", "tgid": 57, "tid": 58} and
	 r["ip"] == {"addr": "0x000055d0c2a0b4c6", "file": "dho-client",
		     "base": "0x55d0c2a09000", "size": 0x5000, "offset": 0x24c6} and
	 r["user_stack"] == [
		{"addr": "0x000055d0c2a0b4c6", "file": "dho-client", "offset": 0x24c6},
		{"addr": "0x00007fa0d4023d0a", "file": "libc.so.6", "offset": 0x23d0a},
		{"addr": "0x00007fa0d3e00040", "file": None, "offset": None}] and
	 r["vmapped_by"] is None and
	 r["owner"] == {"state": "none", "cpu_windows": 0, "vmaps": 0, "since": "alloc",
			"by": "dho-client", "tgid": 57, "tid": 57, "time": 4.3573,
			"sync_ip": None, "alloc_ip": None} and
	 list(r["stacks"]) == ["owner"] and len(r["stacks"]["owner"]) == 8 and
	 r["stacks"]["owner"][0] == "__dma_heap_owner_alloc+0x15/0x120"
	 )(j["reports"][0])'
json_result "reports --json: an ip outside a file, a named buffer, an owner from a SYNC" 0 \
	'(lambda r: r["buffer"]["name"] == "camera frame 0" and r["buffer"]["heap"] == "reserved" and
	 r["ip"] == {"addr": "0x00007f3a12345678", "file": None, "base": None, "size": None,
		     "offset": None} and r["user_stack"] == [] and
	 r["owner"]["sync_ip"] == "0x00007f3a1234abcd" and r["stacks"]["owner"] == []
	 )(j["reports"][1])'
json_result "reports --json: a kernel access through the alias: vmapped_by with its stack" 0 \
	'(lambda r: r["access"]["kind"] == "vmap" and r["access"]["page"] == 2 and
	 r["process"] == {"comm": "dho-client", "tgid": 55, "tid": 55} and r["ip"] is None and
	 r["vmapped_by"] == {"function": "dho_imp_ioctl [dho_importer]", "comm": "dho-client",
			     "tgid": 55, "tid": 56, "time": 4.196001,
			     "stack": r["vmapped_by"]["stack"]} and
	 len(r["vmapped_by"]["stack"]) == 5 and
	 r["vmapped_by"]["stack"][2] == "dma_buf_vmap+0x5c/0xa0" and
	 list(r["stacks"]) == ["owner", "seen_at"] and len(r["stacks"]["seen_at"]) == 5
	 )(j["reports"][2])'
json_result "reports --json: a device access, an owner that is a device; a task access" 0 \
	'(lambda r, t: r["access"]["kind"] == "device" and r["access"]["device"] == "dho-importer" and
	 r["access"]["driver"] == "dho-importer" and r["access"]["dir"] == "to_device" and
	 r["process"] == {"comm": "dho-client", "tgid": 55, "tid": 55} and
	 r["owner"]["since"] == "dev_map" and r["owner"]["by"] == "dho-importer" and
	 r["owner"]["tgid"] is None and r["owner"]["tid"] is None and
	 list(r["stacks"]) == ["owner", "offending"] and
	 t["access"]["kind"] == "task" and t["access"]["dir"] == "to_device" and
	 t["process"] == {"comm": "dho-client", "tgid": 60, "tid": 62} and
	 t["ip"] == {"addr": "0x00007fef65d0dd6b", "file": None, "base": None, "size": None,
		     "offset": None} and
	 t["stacks"]["owner"] == [] and len(t["stacks"]["offending"]) == 2
	 )(j["reports"][3], j["reports"][4])'
json_result "reports --json: an owner from an allocation in userspace: alloc_ip, no stack" 0 \
	'(lambda r: r["owner"]["since"] == "alloc" and r["owner"]["alloc_ip"] == "0x00007fef65d0dd6b" and
	 r["owner"]["sync_ip"] is None and r["stacks"] == {"owner": []}
	 )(j["reports"][5])'

run "$dho" reports --json --from "$fixtures/hostile.txt"
json_result "reports --json: a comm that reads 'tgid 1 tid 2', a name with '=', a file with '['" $(( rc != 0 )) \
	'(lambda r: r["process"] == {"comm": "a tgid 1 tid 2", "tgid": 70, "tid": 71} and
	 r["access"]["address"] == "0x7f0000001000" and r["access"]["page"] == 1 and
	 r["buffer"] == {"ino": 30, "heap": "system", "size": 4096, "exporter": "system",
			 "name": "name=evil size=1 heap=x"} and
	 r["ip"] == {"addr": "0x00007f0000002000", "file": "lib[1+2] offset 0x3",
		     "base": "0x7f0000000000", "size": 0x4000, "offset": 0x2000} and
	 r["user_stack"] == [{"addr": "0x00007f0000002000", "file": "a b+0x1", "offset": 16},
			     {"addr": "0x00007f0000003000", "file": None, "offset": None}] and
	 r["owner"]["by"] == "a tgid 1 tid 2" and r["owner"]["tgid"] == 70
	 )(j["reports"][0])'
json_result "reports --json: escaped comms and names stay escaped; stray lines are left out" 0 \
	'(lambda r: r["process"] == {"comm": "x\\nFORGED x", "tgid": 80, "tid": 81} and
	 r["buffer"]["name"] == "\\nFORGED\\\\ \"quoted\"" and
	 r["access"]["dir"] == "bidirectional" and r["owner"]["by"] == "x\\nFORGED x" and
	 list(r["stacks"]) == ["owner", "offending"] and
	 r["stacks"]["owner"] == ["__dma_heap_owner_begin_cpu+0x40/0x100"]
	 )(j["reports"][1])'
json_result "reports --json: 'dir=' in a comm, ') at' in a vmapper's comm" 0 \
	'(lambda t, v: t["process"] == {"comm": "a dir=b", "tgid": 90, "tid": 91} and
	 t["access"]["dir"] == "from_device" and t["owner"]["sync_ip"] == "0x00007f00000040aa" and
	 v["process"] == {"comm": "t tgid 9 tid 9", "tgid": 95, "tid": 96} and
	 v["vmapped_by"] == {"function": "f", "comm": "p) at 1.0s:", "tgid": 5, "tid": 6,
			     "time": 7.0, "stack": ["dma_buf_vmap+0x5c/0xa0"]} and
	 v["owner"]["alloc_ip"] is None and v["stacks"]["owner"] == []
	 )(j["reports"][2], j["reports"][3])'
json_result "reports --json: an older report and a cut one: what is not there is null" 0 \
	'(lambda o, c: len(j["reports"]) == 6 and o["seq"] == 3 and o["process"] is None and
	 o["buffer"]["exporter"] is None and o["buffer"]["name"] is None and
	 o["access"]["kind"] == "user" and o["ip"] is None and
	 c["seq"] == 105 and c["process"]["tgid"] == 99 and c["ip"]["base"] is None and
	 c["user_stack"] == [] and c["owner"]["state"] == "device" and
	 c["owner"]["since"] is None and c["owner"]["time"] is None and
	 c["text"].endswith("heap_helper_map_dma_b\n")
	 )(j["reports"][4], j["reports"][5])'

run "$dho" reports --json --from - < "$fixtures/dmesg.txt"
json_result "reports --json --from - (a kernel log): its times taken off, up to the closing rule" $(( rc != 0 )) \
	'len(j["reports"]) == 1 and j["reports"][0]["seq"] == 16 and
	 j["reports"][0]["process"]["tid"] == 58 and len(j["reports"][0]["stacks"]["owner"]) == 8 and
	 j["reports"][0]["text"].endswith("\n" + "=" * 66 + "\n") and
	 "crng" not in j["reports"][0]["text"]'

run "$dho" reports --json --from "$fixtures/truncated-title.txt"
json_result "reports --json: a report cut after its title: nulls, exit 0" $(( rc != 0 )) \
	'len(j["reports"]) == 1 and j["reports"][0]["class"] is None and
	 j["reports"][0]["owner"] is None and j["reports"][0]["stacks"] == {} and
	 j["reports"][0]["user_stack"] == []'

run "$dho" check --number 2 -- true
has "$err" '^dma-heap-owner: check: --number goes with --name$' && [ ! -s "$out" ]
result $(( $? || rc != 2 )) "check --number without --name: exit 2"

run "$dho" check --ktap --name 'a # b' -- true
has "$err" "^dma-heap-owner: --name: no '#' or control characters" && [ ! -s "$out" ]
result $(( $? || rc != 2 )) "check --name with a hash sign in it: exit 2"

run "$dho" check --ktap --name x --number 0 -- true
result $(( rc != 2 )) "check --number 0: exit 2"

# --- status ---

run "$dho" status
ok=0
[ $rc = 0 ] || ok=1
for c in $classes; do
	has "$out" "^ +$c +[0-9]+$" || ok=1
done
has "$out" '^tracking: +on$' '^error_count: +[0-9]+$' '^buffers tracked: +[0-9]+$' || ok=1
# what the kernel's debugfs says, word for word
has "$out" "^vmap alias: +$(cat /sys/kernel/debug/dma_heap_owner/vmap_alias)\$" || ok=1
result $ok "status: exit 0, tracking on, the vmap alias watch, every class and the buffer count"

# --- check ---

run "$dho" check -- "$client" correct
result $(( rc != 0 )) "check -- dho-client correct: exit 0"
has "$out" '^correct: ' 'PASS: no violations'
result $? "check -- dho-client correct: client output and PASS"

run "$dho" check -- "$client" unsynced
result $(( rc != 1 )) "check -- dho-client unsynced: exit 1"
has "$out" '^ +cpu_access_unowned +\+1$' '^BUG: dma-heap-owner: cpu_access_unowned in userspace$' \
	'^buffer: ino=[0-9]+ heap=system size=65536 exporter=system name=-$' \
	'FAIL: 1 violation \(cpu_access_unowned \+1\)'
result $? "check -- dho-client unsynced: names cpu_access_unowned +1, with its new report"
grep -c '^BUG: dma-heap-owner:' "$out" | grep -qx 1
result $? "check -- dho-client unsynced: only the new report, not older ones"

run "$dho" check --json -- "$client" unsynced
result $(( rc != 1 )) "check --json -- dho-client unsynced: exit 1"
json_result "check --json: parses, with the schema version, command, status, scope and deltas" 0 \
	'j["schema_version"] == 3 and j["classes"]["cpu_access_unowned"] == 1 and
	 j["violations"] == 1 and j["result"] == "violations" and j["exit_status"] == 0 and
	 j["signal"] is None and j["forwarded_signal"] is None and
	 j["command"][1:] == ["unsynced"] and len(j["reports"]) == 1 and
	 j["scope"] == "process_tree" and j["scope_reason"] is None and
	 j["system"]["violations"] == 1 and j["system"]["classes"] == j["classes"] and
	 j["events_lost"] == 0 and j["reports_elsewhere"] == 0 and
	 sum(j["classes"].values()) == 1 and len(j["classes"]) == 7'
# the report, structured: a userspace write, its process, ip and the owner,
# an allocation from userspace: named by its ioctl's user ip, no kernel stack
json_result "check --json: the report as fields: class, buffer, access, process, ip, owner, stacks" 0 \
	'(lambda r: r["class"] == "cpu_access_unowned" and r["function"] == "userspace" and
	 isinstance(r["seq"], int) and r["seq"] > 0 and isinstance(r["time"], float) and
	 r["description"] == "user write through mmap without DMA_BUF_IOCTL_SYNC" and
	 isinstance(r["buffer"]["ino"], int) and r["buffer"]["heap"] == "system" and
	 r["buffer"]["size"] == 65536 and r["buffer"]["exporter"] == "system" and
	 r["buffer"]["name"] is None and
	 r["access"]["kind"] == "user" and r["access"]["op"] == "write" and
	 r["access"]["page"] == 0 and r["access"]["address"].startswith("0x") and
	 r["process"]["comm"] == "dho-client" and isinstance(r["process"]["tgid"], int) and
	 r["process"]["tid"] == r["process"]["tgid"] and "pid" not in r["process"] and
	 isinstance(r["ip"]["file"], str) and r["ip"]["file"] in ("dho-client", "libc.so.6") and
	 0 <= int(r["ip"]["addr"], 16) - int(r["ip"]["base"], 16) < r["ip"]["size"] and
	 isinstance(r["ip"]["offset"], int) and len(r["user_stack"]) >= 1 and
	 all(f["addr"].startswith("0x") for f in r["user_stack"]) and
	 r["vmapped_by"] is None and
	 r["owner"]["state"] == "none" and r["owner"]["since"] == "alloc" and
	 r["owner"]["by"] == "dho-client" and r["owner"]["tgid"] == r["process"]["tgid"] and
	 r["owner"]["alloc_ip"].startswith("0x") and r["owner"]["sync_ip"] is None and
	 r["stacks"] == {"owner": []} and
	 r["text"].startswith("=" * 66 + "\nBUG: dma-heap-owner: cpu_access_unowned in userspace\n")
	 )(j["reports"][0])'
has "$err" '^unsynced: wrote'
result $? "check --json: the command's output went to stderr"

run "$dho" check --json -- "$client" vmapped
json_result "check --json -- dho-client vmapped: a device access, its device, driver and stacks" $(( rc != 1 )) \
	'(lambda r: r["class"] == "device_access_vmapped" and r["access"]["kind"] == "device" and
	 r["access"]["device"] == "dho-importer" and r["access"]["driver"] == "dho-importer" and
	 r["access"]["dir"] in ("to_device", "from_device", "bidirectional") and
	 r["process"]["comm"] == "dho-client" and r["function"].endswith("[dho_importer]") and
	 list(r["stacks"]) == ["owner", "offending"] and len(r["stacks"]["offending"]) > 2 and
	 r["process"]["tgid"] > 0 and r["ip"] is None and r["user_stack"] == []
	 )(j["reports"][0]) and len(j["reports"]) == 1'

# a kernel write through the alias: who vmapped it, and the stacks
run "$dho" check --json -- "$client" flush-missing
json_result "check --json -- dho-client flush-missing: vmapped_by names the vmap's caller and task" $(( rc != 1 )) \
	'(lambda r: r["access"]["kind"] == "vmap" and r["access"]["op"] == "write" and
	 isinstance(r["vmapped_by"], dict) and "dho_imp" in r["vmapped_by"]["function"] and
	 r["vmapped_by"]["comm"] == "dho-client" and
	 r["vmapped_by"]["tgid"] == r["process"]["tgid"] and
	 isinstance(r["vmapped_by"]["time"], float) and len(r["vmapped_by"]["stack"]) > 2 and
	 "seen_at" in r["stacks"]
	 )([r for r in j["reports"] if r["class"] == "cpu_access_unowned"][0]) and
	 len(j["reports"]) == 2'

# a task that names itself like the kernel's text, a buffer named by userspace
cat > "$tmp/hostile.py" <<'EOF'
# Name the task and the buffer as given, then write through mmap without SYNC.
import ctypes, fcntl, mmap, os, struct, sys
ctypes.CDLL(None).prctl(15, sys.argv[1].encode(), 0, 0, 0)   # PR_SET_NAME
heap = os.open("/dev/dma_heap/system", os.O_RDWR | os.O_CLOEXEC)
arg = bytearray(struct.pack("QIIQ", 4096, 0, os.O_RDWR | os.O_CLOEXEC, 0))
fcntl.ioctl(heap, 0xc0184800, arg, True)   # DMA_HEAP_IOCTL_ALLOC
fd = struct.unpack("QIIQ", arg)[1]
fcntl.ioctl(fd, 0x40086201, sys.argv[2].encode() + b"\0")   # DMA_BUF_SET_NAME
m = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
m[0:1] = b"x"
EOF
run "$dho" check --json -- python3 "$tmp/hostile.py" 'a tgid 1 tid 2' 'my buf name=x'
json_result "check --json: a comm reading 'tgid 1 tid 2', a name with spaces: parsed, counted" $(( rc != 1 )) \
	'j["scope"] == "process_tree" and j["violations"] == 1 and len(j["reports"]) == 1 and
	 (lambda r: r["process"]["comm"] == "a tgid 1 tid 2" and r["process"]["tgid"] > 2 and
	  r["buffer"]["name"] == "my buf name=x" and r["buffer"]["size"] == 4096 and
	  r["owner"]["by"] == "a tgid 1 tid 2")(j["reports"][0])'
run "$dho" check --json -- python3 "$tmp/hostile.py" $'x\nFORGED x' '-'
json_result "check --json: a comm with a newline: escaped, its report still the command's" $(( rc != 1 )) \
	'j["scope"] == "process_tree" and j["violations"] == 1 and len(j["reports"]) == 1 and
	 j["reports_elsewhere"] == 0 and
	 j["reports"][0]["process"]["comm"] == "x\\nFORGED x" and
	 "\nFORGED" not in j["reports"][0]["text"]'

# reports: the ring as it is now, its last report the one above
run "$dho" reports --json
json_result "reports --json: the ring, its last report the last check's" $(( rc != 0 )) \
	'j["source"] == "violations" and len(j["reports"]) >= 1 and
	 j["reports"][-1]["process"]["comm"] == "x\\nFORGED x"'
run "$dho" reports
has "$out" '^BUG: dma-heap-owner: cpu_access_unowned in userspace$' \
	'^access: write by task x\\nFORGED x tgid [0-9]+ tid [0-9]+ at 0x'
result $(( $? || rc != 0 )) "reports: the ring as the kernel wrote it, exit 0"

run "$dho" check --json -- sh -c 'exit 0' 'a"b\c' $'tab\there' $'\x01' $'\xff' 'é'
json_result "check --json: escapes quotes, backslashes, controls and invalid UTF-8" 0 \
	'j["command"][3:] == ["a\"b\\c", "tab\there", "\x01", "\ufffd", "\u00e9"]'

run "$dho" check --ktap -- "$client" unsynced
ok=0
[ $rc = 1 ] || ok=1
has "$out" '^KTAP version 1$' '^1\.\.8$' '^not ok 1 cpu_access_unowned$' \
	'^ok 2 device_access_vmapped$' '^ok 7 release_while_mapped$' '^ok 8 command$' \
	'^# BUG: dma-heap-owner: cpu_access_unowned' || ok=1
result $ok "check --ktap: not ok for cpu_access_unowned, ok for the rest"

# the kernel's own KTAP parser, from the tree of the binaries' variant
# (BIN_DIR is <build>/<variant>/bin, its tree <build>/linux-<variant>)
kunit=$(dirname "$(dirname "$bin")")/linux-$(basename "$(dirname "$bin")")/tools/testing/kunit/kunit.py
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
		json_result "check -- dho-client $scen: clean, exit 0" $(( rc != 0 )) \
			'j["violations"] == 0 and j["result"] == "clean"'
	else
		json_result "check -- dho-client $scen: $expect, exit 1" $(( rc != 1 )) \
			"sorted(k for k, v in j['classes'].items() if v) == sorted('$expect'.split(','))"
	fi
	# what each report of the scenario says beyond its class
	case $scen in
	read-window)
		json_result "check -- dho-client read-window: the owner's SYNC by its user ip" 0 \
			'(lambda r: r["owner"]["state"] == "cpu" and r["owner"]["since"] == "cpu_begin" and
			 r["owner"]["sync_ip"].startswith("0x") and r["owner"]["alloc_ip"] is None and
			 r["stacks"]["owner"] == [] and
			 r["ip"]["file"] == "dho-client" and r["access"]["op"] == "write"
			 )(j["reports"][0])' ;;
	unbalanced)
		json_result "check -- dho-client unbalanced: a task access, the SYNC's ip, no file" 0 \
			'(lambda r: r["access"]["kind"] == "task" and r["access"]["dir"] == "bidirectional" and
			 r["process"]["comm"] == "dho-client" and r["ip"]["addr"].startswith("0x") and
			 r["ip"]["file"] is None and r["function"] == "dma_buf_ioctl" and
			 len(r["stacks"]["offending"]) > 2)(j["reports"][0])' ;;
	vmapped)
		json_result "check -- dho-client vmapped: a device access and who vmapped the alias" 0 \
			'(lambda r: r["access"]["kind"] == "device" and
			 r["vmapped_by"]["comm"] == "dho-client" and
			 r["vmapped_by"]["tgid"] == r["process"]["tgid"] and
			 r["vmapped_by"]["function"] == "dho_imp_ioctl [dho_importer]"
			 )(j["reports"][0])' ;;
	esac
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
json_result "check --json: a command failing with violations: exit 1, status 5" $(( rc != 1 )) \
	'j["exit_status"] == 5 and j["violations"] == 1 and j["result"] == "violations"'

run "$dho" check -- "$tmp/no-such-command"
has "$err" 'cannot run'
result $(( $? || rc != 2 )) "check: a command that cannot run: exit 2"

# --- check: the command's own processes ---

# the violations of a grandchild, in the background, are the command's
run "$dho" check --json -- sh -c '"$1" unsynced > /dev/null & wait' sh "$client"
json_result "check: a violation of a background grandchild counts, exit 1" $(( rc != 1 )) \
	'j["scope"] == "process_tree" and j["violations"] == 1 and
	 j["classes"]["cpu_access_unowned"] == 1 and len(j["reports"]) == 1 and
	 j["reports"][0]["process"]["comm"] == "dho-client"'

# Two checks at once, only one of them raising a violation: each counts
# its own.  A waits until B is done; B's violation is system-wide for A.
"$dho" check --json -- sh -c 'touch "$1"; while [ ! -e "$2" ]; do sleep 0.1; done' \
	sh "$tmp/a.started" "$tmp/a.stop" > "$tmp/a.json" 2> "$tmp/a.err" &
apid=$!
pids+=("$apid")
if wait_for 20 test -e "$tmp/a.started"; then
	"$dho" check -- "$client" unsynced > "$tmp/b.out" 2> "$tmp/b.err"
	brc=$?
	touch "$tmp/a.stop"
	wait "$apid"
	rc=$?
	cp "$tmp/a.json" "$out"
	cp "$tmp/a.err" "$err"
	json_result "two checks at once: the clean one counts 0 (1 system-wide), exit 0" $(( rc != 0 )) \
		'j["scope"] == "process_tree" and j["violations"] == 0 and j["result"] == "clean" and
		 j["reports"] == [] and j["system"]["violations"] == 1 and
		 j["system"]["classes"]["cpu_access_unowned"] == 1 and j["reports_elsewhere"] == 1'
	rc=$brc
	cp "$tmp/b.out" "$out"
	cp "$tmp/b.err" "$err"
	has "$out" "^violations: 1 by the command's processes\$" '^  cpu_access_unowned +\+1$' \
		'^system-wide: 1 \(0 by other processes\)$' \
		'^dma-heap-owner: FAIL: 1 violation \(cpu_access_unowned \+1\)$'
	result $(( $? || rc != 1 )) "two checks at once: the other counts its 1, exit 1"
else
	rc=-1
	result 1 "two checks at once (the first did not start)"
	result 1 "two checks at once (the first did not start)"
fi
touch "$tmp/a.stop"

# the other way round: the long check raises, the short one is clean
"$dho" check --ktap -- sh -c 'touch "$1"; while [ ! -e "$2" ]; do sleep 0.1; done; "$3" unsynced' \
	sh "$tmp/c.started" "$tmp/c.stop" "$client" > "$tmp/c.out" 2> "$tmp/c.err" &
cpid=$!
pids+=("$cpid")
if wait_for 20 test -e "$tmp/c.started"; then
	"$dho" check --ktap -- sh -c 'touch "$1"; "$2" correct' sh "$tmp/c.stop" "$client" \
		> "$tmp/d.out" 2> "$tmp/d.err"
	drc=$?
	wait "$cpid"
	rc=$?
	cp "$tmp/c.out" "$out"
	has "$out" '^not ok 1 cpu_access_unowned$' '^# counted: the command.s processes; system-wide 1$'
	ok=$(( $? || rc != 1 ))
	rc=$drc
	cp "$tmp/d.out" "$out"
	has "$out" '^ok 1 cpu_access_unowned$' '^ok 8 command$' \
		"^# counted: the command's processes; system-wide [01]\$"
	result $(( $? || ok || rc != 0 )) "two checks at once, --ktap: not ok for the one that raised, ok for the other"
else
	touch "$tmp/c.stop"
	result 1 "two checks at once, --ktap (the first did not start)"
fi

ls "$instances" 2>/dev/null | grep '^dma-heap-owner-' > "$out"
[ ! -s "$out" ]
result $? "check: no tracefs instance left behind"

# an instance left by a check killed with SIGKILL goes with the next check
dead=$(free_pid)
mkdir "$instances/dma-heap-owner-check.$dead"
run "$dho" check -- true
[ ! -e "$instances/dma-heap-owner-check.$dead" ]
result $(( $? || rc != 0 )) "check: removes the instance of a check that is gone"

# --- check: signals ---

# a CI timeout: SIGTERM reaches the command, check prints its result
start=$SECONDS
run timeout -s TERM 2 "$dho" check -- sleep 61
has "$out" '^dma-heap-owner check: sleep 61$' '^command: killed by signal 15 \(Terminated\)$' \
	'^signal: SIGTERM received, passed on to the command$' \
	'^dma-heap-owner: FAIL: command failed \(status 143\), no violations$' &&
	[ $((SECONDS - start)) -lt 30 ] && ! running '^sleep 61$'
result $(( $? || rc != 124 )) "timeout -s TERM 2 check -- sleep 61: SIGTERM passed on, result printed, timeout's 124"

run timeout --preserve-status -s TERM 2 "$dho" check --json -- sh -c 'sleep 62; exit 0'
json_result "SIGTERM, --json: signal 15, forwarded_signal 15, exit 3" $(( rc != 3 )) \
	'j["signal"] == 15 and j["exit_status"] == 143 and j["forwarded_signal"] == 15 and
	 j["result"] == "command_failed" and j["violations"] == 0'
running 'sleep 62'
result $(( ! $? )) "SIGTERM: the command's whole process group got it (no sleep left)"

# SIGINT once the command's handler is in place: the command itself sends
# it to check, its parent (a slow kernel takes a while to start a shell,
# and a fixed delay raced it)
run "$dho" check --ktap -- \
	sh -c 'trap "exit 9" INT; kill -INT $PPID; while :; do sleep 0.1; done'
has "$out" '^# SIGINT received, passed on to the command$' '^# command exited with status 9$' \
	'^not ok 8 command$'
result $(( $? || rc != 3 )) "SIGINT, --ktap: the command's handler ran (status 9), exit 3"

ls "$instances" 2>/dev/null | grep '^dma-heap-owner-' > "$out"
[ ! -s "$out" ]
result $? "signals: no tracefs instance left behind"

# --- check --name: several checks, one KTAP document ---

mkdir -p "$tmp/empty"
{
	echo "KTAP version 1"
	echo "1..3"
	"$dho" check --ktap --name correct -- "$client" correct
	"$dho" check --ktap --name unsynced --number 2 -- "$client" unsynced
	DHO_DEBUGFS=$tmp/empty "$dho" check --ktap --name skipped --number 3 -- true
} > "$tmp/doc.ktap" 2> "$err"
cp "$tmp/doc.ktap" "$out"
rc=0
grep -x '  KTAP version 1' "$out" | wc -l | grep -qx 3 &&
	has "$out" '^  # Subtest: correct$' '^  1\.\.8$' '^  ok 1 cpu_access_unowned$' '^ok 1 correct$' \
		'^  # Subtest: unsynced$' '^  not ok 1 cpu_access_unowned$' '^  ok 8 command$' \
		'^not ok 2 unsynced$' '^  # Subtest: skipped$' \
		"^  1\\.\\.0 # SKIP debugfs is not mounted at $tmp/empty \\(the directory is empty\\)\$" \
		"^ok 3 skipped # SKIP debugfs is not mounted at $tmp/empty \\(the directory is empty\\)\$" &&
	! grep -Ev '^(  .*|ok [0-9]+ .*|not ok [0-9]+ .*|KTAP version 1|1\.\.3)$' "$out" | grep -q .
result $? "check --ktap --name: subtests indented, numbered, one document"
if [ -r "$kunit" ]; then
	run python3 "$kunit" parse "$tmp/doc.ktap"
	has "$out" '\[PASSED\] correct' '\[FAILED\] unsynced' '\[SKIPPED\] skipped' \
		'Ran 17 tests: passed: 15, failed: 1, skipped: 1' && ! grep -q ERROR "$out"
	result $? "check --ktap --name: kunit.py parse reads three checks as one document"
else
	skip "check --ktap --name: kunit.py parse reads it" "no $kunit"
fi

# --- buffers ---

cat > "$tmp/hold.py" <<'EOF'
# hold.py OUT SIZE NAME FORK [COMM]: allocate SIZE bytes from the system
# heap, name the buffer NAME ("-": none), mmap it (without touching it), fork
# a child that shares both if FORK is 1, write "PID FD INO [CHILD]" to OUT,
# sleep until killed (the child with it).  COMM names the task.
import ctypes, fcntl, mmap, os, struct, sys, time
out, size, name, fork = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4] == "1"
if len(sys.argv) > 5:
    ctypes.CDLL(None).prctl(15, sys.argv[5].encode(), 0, 0, 0)   # PR_SET_NAME
heap = os.open("/dev/dma_heap/system", os.O_RDWR | os.O_CLOEXEC)
arg = bytearray(struct.pack("QIIQ", size, 0, os.O_RDWR | os.O_CLOEXEC, 0))
fcntl.ioctl(heap, 0xc0184800, arg, True)   # DMA_HEAP_IOCTL_ALLOC
fd = struct.unpack("QIIQ", arg)[1]
if name != "-":
    fcntl.ioctl(fd, 0x40086201, name.encode() + b"\0")   # DMA_BUF_SET_NAME
m = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
line = "%d %d %d" % (os.getpid(), fd, os.fstat(fd).st_ino)
if fork:
    child = os.fork()
    if not child:
        ctypes.CDLL(None).prctl(1, 15, 0, 0, 0)   # PR_SET_PDEATHSIG, SIGTERM
        if os.getppid() != int(line.split()[0]):
            os._exit(0)
        time.sleep(3600)
        os._exit(0)
    line += " %d" % child
with open(out + ".tmp", "w") as f:
    f.write(line + "\n")
os.rename(out + ".tmp", out)
time.sleep(3600)
EOF
# A: 64 KiB, named, shared with a forked child; B: 8 KiB alone.  Each
# process holds two file descriptors to its buffer: python's mmap keeps a
# dup of the one it maps.
python3 "$tmp/hold.py" "$tmp/held.a" 65536 'held buffer' 1 2> "$tmp/hold.err" &
pids+=($!)
python3 "$tmp/hold.py" "$tmp/held.b" 8192 - 0 2>> "$tmp/hold.err" &
pids+=($!)
# C: a task whose name holds a newline
python3 "$tmp/hold.py" "$tmp/held.c" 4096 - 0 $'x\nFORGED x' 2>> "$tmp/hold.err" &
pids+=($!)
# Three python3 starting at once take seconds each in the VM.
if wait_for 120 test -s "$tmp/held.a" && wait_for 30 test -s "$tmp/held.b" &&
	wait_for 30 test -s "$tmp/held.c"; then
	read -r apid afd aino achild < "$tmp/held.a"
	read -r bpid bfd bino < "$tmp/held.b"
	read -r cpid cfd cino < "$tmp/held.c"
	pids+=("$achild")

	run "$dho" buffers
	# a buffer's row, and the indented lines after it
	block() {
		awk -v ino="$1" '$1 ~ /^[0-9]+$/ { p = $1 == ino } p' "$out"
	}
	block "$bino" > "$tmp/block.b"
	block "$aino" > "$tmp/block.a"
	has "$out" '^ +INO HEAP +SIZE OWNER +CPU +VMAP MMAPS ATTACH DEVICES +LAST +NAME$' &&
	has "$tmp/block.b" "^ +$bino system +8192 none +0:none +0 +1 +0 - +alloc:python3:$bpid +-\$" \
		"^  fd  pid=$bpid comm=python3 fd=$bfd\$" \
		"^  map pid=$bpid comm=python3 addr=[0-9a-f]+-[0-9a-f]+ prot=rw-s pgoff=0\$" &&
	has "$tmp/block.a" "^ +$aino system +65536 none .* held buffer\$" \
		"^  fd  pid=$apid comm=python3 fd=$afd\$" "^  fd  pid=$achild comm=python3 fd=$afd\$" \
		"^  map pid=$apid comm=python3 addr=" "^  map pid=$achild comm=python3 addr="
	result $(( $? || rc != 0 )) "buffers: a row per buffer, its name, the processes that hold and map it"
	block "$cino" > "$tmp/block.c"
	has "$tmp/block.c" "^  fd  pid=$cpid comm=x\\\\nFORGED x fd=$cfd\$" &&
		! grep -q '^FORGED' "$out"
	result $? "buffers: a task name with a newline is escaped, forges no line"

	run "$dho" buffers -o csv
	head -1 "$out" | grep -qx 'ino,heap,size,owner,cpu_depth,cpu_dir,vmap,mmaps,attach,devs,last,exporter,name,holder,pid,comm,fd,start,end,prot,pgoff' &&
		has "$out" "^$bino,system,8192,none,0,none,0,1,0,-,alloc:python3:$bpid,system,,fd,$bpid,python3,$bfd,,,,\$" \
			"^$bino,system,8192,none,0,none,0,1,0,-,alloc:python3:$bpid,system,,map,$bpid,python3,,[0-9a-f]+,[0-9a-f]+,rw-s,0\$" \
			"^$aino,system,65536,.*,system,held buffer,fd,$achild,python3,$afd,,,,\$" &&
		[ "$(grep -c "^$bino," "$out")" = 3 ] && [ "$(grep -c "^$aino," "$out")" = 6 ]
	result $(( $? || rc != 0 )) "buffers -o csv: a header, a row per buffer and holder"

	run "$dho" buffers -o json
	json_result "buffers -o json: the kernel's fields, users, last, exporter, name, fds and maps" $(( rc != 0 )) \
		'(lambda b, a: j["schema_version"] == 3 and
		 b["size"] == 8192 and b["heap"] == "system" and b["owner"] == "none" and
		 b["cpu_depth"] == 0 and b["mmaps"] == 1 and b["attach"] == 0 and
		 b["users"] == [{"pid": '"$bpid"', "comm": "python3", "faults": 0}] and
		 b["devices"] == [] and b["last"] == {"op": "alloc", "who": "python3", "pid": '"$bpid"'} and
		 b["exporter"] == "system" and b["name"] is None and
		 len(b["fds"]) == 2 and {"pid": '"$bpid"', "comm": "python3", "fd": '"$bfd"'} in b["fds"] and
		 all(f["pid"] == '"$bpid"' for f in b["fds"]) and
		 len(b["maps"]) == 1 and b["maps"][0]["prot"] == "rw-s" and
		 int(b["maps"][0]["end"], 16) - int(b["maps"][0]["start"], 16) == 8192 and
		 b["line"].startswith("ino='"$bino"' heap=system size=8192 ") and
		 a["name"] == "held buffer" and
		 sorted(set(f["pid"] for f in a["fds"])) == sorted(['"$apid, $achild"']) and
		 {"pid": None, "comm": None, "faults": 0} in a["users"]
		 )(*[[x for x in j["buffers"] if x["ino"] == i][0] for i in ('"$bino, $aino"')])'

	run "$dho" buffers -p "$bpid" -o json
	json_result "buffers -p PID: only the buffers PID holds or maps" $(( rc != 0 )) \
		'[b["ino"] for b in j["buffers"]] == ['"$bino"']'
	run "$dho" buffers -p "$achild"
	has "$out" "^ +$aino system +65536 " "^  fd  pid=$apid comm=python3" &&
		! grep -q "^ *$bino " "$out"
	result $(( $? || rc != 0 )) "buffers -p PID: a shared buffer, with every process that holds it"

	run "$dho" buffers --by-process
	has "$out" '^ +PID COMM +BUFFERS TRACKED +FDS +MAPS +BYTES +PSS +MAPPED$' \
		"^ +$bpid python3 +1 +1 +2 +1 +8192 +8192 +8192\$" \
		"^ +$apid python3 +1 +1 +2 +1 +65536 +32768 +65536\$" \
		"^ +$achild python3 +1 +1 +2 +1 +65536 +32768 +65536\$" \
		'^total: [0-9]+ process(es)?, [0-9]+ buffers?, [0-9]+ bytes$'
	result $(( $? || rc != 0 )) "buffers --by-process: per process, a shared buffer's PSS halved, a total"

	run "$dho" buffers --by-process -o csv -p "$bpid"
	printf '%s\n' 'pid,comm,buffers,tracked,fds,maps,bytes,pss_bytes,mapped_bytes' \
		"$bpid,python3,1,1,2,1,8192,8192,8192" | diff - "$out" > /dev/null
	result $(( $? || rc != 0 )) "buffers --by-process -o csv -p PID: the header and its row"

	run "$dho" buffers --by-process -o json
	json_result "buffers --by-process -o json: processes with their totals and buffers" $(( rc != 0 )) \
		'(lambda p: j["schema_version"] == 3 and p["comm"] == "python3" and
		 p["buffers"] == 1 and p["tracked"] == 1 and p["fds"] == 2 and p["maps"] == 1 and
		 p["bytes"] == 65536 and p["pss_bytes"] == 32768 and p["mapped_bytes"] == 65536 and
		 p["inos"] == ['"$aino"'])([x for x in j["processes"] if x["pid"] == '"$achild"'][0])'

	run "$dho" buffers --by-process -p $$
	has "$out" "^ +$$ bash +0 +0 +0 +0 +0 +0 +0\$" && ! grep -q '^total' "$out"
	result $(( $? || rc != 0 )) "buffers --by-process -p PID: a process that holds nothing has zeros"

	run "$dho" buffers --by-process -o csv
	has "$out" "^$cpid,x\\\\nFORGED x,1,1,2,1,4096,4096,4096\$" && ! grep -q '^FORGED' "$out"
	result $(( $? || rc != 0 )) "buffers --by-process -o csv: the task name escaped"

	kill "$apid" "$achild" "$bpid" "$cpid" 2>/dev/null
	wait 2>/dev/null
else
	rc=-1
	cp "$tmp/hold.err" "$err"
	result 1 "buffers: the buffers of the holders (they did not start)"
	# the three holders (and A's child, by its parent-death signal): no
	# buffer of theirs may outlive this suite
	kill "${pids[@]: -3}" 2>/dev/null
	wait 2>/dev/null
fi

run "$dho" buffers -o xml
has "$err" "^dma-heap-owner: -o: unknown format 'xml' \\(table, csv or json\\)\$" && [ ! -s "$out" ]
result $(( $? || rc != 2 )) "buffers -o xml: an unknown format, exit 2"
run "$dho" buffers -p abc
has "$err" "^dma-heap-owner: -p: 'abc' is not a process id\$" && [ ! -s "$out" ]
result $(( $? || rc != 2 )) "buffers -p abc: not a process id, exit 2"
run "$dho" buffers --by-process -p 0
has "$err" "^dma-heap-owner: -p: '0' is not a process id\$"
result $(( $? || rc != 2 )) "buffers -p 0: not a process id, exit 2"
gone=$(free_pid)
run "$dho" buffers -p "$gone"
has "$err" "^dma-heap-owner: -p: no process $gone\$" && [ ! -s "$out" ]
result $(( $? || rc != 2 )) "buffers -p PID of no process: says so, exit 2"
run "$dho" status -o json
has "$err" '^dma-heap-owner: status: --output is not one of its options$'
result $(( $? || rc != 2 )) "status -o: an option of buffers, exit 2"

# --- watch ---

# Two violations on one buffer: with all_errors=0 only the first has a report.
cat > "$tmp/twice.py" <<'EOF'
# Write two pages of one buffer through mmap without DMA_BUF_IOCTL_SYNC.
import fcntl, mmap, os, struct
heap = os.open("/dev/dma_heap/system", os.O_RDWR | os.O_CLOEXEC)
arg = bytearray(struct.pack("QIIQ", 8192, 0, os.O_RDWR | os.O_CLOEXEC, 0))
fcntl.ioctl(heap, 0xc0184800, arg, True)   # DMA_HEAP_IOCTL_ALLOC
fd = struct.unpack("QIIQ", arg)[1]
m = mmap.mmap(fd, 8192, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
m[0:1] = b"x"
m[4096:4097] = b"y"
EOF

# "EVENTS REPORTS NOTES" if each event (seq=N) in @1 is followed by its own
# report ("violation: #N at") or by why it has none, else "bad".
watch_pairs() {
	awk '
	function done() { if (seq != "" && !ok) bad = 1 }
	/ violation: ino=/ {
		done(); seq = $0; sub(/.* seq=/, "", seq); sub(/ .*/, "", seq)
		ok = 0; ev++; next
	}
	seq != "" && index($0, "violation: #" seq " at ") == 1 { ok = 1; rep++ }
	seq != "" && index($0, "  (no report for violation #" seq " in the ring") == 1 {
		ok = 1; note++
	}
	END { done(); print bad ? "bad" : ev + 0 " " rep + 0 " " note + 0 }' "$1"
}

watch_start() {	# start watch in the background: $wpid, its output in $tmp/watch.*
	"$dho" watch > "$tmp/watch.out" 2> "$tmp/watch.err" &
	wpid=$!
	pids+=("$wpid")
	wait_for 20 grep -q watching "$tmp/watch.err"
}

watch_stop() {	# signal: stop watch with it, its status in $rc
	kill "-$1" "$wpid"
	wait "$wpid"
	rc=$?
	cp "$tmp/watch.out" "$out"
	cp "$tmp/watch.err" "$err"
}

watch_test() {	# the global event's enable: 0 or 1
	local unowned_event winst ok=0
	unowned_event=' violation: ino=[0-9]+ heap=system class=cpu_access_unowned owner=none '
	unowned_event+='dir=[a-z_]+ pgoff=0 dev=- pid=[0-9]+ comm=dho-client '
	unowned_event+='tgid=[0-9]+ seq=[0-9]+ ip=0x[0-9a-f]+$'
	echo "$1" > "$event"
	echo > "$gtrace"
	watch_start
	winst=$instances/dma-heap-owner-watch.$wpid
	[ -d "$winst" ] || ok=1
	"$client" unsynced > /dev/null
	"$client" vmapped > /dev/null
	python3 "$tmp/twice.py"
	wait_for 30 grep -q '^  (no report for violation #' "$tmp/watch.out"
	watch_stop INT
	has "$out" "$unowned_event" \
		'^BUG: dma-heap-owner: cpu_access_unowned in userspace$' \
		'^access: write by task dho-client tgid [0-9]+ tid [0-9]+ at 0x' \
		' violation: ino=[0-9]+ heap=system class=device_access_vmapped .*dev=dho-importer ' \
		'^BUG: dma-heap-owner: device_access_vmapped in ' \
		'^access: write by task python3 tgid [0-9]+ tid [0-9]+ at 0x[0-9a-f]+ \(page 0\)$' \
		'^  \(no report for violation #[0-9]+ in the ring: all_errors=0, filter=-; ' || ok=1
	[ "$(watch_pairs "$out")" = "4 3 1" ] || ok=1
	result $(( ok || rc != 0 )) \
		"watch (global event enable $1): 4 events, each with its report by seq= or why it has none; exit 0 on SIGINT"
	[ ! -e "$winst" ]
	result $? "watch (global event enable $1): its instance was there, and is gone"
	# the global buffer kept what it traced: watch did not read it
	grep -qx "$1" "$event" &&
		[ "$(grep -c ' violation: ino=' "$gtrace")" = "$(( $1 ? 4 : 0 ))" ]
	result $? "watch (global event enable $1): the global enable and trace buffer left alone"
}
gtrace=${event%/events/*}/trace
if [ -e "$event" ]; then
	watch_test 0
	watch_test 1
	echo 0 > "$event"

	watch_start
	watch_stop TERM
	has "$err" '^dma-heap-owner: watching for violations \(tracefs instance .*/instances/dma-heap-owner-watch\.[0-9]+\)' &&
		[ ! -e "$instances/dma-heap-owner-watch.$wpid" ]
	result $(( $? || rc != 0 )) "watch: SIGTERM: exit 0, its instance removed"

	watch_start
	echo 1 > "$dbg/disabled"
	wait_for 10 grep -q 'tracking was switched off' "$tmp/watch.err"
	echo 0 > "$dbg/disabled"
	wait_for 10 grep -q 'tracking is on again' "$tmp/watch.err"
	watch_stop INT
	has "$err" '^dma-heap-owner: tracking was switched off: no violations are seen until it is on$' \
		'^dma-heap-owner: tracking is on again$'
	result $(( $? || rc != 0 )) "watch: says on stderr when tracking is switched off and on"

	watch_start
	echo 0 > "$instances/dma-heap-owner-watch.$wpid/tracing_on"
	wait_for 10 sh -c '! kill -0 "$1" 2> /dev/null' sh "$wpid"
	watch_stop INT 2> /dev/null
	has "$err" "^dma-heap-owner: tracing was switched off in $instances/dma-heap-owner-watch\\.$wpid: no event can come\$" &&
		[ ! -e "$instances/dma-heap-owner-watch.$wpid" ]
	result $(( $? || rc != 2 )) "watch: tracing switched off in its instance: says so, exit 2"

	# the instance of a watch killed with SIGKILL goes with the next check or watch
	dead=$(free_pid)
	mkdir "$instances/dma-heap-owner-watch.$dead"
	watch_start
	watch_stop INT
	[ ! -e "$instances/dma-heap-owner-watch.$dead" ]
	result $(( $? || rc != 0 )) "watch: removes the instance of a watch that is gone"
else
	skip "watch" "no $event"
fi

# a tracefs without instances: watch says why it cannot trace, exit 2
mkdir -p "$tmp/tracefs/events/dma_heap_owner/violation"
: > "$tmp/tracefs/events/dma_heap_owner/violation/enable"
DHO_TRACEFS=$tmp/tracefs run "$dho" watch
has "$err" "^dma-heap-owner: cannot trace violations: cannot create the tracefs instance $tmp/tracefs/instances/dma-heap-owner-watch\\.[0-9]+: No such file or directory\$" &&
	[ ! -s "$out" ]
result $(( $? || rc != 2 )) "watch: no tracefs instance can be made: says why, exit 2"

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
result $(( $? || rc != 4 )) "DHO_DEBUGFS at an empty directory: 'debugfs is not mounted', exit 4"

DHO_TRACEFS=$tmp/empty run "$dho" watch
has "$err" 'tracefs is not mounted'
result $(( $? || rc != 2 )) "DHO_TRACEFS at an empty directory: 'tracefs is not mounted', exit 2"

DHO_DEBUGFS=$tmp/fake run "$dho" check -- true
printf '%s\n' "dma-heap-owner: SKIP: this kernel has no DMA-BUF heap ownership tracker (CONFIG_DMABUF_HEAPS_OWNER_DEBUG): no $tmp/fake/dma_heap_owner" |
	diff - "$out" > /dev/null && [ ! -s "$err" ]
result $(( $? || rc != 4 )) "DHO_DEBUGFS without dma_heap_owner/: check prints SKIP with the reason, exit 4"

DHO_DEBUGFS=$tmp/fake run "$dho" check --json -- true
json_result "no tracker: check --json prints an error object, exit 4" $(( rc != 4 )) \
	'j == {"schema_version": 3, "command": ["true"], "exit_status": None,
	       "result": "skipped", "error": {"code": "no_tracker", "message": j["error"]["message"]}} and
	 "no DMA-BUF heap ownership tracker" in j["error"]["message"]'

DHO_DEBUGFS=$tmp/empty run "$dho" check --ktap -- true
printf '%s\n' "KTAP version 1" "1..0 # SKIP debugfs is not mounted at $tmp/empty (the directory is empty)" |
	diff - "$out" > /dev/null
result $(( $? || rc != 4 )) "no debugfs: check --ktap prints the 1..0 SKIP line with its reason, exit 4"

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
off="tracking is disabled; enable it with: echo 0 > $dbg/disabled"
run "$dho" check -- touch "$tmp/ran"
printf '%s\n' "dma-heap-owner: SKIP: $off" | diff - "$out" > /dev/null &&
	[ ! -s "$err" ] && [ ! -e "$tmp/ran" ]
result $(( $? || rc != 4 )) "tracking disabled: check prints SKIP, does not run the command, exit 4"
run "$dho" check --ktap -- touch "$tmp/ran"
printf '%s\n' "KTAP version 1" "1..0 # SKIP $off" | diff - "$out" > /dev/null &&
	has "$err" "^dma-heap-owner: SKIP: $off\$" && [ ! -e "$tmp/ran" ]
result $(( $? || rc != 4 )) "tracking disabled: check --ktap prints exactly the 1..0 SKIP line with its reason, exit 4"
run "$dho" check --json -- touch "$tmp/ran"
[ ! -e "$tmp/ran" ]
json_result "tracking disabled: check --json prints an error object, exit 4" $(( $? || rc != 4 )) \
	'j["result"] == "skipped" and j["exit_status"] is None and
	 j["error"] == {"code": "tracking_disabled", "message": "'"$off"'"}'
run "$dho" check --ktap --name off --number 3 -- true
printf '%s\n' "  KTAP version 1" "  # Subtest: off" "  1..0 # SKIP $off" "ok 3 off # SKIP $off" |
	diff - "$out" > /dev/null
result $(( $? || rc != 4 )) "tracking disabled: check --ktap --name: a skipped subtest, exit 4"
run "$dho" watch
has "$err" 'tracking is disabled'
result $(( $? || rc != 4 )) "tracking disabled: watch says so, exit 4"
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

json_results
echo "1..$n"
[ $failed = 0 ]
