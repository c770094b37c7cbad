"""The real AWS CDK on `new --framework cdk` projects: after only what the README installs
(`npm install`; Python: a venv holding `requirements-dev.txt`), `cdk synth` runs with no AWS
account and no Docker; the synthesized template passes cfn-lint, grants the read on exactly the
secret, carries the secret contract's environment and the function's architecture; the Python
asset holds a grpc extension built for the function's CPU and CPython version (local bundling:
pip for Lambda's platform); and the project's own tests (the handler's and the stack's CDK
assertions) pass. npm installs and project venvs are shared across tests (file-locked caches in
the temp folder, tests/support/generated.py); pip's own cache serves the bundling downloads."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.doctor.elf import glibc_need
from tests.support.binaries import extension_platforms
from tests.support.generated import npm_install, project_venv, python_env, render, run_project_tests
from tests.support.tools import require_python, require_tool

pytestmark = pytest.mark.slow

SYNTH_TIMEOUT = 300
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo/api-key-AbC123"
KMS_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
CONTRACT_ENV = {"MOMENTO_SECRET_ARN", "MOMENTO_CACHE_NAME", "MOMENTO_DEFAULT_TTL_SECONDS", "MOMENTO_INIT_CLIENT"}
KNOWN_WARNINGS = {"W3005"}
"""cfn-lint warnings CDK's own output carries: W3005, the DependsOn from the function to its role
that a GetAtt already implies (every NodejsFunction / Function with a generated role)."""


def cdk_env(path_first: Path | None = None) -> dict[str, str]:
    """No AWS credentials (nothing to look up), no version check or notices from the network."""
    env = python_env(
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        CDK_DISABLE_VERSION_CHECK="1",
        CDK_DISABLE_CLI_TELEMETRY="1",
        JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1",
    )
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_ENDPOINT_URL"):
        env.pop(name, None)
    if path_first is not None:
        env["PATH"] = f"{path_first}{os.pathsep}{env['PATH']}"
    return env


def synth(project: Path, *context: str, path_first: Path | None = None) -> dict[str, Any]:
    """`cdk synth` with the project's own aws-cdk CLI (node_modules/.bin); returns the template."""
    cdk = project / "node_modules" / ".bin" / "cdk"
    args = [str(cdk), "synth", "--no-notices", "--quiet", *(f"-c={c}" for c in context)]
    result = subprocess.run(
        args, cwd=project, env=cdk_env(path_first), capture_output=True, text=True, timeout=SYNTH_TIMEOUT, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    template: dict[str, Any] = json.loads((project / "cdk.out" / f"{project.name}.template.json").read_text())
    return template


def assert_cfn_lint_clean(project: Path) -> None:
    from cfnlint.api import ManualArgs, lint

    text = (project / "cdk.out" / f"{project.name}.template.json").read_text()
    matches = lint(text, config=ManualArgs(regions=["us-east-1"]))
    errors = [str(m) for m in matches if m.rule.id.startswith("E")]
    assert errors == []
    assert {m.rule.id for m in matches} <= KNOWN_WARNINGS, [str(m) for m in matches]


CODE_CHECKS = ("code.client-reuse", "code.lambda-config", "code.secret-timeouts", "iam.secret-access", "build.sdk")
"""Checks that must pass with evidence on a generated app (doctor never says "fine" by skipping)."""


def assert_doctor_healthy(run_cli: Any, project: Path, *args: str) -> dict[str, Any]:
    """`doctor --offline` reads the synthesized cloud assembly: nothing fails or errors, and the
    code, grant and SDK checks pass (they read the asset's source and the template)."""
    result = run_cli("doctor", str(project), "--offline", "--json", *args)
    document: dict[str, Any] = json.loads(result.stdout)
    checks = {c["id"]: c for c in document["data"]["checks"]}
    bad = [c for c in checks.values() if c["status"] in ("fail", "error")]
    assert result.exit_code == 0 and not bad, bad
    assert {i: checks[i]["status"] for i in CODE_CHECKS} == dict.fromkeys(CODE_CHECKS, "pass"), checks
    return checks


def resources(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == kind]


RATE_LIMIT_ENV = {"RATE_LIMIT_MAX_REQUESTS", "RATE_LIMIT_WINDOW_SECONDS", "RATE_LIMIT_FAIL"}


def assert_function_and_grant(
    template: dict[str, Any], runtime: str, arch: str, secret_arn: str | None, extra_env: frozenset[str] = frozenset()
) -> Path:
    """The one function's runtime, architecture and environment, and the role's statements: the
    read on exactly the secret (its ARN, or its name with any suffix), kms:Decrypt only with a
    key. Returns the function's asset folder (relative to cdk.out)."""
    (function,) = resources(template, "AWS::Lambda::Function")
    properties = function["Properties"]
    assert properties["Runtime"] == runtime and properties["Architectures"] == [arch]
    assert properties["Timeout"] == 10 and properties["MemorySize"] == 512
    variables = properties["Environment"]["Variables"]
    assert set(variables) == CONTRACT_ENV | extra_env
    assert variables["MOMENTO_SECRET_ARN"] == (secret_arn or "momento/demo/api-key")
    assert variables["MOMENTO_CACHE_NAME"] == "demo" and variables["MOMENTO_DEFAULT_TTL_SECONDS"] == "60"
    (policy,) = resources(template, "AWS::IAM::Policy")
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    read = statements[0]
    assert sorted(read["Action"]) == ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
    assert read["Effect"] == "Allow"
    if secret_arn:
        assert read["Resource"] == secret_arn
        assert statements[1:] == [
            {"Action": "kms:Decrypt", "Effect": "Allow", "Resource": KMS_ARN, "Sid": "DecryptMomentoApiKey"}
        ]
    else:
        joined = read["Resource"]["Fn::Join"][1]
        assert joined[-1] == ":secret:momento/demo/api-key-??????", joined
        assert len(statements) == 1
    (route,) = resources(template, "AWS::ApiGatewayV2::Route")
    assert route["Properties"]["RouteKey"] == "GET /items/{id}"
    return Path(function["Metadata"]["aws:asset:path"])


# --- TypeScript -----------------------------------------------------------------------------


@pytest.mark.parametrize("arch", catalog.ARCHITECTURE_NAMES)
def test_typescript_cdk_app_synthesizes_offline_lints_clean_and_its_tests_pass(tmp_path, arch, run_cli, monkeypatch):
    """NodejsFunction bundles with the project's esbuild (no Docker): one ES module with the
    createRequire banner, @gomomento/sdk inside, @aws-sdk outside. doctor reads the cloud assembly
    (the bundle through its own sources, src/*.ts) and finds the app healthy; after a source
    changes it refuses the stale cdk.out, and `doctor --synth` (x86_64) runs the app's own synth."""
    require_tool("node")
    project = render(tmp_path, framework="cdk", runtime="nodejs22.x", architecture=arch)
    npm_install(project, lock_file=True)
    template = synth(project)
    checks = assert_doctor_healthy(run_cli, project)
    assert "src/momentoClient.ts" in checks["code.client-reuse"]["message"]
    if arch == catalog.X86_64.name:
        handler = project / "src" / "handler.ts"
        handler.write_text(handler.read_text() + "\n")
        stale = run_cli("doctor", str(project), "--offline")
        assert stale.exit_code == 2 and "cdk.out is older than src/handler.ts" in stale.stderr, stale.stderr
        for name, value in cdk_env().items():
            monkeypatch.setenv(name, value)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
            monkeypatch.delenv(name, raising=False)
        assert_doctor_healthy(run_cli, project, "--synth")
    assert_cfn_lint_clean(project)
    asset = project / "cdk.out" / assert_function_and_grant(template, "nodejs22.x", arch, None)
    (function,) = resources(template, "AWS::Lambda::Function")
    assert function["Properties"]["Handler"] == "index.handler"
    assert sorted(p.name for p in asset.iterdir()) == ["index.mjs"]
    bundle = (asset / "index.mjs").read_text()
    assert bundle.startswith("import { createRequire } from 'node:module'; const require = createRequire(")
    assert "@gomomento/sdk" in bundle and not re.search(r"""from ["']@gomomento/sdk["']""", bundle)
    assert re.search(r"""from ["']@aws-sdk/client-secrets-manager["']""", bundle), "left to the Lambda runtime"

    result = subprocess.run(
        ["npm", "test"], cwd=project, env=cdk_env(), capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0 and "# fail 0" in result.stdout, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(r"^ok \d+ - by name, the role may read exactly the secret", result.stdout, re.MULTILINE)
    typecheck = subprocess.run(
        ["npm", "run", "typecheck"],
        cwd=project,
        env=cdk_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert typecheck.returncode == 0, typecheck.stdout[-3000:]  # tsc --noEmit: src/, tests/ and infra/


def test_typescript_cdk_rate_limit_app_with_the_secret_arn_and_a_kms_key_from_the_context(tmp_path):
    """The rate-limit pattern's handler (src/rateLimit.ts) and settings; the grant narrowed to the
    ARN and the KMS key that `store-token`'s wiring wrote into cdk.json's context."""
    from momento_lambda_cli.secrets import wiring

    require_tool("node")
    project = render(tmp_path, framework="cdk", runtime="nodejs24.x", pattern="rate-limit")
    found = wiring.inspect_project(project)
    writes, _ = wiring.plan_writes(
        found, secret_name="momento/demo/api-key", secret_arn=SECRET_ARN, kms_key_arn=KMS_ARN
    )
    wiring.apply_writes(writes)
    npm_install(project, lock_file=True)
    template = synth(project)
    kms = [s for r in resources(template, "AWS::IAM::Policy") for s in r["Properties"]["PolicyDocument"]["Statement"]]
    assert {"Sid": "DecryptMomentoApiKey", "Action": "kms:Decrypt", "Effect": "Allow", "Resource": KMS_ARN} in kms
    assert_cfn_lint_clean(project)
    asset = assert_function_and_grant(template, "nodejs24.x", "x86_64", SECRET_ARN, frozenset(RATE_LIMIT_ENV))
    assert "RATE_LIMIT_FAIL" in (project / "cdk.out" / asset / "index.mjs").read_text()


# --- Python ---------------------------------------------------------------------------------


PYTHON_CASES = [
    (catalog.runtime("python3.12"), catalog.X86_64, {"pattern": "rate-limit", "snapstart": True}),
    (catalog.runtime("python3.13"), catalog.ARM64, {}),
]


@pytest.mark.parametrize(
    ("runtime", "arch", "options"), PYTHON_CASES, ids=["python3.12-x86_64-rate-limit-snapstart", "python3.13-arm64"]
)
def test_python_cdk_app_builds_grpc_for_lambda_without_docker_and_its_tests_pass(
    tmp_path, runtime, arch, options, run_cli
):
    """Local bundling (pip --platform manylinux2014_<cpu> --python-version X.Y --implementation
    cp --only-binary=:all:): the asset holds the code and a grpc extension for the function's CPU
    and CPython ABI (file name, wheel tag, ELF header, glibc floor), whatever this machine is.
    The aarch64 code is not run (no aarch64 CPU or emulator here). The python3.12 case is the
    rate-limit pattern with SnapStart: published versions behind the alias the HTTP API calls."""
    assert runtime is not None
    require_tool("node")
    interpreter = require_python(runtime.version)
    project = render(tmp_path, framework="cdk", runtime=runtime.name, architecture=arch.name, **options)
    python = project_venv(project, interpreter)
    npm_install(project)  # the aws-cdk CLI
    template = synth(project, path_first=python.parent)  # cdk.json runs `python3 infra/app.py`: the venv's
    assert_cfn_lint_clean(project)
    rate_limit = options.get("pattern") == "rate-limit"
    extra_env = frozenset(RATE_LIMIT_ENV if rate_limit else ())
    asset = project / "cdk.out" / assert_function_and_grant(template, runtime.name, arch.name, None, extra_env)
    (function,) = resources(template, "AWS::Lambda::Function")
    handler = "rate_limit" if rate_limit else "handler"
    assert function["Properties"]["Handler"] == f"{handler}.lambda_handler"
    if options.get("snapstart"):
        assert function["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
        alias_id, alias = next((k, r) for k, r in template["Resources"].items() if r["Type"] == "AWS::Lambda::Alias")
        assert alias["Properties"]["Name"] == catalog.SNAPSTART_ALIAS
        (permission,) = resources(template, "AWS::Lambda::Permission")
        assert permission["Properties"]["FunctionName"] == {"Ref": alias_id}
        assert (asset / "snapshot_restore_py.py").is_file()
    else:
        assert "SnapStart" not in function["Properties"] and not resources(template, "AWS::Lambda::Alias")

    assert (asset / f"{handler}.py").is_file() and (asset / "momento_client.py").is_file()
    assert (asset / "momento").is_dir() and not (asset / "boto3").exists()
    assert not list(asset.rglob("*.pyc")), "pip --no-compile, and src/__pycache__ is not copied"
    platforms = extension_platforms(asset)
    abi = "cpython-" + runtime.version.replace(".", "")
    grpc = [name for name in platforms if name.startswith("grpc/_cython/cygrpc.")]
    assert grpc == [f"grpc/_cython/cygrpc.{abi}-{arch.cpu}-linux-gnu.so"], grpc
    assert set(platforms.values()) == {arch.cpu}, platforms
    (wheel,) = asset.glob("grpcio-*.dist-info/WHEEL")
    python_tag = "cp" + runtime.version.replace(".", "")
    tags = [line.removeprefix("Tag: ") for line in wheel.read_text().splitlines() if line.startswith("Tag: ")]
    assert tags and all(re.fullmatch(rf"{python_tag}-{python_tag}-manylinux\w*_{arch.cpu}", t) for t in tags), tags
    with (asset / grpc[0]).open("rb") as stream:
        need = glibc_need(stream)
    assert need is not None and need.version <= runtime.glibc, need

    checks = assert_doctor_healthy(run_cli, project)  # the asset's copied source, its grpc build
    assert checks["build.binaries"]["status"] == "pass" and checks["build.glibc"]["status"] == "pass"
    if options.get("snapstart"):
        assert checks["code.snapstart-hooks"]["status"] == "pass"

    run_project_tests(project, python)  # tests/ and infra/test_momento_stack.py; never cdk.out/


# --- the patterns with more than one function or an event source ----------------------------

SECRET_READ = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]
STREAM_READ = {"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"}
PATTERN_ENV = {
    catalog.IDEMPOTENT_CONSUMER.name: {
        "MomentoFunction": {"IDEMPOTENCY_KEY_FIELD", "IDEMPOTENCY_TTL_SECONDS", "IDEMPOTENCY_DONE_TTL_SECONDS"}
    },
    catalog.TOPICS_PUBLISHER.name: {
        "MomentoFunction": {"MOMENTO_TOPIC_NAME"},
        "WebhookFunction": {"MOMENTO_WEBHOOK_SECRET_NAME", "WEBHOOK_MAX_AGE_SECONDS"},
    },
    catalog.WRITE_THROUGH.name: {"MomentoFunction": {"ITEMS_TABLE_NAME"}, "StreamFunction": set()},
}
"""Each pattern's functions (logical id prefix) and the variables each has beyond the secret contract's."""


def by_prefix(template: dict[str, Any], kind: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """The resources of ``kind`` by the construct id their logical id starts with (MomentoFunction...)."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == kind:
            prefix = re.sub(r"(ServiceRole)?(DefaultPolicy)?[0-9A-F]{8}$", "", logical_id)
            found[prefix] = (logical_id, resource)
    return found


def assert_pattern_stack(
    template: dict[str, Any], pattern: str, runtime: str, arch: str, secret_arn: str | None
) -> None:
    """Every function's runtime, architecture and environment (the secret contract plus its pattern's
    settings, never the key); each role's statements: the read on exactly the Momento secret (its ARN,
    or its name with any suffix), kms:Decrypt only with a key, then only what its function's job
    needs, on exactly that resource (the queue; the webhook's signing secret; GetItem on the table;
    the table's stream); and the event sources with the SAM template's settings."""
    functions = by_prefix(template, "AWS::Lambda::Function")
    assert set(functions) == set(PATTERN_ENV[pattern]), sorted(functions)
    for name, (_, function) in functions.items():
        properties = function["Properties"]
        assert properties["Runtime"] == runtime and properties["Architectures"] == [arch], name
        assert properties["Timeout"] == 10 and properties["MemorySize"] == 512
        variables = properties["Environment"]["Variables"]
        assert set(variables) == CONTRACT_ENV | PATTERN_ENV[pattern][name], (name, variables)
        assert variables["MOMENTO_SECRET_ARN"] == (secret_arn or "momento/demo/api-key")
        assert "MOMENTO_API_KEY" not in json.dumps(variables)
    policies = by_prefix(template, "AWS::IAM::Policy")
    assert set(policies) == set(functions), sorted(policies)
    own: dict[str, list[dict[str, Any]]] = {}
    for name, (_, policy) in policies.items():
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        read = statements[0]
        assert sorted(read["Action"]) == SECRET_READ and read["Effect"] == "Allow", name
        if secret_arn:
            assert read["Resource"] == secret_arn
            assert statements[1] == {
                "Action": "kms:Decrypt", "Effect": "Allow", "Resource": KMS_ARN, "Sid": "DecryptMomentoApiKey"
            }  # fmt: skip
            own[name] = statements[2:]
        else:
            assert read["Resource"]["Fn::Join"][1][-1] == ":secret:momento/demo/api-key-??????"
            own[name] = statements[1:]
    assert "kms:Decrypt" not in json.dumps(own), "kms:Decrypt only on the configured key, after the read"
    mappings = resources(template, "AWS::Lambda::EventSourceMapping")
    routes = [r["Properties"]["RouteKey"] for r in resources(template, "AWS::ApiGatewayV2::Route")]
    if pattern == catalog.IDEMPOTENT_CONSUMER.name:
        queues = by_prefix(template, "AWS::SQS::Queue")
        queue_id, queue = queues["MessageQueue"]
        dlq_id, dlq = queues["MessageDeadLetterQueue"]
        assert queue["Properties"]["VisibilityTimeout"] == 60 and dlq["Properties"]["MessageRetentionPeriod"] == 1209600
        assert queue["Properties"]["RedrivePolicy"] == {
            "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]}, "maxReceiveCount": 5
        }  # fmt: skip
        assert queue["Properties"]["SqsManagedSseEnabled"] and dlq["Properties"]["SqsManagedSseEnabled"]
        ((statement,),) = own.values()
        assert statement["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]}
        assert {a.split(":")[0] for a in statement["Action"]} == {"sqs"}
        (mapping,) = mappings
        assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
        assert mapping["Properties"]["BatchSize"] == 10
        assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert routes == []
    elif pattern == catalog.TOPICS_PUBLISHER.name:
        assert own["MomentoFunction"] == []
        (signing,) = own["WebhookFunction"]
        assert sorted(signing["Action"]) == SECRET_READ
        assert signing["Resource"]["Fn::Join"][1][-1] == ":secret:momento/demo/webhook-signing-secret-??????"
        assert functions["WebhookFunction"][1]["Properties"]["Environment"]["Variables"][
            "MOMENTO_WEBHOOK_SECRET_NAME"
        ] == "momento/demo/webhook-signing-secret"  # fmt: skip
        (url,) = resources(template, "AWS::Lambda::Url")
        assert url["Properties"]["AuthType"] == "NONE"
        assert url["Properties"]["TargetFunctionArn"] == {"Fn::GetAtt": [functions["WebhookFunction"][0], "Arn"]}
        assert routes == ["POST /events"] and mappings == []
    else:
        tables = by_prefix(template, "AWS::DynamoDB::Table")
        table_id, table = tables["ItemsTable"]
        assert table["DeletionPolicy"] == "Retain" and table["UpdateReplacePolicy"] == "Retain"
        assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
        assert table["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
        assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert table["Properties"]["SSESpecification"] == {"SSEEnabled": True}
        assert own["MomentoFunction"] == [
            {"Action": "dynamodb:GetItem", "Effect": "Allow", "Resource": {"Fn::GetAtt": [table_id, "Arn"]}, "Sid": "ReadItems"}
        ]  # fmt: skip
        stream = own["StreamFunction"]
        assert {"Action": "dynamodb:ListStreams", "Effect": "Allow", "Resource": "*"} in stream
        (reads,) = [s for s in stream if s["Action"] != "dynamodb:ListStreams"]
        assert set(reads["Action"]) == STREAM_READ and reads["Resource"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
        (mapping,) = mappings
        properties = mapping["Properties"]
        assert properties["EventSourceArn"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
        assert properties["FunctionName"] == {"Ref": functions["StreamFunction"][0]}
        assert properties["StartingPosition"] == "LATEST" and properties["BatchSize"] == 100
        assert properties["MaximumRetryAttempts"] == 5 and properties["BisectBatchOnFunctionError"] is True
        assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert properties.get("MaximumBatchingWindowInSeconds", 0) == 0
        assert routes == ["GET /items/{id}"]


NODE_PATTERN_CASES = [
    pytest.param(
        catalog.IDEMPOTENT_CONSUMER.name, "nodejs24.x", "arm64", None, id="idempotent-consumer-nodejs24.x-arm64"
    ),
    pytest.param(
        catalog.TOPICS_PUBLISHER.name, "nodejs22.x", "x86_64", SECRET_ARN, id="topics-publisher-nodejs22.x-arn-kms"
    ),
    pytest.param(catalog.WRITE_THROUGH.name, "nodejs22.x", "x86_64", None, id="write-through-nodejs22.x"),
]
NODE_HANDLERS = {
    catalog.IDEMPOTENT_CONSUMER.name: ["idempotentConsumer"],
    catalog.TOPICS_PUBLISHER.name: ["publisher", "webhook"],
    catalog.WRITE_THROUGH.name: ["writeThrough", "writeThroughStream"],
}


@pytest.mark.parametrize(("pattern", "runtime", "arch", "secret_arn"), NODE_PATTERN_CASES)
def test_typescript_cdk_pattern_app_synthesizes_offline_lints_clean_and_its_tests_pass(
    tmp_path, pattern, runtime, arch, secret_arn, run_cli
):
    """The same npm install as the cache-aside app (package.json does not depend on the pattern);
    each function bundled by esbuild into its own asset; doctor reads the app healthy (every
    function's own source, through its bundle)."""
    require_tool("node")
    project = render(tmp_path, framework="cdk", runtime=runtime, architecture=arch, pattern=pattern)
    npm_install(project, lock_file=True)
    context = (f"momentoSecretArn={secret_arn}", f"momentoKmsKeyArn={KMS_ARN}") if secret_arn else ()
    template = synth(project, *context)
    assert_cfn_lint_clean(project)
    assert_pattern_stack(template, pattern, runtime, arch, secret_arn)
    functions = resources(template, "AWS::Lambda::Function")
    assert len(functions) == len(NODE_HANDLERS[pattern])
    for function in functions:  # one ES module per function: the banner, @gomomento/sdk inside
        assert function["Properties"]["Handler"] == "index.handler"
        asset = project / "cdk.out" / function["Metadata"]["aws:asset:path"]
        assert sorted(p.name for p in asset.iterdir()) == ["index.mjs"]
        bundle = (asset / "index.mjs").read_text()
        assert bundle.startswith("import { createRequire } from 'node:module';")
        assert not re.search(r"""from ["']@gomomento/sdk["']""", bundle)
    assert_doctor_healthy(run_cli, project)
    result = subprocess.run(
        ["npm", "test"], cwd=project, env=cdk_env(), capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0 and "# fail 0" in result.stdout, result.stdout[-3000:] + result.stderr[-2000:]
    typecheck = subprocess.run(
        ["npm", "run", "typecheck"], cwd=project, env=cdk_env(), capture_output=True, text=True, timeout=300, check=False
    )  # fmt: skip
    assert typecheck.returncode == 0, typecheck.stdout[-3000:]


PYTHON_PATTERN_CASES = [
    # The venvs of the Python cases above: 3.12 with SnapStart's snapshot-restore-py, 3.13 without.
    pytest.param(catalog.IDEMPOTENT_CONSUMER.name, "python3.12", "x86_64", None, {"snapstart": True}, id="idempotent-consumer-python3.12-snapstart"),
    pytest.param(catalog.TOPICS_PUBLISHER.name, "python3.13", "arm64", SECRET_ARN, {}, id="topics-publisher-python3.13-arm64-arn-kms"),
    pytest.param(catalog.WRITE_THROUGH.name, "python3.13", "x86_64", None, {}, id="write-through-python3.13"),
]  # fmt: skip


@pytest.mark.parametrize(("pattern", "runtime_name", "arch", "secret_arn", "options"), PYTHON_PATTERN_CASES)
def test_python_cdk_pattern_app_synthesizes_offline_lints_clean_and_its_tests_pass(
    tmp_path, pattern, runtime_name, arch, secret_arn, options, run_cli
):
    """Both functions of a two-function pattern share one asset (one local pip bundling); with
    SnapStart the queue's event source mapping invokes the alias. The stack's tests (infra/) need
    the CDK app's requirements, which are every pattern's: they run in the cache-aside app's venv
    (the Python cases above made it; write-through's own adds only moto, for tests/). The
    function's tests (tests/, the same files as the SAM project's) run in the integration tier
    (tests/test_pattern_*.py, `project_test_paths`) and on every runtime's Python with SAM."""
    require_tool("node")
    runtime = catalog.runtime(runtime_name)
    assert runtime is not None
    interpreter = require_python(runtime.version)
    project = render(tmp_path, framework="cdk", runtime=runtime_name, architecture=arch, pattern=pattern, **options)
    python = project_venv(render(tmp_path / "venv", framework="cdk", runtime=runtime_name, **options), interpreter)
    npm_install(project)  # the aws-cdk CLI
    context = (f"momentoSecretArn={secret_arn}", f"momentoKmsKeyArn={KMS_ARN}") if secret_arn else ()
    template = synth(project, *context, path_first=python.parent)
    assert_cfn_lint_clean(project)
    assert_pattern_stack(template, pattern, runtime_name, arch, secret_arn)
    functions = resources(template, "AWS::Lambda::Function")
    assets = {f["Metadata"]["aws:asset:path"] for f in functions}
    assert len(assets) == 1, assets
    asset = project / "cdk.out" / assets.pop()
    for function in functions:
        module = function["Properties"]["Handler"].removesuffix(".lambda_handler")
        assert (asset / f"{module}.py").is_file(), module
    cpu = {a.name: a.cpu for a in catalog.ARCHITECTURES}[arch]
    grpc = [name for name in extension_platforms(asset) if name.startswith("grpc/_cython/cygrpc.")]
    assert grpc == [f"grpc/_cython/cygrpc.cpython-{runtime.version.replace('.', '')}-{cpu}-linux-gnu.so"], grpc
    if options.get("snapstart"):
        (main,) = [f for f in functions if "SnapStart" in f["Properties"]]
        assert main["Properties"]["Handler"] == f"{pattern.replace('-', '_')}.lambda_handler"
        assert main["Properties"]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
        alias_id = next(k for k, r in template["Resources"].items() if r["Type"] == "AWS::Lambda::Alias")
        (mapping,) = resources(template, "AWS::Lambda::EventSourceMapping")
        assert alias_id in json.dumps(mapping["Properties"]["FunctionName"]), "the queue invokes the alias"
    assert_doctor_healthy(run_cli, project)  # both functions: the asset's source, its grpc build
    result = run_project_tests(project, python, ("infra",))
    assert re.search(r"^\d+ passed", result.stdout, re.MULTILINE), result.stdout
