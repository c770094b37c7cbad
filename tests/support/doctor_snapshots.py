"""Snapshots of ``doctor --offline`` on the real-world-shaped fixtures (cfn-lint's snapshot
results, in small): ``expected-doctor.json`` beside each folder of ``tests/fixtures/field`` and
``tests/fixtures/field-doctor`` holds every check's id, status and message.

``tests/project/test_doctor_snapshots.py`` compares; ``scripts/update_doctor_snapshots.py``
rewrites them after a deliberate change, to be reviewed as a diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURE_ROOTS = (REPO_ROOT / "tests" / "fixtures" / "field", REPO_ROOT / "tests" / "fixtures" / "field-doctor")
SNAPSHOT = "expected-doctor.json"
ENVIRONMENT = {
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_EC2_METADATA_DISABLED": "true",
    "DOCKER_HOST": "unix:///nonexistent/no-docker.sock",
}
"""What the machine may not decide: no AWS, no region, no Docker engine (the test fixtures' env)."""
MACHINE_DEPENDENT = frozenset({"machine.tools"})
"""Checks whose result is this machine's PATH (tests/test_doctor_machine.py covers them)."""


def folders() -> Iterator[Path]:
    for root in FIXTURE_ROOTS:
        yield from sorted(p for p in root.iterdir() if p.is_dir())


def snapshot(folder: Path) -> dict[str, Any]:
    """``doctor --offline`` on ``folder``, as the stable part of its JSON: the summary and each
    check's id, status and message (the folder's own path shown as ``.``)."""
    from momento_lambda_cli.doctor import registry
    from momento_lambda_cli.doctor.context import DoctorOptions
    from momento_lambda_cli.doctor.diagnose import diagnose
    from momento_lambda_cli.doctor.model import Summary

    checks = [c for c in registry.all_checks() if c.id not in MACHINE_DEPENDENT]
    diagnosis = diagnose(
        DoctorOptions(project_dir=folder.resolve(), offline=True), checks, timeout=60, concurrent=False
    )
    if diagnosis.fatal is not None:
        return {"fatal": diagnosis.fatal.message.replace(str(folder.resolve()), ".")}
    return {
        "framework": diagnosis.framework,
        "summary": Summary.of(diagnosis.outcomes).to_dict(),
        "checks": {
            o.check.id: f"{o.result.status.value}: {o.result.message}".replace(str(folder.resolve()), ".")
            for o in diagnosis.outcomes
        },
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def isolate() -> None:
    """The environment of :data:`ENVIRONMENT` for a script (tests get it from conftest)."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "MOMENTO_")):
            del os.environ[name]
    os.environ.update(ENVIRONMENT)
