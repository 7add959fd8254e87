#!/bin/bash
# make check: the kernel's own gates on the project's kernel files.
#   check.sh <kernel-tree>
# checkpatch.pl --strict on every C file and header of ours, a sparse
# (C=2) and W=1 build of our objects, kernel-doc on our sources, and no
# other event of the tree under one of our tracepoints' names.
# Exits non-zero on any finding.
set -uo pipefail
ktree=$(realpath "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
# make check depends on make kernel, which lays the overlay over the tree:
# the objects checked below are built from what is in the repo.
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/dma-heap-owner-ccache}
bad=0

mapfile -t kfiles < <(git ls-files -co --exclude-standard -- 'drivers/*.[ch]' 'include/*.h' | sort)
mapfile -t tfiles < <(git ls-files -co --exclude-standard -- 'include/trace/*.h' | sort)
mapfile -t ufiles < <(git ls-files -co --exclude-standard -- 'tests/*.[ch]' 'tools/*.[ch]' | sort)
mapfile -t cfiles < <(git ls-files -co --exclude-standard -- 'compat/*.h' | sort)

echo "== checkpatch --strict (${#kfiles[@]} kernel files, ${#cfiles[@]} compat headers, ${#ufiles[@]} userspace files)"
# The tracepoint header follows the TRACE_EVENT() layout, which checkpatch's
# parenthesis rules do not know.  dma_heap_owner= is documented in our own
# Documentation/ (the series adds it to kernel-parameters.txt: tests/patches.sh).
cp=(perl "$ktree/scripts/checkpatch.pl" --no-tree --strict --terse --show-types
    --ignore FILE_PATH_CHANGES,UNDOCUMENTED_SETUP)
out=$( ("${cp[@]}" -f $(printf '%s\n' "${kfiles[@]}" | grep -v '^include/trace/')
	"${cp[@]}" -f "${ufiles[@]}"
	"${cp[@]}" --ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT -f "${tfiles[@]}"
	# both bases' compat headers: each names allocate()'s flag types
	"${cp[@]}" --ignore NEW_TYPEDEFS -f "${cfiles[@]}") 2>&1 |
	grep -E '(ERROR|WARNING|CHECK):')
if [ -n "$out" ]; then echo "$out"; bad=1; fi

objs=()
for f in "${kfiles[@]}"; do
	case $f in drivers/*.c) objs+=("${f%.c}.o") ;; esac
done
echo "== sparse (C=2) and W=1 on ${#objs[@]} objects"
# an arm64 tree (make check ARCH=arm64) builds them cross, owner-arch.c's
# arm64 half included
case ${ktree##*/} in
linux-arm64-*) kmk=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- CC="ccache aarch64-linux-gnu-gcc") ;;
*) kmk=(ARCH=x86_64 CC="ccache gcc") ;;
esac
# (on arm64, C=2 also checks the vDSO that the prepare step builds: its
# entry points are declared by no header, by design)
out=$(make -C "$ktree" -s "${kmk[@]}" C=2 W=1 "${objs[@]}" 2>&1 |
	grep -vE '^(  |make)' | grep -E 'warning|error' |
	grep -vE "^arch/arm64/kernel/vdso/vget[a-z]+\.c:[0-9:]+ warning: symbol '__kernel_[a-z_]+' was not declared" )
if [ -n "$out" ]; then echo "$out"; bad=1; fi

echo "== kernel-doc"
out=$(perl "$ktree/scripts/kernel-doc" -none "${kfiles[@]}" "${cfiles[@]}" 2>&1)
if [ -n "$out" ]; then echo "$out"; bad=1; fi

echo "== tracepoint symbols"
bash "$repo/tests/tracepoint-names.sh" "$ktree" || bad=1

if [ "$bad" = 0 ]; then echo "check: clean"; else echo "check: findings above"; fi
exit "$bad"
