"""`store-token` on a SAM project configured by ``samconfig.yaml`` / ``samconfig.yml`` (and no
``samconfig.toml``, as the SAM CLI picks the file): the secret ARN goes into
``parameter_overrides`` in the form the file writes it, byte-minimally, for ``--config-env``; the
SAM CLI's own reader and ``doctor`` see it."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from momento_lambda_cli import contract
from momento_lambda_cli.project import samconfig as samconfig_files
from tests.support import keys, projects
from tests.support.doctor import run_doctor
from tests.support.generated import render
from tests.support.samconfig_yaml import OVERRIDES, SAMCONFIG_YAML, sam_reads

SECRET = "momento/yamly/api-key"


def store(run_cli, *args, key=None):
    return run_cli("store-token", "--from-stdin", *args, stdin=(key or keys.legacy_key()) + "\n")


def yaml_project(tmp_path: Path, overrides: str, name: str = "samconfig.yaml", crlf: bool = False) -> Path:
    directory = projects.sam_project(tmp_path / f"{overrides}-{name}", "yamly")
    (directory / "samconfig.toml").unlink()
    text = SAMCONFIG_YAML.format(overrides=OVERRIDES[overrides])
    (directory / name).write_bytes(text.replace("\n", "\r\n" if crlf else "\n").encode())
    return directory


def changes(before: bytes, after: bytes) -> list[tuple[list[str], list[str]]]:
    """The (removed, added) line groups of the edit."""
    old = before.decode().splitlines()
    new = after.decode().splitlines()
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [(old[i1:i2], new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


EXPECTED_CHANGE = {
    "none": ([], ['      parameter_overrides: MomentoSecretArn="{arn}"']),
    "string": (
        ['      parameter_overrides: Stage="dev" LogLevel=INFO'],
        ['      parameter_overrides: Stage="dev" LogLevel=INFO MomentoSecretArn="{arn}"'],
    ),
    "list": ([], ['        - MomentoSecretArn="{arn}"']),
    "mapping": ([], ["        MomentoSecretArn: {arn}"]),
}


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("name", ["samconfig.yaml", "samconfig.yml"])
@pytest.mark.parametrize("overrides", sorted(OVERRIDES))
def test_the_arn_goes_into_the_yaml_config_in_its_form_and_a_second_run_changes_nothing(
    run_cli, sm, tmp_path, overrides, name, crlf
):
    directory = yaml_project(tmp_path, overrides, name, crlf)
    before = projects.snapshot(directory)
    result = store(run_cli, "--project-dir", str(directory))
    assert result.exit_code == 0, result.output
    arn = sm.describe_secret(SecretId=SECRET)["ARN"]
    after = projects.snapshot(directory)
    assert "samconfig.toml" not in after  # the SAM CLI would read a toml first: none is created
    assert set(after) == set(before)
    assert [k for k in before if before[k] != after[k]] == sorted([name, ".momento-lambda.json"])
    removed, added = EXPECTED_CHANGE[overrides]
    assert changes(before[name], after[name]) == [(removed, [line.format(arn=arn) for line in added])]
    if crlf:
        assert after[name].count(b"\r\n") == after[name].count(b"\n")
    assert f"Updated {name} default.deploy.parameters parameter_overrides" in result.stdout
    assert "is not edited automatically" not in result.stderr

    config = samconfig_files.load(directory)
    assert config.path is not None and config.path.name == name
    seen = config.overrides("deploy")
    assert seen[contract.SAM_PARAM_SECRET_ARN] == arn
    if overrides != "none":
        assert (seen["Stage"], seen["LogLevel"]) == ("dev", "INFO")

    again = store(run_cli, "--project-dir", str(directory), "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["data"]["files_updated"] == []
    assert projects.snapshot(directory) == after


@pytest.mark.slow
@pytest.mark.parametrize("overrides", sorted(OVERRIDES))
def test_the_sam_cli_reads_the_arn_from_the_edited_yaml_config(run_cli, sm, tmp_path, overrides):
    directory = yaml_project(tmp_path, overrides)
    assert store(run_cli, "--project-dir", str(directory)).exit_code == 0
    arn = sm.describe_secret(SecretId=SECRET)["ARN"]
    theirs = sam_reads(directory)
    assert theirs["file"] == "samconfig.yaml"
    assert theirs["overrides"][contract.SAM_PARAM_SECRET_ARN] == arn
    if overrides != "none":
        assert (theirs["overrides"]["Stage"], theirs["overrides"]["LogLevel"]) == ("dev", "INFO")


PROD = """prod:
  deploy:
    parameters:
      stack_name: sam-app-prod
      parameter_overrides: Stage=prod
"""


@pytest.mark.parametrize("has_prod", [True, False], ids=["prod-section", "no-prod-section"])
def test_config_env_edits_only_that_environment(run_cli, sm, tmp_path, has_prod):
    directory = yaml_project(tmp_path, "string")
    path = directory / "samconfig.yaml"
    if has_prod:
        path.write_text(path.read_text() + PROD)
    before = path.read_bytes()
    assert store(run_cli, "--project-dir", str(directory), "--config-env", "prod").exit_code == 0
    arn = sm.describe_secret(SecretId=SECRET)["ARN"]
    after = path.read_bytes()
    if has_prod:
        assert changes(before, after) == [
            (
                ["      parameter_overrides: Stage=prod"],
                [f"      parameter_overrides: Stage=prod MomentoSecretArn={arn}"],
            )
        ]
    else:  # a prod environment is added at the end of the file
        assert after.startswith(before)
        assert changes(before, after) == [
            ([], ["prod:", "  deploy:", "    parameters:", f'      parameter_overrides: MomentoSecretArn="{arn}"'])
        ]
    prod = samconfig_files.load(directory, "prod").overrides("deploy")
    default = samconfig_files.load(directory).overrides("deploy")
    assert prod[contract.SAM_PARAM_SECRET_ARN] == arn
    assert contract.SAM_PARAM_SECRET_ARN not in default
    if has_prod:
        assert prod["Stage"] == "prod"


@pytest.mark.slow
def test_the_sam_cli_reads_the_arn_from_the_config_env_it_was_written_to(run_cli, sm, tmp_path):
    directory = yaml_project(tmp_path, "string")
    path = directory / "samconfig.yaml"
    path.write_text(path.read_text() + PROD)
    assert store(run_cli, "--project-dir", str(directory), "--config-env", "prod").exit_code == 0
    arn = sm.describe_secret(SecretId=SECRET)["ARN"]
    assert sam_reads(directory, "prod")["overrides"] == {"Stage": "prod", contract.SAM_PARAM_SECRET_ARN: arn}
    assert contract.SAM_PARAM_SECRET_ARN not in sam_reads(directory)["overrides"]


def test_kms_key_arn_goes_next_to_the_secret_arn(run_cli, peers, sm, tmp_path):
    directory = yaml_project(tmp_path, "mapping")
    key_arn = peers.client("kms").create_key()["KeyMetadata"]["Arn"]
    before = (directory / "samconfig.yaml").read_bytes()
    assert store(run_cli, "--project-dir", str(directory), "--kms-key-id", key_arn).exit_code == 0
    arn = sm.describe_secret(SecretId=SECRET)["ARN"]
    assert changes(before, (directory / "samconfig.yaml").read_bytes()) == [
        ([], [f"        MomentoSecretArn: {arn}", f"        MomentoKmsKeyArn: {key_arn}"])
    ]


def test_a_file_reference_is_left_alone_with_instructions(run_cli, sm, tmp_path):
    directory = yaml_project(tmp_path, "none")
    path = directory / "samconfig.yaml"
    path.write_text(
        path.read_text().replace(
            "      resolve_s3: true\n", "      resolve_s3: true\n      parameter_overrides: file://params.toml\n"
        )
    )
    (directory / "params.toml").write_text('Stage = "dev"\n')
    before = path.read_bytes()
    result = store(run_cli, "--project-dir", str(directory))
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == before
    assert (
        "samconfig.yaml default.deploy.parameters takes parameter_overrides from a file: "
        "add MomentoSecretArn=arn:aws:secretsmanager"
    ) in result.stderr


def test_the_toml_config_wins_as_it_does_for_the_sam_cli(run_cli, sm, tmp_path):
    directory = projects.sam_project(tmp_path, "yamly")
    (directory / "samconfig.yaml").write_text(SAMCONFIG_YAML.format(overrides=OVERRIDES["string"]))
    yaml_before = (directory / "samconfig.yaml").read_bytes()
    assert store(run_cli, "--project-dir", str(directory)).exit_code == 0
    arn = sm.describe_secret(SecretId=SECRET)["ARN"]
    assert (directory / "samconfig.yaml").read_bytes() == yaml_before
    assert f'MomentoSecretArn=\\"{arn}\\"' in (directory / "samconfig.toml").read_text()


def test_a_yaml_config_it_cannot_edit_gets_the_line_to_add(run_cli, sm, tmp_path):
    directory = yaml_project(tmp_path, "none")
    path = directory / "samconfig.yaml"
    path.write_text("version: 0.1\ndefault: {deploy: {parameters: {stack_name: x}}}\n")  # a flow mapping
    before = path.read_bytes()
    result = store(run_cli, "--project-dir", str(directory))
    assert result.exit_code == 0, result.output
    arn = sm.describe_secret(SecretId=SECRET)["ARN"]
    assert path.read_bytes() == before
    assert f'In samconfig.yaml default.deploy.parameters, add to parameter_overrides: MomentoSecretArn="{arn}"' in (
        result.stderr.replace("\n", " ")
    )


def test_broken_yaml_config_stops_before_aws(run_cli, sm, tmp_path):
    directory = yaml_project(tmp_path, "none")
    (directory / "samconfig.yaml").write_text("version: 0.1\ndefault: [unclosed\n")
    before = projects.snapshot(directory)
    result = store(run_cli, "--project-dir", str(directory))
    assert result.exit_code == 1
    assert "samconfig.yaml is not valid YAML" in result.stderr
    assert sm.list_secrets()["SecretList"] == []
    assert projects.snapshot(directory) == before


def test_doctor_finds_the_arn_store_token_wrote_to_the_yaml_config(run_cli, sm, tmp_path):
    directory = render(tmp_path, "yamly", runtime="python3.13")
    overrides = samconfig_files.load(directory).overrides()
    (directory / "samconfig.toml").unlink()
    (directory / "samconfig.yaml").write_text(
        "version: 0.1\ndefault:\n  deploy:\n    parameters:\n      stack_name: yamly\n      parameter_overrides:\n"
        + "".join(f"        {k}: {v}\n" for k, v in overrides.items())
    )
    before = run_doctor(run_cli, str(directory), "--offline", "--verbose", "--only", "iam.secret-access")
    # no ARN yet: the template falls back to the secret's name
    assert f"GetSecretValue on {overrides['MomentoSecretName']}" in before.text("iam.secret-access")
    assert store(run_cli, "--project-dir", str(directory)).exit_code == 0
    arn = sm.describe_secret(SecretId=SECRET)["ARN"]
    run = run_doctor(run_cli, str(directory), "--offline", "--verbose", "--only", "iam.secret-access")
    assert run.status("iam.secret-access") == "pass", run.text("iam.secret-access")
    assert f"GetSecretValue on {arn}" in run.text("iam.secret-access")


def test_dry_run_names_the_yaml_config_and_changes_nothing(run_cli, sm, tmp_path):
    directory = yaml_project(tmp_path, "list")
    before = projects.snapshot(directory)
    result = store(run_cli, "--project-dir", str(directory), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would update samconfig.yaml default.deploy.parameters parameter_overrides" in result.stdout
    assert sm.list_secrets()["SecretList"] == []
    assert projects.snapshot(directory) == before
