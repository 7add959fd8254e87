#!/bin/bash
# PID 1 of the test VM (see tests/vm.sh): mount the pseudo filesystems, run
# the command file named by dho_cmd= on the kernel command line with its
# output on the second serial port, report its exit status, and reboot
# (QEMU runs with -no-reboot, so that ends it).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
# /tmp becomes a writable tmpfs; whatever of the host's /tmp the run needs
# (a checkout or build directory under /tmp) is bound back at its path.
mkdir -p /run/host-tmp
mount --bind /tmp /run/host-tmp
mount -t tmpfs tmpfs /tmp
for path in "$0" "$dho_cmd" "$dho_cwd"; do
	case $path in
	/tmp/?*)
		top=${path#/tmp/}
		top=${top%%/*}
		if [ -e "/run/host-tmp/$top" ] && [ ! -e "/tmp/$top" ]; then
			mkdir -p "/tmp/$top"
			mount --bind "/run/host-tmp/$top" "/tmp/$top"
		fi ;;
	esac
done
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
# Under TCG, a tracing filter that repatches the scheduler's tracepoints
# oopses 6.12 and can hang 6.1; two pinned filters keep them from being
# patched at all (tests/tracefs-pin.sh).
bash "${0%/*}/tracefs-pin.sh" pin
ln -sf /proc/self/fd /dev/fd 2>/dev/null

# the command's port: the second serial port, or what tests/vm.sh named
exec >"${dho_out:-/dev/ttyS1}" 2>&1 </dev/null
cd "${dho_cwd:-/}" || cd /
bash "$dho_cmd"
rc=$?
echo "@@DHO-EXIT $rc@@"
sync
echo b > /proc/sysrq-trigger
sleep 10
