# SPDX-License-Identifier: BSD-2-Clause
"""Shared fixtures: the source tree's test data (tests/check, the README
example) and contexts over it.  The meson test sets FROMAUTH_LIBRARY to
the built library and PYTHONPATH to bindings/python."""
import os
from pathlib import Path

import pytest

import fromauth

ROOT = Path(os.environ.get("FROMAUTH_SOURCE_ROOT",
                           Path(__file__).resolve().parents[3]))
CHECK = ROOT / "tests" / "check"
EXAMPLES = ROOT / "tools" / "examples"


def scenario_ctx(zone, timeout=None, **kw):
    """An offline context with the service's and one scenario's records."""
    return fromauth.Context(offline=True,
                            zone_files=[CHECK / "esp.zone", CHECK / "zones" / f"{zone}.zone"],
                            timeout_names=[timeout] if timeout else [], **kw)


def profile(name):
    return fromauth.Profile.load(CHECK / "profiles" / f"{name}.profile")


@pytest.fixture
def example_ctx():
    with fromauth.Context(offline=True,
                          zone_files=[EXAMPLES / "members.example.zone"]) as ctx:
        yield ctx


@pytest.fixture
def esp_profile():
    with fromauth.Profile.load(EXAMPLES / "esp.profile") as p:
        yield p
