"""The doctor command line: JSON envelope, exit codes, --list-checks, --only/--skip,
--strict, --offline, no credentials, TTY-free output."""

from __future__ import annotations

import json

import pytest

from momento_lambda_cli import __version__
from momento_lambda_cli.doctor import registry
from tests.support.doctor import run_doctor
from tests.support.doctor_projects import make_project

ALL_IDS = [
    "project.framework",
    "code.parses",
    "project.runtime",
    "project.timeout",
    "iam.secret-access",
    "iam.kms-decrypt",
    "project.build-method",
    "code.client-reuse",
    "code.lambda-config",
    "code.secret-timeouts",
    "code.awaited-calls",
    "project.esm-require",
    "code.snapstart-hooks",
    "secret.no-plaintext-key",
    "project.no-local-override",
    "project.template-version",
    "serverless.slim-strip",
    "serverless.static-cache",
    "project.sdk-versions",
    "build.binaries",
    "build.glibc",
    "build.sdk",
    "deploy.stack",
    "deploy.functions",
    "deploy.env-secrets",
    "secret.contract",
    "secret.rotation",
    "iam.role-secret-access",
    "iam.role-kms-decrypt",
    "deploy.vpc-egress",
    "momento.key",
    "momento.key-expiry",
    "momento.cache",
    "machine.container",
    "machine.tools",
]


def test_check_ids_are_stable_and_ordered():
    assert [c.id for c in registry.all_checks()] == ALL_IDS


def test_list_checks_text_and_json(run_cli):
    text = run_cli("doctor", "--list-checks")
    assert text.exit_code == 0
    assert [line.split()[0] for line in text.stdout.strip().splitlines()] == ALL_IDS
    document = json.loads(run_cli("doctor", "--list-checks", "--json").stdout)
    assert document["command"] == "doctor"
    assert [c["id"] for c in document["data"]["checks"]] == ALL_IDS
    assert {k: document["data"]["checks"][0][k] for k in ("id", "group", "title", "remote")} == {
        "id": "project.framework",
        "group": "project",
        "title": "Framework detected, template parses",
        "remote": False,
    }
    only = run_cli("doctor", "--list-checks", "--only", "build,momento.key")
    assert [line.split()[0] for line in only.stdout.strip().splitlines()] == [
        "build.binaries",
        "build.glibc",
        "build.sdk",
        "momento.key",
    ]


def test_json_envelope_is_pinned(run_cli, tmp_path):
    project = make_project(tmp_path)
    result = run_cli("doctor", str(project.root), "--offline", "--only", "project.framework,deploy.stack", "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    checks = document["data"]["checks"]
    for item in checks:
        assert isinstance(item.pop("duration_ms"), float)
    assert document == {
        "schema": 3,
        "tool": {"name": "momento-lambda", "version": __version__},
        "command": "doctor",
        "ok": True,
        "data": {
            "project_dir": str(project.root),
            "framework": "sam",
            "summary": {
                "passed": 1,
                "warned": 0,
                "failed": 0,
                "errored": 0,
                "skipped": 1,
                "not_checked": 0,
                "total": 2,
            },
            "checks": [
                {
                    "id": "project.framework",
                    "group": "project",
                    "title": "Framework detected, template parses",
                    "status": "pass",
                    "message": "AWS SAM project (template.yaml, samconfig.toml), 1 function (python3.13)",
                    "hint": None,
                    "details": [
                        "config env default (from the SAM CLI's default)",
                        "region us-east-1 (from samconfig.toml [default.deploy.parameters] region)",
                        "stack demo (from samconfig.toml [default.global.parameters] stack_name)",
                    ],
                },
                {
                    "id": "deploy.stack",
                    "group": "deployment",
                    "title": "Stack deployed and healthy",
                    "status": "skip",
                    "message": "Skipped with --offline.",
                    "hint": None,
                    "details": [],
                },
            ],
        },
        "warnings": [],
        "errors": [],
    }


def test_text_output_groups_marks_hints_and_summary(run_cli, tmp_path):
    project = make_project(tmp_path)
    project.edit("template.yaml", "Timeout: 10", "Timeout: 3")
    project.edit("samconfig.toml", "use_container = true", "use_container = false")
    result = run_cli("doctor", str(project.root), "--offline")
    assert result.exit_code == 1
    out = result.stdout
    headings = [line for line in out.splitlines() if line and not line.startswith((" ", "- "))][:-1]
    assert headings == ["Project", "This machine"]
    assert "- Build output: 3 checks skipped" in out
    assert "Framework detected" not in out  # short: a passing check is counted, not listed
    assert "  ✓ 9 other checks passed (8 skipped)\n" in out
    assert out.count("- 3 checks skipped: No build output") == 1  # skips folded, one line per reason
    assert "- 11 deployment and Momento checks skipped (--offline)" in out
    assert "  ✗ Function timeout: A function's timeout is shorter than" in out
    assert "      · HelloFunction: Timeout 3 s" in out
    assert "      → Set the function Timeout to at least" in out
    assert "Stack deployed and healthy" not in out  # --offline skips: one line for all of them
    assert "\x1b[" not in out  # no colour when not a terminal
    assert "Running" not in result.stderr  # no live progress off a TTY
    assert "  ! Dependencies built for Lambda: sam build runs without a container" in out
    assert out.strip().splitlines()[-1] == "9/35 checks passed (2 warnings, 1 failed, 23 skipped)"
    verbose = run_cli("doctor", str(project.root), "--offline", "--verbose")
    assert "  ✓ Framework detected, template parses: AWS SAM project" in verbose.stdout  # -v: everything
    assert "      · HelloFunction: python3.13 (supported until" in verbose.stdout


def test_exit_codes_and_strict(run_cli, tmp_path):
    project = make_project(tmp_path)
    assert run_cli("doctor", str(project.root), "--offline").exit_code == 0
    project.edit("hello/momento_client.py", "connect_timeout=1, read_timeout=1, ", "")  # a warning only
    warned = run_doctor(run_cli, str(project.root), "--offline")
    assert warned.exit_code == 0
    assert warned.document["ok"] is True
    # code.secret-timeouts, and this machine's: no Docker engine answers in the tests (isolated_env),
    # and whatever tools this machine's PATH lacks (machine.tools)
    machine = [c for c in warned.document["data"]["checks"] if c["group"] == "machine" and c["status"] == "warn"]
    assert warned.document["data"]["summary"]["warned"] == 1 + len(machine)
    assert "machine.container" in [c["id"] for c in machine]
    strict = run_doctor(run_cli, str(project.root), "--offline", "--strict")
    assert strict.exit_code == 1
    only_machine = run_doctor(run_cli, str(project.root), "--offline", "--strict", "--only", "machine")
    assert only_machine.exit_code == 0  # this machine's warnings never fail the project, even --strict
    assert strict.document["ok"] is False
    project.edit("template.yaml", "Timeout: 10", "Timeout: 2")
    assert run_cli("doctor", str(project.root), "--offline").exit_code == 1


def test_unknown_check_id_is_a_usage_error(run_cli, tmp_path):
    result = run_cli("doctor", str(tmp_path), "--only", "project.framework,iam.nope")
    assert result.exit_code == 2
    assert "Unknown check id: iam.nope;" in result.stderr
    assert "--list-checks" in result.stderr
    skipped = run_cli("doctor", str(tmp_path), "--skip", "nope", "--json")
    assert skipped.exit_code == 2
    assert json.loads(skipped.stdout)["errors"][0]["code"] == "doctor.unknown-check"


def test_only_and_skip_select_checks(run_cli, tmp_path):
    project = make_project(tmp_path)
    run = run_doctor(
        run_cli, str(project.root), "--offline", "--only", "project", "--skip", "code.client-reuse,project.timeout"
    )
    assert list(run.checks) == [
        i for i in ALL_IDS[: ALL_IDS.index("build.binaries")] if i not in {"code.client-reuse", "project.timeout"}
    ]


@pytest.mark.parametrize("where", ["empty", "missing", "bad-yaml"])
def test_a_folder_without_a_loadable_project_is_one_error(run_cli, tmp_path, where):
    """No project, a missing folder, a template that does not parse: one Error: / Hint: pair
    (the JSON envelope's error with --json), exit 1, not the same line under every check."""
    folder = tmp_path / "missing" if where == "missing" else tmp_path
    if where == "bad-yaml":
        (tmp_path / "template.yaml").write_text("Resources: [\n")
    result = run_cli("doctor", str(folder), "--offline")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert [line.split(":", 1)[0] for line in lines] == ["Error", "Hint"], result.stderr
    expected = {"empty": "No SAM or Serverless project in", "missing": "No folder", "bad-yaml": "does not parse"}
    assert expected[where] in lines[0]
    as_json = run_cli("doctor", str(folder), "--offline", "--json")
    document = json.loads(as_json.stdout)
    assert as_json.exit_code == 1 and document["ok"] is False and document["data"] is None
    assert expected[where] in document["errors"][0]["message"]


def test_without_aws_credentials_remote_checks_are_not_checked_with_a_reason(run_cli, tmp_path):
    project = make_project(tmp_path)
    run = run_doctor(run_cli, str(project.root))  # isolated_env: no credentials anywhere
    assert run.exit_code == 3  # nothing failed, nothing remote was checked: not green
    remote = [c.id for c in registry.all_checks() if c.remote]
    for check_id in remote:
        assert run.status(check_id) == "not-checked", check_id
        assert "No AWS credentials were found" in run.checks[check_id]["message"]
        assert "aws configure" in run.checks[check_id]["hint"]
    assert run.status("project.framework") == "pass"
    text = run_cli("doctor", str(project.root)).stdout
    assert text.count("No AWS credentials were found") == 1  # one line for all of them
    assert f"? {len(remote)} deployment and Momento checks not checked: No AWS credentials" in text
    assert text.count("→ Run `aws configure`") == 1  # the fix, once


def test_an_unknown_aws_profile_is_one_error_not_a_skip(run_cli, tmp_path):
    project = make_project(tmp_path)
    result = run_cli("doctor", str(project.root), "--profile", "nope", "--only", "deploy.stack,momento.key")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "Error: AWS profile 'nope' was not found."
    assert result.stderr.splitlines()[1].startswith("Hint: ")
    assert "deploy.stack" not in result.stdout + result.stderr


@pytest.mark.integration
def test_doctor_help_does_not_import_boto3_or_momento():
    import subprocess
    import sys

    code = (
        "import sys\nfrom momento_lambda_cli.cli import main\n"
        "try:\n    main(['doctor', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('boto3', 'momento', 'ruamel.yaml', 'tree_sitter') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_live_progress_only_on_a_terminal_and_never_with_json(run_cli, tmp_path, monkeypatch):
    import io

    from rich.console import Console

    from momento_lambda_cli import console

    buffer = io.StringIO()
    terminal = Console(file=buffer, force_terminal=True, width=100)
    monkeypatch.setattr(console, "stderr", lambda: terminal)
    project = make_project(tmp_path)
    run_cli("doctor", str(project.root), "--offline")
    assert "Waiting for " in buffer.getvalue()
    assert f"/{len(ALL_IDS)} done" in buffer.getvalue()
    buffer.truncate(0)
    buffer.seek(0)
    result = run_cli("doctor", str(project.root), "--offline", "--json")
    assert json.loads(result.stdout)["command"] == "doctor"
    assert buffer.getvalue() == ""
