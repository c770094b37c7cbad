"""The generated Python code: its own tests pass, and the handler, invoked for real against
the moto server (Secrets Manager) and the local Momento server, reads the secret once,
creates one client, serves hits, survives Momento being down and picks up a rotated key."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest
from momento.responses import CacheGet

from momento_lambda_cli import catalog
from momento_lambda_cli.contract import encode_secret
from tests.support.counting_proxy import CountingProxy
from tests.support.generated import ENDPOINT, project_venv, python_env, render, run_project_tests, seed_local_peers
from tests.support.keys import MARKER, legacy_key, refresher_secret, rotated_refresher_secret, v2_key
from tests.support.momento_server import LocalMomentoServer
from tests.support.tools import require_python

# Every test here runs the generated project's code and tests in their own processes: integration,
# or slow where it installs a venv per runtime.


@pytest.mark.integration
@pytest.mark.parametrize("framework", ["sam", "serverless"])
def test_the_generated_python_tests_pass_inside_the_project(tmp_path, framework):
    project = render(tmp_path, runtime="python3.11", framework=framework)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        env=python_env(),
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout


PYTHON_VARIANTS = (
    [
        (r.name, framework, False)
        for r in catalog.OFFERED_RUNTIMES
        if r.language == catalog.PYTHON
        for framework in catalog.DOCTOR_FRAMEWORK_NAMES
    ]
    + [(name, "sam", True) for name in catalog.SNAPSTART_RUNTIME_NAMES]
    + [("python3.11", catalog.CDK.name, False)]
)
"""Every Python runtime for SAM and Serverless; CDK apps on python3.11 here (tests/test_generated_cdk.py
runs python3.12 and 3.13 CDK apps' own tests after their synth)."""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("runtime", "framework", "snapstart"),
    PYTHON_VARIANTS,
    ids=[f"{r}-{f}{'-snapstart' if s else ''}" for r, f, s in PYTHON_VARIANTS],
)
def test_the_generated_python_tests_pass_on_the_runtimes_python(tmp_path, runtime, framework, snapstart):
    """The project's own tests, in a venv of the runtime's Python holding requirements-dev.txt
    (with --snapstart, tests/test_snapstart.py runs the hooks through snapshot_restore_py)."""
    interpreter = require_python(catalog.runtime(runtime).version)
    project = render(tmp_path, runtime=runtime, framework=framework, snapstart=snapstart)
    assert (project / "tests" / "test_snapstart.py").is_file() == snapstart
    python = project_venv(project, interpreter)
    run_project_tests(project, python)
    version = subprocess.run(
        [str(python), "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True, check=True
    )
    assert version.stdout.strip() == str(catalog.runtime(runtime).version_tuple)


@pytest.mark.integration
def test_the_generated_python_tests_catch_a_broken_client(tmp_path):
    """The generated tests are not decoration: break the client reuse and they fail."""
    project = render(tmp_path, runtime="python3.11")
    module = project / "src" / "momento_client.py"
    source = module.read_text()
    head = "def get_client() -> CacheClient:\n"
    assert head in source
    # A client per call: forget the module-level one first.
    module.write_text(source.replace(head, head + "    global _client\n    _client = None\n"))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "reuses"],
        cwd=project, capture_output=True, text=True, env=python_env(), timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout
    assert "one_secret_read - assert 3 == 1" in result.stdout  # a read per call (get, set, get), not a crash


class Generated:
    def __init__(self, handler: ModuleType, client: ModuleType) -> None:
        self.handler = handler
        self.client = client
        self.created = 0
        self.endpoints: list[str] = []
        """The cache endpoint of each client the module built, before the redirection."""
        self.momento_server: LocalMomentoServer | None = None
        original = client.CacheClient

        def counting(configuration, provider, default_ttl):
            """Count the clients; with ``momento_server`` set, send them there (same key)."""
            self.created += 1
            self.endpoints.append(provider.cache_endpoint)
            if self.momento_server is not None:
                provider = self.momento_server.credential_provider(provider.auth_token)
            return original(configuration, provider, default_ttl)

        client.CacheClient = counting

    def invoke(self, item_id: str) -> dict:
        response = self.handler.lambda_handler({"pathParameters": {"id": item_id}}, None)
        assert response["statusCode"] == 200
        return json.loads(response["body"])


@contextmanager
def imported(project: Path) -> Iterator[Generated]:
    """The project's handler and client modules, imported from its src/ (snapshot_restore_py
    afresh too, so that its hook registries hold only this import's hooks)."""
    src = str(project / "src")
    names = ("handler", "momento_client", "snapshot_restore_py")
    for name in names:
        sys.modules.pop(name, None)
    sys.path.insert(0, src)
    try:
        import handler
        import momento_client

        assert Path(handler.__file__).parent == project / "src"
        yield Generated(handler, momento_client)
    finally:
        sys.path.remove(src)
        for name in names:
            sys.modules.pop(name, None)


@pytest.fixture
def generated_python(tmp_path) -> Iterator[Generated]:
    with imported(render(tmp_path, name="local-demo", runtime="python3.11")) as generated:
        yield generated


@pytest.fixture
def local_peers(generated_python, aws, momento_server, monkeypatch):
    """A secret in contract shape in moto (behind a counting proxy), a cache on the local server."""
    generated_python.momento_server = momento_server
    with CountingProxy(aws.url) as proxy:
        peers = seed_local_peers(aws, momento_server, proxy.url)
        for name, value in peers["env"].items():
            monkeypatch.setenv(name, value)
        yield {**peers, "proxy": proxy, "server": momento_server}


@pytest.mark.integration
def test_python_handler_against_moto_and_the_local_momento_server(generated_python, local_peers, capsys):
    proxy, server = local_peers["proxy"], local_peers["server"]

    # 100 invocations over 50 keys: each key misses once (computed, stored) and then hits.
    bodies = [generated_python.invoke(f"item-{i % 50}") for i in range(100)]
    assert [b["cache"] for b in bodies] == ["miss"] * 50 + ["hit"] * 50
    assert bodies[50]["item"] == bodies[0]["item"] == generated_python.handler.load_from_source("item-0")
    assert proxy.calls["GetSecretValue"] == 1
    assert generated_python.created == 1
    assert server.state.calls["Get"] == 100 and server.state.calls["Set"] == 50
    assert set(server.state.keys_seen) == {local_peers["key"]}
    assert generated_python.endpoints == [f"cache.{ENDPOINT}"]  # the v2 key's MOMENTO_ENDPOINT
    logs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert len(logs) == 100 and {log["cache"] for log in logs} == {"miss", "hit"}
    assert all(isinstance(log["latency_ms"], float) for log in logs)

    # Key rotation: the secret now holds a new key (legacy shape, even) and the old key is rejected.
    new_key = legacy_key(ENDPOINT, tag="rotated")
    local_peers["secrets"].put_secret_value(
        SecretId=local_peers["arn"], SecretString=json.dumps({"MOMENTO_AUTH_TOKEN": new_key})
    )
    server.state.valid_keys = {new_key}
    assert generated_python.invoke("item-1")["cache"] == "hit"
    assert proxy.calls["GetSecretValue"] == 2
    assert generated_python.created == 2
    assert generated_python.invoke("item-2")["cache"] == "hit"
    assert proxy.calls["GetSecretValue"] == 2

    # Momento down: the handler still answers with the source value.
    server.stop()
    body = generated_python.invoke("item-3")
    assert body == {"item": generated_python.handler.load_from_source("item-3"), "cache": "error"}
    out = capsys.readouterr().out
    assert MARKER not in out


@pytest.mark.integration
def test_python_handler_keeps_serving_when_the_secret_cannot_be_read(generated_python, aws, monkeypatch):
    monkeypatch.setenv("MOMENTO_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf")
    monkeypatch.setenv("MOMENTO_CACHE_NAME", "local-demo")
    body = generated_python.invoke("x")
    assert body == {"item": generated_python.handler.load_from_source("x"), "cache": "error"}
    assert generated_python.created == 0


@pytest.fixture
def refresher_peers(generated_python, aws, momento_server, monkeypatch):
    """Like local_peers, but the secret has the key-refresh Lambda's shape (endpoint in a field)."""
    generated_python.momento_server = momento_server
    with CountingProxy(aws.url) as proxy:
        peers = seed_local_peers(
            aws,
            momento_server,
            proxy.url,
            encode=lambda key, endpoint: refresher_secret(key, "1798675200", endpoint=endpoint),
        )
        for name, value in peers["env"].items():
            monkeypatch.setenv(name, value)
        yield {**peers, "proxy": proxy, "server": momento_server}


@pytest.mark.integration
def test_python_handler_reads_a_key_refresh_secret_and_follows_its_rotation(generated_python, refresher_peers, capsys):
    proxy, server = refresher_peers["proxy"], refresher_peers["server"]

    bodies = [generated_python.invoke(f"item-{i % 50}") for i in range(100)]
    assert [b["cache"] for b in bodies] == ["miss"] * 50 + ["hit"] * 50
    assert proxy.calls["GetSecretValue"] == 1
    assert generated_python.created == 1
    assert set(server.state.keys_seen) == {refresher_peers["key"]}
    assert generated_python.endpoints == [f"cache.{ENDPOINT}"]  # the v2 key's endpoint, from the field

    # The refresher rotates the key while this execution environment stays warm and writes the
    # secret its own way: the new key under authToken (here a legacy key, which carries its
    # endpoint), validUntil as a string, indented JSON. Momento rejects the old key.
    new_key = legacy_key("cell-rotated.example.momentohq.com", tag="refreshed")
    refresher_peers["secrets"].put_secret_value(
        SecretId=refresher_peers["arn"], SecretString=rotated_refresher_secret(new_key, 1803859200)
    )
    server.state.valid_keys = {new_key}
    assert generated_python.invoke("item-1")["cache"] == "hit"
    assert proxy.calls["GetSecretValue"] == 2
    assert generated_python.created == 2
    assert generated_python.endpoints[-1] == "cache.cell-rotated.example.momentohq.com"
    assert [generated_python.invoke(f"item-{i}")["cache"] for i in range(2, 12)] == ["hit"] * 10
    assert proxy.calls["GetSecretValue"] == 2
    assert new_key in server.state.keys_seen
    out = capsys.readouterr()
    assert MARKER not in out.out + out.err


@pytest.mark.integration
def test_python_handler_with_momento_local_reads_no_secret(generated_python, momento_server, monkeypatch):
    """MOMENTO_LOCAL: the SDK's Momento Local credentials, no Secrets Manager call at all."""
    momento_server.create_cache("local-demo")
    monkeypatch.setenv("MOMENTO_CACHE_NAME", "local-demo")
    monkeypatch.setenv("MOMENTO_LOCAL", momento_server.endpoint)  # AWS_ENDPOINT_URL: a closed port
    assert [generated_python.invoke("a")["cache"], generated_python.invoke("a")["cache"]] == ["miss", "hit"]
    assert set(momento_server.state.keys_seen) == {""}
    assert generated_python.created == 1


@pytest.mark.integration
def test_snapstart_hooks_close_the_live_client_and_a_restore_reads_the_rotated_key(
    tmp_path, aws, momento_server, monkeypatch
):
    """A --snapstart project's hooks, run as Lambda runs them (snapshot_restore_py's registries)
    around a live client: Secrets Manager on moto (behind a counting proxy), the local Momento
    server. Before the snapshot the client is closed and dropped; after the restore the secret
    is read again (the key was rotated meanwhile) and the cache answers with the new key."""
    project = render(tmp_path, name="local-demo", runtime="python3.12", snapstart=True)
    with imported(project) as generated, CountingProxy(aws.url) as proxy:
        hooks = sys.modules["snapshot_restore_py"]
        client = generated.client
        assert [hook for hook, _, _ in hooks.get_before_snapshot()] == [client.before_snapshot]
        assert [hook for hook, _, _ in hooks.get_after_restore()] == [client.after_restore]
        generated.momento_server = momento_server
        peers = seed_local_peers(aws, momento_server, proxy.url)
        for name, value in peers["env"].items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("MOMENTO_INIT_CLIENT", "eager")  # the template's default

        client.prepare()  # the INIT of the published version
        assert generated.invoke("a")["cache"] == "miss"  # a live, connected client
        live = client._client  # the SDK client itself (get_client() returns a LiveClient)
        assert proxy.calls["GetSecretValue"] == 1 and generated.created == 1

        for hook, args, kwargs in reversed(hooks.get_before_snapshot()):
            hook(*args, **kwargs)
        assert client._client is None and client._secrets_manager is None
        gets = momento_server.state.calls["Get"]
        assert isinstance(live.get("local-demo", "item-a"), CacheGet.Error)  # its channels are closed
        assert momento_server.state.calls["Get"] == gets

        new_key = v2_key("rotated-while-snapshotted")
        peers["secrets"].put_secret_value(SecretId=peers["arn"], SecretString=encode_secret(new_key, ENDPOINT))
        momento_server.state.valid_keys = {new_key}
        for hook, args, kwargs in hooks.get_after_restore():
            hook(*args, **kwargs)
        assert proxy.calls["GetSecretValue"] == 2 and generated.created == 2
        restored = client._client
        assert restored is not None and restored is not live

        assert generated.invoke("a")["cache"] == "hit"
        assert momento_server.state.calls["Get"] == gets + 1  # no rejected call, no refresh
        assert momento_server.state.keys_seen[-1] == new_key
        assert proxy.calls["GetSecretValue"] == 2 and generated.created == 2


KEPT_ACROSS_A_RESTORE = """
import snapshot_restore_py
import momento_client  # MOMENTO_INIT_CLIENT=eager: INIT builds the client, no request yet
kept = momento_client.get_client()  # user code keeping the client in a module variable
for hook, args, kwargs in reversed(snapshot_restore_py.get_before_snapshot()):
    hook(*args, **kwargs)  # closes the client INIT built
for hook, args, kwargs in snapshot_restore_py.get_after_restore():
    hook(*args, **kwargs)
print("@@" + type(kept.get("local-demo", "k")).__name__, flush=True)
"""


@pytest.mark.integration
def test_a_client_kept_at_module_scope_does_not_crash_after_a_snapstart_restore(tmp_path, momento_server):
    """momento 1.29.1 / grpcio 1.85: calling a CacheClient closed before its first request kills
    the process (SIGSEGV, exit 139), and the before-snapshot hook closes exactly such a client
    (built during INIT, never used). get_client() hands out a LiveClient, so the reference user
    code kept reaches the restored client. Run as a process: a crash must fail the test, not pytest."""
    project = render(tmp_path, name="local-demo", runtime="python3.12", snapstart=True)
    momento_server.create_cache("local-demo")
    env = python_env(
        MOMENTO_LOCAL=momento_server.endpoint, MOMENTO_INIT_CLIENT="eager", MOMENTO_CACHE_NAME="local-demo"
    )
    result = subprocess.run(
        [sys.executable, "-c", KEPT_ACROSS_A_RESTORE], cwd=project / "src", env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, (result.returncode, result.stderr[-3000:])
    assert "@@Miss" in result.stdout, result.stdout + result.stderr
    assert momento_server.state.calls["Get"] == 1
