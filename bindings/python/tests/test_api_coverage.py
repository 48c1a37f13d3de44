# SPDX-License-Identifier: BSD-2-Clause
"""Every public C function (lib/libfromauth.sym) has a Python counterpart,
declared with the header's types, or an explicit reason here why not."""
import ctypes
import re
from pathlib import Path

import fromauth
from fromauth import _lib
from conftest import ROOT

# Functions the package deliberately does not call, and why.
NOT_WRAPPED = {
    "fromauth_spf_json": "SpfEvaluation's fields hold the same facts; "
                         "Result.to_dict() carries the whole JSON",
    "fromauth_dkim_json": "DkimKey's fields hold the same facts",
    "fromauth_dmarc_json": "DmarcPolicy's fields hold the same facts",
}
# C types of the header as ctypes declares them.
CTYPES = {
    "void": None, "int": ctypes.c_int, "unsigned int": ctypes.c_uint,
    "size_t": ctypes.c_size_t, "uint32_t": ctypes.c_uint32,
    "long long": ctypes.c_longlong, "const char *": ctypes.c_char_p,
    "char *": ctypes.c_char_p, "size_t *": ctypes.POINTER(ctypes.c_size_t),
    "int *": ctypes.POINTER(ctypes.c_int),
}


def exported():
    text = (ROOT / "lib" / "libfromauth.sym").read_text()
    return re.findall(r"^\s*(fromauth_\w+)\s*;", text, flags=re.M)


def header_prototypes():
    text = (ROOT / "include" / "fromauth" / "fromauth.h").read_text()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"^\s*#.*$", " ", text, flags=re.M)
    out = {}
    for m in re.finditer(r"([A-Za-z_][\w \t\n*]*?)\b(fromauth_\w+)\s*\(([^;{()]*)\)\s*;", text):
        ret, name, args = m.groups()
        ret = ret.split(";")[-1].split("}")[-1]
        args = [] if args.strip() == "void" else [a for a in args.split(",")]
        out[name] = (c_type(ret), [c_type(re.sub(r"\w+\s*$", "", a)) for a in args])
    return out


def c_type(decl):
    t = re.sub(r"\s*\*\s*", " *", " ".join(decl.split())).strip()
    t = t.replace("* *", "**")
    if re.fullmatch(r"(const )?struct \w+ \*\*", t):
        return ctypes.POINTER(ctypes.c_void_p)
    if re.fullmatch(r"(const )?struct \w+ \*", t):
        return ctypes.c_void_p
    return CTYPES[t]


def package_source():
    pkg = Path(fromauth.__file__).parent
    return "".join(p.read_text() for p in pkg.glob("*.py") if p.name != "_lib.py")


def test_every_function_has_a_counterpart():
    src = package_source()
    missing = [f for f in exported()
               if f not in NOT_WRAPPED and not re.search(rf"\blib\.{f}\b", src)]
    assert not missing, f"public C functions with no Python counterpart: {missing}"


def test_reasons_are_current():
    stale = [f for f in NOT_WRAPPED if f not in exported()]
    assert not stale, f"NOT_WRAPPED names functions that are not exported: {stale}"
    src = package_source()
    used = [f for f in NOT_WRAPPED if re.search(rf"\blib\.{f}\b", src)]
    assert not used, f"NOT_WRAPPED names functions the package calls: {used}"


def same(a, b):
    if a is None or b is None:
        return a is b
    return ctypes.sizeof(a) == ctypes.sizeof(b) and \
        (a is b or getattr(a, "_type_", None) == getattr(b, "_type_", None))


def test_declarations_match_the_header():
    protos = header_prototypes()
    wrong = []
    declared = dict(_lib._PROTOS)
    declared.update({n: p for n, p in _lib._OPTIONAL.items() if n in protos})
    for name, (res, args) in declared.items():
        assert name in protos, f"{name} is not in the header"
        hres, hargs = protos[name]
        if not same(res, hres) or len(args) != len(hargs) or \
                not all(same(a, h) for a, h in zip(args, hargs)):
            wrong.append(name)
    assert not wrong, f"ctypes declarations differ from the header: {wrong}"
    assert set(_lib._PROTOS) <= set(exported())
