"""The generated client modules' Secrets Manager read, against an endpoint that misbehaves
(tests/support/faulty_endpoint.py, on 127.0.0.1 through ``AWS_ENDPOINT_URL``): one that never
answers, one that answers after 4 s, one that answers HTTP 500. Each module is imported the way
Lambda's INIT imports it (``MOMENTO_INIT_CLIENT=eager``, the template's default), in its own
process, after the SDKs are loaded, so the import's duration is the INIT time the read costs.

The promises: 1 s per attempt (connect and answer), exactly one retry (2 requests reach the
endpoint), INIT returns without a client (the first request retries), and INIT stays within the
bound the README states: Node.js 2.5 s (a deadline on the whole read), Python about 2-3 s.

Python runs on this interpreter (integration); Node.js needs the project's node_modules (slow).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.faulty_endpoint import MODES, FaultyEndpoint
from tests.support.generated import npm_install, render
from tests.support.tools import require_tool

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/demo/api-key-AbCdEf"
NODE_DEADLINE = 2.5
"""SECRET_READ_DEADLINE_MS of src/momentoClient.ts, in seconds."""
SLACK = 0.75
"""Scheduling noise allowed on a loaded machine (the tests share two cores)."""

PYTHON_INIT = """
import json, time
import boto3, momento  # loaded before the clock starts: Lambda's INIT loads them too, but they are not the read
started = time.perf_counter()
import momento_client  # INIT: MOMENTO_INIT_CLIENT=eager reads the secret here
print("@@" + json.dumps({"init": time.perf_counter() - started, "ready": momento_client._client is not None}))
"""

NODE_INIT = """
await import('@gomomento/sdk');
await import('@aws-sdk/client-secrets-manager');
const started = performance.now();
const module = await import('./src/MODULE');
const init = (performance.now() - started) / 1000;
process.stdout.write(`@@${JSON.stringify({ init, ready: module.momentoClientReady() })}\\n`);
"""


def _env(endpoint: FaultyEndpoint) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOMENTO_", "PYTEST"))}
    env.update(
        AWS_ENDPOINT_URL=endpoint.url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        MOMENTO_SECRET_ARN=ARN,
        MOMENTO_CACHE_NAME="demo",
        MOMENTO_INIT_CLIENT="eager",
    )
    return env


def _run(command: list[str], cwd: Path, endpoint: FaultyEndpoint) -> dict:
    result = subprocess.run(
        command, cwd=cwd, env=_env(endpoint), capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("@@")]
    assert lines, result.stdout + result.stderr
    report: dict = json.loads(lines[-1][2:])
    report["log"] = result.stdout + result.stderr
    return report


def _check(report: dict, endpoint: FaultyEndpoint, bound: float, retry_gap: float) -> None:
    """Two attempts (one retry), the first given up after ~1 s, no client, INIT within ``bound``."""
    assert endpoint.attempts == 2, (endpoint.attempts, report["log"])
    assert set(endpoint.targets) == {"secretsmanager.GetSecretValue"}
    assert report["ready"] is False
    assert "creating the Momento client during INIT failed" in report["log"]
    assert report["init"] < bound + SLACK, report
    if endpoint.mode == "error":
        return
    (gap,) = endpoint.gaps()
    # The retry comes once the first attempt timed out (1 s) and the back-off passed.
    assert 0.9 <= gap < retry_gap + SLACK, gap
    assert report["init"] >= 1.9, report  # both attempts waited their 1 s


@pytest.mark.integration
@pytest.mark.serial("measures the secret read's deadline in wall-clock seconds")
@pytest.mark.parametrize("mode", MODES)
def test_python_secret_read_gives_up_after_one_retry_and_init_returns(tmp_path, mode):
    project = render(tmp_path, runtime="python3.11")
    with FaultyEndpoint(mode) as endpoint:
        report = _run([sys.executable, "-c", PYTHON_INIT], project / "src", endpoint)
    # 2 x 1 s, plus botocore's standard back-off before the retry (random, at most 1 s).
    _check(report, endpoint, bound=3.0, retry_gap=2.0)
    assert "ReadTimeoutError" in report["log"] or mode == "error"


@pytest.fixture(scope="module")
def node() -> Path:
    require_tool("npm")
    return require_tool("node")


@pytest.mark.slow
@pytest.mark.serial("measures the secret read's deadline in wall-clock seconds")
@pytest.mark.parametrize("language", ["javascript", "typescript"])
@pytest.mark.parametrize("mode", MODES)
def test_node_secret_read_gives_up_after_one_retry_and_init_returns(tmp_path, node, language, mode):
    """The read the handler options bound (2 requests ~1 s apart: each attempt gave up on its own,
    before the 2.5 s deadline), and INIT within the deadline."""
    typescript = language == "typescript"
    project = render(tmp_path, runtime="nodejs22.x", language=language)
    npm_install(project)
    (project / "init.mjs").write_text(
        NODE_INIT.replace("MODULE", "momentoClient.ts" if typescript else "momentoClient.mjs")
    )
    command = [str(node), *(["--import", "tsx"] if typescript else []), "init.mjs"]
    with FaultyEndpoint(mode) as endpoint:
        report = _run(command, project, endpoint)
    # 2 x 1 s, plus the SDK's back-off before the retry (at most 0.2 s); the deadline caps it all.
    _check(report, endpoint, bound=NODE_DEADLINE, retry_gap=1.2)
    assert "(TimeoutError)" in report["log"] or mode == "error"
