# SPDX-License-Identifier: BSD-2-Clause
"""Fix operations (add, replace, delete, action), through the binding."""
import fromauth
from conftest import profile, scenario_ctx

WEAK = '_dmarc.dmarc-multiple.example. 3600 IN TXT "v=DMARC1; p=none"'


def test_add_fix_operation():
    # a finding with an addition: its one operation is the line of "fix"
    with scenario_ctx("no-dmarc") as ctx, profile("esp") as p:
        r = ctx.check("news@no-dmarc.example", p)
    f = next(f for f in r.findings if f.code == "dmarc.none")
    assert [x.op for x in f.fixes] == [fromauth.FixOp.ADD]
    assert f.fixes[0].op == "add" and str(f.fixes[0].op) == "add"
    assert [x.rr for x in f.fixes] == f.fix
    assert f.fixes[0].old is None and f.fixes[0].text is None
    j = next(x for x in r.to_dict()["findings"] if x["code"] == "dmarc.none")
    assert j["fixes"] == [{"op": "add", "rr": f.fix[0]}]
    # a finding without a fix has no operation
    g = next(f for f in r.findings if f.code == "spf.pass")
    assert g.fixes == [] and g.fix == []


def test_delete_fix_of_two_dmarc_records():
    with scenario_ctx("dmarc-multiple") as ctx, profile("esp") as p:
        r = ctx.check("news@dmarc-multiple.example", p, fix=True)
    assert r.verdict == "at-risk"
    # only the deletion changes the verdict
    assert r.fixed_verdict == "pass"
    f = next(f for f in r.findings if f.code == "dmarc.multiple")
    assert f.fix == []
    assert f.fixes == [fromauth.Fix(op=fromauth.FixOp.DELETE, rr=WEAK)]
    assert 'Keep "v=DMARC1; p=reject"' in f.message
    j = next(x for x in r.to_dict()["findings"] if x["code"] == "dmarc.multiple")
    assert j["fixes"] == [{"op": "delete", "rr": WEAK}]
