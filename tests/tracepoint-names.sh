#!/bin/bash
# Tracepoint symbols are global, whatever the TRACE_SYSTEM: an event named
# alloc defines __tracepoint_alloc, __traceiter_alloc, __probestub_alloc
# and the static call keys __SCK__tp_func_alloc/__SCT__tp_func_alloc for
# the whole kernel (trace_alloc() and register_trace_alloc() are static
# inlines of the header, seen only where it is included).  Check that no
# other code of a kernel tree defines an event, or one of those symbols,
# under the name of one of ours (include/trace/events/dma_heap_owner.h),
# in any configuration: the whole tree's sources are searched, not the
# objects of one build.
#   tracepoint-names.sh <kernel-tree> [event...]
# Events default to ours.  Exits 1 on a collision, 2 on bad usage.
set -uo pipefail
ktree=${1:?usage: tracepoint-names.sh <kernel-tree> [event...]}
shift
repo=$(cd "$(dirname "$0")/.." && pwd)
[ -d "$ktree/kernel" ] || { echo "tracepoint-names: $ktree is not a kernel tree" >&2; exit 2; }
if [ $# -gt 0 ]; then
	events=("$@")
else
	hdr=$repo/include/trace/events/dma_heap_owner.h
	mapfile -t events < <(grep -oP '^(TRACE_EVENT|DEFINE_DHO_EVENT)\(\K\w+' "$hdr" | sort -u)
fi
[ ${#events[@]} -gt 0 ] || { echo "tracepoint-names: no events found" >&2; exit 2; }

alt=$(IFS='|'; echo "${events[*]}")
# our own files, as laid over the tree, are not a collision
ours=$(cd "$repo" && git ls-files -- drivers include | sed 's|^|./|')
# a definition: an event macro with the name first or after the class
def="(TRACE_EVENT(_FN|_CONDITION|_FN_COND)?|DEFINE_EVENT(_FN|_PRINT|_CONDITION)?|DECLARE_TRACE(_CONDITION)?|DECLARE_EVENT_CLASS)\((\s*\w+\s*,)?\s*($alt)\s*[,)]"
# a global symbol the macros generate, named by hand
sym="\b(__tracepoint|__traceiter|__probestub|__SCK__tp_func|__SCT__tp_func)_($alt)\b"
hits=$(cd "$ktree" && grep -rInE --include='*.[ch]' --exclude-dir=tools \
	--exclude-dir=Documentation --exclude-dir=scripts -e "$def" -e "$sym" . 2>/dev/null |
	grep -vE '^\S+:[0-9]+:\s*(goto\s|\w+:\s*$)' |	# labels are no symbols
	grep -vFf <(printf '%s:\n' $ours))
echo "tracepoint-names: ${#events[@]} events (${events[*]}) in $ktree"
if [ -n "$hits" ]; then
	echo "tracepoint-names: defined elsewhere too:"
	echo "$hits"
	exit 1
fi
echo "tracepoint-names: no collision"
