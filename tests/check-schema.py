#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The JSON the tool prints (the library's JSON) matches the committed
schema, doc/schema/fromauth.schema.json (meson suite 'schema').

  check-schema.py FROMAUTH SOURCE_ROOT

Runs `fromauth check --json` (with and without --fix) over every scenario
of tests/test-check.c, `fromauth spf/dkim/dmarc --json` over their domains,
`fromauth check --rules ... [--reputation] --json` over every scenario of
tests/test-rules.c (blocklists as overlay copies), `fromauth verify --json`
(with and without --fix and --ip) over tests/verify/*.eml, `fromauth bulk
--json` over the scenarios' addresses and bad lines, and a check
whose every lookup times out (a silent UDP port on 127.0.0.1), and
validates each object against its $defs entry.  Validation is strict:
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


EXTENSIBLE = ("spf", "dkim", "dmarc", "check")   # extended with members elsewhere


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
    for kind in ("check", "spf", "dkim", "dmarc", "verify", "bulk_line")}

failures = []
counts = {}


def unique_members(pairs):
    # The library adds members without json-c's lookup: a key added twice
    # would come out twice, which json.loads alone would hide.
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError("member(s) given twice: " + ", ".join(dup))
    return dict(pairs)


def validate(kind, what, text):
    counts[kind] = counts.get(kind, 0) + 1
    try:
        obj = json.loads(text, object_pairs_hook=unique_members)
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

# Receivers' rules and blocklists: the scenarios of tests/test-rules.c
# (their zones, profile, From and flags; timeouts left out, the tool has
# no option for them).
MACROS = {"HEALTHY": "check/zones/healthy.zone", "PTR": "rules/ptr.zone",
          "BL": "rules/dnsbl.zone"}
rules_text = (root / "tests/test-rules.c").read_text()
rules_text = rules_text[rules_text.index("scenarios[] = {"):rules_text.index("#define NSCENARIOS")]
rules_table = re.findall(r'^\t\{ "([a-z0-9-]+)",\s*\{ ([^}]*) \},\s*"(\w+)",\s*"([^"]+)",'
                         r'\s*(?:NULL|"[^"]+"),\s*([A-Z_ |\s]+),', rules_text, flags=re.M)
if len(rules_table) != len(re.findall(r'^\t\{ "', rules_text, flags=re.M)) or len(rules_table) < 30:
    print(f"read {len(rules_table)} scenarios of tests/test-rules.c, not all")
    sys.exit(1)


def rules_scenario(name, zones, prof, addr, flags):
    flags = {f.strip() for f in flags.split("|")}
    receivers = "all" if "ALL" in flags else ",".join(
        f.rsplit("_", 1)[1].lower() for f in sorted(flags) if f.startswith("FROMAUTH_CHECK_RULES_"))
    args = ["check", addr, "--service", str(check_dir / "profiles" / f"{prof}.profile"),
            "--zone", str(check_dir / "esp.zone"), "--offline", "--json", "--rules", receivers]
    for z in zones.split(","):
        z = z.strip()
        if z and z != "0":
            args += ["--zone", str(root / "tests" / MACROS.get(z, z.strip('"')))]
    out = []
    for extra in (["--reputation"], []) if "REP" in flags else ([],):
        r = run(args + extra)
        if r.returncode not in (0, 1, 2, 3):
            failures.append(f"check --rules {name} {extra}: exit {r.returncode}: {r.stderr}")
            continue
        out.append((f"check --rules {name} {' '.join(extra)}", r.stdout))
    return out


rules_objects = []
with ThreadPoolExecutor(max_workers=4) as pool:
    for outs in pool.map(lambda s: rules_scenario(*s), rules_table):
        for what, text in outs:
            obj = validate("check", what, text)
            if obj is not None:
                rules_objects.append(obj)
                if "rules" not in obj or "fcrdns" not in obj:
                    failures.append(f"{what}: no rules or fcrdns member")
                if ("reputation" in obj) != ("--reputation" in what):
                    failures.append(f"{what}: reputation member present: {'reputation' in obj}")
seen = {(u["status"]) for o in rules_objects for u in o.get("rules", [])}
seen |= {p["status"] for o in rules_objects for p in o.get("reputation", {}).get("lookups", [])}
for status in ("pass", "fail", "unknown", "not_checked", "listed", "not_listed", "refused"):
    if status not in seen:
        failures.append(f"no rules scenario gave a {status} row: the validation is thin")

# The service catalogue: every service against every customer domain of
# its test zones, with --fix and --rules all (no parameters: placeholders).
svc_dir = root / "services"
customers = re.findall(r"^\$ORIGIN ([a-z0-9.-]+)\.$",
                       (root / "tests/services/customers.zone").read_text(), flags=re.M) \
    if (root / "tests/services/customers.zone").exists() else []
catalogue_jobs = [(svc, dom) for svc in sorted(svc_dir.glob("*.profile")) for dom in customers]


def catalogue_check(svc, dom):
    r = run(["check", f"news@{dom}", "--service", str(svc), "--offline", "--fix",
             "--rules", "all", "--json",
             "--zone", str(root / "tests/services/vendors.zone"),
             "--zone", str(root / "tests/services/customers.zone")])
    if r.returncode not in (0, 1, 2, 3):
        failures.append(f"check {svc.name} {dom}: exit {r.returncode}: {r.stderr}")
        return None
    return (f"check {svc.name} {dom}", r.stdout)


with ThreadPoolExecutor(max_workers=4) as pool:
    for out in pool.map(lambda j: catalogue_check(*j), catalogue_jobs):
        if out:
            validate("check", *out)

# Message verification: every test message, as it comes, with the
# connection given, and with --fix.
verify_dir = root / "tests/verify"
messages = sorted(verify_dir.glob("*.eml"))
if len(messages) < 20:
    failures.append(f"only {len(messages)} messages in tests/verify")


def verify_message(path):
    out = []
    for extra in ([], ["--fix"], ["--ip", "192.0.2.10", "--helo", "mta.sender.test",
                                  "--mail-from", "bounce@sender.test"]):
        r = run(["verify", str(path), "--zone", str(root / "tests/zones/verify.zone"),
                 "--offline", "--json"] + extra)
        if r.returncode not in (0, 1, 2, 3):
            failures.append(f"verify {path.name} {extra}: exit {r.returncode}: {r.stderr}")
            continue
        out.append((f"verify {path.name} {' '.join(extra)}", r.stdout))
    return out


verify_objects = []
with ThreadPoolExecutor(max_workers=4) as pool:
    for outs in pool.map(verify_message, messages):
        for what, text in outs:
            obj = validate("verify", what, text)
            if obj is not None:
                verify_objects.append(obj)
# An Authentication-Results field that does not parse: its error member.
broken = b"Authentication-Results: mx.test; dkim\n" + (verify_dir / "authres.eml").read_bytes()
r = subprocess.run([tool, "verify", "-", "--zone", str(root / "tests/zones/verify.zone"),
                    "--offline", "--json"], input=broken, capture_output=True, timeout=300)
obj = validate("verify", "verify with a malformed Authentication-Results",
               r.stdout.decode("utf-8", "replace"))
if obj is not None:
    verify_objects.append(obj)
for member, path in (("fixed_dmarc_result", ()), ("evaluation", ("spf",)),
                     ("error", ("received", 0)), ("results", ("received", 0))):
    def reach(o, path=path):
        for key in path:
            try:
                o = o[key]
            except (KeyError, IndexError, TypeError):
                return None
        return o
    if not any(isinstance(reach(o), dict) and reach(o).get(member) is not None
               for o in verify_objects):
        failures.append(f"no verify object has {'/'.join(map(str, path + (member,)))}: "
                        "the validation is thin")

# fromauth bulk --json: one object per address line, in input order, the
# check object with its line number or the line's error.
if (root / "tools/cmd-bulk.c").exists():
    esp = [(z, a) for z, p, a in jobs if p == "esp"]
    lines = ["# scenarios of tests/test-check.c", ""]
    for _, a in esp:
        lines.append(a)
    bad = ["not an address", "news@@members.example", "news@-bad-.example"]
    lines += bad
    args = ["bulk", "--service", str(check_dir / "profiles" / "esp.profile"), "--offline",
            "--json", "--jobs", "4", "--no-progress", "--zone", str(check_dir / "esp.zone")]
    for z in sorted({z for z, _ in esp}):
        args += ["--zone", str(check_dir / "zones" / f"{z}.zone")]
    r = subprocess.run([tool] + args + ["-"], input="\n".join(lines) + "\n",
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 65:
        failures.append(f"bulk: exit {r.returncode}, not 65 (bad lines): {r.stderr[-300:]}")
    got = [validate("bulk_line", f"bulk line {i + 1} of the output", t)
           for i, t in enumerate(r.stdout.splitlines())]
    want = [i + 1 for i, t in enumerate(lines) if t and not t.startswith("#")]
    if [o.get("line") if o else None for o in got] != want:
        failures.append(f"bulk: lines {[o.get('line') if o else None for o in got]}, "
                        f"expected {want}")
    errors = [o for o in got if o and "error" in o]
    if [o["input"] for o in errors] != bad:
        failures.append(f"bulk: error lines for {[o['input'] for o in errors]}, expected {bad}")
    checks = [o for o in got if o and "verdict" in o]
    if len(checks) != len(esp) or len(esp) < 20:
        failures.append(f"bulk: {len(checks)} check lines for {len(esp)} addresses")
    elif checks:
        sample = copy.deepcopy(checks[0])
        del sample["line"]
        if not validators["check"].is_valid(sample):
            failures.append("bulk: a check line without its line number is no check object")
        for mutate in (lambda o: o.pop("line"), lambda o: o.update(surprise=1),
                       lambda o: o.update(error="x")):
            bad_obj = copy.deepcopy(checks[0])
            mutate(bad_obj)
            if validators["bulk_line"].is_valid(bad_obj):
                failures.append("bulk: the schema accepts a mutated check line")
        if validators["bulk_line"].is_valid({"line": 1, "input": "x"}):
            failures.append("bulk: the schema accepts an error line without error")

# Every lookup times out: the members that go null.
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
ns = f"127.0.0.1@{sock.getsockname()[1]}"
for extra in ([], ["--rules", "all", "--reputation"]):
    r = run(["check", "news@members.example", "--service",
             str(root / "tools/examples/esp.profile"), "--nameserver", ns, "--timeout", "50",
             "--json"] + extra)
    obj = validate("check", f"check with every lookup timing out {' '.join(extra)}", r.stdout)
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

# The rules, FCrDNS and reputation members are not vacuous either.
good = next(o for o in rules_objects if o.get("reputation", {}).get("lookups"))
for path in (("rules", 0, "status"), ("fcrdns",), ("fcrdns", 0, "ip"),
             ("reputation", "zones"), ("reputation", "lookups", 0, "what")):
    bad = copy.deepcopy(good)
    node = bad
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    if validators["check"].is_valid(bad):
        failures.append(f"the schema accepts a check object without {'/'.join(map(str, path))}")
for path, value in ((("rules", 0, "status"), "passed"), (("rules", 0, "receiver"), "hotmail"),
                    (("reputation", "lookups", 0, "status"), "clean")):
    bad = copy.deepcopy(good)
    node = bad
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    if validators["check"].is_valid(bad):
        failures.append(f"the schema accepts {value!r} as {'/'.join(map(str, path))}")
for path in (("rules", 0), ("fcrdns", 0), ("reputation",), ("reputation", "zones", 0),
             ("reputation", "lookups", 0)):
    bad = copy.deepcopy(good)
    node = bad
    for key in path:
        node = node[key]
    node["surprise"] = 1
    if validators["check"].is_valid(bad):
        failures.append(f"strict validation accepts an unknown member in /{'/'.join(map(str, path))}")
good = next(o for o in verify_objects if o["dkim"] and o["received"])
for path in (("connection",), ("dkim", 0, "result"), ("dmarc", "policy"), ("received", 0, "value")):
    bad = copy.deepcopy(good)
    node = bad
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    if validators["verify"].is_valid(bad):
        failures.append(f"the schema accepts a verify object without {'/'.join(map(str, path))}")
for path in ((), ("connection",), ("spf",), ("dkim", 0), ("dmarc",), ("received", 0),
             ("findings", 0)):
    bad = copy.deepcopy(good)
    node = bad
    for key in path:
        node = node[key]
    node["surprise"] = 1
    if validators["verify"].is_valid(bad):
        failures.append(f"strict validation accepts an unknown verify member in /{'/'.join(map(str, path))}")

for f in failures:
    print("FAIL:", f)
print(", ".join(f"{n} {k}" for k, n in sorted(counts.items())) + " objects validated; "
      f"{len(failures)} problems")
sys.exit(1 if failures else 0)
