#!/bin/bash
# make run: boot the tracker kernel, run $CMD as root inside it, exit with
# CMD's status.  CMD's standard output comes out on standard output; its
# standard error, then the tracker's violation summary, on standard error.
#   CMD='...' run.sh <build-dir> [arm64-][6.12-]<base|debug>
set -uo pipefail
build=$(realpath -m "$1") variant=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
: "${CMD:?no CMD}"
mkdir -p "$build/$variant"
cmdfile=$(mktemp "$build/$variant/run-cmd.XXXXXX") || exit 2
printf '%s\n' "$CMD" > "$cmdfile"
image=$build/linux-$variant/arch/x86/boot/bzImage
case $variant in arm64-*) image=$build/linux-$variant/arch/arm64/boot/Image ;; esac
bash "$repo/tests/vm.sh" -b "$build" -k "$image" \
	-t "${TIMEOUT:-600}" -- \
	"bash $repo/tests/run-guest.sh $build/$variant/bin $cmdfile"
rc=$?
rm -f "$cmdfile"
exit $rc
