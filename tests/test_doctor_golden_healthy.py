"""The healthy generated project's full text output (#24), golden: one screen (<= 20 lines), one
line per category when all is well, skipped checks folded into one line per reason.

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/test_doctor_golden_healthy.py``
and review the diff of tests/golden/doctor/healthy-*.txt.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from momento_lambda_cli.doctor.checks import machine
from tests.support.doctor_projects import make_project

GOLDEN = Path(__file__).parent / "golden" / "doctor"


@pytest.fixture
def ready_machine(tmp_path_factory, monkeypatch):
    """A machine that can build: a Docker engine answers, every tool is on PATH."""
    path = tmp_path_factory.mktemp("docker") / "docker.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(4)
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")
    monkeypatch.setattr(machine, "which", lambda name: f"/usr/bin/{name}")
    yield
    server.close()


@pytest.mark.parametrize(("kind", "language"), [("sam", "python"), ("serverless", "node")])
def test_the_healthy_project_fits_on_one_screen(run_cli, tmp_path, ready_machine, kind, language):
    project = make_project(tmp_path, kind, language=language)
    result = run_cli("doctor", str(project.root), "--offline")
    text = result.stdout.replace(str(project.root), "<project>")
    golden = GOLDEN / f"healthy-{kind}-{language}-offline.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()
    assert result.exit_code == 0
    assert len(text.splitlines()) <= 20
