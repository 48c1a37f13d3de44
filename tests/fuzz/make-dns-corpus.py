#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Write the seed corpus of fuzz-dns-answer: the replies the hostile-server
test gets (tests/hostile-dns.py, every mode, UDP and TCP), and a few
well-formed replies of the kinds the network tests see (CNAME chain, MX,
NXDOMAIN with SOA, AAAA, PTR, multi-string TXT).

    tests/fuzz/make-dns-corpus.py tests/fuzz/corpus-dns-answer
"""
import importlib.util
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "hostile", os.path.join(here, "..", "hostile-dns.py"))
hostile = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hostile)

enc = hostile.encode_name


def labels(name):
    return [x.encode() for x in name.split(".")]


def reply(qname, qtype, answers, authority=(), rcode=0, qid=0x4242):
    """answers/authority: (owner, type, rdata); owner names written whole."""
    out = struct.pack("!6H", qid, 0x8580 | rcode, 1, len(answers), len(authority), 0)
    out += enc(labels(qname)) + struct.pack("!HH", qtype, 1)
    for owner, rtype, rdata in list(answers) + list(authority):
        out += enc(labels(owner)) + struct.pack("!HHIH", rtype, 1, 300, len(rdata)) + rdata
    return out


def main():
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    seeds = {}
    for mode in sorted(hostile.MODES):
        for qtype, tname in ((1, "a"), (16, "txt")):
            for good in ("", "good."):
                name = "%s%s.hostile.test" % (good, mode)
                query = struct.pack("!6H", 0x4242, 0x0100, 1, 0, 0, 1) + \
                    enc(labels(name)) + struct.pack("!HH", qtype, 1)
                q = hostile.parse_query(query)
                for proto in ("udp", "tcp"):
                    for i, r in enumerate(hostile.build(q, proto)):
                        if isinstance(r, tuple):
                            r = r[1]
                        seeds["%s%s-%s-%s-%d" % (good.rstrip("."), mode, tname, proto, i)] = r
    soa = enc(labels("ns.test")) + enc(labels("hostmaster.test")) + \
        struct.pack("!5I", 1, 3600, 600, 86400, 120)
    seeds["cname-chain"] = reply("c1.net.test", 16, [
        ("c1.net.test", 5, enc(labels("c2.net.test"))),
        ("c2.net.test", 5, enc(labels("txt.net.test"))),
        ("txt.net.test", 16, b"\x05hello\x05world")])
    seeds["mx"] = reply("mx.net.test", 15, [
        ("mx.net.test", 15, struct.pack("!H", 10) + enc(labels("mail.net.test")))])
    seeds["nxdomain-soa"] = reply("nothing.net.test", 16, [],
                                  [("test", 6, soa)], rcode=3)
    seeds["aaaa"] = reply("net.test", 28, [("net.test", 28, bytes(range(16)))])
    seeds["ptr"] = reply("1.2.0.192.in-addr.arpa", 12, [
        ("1.2.0.192.in-addr.arpa", 12, enc(labels("mail.net.test")))])
    seen = set()
    for name, data in sorted(seeds.items()):
        if data in seen:
            continue            # keep the seed directory small
        seen.add(data)
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
