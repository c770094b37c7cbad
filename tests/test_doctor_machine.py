"""This machine (#24): Docker, emulation and the tools on PATH are a section of their own and
only ever warn: a project is judged the same on every machine."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from momento_lambda_cli.doctor.checks import machine
from tests.support.doctor import run_doctor
from tests.support.doctor_projects import make_project


@pytest.fixture
def path_with(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """This machine's PATH holds exactly ``names`` (conftest's isolated_env says: nothing)."""

    def make(*names: str) -> None:
        folder = tmp_path / "bin"
        folder.mkdir(exist_ok=True)
        for name in names:
            tool = folder / name
            tool.write_text("#!/bin/sh\nexit 0\n")
            tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
        monkeypatch.setattr(machine, "which", lambda name: shutil.which(name, path=str(folder)))

    return make


def test_missing_tools_warn_naming_them(run_cli, tmp_path, path_with):
    project = make_project(tmp_path)  # SAM, Python, use_container = true
    path_with()
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "machine")
    check = run.checks["machine.tools"]
    assert check["status"] == "warn", check
    assert check["group"] == "machine"
    assert "sam" in check["message"] and "docker" in check["message"]
    assert run.exit_code == 0  # warnings about the machine never fail the project


def test_tools_found_pass(run_cli, tmp_path, path_with):
    project = make_project(tmp_path)
    path_with("sam", "docker")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "machine.tools")
    assert run.status("machine.tools") == "pass", run.text("machine.tools")


def test_a_local_build_needs_the_runtimes_python(run_cli, tmp_path, path_with):
    project = make_project(tmp_path, use_container=False, runtime="python3.13")
    path_with("sam")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "machine.tools")
    assert run.status("machine.tools") == "warn"
    assert "python3.13" in run.text("machine.tools")
    path_with("sam", "python3.13")
    assert run_doctor(run_cli, str(project.root), "--offline", "--only", "machine.tools").status("machine.tools") == (
        "pass"
    )


def test_serverless_accepts_any_of_its_clis(run_cli, tmp_path, path_with):
    project = make_project(tmp_path, "serverless", language="node")
    path_with("osls", "node", "npm")
    run = run_doctor(run_cli, str(project.root), "--offline", "--only", "machine.tools")
    assert run.status("machine.tools") == "pass", run.text("machine.tools")


def test_the_machine_section_has_its_own_heading(run_cli, tmp_path, path_with):
    project = make_project(tmp_path)
    path_with()
    text = run_cli("doctor", str(project.root), "--offline", "--only", "machine,project.framework").stdout
    assert "This machine" in text
