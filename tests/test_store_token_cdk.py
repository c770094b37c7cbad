"""`store-token` on an AWS CDK app: the key goes to Secrets Manager as for SAM / Serverless, the
ARN into cdk.json's context (byte-minimal), the stack's code is never edited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from momento_lambda_cli import project
from momento_lambda_cli.errors import ExitCode
from tests.support import keys, projects
from tests.support.generated import render

ARN_KEY = "momentoSecretArn"


def store(run_cli, directory: Path, *args: str, key: str | None = None):
    return run_cli(
        "store-token", "--from-stdin", "--project-dir", str(directory), *args, stdin=(key or keys.legacy_key()) + "\n"
    )


def only_change(before: str, after: str, old: str, new: str) -> None:
    """``after`` is ``before`` with exactly one ``old`` replaced by ``new`` (every other byte kept)."""
    assert before.count(old) == 1, (old, before)
    assert after == before.replace(old, new), after


@pytest.mark.parametrize("runtime", ["nodejs22.x", "python3.13"])
def test_a_new_cdk_app_gets_the_arn_in_its_context_and_nothing_else_changes(run_cli, sm, tmp_path, runtime):
    directory = render(tmp_path, name="shop", framework="cdk", runtime=runtime)
    before = projects.snapshot(directory)
    result = store(run_cli, directory)
    assert result.exit_code == 0, result.output
    arn = sm.describe_secret(SecretId="momento/shop/api-key")["ARN"]
    after = projects.snapshot(directory)
    assert {p for p in after if after[p] != before.get(p)} == {"cdk.json", project.ANSWERS_FILE}
    only_change(before["cdk.json"].decode(), after["cdk.json"].decode(), f'"{ARN_KEY}": ""', f'"{ARN_KEY}": "{arn}"')
    context = json.loads(after["cdk.json"])["context"]
    assert context["momentoSecretName"] == "momento/shop/api-key"  # kept: the ARN wins in the stack
    assert project.load_answers(directory)["secret_arn"] == arn
    assert "Updated cdk.json context.momentoSecretArn" in result.stdout
    assert "Next: npx cdk deploy" in result.stdout
    assert "context" not in result.stderr, result.stderr  # the stack reads the context: no lines to add


WORLD_TS = """import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';

export class HelloStack extends cdk.Stack {
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    new lambda.Function(this, 'Hello', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset('lambda'),
    });
  }
}
"""

# `cdk init app --language typescript` (aws-cdk 2.17x), shortened: 2-space indent, feature flags.
WORLD_CDK_JSON = """{
  "app": "npx ts-node --prefer-ts-exts bin/hello.ts",
  "watch": {
    "include": [
      "**"
    ],
    "exclude": [
      "README.md",
      "cdk*.json",
      "**/*.d.ts",
      "**/*.js",
      "tsconfig.json",
      "package*.json",
      "yarn.lock",
      "node_modules",
      "test"
    ]
  },
  "context": {
    "@aws-cdk/aws-lambda:recognizeLayerVersion": true,
    "@aws-cdk/core:checkSecretUsage": true,
    "@aws-cdk/core:target-partitions": [
      "aws",
      "aws-cn"
    ],
    "@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver": true
  }
}
"""


def world_app(root: Path, cdk_json: str = WORLD_CDK_JSON) -> Path:
    return projects.write_tree(
        root / "hello",
        {"cdk.json": cdk_json, "lib/hello-stack.ts": WORLD_TS, "bin/hello.ts": "import '../lib/hello-stack';\n"},
    )


def test_a_cdk_app_not_made_by_new_gets_the_context_and_the_lines_to_add_to_its_stack(run_cli, sm, tmp_path):
    directory = world_app(tmp_path)
    stack = (directory / "lib/hello-stack.ts").read_bytes()
    result = store(run_cli, directory, "--no-verify")
    assert result.exit_code == 0, result.output
    arn = sm.describe_secret(SecretId="momento/api-key")["ARN"]
    after = (directory / "cdk.json").read_text()
    last = '"@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver": true'
    only_change(WORLD_CDK_JSON, after, last, f'{last},\n    "{ARN_KEY}": "{arn}"')
    assert (directory / "lib/hello-stack.ts").read_bytes() == stack  # the stack's code is never edited
    assert not (directory / project.ANSWERS_FILE).exists()
    warning = " ".join(result.stderr.split())
    assert "does not read the context key momentoSecretArn" in warning
    assert "this.node.getContext('momentoSecretArn')" in warning
    assert "secret.grantRead(fn);" in warning
    assert "fn.addEnvironment('MOMENTO_SECRET_ARN', secret.secretArn);" in warning


def test_a_python_app_gets_the_lines_in_python_and_kms_lines_when_its_stack_does_not_read_the_key(
    run_cli, peers, tmp_path
):
    cdk_json = '{\n    "app": "python3 app.py",\n    "context": {}\n}\n'
    directory = projects.write_tree(tmp_path / "py", {"cdk.json": cdk_json, "app.py": "import aws_cdk\n"})
    key_arn = peers.client("kms").create_key()["KeyMetadata"]["Arn"]
    result = store(run_cli, directory, "--no-verify", "--kms-key-id", key_arn)
    assert result.exit_code == 0, result.output
    arn = peers.client("secretsmanager").describe_secret(SecretId="momento/api-key")["ARN"]
    assert (directory / "cdk.json").read_text() == (
        "{\n"
        '    "app": "python3 app.py",\n'
        '    "context": {\n'
        f'        "{ARN_KEY}": "{arn}",\n'
        f'        "momentoKmsKeyArn": "{key_arn}"\n'
        "    }\n"
        "}\n"
    )
    warning = " ".join(result.stderr.split())
    assert 'self.node.get_context("momentoSecretArn")' in warning
    assert 'fn.add_environment("MOMENTO_SECRET_ARN", secret.secret_arn)' in warning
    assert 'resources=[self.node.get_context("momentoKmsKeyArn")]' in warning


def test_kms_key_arn_goes_where_the_generated_stack_reads_it(run_cli, peers, tmp_path):
    directory = render(tmp_path, name="shop", framework="cdk", runtime="nodejs22.x")
    before = (directory / "cdk.json").read_text()
    key_arn = peers.client("kms").create_key()["KeyMetadata"]["Arn"]
    result = store(run_cli, directory, "--no-verify", "--kms-key-id", key_arn)
    assert result.exit_code == 0, result.output
    context = json.loads((directory / "cdk.json").read_text())["context"]
    assert context["momentoKmsKeyArn"] == key_arn
    assert (
        before.replace('"momentoKmsKeyArn": ""', f'"momentoKmsKeyArn": "{key_arn}"').replace(
            '"momentoSecretArn": ""', f'"momentoSecretArn": "{context[ARN_KEY]}"'
        )
        == (directory / "cdk.json").read_text()
    )
    assert "kms:Decrypt" not in result.stderr


def test_second_run_replaces_the_arn_in_place_and_names_a_differing_secret_name(run_cli, sm, tmp_path):
    directory = render(tmp_path, name="shop", framework="cdk", runtime="python3.12")
    assert store(run_cli, directory, "--no-verify").exit_code == 0
    first = (directory / "cdk.json").read_text()
    result = store(run_cli, directory, "--no-verify", "--secret-name", "momento/other")
    assert result.exit_code == 0, result.output
    old_arn = sm.describe_secret(SecretId="momento/shop/api-key")["ARN"]
    new_arn = sm.describe_secret(SecretId="momento/other")["ARN"]
    only_change(first, (directory / "cdk.json").read_text(), old_arn, new_arn)
    warning = " ".join(result.stderr.split())
    assert "context.momentoSecretName is 'momento/shop/api-key', but the key was stored in 'momento/other'" in warning


def test_the_secret_name_comes_from_the_context_without_an_answers_file(run_cli, sm, tmp_path):
    text = '{"app": "npx tsx infra/app.ts", "context": {"momentoSecretName": "team/key", "momentoSecretArn": ""}}'
    directory = projects.write_tree(
        tmp_path / "app", {"cdk.json": text, "infra/stack.ts": "tryGetContext('momentoSecretArn')"}
    )
    result = store(run_cli, directory, "--no-verify")
    assert result.exit_code == 0, result.output
    arn = sm.describe_secret(SecretId="team/key")["ARN"]
    only_change(text, (directory / "cdk.json").read_text(), '"momentoSecretArn": ""', f'"momentoSecretArn": "{arn}"')
    assert "Warning" not in result.stderr


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (
            "crlf-tabs",
            '{\r\n\t"app": "npx tsx infra/app.ts",\r\n\t"context": {\r\n\t\t"region": "us-east-1"\r\n\t}\r\n}\r\n',
        ),
        ("no-final-newline", '{\n  "app": "x",\n  "context": {\n    "a": "\\u00e9\\/"\n  }\n}'),
        ("bom", '\ufeff{\n  "app": "x",\n  "context": {\n    "momentoSecretArn": null\n  }\n}\n'),
        ("one-line", '{"app":"x","context":{"n":1.50E+2}}'),
        ("no-context", '{\n   "app": "x",\n   "watch": {"include": ["**"]}\n}\n'),
    ],
)
def test_cdk_json_shapes_keep_every_other_byte(run_cli, sm, tmp_path, name, text):
    directory = tmp_path / name
    directory.mkdir()
    (directory / "cdk.json").write_bytes(text.encode())
    (directory / "stack.ts").write_text("this.node.tryGetContext('momentoSecretArn')")
    result = store(run_cli, directory, "--no-verify")
    assert result.exit_code == 0, result.output
    arn = sm.describe_secret(SecretId="momento/api-key")["ARN"]
    after = (directory / "cdk.json").read_bytes().decode()
    assert json.loads(after.removeprefix("\ufeff"))["context"][ARN_KEY] == arn
    expected = {
        "crlf-tabs": text.replace('"us-east-1"', f'"us-east-1",\r\n\t\t"{ARN_KEY}": "{arn}"'),
        "no-final-newline": text.replace('\\/"', f'\\/",\n    "{ARN_KEY}": "{arn}"'),
        "bom": text.replace("null", f'"{arn}"'),
        "one-line": text.replace("1.50E+2", f'1.50E+2, "{ARN_KEY}":"{arn}"'),
        "no-context": text.replace('["**"]}', f'["**"]}},\n   "context": {{\n      "{ARN_KEY}": "{arn}"\n   }}'),
    }[name]
    assert after == expected


@pytest.mark.parametrize(
    ("name", "text", "why"),
    [
        ("not-an-object", "[]\n", "the top level is not a JSON object"),
        ("duplicate-keys", '{"context": {"a": 1}, "context": {}}', 'the key "context" appears twice'),
        ("comment", '{\n  // the app\n  "app": "x"\n}\n', "a comment"),
        ("trailing-comma", '{"app": "x",}', "a trailing comma"),
        ("deep", '{"a": ' + "[" * 200 + "]" * 200 + "}", "nested deeper than 64 levels"),
        ("context-not-an-object", '{"context": "prod"}', "context is not a JSON object"),
        ("empty", "", "the file is empty"),
        ("nan", '{"context": {"ttl": NaN}}', "unexpected 'N'"),
    ],
)
def test_hostile_cdk_json_is_one_line_before_anything_is_stored(run_cli, sm, tmp_path, name, text, why):
    directory = tmp_path / name
    directory.mkdir()
    (directory / "cdk.json").write_text(text)
    before = projects.snapshot(directory)
    result = store(run_cli, directory, "--no-verify")
    assert result.exit_code != 0
    assert why in result.stderr
    assert "Traceback" not in result.output
    assert projects.snapshot(directory) == before
    assert sm.list_secrets()["SecretList"] == []


def test_a_huge_cdk_json_is_refused(run_cli, sm, tmp_path):
    directory = tmp_path / "huge"
    directory.mkdir()
    (directory / "cdk.json").write_text('{"context": {"pad": "' + "x" * (2 * 1024 * 1024) + '"}}')
    result = store(run_cli, directory, "--no-verify")
    assert result.exit_code != 0
    assert "larger than the 1 MB" in result.stderr
    assert "Traceback" not in result.output
    assert sm.list_secrets()["SecretList"] == []


def test_a_stage_is_a_usage_error(run_cli, sm, tmp_path):
    directory = render(tmp_path, name="shop", framework="cdk", runtime="nodejs22.x")
    result = store(run_cli, directory, "--no-verify", "--stage", "prod")
    assert result.exit_code == ExitCode.USAGE
    assert "an AWS CDK app has one context" in result.stderr
    assert sm.list_secrets()["SecretList"] == []


def test_dry_run_shows_the_diff_and_writes_nothing(run_cli, sm, tmp_path):
    directory = render(tmp_path, name="shop", framework="cdk", runtime="nodejs22.x")
    before = projects.snapshot(directory)
    result = store(run_cli, directory, "--no-verify", "--dry-run")
    assert result.exit_code == 0, result.output
    assert projects.snapshot(directory) == before
    assert "--- a/cdk.json\n+++ b/cdk.json\n" in result.stdout
    assert '-    "momentoSecretArn": "",\n+    "momentoSecretArn": "arn:aws:secretsmanager:' in result.stdout
    assert sm.list_secrets()["SecretList"] == []


def test_the_region_comes_from_the_context(run_cli, sm, tmp_path, monkeypatch):
    directory = render(tmp_path, name="shop", framework="cdk", runtime="nodejs22.x", region="eu-west-1")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    result = store(run_cli, directory, "--no-verify")
    assert result.exit_code == 0, result.output
    assert "in eu-west-1" in result.stdout


def test_a_cdk_project_without_cdk_json_is_one_line_before_anything_is_stored(run_cli, sm, tmp_path):
    directory = render(tmp_path, name="shop", framework="cdk", runtime="nodejs22.x")
    (directory / "cdk.json").unlink()
    before = projects.snapshot(directory)
    result = store(run_cli, directory, "--no-verify")
    assert result.exit_code == ExitCode.FAILED
    assert "is an AWS CDK project (.momento-lambda.json says so) but has no cdk.json" in result.stderr
    assert "Traceback" not in result.output
    assert projects.snapshot(directory) == before
    assert sm.list_secrets()["SecretList"] == []
