#!/bin/bash
# The arm64 guest's own root, as an initramfs: the host's userspace is
# x86_64, so the arm64 VM (tests/vm.sh on an arm64 Image) boots into
# Debian's arm64 busybox-static, bash, GNU grep (grep -P) and coreutils
# (timeout --preserve-status), setpriv, and python3 (for the CLI's tests;
# with the libraries they need),
# fetched with apt-get download, and mounts the host's / over virtio-9p at
# /host, binding its directories (the repository, the build) at their own
# paths.  The test programs run there are built static for arm64
# (tests/build-user.sh).
#   arm64-root.sh <build-dir>      writes <build-dir>/arm64-root/root.cpio
set -euo pipefail
build=$(realpath -m "$1")
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$build/arm64-root
pkgs=(busybox-static bash libtinfo6 libc6
      python3.11-minimal libpython3.11-minimal libpython3.11-stdlib
      libexpat1 zlib1g libffi8 grep libpcre2-8-0
      coreutils libacl1 libattr1 libgmp10 libselinux1 libcap-ng0)
# util-linux for its setpriv alone (which needs only libc and libcap-ng):
# the package's other programs pull in systemd's libraries
extract_only=(util-linux:usr/bin/setpriv)

# rebuilt when this script or the init changes
sum=$(cat "$0" | sha1sum | cut -c1-40)
[ -e "$dir/root.cpio" ] && [ "$(cat "$dir/.sum" 2>/dev/null)" = "$sum" ] && exit 0

echo "arm64-root: fetching ${pkgs[*]} for arm64"
rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root"
dpkg --print-foreign-architectures | grep -qx arm64 || {
	echo "arm64-root: dpkg has no arm64 architecture (run tests/deps.sh arm64)" >&2
	exit 1
}
download() {
	(cd "$dir/debs" && apt-get download -q "${pkgs[@]/%/:arm64}" \
		"${extract_only[@]/%:*/:arm64}" >/dev/null 2>"$dir/debs/apt.log")
}
# once more after an update: the arm64 package lists may be missing or old
if ! download && ! { apt-get update -q >/dev/null 2>&1 && download; }; then
	cat "$dir/debs/apt.log" >&2
	echo "arm64-root: apt-get download failed" >&2
	exit 1
fi
for p in "${pkgs[@]}"; do
	dpkg-deb -x "$dir"/debs/"${p}"_*.deb "$dir/root"
done
root=$dir/root
for e in "${extract_only[@]}"; do
	rm -rf "$dir/part"
	dpkg-deb -x "$dir"/debs/"${e%%:*}"_*.deb "$dir/part"
	install -D "$dir/part/${e#*:}" "$root/${e#*:}"
done
rm -rf "$dir/part"
# what bash and busybox do not use: locales, charset converters, docs
rm -rf "$root/usr/share" "$root"/usr/lib/*/gconv "$root"/usr/lib/*/audit
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,root,host,etc,mnt}
ln -sf bash "$root/bin/sh"
ln -sf python3.11 "$root/usr/bin/python3"
# what the suites' python3 does not import
rm -rf "$root"/usr/lib/python3.11/{test,idlelib,tkinter,turtledemo,ensurepip,lib2to3,pydoc_data}
[ -x "$root/bin/busybox" ] || { echo "arm64-root: no busybox in busybox-static" >&2; exit 1; }
echo "root:x:0:0:root:/root:/bin/sh" > "$root/etc/passwd"
echo "root:x:0:" > "$root/etc/group"

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
# PID 1 of the arm64 VM (tests/arm64-root.sh): busybox's applets, the
# host's / at /host, its directories bound at their own paths (those the
# root does not have: /work, /root's checkout, ...), then the same
# tests/vm-init.sh as on x86_64, found from dho_init= on the command line.
# busybox's applets where the root has no program of the name (bash,
# GNU grep stay)
for a in $(/bin/busybox --list-full); do
	[ -e "/$a" ] || /bin/busybox ln -s /bin/busybox "/$a"
done
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro hostroot /host || {
	echo "init: cannot mount the host's / over 9p" > /dev/console
	echo o > /proc/sysrq-trigger
}
for d in /host/*; do
	top=${d#/host/}
	case $top in proc|sys|dev|run|tmp|bin|sbin|lib|lib64|usr|etc|init|host) continue ;; esac
	[ -d "$d" ] || continue
	mkdir -p "/$top" && mount --bind "$d" "/$top"
done
# the host's /tmp, where tests/vm-init.sh looks for it
mount --bind /host/tmp /tmp
umount /proc
exec /bin/bash "$dho_init"
INIT
chmod 0755 "$root/init"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$dir/root.cpio"
echo "$sum" > "$dir/.sum"
echo "arm64-root: $(du -h "$dir/root.cpio" | cut -f1) in $dir/root.cpio"
