"""Helpers for tests that render projects and drive what they generate."""

from __future__ import annotations

import atexit
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from filelock import FileLock

from momento_lambda_cli.scaffold.answers import build_answers
from momento_lambda_cli.scaffold.render import render_project

REPO_ROOT = Path(__file__).resolve().parents[2]
ENDPOINT = "cell-test.example.momentohq.com"
"""The Momento endpoint stored with the v2 keys of the local-invocation tests."""
NPM_CACHE = Path(
    os.environ.get("MOMENTO_LAMBDA_NPM_CACHE", Path(tempfile.gettempdir()) / "momento-lambda-npm-projects")
)


def doctor_frameworks_for(pattern: str) -> tuple[str, ...]:
    """The frameworks `new` renders ``pattern`` for whose projects `doctor` reads (not CDK's yet)."""
    from momento_lambda_cli import catalog

    return tuple(f for f in catalog.frameworks_for(pattern) if f in catalog.DOCTOR_FRAMEWORK_NAMES)


def template_frameworks_for(pattern: str) -> tuple[str, ...]:
    """The frameworks `new` renders ``pattern`` for whose project file declares the functions (SAM's
    template.yaml, serverless.yml); a CDK app declares them in code (``infra/``, tests/test_new_cdk.py)."""
    from momento_lambda_cli import catalog

    return tuple(f for f in catalog.frameworks_for(pattern) if f != catalog.CDK.name)


def function_definitions(project: Path, framework: str) -> str:
    """The text that declares the project's functions: a CDK app's stack (``infra/momento_stack.py``
    / ``infra/momentoStack.ts``), else the framework's project file."""
    from momento_lambda_cli import catalog

    stacks = [path for path in (project / "infra").glob("*") if path.name in ("momento_stack.py", "momentoStack.ts")]
    if stacks:
        return "".join(path.read_text() for path in stacks)
    return (project / catalog.framework(framework).template_file).read_text()  # type: ignore[union-attr]


def project_test_paths(project: Path) -> tuple[str, ...]:
    """What of a rendered project's own tests the dev venv runs: all of them, but a CDK app's stack
    tests (``infra/``) need aws-cdk-lib, which only the slow tier installs (tests/test_generated_cdk.py)."""
    return ("tests",) if (project / "infra").is_dir() else ()


_RENDERED: dict[tuple[str, tuple[tuple[str, Any], ...]], Path] = {}
"""Projects already rendered in this test process, by name and options (pristine: never handed out)."""


def render(tmp_path: Path, name: str = "demo", **options: Any) -> Path:
    """A project as the scaffold core renders it (what `new --no-input` does), in ``tmp_path``.

    Each combination is rendered once per test process and copied for every test that asks
    for it (a copy costs a fraction of a render); the test owns its copy."""
    key = (name, tuple(sorted(options.items())))
    pristine = _RENDERED.get(key)
    if pristine is None:
        root = Path(tempfile.mkdtemp(prefix="momento-lambda-render-"))
        atexit.register(shutil.rmtree, root, True)
        pristine = _RENDERED[key] = render_project(build_answers(name, **options), root).project_dir
    project = tmp_path / pristine.name
    shutil.copytree(pristine, project, symlinks=True)
    return project


def template_documents(project: Path) -> dict[str, Any]:
    """The SAM template as cfn-lint decodes it (intrinsics as dicts: Fn::If, Ref, Fn::Sub)."""
    from cfnlint.decode import decode_str

    template, matches = decode_str((project / "template.yaml").read_text())
    assert not matches, matches
    return template


def serverless_document(project: Path) -> Any:
    from ruamel.yaml import YAML

    # pure: libyaml (YAML 1.1) refuses `[{ Fn::Equals: ... }]`, which the Serverless Framework accepts
    return YAML(typ="safe", pure=True).load((project / "serverless.yml").read_text())


def npm_install(project: Path, *, lock_file: bool = False) -> None:
    """``npm install`` the generated project's package.json, reusing node_modules across tests.

    The install result is cached per package.json content (in the temp folder), so a test
    run pays for one registry install per distinct package.json; projects get hard links.
    ``lock_file``: the project also gets the ``package-lock.json`` npm wrote (CDK's
    NodejsFunction requires one, as after a real ``npm install``).
    """
    from tests.support.tools import require_tool

    npm = require_tool("npm")
    manifest = (project / "package.json").read_bytes()
    digest = hashlib.sha256(manifest.replace(project.name.lower().encode(), b"NAME")).hexdigest()[:16]
    cached = NPM_CACHE / digest
    if not (cached / "node_modules").is_dir():
        work = NPM_CACHE / f".{digest}.{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        shutil.copy(project / "package.json", work / "package.json")
        subprocess.run(
            [str(npm), "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=work,
            check=True,
            capture_output=True,
            text=True,
            timeout=600,
        )
        try:
            work.rename(cached)
        except OSError:  # another process won the race
            shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(cached / "node_modules", project / "node_modules", symlinks=True, copy_function=os.link)
    if lock_file:
        shutil.copy(cached / "package-lock.json", project / "package-lock.json")


PYTHON_PROJECT_VENVS = Path(
    os.environ.get("MOMENTO_LAMBDA_PROJECT_VENVS", Path(tempfile.gettempdir()) / "momento-lambda-python-projects")
)


def project_venv(project: Path, interpreter: Path) -> Path:
    """A venv made with ``interpreter`` holding the generated project's ``requirements-dev.txt``;
    returns its ``python``. Kept (in the temp folder) per interpreter and requirements, so a
    test run pays for one install per Python and momento version."""
    requirements = (project / "requirements-dev.txt").read_bytes() + (project / "src" / "requirements.txt").read_bytes()
    if (project / "requirements.txt").is_file():  # a CDK app's aws-cdk-lib (requirements-dev.txt includes it)
        requirements += b"\0" + (project / "requirements.txt").read_bytes()
    digest = hashlib.sha256(str(interpreter.resolve()).encode() + b"\0" + requirements).hexdigest()[:16]
    venv = PYTHON_PROJECT_VENVS / digest
    python = venv / "bin" / "python"
    venv.parent.mkdir(parents=True, exist_ok=True)
    # One builder per venv across pytest-xdist workers and concurrent runs; the others wait for it.
    with FileLock(venv.parent / f".{digest}.lock", timeout=900):
        if not (venv / ".complete").is_file():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([str(interpreter), "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", "requirements-dev.txt"],
                cwd=project, check=True, capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            (venv / ".complete").touch()
    return python


def python_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(extra)
    return env


PYTHON = sys.executable


def seed_local_peers(
    aws: Any,
    momento_server: Any,
    proxy_url: str,
    name: str = "local-demo",
    encode: Callable[[str, str], str] | None = None,
) -> dict[str, Any]:
    """A secret in moto holding a v2 key and a cache on the local Momento server accepting
    only that key; returns the key, the secret ARN, a Secrets Manager client and the function
    environment (Secrets Manager through ``proxy_url``). The function's client reaches the local
    server only when the harness redirects the credentials the secret gives (``MOMENTO_LOCAL``
    would skip the secret). ``encode(key, endpoint)`` makes the SecretString (default: the
    contract shape)."""
    from momento_lambda_cli.contract import encode_secret
    from tests.support.keys import v2_key

    key = v2_key("first")
    secrets = aws.client("secretsmanager")
    secret_string = (encode or encode_secret)(key, ENDPOINT)
    arn = secrets.create_secret(Name=f"momento/{name}/api-key", SecretString=secret_string)["ARN"]
    momento_server.create_cache(name)
    momento_server.state.valid_keys = {key}
    env = {
        "AWS_ENDPOINT_URL": proxy_url,
        "MOMENTO_SECRET_ARN": arn,
        "MOMENTO_CACHE_NAME": name,
        "MOMENTO_DEFAULT_TTL_SECONDS": "60",
    }
    return {"key": key, "arn": arn, "secrets": secrets, "env": env}


NODE_SHAPE_TESTS = ("a secret of shape key-refresh serves the cache", "a rotation from shape key-refresh to shape")
"""Tests the generated Node.js suite declares in a loop over the secret shapes (spot-checked by name)."""


def node_test_files(project: Path) -> list[Path]:
    """The generated Node.js project's test files (``tests/*.test.mjs`` or ``.ts``), as ``npm test`` runs them."""
    return sorted((project / "tests").glob("*.test.mjs")) or sorted((project / "tests").glob("*.test.ts"))


def assert_node_tests_passed(stdout: str, project: Path) -> None:
    """`node --test` passed every test of the project's test files: the top-level ``test(`` calls
    and the ones the client tests declare in loops (one per secret shape, so more pass than are
    written)."""
    files = node_test_files(project)
    assert files, f"no test files in {project / 'tests'}"
    declared = sum(path.read_text().count("\ntest(") for path in files)
    passed = re.search(r"^# pass (\d+)$", stdout, re.MULTILINE)
    assert passed and int(passed[1]) > declared and "# fail 0" in stdout, stdout[-2000:]
    for name in NODE_SHAPE_TESTS:
        assert re.search(rf"^ok \d+ - {name}", stdout, re.MULTILINE), name


NODE_LOCAL_PRELUDE = """
import sdk from '@gomomento/sdk';

// Send every Momento client the generated code makes to the local server (DRIVE_MOMENTO_ENDPOINT,
// plain gRPC) with the key the secret gave, and count the cache clients in `created`.
const local = process.env.DRIVE_MOMENTO_ENDPOINT;
const toLocal = (provider) => Object.assign(Object.create(provider), {
  getCacheEndpoint: () => local, getControlEndpoint: () => local, getTokenEndpoint: () => local,
  isCacheEndpointSecure: () => false, isControlEndpointSecure: () => false, isTokenEndpointSecure: () => false,
  isStorageEndpointSecure: () => false, isEndpointSecure: () => false, areEndpointsOverridden: () => true,
});
const originalCreate = sdk.CacheClient.create;
let created = 0;
sdk.CacheClient.create = async function (props) {
  created += 1;
  return originalCreate.call(this, { ...props, credentialProvider: toLocal(props.credentialProvider) });
};
"""
"""The start of a node driver that runs a generated Node.js handler against the local Momento server."""


def run_node_project_tests(project: Path, typescript: bool, expected: list[str]) -> subprocess.CompletedProcess[str]:
    """The generated Node.js project's own tests, as ``npm test`` runs them (and ``tsc --noEmit``
    for TypeScript): ``expected`` names the test files (``momentoClient`` for tests/momentoClient.test.*);
    asserts that every test passed."""
    from tests.support.tools import require_tool

    node = require_tool("node")
    files = [path.relative_to(project).as_posix() for path in node_test_files(project)]
    assert [Path(f).name.split(".")[0] for f in files] == expected
    loader = ["--import", "tsx"] if typescript else []
    result = subprocess.run(
        [str(node), *loader, "--test", *files], cwd=project, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert_node_tests_passed(result.stdout, project)
    if typescript:
        typecheck = subprocess.run(
            [str(node), "node_modules/typescript/bin/tsc", "--noEmit"],
            cwd=project, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert typecheck.returncode == 0, typecheck.stdout + typecheck.stderr
    return result


def run_project_tests(
    project: Path, python: str | Path = sys.executable, paths: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """The generated project's own pytest suite (or only ``paths`` of it), run by ``python``
    inside the project; asserts it passed."""
    result = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *paths],
        cwd=project, capture_output=True, text=True, env=python_env(), timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout
    return result
