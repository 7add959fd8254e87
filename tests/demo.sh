#!/bin/bash
# The make run demo: a correct client, then one buggy client per core
# violation class, each run under "dma-heap-owner check" so that its
# reports are shown; make run then ends with "dma-heap-owner status".
# Runs inside the VM, with the test importer loaded (tests/run-guest.sh).
dbg=/sys/kernel/debug/dma_heap_owner

if [ ! -d $dbg ]; then
	echo "demo: this kernel has no dma-heap-owner tracker"
	exit 1
fi
echo "heaps in /dev/dma_heap: $(ls /dev/dma_heap | tr '\n' ' ')"

run() {	# title scenario
	echo
	echo "### $1"
	echo "\$ dma-heap-owner check -- dho-client $2"
	dma-heap-owner check -- dho-client "$2"
	echo "(check exited $?)"
}

run "A correct client: mmap access inside DMA_BUF_IOCTL_SYNC" correct
run "A correct driver: vmap writes inside begin/end_cpu_access, then DMA" driver-correct
run "cpu_access_unowned: userspace writes through mmap without DMA_BUF_IOCTL_SYNC" unsynced
run "device_access_vmapped: a driver maps for DMA inside its CPU window, vmap live" vmapped
run "vmap_flush_missing: a driver hands its device unflushed vmap writes" flush-missing
exit 0
