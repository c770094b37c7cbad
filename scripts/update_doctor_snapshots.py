#!/usr/bin/env python3
"""Rewrite ``expected-doctor.json`` beside each field fixture from today's ``doctor --offline``.

    .venv/bin/python scripts/update_doctor_snapshots.py   # then review: git diff tests/fixtures

Run it after a deliberate change to a check; ``tests/project/test_doctor_snapshots.py`` fails
until the snapshots match again. It prints the folders whose snapshot changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support import doctor_snapshots


def main() -> int:
    doctor_snapshots.isolate()
    changed = 0
    for folder in doctor_snapshots.folders():
        path = folder / doctor_snapshots.SNAPSHOT
        text = doctor_snapshots.render(doctor_snapshots.snapshot(folder))
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"updated {path.relative_to(doctor_snapshots.REPO_ROOT)}")
            changed += 1
    print(f"{changed} snapshot(s) changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
