#!/bin/bash
# make run: boot the tracker kernel, run $CMD as root inside it, print its
# output and the tracker's violation summary, exit with CMD's status.
#   CMD='...' run.sh <build-dir> <variant>
set -uo pipefail
build=$(realpath -m "$1") variant=$2
repo=$(cd "$(dirname "$0")/.." && pwd)
: "${CMD:?no CMD}"
printf '%s\n' "$CMD" > "$build/$variant/run-cmd.sh"
exec bash "$repo/tests/vm.sh" -b "$build" -k "$build/linux-$variant/arch/x86/boot/bzImage" \
	-t "${TIMEOUT:-600}" -- \
	"bash $repo/tests/run-guest.sh $build/$variant/bin $build/$variant/run-cmd.sh"
