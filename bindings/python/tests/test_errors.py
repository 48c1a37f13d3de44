# SPDX-License-Identifier: BSD-2-Clause
"""Bad input raises fromauth.Error subclasses with the C code and detail;
closed objects refuse use; nothing crashes."""
import gc

import pytest

import fromauth
from conftest import EXAMPLES, profile, scenario_ctx


def test_bad_address(example_ctx, esp_profile):
    with pytest.raises(fromauth.AddressError) as e:
        example_ctx.check("news@@members.example", esp_profile)
    assert e.value.code == -3 and "'@'" in e.value.detail
    assert e.value.name == "malformed From address" or e.value.name
    assert isinstance(e.value, ValueError)


def test_bad_domain(example_ctx, esp_profile):
    with pytest.raises(fromauth.DomainError) as e:
        example_ctx.check("news@" + "a" * 64 + ".example", esp_profile)
    assert e.value.code == -4 and "the limit is 63" in e.value.detail
    with pytest.raises(fromauth.DomainError):
        example_ctx.dmarc("bad..example")
    with pytest.raises(fromauth.DomainError):
        fromauth.to_alabel("192.0.2.1")


def test_bad_profile():
    with pytest.raises(fromauth.ProfileError) as e:
        fromauth.Profile.parse("name = X\nnonsense = 1\n", "mine.profile")
    assert e.value.code == -5 and "mine.profile" in e.value.detail
    with pytest.raises(fromauth.ProfileError):
        fromauth.Profile().set("ip", "not-an-ip")
    with pytest.raises(fromauth.ProfileError):
        fromauth.Profile().validate()


def test_missing_file():
    with pytest.raises(fromauth.FileError) as e:
        fromauth.Profile.load(EXAMPLES / "no-such.profile")
    assert e.value.code == -7 and "no-such.profile" in e.value.detail
    assert isinstance(e.value, OSError)
    with pytest.raises(fromauth.FileError):
        fromauth.Context(zone_files=[EXAMPLES / "no-such.zone"])


def test_bad_records_and_settings():
    with pytest.raises(fromauth.RecordError) as e:
        fromauth.Context(assume=["this is not a record"])
    assert e.value.code == -6 and e.value.detail
    with pytest.raises(fromauth.NameserverError):
        fromauth.Context(nameservers=["300.1.2.3"])
    with pytest.raises(fromauth.InvalidArgumentError):
        fromauth.Context(timeout_ms=0)
    with pytest.raises(fromauth.InvalidArgumentError):
        fromauth.Context(tries=-1)
    with fromauth.Context(offline=True) as ctx:
        with pytest.raises(fromauth.IPError):
            ctx.spf("999.1.1.1", "example.com")
        with pytest.raises(fromauth.InvalidArgumentError):
            ctx.dns_lookup("example.com", "NOSUCHTYPE")


def test_error_is_catchable_as_base(example_ctx, esp_profile):
    with pytest.raises(fromauth.Error) as e:
        example_ctx.check("", esp_profile)
    assert e.value.code < 0 and str(e.value)


def test_closed_objects_refuse_use(esp_profile):
    ctx = fromauth.Context(offline=True)
    ctx.close()
    ctx.close()                     # freed once; a second close does nothing
    assert ctx.closed
    with pytest.raises(ValueError):
        ctx.check("a@example.com", esp_profile)
    p = profile("esp")
    p.close()
    with fromauth.Context(offline=True) as live:
        with pytest.raises(ValueError):
            live.check("a@example.com", p)
    with pytest.raises(ValueError):
        p.name


def test_finalizer_frees_once():
    """Objects dropped without close() are freed by the collector; closing
    and collecting must not free twice (the C free would crash)."""
    for _ in range(200):
        c = fromauth.Context(offline=True)
        p = profile("esp")
        if _ % 2:
            c.close()
            p.close()
        del c, p
    gc.collect()


def test_result_outlives_its_context():
    with scenario_ctx("healthy") as ctx, profile("esp") as p:
        r = ctx.check("news@healthy.example", p)
    # Context, profile and C result are all freed: the copy stays.
    assert r.verdict == "pass" and r.dmarc.record and r.dkim[0].record


def test_result_close_keeps_the_parts():
    with scenario_ctx("quarantine") as ctx, profile("esp") as p:
        r = ctx.check("news@quarantine.example", p, fix=True)
        fresh = ctx.check("news@quarantine.example", p, fix=True)
    want = r.to_dict()
    r.close()
    r.close()
    assert r.to_dict() == want and r.dmarc.policy == "quarantine" and r.findings
    fresh.verdict
    fresh._finalizer()          # as the collector would, before any part was read
    fresh._ptr = None
    with pytest.raises(ValueError):
        fresh.findings


def test_optional_setters():
    """PSL file and cache cap: used when the library has them, else a
    clear NotImplementedError (never a crash or a silent no-op)."""
    from fromauth import _lib
    if not _lib.has("fromauth_ctx_set_psl"):
        with pytest.raises(NotImplementedError):
            fromauth.Context(psl_file="/usr/share/publicsuffix/public_suffix_list.dat")
    else:
        with pytest.raises(fromauth.FileError):
            fromauth.Context(psl_file=EXAMPLES / "no-such.dat")
        fromauth.Context(psl_file="/usr/share/publicsuffix/public_suffix_list.dat").close()
    if not _lib.has("fromauth_ctx_set_cache_size"):
        with pytest.raises(NotImplementedError):
            fromauth.Context(cache_bytes=1 << 20)
    else:
        with scenario_ctx("healthy", cache_bytes=1 << 20) as ctx, profile("esp") as p:
            assert ctx.check("news@healthy.example", p).verdict == "pass"
