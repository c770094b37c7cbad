"""A project that `momento-lambda add` brought Momento into, with the handler using the client
the way `add` prints, invoked for real 100 times against the moto server (Secrets Manager) and
the local Momento server: one secret read, one client, misses then hits."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from types import ModuleType

import pytest

from tests.support import add_projects
from tests.support.counting_proxy import CountingProxy
from tests.support.generated import seed_local_peers

# The user's handler after following the lines `add` prints (a cache-aside lookup).
HANDLER = """import json

from momento.responses import CacheGet

from momento_client import cache_name, get_client


def lambda_handler(event, context):
    key = event["pathParameters"]["id"]
    client = get_client()
    cached = client.get(cache_name(), key)
    if isinstance(cached, CacheGet.Hit):
        return {"statusCode": 200, "body": json.dumps({"item": cached.value_string, "cache": "hit"})}
    item = f"item for {key}"
    client.set(cache_name(), key, item)
    return {"statusCode": 200, "body": json.dumps({"item": item, "cache": "miss"})}
"""


class Added:
    def __init__(self, handler: ModuleType, client: ModuleType, server) -> None:
        self.handler = handler
        self.created = 0
        original = client.CacheClient

        def counting(configuration, provider, default_ttl):
            """Count the clients, and send them to the local server with the key the secret gave."""
            self.created += 1
            return original(configuration, server.credential_provider(provider.auth_token), default_ttl)

        client.CacheClient = counting

    def invoke(self, item_id: str) -> dict:
        response = self.handler.lambda_handler({"pathParameters": {"id": item_id}}, None)
        assert response["statusCode"] == 200
        return json.loads(response["body"])


@pytest.fixture
def added(tmp_path, run_cli, aws, momento_server, monkeypatch) -> Iterator[tuple[Added, CountingProxy]]:
    project = add_projects.make(tmp_path, "sam-hello-python")
    result = run_cli("add", str(project), "--no-input", "--cache-name", "local-demo")
    assert result.exit_code == 0, result.output
    code = project / "hello_world"
    assert (code / "momento_client.py").is_file()
    assert "momento" in (code / "requirements.txt").read_text()
    (code / "app.py").write_text(HANDLER)
    with CountingProxy(aws.url) as proxy:
        peers = seed_local_peers(aws, momento_server, proxy.url)
        for name, value in peers["env"].items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("MOMENTO_INIT_CLIENT", "lazy")  # the counting wrapper goes in after import
        sys.path.insert(0, str(code))
        try:
            import app
            import momento_client

            yield Added(app, momento_client, momento_server), proxy
        finally:
            sys.path.remove(str(code))
            for name in ("app", "momento_client"):
                sys.modules.pop(name, None)


def test_an_added_function_reads_the_secret_once_and_builds_one_client(added, momento_server):
    function, proxy = added
    bodies = [function.invoke(f"item-{i % 50}") for i in range(100)]
    assert [b["cache"] for b in bodies] == ["miss"] * 50 + ["hit"] * 50
    assert bodies[50]["item"] == bodies[0]["item"] == "item for item-0"
    assert proxy.calls["GetSecretValue"] == 1
    assert function.created == 1
    assert momento_server.state.calls["Get"] == 100 and momento_server.state.calls["Set"] == 50
