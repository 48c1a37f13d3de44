#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Checks of the man pages (meson suite 'man').

  check-man.py lint MANDOC MANDIR
      Every page passes `mandoc -T lint -W warning` with no message at all.
      `.so` alias pages are linted through a man3/ directory so the include
      resolves; the only message allowed there is mandoc's advice that .so
      is fragile, which every .so page gets.

  check-man.py coverage MANDIR SYMFILE HEADER MESONBUILD
      Every exported function (the version script) has a page or a `.so`
      alias named after it; the page names it in NAME and carries the
      header's exact prototype in SYNOPSIS; no page documents a function
      that is not exported; every cross-reference to our pages resolves;
      man/meson.build installs exactly the pages present; libfromauth(3)
      lists every enum fromauth_error value with its number and every
      finding code the library's sources (next to SYMFILE) emit.

Exit status: 0 pass, 1 fail, 77 skip (mandoc not installed).
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile

failures = []


def fail(msg):
    failures.append(msg)


def pages_in(mandir):
    return sorted(f for f in os.listdir(mandir) if re.search(r'\.[1-9]$', f))


def so_target(path):
    """The page a `.so` alias includes, or None for a real page."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if not text.startswith('.so '):
        return None
    lines = text.splitlines()
    if len(lines) != 1:
        fail(f'{path}: an alias page must be the single line ".so man3/PAGE.3"')
    m = re.fullmatch(r'\.so man([1-9])/(\S+)', lines[0])
    if not m:
        fail(f'{path}: malformed .so line: {lines[0]!r}')
        return None
    return m.group(2)


def lint(mandoc, mandir):
    if not mandoc or not os.access(mandoc, os.X_OK):
        print('mandoc not installed: skipping the lint')
        return 77
    pages = pages_in(mandir)
    real = [p for p in pages if so_target(os.path.join(mandir, p)) is None]
    aliases = [p for p in pages if p not in real]
    if not real:
        fail(f'{mandir}: no pages')

    clean = set()
    for page in real:
        r = subprocess.run([mandoc, '-T', 'lint', '-W', 'warning',
                            os.path.join(mandir, page)],
                           capture_output=True, text=True)
        out = (r.stdout + r.stderr).strip()
        if r.returncode != 0 or out:
            fail(f'{page}: mandoc -T lint -W warning (status {r.returncode}):\n{out}')
        else:
            clean.add(page)

    # mandoc resolves `.so man3/x.3` against its working directory.
    with tempfile.TemporaryDirectory() as tmp:
        for sec in '1', '3':
            os.symlink(os.path.abspath(mandir), os.path.join(tmp, 'man' + sec))
        for page in aliases:
            target = so_target(os.path.join(mandir, page))
            if target in real and target not in clean:
                continue        # its messages are reported once, above
            r = subprocess.run([mandoc, '-T', 'lint', '-W', 'warning',
                                os.path.join('man3', page)],
                               capture_output=True, text=True, cwd=tmp)
            msgs = [l for l in (r.stdout + r.stderr).splitlines()
                    if l.strip() and '.so is fragile' not in l]
            if msgs:
                fail(f'{page}: ' + '\n'.join(msgs))

    if not failures:
        print(f'{len(real)} pages and {len(aliases)} aliases lint clean')
    return 0


def header_prototypes(header):
    with open(header, encoding='utf-8') as f:
        text = f.read()
    text = re.sub(r'/\*.*?\*/', ' ', text, flags=re.S)
    text = re.sub(r'^\s*#.*$', ' ', text, flags=re.M)
    protos = {}
    for m in re.finditer(r'([A-Za-z_][\w \t\n*]*?)\b(fromauth_\w+)\s*\(([^;{()]*)\)\s*;',
                         text):
        ret, name, args = m.groups()
        ret = ret.split(';')[-1].split('}')[-1]
        protos[name] = normalize(ret, name, args.split(','))
    return protos


def normalize(ret, name, args):
    def one(s):
        s = ' '.join(s.split())
        return re.sub(r'\s*\*\s*', ' *', s).replace('* *', '**').strip()
    return '%s%s(%s)' % (one(ret) + ('' if one(ret).endswith('*') else ' '),
                         name, ', '.join(one(a) for a in args))


def synopsis_prototypes(path):
    """Prototypes in the SYNOPSIS of an mdoc page: .Ft then .Fn or .Fo/.Fa/.Fc."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().splitlines()
    protos = {}
    in_syn = False
    ft = None
    fo = None
    for line in lines:
        if line.startswith('.Sh '):
            in_syn = line == '.Sh SYNOPSIS'
            continue
        if not in_syn:
            continue
        words = shlex.split(line[1:]) if line.startswith('.') else []
        if not words:
            continue
        macro, rest = words[0], words[1:]
        if macro == 'Ft':
            ft = ' '.join(rest)
        elif macro == 'Fn':
            protos[rest[0]] = normalize(ft or '', rest[0], rest[1:])
            ft = None
        elif macro == 'Fo':
            fo = (rest[0], [])
        elif macro == 'Fa' and fo:
            fo[1].append(' '.join(rest))
        elif macro == 'Fc' and fo:
            protos[fo[0]] = normalize(ft or '', fo[0], fo[1])
            fo = ft = None
    return protos


def name_list(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    m = re.search(r'^\.Sh NAME\n(.*?)^\.Nd ', text, flags=re.M | re.S)
    return re.findall(r'^\.Nm (\S+)', m.group(1), flags=re.M) if m else []


def coverage(mandir, symfile, header, mesonbuild):
    with open(symfile, encoding='utf-8') as f:
        syms = re.findall(r'^\s*(fromauth_\w+)\s*;', f.read(), flags=re.M)
    if not syms:
        fail(f'{symfile}: no symbols found')
    protos = header_prototypes(header)
    present = set(pages_in(mandir))

    documented = set()
    for sym in syms:
        page = sym + '.3'
        if page not in present:
            fail(f'{sym}: no man page or .so alias {mandir}/{page}')
            continue
        target = so_target(os.path.join(mandir, page)) or page
        if target not in present:
            fail(f'{page}: .so target {target} does not exist')
            continue
        tpath = os.path.join(mandir, target)
        if so_target(tpath) is not None:
            fail(f'{page}: .so target {target} is itself an alias')
            continue
        if sym not in name_list(tpath):
            fail(f'{target}: NAME does not list {sym} (reached from {page})')
        syn = synopsis_prototypes(tpath).get(sym)
        if syn is None:
            fail(f'{target}: SYNOPSIS has no prototype of {sym}')
        elif sym not in protos:
            fail(f'{sym}: exported but not declared in {header}')
        elif syn != protos[sym]:
            fail(f'{target}: SYNOPSIS prototype differs from the header:\n'
                 f'  page:   {syn}\n  header: {protos[sym]}')
        documented.add(sym)

    # Nothing documented that is not exported.
    for page in present:
        path = os.path.join(mandir, page)
        if so_target(path) is not None:
            if page[:-2] not in syms:
                fail(f'{page}: alias of a function that is not exported')
            continue
        for name in name_list(path):
            if name.startswith('fromauth_') and name not in syms:
                fail(f'{page}: documents {name}, which is not exported')

    # Cross-references to our own pages resolve.
    for page in present:
        path = os.path.join(mandir, page)
        with open(path, encoding='utf-8') as f:
            for no, line in enumerate(f, 1):
                for name, sec in re.findall(r'\.Xr ((?:lib)?fromauth\w*) (\d)', line):
                    if f'{name}.{sec}' not in present:
                        fail(f'{page}:{no}: Xr {name} {sec}: no such page')

    # meson installs exactly what is there.
    with open(mesonbuild, encoding='utf-8') as f:
        listed = re.findall(r"'([^'/]+\.[1-9])'", f.read())
    for page in present - set(listed):
        fail(f'{page}: not listed in {mesonbuild}, so not installed')
    for page in set(listed) - present:
        fail(f'{mesonbuild}: lists {page}, which does not exist')
    if len(listed) != len(set(listed)):
        fail(f'{mesonbuild}: a page is listed twice')

    # libfromauth(3) ERRORS gives every error value with its number.
    with open(header, encoding='utf-8') as f:
        enum = re.search(r'enum fromauth_error\s*\{(.*?)\};', f.read(), flags=re.S)
    overview = os.path.join(mandir, 'libfromauth.3')
    with open(overview, encoding='utf-8') as f:
        text = f.read()
    errors = text.split('.Sh ERRORS', 1)[-1].split('.Sh ', 1)[0]
    for name, value in re.findall(r'(FROMAUTH_\w+)\s*=\s*(-?\d+)', enum.group(1) if enum else ''):
        roff_value = value.replace('-', '\\-')
        if f'.It Dv {name} Pq {roff_value}\n' not in errors:
            fail(f'libfromauth.3: ERRORS lacks ".It Dv {name} Pq {roff_value}"')

    # Every finding code the library emits is in FINDING CODES.
    codes_doc = set()
    section = text.split('.Sh FINDING CODES', 1)[-1].split('.Sh ', 1)[0]
    for m in re.finditer(r'^\.It Li (.*)$', section, flags=re.M):
        codes_doc.update(c.strip() for c in m.group(1).split(' , '))
    libdir = os.path.dirname(symfile)
    for src in sorted(f for f in os.listdir(libdir) if f.endswith('.c')):
        with open(os.path.join(libdir, src), encoding='utf-8') as f:
            for no, line in enumerate(f, 1):
                if line.lstrip().startswith('#'):
                    continue
                for code in re.findall(r'"((?:service|domain|spf|dkim|dmarc|rules|reputation)\.[a-z_]+)"', line):
                    if code not in codes_doc:
                        fail(f'lib/{src}:{no}: finding code {code} is not in '
                             'libfromauth.3 FINDING CODES')

    print(f'{len(documented)} of {len(syms)} exported functions documented')
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == 'lint':
        rc = lint(argv[2], argv[3])
    elif len(argv) == 6 and argv[1] == 'coverage':
        rc = coverage(*argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for msg in failures:
        print('FAIL: ' + msg)
    return 1 if failures else rc


if __name__ == '__main__':
    sys.exit(main(sys.argv))
