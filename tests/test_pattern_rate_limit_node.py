"""`new --pattern rate-limit` for Node.js (JavaScript and TypeScript): the project gets the
rate-limit handler (``src/rateLimit``) and its tests, shares the client module and its tests with
every pattern, lints, passes its own suite, and, run with node against moto and the local Momento
server (the real SDK), reads the secret once, builds one client and allows exactly N requests per
window to 4 concurrent callers."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.scaffold.answers import build_answers
from momento_lambda_cli.scaffold.layout import keeps
from tests.support.counting_proxy import CountingProxy
from tests.support.generated import (
    NODE_LOCAL_PRELUDE,
    npm_install,
    render,
    run_node_project_tests,
    seed_local_peers,
)
from tests.support.keys import MARKER
from tests.support.tools import require_tool

LANGUAGES = catalog.NODE_SOURCE_LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_layout_gives_node_projects_the_pattern_s_handler_and_shares_the_client_tests(language):
    ext = "ts" if language == catalog.TYPESCRIPT else "mjs"
    rate = build_answers("demo", runtime="nodejs22.x", language=language, pattern="rate-limit")
    aside = build_answers("demo", runtime="nodejs22.x", language=language)
    for path in (f"src/rateLimit.{ext}", f"tests/rateLimit.test.{ext}"):
        assert keeps(path, rate) and not keeps(path, aside)
    for path in (f"src/handler.{ext}", f"tests/handler.test.{ext}"):
        assert keeps(path, aside) and not keeps(path, rate)
    for path in (f"src/momentoClient.{ext}", f"tests/momentoClient.test.{ext}", f"tests/fakes.{ext}"):
        assert keeps(path, rate) and keeps(path, aside)


@pytest.mark.parametrize("framework", catalog.DOCTOR_FRAMEWORK_NAMES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_function_points_at_the_rate_limit_handler(tmp_path, framework, language):
    project = render(tmp_path, runtime="nodejs22.x", framework=framework, language=language, pattern="rate-limit")
    files = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    ext = "ts" if language == catalog.TYPESCRIPT else "mjs"
    assert {f"src/rateLimit.{ext}", f"tests/rateLimit.test.{ext}", f"src/momentoClient.{ext}"} <= files
    assert not [f for f in files if "handler" in f.lower()]
    config = (project / catalog.framework(framework).template_file).read_text()  # type: ignore[union-attr]
    assert "rateLimit.handler" in config and "handler.handler" not in config
    assert ("- src/rateLimit.ts" in config) == (language == catalog.TYPESCRIPT and framework == "sam")
    for setting in ("RATE_LIMIT_MAX_REQUESTS", "RATE_LIMIT_WINDOW_SECONDS", "RATE_LIMIT_FAIL"):
        assert setting in config
    readme = (project / "README.md").read_text()
    assert f"src/rateLimit.{ext}" in readme and "src/handler" not in readme and "rate_limit" not in readme


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sam_template_passes_cfn_lint(tmp_path, language):
    from cfnlint.api import lint_all

    project = render(tmp_path, runtime="nodejs24.x", language=language, pattern="rate-limit", architecture="arm64")
    matches = lint_all((project / "template.yaml").read_text())
    assert not [m for m in matches if m.rule.id.startswith("E")], matches


@pytest.mark.parametrize("framework", catalog.DOCTOR_FRAMEWORK_NAMES)
def test_doctor_finds_the_node_rate_limit_project_healthy(tmp_path, run_cli, framework):
    project = render(tmp_path, runtime="nodejs22.x", framework=framework, language="typescript", pattern="rate-limit")
    result = run_cli("doctor", str(project), "--offline", "--json")
    document = json.loads(result.stdout)
    bad = [c for c in document["data"]["checks"] if c["status"] in ("fail", "error")]
    assert not bad, bad
    code_checks = {c["id"]: c["status"] for c in document["data"]["checks"] if c["id"].startswith("code.")}
    assert code_checks and "pass" in code_checks.values()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("framework", "runtime", "language"),
    [("sam", "nodejs22.x", "javascript"), ("serverless", "nodejs24.x", "typescript")],
)
def test_the_generated_tests_pass_inside_the_project(tmp_path, framework, runtime, language):
    project = render(tmp_path, framework=framework, runtime=runtime, language=language, pattern="rate-limit")
    npm_install(project)
    result = run_node_project_tests(project, language == catalog.TYPESCRIPT, ["momentoClient", "rateLimit"])
    assert "N requests are allowed, then 429 with Retry-After" in result.stdout


DRIVER = (
    NODE_LOCAL_PRELUDE
    + """
const { handler, clock } = await import('./src/MODULE');
clock.now = () => 1_800_000_100_000; // 100 s into an hour's window, for the whole run

const request = { pathParameters: { id: 'demo' }, requestContext: { http: { sourceIp: '203.0.113.9' } } };
async function caller() {
  const statuses = [];
  for (let i = 0; i < 25; i += 1) statuses.push((await handler(request, { awsRequestId: `req-${i}` })).statusCode);
  return statuses;
}
const statuses = (await Promise.all([caller(), caller(), caller(), caller()])).flat();
process.stdout.write(`@@${JSON.stringify({ statuses, created })}\\n`);
process.exit(0);
"""
)


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_100_requests_from_4_concurrent_callers_against_moto_and_the_local_momento_server(
    tmp_path, aws, momento_server, language
):
    """The real SDK against the local server, whose increment is atomic and which keeps each
    item's TTL: exactly 40 of 100 are allowed, with one secret read and one client."""
    node = require_tool("node")
    typescript = language == catalog.TYPESCRIPT
    project = render(tmp_path, name="limited", runtime="nodejs22.x", language=language, pattern="rate-limit")
    npm_install(project)
    (project / "drive.mjs").write_text(DRIVER.replace("MODULE", "rateLimit.ts" if typescript else "rateLimit.mjs"))
    with CountingProxy(aws.url) as proxy:
        peers = seed_local_peers(aws, momento_server, proxy.url)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOMENTO_"))},
            **aws.env,
            **peers["env"],
            "DRIVE_MOMENTO_ENDPOINT": momento_server.endpoint,
            "RATE_LIMIT_MAX_REQUESTS": "40",
            "RATE_LIMIT_WINDOW_SECONDS": "3600",
        }
        result = subprocess.run(
            [str(node), *(["--import", "tsx"] if typescript else []), "drive.mjs"],
            cwd=project, env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        (line,) = [line for line in result.stdout.splitlines() if line.startswith("@@")]
        reply = json.loads(line[2:])
        assert reply["statuses"].count(200) == 40 and reply["statuses"].count(429) == 60
        assert reply["created"] == 1
        assert proxy.calls["GetSecretValue"] == 1
    assert momento_server.state.calls["Increment"] == 100
    (ttl,) = set(momento_server.state.ttls.values())
    assert ttl == 3_500_000  # the 3500 s left in the window, in ms (not a full window)
    logs = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert len(logs) == 100 and sum(log["allowed"] for log in logs) == 40
    assert MARKER not in result.stdout + result.stderr


@pytest.mark.slow
def test_sam_validates_and_builds_the_typescript_rate_limit_bundle(tmp_path):
    """`sam build` with esbuild bundles src/rateLimit.ts into rateLimit.mjs; the bundle loads and
    answers (Momento unreachable here: fail open, 200)."""
    from tests.test_generated_sam import sam

    node = require_tool("node")
    project = render(tmp_path, runtime="nodejs22.x", language="typescript", pattern="rate-limit")
    npm_install(project)
    assert "is a valid SAM Template" in sam(project, "validate", "--lint").stdout
    sam(project, "build", "--no-use-container", path_first=project / "node_modules" / ".bin")
    artifact = project / ".aws-sam" / "build" / "MomentoFunction"
    assert sorted(p.name for p in artifact.iterdir()) == ["rateLimit.mjs"]
    assert "node_modules/@gomomento/sdk/" in (artifact / "rateLimit.mjs").read_text()
    run = subprocess.run(
        [str(node), "--input-type=module", "-e",
         "const { handler } = await import('./.aws-sam/build/MomentoFunction/rateLimit.mjs');"
         "console.log('@@' + (await handler({}, {})).statusCode); process.exit(0);"],
        cwd=project, capture_output=True, text=True, timeout=120, check=False,
        env={k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOMENTO_"))},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("@@", 1)[1].strip() == "200"


@pytest.mark.slow
def test_osls_packages_the_javascript_rate_limit_handler(tmp_path):
    from tests.test_generated_serverless import function, package

    project = render(tmp_path, framework="serverless", runtime="nodejs24.x", pattern="rate-limit")
    npm_install(project)
    template, calls = package(project, tmp_path)
    assert calls == []
    properties = function(template)
    assert properties["Handler"] == "src/rateLimit.handler"
    assert properties["Environment"]["Variables"]["RATE_LIMIT_FAIL"] == "open"
    import zipfile

    (archive,) = (project / ".serverless").glob("*.zip")
    names = zipfile.ZipFile(archive).namelist()
    assert "src/rateLimit.mjs" in names and "src/momentoClient.mjs" in names
    assert not [n for n in names if n.startswith("tests/") or n == "src/handler.mjs"]
