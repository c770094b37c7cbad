"""Tests of the write-through pattern: the read API (src/write_through.py) and the stream function
(src/write_through_stream.py). They run offline: the table and its stream are moto's in-memory
DynamoDB (``mock_aws``), the secret is read from memory and the real Momento client talks to a
local server (tests/momento_local.py) whose set-if-not-exists is atomic, as Momento's is.

    pip install -r requirements-dev.txt && python -m pytest
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

import momento_client
import write_through
import write_through_stream
from conftest import log_lines

TABLE = "items"


class Table:
    """The items table in moto, and its stream read like Lambda's event source mapping does."""

    def __init__(self) -> None:
        self.dynamodb = boto3.client("dynamodb")
        created = self.dynamodb.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        self.stream_arn = created["TableDescription"]["LatestStreamArn"]
        self.streams = boto3.client("dynamodbstreams")
        (shard,) = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        self.iterator = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
        )["ShardIterator"]

    def put(self, item_id: str, **attributes: Any) -> None:
        item = {"id": {"S": item_id}, **{k: _attribute(v) for k, v in attributes.items()}}
        self.dynamodb.put_item(TableName=TABLE, Item=item)

    def delete(self, item_id: str) -> None:
        self.dynamodb.delete_item(TableName=TABLE, Key={"id": {"S": item_id}})

    def changes(self) -> dict[str, Any]:
        """The stream records written since the last call, as the Lambda event of one batch."""
        page = self.streams.get_records(ShardIterator=self.iterator)
        self.iterator = page["NextShardIterator"]
        records = []
        for record in page["Records"]:
            stream = dict(record["dynamodb"])
            stream["ApproximateCreationDateTime"] = int(stream["ApproximateCreationDateTime"].timestamp())
            records.append({**record, "eventSourceARN": self.stream_arn})
            records[-1]["dynamodb"] = stream
        return {"Records": records}


def _attribute(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": str(value)}
    if isinstance(value, set):
        return {"SS": sorted(value)}
    return {"S": str(value)}


@pytest.fixture
def table(fake, monkeypatch) -> Iterator[Table]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1", write_through.TABLE_ENV: TABLE}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MOMENTO_DEFAULT_TTL_SECONDS", "60")
    write_through.reset()
    with mock_aws():
        yield Table()
    write_through.reset()


def read(item_id: str) -> tuple[int, dict[str, Any], str]:
    response = write_through.lambda_handler({"pathParameters": {"id": item_id}}, None)
    return response["statusCode"], json.loads(response["body"]), response["headers"]["x-cache"]


def stream(event: dict[str, Any]) -> list[str]:
    return [f["itemIdentifier"] for f in write_through_stream.lambda_handler(event, None)["batchItemFailures"]]


def cached(fake: dict, item_id: str) -> Any:
    value = fake["server"].caches["unit-cache"].get(write_through.cache_key(item_id).encode())
    return None if value is None else json.loads(value)


def test_a_miss_reads_the_table_and_fills_the_cache_then_hits(table, fake):
    table.put("a", message="v1", count=3, price=2.5, tags={"x", "y"})
    assert read("a") == (
        200,
        {"item": {"id": "a", "message": "v1", "count": 3, "price": 2.5, "tags": ["x", "y"]}, "cache": "miss"},
        "miss",
    )
    assert cached(fake, "a")["message"] == "v1"
    assert read("a")[2] == "hit"
    assert fake["server"].calls["SetIfNotExists"] == 1 and fake["server"].calls["Set"] == 0
    assert len(fake["reads"]) == 1 and len(fake["clients"]) == 1


def test_every_change_reaches_the_next_read(table, fake):
    table.put("a", message="v0")
    stream(table.changes())
    for version in range(1, 6):
        table.put("a", message=f"v{version}", version=version)
        assert stream(table.changes()) == []
        status, body, cache = read("a")
        assert (status, body["item"]["message"], body["item"]["version"], cache) == (200, f"v{version}", version, "hit")


def test_a_late_fill_never_overwrites_the_streams_newer_value(table, fake, monkeypatch):
    """A reader loads v1, the item becomes v2 and the stream writes it, then the reader fills:
    the cache keeps v2."""
    table.put("a", message="v1")
    stream(table.changes())
    fake["server"].caches["unit-cache"].clear()  # v1 expired from the cache: the next read misses
    real = write_through.dynamodb

    class SlowReader:
        def get_item(self, **request: Any) -> Any:
            answer = real().get_item(**request)  # loads v1
            table.put("a", message="v2")
            assert stream(table.changes()) == []  # the stream writes v2 before the reader fills
            return answer

    monkeypatch.setattr(write_through, "dynamodb", SlowReader)
    status, body, cache = read("a")
    assert (status, body["item"]["message"], cache) == (200, "v1", "miss")  # what it read, then
    assert cached(fake, "a")["message"] == "v2"
    monkeypatch.setattr(write_through, "dynamodb", real)
    assert read("a")[1]["item"]["message"] == "v2"


def test_a_delete_is_a_404_even_for_a_reader_that_loaded_the_item_before(table, fake, monkeypatch, capsys):
    table.put("a", message="v1")
    stream(table.changes())
    fake["server"].caches["unit-cache"].clear()
    real = write_through.dynamodb

    class SlowReader:
        def get_item(self, **request: Any) -> Any:
            answer = real().get_item(**request)  # still there
            table.delete("a")
            assert stream(table.changes()) == []  # the tombstone is written first
            return answer

    monkeypatch.setattr(write_through, "dynamodb", SlowReader)
    assert read("a")[0] == 200  # the item existed when this request read it
    monkeypatch.setattr(write_through, "dynamodb", real)
    assert read("a")[:2] == (404, {"error": "not found", "id": "a"})
    assert fake["server"].caches["unit-cache"][b"item:a"] == write_through.TOMBSTONE.encode()
    table.put("a", message="back")  # re-created: the INSERT replaces the tombstone
    stream(table.changes())
    assert read("a")[1]["item"]["message"] == "back"
    changes = [line["outcome"] for line in log_lines(capsys) if line.get("event") == "write-through-stream"]
    assert changes == ["written", "tombstone", "written"]


def test_an_item_that_does_not_exist_is_a_404_and_cached_as_such(table, fake):
    assert read("nope")[0] == 404
    assert read("nope")[:3:2] == (404, "hit")
    table.put("nope", message="now it does")
    stream(table.changes())
    assert read("nope")[1]["item"]["message"] == "now it does"


def test_stream_writes_are_kept_at_least_the_tombstone_ttl(table, fake, monkeypatch):
    monkeypatch.setenv("MOMENTO_DEFAULT_TTL_SECONDS", "5")
    assert write_through.stream_ttl().total_seconds() == write_through.TOMBSTONE_TTL_SECONDS
    monkeypatch.setenv("MOMENTO_DEFAULT_TTL_SECONDS", "600")
    assert write_through.stream_ttl().total_seconds() == 600


def test_reads_fall_back_to_the_table_when_momento_is_down(table, fake, capsys):
    table.put("a", message="v1")
    fake["server"].stall()  # a frozen Momento: the client's deadline ends each call
    try:
        for _ in range(4):  # the breaker opens after 3 timeouts: the 4th skips Momento at once
            status, body, cache = read("a")
            assert (status, body["item"]["message"], cache) == (200, "v1", "error")
    finally:
        fake["server"].resume()
    errors = [line["error"] for line in log_lines(capsys) if line.get("event") == "write-through-read"]
    assert errors[:3] == ["TIMEOUT_ERROR"] * 3 and errors[3].startswith("CircuitOpen")


def test_the_stream_reports_the_first_change_momento_did_not_take(table, fake):
    table.put("a", message="v1")
    table.put("b", message="v1")
    event = table.changes()
    fake["server"].stall()
    try:
        failures = stream(event)
    finally:
        fake["server"].resume()
    # Stopped at the first record: Lambda retries the batch from it, so one key's changes stay in order.
    assert failures == [event["Records"][0]["dynamodb"]["SequenceNumber"]]
    momento_client.reset()  # a new execution environment (the breaker closed again)
    assert stream(event) == []
    assert cached(fake, "a")["message"] == "v1" and cached(fake, "b")["message"] == "v1"


def test_a_record_without_a_string_id_is_skipped_not_retried_forever(table, fake):
    record = {"eventName": "INSERT", "dynamodb": {"Keys": {"id": {"N": "1"}}, "SequenceNumber": "1"}}
    assert stream({"Records": [record]}) == []


def test_a_bad_path_is_a_400(table, fake):
    assert write_through.lambda_handler({"pathParameters": {}}, None)["statusCode"] == 400
    assert read("x" * (write_through.MAX_ID_LENGTH + 1))[0] == 400


def test_the_sample_events_work_together(table, fake):
    """events/stream.json then events/event.json (the README's local run): a hit, no table read."""
    from pathlib import Path

    events = Path(__file__).resolve().parents[1] / "events"
    assert stream(json.loads((events / "stream.json").read_text())) == []
    status, body, cache = read(json.loads((events / "event.json").read_text())["pathParameters"]["id"])
    assert (status, body["item"]["message"], cache) == (200, "hello again", "hit")
    assert read("gone")[:3:2] == (404, "hit")
