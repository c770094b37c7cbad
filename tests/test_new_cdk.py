"""`new --framework cdk`: which files each CDK combination gets (the template's shared files,
no SAM or Serverless files), what cdk.json and the app say, the next steps, and the commands
that do not read CDK projects yet (doctor, add: a usage error)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.errors import ExitCode, UsageError
from momento_lambda_cli.scaffold.answers import build_answers
from momento_lambda_cli.scaffold.next_steps import next_steps
from tests.support.generated import render

SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:momento/demo/api-key-AbC123"
KMS_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

COMMON = {".gitignore", ".momento-lambda.json", "README.md", "events/event.json", "cdk.json", "package.json"}
TYPESCRIPT_FILES = COMMON | {
    "tsconfig.json",
    "src/handler.ts",
    "src/momentoClient.ts",
    "tests/handler.test.ts",
    "tests/momentoClient.test.ts",
    "tests/fakes.ts",
    "infra/app.ts",
    "infra/momentoStack.ts",
    "infra/momentoStack.test.ts",
}
PYTHON_FILES = COMMON | {
    "requirements.txt",
    "requirements-dev.txt",
    "pytest.ini",
    "src/requirements.txt",
    "src/momento_client.py",
    "src/handler.py",
    "tests/conftest.py",
    "tests/momento_local.py",
    "tests/test_handler.py",
    "tests/test_momento_client.py",
    "infra/app.py",
    "infra/local_bundling.py",
    "infra/momento_stack.py",
    "infra/test_momento_stack.py",
}
OTHER_FRAMEWORKS = {*catalog.SAM.project_files, *catalog.SERVERLESS.project_files}


def files_of(project: Path) -> set[str]:
    return {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}


@pytest.mark.parametrize("arch", catalog.ARCHITECTURE_NAMES)
@pytest.mark.parametrize("runtime", ["nodejs22.x", "nodejs24.x"])
def test_a_node_runtime_gets_a_typescript_cdk_app_and_no_sam_or_serverless_file(tmp_path, runtime, arch):
    project = render(tmp_path, framework="cdk", runtime=runtime, architecture=arch)
    assert files_of(project) == TYPESCRIPT_FILES
    assert json.loads((project / ".momento-lambda.json").read_text())["language"] == "typescript"
    stack = (project / "infra" / "momentoStack.ts").read_text()
    major = runtime.removeprefix("nodejs").removesuffix(".x")
    assert f"runtime: lambda.Runtime.NODEJS_{major}_X," in stack
    assert f"architecture: lambda.Architecture.{'ARM_64' if arch == 'arm64' else 'X86_64'}," in stack
    assert f"target: 'node{major}'," in stack
    # The banner the SAM / Serverless TypeScript projects give esbuild's ES module.
    banner = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"
    assert f'banner: "{banner}"' in stack and "format: nodejs.OutputFormat.ESM" in stack
    package = json.loads((project / "package.json").read_text())
    assert {"aws-cdk", "aws-cdk-lib", "constructs", "esbuild", "tsx", "typescript"} <= set(package["devDependencies"])
    assert set(package["dependencies"]) == {"@gomomento/sdk"}
    assert "infra/*.test.ts" in package["scripts"]["test"]
    assert json.loads((project / "cdk.json").read_text())["app"] == "npx tsx infra/app.ts"
    assert "infra/**/*.ts" in json.loads((project / "tsconfig.json").read_text())["include"]
    assert "cdk.out/" in (project / ".gitignore").read_text().splitlines()


def test_the_typescript_stack_bundles_with_the_banner_sam_uses(tmp_path):
    sam = render(tmp_path / "sam", runtime="nodejs22.x", language="typescript")
    cdk = render(tmp_path / "cdk", framework="cdk", runtime="nodejs22.x")
    banner = next(line for line in (sam / "template.yaml").read_text().splitlines() if "createRequire" in line)
    banner_text = banner.strip().removeprefix('- "js=').removesuffix('"')
    assert f'banner: "{banner_text}"' in (cdk / "infra" / "momentoStack.ts").read_text()


@pytest.mark.parametrize(("runtime", "arch"), [("python3.11", "x86_64"), ("python3.13", "arm64")])
def test_a_python_runtime_gets_a_python_cdk_app_with_local_bundling_for_its_platform(tmp_path, runtime, arch):
    project = render(tmp_path, framework="cdk", runtime=runtime, architecture=arch)
    assert files_of(project) == PYTHON_FILES
    version = runtime.removeprefix("python")
    stack = (project / "infra" / "momento_stack.py").read_text()
    ast.parse(stack)
    for name in ("app.py", "local_bundling.py", "test_momento_stack.py"):
        ast.parse((project / "infra" / name).read_text())
    assert f"RUNTIME = lambda_.Runtime.PYTHON_{version.replace('.', '_')}\n" in stack
    assert f'PYTHON_VERSION = "{version}"\n' in stack
    wheel = catalog.architecture(arch).wheel_platform
    assert f'WHEEL_PLATFORM = "{wheel}"\n' in stack
    assert f"ARCHITECTURE = lambda_.Architecture.{'ARM_64' if arch == 'arm64' else 'X86_64'}\n" in stack
    assert f'platform="linux/{"arm64" if arch == "arm64" else "amd64"}"' in stack
    assert 'handler="handler.lambda_handler"' in stack
    bundler = (project / "infra" / "local_bundling.py").read_text()
    assert "@jsii.implements(cdk.ILocalBundling)" in bundler and '"--only-binary=:all:"' in bundler
    assert '"--implementation", "cp"' in bundler
    assert (project / "requirements.txt").read_text().splitlines()[-2:] == [
        "aws-cdk-lib==2.275.0",
        "constructs>=10.8.1,<11",
    ]
    assert "-r requirements.txt" in (project / "requirements-dev.txt").read_text().splitlines()
    package = json.loads((project / "package.json").read_text())
    assert set(package["devDependencies"]) == {"aws-cdk"} and "dependencies" not in package
    cdk_json = json.loads((project / "cdk.json").read_text())
    assert cdk_json["app"] == "python3 infra/app.py"
    assert cdk_json["context"]["momentoBundling"] == "local"
    assert "cdk.out" in (project / "pytest.ini").read_text()


def test_cdk_json_holds_the_answers_as_context(tmp_path):
    project = render(
        tmp_path,
        "orders",
        framework="cdk",
        runtime="nodejs24.x",
        secret_arn=SECRET_ARN,
        kms_key_arn=KMS_ARN,
        cache_name="orders-cache",
        default_ttl_seconds=300,
        region="eu-west-1",
    )
    assert json.loads((project / "cdk.json").read_text())["context"] == {
        "momentoSecretArn": SECRET_ARN,
        "momentoSecretName": "momento/demo/api-key",
        "momentoCacheName": "orders-cache",
        "momentoDefaultTtlSeconds": 300,
        "momentoKmsKeyArn": KMS_ARN,
        "region": "eu-west-1",
    }
    assert "new MomentoStack(app, 'orders'," in (project / "infra" / "app.ts").read_text()


def test_the_default_cdk_json_context_looks_the_secret_up_by_name(tmp_path):
    context = json.loads((render(tmp_path, framework="cdk", runtime="python3.12") / "cdk.json").read_text())["context"]
    assert context["momentoSecretArn"] == "" and context["momentoSecretName"] == "momento/demo/api-key"
    assert context["momentoKmsKeyArn"] == "" and context["region"] == ""


def test_rate_limit_reaches_the_typescript_stack(tmp_path):
    project = render(tmp_path, framework="cdk", runtime="nodejs24.x", pattern="rate-limit")
    stack = (project / "infra" / "momentoStack.ts").read_text()
    assert "entry: path.join(PROJECT_ROOT, 'src', 'rateLimit.ts')," in stack
    assert "RATE_LIMIT_MAX_REQUESTS: '10'," in stack
    assert {"src/rateLimit.ts", "tests/rateLimit.test.ts"} <= files_of(project)
    assert "src/handler.ts" not in files_of(project)


def test_every_pattern_has_a_cdk_stack():
    assert catalog.CDK_PATTERNS == catalog.PATTERN_NAMES
    assert all(catalog.renders(catalog.CDK.name, name) for name in catalog.PATTERN_NAMES)


def test_a_pattern_without_a_cdk_stack_would_be_a_usage_error(run_cli, tmp_path, monkeypatch):
    """The refusal stays for a pattern added without a CDK stack (catalog.CDK_PATTERNS)."""
    monkeypatch.setattr(catalog, "CDK_PATTERNS", (catalog.CACHE_ASIDE.name,))
    result = run_cli("new", "demo", "--no-input", "-f", "cdk", "--pattern", "rate-limit", "-o", str(tmp_path))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "not available with --framework cdk" in result.stderr and list(tmp_path.iterdir()) == []


def test_rate_limit_and_snapstart_reach_the_python_stack(tmp_path):
    rate = render(tmp_path / "a", framework="cdk", runtime="python3.13", pattern="rate-limit")
    stack = (rate / "infra" / "momento_stack.py").read_text()
    assert 'handler="rate_limit.lambda_handler"' in stack and '"RATE_LIMIT_MAX_REQUESTS": "10"' in stack
    assert "src/rate_limit.py" in files_of(rate) and "src/handler.py" not in files_of(rate)
    assert "snap_start" not in stack
    snap = render(tmp_path / "b", framework="cdk", runtime="python3.12", snapstart=True)
    stack = (snap / "infra" / "momento_stack.py").read_text()
    assert "snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS" in stack
    assert 'alias_name="snapstart"' in stack
    assert "test_snapstart_applies_to_published_versions" in (snap / "infra" / "test_momento_stack.py").read_text()
    assert "tests/test_snapstart.py" in files_of(snap)


def test_cdk_node_projects_are_typescript_and_javascript_is_refused(run_cli, tmp_path):
    result = run_cli(
        "new", "demo", "--no-input", "-f", "cdk", "-r", "nodejs22.x", "-l", "javascript", "-o", str(tmp_path)
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--framework cdk" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
    assert build_answers("demo", framework="cdk", runtime="nodejs22.x").language == "typescript"
    assert build_answers("demo", framework="cdk", runtime="python3.13").language == "python"
    with pytest.raises(UsageError):
        build_answers("demo", framework="cdk", runtime="nodejs24.x", language="javascript")


def test_new_json_reports_the_cdk_project_and_its_next_steps(run_cli, tmp_path):
    result = run_cli("new", "demo", "--json", "-f", "cdk", "-r", "nodejs22.x", "-a", "arm64", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    assert data["answers"]["framework"] == "cdk" and data["answers"]["architecture"] == "arm64"
    assert set(data["files"]) == TYPESCRIPT_FILES
    commands = data["next_steps"]
    assert commands == [
        f"cd {tmp_path / 'demo'}",
        "npm install",
        "npm test",
        "momento-lambda store-token",
        "npx cdk synth",
        "momento-lambda doctor --offline",
        "npx cdk bootstrap",
        "npx cdk deploy",
    ]


def test_next_steps_of_a_python_cdk_project_and_one_with_a_secret_arn():
    python = build_answers("demo", framework="cdk", runtime="python3.13")
    commands = [step.command for step in next_steps(python, "demo")]
    assert commands[1:5] == [
        "python3 -m venv .venv && . .venv/bin/activate",
        "pip install -r requirements-dev.txt",
        "npm install",
        "pytest",
    ]
    assert commands[-4:-1] == ["npx cdk synth", "momento-lambda doctor --offline", "npx cdk bootstrap"]
    assert [c for c in commands if "momento-lambda" in c] == [
        "momento-lambda store-token",
        "momento-lambda doctor --offline",
    ]
    assert commands.index("momento-lambda store-token") < commands.index("npx cdk synth")
    with_arn = build_answers("demo", framework="cdk", runtime="nodejs22.x", secret_arn=SECRET_ARN)
    with_arn_steps = [step.command for step in next_steps(with_arn, "demo")]
    assert with_arn_steps[-1] == "npx cdk deploy"
    assert "momento-lambda store-token" not in with_arn_steps  # the secret exists: its ARN is in cdk.json


# --- the commands that do not read CDK projects yet ----------------------------------------


@pytest.fixture
def cdk_project(tmp_path):
    return render(tmp_path, framework="cdk", runtime="python3.13")


def assert_refused(result, command: str) -> None:
    assert result.exit_code == ExitCode.USAGE, result.output
    assert f"`momento-lambda {command}` does not support AWS CDK projects yet" in result.stderr
    assert "Traceback" not in result.output


def test_doctor_on_a_cdk_project_never_synthesized_says_to_synthesize(run_cli, cdk_project):
    """doctor reads cdk.out and runs no code of the app: without one it says how to make it (exit 2)."""
    result = run_cli("doctor", str(cdk_project), "--offline")
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "cdk.out is missing" in result.stderr and "npx cdk synth" in result.stderr and "--synth" in result.stderr
    assert "Traceback" not in result.output
    result = run_cli("doctor", str(cdk_project), "--offline", "--json")
    assert result.exit_code == ExitCode.USAGE
    assert json.loads(result.stdout)["errors"][0]["code"] == "project.cdk-not-synthesized"


def test_doctor_fix_refuses_a_cdk_project(run_cli, cdk_project):
    assert_refused(run_cli("doctor", str(cdk_project), "--offline", "--fix"), "doctor --fix")
    assert "generated from its code" in run_cli("doctor", str(cdk_project), "--fix", "--dry-run").stderr


def test_add_reads_a_cdk_project_from_its_source(run_cli, cdk_project):
    """`add` plans CDK apps from their stacks' source (tests/test_add_cdk.py): a generated app
    already has Momento, so its stack is left as it is."""
    before = {p: p.read_bytes() for p in (cdk_project / "infra").iterdir()}
    result = run_cli("add", str(cdk_project), "--no-input")
    assert result.exit_code == 0, result.output
    assert {p: p.read_bytes() for p in (cdk_project / "infra").iterdir()} == before


def test_a_cdk_json_without_an_answers_file_is_a_cdk_project(run_cli, tmp_path):
    (tmp_path / "cdk.json").write_text('{"app": "npx ts-node bin/app.ts"}\n')
    assert "cdk.out is missing" in run_cli("doctor", str(tmp_path), "--offline").stderr
    result = run_cli("add", str(tmp_path), "--no-input")  # read as a CDK app: its entry file is missing
    assert result.exit_code == ExitCode.FAILED and "No Lambda function construct found" in result.stderr


def test_a_sam_project_with_a_cdk_json_beside_it_is_still_a_sam_project(tmp_path):
    from momento_lambda_cli.project.answers import detect_framework

    project = render(tmp_path, runtime="python3.13")
    assert not (project / "infra").exists(), "no empty infra/ left behind by the layout rules"
    (project / "cdk.json").write_text("{}\n")
    assert detect_framework(project) == "sam"


# --- the patterns with an event source or two functions ----------------------------------------

PATTERN_FILES = {
    "idempotent-consumer": ({"src/idempotent_consumer.py", "tests/test_idempotent_consumer.py", "events/sqs.json"},
                            {"src/idempotentConsumer.ts", "tests/idempotentConsumer.test.ts", "events/sqs.json"}),
    "topics-publisher": ({"src/publisher.py", "src/webhook.py", "tests/test_publisher.py", "tests/test_webhook.py", "events/event.json"},
                         {"src/publisher.ts", "src/webhook.ts", "tests/publisher.test.ts", "tests/webhook.test.ts", "events/event.json"}),
    "write-through": ({"src/write_through.py", "src/write_through_stream.py", "tests/test_write_through.py", "events/event.json", "events/stream.json"},
                      set()),
}  # fmt: skip
"""Each pattern's own files in a Python and a TypeScript CDK app (besides the shared ones)."""
PYTHON_SHARED = PYTHON_FILES - {"src/handler.py", "tests/test_handler.py", "events/event.json"}
TYPESCRIPT_SHARED = TYPESCRIPT_FILES - {"src/handler.ts", "tests/handler.test.ts", "events/event.json"}


@pytest.mark.parametrize("pattern", list(PATTERN_FILES))
def test_a_python_cdk_pattern_app_has_its_handlers_and_one_stack_that_wires_them(tmp_path, pattern):
    project = render(tmp_path, framework="cdk", runtime="python3.13", architecture="arm64", pattern=pattern)
    assert files_of(project) == PYTHON_SHARED | PATTERN_FILES[pattern][0]
    for name in ("app.py", "momento_stack.py", "local_bundling.py", "test_momento_stack.py"):
        ast.parse((project / "infra" / name).read_text())
    stack = (project / "infra" / "momento_stack.py").read_text()
    assert (
        "ARCHITECTURE = lambda_.Architecture.ARM_64\n" in stack and "RUNTIME = lambda_.Runtime.PYTHON_3_13\n" in stack
    )
    assert stack.count("self.secret.grant_read(") == (2 if pattern != "idempotent-consumer" else 1)
    context = json.loads((project / "cdk.json").read_text())["context"]
    if pattern == "idempotent-consumer":
        assert 'handler="idempotent_consumer.lambda_handler"' in stack and "apigwv2" not in stack
        assert "visibility_timeout=cdk.Duration.seconds(60)" in stack and "max_receive_count=5" in stack
        assert "eventsources.SqsEventSource(self.queue, batch_size=10, report_batch_item_failures=True)" in stack
    elif pattern == "topics-publisher":
        assert 'handler="publisher.lambda_handler"' in stack and 'handler="webhook.lambda_handler"' in stack
        assert 'path="/events"' in stack and "auth_type=lambda_.FunctionUrlAuthType.NONE" in stack
        assert "self.webhook_secret.grant_read(self.webhook_function)" in stack
        assert context["momentoTopicName"] == "events"
        assert context["webhookSecretName"] == "momento/demo/webhook-signing-secret"
    else:
        assert (
            'handler="write_through.lambda_handler"' in stack
            and 'handler="write_through_stream.lambda_handler"' in stack
        )
        for setting in ("stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES", "removal_policy=cdk.RemovalPolicy.RETAIN",
                        "billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST", "point_in_time_recovery_enabled=True",
                        "encryption=dynamodb.TableEncryption.AWS_MANAGED", 'actions=["dynamodb:GetItem"]',
                        "bisect_batch_on_error=True", "retry_attempts=5", "report_batch_item_failures=True"):  # fmt: skip
            assert setting in stack, setting
        assert "code = function_code(settings.bundling)" in stack, "one asset for both functions"
    if pattern != "topics-publisher":
        assert "momentoTopicName" not in context
    assert "MOMENTO_API_KEY" not in stack
    readme = (project / "README.md").read_text()
    assert "the AWS CDK (a Python app in `infra/`)" in readme and "serverless" not in readme.lower()


def test_snapstart_on_the_consumer_puts_the_queue_on_the_alias(tmp_path):
    project = render(tmp_path, framework="cdk", runtime="python3.12", pattern="idempotent-consumer", snapstart=True)
    stack = (project / "infra" / "momento_stack.py").read_text()
    assert "snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS" in stack
    assert "target.add_event_source(eventsources.SqsEventSource(" in stack
    assert "queue invokes the alias" in (project / "infra" / "test_momento_stack.py").read_text()
    assert "tests/test_snapstart.py" in files_of(project)


@pytest.mark.parametrize("pattern", ["idempotent-consumer", "topics-publisher"])
def test_a_typescript_cdk_pattern_app_bundles_each_handler(tmp_path, pattern):
    project = render(tmp_path, framework="cdk", runtime="nodejs24.x", pattern=pattern)
    assert files_of(project) == TYPESCRIPT_SHARED | PATTERN_FILES[pattern][1]
    stack = (project / "infra" / "momentoStack.ts").read_text()
    modules = ["idempotentConsumer"] if pattern == "idempotent-consumer" else ["publisher", "webhook"]
    assert stack.count("new nodejs.NodejsFunction(") == len(modules)
    for module in modules:
        assert f"entry: path.join(PROJECT_ROOT, 'src', '{module}.ts')," in stack
    assert stack.count("runtime: lambda.Runtime.NODEJS_24_X,") == len(modules)
    if pattern == "idempotent-consumer":
        assert "new eventsources.SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true })" in stack
    else:
        assert "addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE })" in stack
        assert "this.webhookSecret.grantRead(this.webhookFunction);" in stack
    assert json.loads((project / "cdk.json").read_text())["app"] == "npx tsx infra/app.ts"


def test_the_typescript_write_through_stack_names_the_node_handlers(tmp_path):
    """Written against src/writeThrough.ts and src/writeThroughStream.ts (export handler): rendered
    here by hand, since `new` offers the pattern for Python runtimes only until those exist."""
    from dataclasses import replace

    from momento_lambda_cli.scaffold.render import render_project

    answers = replace(build_answers("demo", framework="cdk", runtime="nodejs22.x"), pattern="write-through")
    stack = (render_project(answers, tmp_path).project_dir / "infra" / "momentoStack.ts").read_text()
    assert "entry: path.join(PROJECT_ROOT, 'src', 'writeThrough.ts')," in stack
    assert "entry: path.join(PROJECT_ROOT, 'src', 'writeThroughStream.ts')," in stack
    assert "ITEMS_TABLE_NAME: this.table.tableName," in stack
    assert "new eventsources.DynamoEventSource(this.table, {" in stack and "bisectBatchOnError: true," in stack
    assert "actions: ['dynamodb:GetItem'], resources: [this.table.tableArn]" in stack
