#!/bin/bash
# Build one kernel variant: unpack Debian's linux-source-6.1 (or -6.12) into
# the build directory, lay the project's overlay over it, configure from the
# fragments in tests/config/ and build bzImage with ccache.
#
#   tests/kernel.sh [arm64-][6.12-]<base|debug|notrack|upstream> <build-dir>
#
# The name is the tree's: <build-dir>/linux-<name>.  A 6.12- prefix builds
# on Debian's linux-source-6.12 with the same overlay and fragments, plus
# tests/config/6.12.config; no prefix is 6.1.  An arm64- prefix before it
# cross-builds for arm64 with Debian's gcc-aarch64-linux-gnu and
# tests/config/arm64.config (arch/arm64/boot/Image); no prefix is x86_64
# with tests/config/x86_64.config (arch/x86/boot/bzImage).
#
# base:     our overlay, tests/config/base.config
# debug:    our overlay, base.config + debug.config
# notrack:  our overlay, base.config + notrack.config: the tracker compiled out
# upstream: pristine source (no overlay), base.config: the benchmark's baseline
set -euo pipefail

# Run from make (make kernel, make run CMD=...), the environment carries the
# outer make's MAKEFLAGS, command-line variables included: the kernel's own
# makes would read words of them (CMD='... --json ...') as their options.
# This script gives make every option it needs.
unset MAKEFLAGS MFLAGS MAKEOVERRIDES

name=$1
build=$(realpath -m "$2")
repo=$(cd "$(dirname "$0")/.." && pwd)
case $name in
arm64-*) arch=arm64 rest=${name#arm64-} ;;
*) arch=x86_64 rest=$name ;;
esac
case $rest in
6.12-*) kver=6.12 variant=${rest#6.12-} ;;
*) kver=6.1 variant=$rest ;;
esac
tarball=/usr/src/linux-source-$kver.tar.xz
tree=$build/linux-$name
jobs=${JOBS:-$(nproc)}

case $variant in
base) frags=(base.config) overlay=1 ;;
debug) frags=(base.config debug.config) overlay=1 ;;
notrack) frags=(base.config notrack.config) overlay=1 ;;
upstream) frags=(base.config) overlay=0 ;;
*) echo "kernel.sh: unknown variant '$name'" >&2; exit 2 ;;
esac
# The architecture's settings (machine, console, transport) after base's,
# and 6.12's own (its tinyconfig picks SLUB_TINY) last.
frags=("${frags[0]}" "$arch.config" "${frags[@]:1}")
[ "$kver" = 6.12 ] && frags+=(6.12.config)

[ -r "$tarball" ] || { echo "kernel.sh: $tarball missing (run tests/deps.sh)" >&2; exit 1; }

mkdir -p "$build"
if [ ! -e "$tree/.unpacked" ]; then
	echo "kernel: unpacking linux-source-$kver into $tree"
	rm -rf "$tree"
	mkdir -p "$tree"
	tar -xf "$tarball" -C "$tree" --strip-components=1
	touch "$tree/.unpacked"
fi

# The overlay: every file of ours under these top-level directories replaces
# or adds the file at the same path, and so does every file of this base's
# compat/<base>/ (its dma-heap-compat.h and the KUnit suites' half).
# rsync -c rewrites only files whose content changed, so make rebuilds only
# what we touched.  A file dropped from the overlay is restored from the
# tarball.
files() {	# the files under the current directory that git knows of
	git ls-files -co --exclude-standard -- "$@" |
		while read -r f; do [ -e "$f" ] && echo "$f"; done | sort
}
if [ "$overlay" = 1 ]; then
	(cd "$repo" && files drivers include Documentation) > "$tree/.overlay.main"
	(cd "$repo/compat/$kver" && files .) > "$tree/.overlay.compat"
	sort -u "$tree/.overlay.main" "$tree/.overlay.compat" > "$tree/.overlay.new"
	if [ -e "$tree/.overlay" ]; then
		comm -23 "$tree/.overlay" "$tree/.overlay.new" | while read -r f; do
			rm -f "$tree/$f"
			tar -xf "$tarball" -C "$tree" --strip-components=1 \
				"linux-source-$kver/$f" 2>/dev/null || true
		done
	fi
	rsync -rc --files-from="$tree/.overlay.main" "$repo/" "$tree/"
	rsync -rc --files-from="$tree/.overlay.compat" "$repo/compat/$kver/" "$tree/"
	rm -f "$tree/.overlay.main" "$tree/.overlay.compat"
	mv "$tree/.overlay.new" "$tree/.overlay"
fi

cd "$tree"
export ARCH=$arch
if [ "$arch" = arm64 ]; then
	export CROSS_COMPILE=aarch64-linux-gnu-
	cc=aarch64-linux-gnu-gcc image=Image
else
	cc=gcc image=bzImage
fi
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=dho KBUILD_BUILD_HOST=dho
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/dma-heap-owner-ccache}
export CCACHE_BASEDIR=$build CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
mk=(make -s -j"$jobs" CC="ccache $cc")

sum=$(cd "$repo/tests/config" && cat "${frags[@]}" | sha1sum | cut -c1-40)
if [ ! -e .config ] || [ "$(cat .config-frags 2>/dev/null)" != "$sum" ]; then
	echo "kernel: configuring $name from ${frags[*]}"
	"${mk[@]}" tinyconfig >/dev/null
	scripts/kconfig/merge_config.sh -m .config \
		$(printf "$repo/tests/config/%s " "${frags[@]}") >/dev/null
	"${mk[@]}" olddefconfig >/dev/null
	# Every option a fragment asks for must have landed; a later fragment
	# overrides an earlier one.
	declare -A want=()
	while IFS= read -r line; do
		case $line in CONFIG_*) want[${line%%=*}]=$line ;; esac
	done < <(cd "$repo/tests/config" && cat "${frags[@]}")
	bad=0
	for sym in "${!want[@]}"; do
		line=${want[$sym]}
		# the pristine tree has no tracker symbols
		case $overlay:$sym in 0:CONFIG_DMABUF_HEAPS_OWNER*) continue ;; esac
		if [ "${line#*=}" = n ]; then
			grep -q "^$sym=" .config && { echo "kernel: $sym should be unset" >&2; bad=1; }
		elif ! grep -qx "$line" .config; then
			echo "kernel: $line requested but .config has: $(grep "^$sym=" .config || echo unset)" >&2
			bad=1
		fi
	done
	[ "$bad" = 0 ] || exit 1
	echo "$sum" > .config-frags
fi

echo "kernel: building $name ($jobs jobs, ccache in $CCACHE_DIR)"
"${mk[@]}" "$image" modules
ls -l "arch/${arch%_64}/boot/$image" | awk '{print "kernel: " $NF " (" $5 " bytes)"}'
