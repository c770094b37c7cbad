"""The key stays secret on every path of `store-token`, success or failure.

Each scenario runs with recognisable keys (tests/support/keys.py) and asserts that
neither the key nor its first 8 characters appear in stdout, stderr (also with --debug
and --json) or any file under the project folder; some run as real processes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from momento_lambda_cli import contract
from tests.conftest import run_cli_process
from tests.support import doctor_aws, keys, projects
from tests.support.generated import render
from tests.support.leaks import assert_no_leak

ENDPOINT = "cell-1.example.momentohq.com"


@dataclass
class Ctx:
    aws: Any
    momento: Any
    tmp: Path
    monkeypatch: Any

    @property
    def sm(self) -> Any:
        return self.aws.client("secretsmanager")

    def existing(self, name: str, key: str) -> None:
        self.sm.create_secret(Name=name, SecretString=contract.encode_secret(key, None))


@dataclass
class Scenario:
    """``setup(ctx) -> (key, extra secrets, args)``; ``exit_code`` expected."""

    setup: Callable[[Ctx], tuple[str, list[str], list[str]]]
    exit_code: int


def _sam(ctx: Ctx) -> list[str]:
    return ["--project-dir", str(projects.sam_project(ctx.tmp, "leaky"))]


def _sls(ctx: Ctx) -> list[str]:
    return ["--project-dir", str(projects.serverless_project(ctx.tmp, "leaky"))]


def _cdk(ctx: Ctx, runtime: str = "nodejs22.x") -> list[str]:
    return ["--project-dir", str(render(ctx.tmp, name="leaky", framework="cdk", runtime=runtime))]


def _cdk_create_v2(ctx):
    key = keys.v2_key()
    ctx.momento.state.valid_keys = {key}
    return key, [], [*_cdk(ctx, "python3.13"), "--endpoint", ENDPOINT]


def _cdk_update_dry_run(ctx):
    old = keys.legacy_key("old")
    ctx.existing("momento/leaky/api-key", old)
    return keys.legacy_key("new"), [old], [*_cdk(ctx), "--dry-run"]


def _cdk_kms(ctx):
    key_arn = ctx.aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    return keys.legacy_key(), [], [*_cdk(ctx), "--kms-key-id", key_arn]


def _cdk_broken_json(ctx):
    args = _cdk(ctx)
    (Path(args[1]) / "cdk.json").write_text('{"context": {}, "context": {}}')
    return keys.legacy_key(), [], args


def _cdk_world_app(ctx):
    directory = projects.write_tree(ctx.tmp / "leaky", {"cdk.json": '{"app": "python3 app.py"}', "app.py": ""})
    return keys.legacy_key(), [], ["--project-dir", str(directory)]


def _create_v2(ctx):
    key = keys.v2_key()
    ctx.momento.state.valid_keys = {key}
    return key, [], [*_sam(ctx), "--endpoint", ENDPOINT]


def _create_sls(ctx):
    return keys.legacy_key(), [], _sls(ctx)


def _update(ctx):
    old = keys.legacy_key("old")
    ctx.existing("momento/leaky/api-key", old)
    return keys.legacy_key("new"), [old], _sam(ctx)


def _unchanged(ctx):
    key = keys.legacy_key()
    ctx.existing("momento/leaky/api-key", key)
    return key, [], _sam(ctx)


def _restore(ctx):
    old = keys.legacy_key("old")
    ctx.existing("momento/leaky/api-key", old)
    ctx.sm.delete_secret(SecretId="momento/leaky/api-key")
    return keys.legacy_key("new"), [old], [*_sam(ctx), "--restore"]


def _deleted(ctx):
    key, others, args = _restore(ctx)
    return key, others, args[:-1]


def _dry_run(ctx):
    old = keys.legacy_key("old")
    ctx.existing("momento/leaky/api-key", old)
    return keys.legacy_key("new"), [old], [*_sam(ctx), "--dry-run", "--tag", "a=b"]


def _auth_failed(ctx):
    ctx.momento.state.valid_keys = {keys.legacy_key("the-real-one")}
    return keys.legacy_key("rejected"), [], _sam(ctx)


def _unreachable(ctx):
    ctx.momento.stop()
    return keys.legacy_key(), [], _sam(ctx)


def _cache_missing(ctx):
    return keys.legacy_key(), [], [*_sam(ctx), "--cache-name", "nope"]


def _v2_without_endpoint(ctx):
    return keys.v2_key(), [], _sam(ctx)


def _bad(value: str):
    def setup(ctx):
        return value, [], _sam(ctx)

    return setup


def _other_shape(ctx):
    ctx.sm.create_secret(Name="momento/leaky/api-key", SecretString="LEAKCANARY-someone-elses-password")
    return keys.legacy_key(), ["LEAKCANARY-someone-elses-password"], _sam(ctx)


def _other_shape_forced(ctx):
    key, others, args = _other_shape(ctx)
    return key, others, [*args, "--force"]


def _kms_missing(ctx):
    return keys.legacy_key(), [], [*_sam(ctx), "--kms-key-id", "alias/missing"]


def _missing_profile(ctx):
    return keys.legacy_key(), [], [*_sam(ctx), "--profile", "missing-profile"]


def _no_credentials(ctx):
    ctx.monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    ctx.monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    return keys.legacy_key(), [], _sam(ctx)


def _bad_region(ctx):
    return keys.legacy_key(), [], [*_sam(ctx), "--region", "nowhere"]


def _kms_disabled(ctx):
    kms = ctx.aws.client("kms")
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    kms.disable_key(KeyId=key_id)
    return keys.legacy_key(), [], [*_sam(ctx), "--kms-key-id", key_id]


def _restore_other_shape(ctx):
    ctx.sm.create_secret(Name="momento/leaky/api-key", SecretString="LEAKCANARY-deleted-password")
    ctx.sm.delete_secret(SecretId="momento/leaky/api-key")
    return keys.legacy_key(), ["LEAKCANARY-deleted-password"], [*_sam(ctx), "--restore"]


def _metadata_and_kms(ctx):
    old = keys.legacy_key("old")
    ctx.existing("momento/leaky/api-key", old)
    key_arn = ctx.aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    args = [*_sam(ctx), "--kms-key-id", key_arn, "--tag", "a=b", "--description", "d", "--config-env", "prod"]
    return keys.legacy_key("new"), [old], args


def _serverless_no_params(ctx):
    directory = projects.serverless_project(ctx.tmp, "leaky", params_block=False)
    return keys.v2_key(), [], ["--project-dir", str(directory), "--endpoint", ENDPOINT]


def _expired(ctx):
    return keys.legacy_key(expires_in=timedelta(days=-1)), [], _sam(ctx)


def _expiring_v2(ctx):
    key = keys.v2_key(expires_in=timedelta(days=5))
    ctx.momento.state.valid_keys = {key}
    return key, [], [*_sam(ctx), "--endpoint", ENDPOINT]


def _refresher_managed(ctx):
    old = keys.refresher_secret(keys.legacy_key("old"), "1798675200")
    ctx.sm.create_secret(Name="momento/leaky/api-key", SecretString=old)
    return keys.legacy_key("new"), [old, json.loads(old)["apiKey"], json.loads(old)["refreshToken"]], _sam(ctx)


def _refresher_forced(ctx):
    key, others, args = _refresher_managed(ctx)
    return key, others, [*args, "--force"]


def _expired_v2(ctx):
    return keys.v2_key(expires_in=timedelta(days=-1)), [], [*_sam(ctx), "--endpoint", ENDPOINT]


def _far_v1(ctx):
    return keys.v1_key(expires_in=timedelta(days=400)), [], _sam(ctx)


def _refresher_rotated(ctx):
    """The secret as the key-refresh Lambda writes it when it rotates (indented JSON, authToken).
    Its values are secret; its first characters (``{`` and indentation) are not."""
    old = keys.rotated_refresher_secret(keys.legacy_key("old"), 1798675200)
    ctx.sm.create_secret(Name="momento/leaky/api-key", SecretString=old)
    return keys.legacy_key("new"), [json.loads(old)["authToken"], json.loads(old)["refreshToken"]], _sam(ctx)


def _rotation_enabled(ctx):
    old = keys.legacy_key("old")
    ctx.existing("momento/leaky/api-key", old)
    doctor_aws.enable_rotation(ctx.aws, "momento/leaky/api-key", function_exists=False)
    return keys.legacy_key("new"), [old], _sam(ctx)


def _rotation_enabled_forced(ctx):
    key, others, args = _rotation_enabled(ctx)
    return key, others, [*args, "--force"]


SCENARIOS = {
    "create-v2-sam": Scenario(_create_v2, 0),
    "create-serverless": Scenario(_create_sls, 0),
    "update": Scenario(_update, 0),
    "unchanged": Scenario(_unchanged, 0),
    "restore": Scenario(_restore, 0),
    "scheduled-for-deletion": Scenario(_deleted, 1),
    "dry-run": Scenario(_dry_run, 0),
    "authentication-failed": Scenario(_auth_failed, 1),
    "momento-unreachable": Scenario(_unreachable, 0),
    "cache-not-found": Scenario(_cache_missing, 0),
    "v2-without-endpoint": Scenario(_v2_without_endpoint, 1),
    "garbage-key": Scenario(_bad("LEAKCANARY-garbage-key-material"), 1),
    "base64-non-json-key": Scenario(_bad(base64.b64encode(b"LEAKCANARY words words").decode()), 1),
    "json-without-endpoint-key": Scenario(_bad(base64.b64encode(b'{"api_key": "LEAKCANARY-k"}').decode()), 1),
    "other-shape": Scenario(_other_shape, 1),
    "other-shape-forced": Scenario(_other_shape_forced, 0),
    "kms-key-missing": Scenario(_kms_missing, 1),
    "aws-profile-missing": Scenario(_missing_profile, 1),
    "no-aws-credentials": Scenario(_no_credentials, 1),
    "malformed-region": Scenario(_bad_region, 2),
    "kms-key-disabled": Scenario(_kms_disabled, 1),
    "restore-other-shape": Scenario(_restore_other_shape, 1),
    "kms-tags-description-config-env": Scenario(_metadata_and_kms, 0),
    "serverless-without-params-v2": Scenario(_serverless_no_params, 0),
    "expired-key": Scenario(_expired, 1),
    "expiring-v2-key": Scenario(_expiring_v2, 0),
    "key-refresher-secret": Scenario(_refresher_managed, 1),
    "key-refresher-secret-forced": Scenario(_refresher_forced, 0),
    "expired-v2-key": Scenario(_expired_v2, 1),
    "far-v1-key": Scenario(_far_v1, 0),
    "key-refresher-rotated-secret": Scenario(_refresher_rotated, 1),
    "rotation-enabled": Scenario(_rotation_enabled, 1),
    "rotation-enabled-forced": Scenario(_rotation_enabled_forced, 0),
    "cdk-create-v2": Scenario(_cdk_create_v2, 0),
    "cdk-update-dry-run": Scenario(_cdk_update_dry_run, 0),
    "cdk-kms": Scenario(_cdk_kms, 0),
    "cdk-broken-cdk-json": Scenario(_cdk_broken_json, 1),
    "cdk-app-not-made-by-new": Scenario(_cdk_world_app, 0),
}


@pytest.fixture
def ctx(aws, momento_server, monkeypatch, tmp_path):
    monkeypatch.setenv("MOMENTO_LOCAL", momento_server.endpoint)
    monkeypatch.chdir(tmp_path)
    return Ctx(aws, momento_server, tmp_path, monkeypatch)


@pytest.mark.parametrize("flags", [[], ["--json"]], ids=["text", "json"])
@pytest.mark.parametrize("name", SCENARIOS)
def test_no_leak_in_process(run_cli, ctx, name, flags):
    scenario = SCENARIOS[name]
    key, others, args = scenario.setup(ctx)
    result = run_cli("--debug", "store-token", "--from-stdin", *args, *flags, stdin=key + "\n")
    assert result.exit_code == scenario.exit_code, result.output
    assert_no_leak(result.output, [key, *others], ctx.tmp)
    if flags:
        json.loads(result.stdout)  # stdout stays one JSON document on every path


@pytest.mark.parametrize(
    "name",
    [
        "create-v2-sam",
        "update",
        "authentication-failed",
        "momento-unreachable",
        "garbage-key",
        "other-shape",
        "cdk-kms",
    ],
)
def test_no_leak_as_a_process(ctx, name):
    scenario = SCENARIOS[name]
    key, others, args = scenario.setup(ctx)
    env = {**ctx.aws.env, "MOMENTO_LOCAL": ctx.momento.endpoint}
    for flags in (["--debug"], ["--debug", "--json"]):
        result = run_cli_process(
            flags[0], "store-token", "--from-stdin", *args, *flags[1:], env=env, cwd=ctx.tmp, stdin=key + "\n"
        )
        assert result.exit_code == scenario.exit_code, result.output
        assert_no_leak(result.output, [key, *others], ctx.tmp)
        assert "Traceback" not in result.output
        if scenario.exit_code == 0:
            ctx.sm.delete_secret(SecretId="momento/leaky/api-key", ForceDeleteWithoutRecovery=True)
            if name == "update":
                ctx.existing("momento/leaky/api-key", others[0])


def test_key_from_the_environment_does_not_leak_as_a_process(ctx):
    key = keys.legacy_key()
    args = _sam(ctx)
    env = {**ctx.aws.env, "MOMENTO_LOCAL": ctx.momento.endpoint, "MOMENTO_API_KEY": key}
    result = run_cli_process("--debug", "store-token", *args, env=env, cwd=ctx.tmp)
    assert result.exit_code == 0, result.output
    assert_no_leak(result.output, [key], ctx.tmp)


def test_unexpected_error_traceback_with_debug_does_not_leak(run_cli, ctx, monkeypatch):
    """A library that puts the value into an exception message: the traceback is redacted."""
    from momento_lambda_cli.secrets import secret_store

    def explode(sm, kms, request):
        raise RuntimeError(f"library error while sending {request.secret_string}")

    monkeypatch.setattr(secret_store, "store_secret", explode)
    key = keys.legacy_key()
    result = run_cli("--debug", "store-token", "--from-stdin", *_sam(ctx), stdin=key + "\n")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "RuntimeError" in result.stderr
    assert_no_leak(result.output, [key], ctx.tmp)
