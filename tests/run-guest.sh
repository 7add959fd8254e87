#!/bin/bash
# Inside the VM for make run: load the test importer, run the command file,
# then summarise what the tracker saw.  Exits with the command's status.
#   run-guest.sh <bin-dir> <command-file>
bin=$1 cmdfile=$2
dbg=/sys/kernel/debug/dma_heap_owner
export PATH=$bin:$PATH
[ -e "$bin/dho_importer.ko" ] && insmod "$bin/dho_importer.ko" 2>/dev/null
before=$(cat $dbg/error_count 2>/dev/null)

bash "$cmdfile"
rc=$?

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
exit $rc
