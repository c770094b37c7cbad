"""Shared by the tests: src/ on the import path (as Lambda puts the function's code folder),
a local Momento server the real SDK talks to, and the secret read without AWS."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import momento_client  # noqa: E402  (after src/ is on the path)
from momento_local import LocalMomento  # noqa: E402


def _jwt(claims: dict) -> str:
    def part(document: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


V2_KEY = _jwt({"t": "g", "id": "unit-test"})
LEGACY_KEY = _jwt({"sub": "unit-test", "c": "cache.cell-9.example.com", "cp": "control.cell-9.example.com"})

SHAPES = {
    # name: (key kind, SecretString for a key). v2 keys need the endpoint beside them; legacy keys carry theirs.
    "contract": ("v2", lambda key: json.dumps({"MOMENTO_API_KEY": key, "MOMENTO_ENDPOINT": "cell-1.example.com"})),
    "contract-legacy-key": ("legacy", lambda key: json.dumps({"MOMENTO_API_KEY": key})),
    "auth-token": ("legacy", lambda key: json.dumps({"MOMENTO_AUTH_TOKEN": key})),
    "plain-text": ("legacy", lambda key: f"  {key}\n"),
    "key-refresh": ("v2", lambda key: json.dumps(
        {"apiKey": key, "refreshToken": "refresh-token", "validUntil": 1798675200, "endpoint": "cell-1.example.com"})),
    "key-refresh-auth-token": ("legacy", lambda key: json.dumps(
        {"authToken": key, "refreshToken": "refresh-token", "validUntil": "1803859200"}, indent=2)),
}  # fmt: skip
"""Every secret shape the module accepts: the secret contract, its older shapes, and the shape
Momento's key-refresh Lambda keeps up to date."""
ROTATIONS = list(zip(SHAPES, [*list(SHAPES)[1:], next(iter(SHAPES))]))
"""Each shape to the next one (a rotation may change the shape: a key-refresh Lambda taking over...)."""


def _key(kind: str, tag: str) -> str:
    if kind == "v2":
        return _jwt({"t": "g", "id": tag})
    return _jwt({"sub": tag, "c": "cache.cell-9.example.com", "cp": "control.cell-9.example.com"})


@pytest.fixture(scope="module")
def server():
    """A local Momento server (tests/momento_local.py) the real SDK client talks to."""
    local = LocalMomento().start()
    yield local
    local.stop()


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("MOMENTO_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:unit-AbCdEf")
    monkeypatch.setenv("MOMENTO_CACHE_NAME", "unit-cache")
    monkeypatch.delenv("MOMENTO_SECRET_NAME", raising=False)
    monkeypatch.delenv("MOMENTO_LOCAL", raising=False)
    momento_client.reset()
    yield
    momento_client.reset()


@pytest.fixture
def fake(env, server, monkeypatch):
    """The secret (a mutable dict) read without AWS, and the real clients built from it, sent to
    the local server (the key is parsed as usual; only the endpoint is the local one)."""
    state = {"secret": json.dumps({"MOMENTO_API_KEY": V2_KEY, "MOMENTO_ENDPOINT": "cell-1.example.com"})}
    server.accepted_keys = {V2_KEY}
    server.caches.clear()
    server.calls.clear()
    reads, clients = [], []
    real_provider, real_client = momento_client.credential_provider, momento_client.CacheClient

    def read_secret_string():
        reads.append(1)
        return state["secret"]

    def local_provider(api_key, endpoint):
        return server.credentials(real_provider(api_key, endpoint).auth_token)

    def cache_client(*args, **kwargs):
        client = real_client(*args, **kwargs)
        clients.append(client)
        return client

    monkeypatch.setattr(momento_client, "read_secret_string", read_secret_string)
    monkeypatch.setattr(momento_client, "credential_provider", local_provider)
    monkeypatch.setattr(momento_client, "CacheClient", cache_client)
    yield {"state": state, "server": server, "reads": reads, "clients": clients}
    server.accepted_keys = None
    for client in clients:
        client.__exit__(None, None, None)


def log_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
