"""`doctor --fix`, byte for byte: each fixable check's cases in ``tests/fixtures/fix_cases/<check>.yml``
(sqlfluff's ``std_rule_cases`` layout): a project file before the fix (``fail_str``) and after it
(``fix_str``). Each case is planned and applied in process on a small Momento project, then
planned again on the result: the second plan changes nothing (a fix is idempotent) and the
check no longer warns or fails. Every check that declares a fix has a case file."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from momento_lambda_cli.doctor import registry
from momento_lambda_cli.doctor.model import Status
from tests.support.projects import write_tree

CASES_DIR = Path(__file__).parent / "fixtures" / "fix_cases"

CODE = {
    "python": {
        "src/app.py": """\
import os
from datetime import timedelta

import boto3
from botocore.config import Config
from momento import CacheClient, Configurations, CredentialProvider

secrets = boto3.client("secretsmanager", config=Config(connect_timeout=1, read_timeout=1))
_key = secrets.get_secret_value(SecretId=os.environ["MOMENTO_SECRET_ARN"])["SecretString"]
client = CacheClient(Configurations.Lambda.latest(), CredentialProvider.from_string(_key), timedelta(seconds=60))


def handler(event, context):
    return client.get("cache", "key").value_string
"""
    },
    "node": {
        "src/app.mjs": """\
import {CacheClient, Configurations, CredentialProvider} from '@gomomento/sdk';
import {SecretsManagerClient, GetSecretValueCommand} from '@aws-sdk/client-secrets-manager';

const secrets = new SecretsManagerClient({requestHandler: {connectionTimeout: 1000, requestTimeout: 1000, throwOnRequestTimeout: true}});
let client;

export const handler = async () => {
  if (!client) {
    const out = await secrets.send(new GetSecretValueCommand({SecretId: process.env.MOMENTO_SECRET_ARN}));
    client = await CacheClient.create({configuration: Configurations.Lambda.latest(),
      credentialProvider: CredentialProvider.fromString({apiKey: out.SecretString}), defaultTtlSeconds: 60});
  }
  return await client.get('cache', 'key');
};
""",
        "src/package.json": '{"name": "cache", "version": "1.0.0", "type": "module", '
        '"dependencies": {"@gomomento/sdk": "1.118.0"}}\n',
    },
}
"""The function code a case names with ``code``: uses Momento and reads its secret with short timeouts."""


def _load(path: Path) -> dict[str, Any]:
    from ruamel.yaml import YAML

    document = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict) and document.get("check") == path.stem, path
    return document


def _cases() -> list[Any]:
    found = []
    for path in sorted(CASES_DIR.glob("*.yml")):
        document = _load(path)
        for name, case in document["cases"].items():
            found.append(pytest.param(document["check"], document.get("today"), case, id=f"{path.stem}:{name}"))
    return found


def _fix(root: Path, check_id: str) -> tuple[Any, Any]:
    """doctor --offline --only CHECK, then its fix plan, applied (in process)."""
    from momento_lambda_cli.doctor.context import DoctorOptions
    from momento_lambda_cli.doctor.diagnose import diagnose
    from momento_lambda_cli.project import load_project
    from momento_lambda_cli.retrofit.fixes import apply_fixes, plan_fixes

    checks = registry.select(registry.all_checks(), [check_id], [])
    diagnosis = diagnose(DoctorOptions(root, offline=True), checks, timeout=30)
    plan = plan_fixes(load_project(root), diagnosis.outcomes, checks)
    apply_fixes(plan)
    return diagnosis, plan


@pytest.mark.parametrize(("check_id", "today", "case"), _cases())
def test_the_fix_turns_fail_str_into_fix_str(tmp_path, monkeypatch, check_id, today, case):
    if today is not None:  # the runtime a fix picks depends on the date (lifecycle dates)
        from momento_lambda_cli.doctor.checks import project as project_checks
        from momento_lambda_cli.retrofit import fixes

        day = today if isinstance(today, datetime.date) else datetime.date.fromisoformat(str(today))
        monkeypatch.setattr(fixes, "TODAY", lambda: day)
        monkeypatch.setattr(project_checks, "TODAY", lambda: day)
    files = {**CODE[case["code"]], **(case.get("files") or {}), case["file"]: case["fail_str"]}
    root = write_tree(tmp_path / "p", files)
    target = root / case["file"]

    _diagnosis, plan = _fix(root, check_id)
    assert plan.refused == [], plan.refused
    assert target.read_bytes().decode("utf-8") == case["fix_str"]
    unchanged = {rel: (root / rel).read_text(encoding="utf-8") for rel in files if rel != case["file"]}
    assert unchanged == {rel: text for rel, text in files.items() if rel != case["file"]}

    again, second = _fix(root, check_id)
    assert [c.relative for c in second.changes] == [], "a second --fix changed the project again"
    (outcome,) = again.outcomes
    assert outcome.result.status not in (Status.WARN, Status.FAIL), outcome.result.message


def test_every_check_with_a_fix_has_its_cases():
    fixable = {check.id for check in registry.all_checks() if check.fixes}
    files = {path.stem for path in CASES_DIR.glob("*.yml")}
    assert fixable - files == set(), "write tests/fixtures/fix_cases/<check>.yml for these"
    assert files - fixable == set(), "these case files name no check with a fix"
