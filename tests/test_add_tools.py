"""The real tools on projects after `momento-lambda add`: `sam validate --lint` passes and
cfn-lint reports nothing the original template did not; `osls print` and `osls package` succeed
(the stand-in docker builds the Python requirements) and the package grants the secret."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support import add_projects
from tests.support.tools import require_tool
from tests.test_generated_sam import sam
from tests.test_generated_serverless import package

pytestmark = pytest.mark.slow

SAM_SHAPES = sorted(s for s in add_projects.SHAPES if s.startswith("sam-"))
SLS_SHAPES = sorted(s for s in add_projects.SHAPES if s.startswith("sls-"))


def cfn_lint(project: Path) -> set[str]:
    executable = require_tool("sam").parent / "cfn-lint"
    result = subprocess.run(
        [str(executable), "--format", "parseable", "template.yaml"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return {line.split(":", 1)[1] if ":" in line else line for line in result.stdout.splitlines() if line.strip()}


@pytest.mark.parametrize("shape", SAM_SHAPES)
def test_sam_validate_lint_and_cfn_lint_after_add(tmp_path, run_cli, shape):
    original = add_projects.make(tmp_path / "original", shape)
    project = add_projects.make(tmp_path, shape)
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    sam(project, "validate", "--lint")
    before = {" ".join(f.split(":")[3:]) for f in cfn_lint(original)}
    after = {" ".join(f.split(":")[3:]) for f in cfn_lint(project)}
    assert after <= before, after - before


def osls(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    executable = require_tool("osls")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "SLS_TELEMETRY_DISABLED": "1",
        "SLS_NOTIFICATIONS_MODE": "off",
    }
    result = subprocess.run(
        [str(executable), *args], cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def link_plugins(project: Path) -> None:
    modules = require_tool("node-tools")
    (project / "node_modules").symlink_to(modules, target_is_directory=True)


@pytest.mark.parametrize("shape", SLS_SHAPES)
def test_osls_print_and_package_after_add(tmp_path, run_cli, shape):
    project = add_projects.make(tmp_path, shape)
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    link_plugins(project)
    osls(project, "print")
    template, _calls = package(project, tmp_path)
    policies = [
        s
        for r in template["Resources"].values()
        if r["Type"] in ("AWS::IAM::Role", "AWS::IAM::Policy")
        for p in (r["Properties"].get("Policies") or [{"PolicyDocument": r["Properties"].get("PolicyDocument")}])
        if p.get("PolicyDocument")
        for s in p["PolicyDocument"]["Statement"]
        if isinstance(s, dict)
    ]
    assert any(s.get("Sid") == "ReadMomentoApiKey" for s in policies), json.dumps(policies)[:2000]
    functions = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert functions and all("MOMENTO_SECRET_ARN" in f["Environment"]["Variables"] for f in functions)
