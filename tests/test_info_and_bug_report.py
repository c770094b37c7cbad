"""`momento-lambda info` / `--version --verbose`, and `doctor --bug-report FILE` (a zip whose
every file is free of any piece of a key planted in the project)."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from momento_lambda_cli import __version__
from tests.hostile import harness
from tests.hostile.test_doctor_hostile import (
    _answers_and_code,
    _env_files,
    _params_file,
    _sam_key_everywhere,
    _samconfig_yaml,
    _sls_key_everywhere,
)
from tests.support import keys, projects
from tests.support.tools import require_tool

pytestmark = (
    pytest.mark.integration
)  # info and the bug report run the installed tools (sam, node, docker) for their versions


@pytest.mark.parametrize("args", [["info"], ["--version", "--verbose"], ["-V", "-v"]])
def test_info_names_versions_and_tools(run_cli, monkeypatch, args):
    tools = [require_tool("sam"), require_tool("osls")]
    monkeypatch.setenv("PATH", os.pathsep.join([*(str(t.parent) for t in tools), os.environ["PATH"]]))
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"momento-lambda {__version__}")
    for word in ("Python", "OS", "boto3", "momento", "typer", "grpcio", "sam", "serverless", "osls", "docker"):
        assert word in out, word
    assert "sam         not found" not in out and "osls        not found" not in out
    assert "SAM CLI, version" in out


def test_info_json_is_the_envelope(run_cli):
    for args in (["info", "--json"], ["--version", "--verbose", "--json"]):
        result = run_cli(*args)
        assert result.exit_code == 0
        document = json.loads(result.stdout)
        assert document["command"] == "info" and document["ok"] is True
        data = document["data"]
        assert data["tool"]["version"] == __version__
        assert data["libraries"]["momento"]
        assert set(data["tools"]) >= {"sam", "serverless", "osls", "docker"}


PLANTS = {
    "sam-everywhere": ("sam", _sam_key_everywhere),
    "sls-everywhere": ("sls", _sls_key_everywhere),
    "sls-params-file": ("sls", _params_file),
    "samconfig-yaml": ("sam", _samconfig_yaml),
    "dotenv-files": ("sls", _env_files),
    "answers-and-code": ("sam", _answers_and_code),
}
KINDS = {
    "v2": keys.v2_key,
    "legacy": keys.legacy_key,
    "v1": keys.v1_key,
    "v1-indented": keys.v1_key_indented,
    "jwt-spaced": keys.spaced_jwt_key,
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_the_bug_report_holds_no_piece_of_a_planted_key(tmp_path, kind, plant):
    framework, how = PLANTS[plant]
    key = KINDS[kind]()
    project = (projects.sam_project if framework == "sam" else projects.serverless_project)(tmp_path, "leaky")
    how(project, key)
    report = tmp_path / "report.zip"
    result = harness.run("doctor", "--offline", "--timeout", "5", "--bug-report", str(report), str(project))
    harness.assert_clean(result, seconds=60, exit_codes=(0, 1))
    harness.assert_no_piece(key, result.output)
    assert "Bug report written to" in result.stderr
    with zipfile.ZipFile(report) as archive:
        names = archive.namelist()
        assert {"doctor.json", "info.json"} <= set(names)
        assert any(n.startswith("project/") for n in names)
        assert not any(Path(n).name.startswith(".env") for n in names)
        for name in names:
            harness.assert_no_piece(key, archive.read(name).decode("utf-8", "replace"), name)
        json.loads(archive.read("doctor.json"))


def test_the_bug_report_keeps_the_framework_files(run_cli, tmp_path):
    project = projects.serverless_project(tmp_path, "kept")
    report = tmp_path / "r.zip"
    result = run_cli("doctor", "--offline", "--json", "--bug-report", str(report), str(project))
    json.loads(result.stdout)  # stdout stays one JSON document
    with zipfile.ZipFile(report) as archive:
        assert "project/serverless.yml" in archive.namelist()
        assert "project/.momento-lambda.json" in archive.namelist()
        assert archive.read("project/serverless.yml") == (project / "serverless.yml").read_bytes()


def test_an_unwritable_bug_report_path_is_one_error(run_cli, tmp_path):
    project = projects.sam_project(tmp_path, "x")
    result = run_cli("doctor", "--offline", "--bug-report", str(tmp_path / "missing" / "r.zip"), str(project))
    assert result.exit_code == 1
    assert "Error: Cannot write the bug report" in result.stderr and "Hint:" in result.stderr
