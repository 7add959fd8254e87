#!/bin/bash
# Install what the build and the VM tests need, on Debian 12, as root.
# Quiet and quick when everything is already there.
#   deps.sh [x86_64|arm64]
# arm64 adds the cross compiler, its C library, qemu-system-aarch64, and
# arm64 as a foreign dpkg architecture, from which tests/arm64-root.sh
# downloads (never installs) the guest's busybox and bash.
set -euo pipefail
arch=${1:-x86_64}

pkgs=(linux-source-6.1 linux-source-6.12 build-essential flex bison libelf-dev libssl-dev bc
      kmod cpio rsync xz-utils python3 ccache sparse qemu-system-x86
      bpftrace libdrm-dev perl)
[ "$arch" = arm64 ] &&
	pkgs+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-system-arm)
foreign=0
[ "$arch" = arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64 && foreign=1

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && [ $foreign = 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}${missing[*]:+; }$([ $foreign = 1 ] && echo 'dpkg lacks the arm64 architecture; ')run as root or install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ $foreign = 1 ]; then
	echo "deps: adding arm64 as a foreign architecture (for the arm64 guest's root)"
	dpkg --add-architecture arm64
fi
apt-get update -q
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}"
apt-get install -y -q --no-install-recommends "${missing[@]}"
