#!/usr/bin/env node
// SPDX-License-Identifier: BSD-2-Clause
// Cross-check of `fromauth verify` with mailauth (npm, not a CI
// requirement): both verify every tests/verify/*.eml with the DNS of
// tests/zones/verify.zone; the per-signature DKIM results and the DMARC
// result are compared.  Where mailauth departs from the RFCs the
// difference is expected and the reason printed; any other difference
// fails (exit 1).
//
//   npm install --prefix /tmp/mailauth mailauth@4.13.3
//   NODE_PATH=/tmp/mailauth/node_modules node tests/verify/mailauth-crosscheck.js build/tools/fromauth
'use strict';
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { authenticate } = require('mailauth');

const here = __dirname;
const fromauth = path.resolve(process.argv[2] || 'build/tools/fromauth');
const zoneFile = path.join(here, '..', 'zones', 'verify.zone');

// The zone's TXT and A records, for mailauth's resolver.
const zone = {};
for (const line of fs.readFileSync(zoneFile, 'utf8').split('\n')) {
    const m = line.match(/^(\S+)\.\s+\d+\s+IN\s+(TXT|A)\s+(.*)$/);
    if (!m) continue;
    const key = m[1].toLowerCase() + '/' + m[2];
    const value = m[2] === 'TXT' ? [...m[3].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map(x => x[1]) : m[3];
    (zone[key] = zone[key] || []).push(value);
}
async function resolver(name, rr) {
    const got = zone[name.toLowerCase().replace(/\.$/, '') + '/' + rr];
    if (got) return got;
    const known = Object.keys(zone).some(k => k.startsWith(name.toLowerCase() + '/'));
    const err = new Error((known ? 'ENODATA ' : 'ENOTFOUND ') + name);
    err.code = known ? 'ENODATA' : 'ENOTFOUND';
    throw err;
}

// RFC 8301 / 6376 / 7489 points where mailauth 4.13.3 is known to differ.
const expected = {
    'sha1': 'mailauth accepts rsa-sha1; RFC 8301 3.1 says verifiers MUST NOT consider it valid',
    'no-from-in-h': 'mailauth accepts h= without From; RFC 6376 5.4 requires From to be signed',
    'i-outside-d': 'mailauth accepts i= outside d=; RFC 6376 3.5 makes such a signature invalid',
    'strict-alignment': 'mailauth does not enforce adkim=s/aspf=s; RFC 7489 3.1 strict alignment needs the same domain',
    'duplicate-tag': 'RFC 6376 3.2: a tag given twice makes the tag-list invalid',
    'expired': 'both fail; RFC 8601 has no "expired": mailauth says neutral, we say fail (dkim.expired)',
    'bad-version': 'mailauth accepts v=2; RFC 6376 3.5 says v= MUST be 1 and other values make the signature fail',
    'no-version': 'mailauth accepts a signature without v=; RFC 6376 3.5 makes v= REQUIRED',
    'body-changed': 'both fail; mailauth says neutral for a body hash mismatch, RFC 6376 6.1.3 makes it a failed verification: fail (dkim.body_hash)',
    'key-hash-sha1': 'mailauth ignores the key\'s h=; RFC 6376 3.6.1 restricts the key to the hashes listed',
    'key-service-other': 'mailauth ignores the key\'s s=; RFC 6376 3.6.1 needs s= to include email or *',
    'key-strict-subdomain': 'mailauth ignores the key\'s t=s; RFC 6376 3.6.1 then forbids an i= below d=',
    'key-type-mismatch': 'both fail; an ed25519 signature with an RSA key is a key-record mismatch (RFC 6376 6.1.2, permerror), not a cryptographic fail',
    'no-domain': 'both fail DMARC; mailauth drops a signature without d=, we report it permerror (RFC 6376 6.1.1) so it is seen',
    'unknown-algorithm': 'both fail DMARC; mailauth drops a signature with an unknown a=, we report it permerror (RFC 6376 6.1.1)',
};
// RFC 8601 results that mean the same failure class.
const same = (a, b) => a === b ||
    (['permerror', 'neutral', 'policy'].includes(a) && ['permerror', 'neutral', 'policy'].includes(b));

(async () => {
    let bad = 0;
    for (const file of fs.readdirSync(here).filter(f => f.endsWith('.eml')).sort()) {
        const name = file.replace(/\.eml$/, '');
        const msg = fs.readFileSync(path.join(here, file));
        const ma = await authenticate(msg, { trustReceived: true, resolver, mta: 'fromauth', disableArc: true, disableBimi: true });
        let ours;
        try {
            ours = JSON.parse(execFileSync(fromauth, ['verify', '--offline', '--zone', zoneFile, '--json', path.join(here, file)]));
        } catch (e) {
            ours = JSON.parse(e.stdout);
        }
        const theirs = ma.dkim.results.filter(r => r.signingDomain !== undefined || r.status.result !== 'none')
            .map(r => r.status.result);
        const mine = ours.dkim.map(s => s.result);
        const dmarcTheirs = ma.dmarc && ma.dmarc.status ? ma.dmarc.status.result : 'none';
        const ok = theirs.length === mine.length && theirs.every((r, i) => same(r, mine[i])) &&
            same(dmarcTheirs, ours.dmarc.result);
        const line = `${name.padEnd(24)} dkim ours=${mine.join(',') || '-'} mailauth=${theirs.join(',') || '-'}  dmarc ours=${ours.dmarc.result} mailauth=${dmarcTheirs}`;
        if (ok) console.log('same     ' + line);
        else if (expected[name]) console.log('expected ' + line + '\n         ' + expected[name]);
        else { console.log('DIFFERS  ' + line); bad++; }
    }
    process.exit(bad ? 1 : 0);
})();
