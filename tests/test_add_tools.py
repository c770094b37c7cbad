"""The real tools on projects after `momento-lambda add`: `sam validate --lint` passes and
cfn-lint reports nothing the original template did not; `osls print` and `osls package` succeed
(the stand-in docker builds the Python requirements) and the package grants the secret."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.support import add_projects
from tests.support.generated import project_venv, render
from tests.support.tools import require_python, require_tool
from tests.test_generated_sam import sam
from tests.test_generated_serverless import osls_env, package

pytestmark = pytest.mark.slow

SAM_SHAPES = sorted(s for s in add_projects.SHAPES if s.startswith("sam-"))
SLS_SHAPES = sorted(s for s in add_projects.SHAPES if s.startswith("sls-"))


def cfn_lint(project: Path, template: str = "template.yaml") -> set[str]:
    executable = require_tool("sam").parent / "cfn-lint"
    result = subprocess.run(
        [str(executable), "--format", "parseable", template],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return {line.split(":", 1)[1] if ":" in line else line for line in result.stdout.splitlines() if line.strip()}


@pytest.mark.parametrize("shape", SAM_SHAPES)
def test_sam_validate_lint_and_cfn_lint_after_add(tmp_path, run_cli, shape):
    original = add_projects.make(tmp_path / "original", shape)
    project = add_projects.make(tmp_path, shape)
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    sam(project, "validate", "--lint")
    before = {" ".join(f.split(":")[3:]) for f in cfn_lint(original)}
    after = {" ".join(f.split(":")[3:]) for f in cfn_lint(project)}
    assert after <= before, after - before


def osls(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    executable = require_tool("osls")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "SLS_TELEMETRY_DISABLED": "1",
        "SLS_NOTIFICATIONS_MODE": "off",
    }
    result = subprocess.run(
        [str(executable), *args], cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def link_plugins(project: Path) -> None:
    modules = require_tool("node-tools")
    (project / "node_modules").symlink_to(modules, target_is_directory=True)


@pytest.mark.parametrize("shape", SLS_SHAPES)
def test_osls_print_and_package_after_add(tmp_path, run_cli, shape):
    project = add_projects.make(tmp_path, shape)
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    link_plugins(project)
    osls(project, "print")
    template, _calls = package(project, tmp_path)
    policies = [
        s
        for r in template["Resources"].values()
        if r["Type"] in ("AWS::IAM::Role", "AWS::IAM::Policy")
        for p in (r["Properties"].get("Policies") or [{"PolicyDocument": r["Properties"].get("PolicyDocument")}])
        if p.get("PolicyDocument")
        for s in p["PolicyDocument"]["Statement"]
        if isinstance(s, dict)
    ]
    assert any(s.get("Sid") == "ReadMomentoApiKey" for s in policies), json.dumps(policies)[:2000]
    functions = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    assert functions
    for properties in functions:
        variables = properties["Environment"]["Variables"]
        # plain values, as generated projects have them: no ARN yet, so the client reads the name
        assert variables["MOMENTO_SECRET_ARN"] == "", variables
        assert variables["MOMENTO_SECRET_NAME"].startswith("momento/"), variables
        assert variables["MOMENTO_CACHE_NAME"] and variables["MOMENTO_DEFAULT_TTL_SECONDS"] == "60", variables
    findings = cfn_lint(project, ".serverless/cloudformation-template-update-stack.json")
    assert not {f for f in findings if not ":".join(f.split(":")[4:]).startswith(PACKAGED_AS_GENERATED)}, findings


PACKAGED_AS_GENERATED = (
    # osls adds DependsOn on a role the function already names (the original project has it too)
    "W3005",
    # params resolve at package time: with no ARN yet, the HasMomentoSecretArn condition compares
    # two empty strings and its unused branch holds "" (a generated project's package has both)
    "E3510:'' does not match",
    "W8003:['', ''] will always",
)


# The user's handler after following the lines `add` prints (a cache-aside lookup), and a
# second function showing which secret the client reads.
SLS_HANDLER = """import json

from momento.responses import CacheGet

from momento_client import cache_name, get_client, parse_secret, read_secret_string, secret_id


def hello(event, context):
    key = event["pathParameters"]["id"]
    client = get_client()
    cached = client.get(cache_name(), key)
    if isinstance(cached, CacheGet.Hit):
        return {"statusCode": 200, "body": json.dumps({"item": cached.value_string, "cache": "hit"})}
    client.set(cache_name(), key, f"item for {key}")
    return {"statusCode": 200, "body": json.dumps({"item": f"item for {key}", "cache": "miss"})}


def report(event, context):
    api_key, endpoint = parse_secret(read_secret_string())
    return {"statusCode": 200, "body": json.dumps({"secret": secret_id(), "endpoint": endpoint, "key": len(api_key)})}
"""


def added_serverless_python(tmp_path: Path, run_cli) -> tuple[Path, dict[str, str]]:
    """sls-statements-python after `add`, its handler using the client, with the environment
    `osls invoke local` runs it in (a venv holding momento: osls runs ``$VIRTUAL_ENV/bin/python3``)."""
    project = add_projects.make(tmp_path, "sls-statements-python")
    result = run_cli("add", str(project), "--no-input", "--cache-name", "local-demo")
    assert result.exit_code == 0, result.output
    assert "from momento_client import cache_name, get_client" in result.stdout
    (project / "handler.py").write_text(SLS_HANDLER)
    (project / "event.json").write_text('{"pathParameters": {"id": "42"}}\n')
    link_plugins(project)
    generated = render(tmp_path / "generated", name="local-demo", framework="serverless", runtime="python3.11")
    venv = project_venv(generated, require_python("3.11")).parent.parent
    return project, {**osls_env(tmp_path), "VIRTUAL_ENV": str(venv)}


def invoke(project: Path, env: dict[str, str], function: str) -> dict:
    result = subprocess.run(
        [str(require_tool("osls")), "invoke", "local", "-f", function, "-p", "event.json"],
        cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Unsupported environment variable format" not in result.stdout + result.stderr
    response = json.loads(result.stdout[result.stdout.rindex('{\n    "statusCode"') :])
    assert response["statusCode"] == 200, result.stdout + result.stderr
    return dict(json.loads(response["body"]))


def test_osls_invoke_local_on_an_added_function_against_momento_local(tmp_path, run_cli, momento_server):
    """The environment `add` writes is one `osls invoke local` can run: a miss, then a hit."""
    project, env = added_serverless_python(tmp_path, run_cli)
    momento_server.create_cache("local-demo")
    env.update(AWS_ENDPOINT_URL="http://127.0.0.1:9", MOMENTO_LOCAL=momento_server.endpoint)
    assert [invoke(project, env, "hello")["cache"] for _ in range(2)] == ["miss", "hit"]
    assert momento_server.state.calls["Get"] == 2 and momento_server.state.calls["Set"] == 1


def test_osls_invoke_local_reads_the_secret_named_while_the_arn_is_empty(tmp_path, run_cli, aws):
    """No ARN yet: the function reads the secret MOMENTO_SECRET_NAME names (moto's Secrets Manager)."""
    from momento_lambda_cli.contract import encode_secret
    from tests.support.keys import v2_key

    project, env = added_serverless_python(tmp_path, run_cli)
    name = "momento/orders-api/api-key"
    secrets = aws.client("secretsmanager", region="eu-west-1")  # the project's provider.region
    secrets.create_secret(Name=name, SecretString=encode_secret(v2_key("first"), "cell-1.example"))
    env.update(AWS_ENDPOINT_URL=aws.url)
    body = invoke(project, env, "report")
    assert body["secret"] == name and body["endpoint"] == "cell-1.example" and body["key"] > 0


def lambda_runtime_sdk(folder: Path) -> Path:
    """The AWS SDK the Lambda Python runtime carries (boto3 and its pure-Python dependencies)."""
    import importlib

    folder.mkdir(exist_ok=True)
    for name in ("boto3", "botocore", "jmespath", "s3transfer", "dateutil", "urllib3", "six"):
        module = importlib.import_module(name)
        source = Path(module.__file__ or "")
        source = source.parent if source.name == "__init__.py" else source
        if not (folder / source.name).exists():
            (folder / source.name).symlink_to(source)
    return folder


def built_python(tmp_path: Path, version: str) -> Path:
    """A folder with ``python<version>`` for `sam build --no-use-container` to find first on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    link = bin_dir / f"python{version}"
    if not link.exists():
        link.symlink_to(require_python(version))
    return bin_dir


@pytest.mark.parametrize(
    ("shape", "version", "function", "layer"),
    [
        ("sam-layer-python", "3.12", "CreateOrderFunction", "SharedLayer"),
        ("sam-shared-codeuri-python", "3.13", "GetOrderFunction", None),
    ],
)
def test_sam_build_puts_the_one_client_module_where_the_handler_imports_it(
    tmp_path, run_cli, momento_server, shape, version, function, layer
):
    """`sam build` lays the shared module out where Lambda looks (/var/task, /opt/python), and
    the handler, importing it with the line `add` printed, talks to the local Momento server."""
    from tests.test_add_invoke import HANDLER

    project = add_projects.make(tmp_path, shape)
    result = run_cli("add", str(project), "--no-input", "--cache-name", "local-demo", "--json")
    assert result.exit_code == 0, result.output
    line = json.loads(result.stdout)["data"]["imports"][function]
    assert line in HANDLER
    handler_file = next(p for p in project.rglob("app.py") if "get_order" in str(p) or "create_order" in str(p))
    handler_file.write_text(HANDLER)
    sam(project, "build", "--no-use-container", path_first=built_python(tmp_path, version))
    build = project / ".aws-sam" / "build"
    code = build / function
    paths = [code]
    if layer is not None:
        paths.append(build / layer / "python")
        assert (build / layer / "python" / "momento_client.py").is_file()
        assert (build / layer / "python" / "momento").is_dir()
        assert not (code / "momento_client.py").exists() and not (code / "momento").exists()
    else:
        assert (code / "momento_client.py").is_file() and (code / "momento").is_dir()
    paths.append(lambda_runtime_sdk(tmp_path / "runtime"))
    momento_server.create_cache("local-demo")
    handler_module = (
        ".".join(handler_file.relative_to(project / "src").with_suffix("").parts) if layer is None else "app"
    )
    script = (
        "import json, sys\n"
        f"sys.path[:0] = {[str(p) for p in paths]!r}\n"
        f"from {handler_module} import lambda_handler\n"
        "print(json.loads(lambda_handler({'pathParameters': {'id': '7'}}, None)['body'])['cache'])\n"
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))},
        "MOMENTO_LOCAL": momento_server.endpoint,
        "MOMENTO_CACHE_NAME": "local-demo",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    caches = []
    for _ in range(2):
        run = subprocess.run(
            [str(require_python(version)), "-c", script], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr
        caches.append(run.stdout.strip().splitlines()[-1])
    assert caches == ["miss", "hit"]


def test_sam_build_lays_a_node_layer_out_under_nodejs(tmp_path, run_cli):
    require_tool("npm")
    project = add_projects.make(tmp_path, "sam-layer-node")
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    sam(project, "build", "--no-use-container")
    layer = project / ".aws-sam" / "build" / "DependenciesLayer" / "nodejs"
    # the module Lambda mounts at /opt/nodejs/momentoClient.mjs resolves the SDK from /opt/nodejs/node_modules
    assert (layer / "momentoClient.mjs").is_file()
    assert (layer / "node_modules" / "@gomomento" / "sdk" / "package.json").is_file()
    function = project / ".aws-sam" / "build" / "GetUserFunction"
    assert (function / "index.mjs").is_file() and not (function / "momentoClient.mjs").exists()
