#!/usr/bin/env python3
"""make bench: what tracking costs, as ratios and PASS/FAIL budget lines.

    bench.py <build-dir> [6.1|6.12] [x86_64|arm64]

Kernels, all on one base (6.1 unless told) and architecture (x86_64 unless
told; arm64 boots in qemu-system-aarch64): Debian's pristine tree with
upstream's heaps ('upstream'), ours
with the tracker compiled out ('notrack'), ours with it compiled in
('base'; tracking switched off and on through debugfs in one boot).

- Ratios between two settings of one kernel (enabled / disabled) come from
  one boot: ROUNDS paired rounds (dho-bench paired), each running every
  operation with tracking off and on next to each other (D E, E D, ...),
  so that the machine's drifts fall on both halves of a pair.  A line is
  judged by the median of the rounds' ratios, printed with their spread.
- Ratios between two kernels come from interleaved boots, BOOTS of each
  (upstream notrack base, upstream notrack base, ...); each boot gives one
  ratio, printed as the median with the spread [min..max].  Such a line
  PASSes only when the whole spread is within its budget, FAILs when the
  whole spread is beyond it, and is UNSURE (not a pass) otherwise.
- Every boot runs with dma_debug=off: DMA_API_DEBUG is compiled into all
  three kernels (the test configuration) and off at boot, so no figure
  carries dma-debug's cost, but for the one line that compares dma-debug's
  overhead with the tracker's (one more boot, dma-debug on).

DHO_BENCH_BOOTS=0 builds and boots only 'base': the one-boot lines, with
every line between kernels SKIPped (not measured, so not a pass).

Software emulation (TCG) skews absolute times: read the ratios.  The exit
status is 0 when every budget line passes, 1 otherwise.
"""
import os
import re
import statistics
import subprocess
import sys

build = os.path.realpath(sys.argv[1]) if len(sys.argv) > 1 else sys.exit(__doc__)
KERNEL = sys.argv[2] if len(sys.argv) > 2 else '6.1'
if KERNEL not in ('6.1', '6.12'):
    sys.exit('bench: kernel base %r: the bases are 6.1 and 6.12' % KERNEL)
ARCH = sys.argv[3] if len(sys.argv) > 3 else 'x86_64'
if ARCH not in ('x86_64', 'arm64'):
    sys.exit('bench: architecture %r: the architectures are x86_64 and arm64' % ARCH)
# the builds' names: tests/kernel.sh's, 6.1's and x86_64's without a prefix
PREFIX = ('arm64-' if ARCH == 'arm64' else '') + ('' if KERNEL == '6.1' else KERNEL + '-')
IMAGE = 'arch/arm64/boot/Image' if ARCH == 'arm64' else 'arch/x86/boot/bzImage'
repo = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
ROUNDS = int(os.environ.get('DHO_BENCH_ROUNDS', '8'))
BOOTS = int(os.environ.get('DHO_BENCH_BOOTS', '3'))
LIVE = int(os.environ.get('DHO_BENCH_LIVE', '100000'))
D = '/sys/kernel/debug/dma_heap_owner/disabled'
QUIET = 'dma_debug=off kunit.enable=0'


def sh(*args):
    subprocess.run(args, check=True)


def vm(variant, script, append=QUIET):
    """Run a guest script on one kernel; return its stdout lines and console."""
    bindir = os.path.join(build, PREFIX + variant, 'bin')
    kernel = os.path.join(build, 'linux-' + PREFIX + variant, IMAGE)
    cmd = 'set -e; insmod %s/dho_importer.ko; export PATH=%s:$PATH; %s' % (
        bindir, bindir, script)
    p = subprocess.run(['bash', os.path.join(repo, 'tests/vm.sh'), '-q', '-b', build,
                        '-k', kernel, '-t', '1800', '-a', append, '--', cmd],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run = re.search(r'run directory (\S+)', p.stderr)
    out = open(os.path.join(run.group(1), 'out.log'), errors='replace').read() if run else ''
    console = open(os.path.join(run.group(1), 'console.log'),
                   errors='replace').read() if run else ''
    if p.returncode:
        sys.exit('bench: %s run failed (%d): %s\n%s' % (variant, p.returncode, p.stderr, out))
    return out.splitlines(), console


def parse(lines, tag):
    """'tag op value' lines -> {op: [value per round]}."""
    res = {}
    for line in lines:
        f = line.split()
        if len(f) == 3 and f[0] == tag and re.match(r'^-?[0-9.]+$', f[2]):
            res.setdefault(f[1], []).append(float(f[2]))
    return res


def tagged(tag, pre, what='ops'):
    return '%s dho-bench %s | sed "s/^/%s /"' % (pre, what, tag)


for v in ('upstream', 'notrack', 'base') if BOOTS else ('base',):
    sh('bash', os.path.join(repo, 'tests/kernel.sh'), PREFIX + v, build)
    sh('bash', os.path.join(repo, 'tests/build-user.sh'), build, PREFIX + v)

# Interleaved boots: one round of each setting per boot.
boots = {'U': [], 'O': [], 'BD': [], 'BE': []}
for b in range(BOOTS):
    print('bench: boot round %d of %d: upstream, compiled out, base' % (b + 1, BOOTS),
          flush=True)
    lines, _ = vm('upstream', tagged('U', '') + '; ' + tagged('U', '', 'slab 10000'))
    boots['U'].append({k: v[0] for k, v in parse(lines, 'U').items()})
    lines, _ = vm('notrack', tagged('O', '') + '; ' + tagged('O', '', 'slab 10000'))
    boots['O'].append({k: v[0] for k, v in parse(lines, 'O').items()})
    lines, _ = vm('base', '; '.join([tagged('D', 'echo 1 > %s;' % D),
                                      tagged('D', '', 'slab 10000'),
                                      tagged('E', 'echo 0 > %s;' % D)]))
    boots['BD'].append({k: v[0] for k, v in parse(lines, 'D').items()})
    boots['BE'].append({k: v[0] for k, v in parse(lines, 'E').items()})

print('bench: base, tracking disabled and enabled in one boot, %d paired rounds' % ROUNDS,
      flush=True)
body = ['dho-bench paired %d' % ROUNDS,
        tagged('D', 'echo 1 > %s;' % D, 'segments'),
        tagged('E', 'echo 0 > %s;' % D, 'segments')]
# two-process scaling, with tracking off first: what this machine allows
body += ['echo 1 > %s' % D]
for r in range(3):
    body += [tagged('D', '', 'scale 1'), tagged('D', '', 'scale 2')]
body += ['echo 0 > %s' % D]
for r in range(3):
    body += [tagged('E', '', 'scale 1'), tagged('E', '', 'scale 2')]
body += [tagged('E', '', 'live 0'), tagged('E', '', 'live %d' % LIVE),
         tagged('E', '', 'slab 10000')]
one_lines, console = vm('base', '; '.join(body))
Dd, E = parse(one_lines, 'D'), parse(one_lines, 'E')
print('bench: base with dma-debug on, tracking disabled', flush=True)
dd_lines, _ = vm('base', '; '.join([tagged('G', 'echo 1 > %s;' % D)] * 2),
                 append='kunit.enable=0')
G = parse(dd_lines, 'G')

m = re.search(r'(\d+) bytes per buffer record \+ (\d+) of history, (\d+) per user mapping, '
              r'(\d+) per attachment', console)
rec, hist, vma, att = (int(x) for x in m.groups()) if m else (None,) * 4


def med(d, op):
    """The median of a one-boot figure's values, or None."""
    v = d.get(op)
    return statistics.median(v) if v else None


def pairs(a, opa, b, opb):
    """One boot's paired ratios: a[opa][i] / b[opb][i], round by round."""
    return [x / y for x, y in zip(a.get(opa, []), b.get(opb, [])) if x and y]


def pmed(a, opa, b, opb):
    r = pairs(a, opa, b, opb)
    return statistics.median(r) if r else None


def across(key, op):
    """One value per boot of kernel setting @key."""
    return [b.get(op) for b in boots[key]]


def kernel_median(key, op):
    """The median over the boots of kernel setting @key, or None."""
    v = [x for x in across(key, op) if x]
    return statistics.median(v) if v else None


def boot_ratios(a, b, op):
    return [x / y for x, y in zip(across(a, op), across(b, op)) if x and y]


ops = ['alloc_free_4k', 'alloc_free_64k', 'alloc_free_1024k', 'alloc_free_8192k',
       'alloc_free_32768k', 'mmap_touch_1m', 'sync_cycle', 'sync_touch_1m',
       'sync_touch_8m', 'vmap_vunmap', 'attach_map_unmap', 'attach_map_unmap_1seg']
fmt = lambda x: '%.1f' % (x / 1000) if x else '-'
r3 = lambda x: '%.3f' % x if x else '-'
print()
print('medians in microseconds; kernels: median of %d interleaved boots;'
      ' disabled, enabled: median of %d paired rounds in one boot, en/dis the'
      ' median of the rounds\' ratios' % (BOOTS, ROUNDS))
print('%-21s %10s %10s %10s %10s %8s %8s %8s' %
      ('operation', 'upstream', 'compiled', 'disabled', 'enabled',
       'out/up', 'dis/out', 'en/dis'))
for op in ops:
    u, o = kernel_median('U', op), kernel_median('O', op)
    d, e = med(Dd, op), med(E, op)
    print('%-21s %10s %10s %10s %10s %8s %8s %8s' %
          (op, fmt(u), fmt(o), fmt(d), fmt(e), r3(u and o and o / u),
           r3(o and d and d / o), r3(pmed(E, op, Dd, op))))

results = []


skipped = [0]


def line(verdict, name, shown, limit, le):
    results.append(verdict == 'PASS')
    skipped[0] += verdict == 'SKIP'
    print('%-6s %-62s %s (budget %s %s)' % (verdict, name, shown, '<=' if le else '>=', limit))


def budget(name, value, limit, le=True, fmt='%.3f'):
    """A single figure."""
    ok = value is not None and (value <= limit if le else value >= limit)
    line('PASS' if ok else 'FAIL', name, fmt % value if value is not None else '-',
         fmt % limit, le)


def paired(name, ratios, limit, le=True):
    """One boot's paired ratios: judged by their median, printed with their spread."""
    if not ratios:
        line('FAIL', name, '-', '%.3f' % limit, le)
        return
    m = statistics.median(ratios)
    line('PASS' if (m <= limit if le else m >= limit) else 'FAIL', name,
         '%.3f [%.3f..%.3f]' % (m, min(ratios), max(ratios)), '%.3f' % limit, le)


def spread(name, ratios, limit):
    """A ratio between kernels, one per boot: passes only if all of it does."""
    if not BOOTS:
        line('SKIP', name, 'not measured', '%.3f' % limit, True)
        return
    if not ratios:
        line('FAIL', name, '-', '%.3f' % limit, True)
        return
    lo, hi, m = min(ratios), max(ratios), statistics.median(ratios)
    verdict = 'PASS' if hi <= limit else 'FAIL' if lo > limit else 'UNSURE'
    line(verdict, name, '%.3f [%.3f..%.3f]' % (m, lo, hi), '%.3f' % limit, True)


def ratio(a, b):
    return a / b if a and b else None


print()
print('# one boot: enabled / disabled, median of the paired rounds [min..max]')
paired('a CPU window: sync_touch_1m enabled / mmap_touch_1m disabled',
       pairs(E, 'sync_touch_1m', Dd, 'mmap_touch_1m'), 1.2)
for op, limit in (('sync_cycle', 2.0), ('mmap_touch_1m', 1.3), ('vmap_vunmap', 1.5),
                  ('attach_map_unmap', 1.15), ('alloc_free_4k', 1.15)):
    paired(op, pairs(E, op, Dd, op), limit)
paired('a transition with %d live buffers / with one' % LIVE,
       pairs(E, 'sync_cycle_live_many', E, 'sync_cycle_live_one'), 1.1)
paired('2 processes / 1, SYNC windows touching 64 KiB',
       pairs(E, 'scale_sync2', E, 'scale_sync1'), 1.6, le=False)
paired('2 processes / 1, 4 KiB allocations',
       pairs(E, 'scale_alloc2', E, 'scale_alloc1'), 1.6, le=False)
paired('faults O(1) in segments: per page, 256 MiB / 1 MiB of 4 KiB segments',
       pairs(E, 'fault_page_4kseg_256m', E, 'fault_page_4kseg_1m'), 1.5)
ours = pmed(E, 'attach_map_unmap', Dd, 'attach_map_unmap')
dmadebug = ratio(med(G, 'attach_map_unmap'), med(Dd, 'attach_map_unmap'))
print('       map/unmap overhead: tracker %s, dma-debug %s (its own boot, against'
      ' the median with tracking off)' % (r3(ours), r3(dmadebug)))
budget('map/unmap: tracker overhead / dma-debug overhead',
       ratio(ours - 1, dmadebug - 1) if ours and dmadebug and dmadebug > 1 else None, 1.0)


def info(name, value):
    """A figure printed for reading, not judged."""
    print('       %-62s %s' % (name, r3(value)))


info('the same, tracking off', pmed(Dd, 'fault_page_4kseg_256m', Dd, 'fault_page_4kseg_1m'))
print('       ns per page faulted in, 4 KiB segments: 1 MiB %s, 256 MiB %s (tracking on);'
      ' %s, %s (off)' % tuple('%.0f' % x if x else '-' for x in (
          med(E, 'fault_page_4kseg_1m'), med(E, 'fault_page_4kseg_256m'),
          med(Dd, 'fault_page_4kseg_1m'), med(Dd, 'fault_page_4kseg_256m'))))
info('2 processes / 1, SYNC windows, tracking off (this machine)',
     pmed(Dd, 'scale_sync2', Dd, 'scale_sync1'))
info('2 processes / 1, 4 KiB allocations, tracking off (this machine)',
     pmed(Dd, 'scale_alloc2', Dd, 'scale_alloc1'))

print()
print('# attachment splitting: a 1 MiB segment for a device of 64 KiB segments'
      ' (%s sg entries) against one that takes it whole (%s)' %
      tuple('%.0f' % med(Dd, k) if med(Dd, k) else '-'
            for k in ('attach_nents_split', 'attach_nents_1seg')))
for label, split, whole in (
        ('upstream (splits nothing)', kernel_median('U', 'attach_map_unmap'),
         kernel_median('U', 'attach_map_unmap_1seg')),
        ('compiled out', kernel_median('O', 'attach_map_unmap'),
         kernel_median('O', 'attach_map_unmap_1seg'))):
    info('attach_map_unmap split / whole, %s' % label, ratio(split, whole))
for label, d in (('tracking off', Dd), ('tracking on', E)):
    info('attach_map_unmap split / whole, %s' % label,
         pmed(d, 'attach_map_unmap', d, 'attach_map_unmap_1seg'))
info('compiled out / upstream, the device taking the segment whole (kernels: median)',
     ratio(kernel_median('O', 'attach_map_unmap_1seg'),
           kernel_median('U', 'attach_map_unmap_1seg')))

print()
print('# interleaved boots: one ratio per boot, median [min..max]')
spread('a CPU window: sync_touch_1m enabled / mmap_touch_1m compiled out',
       [e / o for e, o in zip(across('BE', 'sync_touch_1m'), across('O', 'mmap_touch_1m'))
        if e and o], 1.2)
spread('alloc_free_4k disabled / compiled out', boot_ratios('BD', 'O', 'alloc_free_4k'), 1.03)
for op in ops:
    if op.startswith('alloc_free_'):
        spread('%s compiled out / upstream' % op, boot_ratios('O', 'U', op), 1.03)
spread('slab bytes per live 4 KiB buffer: disabled / compiled out',
       boot_ratios('BD', 'O', 'slab_bytes_per_buffer'), 1.03)

print()
print('# memory')
print('       slab bytes per live 4 KiB buffer: upstream %s, compiled out %s, disabled %s,'
      ' enabled %s' % tuple('%.0f' % statistics.median(v) if v else '-' for v in (
          [x for x in across('U', 'slab_bytes_per_buffer') if x],
          [x for x in across('O', 'slab_bytes_per_buffer') if x],
          [x for x in across('BD', 'slab_bytes_per_buffer') if x],
          E.get('slab_bytes_per_buffer', []))))
budget('bytes per buffer record (history ring apart)', rec, 192, fmt='%d')
print('       history ring: %s bytes per tracked buffer; attachment record %s bytes (embedded)'
      % (hist, att))
budget('bytes per user mapping record', vma, 64, fmt='%d')


def frame(op):
    """What tracking adds to one operation: the median of the rounds' differences."""
    d = [e - x for e, x in zip(E.get(op, []), Dd.get(op, []))]
    return '%.1f us' % (statistics.median(d) / 1000) if d else '-'


print()
print('a SYNC\'d frame (SYNC start, a touch of every page, SYNC end) costs %s more with'
      ' tracking on for 1 MiB, %s for 8 MiB' % (frame('sync_touch_1m'), frame('sync_touch_8m')))
print('%d budget lines pass, %d do not%s' % (
    results.count(True), results.count(False),
    '' if BOOTS else ' (%d of them not measured: DHO_BENCH_BOOTS=0 boots no other kernel)'
    % skipped[0]))
sys.exit(0 if all(results) else 1)
