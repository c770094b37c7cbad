"""Fixtures shared by every test: an isolated environment, the moto server, the local
Momento server, and a way to run the CLI in-process or as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from momento_lambda_cli import console, redact
from tests.support.momento_server import LocalMomentoServer
from tests.support.tiers import mark_tiers, serial_lock, unit_tier_guard

__all__ = ["serial_lock", "unit_tier_guard"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_tiers(items)


REPO_ROOT = Path(__file__).resolve().parents[1]

# Nothing in a test may reach real AWS: every AWS endpoint points at a closed loopback port
# unless a test asks for the moto server, and instance metadata (169.254.169.254) is off.
_CLOSED_ENDPOINT = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def isolated_env(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    serial_lock: None,
    unit_tier_guard: None,
) -> None:
    """No AWS or Momento settings leak in from the developer's machine."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "MOMENTO_")) or name in {"NO_COLOR", "FORCE_COLOR"}:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("aws-home")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(home / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(home / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # Tools' caches (serverless-python-requirements' static cache) start empty in every test.
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    # No Docker engine, whatever this machine runs: build.container warns the same everywhere.
    monkeypatch.setenv("DOCKER_HOST", f"unix://{home / 'no-docker.sock'}")
    monkeypatch.setenv("AWS_ENDPOINT_URL", _CLOSED_ENDPOINT)
    # No build or deploy tool on PATH, whatever this machine has: machine.tools warns the same everywhere.
    from momento_lambda_cli.doctor.checks import machine

    monkeypatch.setattr(machine, "which", lambda _name: None)
    monkeypatch.setenv("COLUMNS", "200")
    # `update` outside git keeps its backups under ~/.momento-lambda: a test's own folder instead
    from momento_lambda_cli.scaffold import update

    monkeypatch.setattr(update, "backup_root", lambda: home / "backups")
    redact.forget_all()
    console.mode.reset()


# --- AWS: moto's threaded server, real boto3 over HTTP ---------------------------------


@dataclass
class MotoServer:
    url: str

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310 (loopback only)
            pass


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield MotoServer(url=f"http://{host}:{port}")
    finally:
        server.stop()


@dataclass
class Aws:
    """The moto server as seen by the code under test (env vars already set)."""

    url: str
    region: str = "us-east-1"
    account_id: str = "123456789012"

    def client(self, service: str, region: str | None = None) -> Any:
        import boto3

        return boto3.client(
            service,
            region_name=region or self.region,
            endpoint_url=self.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    @property
    def env(self) -> dict[str, str]:
        """The environment a subprocess needs to reach the same moto server."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": self.region,
        }


@pytest.fixture
def aws(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """Fake credentials and AWS_ENDPOINT_URL pointing at moto; state reset after the test."""
    peer = Aws(url=moto_server.url)
    for name, value in peer.env.items():
        monkeypatch.setenv(name, value)
    try:
        yield peer
    finally:
        moto_server.reset()


# --- Momento: a local gRPC server built on momento-wire-types --------------------------


@pytest.fixture(scope="session")
def momento_server_session() -> Iterator[LocalMomentoServer]:
    server = LocalMomentoServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def momento_server(momento_server_session: LocalMomentoServer) -> Iterator[LocalMomentoServer]:
    """The shared local Momento server, reset after the test (restarted if a test stopped it).

    Read ``.endpoint`` inside the test: it changes after a test that stopped the server."""
    momento_server_session.reset()
    try:
        yield momento_server_session
    finally:
        if not momento_server_session.running:
            # A fresh port: gRPC shares subchannels per address process-wide, and the old
            # address sits in connection back-off after the test stopped the server.
            momento_server_session.port = 0
            momento_server_session.start()
        momento_server_session.reset()


# --- Running the CLI -------------------------------------------------------------------


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture
def run_cli(capfd: pytest.CaptureFixture[str]) -> Any:
    """Run ``momento-lambda ARGS`` in-process; returns exit code, stdout and stderr."""
    from momento_lambda_cli.cli import main

    def run(*args: str, stdin: str | None = None) -> CliResult:
        import io

        capfd.readouterr()
        old_stdin = sys.stdin
        if stdin is not None:
            sys.stdin = io.StringIO(stdin)
        try:
            code = main(list(args))
        finally:
            sys.stdin = old_stdin
        out, err = capfd.readouterr()
        return CliResult(code, out, err)

    return run


def run_cli_process(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, stdin: str | None = None
) -> CliResult:
    """Run ``python -m momento_lambda_cli ARGS`` as a real process."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "momento_lambda_cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        input=stdin,
        timeout=300,
        check=False,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def peers(aws: Aws, momento_server: LocalMomentoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Aws:
    """moto for AWS, the local Momento server for key checks (MOMENTO_LOCAL), an empty working folder."""
    monkeypatch.setenv("MOMENTO_LOCAL", momento_server.endpoint)
    monkeypatch.chdir(tmp_path)
    return aws


@pytest.fixture
def sm(peers: Aws) -> Any:
    """A Secrets Manager client on moto."""
    return peers.client("secretsmanager")
