"""AWS-side failures of `store-token` as one line + hint, and the --json envelope."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from momento_lambda_cli import __version__, aws, contract
from tests.support import keys, projects


def store(run_cli, *args, key=None):
    return run_cli("store-token", "--from-stdin", *args, stdin=(key or keys.legacy_key()) + "\n")


def test_missing_credentials(run_cli, peers, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    result = store(run_cli)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "Error: No AWS credentials were found."
    assert "aws configure" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_profile(run_cli, peers):
    result = store(run_cli, "--profile", "no-such-profile")
    assert result.exit_code == 1
    assert "AWS profile 'no-such-profile' was not found" in result.stderr


def test_no_region_anywhere(run_cli, peers, monkeypatch):
    monkeypatch.delenv("AWS_REGION")
    result = store(run_cli)
    assert result.exit_code == 1
    assert "No AWS region is set" in result.stderr


def test_malformed_region_is_refused_before_any_call(run_cli, peers, momento_server):
    result = store(run_cli, "--region", "useast1")
    assert result.exit_code == 2
    assert "Invalid value 'useast1' for --region: must be an AWS region code" in result.stderr
    assert sum(momento_server.state.calls.values()) == 0
    assert peers.client("secretsmanager").list_secrets()["SecretList"] == []


def test_mistyped_region_is_flagged_with_a_suggestion(run_cli, peers):
    # The warning comes first, whatever AWS then says (real AWS: no such endpoint; moto: HTTP 500).
    result = store(run_cli, "--region", "us-eats-1")
    assert result.exit_code == 1
    assert "an HTML error page" in result.stderr
    assert "'us-eats-1' is not a region this version of botocore knows" in result.stderr
    assert "Did you mean us-east-1" in result.stderr


def test_project_region_is_the_default_and_a_different_region_is_flagged(run_cli, peers, tmp_path):
    directory = projects.serverless_project(tmp_path, "eu", region="eu-west-1")
    first = store(run_cli, "--project-dir", str(directory))  # AWS_REGION is us-east-1
    assert first.exit_code == 0
    assert "Using the project's region eu-west-1 (AWS_REGION says us-east-1)" in first.stderr
    assert peers.client("secretsmanager", region="eu-west-1").list_secrets()["SecretList"][0]["Name"] == (
        "momento/eu/api-key"
    )
    assert peers.client("secretsmanager").list_secrets()["SecretList"] == []

    other = store(run_cli, "--project-dir", str(directory), "--region", "us-east-1")
    assert other.exit_code == 0
    assert "The project deploys to eu-west-1 but the secret goes to us-east-1" in other.stderr


class _Throttler(BaseHTTPRequestHandler):
    """Answers every AWS JSON-protocol request the way a throttled service does."""

    requests = 0

    def do_POST(self) -> None:
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-ErrorType", "ThrottlingException")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_throttling_after_retries(run_cli, monkeypatch, tmp_path):
    """moto never throttles: a loopback HTTP peer answering ThrottlingException stands in,
    and the real botocore client retries against it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Throttler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Throttler.requests = 0
    monkeypatch.setattr(aws, "MAX_ATTEMPTS", 2)  # keep the back-off short
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.chdir(tmp_path)
    try:
        result = store(run_cli, "--no-verify")
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 1
    assert "AWS throttled secretsmanager:DescribeSecret on momento/api-key even after 2 attempts" in result.stderr
    assert _Throttler.requests == 2  # the retry really happened


def test_aws_unreachable(run_cli, monkeypatch, tmp_path):
    # isolated_env points AWS_ENDPOINT_URL at a closed port
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setattr(aws, "MAX_ATTEMPTS", 1)
    monkeypatch.chdir(tmp_path)
    result = store(run_cli, "--no-verify")
    assert result.exit_code == 1
    assert "Could not reach AWS for secretsmanager:DescribeSecret" in result.stderr


# --- --json ---------------------------------------------------------------------------


def test_json_envelope_is_pinned(run_cli, peers, tmp_path):
    directory = projects.sam_project(tmp_path, "shop")
    key = keys.v2_key()
    result = store(run_cli, "--project-dir", str(directory), "--endpoint", "cell-1.example.com", "--json", key=key)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    described = peers.client("secretsmanager").describe_secret(SecretId="momento/shop/api-key")
    (version,) = described["VersionIdsToStages"]
    latency = document["data"]["verification"]["latency_ms"]
    assert isinstance(latency, float)
    assert document == {
        "schema": 3,
        "tool": {"name": "momento-lambda", "version": __version__},
        "command": "store-token",
        "ok": True,
        "data": {
            "secret_name": "momento/shop/api-key",
            "secret_arn": described["ARN"],
            "version_id": version,
            "action": "created",
            "dry_run": False,
            "changes": ["value"],
            "region": "us-east-1",
            "kms_key_arn": None,
            "key_kind": "v2",
            "key_source": "stdin",
            "key_expires_at": None,
            "verified": True,
            "verification": {"status": "cache-not-found", "cache_name": "shop-cache", "latency_ms": latency},
            "files_updated": ["samconfig.toml", ".momento-lambda.json"],
            "region_mismatch": None,
            "next_steps": ["sam build", "sam deploy"],
        },
        "warnings": [
            {
                "code": "store-token.warning",
                "message": "The key is valid, but the cache 'shop-cache' does not exist yet. "
                "Create it in the Momento console or with `momento cache create shop-cache`.",
                "hint": None,
            }
        ],
        "errors": [],
    }
    assert "Warning:" in result.stderr  # humans watching stderr see it too


def test_json_error_is_an_envelope(run_cli, peers):
    result = store(run_cli, "--json", key="not-a-key-LEAKCANARY")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["command"] == "store-token"
    assert document["data"] is None
    assert document["errors"][0]["code"] == "key.invalid"


def test_json_output_of_an_update_names_versions(run_cli, peers):
    sm = peers.client("secretsmanager")
    sm.create_secret(Name=contract.DEFAULT_SECRET_NAME, SecretString=json.dumps({contract.API_KEY_FIELD: "x"}))
    result = store(run_cli, "--json")
    data = json.loads(result.stdout)["data"]
    stages = sm.describe_secret(SecretId=contract.DEFAULT_SECRET_NAME)["VersionIdsToStages"]
    assert "AWSCURRENT" in stages[data["version_id"]]
    assert data["action"] == "updated"
