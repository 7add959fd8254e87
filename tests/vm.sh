#!/bin/bash
# Boot a test kernel in QEMU and run one shell command in it, as root.
#
#   tests/vm.sh [options] -- COMMAND...
#     -k, --kernel FILE    bzImage (default: $BUILD/linux-base/arch/x86/boot/bzImage)
#     -b, --build DIR      build directory (default: <repo>/build)
#     -t, --timeout SECS   wall-clock limit for the whole VM (default 600)
#     -a, --append ARGS    extra kernel command line
#     -m, --mem SIZE       guest memory (default 2G)
#     -q, --quiet          do not print the command's output
#     -r, --run-dir DIR    keep the logs in DIR (default: a new $BUILD/vm/run.*)
#     -c, --cpu MODEL      QEMU's CPU model (default: max)
#
# An arm64 Image (arch/arm64/boot/Image) boots in qemu-system-aarch64's
# virt machine, with its own root (tests/arm64-root.sh) in an initramfs
# that mounts the host's / and binds its directories at their paths; the
# two ports after the PL011 console are virtio consoles (hvc0, hvc1).
#
# The guest sees the host's / read-only over virtio-9p at the same paths,
# with /tmp, /run and /dev/shm as tmpfs and proc, sysfs, devtmpfs, debugfs
# and tracefs mounted.  The command runs in the current directory through
# bash.  Its output comes back on a second serial port (<run-dir>/out.log),
# printed on standard output; what the guest writes to a third ($dho_err,
# /dev/ttyS2 on x86_64) goes to <run-dir>/err.log and is printed on
# standard error; the kernel
# console goes to <run-dir>/console.log.  Lines are printed and kept as
# written, without the carriage returns the serial ports add.  The exit
# status is the command's, 124 if the VM hit the time limit, 125 if it
# ended without reporting one.
# The run directory is printed on stderr and kept as $BUILD/vm/last.
set -uo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=$repo/build
kernel= timeout=600 append= mem=2G quiet=0 run= cpu=max
while [ $# -gt 0 ]; do
	case $1 in
	-k|--kernel) kernel=$2; shift 2 ;;
	-b|--build) build=$2; shift 2 ;;
	-t|--timeout) timeout=$2; shift 2 ;;
	-a|--append) append=$2; shift 2 ;;
	-m|--mem) mem=$2; shift 2 ;;
	-q|--quiet) quiet=1; shift ;;
	-r|--run-dir) run=$2; shift 2 ;;
	-c|--cpu) cpu=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "vm.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done
[ $# -gt 0 ] || { echo "vm.sh: no command given" >&2; exit 2; }
build=$(realpath -m "$build")
kernel=${kernel:-$build/linux-base/arch/x86/boot/bzImage}
[ -r "$kernel" ] || { echo "vm.sh: no kernel at $kernel (run make kernel)" >&2; exit 2; }
case $kernel in
*/arch/arm64/boot/Image) arch=arm64 qemu=qemu-system-aarch64 ;;
*) arch=x86_64 qemu=qemu-system-x86_64 ;;
esac
command -v $qemu >/dev/null || { echo "vm.sh: $qemu missing (run tests/deps.sh)" >&2; exit 2; }
initrd=$build/arm64-root/root.cpio
[ $arch = x86_64 ] || [ -r "$initrd" ] ||
	{ echo "vm.sh: no arm64 root at $initrd (run tests/arm64-root.sh)" >&2; exit 2; }

mkdir -p "$build/vm"
if [ -n "$run" ]; then
	mkdir -p "$run"
	run=$(realpath "$run")
else
	run=$(mktemp -d "$build/vm/run.XXXXXX")
	ln -sfn "$(basename "$run")" "$build/vm/last"
fi
printf '%s\n' "$*" > "$run/cmd.sh"
: > "$run/console.log"; : > "$run/out.log"; : > "$run/err.log"

# Under TCG the guest's TSC runs at the host's rate, but the minimal guest
# has neither HPET nor PM timer to calibrate it against, and falls back to
# 4 ms jiffies.  Hand it the host's TSC rate when the host knows it.
tsc=tsc=reliable
if grep -q 'constant_tsc' /proc/cpuinfo && grep -q 'tsc_known_freq' /proc/cpuinfo; then
	khz=$(awk '/^cpu MHz/ { printf "%d", $4 * 1000; exit }' /proc/cpuinfo)
	[ -n "$khz" ] && tsc="$tsc tsc_early_khz=$khz"
fi

# A soft lockup report shows every CPU's stack, not only the stuck one's:
# what the other CPU was doing tells a kernel loop from a vCPU the host
# did not run.
lockup=softlockup_all_cpu_backtrace=1

# the host's / over 9p, read-only, at the guest's / (x86_64) or /host
fsdev=(-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap)

qemu_boot() {	# accel timeout cmdfile
	[ $arch = arm64 ] && { qemu_boot_arm64 "$@"; return; }
	local cpu=$cpu threads=,thread=multi	# one host thread per vCPU
	[ "$1" = kvm ] && cpu=host threads=
	timeout --kill-after=5 "$2" qemu-system-x86_64 \
		-accel "$1$threads" -cpu "$cpu" -smp 2 -m "$mem" \
		-nodefaults -display none -no-reboot \
		-kernel "$kernel" \
		-append "console=ttyS0 root=hostroot rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=512000 ro panic=-1 oops=panic $lockup $tsc init=$repo/tests/vm-init.sh dho_cmd=$3 dho_cwd=$PWD $append" \
		"${fsdev[@]}" -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
		-serial "file:$run/console.log" -serial "file:$run/out.log" \
		-serial "file:$run/err.log" \
		</dev/null >"$run/qemu.log" 2>&1
}

# The virt machine has one UART: the command's two ports are virtio
# consoles.  pauth-impdef: QEMU's own pointer authentication algorithm,
# which TCG computes many times faster than the architected QARMA.
qemu_boot_arm64() {	# accel timeout cmdfile
	local cpuopt=$cpu

	case $cpu in max) cpuopt=max,pauth-impdef=on ;; esac
	timeout --kill-after=5 "$2" qemu-system-aarch64 \
		-M virt -accel tcg,thread=multi -cpu "$cpuopt" -smp 2 -m "$mem" \
		-nodefaults -display none -no-reboot \
		-kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyAMA0 rdinit=/init panic=-1 oops=panic $lockup dho_init=$repo/tests/vm-init.sh dho_out=/dev/hvc0 dho_err=/dev/hvc1 dho_cmd=$3 dho_cwd=$PWD $append" \
		"${fsdev[@]}" -device virtio-9p-device,fsdev=hostroot,mount_tag=hostroot \
		-serial "file:$run/console.log" \
		-device virtio-serial-device \
		-chardev "file,id=out,path=$run/out.log" -device virtconsole,chardev=out \
		-chardev "file,id=err,path=$run/err.log" -device virtconsole,chardev=err \
		</dev/null >"$run/qemu.log" 2>&1
}

# KVM hangs at boot without nested virtualisation: use it only where a quick
# probe boots, and remember the answer.
accel=tcg
if [ -w /dev/kvm ] && [ $arch = x86_64 ]; then
	if [ ! -e "$build/vm/kvm-probe" ]; then
		echo true > "$run/probe.sh"
		if (qemu_boot kvm 30 "$run/probe.sh") 2>/dev/null && grep -q '@@DHO-EXIT 0@@' "$run/out.log"; then
			echo kvm > "$build/vm/kvm-probe"
		else
			echo tcg > "$build/vm/kvm-probe"
		fi
		: > "$run/console.log"; : > "$run/out.log"
	fi
	accel=$(cat "$build/vm/kvm-probe")
fi

echo "vm: $accel, run directory $run" >&2
qemu_boot "$accel" "$timeout" "$run/cmd.sh"
qrc=$?

# A serial port ends each line with CR LF (the tty's onlcr): take one CR
# off each line end, leaving what the command wrote.
for f in console.log out.log err.log; do
	sed -i 's/\r$//' "$run/$f"
done
rc=$(sed -n 's/.*@@DHO-EXIT \([0-9]*\)@@$/\1/p' "$run/out.log" | tail -n 1)
if [ "$quiet" != 1 ]; then
	# the status line, or its end if the command's last line had no newline
	awk '/@@DHO-EXIT [0-9]+@@$/ { sub(/@@DHO-EXIT [0-9]+@@$/, ""); if ($0 == "") next } 1' \
		"$run/out.log"
	cat "$run/err.log" >&2
fi
if [ -z "$rc" ]; then
	if [ "$qrc" = 124 ] || [ "$qrc" = 137 ]; then
		echo "vm: the VM did not finish within ${timeout}s; console: $run/console.log" >&2
		rc=124
	else
		echo "vm: the VM ended without an exit status (qemu $qrc); console: $run/console.log" >&2
		tail -n 20 "$run/console.log" >&2
		rc=125
	fi
fi
exit "$rc"
