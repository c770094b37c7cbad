"""The generated Node.js code: its own `node --test` suite passes, and the handler, run with
node against the moto server (Secrets Manager) and the local Momento server, reads the secret
once, creates one client, serves hits, survives Momento being down and picks up a rotated key,
with the secret in the contract shape and in the shape of Momento's key-refresh Lambda, and (run
from its `.ts` source with tsx) the TypeScript project's handler; and that handler bundled by
esbuild as CommonJS with the client module's CommonJS form (what `add` writes for such a bundle),
its INIT-time creation started at load and not awaited."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from momento_lambda_cli.retrofit import typescript as typescript_form
from tests.support.counting_proxy import CountingProxy
from tests.support.generated import ENDPOINT, assert_node_tests_passed, npm_install, render, seed_local_peers
from tests.support.keys import MARKER, legacy_key, refresher_secret, rotated_refresher_secret, v1_key
from tests.support.tools import require_tool

pytestmark = pytest.mark.slow

DRIVER = """
import readline from 'node:readline';
import sdk from '@gomomento/sdk';

// Count the clients the generated module creates (it calls CacheClient.create), and send them
// to the local server (DRIVE_MOMENTO_ENDPOINT) with the key the secret gave.
const originalCreate = sdk.CacheClient.create;
const local = process.env.DRIVE_MOMENTO_ENDPOINT;
let created = 0;
const endpoints = [];
sdk.CacheClient.create = async function (props) {
  created += 1;
  endpoints.push(props.credentialProvider.getCacheEndpoint());
  const provider = Object.assign(Object.create(props.credentialProvider), {
    getCacheEndpoint: () => local,
    getControlEndpoint: () => local,
    getTokenEndpoint: () => local,
    isCacheEndpointSecure: () => false,
    isControlEndpointSecure: () => false,
    isTokenEndpointSecure: () => false,
    isStorageEndpointSecure: () => false,
    isEndpointSecure: () => false,
    areEndpointsOverridden: () => true,
  });
  return originalCreate.call(this, { ...props, credentialProvider: provider });
};
const { handler, loadFromSource } = await import('./src/HANDLER');

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const { ids } = JSON.parse(line);
  const bodies = [];
  for (const id of ids) {
    const response = await handler({ pathParameters: { id } }, { awsRequestId: `req-${id}` });
    bodies.push({ statusCode: response.statusCode, ...JSON.parse(response.body) });
  }
  const source = await loadFromSource(ids[0]);
  process.stdout.write(`@@${JSON.stringify({ bodies, created, endpoints, source })}\\n`);
}
process.exit(0);
"""


@pytest.fixture(scope="module")
def node() -> Path:
    require_tool("npm")
    return require_tool("node")


@pytest.mark.parametrize(("framework", "runtime"), [("sam", "nodejs22.x"), ("serverless", "nodejs24.x")])
def test_the_generated_node_tests_pass_inside_the_project(tmp_path, node, framework, runtime):
    project = render(tmp_path, framework=framework, runtime=runtime)
    npm_install(project)
    result = subprocess.run(
        [str(node), "--test"], cwd=project, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert_node_tests_passed(result.stdout, project)


def test_the_generated_node_tests_catch_a_broken_client(tmp_path, node):
    """The generated tests are not decoration: break the client reuse and they fail."""
    project = render(tmp_path, runtime="nodejs22.x")
    npm_install(project)
    module = project / "src" / "momentoClient.mjs"
    source = module.read_text()
    assert "  if (client !== null) return client;\n" in source
    module.write_text(source.replace("  if (client !== null) return client;\n", ""))
    result = subprocess.run(
        [str(node), "--test"], cwd=project, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode != 0
    assert "not ok" in result.stdout and "one client, one secret read" in result.stdout


class Driver:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.logs: list[dict] = []

    def invoke(self, *ids: str) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"ids": list(ids)}) + "\n")
        self.process.stdin.flush()
        while True:
            line = self.process.stdout.readline()
            assert line, f"the driver died: {self.process.stderr.read() if self.process.stderr else ''}"
            if line.startswith("@@"):
                reply = json.loads(line[2:])
                assert all(body["statusCode"] == 200 for body in reply["bodies"])
                return reply
            if line.startswith("{"):
                self.logs.append(json.loads(line))


def _refresher_shape(key: str, endpoint: str) -> str:
    return refresher_secret(key, "1798675200", MOMENTO_ENDPOINT=endpoint)


@pytest.fixture(params=["contract", "key-refresher", "typescript", "typescript-commonjs"])
def node_driver(request, tmp_path, node, aws, momento_server) -> Iterator[tuple[Driver, dict]]:
    """The driver against a secret in the contract shape or the key-refresh Lambda's shape; and a
    TypeScript project's handler, run from its ``.ts`` source with tsx (as its own tests run)."""
    typescript = request.param.startswith("typescript")
    project = render(
        tmp_path, name="local-demo", runtime="nodejs22.x", language="typescript" if typescript else "javascript"
    )
    npm_install(project)
    entry = "handler.ts" if typescript else "handler.mjs"
    if request.param == "typescript-commonjs":
        module = project / "src" / "momentoClient.ts"
        module.write_text(typescript_form.module_text(module.read_text(encoding="utf-8"), esm=False), encoding="utf-8")
        subprocess.run(
            [str(project / "node_modules/.bin/esbuild"), "src/handler.ts", "--bundle", "--platform=node",
             "--format=cjs", "--packages=external", "--outfile=src/handler.cjs"],
            cwd=project, check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        entry = "handler.cjs"
    (project / "drive.mjs").write_text(DRIVER.replace("HANDLER", entry))
    encode = _refresher_shape if request.param == "key-refresher" else None
    with CountingProxy(aws.url) as proxy:
        peers = seed_local_peers(aws, momento_server, proxy.url, encode=encode)
        key, arn, secrets = peers["key"], peers["arn"], peers["secrets"]
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOMENTO_"))},
            **aws.env,
            **peers["env"],
            "DRIVE_MOMENTO_ENDPOINT": momento_server.endpoint,
            # the template's default: create the client while the module loads (Lambda's INIT)
            **({"MOMENTO_INIT_CLIENT": "eager"} if typescript else {}),
        }
        process = subprocess.Popen(
            [str(node), *(["--import", "tsx"] if entry.endswith(".ts") else []), "drive.mjs"], cwd=project, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            yield (
                Driver(process),
                {
                    "proxy": proxy,
                    "arn": arn,
                    "key": key,
                    "secrets": secrets,
                    "server": momento_server,
                    "shape": request.param,
                },
            )
        finally:
            process.kill()
            process.wait(timeout=30)


def test_node_handler_against_moto_and_the_local_momento_server(node_driver):
    driver, peers = node_driver
    proxy, server = peers["proxy"], peers["server"]

    reply = driver.invoke(*[f"item-{i % 50}" for i in range(100)])
    assert [b["cache"] for b in reply["bodies"]] == ["miss"] * 50 + ["hit"] * 50
    assert reply["bodies"][50]["item"] == reply["bodies"][0]["item"] == reply["source"]
    assert proxy.calls["GetSecretValue"] == 1
    assert reply["created"] == 1
    assert server.state.calls["Get"] == 100 and server.state.calls["Set"] == 50
    assert set(server.state.keys_seen) == {peers["key"]}
    assert reply["endpoints"] == [f"cache.{ENDPOINT}"]  # the v2 key's endpoint, from MOMENTO_ENDPOINT
    assert len(driver.logs) == 100 and {log["cache"] for log in driver.logs} == {"miss", "hit"}
    assert all(log["latency_ms"] >= 0 and log["request_id"].startswith("req-") for log in driver.logs)

    if peers["shape"] == "key-refresher":
        # The refresher rotates the key while the process stays warm and writes the secret its own
        # way: the new key under authToken (a legacy key, which carries its endpoint), validUntil
        # as a string, indented JSON.
        new_key = legacy_key("cell-rotated.example.momentohq.com", tag="refreshed")
        peers["secrets"].put_secret_value(
            SecretId=peers["arn"], SecretString=rotated_refresher_secret(new_key, 1803859200)
        )
        server.state.valid_keys = {new_key}
        rotated_endpoint = "cache.cell-rotated.example.momentohq.com"
    else:
        # Key rotation: the secret now holds a new key (plain text, v1 shape) and the old key is rejected.
        new_key = v1_key(ENDPOINT, tag="rotated")
        peers["secrets"].put_secret_value(SecretId=peers["arn"], SecretString=new_key)
        server.state.valid_keys = {json.loads(base64.b64decode(new_key))["api_key"]}  # the SDK sends the inner key
        rotated_endpoint = f"cache.{ENDPOINT}"
    reply = driver.invoke("item-1", "item-2")
    assert [b["cache"] for b in reply["bodies"]] == ["hit", "hit"]
    assert proxy.calls["GetSecretValue"] == 2
    assert reply["created"] == 2
    assert reply["endpoints"][-1] == rotated_endpoint

    # Momento down: the handler still answers with the source value.
    server.stop()
    reply = driver.invoke("item-3")
    assert reply["bodies"] == [{"statusCode": 200, "item": reply["source"], "cache": "error"}]
    assert all(MARKER not in json.dumps(log) for log in driver.logs)
