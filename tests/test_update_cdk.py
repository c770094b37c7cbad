"""`update` on AWS CDK apps made by `new --framework cdk` (TypeScript and Python): a later
template's fixes reach the stack (infra/), the function (src/) and cdk.json; the user's edits and
the secret `store-token` wrote stay; the file set is unchanged. CDK apps first shipped in 0.3.0,
so the later release is a synthetic 0.3.1 made from the live templates (as in
tests/test_pattern_updates.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.errors import ExitCode
from tests.support.template_versions import ROOT, commit_all

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/svc/api-key-AbCdEf"

# (file, what 0.3.0 has, what the synthetic 0.3.1 has) per language
FIXES = {
    "ts": {
        "infra/momentoStack.ts": ("      memorySize: 512,\n", "      memorySize: 1024,\n"),
        "src/momentoClient.ts": ("const SECRET_RETRY_AFTER_MS = 10_000;\n", "const SECRET_RETRY_AFTER_MS = 15_000;\n"),
    },
    "py": {
        "infra/momento_stack.py": ("            memory_size=512,\n", "            memory_size=1024,\n"),
        "src/momento_client.py": ("SECRET_RETRY_AFTER_SECONDS = 10.0\n", "SECRET_RETRY_AFTER_SECONDS = 15.0\n"),
    },
}
RUNTIME = {"ts": "nodejs22.x", "py": "python3.13"}
STACK = {"ts": "infra/momentoStack.ts", "py": "infra/momento_stack.py"}
USER_EDIT = {
    "ts": ("import type { Construct } from 'constructs';\n", "import type { Construct } from 'constructs'; // mine\n"),
    "py": ("import aws_cdk as cdk\n", "import aws_cdk as cdk  # mine\n"),
}


def later_template(ext: str, extra: dict[str, tuple[str, str]] | None = None):
    from momento_lambda_cli.scaffold import versions

    live = versions.live_source()
    files = dict(live.files)
    for path, (before, after) in {**FIXES[ext], **(extra or {})}.items():
        assert files[ROOT + path].count(before) == 1, (path, before)
        files[ROOT + path] = files[ROOT + path].replace(before, after)
    return versions.TemplateSource(version="0.3.1", files=files, keep=live.keep)


def project_files(project: Path) -> set[str]:
    return {
        p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file() and ".git/" not in p.as_posix()
    }


def new_cdk_app(run_cli, tmp_path: Path, ext: str) -> Path:
    created = run_cli("new", "svc", "--no-input", "-f", "cdk", "-r", RUNTIME[ext], "-o", str(tmp_path))
    assert created.exit_code == 0, created.output
    return tmp_path / "svc"


@pytest.mark.parametrize("ext", ["ts", "py"])
def test_update_carries_fixes_into_the_stack_and_the_function_and_keeps_the_users_edit(
    run_cli, tmp_path, monkeypatch, ext
):
    from momento_lambda_cli.scaffold import versions

    project = new_cdk_app(run_cli, tmp_path, ext)
    stack = project / STACK[ext]
    mine_before, mine_after = USER_EDIT[ext]
    assert stack.read_text().count(mine_before) == 1
    stack.write_text(stack.read_text().replace(mine_before, mine_after))
    before_files = project_files(project)
    commit_all(project)

    later = later_template(ext)
    monkeypatch.setattr(versions, "live_source", lambda: later)
    check = run_cli("update", str(project), "--check")
    assert check.exit_code == ExitCode.FAILED, check.output  # an update is available
    result = run_cli("update", str(project))
    assert result.exit_code == 0, result.output
    for path, (_before, after) in FIXES[ext].items():
        assert after in (project / path).read_text(), path
    assert mine_after in stack.read_text()
    assert project_files(project) == before_files
    answers = json.loads((project / catalog.ANSWERS_FILE).read_text())
    assert answers["_template"]["version"] == "0.3.1"
    assert run_cli("update", str(project), "--check").exit_code == 0  # up to date now


def test_the_arn_store_token_wrote_into_cdk_json_stays_and_a_cdk_json_fix_merges(run_cli, tmp_path, monkeypatch):
    """store-token changed cdk.json and the answers; a later template changes cdk.json elsewhere."""
    from momento_lambda_cli.scaffold import versions
    from momento_lambda_cli.secrets import wiring

    project = new_cdk_app(run_cli, tmp_path, "ts")
    found = wiring.inspect_project(project)
    writes, _ = wiring.plan_writes(found, secret_name="momento/svc/api-key", secret_arn=ARN, kms_key_arn=None)
    wiring.apply_writes(writes)
    cdk_json = project / "cdk.json"
    with_arn = cdk_json.read_text()
    assert f'"momentoSecretArn": "{ARN}"' in with_arn
    commit_all(project)

    fix = {
        "cdk.json": ('    "include": ["src/**", "infra/**"]\n', '    "include": ["src/**", "infra/**", "test/**"]\n')
    }
    later = later_template("ts", fix)
    monkeypatch.setattr(versions, "live_source", lambda: later)
    result = run_cli("update", str(project))
    assert result.exit_code == 0, result.output
    text = cdk_json.read_text()
    assert f'"momentoSecretArn": "{ARN}"' in text
    assert '"test/**"' in text
    assert "<<<<<<<" not in text


def test_a_cdk_app_not_made_by_new_is_refused(run_cli, tmp_path):
    (tmp_path / "cdk.json").write_text('{"app": "npx ts-node bin/app.ts"}\n')
    before = (tmp_path / "cdk.json").read_bytes()
    result = run_cli("update", str(tmp_path), "--check")
    assert result.exit_code == ExitCode.FAILED
    assert "`update` only knows projects made by `momento-lambda new`" in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert (tmp_path / "cdk.json").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cdk.json"]


def test_a_cdk_app_whose_answers_record_no_template_hash_is_matched_to_0_3_0(run_cli, tmp_path):
    """detect_base tries every shipped version; those from before CDK (no `cdk` choice) are skipped."""
    project = new_cdk_app(run_cli, tmp_path, "py")
    path = project / catalog.ANSWERS_FILE
    answers = json.loads(path.read_text())
    del answers["_template"], answers["_tool_version"]
    path.write_text(json.dumps(answers, indent=2) + "\n")
    result = run_cli("update", str(project), "--check", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["data"]["project_version"] == "0.3.0"
