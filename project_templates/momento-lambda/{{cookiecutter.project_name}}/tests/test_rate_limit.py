"""Tests of the rate-limited API. They run offline: the secret is read from memory and the real
Momento client counts in a local server (tests/momento_local.py), whose increment is atomic and
whose items expire by their TTL, as Momento's do.

    pip install -r requirements-dev.txt && python -m pytest
"""

from __future__ import annotations

import json
import threading

import pytest

import momento_client
import rate_limit
from conftest import log_lines


def event(ip: str = "203.0.113.7", api_key: str | None = None, item_id: str = "demo") -> dict:
    """An HTTP API (payload 2.0) request for GET /items/{id}."""
    headers = {"x-api-key": api_key} if api_key else {}
    return {"pathParameters": {"id": item_id}, "headers": headers, "requestContext": {"http": {"sourceIp": ip}}}


@pytest.fixture
def limits(monkeypatch, fake):
    monkeypatch.setenv(rate_limit.MAX_REQUESTS_ENV, "3")
    monkeypatch.setenv(rate_limit.WINDOW_ENV, "60")
    monkeypatch.delenv(rate_limit.FAIL_ENV, raising=False)
    return fake


@pytest.fixture
def clock(monkeypatch):
    """rate_limit's wall clock, set by the test (mid-window, so no test straddles two windows)."""
    now = {"t": 1_800_000_030.0}
    monkeypatch.setattr(rate_limit, "clock", lambda: now["t"])
    return now


def test_n_requests_are_allowed_then_429_with_retry_after(limits, clock, capsys):
    statuses = [rate_limit.lambda_handler(event(), None) for _ in range(5)]
    assert [r["statusCode"] for r in statuses] == [200, 200, 200, 429, 429]
    assert [r["headers"]["x-ratelimit-remaining"] for r in statuses] == ["2", "1", "0", "0", "0"]
    assert statuses[3]["headers"]["retry-after"] == "30"  # the window ends 30 s after "now"
    assert json.loads(statuses[0]["body"]) == {"item": rate_limit.load_item("demo")}
    logs = log_lines(capsys)
    assert [line["count"] for line in logs] == [1, 2, 3, 4, 5]
    assert [line["allowed"] for line in logs] == [True, True, True, False, False]
    assert len(limits["reads"]) == 1 and len(limits["clients"]) == 1


def test_each_client_has_its_own_count_and_the_api_key_is_never_stored_or_logged(limits, clock, capsys):
    secret_key = "ak-live-0123456789abcdef"
    for _ in range(3):
        assert rate_limit.lambda_handler(event(ip="198.51.100.1"), None)["statusCode"] == 200
    assert rate_limit.lambda_handler(event(ip="198.51.100.1"), None)["statusCode"] == 429
    assert rate_limit.lambda_handler(event(ip="198.51.100.2"), None)["statusCode"] == 200
    # the same IP with an API key is another client (the key wins)
    assert rate_limit.lambda_handler(event(ip="198.51.100.1", api_key=secret_key), None)["statusCode"] == 200
    stored = b" ".join(key for cache in limits["server"].caches.values() for key in cache)
    assert secret_key.encode() not in stored and b"198.51.100" not in stored
    assert secret_key not in capsys.readouterr().out


def test_a_new_window_starts_a_new_count(limits, clock):
    for _ in range(3):
        rate_limit.lambda_handler(event(), None)
    assert rate_limit.lambda_handler(event(), None)["statusCode"] == 429
    clock["t"] += 60
    assert rate_limit.lambda_handler(event(), None)["statusCode"] == 200


def test_concurrent_callers_get_exactly_the_limit(limits, monkeypatch):
    """4 callers, 25 requests each, limit 40 in one window: exactly 40 are allowed (the increment
    is atomic, so no two requests see the same count)."""
    monkeypatch.setenv(rate_limit.MAX_REQUESTS_ENV, "40")
    monkeypatch.setattr(rate_limit, "clock", lambda: 1_800_000_010.0)
    statuses: list[int] = []
    lock = threading.Lock()

    def caller() -> None:
        for _ in range(25):
            status = rate_limit.lambda_handler(event(), None)["statusCode"]
            with lock:
                statuses.append(status)

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(200) == 40 and statuses.count(429) == 60


def test_the_counter_expires_with_its_window(limits, clock):
    rate_limit.lambda_handler(event(), None)
    (cache,) = limits["server"].caches.values()
    (key,) = cache
    until, _value = limits["server"].expires[(id(cache), key)]
    import time

    assert 29 <= until - time.monotonic() <= 30  # the 30 s left in the window, not a full window


@pytest.mark.parametrize(("mode", "status"), [("open", 200), ("closed", 503)])
def test_when_momento_refuses_the_failure_mode_decides(limits, clock, monkeypatch, capsys, mode, status):
    monkeypatch.setenv(rate_limit.FAIL_ENV, mode)
    rate_limit.lambda_handler(event(), None)
    limits["server"].accepted_keys = set()  # Momento now refuses every key
    response = rate_limit.lambda_handler(event(), None)
    assert response["statusCode"] == status
    assert ("retry-after" in response["headers"]) is (status == 503)
    line = log_lines(capsys)[-1]
    assert line["fail"] == mode and line["error"] == "AUTHENTICATION_ERROR" and "count" not in line


def test_an_unreadable_secret_fails_open_by_default(env, monkeypatch):
    def broken() -> str:
        raise RuntimeError("AccessDeniedException")

    monkeypatch.setattr(momento_client, "read_secret_string", broken)
    assert rate_limit.lambda_handler(event(), None)["statusCode"] == 200


@pytest.mark.parametrize(
    ("name", "value"),
    [("RATE_LIMIT_MAX_REQUESTS", "ten"), ("RATE_LIMIT_MAX_REQUESTS", "0"), ("RATE_LIMIT_WINDOW_SECONDS", "90000"),
     ("RATE_LIMIT_FAIL", "sometimes")],
)  # fmt: skip
def test_a_bad_setting_fails_loudly(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        rate_limit.settings()


def test_the_client_is_the_rest_api_source_ip_too():
    rest = {"requestContext": {"identity": {"sourceIp": "192.0.2.9"}}}
    assert rate_limit.client_id(rest) == rate_limit.client_id(event(ip="192.0.2.9"))
    assert rate_limit.client_id({}) == rate_limit.client_id({"headers": None})
