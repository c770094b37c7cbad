"""`momento-lambda store-token` end to end: real boto3 against moto's server, the real
Momento SDK against the local Momento server, real project files on disk."""

from __future__ import annotations

import base64
import json
import time
from datetime import timezone

import pytest

from momento_lambda_cli import contract
from tests.support import doctor_aws, keys, projects

ENDPOINT = "cell-1.example.momentohq.com"


def store(run_cli, key, *args, stdin_key=True):
    """Run store-token with the key on stdin."""
    return run_cli("store-token", "--from-stdin", *args, stdin=key + "\n")


def secret_value(sm, name, stage="AWSCURRENT"):
    return json.loads(sm.get_secret_value(SecretId=name, VersionStage=stage)["SecretString"])


# --- create / update / idempotence ----------------------------------------------------


def test_creates_the_secret_in_the_contract_shape_outside_a_project(run_cli, sm, momento_server, tmp_path):
    key = keys.v2_key()
    momento_server.state.valid_keys = {key}
    result = store(run_cli, key, "--endpoint", ENDPOINT)
    assert result.exit_code == 0, result.output
    assert secret_value(sm, contract.DEFAULT_SECRET_NAME) == {
        contract.API_KEY_FIELD: key,
        contract.ENDPOINT_FIELD: ENDPOINT,
    }
    described = sm.describe_secret(SecretId=contract.DEFAULT_SECRET_NAME)
    assert f"ARN:      {described['ARN']}" in result.stdout
    (version,) = described["VersionIdsToStages"]
    assert f"Version:  {version}" in result.stdout
    assert result.stdout.startswith("Created secret momento/api-key in us-east-1")
    assert "verified with Momento" in result.stdout
    assert momento_server.state.calls["Get"] == 1
    assert list(tmp_path.iterdir()) == []  # outside a project: no files


def test_legacy_key_is_stored_without_endpoint(run_cli, sm):
    key = keys.legacy_key()
    result = store(run_cli, key, "--secret-name", "momento/legacy")
    assert result.exit_code == 0, result.output
    assert secret_value(sm, "momento/legacy") == {contract.API_KEY_FIELD: key}


def test_endpoint_from_momento_endpoint_env(run_cli, sm, monkeypatch):
    monkeypatch.setenv("MOMENTO_ENDPOINT", f"https://{ENDPOINT}/")
    key = keys.v2_key()
    assert store(run_cli, key).exit_code == 0
    assert secret_value(sm, contract.DEFAULT_SECRET_NAME)[contract.ENDPOINT_FIELD] == ENDPOINT


def test_update_makes_the_new_version_current_and_the_old_one_previous(run_cli, sm):
    first, second = keys.v2_key("first"), keys.v2_key("second")
    assert store(run_cli, first, "--endpoint", ENDPOINT).exit_code == 0
    result = store(run_cli, second, "--endpoint", ENDPOINT)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Updated secret momento/api-key")
    assert secret_value(sm, contract.DEFAULT_SECRET_NAME)[contract.API_KEY_FIELD] == second
    assert secret_value(sm, contract.DEFAULT_SECRET_NAME, "AWSPREVIOUS")[contract.API_KEY_FIELD] == first
    stages = sm.describe_secret(SecretId=contract.DEFAULT_SECRET_NAME)["VersionIdsToStages"]
    current = next(v for v, s in stages.items() if "AWSCURRENT" in s)
    assert f"Version:  {current}" in result.stdout


def test_storing_the_same_value_twice_succeeds_and_changes_nothing(run_cli, sm):
    key = keys.v2_key()
    assert store(run_cli, key, "--endpoint", ENDPOINT).exit_code == 0
    before = sm.describe_secret(SecretId=contract.DEFAULT_SECRET_NAME)["VersionIdsToStages"]
    again = store(run_cli, key, "--endpoint", ENDPOINT, "--json")
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)["data"]
    assert data["action"] == "unchanged"
    assert data["changes"] == []
    assert sm.describe_secret(SecretId=contract.DEFAULT_SECRET_NAME)["VersionIdsToStages"] == before
    assert data["version_id"] == next(iter(before))


def test_same_value_with_new_tags_updates_only_the_details(run_cli, sm):
    key = keys.legacy_key()
    assert store(run_cli, key).exit_code == 0
    result = store(run_cli, key, "--tag", "team=a")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Updated the details (value unchanged) of secret momento/api-key")
    described = sm.describe_secret(SecretId=contract.DEFAULT_SECRET_NAME)
    assert described["Tags"] == [{"Key": "team", "Value": "a"}]
    assert len(described["VersionIdsToStages"]) == 1


def test_older_momento_shapes_are_upgraded_to_the_contract(run_cli, sm):
    key = keys.legacy_key()
    sm.create_secret(Name="old/shape", SecretString=json.dumps({contract.LEGACY_TOKEN_FIELD: key}))
    result = store(run_cli, key, "--secret-name", "old/shape", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["data"]["action"] == "updated"
    assert secret_value(sm, "old/shape") == {contract.API_KEY_FIELD: key}


def test_plain_text_momento_key_is_upgraded(run_cli, sm):
    key = keys.legacy_key()
    sm.create_secret(Name="plain/key", SecretString=key)
    assert store(run_cli, key, "--secret-name", "plain/key").exit_code == 0
    assert secret_value(sm, "plain/key") == {contract.API_KEY_FIELD: key}


def test_a_secret_without_a_value_yet_is_filled(run_cli, sm):
    sm.create_secret(Name="made/by/iac")
    result = store(run_cli, keys.legacy_key(), "--secret-name", "made/by/iac")
    assert result.exit_code == 0, result.output
    assert contract.API_KEY_FIELD in secret_value(sm, "made/by/iac")


# --- another shape, deletion, restore -------------------------------------------------


@pytest.mark.parametrize(
    "other",
    [
        json.dumps({"DB_PASSWORD": "hunter2-hunter2", "DB_USER": "app"}),
        json.dumps({contract.API_KEY_FIELD: "x", "DB_PASSWORD": "keep-me-please"}),
        "a-database-password-not-a-key",
        json.dumps(["a", "list"]),
    ],
    ids=["other-json", "contract-plus-other-fields", "plain-text-not-a-key", "json-list"],
)
def test_a_secret_in_another_shape_is_not_overwritten(run_cli, sm, other):
    sm.create_secret(Name="someone/else", SecretString=other)
    result = store(run_cli, keys.legacy_key(), "--secret-name", "someone/else")
    assert result.exit_code == 1
    assert "already holds something that is not a Momento API key" in result.stderr
    assert "--force" in result.stderr and "--secret-name" in result.stderr
    assert sm.get_secret_value(SecretId="someone/else")["SecretString"] == other
    assert len(sm.describe_secret(SecretId="someone/else")["VersionIdsToStages"]) == 1


def test_force_overwrites_another_shape_and_keeps_it_as_previous(run_cli, sm):
    other = json.dumps({"DB_PASSWORD": "hunter2-hunter2"})
    sm.create_secret(Name="someone/else", SecretString=other)
    key = keys.legacy_key()
    result = store(run_cli, key, "--secret-name", "someone/else", "--force")
    assert result.exit_code == 0, result.output
    assert secret_value(sm, "someone/else") == {contract.API_KEY_FIELD: key}
    assert sm.get_secret_value(SecretId="someone/else", VersionStage="AWSPREVIOUS")["SecretString"] == other


def test_binary_secret_is_another_shape(run_cli, sm):
    sm.create_secret(Name="binary/one", SecretBinary=b"\x00\x01")
    result = store(run_cli, keys.legacy_key(), "--secret-name", "binary/one")
    assert result.exit_code == 1
    assert "not a Momento API key" in result.stderr


def test_secret_scheduled_for_deletion_is_reported_then_restored(run_cli, sm):
    old = keys.legacy_key(tag="old")
    sm.create_secret(Name="momento/gone", SecretString=json.dumps({contract.API_KEY_FIELD: old}))
    sm.delete_secret(SecretId="momento/gone", RecoveryWindowInDays=7)
    key = keys.legacy_key(tag="new")

    refused = store(run_cli, key, "--secret-name", "momento/gone")
    assert refused.exit_code == 1
    assert "scheduled for deletion" in refused.stderr
    assert "--restore" in refused.stderr
    assert "DeletedDate" in sm.describe_secret(SecretId="momento/gone")

    restored = store(run_cli, key, "--secret-name", "momento/gone", "--restore", "--json")
    assert restored.exit_code == 0, restored.output
    data = json.loads(restored.stdout)["data"]
    assert data["action"] == "restored"
    assert data["changes"] == ["restored", "value"]
    assert "DeletedDate" not in sm.describe_secret(SecretId="momento/gone")
    assert secret_value(sm, "momento/gone") == {contract.API_KEY_FIELD: key}
    assert secret_value(sm, "momento/gone", "AWSPREVIOUS") == {contract.API_KEY_FIELD: old}


def test_secret_arn_as_name_updates_that_secret(run_cli, sm):
    arn = sm.create_secret(Name="by/arn", SecretString=json.dumps({contract.API_KEY_FIELD: keys.legacy_key()}))["ARN"]
    key = keys.legacy_key()
    result = store(run_cli, key, "--secret-name", arn)
    assert result.exit_code == 0, result.output
    assert secret_value(sm, "by/arn") == {contract.API_KEY_FIELD: key}


def test_unknown_secret_arn_is_an_error(run_cli, sm):
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:nope-AbCdEf"
    result = store(run_cli, keys.legacy_key(), "--secret-name", arn)
    assert result.exit_code == 1
    assert "No secret has the ARN" in result.stderr
    assert sm.list_secrets()["SecretList"] == []


def test_invalid_secret_name_is_a_usage_error(run_cli, sm):
    result = store(run_cli, keys.legacy_key(), "--secret-name", "has space")
    assert result.exit_code == 2
    assert "not a valid Secrets Manager secret name" in result.stderr


# --- KMS, description, tags -----------------------------------------------------------


def test_kms_key_description_and_tags_are_stored(run_cli, peers, sm):
    kms = peers.client("kms")
    key_arn = kms.create_key()["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName="alias/momento", TargetKeyId=key_arn)
    result = store(
        run_cli,
        keys.legacy_key(),
        "--secret-name",
        "momento/kms",
        "--kms-key-id",
        "alias/momento",
        "--description",
        "Momento key for payments",
        "--tag",
        "team=payments",
        "--tag",
        "env=dev",
    )
    assert result.exit_code == 0, result.output
    described = sm.describe_secret(SecretId="momento/kms")
    assert described["KmsKeyId"] == key_arn
    assert described["Description"] == "Momento key for payments"
    assert {t["Key"]: t["Value"] for t in described["Tags"]} == {"team": "payments", "env": "dev"}
    assert f"KMS key:  {key_arn}" in result.stdout


def test_update_changes_kms_key_description_and_tags(run_cli, peers, sm):
    key = keys.legacy_key()
    assert store(run_cli, key, "--secret-name", "momento/meta", "--tag", "team=a").exit_code == 0
    key_arn = peers.client("kms").create_key()["KeyMetadata"]["Arn"]
    result = store(
        run_cli,
        key,
        "--secret-name",
        "momento/meta",
        "--kms-key-id",
        key_arn,
        "--description",
        "new words",
        "--tag",
        "team=b",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    assert data["action"] == "updated"  # re-encrypted under the new key: a new version
    assert data["changes"] == ["kms_key", "description", "tags"]
    described = sm.describe_secret(SecretId="momento/meta")
    assert described["KmsKeyId"] == key_arn
    assert described["Description"] == "new words"
    assert {t["Key"]: t["Value"] for t in described["Tags"]} == {"team": "b"}
    assert len(described["VersionIdsToStages"]) == 2


def test_default_description_names_the_project(run_cli, sm, tmp_path):
    directory = projects.sam_project(tmp_path, "shop")
    assert store(run_cli, keys.legacy_key(), "--project-dir", str(directory)).exit_code == 0
    assert sm.describe_secret(SecretId="momento/shop/api-key")["Description"] == "Momento API key for shop"


def test_unknown_kms_key_is_refused_before_anything_is_created(run_cli, sm):
    result = store(run_cli, keys.legacy_key(), "--kms-key-id", "alias/does-not-exist")
    assert result.exit_code == 1
    assert "KMS key 'alias/does-not-exist' was not found" in result.stderr
    assert sm.list_secrets()["SecretList"] == []


@pytest.mark.parametrize("problem", ["disabled", "pending-deletion", "asymmetric"])
def test_unusable_kms_key_is_refused(run_cli, peers, sm, problem):
    kms = peers.client("kms")
    if problem == "asymmetric":
        key_id = kms.create_key(KeySpec="RSA_2048", KeyUsage="ENCRYPT_DECRYPT")["KeyMetadata"]["KeyId"]
    else:
        key_id = kms.create_key()["KeyMetadata"]["KeyId"]
        if problem == "disabled":
            kms.disable_key(KeyId=key_id)
        else:
            kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    result = store(run_cli, keys.legacy_key(), "--kms-key-id", key_id)
    assert result.exit_code == 1
    assert "is not usable" in result.stderr or "cannot encrypt secrets" in result.stderr
    assert sm.list_secrets()["SecretList"] == []


@pytest.mark.parametrize("bad", ["novalue", "=v", "aws:reserved=x"])
def test_bad_tag_is_a_usage_error(run_cli, sm, bad):
    result = store(run_cli, keys.legacy_key(), "--tag", bad)
    assert result.exit_code == 2
    assert "--tag" in result.stderr
    assert sm.list_secrets()["SecretList"] == []


# --- verification with Momento --------------------------------------------------------


def test_a_key_momento_rejects_is_not_stored(run_cli, sm, momento_server):
    momento_server.state.valid_keys = {keys.v2_key("the-good-one")}
    result = store(run_cli, keys.v2_key("a-bad-one"), "--endpoint", ENDPOINT)
    assert result.exit_code == 1
    assert "Momento rejected this API key" in result.stderr
    assert "--no-verify" in result.stderr
    assert momento_server.state.calls["Get"] == 1
    assert sm.list_secrets()["SecretList"] == []


def test_no_verify_stores_without_asking_momento(run_cli, sm, momento_server):
    momento_server.state.valid_keys = {keys.v2_key("the-good-one")}
    result = store(run_cli, keys.v2_key("unchecked"), "--endpoint", ENDPOINT, "--no-verify")
    assert result.exit_code == 0, result.output
    assert sum(momento_server.state.calls.values()) == 0
    assert "not verified (--no-verify)" in result.stdout
    assert len(sm.list_secrets()["SecretList"]) == 1


def test_unreachable_momento_is_a_warning_and_the_key_is_stored(run_cli, sm, momento_server):
    momento_server.stop()
    started = time.monotonic()
    result = store(run_cli, keys.legacy_key())
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert "Warning: Could not reach Momento to verify the key" in result.stderr
    assert "not verified (unreachable)" in result.stdout
    assert len(sm.list_secrets()["SecretList"]) == 1
    assert elapsed < 30  # bounded by the verify timeout, not hanging


def test_missing_cache_is_a_warning_with_a_hint(run_cli, sm, momento_server, tmp_path):
    key = keys.legacy_key()
    momento_server.state.valid_keys = {key}
    result = store(run_cli, key, "--cache-name", "orders")
    assert result.exit_code == 0, result.output
    assert "the cache 'orders' does not exist yet" in result.stderr
    assert "momento cache create orders" in result.stderr
    assert len(sm.list_secrets()["SecretList"]) == 1


def test_verify_uses_the_projects_cache(run_cli, sm, momento_server, tmp_path):
    directory = projects.sam_project(tmp_path, "shop")
    momento_server.create_cache("shop-cache")
    result = store(run_cli, keys.legacy_key(), "--project-dir", str(directory), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    assert data["verification"]["status"] == "ok"
    assert data["verification"]["cache_name"] == "shop-cache"
    assert data["verified"] is True


# --- keys that do not parse -----------------------------------------------------------

BAD_KEYS = {
    "empty": "",
    "garbage": "LEAKCANARY-garbage-not-a-key",
    "base64-of-non-json": base64.b64encode(b"LEAKCANARY just some words").decode(),
    "json-without-endpoint": base64.b64encode(b'{"api_key": "LEAKCANARY-x"}').decode(),
}


@pytest.mark.parametrize("bad", BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_every_bad_key_shape_is_refused_before_aws_or_momento(run_cli, sm, momento_server, bad):
    result = store(run_cli, bad)
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: This is not a Momento API key")
    assert "Hint:" in result.stderr
    assert "Traceback" not in result.output
    assert sum(momento_server.state.calls.values()) == 0
    assert sm.list_secrets()["SecretList"] == []


def test_v2_key_without_endpoint_is_refused_with_a_hint(run_cli, sm, momento_server):
    result = store(run_cli, keys.v2_key())
    assert result.exit_code == 1
    assert "v2 Momento API key, which needs its endpoint" in result.stderr
    assert "--endpoint" in result.stderr
    assert sum(momento_server.state.calls.values()) == 0
    assert sm.list_secrets()["SecretList"] == []


def test_endpoint_given_for_a_legacy_key_is_ignored_with_a_warning(run_cli, sm):
    key = keys.legacy_key()
    result = store(run_cli, key, "--endpoint", ENDPOINT)
    assert result.exit_code == 0
    assert "carries its own endpoint" in result.stderr
    assert secret_value(sm, contract.DEFAULT_SECRET_NAME) == {contract.API_KEY_FIELD: key}


@pytest.mark.parametrize("bad", ["has space.example.com", "cell/path"])
def test_malformed_endpoint_is_a_usage_error(run_cli, sm, bad):
    result = store(run_cli, keys.v2_key(), "--endpoint", bad)
    assert result.exit_code == 2
    assert "is not a Momento endpoint" in result.stderr


def test_secret_arn_from_another_region_is_used_in_its_region(run_cli, peers):
    eu = peers.client("secretsmanager", region="eu-west-1")
    arn = eu.create_secret(Name="eu/key", SecretString=json.dumps({contract.API_KEY_FIELD: keys.legacy_key()}))["ARN"]
    key = keys.legacy_key()
    result = store(run_cli, key, "--secret-name", arn)  # AWS_REGION is us-east-1
    assert result.exit_code == 0, result.output
    assert json.loads(eu.get_secret_value(SecretId=arn)["SecretString"]) == {contract.API_KEY_FIELD: key}
    clash = store(run_cli, key, "--secret-name", arn, "--region", "us-east-1")
    assert clash.exit_code == 2
    assert "The secret ARN is in eu-west-1, but --region is us-east-1" in clash.stderr


def test_endpoint_is_normalised(run_cli, sm):
    key = keys.v2_key()
    assert store(run_cli, key, "--endpoint", f"https://cache.{ENDPOINT}/").exit_code == 0
    assert secret_value(sm, contract.DEFAULT_SECRET_NAME)[contract.ENDPOINT_FIELD] == ENDPOINT


def test_secret_created_meanwhile_by_someone_else_is_updated(peers, sm):
    """Between DescribeSecret and CreateSecret another writer creates the secret: the store
    falls back to updating it (CreateSecret answers ResourceExistsException for real)."""
    from momento_lambda_cli.secrets import secret_store

    class RacingClient:
        def __init__(self, real):
            self._real = real

        def __getattr__(self, name):
            return getattr(self._real, name)

        def create_secret(self, **kwargs):
            self._real.create_secret(Name=kwargs["Name"], SecretString=json.dumps({contract.API_KEY_FIELD: "other"}))
            return self._real.create_secret(**kwargs)

    key = keys.legacy_key()
    request = secret_store.StoreRequest(secret_name="raced", secret_string=contract.encode_secret(key, None))
    result = secret_store.store_secret(RacingClient(sm), peers.client("kms"), request)
    assert result.action is secret_store.Action.UPDATED
    assert secret_value(sm, "raced") == {contract.API_KEY_FIELD: key}


def test_restoring_a_secret_of_another_shape_says_so_and_keeps_its_value(run_cli, sm):
    other = json.dumps({"DB_PASSWORD": "hunter2-hunter2"})
    sm.create_secret(Name="deleted/other", SecretString=other)
    sm.delete_secret(SecretId="deleted/other")
    result = store(run_cli, keys.legacy_key(), "--secret-name", "deleted/other", "--restore")
    assert result.exit_code == 1
    assert "was restored, but it holds something that is not a Momento API key" in result.stderr
    assert sm.get_secret_value(SecretId="deleted/other")["SecretString"] == other


def test_deletion_date_is_shown_in_utc(run_cli, sm):
    sm.create_secret(Name="gone/soon", SecretString=json.dumps({contract.API_KEY_FIELD: keys.legacy_key()}))
    deleted = sm.delete_secret(SecretId="gone/soon", RecoveryWindowInDays=10)["DeletionDate"]
    result = store(run_cli, keys.legacy_key(), "--secret-name", "gone/soon")
    expected = deleted.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    assert f"scheduled for deletion (on {expected})" in result.stderr


# --- the key's expiry ---------------------------------------------------------------------

EXPIRING_KINDS = {
    "v2": lambda expires_in: (keys.v2_key(expires_in=expires_in), ("--endpoint", ENDPOINT)),
    "legacy": lambda expires_in: (keys.legacy_key(expires_in=expires_in), ()),
    "v1": lambda expires_in: (keys.v1_key(expires_in=expires_in), ()),
}


def _day(delta):
    from datetime import datetime, timedelta

    return (datetime.now(timezone.utc) + (delta or timedelta())).strftime("%Y-%m-%d")


@pytest.mark.parametrize("kind", EXPIRING_KINDS)
def test_an_expired_key_is_refused_before_aws_or_momento(run_cli, sm, momento_server, kind):
    from datetime import timedelta

    key, extra = EXPIRING_KINDS[kind](timedelta(days=-2, hours=-1))
    result = store(run_cli, key, *extra, "--json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["errors"][0]
    assert error["code"] == "key.expired"
    assert (
        error["message"]
        == f"This Momento API key has expired {_day(timedelta(days=-2, hours=-1))} (2 days ago); nothing was stored."
    )
    assert "Momento console" in error["hint"]
    human = store(run_cli, key, *extra)
    assert human.exit_code == 1 and human.stdout == ""
    assert (
        f"This Momento API key has expired {_day(timedelta(days=-2, hours=-1))} (2 days ago); nothing was stored."
        in human.stderr
    )
    assert "Momento console" in human.stderr
    assert sm.list_secrets()["SecretList"] == []
    assert sum(momento_server.state.calls.values()) == 0
    assert keys.MARKER not in result.stdout + result.stderr + human.stderr


@pytest.mark.parametrize("kind", EXPIRING_KINDS)
@pytest.mark.parametrize(
    ("days", "shown", "warned"),
    [
        (10, "expires {day} (in 10 days)", True),
        (400, "expires {day} (in 400 days)", False),
        (None, "never expires", False),
    ],
    ids=["within-30-days", "far-away", "no-exp"],
)
def test_the_expiry_is_shown_and_a_near_one_warns(run_cli, sm, kind, days, shown, warned):
    from datetime import timedelta

    expires_in = timedelta(days=days, hours=1) if days is not None else None
    key, extra = EXPIRING_KINDS[kind](expires_in)
    text = shown.format(day=_day(expires_in))
    result = store(run_cli, key, *extra, "--no-verify", "--secret-name", f"momento/{kind}")
    assert result.exit_code == 0, result.output
    assert f"  Expiry:   {text}\n" in result.stdout
    assert (f"This key {text}: create a new one before then" in result.stderr) is warned
    as_json = store(run_cli, key, *extra, "--no-verify", "--secret-name", f"momento/{kind}", "--json")
    document = json.loads(as_json.stdout)
    expires_at = document["data"]["key_expires_at"]
    if days is None:
        assert expires_at is None
    else:
        assert expires_at.startswith(_day(expires_in)) and expires_at.endswith("Z")
    assert any("create a new one before then" in w["message"] for w in document["warnings"]) is warned
    assert keys.MARKER not in result.output + as_json.stdout + as_json.stderr


# --- secrets kept by Momento's key-refresh Lambda ------------------------------------------


def test_a_key_refresh_secret_is_not_overwritten(run_cli, sm):
    original = keys.refresher_secret(keys.legacy_key(), "1798675200")
    arn = sm.create_secret(Name=contract.REFRESHER_DEFAULT_SECRET_NAME, SecretString=original)["ARN"]
    for dry in ((), ("--dry-run",)):
        result = store(run_cli, keys.legacy_key(), "--secret-name", contract.REFRESHER_DEFAULT_SECRET_NAME, *dry)
        assert result.exit_code == 1
        assert "is kept up to date by Momento's key-refresh Lambda" in result.stderr
        assert "would break the rotation" in result.stderr
        assert f"momento-lambda new --secret-arn {arn}" in result.stderr
        assert f"momento-lambda add --secret-arn {arn}" in result.stderr
        assert "--secret-name" in result.stderr and "--force" in result.stderr
    assert sm.get_secret_value(SecretId=arn)["SecretString"] == original
    assert len(sm.describe_secret(SecretId=arn)["VersionIdsToStages"]) == 1
    assert keys.MARKER not in result.output


def test_force_overwrites_a_key_refresh_secret(run_cli, sm):
    original = keys.refresher_secret(keys.legacy_key(), 1798675200)
    sm.create_secret(Name="momento/refreshed", SecretString=original)
    key = keys.legacy_key()
    result = store(run_cli, key, "--secret-name", "momento/refreshed", "--force")
    assert result.exit_code == 0, result.output
    assert secret_value(sm, "momento/refreshed") == {contract.API_KEY_FIELD: key}
    assert sm.get_secret_value(SecretId="momento/refreshed", VersionStage="AWSPREVIOUS")["SecretString"] == original


def test_a_refresher_shaped_key_without_a_refresh_token_is_a_momento_key(run_cli, sm):
    """apiKey alone (no refresh token to lose): an older Momento shape, upgraded like the others."""
    sm.create_secret(Name="momento/downloaded", SecretString=json.dumps({"apiKey": keys.legacy_key()}))
    key = keys.legacy_key()
    result = store(run_cli, key, "--secret-name", "momento/downloaded", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["data"]["action"] == "updated"
    assert secret_value(sm, "momento/downloaded") == {contract.API_KEY_FIELD: key}


@pytest.mark.parametrize(
    "other",
    [
        json.dumps({"apiKey": keys.legacy_key(), "refreshToken": "x", "clientSecret": "keep-me"}),
        json.dumps({"apiKey": "a-partner-api-key", "refreshToken": "x", "validUntil": 1798675200}),
    ],
    ids=["foreign-fields", "not-a-momento-key"],
)
def test_another_services_api_key_and_refresh_token_is_another_shape(run_cli, sm, other):
    sm.create_secret(Name="partner/oauth", SecretString=other)
    result = store(run_cli, keys.legacy_key(), "--secret-name", "partner/oauth")
    assert result.exit_code == 1
    assert "already holds something that is not a Momento API key" in result.stderr
    assert sm.get_secret_value(SecretId="partner/oauth")["SecretString"] == other


@pytest.mark.parametrize("days", [29, 31])
def test_the_warning_starts_under_30_days(run_cli, sm, days):
    from datetime import timedelta

    key = keys.legacy_key(expires_in=timedelta(days=days, hours=1))
    result = store(run_cli, key, "--no-verify")
    assert result.exit_code == 0, result.output
    assert f"  Expiry:   expires {_day(timedelta(days=days, hours=1))} (in {days} days)\n" in result.stdout
    assert ("create a new one before then" in result.stderr) is (days < 30)


def test_the_refreshers_own_rotated_secret_is_not_overwritten(run_cli, sm):
    """What the refresher writes when it rotates: authToken, validUntil as a string, indented JSON."""
    original = keys.rotated_refresher_secret(keys.legacy_key(), 1798675200)
    sm.create_secret(Name=contract.REFRESHER_DEFAULT_SECRET_NAME, SecretString=original)
    result = store(run_cli, keys.legacy_key(), "--secret-name", contract.REFRESHER_DEFAULT_SECRET_NAME, "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"][0]["code"] == "secret.refresher-managed"
    assert sm.get_secret_value(SecretId=contract.REFRESHER_DEFAULT_SECRET_NAME)["SecretString"] == original
    assert keys.MARKER not in result.output


@pytest.mark.parametrize("endpoint_field", [None, "endpoint", contract.ENDPOINT_FIELD])
def test_a_v2_key_refresh_secret_is_not_overwritten(run_cli, sm, endpoint_field):
    """A v2 key is a Momento key in the refresher's secret, with or without its endpoint beside it."""
    extra = {endpoint_field: ENDPOINT} if endpoint_field else {}
    original = keys.refresher_secret(keys.v2_key(), "1798675200", **extra)
    sm.create_secret(Name="momento/refreshed-v2", SecretString=original)
    result = store(run_cli, keys.legacy_key(), "--secret-name", "momento/refreshed-v2", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"][0]["code"] == "secret.refresher-managed"
    assert sm.get_secret_value(SecretId="momento/refreshed-v2")["SecretString"] == original


# --- secrets with rotation enabled (moto) ---------------------------------------------------


@pytest.mark.parametrize("function_exists", [True, False], ids=["rotation-function", "rotation-function-missing"])
def test_a_rotated_key_refresh_secret_is_refused_naming_its_rotation(run_cli, peers, sm, function_exists):
    original = keys.refresher_secret(keys.legacy_key(), "1798675200")
    arn = sm.create_secret(Name=contract.REFRESHER_DEFAULT_SECRET_NAME, SecretString=original)["ARN"]
    doctor_aws.enable_rotation(peers, arn, function_exists=function_exists)
    versions = sm.describe_secret(SecretId=arn)["VersionIdsToStages"]
    result = store(run_cli, keys.legacy_key(), "--secret-name", contract.REFRESHER_DEFAULT_SECRET_NAME)
    assert result.exit_code == 1
    assert "is kept up to date by Momento's key-refresh Lambda" in result.stderr
    assert "rotation by momento-api-key-refresh is enabled" in result.stderr
    assert f"momento-lambda add --secret-arn {arn}" in result.stderr
    assert sm.get_secret_value(SecretId=arn)["SecretString"] == original
    assert sm.describe_secret(SecretId=arn)["VersionIdsToStages"] == versions
    assert keys.MARKER not in result.output


@pytest.mark.parametrize("function_exists", [True, False], ids=["rotation-function", "rotation-function-missing"])
def test_a_secret_with_rotation_enabled_is_not_overwritten_without_force(run_cli, peers, sm, function_exists):
    """Rotation on a secret in the contract shape: whatever rotates it would replace the stored key."""
    original = contract.encode_secret(keys.legacy_key(), None)
    arn = sm.create_secret(Name="momento/rotated", SecretString=original)["ARN"]
    doctor_aws.enable_rotation(peers, arn, function_name="custom-rotation", function_exists=function_exists)
    key = keys.legacy_key()
    for dry in ((), ("--dry-run",)):
        refused = store(run_cli, key, "--secret-name", "momento/rotated", "--json", *dry)
        assert refused.exit_code == 1
        error = json.loads(refused.stdout)["errors"][0]
        assert error["code"] == "secret.rotation-enabled"
        assert error["message"] == (
            "Rotation by custom-rotation is enabled on the secret momento/rotated: a key stored in it would be "
            "replaced at the next rotation, or break it. It was left unchanged."
        )
        assert "cancel-rotate-secret --secret-id momento/rotated" in error["hint"] and "--force" in error["hint"]
    assert sm.get_secret_value(SecretId=arn)["SecretString"] == original

    forced = store(run_cli, key, "--secret-name", "momento/rotated", "--force")
    assert forced.exit_code == 0, forced.output
    assert "Rotation by custom-rotation is still enabled on the secret momento/rotated" in forced.stderr
    assert secret_value(sm, "momento/rotated") == {contract.API_KEY_FIELD: key}
    again = store(run_cli, key, "--secret-name", "momento/rotated", "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["data"]["action"] == "unchanged"  # the same key: nothing to refuse
    assert keys.MARKER not in refused.output + forced.output + again.output
