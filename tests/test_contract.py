"""The secret contract: encoding and every accepted shape on read, never leaking the key."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from momento_lambda_cli.contract import SecretShape, decode_secret, encode_secret, parse_valid_until
from momento_lambda_cli.errors import MomentoLambdaError
from tests.support import keys


def test_encode_v2_key_with_endpoint():
    key = keys.v2_key()
    assert json.loads(encode_secret(key, "cell-1.example.com")) == {
        "MOMENTO_API_KEY": key,
        "MOMENTO_ENDPOINT": "cell-1.example.com",
    }


def test_encode_legacy_key_without_endpoint():
    key = keys.legacy_key()
    assert json.loads(encode_secret(key, None)) == {"MOMENTO_API_KEY": key}


@pytest.mark.parametrize(
    ("secret_string", "shape", "endpoint"),
    [
        ('{"MOMENTO_API_KEY": "KEYVALUE", "MOMENTO_ENDPOINT": "e.example"}', SecretShape.CONTRACT, "e.example"),
        ('{"MOMENTO_API_KEY": "KEYVALUE"}', SecretShape.CONTRACT, None),
        ('{"MOMENTO_AUTH_TOKEN": "KEYVALUE"}', SecretShape.LEGACY_JSON, None),
        ("KEYVALUE\n", SecretShape.PLAIN_TEXT, None),
    ],
)
def test_decode_every_accepted_shape(secret_string, shape, endpoint):
    stored = decode_secret(secret_string)
    assert stored.api_key == "KEYVALUE"
    assert stored.shape is shape
    assert stored.endpoint == endpoint
    assert "KEYVALUE" not in repr(stored)


@pytest.mark.parametrize("field", ["apiKey", "authToken", "apiToken"])
def test_decode_the_key_refresh_lambdas_shape(field):
    """momentohq/api-key-refresh-lambda keeps {apiKey, refreshToken, validUntil} (epoch seconds)."""
    stored = decode_secret(json.dumps({field: "KEYVALUE", "refreshToken": "REFRESH", "validUntil": "1798675200"}))
    assert (stored.api_key, stored.endpoint, stored.shape) == ("KEYVALUE", None, SecretShape.KEY_REFRESHER)
    assert stored.has_refresh_token
    assert stored.valid_until == datetime(2026, 12, 31, tzinfo=timezone.utc)
    assert "KEYVALUE" not in repr(stored) and "REFRESH" not in repr(stored)


@pytest.mark.parametrize(
    ("extra", "endpoint"),
    [
        ({"MOMENTO_ENDPOINT": "cell-1.example.com"}, "cell-1.example.com"),
        ({"endpoint": "cell-2.example.com"}, "cell-2.example.com"),
        ({"endpoint": "cell-2.example.com", "MOMENTO_ENDPOINT": "cell-1.example.com"}, "cell-1.example.com"),
        ({}, None),
    ],
)
def test_the_refreshers_endpoint_comes_from_a_field_when_present(extra, endpoint):
    stored = decode_secret(json.dumps({"apiKey": "KEYVALUE", **extra}))
    assert stored.endpoint == endpoint
    assert not stored.has_refresh_token and stored.valid_until is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1798675200, datetime(2026, 12, 31, tzinfo=timezone.utc)),
        ("1798675200", datetime(2026, 12, 31, tzinfo=timezone.utc)),
        (1798675200000, datetime(2026, 12, 31, tzinfo=timezone.utc)),
        ("soon", None),
        (True, None),
        (-5, None),
        (float("nan"), None),
        (None, None),
    ],
)
def test_valid_until_parses_epoch_seconds_or_nothing(value, expected):
    assert parse_valid_until(value) == expected


@pytest.mark.parametrize(
    ("secret_string", "code"),
    [
        ("", "secret.empty"),
        ("{not json LEAKCANARY", "secret.bad-json"),
        ('["LEAKCANARY"]', "secret.bad-shape"),
        ('{"api_key": "LEAKCANARY"}', "secret.bad-shape"),
        ('{"refreshToken": "LEAKCANARY", "validUntil": 1}', "secret.bad-shape"),
    ],
)
def test_decode_rejects_other_shapes_without_echoing_the_value(secret_string, code):
    with pytest.raises(MomentoLambdaError) as caught:
        decode_secret(secret_string)
    assert caught.value.code == code
    assert "LEAKCANARY" not in caught.value.message
    assert "LEAKCANARY" not in (caught.value.hint or "")


def test_atomic_write_gives_new_files_the_usual_mode_and_keeps_existing_modes(tmp_path):
    import os

    from momento_lambda_cli.project import atomic_write_text

    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.toml"
        atomic_write_text(fresh, "a = 1\n")
        assert fresh.stat().st_mode & 0o777 == 0o644
        private = tmp_path / "private.toml"
        private.write_text("x")
        private.chmod(0o600)
        atomic_write_text(private, "b = 2\n")
        assert private.stat().st_mode & 0o777 == 0o600
        assert private.read_text() == "b = 2\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.toml", "private.toml"]
    finally:
        os.umask(umask)
