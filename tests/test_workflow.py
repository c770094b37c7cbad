"""The commands together, as a user runs them: `new`, then `store-token` inside the generated
project, then the generated handler reading what `store-token` stored (moto + local Momento)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import tomlkit

from momento_lambda_cli.project import load_answers
from tests.support.keys import MARKER, v2_key

ENDPOINT = "cell-test.example.momentohq.com"


def _all_project_text(project: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in project.rglob("*") if p.is_file())


@pytest.fixture
def stored(tmp_path, run_cli, aws, momento_server, monkeypatch):
    """Render a project with `new`, then store a key with `store-token` from inside it."""

    def run(framework: str, runtime: str = "python3.11") -> tuple[Path, str, str]:
        name = f"flow-{framework}"
        created = run_cli(
            "new", name, "--framework", framework, "--runtime", runtime, "--output-dir", str(tmp_path), "--no-input"
        )
        assert created.exit_code == 0, created.stderr
        project = tmp_path / name
        key = v2_key("workflow")
        momento_server.state.valid_keys = {key}
        momento_server.create_cache(name)
        monkeypatch.setenv("MOMENTO_LOCAL", momento_server.endpoint)
        monkeypatch.chdir(project)
        result = run_cli("store-token", "--from-stdin", "--endpoint", ENDPOINT, "--json", stdin=key + "\n")
        assert result.exit_code == 0, result.stderr
        document = json.loads(result.stdout)
        assert document["ok"] is True
        arn = document["data"]["secret_arn"]
        assert momento_server.state.calls["Get"] == 1  # verified with the real SDK
        assert key not in result.output and key[:8] not in result.output
        assert MARKER not in _all_project_text(project)
        return project, arn, key

    return run


def test_sam_project_gets_the_secret_arn_in_samconfig_and_answers(stored, aws):
    project, arn, key = stored("sam")
    name = project.name
    stored_value = aws.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    assert json.loads(stored_value) == {"MOMENTO_API_KEY": key, "MOMENTO_ENDPOINT": ENDPOINT}
    assert arn.startswith(f"arn:aws:secretsmanager:us-east-1:{aws.account_id}:secret:momento/{name}/api-key-")
    samconfig = tomlkit.parse((project / "samconfig.toml").read_text())
    overrides = str(samconfig["default"]["deploy"]["parameters"]["parameter_overrides"])
    assert f'MomentoSecretArn="{arn}"' in overrides
    assert f'MomentoCacheName="{name}"' in overrides  # what `new` wrote is kept
    assert load_answers(project)["secret_arn"] == arn


def test_serverless_project_gets_the_secret_arn_in_params(stored):
    from ruamel.yaml import YAML

    project, arn, _ = stored("serverless")
    document = YAML(typ="safe", pure=True).load((project / "serverless.yml").read_text())
    assert document["params"]["default"]["momentoSecretArn"] == arn
    assert document["params"]["default"]["momentoSecretName"] == f"momento/{project.name}/api-key"
    assert load_answers(project)["secret_arn"] == arn


def test_generated_handler_reads_what_store_token_stored(stored, momento_server, monkeypatch):
    project, arn, _ = stored("sam")
    monkeypatch.setenv("MOMENTO_SECRET_ARN", arn)
    monkeypatch.setenv("MOMENTO_CACHE_NAME", project.name)
    monkeypatch.setenv("MOMENTO_DEFAULT_TTL_SECONDS", "60")
    # MOMENTO_LOCAL would skip the secret: instead, the key the secret holds goes to the local server.
    monkeypatch.delenv("MOMENTO_LOCAL")
    src = str(project / "src")
    sys.path.insert(0, src)
    try:
        import handler
        import momento_client

        real_client = momento_client.CacheClient

        def local(configuration, provider, default_ttl):
            return real_client(configuration, momento_server.credential_provider(provider.auth_token), default_ttl)

        monkeypatch.setattr(momento_client, "CacheClient", local)
        first = handler.lambda_handler({"pathParameters": {"id": "a"}}, None)
        second = handler.lambda_handler({"pathParameters": {"id": "a"}}, None)
    finally:
        sys.path.remove(src)
        for module in ("handler", "momento_client"):
            sys.modules.pop(module, None)
    assert json.loads(first["body"])["cache"] == "miss"
    assert json.loads(second["body"])["cache"] == "hit"


@pytest.mark.parametrize("framework", ["sam", "serverless"])
def test_doctor_checks_the_stored_secret_and_key(stored, run_cli, momento_server, framework):
    project, _arn, key = stored(framework)
    only = "secret.contract,momento.key,momento.cache"
    result = run_cli("doctor", str(project), "--only", only, "--json")
    assert result.exit_code == 0, result.stdout
    checks = {c["id"]: c for c in json.loads(result.stdout)["data"]["checks"]}
    assert {k: c["status"] for k, c in checks.items()} == dict.fromkeys(only.split(","), "pass")
    assert f"momento/{project.name}/api-key" in checks["secret.contract"]["message"]

    # The key is revoked at Momento: doctor says so, without printing it.
    momento_server.state.valid_keys = {v2_key("another")}
    result = run_cli("doctor", str(project), "--only", only)
    assert result.exit_code == 1
    assert "momento.key" in result.stdout
    assert key not in result.output and key[:8] not in result.output
