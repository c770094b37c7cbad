"""`new --pattern idempotent-consumer` for Node.js (JavaScript and TypeScript): the project gets
the consumer (``src/idempotentConsumer``) and its tests beside the shared client module and its
tests, lints, passes its own suite, and, run with node against moto and the local Momento server
(the real SDK's ``setIfAbsent``), processes 100 messages delivered 3 times each exactly once, with
one secret read and one client, and retries a message whose first attempt failed."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from momento_lambda_cli import catalog
from momento_lambda_cli.scaffold.answers import build_answers
from momento_lambda_cli.scaffold.layout import keeps
from tests.support.counting_proxy import CountingProxy
from tests.support.generated import (
    NODE_LOCAL_PRELUDE,
    doctor_frameworks_for,
    npm_install,
    render,
    run_node_project_tests,
    seed_local_peers,
    template_frameworks_for,
)
from tests.support.keys import MARKER
from tests.support.tools import require_tool

PATTERN = catalog.IDEMPOTENT_CONSUMER.name
LANGUAGES = catalog.NODE_SOURCE_LANGUAGES


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_layout_gives_node_projects_the_consumer_and_its_sqs_event(language):
    ext = "ts" if language == catalog.TYPESCRIPT else "mjs"
    consumer = build_answers("demo", runtime="nodejs22.x", language=language, pattern=PATTERN)
    for path in (f"src/idempotentConsumer.{ext}", f"tests/idempotentConsumer.test.{ext}", "events/sqs.json"):
        assert keeps(path, consumer)
    for path in (f"src/handler.{ext}", f"src/rateLimit.{ext}", "events/event.json", "src/idempotent_consumer.py"):
        assert not keeps(path, consumer)
    for path in (f"src/momentoClient.{ext}", f"tests/momentoClient.test.{ext}", f"tests/fakes.{ext}"):
        assert keeps(path, consumer)


@pytest.mark.parametrize("framework", template_frameworks_for(catalog.IDEMPOTENT_CONSUMER.name))
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_function_is_the_consumer_on_the_queue(tmp_path, framework, language):
    project = render(tmp_path, runtime="nodejs22.x", framework=framework, language=language, pattern=PATTERN)
    config = (project / catalog.framework(framework).template_file).read_text()  # type: ignore[union-attr]
    assert "idempotentConsumer.handler" in config and "handler.handler" not in config
    assert "ReportBatchItemFailures" in config and "MessageQueue" in config
    assert ("- src/idempotentConsumer.ts" in config) == (language == catalog.TYPESCRIPT and framework == "sam")
    readme = (project / "README.md").read_text()
    assert "src/idempotentConsumer." in readme and "processMessage" in readme and "idempotent_consumer" not in readme


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sam_template_passes_cfn_lint(tmp_path, language):
    from cfnlint.api import lint_all

    project = render(tmp_path, runtime="nodejs24.x", language=language, pattern=PATTERN, architecture="arm64")
    matches = lint_all((project / "template.yaml").read_text())
    assert not [m for m in matches if m.rule.id.startswith("E")], matches


@pytest.mark.parametrize("framework", doctor_frameworks_for(catalog.IDEMPOTENT_CONSUMER.name))
def test_doctor_finds_the_node_consumer_healthy(tmp_path, run_cli, framework):
    project = render(tmp_path, runtime="nodejs22.x", framework=framework, language="typescript", pattern=PATTERN)
    document = json.loads(run_cli("doctor", str(project), "--offline", "--json").stdout)
    bad = [c for c in document["data"]["checks"] if c["status"] in ("fail", "error")]
    assert not bad, bad
    code_checks = {c["id"]: c["status"] for c in document["data"]["checks"] if c["id"].startswith("code.")}
    assert code_checks and "pass" in code_checks.values()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("framework", "runtime", "language"),
    [("sam", "nodejs22.x", "javascript"), ("serverless", "nodejs24.x", "typescript")],
)
def test_the_generated_tests_pass_inside_the_project(tmp_path, framework, runtime, language):
    project = render(tmp_path, framework=framework, runtime=runtime, language=language, pattern=PATTERN)
    npm_install(project)
    result = run_node_project_tests(project, language == catalog.TYPESCRIPT, ["idempotentConsumer", "momentoClient"])
    assert "a message delivered three times is processed once" in result.stdout


DRIVER = (
    NODE_LOCAL_PRELUDE
    + """
const { handler, work } = await import('./src/MODULE');

// The work: count side effects per message; the first attempt of message m-7 fails.
const effects = new Map();
let failedOnce = false;
const realWork = work.processMessage;
work.processMessage = async (message) => {
  if (message.messageId === 'm-7' && !failedOnce) {
    failedOnce = true;
    throw new Error('the downstream service is down');
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
  effects.set(message.messageId, (effects.get(message.messageId) ?? 0) + 1);
  await realWork(message);
};

const ids = Array.from({ length: 100 }, (_, i) => `m-${i}`);
const record = (id) => ({ messageId: id, body: JSON.stringify({ orderId: id }), eventSource: 'aws:sqs' });
// Every message delivered 3 times, in batches of 10, by 4 concurrent pollers; what a batch
// reports failed is delivered again (SQS after the visibility timeout), until nothing fails.
let pending = [...ids, ...ids, ...ids];
const context = { getRemainingTimeInMillis: () => 10_000 };
let invocations = 0;
let failures = 0;
while (pending.length > 0) {
  const batches = [];
  for (let i = 0; i < pending.length; i += 10) batches.push(pending.slice(i, i + 10));
  pending = [];
  for (let i = 0; i < batches.length; i += 4) {
    const answers = await Promise.all(batches.slice(i, i + 4).map((batch) => handler({ Records: batch.map(record) }, context)));
    invocations += answers.length;
    for (const answer of answers) {
      failures += answer.batchItemFailures.length;
      pending.push(...answer.batchItemFailures.map((f) => f.itemIdentifier));
    }
  }
}
const counts = [...effects.values()];
process.stdout.write(`@@${JSON.stringify({ created, invocations, failures, messages: effects.size, max: Math.max(...counts), sum: counts.reduce((a, b) => a + b, 0), failedOnce })}\\n`);
process.exit(0);
"""
)


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_100_messages_delivered_3_times_have_100_side_effects(tmp_path, aws, momento_server, language):
    node = require_tool("node")
    typescript = language == catalog.TYPESCRIPT
    project = render(tmp_path, name="consumer", runtime="nodejs22.x", language=language, pattern=PATTERN)
    npm_install(project)
    module = "idempotentConsumer.ts" if typescript else "idempotentConsumer.mjs"
    (project / "drive.mjs").write_text(DRIVER.replace("MODULE", module))
    with CountingProxy(aws.url) as proxy:
        peers = seed_local_peers(aws, momento_server, proxy.url)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOMENTO_", "IDEMPOTENCY_"))},
            **aws.env,
            **peers["env"],
            "DRIVE_MOMENTO_ENDPOINT": momento_server.endpoint,
            "IDEMPOTENCY_KEY_FIELD": "orderId",
        }
        result = subprocess.run(
            [str(node), *(["--import", "tsx"] if typescript else []), "drive.mjs"],
            cwd=project, env=env, capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
        (line,) = [line for line in result.stdout.splitlines() if line.startswith("@@")]
        reply = json.loads(line[2:])
        assert proxy.calls["GetSecretValue"] == 1
    assert reply["failedOnce"] and reply["failures"] >= 1  # m-7's first attempt was reported
    assert (reply["messages"], reply["sum"], reply["max"]) == (100, 100, 1)  # 100 side effects, one each
    assert reply["created"] == 1
    assert momento_server.state.calls["SetIf"] >= 300
    logs = [
        json.loads(line) for line in result.stdout.splitlines() if line.startswith('{"event":"idempotent-consumer"')
    ]
    outcomes = [log["outcome"] for log in logs]
    assert outcomes.count("processed") == 100 and outcomes.count("failed") == 1 and "duplicate" in outcomes
    assert MARKER not in result.stdout + result.stderr
