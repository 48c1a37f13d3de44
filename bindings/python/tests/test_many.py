# SPDX-License-Identifier: BSD-2-Clause
"""check_many: input order, completion order, errors, early stop, and
checks that really run in parallel (the GIL is released in C)."""
import socket
import threading
import time

import pytest

import fromauth
from fromauth import _lib
from conftest import CHECK, profile


@pytest.fixture(params=["threads", "library"])
def engine(request):
    """check_many's keyword arguments for each engine: Python threads, and
    the library's batch API when the loaded library has it."""
    if request.param == "library" and not _lib.has("fromauth_batch_new"):
        pytest.skip("the loaded libfromauth has no batch API")
    return {"_threads": request.param == "threads"}


def world():
    """One context holding several scenarios (their domains differ)."""
    zones = ["healthy", "quarantine", "no-dmarc", "reject", "spf-only"]
    ctx = fromauth.Context(offline=True, zone_files=[CHECK / "esp.zone"] +
                           [CHECK / "zones" / f"{z}.zone" for z in zones])
    return ctx, [f"news@{z}.example" for z in zones]


def test_ordered(engine):
    ctx, addrs = world()
    with ctx, profile("esp") as p:
        single = {a: ctx.check(a, p).verdict for a in addrs}
        inputs = addrs * 40
        out = list(ctx.check_many(inputs, p, jobs=8, **engine))
    assert [r.index for r in out] == list(range(len(inputs)))
    assert [r.from_address for r in out] == inputs
    assert all(r.verdict == single[r.from_address] for r in out)


def test_as_completed(engine):
    ctx, addrs = world()
    with ctx, profile("esp") as p:
        inputs = addrs * 20
        out = list(ctx.check_many(iter(inputs), p, jobs=4, ordered=False, fix=True, **engine))
    assert sorted(r.index for r in out) == list(range(len(inputs)))
    assert all(inputs[r.index] == r.from_address for r in out)
    assert all(r.fixed_verdict is not None for r in out)


def test_errors_raise_or_yield(engine):
    ctx, addrs = world()
    with ctx, profile("esp") as p:
        bad = [addrs[0], "not an address", addrs[1]]
        with pytest.raises(fromauth.AddressError) as e:
            list(ctx.check_many(bad, p, jobs=2, **engine))
        assert e.value.index == 1 and e.value.input == "not an address"
        out = list(ctx.check_many(bad, p, jobs=2, errors="yield", **engine))
        assert isinstance(out[0], fromauth.Result) and isinstance(out[2], fromauth.Result)
        assert isinstance(out[1], fromauth.AddressError) and out[1].index == 1
        with pytest.raises(ValueError):
            list(ctx.check_many(addrs, p, jobs=0, **engine))


def test_early_stop_runs_no_more(engine):
    threads = threading.active_count()
    ctx, addrs = world()
    with ctx, profile("esp") as p:
        gen = ctx.check_many(addrs * 1000, p, jobs=4, **engine)
        first = [next(gen) for _ in range(3)]
        gen.close()
        assert threading.active_count() == threads      # the workers ended
        with pytest.raises(fromauth.AddressError):
            list(ctx.check_many(addrs + ["bad"] + addrs * 100, p, jobs=4, **engine))
        assert threading.active_count() == threads
    assert [r.index for r in first] == [0, 1, 2]


@pytest.fixture
def blackhole():
    """A UDP port on 127.0.0.1 that never answers: every query times out."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    yield f"127.0.0.1@{s.getsockname()[1]}"
    s.close()


def test_checks_run_in_parallel(blackhole, engine):
    """Each check waits on DNS timeouts inside C.  If the GIL were held, 8
    checks on 8 threads would take 8 times one; released, about one.
    The bound is generous: a loaded machine only makes C slower."""
    with fromauth.Context([blackhole], timeout_ms=150, tries=1, deadline_ms=600) as ctx, \
            profile("esp") as p:
        t = time.monotonic()
        one = ctx.check("news@slow.example", p)
        single = time.monotonic() - t
        assert one.verdict == "unknown" and single >= 0.15
        n = 8
        t = time.monotonic()
        out = list(ctx.check_many([f"news@slow{i}.example" for i in range(n)], p, jobs=n,
                                  **engine))
        parallel = time.monotonic() - t
    assert all(r.verdict == "unknown" for r in out)
    assert parallel < n * single * 0.5, (parallel, single)


def test_threads_share_one_context():
    ctx, addrs = world()
    errors = []
    with ctx, profile("esp") as p:
        want = {a: ctx.check(a, p).codes() for a in addrs}

        def worker():
            try:
                for _ in range(20):
                    for a in addrs:
                        assert ctx.check(a, p).codes() == want[a]
            except Exception as e:      # reported below
                errors.append(e)
        threads = [threading.Thread(target=worker) for _ in range(6)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert not errors
