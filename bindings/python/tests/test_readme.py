# SPDX-License-Identifier: BSD-2-Clause
"""The README scenario from Python, and the README's example as written."""
import json
import os
import re
import subprocess

import fromauth
from conftest import EXAMPLES, ROOT


def test_readme_scenario(example_ctx, esp_profile):
    r = example_ctx.check("News <news@members.example>", esp_profile, fix=True)
    assert r.verdict is fromauth.Verdict.FAIL and r.verdict == "fail"
    assert r.fixed_verdict is fromauth.Verdict.PASS
    assert r.codes() == ["spf.softfail", "spf.include_missing", "dkim.key_missing",
                         "dmarc.fail_quarantine"]
    spf_fix = r.findings[1]
    assert spf_fix.severity is fromauth.Severity.ERROR
    assert spf_fix.fix == ['members.example. 3600 IN TXT '
                           '"v=spf1 include:_spf.mailhost.example include:spf.esp.example ~all"']
    assert not spf_fix.needs_input
    assert r.findings[2].fix == ["esp1._domainkey.members.example. 3600 IN CNAME "
                                 "esp1.dkim.esp.example."]
    assert r.spf.record == "v=spf1 include:_spf.mailhost.example ~all"
    assert r.spf.result is fromauth.SpfResult.SOFTFAIL and not r.spf.aligned
    assert len(r.spf.ips) == 4 and all(i.result == "softfail" for i in r.spf.ips)
    assert r.dkim[0].status is fromauth.DkimStatus.MISSING
    assert r.dkim[0].expected_target == "esp1.dkim.esp.example"
    assert r.dkim[0].target_reached is False and r.dkim[0].aligned is True
    assert r.dmarc.policy is fromauth.Policy.QUARANTINE and r.dmarc.result == "fail"
    assert r.dmarc.rua == ["mailto:dmarc-reports@members.example"]
    assert r.dmarc.tree_walk == ["_dmarc.members.example", "_dmarc.example"]
    assert r.service == "Example ESP" and r.from_address == "news@members.example"


def test_same_as_the_tool(example_ctx, esp_profile):
    """to_dict() is what `fromauth check --json` prints (but the timing)."""
    r = example_ctx.check("news@members.example", esp_profile, fix=True)
    out = subprocess.run(
        [os.environ.get("FROMAUTH_TOOL", "fromauth"), "check", "news@members.example",
         "--service", str(EXAMPLES / "esp.profile"),
         "--zone", str(EXAMPLES / "members.example.zone"), "--offline", "--fix", "--json"],
        capture_output=True, text=True)
    assert out.returncode == 2
    tool = json.loads(out.stdout)
    mine = r.to_dict()
    for d in (tool, mine):
        d["stats"].pop("elapsed_ms")
    assert mine == tool


def test_binding_readme_example_runs():
    """The five lines of bindings/python/README.md, run as written from the
    source tree's root."""
    text = (ROOT / "bindings" / "python" / "README.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    lines = [l for l in code.splitlines() if l.strip()]
    assert len(lines) <= 5
    old = os.getcwd()
    os.chdir(ROOT)
    try:
        ns = {}
        exec(compile(code, "README.md", "exec"), ns)
    finally:
        os.chdir(old)
    assert ns["r"].verdict == "fail"


def test_other_example_addresses(example_ctx, esp_profile):
    # A subdomain the profile allows, and one it does not.
    sub = example_ctx.check("news@lists.members.example", esp_profile)
    assert "service.send_as_denied" not in sub.codes()
    other = fromauth.Profile.parse("name = X\nspf-include = spf.esp.example\n"
                                   "allowed-from = other.example\n")
    with other:
        denied = example_ctx.check("news@members.example", other)
    assert denied.verdict == "fail" and "service.send_as_denied" in denied.codes()


def test_top_readme_shows_the_same_example():
    def block(path):
        return re.search(r"```python\n(.*?)```", path.read_text(), re.S).group(1)
    assert block(ROOT / "README.md") == block(ROOT / "bindings" / "python" / "README.md")
