"""`new --pattern topics-publisher` for Node.js (JavaScript and TypeScript): the publisher
(``src/publisher``) and the webhook receiver (``src/webhook``), each a function with its handler
(bundled by esbuild for TypeScript), lint and pass their own tests; run with node against moto
and the local Momento server (the real SDK), 100 publishes make one secret read, one cache client
and one topic client and reach a subscriber (the Python SDK's), and the webhook takes a delivery
signed the way Momento signs (the same bytes the Python receiver checks) once, refusing forged,
stale and replayed ones."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

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
)
from tests.support.keys import MARKER
from tests.support.tools import require_tool

PATTERN = catalog.TOPICS_PUBLISHER.name
LANGUAGES = catalog.NODE_SOURCE_LANGUAGES
SIGNING_SECRET = "whsec-node-" + MARKER[:12]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_layout_gives_node_projects_both_handlers_and_their_tests(language):
    ext = "ts" if language == catalog.TYPESCRIPT else "mjs"
    topics = build_answers("demo", runtime="nodejs22.x", language=language, pattern=PATTERN)
    for path in (
        f"src/publisher.{ext}",
        f"src/webhook.{ext}",
        f"tests/publisher.test.{ext}",
        f"tests/webhook.test.{ext}",
    ):
        assert keeps(path, topics)
    for path in (f"src/handler.{ext}", "src/publisher.py", "tests/test_webhook.py"):
        assert not keeps(path, topics)


def _functions(project: Path) -> dict[str, Any]:
    from tests.support.generated import template_documents

    resources = template_documents(project)["Resources"]
    return {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sam_functions_point_at_the_node_handlers(tmp_path, language):
    project = render(tmp_path, runtime="nodejs22.x", language=language, pattern=PATTERN)
    functions = _functions(project)
    handlers = {k: v["Properties"]["Handler"] for k, v in functions.items()}
    if language == catalog.TYPESCRIPT:
        assert handlers == {"MomentoFunction": "publisher.handler", "WebhookFunction": "webhook.handler"}
        entries = {k: v["Metadata"]["BuildProperties"]["EntryPoints"] for k, v in functions.items()}
        assert entries == {"MomentoFunction": ["src/publisher.ts"], "WebhookFunction": ["src/webhook.ts"]}
    else:
        assert handlers == {"MomentoFunction": "src/publisher.handler", "WebhookFunction": "src/webhook.handler"}
        assert all("Metadata" not in v for v in functions.values())
    assert functions["WebhookFunction"]["Properties"]["FunctionUrlConfig"] == {"AuthType": "NONE"}
    readme = (project / "README.md").read_text()
    assert "handleMessage" in readme and "handle_message" not in readme and "src/webhook.py" not in readme


def test_the_serverless_functions_point_at_the_node_handlers(tmp_path):
    from ruamel.yaml import YAML

    project = render(tmp_path, runtime="nodejs24.x", framework="serverless", language="typescript", pattern=PATTERN)
    functions = YAML(typ="safe", pure=True).load((project / "serverless.yml").read_text())["functions"]
    assert (functions["api"]["handler"], functions["webhook"]["handler"]) == (
        "src/publisher.handler",
        "src/webhook.handler",
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sam_template_passes_cfn_lint(tmp_path, language):
    from cfnlint.api import lint_all

    project = render(tmp_path, runtime="nodejs24.x", language=language, pattern=PATTERN, architecture="arm64")
    matches = lint_all((project / "template.yaml").read_text())
    assert not [m for m in matches if m.rule.id.startswith(("E", "W"))], matches


@pytest.mark.parametrize("framework", doctor_frameworks_for(catalog.TOPICS_PUBLISHER.name))
def test_doctor_finds_the_node_topics_project_healthy(tmp_path, run_cli, framework):
    project = render(tmp_path, runtime="nodejs22.x", framework=framework, language="typescript", pattern=PATTERN)
    document = json.loads(run_cli("doctor", str(project), "--offline", "--json").stdout)
    bad = [c for c in document["data"]["checks"] if c["status"] in ("fail", "error")]
    assert not bad, bad
    checks = {c["id"]: c["status"] for c in document["data"]["checks"]}
    assert checks["code.client-reuse"] == "pass" and checks["iam.secret-access"] == "pass"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("framework", "runtime", "language"),
    [("sam", "nodejs22.x", "javascript"), ("serverless", "nodejs24.x", "typescript")],
)
def test_the_generated_tests_pass_inside_the_project(tmp_path, framework, runtime, language):
    project = render(tmp_path, framework=framework, runtime=runtime, language=language, pattern=PATTERN)
    npm_install(project)
    result = run_node_project_tests(project, language == catalog.TYPESCRIPT, ["momentoClient", "publisher", "webhook"])
    assert "a replayed delivery is 401" in result.stdout


DRIVER = (
    NODE_LOCAL_PRELUDE
    + """
import readline from 'node:readline';

const publisher = await import('./src/PUBLISHER');
const webhook = await import('./src/WEBHOOK');
let topics = 0;
publisher.topicHooks.newTopicClient = (provider) => {
  topics += 1;
  return new sdk.TopicClient({ configuration: sdk.TopicConfigurations.Default.latest(), credentialProvider: toLocal(provider) });
};

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const command = JSON.parse(line);
  let reply;
  if (command.publish) {
    const statuses = [];
    for (let n = 0; n < command.publish; n += 1) {
      statuses.push((await publisher.handler({ body: JSON.stringify({ order: n }) }, {})).statusCode);
    }
    reply = { statuses, caches: created, topics };
  } else {
    const response = await webhook.handler(command.request, {});
    reply = { status: response.statusCode };
  }
  process.stdout.write(`@@${JSON.stringify(reply)}\\n`);
}
process.exit(0);
"""
)


class Driver:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []

    def send(self, command: dict) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        while True:
            line = self.process.stdout.readline()
            assert line, f"the driver died: {self.process.stderr.read() if self.process.stderr else ''}"
            if line.startswith("@@"):
                return dict(json.loads(line[2:]))
            self.lines.append(line)


def _delivery(text: str, published: float) -> bytes:
    return json.dumps({
        "cache": "topics", "topic": "orders", "event_timestamp": published * 1000, "publish_timestamp": published * 1000,
        "topic_sequence_number": 1, "token_id": "", "text": text,
    }).encode()  # fmt: skip


def _request(body: bytes, signature: str | None) -> dict:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["momento-signature"] = signature
    return {"headers": headers, "body": body.decode(), "isBase64Encoded": False}


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_publishes_reach_a_subscriber_and_the_webhook_refuses_forgeries_against_local_peers(
    tmp_path, aws, momento_server, language
):
    from momento import TopicClient, TopicConfigurations
    from momento.responses import TopicSubscribe, TopicSubscriptionItem

    node = require_tool("node")
    typescript = language == catalog.TYPESCRIPT
    ext = "ts" if typescript else "mjs"
    project = render(tmp_path, name="topics", runtime="nodejs22.x", language=language, pattern=PATTERN)
    npm_install(project)
    (project / "drive.mjs").write_text(
        DRIVER.replace("PUBLISHER", f"publisher.{ext}").replace("WEBHOOK", f"webhook.{ext}")
    )
    with CountingProxy(aws.url) as proxy:
        peers = seed_local_peers(aws, momento_server, proxy.url)
        signing = peers["secrets"].create_secret(
            Name="momento/topics/webhook-signing-secret", SecretString=SIGNING_SECRET
        )
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOMENTO_"))},
            **aws.env,
            **peers["env"],
            "DRIVE_MOMENTO_ENDPOINT": momento_server.endpoint,
            "MOMENTO_TOPIC_NAME": "orders",
            "MOMENTO_WEBHOOK_SECRET_ARN": signing["ARN"],
        }
        subscriber = TopicClient(TopicConfigurations.Default.latest(), momento_server.credential_provider(peers["key"]))
        subscription = subscriber.subscribe(peers["env"]["MOMENTO_CACHE_NAME"], "orders")
        assert isinstance(subscription, TopicSubscribe.Subscription), subscription
        received: list[str] = []

        def listen() -> None:
            for item in subscription:
                if isinstance(item, TopicSubscriptionItem.Text):
                    received.append(item.value)
                    if len(received) == 100:
                        return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        process = subprocess.Popen(
            [str(node), *(["--import", "tsx"] if typescript else []), "drive.mjs"], cwd=project, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            driver = Driver(process)
            published = driver.send({"publish": 100})
            listener.join(timeout=20)
            body = _delivery("order 7 shipped", time.time() - 1)
            signature = hmac.new(SIGNING_SECRET.encode(), body, hashlib.sha3_256).hexdigest()  # what Momento sends
            forged = hmac.new(b"a guess", body, hashlib.sha3_256).hexdigest()
            stale = _delivery("old", time.time() - 300)
            stale_signature = hmac.new(SIGNING_SECRET.encode(), stale, hashlib.sha3_256).hexdigest()
            statuses = [
                driver.send({"request": _request(body, forged)})["status"],
                driver.send({"request": _request(body, None)})["status"],
                driver.send({"request": _request(stale, stale_signature)})["status"],
                driver.send({"request": _request(body, signature)})["status"],
                driver.send({"request": _request(body, signature)})["status"],  # the replay
            ]
        finally:
            process.kill()
            process.wait(timeout=30)
            subscriber.close()
        assert published["statuses"] == [202] * 100
        assert received == [json.dumps({"order": n}, separators=(",", ":")) for n in range(100)]
        assert (published["caches"], published["topics"]) == (1, 1)
        assert statuses == [401, 401, 401, 200, 401]
        assert proxy.calls["GetSecretValue"] == 2  # the Momento key, then the signing secret, once each
    logs = [json.loads(line) for line in driver.lines if line.startswith("{")]
    assert [log["text"] for log in logs if log.get("event") == "message"] == ["order 7 shipped"]
    assert SIGNING_SECRET not in "".join(driver.lines) and MARKER not in "".join(driver.lines)
