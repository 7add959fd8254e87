#!/bin/bash
# Build what runs inside the test VM: the userspace tests, the upstream
# dmabuf-heaps kselftest, the test importer module and the CLI, against the
# kernel tree of one variant, into <build-dir>/<variant>/bin.
#   build-user.sh <build-dir> [6.12-]<base|debug|notrack|upstream>
set -euo pipefail
build=$(realpath -m "$1") variant=$2
case $variant in 6.12-*) kver=6.12 ;; *) kver=6.1 ;; esac
repo=$(cd "$(dirname "$0")/.." && pwd)
ktree=$build/linux-$variant
out=$build/$variant/bin
mkdir -p "$out"

[ -e "$ktree/usr/include/linux/dma-heap.h" ] || make -s -C "$ktree" ARCH=x86_64 headers

# Frame pointers, so that a user stack walks (tools/debug/dho-ustack.bt,
# the kernel report's user stack): gcc omits them at -O2.
cflags=(-O2 -g -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-parameter
	-Wno-sign-compare
	# 6.12's kselftest_harness.h forks with vfork() beside a local
	-Wno-clobbered
	-I"$ktree/usr/include" -I"$ktree/tools/testing/selftests" -I"$repo/tests")
cc() {	# output sources...
	local o=$1
	shift
	gcc "${cflags[@]}" -o "$out/$o" "$@"
}
for t in "$repo"/tests/*_test.c; do
	cc "$(basename "$t" .c)" "$t"
done
cc dho-client "$repo/tests/dho_client.c"
cc dho-bench "$repo/tests/bench.c"
gcc -O2 -Wall -I"$ktree/usr/include" -I"$ktree/tools/testing/selftests" \
	-o "$out/dmabuf-heap" \
	"$ktree/tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c"
# The CLI, through its own Makefile, its objects in <build-dir>/<variant>/cli.
# install puts a new file in place, as the linker does, rather than writing
# into the old one, which a VM may be running.
if [ -e "$repo/tools/debug/Makefile" ]; then
	make -s -C "$repo/tools/debug" O="$build/$variant/cli" CC=gcc CFLAGS="-O2 -g"
	install -m 0755 "$build/$variant/cli/dma-heap-owner" "$out/dma-heap-owner"
fi

# The modules, built out of tree against this variant's kernel: the test
# importer, and the example driver's KUnit tests.
for mod in importer:dho_importer kunit-example:dho_example_test; do
	dir=${mod%%:*} ko=${mod##*:}.ko
	[ -d "$repo/tests/$dir" ] || continue
	# the example driver's tests need the helper layer: not upstream's tree
	[ "$dir" = kunit-example ] &&
		[ ! -e "$ktree/include/linux/dma-heap-helpers.h" ] && continue
	mkdir -p "$build/$variant/$dir"
	rsync -rc "$repo/tests/$dir/" "$build/$variant/$dir/"
	# the base's dma-heap-compat.h, for upstream's tree, which lacks it
	make -s -C "$ktree" ARCH=x86_64 M="$build/$variant/$dir" \
		KCFLAGS="-I$repo/compat/$kver/include" modules
	cp "$build/$variant/$dir/$ko" "$out/"
done
echo "userspace: built into $out"
