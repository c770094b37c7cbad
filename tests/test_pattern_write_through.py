"""`new --pattern write-through`: a DynamoDB table served through Momento by a read function
(GET /items/{id}; a miss reads the table and fills with set_if_not_exists) and written through
by a second function on the table's stream (set on INSERT / MODIFY, a tombstone on REMOVE). The
project renders with both handlers, their tests and sample events (and none of the other
patterns'), wires the table, the stream's event source mapping and per-function IAM, lints,
passes its own suite, `doctor` finds it healthy, and, invoked for real against moto (the table
and its DynamoDB Streams API) and the local Momento server, each function in its own execution
environment inside this process: after each of 100 table updates (50 per item) the next read
returns the new value, with one secret read and one cache client per function over 100
invocations each; a reader that loaded an older version fills too late to matter; a deleted item
is a 404 even for a reader that loaded it first; Momento down: reads come from the table and the
stream reports its batch item failure."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.scaffold.answers import build_answers
from momento_lambda_cli.scaffold.layout import keeps
from tests.support.counting_proxy import CountingProxy
from tests.support.generated import (
    doctor_frameworks_for,
    project_test_paths,
    project_venv,
    render,
    run_project_tests,
    seed_local_peers,
    serverless_document,
    template_documents,
)
from tests.support.keys import MARKER
from tests.support.tools import require_python

PATTERN = catalog.WRITE_THROUGH.name
OWN_FILES = (
    "src/write_through.py",
    "src/write_through_stream.py",
    "tests/test_write_through.py",
    "events/stream.json",
)
SECRET_GRANT = "secretsmanager:GetSecretValue"


def test_the_layout_gives_the_pattern_its_handlers_tests_and_events_and_shares_the_rest():
    mine = build_answers("demo", runtime="python3.12", pattern=PATTERN)
    others = [
        build_answers("demo", runtime="python3.12", pattern=p.name) for p in catalog.PATTERNS if p.name != PATTERN
    ]
    for path in OWN_FILES:
        assert keeps(path, mine) and not any(keeps(path, other) for other in others), path
    for path in ("src/handler.py", "src/rate_limit.py", "src/idempotent_consumer.py", "src/publisher.py",
                 "tests/test_handler.py", "events/sqs.json"):  # fmt: skip
        assert not keeps(path, mine), path
    assert keeps("events/event.json", mine)  # its read API's HTTP request, shared with the HTTP patterns
    for path in (
        "src/momento_client.py",
        "tests/test_momento_client.py",
        "tests/conftest.py",
        "tests/momento_local.py",
    ):
        assert keeps(path, mine) and all(keeps(path, other) for other in others), path


@pytest.mark.parametrize("framework", catalog.frameworks_for(catalog.WRITE_THROUGH.name))
def test_the_project_has_both_handlers_and_its_sample_events(tmp_path, framework):
    project = render(tmp_path, runtime="python3.13", framework=framework, pattern=PATTERN)
    files = {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert set(OWN_FILES) <= files and "events/event.json" in files
    assert not {"src/handler.py", "src/rate_limit.py", "tests/test_handler.py", "events/sqs.json"} & files
    assert json.loads((project / catalog.ANSWERS_FILE).read_text())["pattern"] == PATTERN
    stream = json.loads((project / "events" / "stream.json").read_text())
    assert {r["eventSource"] for r in stream["Records"]} == {"aws:dynamodb"}
    assert [r["eventName"] for r in stream["Records"]] == ["INSERT", "MODIFY", "REMOVE"]
    http = json.loads((project / "events" / "event.json").read_text())
    assert http["routeKey"] == "GET /items/{id}"
    readme = (project / "README.md").read_text()
    for text in ("src/write_through.py", "src/write_through_stream.py", "set_if_not_exists", "tombstone",
                 "events/stream.json", "moto[dynamodb]"):  # fmt: skip
        assert text in readme, text
    requirements = (project / "requirements-dev.txt").read_text()
    assert "moto[dynamodb]" in requirements


def test_the_other_patterns_do_not_get_moto(tmp_path):
    project = render(tmp_path, runtime="python3.12", pattern=catalog.CACHE_ASIDE.name)
    assert "moto" not in (project / "requirements-dev.txt").read_text()


def _statements(properties: dict) -> list[dict]:
    return [s for s in properties["Policies"][0]["Statement"] if isinstance(s, dict) and "Sid" in s]


def test_the_sam_template_wires_the_table_stream_and_per_function_iam(tmp_path):
    project = render(tmp_path, runtime="python3.12", pattern=PATTERN)
    template = template_documents(project)
    resources = template["Resources"]
    functions = {k: v["Properties"] for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
    assert set(functions) == {"MomentoFunction", "StreamFunction"}
    reader, writer = functions["MomentoFunction"], functions["StreamFunction"]
    assert reader["Handler"] == "write_through.lambda_handler"
    assert writer["Handler"] == "write_through_stream.lambda_handler"
    assert reader["Events"] == {"GetItem": {"Type": "HttpApi", "Properties": {"Path": "/items/{id}", "Method": "get"}}}
    assert reader["Environment"]["Variables"]["ITEMS_TABLE_NAME"] == {"Ref": "ItemsTable"}
    (event,) = writer["Events"].values()
    assert event["Type"] == "DynamoDB"
    assert event["Properties"] == {
        "Stream": {"Fn::GetAtt": ["ItemsTable", "StreamArn"]},
        "StartingPosition": "LATEST",
        "BatchSize": 100,
        "MaximumBatchingWindowInSeconds": 0,
        "MaximumRetryAttempts": 5,
        "BisectBatchOnFunctionError": True,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
    }
    # Least privilege: the reader may GetItem on the table; the writer nothing on it (SAM adds the
    # stream's read permissions for the DynamoDB event); both read the Momento secret.
    assert [(s["Sid"], s["Action"]) for s in _statements(reader)] == [
        ("ReadMomentoApiKey", SECRET_GRANT),
        ("ReadItems", "dynamodb:GetItem"),
    ]
    assert _statements(reader)[1]["Resource"] == {"Fn::GetAtt": ["ItemsTable", "Arn"]}
    assert [(s["Sid"], s["Action"]) for s in _statements(writer)] == [("ReadMomentoApiKey", SECRET_GRANT)]
    assert _statements(writer)[0] == _statements(reader)[0]  # the same secret grant
    for name in ("MOMENTO_SECRET_ARN", "MOMENTO_CACHE_NAME", "MOMENTO_DEFAULT_TTL_SECONDS", "MOMENTO_INIT_CLIENT"):
        assert writer["Environment"]["Variables"][name] == reader["Environment"]["Variables"][name]
    assert "ITEMS_TABLE_NAME" not in writer["Environment"]["Variables"]
    table = resources["ItemsTable"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert properties["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert {"ItemUrl", "ItemsTableName", "StreamFunctionArn"} <= set(template["Outputs"])


def test_the_serverless_service_wires_the_table_and_the_stream(tmp_path):
    project = render(tmp_path, runtime="python3.12", framework="serverless", pattern=PATTERN)
    service = serverless_document(project)
    functions = service["functions"]
    assert set(functions) == {"api", "stream"}
    assert functions["api"]["handler"] == "src/write_through.lambda_handler"
    assert functions["api"]["events"] == [{"httpApi": {"path": "/items/{id}", "method": "get"}}]
    assert functions["api"]["environment"] == {"ITEMS_TABLE_NAME": "${self:service}-${sls:stage}-items"}
    table_name = service["resources"]["Resources"]["ItemsTable"]["Properties"]["TableName"]
    assert table_name == functions["api"]["environment"]["ITEMS_TABLE_NAME"]  # a plain name: invoke local needs no AWS
    assert functions["stream"]["handler"] == "src/write_through_stream.lambda_handler"
    assert functions["stream"]["events"] == [
        {
            "stream": {
                "type": "dynamodb",
                "arn": {"Fn::GetAtt": ["ItemsTable", "StreamArn"]},
                "startingPosition": "LATEST",
                "batchSize": 100,
                "maximumRetryAttempts": 5,
                "bisectBatchOnFunctionError": True,
                "functionResponseType": "ReportBatchItemFailures",
            }
        }
    ]
    statements = service["provider"]["iam"]["role"]["statements"]
    assert [(s["Sid"], s["Action"]) for s in statements] == [
        ("ReadMomentoApiKey", SECRET_GRANT),
        ("ReadItems", "dynamodb:GetItem"),
    ]
    assert statements[1]["Resource"] == {"Fn::GetAtt": ["ItemsTable", "Arn"]}
    table = service["resources"]["Resources"]["ItemsTable"]["Properties"]
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["BillingMode"] == "PAY_PER_REQUEST" and table["SSESpecification"] == {"SSEEnabled": True}
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


@pytest.mark.parametrize(("architecture", "snapstart"), [("x86_64", False), ("arm64", True)])
def test_the_sam_template_passes_cfn_lint(tmp_path, architecture, snapstart):
    from cfnlint.api import lint_all

    project = render(tmp_path, runtime="python3.13", pattern=PATTERN, architecture=architecture, snapstart=snapstart)
    matches = lint_all((project / "template.yaml").read_text())
    assert not [m for m in matches if m.rule.id.startswith(("E", "W"))], matches


@pytest.mark.parametrize("framework", doctor_frameworks_for(catalog.WRITE_THROUGH.name))
def test_doctor_finds_the_write_through_project_healthy(tmp_path, run_cli, framework):
    """doctor judges both functions: no check fails, errs or warns about the project (a stream
    function with no HTTP API and a second module-level client, DynamoDB's, are no false alarm);
    the code checks pass on both handlers and the client module."""
    project = render(tmp_path, runtime="python3.12", framework=framework, pattern=PATTERN)
    result = run_cli("doctor", str(project), "--offline", "--json")
    document = json.loads(result.stdout)
    checks = document["data"]["checks"]
    bad = [c for c in checks if c["status"] in ("fail", "error")]
    assert not bad, bad
    warned = [c for c in checks if c["status"] == "warn" and not c["id"].startswith("machine.")]
    assert not warned, warned
    status = {c["id"]: c["status"] for c in checks}
    for check in ("code.parses", "code.client-reuse", "code.lambda-config", "iam.secret-access", "project.timeout"):
        assert status[check] == "pass", (check, status[check])
    text = json.dumps(next(c for c in checks if c["id"] == "iam.secret-access"))
    if framework == "sam":
        assert "StreamFunction" in text and "MomentoFunction" in text, text
    else:
        assert "stream" in text and "api" in text, text


@pytest.mark.integration
@pytest.mark.parametrize("framework", catalog.frameworks_for(catalog.WRITE_THROUGH.name))
def test_the_generated_tests_pass_inside_the_project(tmp_path, framework):
    project = render(tmp_path, runtime="python3.11", framework=framework, pattern=PATTERN)
    result = run_project_tests(project, paths=project_test_paths(project))
    assert " passed" in result.stdout


RUNTIME_VARIANTS = [(r.name, False) for r in catalog.OFFERED_RUNTIMES if r.language == catalog.PYTHON] + [
    (catalog.SNAPSTART_RUNTIME_NAMES[0], True)
]


@pytest.mark.slow
@pytest.mark.parametrize(("runtime", "snapstart"), RUNTIME_VARIANTS)
def test_the_generated_tests_pass_on_the_runtimes_python(tmp_path, runtime, snapstart):
    interpreter = require_python(catalog.runtime(runtime).version)  # type: ignore[union-attr]
    project = render(tmp_path, runtime=runtime, pattern=PATTERN, snapstart=snapstart)
    run_project_tests(project, project_venv(project, interpreter))


# --- The harness: each function in its own execution environment, against moto and local Momento ---


class Environment:
    """One execution environment of one function: its handler module, the module it shares with the
    other function, and the client module, imported once and kept apart from the other function's
    (Lambda never shares module state between two functions). Every cache client is counted and
    sent to the local server (with the key the secret held); every secret read is counted."""

    MODULES = ("write_through_stream", "write_through", "momento_client")

    def __init__(self, project: Path, server: Any, entry: str) -> None:
        self.src = str(project / "src")
        self._forget()
        sys.path.insert(0, self.src)
        try:
            __import__(entry)
            self.handler: ModuleType = sys.modules[entry]
            self.shared: ModuleType = sys.modules["write_through"]
            self.client: ModuleType = sys.modules["momento_client"]
        finally:
            sys.path.remove(self.src)
            self._forget()  # the other function imports its own copies
        self.created = 0
        self.secret_reads = 0
        original, read = self.client.CacheClient, self.client.get_secret_string

        def counting(configuration: object, provider: Any, default_ttl: object) -> object:
            self.created += 1
            return original(configuration, server.credential_provider(provider.auth_token), default_ttl)

        def counting_read(secret: str) -> str:
            self.secret_reads += 1
            return read(secret)

        self.client.CacheClient = counting
        self.client.get_secret_string = counting_read

    def _forget(self) -> None:
        for name in self.MODULES:
            sys.modules.pop(name, None)

    def invoke(self, event: dict) -> dict:
        result: dict = self.handler.lambda_handler(event, None)
        return result

    def close(self) -> None:
        self.client.reset()
        self.shared.reset()


class Harness:
    def __init__(self, aws: Any, reader: Environment, writer: Environment, peers: dict) -> None:
        self.reader, self.writer, self.peers = reader, writer, peers
        self.server = peers["server"]
        self.dynamodb = aws.client("dynamodb")
        self.streams = aws.client("dynamodbstreams")
        created = self.dynamodb.create_table(
            TableName="items",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        self.stream_arn = created["TableDescription"]["LatestStreamArn"]
        (shard,) = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        self.iterator = self.streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST"
        )["ShardIterator"]
        self.stream_invocations = 0
        self.read_invocations = 0

    def changes(self) -> dict:
        """The stream's new records (moto's DynamoDB Streams API), as Lambda's event of one batch:
        the same records plus ``eventSourceARN``, the creation time in epoch seconds."""
        page = self.streams.get_records(ShardIterator=self.iterator)
        self.iterator = page["NextShardIterator"]
        records = []
        for record in page["Records"]:
            stream = {**record["dynamodb"]}
            stream["ApproximateCreationDateTime"] = int(stream["ApproximateCreationDateTime"].timestamp())
            records.append({**record, "dynamodb": stream, "eventSourceARN": self.stream_arn})
        return {"Records": records}

    def deliver(self) -> list[str]:
        event = self.changes()
        assert event["Records"], "the stream has no new record"
        self.stream_invocations += 1
        return [f["itemIdentifier"] for f in self.writer.invoke(event)["batchItemFailures"]]

    def read(self, item_id: str) -> tuple[int, dict, str]:
        self.read_invocations += 1
        response = self.reader.invoke({"pathParameters": {"id": item_id}, "rawPath": f"/items/{item_id}"})
        return response["statusCode"], json.loads(response["body"]), response["headers"]["x-cache"]

    def cached(self, item_id: str) -> Any:
        (cache,) = self.server.state.caches.values()
        value = cache.get(f"item:{item_id}".encode())
        return None if value is None else json.loads(value)


@pytest.fixture
def harness(tmp_path, aws, momento_server, monkeypatch) -> Iterator[Harness]:
    project = render(tmp_path, name="items", runtime="python3.11", pattern=PATTERN)
    reader = Environment(project, momento_server, "write_through")
    writer = Environment(project, momento_server, "write_through_stream")
    assert reader.client is not writer.client and reader.shared is not writer.shared
    with CountingProxy(aws.url) as proxy:
        peers = seed_local_peers(aws, momento_server, proxy.url)
        for name, value in {**peers["env"], "ITEMS_TABLE_NAME": "items"}.items():
            monkeypatch.setenv(name, value)
        try:
            yield Harness(aws, reader, writer, {**peers, "proxy": proxy, "server": momento_server})
        finally:
            reader.close()
            writer.close()


@pytest.mark.integration
def test_after_each_of_100_table_updates_the_next_read_returns_the_new_value(harness, capsys):
    """Two items, 50 updates each (a put, then update_item changes), every change fed from moto's
    stream to the stream function, then read: the new value every time, from the cache."""
    h = harness
    for item_id in ("a", "b"):  # never created yet: a 404 read from the table, cached as a tombstone
        assert h.read(item_id)[:3:2] == (404, "miss")
    for version in range(1, 51):
        for item_id in ("a", "b"):
            if version == 1:
                h.dynamodb.put_item(TableName="items", Item={"id": {"S": item_id}, "version": {"N": "1"},
                                                             "price": {"N": "1.5"}})  # fmt: skip
            else:
                h.dynamodb.update_item(
                    TableName="items",
                    Key={"id": {"S": item_id}},
                    UpdateExpression="SET version = :v, price = :p",
                    ExpressionAttributeValues={":v": {"N": str(version)}, ":p": {"N": f"{version}.5"}},
                )
            assert h.deliver() == []
            status, body, cache = h.read(item_id)
            assert (status, body["item"], cache) == (200, {"id": item_id, "version": version,
                                                           "price": version + 0.5}, "hit"), version  # fmt: skip
    assert h.stream_invocations == 100 and h.read_invocations == 102
    assert h.peers["proxy"].calls["GetItem"] == 2  # only the two first reads touched the table
    assert (h.reader.secret_reads, h.reader.created) == (1, 1)
    assert (h.writer.secret_reads, h.writer.created) == (1, 1)
    assert h.peers["proxy"].calls["GetSecretValue"] == 2  # one per function
    server = h.server.state
    assert server.calls["SetIfNotExists"] == 2 and server.calls["Set"] == 100
    assert set(server.ttls.values()) == {60_000}
    out = capsys.readouterr().out
    assert MARKER not in out
    stream_lines = [json.loads(line) for line in out.splitlines() if '"write-through-stream"' in line]
    assert len(stream_lines) == 100 and {line["outcome"] for line in stream_lines} == {"written"}
    print(f"harness: {h.stream_invocations} stream invocations, {h.read_invocations} reads, "
          f"GetItem {h.peers['proxy'].calls['GetItem']}, GetSecretValue {h.peers['proxy'].calls['GetSecretValue']}, "
          f"clients {h.reader.created}+{h.writer.created}")  # fmt: skip


@pytest.mark.integration
def test_a_reader_that_loaded_an_older_version_fills_too_late_to_matter(harness, monkeypatch):
    h = harness
    h.dynamodb.put_item(TableName="items", Item={"id": {"S": "a"}, "v": {"S": "v1"}})
    h.deliver()
    (cache,) = h.server.state.caches.values()
    cache.clear()  # v1 left the cache (its TTL): the next read misses
    real = h.reader.shared.dynamodb

    class SlowReader:
        def get_item(self, **request: Any) -> Any:
            answer = real().get_item(**request)  # v1
            h.dynamodb.put_item(TableName="items", Item={"id": {"S": "a"}, "v": {"S": "v2"}})
            assert h.deliver() == []  # the stream writes v2 before the reader fills v1
            return answer

    monkeypatch.setattr(h.reader.shared, "dynamodb", SlowReader)
    status, body, cache_state = h.read("a")
    assert (status, body["item"]["v"], cache_state) == (200, "v1", "miss")
    assert h.cached("a")["v"] == "v2"  # the late fill was refused
    monkeypatch.setattr(h.reader.shared, "dynamodb", real)
    assert h.read("a")[1:] == ({"item": {"id": "a", "v": "v2"}, "cache": "hit"}, "hit")


@pytest.mark.integration
def test_a_deleted_item_is_a_404_even_after_a_late_fill(harness, monkeypatch, capsys):
    h = harness
    h.dynamodb.put_item(TableName="items", Item={"id": {"S": "a"}, "v": {"S": "v1"}})
    h.deliver()
    assert h.read("a")[0] == 200
    (cache,) = h.server.state.caches.values()
    cache.clear()
    real = h.reader.shared.dynamodb

    class SlowReader:
        def get_item(self, **request: Any) -> Any:
            answer = real().get_item(**request)  # still there
            h.dynamodb.delete_item(TableName="items", Key={"id": {"S": "a"}})
            assert h.deliver() == []  # REMOVE: the tombstone is written before the reader fills
            return answer

    monkeypatch.setattr(h.reader.shared, "dynamodb", SlowReader)
    assert h.read("a")[0] == 200  # the item existed when this request read it
    monkeypatch.setattr(h.reader.shared, "dynamodb", real)
    for _ in range(3):
        assert h.read("a")[:3:2] == (404, "hit")
    assert h.cached("a") == {"deleted": True}
    assert h.server.state.ttls[b"item:a"] == 60_000
    outcomes = [json.loads(line)["outcome"] for line in capsys.readouterr().out.splitlines()
                if '"write-through-stream"' in line]  # fmt: skip
    assert outcomes == ["written", "tombstone"]


@pytest.mark.integration
def test_momento_down_reads_come_from_the_table_and_the_stream_reports_the_change(harness, capsys):
    h = harness
    h.dynamodb.put_item(TableName="items", Item={"id": {"S": "a"}, "v": {"S": "v1"}})
    h.deliver()
    h.server.state.delay_seconds = 3  # Momento stalls: the SDK's deadline (1.1 s) ends each call
    h.dynamodb.put_item(TableName="items", Item={"id": {"S": "a"}, "v": {"S": "v2"}})
    h.dynamodb.put_item(TableName="items", Item={"id": {"S": "b"}, "v": {"S": "v1"}})
    event = h.changes()
    first = event["Records"][0]["dynamodb"]["SequenceNumber"]
    # Stopped at the first record (Lambda retries the batch from it, up to MaximumRetryAttempts).
    assert [f["itemIdentifier"] for f in h.writer.invoke(event)["batchItemFailures"]] == [first]
    for _ in range(2):
        status, body, cache_state = h.read("a")
        assert (status, body["item"]["v"], cache_state) == (200, "v2", "error")  # from the table
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    failed = [line for line in lines if line.get("event") == "write-through-stream" and line["outcome"] == "failed"]
    assert len(failed) == 1 and failed[0]["error"] == "TIMEOUT_ERROR"
    h.server.state.delay_seconds = 0  # back: the retried batch goes through
    h.writer.client.reset()
    h.reader.client.reset()
    assert h.writer.invoke(event) == {"batchItemFailures": []}
    assert h.read("a")[1]["item"]["v"] == "v2" and h.read("b")[1]["item"]["v"] == "v1"


def test_update_switches_a_project_to_the_pattern(run_cli, tmp_path):
    """`update --answer pattern=write-through`: the cache-aside handler and tests go, the two
    handlers, their tests and the stream event come; the result is what `new` renders."""
    from tests.support.template_versions import commit_all, tree

    assert run_cli("new", "svc", "--no-input", "-o", str(tmp_path / "a"), "-r", "python3.12").exit_code == 0
    project = tmp_path / "a" / "svc"
    commit_all(project)
    result = run_cli("update", str(project), "--answer", f"pattern={PATTERN}")
    assert result.exit_code == 0, result.output
    for line in ("removed  src/handler.py", "added    src/write_through.py", "added    src/write_through_stream.py",
                 "added    events/stream.json", "added    tests/test_write_through.py"):  # fmt: skip
        assert line in result.stdout, line
    fresh = run_cli("new", "svc", "--no-input", "-o", str(tmp_path / "b"), "-r", "python3.12", "--pattern", PATTERN)
    assert fresh.exit_code == 0
    expected = {k: v for k, v in tree(tmp_path / "b" / "svc").items() if k != catalog.ANSWERS_FILE}
    assert {k: v for k, v in tree(project).items() if k != catalog.ANSWERS_FILE} == expected


def test_update_carries_template_fixes_into_a_write_through_project_and_keeps_its_edits(run_cli, tmp_path, monkeypatch):
    """A later template fixes a shared file (the client module, the SAM template) and both of the
    pattern's handlers: `update` brings them into a project whose user edited the read handler."""
    from momento_lambda_cli.scaffold import versions
    from tests.support.template_versions import ROOT, commit_all

    live = versions.live_source()
    files = dict(live.files)
    fixes = {
        "src/momento_client.py": ("SECRET_RETRY_AFTER_SECONDS = 10.0\n", "SECRET_RETRY_AFTER_SECONDS = 15.0\n"),
        "template.yaml": ("    MemorySize: 512\n", "    MemorySize: 1024\n"),
        "src/write_through.py": ("TOMBSTONE_TTL_SECONDS = 60\n", "TOMBSTONE_TTL_SECONDS = 90\n"),
        "src/write_through_stream.py": ('REMOVE = "REMOVE"\n', 'REMOVE = "REMOVE"  # fixed\n'),
    }
    for path, (old, new) in fixes.items():
        assert files[ROOT + path].count(old) == 1, path
        files[ROOT + path] = files[ROOT + path].replace(old, new)
    later = versions.TemplateSource(version="0.3.1", files=files, keep=live.keep)

    created = run_cli("new", "svc", "--no-input", "-o", str(tmp_path), "-r", "python3.12", "--pattern", PATTERN)
    assert created.exit_code == 0, created.output
    project = tmp_path / "svc"
    handler = project / "src" / "write_through.py"
    mine = 'KEY_PREFIX = "catalog-item:"  # mine\n'
    handler.write_text(handler.read_text().replace('KEY_PREFIX = "item:"\n', mine))
    commit_all(project)

    monkeypatch.setattr(versions, "live_source", lambda: later)
    result = run_cli("update", str(project))
    assert result.exit_code == 0, result.output
    for path, (_old, new) in fixes.items():
        assert new in (project / path).read_text(), path
    assert mine in handler.read_text()
    assert not (project / "src" / "handler.py").exists() and (project / "events" / "stream.json").is_file()
    assert "Type: DynamoDB" in (project / "template.yaml").read_text()
