#!/bin/bash
# The upstream dmabuf-heaps kselftest, on every heap, with vgem loaded so
# that its import case runs.  It follows the rules: the tracker must count
# nothing while it runs.  Prints TAP.  6.1's test prints its own lines
# ("Testing ...: OK"), 6.12's kselftest TAP: both are read.
bin=$1
dbg=/sys/kernel/debug/dma_heap_owner
n=0 fail=0

ok() {	# status description
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fail=1; fi
}

ls /dev/dri/card* >/dev/null 2>&1
ok $? "vgem present (/dev/dri/card*)"
before=$(cat $dbg/error_count 2>/dev/null || echo 0)

out=$("$bin")
rc=$?
echo "$out" | sed 's/^/# /'
heap=
while IFS= read -r line; do
	case $line in
	"Testing heap: "* | "# Testing heap: "*) heap=${line#*Testing heap: } ;;
	"ok "[0-9]*" # SKIP "*) ok 1 "$heap: ${line#* # SKIP } (skipped)" ;;
	"ok "[0-9]*) ok 0 "$heap: $(echo "$line" | sed 's/^ok [0-9]* //')" ;;
	"not ok "[0-9]*) ok 1 "$heap: $(echo "$line" | sed 's/^not ok [0-9]* //')" ;;
	"# "*) ;;
	*"Testing "*)
		desc=$(echo "$line" | sed 's/^ *Testing \(.*\): .*/\1/')
		case $line in
		*skipping*) ok 1 "$heap: $desc (vgem import skipped)" ;;
		*OK) ok 0 "$heap: $desc" ;;
		*) ok 1 "$heap: $desc" ;;
		esac ;;
	esac
done <<< "$out"
ok $rc "dmabuf-heap exit status"
for h in /dev/dma_heap/*; do
	echo "$out" | grep -q "Testing heap: ${h##*/}\$"
	ok $? "ran on heap ${h##*/}"
done
if [ -e $dbg/error_count ]; then
	after=$(cat $dbg/error_count)
	[ "$after" = "$before" ]
	ok $? "no violations from a correct client (error_count $before -> $after)"
fi
echo "1..$n"
exit $fail
