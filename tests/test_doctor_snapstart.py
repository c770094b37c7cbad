"""`code.snapstart-hooks`: a function with SnapStart on whose code uses Momento must register
snapshot_restore_py hooks (close the client before the snapshot, rebuild it after a restore),
and its runtime must have SnapStart. Each case is a small project."""

from __future__ import annotations

import textwrap

import pytest

from tests.support.projects import write_tree
from tests.test_doctor_code import PY_MOMENTO, doctor, function, template

CHECK = "code.snapstart-hooks"
SNAPSTART = "    SnapStart:\n      ApplyOn: PublishedVersions\n    AutoPublishAlias: live\n"

HOOKS_CALLED = """\
from snapshot_restore_py import register_after_restore, register_before_snapshot

import cache


def close_client():
    cache.client.__exit__(None, None, None)


def rebuild_client():
    cache.rebuild()


register_before_snapshot(close_client)
register_after_restore(rebuild_client)
"""

HOOKS_DECORATED = """\
import snapshot_restore_py

import cache


@snapshot_restore_py.register_before_snapshot
def close_client():
    cache.client.__exit__(None, None, None)


@snapshot_restore_py.register_after_restore
def rebuild_client():
    cache.rebuild()
"""

ONLY_BEFORE = """\
from snapshot_restore_py import register_before_snapshot

import cache

register_before_snapshot(lambda: cache.client.__exit__(None, None, None))
"""

HANDLER = "import cache\n{hooks}\n\ndef handler(event, context):\n    return cache.client.get('c', 'k')\n"


def sam_project(tmp_path, *, hooks: str | None, runtime: str = "python3.13", snapstart: bool = True):
    files = {
        "template.yaml": template(
            function("Api", "app.handler", runtime=runtime, extra=SNAPSTART if snapstart else "")
        ),
        "src/app.py": HANDLER.format(hooks="import hooks\n" if hooks else ""),
        "src/cache.py": PY_MOMENTO,
    }
    if hooks:
        files["src/hooks.py"] = hooks
    return write_tree(tmp_path / "project", files)


SERVERLESS = """\
service: snap
provider:
  name: aws
  runtime: python3.13
  iamRoleStatements:
    - Effect: Allow
      Action: secretsmanager:GetSecretValue
      Resource: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/momento-AbCdEf
functions:
  api:
    handler: src/app.handler
    snapStart: true
"""


@pytest.mark.parametrize("hooks", [HOOKS_CALLED, HOOKS_DECORATED], ids=["called", "decorators"])
def test_a_snapstart_function_that_registers_both_hooks_passes(run_cli, tmp_path, hooks):
    run = doctor(run_cli, sam_project(tmp_path, hooks=hooks), CHECK)
    assert run.status(CHECK) == "pass", run.text(CHECK)
    assert "Api: before-snapshot and after-restore hooks registered" in run.text(CHECK)
    assert run.exit_code == 0


def test_a_snapstart_function_without_hooks_fails_with_the_fix(run_cli, tmp_path):
    run = doctor(run_cli, sam_project(tmp_path, hooks=None), CHECK)
    assert run.status(CHECK) == "fail"
    text = run.text(CHECK)
    assert "Api: SnapStart is on but its code calls no register_before_snapshot and register_after_restore" in text
    assert "snapshot-restore-py" in run.checks[CHECK]["hint"]
    assert run.exit_code == 1


def test_a_missing_after_restore_hook_is_named(run_cli, tmp_path):
    run = doctor(run_cli, sam_project(tmp_path, hooks=ONLY_BEFORE), CHECK)
    assert run.status(CHECK) == "fail"
    assert "calls no register_after_restore:" in run.text(CHECK)


def test_snapstart_on_a_runtime_without_it_fails(run_cli, tmp_path):
    run = doctor(run_cli, sam_project(tmp_path, hooks=HOOKS_CALLED, runtime="python3.11"), CHECK)
    assert run.status(CHECK) == "fail"
    assert "Api: python3.11 has no SnapStart (Python: python3.12 and later)" in run.text(CHECK)
    assert "Set the runtime to python3.14" in run.checks[CHECK]["hint"]


def test_a_serverless_snapstart_function_without_hooks_fails(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "sls",
        {"serverless.yml": SERVERLESS, "src/app.py": HANDLER.format(hooks=""), "src/cache.py": PY_MOMENTO},
    )
    run = doctor(run_cli, root, CHECK)
    assert run.status(CHECK) == "fail", run.text(CHECK)
    assert "api: SnapStart is on" in run.text(CHECK)


def test_without_snapstart_the_check_skips_and_says_why(run_cli, tmp_path):
    run = doctor(run_cli, sam_project(tmp_path, hooks=None, snapstart=False), CHECK)
    assert run.status(CHECK) == "skip"
    assert "No function has SnapStart on" in run.checks[CHECK]["message"]


def test_a_snapstart_function_without_momento_is_not_judged(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "plain",
        {
            "template.yaml": template(function("Api", "app.handler", extra=SNAPSTART)),
            "src/app.py": textwrap.dedent("""\
                def handler(event, context):
                    return {"statusCode": 200}
            """),
        },
    )
    run = doctor(run_cli, root, CHECK)
    assert run.status(CHECK) == "skip"
    assert "No SnapStart function uses Momento (Api)" in run.checks[CHECK]["message"]


def test_a_snapstart_project_in_a_region_without_snapstart_warns(run_cli, tmp_path):
    root = sam_project(tmp_path, hooks=HOOKS_CALLED)
    (root / "samconfig.toml").write_text('version = 0.1\n[default.deploy.parameters]\nregion = "ap-east-2"\n')
    run = doctor(run_cli, root, CHECK)
    assert run.status(CHECK) == "warn", run.text(CHECK)
    message = run.checks[CHECK]["message"]
    assert message.startswith("Region ap-east-2 (from samconfig.toml") and "no Lambda SnapStart" in message
    assert "deploying Api there fails" in message
    assert "turn SnapStart off" in run.checks[CHECK]["hint"]
    assert "Api: before-snapshot and after-restore hooks registered" in run.text(CHECK)


def test_the_region_problem_joins_a_failure(run_cli, tmp_path):
    root = write_tree(
        tmp_path / "sls",
        {
            "serverless.yml": SERVERLESS.replace(
                "  runtime: python3.13\n", "  runtime: python3.13\n  region: ap-southeast-6\n"
            ),
            "src/app.py": HANDLER.format(hooks=""),
            "src/cache.py": PY_MOMENTO,
        },
    )
    run = doctor(run_cli, root, CHECK)
    assert run.status(CHECK) == "fail", run.text(CHECK)
    assert "api: SnapStart is on" in run.text(CHECK)
    assert "Region ap-southeast-6 (from serverless.yml" in run.text(CHECK)
    hint = run.checks[CHECK]["hint"]
    assert "snapshot-restore-py" in hint and "turn SnapStart off" in hint


@pytest.mark.parametrize("region", ["eu-west-1", None])
def test_a_region_with_snapstart_or_none_adds_nothing(run_cli, tmp_path, region):
    root = sam_project(tmp_path, hooks=HOOKS_CALLED)
    if region:
        (root / "samconfig.toml").write_text(f'version = 0.1\n[default.deploy.parameters]\nregion = "{region}"\n')
    run = doctor(run_cli, root, CHECK)
    assert run.status(CHECK) == "pass", run.text(CHECK)
