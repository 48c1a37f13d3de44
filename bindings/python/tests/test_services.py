# SPDX-License-Identifier: BSD-2-Clause
"""The service catalogue from Python: found by name, parameters, sources,
and a check of a domain set up as the vendor documents."""
import pytest

import fromauth
from conftest import ROOT

SERVICES = ROOT / "services"
ZONES = [ROOT / "tests" / "services" / "vendors.zone",
         ROOT / "tests" / "services" / "customers.zone"]


@pytest.fixture(autouse=True)
def catalogue(monkeypatch):
    monkeypatch.setenv("FROMAUTH_SERVICES_DIR", str(SERVICES))


def test_services_dir():
    assert fromauth.services_dir() == str(SERVICES)


def test_load_service_and_params():
    with fromauth.Profile.load_service("sendgrid") as p:
        assert p.id == "sendgrid" and p.doc.startswith("https://")
        assert len(p.verified) == 10
        assert {s.status for s in p.sources} <= {"O", "T", "X", "UNCONFIRMED"}
        names = [x.name for x in p.params]
        assert names == ["user-id", "wl", "return-path"]
        assert all(x.value is None and x.description for x in p.params)
        p.set_param("user-id", "1234").set_param("wl", "123").set_param("return-path", "em1234")
        assert [x.value for x in p.params] == ["1234", "123", "em1234"]
        with pytest.raises(fromauth.ProfileError) as e:
            p.set_param("user-id", "abc")
        assert "does not look like" in str(e.value)
        with pytest.raises(fromauth.ProfileError):
            p.set_param("nope", "1")
        with fromauth.Context(offline=True, zone_files=ZONES) as ctx:
            r = ctx.check("news@bad-sendgrid.example", p, fix=True)
            fixes = [line for f in r.findings for line in f.fix]
            assert "em1234.bad-sendgrid.example. 3600 IN CNAME u1234.wl123.sendgrid.net." in fixes
            assert r.verdict == fromauth.Verdict.FAIL


def test_unknown_service():
    with pytest.raises(fromauth.FileError) as e:
        fromauth.Profile.load_service("no-such-service")
    assert str(SERVICES) in str(e.value)


def test_send_as_denied():
    with fromauth.Profile.load_service("microsoft365") as p, \
            fromauth.Context(offline=True, zone_files=ZONES) as ctx:
        p.set_param("login", "news@ok-m365.example")
        r = ctx.check("shared@ok-m365.example", p)
        assert r.verdict == fromauth.Verdict.FAIL
        msg = [f.message for f in r.findings if f.code == "service.send_as_denied"][0]
        assert "5.7.60 SMTP; Client does not have permissions to send as this sender" in msg
