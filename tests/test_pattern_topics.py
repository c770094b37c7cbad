"""`new --pattern topics-publisher`: a publishing function (POST /events -> a Momento topic) and a
webhook receiver (a Function URL) that handles only deliveries signed the way Momento signs them,
fresh and seen once. The project renders with their handlers and tests, lints, passes its own
suite, doctor finds it healthy, and, invoked for real in one process per execution environment
against moto and the local Momento server: 100 publishes make one secret read, one cache client
and one topic client, and reach a subscriber; a forged delivery gets 401, a signed one 200, its
replay 401."""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
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
)
from tests.support.keys import MARKER
from tests.support.tools import require_python

PATTERN = catalog.TOPICS_PUBLISHER.name
SIGNING_SECRET = "whsec-" + MARKER[:12] + "-signing"


def test_the_layout_gives_the_pattern_its_two_handlers_and_shares_the_rest():
    topics = build_answers("demo", runtime="python3.12", pattern=PATTERN)
    aside = build_answers("demo", runtime="python3.12")
    for path in ("src/publisher.py", "src/webhook.py", "tests/test_publisher.py", "tests/test_webhook.py"):
        assert keeps(path, topics) and not keeps(path, aside)
    for path in ("src/handler.py", "tests/test_handler.py", "src/rate_limit.py"):
        assert not keeps(path, topics)
    for path in ("src/momento_client.py", "tests/test_momento_client.py", "tests/momento_local.py"):
        assert keeps(path, topics) and keeps(path, aside)


def test_the_pattern_is_offered_for_python_and_node_runtimes():
    """Node.js projects get src/publisher and src/webhook (tests/test_pattern_topics_node.py)."""
    assert set(catalog.TOPICS_PUBLISHER.languages) == {catalog.PYTHON, catalog.NODE}
    assert catalog.TOPICS_PUBLISHER in catalog.patterns_for(catalog.NODE)


def _sam_functions(project: Path) -> dict[str, Any]:
    from tests.support.generated import template_documents

    resources = template_documents(project)["Resources"]
    return {k: v["Properties"] for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}


def test_the_sam_project_has_the_publisher_and_a_public_webhook_with_its_own_secret(tmp_path):
    project = render(tmp_path, runtime="python3.13", pattern=PATTERN)
    functions = _sam_functions(project)
    assert set(functions) == {"MomentoFunction", "WebhookFunction"}
    publisher, hook = functions["MomentoFunction"], functions["WebhookFunction"]
    assert publisher["Handler"] == "publisher.lambda_handler" and hook["Handler"] == "webhook.lambda_handler"
    assert publisher["Events"]["PublishEvent"]["Properties"] == {"Path": "/events", "Method": "post"}
    assert hook["FunctionUrlConfig"] == {"AuthType": "NONE"} and "Events" not in hook
    assert publisher["Environment"]["Variables"]["MOMENTO_TOPIC_NAME"] == {"Ref": "MomentoTopicName"}
    assert hook["Environment"]["Variables"]["MOMENTO_WEBHOOK_SECRET_NAME"] == {"Ref": "WebhookSecretName"}

    def sids(properties: dict) -> set[str]:
        statements = properties["Policies"][0]["Statement"]
        return {s["Sid"] for s in statements if isinstance(s, dict) and "Sid" in s}

    # the signing secret is readable by the webhook function only
    assert sids(publisher) == {"ReadMomentoApiKey"}
    assert sids(hook) == {"ReadMomentoApiKey", "ReadWebhookSigningSecret"}
    readme = (project / "README.md").read_text()
    assert "src/publisher.py" in readme and "src/webhook.py" in readme and "GET /items" not in readme
    event = json.loads((project / "events" / "event.json").read_text())
    assert event["routeKey"] == "POST /events" and json.loads(event["body"])


def test_the_serverless_project_has_both_functions(tmp_path):
    from ruamel.yaml import YAML

    project = render(tmp_path, runtime="python3.12", framework="serverless", pattern=PATTERN)
    document = YAML(typ="safe", pure=True).load((project / "serverless.yml").read_text())
    functions = document["functions"]
    assert functions["api"]["handler"] == "src/publisher.lambda_handler"
    assert functions["api"]["events"] == [{"httpApi": {"path": "/events", "method": "post"}}]
    assert functions["webhook"]["handler"] == "src/webhook.lambda_handler" and functions["webhook"]["url"] is True
    sids = [s["Sid"] for s in document["provider"]["iam"]["role"]["statements"]]
    assert sids == ["ReadMomentoApiKey", "ReadWebhookSigningSecret"]


@pytest.mark.parametrize("architecture", catalog.ARCHITECTURE_NAMES)
def test_the_sam_template_passes_cfn_lint(tmp_path, architecture):
    from cfnlint.api import lint_all

    project = render(tmp_path, runtime="python3.12", pattern=PATTERN, architecture=architecture)
    matches = lint_all((project / "template.yaml").read_text())
    assert not [m for m in matches if m.rule.id.startswith(("E", "W"))], matches


@pytest.mark.parametrize("framework", doctor_frameworks_for(catalog.TOPICS_PUBLISHER.name))
def test_doctor_finds_the_topics_project_healthy(tmp_path, run_cli, framework):
    """doctor judges both functions: the topic client kept in a module global is reused, the
    webhook function's second secret is not the Momento key."""
    project = render(tmp_path, runtime="python3.12", framework=framework, pattern=PATTERN)
    result = run_cli("doctor", str(project), "--offline", "--json")
    document = json.loads(result.stdout)
    bad = [c for c in document["data"]["checks"] if c["status"] in ("fail", "error")]
    assert not bad, bad
    checks = {c["id"]: c for c in document["data"]["checks"]}
    assert checks["code.client-reuse"]["status"] == "pass"
    assert checks["iam.secret-access"]["status"] == "pass", checks["iam.secret-access"]


@pytest.mark.integration
@pytest.mark.parametrize("framework", catalog.frameworks_for(catalog.TOPICS_PUBLISHER.name))
def test_the_generated_tests_pass_inside_the_project(tmp_path, framework):
    project = render(tmp_path, runtime="python3.11", framework=framework, pattern=PATTERN)
    result = run_project_tests(project, paths=project_test_paths(project))
    assert "passed" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(("runtime", "snapstart"), [("python3.12", False), ("python3.13", True)])
def test_the_generated_tests_pass_on_the_runtimes_python(tmp_path, runtime, snapstart):
    interpreter = require_python(catalog.runtime(runtime).version)  # type: ignore[union-attr]
    project = render(tmp_path, runtime=runtime, pattern=PATTERN, snapstart=snapstart)
    run_project_tests(project, project_venv(project, interpreter))


class Environment:
    """One execution environment: the project's modules imported once, every Momento client
    counted and sent to the local server (with the key the secret held)."""

    MODULES = ("publisher", "webhook", "momento_client")

    def __init__(self, project: Path, server: Any) -> None:
        self.src = str(project / "src")
        for name in self.MODULES:
            sys.modules.pop(name, None)
        sys.path.insert(0, self.src)
        import momento_client
        import publisher
        import webhook

        self.client, self.publisher, self.webhook = momento_client, publisher, webhook
        self.caches = 0
        self.topics = 0
        cache_client, topic_client = momento_client.CacheClient, publisher.TopicClient

        def counting_cache(configuration: Any, provider: Any, default_ttl: Any) -> Any:
            self.caches += 1
            return cache_client(configuration, server.credential_provider(provider.auth_token), default_ttl)

        def counting_topics(configuration: Any, provider: Any) -> Any:
            self.topics += 1
            return topic_client(configuration, server.credential_provider(provider.auth_token))

        momento_client.CacheClient = counting_cache
        publisher.TopicClient = counting_topics

    def close(self) -> None:
        self.publisher.reset()
        self.client.reset()
        sys.path.remove(self.src)
        for name in self.MODULES:
            sys.modules.pop(name, None)


@pytest.fixture
def environment(tmp_path, aws, momento_server, monkeypatch) -> Iterator[tuple[Environment, dict]]:
    project = render(tmp_path, name="topics", runtime="python3.11", pattern=PATTERN)
    env = Environment(project, momento_server)
    with CountingProxy(aws.url) as proxy:
        peers = seed_local_peers(aws, momento_server, proxy.url)
        signing = peers["secrets"].create_secret(
            Name="momento/topics/webhook-signing-secret",
            SecretString=json.dumps({"MOMENTO_WEBHOOK_SIGNING_SECRET": SIGNING_SECRET}),
        )
        for name, value in {**peers["env"], "MOMENTO_TOPIC_NAME": "orders",
                            "MOMENTO_WEBHOOK_SECRET_ARN": signing["ARN"]}.items():  # fmt: skip
            monkeypatch.setenv(name, value)
        try:
            yield env, {**peers, "proxy": proxy, "server": momento_server}
        finally:
            env.close()


def _subscribe(server: Any, key: str, cache: str) -> tuple[Any, list[str], threading.Thread]:
    from momento import TopicClient, TopicConfigurations
    from momento.responses import TopicSubscribe, TopicSubscriptionItem

    client = TopicClient(TopicConfigurations.Default.latest(), server.credential_provider(key))
    subscription = client.subscribe(cache, "orders")
    assert isinstance(subscription, TopicSubscribe.Subscription), subscription
    received: list[str] = []

    def listen() -> None:
        for item in subscription:
            if isinstance(item, TopicSubscriptionItem.Text):
                received.append(item.value)
                if len(received) == 100:
                    return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    return client, received, thread


@pytest.mark.integration
def test_100_publishes_reach_a_subscriber_with_one_secret_read_and_one_client_each(environment, capsys):
    env, peers = environment
    server = peers["server"]
    subscriber, received, listener = _subscribe(server, peers["key"], peers["env"]["MOMENTO_CACHE_NAME"])
    answers = [env.publisher.lambda_handler({"body": json.dumps({"order": n})}, None) for n in range(100)]
    listener.join(timeout=20)
    subscriber.close()
    assert [a["statusCode"] for a in answers] == [202] * 100
    assert received == [json.dumps({"order": n}, separators=(",", ":")) for n in range(100)]
    assert peers["proxy"].calls["GetSecretValue"] == 1
    assert (env.caches, env.topics) == (1, 1)
    assert server.state.calls["Publish"] == 100
    assert set(server.state.keys_seen) == {peers["key"]}
    assert MARKER not in capsys.readouterr().out


def _delivery(text: str, published: float) -> bytes:
    return json.dumps({
        "cache": "topics", "topic": "orders", "event_timestamp": published * 1000, "publish_timestamp": published * 1000,
        "topic_sequence_number": 1, "token_id": "", "text": text,
    }).encode()  # fmt: skip


def _request(body: bytes, signature: str | None) -> dict:
    headers = {"content-type": "application/json", "user-agent": "Momento/1.0 (Webhooks)"}
    if signature is not None:
        headers["momento-signature"] = signature
    return {"headers": headers, "body": body.decode(), "isBase64Encoded": False}


@pytest.mark.integration
def test_the_webhook_takes_a_signed_delivery_once_and_refuses_forged_stale_and_replayed(environment, capsys):
    env, peers = environment
    hook = env.webhook
    body = _delivery("order 7 shipped", time.time() - 1)
    signature = hmac.new(SIGNING_SECRET.encode(), body, hashlib.sha3_256).hexdigest()
    forged = hmac.new(b"a guess", body, hashlib.sha3_256).hexdigest()
    stale = _delivery("old", time.time() - 120)

    assert hook.lambda_handler(_request(body, forged), None)["statusCode"] == 401
    assert hook.lambda_handler(_request(body, None), None)["statusCode"] == 401
    stale_signature = hmac.new(SIGNING_SECRET.encode(), stale, hashlib.sha3_256).hexdigest()
    assert hook.lambda_handler(_request(stale, stale_signature), None)["statusCode"] == 401
    assert hook.lambda_handler(_request(body, signature), None)["statusCode"] == 200
    assert hook.lambda_handler(_request(body, signature), None)["statusCode"] == 401  # the replay
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [line["event"] for line in lines].count("message") == 1
    reasons = [line.get("reason") for line in lines if line["event"] == "webhook"]
    assert reasons == ["bad signature", "no momento-signature header", "stale: published 120 s ago", None, "replayed"]
    # two secrets read once each: the signing secret and the Momento key (for the replay check)
    assert peers["proxy"].calls["GetSecretValue"] == 2
    assert peers["server"].state.calls["Increment"] == 2
    assert SIGNING_SECRET not in json.dumps(lines) and MARKER not in json.dumps(lines)


def test_update_switches_a_project_to_the_pattern(run_cli, tmp_path):
    from tests.support.template_versions import commit_all, tree

    assert run_cli("new", "svc", "--no-input", "-o", str(tmp_path / "a"), "-r", "python3.12").exit_code == 0
    project = tmp_path / "a" / "svc"
    commit_all(project)
    result = run_cli("update", str(project), "--answer", f"pattern={PATTERN}")
    assert result.exit_code == 0, result.output
    assert "removed  src/handler.py" in result.stdout and "added    src/webhook.py" in result.stdout
    fresh = run_cli("new", "svc", "--no-input", "-o", str(tmp_path / "b"), "-r", "python3.12", "--pattern", PATTERN)
    assert fresh.exit_code == 0
    expected = {k: v for k, v in tree(tmp_path / "b" / "svc").items() if k != catalog.ANSWERS_FILE}
    assert {k: v for k, v in tree(project).items() if k != catalog.ANSWERS_FILE} == expected
