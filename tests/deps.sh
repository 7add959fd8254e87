#!/bin/bash
# Install what the build and the VM tests need, on Debian 12, as root.
# Quiet and quick when everything is already there.
set -euo pipefail

pkgs=(linux-source-6.1 linux-source-6.12 build-essential flex bison libelf-dev libssl-dev bc
      kmod cpio rsync xz-utils python3 ccache sparse qemu-system-x86
      bpftrace libdrm-dev perl)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages: ${missing[*]}; run as root or install them" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
