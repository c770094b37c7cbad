"""``doctor --offline`` on each real-world-shaped fixture equals its reviewed snapshot
(``expected-doctor.json``; rewrite with ``scripts/update_doctor_snapshots.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import doctor_snapshots

FOLDERS = list(doctor_snapshots.folders())


def test_every_fixture_has_a_snapshot() -> None:
    missing = [f.name for f in FOLDERS if not (f / doctor_snapshots.SNAPSHOT).is_file()]
    assert FOLDERS and not missing, f"run scripts/update_doctor_snapshots.py for {missing}"


@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_doctor_matches_the_snapshot(folder: Path) -> None:
    expected = (folder / doctor_snapshots.SNAPSHOT).read_text(encoding="utf-8")
    actual = doctor_snapshots.render(doctor_snapshots.snapshot(folder))
    assert actual == expected, (
        "doctor changed on this fixture: scripts/update_doctor_snapshots.py, then review the diff"
    )
