"""Key parsing (local, SDK-backed) and the cheap key check against the local Momento server."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta, timezone

import pytest

from momento_lambda_cli import momento_key
from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.momento_key import KeyKind, KeyStatus
from tests.support import keys


def test_v2_key_with_endpoint():
    parsed = momento_key.parse_api_key(keys.v2_key(), "cell-1.example.com")
    assert parsed.kind is KeyKind.V2
    assert parsed.cache_endpoint == "cache.cell-1.example.com"


def test_v2_key_without_endpoint_is_refused_with_a_hint():
    with pytest.raises(MomentoLambdaError) as caught:
        momento_key.parse_api_key(keys.v2_key())
    assert caught.value.code == "key.endpoint-missing"
    assert "--endpoint" in (caught.value.hint or "")


@pytest.mark.parametrize("make", [keys.legacy_key, keys.v1_key])
def test_legacy_keys_carry_their_endpoint(make):
    parsed = momento_key.parse_api_key(make("cell-9.example.com"))
    assert parsed.kind is KeyKind.LEGACY
    assert parsed.cache_endpoint == "cache.cell-9.example.com"


BAD_KEYS = {
    "empty": "",
    "garbage": "LEAKCANARY-not-a-key",
    "base64 of non-JSON": base64.b64encode(b"LEAKCANARY plain words").decode(),
    "base64 JSON without endpoint": base64.b64encode(b'{"api_key": "LEAKCANARY"}').decode(),
    "JWT without endpoint claims": keys._jwt({"sub": "LEAKCANARY"}),
    "invalid utf-8 in base64": base64.b64encode(b"\xff\xfeLEAKCANARY").decode(),
    "whitespace inside": "LEAKCANARY abc",
}


@pytest.mark.parametrize("bad", BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_every_bad_key_shape_is_one_clear_error(bad):
    with pytest.raises(MomentoLambdaError) as caught:
        momento_key.parse_api_key(bad)
    assert caught.value.code == "key.invalid"
    assert caught.value.message.startswith("This is not a Momento API key")
    assert caught.value.__cause__ is None  # nothing chained that could carry the key
    text = caught.value.message + (caught.value.hint or "")
    assert "LEAKCANARY" not in text


def test_local_override_points_the_provider_at_a_local_server(monkeypatch):
    monkeypatch.setenv("MOMENTO_LOCAL", "127.0.0.1:4321")
    provider = momento_key.build_provider(keys.legacy_key())
    assert (provider.cache_endpoint, provider.port) == ("127.0.0.1", 4321)


def test_malformed_local_override(monkeypatch):
    monkeypatch.setenv("MOMENTO_LOCAL", "nonsense")
    with pytest.raises(MomentoLambdaError) as caught:
        momento_key.build_provider(keys.legacy_key())
    assert caught.value.code == "key.bad-local-override"


@pytest.fixture
def local(momento_server, monkeypatch):
    monkeypatch.setenv("MOMENTO_LOCAL", momento_server.endpoint)
    return momento_server


def test_check_key_ok(local):
    key = keys.v2_key()
    local.state.valid_keys = {key}
    local.create_cache("demo")
    result = momento_key.check_key(key, "cell-1.example.com", "demo")
    assert result.status is KeyStatus.OK
    assert result.latency_ms > 0
    assert local.state.calls["Get"] == 1


def test_check_key_authentication_failure(local):
    local.state.valid_keys = {keys.v2_key("good")}
    local.create_cache("demo")
    result = momento_key.check_key(keys.v2_key("bad"), "cell-1.example.com", "demo")
    assert result.status is KeyStatus.AUTHENTICATION_FAILED


def test_check_key_missing_cache(local):
    result = momento_key.check_key(keys.legacy_key(), None, "missing")
    assert result.status is KeyStatus.CACHE_NOT_FOUND


def test_check_key_unreachable(local):
    from datetime import timedelta

    local.stop()
    result = momento_key.check_key(keys.legacy_key(), None, "demo", timeout=timedelta(seconds=1))
    assert result.status is KeyStatus.UNREACHABLE


# --- expiry (the exp claim, read locally) --------------------------------------------------

KEY_MAKERS = {
    "v2": lambda expires_in: keys.v2_key(expires_in=expires_in),
    "legacy": lambda expires_in: keys.legacy_key(expires_in=expires_in),
    "v1": lambda expires_in: keys.v1_key(expires_in=expires_in),
}


@pytest.mark.parametrize("kind", KEY_MAKERS)
@pytest.mark.parametrize(
    ("expires_in", "expired", "within_30", "text"),
    [
        (timedelta(days=-3, hours=-1), True, True, "expired {day} (3 days ago)"),
        (timedelta(days=10, hours=1), False, True, "expires {day} (in 10 days)"),
        (timedelta(days=400, hours=1), False, False, "expires {day} (in 400 days)"),
        (None, False, False, "never expires"),
    ],
    ids=["expired", "within-30-days", "far-away", "no-exp"],
)
def test_expiry_of_every_key_kind(kind, expires_in, expired, within_30, text):
    key = KEY_MAKERS[kind](expires_in)
    expiry = momento_key.expiry_of(key)
    assert expiry.expired is expired
    assert expiry.within(30) is within_30
    day = expiry.expires_at.strftime("%Y-%m-%d") if expiry.expires_at else ""
    assert expiry.describe() == text.format(day=day)
    if expires_in is None:
        assert (expiry.expires_at, expiry.days_left, expiry.iso()) == (None, None, None)
    else:
        assert expiry.iso() and expiry.iso().endswith("Z")
    assert "LEAKCANARY" not in expiry.describe()


def test_expiry_wording_on_the_day():
    now = datetime(2026, 11, 26, 12, tzinfo=timezone.utc)
    assert momento_key.Expiry(now + timedelta(hours=3), now).describe() == "expires 2026-11-26 (today)"
    assert momento_key.Expiry(now - timedelta(hours=3), now).describe() == "expired 2026-11-26 (today)"
    assert momento_key.Expiry(now + timedelta(days=1, hours=1), now).describe() == "expires 2026-11-27 (in 1 day)"


def test_a_key_whose_exp_is_not_a_number_is_refused_without_echoing_it():
    with pytest.raises(MomentoLambdaError) as caught:
        momento_key.key_expiry(keys._jwt({"sub": "LEAKCANARY", "exp": "LEAKCANARY-tomorrow"}))
    assert caught.value.code == "key.invalid"
    assert "LEAKCANARY" not in caught.value.message + (caught.value.hint or "")


@pytest.mark.parametrize("text", ["not-a-jwt", "a.b.c", "a.bm90IGpzb24.c", base64.b64encode(b"[1]").decode()])
def test_no_readable_claims_means_no_known_expiry(text):
    assert momento_key.key_expiry(text) is None
