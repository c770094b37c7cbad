"""The invocation harness on what `cdk synth` ships (#27): the asset folders of a synthesized
`new --framework cdk` app, not the project's sources. In one process per execution environment,
against the moto server (Secrets Manager, behind a counting proxy) and the local Momento server:
100 invocations over 50 ids (misses, then hits) read the secret once and build one client; a
rotated key is picked up (one more read, one more client); with Momento down the function still
answers with the source value.

- Python: the asset holds the handler, the client module and the dependencies pip built for
  Lambda's platform (grpc's extension included); the driver imports all of them from the asset
  (the asset first on ``sys.path``), with the runtime's Python (boto3 from the project's venv, as
  the Lambda runtime provides it).
- Node.js: the asset is one esbuild bundle (``index.mjs``) with the SDK and gRPC inside, so the
  driver cannot swap the SDK's credentials as the source harness does: a preload sends the
  SDK's connections to the local server at the socket level instead (DNS of the key's endpoint,
  the TCP connection, TLS replaced by the plain loopback channel) and counts them; the bundle
  itself runs unchanged."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from momento_lambda_cli import catalog
from tests.support.counting_proxy import CountingProxy
from tests.support.generated import ENDPOINT, npm_install, project_venv, render, seed_local_peers
from tests.support.keys import MARKER, legacy_key, v1_key
from tests.support.tools import require_python, require_tool
from tests.test_generated_cdk import synth

pytestmark = pytest.mark.slow

PYTHON_DRIVER = r"""
import json, sys

asset, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, asset)
import grpc, momento
import handler, momento_client
from momento import CredentialProvider

created, endpoints = 0, []
original = momento_client.CacheClient


def counting(configuration, provider, default_ttl):
    # Count the clients the module builds; send them to the local server with the key the secret gave.
    global created
    created += 1
    endpoints.append(provider.cache_endpoint)
    local = CredentialProvider(
        auth_token=provider.auth_token, control_endpoint=host, cache_endpoint=host, token_endpoint=host, port=port
    )
    return original(configuration, local, default_ttl)


momento_client.CacheClient = counting
origins = [m.__file__ for m in (grpc, momento, handler, momento_client)]
for line in sys.stdin:
    ids = json.loads(line)["ids"]
    bodies = []
    for id_ in ids:
        response = handler.lambda_handler({"pathParameters": {"id": id_}}, None)
        bodies.append({"statusCode": response["statusCode"], **json.loads(response["body"])})
    reply = {"bodies": bodies, "created": created, "endpoints": endpoints,
             "source": handler.load_from_source(ids[0]), "origins": origins}
    print("@@" + json.dumps(reply), flush=True)
"""

NODE_PRELOAD = r"""
// The bundle's gRPC connections to the Momento endpoint go to the local server (plain HTTP/2 on
// loopback): its host names resolve to 127.0.0.1, the TCP connection to port 443 goes to the
// local port, and TLS over that socket is skipped. Everything else is untouched.
import dns from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';

const [host, port] = process.env.DRIVE_MOMENTO_ENDPOINT.split(':');
const domain = process.env.DRIVE_MOMENTO_DOMAIN;
const seen = { hosts: [], connections: 0 };
globalThis.momentoRedirect = seen;
const redirected = new WeakSet();

const lookup = dns.promises.lookup;
dns.promises.lookup = async function (hostname, options) {
  if (hostname.endsWith(domain)) {
    seen.hosts.push(hostname);
    const address = { address: host, family: 4 };
    return options && options.all ? [address] : address;
  }
  return lookup.call(this, hostname, options);
};

const connect = net.connect;
net.connect = function (...args) {
  const [first] = args;
  if (first && typeof first === 'object' && first.host === host && Number(first.port) === 443) {
    seen.connections += 1;
    args[0] = { ...first, port: Number(port) };
    const socket = connect.apply(this, args);
    redirected.add(socket);
    return socket;
  }
  return connect.apply(this, args);
};

const tlsConnect = tls.connect;
tls.connect = function (options, callback) {
  if (options && redirected.has(options.socket)) {
    const socket = options.socket;
    socket.authorized = true;
    if (callback) setImmediate(callback);
    return socket;
  }
  return tlsConnect.apply(this, arguments);
};
"""

NODE_DRIVER = r"""
import readline from 'node:readline';

const { handler } = await import(process.env.DRIVE_BUNDLE);
const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  const { ids } = JSON.parse(line);
  const bodies = [];
  for (const id of ids) {
    const response = await handler({ pathParameters: { id } }, { awsRequestId: `req-${id}` });
    bodies.push({ statusCode: response.statusCode, ...JSON.parse(response.body) });
  }
  const { hosts, connections } = globalThis.momentoRedirect;
  process.stdout.write(`@@${JSON.stringify({ bodies, hosts, connections })}\n`);
}
process.exit(0);
"""


class Driver:
    """One execution environment: a process fed invocations on stdin, answering one line each."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.logs: list[str] = []

    def invoke(self, *ids: str) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"ids": list(ids)}) + "\n")
        self.process.stdin.flush()
        while True:
            line = self.process.stdout.readline()
            assert line, f"the driver died: {self.process.stderr.read() if self.process.stderr else ''}"
            if line.startswith("@@"):
                reply: dict[str, Any] = json.loads(line[2:])
                assert all(body["statusCode"] == 200 for body in reply["bodies"]), reply["bodies"]
                return reply
            self.logs.append(line)


@pytest.fixture
def peers(aws, momento_server) -> Iterator[dict[str, Any]]:
    with CountingProxy(aws.url) as proxy:
        seeded = seed_local_peers(aws, momento_server, proxy.url)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOMENTO_", "PYTEST", "PYTHON"))},
            **aws.env,
            **seeded["env"],
        }
        yield {**seeded, "proxy": proxy, "server": momento_server, "env": env}


def _start(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        args, cwd=cwd, env=env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _function_asset(project: Path, template: dict[str, Any]) -> Path:
    (function,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    return project / "cdk.out" / function["Metadata"]["aws:asset:path"]


def _rotate(peers: dict[str, Any]) -> None:
    """The secret now holds a new key (v1 shape) and the old key is rejected."""
    new_key = v1_key(ENDPOINT, tag="rotated")
    peers["secrets"].put_secret_value(SecretId=peers["arn"], SecretString=new_key)
    peers["server"].state.valid_keys = {json.loads(base64.b64decode(new_key))["api_key"]}


def test_the_python_asset_serves_100_invocations_with_one_secret_read_and_one_client(tmp_path, peers):
    """python3.12 on x86_64 (this machine's CPU: the asset's grpc extension is loaded and used)."""
    require_tool("node")
    runtime = catalog.runtime("python3.12")
    assert runtime is not None
    interpreter = require_python(runtime.version)
    project = render(tmp_path, name="local-demo", framework="cdk", runtime=runtime.name, architecture="x86_64")
    python = project_venv(project, interpreter)
    npm_install(project)  # the aws-cdk CLI
    asset = _function_asset(project, synth(project, path_first=python.parent))
    assert [p.name for p in asset.glob("grpc/_cython/cygrpc.cpython-312-x86_64-linux-gnu.so")]
    (tmp_path / "drive.py").write_text(PYTHON_DRIVER)
    server, proxy = peers["server"], peers["proxy"]
    process = _start(
        [str(python), str(tmp_path / "drive.py"), str(asset), server.host, str(server.port)], tmp_path, peers["env"]
    )
    driver = Driver(process)
    try:
        reply = driver.invoke(*[f"item-{i % 50}" for i in range(100)])
        assert all(origin.startswith(str(asset)) for origin in reply["origins"]), reply["origins"]
        assert [b["cache"] for b in reply["bodies"]] == ["miss"] * 50 + ["hit"] * 50
        assert reply["bodies"][50]["item"] == reply["bodies"][0]["item"] == reply["source"]
        assert proxy.calls["GetSecretValue"] == 1 and reply["created"] == 1
        assert server.state.calls["Get"] == 100 and server.state.calls["Set"] == 50
        assert reply["endpoints"] == [f"cache.{ENDPOINT}"]

        new_key = legacy_key(ENDPOINT, tag="rotated")  # the legacy shape, even
        peers["secrets"].put_secret_value(
            SecretId=peers["arn"], SecretString=json.dumps({"MOMENTO_AUTH_TOKEN": new_key})
        )
        server.state.valid_keys = {new_key}
        reply = driver.invoke("item-1", "item-2")
        assert [b["cache"] for b in reply["bodies"]] == ["hit", "hit"]
        assert proxy.calls["GetSecretValue"] == 2 and reply["created"] == 2

        server.stop()
        reply = driver.invoke("item-3")
        assert reply["bodies"] == [{"statusCode": 200, "item": reply["source"], "cache": "error"}]
    finally:
        process.kill()
        process.wait(timeout=30)
    assert not any(MARKER in line for line in driver.logs)


def test_the_node_bundle_serves_100_invocations_with_one_secret_read_and_one_client(tmp_path, peers):
    """The TypeScript app's NodejsFunction bundle (nodejs22.x, x86_64): the SDK inside it, its
    client created at INIT (the template's default) and reused."""
    node = require_tool("node")
    project = render(tmp_path, name="local-demo", framework="cdk", runtime="nodejs22.x", architecture="x86_64")
    npm_install(project, lock_file=True)
    asset = _function_asset(project, synth(project))
    bundle = asset / "index.mjs"
    assert "@gomomento/sdk" not in [line for line in bundle.read_text().splitlines() if line.startswith("import ")]
    (tmp_path / "redirect.mjs").write_text(NODE_PRELOAD)
    (tmp_path / "drive.mjs").write_text(NODE_DRIVER)
    server, proxy = peers["server"], peers["proxy"]
    env = {
        **peers["env"],
        "DRIVE_BUNDLE": bundle.as_uri(),
        "DRIVE_MOMENTO_ENDPOINT": server.endpoint,
        "DRIVE_MOMENTO_DOMAIN": ENDPOINT,
    }
    process = _start([str(node), "--import", "./redirect.mjs", "drive.mjs"], tmp_path, env)
    driver = Driver(process)
    try:
        first = driver.invoke("item-0")
        assert first["bodies"][0]["cache"] == "miss" and first["hosts"], first
        connections = first["connections"]
        assert connections >= 1
        reply = driver.invoke(*[f"item-{i % 50}" for i in range(1, 100)])
        bodies = first["bodies"] + reply["bodies"]
        assert [b["cache"] for b in bodies] == ["miss"] * 50 + ["hit"] * 50
        assert bodies[50]["item"] == bodies[0]["item"]
        assert proxy.calls["GetSecretValue"] == 1
        assert reply["connections"] == connections, "one client: no new connection in 99 invocations"
        assert server.state.calls["Get"] == 100 and server.state.calls["Set"] == 50
        assert set(reply["hosts"]) == {f"cache.{ENDPOINT}"}

        _rotate(peers)
        reply = driver.invoke("item-1", "item-2")
        assert [b["cache"] for b in reply["bodies"]] == ["hit", "hit"]
        assert proxy.calls["GetSecretValue"] == 2
        assert reply["connections"] > connections, "a new client for the rotated key"

        server.stop()
        reply = driver.invoke("item-3")
        assert [(b["statusCode"], b["cache"]) for b in reply["bodies"]] == [(200, "error")]
    finally:
        process.kill()
        process.wait(timeout=30)
    assert not any(MARKER in line for line in driver.logs)
