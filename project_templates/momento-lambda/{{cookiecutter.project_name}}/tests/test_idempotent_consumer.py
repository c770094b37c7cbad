"""Tests of the idempotent SQS consumer. They run offline: the secret is read from memory and the
real Momento client claims keys in a local server (tests/momento_local.py), whose
set-if-not-exists is atomic and whose items expire by their TTL, as Momento's do.

    pip install -r requirements-dev.txt && python -m pytest
"""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest

import idempotent_consumer as consumer
import momento_client
from conftest import log_lines


def record(body: object = None, message_id: str | None = None) -> dict:
    """One SQS record as the event source mapping delivers it."""
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": "AQEB-example",
        "body": body if isinstance(body, str) else json.dumps(body or {"hello": "world"}),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:demo-queue",
        "awsRegion": "us-east-1",
    }


def batch(*records: dict) -> dict:
    return {"Records": list(records)}


def failed(response: dict) -> list[str]:
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


class Context:
    """The part of Lambda's context object the handler reads."""

    def __init__(self, remaining_ms: int = 10_000) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def work(monkeypatch, fake):
    """The side effects: every message process() ran for, in order (the default process() is replaced)."""
    monkeypatch.delenv(consumer.KEY_FIELD_ENV, raising=False)
    monkeypatch.delenv(consumer.TTL_ENV, raising=False)
    monkeypatch.delenv(consumer.DONE_TTL_ENV, raising=False)
    done: list[str] = []
    lock = threading.Lock()

    def process(message: dict) -> None:
        with lock:
            done.append(message["messageId"])

    monkeypatch.setattr(consumer, "process", process)
    fake["done"] = done
    return fake


def outcomes(capsys) -> list[str]:
    return [line["outcome"] for line in log_lines(capsys) if line.get("event") == "idempotent-consumer"]


def test_a_message_delivered_three_times_is_processed_once(work, capsys):
    message = record({"orderId": "o-1"})
    responses = [consumer.lambda_handler(batch(message), Context()) for _ in range(3)]
    assert [failed(r) for r in responses] == [[], [], []]  # duplicates are acknowledged
    assert work["done"] == [message["messageId"]]
    assert outcomes(capsys) == ["processed", "duplicate", "duplicate"]
    assert len(work["reads"]) == 1 and len(work["clients"]) == 1


def test_a_batch_with_duplicates_inside_it_processes_each_message_once(work, capsys):
    a, b = record(), record()
    response = consumer.lambda_handler(batch(a, b, a, b, a), None)
    assert failed(response) == []
    assert work["done"] == [a["messageId"], b["messageId"]]


def test_a_failure_releases_the_claim_and_the_retry_processes_the_message(work, monkeypatch, capsys):
    attempts: list[str] = []

    def flaky(message: dict) -> None:
        attempts.append(message["messageId"])
        if len(attempts) == 1:
            raise RuntimeError("the downstream API answered 500")
        work["done"].append(message["messageId"])

    monkeypatch.setattr(consumer, "process", flaky)
    bad, good = record(), record()
    first = consumer.lambda_handler(batch(bad, good), Context())
    assert failed(first) == [bad["messageId"]]  # only the failed message returns to the queue
    assert work["done"] == [good["messageId"]]
    assert all(not cache for cache in _claims(work, bad))  # the claim is gone
    retry = consumer.lambda_handler(batch(bad), Context())
    assert failed(retry) == [] and work["done"] == [good["messageId"], bad["messageId"]]
    again = consumer.lambda_handler(batch(bad), Context())
    assert failed(again) == [] and len(work["done"]) == 2
    lines = [line for line in log_lines(capsys) if line.get("event") == "idempotent-consumer"]
    assert [line["outcome"] for line in lines] == ["failed", "processed", "processed", "duplicate"]
    assert lines[0]["released"] is True and "500" in lines[0]["error"]


def test_a_copy_arriving_while_the_first_is_in_flight_is_retried_later(work, monkeypatch, capsys):
    message = record()
    inside = threading.Event()
    finish = threading.Event()

    def slow(msg: dict) -> None:
        inside.set()
        assert finish.wait(10)
        work["done"].append(msg["messageId"])

    monkeypatch.setattr(consumer, "process", slow)
    results: list[dict] = []
    first = threading.Thread(target=lambda: results.append(consumer.lambda_handler(batch(message), Context())))
    first.start()
    assert inside.wait(10)
    copy = consumer.lambda_handler(batch(message), Context())
    assert failed(copy) == [message["messageId"]]  # not acknowledged: SQS delivers it again later
    finish.set()
    first.join()
    assert failed(results[0]) == [] and work["done"] == [message["messageId"]]
    later = consumer.lambda_handler(batch(message), Context())  # the redelivery: now a duplicate
    assert failed(later) == [] and work["done"] == [message["messageId"]]
    assert sorted(outcomes(capsys)) == ["duplicate", "in-flight", "processed"]


def test_concurrent_deliveries_from_4_callers_process_each_message_once(work):
    """20 messages, each delivered to 4 callers at once, redelivered until acknowledged (as SQS
    does with the batch item failures): every message is processed exactly once."""
    messages = [record({"n": n}) for n in range(20)]
    lock = threading.Lock()
    pending = [m for m in messages for _ in range(4)]

    def caller() -> None:
        while True:
            with lock:
                if not pending:
                    return
                chunk = [pending.pop() for _ in range(min(5, len(pending)))]
            retry = set(failed(consumer.lambda_handler(batch(*chunk), Context())))
            with lock:
                pending.extend(m for m in chunk if m["messageId"] in retry)

    threads = [threading.Thread(target=caller) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(work["done"]) == sorted(m["messageId"] for m in messages)


def test_a_body_field_makes_messages_with_the_same_value_duplicates(work, monkeypatch, capsys):
    monkeypatch.setenv(consumer.KEY_FIELD_ENV, "order.id")
    order = "ord-jane.doe@example.com"  # a key may be personal data
    first, resent, other = (
        record({"order": {"id": order}}),
        record({"order": {"id": order}}),
        record({"order": {"id": 7}}),
    )
    response = consumer.lambda_handler(batch(first, resent, other), None)
    assert failed(response) == []
    assert work["done"] == [first["messageId"], other["messageId"]]
    stored = b" ".join(key for cache in work["server"].caches.values() for key in cache)
    assert order.encode() not in stored and order not in capsys.readouterr().out  # only its hash


@pytest.mark.parametrize("body", ["not json", {"order": {}}, {"other": 1}, ["order"]])
def test_a_message_without_the_key_field_is_failed_not_processed(work, monkeypatch, capsys, body):
    monkeypatch.setenv(consumer.KEY_FIELD_ENV, "order.id")
    message = record(body)
    assert failed(consumer.lambda_handler(batch(message), None)) == [message["messageId"]]
    assert work["done"] == []
    assert "order.id" in log_lines(capsys)[-1]["error"]


def test_when_momento_refuses_the_message_is_retried_not_processed(work, capsys):
    message = record()
    work["server"].accepted_keys = set()  # Momento now refuses every key
    assert failed(consumer.lambda_handler(batch(message), None)) == [message["messageId"]]
    assert work["done"] == []
    line = log_lines(capsys)[-1]
    assert line["outcome"] == "unclaimed" and line["error"] == "AUTHENTICATION_ERROR"


def test_when_momento_is_unreachable_the_message_is_retried_not_processed(work, monkeypatch, capsys):
    work["server"].stall()  # a frozen Momento: the client's deadline ends each call
    try:
        message = record()
        started = time.monotonic()
        assert failed(consumer.lambda_handler(batch(message), None)) == [message["messageId"]]
        assert time.monotonic() - started < 10
    finally:
        work["server"].resume()
    assert work["done"] == []
    assert log_lines(capsys)[-1]["outcome"] == "unclaimed"


def test_an_unreadable_secret_retries_every_message(env, monkeypatch):
    def broken() -> str:
        raise RuntimeError("AccessDeniedException")

    monkeypatch.setattr(momento_client, "read_secret_string", broken)
    processed: list[dict] = []
    monkeypatch.setattr(consumer, "process", processed.append)
    a, b = record(), record()
    assert failed(consumer.lambda_handler(batch(a, b), None)) == [a["messageId"], b["messageId"]]
    assert processed == []


def test_the_claim_outlives_the_visibility_timeout_and_done_is_kept_longer(work, monkeypatch):
    monkeypatch.setenv(consumer.TTL_ENV, "90")
    message = record()
    seen: list[float] = []

    def look(msg: dict) -> None:
        seen.append(_ttl_left(work, msg))
        work["done"].append(msg["messageId"])

    monkeypatch.setattr(consumer, "process", look)
    consumer.lambda_handler(batch(message), Context(remaining_ms=10_000))
    assert 85 <= seen[0] <= 90  # the claim: IDEMPOTENCY_TTL_SECONDS
    assert 86_000 <= _ttl_left(work, message) <= 86_400  # done: IDEMPOTENCY_DONE_TTL_SECONDS (a day)


def test_a_claim_never_expires_before_the_invocation_could_end(work, monkeypatch):
    monkeypatch.setenv(consumer.TTL_ENV, "5")
    seen: list[float] = []
    monkeypatch.setattr(consumer, "process", lambda msg: seen.append(_ttl_left(work, msg)))
    consumer.lambda_handler(batch(record()), Context(remaining_ms=600_000))
    assert 600 <= seen[0] <= 605  # raised to the 600 s this invocation may still run, plus a margin


@pytest.mark.parametrize(
    ("name", "value"),
    [("IDEMPOTENCY_TTL_SECONDS", "soon"), ("IDEMPOTENCY_TTL_SECONDS", "0"), ("IDEMPOTENCY_DONE_TTL_SECONDS", "90000"),
     ("IDEMPOTENCY_DONE_TTL_SECONDS", "10")],
)  # fmt: skip
def test_a_bad_setting_fails_loudly(monkeypatch, name, value):
    monkeypatch.delenv(consumer.TTL_ENV, raising=False)
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        consumer.settings()


def test_an_empty_event_acknowledges_nothing(work):
    assert consumer.lambda_handler({"Records": []}, None) == {"batchItemFailures": []}


def _claims(work, message: dict) -> list[dict]:
    """Each cache's entry for the message's key (empty when there is none)."""
    key = (consumer.KEY_PREFIX + consumer.key_hash(message["messageId"])).encode()
    return [{key: cache[key]} if key in cache else {} for cache in work["server"].caches.values()]


def _ttl_left(work, message: dict) -> float:
    server = work["server"]
    key = (consumer.KEY_PREFIX + consumer.key_hash(message["messageId"])).encode()
    (cache,) = [c for c in server.caches.values() if key in c]
    until, _value = server.expires[(id(cache), key)]
    return until - time.monotonic()
