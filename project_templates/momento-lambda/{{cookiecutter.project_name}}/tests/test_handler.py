"""Tests of the cache-aside handler and, through it, of the client module (rotation, the circuit
breaker, INIT). They run offline: the secret reader is replaced by an in-memory one, and the real
Momento client talks to a local server (tests/momento_local.py).

    pip install -r requirements-dev.txt && python -m pytest
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from momento.responses import CacheGet

import handler
import momento_client
from conftest import ROTATIONS, SHAPES, _jwt, _key, log_lines


def invoke(item_id: str = "demo") -> dict:
    response = handler.lambda_handler(dict(pathParameters={"id": item_id}), None)
    assert response["statusCode"] == 200
    return json.loads(response["body"])


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
    fake["server"].accepted_keys = set()  # Momento now refuses every key
    body = invoke("b")
    assert body == {"item": handler.load_from_source("b"), "cache": "error"}
    assert log_lines(capsys)[-1]["error"] == "AUTHENTICATION_ERROR"


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
    fake["server"].accepted_keys = {new_key}
    assert invoke("d")["cache"] == "hit"
    assert len(fake["reads"]) == 2
    assert len(fake["clients"]) == 2


def test_refresh_closes_the_old_client(fake):
    invoke("e")
    old = fake["clients"][0]
    fresh = momento_client.refresh_client()
    assert fresh is not old and momento_client.get_client() is fresh
    assert isinstance(fresh.get("unit-cache", "e"), CacheGet.Hit)
    # The old client's channels are closed: it can no longer reach the server.
    calls = fake["server"].calls["Get"]
    assert isinstance(old.get("unit-cache", "e"), CacheGet.Error)
    assert fake["server"].calls["Get"] == calls


@pytest.mark.parametrize("shape", SHAPES)
def test_a_secret_of_each_shape_serves_the_cache(fake, shape):
    kind, encode = SHAPES[shape]
    key = _key(kind, f"shape-{shape}")
    fake["state"]["secret"] = encode(key)
    fake["server"].accepted_keys = {key}
    assert [invoke("s")["cache"], invoke("s")["cache"]] == ["miss", "hit"]
    assert len(fake["reads"]) == 1 and len(fake["clients"]) == 1


@pytest.mark.parametrize(("before", "after"), ROTATIONS)
def test_a_rotation_from_one_shape_to_another_is_picked_up(fake, before, after):
    old_key = _key(SHAPES[before][0], "before")
    fake["state"]["secret"] = SHAPES[before][1](old_key)
    fake["server"].accepted_keys = {old_key}
    assert invoke("r")["cache"] == "miss"
    new_key = _key(SHAPES[after][0], "after")
    fake["state"]["secret"] = SHAPES[after][1](new_key)
    fake["server"].accepted_keys = {new_key}  # Momento rejects the old key from now on
    assert invoke("r")["cache"] == "hit"
    assert len(fake["reads"]) == 2 and len(fake["clients"]) == 2


def test_momento_local_needs_no_secret(env, server, monkeypatch):
    """MOMENTO_LOCAL=host:port: the SDK's Momento Local credentials, no secret read (no AWS)."""

    def no_aws():
        raise AssertionError("MOMENTO_LOCAL must not read the secret")

    monkeypatch.setattr(momento_client, "read_secret_string", no_aws)
    monkeypatch.setenv("MOMENTO_LOCAL", f"{server.host}:{server.port}")
    server.caches.clear()
    assert [invoke("local")["cache"], invoke("local")["cache"]] == ["miss", "hit"]
    momento_client.get_client().__exit__(None, None, None)


@pytest.fixture
def clock(monkeypatch):
    """The client module's clock, moved by hand."""
    now = {"t": 1000.0}
    monkeypatch.setattr(momento_client, "_clock", lambda: now["t"])
    return now


@pytest.fixture
def stalled(fake, clock, monkeypatch):
    """A warm client, then a Momento that holds every call (250 ms deadline instead of 1.1 s)."""
    short = momento_client.Configurations.Lambda.latest().with_client_timeout(timedelta(milliseconds=250))
    monkeypatch.setattr(momento_client, "configuration", lambda: short)
    for _ in range(10):  # a busy machine may need more than one deadline to connect
        if invoke("k")["cache"] != "error":
            break
        momento_client.reset()
    assert invoke("k")["cache"] == "hit"
    fake["server"].stall()
    yield fake
    fake["server"].resume()


def test_the_breaker_skips_momento_after_consecutive_timeouts(stalled, capsys):
    server = stalled["server"]
    threshold = momento_client.BREAKER_THRESHOLD
    before = server.calls["Get"]
    for _ in range(threshold):
        assert invoke("k")["cache"] == "error"
    assert server.calls["Get"] == before + threshold
    assert [line["error"] for line in log_lines(capsys)[-threshold:]] == ["TIMEOUT_ERROR"] * threshold
    assert momento_client.breaker_open()
    # Open: the cache is skipped (no call reaches the server), the source still answers.
    for _ in range(5):
        assert invoke("k") == {"item": handler.load_from_source("k"), "cache": "error"}
    assert server.calls["Get"] == before + threshold
    assert all(line["error"].startswith("CircuitOpen:") for line in log_lines(capsys))


def test_after_the_cool_down_one_probe_closes_the_breaker(stalled, clock):
    server = stalled["server"]
    for _ in range(momento_client.BREAKER_THRESHOLD):
        invoke("k")
    calls = server.calls["Get"]
    clock["t"] += momento_client.BREAKER_COOL_DOWN_SECONDS / 2
    assert invoke("k")["cache"] == "error" and server.calls["Get"] == calls  # still cooling down
    server.resume()
    clock["t"] += momento_client.BREAKER_COOL_DOWN_SECONDS
    assert invoke("k")["cache"] == "hit"  # the probe
    assert not momento_client.breaker_open()
    assert [invoke("k")["cache"] for _ in range(3)] == ["hit"] * 3
    assert server.calls["Get"] == calls + 4


def test_a_failed_probe_opens_the_breaker_for_another_cool_down(stalled, clock):
    server = stalled["server"]
    for _ in range(momento_client.BREAKER_THRESHOLD):
        invoke("k")
    calls = server.calls["Get"]
    clock["t"] += momento_client.BREAKER_COOL_DOWN_SECONDS
    assert invoke("k")["cache"] == "error"  # the probe times out
    assert server.calls["Get"] == calls + 1
    assert invoke("k")["cache"] == "error" and server.calls["Get"] == calls + 1
    assert momento_client.breaker_open()


def test_other_errors_do_not_open_the_breaker(fake):
    fake["server"].accepted_keys = set()
    for _ in range(momento_client.BREAKER_THRESHOLD + 2):
        assert invoke("m")["cache"] == "error"
    assert not momento_client.breaker_open()


def test_prepare_creates_the_client_during_init(fake):
    momento_client.prepare()
    assert len(fake["reads"]) == 1 and len(fake["clients"]) == 1
    assert invoke("i")["cache"] == "miss"
    assert len(fake["reads"]) == 1 and len(fake["clients"]) == 1


def test_prepare_never_fails_init_and_the_first_request_retries(fake, monkeypatch):
    state = {"fail": True}
    read = momento_client.read_secret_string

    def flaky():
        if state["fail"]:
            raise TimeoutError("secrets manager is slow")
        return read()

    monkeypatch.setattr(momento_client, "read_secret_string", flaky)
    momento_client.prepare()  # no exception
    state["fail"] = False
    assert invoke("j")["cache"] == "miss"  # not held back by the INIT failure
    assert len(fake["reads"]) == 1


