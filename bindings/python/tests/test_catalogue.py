# SPDX-License-Identifier: BSD-2-Clause
"""More of the service catalogue from Python (test_services.py has the
basics): every entry loads by name, a path is a file, a value left out
never stops a check, and a check through a catalogue service with its
parameters is what `fromauth check --service NAME --param` prints."""
import json
import os
import subprocess

import pytest

import fromauth
from conftest import EXAMPLES, ROOT

SERVICES = ROOT / "services"
ZONES = [ROOT / "tests" / "services" / "vendors.zone",
         ROOT / "tests" / "services" / "customers.zone"]
PARAMS = {"user-id": "1234", "wl": "123", "return-path": "em1234"}


@pytest.fixture(autouse=True)
def catalogue(monkeypatch):
    monkeypatch.setenv("FROMAUTH_SERVICES_DIR", str(SERVICES))


def test_an_empty_variable_means_the_installed_catalogue(monkeypatch):
    monkeypatch.setenv("FROMAUTH_SERVICES_DIR", "")
    d = fromauth.services_dir()
    assert d != str(SERVICES) and d.endswith("services")


def test_every_catalogue_file_loads_by_name():
    names = sorted(f.stem for f in SERVICES.glob("*.profile"))
    assert len(names) >= 8
    for name in names:
        with fromauth.Profile.load_service(name) as p:
            assert p.id == name and p.name and p.sources
            assert all(s.key and s.reference for s in p.sources)


def test_a_file_is_not_a_catalogue_entry():
    with fromauth.Profile.load(EXAMPLES / "esp.profile") as p:
        assert p.id is None and p.doc is None and p.verified is None
        assert p.params == [] and p.sources == []
    # A path given to load_service() is a file.
    with fromauth.Profile.load_service(str(EXAMPLES / "esp.profile")) as p:
        assert p.id is None and p.name == "Example ESP"


def test_setting_a_param_again_replaces_it():
    with fromauth.Profile.load_service("sendgrid") as p:
        assert p.set_param("user-id", "1") is p
        p.set_param("user-id", "99")
        assert p.params[0].value == "99"


def test_a_value_left_out_never_stops_the_check():
    with fromauth.Context(offline=True, zone_files=ZONES) as ctx, \
            fromauth.Profile.load_service("sendgrid") as p:
        r = ctx.check("news@bad-sendgrid.example", p)
    assert r.verdict == "fail"
    assert any("<user-id>" in line for f in r.findings for line in f.fix)
    assert any(f.needs_input for f in r.findings)


@pytest.mark.skipif(not os.environ.get("FROMAUTH_TOOL"), reason="FROMAUTH_TOOL not set")
@pytest.mark.parametrize("domain", ["ok-sendgrid.example", "bad-sendgrid.example"])
def test_check_through_a_service_equals_the_tool(domain):
    with fromauth.Context(offline=True, zone_files=ZONES) as ctx, \
            fromauth.Profile.load_service("sendgrid") as p:
        for k, v in PARAMS.items():
            p.set_param(k, v)
        r = ctx.check(f"news@{domain}", p, fix=True, rules="all")
    assert r.service == "SendGrid"
    assert r.dkim[0].expected_target == "s1.domainkey.u1234.wl123.sendgrid.net"
    assert r.spf.mail_from == f"em1234.{domain}"
    args = [os.environ["FROMAUTH_TOOL"], "check", f"news@{domain}", "--service", "sendgrid",
            "--offline", "--fix", "--rules", "all", "--json"]
    for z in ZONES:
        args += ["--zone", str(z)]
    for k, v in PARAMS.items():
        args += ["--param", f"{k}={v}"]
    out = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert out.returncode in (0, 1, 2, 3), out.stderr
    mine, theirs = r.to_dict(), json.loads(out.stdout)
    for d in (mine, theirs):
        d["stats"].pop("elapsed_ms")
    assert mine == theirs
    assert (r.verdict == "fail") == domain.startswith("bad")
