"""`new --language typescript`: the option, the files, the one source of the Node.js code
(the template's .mjs files are generated from its .ts files), and the real tools on generated
TypeScript projects (tsc --noEmit, the project's own tests, sam build with esbuild, osls
package, doctor on the build output)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import zipfile

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.scaffold.render import template_dir
from tests.support.generated import REPO_ROOT, assert_node_tests_passed, node_test_files, npm_install, render
from tests.support.tools import TOOLS_DIR, in_ci, require_tool
from tests.test_new import assert_one_line_error

GENERATOR = REPO_ROOT / "scripts" / "gen_node_client.py"


def test_typescript_is_refused_for_a_python_runtime(run_cli, tmp_path):
    result = run_cli("new", "demo", "--language", "typescript", "--runtime", "python3.13", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert_one_line_error(result, "--language typescript", "python3.13")
    assert "nodejs24.x" in result.stderr
    assert not (tmp_path / "demo").exists()


def test_language_defaults_and_is_recorded(tmp_path):
    python = render(tmp_path / "py")
    javascript = render(tmp_path / "js", runtime="nodejs22.x")
    typescript = render(tmp_path / "ts", runtime="nodejs22.x", language="typescript")
    languages = [
        json.loads((p / catalog.ANSWERS_FILE).read_text())["language"] for p in (python, javascript, typescript)
    ]
    assert languages == ["python", "javascript", "typescript"]


@pytest.mark.parametrize("framework", catalog.FRAMEWORK_NAMES)
def test_a_typescript_project_has_the_ts_sources_and_no_mjs(tmp_path, framework):
    project = render(tmp_path, framework=framework, runtime="nodejs24.x", language="typescript")
    files = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert {"src/handler.ts", "src/momentoClient.ts", "tests/handler.test.ts", "tsconfig.json"} <= files
    assert not [f for f in files if f.endswith(".mjs")]
    package = json.loads((project / "package.json").read_text())
    cdk_tests = " infra/*.test.ts" if framework == "cdk" else ""  # the stack's CDK assertions
    assert package["scripts"]["test"] == "node --import tsx --test tests/*.test.ts" + cdk_tests
    assert package["devDependencies"]["@types/node"] == "^24.0.0"
    assert ("serverless-esbuild" in package["devDependencies"]) == (framework == "serverless")


def test_a_javascript_project_has_no_typescript(tmp_path):
    project = render(tmp_path, runtime="nodejs22.x")
    assert not [p for p in project.rglob("*.ts")] and not (project / "tsconfig.json").exists()
    assert (project / "src" / "momentoClient.mjs").is_file()


@pytest.mark.integration
def test_the_committed_mjs_files_are_generated_from_the_typescript_sources():
    """One source: the .mjs files equal what scripts/gen_node_client.py strips from the .ts files."""
    if not (TOOLS_DIR / "node" / "node_modules" / "ts-blank-space" / "package.json").is_file():
        message = "ts-blank-space is not installed: run scripts/install-tools.sh (scripts/test.sh does it)"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    require_tool("node")
    env = {**os.environ, "MOMENTO_LAMBDA_TOOLS": str(TOOLS_DIR)}
    result = subprocess.run(
        [sys.executable, str(GENERATOR), "--check", "--root", str(template_dir() / "{{cookiecutter.project_name}}")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def _node(project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=project, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
@pytest.mark.parametrize(("framework", "runtime"), [("sam", "nodejs22.x"), ("serverless", "nodejs24.x")])
def test_tsc_and_the_project_s_own_tests_pass(tmp_path, framework, runtime):
    node = require_tool("node")
    project = render(tmp_path, framework=framework, runtime=runtime, language="typescript")
    npm_install(project)
    typecheck = _node(project, str(node), "node_modules/typescript/bin/tsc", "--noEmit")
    assert typecheck.returncode == 0, typecheck.stdout + typecheck.stderr
    files = [path.relative_to(project).as_posix() for path in node_test_files(project)]
    tests = _node(project, str(node), "--import", "tsx", "--test", *files)  # npm test, without a shell
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert_node_tests_passed(tests.stdout, project)


def _doctor_build_sdk(project) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "momento_lambda_cli", "doctor", "--offline", "--json", "--only", "build.sdk"],
        cwd=project, capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (check,) = json.loads(result.stdout)["data"]["checks"]
    return check


@pytest.mark.slow
def test_sam_validates_and_builds_the_typescript_handler_with_esbuild(tmp_path):
    from tests.test_generated_sam import sam

    node = require_tool("node")
    project = render(tmp_path, runtime="nodejs22.x", language="typescript")
    npm_install(project)
    assert "is a valid SAM Template" in sam(project, "validate", "--lint").stdout
    sam(project, "build", "--no-use-container", path_first=project / "node_modules" / ".bin")
    artifact = project / ".aws-sam" / "build" / "MomentoFunction"
    assert sorted(p.name for p in artifact.iterdir()) == ["handler.mjs"]
    bundle = (artifact / "handler.mjs").read_text()
    assert "node_modules/@gomomento/sdk/" in bundle  # the SDK is inside
    assert 'from "@aws-sdk/client-secrets-manager"' in bundle  # left to the Lambda runtime
    # The bundle loads and answers (Momento unreachable: served from the source).
    run = _node(
        project, str(node), "--input-type=module", "-e",
        "const { handler } = await import('./.aws-sam/build/MomentoFunction/handler.mjs');"
        "console.log('@@' + (await handler({ id: 'x' }, {})).body); process.exit(0);",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    body = json.loads(run.stdout.split("@@", 1)[1])
    assert body["cache"] == "error" and body["item"]["id"] == "x"
    assert _doctor_build_sdk(project)["status"] == "pass"


@pytest.mark.parametrize(
    ("language", "build"), [("typescript", ["npm install", "npm run build"]), ("javascript", ["sam build"])]
)
def test_sam_node_next_steps_build_the_way_that_works_on_a_fresh_clone(run_cli, tmp_path, language, build):
    result = run_cli("new", "steps", "--json", "-r", "nodejs24.x", "--language", language, "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)["data"]["next_steps"]
    assert [s for s in steps if s in ("npm install", "npm run build", "sam build")] == build
    assert steps.index(build[-1]) < steps.index("sam deploy --guided")


NOT_RUN_BY_THE_TEST = ("cd ", "momento-lambda ", "sam deploy")
"""Next steps that need a terminal, AWS or the key: everything else runs as printed."""


@pytest.mark.slow
def test_the_printed_next_steps_build_a_fresh_sam_typescript_project(run_cli, tmp_path):
    """The next steps `new` prints, run as printed on a fresh render (no node_modules yet) with
    only the SAM CLI and node on PATH: they build the bundle. Plain `sam build` does not (the SAM
    CLI's esbuild builder looks for esbuild on PATH, not in the project's node_modules), which is
    why the steps and the README say `npm install` then `npm run build`."""
    from tests.test_generated_sam import sam

    sam_bin = require_tool("sam").parent
    node_bin = require_tool("node").parent
    result = run_cli("new", "fresh", "--json", "-r", "nodejs22.x", "--language", "typescript", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    steps = json.loads(result.stdout)["data"]["next_steps"]
    project = tmp_path / "fresh"
    assert not (project / "node_modules").exists()
    runnable = [step for step in steps if not step.startswith(NOT_RUN_BY_THE_TEST)]
    assert runnable == ["npm install", "npm run build"]
    readme = (project / "README.md").read_text()
    build_section = readme.split("## 3. Build and deploy", 1)[1].split("```", 2)[1]
    assert [line.split("#")[0].strip() for line in build_section.splitlines()[1:] if line.strip()][:2] == runnable
    assert "npm install && npm run build" in readme.split("## 3.", 1)[0]  # the local-run section too

    with pytest.raises(AssertionError, match="Cannot find esbuild"):  # what the steps used to say
        sam(project, "build")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "PATH": os.pathsep.join(dict.fromkeys([str(sam_bin), str(node_bin), "/usr/bin", "/bin"])),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "SAM_CLI_TELEMETRY": "0",
    }
    for step in runnable:
        run = subprocess.run(
            shlex.split(step), cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False
        )
        assert run.returncode == 0, f"{step}: {run.stdout[-3000:]}{run.stderr[-3000:]}"
    artifact = project / ".aws-sam" / "build" / "MomentoFunction" / "handler.mjs"
    assert "node_modules/@gomomento/sdk/" in artifact.read_text()


@pytest.mark.slow
def test_osls_packages_the_bundled_typescript_handler(tmp_path):
    from tests.test_generated_serverless import function, package

    project = render(tmp_path, framework="serverless", runtime="nodejs24.x", language="typescript")
    npm_install(project)
    template, calls = package(project, tmp_path)
    assert calls == []
    properties = function(template)
    assert properties["Handler"] == "src/handler.handler" and properties["Runtime"] == "nodejs24.x"
    (archive,) = (project / ".serverless").glob("*.zip")
    names = zipfile.ZipFile(archive).namelist()
    assert names == ["src/handler.mjs"], names
    assert b"node_modules/@gomomento/sdk/" in zipfile.ZipFile(archive).read("src/handler.mjs")
    assert _doctor_build_sdk(project)["status"] == "pass"
