# SPDX-License-Identifier: BSD-2-Clause
"""Receivers' rules and blocklist reputation from Python: every scenario
of tests/test-rules.c (its zones, profile, From and flags, read from the
C table), the rows, FCrDNS and lookups compared with the JSON of the same
result and of `fromauth check --rules ... --json`, and statuses pinned
for the scenarios that matter."""
import json
import os
import re
import subprocess

import pytest

import fromauth
from conftest import CHECK, ROOT, profile

TESTS = ROOT / "tests"
MACROS = {"HEALTHY": "check/zones/healthy.zone", "PTR": "rules/ptr.zone",
          "BL": "rules/dnsbl.zone"}


def _scenarios():
    text = (TESTS / "test-rules.c").read_text()
    table = text[text.index("scenarios[] = {"):text.index("#define NSCENARIOS")]
    out = {}
    for m in re.finditer(r'^\t\{ "([a-z0-9-]+)",\s*\{ ([^}]*) \},\s*"(\w+)",\s*"([^"]+)",'
                         r'\s*(NULL|"[^"]+"),\s*([A-Z_ |\s]+),', table, flags=re.M):
        name, zones, prof, addr, timeout, flags = m.groups()
        zones = [MACROS.get(z.strip(), z.strip().strip('"'))
                 for z in zones.split(",") if z.strip() not in ("", "0")]
        flags = {f.strip() for f in flags.split("|")}
        rules = "all" if "ALL" in flags else \
            [f.rsplit("_", 1)[1].lower() for f in flags if f.startswith("FROMAUTH_CHECK_RULES_")]
        out[name] = dict(zones=zones, profile=prof, addr=addr,
                         timeout=None if timeout == "NULL" else timeout.strip('"'),
                         rules=rules, reputation="REP" in flags)
    return out


SCENARIOS = _scenarios()


def test_the_table_was_read():
    text = (TESTS / "test-rules.c").read_text()
    names = re.findall(r'^\t\{ "([a-z0-9-]+)",', text, flags=re.M)
    assert len(names) >= 30 and sorted(SCENARIOS) == sorted(names)
    assert sorted(SCENARIOS["bl-listed"]["rules"]) == ["outlook", "yahoo"]
    assert SCENARIOS["bl-listed"]["reputation"]
    assert not SCENARIOS["healthy"]["reputation"]


def run(name, **kw):
    s = SCENARIOS[name]
    with fromauth.Context(offline=True,
                          zone_files=[CHECK / "esp.zone"] + [TESTS / z for z in s["zones"]],
                          timeout_names=[s["timeout"]] if s["timeout"] else []) as ctx, \
            profile(s["profile"]) as p:
        return ctx.check(s["addr"], p, rules=s["rules"], reputation=s["reputation"], **kw)


def row(r, receiver, prefix):
    rows = [u for u in r.rules if u.receiver == receiver and u.requirement.startswith(prefix)]
    assert len(rows) == 1, (receiver, prefix, [u.requirement for u in r.rules])
    return rows[0]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_rows_equal_the_json(name):
    r = run(name)
    d = r.to_dict()
    assert [dict(receiver=u.receiver, tier=u.tier, requirement=u.requirement,
                 status=u.status.value, code=u.code, message=u.message, finding=u.finding)
            for u in r.rules] == d["rules"]
    assert all(isinstance(u.status, fromauth.RuleStatus) for u in r.rules)
    # The JSON's "" for no PTR is None here, as every absent value.
    assert [dict(ip=f.ip, ptr=f.ptr or "", status=f.status.value, detail=f.detail)
            for f in r.fcrdns] == d["fcrdns"]
    assert all(f.ptr is None or f.ptr for f in r.fcrdns)
    # A linked finding is one the result holds.
    assert {u.finding for u in r.rules if u.finding} <= set(r.codes())
    if SCENARIOS[name]["reputation"]:
        rep = d["reputation"]
        assert [dict(zone=p.zone, target=p.target, what=p.what, status=p.status.value,
                     codes=p.codes, reason=p.reason) for p in r.reputation] == rep["lookups"]
        assert [dict(zone=z.zone, self_test=z.self_test, detail=z.detail)
                for z in r.reputation_zones] == rep["zones"]
        assert r.reputation_zones
    else:
        assert "reputation" not in d and r.reputation == [] and r.reputation_zones == []
    # close() copies the rows out first.
    rules, reputation = r.rules, r.reputation
    r.close()
    assert r.rules == rules and r.reputation == reputation


def test_without_rules_there_are_no_rows(example_ctx, esp_profile):
    r = example_ctx.check("news@members.example", esp_profile)
    assert r.rules == [] and r.fcrdns == [] and r.reputation == []
    assert not {"rules", "fcrdns", "reputation"} & set(r.to_dict())


def test_healthy_rows():
    r = run("healthy")
    assert {u.receiver for u in r.rules} == set(fromauth.RECEIVERS)
    g = row(r, "gmail", "forward-confirmed reverse DNS")
    assert g.status == fromauth.RuleStatus.PASS and g.finding is None
    assert "192.0.2.127: PTR mta127.sendco.example, which resolves back to it" in g.message
    assert row(r, "yahoo", "sending addresses not listed by Spamhaus").status == "not_checked"
    assert all(f.status == "pass" for f in r.fcrdns) and r.fcrdns
    assert "rules.fcrdns" not in r.codes()


def test_failing_rows_link_their_finding():
    r = run("none-unauth")
    u = row(r, "gmail", "SPF or DKIM passes")
    assert (u.status, u.finding) == (fromauth.RuleStatus.FAIL, "spf.none")
    assert "550 5.7.26" in u.code + u.message
    r = run("no-ptr")
    u = row(r, "apple", "reverse DNS for the sending")
    assert (u.status, u.finding) == ("fail", "rules.fcrdns")
    assert r.fcrdns and all(f.status == "fail" and f.ptr is None for f in r.fcrdns)
    r = run("spf-temp")
    assert row(r, "gmail", "SPF or DKIM passes").status == fromauth.RuleStatus.UNKNOWN


def test_one_receiver_only():
    r = run("gmail-from")
    assert {u.receiver for u in r.rules} == {"gmail"}
    assert row(r, "gmail", "From is not a gmail").status == "fail"


def test_listed_refused_broken():
    r = run("bl-listed")
    assert {u.receiver for u in r.rules} == {"yahoo", "outlook"}
    listed = [p for p in r.reputation if p.status == fromauth.ReputationStatus.LISTED]
    assert {p.target for p in listed} >= {"192.0.2.0", "healthy.example"}
    assert any("SBL1234" in (p.reason or "") for p in listed)
    assert row(r, "yahoo", "sending addresses not listed by Spamhaus").finding == \
        "reputation.ip_listed"
    r = run("bl-refused")
    assert any(p.status == "refused" for p in r.reputation)
    assert not any(p.status == "listed" for p in r.reputation)
    r = run("bl-broken")
    assert "reputation.list_broken" in r.codes()
    assert any(z.self_test != "ok" for z in r.reputation_zones)
    assert not any(p.status == "listed" for p in r.reputation)


def test_own_blocklist():
    """Context(dnsbl=...) replaces the default lists."""
    with fromauth.Context(offline=True,
                          zone_files=[CHECK / "esp.zone", TESTS / MACROS["HEALTHY"]],
                          dnsbl=["zone=bl.example; kind=ip; listed=127.0.0.2 on our list"],
                          assume=["2.0.0.127.bl.example. 300 IN A 127.0.0.2",
                                  "0.2.0.192.bl.example. 300 IN A 127.0.0.2"]) as ctx, \
            profile("esp") as p:
        r = ctx.check("news@healthy.example", p, reputation=True)
    assert r.rules == []
    assert {p.zone for p in r.reputation} == {"bl.example"}
    assert [p.target for p in r.reputation if p.status == "listed"] == ["192.0.2.0"]
    assert "reputation.ip_listed" in r.codes()


def test_bad_arguments():
    with pytest.raises(fromauth.InvalidArgumentError) as e:
        fromauth.Context(dnsbl=["zone=bl.example; kind=both; listed=127.0.0.2"])
    assert "kind" in e.value.detail
    with fromauth.Context(offline=True) as ctx, profile("esp") as p:
        with pytest.raises(fromauth.InvalidArgumentError) as e:
            ctx.check("news@healthy.example", p, rules=["gmail", "hotmail"])
        assert "hotmail" in e.value.detail
        with pytest.raises(fromauth.InvalidArgumentError):
            list(ctx.check_many(["news@healthy.example"], p, rules="aol"))


def test_comma_separated_and_check_many():
    s = SCENARIOS["bl-listed"]
    with fromauth.Context(offline=True,
                          zone_files=[CHECK / "esp.zone"] + [TESTS / z for z in s["zones"]]) as ctx, \
            profile("esp") as p:
        one = ctx.check(s["addr"], p, rules="yahoo, outlook", reputation=True)
        many = list(ctx.check_many([s["addr"]] * 3, p, jobs=2, rules=["yahoo", "outlook"],
                                   reputation=True))
    assert all(m.rules == one.rules and m.reputation == one.reputation for m in many)
    assert one.rules


@pytest.mark.skipif(not os.environ.get("FROMAUTH_TOOL"), reason="FROMAUTH_TOOL not set")
@pytest.mark.parametrize("name", ["healthy", "no-ptr", "bl-listed", "bl-broken", "gmail-from"])
def test_to_dict_equals_the_tool(name):
    s = SCENARIOS[name]
    r = run(name)
    args = [os.environ["FROMAUTH_TOOL"], "check", s["addr"], "--offline", "--json",
            "--service", str(CHECK / "profiles" / f"{s['profile']}.profile"),
            "--zone", str(CHECK / "esp.zone"),
            "--rules", s["rules"] if isinstance(s["rules"], str) else ",".join(s["rules"])]
    for z in s["zones"]:
        args += ["--zone", str(TESTS / z)]
    if s["reputation"]:
        args.append("--reputation")
    out = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert out.returncode in (0, 1, 2, 3), out.stderr
    tool, mine = json.loads(out.stdout), r.to_dict()
    tool.pop("stats"), mine.pop("stats")
    assert mine == tool


def test_readme_rules_example(capsys):
    """The rules example of bindings/python/README.md, after its five lines."""
    text = (ROOT / "bindings" / "python" / "README.md").read_text()
    blocks = [re.sub(r"^  ", "", b, flags=re.M)
              for b in re.findall(r"```python\n(.*?)```", text, re.S)]
    rules = [b for b in blocks if "rules=" in b]
    assert len(rules) == 1
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        ns = {}
        exec(compile(blocks[0] + rules[0], "README.md", "exec"), ns)
    finally:
        os.chdir(old)
    out = capsys.readouterr().out
    assert "('gmail', 'SPF and DKIM both pass'" in out and "dkim.key_missing" in out
