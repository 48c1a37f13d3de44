# SPDX-License-Identifier: BSD-2-Clause
"""Every verdict through the binding, over the check scenarios of
tests/check, and every part of the result against the library's JSON."""
import json

import pytest

import fromauth
from conftest import ROOT, profile, scenario_ctx

# (zone, profile, From, timeout name, verdict, codes that must be there,
#  fixed verdict)
SCENARIOS = [
    ("healthy", "esp", "news@healthy.example", None, "pass",
     ["spf.pass", "dkim.pass", "dmarc.pass"], "pass"),
    ("idn", "esp", '"B\u00fccher" <news@b\u00fccher.example>', None, "pass",
     ["dmarc.pass"], "pass"),
    ("no-dmarc", "esp", "news@no-dmarc.example", None, "at-risk", ["dmarc.none"], "pass"),
    ("unaligned", "svcsign", "news@unaligned.example", None, "at-risk", [], None),
    ("quarantine", "esp", "news@quarantine.example", None, "fail",
     ["spf.include_missing", "dkim.key_missing", "dmarc.fail_quarantine"], "pass"),
    ("reject", "esp", "news@reject.example", None, "fail", ["dmarc.fail_reject"], "pass"),
    ("ips-placeholder", "ips", "news@ips-placeholder.example", None, "fail", [], None),
    ("spf-temp", "esp", "news@spf-temp.example", "spf-temp.example", "unknown", [], None),
    ("dmarc-temp", "esp", "news@dmarc-temp.example", "_dmarc.dmarc-temp.example",
     "unknown", ["dmarc.temperror"], None),
]


@pytest.mark.parametrize("zone,prof,addr,timeout,verdict,codes,fixed", SCENARIOS,
                         ids=[s[0] for s in SCENARIOS])
def test_verdict(zone, prof, addr, timeout, verdict, codes, fixed):
    with scenario_ctx(zone, timeout) as ctx, profile(prof) as p:
        r = ctx.check(addr, p, fix=True)
    assert isinstance(r.verdict, fromauth.Verdict) and isinstance(r.verdict, str)
    assert r.verdict == verdict, r.codes()
    assert r.verdict.exit_status == ["pass", "at-risk", "fail", "unknown"].index(verdict)
    for c in codes:
        assert c in r.codes()
    if fixed is not None:
        assert r.fixed_verdict == fixed
    assert_matches_json(r)
    assert_schema_valid(r.to_dict())


def assert_schema_valid(obj):
    """The library's JSON, also of the timing-out scenarios the tool cannot
    make, against the committed schema (tests/check-schema.py checks the
    tool's output strictly)."""
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "doc" / "schema" / "fromauth.schema.json").read_text())
    schema["$ref"] = "#/$defs/check"
    jsonschema.Draft202012Validator(schema).validate(obj)


def test_every_verdict_covered():
    assert {s[4] for s in SCENARIOS} == {v.value for v in fromauth.Verdict}


def test_no_fix_means_no_fixed_verdict():
    with scenario_ctx("quarantine") as ctx, profile("esp") as p:
        r = ctx.check("news@quarantine.example", p)
    assert r.fixed_verdict is None and "fixed_verdict" not in r.to_dict()


def test_placeholder_fix_not_applied():
    with scenario_ctx("ips-placeholder") as ctx, profile("ips") as p:
        r = ctx.check("news@ips-placeholder.example", p, fix=True)
    assert any(f.needs_input for f in r.findings)
    assert r.fixes_not_applied
    assert r.fixes_not_applied == r.to_dict()["fixes_not_applied"]


def _none_if_empty(v):
    return v if v else None


def assert_matches_json(r):
    """Each field of the Python result is the JSON's, so the binding reads
    every getter right (and the getters tell what the JSON tells)."""
    j = r.to_dict()
    assert r.from_address == j["from"] and r.domain == j["domain"]
    assert r.org_domain == j["org_domain"] and r.service == j["service"]
    assert r.verdict == j["verdict"]
    assert [(f.code, f.severity.value, f.message, f.fix, f.needs_input) for f in r.findings] == \
        [(f["code"], f["severity"], f["message"], f["fix"], f.get("fix_needs_input", False))
         for f in j["findings"]]
    s = j["spf"]
    assert (r.spf.mail_from, r.spf.result, r.spf.aligned, r.spf.outside_domain, r.spf.record,
            r.spf.lookups, r.spf.void_lookups, r.spf.lookups_cut) == \
        (s["mail_from"], s["result"], s["aligned"], s["outside_domain"], s["record"],
         s["lookups"], s["void_lookups"], s["lookups_cut"])
    for mine, theirs in zip(r.spf.ips, s["ips"], strict=True):
        assert (mine.ip, mine.domain, mine.result, mine.reason, mine.explanation, mine.record,
                mine.lookups, mine.void_lookups) == \
            (theirs["ip"], theirs["domain"], theirs["result"], theirs["reason"],
             _none_if_empty(theirs["explanation"]), _none_if_empty(theirs["record"]),
             theirs["lookups"], theirs["void_lookups"])
    for mine, theirs in zip(r.dkim, j["dkim"], strict=True):
        assert (mine.selector, mine.domain, mine.name, mine.status, mine.reason, mine.key_bits,
                mine.key_short, mine.testing, mine.cnames, mine.expected_target,
                mine.aligned) == \
            (theirs["selector"], theirs["domain"], theirs["name"], theirs["status"],
             theirs["reason"], theirs["key_bits"], theirs["key_short"], theirs["testing"],
             theirs["cnames"], theirs["expected_target"], theirs["aligned"])
        assert mine.key_type == _none_if_empty(theirs["key_type"])
        assert mine.record == _none_if_empty(theirs["record"])
        assert mine.target_reached == theirs.get("target_ok")
        assert mine.target_key_equal == theirs.get("target_key_equal")
    d, jd = r.dmarc, j["dmarc"]
    assert (d.domain, d.record, d.record_domain, d.record_count, d.org_domain, d.policy,
            d.policy_tag, d.applied_policy, d.nonexistent, d.testing, d.pct, d.adkim, d.aspf,
            d.psd, d.fo, d.rf, d.ri, d.rua, d.ruf, d.problems, d.tree_walk,
            d.discovery_differs, d.temperror, d.result) == \
        (jd["domain"], jd["record"], jd["record_domain"], jd["records"], jd["org_domain"],
         jd["policy"], jd["policy_tag"], jd["applied_policy"], jd["nonexistent"],
         jd["testing"], jd["pct"], jd["adkim"], jd["aspf"], jd["psd"], jd["fo"], jd["rf"],
         jd["ri"], jd["rua"], jd["ruf"], jd["problems"], jd["tree_walk"],
         jd["discovery_differs"], jd["temperror"], jd["result"])
    assert (d.p, d.sp, d.np) == (jd["p"], jd["sp"], jd["np"])
    assert d.multiple_domain == jd.get("multiple_at")
    assert [(u.uri, u.host, u.authorization_record) for u in d.unauthorized] == \
        [(u["uri"], u["host"], u["authorization_record"]) for u in jd["unauthorized"]]
    # The destination's fix is the line the check's finding proposes.
    assert [u.fix for u in d.unauthorized] == \
        [f.fix[0] for f in r.findings if f.code == "dmarc.rua_unauthorized"]
    o = jd["rfc7489"]
    assert (d.rfc7489.org_domain, d.rfc7489.record_domain, d.rfc7489.record, d.rfc7489.policy,
            d.rfc7489.temperror) == \
        (o["org_domain"], o["record_domain"], o["record"], o["policy"], o["temperror"])
    assert (r.stats.dns_queries, r.stats.cache_hits, r.stats.elapsed_ms) == \
        (j["stats"]["dns_queries"], j["stats"]["cache_hits"], j["stats"]["elapsed_ms"])


def test_parts_on_their_own():
    with scenario_ctx("rua-foreign") as ctx:
        d = ctx.dmarc("rua-foreign.example")
        assert d.result is None and d.policy == "none"
        assert [u.host for u in d.unauthorized] == ["reports.thirdparty.example"]
        assert [u.fix for u in d.unauthorized] == \
            ['rua-foreign.example._report._dmarc.reports.thirdparty.example. 3600 IN TXT "v=DMARC1"']
        k = ctx.dkim("s1", "healthy.example", "s2048.dkim.sendco.example")
        assert k.status == "missing" and k.target_reached is False
        s = ctx.spf("192.0.2.1", "rua-foreign.example")
        assert isinstance(s.result, fromauth.SpfResult)
        a = ctx.dns_lookup("_dmarc.rua-foreign.example", "txt")
        assert a.status is fromauth.DnsStatus.OK and a.source == "overlay"
        assert a.records and "v=DMARC1" in a.records[0]
    with scenario_ctx("healthy") as ctx:
        k = ctx.dkim("s1", "healthy.example", "s2048.dkim.sendco.example")
        assert k.status is fromauth.DkimStatus.VALID and k.target_reached is True
        assert k.key_type == "rsa" and k.key_bits == 2048 and k.aligned is None
        assert ctx.dns_lookup("nosuch.healthy.example", "A").status == "nxdomain"


def test_profile_accessors():
    with fromauth.Profile() as p:
        p.set("name", "Mine").set("ip", "192.0.2.0/24").set("ip", "2001:db8::/32")
        p.set("dkim", "s1 {domain} s1.dkim.mine.example").set("helo", "mta.mine.example")
        p.validate()
        assert p.name == "Mine" and p.ips == ["192.0.2.0/24", "2001:db8::/32"]
        assert p.dkim == [fromauth.DkimIdentity("s1", "{domain}", "s1.dkim.mine.example")]
        assert p.helo == "mta.mine.example" and p.spf_include is None
        assert p.mail_from is None and p.mail_from_target is None and p.allowed_from == []
    with profile("esp") as p:
        assert p.name == "SendCo" and p.spf_include == "spf.sendco.example"


def test_address_and_alabel():
    a = fromauth.parse_address('"B\u00fccher" <News@B\u00fccher.example>')
    assert a.domain == "xn--bcher-kva.example" and a.local == "News"
    assert a.display_name == "B\u00fccher" and a.addr_spec == "News@xn--bcher-kva.example"
    assert fromauth.parse_address("a@example.com").display_name is None
    assert fromauth.to_alabel("B\u00fccher.Example.") == "xn--bcher-kva.example"
    with scenario_ctx("idn") as ctx:
        assert ctx.dmarc("b\u00fccher.example").domain == "xn--bcher-kva.example"


def test_spf_lookups_cut():
    """A tree read only as far as a receiver reads it says so."""
    for zone, cut in (("spf-lookups", True), ("healthy", False)):
        with scenario_ctx(zone) as ctx, profile("esp") as p:
            r = ctx.check(f"news@{zone}.example", p)
        assert r.spf.lookups_cut is cut
        assert r.spf.lookups_cut == r.to_dict()["spf"]["lookups_cut"]
    assert r.spf.lookups >= 1
