"""The tier machinery itself (tests/support/tiers.py): markers given at collection, the unit
guard, and the serial lock under pytest-xdist."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.tools import REPO_ROOT

_CONFTEST = """
import pytest
from tests.support.tiers import mark_tiers, serial_lock, unit_tier_guard


def pytest_collection_modifyitems(items):
    mark_tiers(items)


@pytest.fixture(autouse=True)
def _tiers(serial_lock, unit_tier_guard):
    pass
"""

_TESTS = """
import json, os, subprocess, sys, time
from pathlib import Path

import pytest

LOG = Path(os.environ["TIERS_LOG"])


def record(name, seconds):
    start = time.monotonic()
    time.sleep(seconds)
    with LOG.open("a") as log:
        log.write(json.dumps([name, start, time.monotonic()]) + "\\n")


@pytest.mark.parametrize("n", range(4))
def test_ordinary_first(n):
    record(f"ordinary-{n}", 2.0 if n == 0 else 0.2)  # one worker is busy when the other reaches a serial test


@pytest.mark.serial("measures something alone")
@pytest.mark.parametrize("n", range(2))
def test_alone(n):
    record(f"serial-{n}", 0.3)


@pytest.mark.parametrize("n", range(4, 8))
def test_ordinary_then(n):
    record(f"ordinary-{n}", 0.5)


def test_a_unit_test_that_starts_a_process():
    subprocess.run([sys.executable, "-c", "pass"], check=True)


@pytest.mark.integration
def test_an_integration_test_that_starts_a_process():
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def test_a_unit_test_may_run_git():
    subprocess.run(["git", "--version"], check=True, capture_output=True)
"""


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    env["TIERS_LOG"] = str(folder / "log.jsonl")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nmarkers =\n    unit: u\n    integration: i\n    slow: s\n    serial(reason): r\n"
    )
    (tmp_path / "conftest.py").write_text(_CONFTEST)
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(_TESTS))
    return tmp_path


@pytest.mark.integration
def test_a_serial_test_runs_while_no_other_test_runs(suite: Path) -> None:
    result = run_pytest(suite, "-n", "2", "-k", "ordinary or alone")
    assert result.returncode == 0, result.stdout + result.stderr
    spans = [json.loads(line) for line in (suite / "log.jsonl").read_text().splitlines()]
    assert len(spans) == 10
    for name, start, end in spans:
        if name.startswith("serial"):
            overlapping = [other for other, s, e in spans if other != name and s < end and start < e]
            assert overlapping == [], f"{name} ran beside {overlapping}"


@pytest.mark.integration
def test_a_unit_test_that_starts_a_process_fails_and_names_it(suite: Path) -> None:
    result = run_pytest(suite, "-n", "0", "-k", "process or git")
    out = result.stdout
    assert "PASSED test_sample.py::test_an_integration_test_that_starts_a_process" in out, out
    assert "PASSED test_sample.py::test_a_unit_test_may_run_git" in out, out
    assert "ERROR test_sample.py::test_a_unit_test_that_starts_a_process" in out, out
    assert (
        "a unit test started 1 process(es)" in out and "mark the test (or its module) @pytest.mark.integration" in out
    )


@pytest.mark.integration
def test_every_test_gets_exactly_its_tier(suite: Path) -> None:
    for tier, expected in (("unit", 12), ("integration", 1)):
        result = run_pytest(suite, "-n", "0", "--collect-only", "-m", tier)
        assert f"{expected}/13 tests collected" in result.stdout, result.stdout


@pytest.mark.integration
def test_a_test_in_two_tiers_is_refused(suite: Path) -> None:
    (suite / "test_sample.py").write_text(
        "import pytest\n\npytestmark = pytest.mark.integration\n\n\n@pytest.mark.slow\ndef test_builds():\n    pass\n"
    )
    result = run_pytest(suite, "-n", "0", "--collect-only")
    assert result.returncode != 0
    assert "1 test(s) marked for two tiers, e.g. test_sample.py::test_builds" in result.stdout + result.stderr
