#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The exported ABI is exactly what the version script and the
FROMAUTH_EXPORT marks say: every dynamic symbol is a versioned fromauth_*
function, the map lists exactly those, and every marked definition is in
the map (forgetting either side fails here, as in libinput)."""
import re
import subprocess
import sys
from pathlib import Path

lib, symfile, srcdir, header = sys.argv[1:5]
errors = []

nm = subprocess.run(["nm", "-D", "--defined-only", "--with-symbol-versions", lib],
                    check=True, capture_output=True, text=True).stdout
exported = {}
for line in nm.splitlines():
    parts = line.split()
    if len(parts) < 3:
        continue
    kind, name = parts[1], parts[2]
    if kind == "A" and re.fullmatch(r"FROMAUTH_\d+\.\d+(@.*)?", name):
        continue             # a version node's own symbol
    if "@" not in name:
        errors.append(f"unversioned export: {name}")
        continue
    base, _, version = name.partition("@")
    version = version.lstrip("@")
    if base == version:      # the version node's own symbol
        continue
    exported[base] = version

for name, version in sorted(exported.items()):
    if not name.startswith("fromauth_"):
        errors.append(f"export without the fromauth_ prefix: {name}")
    if not re.fullmatch(r"FROMAUTH_\d+\.\d+", version):
        errors.append(f"{name} has version {version}, not a FROMAUTH_x.y node")

text = Path(symfile).read_text()
text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
in_map = set(re.findall(r"\b(fromauth_[a-z0-9_]+)\s*;", text))

marked = set()
for src in Path(srcdir).glob("*.c"):
    marked |= set(re.findall(r"FROMAUTH_EXPORT\s+[^;{(]*?\b(fromauth_[a-z0-9_]+)\s*\(",
                             src.read_text(), flags=re.S))
declared = set(re.findall(r"\b(fromauth_[a-z0-9_]+)\s*\(", Path(header).read_text()))

for name in sorted(in_map - set(exported)):
    errors.append(f"in the version script but not exported: {name}")
for name in sorted(set(exported) - in_map):
    errors.append(f"exported but not in the version script: {name}")
for name in sorted(marked - in_map):
    errors.append(f"marked FROMAUTH_EXPORT but missing from the version script: {name}")
for name in sorted(in_map - marked):
    errors.append(f"in the version script but no FROMAUTH_EXPORT definition: {name}")
for name in sorted(in_map - declared):
    errors.append(f"exported but not declared in the public header: {name}")
for name in sorted(declared - in_map):
    errors.append(f"declared in the public header but not exported: {name}")

# Alphabetical within each version node (a later node starts afresh).
for node, body in re.findall(r"^(FROMAUTH_[0-9.]+)\s*\{(.*?)\}", text, flags=re.M | re.S):
    names = re.findall(r"^\s*(fromauth_[a-z0-9_]+)\s*;", body, flags=re.M)
    if names != sorted(names):
        errors.append(f"version script entries of {node} are not in alphabetical order")

for e in errors:
    print(e)
print(f"{len(exported)} exports checked, {len(errors)} problems")
sys.exit(1 if errors else 0)
