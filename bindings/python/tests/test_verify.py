# SPDX-License-Identifier: BSD-2-Clause
"""Message verification from Python, over the messages of tests/verify."""
import pytest

import fromauth
from conftest import ROOT

VERIFY = ROOT / "tests" / "verify"


@pytest.fixture
def ctx():
    with fromauth.Context(offline=True,
                          zone_files=[ROOT / "tests" / "zones" / "verify.zone"]) as c:
        yield c


def test_pass(ctx):
    v = ctx.verify((VERIFY / "pass.eml").read_bytes())
    assert v.dmarc_result == "pass" and v.dmarc.policy != "absent"
    assert v.signatures and v.signatures[0].result == "pass"
    assert v.signatures[0].aligned is True
    assert "dkim=pass" in v.authentication_results
    assert v.to_dict()["dmarc"]["result"] == "pass"


def test_body_changed(ctx):
    v = ctx.verify((VERIFY / "body-changed.eml").read_bytes(), ip="192.0.2.10")
    assert v.dmarc_result == "fail"
    assert "dkim.body_hash" in v.codes()
    assert v.signatures[0].result == "fail" and v.signatures[0].reason
    assert v.from_address.endswith("@" + v.domain)
    assert [f.code for f in v.findings] == [f["code"] for f in v.to_dict()["findings"]]


def test_spf_only_and_fix(ctx):
    msg = (VERIFY / "spf-only.eml").read_text()
    v = ctx.verify(msg, ip="203.0.113.1")
    assert v.spf is not None and v.spf.ip == "203.0.113.1"
    assert v.spf_result == v.spf.result and v.fixed_dmarc_result is None
    fixed = ctx.verify(msg, ip="203.0.113.1", fix=True)
    assert fixed.fixed_dmarc_result is not None


def test_not_a_message(ctx):
    with pytest.raises(fromauth.MessageError) as e:
        ctx.verify(b"this is not a message\n")
    assert e.value.code == -13 and e.value.detail
    with pytest.raises(fromauth.IPError):
        ctx.verify((VERIFY / "pass.eml").read_bytes(), ip="not-an-ip")
