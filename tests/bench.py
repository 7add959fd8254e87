#!/usr/bin/env python3
"""make bench: time the heap operations on upstream's 6.1 heaps, ours with the
tracker compiled out, compiled in but disabled, and enabled; and dma-debug's
overhead on the same map/unmap workload.  Prints medians, ratios and a
PASS/FAIL line per budget.  Ratios between tracker states come from one boot;
ratios between kernels (upstream, compiled out) necessarily from two.

    bench.py <build-dir>
"""
import os
import re
import subprocess
import sys

build = os.path.realpath(sys.argv[1])
repo = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
ROUNDS = int(os.environ.get('DHO_BENCH_ROUNDS', '2'))
LIVE = int(os.environ.get('DHO_BENCH_LIVE', '100000'))


def sh(*args):
    subprocess.run(args, check=True)


def vm(variant, script, append=''):
    """Run a guest script on one kernel; return its stdout lines."""
    bindir = os.path.join(build, variant, 'bin')
    kernel = os.path.join(build, 'linux-' + variant, 'arch/x86/boot/bzImage')
    cmd = 'insmod %s/dho_importer.ko; export PATH=%s:$PATH; %s' % (bindir, bindir, script)
    p = subprocess.run(['bash', os.path.join(repo, 'tests/vm.sh'), '-q', '-b', build,
                        '-k', kernel, '-t', '1800', '-a', append, '--', cmd],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    run = re.search(r'run directory (\S+)', p.stderr)
    out = open(os.path.join(run.group(1), 'out.log'), errors='replace').read() if run else ''
    if p.returncode:
        sys.exit('bench: %s run failed (%d): %s\n%s' % (variant, p.returncode, p.stderr, out))
    return out.splitlines(), (open(os.path.join(run.group(1), 'console.log'),
                                   errors='replace').read() if run else '')


def parse(lines, tag=None):
    """'[tag] op value' lines -> {op: min over rounds} (min of medians)."""
    res = {}
    for l in lines:
        f = l.split()
        if tag is not None:
            if len(f) != 3 or f[0] != tag:
                continue
            f = f[1:]
        if len(f) == 2 and re.match(r'^-?[0-9.]+$', f[1]):
            v = float(f[1])
            res[f[0]] = min(res.get(f[0], v), v)
    return res


def rounds(tagged):
    body = []
    for r in range(ROUNDS):
        for tag, pre in tagged:
            body.append('%s dho-bench ops | sed "s/^/%s /"' % (pre, tag))
    return '; '.join(body)


for v in ('upstream', 'notrack', 'base'):
    sh('bash', os.path.join(repo, 'tests/kernel.sh'), v, build)
    sh('bash', os.path.join(repo, 'tests/build-user.sh'), build, v)

D = '/sys/kernel/debug/dma_heap_owner/disabled'
print('bench: upstream 6.1 heaps', flush=True)
up_lines, _ = vm('upstream', rounds([('U', '')]))
print('bench: ours, tracker compiled out', flush=True)
out_lines, _ = vm('notrack', rounds([('O', '')]) + '; dho-bench slab 10000 | sed "s/^/O /"')
print('bench: ours, tracker disabled and enabled (one boot)', flush=True)
base_lines, console = vm('base', rounds([('D', 'echo 1 > %s;' % D), ('E', 'echo 0 > %s;' % D)]) +
                         '; echo 0 > %s; dho-bench scale 1 | sed "s/^/E /";'
                         ' dho-bench scale 2 | sed "s/^/E /";'
                         ' dho-bench scale 1 | sed "s/^/E /";'
                         ' dho-bench scale 2 | sed "s/^/E /";'
                         ' dho-bench live 0 | sed "s/^/E /";'
                         ' dho-bench live %d | sed "s/^/E /";'
                         ' dho-bench slab 10000 | sed "s/^/E /"' % (D, LIVE))
print('bench: dma-debug off (dma_debug=off), tracker disabled and enabled', flush=True)
nd_lines, _ = vm('base', rounds([('N', 'echo 1 > %s;' % D), ('M', 'echo 0 > %s;' % D)]),
                 append='dma_debug=off')

U, O = parse(up_lines, 'U'), parse(out_lines, 'O')
Dd, E = parse(base_lines, 'D'), parse(base_lines, 'E')
N, M = parse(nd_lines, 'N'), parse(nd_lines, 'M')
m = re.search(r'(\d+) bytes per buffer record \+ (\d+) of history, (\d+) per user mapping, '
              r'(\d+) per attachment', console)
rec, hist, vma, att = (int(x) for x in m.groups()) if m else (-1, -1, -1, -1)

ops = ['alloc_free_4k', 'alloc_free_64k', 'alloc_free_1024k', 'alloc_free_8192k',
       'alloc_free_32768k', 'mmap_touch_1m', 'sync_cycle', 'sync_touch_1m',
       'vmap_vunmap', 'attach_map_unmap']
print()
print('medians in microseconds (best of %d rounds); software emulation: compare ratios' % ROUNDS)
print('%-18s %10s %10s %10s %10s %8s %8s %8s' %
      ('operation', 'upstream', 'compiled', 'disabled', 'enabled',
       'out/up', 'dis/out', 'en/dis'))
for op in ops:
    u, o, d, e = U.get(op), O.get(op), Dd.get(op), E.get(op)
    r = lambda a, b: '%.3f' % (a / b) if a and b else '-'
    f = lambda x: '%.1f' % (x / 1000) if x else '-'
    print('%-18s %10s %10s %10s %10s %8s %8s %8s' %
          (op, f(u), f(o), f(d), f(e), r(o, u), r(d, o), r(e, d)))

results = []


def budget(name, value, limit, fmt='%.3f', le=True):
    ok = value is not None and (value <= limit if le else value >= limit)
    results.append(ok)
    print('%s  %-58s %s (budget %s %s)' % ('PASS' if ok else 'FAIL', name,
                                            fmt % value if value is not None else '-',
                                            '<=' if le else '>=', fmt % limit))


def ratio(a, b):
    return a / b if a and b else None


print()
for op in ops:
    budget('compiled out / upstream: ' + op, ratio(O.get(op), U.get(op)), 1.03)
for op in ops:
    budget('disabled / compiled out: ' + op, ratio(Dd.get(op), O.get(op)), 1.02)
budget('enabled / disabled: alloc_free_4k', ratio(E.get('alloc_free_4k'), Dd.get('alloc_free_4k')), 1.10)
for op in ('alloc_free_1024k', 'alloc_free_8192k', 'alloc_free_32768k'):
    budget('enabled / disabled: ' + op, ratio(E.get(op), Dd.get(op)), 1.03)
budget('enabled / disabled: sync_cycle (no touching)', ratio(E.get('sync_cycle'), Dd.get('sync_cycle')), 1.25)
ours = ratio(E.get('attach_map_unmap'), Dd.get('attach_map_unmap'))
dmadebug = ratio(Dd.get('attach_map_unmap'), N.get('attach_map_unmap'))
print('      map/unmap overhead: tracker %s, dma-debug %s' %
      ('%.3f' % ours if ours else '-', '%.3f' % dmadebug if dmadebug else '-'))
budget('map/unmap: tracker overhead below dma-debug\'s (ratio of the two)',
       ratio(ours - 1, dmadebug - 1) if ours and dmadebug and dmadebug > 1 else None, 1.0)
budget('bytes per buffer record (history ring apart)', rec, 128, '%d')
print('      history ring: %d bytes per buffer; attachment record %d bytes (embedded)' % (hist, att))
budget('bytes per user mapping record', vma, 64, '%d')
if 'slab_bytes_per_buffer' in E and 'slab_bytes_per_buffer' in O:
    print('      slab per 4 KiB buffer with 10,000 live: tracker %d B, compiled out %d B (+%d)' %
          (E['slab_bytes_per_buffer'], O['slab_bytes_per_buffer'],
           E['slab_bytes_per_buffer'] - O['slab_bytes_per_buffer']))
budget('scaling: 2 processes / 1 process, SYNC cycles', ratio(E.get('scale2'), E.get('scale1')),
       1.6, le=False)
budget('transition cost, %d live buffers / 1' % LIVE,
       ratio(E.get('sync_cycle_live_many'), E.get('sync_cycle_live_one')), 1.10)
print()
print('%d budgets passed, %d failed' % (sum(results), len(results) - sum(results)))
