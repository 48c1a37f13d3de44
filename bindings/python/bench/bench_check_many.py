#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""check_many's rate from Python on the world of tests/bench/bench-check.c
(the README example, offline), to compare with the C rate of the same run:

  FROMAUTH_LIBRARY=build/lib PYTHONPATH=bindings/python \\
      python3 bindings/python/bench/bench_check_many.py PROFILE ZONE

CHECKS (default 10000) and JOBS (default 8) as for bench-check.  A
benchmark, never a timed test: it prints checks/s and fails only when a
check does.
"""
import os
import sys
import time

import fromauth

profile_path, zone = sys.argv[1:3]
n = int(os.environ.get("CHECKS", "10000"))
jobs = int(os.environ.get("JOBS", "8"))
with fromauth.Context(offline=True, zone_files=[zone]) as ctx, \
        fromauth.Profile.load(profile_path) as svc:
    t = time.monotonic()
    bad = sum(r.verdict != "fail"
              for r in ctx.check_many(["news@members.example"] * n, svc, jobs=jobs))
    s = time.monotonic() - t
print(f"python check_many: {n} checks, {jobs} jobs: {n / s:.0f} checks/s, "
      f"{s / n * 1e6:.0f} us per check")
sys.exit(1 if bad else 0)
