#!/usr/bin/env python3
"""Self-test of tests/summarize.py, run by make test on the host before the
VM boots:

    summarize_test.py [-v] [kernel-tree]

kernel-tree (default build/linux-base) is the unpacked kernel whose
tools/testing/kunit/kunit.py summarize.py runs; without it this test fails.
It prints what failed and a last line; -v also lists every check passed.

Each case under tests/fixtures/summarize/cases/ starts from a real run
trimmed to a few results a suite (a directory of tests/fixtures/summarize/
with console.log and out.log) or from another case, is edited by its
operations, and summarised; the case states the exact verdict and last
line.  A case file, one directive a line ('#' starts a comment; '| text'
lines are the block of the directive above them):

    fixture: DIR                      start from that fixture directory
    base: CASE                        or from CASE's edited files, with its
                                      variant, suite, kunit-glob, vm-rc, env
    variant: debug                    summarize.py --variant (default base)
    arch: arm64                       summarize.py --arch (default x86_64)
    suite: NAME                       make test's SUITE=
    kunit-glob: GLOB                  make test's KUNIT=
    vm-rc: N                          the VM's exit status (default 0)
    env: NAME=VALUE                   in summarize.py's environment
    drop-suite: NAME                  remove @@SUITE NAME .. @@END NAME
    replace-suite: NAME               replace that block with the '|' lines
    drop: FILE REGEX                  remove the lines matching REGEX
    drop-range: FILE START => END     remove from the first line matching
                                      START to the next matching END
    truncate-after: FILE REGEX        remove what follows the first match
    sub: FILE REGEX => REPLACEMENT    re.sub on every line
    append: FILE                      add the '|' lines at the end
    insert-before: FILE REGEX         add the '|' lines before the first match
    verdict: pass|fail                summarize.py's exit status 0|1
    last: N passed, N failed, N skipped
    expect: REGEX                     a line of the output matches
    reject: REGEX                     no line of the output matches

An operation that changes nothing is an error in the case.
Every case must have a verdict and a last line, and every failing case an
'expect' (the reason).  The 'expect' lines of a failing case must not match
the output of the nearest passing case it starts from: the failure comes
from the edit.

Besides the fixtures: tests/run-tests.sh refuses an unknown SUITE before
booting anything, and the suites tests/guest-suites.sh runs are exactly
summarize.py's expected ones.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
FIX = os.path.join(HERE, 'fixtures', 'summarize')
SUMMARIZE = os.path.join(HERE, 'summarize.py')
LAST_RE = re.compile(r'\d+ passed, \d+ failed, \d+ skipped$')

sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import summarize  # noqa: E402


class CaseError(Exception):
    pass


def parse_case(path):
    case = {'ops': [], 'expect': [], 'reject': [], 'env': {}}
    block = None
    with open(path) as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip('\n')
            if line.startswith('|'):
                if block is None:
                    raise CaseError('%s:%d: a | line without a directive'
                                    % (path, n))
                block.append(line[2:] if line.startswith('| ') else line[1:])
                continue
            block = None
            if not line.strip() or line.lstrip().startswith('#'):
                continue
            key, sep, val = line.partition(': ')
            if not sep:
                key, val = line.rstrip(':'), ''
            if key in ('fixture', 'base', 'variant', 'arch', 'suite', 'kunit-glob',
                       'vm-rc', 'verdict', 'last'):
                case[key] = val
            elif key == 'env':
                k, _, v = val.partition('=')
                case['env'][k] = v
            elif key in ('expect', 'reject'):
                case[key].append(val)
            elif key in ('drop-suite', 'replace-suite', 'drop', 'drop-range',
                         'truncate-after', 'sub', 'append', 'insert-before'):
                block = []
                case['ops'].append((key, val, block, n))
            else:
                raise CaseError('%s:%d: unknown directive %r'
                                % (path, n, key))
    if ('fixture' in case) == ('base' in case):
        raise CaseError('%s: one of fixture: and base:' % path)
    for key in ('verdict', 'last'):
        if key not in case:
            raise CaseError('%s: no %s:' % (path, key))
    if case['verdict'] not in ('pass', 'fail'):
        raise CaseError('%s: verdict is pass or fail' % path)
    if not LAST_RE.fullmatch(case['last']):
        raise CaseError('%s: last: is "N passed, N failed, N skipped"' % path)
    if case['verdict'] == 'fail' and not case['expect']:
        raise CaseError('%s: a failing case needs an expect: line' % path)
    return case


def edit(run, op, arg, block, where):
    def load(name):
        with open(os.path.join(run, name), errors='replace') as f:
            return f.read().splitlines()

    def save(name, lines):
        with open(os.path.join(run, name), 'w') as f:
            f.write(''.join(line + '\n' for line in lines))

    if op in ('drop-suite', 'replace-suite'):
        lines = load('out.log')
        try:
            start = lines.index('@@SUITE ' + arg)
            end = next(i for i in range(start, len(lines))
                       if re.search(r'@@END %s \d+$' % re.escape(arg),
                                    lines[i]))
        except (ValueError, StopIteration):
            raise CaseError('%s: no suite %s in out.log' % (where, arg))
        save('out.log', lines[:start] + (block if op == 'replace-suite'
                                         else []) + lines[end + 1:])
        return
    name, _, rest = arg.partition(' ')
    lines = load(name)
    if op == 'drop':
        kept = [line for line in lines if not re.search(rest, line)]
        if len(kept) == len(lines):
            raise CaseError('%s: nothing matches %r in %s'
                            % (where, rest, name))
        save(name, kept)
    elif op in ('drop-range', 'sub'):
        pat, sep, repl = rest.partition(' => ')
        if not sep:
            raise CaseError('%s: %s: FILE REGEX => %s' % (
                where, op, 'END' if op == 'drop-range' else 'REPLACEMENT'))
        if op == 'sub':
            new = [re.sub(pat, repl, line) for line in lines]
            if new == lines:
                raise CaseError('%s: nothing matches %r in %s'
                                % (where, pat, name))
            save(name, new)
            return
        start = next((i for i, line in enumerate(lines)
                      if re.search(pat, line)), None)
        end = next((i for i in range(start or 0, len(lines))
                    if re.search(repl, lines[i])), None)
        if start is None or end is None:
            raise CaseError('%s: no range %r to %r in %s'
                            % (where, pat, repl, name))
        save(name, lines[:start] + lines[end + 1:])
    elif op == 'truncate-after':
        at = next((i for i, line in enumerate(lines)
                   if re.search(rest, line)), None)
        if at is None or at == len(lines) - 1:
            raise CaseError('%s: nothing after %r in %s'
                            % (where, rest, name))
        save(name, lines[:at + 1])
    elif op == 'append':
        save(name, lines + block)
    elif op == 'insert-before':
        at = next((i for i, line in enumerate(lines)
                   if re.search(rest, line)), None)
        if at is None:
            raise CaseError('%s: nothing matches %r in %s'
                            % (where, rest, name))
        save(name, lines[:at] + block + lines[at:])


def settings(name, cases):
    """A case's arguments, with those of the cases it starts from."""
    case = cases[name]
    got = (settings(case['base'], cases) if 'base' in case else
           {'variant': 'base', 'arch': 'x86_64', 'suite': '', 'kunit-glob': '',
            'vm-rc': '0', 'env': {}})
    got = dict(got, env=dict(got['env'], **case['env']))
    for key in ('variant', 'arch', 'suite', 'kunit-glob', 'vm-rc'):
        if key in case:
            got[key] = case[key]
    return got


def build(name, cases, run, seen=()):
    """The case's console.log and out.log, in the directory run."""
    case = cases[name]
    if name in seen:
        raise CaseError('%s: starts from itself' % name)
    if 'fixture' in case:
        shutil.copytree(os.path.join(FIX, case['fixture']), run)
    elif case['base'] not in cases:
        raise CaseError('%s: no case %s to start from' % (name, case['base']))
    else:
        build(case['base'], cases, run, seen + (name,))
    for op, arg, block, n in case['ops']:
        edit(run, op, arg, block, '%s.case:%d' % (name, n))


def clean_ancestor(name, cases):
    """The nearest passing case that name starts from, if any."""
    while 'base' in cases[name]:
        name = cases[name]['base']
        if cases.get(name, {}).get('verdict') == 'pass':
            return name
    return None


def run_case(name, cases, ktree, tmp):
    run = os.path.join(tmp, name)
    build(name, cases, run)
    got = settings(name, cases)
    argv = [sys.executable, SUMMARIZE, '--variant', got['variant'],
            '--arch', got['arch']]
    if got['kunit-glob']:
        argv += ['--kunit-glob', got['kunit-glob']]
    argv += [run, ktree, got['vm-rc']]
    if got['suite']:
        argv.append(got['suite'])
    env = dict(os.environ)
    env.pop('DHO_ALLOW_SKIP', None)
    env.update(got['env'])
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, env=env)
    return p.returncode, p.stdout


def check_case(name, case, rc, out, clean_out):
    errs = []
    want = 0 if case['verdict'] == 'pass' else 1
    if rc != want:
        errs.append('exit status %d, expected %d (%s)'
                    % (rc, want, case['verdict']))
    lines = out.splitlines()
    last = lines[-1] if lines else ''
    if last != case['last']:
        errs.append('last line %r, expected %r' % (last, case['last']))
    if case['verdict'] == 'fail' and clean_out is None:
        errs.append('a failing case starts from no passing case: its '
                    'reason cannot be told from the clean run')
    for pat in case['expect']:
        if not any(re.search(pat, line) for line in lines):
            errs.append('no line matches %r' % pat)
        elif (clean_out is not None and
              any(re.search(pat, line) for line in clean_out.splitlines())):
            errs.append('%r matches the clean run too: it proves nothing'
                        % pat)
    for pat in case['reject']:
        hit = [line for line in lines if re.search(pat, line)]
        if hit:
            errs.append('%r matches %r' % (pat, hit[0]))
    return errs


def check_run_tests_typo(tmp):
    """run-tests.sh refuses SUITE=<typo> before it boots anything.  The
    build directory is empty, so a missing check ends in vm.sh's 'no
    kernel', never in a VM."""
    build = os.path.join(tmp, 'typo-build')
    os.mkdir(build)
    p = subprocess.run(['bash', os.path.join(HERE, 'run-tests.sh'), build,
                        'base', 'owner_usr', ''],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    errs = []
    if p.returncode != 2:
        errs.append('exit status %d, expected 2' % p.returncode)
    if "unknown suite 'owner_usr'" not in p.stdout:
        errs.append('no "unknown suite" message')
    if os.path.exists(os.path.join(build, 'vm')):
        errs.append('it went on to prepare a VM run')
    return errs, p.stdout


def check_guest_suites():
    """The suites guest-suites.sh runs are the expected ones, in order."""
    with open(os.path.join(HERE, 'guest-suites.sh')) as f:
        text = f.read()
    ran = re.findall(r'^\s*(?:\S.*&&\s*)?(?:suite|frame)\s+([\w-]+)',
                     text, re.M)
    want = summarize.SETUP_SUITES + summarize.EXPECTED['debug']
    if ran != want:
        return ['guest-suites.sh runs %s; summarize.py expects %s'
                % (' '.join(ran), ' '.join(want))]
    return []


def main(argv):
    verbose = '-v' in argv[1:]
    args = [a for a in argv[1:] if a != '-v']
    ktree = args[0] if args else os.path.join(REPO, 'build', 'linux-base')
    kpy = os.path.join(ktree, 'tools/testing/kunit/kunit.py')
    if not os.path.exists(kpy):
        print('summarize_test: FAIL: no kunit.py at %s: the self-test needs '
              'the unpacked kernel tree (make kernel makes it)' % kpy)
        return 1
    cases = sorted(f for f in os.listdir(os.path.join(FIX, 'cases'))
                   if f.endswith('.case'))
    failed = 0
    tmp = tempfile.mkdtemp(prefix='summarize_test.')
    try:
        parsed = {}
        for c in cases:
            try:
                parsed[c[:-len('.case')]] = parse_case(
                    os.path.join(FIX, 'cases', c))
            except CaseError as e:
                print('FAIL %s: %s' % (c, e))
                failed += 1
        outputs = {}
        for name in sorted(parsed):
            case = parsed[name]
            try:
                rc, out = run_case(name, parsed, ktree, tmp)
            except CaseError as e:
                print('FAIL %s: %s' % (name, e))
                failed += 1
                continue
            outputs[name] = out
            clean = clean_ancestor(name, parsed)
            if clean and clean not in outputs:
                try:
                    outputs[clean] = run_case(clean, parsed, ktree,
                                              tmp + '/clean')[1]
                except CaseError:
                    pass	# reported as that case's failure
            errs = check_case(name, case, rc, out, outputs.get(clean))
            if errs:
                failed += 1
                print('FAIL %s:' % name)
                for e in errs:
                    print('    ' + e)
                print('    summarize.py said:')
                print(''.join('    | ' + line + '\n'
                              for line in out.splitlines()), end='')
            elif verbose:
                print('ok   %-34s %s  %s' % (name, case['verdict'],
                                           case['last']))
        for desc, (errs, out) in (
                ('run-tests.sh SUITE=<typo>', check_run_tests_typo(tmp)),
                ('guest-suites.sh runs the expected suites',
                 (check_guest_suites(), ''))):
            if errs:
                failed += 1
                print('FAIL %s: %s' % (desc, '; '.join(errs)))
                if out:
                    print(''.join('    | ' + line + '\n'
                                  for line in out.splitlines()), end='')
            elif verbose:
                print('ok   %s' % desc)
    finally:
        shutil.rmtree(tmp)
    total = len(cases) + 2
    print('summarize_test: %d of %d checks failed' % (failed, total)
          if failed else 'summarize_test: all %d checks passed' % total)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
