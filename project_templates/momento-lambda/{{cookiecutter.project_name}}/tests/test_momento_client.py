"""Tests of the client module on its own (every pattern's project has them): secret shapes,
credentials, where the secret is read from, the client built at import. Offline.

    pip install -r requirements-dev.txt && python -m pytest
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import momento_client
from conftest import LEGACY_KEY, SHAPES, V2_KEY, _key


def test_the_secret_name_is_read_while_the_arn_is_empty(env, monkeypatch):
    monkeypatch.setenv("MOMENTO_SECRET_ARN", "")
    monkeypatch.setenv("MOMENTO_SECRET_NAME", "momento/demo/api-key")
    assert momento_client.secret_id() == "momento/demo/api-key"
    monkeypatch.setenv("MOMENTO_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf")
    assert momento_client.secret_id().startswith("arn:")


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


@pytest.mark.parametrize("shape", SHAPES)
def test_each_secret_shape_parses(shape):
    kind, encode = SHAPES[shape]
    key = _key(kind, "parse")
    assert momento_client.parse_secret(encode(key)) == (key, "cell-1.example.com" if kind == "v2" else None)


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
    assert momento_client.local_credential_provider() is None
    monkeypatch.setenv("MOMENTO_LOCAL", "127.0.0.1:8080")
    local = momento_client.local_credential_provider()
    assert (local.cache_endpoint, local.port, local.auth_token) == ("127.0.0.1", 8080, "")
    monkeypatch.setenv("MOMENTO_LOCAL", "8080")
    with pytest.raises(momento_client.MomentoUnavailable):
        momento_client.local_credential_provider()
    with pytest.raises(momento_client.MomentoUnavailable):
        momento_client.credential_provider("not-a-key", None)


def test_the_module_creates_the_client_at_import_when_eager(server):
    """MOMENTO_INIT_CLIENT=eager: importing the module (Lambda's INIT) builds the client."""
    code = "import momento_client; print(momento_client._client is not None)"
    env = {**os.environ, "MOMENTO_INIT_CLIENT": "eager", "MOMENTO_LOCAL": f"{server.host}:{server.port}"}
    src = Path(momento_client.__file__).parent
    for mode, expected in (("eager", "True"), ("lazy", "False")):
        env["MOMENTO_INIT_CLIENT"] = mode
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=src, env=env, capture_output=True, text=True, timeout=60
        )
        assert result.stdout.strip() == expected, result.stderr
