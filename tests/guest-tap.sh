# Sourced by the guest-side TAP scripts (boot-off.sh, kunit-example.sh).
# check <status> <description>: the next numbered TAP result.
n=0
check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
	fi
}

# A kernel splat other than the tracker's own reports, on standard input.
splat() {
	grep -P 'WARNING:|Oops|KASAN:|UBSAN:|BUG: (?!dma-heap-owner: )|circular locking|recursive locking|lock state'
}
