"""Tests of the webhook receiver. They run offline: the signing secret and the Momento key are
read from memory, and the replay check counts in the local Momento server (tests/momento_local.py).

    pip install -r requirements-dev.txt && python -m pytest
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

import momento_client
import webhook
from conftest import log_lines

SIGNING_SECRET = "whsec-unit-test-signing-secret"
NOW = 1_800_000_000.0


@pytest.fixture
def receiver(fake, monkeypatch):
    """The webhook's signing secret in memory (the Momento key as the other tests read it)."""
    monkeypatch.setenv(webhook.SECRET_ENV, "arn:aws:secretsmanager:us-east-1:123456789012:secret:hook-AbCdEf")
    monkeypatch.delenv(webhook.MAX_AGE_ENV, raising=False)
    reads = []

    def get_secret_string(secret: str) -> str:
        reads.append(secret)
        return json.dumps({webhook.SECRET_FIELD: SIGNING_SECRET})

    monkeypatch.setattr(momento_client, "get_secret_string", get_secret_string)
    monkeypatch.setattr(webhook, "clock", lambda: NOW)
    webhook.reset()
    yield {**fake, "secret_reads": reads}
    webhook.reset()


def delivery(text: str = "hello", published_ms: float = (NOW - 2) * 1000, sequence: int = 1) -> bytes:
    """A Momento webhook body, as Momento sends it."""
    return json.dumps({
        "cache": "unit-cache", "topic": "orders", "event_timestamp": published_ms, "publish_timestamp": published_ms,
        "topic_sequence_number": sequence, "token_id": "", "text": text,
    }).encode()  # fmt: skip


def sign(body: bytes, secret: str = SIGNING_SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha3_256).hexdigest()


def event(body: bytes, signature: str | None, base64_encoded: bool = False) -> dict:
    """A Function URL request (payload 2.0)."""
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["momento-signature"] = signature
    text = base64.b64encode(body).decode() if base64_encoded else body.decode()
    return {"headers": headers, "body": text, "isBase64Encoded": base64_encoded, "requestContext": {"http": {"method": "POST"}}}


def test_a_signed_fresh_delivery_is_handled(receiver, capsys):
    body = delivery("order 7 shipped")
    assert webhook.lambda_handler(event(body, sign(body)), None)["statusCode"] == 200
    lines = log_lines(capsys)
    assert {"event": "message", "topic": "orders", "text": "order 7 shipped"} in lines
    assert lines[-1]["accepted"] is True
    assert SIGNING_SECRET not in json.dumps(lines)


def test_a_base64_body_is_verified_over_its_raw_bytes(receiver):
    body = delivery("ünïcode")
    assert webhook.lambda_handler(event(body, sign(body), base64_encoded=True), None)["statusCode"] == 200


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("no header", lambda body: event(body, None)),
        ("forged", lambda body: event(body, sign(body, "guessed-secret"))),
        ("tampered", lambda body: event(body.replace(b"hello", b"HELLO"), sign(body))),
        ("not hex", lambda body: event(body, "zz" * 32)),
    ],
)
def test_a_forged_request_is_401_and_handles_nothing(receiver, capsys, name, make):
    response = webhook.lambda_handler(make(delivery()), None)
    assert response["statusCode"] == 401, name
    lines = log_lines(capsys)
    assert not [line for line in lines if line.get("event") == "message"]
    assert lines[-1]["accepted"] is False and json.loads(response["body"]) == {"message": "Unauthorized"}


@pytest.mark.parametrize("published", [NOW - 61, NOW - 3600, NOW + 30])
def test_a_stale_or_future_delivery_is_401(receiver, published):
    body = delivery(published_ms=published * 1000)
    assert webhook.lambda_handler(event(body, sign(body)), None)["statusCode"] == 401


def test_a_replayed_delivery_is_401(receiver, capsys):
    body = delivery()
    assert webhook.lambda_handler(event(body, sign(body)), None)["statusCode"] == 200
    assert webhook.lambda_handler(event(body, sign(body)), None)["statusCode"] == 401
    assert log_lines(capsys)[-1]["reason"] == "replayed"
    other = delivery(sequence=2)  # another delivery is not a replay
    assert webhook.lambda_handler(event(other, sign(other)), None)["statusCode"] == 200


def test_a_failed_handler_releases_the_delivery_so_its_retry_runs(receiver, monkeypatch):
    calls = []

    def flaky(message: dict) -> None:
        calls.append(message["text"])
        if len(calls) == 1:
            raise RuntimeError("downstream is down")

    monkeypatch.setattr(webhook, "handle_message", flaky)
    body = delivery()
    assert webhook.lambda_handler(event(body, sign(body)), None)["statusCode"] == 500
    assert webhook.lambda_handler(event(body, sign(body)), None)["statusCode"] == 200
    assert webhook.lambda_handler(event(body, sign(body)), None)["statusCode"] == 401
    assert calls == ["hello", "hello"]


def test_when_momento_cannot_check_for_replays_nothing_is_handled(receiver, capsys):
    receiver["server"].accepted_keys = set()  # Momento refuses every key
    body = delivery()
    assert webhook.lambda_handler(event(body, sign(body)), None)["statusCode"] == 503
    lines = log_lines(capsys)
    assert lines[-1]["reason"] == "replay check unavailable"
    assert not [line for line in lines if line.get("event") == "message"]


def test_the_signing_secret_is_read_once(receiver):
    for n in range(3):
        body = delivery(sequence=n)
        webhook.lambda_handler(event(body, sign(body)), None)
    assert len(receiver["secret_reads"]) == 1


@pytest.mark.parametrize("text", ["", "{}", '{"other": "x"}', "  "])
def test_an_empty_signing_secret_is_refused(text):
    with pytest.raises(momento_client.MomentoUnavailable):
        webhook.parse_signing_secret(text)
    assert webhook.parse_signing_secret(" plain-secret\n") == b"plain-secret"
