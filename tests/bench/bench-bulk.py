#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The bulk benchmark: `fromauth bulk` (the whole check) over a generated
world of customer domains served by NSD on 127.0.0.1.  Never a test: it
reports, it asserts nothing.

usage: bench-bulk.py --fromauth PATH --bench DIR [--domains N ...]
                     [--jobs 16] [--port 5392] [--work DIR] [--runs 1]

--bench is the directory of gen_world.py and server.sh (the project's
shared bench, ../shared/bench from a checkout).  For each N a world of N
domains is generated once under --work (default /tmp/fromauth-bench-bulk)
and checked with its own Public Suffix List (--psl).  Per run it prints
checks/s, client CPU per check (user + system time of the tool), DNS
queries per check as NSD counted them, the cache hit rate the tool
reports, and the tool's peak RSS.  For the largest world it also reports
the rate over its first 10,000 domains, so that the cost per check can be
seen to stay flat as the work grows.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time


def nsd_queries(rundir):
    out = subprocess.run(["nsd-control", "-c", os.path.join(rundir, "nsd.conf"), "stats_noreset"],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"^num\.queries=(\d+)", out, re.M)
    return int(m.group(1)) if m else 0


def run_bulk(a, world, lst, rundir):
    cmd = [a.fromauth, "bulk", "--service", os.path.join(world, "esp.service"),
           "--nameserver", "127.0.0.1@%d" % a.port, "--psl", os.path.join(world, "psl.dat"),
           "--jobs", str(a.jobs), "--json", "--no-progress", lst]
    n = sum(1 for line in open(lst) if line.strip() and not line.lstrip().startswith("#"))
    q0 = nsd_queries(rundir)
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        # wait4: the CPU time and peak RSS of this process alone.
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - t0
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    q = nsd_queries(rundir) - q0
    if p.returncode not in (0, 1, 2, 3):
        sys.exit("fromauth bulk failed (exit %d): %s" % (p.returncode, stderr[-500:]))
    cpu = ru.ru_utime + ru.ru_stime
    hit = re.search(r"cache hit rate ([0-9.]+)%", stderr)
    return {
        "checks": n, "wall": wall, "rate": n / wall, "cpu_us": cpu / n * 1e6,
        "queries": q / n, "hit": float(hit.group(1)) if hit else float("nan"),
        "rss_mib": ru.ru_maxrss / 1024.0,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fromauth", required=True)
    ap.add_argument("--bench", required=True)
    ap.add_argument("--domains", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--port", type=int, default=5392)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--work", default="/tmp/fromauth-bench-bulk")
    a = ap.parse_args()
    a.fromauth = os.path.abspath(a.fromauth)

    rows = []
    for n in sorted(a.domains):
        world = os.path.join(a.work, "world-%d" % n)
        if not os.path.exists(os.path.join(world, "from.txt")):
            subprocess.run([sys.executable, os.path.join(a.bench, "gen_world.py"), "--domains",
                            str(n), "--out", world, "--keys", os.path.join(a.bench, "keys")],
                           check=True, stdout=subprocess.DEVNULL)
        rundir = os.path.join(a.work, "nsd-%d" % n)
        env = dict(os.environ, PORT=str(a.port), ZONES=os.path.join(world, "zones"), RUNDIR=rundir)
        server = os.path.join(a.bench, "server.sh")
        subprocess.run([server, "stop"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([server, "start"], env=env, check=True, stdout=subprocess.DEVNULL)
        try:
            lists = [("all %d" % n, os.path.join(world, "from.txt"))]
            if n > 10000:
                first = os.path.join(world, "from-first-10000.txt")
                with open(os.path.join(world, "from.txt")) as f, open(first, "w") as g:
                    for i, line in zip(range(10000), f):
                        g.write(line)
                lists.insert(0, ("first 10000 of %d" % n, first))
            for name, lst in lists:
                for _ in range(a.runs):
                    rows.append((name, run_bulk(a, world, lst, rundir)))
        finally:
            subprocess.run([server, "stop"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)

    load = os.getloadavg()
    print("| world | checks | wall s | checks/s | client CPU us/check | DNS queries/check "
          "| cache hit rate | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows:
        print("| %s | %d | %.1f | %.0f | %.0f | %.2f | %.1f%% | %.0f |" % (
            name, r["checks"], r["wall"], r["rate"], r["cpu_us"], r["queries"], r["hit"],
            r["rss_mib"]))
    print("jobs %d; load average %.1f %.1f %.1f on %d processors" % (
        a.jobs, load[0], load[1], load[2], os.cpu_count()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
