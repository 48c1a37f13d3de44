#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Writes the signed test messages of tests/verify/ and their zone.

Our own small DKIM signer (RFC 6376 section 3.4 canonicalization, 3.5
tags, 3.7 hashes; RFC 8463 ed25519-sha256), written for these tests so
that they can make signatures no ordinary signer would (v=2, no From in
h=, i= outside d=, rsa-sha1, ...).  The keys tests/keys/verify-*.key are
test-only keys made with `openssl genpkey`; never use them for mail.
Signatures are deterministic (PKCS#1 v1.5, ed25519), so running this
again gives the same files.  Needs python3-cryptography; the outputs are
committed, so the tests do not.

    tests/verify/make-messages.py   (from the source tree's top)
"""
import base64
import hashlib
import os
import re

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, '..', 'keys')
ZONES = os.path.join(HERE, '..', 'zones')


def load(name):
    with open(os.path.join(KEYS, name), 'rb') as f:
        return serialization.load_pem_private_key(f.read(), None)


KEY_A, KEY_B, KEY_ED = load('verify-a.key'), load('verify-b.key'), load('verify-ed.key')


def pub_record(key):
    if isinstance(key, ed25519.Ed25519PrivateKey):
        raw = key.public_key().public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
        return 'v=DKIM1; k=ed25519; p=' + base64.b64encode(raw).decode()
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return 'v=DKIM1; k=rsa; p=' + base64.b64encode(der).decode()


# ---- message handling (CRLF internally) ---------------------------------

def split(msg):
    head, _, body = msg.partition('\r\n\r\n')
    fields = []
    for line in head.split('\r\n'):
        if line[:1] in (' ', '\t'):
            fields[-1] += '\r\n' + line
        else:
            fields.append(line)
    return fields, body


def join(fields, body):
    return '\r\n'.join(fields) + '\r\n\r\n' + body


def canon_header(field, relaxed):
    if not relaxed:
        return field + '\r\n'
    name, _, value = field.partition(':')
    value = re.sub(r'\r\n', '', value)
    value = re.sub(r'[ \t]+', ' ', value).strip(' ')
    return name.strip().lower() + ':' + value + '\r\n'


def canon_body(body, relaxed):
    if relaxed:
        lines = [re.sub(r'[ \t]+', ' ', l).rstrip(' ') for l in body.split('\r\n')]
        body = '\r\n'.join(lines)
    body = re.sub(r'(\r\n)*$', '', body)
    if body:
        return body + '\r\n'
    return '' if relaxed else '\r\n'


def sign(msg, key, d, s, h=('from', 'to', 'subject', 'date'), c='relaxed/relaxed',
         a=None, extra='', l=None, v='1', i=None, top=True):
    """Return msg with a DKIM-Signature added on top."""
    fields, body = split(msg)
    hc, _, bc = c.partition('/')
    bc = bc or 'simple'
    if a is None:
        a = 'ed25519-sha256' if isinstance(key, ed25519.Ed25519PrivateKey) else 'rsa-sha256'
    algo = hashlib.sha1 if a.endswith('sha1') else hashlib.sha256
    cb = canon_body(body, bc == 'relaxed').encode()
    if l is not None:
        cb = cb[:l]
    bh = base64.b64encode(algo(cb).digest()).decode()
    tags = [] if v is None else ['v=' + v]
    tags += ['a=' + a, 'c=' + c]
    if d is not None:
        tags.append('d=' + d)
    if i is not None:
        tags.append('i=' + i)
    tags += ['s=' + s, 't=1700000000']
    if l is not None:
        tags.append('l=%d' % l)
    if extra:
        tags.append(extra)
    tags += ['h=' + ':'.join(h), 'bh=' + bh, 'b=']
    sig = 'DKIM-Signature: ' + '; '.join(tags)
    # Header fields bottom-up, each instance once (RFC 6376 5.4.2).
    used = set()
    data = ''
    for name in h:
        for k in range(len(fields) - 1, -1, -1):
            if k not in used and fields[k].split(':', 1)[0].strip().lower() == name.lower():
                used.add(k)
                data += canon_header(fields[k], hc == 'relaxed')
                break
    data += canon_header(sig, hc == 'relaxed')[:-2]
    if isinstance(key, ed25519.Ed25519PrivateKey):
        b = key.sign(hashlib.sha256(data.encode()).digest())
    else:
        b = key.sign(data.encode(), padding.PKCS1v15(),
                     hashes.SHA1() if a.endswith('sha1') else hashes.SHA256())
    b64 = base64.b64encode(b).decode()
    # Fold b= like real signers do.
    sig += '\r\n\t' + '\r\n\t'.join(b64[k:k + 72] for k in range(0, len(b64), 72))
    return join([sig] + fields if top else fields + [sig], body)


def base(frm='Alice <alice@sender.test>', body='Hello Bob,\r\n\r\nsee you at the meeting.\r\n\r\nAlice\r\n',
         extra=()):
    fields = ['From: ' + frm, 'To: Bob <bob@receiver.test>', 'Subject: Meeting notes',
              'Date: Tue, 14 Nov 2023 22:13:20 +0000',
              'Message-ID: <m1@sender.test>'] + list(extra)
    return join(fields, body)


def connect(msg, ip='192.0.2.10', helo='mail.sender.test', mail_from='bounce@sender.test'):
    """Trace fields as the receiving MTA adds them, on top."""
    fields, body = split(msg)
    return join(['Return-Path: <%s>' % mail_from,
                 'Received: from %s (%s [%s])\r\n\tby mx.receiver.test with ESMTPS id 4F1;\r\n'
                 '\tTue, 14 Nov 2023 22:13:21 +0000' % (helo, helo, ip)] + fields, body)


def write(name, msg, lf=True):
    data = msg.replace('\r\n', '\n') if lf else msg
    with open(os.path.join(HERE, name + '.eml'), 'w', newline='') as f:
        f.write(data)


def big_body():
    """The 1 MiB body test-verify.c builds the same way."""
    line = 'Line %06d: the quick brown fox jumps over the lazy dog 0123456789\r\n'
    out, k = [], 0
    size = 0
    while size < 1024 * 1024:
        out.append(line % k)
        size += len(out[-1])
        k += 1
    return ''.join(out)


def main():
    A, B, ED = KEY_A, KEY_B, KEY_ED
    m = base()
    write('pass', connect(sign(m, A, 'sender.test', 'rsa')))
    write('crlf', connect(sign(m, A, 'sender.test', 'rsa')), lf=False)
    signed = sign(m, A, 'sender.test', 'rsa')
    write('body-changed', signed.replace('see you at', 'meet me at'))
    write('header-changed', signed.replace('Subject: Meeting notes', 'Subject: Meeting NOTES!'))
    fields, body = split(signed)
    write('added-unsigned-header', join(fields + ['X-Mailing-List: added@lists.test'], body))
    write('l-tag', sign(m, A, 'sender.test', 'rsa', l=len(canon_body(split(m)[1], True)))
          + '-- \r\nFooter added by a list\r\n')
    write('expired', sign(m, A, 'sender.test', 'rsa', extra='x=1700000100'))
    write('revoked', sign(m, A, 'sender.test', 'revoked'))
    write('missing-key', sign(m, A, 'sender.test', 'gone'))
    write('wrong-key', sign(m, B, 'sender.test', 'rsa'))
    write('ed25519', sign(m, ED, 'sender.test', 'ed'))
    write('two-sigs-one-bad', sign(sign(m, A, 'sender.test', 'rsa'), B, 'sender.test', 'rsa'))
    write('third-party', connect(sign(m, B, 'esp.test', 'esp'), ip='198.51.100.5',
                                 helo='out.esp.test', mail_from='bounce@esp.test'))
    for dom in ('strict.test', 'relaxed.test'):
        mm = base(frm='News <news@%s>' % dom)
        write(dom.split('.')[0] + '-alignment',
              connect(sign(mm, A, 'mail.' + dom, 'rsa'), helo='mail.' + dom,
                      mail_from='bounce@mail.' + dom))
    write('spf-only', connect(m))
    folded = base(extra=('X-Folded: a\r\n  long\r\n\tfolded   value  ',))
    fields, body = split(folded)
    fields[2] = 'Subject: Meeting\r\n   notes\r\n\tfor   the  team'
    write('folded-simple', sign(join(fields, body), A, 'sender.test', 'rsa', c='simple/simple',
                                h=('from', 'to', 'subject', 'x-folded')))
    write('folded-relaxed', sign(join(fields, body), A, 'sender.test', 'rsa',
                                 h=('from', 'to', 'subject', 'x-folded')))
    write('utf8-name', sign(base(frm='"J\u00f6rg M\u00fcller" <joerg@sender.test>'), A,
                            'sender.test', 'rsa'))
    write('sha1', sign(m, A, 'sender.test', 'rsa', a='rsa-sha1'))
    write('bad-version', sign(m, A, 'sender.test', 'rsa', v='2'))
    write('no-version', sign(m, A, 'sender.test', 'rsa', v=None))
    write('no-from-in-h', sign(m, A, 'sender.test', 'rsa', h=('to', 'subject', 'date')))
    write('i-outside-d', sign(m, A, 'sender.test', 'rsa', i='alice@other.test'))
    write('i-subdomain', sign(m, A, 'sender.test', 'rsa', i='alice@eu.sender.test'))
    write('unknown-algorithm', sign(m, A, 'sender.test', 'rsa', a='rsa-sha512'))
    write('no-domain', sign(m, A, None, 'rsa'))
    write('duplicate-tag', sign(m, A, 'sender.test', 'rsa', extra='s=rsa'))
    write('key-hash-sha1', sign(m, A, 'sender.test', 'h-sha1'))
    write('key-service-other', sign(m, A, 'sender.test', 's-other'))
    write('key-type-mismatch', sign(m, ED, 'sender.test', 'rsa'))
    write('key-strict-subdomain', sign(m, A, 'sender.test', 'strict', i='alice@eu.sender.test'))
    # The receiver's verdicts, as it added them on top.
    fields, body = split(connect(sign(m, A, 'sender.test', 'rsa')))
    ar = ('Authentication-Results: mx.receiver.test;\r\n'
          '\tdkim=fail (body hash did not verify) header.d=sender.test header.s=rsa;\r\n'
          '\tspf=pass smtp.mailfrom=bounce@sender.test;\r\n'
          '\tdmarc=fail (p=reject dis=none) header.from=sender.test')
    other = 'Authentication-Results: relay.other.test; dkim=pass header.d=sender.test'
    write('authres', join([ar, other] + fields, body))
    # 1 MiB with five signatures; the body is not committed (see big_body()).
    mm = join(split(m)[0], big_body())
    for k, (key, d, s) in enumerate([(A, 'sender.test', 'rsa'), (ED, 'sender.test', 'ed'),
                                     (B, 'esp.test', 'esp'), (A, 'sender.test', 'rsa'),
                                     (B, 'sender.test', 'rsa')]):
        mm = sign(mm, key, d, s, c='relaxed/simple' if k % 2 else 'relaxed/relaxed')
    head = split(mm)[0]
    with open(os.path.join(HERE, 'big.head'), 'w', newline='') as f:
        f.write('\n'.join(head).replace('\r\n', '\n') + '\n')

    recs = [
        ('rsa._domainkey.sender.test.', pub_record(A)),
        ('ed._domainkey.sender.test.', pub_record(ED)),
        ('revoked._domainkey.sender.test.', 'v=DKIM1; k=rsa; p='),
        ('h-sha1._domainkey.sender.test.', pub_record(A).replace('k=rsa;', 'k=rsa; h=sha1;')),
        ('s-other._domainkey.sender.test.', pub_record(A).replace('k=rsa;', 'k=rsa; s=tlsrpt;')),
        ('strict._domainkey.sender.test.', pub_record(A).replace('k=rsa;', 'k=rsa; t=s;')),
        ('esp._domainkey.esp.test.', pub_record(B)),
        ('rsa._domainkey.mail.strict.test.', pub_record(A)),
        ('rsa._domainkey.mail.relaxed.test.', pub_record(A)),
        ('_dmarc.sender.test.', 'v=DMARC1; p=reject'),
        ('_dmarc.strict.test.', 'v=DMARC1; p=reject; adkim=s; aspf=s'),
        ('_dmarc.relaxed.test.', 'v=DMARC1; p=quarantine'),
        ('sender.test.', 'v=spf1 ip4:192.0.2.0/24 -all'),
        ('mail.strict.test.', 'v=spf1 ip4:192.0.2.0/24 -all'),
        ('mail.relaxed.test.', 'v=spf1 ip4:192.0.2.0/24 -all'),
        ('esp.test.', 'v=spf1 ip4:198.51.100.0/24 -all'),
    ]

    def txt(r):
        parts = [r[k:k + 255] for k in range(0, len(r), 255)] or ['']
        return ' '.join('"%s"' % p for p in parts)

    with open(os.path.join(ZONES, 'verify.zone'), 'w') as f:
        f.write('; Written by tests/verify/make-messages.py: the DNS of the signed\n'
                '; test messages of tests/verify/ (test-only keys).\n')
        for owner, r in recs:
            f.write('%s 3600 IN TXT %s\n' % (owner, txt(r)))
        for owner in ('sender.test.', 'strict.test.', 'mail.strict.test.', 'relaxed.test.',
                      'mail.relaxed.test.', 'esp.test.', 'receiver.test.'):
            f.write('%s 3600 IN A 192.0.2.1\n' % owner)


if __name__ == '__main__':
    main()
