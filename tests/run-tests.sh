#!/bin/bash
# make test: boot the test kernel once, run the KUnit suites (at boot) and
# every userspace suite, and summarise.
#   run-tests.sh <build-dir> [arm64-][6.12-]<base|debug> [suite] [kunit-glob]
# Exits with tests/summarize.py's status (DHO_ALLOW_SKIP in the environment
# reaches it: see its docstring); 2 for an unknown suite.
set -uo pipefail
# One compound command, read whole before it runs: bash reads a script as
# it goes, and this one waits for the VM while the tree may be edited.
{
build=$(realpath -m "$1") name=$2 only=${3:-} glob=${4:-}
variant=${name##*-}	# base or debug, on either kernel base
repo=$(cd "$(dirname "$0")/.." && pwd)
ktree=$build/linux-$name
case $name in
arm64-*) arch=arm64 image=$ktree/arch/arm64/boot/Image ;;
*) arch=x86_64 image=$ktree/arch/x86/boot/bzImage ;;
esac
summarize=$repo/tests/summarize.py

# an unknown SUITE fails here, before the VM boots
# (SUITE= is one suite, or several separated by commas)
if [ -n "$only" ]; then
	suites=$(python3 "$summarize" --list-suites --variant "$variant" --arch "$arch") || exit 2
	for want in ${only//,/ }; do
		known=0
		for s in $suites; do
			[ "$s" = "$want" ] && known=1
		done
		if [ $known = 0 ]; then
			echo "run-tests.sh: unknown suite '$want'; the $variant kernel's" \
				"suites: $suites (KUnit suites: KUNIT=glob)" >&2
			exit 2
		fi
	done
fi
append=
# KUNIT='*' is every suite: no filter.  6.1's KUnit leaks the logs of the
# suites a filter copies (kmemleak reports them on the debug kernel).
[ -n "$glob" ] && [ "$glob" != '*' ] && append="kunit.filter_glob=$glob"
# KUnit runs only when asked to run everything or a glob; kunit_example
# needs KUnit for its module, whose suites the boot-time glob does not see
if [ -n "$only" ] && [ -z "$glob" ]; then
	append="kunit.enable=0"
	[[ ,$only, == *,kunit_example,* ]] && append="kunit.filter_glob=dho-example-driver*"
fi
timeout=1800
[ "$variant" = debug ] && timeout=5400

mkdir -p "$build/vm"
run=$(mktemp -d "$build/vm/test.XXXXXX")
ln -sfn "$(basename "$run")" "$build/vm/last"
bash "$repo/tests/vm.sh" -q -b "$build" -r "$run" -k "$image" \
	-t "$timeout" -a "$append" -- \
	"bash $repo/tests/guest-suites.sh $build/$name '$only'"
rc=$?
# A second, short boot with tracking off at boot and the tracker's KUnit
# suites, whose cases switch tracking off and on: it must stay off.  Its
# TAP joins out.log as the suite boot_off (a full run only).
if [ -z "$only" ] && [ -z "$glob" ]; then
	mkdir -p "$run/boot-off"
	bash "$repo/tests/vm.sh" -q -b "$build" -r "$run/boot-off" \
		-k "$image" -t 900 \
		-a "dma_heap_owner=off kunit.filter_glob=dma-heap-owner*" -- \
		"bash $repo/tests/boot-off.sh"
	off_rc=$?
	{
		echo "@@SUITE boot_off"
		grep -v '@@DHO-EXIT' "$run/boot-off/out.log"
		echo "@@END boot_off $off_rc"
	} >> "$run/out.log"
	# arm64: a third boot, on a CPU without hardware access flag, whose
	# tracker must leave the vmap alias alone (suite alias_unwatched)
	if [ $arch = arm64 ]; then
		mkdir -p "$run/unwatched"
		bash "$repo/tests/vm.sh" -q -b "$build" -r "$run/unwatched" \
			-k "$image" -c cortex-a57 -t 900 \
			-a "kunit.filter_glob=dma-heap-owner" -- \
			"bash $repo/tests/alias-unwatched.sh"
		uw_rc=$?
		{
			echo "@@SUITE alias_unwatched"
			grep -v '@@DHO-EXIT' "$run/unwatched/out.log"
			echo "@@END alias_unwatched $uw_rc"
		} >> "$run/out.log"
	fi
fi
python3 "$summarize" --variant "$variant" --arch "$arch" --kunit-glob "$glob" \
	"$run" "$ktree" "$rc" "$only"
exit
}
