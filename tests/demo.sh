#!/bin/bash
# The make run demo (placeholder until the demo clients exist): what the
# tracker kernel offers.
echo "heaps in /dev/dma_heap: $(ls /dev/dma_heap | tr '\n' ' ')"
if [ -d /sys/kernel/debug/dma_heap_owner ]; then
	echo "tracker: /sys/kernel/debug/dma_heap_owner: $(ls /sys/kernel/debug/dma_heap_owner | tr '\n' ' ')"
else
	echo "tracker: not in this kernel"
fi
