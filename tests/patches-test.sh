#!/bin/bash
# Is the series bisectable?  Apply the series that tests/patches.sh made
# for a base with git am to a fresh git tree of the pristine tarball, and
# build every prefix in that one tree, incrementally:
#
#   tests/patches-test.sh [6.1|6.12] [series-dir]
#
# series-dir defaults to build/patches-<base>/; the tree is
# build/patches-test-<base>/ (made anew each run), its build logs
# build/patches-test-<base>.logs/.  The configuration is the test kernel's
# (tinyconfig, tests/config/base.config and x86_64.config, and 6.12.config
# on 6.12, as tests/kernel.sh merges them), redone after each patch that
# touches a Kconfig file: a symbol a later patch introduces does not exist yet and
# is not asked for, every other one must land.  The kernel is built with
# ccache as tests/kernel.sh builds it, but with nice -n 19 make -j1 (the
# VM tests keep the machine's cores); a patch under tools/ is built with
# make -C tools/debug instead.
#
# Prints "ok N - <subject> builds" or "not ok N - ..." per patch, then a
# summary; exits 1 if any patch did not apply or build.
set -uo pipefail
unset MAKEFLAGS MFLAGS MAKEOVERRIDES

base=${1:-}
[ -n "$base" ] || base=6.1
case $base in
6.1 | 6.12) ;;
*) echo "patches-test.sh: base '$base': the bases are 6.1 and 6.12" >&2; exit 2 ;;
esac
repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
series=$(realpath -m "${2:-$build/patches-$base}")
tarball=/usr/src/linux-source-$base.tar.xz
tree=$build/patches-test-$base
logs=$build/patches-test-$base.logs
frags=(base.config x86_64.config)
[ "$base" = 6.12 ] && frags+=(6.12.config)
start=$(date +%s)

mapfile -t patches < <(ls "$series"/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null | grep -v '/0000-')
[ "${#patches[@]}" -gt 0 ] || { echo "patches-test.sh: no patches in $series (make patches KERNEL=$base)" >&2; exit 2; }
[ -r "$tarball" ] || { echo "patches-test.sh: $tarball missing (run tests/deps.sh)" >&2; exit 1; }

export GIT_AUTHOR_NAME='dma-heap-owner developers' GIT_AUTHOR_EMAIL=dho@example.invalid
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
export ARCH=x86_64
export KBUILD_BUILD_TIMESTAMP='Thu Jan  1 00:00:00 UTC 2026'
export KBUILD_BUILD_USER=dho KBUILD_BUILD_HOST=dho
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/dma-heap-owner-ccache}
export CCACHE_BASEDIR=$build CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
mk=(nice -n 19 make -s -j1 CC="ccache gcc")

echo "# patches-test: linux-source-$base, ${#patches[@]} patches from $series"
echo "# fresh tree in $tree"
rm -rf "$tree" "$logs"
mkdir -p "$tree" "$logs"
tar -xf "$tarball" -C "$tree" --strip-components=1 || exit 1
cd "$tree" || exit 1
git init -q && git config gc.auto 0 && git add -A -f . &&
	git commit -q --no-verify -m "linux-source-$base (pristine)" || exit 1

# configure: the test kernel's configuration for what the tree has now.
configure() {
	local log=$1 line sym bad=0
	{
		"${mk[@]}" tinyconfig &&
			scripts/kconfig/merge_config.sh -m .config \
				$(printf "$repo/tests/config/%s " "${frags[@]}") &&
			"${mk[@]}" olddefconfig
	} >> "$log" 2>&1 || { echo "configuration failed" >> "$log"; return 1; }
	# the symbols this tree defines
	find . -name 'Kconfig*' -not -path './.git/*' -print0 |
		xargs -0 grep -hoE '^[[:space:]]*(menu)?config[[:space:]]+[A-Za-z0-9_]+' |
		awk '{print "CONFIG_" $2}' | sort -u > "$logs/.defined"
	declare -A want=()
	while IFS= read -r line; do
		case $line in CONFIG_*) want[${line%%=*}]=$line ;; esac
	done < <(cd "$repo/tests/config" && cat "${frags[@]}")
	for sym in "${!want[@]}"; do
		grep -qx "$sym" "$logs/.defined" || continue
		line=${want[$sym]}
		if [ "${line#*=}" = n ]; then
			grep -q "^$sym=" .config && { echo "config: $sym should be unset" >> "$log"; bad=1; }
		elif ! grep -qx "$line" .config; then
			echo "config: $line requested but .config has: $(grep "^$sym=" .config || echo unset)" >> "$log"
			bad=1
		fi
	done
	return "$bad"
}

# kbuild: build the kernel as tests/kernel.sh does (nice, one job).
kbuild() {
	"${mk[@]}" bzImage modules >> "$1" 2>&1
}

# What a prefix compiled of ours, and its warnings, as TAP diagnostics.
diag() {
	local log=$1 stamp=$2 objs
	objs=$(find drivers/dma-buf/heaps -name '*.o' -newer "$stamp" 2>/dev/null |
		sed 's|.*/||' | grep -vE '^(built-in|modules)' | sort | paste -sd' ')
	echo "#   compiled in drivers/dma-buf/heaps: ${objs:-nothing}"
	grep -E '^[^ ]+:[0-9]+:([0-9]+:)? (warning|error):' "$log" | sed 's/^/#   /' | head -20
}

echo "# pristine tree: configuring and building (the first build is the long one)"
t0=$(date +%s)
log=$logs/0000-pristine.log
if configure "$log" && kbuild "$log"; then
	echo "# pristine tree builds ($(($(date +%s) - t0)) s)"
else
	echo "# the pristine tree does not build: see $log"
	tail -5 "$log" | sed 's/^/#   /'
	exit 1
fi

n=0 failed=0 total=${#patches[@]}
echo "1..$total"
for p in "${patches[@]}"; do
	n=$((n + 1))
	# the Subject header, unfolded
	subject=$(awk '/^$/ { exit } /^Subject: / { s = $0; on = 1; next }
		on && /^[ \t]/ { s = s $0; next } { on = 0 } END { print s }' "$p" |
		sed 's/^Subject: \[PATCH[^]]*\] //; s/[[:space:]]\+/ /g')
	log=$logs/$(basename "$p" .patch).log
	if [ "$failed" != 0 ]; then
		echo "not ok $n - $subject # SKIP not applied: an earlier patch failed"
		continue
	fi
	t0=$(date +%s)
	if ! git am -q "$p" > "$log" 2>&1; then
		echo "not ok $n - $subject applies"
		sed 's/^/#   /' "$log" | head -10
		git am --abort > /dev/null 2>&1
		failed=$n
		continue
	fi
	changed=$(git diff --name-only HEAD~1 HEAD)
	stamp=$logs/.stamp
	touch "$stamp"
	ok=1 what=""
	if grep -qv '^tools/' <<<"$changed"; then
		what="kernel"
		if grep -qE '(^|/)Kconfig[^/]*$' <<<"$changed"; then
			configure "$log" || ok=0
		fi
		[ "$ok" = 1 ] && { kbuild "$log" || ok=0; }
	fi
	if [ "$ok" = 1 ] && grep -q '^tools/debug/' <<<"$changed"; then
		what="${what:+$what and }tools/debug"
		nice -n 19 make -s -j1 -C tools/debug >> "$log" 2>&1 || ok=0
	fi
	secs=$(($(date +%s) - t0))
	if [ "$ok" = 1 ]; then
		echo "ok $n - $subject builds"
	else
		echo "not ok $n - $subject builds"
		failed=$n
	fi
	echo "#   built: $what, ${secs} s; log $log"
	diag "$log" "$stamp"
	[ "$ok" = 1 ] || tail -15 "$log" | sed 's/^/#   /'
done

secs=$(($(date +%s) - start))
if [ "$failed" = 0 ]; then
	echo "# all $total prefixes of the series build on linux-source-$base ($((secs / 60)) min $((secs % 60)) s)"
	exit 0
fi
echo "# FAILED: patch $failed of $total did not apply or build on linux-source-$base ($((secs / 60)) min $((secs % 60)) s)"
exit 1
