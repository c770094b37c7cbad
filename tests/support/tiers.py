"""The test tiers (markers registered in pyproject.toml; README "Running the tests").

- ``unit``: in-process, no subprocess, no server. Runs on every supported Python.
- ``integration``: real local peers (moto's server, the local Momento server, an HTTP proxy)
  or a real process (the CLI, python, node). Runs once, on the default Python.
- ``slow``: external tools (SAM CLI, osls, npm install, pip builds). Runs once.

A test marked neither ``integration`` nor ``slow`` is a unit test. A test that asks for a
server fixture is an integration test without saying so. A unit test that starts a process
fails at teardown with the command it started: mark it (or its module) ``integration``. The
one exception is ``git``: the tool itself runs it in-process (doctor lists a project's files
with ``git ls-files``, update merges with ``git merge-file``), it costs milliseconds and is on
every machine the tests run on, so a unit test may exercise that code.

A test marked ``serial`` (with the reason: ``@pytest.mark.serial("measures wall time")``)
runs while no other test runs, even under pytest-xdist: every test holds a shared lock of the
run, a serial one an exclusive lock; a turnstile lets a waiting serial test in before the
next ordinary one (no starvation).
"""

from __future__ import annotations

import contextlib
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: no serial lock (the tiers still run, in one process with -n 0)
    fcntl = None  # type: ignore[assignment]

import pytest

SERVER_FIXTURES = frozenset({"moto_server", "momento_server_session", "iam_moto_server"})
"""Session fixtures that start a server: a test using one (even indirectly) is integration."""

TIERS = ("unit", "integration", "slow")

ALLOWED_PROGRAMS = frozenset({"git"})
"""Programs the tool itself runs that a unit test may let it run (see the module docstring)."""


def tier_of(item: pytest.Item) -> str:
    if item.get_closest_marker("slow"):
        return "slow"
    if item.get_closest_marker("integration") or SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
        return "integration"
    return "unit"


def mark_tiers(items: list[pytest.Item]) -> None:
    """Give every collected test exactly the marker of its tier (so ``-m unit`` selects it), and
    refuse a test marked for two tiers (``-m integration`` would run a slow test twice)."""
    both = [item.nodeid for item in items if sum(bool(item.get_closest_marker(tier)) for tier in TIERS) > 1]
    if both:
        raise pytest.UsageError(
            f"{len(both)} test(s) marked for two tiers, e.g. {both[0]}: a test is in one tier "
            "(mark the module's other tests one by one instead of a module-level pytestmark)"
        )
    for item in items:
        tier = tier_of(item)
        if not item.get_closest_marker(tier):
            item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture
def unit_tier_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Record every process a unit test starts; fail the test at teardown if it started one."""
    if tier_of(request.node) != "unit":
        yield
        return
    started: list[str] = []
    original = subprocess.Popen.__init__

    def recording_init(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        argv = [args] if isinstance(args, str) else [str(arg) for arg in args]
        if argv and argv[0] not in ALLOWED_PROGRAMS:
            started.append(" ".join(argv))
        original(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "__init__", recording_init)
    yield
    if started:
        pytest.fail(
            f"a unit test started {len(started)} process(es), first: {started[0][:200]!r}; "
            "mark the test (or its module) @pytest.mark.integration",
            pytrace=False,
        )


@pytest.fixture
def serial_lock(request: pytest.FixtureRequest) -> Iterator[None]:
    """Under pytest-xdist, hold the run's lock for the test: exclusive for ``serial`` tests."""
    workerinput = getattr(request.config, "workerinput", None)
    if workerinput is None or fcntl is None:
        yield
        return
    marker = request.node.get_closest_marker("serial")
    if marker is not None and not marker.args:
        pytest.fail("say why the test is serial: @pytest.mark.serial('reason')", pytrace=False)
    base = Path(tempfile.gettempdir()) / f"momento-lambda-tests-{workerinput['testrunuid']}"
    with open(f"{base}.turnstile", "a") as turnstile, open(f"{base}.lock", "a") as lock:
        if marker is not None:
            fcntl.flock(turnstile, fcntl.LOCK_EX)  # held: ordinary tests wait at the turnstile
            fcntl.flock(lock, fcntl.LOCK_EX)
        else:
            fcntl.flock(turnstile, fcntl.LOCK_EX)
            fcntl.flock(turnstile, fcntl.LOCK_UN)
            fcntl.flock(lock, fcntl.LOCK_SH)
        with contextlib.ExitStack() as stack:
            stack.callback(fcntl.flock, turnstile, fcntl.LOCK_UN)
            stack.callback(fcntl.flock, lock, fcntl.LOCK_UN)
            yield
