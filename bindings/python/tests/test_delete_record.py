# SPDX-License-Identifier: BSD-2-Clause
"""Deleting records from the overlay, through the binding."""
import pytest

import fromauth
from conftest import profile, scenario_ctx

MULTI = "news@dmarc-multiple.example"
WEAK = '_dmarc.dmarc-multiple.example. 3600 IN TXT "v=DMARC1; p=none"'
STRONG = '_dmarc.dmarc-multiple.example. TXT "v=DMARC1; p=reject"'


@pytest.mark.parametrize("deleted,verdict,code", [
    ([WEAK], "pass", "dmarc.pass"),
    ([STRONG, WEAK], "at-risk", "dmarc.none"),
])
def test_assume_delete(deleted, verdict, code):
    with scenario_ctx("dmarc-multiple", assume_delete=deleted) as ctx, profile("esp") as p:
        r = ctx.check(MULTI, p)
    assert r.verdict == verdict and code in r.codes()


def test_delete_record():
    with scenario_ctx("dmarc-multiple") as ctx:
        assert len(ctx.dns_lookup("_dmarc.dmarc-multiple.example", "TXT").records) == 2
        ctx.delete_record(WEAK)
        a = ctx.dns_lookup("_dmarc.dmarc-multiple.example", "TXT")
        assert a.records == ['"v=DMARC1; p=reject"']
        ctx.delete_record(STRONG)
        assert ctx.dns_lookup("_dmarc.dmarc-multiple.example", "TXT").status == "nxdomain"
        ctx.add_record(WEAK)
        assert len(ctx.dns_lookup("_dmarc.dmarc-multiple.example", "TXT").records) == 1
        with pytest.raises(fromauth.RecordError):
            ctx.delete_record("not a record")
