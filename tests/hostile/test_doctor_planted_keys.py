"""`doctor` never prints a piece of a key planted anywhere in a project: the whole matrix (every
plant x key shape x output mode), in-process (unit tier: the process boundary is not what is
tested here; test_doctor_hostile.py keeps a few cases as real processes under time and memory
limits)."""

from __future__ import annotations

import json
import re

import pytest

from tests.hostile import harness
from tests.hostile.test_doctor_hostile import KEY_MAKERS, MODES, PLANTS, TIMEOUT, planted

_TRACEBACK = re.compile(r"Traceback \(most recent call last\)|This is a bug")


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("plant", sorted(PLANTS))
@pytest.mark.parametrize("kind", sorted(KEY_MAKERS))
def test_doctor_never_prints_a_planted_key(tmp_path, run_cli, kind, plant, mode):
    key, project = planted(tmp_path, kind, plant)
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    options, extra = MODES[mode]
    result = run_cli(*options, "doctor", "--offline", "--timeout", str(TIMEOUT), *extra, str(project))
    assert result.exit_code in (0, 1), result.output[-3000:]
    if mode != "debug":
        assert not _TRACEBACK.search(result.output), result.output[-3000:]
    harness.assert_no_piece(key, result.output)
    if mode == "json":
        json.loads(result.stdout)
    after = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    assert after == before, "doctor changed the project"
