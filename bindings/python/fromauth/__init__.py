# SPDX-License-Identifier: BSD-2-Clause
"""libfromauth for Python: can mail with this From address, sent through
this sending service, pass SPF, DKIM and DMARC at receivers, and if not,
which DNS records fix it?

A thin layer over the C library (``libfromauth.so.1``) through ctypes::

    import fromauth
    ctx = fromauth.Context(zone_files=["members.example.zone"], offline=True)
    svc = fromauth.Profile.load("esp.profile")
    r = ctx.check("News <news@members.example>", svc, fix=True)
    print(r.verdict, [f.code for f in r.findings], r.fixed_verdict)

A :class:`Result` owns its C result until it is garbage-collected (or
closed) and copies each part out the first time it is read; the parts are
plain frozen dataclasses that may be kept and passed between threads.
A :class:`Context` and a :class:`Profile` own C objects; close them (or use
``with``), else they are freed when garbage-collected.

The library is found through ``FROMAUTH_LIBRARY`` (a path to
``libfromauth.so.1`` or its directory, for a build tree), else where
``meson install`` put it, else by the dynamic linker.
"""
from __future__ import annotations

import ctypes
import enum
import json
import os
import queue
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from ._lib import DOMAIN_SIZE, ERRBUF_SIZE, P, has, lib, library_path

__all__ = [
    "Error", "NoMemoryError", "InvalidArgumentError", "AddressError", "DomainError",
    "ProfileError", "RecordError", "FileError", "NameserverError", "ResolverError",
    "IPError", "InternalError", "RangeError", "MessageError",
    "Verdict", "Severity", "SpfResult", "DkimStatus", "Policy", "DnsStatus",
    "RuleStatus", "ReputationStatus", "Rule", "FcrdnsCheck", "ReputationLookup",
    "BlocklistZone", "RECEIVERS",
    "Context", "Profile", "DkimIdentity", "ProfileParam", "FactSource", "services_dir",
    "Result", "Finding", "FixOp", "Fix", "SpfPart",
    "SpfEvaluation", "DkimKey", "DmarcPolicy", "Rfc7489Discovery",
    "UnauthorizedDestination", "Stats", "DnsAnswer", "Verification", "Signature",
    "Address", "check", "parse_address", "to_alabel", "version", "library_path",
]

__version__ = "1.1.0"

_CHECK_FIX = 1
# enum fromauth_check_flags: FROMAUTH_CHECK_RULES_* and _REPUTATION.
_CHECK_RULES = {"gmail": 1 << 8, "yahoo": 1 << 9, "outlook": 1 << 10, "apple": 1 << 11}
_CHECK_REPUTATION = 1 << 12
#: Receivers whose sender rules a check can report (``rules=``).
RECEIVERS = tuple(_CHECK_RULES)
_VERIFY_FIX = 1


def version() -> str:
    """Version of the loaded C library, e.g. ``"1.1.0"``."""
    return lib.fromauth_version().decode()


# ---- errors ---------------------------------------------------------------

class Error(Exception):
    """A call of the library failed: bad input, or no memory.

    ``code`` is the C ``enum fromauth_error`` value (negative), ``detail``
    the library's message saying what is wrong and where (may be empty),
    ``name`` the static description of ``fromauth_strerror()``.  An
    authentication outcome is never an error: it is data in a result.
    """

    code: int = 0

    def __init__(self, code: int, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        self.name = lib.fromauth_strerror(code).decode()
        super().__init__(detail or self.name)

    #: Set by :meth:`Context.check_many` on an item that failed.
    index: Optional[int] = None
    #: The address that failed, set by :meth:`Context.check_many`.
    input: Optional[str] = None


class NoMemoryError(Error, MemoryError):
    """FROMAUTH_E_NOMEM (-1)."""
    code = -1


class InvalidArgumentError(Error, ValueError):
    """FROMAUTH_E_INVAL (-2): an argument out of range or missing."""
    code = -2


class AddressError(Error, ValueError):
    """FROMAUTH_E_ADDRESS (-3): a malformed From address."""
    code = -3


class DomainError(Error, ValueError):
    """FROMAUTH_E_DOMAIN (-4): a malformed domain name."""
    code = -4


class ProfileError(Error, ValueError):
    """FROMAUTH_E_PROFILE (-5): a malformed service profile."""
    code = -5


class RecordError(Error, ValueError):
    """FROMAUTH_E_RECORD (-6): a malformed DNS record or zone file."""
    code = -6


class FileError(Error, OSError):
    """FROMAUTH_E_IO (-7): a file cannot be read."""
    code = -7


class NameserverError(Error, ValueError):
    """FROMAUTH_E_NAMESERVER (-8): a malformed nameserver address."""
    code = -8


class ResolverError(Error):
    """FROMAUTH_E_RESOLVER (-9): no usable resolver configuration."""
    code = -9


class IPError(Error, ValueError):
    """FROMAUTH_E_IP (-10): a malformed IP address."""
    code = -10


class InternalError(Error):
    """FROMAUTH_E_INTERNAL (-11): a wrapped library failed unexpectedly."""
    code = -11


class RangeError(Error, ValueError):
    """FROMAUTH_E_RANGE (-12): an index or size out of range."""
    code = -12


class MessageError(Error, ValueError):
    """FROMAUTH_E_MESSAGE (-13): not a message, or no usable From field."""
    code = -13


_ERRORS = {c.code: c for c in (NoMemoryError, InvalidArgumentError, AddressError,
                                DomainError, ProfileError, RecordError, FileError,
                                NameserverError, ResolverError, IPError, InternalError,
                                RangeError, MessageError)}


def _error(code: int, errbuf: Optional[ctypes.Array] = None) -> Error:
    detail = errbuf.value.decode("utf-8", "replace") if errbuf is not None else ""
    cls = _ERRORS.get(code, Error)
    # OSError's constructor reads its own arguments: build, then init.
    err = cls.__new__(cls)
    Error.__init__(err, code, detail)
    return err


def _call(fn: Any, *args: Any) -> None:
    """Call a C function taking (…, errbuf, errlen) last; raise on failure."""
    buf = ctypes.create_string_buffer(ERRBUF_SIZE)
    rc = fn(*args, buf, ERRBUF_SIZE)
    if rc != 0:
        raise _error(rc, buf)


def _check_rc(rc: int) -> None:
    if rc != 0:
        raise _error(rc)


def _b(s: Optional[str]) -> Optional[bytes]:
    return None if s is None else s.encode("utf-8")


def _s(b: Optional[bytes]) -> Optional[str]:
    """A C string copied out; NULL is None."""
    return None if b is None else b.decode("utf-8", "replace")


def _s_empty(b: Optional[bytes]) -> Optional[str]:
    """A 1.0 getter that gives "" for none: None, as the 1.1 ones give."""
    return None if not b else b.decode("utf-8", "replace")


def _tri(v: int) -> Optional[bool]:
    """1 / 0 / -1 (does not apply) as True / False / None."""
    return None if v < 0 else bool(v)


# ---- enums ----------------------------------------------------------------

class Verdict(str, enum.Enum):
    """Verdict of a check (SPEC section 3 step 6); compares equal to its
    name, e.g. ``Verdict.AT_RISK == "at-risk"``."""
    PASS = "pass"
    AT_RISK = "at-risk"
    FAIL = "fail"
    UNKNOWN = "unknown"

    @property
    def exit_status(self) -> int:
        """The ``fromauth check`` exit status: 0, 1, 2 or 3."""
        return _VERDICT_CODES.index(self)

    def __str__(self) -> str:
        return self.value


_VERDICT_CODES = [Verdict.PASS, Verdict.AT_RISK, Verdict.FAIL, Verdict.UNKNOWN]


class Severity(str, enum.Enum):
    """Severity of a finding."""
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    def __str__(self) -> str:
        return self.value


_SEVERITIES = [Severity.INFO, Severity.WARNING, Severity.ERROR]
# The lists above index enum values by their C number: the C names agree.
assert [lib.fromauth_verdict_name(i).decode() for i in range(4)] == \
    [v.value for v in _VERDICT_CODES]
assert [lib.fromauth_severity_name(i).decode() for i in range(3)] == \
    [v.value for v in _SEVERITIES]


class FixOp(str, enum.Enum):
    """What a fix does (enum fromauth_fix_op)."""
    ADD = "add"
    REPLACE = "replace"
    DELETE = "delete"
    #: Something to set up at the service; not DNS.
    ACTION = "action"

    def __str__(self) -> str:
        return self.value


_FIX_OPS = [FixOp.ADD, FixOp.REPLACE, FixOp.DELETE, FixOp.ACTION]
assert [lib.fromauth_fix_op_name(i).decode() for i in range(4)] == \
    [v.value for v in _FIX_OPS]


@dataclass(frozen=True)
class Fix:
    """One fix of a finding: ``rr`` is the record to publish (add,
    replace) or remove (delete), ``old`` the record a replacement
    changes, ``text`` what to set up at the service (action)."""
    op: FixOp
    rr: Optional[str] = None
    old: Optional[str] = None
    text: Optional[str] = None


class SpfResult(str, enum.Enum):
    """RFC 7208 results, plus ``partial`` for a check's SPF summary (some
    of the service's addresses pass, some do not)."""
    NONE = "none"
    NEUTRAL = "neutral"
    PASS = "pass"
    FAIL = "fail"
    SOFTFAIL = "softfail"
    TEMPERROR = "temperror"
    PERMERROR = "permerror"
    PARTIAL = "partial"

    def __str__(self) -> str:
        return self.value


class DkimStatus(str, enum.Enum):
    """Status of a DKIM key (SPEC section 3 step 5)."""
    VALID = "valid"
    MISSING = "missing"
    INVALID = "invalid"
    REVOKED = "revoked"
    WEAK = "weak"
    MISMATCH = "mismatch"
    TEMPERROR = "temperror"

    def __str__(self) -> str:
        return self.value


class Policy(str, enum.Enum):
    """DMARC policy; ``absent`` when no valid record applies."""
    ABSENT = "absent"
    NONE = "none"
    QUARANTINE = "quarantine"
    REJECT = "reject"

    def __str__(self) -> str:
        return self.value


class DnsStatus(str, enum.Enum):
    """Outcome of one DNS lookup."""
    OK = "ok"
    NXDOMAIN = "nxdomain"
    NODATA = "nodata"
    TIMEOUT = "timeout"
    SERVFAIL = "servfail"

    def __str__(self) -> str:
        return self.value


class RuleStatus(str, enum.Enum):
    """Status of a receiver's rule row: ``not_checked`` for what is a
    property of the session or the message, not of DNS."""
    PASS = "pass"
    FAIL = "fail"
    #: A lookup failed, or there was nothing to measure.
    UNKNOWN = "unknown"
    NOT_CHECKED = "not_checked"

    def __str__(self) -> str:
        return self.value


class ReputationStatus(str, enum.Enum):
    """Outcome of one blocklist lookup; ``refused`` and ``error`` are
    never a listing."""
    NOT_LISTED = "not_listed"
    LISTED = "listed"
    REFUSED = "refused"
    ERROR = "error"
    #: An undocumented answer, or a list that failed its self-test.
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value


def _enum(cls: Any, name_fn: Any, value: int) -> Any:
    return cls(name_fn(value).decode())


def _policy(v: int) -> Policy:
    return _enum(Policy, lib.fromauth_dmarc_policy_name, v)


def _policy_tag(v: int) -> Optional[Policy]:
    return None if v == 0 else _policy(v)


# ---- plain result objects (copied out of C) --------------------------------

@dataclass(frozen=True)
class SpfEvaluation:
    """RFC 7208 check_host() for one IP (:meth:`Context.spf`, or one sampled
    service address of a check)."""
    ip: str
    domain: str
    result: SpfResult
    reason: str
    explanation: Optional[str]
    record: Optional[str]
    lookups: int
    void_lookups: int

    @classmethod
    def _from_c(cls, p: int) -> "SpfEvaluation":
        return cls(
            ip=_s(lib.fromauth_spf_ip(p)) or "",
            domain=_s(lib.fromauth_spf_domain(p)) or "",
            result=_enum(SpfResult, lib.fromauth_spf_result_name, lib.fromauth_spf_result(p)),
            reason=_s(lib.fromauth_spf_reason(p)) or "",
            explanation=_s_empty(lib.fromauth_spf_explanation(p)),
            record=_s_empty(lib.fromauth_spf_record(p)),
            lookups=lib.fromauth_spf_lookups(p),
            void_lookups=lib.fromauth_spf_void_lookups(p),
        )


@dataclass(frozen=True)
class DkimKey:
    """A DKIM key at ``selector._domainkey.domain`` (:meth:`Context.dkim`,
    or one identity of a check, which also tells ``aligned``)."""
    selector: str
    domain: str
    name: str
    status: DkimStatus
    reason: str
    key_type: Optional[str]
    key_bits: int
    key_short: bool
    testing: bool
    record: Optional[str]
    cnames: List[str]
    expected_target: Optional[str]
    #: None without an expected target.
    target_reached: Optional[bool]
    target_key_equal: Optional[bool]
    #: In a check: aligned with the From domain; None when it could not be
    #: told, or outside a check.
    aligned: Optional[bool] = None

    @classmethod
    def _from_c(cls, p: int, aligned: Optional[bool] = None) -> "DkimKey":
        return cls(
            selector=_s(lib.fromauth_dkim_selector(p)) or "",
            domain=_s(lib.fromauth_dkim_domain(p)) or "",
            name=_s(lib.fromauth_dkim_name(p)) or "",
            status=_enum(DkimStatus, lib.fromauth_dkim_status_name, lib.fromauth_dkim_status(p)),
            reason=_s(lib.fromauth_dkim_reason(p)) or "",
            key_type=_s_empty(lib.fromauth_dkim_key_type(p)),
            key_bits=lib.fromauth_dkim_key_bits(p),
            key_short=bool(lib.fromauth_dkim_key_short(p)),
            testing=bool(lib.fromauth_dkim_testing(p)),
            record=_s_empty(lib.fromauth_dkim_record(p)),
            cnames=[_s(lib.fromauth_dkim_cname(p, i)) or ""
                    for i in range(lib.fromauth_dkim_cname_count(p))],
            expected_target=_s(lib.fromauth_dkim_expected_target(p)),
            target_reached=_tri(lib.fromauth_dkim_target_reached(p)),
            target_key_equal=_tri(lib.fromauth_dkim_target_key_equal(p)),
            aligned=aligned,
        )


def _unauthorized_fix(p: int, i: int) -> str:
    buf = ctypes.create_string_buffer(1024)
    rc = lib.fromauth_dmarc_unauthorized_fix(p, i, buf, len(buf))
    if rc == -1:
        raise MemoryError("fromauth_dmarc_unauthorized_fix")
    return buf.value.decode() if rc == 0 else ""


@dataclass(frozen=True)
class UnauthorizedDestination:
    """A DMARC report destination outside the domain that has not agreed
    to receive its reports; the fix is TXT ``v=DMARC1`` at
    ``authorization_record``, as the master-file line ``fix``."""
    uri: str
    host: str
    authorization_record: str
    fix: str


@dataclass(frozen=True)
class Rfc7489Discovery:
    """What RFC 7489 discovery (Public Suffix List) finds, for comparison."""
    org_domain: Optional[str]
    record_domain: Optional[str]
    record: Optional[str]
    policy: Policy
    temperror: bool


@dataclass(frozen=True)
class DmarcPolicy:
    """The DMARC policy of a domain (:meth:`Context.dmarc`, or the DMARC
    part of a check, which also tells ``result``)."""
    domain: str
    record: Optional[str]
    record_domain: Optional[str]
    record_count: int
    multiple_domain: Optional[str]
    org_domain: Optional[str]
    #: The applicable policy (p, sp or np).
    policy: Policy
    policy_tag: Optional[str]
    #: What receivers apply: t=y lowers it one step.
    applied_policy: Policy
    p: Optional[Policy]
    sp: Optional[Policy]
    np: Optional[Policy]
    nonexistent: bool
    testing: bool
    pct: Optional[int]
    adkim: str
    aspf: str
    psd: Optional[str]
    fo: Optional[str]
    rf: Optional[str]
    ri: Optional[int]
    rua: List[str]
    ruf: List[str]
    problems: List[str]
    unauthorized: List[UnauthorizedDestination]
    tree_walk: List[str]
    rfc7489: Rfc7489Discovery
    discovery_differs: Optional[str]
    temperror: bool
    #: In a check: "pass", "fail", "none" or "temperror"; else None.
    result: Optional[str] = None

    @classmethod
    def _from_c(cls, p: int, result: Optional[str] = None) -> "DmarcPolicy":
        def lst(count: Any, item: Any) -> List[str]:
            return [_s(item(p, i)) or "" for i in range(count(p))]
        pct = lib.fromauth_dmarc_pct(p)
        ri = lib.fromauth_dmarc_ri(p)
        return cls(
            domain=_s(lib.fromauth_dmarc_domain(p)) or "",
            record=_s_empty(lib.fromauth_dmarc_record(p)),
            record_domain=_s_empty(lib.fromauth_dmarc_record_domain(p)),
            record_count=lib.fromauth_dmarc_record_count(p),
            multiple_domain=_s(lib.fromauth_dmarc_multiple_domain(p)),
            org_domain=_s(lib.fromauth_dmarc_org_domain(p)),
            policy=_policy(lib.fromauth_dmarc_policy(p)),
            policy_tag=_s(lib.fromauth_dmarc_policy_tag(p)),
            applied_policy=_policy(lib.fromauth_dmarc_effective_policy(p)),
            p=_policy_tag(lib.fromauth_dmarc_p(p)),
            sp=_policy_tag(lib.fromauth_dmarc_sp(p)),
            np=_policy_tag(lib.fromauth_dmarc_np(p)),
            nonexistent=bool(lib.fromauth_dmarc_nonexistent(p)),
            testing=bool(lib.fromauth_dmarc_testing(p)),
            pct=None if pct < 0 else pct,
            adkim=_s(lib.fromauth_dmarc_adkim(p)) or "r",
            aspf=_s(lib.fromauth_dmarc_aspf(p)) or "r",
            psd=_s(lib.fromauth_dmarc_psd(p)),
            fo=_s(lib.fromauth_dmarc_fo(p)),
            rf=_s(lib.fromauth_dmarc_rf(p)),
            ri=None if ri < 0 else ri,
            rua=lst(lib.fromauth_dmarc_rua_count, lib.fromauth_dmarc_rua),
            ruf=lst(lib.fromauth_dmarc_ruf_count, lib.fromauth_dmarc_ruf),
            problems=lst(lib.fromauth_dmarc_problem_count, lib.fromauth_dmarc_problem),
            unauthorized=[UnauthorizedDestination(
                uri=_s(lib.fromauth_dmarc_unauthorized(p, i)) or "",
                host=_s(lib.fromauth_dmarc_unauthorized_host(p, i)) or "",
                authorization_record=_s(lib.fromauth_dmarc_unauthorized_record(p, i)) or "",
                fix=_unauthorized_fix(p, i))
                for i in range(lib.fromauth_dmarc_unauthorized_count(p))],
            tree_walk=lst(lib.fromauth_dmarc_tree_walk_count, lib.fromauth_dmarc_tree_walk),
            rfc7489=Rfc7489Discovery(
                org_domain=_s(lib.fromauth_dmarc_rfc7489_org_domain(p)),
                record_domain=_s(lib.fromauth_dmarc_rfc7489_record_domain(p)),
                record=_s(lib.fromauth_dmarc_rfc7489_record(p)),
                policy=_policy(lib.fromauth_dmarc_rfc7489_policy(p)),
                temperror=bool(lib.fromauth_dmarc_rfc7489_temperror(p))),
            discovery_differs=_s(lib.fromauth_dmarc_discovery_differs(p)),
            temperror=bool(lib.fromauth_dmarc_temperror(p)),
            result=result,
        )


@dataclass(frozen=True)
class Finding:
    """One finding: a stable code, a severity, a sentence, and the fix as
    master-file lines to publish (empty when there is none)."""
    code: str
    severity: Severity
    message: str
    fix: List[str]
    #: The fix holds a placeholder only the user or the service can fill
    #: in (never applied by ``fix=True``).
    needs_input: bool
    #: Every fix in order with its operation: additions and replacements
    #: (whose new lines are also in ``fix``), deletions, service actions.
    fixes: List["Fix"] = field(default_factory=list)


@dataclass(frozen=True)
class SpfPart:
    """SPF of a check: the service's addresses at its MAIL FROM domain."""
    mail_from: Optional[str]
    #: An RFC 7208 result or ``partial``.
    result: Optional[SpfResult]
    aligned: bool
    outside_domain: bool
    record: Optional[str]
    #: DNS-querying terms of the whole SPF tree (a lower bound when
    #: ``lookups_cut``).
    lookups: int
    void_lookups: int
    ips: List[SpfEvaluation]
    #: The tree was read only as far as a receiver reads it (10 lookups,
    #: 2 void lookups, an error) and terms were left unread: the two
    #: counts are lower bounds.
    lookups_cut: bool = False


@dataclass(frozen=True)
class Rule:
    """One receiver's sender rule as a compliance row (``rules=``)."""
    #: "gmail", "yahoo", "outlook" or "apple".
    receiver: str
    #: Senders it applies to: "all" or "bulk".
    tier: str
    #: The requirement, one sentence.
    requirement: str
    status: RuleStatus
    #: The SMTP reply the receiver gives when it is broken ("550 5.7.26"),
    #: "" when it publishes none.
    code: str
    #: What was found and, when failing, what the receiver does.
    message: Optional[str]
    #: Code of the finding whose fix makes the row pass, or None.
    finding: Optional[str]


@dataclass(frozen=True)
class FcrdnsCheck:
    """Forward-confirmed reverse DNS of one sampled service address."""
    ip: Optional[str]
    #: The PTR name; None when there is none.
    ptr: Optional[str]
    status: RuleStatus
    detail: Optional[str]


@dataclass(frozen=True)
class ReputationLookup:
    """One blocklist lookup (``reputation=True``)."""
    zone: str
    #: The domain or address looked up.
    target: Optional[str]
    status: ReputationStatus
    #: What the answer means, with the list's TXT reason.
    reason: Optional[str]
    #: What was looked up ("from domain", "ip", ...), from the JSON.
    what: str
    #: The answer codes, from the JSON; None without an answer.
    codes: Optional[str]


@dataclass(frozen=True)
class BlocklistZone:
    """A blocklist asked by a check, and how its RFC 5782 self-test went."""
    zone: str
    self_test: str
    detail: Optional[str]


@dataclass(frozen=True)
class Stats:
    """What one check cost."""
    dns_queries: int
    cache_hits: int
    elapsed_ms: int


class Result:
    """The outcome of :meth:`Context.check`.

    A result owns its C result until it is garbage-collected (or
    :meth:`close` is called); each part is copied out of it the first time
    it is read, and is a plain object from then on.  Reading only what is
    needed (``verdict``, ``codes()``) keeps bulk checks as fast as C.
    Results are read-only and may be shared between threads.
    """

    def __init__(self, ptr: P, index: Optional[int] = None) -> None:
        self._ptr: Optional[P] = ptr
        self._finalizer = weakref.finalize(self, lib.fromauth_result_free, ptr)
        #: Input index, for results of :meth:`Context.check_many`.
        self.index = index
        #: The verdict, SPEC section 3 step 6.
        self.verdict: Verdict = _VERDICT_CODES[lib.fromauth_result_verdict(ptr)]
        self._cache: Dict[str, Any] = {}
        # Reads release the GIL inside C: close() must not free under them.
        self._lock = threading.Lock()

    def _get(self, name: str, read: Any) -> Any:
        try:
            return self._cache[name]
        except KeyError:
            pass
        with self._lock:
            if name not in self._cache:
                if self._ptr is None:
                    raise ValueError("the result is closed and this part was never read")
                self._cache[name] = read(self._ptr)
            return self._cache[name]

    def close(self) -> None:
        """Copy every part out, then free the C result now."""
        for name in ("from_address", "domain", "org_domain", "service", "fixed_verdict",
                     "findings", "spf", "dkim", "dmarc", "fixes_not_applied", "stats",
                     "rules", "reputation", "json"):
            if self._ptr is not None:
                getattr(self, name)
        with self._lock:
            self._finalizer()
            self._ptr = None

    @property
    def from_address(self) -> str:
        """The From address checked, local@domain with an A-label domain."""
        return self._get("from_address", lambda r: _s(lib.fromauth_result_from(r)) or "")

    @property
    def domain(self) -> str:
        """The From domain (A-labels)."""
        return self._get("domain", lambda r: _s(lib.fromauth_result_domain(r)) or "")

    @property
    def org_domain(self) -> Optional[str]:
        return self._get("org_domain", lambda r: _s(lib.fromauth_result_org_domain(r)))

    @property
    def service(self) -> Optional[str]:
        """Name of the profile."""
        return self._get("service", lambda r: _s(lib.fromauth_result_service(r)))

    @property
    def fixed_verdict(self) -> Optional[Verdict]:
        """The verdict once every concrete fix is published (``fix=True``)."""
        def read(r: P) -> Optional[Verdict]:
            v = lib.fromauth_result_fixed_verdict(r)
            return None if v < 0 else _VERDICT_CODES[v]
        return self._get("fixed_verdict", read)

    @property
    def findings(self) -> List[Finding]:
        return self._get("findings", _read_findings)

    @property
    def spf(self) -> SpfPart:
        return self._get("spf", _read_spf)

    @property
    def dkim(self) -> List[DkimKey]:
        return self._get("dkim", lambda r: [
            DkimKey._from_c(lib.fromauth_result_dkim(r, i),
                            _tri(lib.fromauth_result_dkim_aligned(r, i)))
            for i in range(lib.fromauth_result_dkim_count(r))])

    @property
    def dmarc(self) -> Optional[DmarcPolicy]:
        def read(r: P) -> Optional[DmarcPolicy]:
            d = lib.fromauth_result_dmarc(r)
            return DmarcPolicy._from_c(d, _s(lib.fromauth_result_dmarc_result(r))) if d else None
        return self._get("dmarc", read)

    @property
    def fixes_not_applied(self) -> List[str]:
        """Fix records ``fix=True`` did not apply: they hold a placeholder."""
        return self._get("fixes_not_applied", lambda r: [
            _s(lib.fromauth_result_fix_not_applied(r, i)) or ""
            for i in range(lib.fromauth_result_fix_not_applied_count(r))])

    @property
    def rules(self) -> List[Rule]:
        """The receivers' rule rows the check asked for (``rules=``);
        empty without."""
        return self._get("rules", lambda r: [Rule(
            receiver=_s(lib.fromauth_result_rule_receiver(r, i)) or "",
            tier=_s(lib.fromauth_result_rule_tier(r, i)) or "",
            requirement=_s(lib.fromauth_result_rule_requirement(r, i)) or "",
            status=_enum(RuleStatus, lib.fromauth_rule_status_name,
                         lib.fromauth_result_rule_status(r, i)),
            code=_s(lib.fromauth_result_rule_code(r, i)) or "",
            message=_s(lib.fromauth_result_rule_message(r, i)),
            finding=_s(lib.fromauth_result_rule_finding(r, i)),
        ) for i in range(lib.fromauth_result_rule_count(r))])

    @property
    def fcrdns(self) -> List[FcrdnsCheck]:
        """Forward-confirmed reverse DNS of each sampled service address
        (with ``rules=``).  The C API has no getters for these rows: they
        are read from the JSON."""
        return [FcrdnsCheck(ip=j.get("ip"), ptr=j.get("ptr") or None,
                            status=RuleStatus(j["status"]), detail=j.get("detail"))
                for j in self.to_dict().get("fcrdns", [])]

    @property
    def reputation(self) -> List[ReputationLookup]:
        """The blocklist lookups (``reputation=True``); empty without."""
        def read(r: P) -> List[ReputationLookup]:
            n = lib.fromauth_result_reputation_count(r)
            extra = json.loads(_s(lib.fromauth_result_json(r)) or "{}") if n else {}
            rows = extra.get("reputation", {}).get("lookups", [])
            return [ReputationLookup(
                zone=_s(lib.fromauth_result_reputation_zone(r, i)) or "",
                target=_s(lib.fromauth_result_reputation_target(r, i)),
                status=_enum(ReputationStatus, lib.fromauth_reputation_status_name,
                             lib.fromauth_result_reputation_status(r, i)),
                reason=_s(lib.fromauth_result_reputation_reason(r, i)),
                what=rows[i]["what"] if i < len(rows) else "",
                codes=rows[i].get("codes") if i < len(rows) else None,
            ) for i in range(n)]
        return self._get("reputation", read)

    @property
    def reputation_zones(self) -> List[BlocklistZone]:
        """The blocklists asked and their self-test (``reputation=True``),
        read from the JSON (the C API has no getters for them)."""
        rep = self.to_dict().get("reputation") or {}
        return [BlocklistZone(zone=j["zone"], self_test=j["self_test"],
                              detail=j.get("detail")) for j in rep.get("zones", [])]

    @property
    def stats(self) -> Stats:
        return self._get("stats", lambda r: Stats(
            dns_queries=lib.fromauth_result_dns_queries(r),
            cache_hits=lib.fromauth_result_cache_hits(r),
            elapsed_ms=lib.fromauth_result_elapsed_ms(r)))

    @property
    def json(self) -> str:
        """The JSON of SPEC section 7, as the library wrote it."""
        return self._get("json", lambda r: _s(lib.fromauth_result_json(r)) or "{}")

    def to_dict(self) -> Dict[str, Any]:
        """The result as the JSON object of SPEC section 7 (``fromauth
        check --json``)."""
        return json.loads(self.json)

    def codes(self) -> List[str]:
        """The finding codes, in order."""
        def read(r: P) -> List[str]:
            return [_s(lib.fromauth_result_finding_code(r, i)) or ""
                    for i in range(lib.fromauth_result_finding_count(r))]
        return list(self._get("codes", read))

    def __repr__(self) -> str:
        idx = "" if self.index is None else f" #{self.index}"
        return f"<fromauth.Result{idx} {self.verdict.value}>"


def _read_findings(r: P) -> List[Finding]:
    return [Finding(
        code=_s(lib.fromauth_result_finding_code(r, i)) or "",
        severity=_SEVERITIES[lib.fromauth_result_finding_severity(r, i)],
        message=_s(lib.fromauth_result_finding_message(r, i)) or "",
        fix=[_s(lib.fromauth_result_finding_fix(r, i, j)) or ""
             for j in range(lib.fromauth_result_finding_fix_count(r, i))],
        needs_input=lib.fromauth_result_finding_fix_needs_input(r, i) > 0,
        fixes=[Fix(op=_FIX_OPS[lib.fromauth_result_finding_op(r, i, j)],
                   rr=_s(lib.fromauth_result_finding_op_rr(r, i, j)),
                   old=_s(lib.fromauth_result_finding_op_old(r, i, j)),
                   text=_s(lib.fromauth_result_finding_op_text(r, i, j)))
               for j in range(lib.fromauth_result_finding_op_count(r, i))],
    ) for i in range(lib.fromauth_result_finding_count(r))]


def _read_spf(r: P) -> SpfPart:
    summary = _s(lib.fromauth_result_spf_summary(r))
    return SpfPart(
        mail_from=_s(lib.fromauth_result_mail_from(r)),
        result=SpfResult(summary) if summary else None,
        aligned=bool(lib.fromauth_result_spf_aligned(r)),
        outside_domain=bool(lib.fromauth_result_spf_outside_domain(r)),
        record=_s(lib.fromauth_result_spf_record(r)),
        lookups=lib.fromauth_result_spf_lookups(r),
        void_lookups=lib.fromauth_result_spf_void_lookups(r),
        lookups_cut=lib.fromauth_result_spf_lookups_cut(r) > 0,
        ips=[SpfEvaluation._from_c(lib.fromauth_result_spf(r, i))
             for i in range(lib.fromauth_result_spf_count(r))],
    )


@dataclass(frozen=True)
class Signature:
    """One DKIM-Signature of a verified message, top-down."""
    #: d= (lower case), None when absent.
    domain: Optional[str]
    selector: Optional[str]
    #: RFC 8601: "pass", "fail", "policy", "neutral", "permerror",
    #: "temperror".
    result: str
    reason: str
    #: Aligned with the From domain; None when it could not be told.
    aligned: Optional[bool]


@dataclass(frozen=True)
class Verification:
    """Why did this message fail? (:meth:`Context.verify`, SPEC section 10)"""
    from_address: str
    domain: str
    #: RFC 8601: "pass", "fail", "none", "temperror", "permerror".
    dmarc_result: str
    dmarc: Optional[DmarcPolicy]
    spf_result: str
    #: None when the connection was unknown.
    spf: Optional[SpfEvaluation]
    spf_aligned: bool
    signatures: List[Signature]
    #: The value of an Authentication-Results field with our results.
    authentication_results: str
    findings: List[Finding]
    #: With ``fix=True``: the DMARC result once every fix is published.
    fixed_dmarc_result: Optional[str]
    json: str

    def to_dict(self) -> Dict[str, Any]:
        """The JSON object of ``fromauth verify --json``."""
        return json.loads(self.json)

    def codes(self) -> List[str]:
        return [f.code for f in self.findings]

    @classmethod
    def _from_c(cls, v: P) -> "Verification":
        dmarc = lib.fromauth_verify_dmarc(v)
        spf = lib.fromauth_verify_spf(v)
        return cls(
            from_address=_s(lib.fromauth_verify_from(v)) or "",
            domain=_s(lib.fromauth_verify_domain(v)) or "",
            dmarc_result=_s(lib.fromauth_verify_dmarc_result(v)) or "",
            dmarc=DmarcPolicy._from_c(dmarc) if dmarc else None,
            spf_result=_s(lib.fromauth_verify_spf_result(v)) or "",
            spf=SpfEvaluation._from_c(spf) if spf else None,
            spf_aligned=lib.fromauth_verify_spf_aligned(v) > 0,
            signatures=[Signature(
                domain=_s_empty(lib.fromauth_verify_signature_domain(v, i)),
                selector=_s_empty(lib.fromauth_verify_signature_selector(v, i)),
                result=_s(lib.fromauth_verify_signature_result(v, i)) or "",
                reason=_s(lib.fromauth_verify_signature_reason(v, i)) or "",
                aligned=_tri(lib.fromauth_verify_signature_aligned(v, i)))
                for i in range(lib.fromauth_verify_signature_count(v))],
            authentication_results=_s(lib.fromauth_verify_authentication_results(v)) or "",
            findings=[Finding(
                code=_s(lib.fromauth_verify_finding_code(v, i)) or "",
                severity=_SEVERITIES[lib.fromauth_verify_finding_severity(v, i)],
                message=_s(lib.fromauth_verify_finding_message(v, i)) or "",
                fix=[_s(lib.fromauth_verify_finding_fix(v, i, j)) or ""
                     for j in range(lib.fromauth_verify_finding_fix_count(v, i))],
                needs_input=False)
                for i in range(lib.fromauth_verify_finding_count(v))],
            fixed_dmarc_result=_s(lib.fromauth_verify_fixed_dmarc_result(v)),
            json=_s(lib.fromauth_verify_json(v)) or "{}",
        )


@dataclass(frozen=True)
class DnsAnswer:
    """What the DNS layer answered for one name and type."""
    name: str
    rrtype: str
    status: DnsStatus
    records: List[str]
    ttl: int
    cnames: List[str]
    #: "overlay", "cache" or "network".
    source: str
    queries: int
    elapsed_ms: int


# ---- owned C objects ------------------------------------------------------

class _Owned:
    """A C object freed exactly once: by close(), by ``with``, or when
    garbage-collected (weakref.finalize runs its free at most once)."""

    _free_fn: Any = None

    def __init__(self, ptr: P) -> None:
        self._ptr: Optional[P] = ptr
        self._finalizer = weakref.finalize(self, type(self)._free_fn, ptr)

    def close(self) -> None:
        """Free the C object now; later calls raise ValueError."""
        self._finalizer()
        self._ptr = None

    @property
    def closed(self) -> bool:
        return self._ptr is None

    def _p(self) -> P:
        if self._ptr is None:
            raise ValueError(f"{type(self).__name__} is closed")
        return self._ptr

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


@dataclass(frozen=True)
class DkimIdentity:
    """One DKIM identity of a profile: selector, signing domain template
    ({domain} is the From domain) and the CNAME target, if any."""
    selector: str
    domain: str
    target: Optional[str]


@dataclass(frozen=True)
class ProfileParam:
    """A per-account parameter a profile declares (``param = name | ...``):
    what it holds, and its value (set, else the default), or None."""
    name: str
    description: str
    value: Optional[str]


@dataclass(frozen=True)
class FactSource:
    """Where a fact of a catalogue profile is stated: the key
    (``"dkim"``), the confidence (``"O"`` vendor documentation, ``"T"``
    third party, ``"X"`` public configs, ``"UNCONFIRMED"``) and a URL or
    note."""
    key: str
    status: str
    reference: str


def services_dir() -> str:
    """Directory of the service catalogue: ``$FROMAUTH_SERVICES_DIR``, else
    the installed ``share/fromauth/services``."""
    return _s(lib.fromauth_services_dir()) or ""


class Profile(_Owned):
    """A sending service profile (SPEC section 6).

    ``Profile()`` is empty, to fill with :meth:`set`; :meth:`load` reads a
    file and :meth:`parse` text.  A profile may be used by many checks at
    once, but must not be changed or closed while they run.
    """

    _free_fn = lib.fromauth_profile_free

    def __init__(self, _ptr: Optional[P] = None) -> None:
        if _ptr is None:
            _ptr = P()
            _check_rc(lib.fromauth_profile_new(ctypes.byref(_ptr)))
        super().__init__(_ptr)

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "Profile":
        """Read a profile file; raises :class:`FileError` or
        :class:`ProfileError` (the detail names file, line and key)."""
        ptr = P()
        _call(lib.fromauth_profile_load, os.fsencode(path), ctypes.byref(ptr))
        return cls(ptr)

    @classmethod
    def parse(cls, text: str, source: str = "<string>") -> "Profile":
        """A profile from text; @source names it in messages."""
        ptr = P()
        _call(lib.fromauth_profile_parse, _b(text), _b(source), ctypes.byref(ptr))
        return cls(ptr)

    def set(self, key: str, value: str) -> "Profile":
        """Add one ``key = value`` setting as in a file (repeatable keys
        append, others replace); returns the profile."""
        _call(lib.fromauth_profile_set, self._p(), _b(key), _b(value))
        return self

    @classmethod
    def load_service(cls, name: str) -> "Profile":
        """A service of the catalogue by name (``"sendgrid"``), or a
        profile file when @name holds '/' or ends in ``.profile``; raises
        :class:`FileError` naming the directory for an unknown service."""
        ptr = P()
        _call(lib.fromauth_profile_load_service, _b(name), ctypes.byref(ptr))
        return cls(ptr)

    def set_param(self, name: str, value: str) -> "Profile":
        """Give the per-account parameter @name a value; raises
        :class:`ProfileError` for a parameter the profile does not declare
        or a value it refuses.  Returns the profile."""
        _call(lib.fromauth_profile_set_param, self._p(), _b(name), _b(value))
        return self

    @property
    def params(self) -> List[ProfileParam]:
        p = self._p()
        return [ProfileParam(name=_s(lib.fromauth_profile_param_name(p, i)) or "",
                             description=_s(lib.fromauth_profile_param_description(p, i)) or "",
                             value=_s(lib.fromauth_profile_param_value(p, i)))
                for i in range(lib.fromauth_profile_param_count(p))]

    @property
    def id(self) -> Optional[str]:
        """Catalogue id, or None for a profile that is not a catalogue entry."""
        return _s(lib.fromauth_profile_id(self._p()))

    @property
    def doc(self) -> Optional[str]:
        return _s(lib.fromauth_profile_doc(self._p()))

    @property
    def verified(self) -> Optional[str]:
        """Date (YYYY-MM-DD) the entry's facts were last checked."""
        return _s(lib.fromauth_profile_verified(self._p()))

    @property
    def sources(self) -> List[FactSource]:
        p = self._p()
        return [FactSource(key=_s(lib.fromauth_profile_source_key(p, i)) or "",
                           status=_s(lib.fromauth_profile_source_status(p, i)) or "",
                           reference=_s(lib.fromauth_profile_source_reference(p, i)) or "")
                for i in range(lib.fromauth_profile_source_count(p))]

    def validate(self) -> None:
        """Raise :class:`ProfileError` unless the profile is complete
        (some ``ip`` or an ``spf-include``)."""
        _call(lib.fromauth_profile_validate, self._p())

    @property
    def name(self) -> Optional[str]:
        return _s_empty(lib.fromauth_profile_name(self._p()))

    @property
    def ips(self) -> List[str]:
        p = self._p()
        return [_s(lib.fromauth_profile_ip(p, i)) or ""
                for i in range(lib.fromauth_profile_ip_count(p))]

    @property
    def spf_include(self) -> Optional[str]:
        return _s(lib.fromauth_profile_spf_include(self._p()))

    @property
    def mail_from(self) -> Optional[str]:
        return _s(lib.fromauth_profile_mail_from(self._p()))

    @property
    def mail_from_target(self) -> Optional[str]:
        return _s(lib.fromauth_profile_mail_from_target(self._p()))

    @property
    def helo(self) -> Optional[str]:
        return _s(lib.fromauth_profile_helo(self._p()))

    @property
    def dkim(self) -> List[DkimIdentity]:
        p = self._p()
        return [DkimIdentity(selector=_s(lib.fromauth_profile_dkim_selector(p, i)) or "",
                             domain=_s(lib.fromauth_profile_dkim_domain(p, i)) or "",
                             target=_s(lib.fromauth_profile_dkim_target(p, i)))
                for i in range(lib.fromauth_profile_dkim_count(p))]

    @property
    def allowed_from(self) -> List[str]:
        p = self._p()
        return [_s(lib.fromauth_profile_allowed_from(p, i)) or ""
                for i in range(lib.fromauth_profile_allowed_from_count(p))]

    def __repr__(self) -> str:
        if self.closed:
            return "<fromauth.Profile closed>"
        return f"<fromauth.Profile {self.name!r}>"


class Context(_Owned):
    """DNS settings, overlay records and the shared cache for checks.

    Configure it in the constructor (or with the ``add_*``/``set_*``
    methods) before sharing it; then many threads may run checks on it at
    once: ctypes releases the GIL during each C call.  Use it as a context
    manager, or call :meth:`close` when no check runs any more.

    :param nameservers: ``"ADDR"`` or ``"ADDR@PORT"``; else /etc/resolv.conf
    :param timeout_ms: timeout of one DNS try (default 2000)
    :param tries: tries per query (default 2)
    :param deadline_ms: DNS time one check may spend (0 = none, default 30000)
    :param offline: only overlay records answer
    :param zone_files: master files whose records are overlaid
    :param assume: master-file lines overlaid, as ``fromauth --assume``
    :param assume_delete: master-file lines deleted, as ``fromauth
        --assume-delete`` (after @assume)
    :param timeout_names: names whose lookups time out (what-if tests)
    :param dnsbl: blocklist specs (:meth:`add_dnsbl`) asked instead of the
        default lists by ``reputation=True`` checks
    :param psl_file: a Public Suffix List file for RFC 7489 discovery
    :param cache_bytes: cap on the DNS cache's memory
    (@psl_file and @cache_bytes need a library with
    ``fromauth_ctx_set_psl`` and ``fromauth_ctx_set_cache_size``; others
    raise NotImplementedError)
    """

    _free_fn = lib.fromauth_ctx_free

    def __init__(self, nameservers: Iterable[str] = (), *,
                 timeout_ms: Optional[int] = None, tries: Optional[int] = None,
                 deadline_ms: Optional[int] = None, offline: bool = False,
                 zone_files: Iterable[str] = (), assume: Iterable[str] = (),
                 assume_delete: Iterable[str] = (),
                 timeout_names: Iterable[str] = (), dnsbl: Iterable[str] = (),
                 psl_file: Optional[Union[str, "os.PathLike[str]"]] = None,
                 cache_bytes: Optional[int] = None) -> None:
        ptr = P()
        _check_rc(lib.fromauth_ctx_new(ctypes.byref(ptr)))
        super().__init__(ptr)
        try:
            for ns in nameservers:
                self.add_nameserver(ns)
            if timeout_ms is not None:
                self.set_timeout(timeout_ms)
            if tries is not None:
                self.set_tries(tries)
            if deadline_ms is not None:
                self.set_deadline(deadline_ms)
            if offline:
                self.set_offline(True)
            for z in zone_files:
                self.add_zone_file(z)
            for rr in assume:
                self.add_record(rr)
            for rr in assume_delete:
                self.delete_record(rr)
            for n in timeout_names:
                self.add_timeout_name(n)
            for spec in dnsbl:
                self.add_dnsbl(spec)
            if psl_file is not None:
                self.set_psl(psl_file)
            if cache_bytes is not None:
                self.set_cache_size(cache_bytes)
        except BaseException:
            self.close()
            raise

    # -- configuration --

    def add_nameserver(self, addr: str) -> None:
        """Use ``ADDR`` or ``ADDR@PORT`` (IPv4 or IPv6) instead of
        /etc/resolv.conf; raises :class:`NameserverError`."""
        _check_rc(lib.fromauth_ctx_add_nameserver(self._p(), _b(addr)))

    def set_timeout(self, ms: int) -> None:
        """Timeout of one DNS try, 1..600000 ms."""
        _check_rc(lib.fromauth_ctx_set_timeout(self._p(), _uint(ms)))

    def set_tries(self, tries: int) -> None:
        """Tries per query, 1..10."""
        _check_rc(lib.fromauth_ctx_set_tries(self._p(), _uint(tries)))

    def set_deadline(self, ms: int) -> None:
        """DNS time one check may spend, ms; 0 for none."""
        _check_rc(lib.fromauth_ctx_set_deadline(self._p(), _uint(ms)))

    def set_offline(self, offline: bool = True) -> None:
        """Only overlay records answer."""
        _check_rc(lib.fromauth_ctx_set_offline(self._p(), 1 if offline else 0))

    def add_zone_file(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Overlay every record of an RFC 1035 master file; raises
        :class:`FileError` or :class:`RecordError` (naming file and line)."""
        _call(lib.fromauth_ctx_add_zone_file, self._p(), os.fsencode(path))

    def add_record(self, rr: str) -> None:
        """Overlay one record given as a master-file line, e.g.
        ``'_dmarc.example.com. 3600 IN TXT "v=DMARC1; p=none"'``."""
        _call(lib.fromauth_ctx_add_record, self._p(), _b(rr))

    def delete_record(self, rr: str) -> None:
        """Answer as if the record, a master-file line, were deleted: from
        the overlay and from what the network answers (matched by owner,
        type and data, not TTL); raises :class:`RecordError`."""
        _call(lib.fromauth_ctx_delete_record, self._p(), _b(rr))

    def add_timeout_name(self, name: str) -> None:
        """Make lookups of @name time out for every type the overlay lacks."""
        _check_rc(lib.fromauth_ctx_add_timeout_name(self._p(), _b(name)))

    def add_dnsbl(self, spec: str) -> None:
        """Ask this DNS blocklist in ``reputation=True`` checks; once any
        is added the default lists are no longer asked.  @spec is
        ``key=value`` parts separated by ``;``: ``zone=NAME``,
        ``kind=ip|domain``, ``listed=CODE MEANING,...`` and optionally
        ``refused=...``, ``ipv6=yes``, ``bitmask=yes``, ``registered=yes``,
        ``test=NAME``, ``delist=URL`` (``fromauth check --dnsbl``).  Raises
        :class:`InvalidArgumentError` (saying what is wrong) or
        :class:`RangeError` (more than 64 lists)."""
        _call(lib.fromauth_ctx_add_dnsbl, self._p(), _b(spec))

    def set_psl(self, path: Optional[Union[str, "os.PathLike[str]"]]) -> None:
        """Use the Public Suffix List in @path for RFC 7489 organizational
        domains (None: the system's); raises :class:`FileError`."""
        if not has("fromauth_ctx_set_psl"):
            raise NotImplementedError(f"{library_path} lacks fromauth_ctx_set_psl")
        _call(lib.fromauth_ctx_set_psl, self._p(),
              None if path is None else os.fsencode(path))

    def set_cache_size(self, nbytes: int) -> None:
        """Cap the memory of the context's DNS cache, in bytes."""
        if not has("fromauth_ctx_set_cache_size"):
            raise NotImplementedError(f"{library_path} lacks fromauth_ctx_set_cache_size")
        if not isinstance(nbytes, int) or nbytes < 0:
            raise _error(-2, _buf(f"{nbytes!r} is not a size"))
        _check_rc(lib.fromauth_ctx_set_cache_size(self._p(), nbytes))

    # -- checks --

    def check(self, address: str, profile: Profile, *, fix: bool = False,
              rules: Union[None, str, Iterable[str]] = None,
              reputation: bool = False) -> Result:
        """Can @address (bare or ``"Name <addr>"``) send through the service
        @profile?  Bad input raises :class:`AddressError` or
        :class:`DomainError`; every authentication outcome is in the
        result.  With @fix, every concrete fix is applied as an overlay
        and evaluated (:attr:`Result.fixed_verdict`).

        @rules adds receivers' sender rules as rows (:attr:`Result.rules`,
        :attr:`Result.fcrdns`): ``"all"``, or receivers of
        :data:`RECEIVERS` as a list or a comma-separated string.  With
        @reputation the domains and sampled service addresses are looked
        up on DNS blocklists (:attr:`Result.reputation`): off by default,
        as it tells third parties about the sender."""
        return self._check(address, profile, _flags(fix, rules, reputation), None)

    def _check(self, address: str, profile: Profile, flags: int,
               index: Optional[int]) -> Result:
        out = P()
        _call(lib.fromauth_check, self._p(), profile._p(), _b(address), flags,
              ctypes.byref(out))
        # The result owns the C result from here on and frees it once.
        return Result(out, index)

    def check_many(self, addresses: Iterable[str], profile: Profile, *, jobs: int = 16,
                   ordered: bool = True, fix: bool = False,
                   rules: Union[None, str, Iterable[str]] = None, reputation: bool = False,
                   errors: str = "raise", _threads: bool = False) -> Iterator[Union[Result, Error]]:
        """Check many From addresses on this context with @jobs checks at
        a time, yielding a :class:`Result` per address (``index`` is its
        0-based input position): in input order when @ordered, else as
        they complete.  At most a window of ``4 * jobs`` addresses is in
        flight, so @addresses may be a long iterator.

        A malformed address raises its :class:`Error` (with ``index`` and
        ``input`` set) when @errors is ``"raise"``, or is yielded in the
        result's place when it is ``"yield"``.  @fix, @rules and
        @reputation are those of :meth:`check`.

        With a library that has the batch API (``fromauth_batch_*``), the
        library's own worker pool runs the checks; else Python threads do
        (@_threads forces them, for tests).
        """
        if errors not in ("raise", "yield"):
            raise ValueError("errors must be 'raise' or 'yield'")
        if not 1 <= jobs <= 256:
            raise ValueError("jobs must be 1..256")
        flags = _flags(fix, rules, reputation)
        self._p()
        profile._p()
        engine = _CBatch if has("fromauth_batch_new") and not _threads else _ThreadBatch
        items = _drive(engine(self, profile, flags, jobs), addresses, ordered, 4 * jobs)
        try:
            for item in items:
                if isinstance(item, Error) and errors == "raise":
                    raise item
                yield item
        finally:
            items.close()       # stops the workers at once

    # -- the parts on their own --

    def spf(self, ip: str, mail_from: Optional[str] = None,
            helo: Optional[str] = None) -> SpfEvaluation:
        """RFC 7208 check_host() for @ip; @mail_from an address or a domain,
        None or "" the null sender (postmaster@helo)."""
        out = P()
        _call(lib.fromauth_spf_check, self._p(), _b(ip), _b(mail_from), _b(helo),
              ctypes.byref(out))
        try:
            return SpfEvaluation._from_c(out)
        finally:
            lib.fromauth_spf_free(out)

    def dkim(self, selector: str, domain: str,
             expected_target: Optional[str] = None) -> DkimKey:
        """Test the key at ``selector._domainkey.domain``; @expected_target
        is where the service publishes it (a CNAME target)."""
        out = P()
        _call(lib.fromauth_dkim_check, self._p(), _b(selector), _b(domain),
              _b(expected_target), ctypes.byref(out))
        try:
            return DkimKey._from_c(out)
        finally:
            lib.fromauth_dkim_free(out)

    def dmarc(self, domain: str) -> DmarcPolicy:
        """Discover and validate the DMARC policy of @domain (U-labels or
        A-labels)."""
        out = P()
        _call(lib.fromauth_dmarc_check, self._p(), _b(domain), ctypes.byref(out))
        try:
            return DmarcPolicy._from_c(out)
        finally:
            lib.fromauth_dmarc_free(out)

    def verify(self, message: Union[bytes, str], *, ip: Optional[str] = None,
               helo: Optional[str] = None, mail_from: Optional[str] = None,
               authserv_id: Optional[str] = None, fix: bool = False) -> Verification:
        """Why did this message fail?  Verify every DKIM-Signature of the
        RFC 5322 @message (bytes as received, or text), SPF for the
        connection (@ip, @helo, @mail_from; each None is taken from the
        topmost Received: field and Return-Path:), and DMARC for its From
        domain, beside the receiver's own Authentication-Results fields.
        Raises :class:`MessageError` for a text that is not a message or
        has no usable From field."""
        data = message.encode("utf-8") if isinstance(message, str) else bytes(message)
        out = P()
        _call(lib.fromauth_verify, self._p(), data, len(data), _b(ip), _b(helo),
              _b(mail_from), _b(authserv_id), _VERIFY_FIX if fix else 0, ctypes.byref(out))
        try:
            return Verification._from_c(out)
        finally:
            lib.fromauth_verify_free(out)

    def dns_lookup(self, name: str, rrtype: str = "TXT") -> DnsAnswer:
        """Look @name up through the context (overlay, cache, network)."""
        t = lib.fromauth_rrtype_from_name(_b(rrtype))
        if t == 0:
            raise _error(-2, _buf(f"unknown record type {rrtype!r}"))
        out = P()
        _call(lib.fromauth_dns_lookup, self._p(), _b(name), t, ctypes.byref(out))
        try:
            return DnsAnswer(
                name=name, rrtype=rrtype.upper(),
                status=_enum(DnsStatus, lib.fromauth_dns_status_name,
                             lib.fromauth_dns_answer_status(out)),
                records=[_s(lib.fromauth_dns_answer_record(out, i)) or ""
                         for i in range(lib.fromauth_dns_answer_count(out))],
                ttl=lib.fromauth_dns_answer_ttl(out),
                cnames=[_s(lib.fromauth_dns_answer_cname(out, i)) or ""
                        for i in range(lib.fromauth_dns_answer_cname_count(out))],
                source=_s(lib.fromauth_dns_answer_source(out)) or "",
                queries=lib.fromauth_dns_answer_queries(out),
                elapsed_ms=lib.fromauth_dns_answer_elapsed_ms(out),
            )
        finally:
            lib.fromauth_dns_answer_free(out)

    def __repr__(self) -> str:
        return "<fromauth.Context closed>" if self.closed else "<fromauth.Context>"


def _flags(fix: bool, rules: Union[None, str, Iterable[str]], reputation: bool) -> int:
    """enum fromauth_check_flags of check()'s keywords."""
    flags = _CHECK_FIX if fix else 0
    if rules is not None:
        names = rules.split(",") if isinstance(rules, str) else list(rules)
        for name in names:
            name = name.strip().lower()
            if name == "all":
                flags |= sum(_CHECK_RULES.values())
            elif name in _CHECK_RULES:
                flags |= _CHECK_RULES[name]
            else:
                raise _error(-2, _buf(f"rules: {name!r} is not one of "
                                      f"{', '.join(RECEIVERS)} or all"))
    if reputation:
        flags |= _CHECK_REPUTATION
    return flags


def _uint(v: int) -> int:
    if not isinstance(v, int) or v < 0 or v > 0xFFFFFFFF:
        raise _error(-2, _buf(f"{v!r} is not an unsigned int"))
    return v


def _buf(text: str) -> ctypes.Array:
    return ctypes.create_string_buffer(text.encode())


class _ThreadBatch:
    """check_many's engine: worker threads calling the C check, which runs
    without the GIL.  Its interface is the C batch API's (fromauth_batch_*):
    add an address and get its index, take (index, result or error) as
    they complete, close; so that engine can replace this one under the
    same window and ordering (:func:`_drive`)."""

    def __init__(self, ctx: Context, profile: Profile, flags: int, jobs: int) -> None:
        self._todo: "queue.SimpleQueue[Optional[Tuple[int, str]]]" = queue.SimpleQueue()
        self._done: "queue.SimpleQueue[Tuple[int, Union[Result, Error]]]" = queue.SimpleQueue()
        self._added = 0
        self._threads = [threading.Thread(target=self._work, args=(ctx, profile, flags),
                                          name=f"fromauth-{i}", daemon=True)
                         for i in range(jobs)]
        for t in self._threads:
            t.start()

    def _work(self, ctx: Context, profile: Profile, flags: int) -> None:
        todo, done = self._todo, self._done
        while True:
            item = todo.get()
            if item is None:
                return
            index, address = item
            try:
                done.put((index, ctx._check(address, profile, flags, index)))
            except Error as e:
                e.index, e.input = index, address
                done.put((index, e))

    def add(self, address: str) -> int:
        index = self._added
        self._added += 1
        self._todo.put((index, address))
        return index

    def next(self) -> Tuple[int, Union[Result, Error]]:
        return self._done.get()

    def close(self) -> None:
        """No more input; the workers end once the queue is drained."""
        for _ in self._threads:
            self._todo.put(None)

    def free(self) -> None:
        """Stop: drop what is not started, wait for checks in progress."""
        while True:
            try:
                self._todo.get_nowait()
            except queue.Empty:
                break
        self.close()
        for t in self._threads:
            t.join()


class _CBatch:
    """check_many's engine on the C batch API (fromauth_batch_*, libfromauth
    1.1 with the batch work): the library's own worker pool runs the
    checks; Python only adds addresses and takes results, one thread."""

    def __init__(self, ctx: Context, profile: Profile, flags: int, jobs: int) -> None:
        ptr = P()
        _call(lib.fromauth_batch_new, ctx._p(), profile._p(), flags, jobs, ctypes.byref(ptr))
        self._ptr: Optional[P] = ptr
        self._finalizer = weakref.finalize(self, lib.fromauth_batch_free, ptr)
        self._inputs: Dict[int, str] = {}
        self._buf = ctypes.create_string_buffer(ERRBUF_SIZE)

    def add(self, address: str) -> int:
        index = ctypes.c_size_t()
        _check_rc(lib.fromauth_batch_add(self._ptr, _b(address), ctypes.byref(index)))
        self._inputs[index.value] = address
        return index.value

    def next(self) -> Tuple[int, Union[Result, Error]]:
        index, out, err = ctypes.c_size_t(), P(), ctypes.c_int()
        rc = lib.fromauth_batch_next(self._ptr, ctypes.byref(index), ctypes.byref(out),
                                     ctypes.byref(err), self._buf, ERRBUF_SIZE)
        if rc < 0:
            raise _error(rc, self._buf)
        if rc == 0:
            raise RuntimeError("fromauth_batch_next: no item outstanding")
        i = index.value
        address = self._inputs.pop(i, None)
        if err.value != 0:
            e = _error(err.value, self._buf)
            e.index, e.input = i, address
            return i, e
        return i, Result(out, i)

    def close(self) -> None:
        _check_rc(lib.fromauth_batch_close(self._ptr))

    def free(self) -> None:
        self._finalizer()
        self._ptr = None


def _drive(batch: Union[_ThreadBatch, _CBatch], addresses: Iterable[str], ordered: bool,
           window: int) -> Iterator[Union[Result, Error]]:
    """Feed @batch at most @window items ahead of what was taken, and yield
    in input order (buffering at most @window) or as completed."""
    it = iter(addresses)
    outstanding = 0
    waiting: Dict[int, Union[Result, Error]] = {}
    next_index = 0
    more = True
    try:
        while True:
            while more and outstanding < window:
                address = next(it, None)
                if address is None:
                    more = False
                    batch.close()
                    break
                batch.add(address)
                outstanding += 1
            if outstanding == 0:
                return
            index, item = batch.next()
            outstanding -= 1
            if not ordered:
                yield item
                continue
            waiting[index] = item
            while next_index in waiting:
                yield waiting.pop(next_index)
                next_index += 1
    finally:
        batch.free()


def check(address: str, profile: Profile, *, fix: bool = False,
          rules: Union[None, str, Iterable[str]] = None, reputation: bool = False,
          context: Optional[Context] = None) -> Result:
    """:meth:`Context.check` on @context, or on a context of its own with
    the system resolver."""
    if context is not None:
        return context.check(address, profile, fix=fix, rules=rules, reputation=reputation)
    with Context() as ctx:
        return ctx.check(address, profile, fix=fix, rules=rules, reputation=reputation)


@dataclass(frozen=True)
class Address:
    """A From address as the checks read it (:func:`parse_address`)."""
    local: str
    #: In A-labels, lower case.
    domain: str
    display_name: Optional[str]
    #: local@domain with the A-label domain.
    addr_spec: str


def parse_address(text: str) -> Address:
    """Parse a bare address or an RFC 5322 mailbox (``"Name <a@b>"``);
    raises :class:`AddressError` or :class:`DomainError` saying what is
    wrong and at which byte offset."""
    out = P()
    _call(lib.fromauth_address_parse, _b(text), ctypes.byref(out))
    try:
        return Address(local=_s(lib.fromauth_address_local(out)) or "",
                       domain=_s(lib.fromauth_address_domain(out)) or "",
                       display_name=_s_empty(lib.fromauth_address_display_name(out)),
                       addr_spec=_s(lib.fromauth_address_addr_spec(out)) or "")
    finally:
        lib.fromauth_address_free(out)


def to_alabel(domain: str) -> str:
    """A domain as typed (U-labels, any case, one trailing dot) in
    lower-case A-labels, as every check converts it; raises
    :class:`DomainError`."""
    buf = ctypes.create_string_buffer(DOMAIN_SIZE)
    _call(lib.fromauth_domain_to_alabel, _b(domain), buf, DOMAIN_SIZE)
    return buf.value.decode()
