# SPDX-License-Identifier: BSD-2-Clause
"""Many checks from Python leave the resident set where it was: every C
object is freed exactly once, results are copies."""
import gc

from conftest import profile, scenario_ctx


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def run(ctx, p, n):
    for i in range(n):
        r = ctx.check("news@quarantine.example", p, fix=True)
        assert r.verdict == "fail"
        r.to_dict()
    gc.collect()


def test_rss_stable():
    with scenario_ctx("quarantine") as ctx, profile("esp") as p:
        run(ctx, p, 300)                 # warm up: caches, allocator arenas
        before = rss_kib()
        run(ctx, p, 2000)
        grown = rss_kib() - before
    # A leak of one result's strings (some kB) per check would be >5 MB.
    assert grown < 4096, f"RSS grew by {grown} KiB over 2000 checks"


def test_objects_created_and_dropped():
    before = None
    for round_ in range(3):
        for _ in range(300):
            with scenario_ctx("healthy") as ctx, profile("esp") as p:
                ctx.check("news@healthy.example", p)
        gc.collect()
        if round_ == 0:
            before = rss_kib()
    assert rss_kib() - before < 4096
