"""`new --pattern idempotent-consumer`: the project renders with its own handler, tests and SQS
event (and none of the HTTP patterns'), wires an SQS queue with a DLQ to the function with
partial batch responses, lints, passes its own suite, `doctor` finds it healthy, and, invoked
for real in one process (one execution environment) against moto and the local Momento server,
processes 100 messages delivered 3 times each exactly once, with one secret read and one client,
and retries a message whose first attempt failed."""

from __future__ import annotations

import json
import random
import sys
import threading
import time
import uuid
from collections import Counter
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
    function_definitions,
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

PATTERN = catalog.IDEMPOTENT_CONSUMER.name
SETTINGS = ("IDEMPOTENCY_KEY_FIELD", "IDEMPOTENCY_TTL_SECONDS", "IDEMPOTENCY_DONE_TTL_SECONDS")


def test_the_layout_gives_the_consumer_its_handler_tests_and_sqs_event_and_shares_the_rest():
    consumer = build_answers("demo", runtime="python3.12", pattern=PATTERN)
    others = [
        build_answers("demo", runtime="python3.12", pattern=p.name) for p in catalog.PATTERNS if p.name != PATTERN
    ]
    for path in ("src/idempotent_consumer.py", "tests/test_idempotent_consumer.py", "events/sqs.json"):
        assert keeps(path, consumer) and not any(keeps(path, other) for other in others)
    for path in ("src/handler.py", "src/rate_limit.py", "tests/test_handler.py", "events/event.json"):
        assert not keeps(path, consumer)
    assert all(keeps("events/event.json", other) for other in others)  # the HTTP patterns keep theirs
    for path in (
        "src/momento_client.py",
        "tests/test_momento_client.py",
        "tests/conftest.py",
        "tests/momento_local.py",
    ):
        assert keeps(path, consumer) and all(keeps(path, other) for other in others)


@pytest.mark.parametrize("framework", catalog.frameworks_for(catalog.IDEMPOTENT_CONSUMER.name))
def test_the_project_points_the_function_at_the_consumer(tmp_path, framework):
    project = render(tmp_path, runtime="python3.13", framework=framework, pattern=PATTERN)
    files = sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file())
    assert "src/idempotent_consumer.py" in files and "events/sqs.json" in files
    assert not {"src/handler.py", "src/rate_limit.py", "tests/test_handler.py", "events/event.json"} & set(files)
    config = function_definitions(project, framework)
    assert "idempotent_consumer.lambda_handler" in config and "handler.lambda_handler" not in config.replace(
        "idempotent_consumer.", ""
    )
    for setting in SETTINGS:
        assert setting in config
    assert "/items/{id}" not in config  # no HTTP API
    assert json.loads((project / catalog.ANSWERS_FILE).read_text())["pattern"] == PATTERN
    readme = (project / "README.md").read_text()
    assert "events/sqs.json" in readme and "events/event.json" not in readme and "ItemUrl" not in readme
    sample = json.loads((project / "events" / "sqs.json").read_text())
    assert {r["eventSource"] for r in sample["Records"]} == {"aws:sqs"}


def test_the_sam_template_wires_the_queue_dlq_and_partial_batch_responses(tmp_path):
    project = render(tmp_path, runtime="python3.12", framework="sam", pattern=PATTERN)
    template = template_documents(project)
    resources = template["Resources"]
    function = resources["MomentoFunction"]["Properties"]
    timeout = function.get("Timeout", template["Globals"]["Function"]["Timeout"])
    (event,) = function["Events"].values()
    assert event["Type"] == "SQS"
    assert event["Properties"]["Queue"] == {"Fn::GetAtt": ["MessageQueue", "Arn"]}
    assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue = resources["MessageQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * timeout  # AWS's guidance for SQS event sources
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": ["MessageDeadLetterQueue", "Arn"]},
        "maxReceiveCount": 5,
    }
    assert resources["MessageDeadLetterQueue"]["Type"] == "AWS::SQS::Queue"
    variables = function["Environment"]["Variables"]
    assert int(variables["IDEMPOTENCY_TTL_SECONDS"]) > queue["VisibilityTimeout"]  # the claim outlives it
    assert int(variables["IDEMPOTENCY_DONE_TTL_SECONDS"]) >= int(variables["IDEMPOTENCY_TTL_SECONDS"])
    assert variables["IDEMPOTENCY_KEY_FIELD"] == ""
    # The grant is the secret's only (SAM's SQS event adds the poller's permissions itself).
    statements = function["Policies"][0]["Statement"]
    assert [s["Action"] for s in statements if "Action" in s] == ["secretsmanager:GetSecretValue"]
    assert "ItemUrl" not in template["Outputs"] and "MessageQueueUrl" in template["Outputs"]


def test_the_serverless_service_wires_the_queue_dlq_and_partial_batch_responses(tmp_path):
    project = render(tmp_path, runtime="python3.12", framework="serverless", pattern=PATTERN)
    service = serverless_document(project)
    (function,) = service["functions"].values()
    ((kind, event),) = [next(iter(e.items())) for e in function["events"]]
    assert kind == "sqs"
    assert event == {
        "arn": {"Fn::GetAtt": ["MessageQueue", "Arn"]},
        "batchSize": 10,
        "functionResponseType": "ReportBatchItemFailures",
    }
    resources = service["resources"]["Resources"]
    queue = resources["MessageQueue"]["Properties"]
    assert queue["VisibilityTimeout"] >= 6 * service["provider"]["timeout"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    variables = service["provider"]["environment"]
    assert int(variables["IDEMPOTENCY_TTL_SECONDS"]) > queue["VisibilityTimeout"]
    assert [s["Action"] for s in service["provider"]["iam"]["role"]["statements"]] == ["secretsmanager:GetSecretValue"]


def test_the_pattern_is_offered_for_python_and_node_runtimes():
    """Node.js projects get src/idempotentConsumer (tests/test_pattern_idempotent_consumer_node.py)."""
    assert set(catalog.IDEMPOTENT_CONSUMER.languages) == {catalog.PYTHON, catalog.NODE}
    assert catalog.IDEMPOTENT_CONSUMER in catalog.patterns_for(catalog.NODE)


@pytest.mark.parametrize("snapstart", [False, True])
def test_the_sam_template_passes_cfn_lint(tmp_path, snapstart):
    from cfnlint.api import lint_all

    project = render(tmp_path, runtime="python3.13", framework="sam", pattern=PATTERN, snapstart=snapstart)
    matches = lint_all((project / "template.yaml").read_text())
    assert not [m for m in matches if m.rule.id.startswith(("E", "W"))], matches


@pytest.mark.parametrize("framework", doctor_frameworks_for(catalog.IDEMPOTENT_CONSUMER.name))
def test_doctor_finds_the_consumer_project_healthy(tmp_path, run_cli, framework):
    """doctor judges the consumer's function like any other: no check fails, errs or warns about
    the project (a function with an SQS event and no HTTP API is no false alarm); the code checks
    pass on its handler's module and the client module."""
    project = render(tmp_path, runtime="python3.12", framework=framework, pattern=PATTERN)
    result = run_cli("doctor", str(project), "--offline", "--json")
    document = json.loads(result.stdout)
    checks = document["data"]["checks"]
    bad = [c for c in checks if c["status"] in ("fail", "error")]
    assert not bad, bad
    warned = [c for c in checks if c["status"] == "warn" and not c["id"].startswith("machine.")]
    assert not warned, warned  # only this machine's own warnings (no Docker, no sam / serverless)
    status = {c["id"]: c["status"] for c in checks}
    for check in ("code.parses", "code.client-reuse", "code.lambda-config", "iam.secret-access", "project.timeout"):
        assert status[check] == "pass", (check, status[check])


@pytest.mark.integration
@pytest.mark.parametrize("framework", catalog.frameworks_for(catalog.IDEMPOTENT_CONSUMER.name))
def test_the_generated_tests_pass_inside_the_project(tmp_path, framework):
    project = render(tmp_path, runtime="python3.11", framework=framework, pattern=PATTERN)
    result = run_project_tests(project, paths=project_test_paths(project))
    assert "test_idempotent_consumer.py" in result.stdout or " passed" in result.stdout


RUNTIME_VARIANTS = [(r.name, False) for r in catalog.OFFERED_RUNTIMES if r.language == catalog.PYTHON] + [
    (catalog.SNAPSTART_RUNTIME_NAMES[0], True)
]


@pytest.mark.slow
@pytest.mark.parametrize(("runtime", "snapstart"), RUNTIME_VARIANTS)
def test_the_generated_tests_pass_on_the_runtimes_python(tmp_path, runtime, snapstart):
    interpreter = require_python(catalog.runtime(runtime).version)  # type: ignore[union-attr]
    project = render(tmp_path, runtime=runtime, framework="sam", pattern=PATTERN, snapstart=snapstart)
    python = project_venv(project, interpreter)
    run_project_tests(project, python)


class Environment:
    """One execution environment: the project's modules imported once, every client counted
    and sent to the local server (with the key the secret held)."""

    MODULES = ("idempotent_consumer", "momento_client")

    def __init__(self, project: Path, server: Any) -> None:
        src = str(project / "src")
        for name in self.MODULES:
            sys.modules.pop(name, None)
        sys.path.insert(0, src)
        import idempotent_consumer
        import momento_client

        self.src, self.handler, self.client = src, idempotent_consumer, momento_client
        self.created = 0
        original = momento_client.CacheClient

        def counting(configuration: object, provider: Any, default_ttl: object) -> object:
            self.created += 1
            return original(configuration, server.credential_provider(provider.auth_token), default_ttl)

        momento_client.CacheClient = counting

    def close(self) -> None:
        self.client.reset()
        sys.path.remove(self.src)
        for name in self.MODULES:
            sys.modules.pop(name, None)


class Context:
    aws_request_id = "harness"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000  # the template's 10 s timeout


@pytest.fixture
def environment(tmp_path, aws, momento_server, monkeypatch) -> Iterator[tuple[ModuleType, Environment, dict]]:
    project = render(tmp_path, name="consumer", runtime="python3.11", pattern=PATTERN)
    env = Environment(project, momento_server)
    with CountingProxy(aws.url) as proxy:
        peers = seed_local_peers(aws, momento_server, proxy.url)
        for name, value in peers["env"].items():
            monkeypatch.setenv(name, value)
        for name in SETTINGS:
            monkeypatch.delenv(name, raising=False)
        try:
            yield env.handler, env, {**peers, "proxy": proxy, "server": momento_server}
        finally:
            env.close()


def sqs_record(body: dict) -> dict:
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": f"AQEB{uuid.uuid4().hex}",
        "body": json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:consumer-MessageQueue",
        "awsRegion": "us-east-1",
    }


@pytest.mark.integration
def test_100_messages_delivered_3_times_each_against_moto_and_the_local_momento_server(
    environment, monkeypatch, capsys
):
    """300 deliveries (each message 3 times, copies in the same batch and in batches running at
    once) by 4 pollers in batches of 10; what a batch reports in batchItemFailures is delivered
    again, as SQS does after the visibility timeout. One message fails its first attempt."""
    handler, env, peers = environment
    messages = [sqs_record({"n": n}) for n in range(100)]
    effects: Counter[int] = Counter()
    attempts: Counter[int] = Counter()
    lock = threading.Lock()
    flaky = 13

    def process(message: dict) -> None:  # the side effect, counted
        n = json.loads(message["body"])["n"]
        with lock:
            attempts[n] += 1
            first = attempts[n] == 1
        if n == flaky and first:
            raise RuntimeError("the first attempt fails")
        if n < 10:
            time.sleep(0.05)
        with lock:
            effects[n] += 1

    monkeypatch.setattr(handler, "process", process)
    # Messages 0-9: their 3 copies in the first 3 batches, which 3 pollers start at once (the work
    # takes 50 ms each): copies arrive while another poller holds the claim. The other 270
    # deliveries are shuffled, with copies side by side in one batch too.
    deliveries = [m for m in messages[10:] for _ in range(3)]
    random.Random(28).shuffle(deliveries)
    pending = [messages[:10]] * 3 + [deliveries[i : i + 10] for i in range(0, len(deliveries), 10)]
    start = threading.Barrier(4)
    reported: Counter[str] = Counter()
    invocations = 0

    def poller() -> None:
        nonlocal invocations
        start.wait()
        while True:
            with lock:
                if not pending:
                    return
                batch = pending.pop(0)
                invocations += 1
            response = handler.lambda_handler({"Records": batch}, Context())
            failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
            with lock:
                reported.update(failed)
                again = [m for m in batch if m["messageId"] in failed]
                if again:
                    pending.append(again)

    threads = [threading.Thread(target=poller) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    assert effects == Counter(range(100))  # exactly 100 side effects, one per message
    assert reported[messages[flaky]["messageId"]] >= 1  # its failed attempt was reported, then retried
    assert peers["proxy"].calls["GetSecretValue"] == 1
    assert env.created == 1
    server = peers["server"]
    (cache,) = server.state.caches.values()
    assert len(cache) == 100 and set(cache.values()) == {b"done"}
    assert set(server.state.ttls.values()) == {86_400_000}  # done: kept a day
    assert server.state.calls["SetIfNotExists"] >= 300 and server.state.calls["Delete"] >= 1
    out = capsys.readouterr().out
    assert MARKER not in out
    lines = [json.loads(line) for line in out.splitlines() if '"idempotent-consumer"' in line]
    outcomes = Counter(line["outcome"] for line in lines)
    assert outcomes["processed"] == 100 and outcomes["failed"] == 1 and outcomes["in-flight"] >= 1
    assert outcomes["duplicate"] + outcomes["in-flight"] + outcomes["processed"] + outcomes["failed"] == len(lines)
    print(f"harness: {invocations} invocations, {len(lines)} deliveries, outcomes {dict(outcomes)}")


@pytest.mark.integration
def test_a_failed_first_attempt_releases_the_claim_and_the_retry_processes_it_once(environment, monkeypatch, capsys):
    handler, env, peers = environment
    server = peers["server"]
    done: list[str] = []
    attempts: list[str] = []
    claim_ttls: list[int] = []

    def process(message: dict) -> None:
        attempts.append(message["messageId"])
        key = (handler.KEY_PREFIX + handler.key_hash(message["messageId"])).encode()
        claim_ttls.append(server.state.ttls[key])  # the claim this attempt holds
        if len(attempts) == 1:
            raise RuntimeError("the downstream API answered 503")
        done.append(message["messageId"])

    monkeypatch.setattr(handler, "process", process)
    message, other = sqs_record({"n": 1}), sqs_record({"n": 2})
    first = handler.lambda_handler({"Records": [message, other]}, Context())
    assert first == {"batchItemFailures": [{"itemIdentifier": message["messageId"]}]}
    (cache,) = server.state.caches.values()
    assert len(cache) == 1 and server.state.calls["Delete"] == 1  # the failed message's claim is released
    assert done == [other["messageId"]]
    retry = handler.lambda_handler({"Records": [message]}, Context())
    assert retry == {"batchItemFailures": []} and done == [other["messageId"], message["messageId"]]
    assert handler.lambda_handler({"Records": [message, other]}, Context()) == {"batchItemFailures": []}
    assert done == [other["messageId"], message["messageId"]] and len(attempts) == 3
    assert claim_ttls == [90_000] * 3  # every claim (the retry's too) outlives the 60 s visibility timeout
    assert set(server.state.ttls.values()) == {86_400_000}  # then done, kept a day
    assert peers["proxy"].calls["GetSecretValue"] == 1 and env.created == 1

    server.state.delay_seconds = 3  # Momento stalls: the message is retried, not processed unclaimed
    late = sqs_record({"n": 3})
    response = handler.lambda_handler({"Records": [late]}, Context())
    assert response == {"batchItemFailures": [{"itemIdentifier": late["messageId"]}]}
    line = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert line["outcome"] == "unclaimed" and line["error"] == "TIMEOUT_ERROR", line
    assert len(attempts) == 3


def test_update_switches_a_project_to_the_pattern(run_cli, tmp_path):
    """`update --answer pattern=idempotent-consumer`: the cache-aside handler, tests and HTTP event
    go, the consumer's come, the template wires the queue; the result is what `new` renders."""
    from tests.support.template_versions import commit_all, tree

    assert run_cli("new", "svc", "--no-input", "-o", str(tmp_path / "a"), "-r", "python3.12").exit_code == 0
    project = tmp_path / "a" / "svc"
    commit_all(project)
    result = run_cli("update", str(project), "--answer", f"pattern={PATTERN}")
    assert result.exit_code == 0, result.output
    for line in ("removed  src/handler.py", "removed  events/event.json", "added    src/idempotent_consumer.py"):
        assert line in result.stdout
    assert "added    events/sqs.json" in result.stdout
    fresh = run_cli("new", "svc", "--no-input", "-o", str(tmp_path / "b"), "-r", "python3.12", "--pattern", PATTERN)
    assert fresh.exit_code == 0
    expected = {k: v for k, v in tree(tmp_path / "b" / "svc").items() if k != catalog.ANSWERS_FILE}
    assert {k: v for k, v in tree(project).items() if k != catalog.ANSWERS_FILE} == expected


def test_update_carries_template_fixes_into_a_consumer_project_and_keeps_its_edits(run_cli, tmp_path, monkeypatch):
    """A later template fixes a shared file (the client module, the SAM template) and the
    consumer's handler: `update` brings all three into a consumer project whose `process` the
    user rewrote, keeps that work, and the pattern's files stay the pattern's."""
    from momento_lambda_cli.scaffold import versions
    from tests.support.template_versions import ROOT, commit_all

    live = versions.live_source()
    files = dict(live.files)
    fixes = {
        "src/momento_client.py": ("SECRET_RETRY_AFTER_SECONDS = 10.0\n", "SECRET_RETRY_AFTER_SECONDS = 15.0\n"),
        "template.yaml": ("    MemorySize: 512\n", "    MemorySize: 1024\n"),
        "src/idempotent_consumer.py": ("CLAIM_MARGIN_SECONDS = 5\n", "CLAIM_MARGIN_SECONDS = 6\n"),
    }
    for path, (old, new) in fixes.items():
        assert files[ROOT + path].count(old) == 1, path
        files[ROOT + path] = files[ROOT + path].replace(old, new)
    later = versions.TemplateSource(version="0.3.1", files=files, keep=live.keep)

    created = run_cli("new", "svc", "--no-input", "-o", str(tmp_path), "-r", "python3.12", "--pattern", PATTERN)
    assert created.exit_code == 0, created.output
    project = tmp_path / "svc"
    handler = project / "src" / "idempotent_consumer.py"
    mine = '    orders.append(json.loads(message["body"]))  # my work\n'
    text = handler.read_text()
    start = text.index('    body = message.get("body", "")\n')
    end = text.index("\n\n\ndef settings")
    handler.write_text(text[:start] + mine.rstrip("\n") + text[end:])
    commit_all(project)

    monkeypatch.setattr(versions, "live_source", lambda: later)
    result = run_cli("update", str(project))
    assert result.exit_code == 0, result.output
    for path, (_old, new) in fixes.items():
        assert new in (project / path).read_text(), path
    assert mine in handler.read_text()
    assert not (project / "src" / "handler.py").exists() and (project / "events" / "sqs.json").is_file()
    assert "Type: SQS" in (project / "template.yaml").read_text()
