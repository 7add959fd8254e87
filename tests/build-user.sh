#!/bin/bash
# Build what runs inside the test VM: the userspace tests, the upstream
# dmabuf-heaps kselftest, the test importer module and the CLI, against the
# kernel tree of one variant, into <build-dir>/<variant>/bin.
#   build-user.sh <build-dir> [arm64-][6.12-]<base|debug|notrack|upstream>
# For arm64 everything is cross-built, the programs static (the guest's
# root has no C library of ours to offer them), and the guest's root is
# made (tests/arm64-root.sh).
set -euo pipefail
build=$(realpath -m "$1") variant=$2
case $variant in arm64-*) arch=arm64 ;; *) arch=x86_64 ;; esac
case ${variant#arm64-} in 6.12-*) kver=6.12 ;; *) kver=6.1 ;; esac
repo=$(cd "$(dirname "$0")/.." && pwd)
ktree=$build/linux-$variant
out=$build/$variant/bin
mkdir -p "$out"
# arm64's gcc omits a leaf function's frame record even so: without
# -mno-omit-leaf-frame-pointer a walk from a store in a leaf skips its
# caller (owner_user_test's report_points_at_code).
if [ $arch = arm64 ]; then
	cross=aarch64-linux-gnu- static="-static -mno-omit-leaf-frame-pointer"
	bash "$repo/tests/arm64-root.sh" "$build"
else
	cross= static=
fi
kmake=(make -s -C "$ktree" ARCH=$arch CROSS_COMPILE=$cross)

[ -e "$ktree/usr/include/linux/dma-heap.h" ] || "${kmake[@]}" headers

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
	${cross}gcc $static "${cflags[@]}" -o "$out/$o" "$@"
}
for t in "$repo"/tests/*_test.c; do
	cc "$(basename "$t" .c)" "$t"
done
cc dho-client "$repo/tests/dho_client.c"
# make test runs the harness's own check on the host, before the VM: a
# native copy when the others are cross-built
mkdir -p "$build/$variant/host"
gcc "${cflags[@]}" -o "$build/$variant/host/harness_skip_test" "$repo/tests/harness_skip_test.c"
cc dho-bench "$repo/tests/bench.c"
${cross}gcc $static -O2 -Wall -I"$ktree/usr/include" -I"$ktree/tools/testing/selftests" \
	-o "$out/dmabuf-heap" \
	"$ktree/tools/testing/selftests/dmabuf-heaps/dmabuf-heap.c"
# The CLI, through its own Makefile, its objects in <build-dir>/<variant>/cli.
# install puts a new file in place, as the linker does, rather than writing
# into the old one, which a VM may be running.
if [ -e "$repo/tools/debug/Makefile" ]; then
	make -s -C "$repo/tools/debug" O="$build/$variant/cli" CC=${cross}gcc \
		CFLAGS="-O2 -g" STATIC=$([ $arch = arm64 ] && echo 1)
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
	"${kmake[@]}" M="$build/$variant/$dir" \
		KCFLAGS="-I$repo/compat/$kver/include" modules
	cp "$build/$variant/$dir/$ko" "$out/"
done
echo "userspace: built into $out"
