#!/usr/bin/env python3
"""Summarise a test VM run: KUnit results from the console (parsed by the
kernel's own kunit.py), TAP from each userspace suite, and a check of the
console for kernel splats.  Prints per-suite results and a last line
'N passed, N failed'; exits non-zero on any failure.

    summarize.py <run-dir> <kernel-tree> <vm-exit-status> [suite]
"""
import json
import os
import re
import subprocess
import sys

run, ktree, vm_rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
only = sys.argv[4] if len(sys.argv) > 4 else ''
console = os.path.join(run, 'console.log')
out = os.path.join(run, 'out.log')
results = []		# (suite, passed, failed, skipped, failures)


def kunit():
    js = os.path.join(run, 'kunit.json')
    p = subprocess.run([sys.executable,
                        os.path.join(ktree, 'tools/testing/kunit/kunit.py'),
                        'parse', '--json=' + js, os.path.abspath(console)],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    with open(os.path.join(run, 'kunit.txt'), 'w') as f:
        f.write(p.stdout)
    try:
        data = json.load(open(js))
    except (OSError, ValueError):
        results.append(('kunit', 0, 1, 0, ['kunit.py parse failed']))
        return

    def walk(group, prefix):
        for sub in group.get('sub_groups', []):
            cases = sub.get('test_cases', [])
            name = sub['name']
            if cases:
                ok = [c for c in cases if c['status'] == 'PASS']
                skip = [c for c in cases if c['status'] == 'SKIP']
                bad = [c['name'] for c in cases
                       if c['status'] not in ('PASS', 'SKIP')]
                results.append(('kunit:' + name, len(ok), len(bad),
                                len(skip), bad))
            walk(sub, name)
    walk(data, '')
    if not any(r[0].startswith('kunit:') for r in results):
        results.append(('kunit', 0, 1, 0, ['no KUnit results in the console']))


def tap_suites():
    try:
        lines = open(out, errors='replace').read().splitlines()
    except OSError:
        lines = []
    cur, body = None, []
    for line in lines:
        m = re.match(r'@@SUITE (\S+)', line)
        if m:
            cur, body = m.group(1), []
            continue
        m = re.match(r'@@END (\S+) (\d+)', line)
        if m and cur:
            tap(cur, body, int(m.group(2)))
            cur = None
            continue
        if cur:
            body.append(line)
    if cur:
        results.append((cur, 0, 1, 0, ['suite did not finish']))


def tap(name, body, rc):
    passed = failed = skipped = 0
    bad = []
    for line in body:
        m = re.match(r'(not ok|ok) \d+ (.*)', line)	# top level only
        if not m:
            continue
        if m.group(1) == 'ok':
            if '# SKIP' in m.group(2):
                skipped += 1
            else:
                passed += 1
        else:
            failed += 1
            bad.append(m.group(2))
    if rc != 0 and not failed:
        failed, bad = failed + 1, bad + ['exit status %d' % rc]
    if passed + failed + skipped == 0:
        failed, bad = 1, ['no results']
    results.append((name, passed, failed, skipped, bad))


# A splat: BUG/WARNING/Oops/lockdep/KASAN/kmemleak.  The tracker's own
# reports ("BUG: dma-heap-owner: ...") are the product, not a splat.
SPLAT = re.compile(r'(BUG: (?!dma-heap-owner: )|WARNING:|Oops|'
                   r'possible recursive locking|possible circular locking|'
                   r'inconsistent lock state|suspicious RCU usage|'
                   r'INFO: lockdep|KASAN:|unreferenced object|Kernel panic|'
                   r'general protection fault|DMA-API: (?!preallocated|'
                   r'debugging enabled|cacheline tracking ENOMEM))')
# "cacheline tracking ENOMEM" is dma-debug giving up when the fault-injection
# suite (run last) makes one of its own GFP_NOWAIT allocations fail.


def splats():
    try:
        text = open(console, errors='replace').read().splitlines()
    except OSError:
        text = []
    hits = [l for l in text if SPLAT.search(l)]
    results.append(('console', 0 if hits else 1, 1 if hits else 0, 0,
                    hits[:10]))


if not only:
    kunit()
tap_suites()
splats()
if vm_rc != 0:
    results.append(('vm', 0, 1, 0, ['VM exit status %d (124: timeout, '
                                     '125: crash or no status)' % vm_rc]))

tp = tf = 0
for name, p, f, s, bad in results:
    tp, tf = tp + p, tf + f
    extra = ', %d skipped' % s if s else ''
    print('%-28s %s  %d passed, %d failed%s' %
          (name, 'FAIL' if f else 'ok  ', p, f, extra))
    for b in bad:
        print('    - ' + b)
print('logs: %s (console.log, out.log, kunit.txt)' % run)
print('%d passed, %d failed' % (tp, tf))
sys.exit(1 if tf else 0)
