"""The key's lifecycle in `doctor`: momento.key-expiry (the exp claim, or the key-refresh
Lambda's validUntil) and secret.rotation (enabled, its function, its last run, validUntil
against the next rotation), against the moto server and the local Momento server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from momento_lambda_cli import contract
from tests.support import doctor_aws, keys
from tests.support.doctor import run_doctor
from tests.support.doctor_projects import CACHE_NAME, make_project

ENDPOINT = "cell-test.example.momentohq.com"
LIFECYCLE = "secret.contract,secret.rotation,momento.key,momento.key-expiry"

KINDS = {
    "v2": lambda expires_in: (keys.v2_key(expires_in=expires_in), ENDPOINT),
    "legacy": lambda expires_in: (keys.legacy_key(ENDPOINT, expires_in=expires_in), None),
    "v1": lambda expires_in: (keys.v1_key(ENDPOINT, expires_in=expires_in), None),
}


@pytest.fixture
def momento(momento_server, monkeypatch):
    monkeypatch.setenv(contract.ENV_LOCAL_OVERRIDE, momento_server.endpoint)
    momento_server.create_cache(CACHE_NAME)
    return momento_server


def deployed(aws, tmp_path, secret_string):
    deployment = doctor_aws.deploy(aws, secret_string=secret_string)
    return deployment, make_project(tmp_path, secret_arn=deployment.secret_arn)


def no_leak(run, *secrets):
    text = json.dumps(run.document) + run.stderr
    assert keys.MARKER not in text
    for secret in secrets:
        assert secret not in text


def day(delta: timedelta) -> str:
    return (datetime.now(timezone.utc) + delta).strftime("%Y-%m-%d")


# --- momento.key-expiry -------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("expires_in", "status", "message"),
    [
        (timedelta(days=-3, hours=-1), "fail", "The stored key expired {day} (3 days ago)"),
        (timedelta(days=10, hours=1), "warn", "The stored key expires {day} (in 10 days)"),
        (timedelta(days=400, hours=1), "pass", "The stored key expires {day} (in 400 days)"),
        (None, "pass", "The stored key never expires"),
    ],
    ids=["expired", "within-30-days", "far-away", "no-exp"],
)
def test_key_expiry_for_every_kind_of_key(run_cli, aws, momento, tmp_path, kind, expires_in, status, message):
    key, endpoint = KINDS[kind](expires_in)
    momento.state.valid_keys = {key}
    _deployment, project = deployed(aws, tmp_path, contract.encode_secret(key, endpoint))
    run = run_doctor(run_cli, str(project.root), "--only", "momento.key-expiry")
    check = run.checks["momento.key-expiry"]
    expected_day = day(expires_in) if expires_in is not None else ""
    assert (check["status"], check["message"]) == (status, message.format(day=expected_day)), check
    data = check["data"]
    assert data["warning_days"] == 30
    if expires_in is None:
        assert data == {"expires_at": None, "days_left": None, "source": None, "warning_days": 30}
    else:
        assert data["expires_at"].startswith(expected_day) and data["expires_at"].endswith("Z")
        assert data["source"] == "exp"
        assert data["days_left"] == expires_in.days
    if status == "fail":
        assert run.exit_code == 1
        assert "store-token" in check["hint"]
    no_leak(run, key)


def test_the_warning_threshold_is_configurable(run_cli, aws, momento, tmp_path):
    key = keys.legacy_key(ENDPOINT, expires_in=timedelta(days=10, hours=1))
    _deployment, project = deployed(aws, tmp_path, contract.encode_secret(key, None))
    root = str(project.root)
    only = ("--only", "momento.key-expiry")
    assert run_doctor(run_cli, root, *only, "--expiry-warning-days", "5").status("momento.key-expiry") == "pass"
    warned = run_doctor(run_cli, root, *only, "--expiry-warning-days", "11")
    assert warned.status("momento.key-expiry") == "warn"
    assert warned.checks["momento.key-expiry"]["data"]["warning_days"] == 11
    assert run_doctor(run_cli, root, *only, "--expiry-warning-days", "11", "--strict").exit_code == 1
    text = run_cli("doctor", root, *only)
    assert f"The stored key expires {day(timedelta(days=10, hours=1))} (in 10 days)" in text.stdout
    assert run_cli("doctor", root, *only, "--expiry-warning-days", "-1").exit_code == 2


def test_a_key_with_an_unreadable_exp_fails_without_printing_it(run_cli, aws, momento, tmp_path):
    key = keys._jwt({"sub": f"{keys.MARKER}-x", "c": f"cache.{ENDPOINT}", "cp": f"control.{ENDPOINT}", "exp": "soon"})
    _deployment, project = deployed(aws, tmp_path, contract.encode_secret(key, None))
    run = run_doctor(run_cli, str(project.root), "--only", "momento.key-expiry")
    assert run.status("momento.key-expiry") == "fail"
    assert "exp claim is not a number" in run.checks["momento.key-expiry"]["message"]
    no_leak(run, key)


# --- the key-refresh Lambda's secret ------------------------------------------------------


def test_a_key_refresh_secret_is_accepted_and_its_valid_until_is_the_expiry(run_cli, aws, momento, tmp_path):
    key = keys.legacy_key(ENDPOINT)  # no exp claim: validUntil is all there is
    momento.state.valid_keys = {key}
    valid_until = int(time.time()) + 20 * 86400 + 3600
    secret_string = keys.refresher_secret(key, str(valid_until))
    _deployment, project = deployed(aws, tmp_path, secret_string)
    run = run_doctor(run_cli, str(project.root), "--only", LIFECYCLE)
    assert run.status("secret.contract") == "pass", run.text("secret.contract")
    assert "key-refresh Lambda's shape (apiKey, refreshToken, validUntil)" in run.checks["secret.contract"]["message"]
    assert run.status("momento.key") == "pass", run.text("momento.key")
    expiry = run.checks["momento.key-expiry"]
    assert expiry["status"] == "warn"
    assert expiry["data"]["source"] == "validUntil" and expiry["data"]["days_left"] == 20
    assert "secret.rotation" in expiry["hint"]
    rotation = run.checks["secret.rotation"]
    assert rotation["status"] == "warn"
    assert "rotation is not enabled" in rotation["message"]
    assert rotation["data"]["rotation_enabled"] is False
    no_leak(run, key, json.loads(secret_string)["refreshToken"])


def test_a_v2_key_refresh_secret_takes_its_endpoint_from_a_field(run_cli, aws, momento, tmp_path):
    key = keys.v2_key(expires_in=timedelta(days=90))
    momento.state.valid_keys = {key}
    _deployment, project = deployed(aws, tmp_path, keys.refresher_secret(key, endpoint=ENDPOINT))
    run = run_doctor(run_cli, str(project.root), "--only", "momento.key,momento.key-expiry")
    assert run.status("momento.key") == "pass", run.text("momento.key")
    assert run.checks["momento.key-expiry"]["data"]["source"] == "exp"  # exp wins over validUntil
    no_leak(run, key)


# --- secret.rotation ----------------------------------------------------------------------


def rotation_run(run_cli, aws, tmp_path, valid_until_days=200, **options):
    key = keys.legacy_key(ENDPOINT)
    valid_until = int(time.time() + valid_until_days * 86400)
    deployment, project = deployed(aws, tmp_path, keys.refresher_secret(key, valid_until))
    function_arn = doctor_aws.enable_rotation(aws, deployment.secret_arn, **options)
    run = run_doctor(run_cli, str(project.root), "--only", "secret.rotation")
    no_leak(run, key)
    return run, run.checks["secret.rotation"], function_arn


def test_rotation_enabled_with_its_function_passes_with_the_dates(run_cli, aws, tmp_path):
    run, check, function_arn = rotation_run(run_cli, aws, tmp_path)
    assert check["status"] == "pass", check
    today, next_day = day(timedelta()), day(timedelta(days=30))
    assert check["message"] == (
        f"Rotation by momento-api-key-refresh is enabled (last rotated {today}, next rotation {next_day})"
    )
    data = check["data"]
    assert data["rotation_enabled"] is True and data["rotation_lambda_arn"] == function_arn
    assert data["last_rotated"].startswith(today) and data["next_rotation"].startswith(next_day)
    assert data["valid_until"].startswith(day(timedelta(days=200)))
    assert run.exit_code == 0


def test_a_missing_rotation_function_fails(run_cli, aws, tmp_path):
    _run, check, function_arn = rotation_run(run_cli, aws, tmp_path, function_exists=False)
    assert check["status"] == "fail"
    assert check["message"].startswith("The rotation function momento-api-key-refresh of secret")
    assert "does not exist" in check["message"]
    assert f"rotation function: {function_arn}" in check["details"]


def test_a_rotation_that_did_not_finish_fails(run_cli, aws, tmp_path):
    _run, check, _arn = rotation_run(run_cli, aws, tmp_path, finished=False)
    assert check["status"] == "fail"
    assert "did not finish (a version is still AWSPENDING" in check["message"]
    assert "/aws/lambda/momento-api-key-refresh" in check["hint"]


def test_valid_until_in_the_past_warns(run_cli, aws, tmp_path):
    _run, check, _arn = rotation_run(run_cli, aws, tmp_path, valid_until_days=-2)
    assert check["status"] == "warn"
    assert f"the key's validUntil ({day(timedelta(days=-2))}) is in the past" in check["message"]


def test_valid_until_before_the_next_rotation_warns(run_cli, aws, tmp_path):
    _run, check, _arn = rotation_run(run_cli, aws, tmp_path, valid_until_days=10)
    assert check["status"] == "warn"
    assert "comes before the next rotation" in check["message"]


class _LambdaDenier(BaseHTTPRequestHandler):
    """Answers every Lambda (REST-JSON) request the way Lambda answers an identity that lacks the
    permission: 403 with ``x-amzn-ErrorType: AccessDeniedException``. moto cannot say it: with
    IAM enforcement on, moto 5.2 signs a bodiless, query-less request's headers as its payload,
    so every Lambda GET (allowed or not) fails with SignatureDoesNotMatch."""

    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).paths.append(self.path)
        action = "lambda:GetFunctionConfiguration"
        body = json.dumps(
            {
                "Message": f"User: arn:aws:iam::123456789012:user/doctor is not authorized to perform: {action} "
                f"because no identity-based policy allows the {action} action",
            }
        ).encode()
        self.send_response(403)
        self.send_header("Content-Type", "application/json")
        self.send_header(
            "x-amzn-ErrorType", "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/"
        )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def lambda_denied(monkeypatch) -> Iterator[list[str]]:
    """Lambda calls (only those: ``AWS_ENDPOINT_URL_LAMBDA``) go to :class:`_LambdaDenier`; yields
    the paths it was asked for."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LambdaDenier)
    _LambdaDenier.paths = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", f"http://127.0.0.1:{server.server_address[1]}")
    try:
        yield _LambdaDenier.paths
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_denied_rotation_function_lookup_warns(run_cli, aws, lambda_denied, tmp_path):
    """An identity that may read the secret but not lambda:GetFunctionConfiguration: the rotation
    function cannot be checked, which is a warning naming the denied action, not an error."""
    run, check, function_arn = rotation_run(run_cli, aws, tmp_path)
    assert lambda_denied == [f"/2015-03-31/functions/{function_arn.replace(':', '%3A')}/configuration"]
    assert check["status"] == "warn", check
    assert check["message"] == (
        "Could not check the rotation function momento-api-key-refresh of secret momento/demo/api-key: "
        f"AWS denied lambda:GetFunctionConfiguration on {function_arn}."
    )
    assert "Grant `lambda:GetFunctionConfiguration`" in check["hint"]
    assert check["details"] == [f"rotation function: {function_arn}"]
    assert check["data"]["rotation_enabled"] is True and check["data"]["rotation_lambda_arn"] == function_arn
    assert run.exit_code == 0


def test_a_contract_secret_without_rotation_passes(run_cli, aws, tmp_path):
    _deployment, project = deployed(aws, tmp_path, contract.encode_secret(keys.legacy_key(ENDPOINT), None))
    run = run_doctor(run_cli, str(project.root), "--only", "secret.rotation")
    assert run.status("secret.rotation") == "pass"
    assert "Rotation is not enabled" in run.checks["secret.rotation"]["message"]


def test_the_refreshers_own_rotated_secret_is_read_and_json_stays_json(run_cli, aws, momento, tmp_path):
    """What the refresher writes when it rotates: the key under authToken, validUntil as a
    string, indented JSON (whose first characters the --json envelope has too)."""
    key = keys.legacy_key(ENDPOINT)
    momento.state.valid_keys = {key}
    valid_until = int(time.time()) + 90 * 86400 + 3600
    secret_string = keys.rotated_refresher_secret(key, valid_until)
    deployment, project = deployed(aws, tmp_path, secret_string)
    doctor_aws.enable_rotation(aws, deployment.secret_arn)
    run = run_doctor(run_cli, str(project.root), "--only", LIFECYCLE)  # parses stdout as JSON
    assert run.status("secret.contract") == "pass", run.text("secret.contract")
    assert "(authToken, refreshToken, validUntil)" in run.checks["secret.contract"]["message"]
    assert run.status("momento.key") == "pass", run.text("momento.key")
    assert "(legacy key for " in run.checks["momento.key"]["message"]  # the endpoint comes from the key
    expiry = run.checks["momento.key-expiry"]
    assert (expiry["status"], expiry["data"]["source"], expiry["data"]["days_left"]) == ("pass", "validUntil", 90)
    assert run.status("secret.rotation") == "pass", run.text("secret.rotation")
    no_leak(run, key, json.loads(secret_string)["refreshToken"])


def test_a_v2_key_refresh_secret_without_an_endpoint_says_so(run_cli, aws, momento, tmp_path):
    key = keys.v2_key()
    _deployment, project = deployed(aws, tmp_path, keys.refresher_secret(key, "1798675200"))
    run = run_doctor(run_cli, str(project.root), "--only", "secret.contract,momento.key")
    assert run.status("secret.contract") == "pass"
    check = run.checks["momento.key"]
    assert check["status"] == "fail"
    assert "v2 Momento API key, which needs its endpoint" in check["message"]
    no_leak(run, key)
