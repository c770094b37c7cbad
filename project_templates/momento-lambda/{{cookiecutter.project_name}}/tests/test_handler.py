"""Unit tests of the generated code. They run offline: the secret reader and the Momento
client are replaced by in-memory fakes that answer with the SDK's own response types.

    pip install -r requirements-dev.txt && python -m pytest
"""

from __future__ import annotations

import base64
import json

import pytest
from momento.errors import MomentoErrorCode
from momento.responses import CacheGet, CacheSet

import handler
import momento_client


def _jwt(claims: dict) -> str:
    def part(document: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"


V2_KEY = _jwt({"t": "g", "id": "unit-test"})
LEGACY_KEY = _jwt({"sub": "unit-test", "c": "cache.cell-9.example.com", "cp": "control.cell-9.example.com"})


class _Error:
    """Stands in for CacheGet.Error / CacheSet.Error: what the handler reads is error_code."""

    def __init__(self, code: MomentoErrorCode) -> None:
        self.error_code = code


class FakeCache:
    """An in-memory Momento cache with the client's get/set interface."""

    def __init__(self, store: dict, accepted_key: dict, api_key: str) -> None:
        self.store, self.accepted_key, self.api_key = store, accepted_key, api_key
        self.fail_with: MomentoErrorCode | None = None

    def _error(self):
        if self.fail_with is not None:
            return _Error(self.fail_with)
        if self.api_key != self.accepted_key["value"]:
            return _Error(MomentoErrorCode.AUTHENTICATION_ERROR)
        return None

    def get(self, cache, key):
        error = self._error()
        if error:
            return error
        value = self.store.get((cache, key))
        return CacheGet.Miss() if value is None else CacheGet.Hit(value.encode())

    def set(self, cache, key, value):
        error = self._error()
        if error:
            return error
        self.store[(cache, key)] = value
        return CacheSet.Success()

    def close(self):
        pass


@pytest.fixture
def env(monkeypatch):
    monkeypatch.setenv("MOMENTO_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:unit-AbCdEf")
    monkeypatch.setenv("MOMENTO_CACHE_NAME", "unit-cache")
    monkeypatch.delenv("MOMENTO_LOCAL", raising=False)
    momento_client.reset()
    yield
    momento_client.reset()


@pytest.fixture
def fake(env, monkeypatch):
    """The secret (a mutable dict) and the clients built from it."""
    state = {"secret": json.dumps({"MOMENTO_API_KEY": V2_KEY, "MOMENTO_ENDPOINT": "cell-1.example.com"})}
    store: dict = {}
    accepted = {"value": V2_KEY}
    reads, clients = [], []

    def read_secret_string():
        reads.append(1)
        return state["secret"]

    def cache_client(configuration, credential_provider, default_ttl):
        client = FakeCache(store, accepted, credential_provider.auth_token)
        clients.append(client)
        return client

    monkeypatch.setattr(momento_client, "read_secret_string", read_secret_string)
    monkeypatch.setattr(momento_client, "CacheClient", cache_client)
    return {"state": state, "store": store, "accepted": accepted, "reads": reads, "clients": clients}


def invoke(item_id: str = "demo") -> dict:
    response = handler.lambda_handler(dict(pathParameters={"id": item_id}), None)
    assert response["statusCode"] == 200
    return json.loads(response["body"])


def log_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def test_miss_then_hit_reuses_one_client_and_one_secret_read(fake, capsys):
    first, second = invoke("a"), invoke("a")
    assert first["cache"] == "miss"
    assert second["cache"] == "hit"
    assert second["item"] == first["item"] == handler.load_from_source("a")
    assert len(fake["reads"]) == 1
    assert len(fake["clients"]) == 1
    logs = log_lines(capsys)
    assert [line["cache"] for line in logs] == ["miss", "hit"]
    assert all(line["event"] == "cache-aside" and line["latency_ms"] >= 0 for line in logs)


def test_momento_errors_fall_back_to_the_source(fake, capsys):
    invoke("warm")
    fake["clients"][0].fail_with = MomentoErrorCode.TIMEOUT_ERROR
    body = invoke("b")
    assert body == {"item": handler.load_from_source("b"), "cache": "error"}
    assert log_lines(capsys)[-1]["error"] == "TIMEOUT_ERROR"


def test_unreadable_secret_falls_back_and_does_not_retry_on_every_request(env, monkeypatch, capsys):
    calls = []

    def broken():
        calls.append(1)
        raise TimeoutError("secrets manager is slow")

    monkeypatch.setattr(momento_client, "read_secret_string", broken)
    assert invoke("c") == {"item": handler.load_from_source("c"), "cache": "error"}
    assert invoke("c")["cache"] == "error"
    assert len(calls) == 1


def test_rotated_key_is_picked_up_without_redeploy(fake):
    invoke("d")
    new_key = _jwt({"t": "g", "id": "rotated"})
    fake["state"]["secret"] = json.dumps({"MOMENTO_API_KEY": new_key, "MOMENTO_ENDPOINT": "cell-1.example.com"})
    fake["accepted"]["value"] = new_key
    assert invoke("d")["cache"] == "hit"
    assert len(fake["reads"]) == 2
    assert len(fake["clients"]) == 2


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        (json.dumps({"MOMENTO_API_KEY": V2_KEY, "MOMENTO_ENDPOINT": "cell-1.example.com"}), (V2_KEY, "cell-1.example.com")),
        (json.dumps({"MOMENTO_API_KEY": LEGACY_KEY}), (LEGACY_KEY, None)),
        (json.dumps({"MOMENTO_AUTH_TOKEN": LEGACY_KEY}), (LEGACY_KEY, None)),
        (f"  {LEGACY_KEY}\n", (LEGACY_KEY, None)),
    ],
)
def test_every_secret_shape(secret, expected):
    assert momento_client.parse_secret(secret) == expected


@pytest.mark.parametrize("secret", ["", "{not json", "[]", json.dumps({"other": "x"})])
def test_bad_secrets_are_refused_without_echoing_them(secret):
    with pytest.raises(momento_client.MomentoUnavailable) as caught:
        momento_client.parse_secret(secret)
    assert "not json" not in str(caught.value)


def test_credential_providers(monkeypatch):
    monkeypatch.delenv("MOMENTO_LOCAL", raising=False)
    assert momento_client.credential_provider(V2_KEY, "cell-1.example.com").cache_endpoint == "cache.cell-1.example.com"
    legacy = momento_client.credential_provider(LEGACY_KEY, None)
    assert legacy.cache_endpoint == "cache.cell-9.example.com"
    monkeypatch.setenv("MOMENTO_LOCAL", "127.0.0.1:8080")
    local = momento_client.credential_provider(V2_KEY, "cell-1.example.com")
    assert (local.cache_endpoint, local.port, local.auth_token) == ("127.0.0.1", 8080, V2_KEY)
    with pytest.raises(momento_client.MomentoUnavailable):
        momento_client.credential_provider("not-a-key", None)
