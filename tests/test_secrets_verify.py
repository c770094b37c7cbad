"""What each Momento answer to the key check means for storing the key."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.momento_key import KeyCheck, KeyStatus
from momento_lambda_cli.secrets import verify
from tests.support import keys


@pytest.fixture
def local(momento_server, monkeypatch):
    monkeypatch.setenv("MOMENTO_LOCAL", momento_server.endpoint)
    return momento_server


def test_timeout_is_unreachable_and_only_a_warning(local):
    local.state.delay_seconds = 2.0
    started = time.monotonic()
    result = verify.verify_key(keys.legacy_key(), None, "demo", timeout=timedelta(milliseconds=300))
    assert time.monotonic() - started < 10
    assert result.status == "unreachable"
    assert result.verified is False
    assert "Could not reach Momento" in result.warnings[0]
    assert "TIMEOUT" in result.warnings[0]


def test_no_cache_name_still_tells_a_good_key(local):
    key = keys.legacy_key()
    local.state.valid_keys = {key}
    result = verify.verify_key(key, None, None)
    assert (result.status, result.verified, result.warnings) == ("authenticated", True, [])
    assert local.state.calls["Get"] == 1


def test_no_cache_name_still_tells_a_bad_key(local):
    local.state.valid_keys = {keys.legacy_key("good")}
    with pytest.raises(MomentoLambdaError) as caught:
        verify.verify_key(keys.legacy_key("bad"), None, None)
    assert caught.value.code == "key.authentication-failed"


@pytest.mark.parametrize(
    ("status", "verified", "warning"),
    [
        (KeyStatus.OK, True, None),
        (KeyStatus.CACHE_NOT_FOUND, True, "does not exist yet"),
        (KeyStatus.PERMISSION_DENIED, True, "permission denied"),
        (KeyStatus.UNREACHABLE, False, "Could not reach Momento"),
        (KeyStatus.ERROR, False, "storing the key unverified"),
    ],
)
def test_interpretation(status, verified, warning):
    result = verify.interpret(KeyCheck(status, 3.0, "CODE"), "orders")
    assert result.verified is verified
    assert result.status == status.value
    if warning is None:
        assert result.warnings == []
    else:
        assert warning in result.warnings[0]
