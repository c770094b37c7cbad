"""`new --pattern rate-limit`: the project renders with its own handler and tests (and none of
cache-aside's), lints, passes its own suite, and, invoked for real in one process (one execution
environment) against moto and the local Momento server, reads the secret once, builds one
client, and allows exactly N requests per window to 4 concurrent callers."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.scaffold.answers import build_answers
from momento_lambda_cli.scaffold.layout import keeps
from tests.support.counting_proxy import CountingProxy
from tests.support.generated import project_venv, render, run_project_tests, seed_local_peers
from tests.support.keys import MARKER
from tests.support.tools import require_python


def test_the_layout_gives_each_pattern_its_handler_and_tests_and_shares_the_rest():
    rate = build_answers("demo", runtime="python3.12", pattern="rate-limit")
    aside = build_answers("demo", runtime="python3.12")
    for path in ("src/rate_limit.py", "tests/test_rate_limit.py"):
        assert keeps(path, rate) and not keeps(path, aside)
    for path in ("src/handler.py", "tests/test_handler.py", "src/handler.ts", "tests/handler.test.mjs"):
        assert not keeps(path, rate)
    for path in (
        "src/momento_client.py",
        "tests/test_momento_client.py",
        "tests/conftest.py",
        "tests/momento_local.py",
    ):
        assert keeps(path, rate) and keeps(path, aside)


@pytest.mark.parametrize("framework", catalog.FRAMEWORK_NAMES)
def test_the_project_points_the_function_at_the_rate_limit_handler(tmp_path, framework):
    project = render(tmp_path, runtime="python3.13", framework=framework, pattern="rate-limit")
    files = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    assert "src/rate_limit.py" in files and "src/handler.py" not in files and "tests/test_handler.py" not in files
    # A CDK app names the handler and its environment in its stack, not in cdk.json.
    config_file = "infra/momento_stack.py" if framework == "cdk" else catalog.framework(framework).template_file  # type: ignore[union-attr]
    config = (project / config_file).read_text()
    assert ("rate_limit.lambda_handler" in config) and (
        "handler.lambda_handler" not in config.replace("rate_limit.", "")
    )
    for setting in ("RATE_LIMIT_MAX_REQUESTS", "RATE_LIMIT_WINDOW_SECONDS", "RATE_LIMIT_FAIL"):
        assert setting in config
    answers = json.loads((project / catalog.ANSWERS_FILE).read_text())
    assert answers["pattern"] == "rate-limit"


def test_a_pattern_the_runtime_has_no_handler_for_is_a_usage_error(run_cli, tmp_path, monkeypatch):
    import dataclasses

    python_only = dataclasses.replace(catalog.RATE_LIMIT, languages=("python",))
    monkeypatch.setattr(catalog, "pattern", lambda name: python_only if name == python_only.name else None)
    result = run_cli("new", "demo", "--no-input", "-o", str(tmp_path), "-r", "nodejs22.x", "--pattern", "rate-limit")
    assert result.exit_code == 2, result.output
    assert "--pattern rate-limit is available for Python runtimes" in result.stderr
    assert not (tmp_path / "demo").exists()


def test_an_unknown_pattern_is_refused_by_the_option(run_cli, tmp_path):
    result = run_cli("new", "demo", "--no-input", "-o", str(tmp_path), "--pattern", "write-behind")
    assert result.exit_code == 2 and "write-behind" in result.stderr


def test_the_sam_template_passes_cfn_lint(tmp_path):
    from cfnlint.api import lint_all

    project = render(tmp_path, runtime="python3.12", framework="sam", pattern="rate-limit", architecture="arm64")
    matches = lint_all((project / "template.yaml").read_text())
    assert not [m for m in matches if m.rule.id.startswith("E")], matches


def test_doctor_finds_the_rate_limit_project_healthy(tmp_path, run_cli):
    """doctor reads the pattern's handler like any other: the client module, the grant and the
    build settings are the same, so no check fails or warns about the project."""
    project = render(tmp_path, runtime="python3.12", framework="sam", pattern="rate-limit")
    result = run_cli("doctor", str(project), "--offline", "--json")
    document = json.loads(result.stdout)
    bad = [c for c in document["data"]["checks"] if c["status"] in ("fail", "error")]
    assert not bad, bad
    code_checks = {c["id"]: c["status"] for c in document["data"]["checks"] if c["id"].startswith("code.")}
    assert code_checks and "pass" in code_checks.values()


@pytest.mark.integration
@pytest.mark.parametrize("framework", catalog.FRAMEWORK_NAMES)
def test_the_generated_tests_pass_inside_the_project(tmp_path, framework):
    project = render(tmp_path, runtime="python3.11", framework=framework, pattern="rate-limit")
    # A CDK project's stack tests need aws-cdk-lib (its requirements.txt): the slow tier runs them.
    run_project_tests(project, paths=("tests",) if framework == "cdk" else ())


RUNTIME_VARIANTS = [(r.name, False) for r in catalog.OFFERED_RUNTIMES if r.language == catalog.PYTHON] + [
    (catalog.SNAPSTART_RUNTIME_NAMES[0], True)
]


@pytest.mark.slow
@pytest.mark.parametrize(("runtime", "snapstart"), RUNTIME_VARIANTS)
def test_the_generated_tests_pass_on_the_runtimes_python(tmp_path, runtime, snapstart):
    """The project's own tests on the runtime's Python (with --snapstart, tests/test_snapstart.py
    too: it drives the client without the cache-aside handler)."""
    interpreter = require_python(catalog.runtime(runtime).version)  # type: ignore[union-attr]
    project = render(tmp_path, runtime=runtime, framework="sam", pattern="rate-limit", snapstart=snapstart)
    assert (project / "tests" / "test_snapstart.py").is_file() == snapstart
    python = project_venv(project, interpreter)
    run_project_tests(project, python)


class Environment:
    """One execution environment: the project's modules imported once, every client counted
    and sent to the local server (with the key the secret held)."""

    def __init__(self, project: Path, server: object) -> None:
        src = str(project / "src")
        for name in ("rate_limit", "momento_client"):
            sys.modules.pop(name, None)
        sys.path.insert(0, src)
        import momento_client
        import rate_limit

        self.src, self.handler, self.client = src, rate_limit, momento_client
        self.created = 0
        original = momento_client.CacheClient

        def counting(configuration: object, provider: object, default_ttl: object) -> object:
            self.created += 1
            return original(configuration, server.credential_provider(provider.auth_token), default_ttl)  # type: ignore[attr-defined]

        momento_client.CacheClient = counting

    def close(self) -> None:
        self.client.reset()
        sys.path.remove(self.src)
        for name in ("rate_limit", "momento_client"):
            sys.modules.pop(name, None)


@pytest.fixture
def environment(tmp_path, aws, momento_server, monkeypatch) -> Iterator[tuple[ModuleType, Environment, dict]]:
    project = render(tmp_path, name="limited", runtime="python3.11", pattern="rate-limit")
    env = Environment(project, momento_server)
    with CountingProxy(aws.url) as proxy:
        peers = seed_local_peers(aws, momento_server, proxy.url)
        for name, value in peers["env"].items():
            monkeypatch.setenv(name, value)
        try:
            yield env.handler, env, {**peers, "proxy": proxy, "server": momento_server}
        finally:
            env.close()


@pytest.mark.integration
def test_100_requests_from_4_concurrent_callers_against_moto_and_the_local_momento_server(
    environment, monkeypatch, capsys
):
    handler, env, peers = environment
    monkeypatch.setenv("RATE_LIMIT_MAX_REQUESTS", "40")
    monkeypatch.setenv("RATE_LIMIT_WINDOW_SECONDS", "3600")
    monkeypatch.setattr(handler, "clock", lambda: 1_800_000_000.0)  # mid-window for the whole run
    request = {"pathParameters": {"id": "demo"}, "requestContext": {"http": {"sourceIp": "203.0.113.9"}}}
    statuses: list[int] = []
    lock = threading.Lock()

    def caller() -> None:
        for _ in range(25):
            response = handler.lambda_handler(request, None)
            with lock:
                statuses.append(response["statusCode"])

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses.count(200) == 40 and statuses.count(429) == 60
    assert peers["proxy"].calls["GetSecretValue"] == 1
    assert env.created == 1
    server = peers["server"]
    assert server.state.calls["Increment"] == 100
    (ttl,) = set(server.state.ttls.values())
    assert ttl == 3_600_000 - 1_800_000_000 % 3600 * 1000  # the time left in the window, not a full window
    assert MARKER not in capsys.readouterr().out

    server.state.delay_seconds = 3  # Momento stalls: fail open (the default) after the client's deadline
    response = handler.lambda_handler(request, None)
    line = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert response["statusCode"] == 200, json.dumps(line)
    assert line["error"] == "TIMEOUT_ERROR" and line["cache_ms"] < 2000


def test_update_switches_a_project_to_the_pattern(run_cli, tmp_path):
    """`update --answer pattern=rate-limit`: the cache-aside handler and its tests go, the
    rate-limit ones come, the template points at them; the result is what `new` renders."""
    from tests.support.template_versions import commit_all, tree

    assert run_cli("new", "svc", "--no-input", "-o", str(tmp_path / "a"), "-r", "python3.12").exit_code == 0
    project = tmp_path / "a" / "svc"
    commit_all(project)
    result = run_cli("update", str(project), "--answer", "pattern=rate-limit")
    assert result.exit_code == 0, result.output
    assert "removed  src/handler.py" in result.stdout and "added    src/rate_limit.py" in result.stdout
    fresh = run_cli(
        "new", "svc", "--no-input", "-o", str(tmp_path / "b"), "-r", "python3.12", "--pattern", "rate-limit"
    )
    assert fresh.exit_code == 0
    expected = {k: v for k, v in tree(tmp_path / "b" / "svc").items() if k != catalog.ANSWERS_FILE}
    assert {k: v for k, v in tree(project).items() if k != catalog.ANSWERS_FILE} == expected
