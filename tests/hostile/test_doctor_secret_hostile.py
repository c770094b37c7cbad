"""`doctor` reading hostile secrets from Secrets Manager (moto), as real processes."""

from __future__ import annotations

import json

import pytest

from tests.hostile import harness
from tests.support import keys, projects

pytestmark = pytest.mark.integration  # the CLI as a child process against moto


def _doctor(aws, tmp_path, secret: str) -> harness.Run:
    return harness.run(
        "doctor",
        "--only",
        "secret.contract",
        "--secret-id",
        secret,
        "--region",
        aws.region,
        "--json",
        str(tmp_path),
        env=aws.env,
    )


def test_a_secretbinary_secret_is_named_as_such(aws, tmp_path):
    aws.client("secretsmanager").create_secret(Name="momento/binary", SecretBinary=b"\x00\x01binary")
    result = _doctor(aws, tmp_path, "momento/binary")
    harness.assert_clean(result, seconds=60, exit_codes=(1,))
    checks = {c["id"]: c for c in json.loads(result.stdout)["data"]["checks"]}
    assert "SecretBinary" in checks["secret.contract"]["message"]


@pytest.mark.parametrize("maker", [keys.v2_key, keys.legacy_key, keys.v1_key], ids=["v2", "legacy", "v1"])
def test_a_key_as_a_json_field_name_is_never_printed(aws, tmp_path, maker):
    key = maker()
    aws.client("secretsmanager").create_secret(Name="momento/named", SecretString=json.dumps({key: "x", "a": key}))
    result = _doctor(aws, tmp_path, "momento/named")
    harness.assert_clean(result, seconds=60, exit_codes=(0, 1))
    harness.assert_no_piece(key, result.output)
    check = ["--only", "secret.contract", "--secret-id", "momento/named", "--region", aws.region]
    for before, after in ((["--debug"], []), ([], ["-v"])):
        result = harness.run(*before, "doctor", *check, *after, str(tmp_path), env=aws.env)
        harness.assert_no_piece(key, result.output)


@pytest.mark.parametrize("maker", [keys.v2_key, keys.legacy_key, keys.v1_key], ids=["v2", "legacy", "v1"])
@pytest.mark.parametrize("framework", ["sam", "serverless"])
def test_a_key_pasted_as_the_secret_arn_is_never_printed(aws, tmp_path, maker, framework):
    """``MomentoSecretArn=<key>`` in samconfig.toml / ``momentoSecretArn: <key>`` in serverless.yml:
    the online checks send it to AWS as the secret id; neither they nor AWS's echo show it."""
    key = maker()
    if framework == "sam":
        project = projects.sam_project(tmp_path, "pasted")
        text = (project / "samconfig.toml").read_text()
        (project / "samconfig.toml").write_text(
            text.replace('MomentoCacheName=\\"', f'MomentoSecretArn=\\"{key}\\" MomentoCacheName=\\"')
        )
    else:
        project = projects.serverless_project(tmp_path, "pasted")
        text = (project / "serverless.yml").read_text()
        (project / "serverless.yml").write_text(
            text.replace("  default:\n", f"  default:\n    momentoSecretArn: {key}\n", 1)
        )
    checks = "iam.secret-access,secret.contract,secret.no-plaintext-key"
    for before, after in (([], ["--json"]), (["--debug"], ["-v"])):
        result = harness.run(
            *before,
            "doctor",
            "--only",
            checks,
            "--region",
            aws.region,
            "--timeout",
            "20",
            *after,
            str(project),
            env=aws.env,
        )
        harness.assert_clean(result, seconds=60, exit_codes=(1,))
        harness.assert_no_piece(key, result.output)
