"""`add` on CDK apps written without Momento, then `cdk synth` offline: the edited stacks still
synthesize, every function gets the contract's environment and a read grant on exactly the
secret, and NodejsFunction's esbuild bundles @gomomento/sdk (not external).

Two synths in all: a TypeScript app and a Python app, each made from a `new -f cdk` project with
its Momento stack replaced by a plain one (so the shared npm / venv installs are reused)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.generated import npm_install, project_venv, render
from tests.support.tools import require_python, require_tool
from tests.test_generated_cdk import resources, synth

pytestmark = pytest.mark.slow

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo/api-key-AbC123"

TS_APP = """\
import * as cdk from 'aws-cdk-lib';
import { UserStack } from './userStack.ts';

const app = new cdk.App();
new UserStack(app, 'demo');
"""

TS_STACK = """\
import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';

export class UserStack extends cdk.Stack {
  readonly plain: lambda.Function;

  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    new NodejsFunction(this, 'Bundled', {
      entry: 'lambda/user.ts',
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      timeout: cdk.Duration.seconds(10)
    });

    this.plain = new lambda.Function(this, 'Plain', {
      runtime: lambda.Runtime.NODEJS_22_X,
      code: lambda.Code.fromAsset('plain'),
      handler: 'index.handler',
      environment: { STAGE: 'test' },
    });
  }
}
"""

PY_APP = """\
import aws_cdk as cdk
from user_stack import UserStack

app = cdk.App()
UserStack(app, "demo")
app.synth()
"""

PY_STACK = """\
from aws_cdk import Duration, Stack
from aws_cdk import aws_lambda as lambda_
from constructs import Construct


class UserStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)

        lambda_.Function(
            self,
            "Api",
            runtime=lambda_.Runtime.PYTHON_3_13,
            code=lambda_.Code.from_asset("lambda_fn"),
            handler="app.handler",
            timeout=Duration.seconds(10),
        )

        self.worker = lambda_.Function(self, "Worker", runtime=lambda_.Runtime.PYTHON_3_13,
                                       code=lambda_.Code.from_asset("lambda_fn"), handler="app.handler",
                                       environment={"MODE": "batch"})
"""


def assert_momento(template: dict[str, Any], secret: str | None, extra: dict[str, str]) -> None:
    """Each function: the contract's environment (and its own kept), and a policy whose only
    statement is the read of exactly the secret (the ARN, or the name with any suffix)."""
    functions = resources(template, "AWS::Lambda::Function")
    assert len(functions) == 2
    policies = resources(template, "AWS::IAM::Policy")
    assert len(policies) == 2
    for function in functions:
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["MOMENTO_SECRET_ARN"] == (secret or "momento/demo/api-key")
        assert variables["MOMENTO_CACHE_NAME"] == "demo" and variables["MOMENTO_DEFAULT_TTL_SECONDS"] == "60"
        assert {k: v for k, v in variables.items() if not k.startswith("MOMENTO_")} in ({}, extra)
    for policy in policies:
        (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
        assert sorted(statement["Action"]) == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
        if secret:
            assert statement["Resource"] == secret
        else:
            assert statement["Resource"]["Fn::Join"][1][-1] == ":secret:momento/demo/api-key-??????"


def add(run_cli, project: Path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    result = run_cli("add", str(project), "--json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)["data"]
    assert data["manual"] == [] and sorted(data["functions"]) == sorted(data["imports"])
    return data


def test_add_then_synth_a_typescript_cdk_app(tmp_path, run_cli):
    require_tool("node")
    project = render(tmp_path, framework="cdk", runtime="nodejs22.x")
    npm_install(project, lock_file=True)  # the same package.json as the generated app's tests: one install
    (project / "infra" / "app.ts").write_text(TS_APP)
    (project / "infra" / "userStack.ts").write_text(TS_STACK)
    (project / "lambda").mkdir()
    (project / "lambda" / "user.ts").write_text("export const handler = async () => ({ statusCode: 200 });\n")
    (project / "plain").mkdir()
    (project / "plain" / "index.mjs").write_text("export const handler = async () => ({ statusCode: 200 });\n")
    data = add(run_cli, project)
    assert sorted(data["functions"]) == ["Bundled", "Plain"]
    # the user's handler uses the client the way `add` prints it
    (project / "lambda" / "user.ts").write_text(
        data["imports"]["Bundled"] + "\n\nexport const handler = async () => {\n"
        "  const response = await callMomento((client) => client.get(cacheName(), 'k'));\n"
        "  return { statusCode: 200, body: String(response) };\n};\n"
    )
    template = synth(project)
    assert_momento(template, None, {"STAGE": "test"})
    bundled = next(
        f for f in resources(template, "AWS::Lambda::Function") if "Bundled" in f["Metadata"]["aws:cdk:path"]
    )
    asset = project / "cdk.out" / bundled["Metadata"]["aws:asset:path"]
    bundle = (asset / "index.js").read_text()
    assert "CacheClient" in bundle and not re.search(r"""require\(["']@gomomento/sdk["']\)""", bundle), "bundled"
    assert re.search(r"""require\(["']@aws-sdk/client-secrets-manager["']\)""", bundle), "left to the runtime"


def test_add_then_synth_a_python_cdk_app(tmp_path, run_cli):
    require_tool("node")
    interpreter = require_python("3.13")
    project = render(tmp_path, framework="cdk", runtime="python3.13")
    python = project_venv(project, interpreter)  # the generated app's venv: aws-cdk-lib
    npm_install(project)  # the aws-cdk CLI
    (project / "infra" / "app.py").write_text(PY_APP)
    (project / "infra" / "user_stack.py").write_text(PY_STACK)
    (project / "lambda_fn").mkdir()
    (project / "lambda_fn" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    data = add(run_cli, project)
    assert sorted(data["functions"]) == ["Api", "Worker"]
    assert (project / "lambda_fn" / "momento_client.py").is_file()
    assert "momento==" in (project / "lambda_fn" / "requirements.txt").read_text()
    template = synth(project, f"momentoSecretArn={SECRET_ARN}", path_first=python.parent)
    assert_momento(template, SECRET_ARN, {"MODE": "batch"})
