"""The field-test scripts over tests/fixtures/field: one small project per failure class found
on public SAM / Serverless projects (each folder's README.md names its class).

Every fixture is a valid project its deploy tool accepts, so the model must load each one
without an exception and without refusing it; where the SAM CLI or osls can read a fixture,
the model must agree with them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.tools import REPO_ROOT, TOOLS_DIR, require_tool

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "field"
SCRIPTS = REPO_ROOT / "scripts"


def run_script(python: str | Path, script: str, *args: str | Path) -> tuple[int, list[dict[str, Any]], str]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        env.pop(name, None)
    proc = subprocess.run(
        [str(python), str(SCRIPTS / script), *map(str, args)], capture_output=True, text=True, env=env, cwd=REPO_ROOT
    )
    lines = proc.stdout.splitlines()
    summary_start = max((i for i, line in enumerate(lines) if line == "{"), default=len(lines))
    records = [json.loads(line) for line in lines[:summary_start] if line.startswith("{")]
    if summary_start < len(lines):  # a pretty-printed summary closes the output
        records.append(json.loads("\n".join(lines[summary_start:])))
    return proc.returncode, records, proc.stdout + proc.stderr


def test_every_fixture_folder_names_its_class() -> None:
    classes = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
    assert classes
    for folder in classes:
        assert (folder / "README.md").read_text(encoding="utf-8").strip(), folder


@pytest.mark.integration
def test_the_model_loads_every_fixture_without_exception_or_refusal() -> None:
    code, records, output = run_script(sys.executable, "field_test.py", "--json", FIXTURES)
    totals = records[-1]["totals"]
    failed = [r for r in records[:-1] if "exception" in r or "refused" in r]
    assert totals["folders"] == len(records) - 1 >= len(list(FIXTURES.iterdir())) - 1
    assert (code, totals["exceptions"], totals["refused"], failed) == (0, 0, 0, []), output


@pytest.mark.slow
def test_samconfig_reading_matches_the_sam_cli() -> None:
    require_tool("sam")
    sam_python = TOOLS_DIR / "sam" / "bin" / "python"
    code, records, output = run_script(sam_python, "field_compare_sam.py", "--model-python", sys.executable, FIXTURES)
    summary = records[-1]
    assert summary["totals"]["compared"] >= 2
    assert (code, summary["differences_by_field"]) == (0, {}), output


@pytest.mark.slow
def test_serverless_settings_match_osls_print(tmp_path: Path) -> None:
    osls = require_tool("osls")
    code, records, output = run_script(
        sys.executable, "field_compare_osls.py", "--osls", osls, "--cache", tmp_path, "--json", FIXTURES
    )
    summary = records[-1]
    assert summary["totals"]["folders"] >= 5
    assert summary["totals"].get("model failed", 0) == 0, output
    assert (code, summary["differences_by_field"]) == (0, {}), output


def test_each_failure_class_is_read_as_its_deploy_tool_reads_it() -> None:
    from momento_lambda_cli.project import load_project
    from momento_lambda_cli.project.model import CodeKind

    def load(name: str) -> Any:
        return load_project(FIXTURES / name, environ={})

    duplicate = load("sam-duplicate-keys")
    assert duplicate.functions, "a repeated key: the last value wins, as for the SAM CLI"
    single_file = load("sam-codeuri-file").functions[0]
    assert single_file.code.kind is CodeKind.FILE
    assert single_file.handler_file == (FIXTURES / "sam-codeuri-file/src/function.py").resolve()
    assert load("sam-codeuri-zip").functions[0].code.kind is CodeKind.ZIP
    go = load("sls-handler-in-build-folder").functions[0]
    assert (go.code.kind, go.code.path) == (CodeKind.FOLDER, (FIXTURES / "sls-handler-in-build-folder").resolve())
    listed = load("sls-resources-list")
    assert not listed.problems
    assert any("secretsmanager:GetSecretValue" in s.actions for f in listed.functions for s in f.statements)
    assert load("sls-functions-file-include").functions
    assert load("sls-functions-list").functions
    memory = load("sls-memory-with-unit").functions[0]
    assert str(memory.memory) == "1536MB" and memory.problems
    assert load("sls-non-aws-provider").problems
