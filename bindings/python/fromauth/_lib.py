# SPDX-License-Identifier: BSD-2-Clause
"""Loading libfromauth and declaring the C functions the package calls.

Only this module touches ctypes prototypes; the rest of the package calls
``lib.fromauth_*`` with Python values.  Every function is declared with
its argument and result types, so ctypes never guesses an ``int`` for a
pointer.  ctypes releases the GIL around every call of a ``CDLL``, so
checks on one context run in parallel from Python threads.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from typing import Dict, List, Tuple

__all__ = ["lib", "library_path", "P", "ERRBUF_SIZE", "DOMAIN_SIZE", "DECLARED", "has"]

P = ctypes.c_void_p
_s = ctypes.c_char_p
_i = ctypes.c_int
_u = ctypes.c_uint
_z = ctypes.c_size_t
_pp = ctypes.POINTER(ctypes.c_void_p)

# FROMAUTH_ERRBUF_SIZE and FROMAUTH_DOMAIN_SIZE of fromauth.h.
ERRBUF_SIZE = 512
DOMAIN_SIZE = 254

_SONAME = "libfromauth.so.1"


def _candidates() -> List[str]:
    env = os.environ.get("FROMAUTH_LIBRARY")
    if env:
        # A build tree: the file itself, or the directory holding it.
        if os.path.isdir(env):
            env = os.path.join(env, _SONAME)
        return [env]
    out = []
    try:
        from . import _install  # written by meson install
        out.append(os.path.join(_install.LIBDIR, _SONAME))
    except ImportError:
        pass
    out.append(_SONAME)
    found = ctypes.util.find_library("fromauth")
    if found:
        out.append(found)
    return out


def _load() -> Tuple[ctypes.CDLL, str]:
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            errors.append(f"{path}: {e}")
    raise ImportError("libfromauth not found (set FROMAUTH_LIBRARY to the built "
                      "libfromauth.so.1 of a build tree): " + "; ".join(errors))


lib, library_path = _load()

# name: (restype, argtypes).
_PROTOS: Dict[str, Tuple[object, list]] = {
    "fromauth_strerror": (_s, [_i]),
    "fromauth_version": (_s, []),
    # context
    "fromauth_ctx_new": (_i, [_pp]),
    "fromauth_ctx_free": (None, [P]),
    "fromauth_ctx_add_nameserver": (_i, [P, _s]),
    "fromauth_ctx_set_timeout": (_i, [P, _u]),
    "fromauth_ctx_set_tries": (_i, [P, _u]),
    "fromauth_ctx_set_deadline": (_i, [P, _u]),
    "fromauth_ctx_set_offline": (_i, [P, _i]),
    "fromauth_ctx_add_zone_file": (_i, [P, _s, _s, _z]),
    "fromauth_ctx_add_record": (_i, [P, _s, _s, _z]),
    "fromauth_ctx_delete_record": (_i, [P, _s, _s, _z]),
    "fromauth_ctx_add_timeout_name": (_i, [P, _s]),
    "fromauth_ctx_add_dnsbl": (_i, [P, _s, _s, _z]),
    # dns
    "fromauth_rrtype_from_name": (_i, [_s]),
    "fromauth_dns_status_name": (_s, [_i]),
    "fromauth_dns_lookup": (_i, [P, _s, _i, _pp, _s, _z]),
    "fromauth_dns_answer_free": (None, [P]),
    "fromauth_dns_answer_status": (_i, [P]),
    "fromauth_dns_answer_count": (_z, [P]),
    "fromauth_dns_answer_record": (_s, [P, _z]),
    "fromauth_dns_answer_ttl": (ctypes.c_uint32, [P]),
    "fromauth_dns_answer_cname_count": (_z, [P]),
    "fromauth_dns_answer_cname": (_s, [P, _z]),
    "fromauth_dns_answer_source": (_s, [P]),
    "fromauth_dns_answer_queries": (_u, [P]),
    "fromauth_dns_answer_elapsed_ms": (_u, [P]),
    # address
    "fromauth_address_parse": (_i, [_s, _pp, _s, _z]),
    "fromauth_address_free": (None, [P]),
    "fromauth_address_local": (_s, [P]),
    "fromauth_address_domain": (_s, [P]),
    "fromauth_address_display_name": (_s, [P]),
    "fromauth_address_addr_spec": (_s, [P]),
    "fromauth_domain_to_alabel": (_i, [_s, ctypes.c_char_p, _z, _s, _z]),
    # profile
    "fromauth_profile_new": (_i, [_pp]),
    "fromauth_profile_load": (_i, [_s, _pp, _s, _z]),
    "fromauth_profile_parse": (_i, [_s, _s, _pp, _s, _z]),
    "fromauth_profile_free": (None, [P]),
    "fromauth_profile_set": (_i, [P, _s, _s, _s, _z]),
    "fromauth_profile_validate": (_i, [P, _s, _z]),
    "fromauth_profile_name": (_s, [P]),
    "fromauth_profile_ip_count": (_z, [P]),
    "fromauth_profile_ip": (_s, [P, _z]),
    "fromauth_profile_spf_include": (_s, [P]),
    "fromauth_profile_mail_from": (_s, [P]),
    "fromauth_profile_mail_from_target": (_s, [P]),
    "fromauth_profile_helo": (_s, [P]),
    "fromauth_profile_dkim_count": (_z, [P]),
    "fromauth_profile_dkim_selector": (_s, [P, _z]),
    "fromauth_profile_dkim_domain": (_s, [P, _z]),
    "fromauth_profile_dkim_target": (_s, [P, _z]),
    "fromauth_profile_allowed_from_count": (_z, [P]),
    "fromauth_profile_allowed_from": (_s, [P, _z]),
    # service catalogue and per-account parameters (1.1)
    "fromauth_profile_set_param": (_i, [P, _s, _s, _s, _z]),
    "fromauth_profile_param_count": (_z, [P]),
    "fromauth_profile_param_name": (_s, [P, _z]),
    "fromauth_profile_param_description": (_s, [P, _z]),
    "fromauth_profile_param_value": (_s, [P, _z]),
    "fromauth_services_dir": (_s, []),
    "fromauth_profile_load_service": (_i, [_s, _pp, _s, _z]),
    "fromauth_profile_id": (_s, [P]),
    "fromauth_profile_doc": (_s, [P]),
    "fromauth_profile_verified": (_s, [P]),
    "fromauth_profile_source_count": (_z, [P]),
    "fromauth_profile_source_key": (_s, [P, _z]),
    "fromauth_profile_source_status": (_s, [P, _z]),
    "fromauth_profile_source_reference": (_s, [P, _z]),
    # spf
    "fromauth_spf_result_name": (_s, [_i]),
    "fromauth_spf_check": (_i, [P, _s, _s, _s, _pp, _s, _z]),
    "fromauth_spf_free": (None, [P]),
    "fromauth_spf_ip": (_s, [P]),
    "fromauth_spf_domain": (_s, [P]),
    "fromauth_spf_result": (_i, [P]),
    "fromauth_spf_reason": (_s, [P]),
    "fromauth_spf_explanation": (_s, [P]),
    "fromauth_spf_record": (_s, [P]),
    "fromauth_spf_lookups": (_u, [P]),
    "fromauth_spf_void_lookups": (_u, [P]),
    "fromauth_spf_json": (_s, [P]),
    # dkim
    "fromauth_dkim_status_name": (_s, [_i]),
    "fromauth_dkim_check": (_i, [P, _s, _s, _s, _pp, _s, _z]),
    "fromauth_dkim_free": (None, [P]),
    "fromauth_dkim_selector": (_s, [P]),
    "fromauth_dkim_domain": (_s, [P]),
    "fromauth_dkim_status": (_i, [P]),
    "fromauth_dkim_reason": (_s, [P]),
    "fromauth_dkim_key_type": (_s, [P]),
    "fromauth_dkim_key_bits": (_u, [P]),
    "fromauth_dkim_testing": (_i, [P]),
    "fromauth_dkim_record": (_s, [P]),
    "fromauth_dkim_cname_count": (_z, [P]),
    "fromauth_dkim_cname": (_s, [P, _z]),
    "fromauth_dkim_json": (_s, [P]),
    "fromauth_dkim_name": (_s, [P]),
    "fromauth_dkim_key_short": (_i, [P]),
    "fromauth_dkim_expected_target": (_s, [P]),
    "fromauth_dkim_target_reached": (_i, [P]),
    "fromauth_dkim_target_key_equal": (_i, [P]),
    # dmarc
    "fromauth_dmarc_policy_name": (_s, [_i]),
    "fromauth_dmarc_check": (_i, [P, _s, _pp, _s, _z]),
    "fromauth_dmarc_free": (None, [P]),
    "fromauth_dmarc_record_domain": (_s, [P]),
    "fromauth_dmarc_record": (_s, [P]),
    "fromauth_dmarc_org_domain": (_s, [P]),
    "fromauth_dmarc_policy": (_i, [P]),
    "fromauth_dmarc_effective_policy": (_i, [P]),
    "fromauth_dmarc_json": (_s, [P]),
    "fromauth_dmarc_domain": (_s, [P]),
    "fromauth_dmarc_p": (_i, [P]),
    "fromauth_dmarc_sp": (_i, [P]),
    "fromauth_dmarc_np": (_i, [P]),
    "fromauth_dmarc_policy_tag": (_s, [P]),
    "fromauth_dmarc_adkim": (_s, [P]),
    "fromauth_dmarc_aspf": (_s, [P]),
    "fromauth_dmarc_pct": (_i, [P]),
    "fromauth_dmarc_testing": (_i, [P]),
    "fromauth_dmarc_psd": (_s, [P]),
    "fromauth_dmarc_fo": (_s, [P]),
    "fromauth_dmarc_rf": (_s, [P]),
    "fromauth_dmarc_ri": (ctypes.c_longlong, [P]),
    "fromauth_dmarc_nonexistent": (_i, [P]),
    "fromauth_dmarc_temperror": (_i, [P]),
    "fromauth_dmarc_record_count": (_z, [P]),
    "fromauth_dmarc_multiple_domain": (_s, [P]),
    "fromauth_dmarc_rua_count": (_z, [P]),
    "fromauth_dmarc_rua": (_s, [P, _z]),
    "fromauth_dmarc_ruf_count": (_z, [P]),
    "fromauth_dmarc_ruf": (_s, [P, _z]),
    "fromauth_dmarc_problem_count": (_z, [P]),
    "fromauth_dmarc_problem": (_s, [P, _z]),
    "fromauth_dmarc_unauthorized_count": (_z, [P]),
    "fromauth_dmarc_unauthorized": (_s, [P, _z]),
    "fromauth_dmarc_unauthorized_host": (_s, [P, _z]),
    "fromauth_dmarc_unauthorized_record": (_s, [P, _z]),
    "fromauth_dmarc_unauthorized_fix": (_i, [P, _z, _s, _z]),
    "fromauth_dmarc_tree_walk_count": (_z, [P]),
    "fromauth_dmarc_tree_walk": (_s, [P, _z]),
    "fromauth_dmarc_discovery_differs": (_s, [P]),
    "fromauth_dmarc_rfc7489_org_domain": (_s, [P]),
    "fromauth_dmarc_rfc7489_record_domain": (_s, [P]),
    "fromauth_dmarc_rfc7489_record": (_s, [P]),
    "fromauth_dmarc_rfc7489_policy": (_i, [P]),
    "fromauth_dmarc_rfc7489_temperror": (_i, [P]),
    # check
    "fromauth_verdict_name": (_s, [_i]),
    "fromauth_severity_name": (_s, [_i]),
    "fromauth_check": (_i, [P, P, _s, _u, _pp, _s, _z]),
    "fromauth_result_free": (None, [P]),
    "fromauth_result_verdict": (_i, [P]),
    "fromauth_result_fixed_verdict": (_i, [P]),
    "fromauth_result_domain": (_s, [P]),
    "fromauth_result_org_domain": (_s, [P]),
    "fromauth_result_mail_from": (_s, [P]),
    "fromauth_result_spf_summary": (_s, [P]),
    "fromauth_result_spf_count": (_z, [P]),
    "fromauth_result_spf": (P, [P, _z]),
    "fromauth_result_dkim_count": (_z, [P]),
    "fromauth_result_dkim": (P, [P, _z]),
    "fromauth_result_dmarc": (P, [P]),
    "fromauth_result_finding_count": (_z, [P]),
    "fromauth_result_finding_code": (_s, [P, _z]),
    "fromauth_result_finding_severity": (_i, [P, _z]),
    "fromauth_result_finding_message": (_s, [P, _z]),
    "fromauth_result_finding_fix_count": (_z, [P, _z]),
    "fromauth_result_finding_fix": (_s, [P, _z, _z]),
    "fromauth_result_finding_fix_needs_input": (_i, [P, _z]),
    "fromauth_result_finding_op_count": (_z, [P, _z]),
    "fromauth_result_finding_op": (_i, [P, _z, _z]),
    "fromauth_result_finding_op_rr": (_s, [P, _z, _z]),
    "fromauth_result_finding_op_old": (_s, [P, _z, _z]),
    "fromauth_result_finding_op_text": (_s, [P, _z, _z]),
    "fromauth_fix_op_name": (_s, [_i]),
    "fromauth_result_dns_queries": (_u, [P]),
    "fromauth_result_cache_hits": (_u, [P]),
    "fromauth_result_elapsed_ms": (_u, [P]),
    "fromauth_result_json": (_s, [P]),
    "fromauth_result_from": (_s, [P]),
    "fromauth_result_service": (_s, [P]),
    "fromauth_result_spf_aligned": (_i, [P]),
    "fromauth_result_spf_outside_domain": (_i, [P]),
    "fromauth_result_spf_record": (_s, [P]),
    "fromauth_result_spf_lookups": (_u, [P]),
    "fromauth_result_spf_void_lookups": (_u, [P]),
    "fromauth_result_spf_lookups_cut": (_i, [P]),
    "fromauth_result_dkim_aligned": (_i, [P, _z]),
    "fromauth_result_dmarc_result": (_s, [P]),
    "fromauth_result_fix_not_applied_count": (_z, [P]),
    "fromauth_result_fix_not_applied": (_s, [P, _z]),
    # receivers' rules and blocklist reputation
    "fromauth_rule_status_name": (_s, [_i]),
    "fromauth_result_rule_count": (_z, [P]),
    "fromauth_result_rule_receiver": (_s, [P, _z]),
    "fromauth_result_rule_tier": (_s, [P, _z]),
    "fromauth_result_rule_requirement": (_s, [P, _z]),
    "fromauth_result_rule_status": (_i, [P, _z]),
    "fromauth_result_rule_code": (_s, [P, _z]),
    "fromauth_result_rule_message": (_s, [P, _z]),
    "fromauth_result_rule_finding": (_s, [P, _z]),
    "fromauth_reputation_status_name": (_s, [_i]),
    "fromauth_result_reputation_count": (_z, [P]),
    "fromauth_result_reputation_zone": (_s, [P, _z]),
    "fromauth_result_reputation_target": (_s, [P, _z]),
    "fromauth_result_reputation_status": (_i, [P, _z]),
    "fromauth_result_reputation_reason": (_s, [P, _z]),
    # message verification
    "fromauth_verify": (_i, [P, ctypes.c_char_p, _z, _s, _s, _s, _s, _u, _pp, _s, _z]),
    "fromauth_verify_free": (None, [P]),
    "fromauth_verify_from": (_s, [P]),
    "fromauth_verify_domain": (_s, [P]),
    "fromauth_verify_dmarc_result": (_s, [P]),
    "fromauth_verify_dmarc": (P, [P]),
    "fromauth_verify_spf_result": (_s, [P]),
    "fromauth_verify_spf": (P, [P]),
    "fromauth_verify_spf_aligned": (_i, [P]),
    "fromauth_verify_signature_count": (_z, [P]),
    "fromauth_verify_signature_domain": (_s, [P, _z]),
    "fromauth_verify_signature_selector": (_s, [P, _z]),
    "fromauth_verify_signature_result": (_s, [P, _z]),
    "fromauth_verify_signature_reason": (_s, [P, _z]),
    "fromauth_verify_signature_aligned": (_i, [P, _z]),
    "fromauth_verify_authentication_results": (_s, [P]),
    "fromauth_verify_finding_count": (_z, [P]),
    "fromauth_verify_finding_code": (_s, [P, _z]),
    "fromauth_verify_finding_severity": (_i, [P, _z]),
    "fromauth_verify_finding_message": (_s, [P, _z]),
    "fromauth_verify_finding_fix_count": (_z, [P, _z]),
    "fromauth_verify_finding_fix": (_s, [P, _z, _z]),
    "fromauth_verify_fixed_dmarc_result": (_s, [P]),
    "fromauth_verify_json": (_s, [P]),
}

# Functions of libfromauth 1.1 that come with the batch work; declared
# when the loaded library has them, and used only after has().
_OPTIONAL: Dict[str, Tuple[object, list]] = {
    "fromauth_ctx_set_cache_size": (_i, [P, _z]),
    "fromauth_ctx_set_psl": (_i, [P, _s, _s, _z]),
    "fromauth_batch_new": (_i, [P, P, _u, _u, _pp, _s, _z]),
    "fromauth_batch_add": (_i, [P, _s, ctypes.POINTER(ctypes.c_size_t)]),
    "fromauth_batch_close": (_i, [P]),
    "fromauth_batch_next": (_i, [P, ctypes.POINTER(ctypes.c_size_t), _pp,
                                 ctypes.POINTER(ctypes.c_int), _s, _z]),
    "fromauth_batch_free": (None, [P]),
}

#: The C functions the package declares, for the coverage test.
DECLARED = frozenset(_PROTOS) | frozenset(_OPTIONAL)

for _name, (_res, _args) in _PROTOS.items():
    try:
        _f = getattr(lib, _name)
    except AttributeError:
        raise ImportError(f"{library_path} lacks {_name}: the package needs "
                          "libfromauth 1.1 or later") from None
    _f.restype = _res
    _f.argtypes = _args
for _name, (_res, _args) in _OPTIONAL.items():
    if hasattr(lib, _name):
        _f = getattr(lib, _name)
        _f.restype = _res
        _f.argtypes = _args


def has(name: str) -> bool:
    """Whether the loaded library has the optional function @name."""
    return name in _OPTIONAL and hasattr(lib, name)
