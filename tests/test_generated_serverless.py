"""`serverless package` (osls, offline, fake credentials) on generated projects: the compiled
CloudFormation grants GetSecretValue on the secret, and for Python the stand-in `docker`
shows the build image matches the runtime and the architecture."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from momento_lambda_cli import catalog
from tests.support import fake_docker
from tests.support.binaries import extension_platforms
from tests.support.generated import npm_install, project_venv, render
from tests.support.tools import require_python, require_tool

pytestmark = pytest.mark.slow
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo/api-key-AbC123"


def osls_env(tmp_path: Path, home: Path | None = None) -> dict[str, str]:
    """Offline osls: fake credentials, the stand-in docker first on PATH, its own HOME."""
    bin_dir = tmp_path / "bin"
    fake_docker.install(bin_dir, tmp_path / "docker-argv.jsonl")
    if home is None:
        home = tmp_path / "home"  # no requirements cache from earlier runs
    home.mkdir(exist_ok=True)
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "SLS_TELEMETRY_DISABLED": "1",
        "SLS_NOTIFICATIONS_MODE": "off",
        "SERVERLESS_PLATFORM_STAGE": "dev",
    }


def package(project: Path, tmp_path: Path, home: Path | None = None) -> tuple[dict, list[list[str]]]:
    osls = require_tool("osls")
    log = tmp_path / "docker-argv.jsonl"
    env = osls_env(tmp_path, home)
    result = subprocess.run(
        [str(osls), "package"], cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    template = json.loads((project / ".serverless" / "cloudformation-template-update-stack.json").read_text())
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return template, calls


def secret_statement(template: dict) -> dict:
    role = template["Resources"]["IamRoleLambdaExecution"]["Properties"]
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    (statement,) = [s for s in statements if s.get("Sid") == "ReadMomentoApiKey"]
    return statement


def function(template: dict) -> dict:
    (resource,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    return resource["Properties"]


@pytest.mark.parametrize(
    ("runtime", "arch", "machine"), [("python3.13", "arm64", "aarch64"), ("python3.12", "x86_64", "x86_64")]
)
def test_python_project_packages_with_the_matching_build_image(tmp_path, runtime, arch, machine):
    project = render(tmp_path, framework="serverless", runtime=runtime, architecture=arch, secret_arn=SECRET_ARN)
    # Plugins must be in the service's own node_modules (what `npm install` would give).
    (project / "node_modules").symlink_to(require_tool("node-tools"), target_is_directory=True)
    template, calls = package(project, tmp_path)

    runs = [argv for argv in calls if argv and argv[0] == "run"]
    assert len(runs) == 1, calls
    assert f"public.ecr.aws/sam/build-{runtime}:latest-{arch}" in runs[0]

    statement = secret_statement(template)
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == ["secretsmanager:GetSecretValue"]
    condition, by_arn, _ = statement["Resource"]["Fn::If"]
    assert by_arn == SECRET_ARN
    assert template["Conditions"][condition] == {"Fn::Not": [{"Fn::Equals": [SECRET_ARN, ""]}]}
    assert template["Conditions"]["HasMomentoKmsKey"] == {"Fn::Not": [{"Fn::Equals": ["", ""]}]}
    assert template["Resources"]["MomentoKmsDecryptPolicy"]["Condition"] == "HasMomentoKmsKey"

    properties = function(template)
    assert properties["Runtime"] == runtime and properties["Architectures"] == [arch]
    assert properties["Handler"] == "src/handler.lambda_handler"
    variables = properties["Environment"]["Variables"]
    assert variables["MOMENTO_CACHE_NAME"] == "demo"
    assert variables["MOMENTO_SECRET_ARN"] == SECRET_ARN
    assert variables["MOMENTO_SECRET_NAME"] == "momento/demo/api-key"
    artifact = extract(project, properties, tmp_path / "artifact")
    assert (artifact / "src" / "handler.py").is_file() and (artifact / "src" / "momento_client.py").is_file()
    assert not (artifact / "node_modules").exists() and not (artifact / "tests").exists()
    assert cygrpc(artifact) == [cygrpc_name(runtime, machine)]
    assert set(extension_platforms(artifact).values()) == {machine}


def test_rate_limit_project_packages_its_handler_and_settings(tmp_path):
    project = render(
        tmp_path, framework="serverless", runtime="python3.12", pattern="rate-limit", secret_arn=SECRET_ARN
    )
    (project / "node_modules").symlink_to(require_tool("node-tools"), target_is_directory=True)
    template, _calls = package(project, tmp_path)
    properties = function(template)
    assert properties["Handler"] == "src/rate_limit.lambda_handler"
    variables = properties["Environment"]["Variables"]
    assert (variables["RATE_LIMIT_MAX_REQUESTS"], variables["RATE_LIMIT_FAIL"]) == ("10", "open")
    assert secret_statement(template)["Action"] == ["secretsmanager:GetSecretValue"]
    artifact = extract(project, properties, tmp_path / "artifact")
    assert (artifact / "src" / "rate_limit.py").is_file() and (artifact / "src" / "momento_client.py").is_file()
    assert not (artifact / "src" / "handler.py").exists() and not (artifact / "tests").exists()


def test_idempotent_consumer_project_packages_its_handler_queue_and_event_source_mapping(tmp_path):
    project = render(
        tmp_path, framework="serverless", runtime="python3.13", pattern="idempotent-consumer", secret_arn=SECRET_ARN
    )
    (project / "node_modules").symlink_to(require_tool("node-tools"), target_is_directory=True)
    template, _calls = package(project, tmp_path)
    properties = function(template)
    assert properties["Handler"] == "src/idempotent_consumer.lambda_handler"
    variables = properties["Environment"]["Variables"]
    assert (variables["IDEMPOTENCY_TTL_SECONDS"], variables["IDEMPOTENCY_KEY_FIELD"]) == ("90", "")
    resources = template["Resources"]
    (mapping,) = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": ["MessageQueue", "Arn"]}
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"] and mapping["BatchSize"] == 10
    queue = resources["MessageQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * properties["Timeout"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    # The framework grants the poller's SQS actions on the queue; the secret grant is unchanged.
    policy = next(r for r in resources.values() if r["Type"] == "AWS::IAM::Role")["Properties"]["Policies"][0]
    actions = {
        a
        for s in policy["PolicyDocument"]["Statement"]
        for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
    }
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"} <= actions
    assert secret_statement(template)["Action"] == ["secretsmanager:GetSecretValue"]
    artifact = extract(project, properties, tmp_path / "artifact")
    assert (artifact / "src" / "idempotent_consumer.py").is_file() and (
        artifact / "src" / "momento_client.py"
    ).is_file()
    assert not (artifact / "src" / "handler.py").exists() and not (artifact / "tests").exists()
    assert not (artifact / "events").exists()


def test_idempotent_consumer_with_snapstart_polls_into_the_alias(tmp_path):
    """With `snapStart: true` the queue's event source mapping invokes the alias (SnapStart applies
    to published versions only), as the HTTP API does for the HTTP patterns."""
    project = render(
        tmp_path, framework="serverless", runtime="python3.13", pattern="idempotent-consumer", snapstart=True
    )
    (project / "node_modules").symlink_to(require_tool("node-tools"), target_is_directory=True)
    template, _calls = package(project, tmp_path)
    resources = template["Resources"]
    [function_id] = [k for k, r in resources.items() if r["Type"] == "AWS::Lambda::Function"]
    [mapping] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    alias_arn = {"Fn::Join": [":", [{"Fn::GetAtt": [function_id, "Arn"]}, catalog.SNAPSTART_ALIAS]]}
    assert mapping["FunctionName"] == alias_arn


def test_topics_project_packages_both_functions_and_the_webhook_url(tmp_path):
    project = render(
        tmp_path, framework="serverless", runtime="python3.12", pattern="topics-publisher", secret_arn=SECRET_ARN
    )
    (project / "node_modules").symlink_to(require_tool("node-tools"), target_is_directory=True)
    template, _calls = package(project, tmp_path)
    resources = template["Resources"]
    functions = {k: v["Properties"] for k, v in resources.items() if v["Type"] == "AWS::Lambda::Function"}
    handlers = sorted(p["Handler"] for p in functions.values())
    assert handlers == ["src/publisher.lambda_handler", "src/webhook.lambda_handler"]
    (url,) = [v["Properties"] for v in resources.values() if v["Type"] == "AWS::Lambda::Url"]
    assert url["AuthType"] == "NONE"
    hook = next(p for p in functions.values() if p["Handler"] == "src/webhook.lambda_handler")
    assert hook["Environment"]["Variables"]["MOMENTO_WEBHOOK_SECRET_NAME"] == "momento/demo/webhook-signing-secret"
    artifact = extract(project, hook, tmp_path / "artifact")
    assert (artifact / "src" / "webhook.py").is_file() and (artifact / "src" / "momento_client.py").is_file()
    assert not (artifact / "tests").exists()


def extract(project: Path, properties: dict, folder: Path) -> Path:
    key = properties["Code"]["S3Key"].rsplit("/", 1)[-1]
    zipfile.ZipFile(project / ".serverless" / key).extractall(folder)
    return folder


def cygrpc(artifact: Path) -> list[str]:
    return [p for p in extension_platforms(artifact) if p.startswith("grpc/_cython/cygrpc.")]


def cygrpc_name(runtime: str, machine: str) -> str:
    return f"grpc/_cython/cygrpc.cpython-{runtime[6:].replace('.', '')}-{machine}-linux-gnu.so"


def test_python_snapstart_project_packages_snapstart_a_version_and_the_alias_the_api_calls(tmp_path):
    """`snapStart: true`: osls compiles SnapStart on the function, a published version, the alias
    the catalog names in front of it, and the HTTP API integration calls that alias; the zip
    carries snapshot_restore_py (the hooks' library)."""
    project = render(tmp_path, framework="serverless", runtime="python3.13", snapstart=True)
    (project / "node_modules").symlink_to(require_tool("node-tools"), target_is_directory=True)
    template, _ = package(project, tmp_path)
    resources = template["Resources"]
    properties = function(template)
    assert properties["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    [(function_id, _)] = [(k, r) for k, r in resources.items() if r["Type"] == "AWS::Lambda::Function"]
    [(version_id, version)] = [(k, r) for k, r in resources.items() if r["Type"] == "AWS::Lambda::Version"]
    [alias] = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Alias"]
    assert version["Properties"]["FunctionName"] == {"Ref": function_id}
    assert alias["Properties"]["Name"] == catalog.SNAPSTART_ALIAS
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    [integration] = [r for r in resources.values() if r["Type"] == "AWS::ApiGatewayV2::Integration"]
    alias_arn = {"Fn::Join": [":", [{"Fn::GetAtt": [function_id, "Arn"]}, catalog.SNAPSTART_ALIAS]]}
    assert integration["Properties"]["IntegrationUri"] == alias_arn
    artifact = extract(project, properties, tmp_path / "artifact")
    assert (artifact / "snapshot_restore_py.py").is_file()


def test_two_python_runtimes_in_a_row_with_one_home_each_get_their_own_grpc(tmp_path):
    """The requirements cache must not hand one runtime's compiled grpcio to another (every
    generated project has the same requirements.txt)."""
    home = tmp_path / "shared-home"
    for runtime in ("python3.11", "python3.13"):
        work = tmp_path / runtime
        project = render(work, framework="serverless", runtime=runtime)
        (project / "node_modules").symlink_to(require_tool("node-tools"), target_is_directory=True)
        template, _ = package(project, work, home=home)
        artifact = extract(project, function(template), work / "artifact")
        assert cygrpc(artifact) == [cygrpc_name(runtime, "x86_64")], runtime


def test_python_project_without_arn_grants_the_secret_name(tmp_path):
    project = render(tmp_path, framework="serverless", runtime="python3.11")
    (project / "node_modules").symlink_to(require_tool("node-tools"), target_is_directory=True)
    template, _ = package(project, tmp_path)
    condition, _, by_name = secret_statement(template)["Resource"]["Fn::If"]
    assert template["Conditions"][condition] == {"Fn::Not": [{"Fn::Equals": ["", ""]}]}
    assert by_name["Fn::Join"][1][-1] == "momento/demo/api-key-??????"
    variables = function(template)["Environment"]["Variables"]
    assert variables["MOMENTO_SECRET_ARN"] == ""
    assert variables["MOMENTO_SECRET_NAME"] == "momento/demo/api-key"
    # `serverless invoke local` takes only plain values, Ref and Fn::ImportValue here.
    assert all(isinstance(value, str) for value in variables.values()), variables


def test_node_project_packages_its_code_and_the_sdk(tmp_path):
    project = render(
        tmp_path, framework="serverless", runtime="nodejs22.x", architecture="arm64", secret_arn=SECRET_ARN
    )
    npm_install(project)
    template, calls = package(project, tmp_path)
    assert calls == []  # Node.js needs no build image
    statement = secret_statement(template)
    assert statement["Action"] == ["secretsmanager:GetSecretValue"]
    assert statement["Resource"]["Fn::If"][1] == SECRET_ARN
    properties = function(template)
    assert properties["Handler"] == "src/handler.handler"
    assert properties["Runtime"] == "nodejs22.x" and properties["Architectures"] == ["arm64"]
    names = zipfile.ZipFile(project / ".serverless" / "demo.zip").namelist()
    assert "src/handler.mjs" in names and "src/momentoClient.mjs" in names
    assert "node_modules/@gomomento/sdk/package.json" in names
    assert not [
        n for n in names if n.startswith(("tests/", "events/", "node_modules/@aws-sdk/client-secrets-manager/"))
    ]


def invoke_local(project: Path, tmp_path: Path, **extra: str) -> tuple[dict, str]:
    """``osls invoke local -f api -p events/event.json``: the handler's response and the output."""
    osls = require_tool("osls")
    env = {**osls_env(tmp_path), **extra}
    result = subprocess.run(
        [str(osls), "invoke", "local", "-f", "api", "-p", "events/event.json"],
        cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    start = result.stdout.rindex('{\n    "statusCode"')
    return json.loads(result.stdout[start:]), result.stdout + result.stderr


def python_invoke_project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A Python Serverless project and the environment `osls invoke local` runs it in (the
    project's venv: osls puts ``$VIRTUAL_ENV/bin`` first and runs ``python3``)."""
    project = render(tmp_path, name="local-demo", framework="serverless", runtime="python3.11")
    (project / "node_modules").symlink_to(require_tool("node-tools"), target_is_directory=True)
    return project, {"VIRTUAL_ENV": str(project_venv(project, require_python("3.11")).parent.parent)}


def test_invoke_local_runs_the_python_handler(tmp_path):
    """With no AWS reachable the handler still answers (from the source, cache "error")."""
    project, env = python_invoke_project(tmp_path)
    response, output = invoke_local(project, tmp_path, AWS_ENDPOINT_URL="http://127.0.0.1:9", **env)
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["cache"] == "error"
    assert "Unsupported environment variable format" not in output


def test_invoke_local_against_a_local_momento_needs_no_aws(tmp_path, momento_server):
    """The local loop: `osls invoke local` with MOMENTO_LOCAL and no AWS (every AWS endpoint is
    a closed port): a miss, then a hit from the second process."""
    project, env = python_invoke_project(tmp_path)
    momento_server.create_cache("local-demo")
    env.update(AWS_ENDPOINT_URL="http://127.0.0.1:9", MOMENTO_LOCAL=momento_server.endpoint)
    caches = []
    for _ in range(2):
        response, output = invoke_local(project, tmp_path, **env)
        assert response["statusCode"] == 200, output
        caches.append(json.loads(response["body"])["cache"])
    assert caches == ["miss", "hit"]
    assert momento_server.state.calls["Get"] == 2 and momento_server.state.calls["Set"] == 1


def test_the_consumer_local_loop_processes_then_acknowledges_duplicates(tmp_path, momento_server):
    """The consumer's README loop: `osls invoke local -p events/sqs.json` twice with MOMENTO_LOCAL
    and no AWS: the sample's 2 messages are processed, then acknowledged as duplicates."""
    project = render(
        tmp_path, name="local-demo", framework="serverless", runtime="python3.11", pattern="idempotent-consumer"
    )
    (project / "node_modules").symlink_to(require_tool("node-tools"), target_is_directory=True)
    venv = project_venv(project, require_python("3.11")).parent.parent
    momento_server.create_cache("local-demo")
    env = {
        **osls_env(tmp_path),
        "VIRTUAL_ENV": str(venv),
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "MOMENTO_LOCAL": momento_server.endpoint,
    }
    outcomes = []
    for _ in range(2):
        result = subprocess.run(
            [str(require_tool("osls")), "invoke", "local", "-f", "api", "-p", "events/sqs.json"],
            cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        assert json.loads(result.stdout[result.stdout.rindex('{\n    "batchItemFailures"') :]) == {
            "batchItemFailures": []
        }
        lines = [json.loads(line) for line in result.stdout.splitlines() if '"idempotent-consumer"' in line]
        outcomes.append([line["outcome"] for line in lines])
    assert outcomes == [["processed", "processed"], ["duplicate", "duplicate"]]
    assert momento_server.state.calls["SetIfNotExists"] == 4
