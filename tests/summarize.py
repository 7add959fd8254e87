#!/usr/bin/env python3
"""Summarise a test VM run (make test), strictly: the last line is what CI
trusts, so nothing that was not tested may read as a pass.

    summarize.py [options] <run-dir> <kernel-tree> <vm-exit-status> [suite]
    summarize.py --list-suites [--variant base|debug]

<run-dir> holds console.log (the kernel console) and out.log (the output of
tests/guest-suites.sh); <kernel-tree> is the unpacked kernel whose
tools/testing/kunit/kunit.py parses the KUnit results; [suite] is make
test's SUITE= (a userspace suite, or several separated by commas; KUnit
then runs only with --kunit-glob).

Options:
  --variant base|debug  which kernel ran (default: from <kernel-tree>'s name,
                        linux-<variant>); it chooses the expected suites
  --arch x86_64|arm64   the guest's architecture (default x86_64): arm64
                        adds the alias_unwatched boot to a full run, and
                        lets bpftrace skip every case (ARCH_SKIPS)
  --kunit-glob GLOB     make test's KUNIT= (kunit.filter_glob)
  --allow-skip PATTERNS suites allowed to have every case skipped
  --list-suites         print the variant's userspace suites and exit

What fails the run:
- A suite of the variant's fixed list (EXPECTED below; with [suite], just
  that one) that never ran, whose binary or script was not there (the
  guest's '@@MISSING' line), or that did not finish.  An unknown [suite].
  The test importer's insmod (the 'insmod' line), which every run needs.
  In a full run (no [suite], no --kunit-glob), the second boot's suites
  (BOOT_SUITES: boot_off), which tests/run-tests.sh appends to out.log.
- KUnit: kunit.py parse exiting non-zero, reporting errors, or counting
  otherwise than this summary; a suite that crashed, printed no cases or
  never printed ("missing expected subtest"); an expected KUnit suite
  (those of KUNIT_SUITES that the glob selects) absent.
- TAP: no plan, more than one, fewer or more results than planned, result
  numbers out of sequence, a 'not ok', 'Bail out!', or a non-zero exit.
- A suite whose every case was skipped (a skip-all plan '1..0 # SKIP' too),
  unless its name matches a pattern of --allow-skip or of the environment
  variable DHO_ALLOW_SKIP: comma- or space-separated shell globs on the
  names printed here ('bpftrace', 'kunit:*'; 'all' is '*'), for example
  'make test DHO_ALLOW_SKIP=bpftrace'.  Skips are counted either way.
- The console: any splat (SPLAT below), the tracker's own
  'BUG: dma-heap-owner: <class> in <function>' reports excepted.
- The VM's exit status other than 0 (124: timeout, 125: crash).

Under each failing TAP result the summary prints its diagnostics (see
DIAG_LINES): CI's log may keep nothing else.  The last line is exactly
'N passed, N failed, N skipped'; the exit status is 1 if anything failed,
0 otherwise (2 for a usage error).
"""
import argparse
import fnmatch
import json
import os
import re
import subprocess
import sys

# The userspace suites tests/guest-suites.sh runs, per variant, in order.
USER_SUITES = ['heap_mmap', 'owner_user', 'owner_importer', 'kunit_example',
               'owner_race',
               'stress', 'torture', 'fuzz', 'cli', 'bpftrace',
               'dmabuf_heaps_upstream', 'faultinject']
EXPECTED = {
    'base': USER_SUITES,
    'debug': USER_SUITES + ['kmemleak'],
}
# Every run, whatever [suite] says: loading the test importer, and the
# tracefs pin's check (tests/tracefs-pin.sh).
SETUP_SUITES = ['insmod', 'tracefs']
# Suites of a second boot (tests/run-tests.sh), in a full run only (no
# [suite], no --kunit-glob): boot_off, tracking off at boot stays off.
BOOT_SUITES = ['boot_off']
# Per architecture: suites of a further boot, and suites that may skip every
# case there, for the reason given (the guest's skip line says it too).
ARCH_BOOT_SUITES = {
    'x86_64': [],
    # a Cortex-A57 boot: the vmap alias left alone (tests/alias-unwatched.sh)
    'arm64': ['alias_unwatched'],
}
ARCH_SKIPS = {
    'x86_64': [],
    'arm64': ['bpftrace'],	# no bpftrace in the arm64 guest's root
}
# KUnit suites that must be there (others may appear and are counted).
KUNIT_SUITES = ['dma-heap-helpers', 'dma-heap-owner']

# A splat.  The tracker's own reports ("BUG: dma-heap-owner: ...") are the
# product, not a splat.  "cacheline tracking ENOMEM" is dma-debug giving up
# when the fault-injection suite makes one of its own GFP_NOWAIT
# allocations fail.
SPLAT = re.compile(
    r'BUG: (?!dma-heap-owner: )|WARNING:|Oops|kernel BUG at|invalid opcode|'
    r'general protection fault|Kernel panic|'
    r'possible recursive locking|possible circular locking|'
    r'inconsistent lock state|suspicious RCU usage|INFO: lockdep|'
    r'KASAN:|UBSAN:|'
    r'list_add corruption|list_del corruption|'
    r'rcu: INFO: \S+ detected stalls|self-detected stall|'
    r'INFO: task .* blocked for more than|'
    r'watchdog: BUG: soft lockup|hard LOCKUP|'
    r'unreferenced object|kmemleak: Kernel memory leak detector disabled|'
    r'new suspected memory leaks|'
    r'DMA-API: (?!preallocated|debugging enabled|cacheline tracking ENOMEM)')

OK_RE = re.compile(r'(not ok|ok)(?:\s+(\d+))?(?:\s+-)?(?:\s+(.*))?$')
PLAN_RE = re.compile(r'1\.\.(\d+)\s*(?:#\s*(?:SKIP\b\s*)?(.*))?$', re.I)
SKIP_RE = re.compile(r'#\s*SKIP\b', re.I)


class Result:
    """One line of the summary: a suite and its counts."""

    def __init__(self, name, passed=0, failed=0, skipped=0, notes=None):
        self.name = name
        self.passed, self.failed, self.skipped = passed, failed, skipped
        self.notes = list(notes or [])

    def fail(self, note, n=1):
        self.failed += n
        self.notes.append(note)


def parse_args(argv):
    p = argparse.ArgumentParser(
        description='Summarise a make test run (see the module docstring).')
    p.add_argument('--variant', choices=sorted(EXPECTED))
    p.add_argument('--arch', choices=sorted(ARCH_SKIPS), default='x86_64')
    p.add_argument('--kunit-glob', default='')
    p.add_argument('--allow-skip', default=None)
    p.add_argument('--list-suites', action='store_true')
    p.add_argument('run', nargs='?')
    p.add_argument('ktree', nargs='?')
    p.add_argument('vm_rc', nargs='?', type=int)
    p.add_argument('suite', nargs='?', default='')
    a = p.parse_args(argv)
    if a.list_suites:
        a.variant = a.variant or 'base'
        return a
    if a.vm_rc is None:
        p.error('need <run-dir> <kernel-tree> <vm-exit-status>')
    if not a.variant:
        m = re.fullmatch(r'linux-(\w+)',
                         os.path.basename(os.path.normpath(a.ktree)))
        if not m or m.group(1) not in EXPECTED:
            p.error('cannot tell the variant from %s: give --variant'
                    % a.ktree)
        a.variant = m.group(1)
    if a.allow_skip is None:
        a.allow_skip = os.environ.get('DHO_ALLOW_SKIP', '')
    return a


def skip_allowed(name, patterns):
    for pat in re.split(r'[,\s]+', patterns.strip()):
        if pat == 'all':
            pat = '*'
        if pat and fnmatch.fnmatchcase(name, pat):
            return True
    return False


def kunit_glob_selects(glob, suite):
    """Whether kunit.filter_glob=GLOB runs (some of) SUITE."""
    if not glob:
        return True
    return fnmatch.fnmatchcase(suite, glob.split('.', 1)[0])


def kunit(run, ktree, glob):
    """KUnit: kunit.py parse's status and counts, and our expected suites."""
    results = []
    whole = Result('kunit')
    kpy = os.path.join(ktree, 'tools/testing/kunit/kunit.py')
    js = os.path.abspath(os.path.join(run, 'kunit.json'))
    if os.path.exists(js):
        os.unlink(js)
    if not os.path.exists(kpy):
        whole.fail('no kunit.py at %s' % kpy)
        return [whole]
    # Only the KTAP lines: a driver's message printed between them (6.12's
    # i8042 probe at boot, between a suite's "KTAP version" and its
    # "# Subtest:") made 6.12's kunit.py lose two suites.  The console
    # check below still reads every line.
    ktap_re = re.compile(r'^(\[ *[0-9.]+\] )?\s*(K?TAP version \d|1\.\.\d|(not )?ok \d|#)')
    ktap = os.path.abspath(os.path.join(run, 'console.ktap'))
    with open(os.path.join(run, 'console.log'), errors='replace') as src, \
            open(ktap, 'w') as dst:
        dst.writelines(line for line in src if ktap_re.match(line))
    p = subprocess.run([sys.executable, kpy, 'parse', '--json=' + js, ktap],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors='replace')
    with open(os.path.join(run, 'kunit.txt'), 'w') as f:
        f.write(p.stdout)
    try:
        with open(js) as f:
            data = json.load(f)
    except (OSError, ValueError):
        whole.fail('kunit.py parse wrote no results (exit %d; see kunit.txt)'
                   % p.returncode)
        return [whole]

    def leaves(group, prefix):
        """(name, status) of every case, parameterised ones included."""
        for c in group.get('test_cases', []):
            yield prefix + (c['name'] or '<missing>'), c['status']
        for sub in group.get('sub_groups', []):
            yield from leaves(sub, prefix + sub['name'] + '.')

    seen = set()
    for suite in data.get('sub_groups', []):
        r = Result('kunit:' + suite['name'])
        seen.add(suite['name'])
        for name, status in leaves(suite, ''):
            if status == 'PASS':
                r.passed += 1
            elif status == 'SKIP':
                r.skipped += 1
            else:
                r.fail('%s: %s' % (name, 'crashed or missing'
                                   if status == 'ERROR' else status))
        results.append(r)
    # A top-level entry without cases: a suite that crashed or ran nothing
    # (named), or one that the plan announced and never printed (unnamed:
    # kunit.py's "missing expected subtest").
    for c in data.get('test_cases', []):
        if c['name']:
            seen.add(c['name'])
            r = Result('kunit:' + c['name'])
            r.fail('no test cases ran, or the suite crashed (%s)'
                   % c['status'])
            results.append(r)
        else:
            whole.notes.append('a suite in the plan never printed '
                               '(kunit.py: missing expected subtest)')
    if not seen:
        whole.notes.append('no KUnit results in the console')
    for name in KUNIT_SUITES:
        if name not in seen and kunit_glob_selects(glob, name):
            results.append(Result('kunit:' + name, failed=1,
                                  notes=['missing from the console']))

    # kunit.py's own verdict and count: one failure however many notes
    m = None
    for line in p.stdout.splitlines():
        m = re.search(r'Testing complete\. Ran (\d+) tests:?(.*)', line) or m
    if not m:
        whole.notes.append('kunit.py printed no "Testing complete" line '
                           '(exit %d; see kunit.txt)' % p.returncode)
    else:
        k = {'passed': 0, 'failed': 0, 'crashed': 0, 'skipped': 0,
             'errors': 0}
        for key, n in re.findall(r'(\w+): (\d+)', m.group(2)):
            k[key] = int(n)
        mine = {'passed': sum(r.passed for r in results),
                'skipped': sum(r.skipped for r in results),
                'failed': sum(r.failed for r in results)}
        if k['errors']:
            whole.notes.append('kunit.py found %d error(s) in the KTAP '
                               'output (see kunit.txt)' % k['errors'])
        if (k['passed'] != mine['passed'] or k['skipped'] != mine['skipped']
                or (k['failed'] + k['crashed'] and not mine['failed'] and
                    not whole.notes)):
            whole.notes.append('kunit.py counted %s; this summary %s'
                               % (m.group(0).split('Ran ', 1)[1], mine))
        only_skips = (k['passed'] + k['failed'] + k['crashed'] == 0 and
                      k['skipped'] > 0)
        if p.returncode != 0 and not only_skips:
            whole.notes.append('kunit.py parse exited %d (see kunit.txt)'
                               % p.returncode)
    if whole.notes:
        whole.failed = 1
        results.append(whole)
    return results


def read_lines(path):
    try:
        with open(path, errors='replace') as f:
            return f.read().splitlines()
    except OSError:
        return None


# A failing result's diagnostics: the '#' lines a kselftest-harness test
# prints before its 'not ok' (since the previous result or its ' RUN '
# line) and those a shell suite prints after it (up to the next result or
# ' RUN ' line), at most DIAG_LINES of each, each cut at DIAG_WIDTH.  They
# are what CI's log keeps of why a check failed.
DIAG_LINES = 8
DIAG_WIDTH = 200
DIAG_STOP_RE = re.compile(r'#\s+RUN\s')


def tap(name, body, rc, missing):
    """One userspace suite's TAP, checked against its plan."""
    r = Result(name)
    plans, results, bail = [], [], False
    before, after, diags = [], None, {}
    for line in body:
        if line.startswith('Bail out!'):
            bail = True
            continue
        m = PLAN_RE.match(line)		# top level only: no indent
        if m:
            plans.append(m)
            before, after = [], None
            continue
        m = OK_RE.match(line)
        if m:
            results.append(m)
            after = None
            if m.group(1) == 'not ok':
                diags[len(results)] = before[-DIAG_LINES:]
                after = 0	# lines taken after it
            before = []
        elif not line.startswith('#'):
            pass
        elif DIAG_STOP_RE.match(line):
            before, after = [], None
        elif after is None:
            before.append(line)
        elif after < DIAG_LINES:
            diags[len(results)].append(line)
            after += 1
    for path in missing:
        r.fail('not there (did it build?): %s' % path)
    if missing:
        return r
    misnumbered = []
    for seq, m in enumerate(results, 1):
        desc = m.group(3) or ''
        if m.group(2) is None or int(m.group(2)) != seq:
            misnumbered.append('%s %s' % (m.group(1), m.group(2) or '-'))
        if m.group(1) == 'not ok':
            r.fail('\n'.join(['not ok %s %s' % (m.group(2), desc)] +
                             ['      ' + (d if len(d) <= DIAG_WIDTH else
                                         d[:DIAG_WIDTH] + '...')
                              for d in diags[seq]]))
        elif SKIP_RE.search(desc):
            r.skipped += 1
        else:
            r.passed += 1
    if misnumbered:
        r.fail('results not numbered 1..%d in order (%s)'
               % (len(results), ', '.join(misnumbered[:3])))
    if bail:
        r.fail('Bail out!')
    if not plans:
        r.fail('no TAP plan (1..N): the suite did not start or did not end')
    elif len(plans) > 1:
        r.fail('%d TAP plans' % len(plans))
    else:
        planned = int(plans[0].group(1))
        if planned == 0 and not results:
            r.skipped += 1		# 1..0 # SKIP reason
            r.notes.append('skipped: %s' % (plans[0].group(2) or
                                             'plan 1..0'))
        elif len(results) < planned:
            r.fail('%d of %d planned results: the rest never ran'
                   % (len(results), planned), planned - len(results))
        elif len(results) > planned:
            r.fail('%d results for a plan of %d' % (len(results), planned))
    if rc != 0 and not [m for m in results if m.group(1) == 'not ok']:
        r.fail('exit status %d' % rc)
    return r


def userspace(run, variant, only, glob='', arch='x86_64'):
    """The suites framed by @@SUITE/@@END in out.log, and the missing."""
    results = []
    lines = read_lines(os.path.join(run, 'out.log'))
    if lines is None:
        return [Result('out.log', failed=1, notes=['no out.log in ' + run])]
    ran = {}
    cur, body, missing = None, [], []
    for line in lines:
        m = re.match(r'@@VARIANT (\S+)$', line)
        if m and m.group(1) != variant:
            results.append(Result('variant', failed=1, notes=[
                'the guest ran the %s binaries, this summary is for %s'
                % (m.group(1), variant)]))
        m = re.match(r'@@SUITE (\S+)$', line)
        if m:
            if cur:
                results.append(Result(cur, failed=1, notes=[
                    'did not finish (no @@END before @@SUITE %s)'
                    % m.group(1)]))
            cur, body, missing = m.group(1), [], []
            ran[cur] = ran.get(cur, 0) + 1
            continue
        # test output without a final newline puts @@END mid-line
        m = re.search(r'@@END (\S+) (\d+)$', line)
        if m and cur:
            head = line[:m.start()]
            if head:
                body.append(head)
            if m.group(1) != cur:
                results.append(Result(cur, failed=1, notes=[
                    '@@END %s inside suite %s' % (m.group(1), cur)]))
            else:
                results.append(tap(cur, body, int(m.group(2)), missing))
            cur = None
            continue
        m = re.match(r'@@MISSING (.*)$', line)
        if m and cur:
            missing.append(m.group(1))
            continue
        if cur:
            body.append(line)
    if cur:
        results.append(Result(cur, failed=1, notes=['did not finish']))

    for name, n in ran.items():
        if n > 1:
            results.append(Result(name, failed=1,
                                  notes=['ran %d times' % n]))
    # SUITE= names one suite, or several separated by commas
    onlys = [o for o in only.split(',') if o] if only else []
    for o in onlys:
        if o not in EXPECTED[variant]:
            results.append(Result(o, failed=1, notes=[
                "unknown suite '%s'; the %s kernel's suites: %s (KUnit suites "
                "are chosen with KUNIT=glob)"
                % (o, variant, ' '.join(EXPECTED[variant]))]))
    full = not only and not glob
    boot_suites = BOOT_SUITES + ARCH_BOOT_SUITES[arch]
    expected = (SETUP_SUITES + (onlys if only else EXPECTED[variant]) +
                (boot_suites if full else []))
    for name in expected:
        if name not in ran and (name in EXPECTED[variant] or
                                name in SETUP_SUITES or name in boot_suites):
            results.append(Result(name, failed=1, notes=[
                'missing: never ran (left out of guest-suites.sh, or the '
                'VM stopped before it)']))
    for name in ran:
        if only and name not in onlys and name not in SETUP_SUITES:
            results.append(Result(name, failed=1, notes=[
                'ran although SUITE=%s' % only]))
        elif name in boot_suites and not full:
            results.append(Result(name, failed=1, notes=[
                'ran although KUNIT=%s' % glob]))
    return results


def console(run):
    text = read_lines(os.path.join(run, 'console.log'))
    if text is None:
        return Result('console', failed=1, notes=['no console.log'])
    if not text:
        return Result('console', failed=1, notes=['console.log is empty'])
    hits = [line for line in text if SPLAT.search(line)]
    if hits:
        return Result('console', failed=1,
                      notes=hits[:10] + (['... %d more' % (len(hits) - 10)]
                                         if len(hits) > 10 else []))
    return Result('console', passed=1)


def main(argv):
    a = parse_args(argv)
    if a.list_suites:
        print(' '.join(EXPECTED[a.variant]))
        return 0
    results = []
    if not a.suite or a.kunit_glob:
        results += kunit(a.run, a.ktree, a.kunit_glob)
    results += userspace(a.run, a.variant, a.suite, a.kunit_glob, a.arch)
    results.append(console(a.run))
    if a.vm_rc != 0:
        results.append(Result('vm', failed=1, notes=[
            'VM exit status %d (124: timeout, 125: crash or no status)'
            % a.vm_rc]))
    for r in results:
        if r.skipped and not r.passed and not r.failed:
            if r.name in ARCH_SKIPS[a.arch]:
                r.notes.append('every case skipped (not run on %s)' % a.arch)
            elif skip_allowed(r.name, a.allow_skip):
                r.notes.append('every case skipped (allowed)')
            else:
                r.fail('every case skipped (allow it with '
                       'DHO_ALLOW_SKIP=%s)' % r.name)

    tp = tf = ts = 0
    width = max([28] + [len(r.name) + 1 for r in results])
    for r in results:
        tp, tf, ts = tp + r.passed, tf + r.failed, ts + r.skipped
        extra = ', %d skipped' % r.skipped if r.skipped else ''
        print('%-*s %s  %d passed, %d failed%s' %
              (width, r.name, 'FAIL' if r.failed else 'ok  ', r.passed,
               r.failed, extra))
        for i, note in enumerate(r.notes):
            if note in r.notes[:i]:
                continue
            n = r.notes.count(note)
            print('    - ' + note + (' (%d times)' % n if n > 1 else ''))
    print('logs: %s (console.log, out.log, kunit.txt)' % a.run)
    print('%d passed, %d failed, %d skipped' % (tp, tf, ts))
    return 1 if tf else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
