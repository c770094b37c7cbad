"""AccessDenied and rejected credentials for real: a dedicated moto server process with
IAM enforcement switched on (``/moto-api/reset-auth``).

IAM users, policies and access keys are made while authorization is off; then it is
switched on and the CLI runs with a limited user's access key. moto's authorization
switch is process-global, so these tests use their own moto process and never touch the
shared ``aws`` fixture's server.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from momento_lambda_cli import contract
from tests.conftest import run_cli_process
from tests.support import keys
from tests.support.leaks import assert_no_leak


@dataclass
class IamMoto:
    url: str

    def admin(self, service: str) -> Any:
        return boto3.client(
            service,
            region_name="us-east-1",
            endpoint_url=self.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def set_auth(self, enforce: bool) -> None:
        body = b"0" if enforce else b"inf"
        request = urllib.request.Request(  # noqa: S310 (loopback only)
            f"{self.url}/moto-api/reset-auth", data=body, method="POST", headers={"Content-Type": "text/plain"}
        )
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass

    def reset(self) -> None:
        self.set_auth(False)
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass

    def user(self, name: str, actions: list[str]) -> dict[str, str]:
        """An IAM user allowed exactly ``actions``; returns the env for its access key."""
        iam = self.admin("iam")
        iam.create_user(UserName=name)
        policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
        iam.put_user_policy(UserName=name, PolicyName="limited", PolicyDocument=json.dumps(policy))
        access = iam.create_access_key(UserName=name)["AccessKey"]
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": access["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": access["SecretAccessKey"],
            "AWS_REGION": "us-east-1",
        }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def iam_moto_server() -> Iterator[IamMoto]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    server = IamMoto(url=f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{server.url}/moto-api/data.json", timeout=1):  # noqa: S310
                break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("the IAM-enforcing moto server did not start") from None
            time.sleep(0.05)
    try:
        yield server
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def iam_moto(iam_moto_server: IamMoto, monkeypatch: pytest.MonkeyPatch) -> Iterator[IamMoto]:
    iam_moto_server.reset()
    try:
        yield iam_moto_server
    finally:
        iam_moto_server.reset()


def _store(run_cli, env: dict[str, str], monkeypatch, *args: str, key: str | None = None):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    key = key or keys.legacy_key()
    result = run_cli("--debug", "store-token", "--from-stdin", "--no-verify", *args, stdin=key + "\n")
    assert_no_leak(result.output, [key])
    return result


def test_create_denied_names_the_missing_action(run_cli, iam_moto, monkeypatch, tmp_path):
    env = iam_moto.user("reader", ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"])
    iam_moto.set_auth(True)
    monkeypatch.chdir(tmp_path)
    result = _store(run_cli, env, monkeypatch, "--secret-name", "momento/denied")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "Error: AWS denied secretsmanager:CreateSecret on momento/denied."
    assert lines[1].startswith("Hint: Grant `secretsmanager:CreateSecret`")
    iam_moto.set_auth(False)
    assert iam_moto.admin("secretsmanager").list_secrets()["SecretList"] == []


def test_update_denied_names_put_secret_value(run_cli, iam_moto, monkeypatch, tmp_path):
    sm = iam_moto.admin("secretsmanager")
    old = json.dumps({contract.API_KEY_FIELD: keys.legacy_key()})
    sm.create_secret(Name="momento/existing", SecretString=old)
    env = iam_moto.user("reader", ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"])
    iam_moto.set_auth(True)
    monkeypatch.chdir(tmp_path)
    result = _store(run_cli, env, monkeypatch, "--secret-name", "momento/existing")
    assert result.exit_code == 1
    assert "AWS denied secretsmanager:PutSecretValue on momento/existing." in result.stderr
    iam_moto.set_auth(False)
    assert sm.get_secret_value(SecretId="momento/existing")["SecretString"] == old


def test_describe_denied(run_cli, iam_moto, monkeypatch, tmp_path):
    env = iam_moto.user("nobody", ["sts:GetCallerIdentity"])
    iam_moto.set_auth(True)
    monkeypatch.chdir(tmp_path)
    result = _store(run_cli, env, monkeypatch)
    assert result.exit_code == 1
    assert "AWS denied secretsmanager:DescribeSecret on momento/api-key." in result.stderr


def test_unreadable_existing_secret_is_not_overwritten_without_force(run_cli, iam_moto, monkeypatch, tmp_path):
    sm = iam_moto.admin("secretsmanager")
    sm.create_secret(Name="momento/blind", SecretString=json.dumps({"OTHER": "value-of-someone-else"}))
    env = iam_moto.user("writer", ["secretsmanager:DescribeSecret", "secretsmanager:PutSecretValue"])
    iam_moto.set_auth(True)
    monkeypatch.chdir(tmp_path)
    refused = _store(run_cli, env, monkeypatch, "--secret-name", "momento/blind")
    assert refused.exit_code == 1
    assert "AWS denied secretsmanager:GetSecretValue" in refused.stderr
    assert "--force" in refused.stderr
    forced = _store(run_cli, env, monkeypatch, "--secret-name", "momento/blind", "--force")
    assert forced.exit_code == 0, forced.output
    iam_moto.set_auth(False)
    assert contract.API_KEY_FIELD in json.loads(sm.get_secret_value(SecretId="momento/blind")["SecretString"])


def test_kms_describe_denied_is_a_warning_and_the_store_goes_ahead(run_cli, iam_moto, monkeypatch, tmp_path):
    key_arn = iam_moto.admin("kms").create_key()["KeyMetadata"]["Arn"]
    env = iam_moto.user(
        "no-kms-read",
        ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:CreateSecret"],
    )
    iam_moto.set_auth(True)
    monkeypatch.chdir(tmp_path)
    result = _store(run_cli, env, monkeypatch, "--kms-key-id", key_arn)
    assert result.exit_code == 0, result.output
    assert "kms:DescribeKey denied" in result.stderr


def test_unknown_access_key_is_rejected_credentials(run_cli, iam_moto, monkeypatch, tmp_path):
    iam_moto.set_auth(True)
    monkeypatch.chdir(tmp_path)
    env = {
        "AWS_ENDPOINT_URL": iam_moto.url,
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
        "AWS_REGION": "us-east-1",
    }
    result = _store(run_cli, env, monkeypatch)
    assert result.exit_code == 1
    assert "AWS rejected your credentials" in result.stderr


def test_access_denied_as_a_process_with_json(iam_moto, tmp_path):
    env = iam_moto.user("reader", ["secretsmanager:DescribeSecret"])
    iam_moto.set_auth(True)
    key = keys.legacy_key()
    result = run_cli_process(
        "--debug", "store-token", "--from-stdin", "--no-verify", "--json", env=env, cwd=tmp_path, stdin=key + "\n"
    )
    assert result.exit_code == 1
    assert_no_leak(result.output, [key], tmp_path)
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["errors"][0]["code"] == "aws.access-denied"
    assert "secretsmanager:CreateSecret" in document["errors"][0]["message"]
