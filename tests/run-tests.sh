#!/bin/bash
# make test: boot the test kernel once, run the KUnit suites (at boot) and
# every userspace suite, and summarise.
#   run-tests.sh <build-dir> <variant> [suite] [kunit-glob]
set -uo pipefail
build=$(realpath -m "$1") variant=$2 only=${3:-} glob=${4:-}
repo=$(cd "$(dirname "$0")/.." && pwd)
ktree=$build/linux-$variant
append=
[ -n "$glob" ] && append="kunit.filter_glob=$glob"
# KUnit runs only when asked to run everything or a glob
[ -n "$only" ] && [ -z "$glob" ] && append="kunit.enable=0"
timeout=900
[ "$variant" = debug ] && timeout=2400

mkdir -p "$build/vm"
run=$(mktemp -d "$build/vm/test.XXXXXX")
ln -sfn "$(basename "$run")" "$build/vm/last"
bash "$repo/tests/vm.sh" -q -b "$build" -r "$run" -k "$ktree/arch/x86/boot/bzImage" \
	-t "$timeout" -a "$append" -- \
	"bash $repo/tests/guest-suites.sh $build/$variant '$only'"
rc=$?
python3 "$repo/tests/summarize.py" "$run" "$ktree" "$rc" "$only"
