"""Tests of the publishing function. They run offline: the secret is read from memory, and the
real Momento clients (the cache client and the topic client built from the same credentials)
talk to a local server (tests/momento_local.py) that serves topics.

    pip install -r requirements-dev.txt && python -m pytest
"""

from __future__ import annotations

import base64
import json
import threading

import pytest
from momento import TopicClient, TopicConfigurations
from momento.responses import TopicSubscribe, TopicSubscriptionItem

import momento_client
import publisher
from conftest import V2_KEY, _jwt, log_lines


@pytest.fixture
def topics(fake, monkeypatch):
    """The publisher with its topic client reset; the topic clients it builds are counted."""
    monkeypatch.setenv(publisher.TOPIC_ENV, "orders")
    fake["server"].topics.clear()
    built = []
    real = publisher.TopicClient

    def counting(configuration, provider):
        built.append(provider)
        return real(configuration, provider)

    monkeypatch.setattr(publisher, "TopicClient", counting)
    publisher.reset()
    yield {**fake, "built": built}
    publisher.reset()


def request(body: object, base64_encoded: bool = False) -> dict:
    text = body if isinstance(body, str) else json.dumps(body)
    if base64_encoded:
        return {"body": base64.b64encode(text.encode()).decode(), "isBase64Encoded": True}
    return {"body": text}


def subscribe(server, cache: str = "unit-cache", topic: str = "orders"):
    client = TopicClient(TopicConfigurations.Default.latest(), server.credentials(V2_KEY))
    subscription = client.subscribe(cache, topic)
    assert isinstance(subscription, TopicSubscribe.Subscription), subscription
    return client, subscription


def test_a_published_event_reaches_a_subscriber(topics, capsys):
    client, subscription = subscribe(topics["server"])
    received: list[str] = []

    def listen() -> None:
        for item in subscription:
            if isinstance(item, TopicSubscriptionItem.Text):
                received.append(item.value)
                if len(received) == 3:
                    return

    listener = threading.Thread(target=listen)
    listener.start()
    answers = [publisher.lambda_handler(request({"order": n}), None) for n in range(3)]
    listener.join(timeout=10)
    client.close()
    assert [a["statusCode"] for a in answers] == [202, 202, 202]
    assert received == ['{"order":0}', '{"order":1}', '{"order":2}']
    assert len(topics["reads"]) == 1 and len(topics["built"]) == 1  # one secret read, one topic client
    logs = log_lines(capsys)
    assert [line["published"] for line in logs] == [True, True, True] and logs[0]["topic"] == "orders"


def test_a_base64_body_is_published_as_its_json(topics):
    assert publisher.lambda_handler(request({"a": 1}, base64_encoded=True), None)["statusCode"] == 202
    ((_cache, topic), values), = topics["server"].topics.items()
    assert topic == "orders" and values[0].text == '{"a":1}'


@pytest.mark.parametrize("body", ["not json", "", "x" * 5000])
def test_a_bad_body_is_400_and_publishes_nothing(topics, body):
    assert publisher.lambda_handler(request(body), None)["statusCode"] == 400
    assert not topics["server"].topics


def test_a_rotated_key_is_picked_up_and_the_topic_client_rebuilt(topics, monkeypatch):
    assert publisher.lambda_handler(request({"n": 1}), None)["statusCode"] == 202
    new_key = _jwt({"t": "g", "id": "rotated"})
    topics["state"]["secret"] = json.dumps({"MOMENTO_API_KEY": new_key, "MOMENTO_ENDPOINT": "cell-1.example.com"})
    topics["server"].accepted_keys = {new_key}  # Momento rejects the old key from now on
    assert publisher.lambda_handler(request({"n": 2}), None)["statusCode"] == 202
    assert len(topics["reads"]) == 2 and len(topics["built"]) == 2


def test_when_momento_refuses_the_answer_is_503(topics, capsys):
    topics["server"].accepted_keys = set()
    response = publisher.lambda_handler(request({"n": 1}), None)
    assert response["statusCode"] == 503
    line = log_lines(capsys)[-1]
    assert line["published"] is False and line["error"] == "AUTHENTICATION_ERROR"


def test_an_unreadable_secret_is_503(env, monkeypatch):
    def broken() -> str:
        raise RuntimeError("AccessDeniedException")

    monkeypatch.setattr(momento_client, "read_secret_string", broken)
    publisher.reset()
    assert publisher.lambda_handler(request({"n": 1}), None)["statusCode"] == 503
