#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Convert the OpenSPF RFC 7208 suite (YAML) into the JSON that
tests/test-spf-suite.c reads, once: the result is committed, so the build
needs no YAML parser.  Each scenario's zonedata becomes master-file lines
for the overlay and a list of names that time out, following the
conventions of the suite's reference driver (pyspf's testspf.py):

- TXT/SPF values are one RR of one or more character-strings;
- a name with SPF (type 99) records and no TXT entry also serves them as
  TXT ("TXT: NONE" stops that); type SPF itself is dropped, RFC 7208 no
  longer uses it and the library never asks for it;
- "TIMEOUT" in a name's list: types listed before it answer, all others
  time out (fromauth_ctx_add_timeout_name has exactly that meaning).

usage: suite2json.py IN.yml OUT.json   (OUT "-" for stdout)
"""
import json
import sys

import yaml


def escape_name(name):
    out = []
    for b in name.encode('utf-8'):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in '-_.*'):
            out.append(c)
        else:
            out.append('\\%03d' % b)
    name = ''.join(out)
    return name if name.endswith('.') else name + '.'


def quote_string(s):
    out = ['"']
    for b in s.encode('utf-8'):
        if b in (0x22, 0x5c):
            out.append('\\' + chr(b))
        elif 0x20 <= b < 0x7f:
            out.append(chr(b))
        else:
            out.append('\\%03d' % b)
    out.append('"')
    return ''.join(out)


def txt_rdata(value):
    strings = [value] if isinstance(value, str) else list(value)
    if not strings:
        strings = ['']  # "SPF: []": an RR without strings, as near as we get
    return ' '.join(quote_string(s) for s in strings)


def convert_name(owner, entries):
    records, timeout = [], False
    name = escape_name(owner)
    if entries == 'TIMEOUT':
        return records, True
    generated, has_txt = [], False
    for e in entries:
        if e == 'TIMEOUT':
            timeout = True
            break
        (rtype, value), = e.items()
        if rtype == 'TXT':
            has_txt = True
            if value != 'NONE':
                records.append('%s 300 IN TXT %s' % (name, txt_rdata(value)))
        elif rtype == 'SPF':
            generated.append(value)
        elif rtype == 'MX':
            pref, target = value
            records.append('%s 300 IN MX %d %s' % (name, pref, escape_name(target)))
        elif rtype in ('A', 'AAAA'):
            records.append('%s 300 IN %s %s' % (name, rtype, value))
        elif rtype in ('PTR', 'CNAME'):
            records.append('%s 300 IN %s %s' % (name, rtype, escape_name(value)))
        else:
            raise ValueError('unknown type %s at %s' % (rtype, owner))
    if not has_txt:
        records += ['%s 300 IN TXT %s' % (name, txt_rdata(v)) for v in generated]
    return records, timeout


def convert(docs):
    scenarios = []
    for doc in docs:
        if not doc:
            continue
        records, timeouts = [], []
        for owner, entries in (doc.get('zonedata') or {}).items():
            r, t = convert_name(owner, entries)
            records += r
            if t:
                timeouts.append(owner)
        tests = []
        for name, t in doc['tests'].items():
            result = t['result']
            tests.append({
                'name': name,
                'spec': str(t.get('spec', '')),
                'helo': t.get('helo', ''),
                'host': t['host'],
                'mailfrom': t.get('mailfrom', ''),
                'result': result if isinstance(result, list) else [result],
                'explanation': t.get('explanation'),
            })
        scenarios.append({'description': doc.get('description', ''),
                          'records': records, 'timeouts': timeouts,
                          'tests': tests})
    return scenarios


def main():
    with open(sys.argv[1], encoding='utf-8') as f:
        scenarios = convert(yaml.safe_load_all(f))
    text = json.dumps(scenarios, indent=1, ensure_ascii=True) + '\n'
    if sys.argv[2] == '-':
        sys.stdout.write(text)
    else:
        with open(sys.argv[2], 'w', encoding='utf-8') as f:
            f.write(text)


if __name__ == '__main__':
    main()
