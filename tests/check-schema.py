#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The JSON the tool prints (the library's JSON) matches the committed
schema, doc/schema/fromauth.schema.json (meson suite 'schema').

  check-schema.py FROMAUTH SOURCE_ROOT

Runs `fromauth check --json` (with and without --fix) over every scenario
of tests/test-check.c, `fromauth spf/dkim/dmarc --json` over their domains,
and a check whose every lookup times out (a silent UDP port on 127.0.0.1),
and validates each object against its $defs entry.  Validation is strict:
every object of the schema is closed (unevaluatedProperties: false), so a
member the library adds without the schema fails here, while the committed
schema stays open for consumers.

Exit status: 0 pass, 1 fail, 77 skip (python3-jsonschema not installed).
"""
import copy
import json
import re
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

try:
    import jsonschema
except ImportError:
    print("python3-jsonschema not installed: skipping")
    sys.exit(77)

tool, root = sys.argv[1], Path(sys.argv[2])
schema = json.loads((root / "doc/schema/fromauth.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)


EXTENSIBLE = ("spf", "dkim", "dmarc")   # check extends these with members


def closed(node, extensible=False):
    """The schema with every object that lists properties closed.  The
    roots of spf, dkim and dmarc stay open (the check adds members to
    them) and are closed where they are used, as are `if` conditions."""
    if isinstance(node, list):
        return [closed(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k == "$defs":
            out[k] = {name: closed(d, name in EXTENSIBLE) for name, d in v.items()}
        elif k == "if":
            out[k] = v
        elif k == "allOf":      # closed by the schema that extends them
            out[k] = [closed(d, True) for d in v]
        else:
            out[k] = closed(v)
    ref = out.get("$ref", "")
    if not extensible and ("properties" in out or
                           ref.split("/")[-1] in EXTENSIBLE and ref.startswith("#/$defs/")):
        out.setdefault("unevaluatedProperties", False)
    return out


strict = closed(schema)
validators = {kind: jsonschema.Draft202012Validator(
    dict(strict, **{"$ref": f"#/$defs/{kind}", "unevaluatedProperties": False}))
    for kind in ("check", "spf", "dkim", "dmarc")}

failures = []
counts = {}


def validate(kind, what, text):
    counts[kind] = counts.get(kind, 0) + 1
    try:
        obj = json.loads(text)
    except ValueError as e:
        failures.append(f"{what}: not JSON ({e}): {text[:200]!r}")
        return None
    errs = sorted(validators[kind].iter_errors(obj), key=lambda e: list(e.path))
    for e in errs[:5]:
        failures.append(f"{what}: {'/'.join(map(str, e.path)) or '(top)'}: {e.message}")
    return obj


def run(args):
    return subprocess.run([tool] + args, capture_output=True, text=True, timeout=300)


# The scenario table of tests/test-check.c: zone, profile, From.
table = re.findall(r'^\t\{ "([a-z0-9-]+)", "([a-z0-9]+)", "((?:[^"\\]|\\.)*)",',
                   (root / "tests/test-check.c").read_text(), flags=re.M)
if len(table) < 40:
    print(f"only {len(table)} scenarios found in tests/test-check.c")
    sys.exit(1)
check_dir = root / "tests/check"


def scenario(zone, prof, addr):
    base = ["--service", str(check_dir / "profiles" / f"{prof}.profile"),
            "--zone", str(check_dir / "esp.zone"),
            "--zone", str(check_dir / "zones" / f"{zone}.zone"), "--offline"]
    out = []
    for extra in ([], ["--fix"]):
        r = run(["check", addr] + base + extra + ["--json"])
        if r.returncode not in (0, 1, 2, 3):
            failures.append(f"check {zone} {extra}: exit {r.returncode}: {r.stderr}")
            continue
        out.append(("check", f"check {zone} {' '.join(extra)}", r.stdout))
    dom = addr.split("@")[1]
    zoneargs = base[2:]
    r = run(["dmarc", dom] + zoneargs + ["--json"])
    out.append(("dmarc", f"dmarc {dom}", r.stdout))
    # The service's addresses and a foreign one against the domain.
    for ip in ("192.0.2.1", "2001:db8::1", "198.51.100.7"):
        r = run(["spf", "--ip", ip, "--mail-from", dom] + zoneargs + ["--json"])
        out.append(("spf", f"spf {ip} {dom}", r.stdout))
    for sel, target in (("s1", None), ("s1", "s2048.dkim.sendco.example"), ("nosuch", None)):
        args = ["dkim", sel, dom] + zoneargs + ["--json"]
        if target:
            args += ["--target", target]
        r = run(args)
        out.append(("dkim", f"dkim {sel} {dom} {target or ''}", r.stdout))
    return out


jobs = [(z, p, a) for z, p, a in table if "\\" not in a]
with ThreadPoolExecutor(max_workers=4) as pool:
    for outs in pool.map(lambda s: scenario(*s), jobs):
        for kind, what, text in outs:
            validate(kind, what, text)

# Every lookup times out: the members that go null.
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
ns = f"127.0.0.1@{sock.getsockname()[1]}"
r = run(["check", "news@members.example", "--service",
         str(root / "tools/examples/esp.profile"), "--nameserver", ns, "--timeout", "50",
         "--json"])
obj = validate("check", "check with every lookup timing out", r.stdout)
if obj is not None and obj.get("verdict") != "unknown":
    failures.append(f"the timing-out check gave {obj.get('verdict')}, not unknown")
validate("dmarc", "dmarc timing out",
         run(["dmarc", "members.example", "--nameserver", ns, "--timeout", "50",
              "--json"]).stdout)
sock.close()

# The schema must not be vacuous: an object missing a member fails.
good = json.loads(run(["check", "news@members.example", "--service",
                       str(root / "tools/examples/esp.profile"), "--zone",
                       str(root / "tools/examples/members.example.zone"), "--offline",
                       "--fix", "--json"]).stdout)
for path in (("verdict",), ("dmarc", "tree_walk"), ("spf", "ips"), ("stats",)):
    bad = copy.deepcopy(good)
    node = bad
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    if validators["check"].is_valid(bad):
        failures.append(f"the schema accepts a check object without {'/'.join(path)}")
for path in ((), ("dmarc",), ("dmarc", "rfc7489"), ("dkim", 0), ("spf", "ips", 0),
             ("findings", 0), ("stats",)):
    bad = copy.deepcopy(good)
    node = bad
    for key in path:
        node = node[key]
    node["surprise"] = 1
    if validators["check"].is_valid(bad):
        failures.append(f"strict validation accepts an unknown member in /{'/'.join(map(str, path))}")

for f in failures:
    print("FAIL:", f)
print(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + " objects validated; "
      f"{len(failures)} problems")
sys.exit(1 if failures else 0)
