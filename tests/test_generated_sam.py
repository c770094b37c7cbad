"""The real SAM CLI on generated projects: `sam validate --lint` and `sam build
--no-use-container` (offline but for PyPI/npm downloads; fake credentials). The built Python
artifact carries a grpc extension for the project's architecture."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from momento_lambda_cli import catalog
from tests.support.binaries import extension_platforms
from tests.support.generated import render
from tests.support.tools import require_python, require_tool

pytestmark = pytest.mark.slow


def sam(project: Path, *args: str, path_first: Path | None = None) -> subprocess.CompletedProcess[str]:
    executable = require_tool("sam")
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "SAM_CLI_TELEMETRY": "0",
        "SAM_CLI_CONTAINER_CONNECTION_TIMEOUT": "1",
    }
    if path_first is not None:
        env["PATH"] = f"{path_first}{os.pathsep}{env['PATH']}"
    env.pop("AWS_ENDPOINT_URL", None)
    result = subprocess.run(
        [str(executable), *args], cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.mark.parametrize(
    ("runtime", "pattern"),
    [
        ("python3.11", "cache-aside"),
        ("nodejs22.x", "cache-aside"),
        ("python3.12", "rate-limit"),
        ("python3.13", "idempotent-consumer"),
        ("python3.13", "topics-publisher"),
        ("nodejs22.x", "idempotent-consumer"),
        ("nodejs24.x", "topics-publisher"),
    ],
)
def test_sam_validate_lint(tmp_path, runtime, pattern):
    project = render(tmp_path, runtime=runtime, pattern=pattern)
    assert "is a valid SAM Template" in sam(project, "validate", "--lint").stdout + ""


def test_sam_validate_lint_with_secret_arn_and_kms_key(tmp_path):
    project = render(
        tmp_path,
        runtime="python3.11",
        secret_arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo/api-key-AbC123",
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )
    sam(project, "validate", "--lint")


PYTHON_RUNTIMES = [r for r in catalog.OFFERED_RUNTIMES if r.language == catalog.PYTHON]


@pytest.mark.parametrize("arch", catalog.ARCHITECTURES, ids=lambda a: a.name)
@pytest.mark.parametrize("runtime", PYTHON_RUNTIMES, ids=lambda r: r.name)
def test_sam_build_python_carries_grpc_for_the_runtime_and_architecture(tmp_path, runtime, arch):
    """`sam build --no-use-container` with the runtime's ``pythonX.Y`` first on PATH: SAM
    requires that interpreter, runs its pip, and (aws-lambda-builders) replaces every wheel
    that does not fit the function with ``pip download --only-binary=:all: --platform
    manylinux..._<cpu> --abi cp3XY``. So an arm64 build on an x86_64 machine holds the
    registry's manylinux aarch64 wheels, nothing compiled here: the built grpc is for that
    Python and the function's CPU (file name, wheel tag, ELF header). The aarch64 code is not
    run (no aarch64 CPU or emulator here)."""
    interpreter = require_python(runtime.version)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / f"python{runtime.version}").symlink_to(interpreter)
    project = render(tmp_path, runtime=runtime.name, architecture=arch.name)
    sam(project, "build", "--no-use-container", path_first=bin_dir)
    artifact = project / ".aws-sam" / "build" / "MomentoFunction"
    assert (artifact / "handler.py").is_file() and (artifact / "momento_client.py").is_file()
    assert (artifact / "momento").is_dir()
    assert not (artifact / "boto3").exists(), "boto3 comes with the Lambda runtime"
    assert not (artifact / "tests").exists()
    platforms = extension_platforms(artifact)
    abi = "cpython-" + runtime.version.replace(".", "")
    grpc = [name for name in platforms if name.startswith("grpc/_cython/cygrpc.")]
    assert grpc == [f"grpc/_cython/cygrpc.{abi}-{arch.cpu}-linux-gnu.so"], grpc
    assert set(platforms.values()) == {arch.cpu}, platforms
    abi_tags = {match.group(1) for name in platforms if (match := re.search(r"\.(cpython-\d+|abi3)\b", name))}
    assert abi_tags <= {abi, "abi3"} and abi in abi_tags, platforms
    (wheel,) = artifact.glob("grpcio-*.dist-info/WHEEL")
    python_tag = "cp" + runtime.version.replace(".", "")
    tags = [line.removeprefix("Tag: ") for line in wheel.read_text().splitlines() if line.startswith("Tag: ")]
    assert tags and all(re.fullmatch(rf"{python_tag}-{python_tag}-manylinux\w*_{arch.cpu}", tag) for tag in tags), tags


def test_sam_build_nodejs_packs_only_the_code_and_runtime_dependencies(tmp_path):
    require_tool("npm")
    project = render(tmp_path, runtime="nodejs22.x")
    sam(project, "build", "--no-use-container")
    artifact = project / ".aws-sam" / "build" / "MomentoFunction"
    assert (artifact / "src" / "handler.mjs").is_file() and (artifact / "src" / "momentoClient.mjs").is_file()
    assert (artifact / "node_modules" / "@gomomento" / "sdk" / "package.json").is_file()
    assert not (artifact / "node_modules" / "@aws-sdk" / "client-secrets-manager").exists(), "a devDependency"
    assert not (artifact / "tests").exists() and not (artifact / "events").exists()
    assert not (artifact / "template.yaml").exists()


TRANSFORM = """
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

class NoManagedPolicies:
    def load(self):
        return {}

document = yaml_parse(open(sys.argv[1]).read())
document["Resources"]["MomentoFunction"]["Properties"]["CodeUri"] = "s3://bucket/code.zip"
print(json.dumps(transform(document, {}, NoManagedPolicies())))
"""


def sam_transform(project: Path) -> dict:
    """The CloudFormation the SAM CLI's own translator (in its venv) makes of the template."""
    python = require_tool("sam").parent / "python"
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
    result = subprocess.run(
        [str(python), "-c", TRANSFORM, str(project / "template.yaml")],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    transformed: dict = json.loads(result.stdout)
    return transformed


SNAPSTART_RUNTIMES = [catalog.runtime(name) for name in catalog.SNAPSTART_RUNTIME_NAMES]


@pytest.mark.parametrize("runtime", SNAPSTART_RUNTIMES[:2], ids=lambda r: r.name)
def test_sam_snapstart_project_validates_transforms_and_builds_with_the_hooks_library(tmp_path, runtime):
    """--snapstart: cfn-lint and `sam validate --lint` accept it; SAM's transform gives the function
    SnapStart, a published version behind the catalog's alias, and points the HTTP API at the
    alias; `sam build` packs snapshot_restore_py next to the client module."""
    from cfnlint.api import ManualArgs, lint

    interpreter = require_python(runtime.version)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / f"python{runtime.version}").symlink_to(interpreter)
    project = render(tmp_path, runtime=runtime.name, snapstart=True)
    matches = lint((project / "template.yaml").read_text(), config=ManualArgs(regions=["us-east-1"]))
    assert [str(m) for m in matches] == []
    sam(project, "validate", "--lint")

    resources = sam_transform(project)["Resources"]
    function = resources["MomentoFunction"]["Properties"]
    assert function["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    [(version_id, version)] = [(k, r) for k, r in resources.items() if r["Type"] == "AWS::Lambda::Version"]
    [(alias_id, alias)] = [(k, r) for k, r in resources.items() if r["Type"] == "AWS::Lambda::Alias"]
    assert version["Properties"]["FunctionName"] == {"Ref": "MomentoFunction"}
    assert alias["Properties"]["Name"] == catalog.SNAPSTART_ALIAS
    assert alias["Properties"]["FunctionVersion"] == {"Fn::GetAtt": [version_id, "Version"]}
    [permission] = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"]
    assert permission["Properties"]["FunctionName"] == {"Ref": alias_id}
    assert alias_id in json.dumps(resources["ServerlessHttpApi"]["Properties"]["Body"])

    sam(project, "build", "--no-use-container", path_first=bin_dir)
    artifact = project / ".aws-sam" / "build" / "MomentoFunction"
    assert (artifact / "momento_client.py").is_file() and (artifact / "snapshot_restore_py.py").is_file()
