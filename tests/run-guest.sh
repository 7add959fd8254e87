#!/bin/bash
# Inside the VM for make run: load the test importer, run the command file,
# then summarise what the tracker saw.  Exits with the command's status.
#   run-guest.sh <bin-dir> <command-file>
# The command's standard output goes where ours does (tests/vm.sh prints it
# on standard output); its standard error and the summary go to the third
# serial port, which tests/vm.sh prints on standard error, so that
#   CMD='dma-heap-owner check --json -- ./t' tests/run.sh build base > t.json
# keeps the JSON alone.  Without that port, everything goes to one.
bin=$1 cmdfile=$2
dbg=/sys/kernel/debug/dma_heap_owner
export PATH=$bin:$PATH
err=${dho_err:-/dev/ttyS2}	# tests/vm.sh's third port
if (: > "$err") 2>/dev/null; then
	exec 3> "$err"
else
	exec 3>&2
fi
[ -e "$bin/dho_importer.ko" ] && insmod "$bin/dho_importer.ko" 2>/dev/null
before=$(cat $dbg/error_count 2>/dev/null)

bash "$cmdfile" 2>&3 3>&-
rc=$?

{
	echo
	echo "--- dma-heap-owner: violation summary (command exited $rc) ---"
	if [ ! -e $dbg/counts ]; then
		echo "no tracker in this kernel (CONFIG_DMABUF_HEAPS_OWNER_DEBUG) or debugfs not mounted"
	elif command -v dma-heap-owner >/dev/null; then
		dma-heap-owner status
	else
		echo "error_count $before -> $(cat $dbg/error_count)"
		cat $dbg/counts
	fi
} >&3 2>&1
exit $rc
