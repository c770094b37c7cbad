"""`doctor` on AWS CDK apps, read from small hand-written cloud assemblies (cdk.out): a manifest,
a template and an asset folder, as `cdk synth` writes them. No code of the app runs: a missing or
stale cdk.out is a usage error that says to synthesize; nested stage assemblies, cdk.json's
``output``, several stacks; the checks judge the template (grant, plaintext key) and the asset's
source; hostile assemblies (huge, deep, symlinks and paths out of the project) are refused in one
line. The real `cdk synth` runs in tests/test_generated_cdk.py."""

from __future__ import annotations

import json
import os
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from momento_lambda_cli.errors import ExitCode

SECRET = "momento/demo/api-key"

REUSED = """\
import json
import os
from datetime import timedelta

import boto3
from botocore.config import Config
from momento import CacheClient, Configurations, CredentialProvider

_secrets = boto3.client("secretsmanager", config=Config(connect_timeout=1, read_timeout=1))
_value = json.loads(_secrets.get_secret_value(SecretId=os.environ["MOMENTO_SECRET_ARN"])["SecretString"])
client = CacheClient(
    Configurations.Lambda.latest(),
    CredentialProvider.from_api_key_v2(_value["MOMENTO_API_KEY"], _value["MOMENTO_ENDPOINT"]),
    timedelta(seconds=60),
)


def lambda_handler(event, context):
    return {"statusCode": 200, "body": str(client.get("demo", "k"))}
"""

PER_INVOCATION = """\
import os
from datetime import timedelta

from momento import CacheClient, Configurations, CredentialProvider


def lambda_handler(event, context):
    client = CacheClient(
        Configurations.Lambda.latest(), CredentialProvider.from_string(os.environ["MOMENTO_API_KEY"]), timedelta(seconds=60)
    )
    return {"statusCode": 200, "body": str(client.get("demo", "k"))}
"""


def grant(role: str, resource: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                        "Effect": "Allow",
                        "Resource": resource,
                    }
                ],
                "Version": "2012-10-17",
            },
            "PolicyName": "DefaultPolicy",
            "Roles": [{"Ref": role}],
        },
        "Metadata": {"aws:cdk:path": "Stack/Fn/ServiceRole/DefaultPolicy/Resource"},
    }


def template(
    stack: str, asset: str, environment: dict[str, str], *, granted: bool = True, runtime: str = "python3.12"
) -> dict[str, Any]:
    """A template as CDK synthesizes one: a role, its default policy, the function with its asset."""
    name_arn = {
        "Fn::Join": [
            "",
            [
                "arn:",
                {"Ref": "AWS::Partition"},
                ":secretsmanager:us-east-1:",
                {"Ref": "AWS::AccountId"},
                f":secret:{SECRET}-??????",
            ],
        ]
    }
    resources: dict[str, Any] = {
        "FnServiceRoleB9001A96": {
            "Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": {"Statement": [], "Version": "2012-10-17"}},
            "Metadata": {"aws:cdk:path": f"{stack}/Fn/ServiceRole/Resource"},
        },
        "Fn9270CBC0": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Architectures": ["x86_64"],
                "Code": {"S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-us-east-1"}, "S3Key": "x.zip"},
                "Environment": {"Variables": environment},
                "Handler": "handler.lambda_handler",
                "MemorySize": 512,
                "Role": {"Fn::GetAtt": ["FnServiceRoleB9001A96", "Arn"]},
                "Runtime": runtime,
                "Timeout": 10,
            },
            "Metadata": {
                "aws:cdk:path": f"{stack}/Fn/Resource",
                "aws:asset:path": asset,
                "aws:asset:is-bundled": False,
                "aws:asset:property": "Code",
            },
        },
    }
    if granted:
        resources["FnServiceRoleDefaultPolicy"] = grant("FnServiceRoleB9001A96", name_arn)
    return {"Resources": resources}


def stack_artifact(name: str, template_file: str, region: str = "us-east-1") -> dict[str, Any]:
    return {
        "type": "aws:cloudformation:stack",
        "environment": f"aws://123456789012/{region}",
        "properties": {"templateFile": template_file, "stackName": name},
        "displayName": name,
    }


def write_json(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1))


def make_app(
    root: Path,
    *,
    source: str = REUSED,
    environment: dict[str, str] | None = None,
    granted: bool = True,
    output: str = "cdk.out",
) -> Path:
    """An app folder: cdk.json, the app's source (src/handler.py, infra/app.py), then its cloud
    assembly (written last, so it is newer than every source)."""
    environment = environment or {"MOMENTO_SECRET_ARN": SECRET, "MOMENTO_CACHE_NAME": "demo"}
    settings: dict[str, Any] = {"app": "python3 infra/app.py"}
    if output != "cdk.out":
        settings["output"] = output
    write_json(root / "cdk.json", settings)
    (root / "infra").mkdir(parents=True, exist_ok=True)
    (root / "infra" / "app.py").write_text("# the stack\n")
    (root / "src").mkdir(exist_ok=True)
    (root / "src" / "handler.py").write_text(source)
    out = root / output
    asset = out / "asset.0123abcd"
    asset.mkdir(parents=True)
    (asset / "handler.py").write_text(source)
    (asset / "momento").mkdir()
    (asset / "momento" / "__init__.py").write_text("")
    write_json(out / "Api.template.json", template("Api", "asset.0123abcd", environment, granted=granted))
    write_json(
        out / "manifest.json", {"version": "41.0.0", "artifacts": {"Api": stack_artifact("Api", "Api.template.json")}}
    )
    age(root, out)
    return root


def age(root: Path, out: Path) -> None:
    """The sources an hour older than the assembly (as after `cdk synth`)."""
    past = time.time() - 3600
    for path in root.rglob("*"):
        if path.is_file() and out not in path.parents:
            os.utime(path, (past, past))


def doctor(run_cli: Any, root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("doctor", str(root), "--offline", "--json", *args)
    assert "Traceback" not in result.output
    return result.exit_code, json.loads(result.stdout)


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in document["data"]["checks"]}


def test_a_healthy_app_is_read_from_its_cloud_assembly(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    code, document = doctor(run_cli, root, "--verbose")
    checks = by_id(document)
    assert code == 0, [c for c in checks.values() if c["status"] in ("fail", "error")]
    framework = checks["project.framework"]
    assert framework["message"].startswith("AWS CDK project (Api.template.json, cdk.json), 1 function (python3.12)")
    assert "function Fn9270CBC0: construct Api/Fn" in framework["details"]
    assert any("stack Api" in d for d in framework["details"]) and any("us-east-1" in d for d in framework["details"])
    assert checks["iam.secret-access"]["status"] == "pass"
    assert checks["code.client-reuse"]["status"] == "pass"
    assert "cdk.out/asset.0123abcd/handler.py" in checks["code.client-reuse"]["message"]
    assert checks["build.sdk"]["status"] == "pass"
    assert not [c for c in checks.values() if c["status"] in ("fail", "error")]


def test_a_plaintext_key_a_missing_grant_and_a_client_per_invocation_are_findings(run_cli, tmp_path):
    """What public Momento CDK apps do: the key from the synth's environment into the function's.
    No 8-character piece of it reaches any output format."""
    from tests.support.keys import v2_key
    from tests.support.leaks import assert_no_piece

    key = v2_key("cdk-plaintext")
    root = make_app(
        tmp_path / "app",
        source=PER_INVOCATION,
        environment={"MOMENTO_API_KEY": key, "MOMENTO_CACHE_NAME": "demo"},
        granted=False,
    )
    code, document = doctor(run_cli, root)
    checks = by_id(document)
    assert code == ExitCode.FAILED
    assert checks["secret.no-plaintext-key"]["status"] == "fail"
    assert checks["secret.no-plaintext-key"]["details"][0].startswith("Fn9270CBC0 (Api/Fn): environment variable")
    assert checks["code.client-reuse"]["status"] == "fail"
    assert key not in json.dumps(document)
    for output in ("json", "text", "sarif", "junit"):
        result = run_cli("doctor", str(root), "--offline", "--format", output)
        assert result.exit_code == ExitCode.FAILED, result.output
        assert_no_piece(result.stdout + result.stderr, [key])


@pytest.mark.integration
def test_the_bug_report_of_a_cdk_app_with_a_plaintext_key_holds_no_piece_of_it(run_cli, tmp_path):
    """`--bug-report` zips the app's files and doctor's documents (it runs `info`'s tool probes:
    processes, hence this tier): no 8-character piece of the key in any file of the zip."""
    from tests.support.keys import v2_key
    from tests.support.leaks import assert_no_piece

    key = v2_key("cdk-report")
    root = make_app(tmp_path / "app", environment={"MOMENTO_API_KEY": key, "MOMENTO_CACHE_NAME": "demo"})
    report = tmp_path / "report.zip"
    run_cli("doctor", str(root), "--offline", "--bug-report", str(report))
    with zipfile.ZipFile(report) as archive:
        names = archive.namelist()
        assert names
        for name in names:
            assert_no_piece(archive.read(name).decode("utf-8", errors="replace"), [key])


def test_a_missing_cloud_assembly_says_to_synthesize(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    for path in sorted((root / "cdk.out").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (root / "cdk.out").rmdir()
    result = run_cli("doctor", str(root), "--offline")
    assert result.exit_code == ExitCode.USAGE
    assert "cdk.out is missing" in result.stderr and "`npx cdk synth`" in result.stderr and "--synth" in result.stderr


@pytest.mark.parametrize("changed", ["infra/app.py", "src/handler.py", "cdk.json"])
def test_a_cloud_assembly_older_than_a_source_is_not_read(run_cli, tmp_path, changed):
    root = make_app(tmp_path / "app")
    (root / changed).write_text((root / changed).read_text() + "\n")
    result = run_cli("doctor", str(root), "--offline", "--json")
    assert result.exit_code == ExitCode.USAGE
    error = json.loads(result.stdout)["errors"][0]
    assert error["code"] == "project.cdk-out-stale"
    assert f"cdk.out is older than {changed}" in error["message"]


def test_installs_tests_and_caches_do_not_make_it_stale(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    for folder in ("node_modules/aws-cdk", ".venv/lib", "tests", ".git", "infra/__pycache__", "env/lib"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "x.py").write_text("# newer\n")
    (root / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n")  # a venv under another name
    assert doctor(run_cli, root)[0] == 0


def test_a_nested_stage_assembly_and_cdk_json_output(run_cli, tmp_path):
    """`new Stage(app, 'Prod')`: the stack's artifact lives in a nested assembly (assembly-Prod);
    cdk.json's output moves the assembly (build/cdk.out)."""
    root = make_app(tmp_path / "app", output="build/cdk.out")
    out = root / "build" / "cdk.out"
    nested = out / "assembly-Prod"
    nested.mkdir()
    (out / "asset.0123abcd").rename(nested / "asset.0123abcd")
    (out / "Api.template.json").unlink()
    write_json(
        nested / "ProdApi.template.json",
        template("Prod/Api", "asset.0123abcd", {"MOMENTO_SECRET_ARN": SECRET, "MOMENTO_CACHE_NAME": "demo"}),
    )
    write_json(
        nested / "manifest.json",
        {
            "version": "41.0.0",
            "artifacts": {"ProdApi": stack_artifact("Prod-Api", "ProdApi.template.json", "eu-west-1")},
        },
    )
    write_json(
        out / "manifest.json",
        {
            "version": "41.0.0",
            "artifacts": {
                "assembly-Prod": {
                    "type": "cdk:cloud-assembly",
                    "properties": {"directoryName": "assembly-Prod", "displayName": "Prod"},
                }
            },
        },
    )
    code, document = doctor(run_cli, root, "--verbose")
    framework = by_id(document)["project.framework"]
    assert code == 0, document
    assert "ProdApi.template.json" in framework["message"]
    assert any("stack Prod-Api" in d for d in framework["details"])
    assert any("eu-west-1" in d for d in framework["details"])
    assert "function Fn9270CBC0: construct Prod/Api/Fn" in framework["details"]


def test_several_stacks_the_first_with_functions_or_the_one_named(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    out = root / "cdk.out"
    write_json(out / "Data.template.json", {"Resources": {"T": {"Type": "AWS::DynamoDB::Table"}}})
    write_json(
        out / "Worker.template.json",
        template("Worker", "asset.0123abcd", {"MOMENTO_SECRET_ARN": SECRET, "MOMENTO_CACHE_NAME": "demo"}),
    )
    artifacts = {
        "Data": stack_artifact("Data", "Data.template.json"),
        "Api": stack_artifact("Api", "Api.template.json"),
        "Worker": stack_artifact("app-worker", "Worker.template.json"),
    }
    write_json(out / "manifest.json", {"version": "41.0.0", "artifacts": artifacts})
    _, document = doctor(run_cli, root, "--verbose")
    framework = by_id(document)["project.framework"]
    assert framework["status"] == "warn"  # says which stack it checked and how to choose
    assert "2 stacks with Lambda functions (Api, app-worker): checking Api" in json.dumps(framework)
    _, document = doctor(run_cli, root, "--verbose", "--stack-name", "app-worker")
    assert any("stack app-worker" in d for d in by_id(document)["project.framework"]["details"])
    result = run_cli("doctor", str(root), "--offline", "--stack-name", "Nope")
    # --stack-name also targets the deployed stack: the project finding, not one error line
    assert result.exit_code == ExitCode.FAILED and "No stack 'Nope' in the cloud assembly" in result.stdout


# --- hostile assemblies ---------------------------------------------------------------------


def one_line_error(run_cli: Any, root: Path, *fragments: str) -> None:
    result = run_cli("doctor", str(root), "--offline")
    assert result.exit_code == ExitCode.FAILED, result.output
    assert "Traceback" not in result.output and result.stderr.startswith("Error: "), result.stderr
    for fragment in fragments:
        assert fragment in result.stderr


def test_a_huge_manifest_is_refused(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    (root / "cdk.out" / "manifest.json").write_text('{"artifacts": {}, "pad": "' + "x" * (9 * 1024 * 1024) + '"}')
    one_line_error(run_cli, root, "larger than the 8 MB")


def test_a_deeply_nested_manifest_is_refused(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    (root / "cdk.out" / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    one_line_error(run_cli, root, "nested too deeply")


def test_a_manifest_that_is_not_json_is_refused(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    (root / "cdk.out" / "manifest.json").write_text("{not json")
    one_line_error(run_cli, root, "not valid JSON", "cdk synth")


def test_a_manifest_symlinked_out_of_the_project_is_refused(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    outside = tmp_path / "elsewhere.json"
    outside.write_text((root / "cdk.out" / "manifest.json").read_text())
    (root / "cdk.out" / "manifest.json").unlink()
    (root / "cdk.out" / "manifest.json").symlink_to(outside)
    os.utime(root / "cdk.out" / "manifest.json", follow_symlinks=True)
    one_line_error(run_cli, root, "outside the project")


def test_template_and_asset_paths_out_of_the_project_are_not_read(run_cli, tmp_path):
    """A manifest naming ../../ files: the template is not read (no stack), an asset outside is not read."""
    root = make_app(tmp_path / "app")
    secret_file = tmp_path / "secret.json"
    write_json(secret_file, {"Resources": {}})
    manifest = {"artifacts": {"Api": stack_artifact("Api", "../../secret.json")}}
    write_json(root / "cdk.out" / "manifest.json", manifest)
    one_line_error(run_cli, root, "no CloudFormation stack")

    root = make_app(tmp_path / "app2")
    outside = tmp_path / "outside-asset"
    outside.mkdir()
    (outside / "handler.py").write_text(PER_INVOCATION)
    document = template("Api", "../../outside-asset", {"MOMENTO_SECRET_ARN": SECRET, "MOMENTO_CACHE_NAME": "demo"})
    write_json(root / "cdk.out" / "Api.template.json", document)
    os.utime(root / "cdk.out" / "manifest.json")
    code, checks = doctor(run_cli, root)
    assert by_id(checks)["code.client-reuse"]["status"] == "skip"
    assert "outside the project folder" in by_id(checks)["code.parses"]["message"]
    assert code == 0


def test_cdk_json_output_outside_the_project_is_refused(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    write_json(root / "cdk.json", {"app": "python3 infra/app.py", "output": "../../tmp"})
    result = run_cli("doctor", str(root), "--offline")
    assert result.exit_code == ExitCode.USAGE and "outside the project folder" in result.stderr


# --- the commands around it -----------------------------------------------------------------


def test_fix_is_refused_in_one_line(run_cli, tmp_path):
    root = make_app(tmp_path / "app", source=PER_INVOCATION)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = run_cli("doctor", str(root), "--fix")
    assert result.exit_code == ExitCode.USAGE
    assert "`momento-lambda doctor --fix` does not support AWS CDK projects" in result.stderr
    assert "stack's code" in result.stderr
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_synth_is_for_cdk_apps_and_needs_the_apps_cli(run_cli, tmp_path):
    (tmp_path / "sam").mkdir()
    (tmp_path / "sam" / "template.yaml").write_text("Transform: AWS::Serverless-2016-10-31\nResources: {}\n")
    result = run_cli("doctor", str(tmp_path / "sam"), "--offline", "--synth")
    assert result.exit_code == ExitCode.USAGE and "--synth is for AWS CDK apps" in result.stderr
    root = make_app(tmp_path / "app")
    (root / "package.json").write_text('{"devDependencies": {"aws-cdk": "2.1000.0"}}')
    result = run_cli("doctor", str(root), "--offline", "--synth")
    assert result.exit_code == ExitCode.FAILED
    assert "no node_modules" in result.stderr and "npm install" in result.stderr


def test_synth_of_an_app_without_package_json_uses_the_global_cli(run_cli, tmp_path, monkeypatch):
    """A Python CDK app has no package.json: nothing to `npm install`. --synth uses the `cdk` on
    PATH, and without one says how to get it (`npm install -g aws-cdk`)."""
    from momento_lambda_cli.project import cdk_synth

    root = make_app(tmp_path / "app")
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = run_cli("doctor", str(root), "--offline", "--synth")
    assert result.exit_code == ExitCode.FAILED
    assert "npm install -g aws-cdk" in result.stderr and "no node_modules" not in result.stderr
    cdk = empty / "cdk"
    cdk.write_text("#!/bin/sh\nexit 0\n")
    cdk.chmod(0o755)
    assert cdk_synth.command(root)[0] == str(cdk)


def test_lookups_the_synth_could_not_make_are_a_warning(run_cli, tmp_path):
    """`Vpc.fromLookup` without credentials: the template is written with placeholders and the
    manifest lists the lookup under `missing`."""
    root = make_app(tmp_path / "app")
    manifest = json.loads((root / "cdk.out" / "manifest.json").read_text())
    manifest["missing"] = [{"key": "vpc-provider:account=1:region=us-east-1", "provider": "vpc-provider", "props": {}}]
    write_json(root / "cdk.out" / "manifest.json", manifest)
    _, document = doctor(run_cli, root)
    framework = by_id(document)["project.framework"]
    assert framework["status"] == "warn"
    assert "lacks 1 context lookup (vpc-provider)" in framework["details"][0]


NODE_HANDLER = """\
import {CacheClient, Configurations, CredentialProvider} from '@gomomento/sdk';

export const handler = async () => {
  const client = await CacheClient.create({
    configuration: Configurations.Lambda.latest(),
    credentialProvider: CredentialProvider.fromEnvironmentVariable('MOMENTO_API_KEY'),
    defaultTtlSeconds: 60,
  });
  return client.get('demo', 'k');
};
"""

BUNDLE = """\
"use strict";
// node_modules/@gomomento/sdk/dist/src/index.js
var CacheClient = class { static async create() { const c = new CacheClient(); return c; } };
// src/handler.ts
var handler = async () => { const client = await CacheClient.create({}); return client.get('demo', 'k'); };
export { handler };
"""


@pytest.mark.parametrize("source_present", [True, False])
def test_a_nodejs_function_bundle_is_read_through_its_own_sources(run_cli, tmp_path, source_present):
    """A NodejsFunction asset is an esbuild bundle (library code included): the code checks read the
    app's own modules esbuild names (`// src/handler.ts`), never the bundle; when they are not in
    the project folder the function's code is "not read", not judged."""
    root = make_app(tmp_path / "app")
    (root / "src" / "handler.py").unlink()
    if source_present:
        (root / "src" / "handler.ts").write_text(NODE_HANDLER)
    out = root / "cdk.out"
    asset = out / "asset.0123abcd"
    for path in sorted(asset.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (asset / "index.mjs").write_text(BUNDLE)
    document = template("Api", "asset.0123abcd", {"MOMENTO_SECRET_ARN": SECRET}, runtime="nodejs22.x")
    function = document["Resources"]["Fn9270CBC0"]
    function["Properties"]["Handler"] = "index.handler"
    function["Metadata"]["aws:asset:is-bundled"] = True
    write_json(out / "Api.template.json", document)
    age(root, out)
    _, result = doctor(run_cli, root)
    checks = by_id(result)
    assert checks["build.sdk"]["status"] == "pass"  # the SDK is inside the bundle
    if source_present:
        assert checks["code.client-reuse"]["status"] == "fail"
        assert "src/handler.ts" in json.dumps(checks["code.client-reuse"])
    else:
        assert checks["code.client-reuse"]["status"] == "skip"
        assert "esbuild bundle" in checks["code.parses"]["message"] and "not read" in checks["code.parses"]["message"]
        # no file read: nothing vouches for its calls or its versions (skip with the reason, never "pass")
        assert checks["code.awaited-calls"]["status"] == "skip", checks["code.awaited-calls"]
        assert "esbuild bundle" in checks["code.awaited-calls"]["message"]
        assert checks["project.sdk-versions"]["status"] == "skip", checks["project.sdk-versions"]
    assert "index.mjs" not in json.dumps(checks["code.parses"]) or not source_present


def test_sarif_and_junit_name_the_construct_path(run_cli, tmp_path):
    """A finding about a function points at its resource in the synthesized template and names
    the construct that declares it in the app's code (SARIF logicalLocations, JUnit text)."""
    root = make_app(tmp_path / "app", source=PER_INVOCATION, environment={"MOMENTO_CACHE_NAME": "demo"})
    document = template("Api", "asset.0123abcd", {"MOMENTO_CACHE_NAME": "demo"}, runtime="python3.9")
    write_json(root / "cdk.out" / "Api.template.json", document)
    sarif = json.loads(run_cli("doctor", str(root), "--offline", "--format", "sarif").stdout)
    (runtime,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "project.runtime"]
    (location,) = runtime["locations"]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "cdk.out/Api.template.json"
    assert location["logicalLocations"] == [{"fullyQualifiedName": "Api/Fn", "kind": "resource"}]
    junit = run_cli("doctor", str(root), "--offline", "--format", "junit").stdout
    assert "at cdk.out/Api.template.json:" in junit and "(Api/Fn)" in junit


def test_a_cdk_out_symlinked_out_of_the_project_is_refused(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    (root / "cdk.out").rename(tmp_path / "elsewhere")
    (root / "cdk.out").symlink_to(tmp_path / "elsewhere")
    one_line_error(run_cli, root, "outside the project")


def test_a_fifo_manifest_does_not_hang(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    (root / "cdk.out" / "manifest.json").unlink()
    os.mkfifo(root / "cdk.out" / "manifest.json")
    result = run_cli("doctor", str(root), "--offline")
    assert result.exit_code == ExitCode.USAGE and "cdk.out is missing" in result.stderr


def test_the_apps_file_and_line_where_cdk_records_it(run_cli, tmp_path):
    """With `CDK_DEBUG=true` the manifest records each construct's creation stack: findings then name
    the app's own file and line (SARIF's location), never a frame in node_modules."""
    root = make_app(tmp_path / "app")
    document = template("Api", "asset.0123abcd", {"MOMENTO_CACHE_NAME": "demo"}, runtime="python3.9")
    write_json(root / "cdk.out" / "Api.template.json", document)
    frames = [
        "...new Function in aws-cdk-lib...",
        f"new Lib ({root}/node_modules/lib/index.js:3:1)",
        f"new ApiStack ({root}/infra/app.py:42:5)",
        f"<anonymous> ({root}/infra/main.ts:9:1)",
    ]
    manifest = json.loads((root / "cdk.out" / "manifest.json").read_text())
    manifest["artifacts"]["Api"]["metadata"] = {
        "/Api/Fn/Resource": [
            {"type": "aws:cdk:logicalId", "data": "Fn9270CBC0"},
            {"type": "aws:cdk:creationStack", "data": frames},
        ]
    }
    write_json(root / "cdk.out" / "manifest.json", manifest)
    _, checks = doctor(run_cli, root)
    assert by_id(checks)["project.runtime"]["details"][0].startswith("Fn9270CBC0 (Api/Fn, infra/app.py line 42): ")
    sarif = json.loads(run_cli("doctor", str(root), "--offline", "--format", "sarif").stdout)
    (runtime,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "project.runtime"]
    physical = runtime["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "infra/app.py" and physical["region"] == {"startLine": 42}


def rewrite(root: Path, change: Any) -> None:
    """Edit the app's template in place (``change`` gets its Resources), keeping the assembly newest."""
    path = root / "cdk.out" / "Api.template.json"
    document = json.loads(path.read_text())
    change(document["Resources"])
    write_json(path, document)


@pytest.mark.parametrize("evidence", [None, "env", "grant"])
def test_unread_code_counts_a_secret_read_only_with_evidence(run_cli, tmp_path, evidence):
    """A zip asset doctor cannot read, MOMENTO_TOKEN in its environment and the default 3 s: no
    secret read is counted (no failure) unless the template shows one (a secret named in its
    environment, or a grant to read secrets)."""
    root = make_app(tmp_path / "app", granted=evidence == "grant")
    (root / "cdk.out" / "h.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    environment = {"MOMENTO_TOKEN": "x"}
    if evidence == "env":
        environment["MOMENTO_SECRET_NAME"] = SECRET

    def change(resources: dict[str, Any]) -> None:
        function = resources["Fn9270CBC0"]
        function["Properties"]["Timeout"] = 3
        function["Properties"]["Environment"] = {"Variables": environment}
        function["Metadata"]["aws:asset:path"] = "h.zip"

    rewrite(root, change)
    _, document = doctor(run_cli, root, "--verbose")
    check = by_id(document)["project.timeout"]
    if evidence is None:
        assert check["status"] == "warn", check
        assert "nothing in the template shows a secret read" in " ".join(check["details"])
        assert "3.1 s" not in json.dumps(check)
    else:
        assert check["status"] == "fail", check
        assert "needs 3.1 s: the client deadline and the secret read" in " ".join(check["details"])


def test_a_cdk_provider_functions_runtime_from_the_region_map(run_cli, tmp_path):
    """CDK's LogRetention provider: ``Runtime: FindInMap [LatestNodeRuntimeMap, Ref AWS::Region,
    value]``. With no region known, the value every region agrees on, not "a parameter with no value"."""
    root = make_app(tmp_path / "app")

    def change(resources: dict[str, Any]) -> None:
        provider = json.loads(json.dumps(resources["Fn9270CBC0"]))
        provider["Properties"]["Runtime"] = {"Fn::FindInMap": ["LatestNodeRuntimeMap", {"Ref": "AWS::Region"}, "value"]}
        provider["Properties"]["Handler"] = "index.handler"
        provider["Properties"]["Environment"] = {"Variables": {}}
        provider["Metadata"]["aws:cdk:path"] = "Api/LogRetention/Resource"
        resources["LogRetentionaae0aa3c"] = provider

    rewrite(root, change)
    path = root / "cdk.out" / "Api.template.json"
    document = json.loads(path.read_text())
    document["Mappings"] = {
        "LatestNodeRuntimeMap": {region: {"value": "nodejs22.x"} for region in ("us-east-1", "eu-west-1", "ap-south-1")}
    }
    write_json(path, document)
    manifest = root / "cdk.out" / "manifest.json"
    assembly = json.loads(manifest.read_text())
    assembly["artifacts"]["Api"]["environment"] = "aws://unknown-account/unknown-region"
    write_json(manifest, assembly)
    _, document = doctor(run_cli, root, "--verbose")
    assert "parameter with no value" not in json.dumps(document)
    check = by_id(document)["project.runtime"]
    assert check["status"] == "pass", check
    assert any(d.startswith("LogRetentionaae0aa3c (Api/LogRetention): nodejs22.x") for d in check["details"]), check[
        "details"
    ]


def nest(root: Path, written: str) -> None:
    """Move the app's resources into a nested stack template (CDK ``NestedStack``): the parent keeps
    an ``AWS::CloudFormation::Stack`` whose ``aws:asset:path`` names ``written``."""
    out = root / "cdk.out"
    parent = json.loads((out / "Api.template.json").read_text())
    nested = {"Parameters": {"referencetoSecret": {"Type": "String"}}, "Resources": parent["Resources"]}
    function = nested["Resources"]["Fn9270CBC0"]
    function["Properties"]["Environment"]["Variables"]["MOMENTO_SECRET_ARN"] = {"Ref": "referencetoSecret"}
    function["Metadata"]["aws:cdk:path"] = "Api/Inner/Fn/Resource"
    write_json(out / "ApiInner1A2B3C4D.nested.template.json", nested)
    parent["Resources"] = {
        "InnerNestedStackInnerNestedStackResource": {
            "Type": "AWS::CloudFormation::Stack",
            "Properties": {
                "TemplateURL": "https://example.invalid/x.json",
                "Parameters": {"referencetoSecret": SECRET},
            },
            "Metadata": {"aws:asset:path": written, "aws:asset:property": "TemplateURL"},
        }
    }
    write_json(out / "Api.template.json", parent)


def test_a_nested_stacks_functions_are_read(run_cli, tmp_path):
    """CDK's NestedStack: the functions live in ``*.nested.template.json``, named by the parent's
    ``AWS::CloudFormation::Stack`` (with the parameters the parent passes)."""
    root = make_app(tmp_path / "app")
    nest(root, "ApiInner1A2B3C4D.nested.template.json")
    code, document = doctor(run_cli, root, "--verbose")
    checks = by_id(document)
    assert "1 function (python3.12)" in checks["project.framework"]["message"], checks["project.framework"]
    assert "function Fn9270CBC0: construct Api/Inner/Fn" in checks["project.framework"]["details"]
    assert checks["code.client-reuse"]["status"] == "pass"
    assert checks["iam.secret-access"]["status"] == "pass", checks["iam.secret-access"]
    assert code == 0, [c for c in checks.values() if c["status"] in ("fail", "error")]


def test_a_nested_template_outside_the_assembly_is_not_read(run_cli, tmp_path):
    root = make_app(tmp_path / "app")
    nest(root, "../infra/stolen.nested.template.json")
    (root / "cdk.out" / "ApiInner1A2B3C4D.nested.template.json").rename(root / "infra" / "stolen.nested.template.json")
    age(root, root / "cdk.out")
    _, document = doctor(run_cli, root)
    assert "0 functions" in by_id(document)["project.framework"]["message"]


REQUIRE_HANDLER = """\
const {CacheClient, Configurations, CredentialProvider} = require('@gomomento/sdk');
const client = new CacheClient({
  configuration: Configurations.Lambda.latest(),
  credentialProvider: CredentialProvider.fromEnvironmentVariable('MOMENTO_API_KEY'),
  defaultTtlSeconds: 60,
});
exports.handler = async () => client.get('demo', 'k');
"""


@pytest.mark.parametrize("shape", ["folder", "zip", "no-sdk"])
def test_the_sdk_in_a_layer_asset_is_packaged(run_cli, tmp_path, shape):
    """A function asset requires @gomomento/sdk and has no node_modules; its Layers name an
    AWS::Lambda::LayerVersion whose asset (a folder or a zip) holds nodejs/node_modules/@gomomento/sdk:
    build.sdk passes through the layer (and still fails when the layer lacks the SDK)."""
    import zipfile

    root = make_app(tmp_path / "app")
    (root / "src" / "handler.py").unlink()
    (root / "src" / "index.js").write_text(REQUIRE_HANDLER)
    out = root / "cdk.out"
    asset = out / "asset.0123abcd"
    for path in sorted(asset.rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()
    (asset / "index.js").write_text(REQUIRE_HANDLER)
    inside = "nodejs/node_modules/@gomomento/sdk/package.json" if shape != "no-sdk" else "nodejs/node_modules/x/a.js"
    if shape == "zip":
        written = "asset.layer.zip"
        with zipfile.ZipFile(out / written, "w") as archive:
            archive.writestr(inside, '{"name": "@gomomento/sdk", "version": "1.118.1"}')
    else:
        written = "asset.layer"
        (out / written / inside).parent.mkdir(parents=True)
        (out / written / inside).write_text('{"name": "@gomomento/sdk", "version": "1.118.1"}')
    document = template("Api", "asset.0123abcd", {"MOMENTO_SECRET_ARN": SECRET}, runtime="nodejs22.x")
    function = document["Resources"]["Fn9270CBC0"]
    function["Properties"]["Handler"] = "index.handler"
    function["Properties"]["Layers"] = [{"Ref": "SdkLayer1B2C3D4E"}]
    document["Resources"]["SdkLayer1B2C3D4E"] = {
        "Type": "AWS::Lambda::LayerVersion",
        "Properties": {"Content": {"S3Bucket": "b", "S3Key": "k.zip"}, "CompatibleRuntimes": ["nodejs22.x"]},
        "Metadata": {
            "aws:cdk:path": "Api/SdkLayer/Resource",
            "aws:asset:path": written,
            "aws:asset:property": "Content",
        },
    }
    write_json(out / "Api.template.json", document)
    age(root, out)
    _, result = doctor(run_cli, root)
    check = by_id(result)["build.sdk"]
    if shape == "no-sdk":
        assert check["status"] == "fail", check
    else:
        assert check["status"] == "pass", check
        assert f"@gomomento/sdk in the layer cdk.out/{written}" in " ".join(check["details"]), check
