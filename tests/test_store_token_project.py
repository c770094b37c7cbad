"""`store-token` inside a project: the secret ARN lands where SAM / Serverless read it,
formatting and comments kept; --dry-run and failures leave every file alone."""

from __future__ import annotations

import difflib
import json

import pytest
import tomlkit
from ruamel.yaml import YAML

from momento_lambda_cli import contract, project
from momento_lambda_cli.secrets import samconfig
from tests.support import keys, projects


def store(run_cli, *args, key=None):
    return run_cli("store-token", "--from-stdin", *args, stdin=(key or keys.legacy_key()) + "\n")


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def test_sam_project_gets_the_arn_in_parameter_overrides_with_everything_else_kept(run_cli, sm, tmp_path):
    directory = projects.sam_project(tmp_path, "shop")
    before = (directory / "samconfig.toml").read_text()
    template_before = (directory / "template.yaml").read_bytes()
    result = store(run_cli, "--project-dir", str(directory))
    assert result.exit_code == 0, result.output
    arn = sm.describe_secret(SecretId="momento/shop/api-key")["ARN"]  # the answers file's secret name

    after = (directory / "samconfig.toml").read_text()
    removed, added = changed_lines(before, after)
    assert removed == [
        'parameter_overrides = "MomentoCacheName=\\"shop-cache\\" MomentoDefaultTtlSeconds=\\"60\\""'
        "  # set by sam deploy --guided"
    ]
    assert added == [
        f'parameter_overrides = "MomentoCacheName=\\"shop-cache\\" MomentoDefaultTtlSeconds=\\"60\\" '
        f'MomentoSecretArn=\\"{arn}\\""  # set by sam deploy --guided'
    ]
    document = tomlkit.parse(after)
    overrides = document["default"]["deploy"]["parameters"]["parameter_overrides"]
    assert samconfig.get_override(overrides, contract.SAM_PARAM_SECRET_ARN) == arn
    assert samconfig.get_override(overrides, "MomentoCacheName") == "shop-cache"
    assert (directory / "template.yaml").read_bytes() == template_before

    answers = project.load_answers(directory)
    assert answers is not None
    assert answers["secret_arn"] == arn
    assert answers["secret_name"] == "momento/shop/api-key"
    assert answers["cache_name"] == "shop-cache"  # the other answers are kept
    assert "Updated samconfig.toml [default.deploy.parameters] parameter_overrides" in result.stdout
    assert "Next: sam build && sam deploy" in result.stdout


def test_sam_second_run_replaces_the_arn_in_place(run_cli, sm, tmp_path):
    directory = projects.sam_project(tmp_path, "shop")
    assert store(run_cli, "--project-dir", str(directory)).exit_code == 0
    first = (directory / "samconfig.toml").read_text()
    assert store(run_cli, "--project-dir", str(directory), "--secret-name", "momento/other").exit_code == 0
    second = (directory / "samconfig.toml").read_text()
    new_arn = sm.describe_secret(SecretId="momento/other")["ARN"]
    removed, added = changed_lines(first, second)
    assert len(removed) == len(added) == 1
    assert added[0].count("MomentoSecretArn=") == 1
    assert new_arn in added[0]
    assert project.load_answers(directory)["secret_name"] == "momento/other"


def test_unchanged_secret_and_project_writes_nothing(run_cli, sm, tmp_path):
    directory = projects.sam_project(tmp_path, "shop")
    key = keys.legacy_key()
    assert store(run_cli, "--project-dir", str(directory), key=key).exit_code == 0
    before = projects.snapshot(directory)
    again = store(run_cli, "--project-dir", str(directory), "--json", key=key)
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)["data"]
    assert data["action"] == "unchanged"
    assert data["files_updated"] == []
    assert projects.snapshot(directory) == before


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ('["MomentoCacheName=c", "MomentoSecretArn=old"]', ["MomentoCacheName=c", "MomentoSecretArn={arn}"]),
        ('["MomentoCacheName=c"]', ["MomentoCacheName=c", "MomentoSecretArn={arn}"]),
    ],
    ids=["list-with-old-value", "list-without"],
)
def test_parameter_overrides_as_a_toml_list(run_cli, sm, tmp_path, overrides, expected):
    text = f'version = 0.1\n[default.deploy.parameters]\nstack_name = "x"\nparameter_overrides = {overrides}  # mine\n'
    directory = projects.sam_project(tmp_path, "listy", samconfig=text)
    assert store(run_cli, "--project-dir", str(directory)).exit_code == 0
    arn = sm.describe_secret(SecretId="momento/listy/api-key")["ARN"]
    after = (directory / "samconfig.toml").read_text()
    assert "# mine" in after
    value = tomlkit.parse(after)["default"]["deploy"]["parameters"]["parameter_overrides"]
    assert list(value) == [e.format(arn=arn) for e in expected]


def test_samconfig_without_deploy_section_gets_one_and_sync_overrides_follow(run_cli, sm, tmp_path):
    text = (
        '# mine\nversion = 0.1\n\n[default.global.parameters]\nstack_name = "x"\n\n'
        '[default.sync.parameters]\nparameter_overrides = "Stage=dev"\n'
    )
    directory = projects.sam_project(tmp_path, "syncy", samconfig=text)
    assert store(run_cli, "--project-dir", str(directory)).exit_code == 0
    arn = sm.describe_secret(SecretId="momento/syncy/api-key")["ARN"]
    document = tomlkit.parse((directory / "samconfig.toml").read_text())
    # sync had overrides: it gets the ARN too (sam sync and sam deploy agree), in the file's unquoted style
    assert document["default"]["sync"]["parameters"]["parameter_overrides"] == f"Stage=dev MomentoSecretArn={arn}"
    assert (directory / "samconfig.toml").read_text().startswith("# mine\n")


def test_parameter_overrides_from_a_file_are_left_alone_with_instructions(run_cli, sm, tmp_path):
    text = 'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "file://params.json"\n'
    directory = projects.sam_project(tmp_path, "filey", samconfig=text)
    result = store(run_cli, "--project-dir", str(directory))
    assert result.exit_code == 0
    assert (directory / "samconfig.toml").read_text() == text
    assert "takes parameter_overrides from a file: add MomentoSecretArn=arn:aws:secretsmanager" in result.stderr


def test_sam_project_without_samconfig_gets_a_minimal_one(run_cli, sm, tmp_path):
    directory = projects.sam_project(tmp_path, "fresh")
    (directory / "samconfig.toml").unlink()
    assert store(run_cli, "--project-dir", str(directory)).exit_code == 0
    arn = sm.describe_secret(SecretId="momento/fresh/api-key")["ARN"]
    document = tomlkit.parse((directory / "samconfig.toml").read_text())
    assert document["version"] == 0.1
    assert document["default"]["deploy"]["parameters"]["parameter_overrides"] == f'MomentoSecretArn="{arn}"'


def test_config_env_writes_another_samconfig_environment(run_cli, sm, tmp_path):
    directory = projects.sam_project(tmp_path, "envs")
    assert store(run_cli, "--project-dir", str(directory), "--config-env", "prod").exit_code == 0
    arn = sm.describe_secret(SecretId="momento/envs/api-key")["ARN"]
    document = tomlkit.parse((directory / "samconfig.toml").read_text())
    assert document["prod"]["deploy"]["parameters"]["parameter_overrides"] == f'MomentoSecretArn="{arn}"'
    assert "MomentoSecretArn" not in document["default"]["deploy"]["parameters"]["parameter_overrides"]


def test_kms_key_arn_is_written_next_to_the_secret_arn(run_cli, peers, sm, tmp_path):
    directory = projects.sam_project(tmp_path, "kmsy")
    key_arn = peers.client("kms").create_key()["KeyMetadata"]["Arn"]
    assert store(run_cli, "--project-dir", str(directory), "--kms-key-id", key_arn).exit_code == 0
    overrides = tomlkit.parse((directory / "samconfig.toml").read_text())["default"]["deploy"]["parameters"][
        "parameter_overrides"
    ]
    assert samconfig.get_override(overrides, contract.SAM_PARAM_KMS_KEY_ARN) == key_arn
    assert project.load_answers(directory)["kms_key_arn"] == key_arn


def test_template_without_the_parameter_gets_a_warning(run_cli, sm, tmp_path):
    directory = projects.sam_project(tmp_path, "bare", answers=False)
    (directory / "template.yaml").write_text("Resources: {}\n")
    result = store(run_cli, "--project-dir", str(directory))
    assert result.exit_code == 0
    assert "declares no MomentoSecretArn parameter" in result.stderr


def test_broken_samconfig_stops_before_aws(run_cli, sm, tmp_path):
    directory = projects.sam_project(tmp_path, "broken", samconfig="version = 0.1\n[default.deploy.parameters\n")
    before = projects.snapshot(directory)
    result = store(run_cli, "--project-dir", str(directory))
    assert result.exit_code == 1
    assert "samconfig.toml is not valid TOML" in result.stderr
    assert sm.list_secrets()["SecretList"] == []
    assert projects.snapshot(directory) == before


# --- Serverless -------------------------------------------------------------------------


def _yaml(text):
    return YAML(typ="rt").load(text)


def test_serverless_params_default_gets_the_arn_with_comments_kept(run_cli, sm, tmp_path):
    directory = projects.serverless_project(tmp_path, "svc")
    before = (directory / "serverless.yml").read_text()
    result = store(run_cli, "--project-dir", str(directory))
    assert result.exit_code == 0, result.output
    arn = sm.describe_secret(SecretId="momento/svc/api-key")["ARN"]
    after = (directory / "serverless.yml").read_text()
    removed, added = changed_lines(before, after)
    assert removed == []
    assert added == [f"    momentoSecretArn: {arn}"]
    assert _yaml(after)["params"]["default"]["momentoSecretArn"] == arn
    assert "# the cache the function uses" in after
    assert "!GetAtt IamRoleLambdaExecution.Arn" in after
    assert project.load_answers(directory)["secret_arn"] == arn
    assert "Updated serverless.yml params.default" in result.stdout
    assert "Next: serverless deploy" in result.stdout


def test_serverless_without_params_gets_a_params_block(run_cli, sm, tmp_path):
    directory = projects.serverless_project(tmp_path, "svc", params_block=False)
    before = (directory / "serverless.yml").read_text()
    assert store(run_cli, "--project-dir", str(directory)).exit_code == 0
    arn = sm.describe_secret(SecretId="momento/svc/api-key")["ARN"]
    after = (directory / "serverless.yml").read_text()
    removed, added = changed_lines(before, after)
    assert removed == []
    assert sorted(added) == sorted(["params:", "  default:", f"    momentoSecretArn: {arn}", ""])
    assert after.index("params:") < after.index("provider:")
    assert _yaml(after)["params"]["default"]["momentoSecretArn"] == arn


def test_serverless_stage_override_is_reported(run_cli, sm, tmp_path):
    directory = projects.serverless_project(tmp_path, "svc")
    path = directory / "serverless.yml"
    path.write_text(path.read_text().replace("  prod:\n", "  prod:\n    momentoSecretArn: arn:prod-only\n"))
    result = store(run_cli, "--project-dir", str(directory))
    assert result.exit_code == 0
    assert "sets params.prod.momentoSecretArn itself" in result.stderr
    assert _yaml(path.read_text())["params"]["prod"]["momentoSecretArn"] == "arn:prod-only"


def test_serverless_params_file_is_edited_instead(run_cli, sm, tmp_path):
    directory = projects.serverless_project(tmp_path, "svc", params_block=False)
    path = directory / "serverless.yml"
    path.write_text(path.read_text().replace("provider:", "params: ${file(./params.yml)}\n\nprovider:", 1))
    (directory / "params.yml").write_text("# stage params\ndefault:\n  momentoCacheName: svc-cache\n")
    serverless_before = path.read_bytes()
    assert store(run_cli, "--project-dir", str(directory)).exit_code == 0
    arn = sm.describe_secret(SecretId="momento/svc/api-key")["ARN"]
    assert path.read_bytes() == serverless_before
    params = (directory / "params.yml").read_text()
    assert params == f"# stage params\ndefault:\n  momentoCacheName: svc-cache\n  momentoSecretArn: {arn}\n"


def test_serverless_four_space_indentation_is_kept(run_cli, sm, tmp_path):
    directory = projects.serverless_project(tmp_path, "svc")
    path = directory / "serverless.yml"
    text = "service: svc\n\nparams:\n    default:\n        momentoCacheName: c\n\nprovider:\n    name: aws\n    runtime: python3.13\n    layers:\n        - arn:layer\n"
    path.write_text(text)
    assert store(run_cli, "--project-dir", str(directory)).exit_code == 0
    arn = sm.describe_secret(SecretId="momento/svc/api-key")["ARN"]
    removed, added = changed_lines(text, path.read_text())
    assert (removed, added) == ([], [f"        momentoSecretArn: {arn}"])


def test_broken_serverless_yml_stops_before_aws(run_cli, sm, tmp_path):
    directory = projects.serverless_project(tmp_path, "svc")
    (directory / "serverless.yml").write_text("service: svc\nprovider: [unclosed\n")
    before = projects.snapshot(directory)
    result = store(run_cli, "--project-dir", str(directory))
    assert result.exit_code == 1
    assert "serverless.yml is not valid YAML" in result.stderr
    assert sm.list_secrets()["SecretList"] == []
    assert projects.snapshot(directory) == before


def test_project_without_answers_file_is_still_wired(run_cli, sm, tmp_path):
    directory = projects.serverless_project(tmp_path, "plain", answers=False)
    result = store(run_cli, "--project-dir", str(directory))
    assert result.exit_code == 0
    arn = sm.describe_secret(SecretId=contract.DEFAULT_SECRET_NAME)["ARN"]
    assert _yaml((directory / "serverless.yml").read_text())["params"]["default"]["momentoSecretArn"] == arn
    assert not (directory / project.ANSWERS_FILE).exists()


# --- dry run --------------------------------------------------------------------------


@pytest.mark.parametrize("make", [projects.sam_project, projects.serverless_project])
def test_dry_run_creates_nothing_and_changes_no_file(run_cli, sm, tmp_path, make):
    directory = make(tmp_path, "dry")
    before = projects.snapshot(directory)
    result = store(run_cli, "--project-dir", str(directory), "--dry-run")
    assert result.exit_code == 0, result.output
    assert sm.list_secrets()["SecretList"] == []
    assert projects.snapshot(directory) == before
    assert result.stdout.startswith("Would create secret momento/dry/api-key in us-east-1")
    assert "Would update" in result.stdout
    assert "Dry run: nothing was changed." in result.stdout


def test_dry_run_on_an_existing_secret_writes_no_version(run_cli, sm, tmp_path):
    assert store(run_cli).exit_code == 0
    before = sm.describe_secret(SecretId=contract.DEFAULT_SECRET_NAME)["VersionIdsToStages"]
    result = store(run_cli, "--dry-run", "--tag", "a=b", "--description", "d", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)["data"]
    assert data["dry_run"] is True
    assert data["action"] == "updated"
    assert data["changes"] == ["value", "description", "tags"]
    described = sm.describe_secret(SecretId=contract.DEFAULT_SECRET_NAME)
    assert described["VersionIdsToStages"] == before
    assert "Tags" not in described or described["Tags"] == []
    assert described.get("Description", "") != "d"


def test_dry_run_of_a_deleted_secret_does_not_restore_it(run_cli, sm):
    sm.create_secret(Name="momento/gone", SecretString=json.dumps({contract.API_KEY_FIELD: keys.legacy_key()}))
    sm.delete_secret(SecretId="momento/gone")
    result = store(run_cli, "--secret-name", "momento/gone", "--restore", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Would restore and update secret momento/gone")
    assert "DeletedDate" in sm.describe_secret(SecretId="momento/gone")


def test_failure_after_parsing_leaves_the_project_untouched(run_cli, sm, momento_server, tmp_path):
    directory = projects.sam_project(tmp_path, "shop")
    momento_server.state.valid_keys = {keys.legacy_key("good")}
    before = projects.snapshot(directory)
    result = store(run_cli, "--project-dir", str(directory), key=keys.legacy_key("bad"))
    assert result.exit_code == 1
    assert projects.snapshot(directory) == before


def test_missing_project_dir_is_refused_as_every_command_refuses_it(run_cli, sm, tmp_path):
    result = store(run_cli, "--project-dir", str(tmp_path / "nope"))
    assert result.exit_code == 1  # as doctor, add and update (tests/test_shared_options.py)
    assert f"No folder {tmp_path / 'nope'}." in result.stderr


def test_windows_line_ends_are_kept(run_cli, sm, tmp_path):
    sam = projects.sam_project(tmp_path, "crlf")
    path = sam / "samconfig.toml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    sls = projects.serverless_project(tmp_path, "crlf-sls")
    sls_path = sls / "serverless.yml"
    sls_path.write_bytes(sls_path.read_bytes().replace(b"\n", b"\r\n"))
    for directory, file in ((sam, path), (sls, sls_path)):
        before = file.read_bytes()
        assert store(run_cli, "--project-dir", str(directory)).exit_code == 0
        after = file.read_bytes()
        assert after.count(b"\r\n") == after.count(b"\n")  # every line ends in CRLF
        assert after.count(b"\r\n") >= before.count(b"\r\n")
        assert b"MomentoSecretArn" in after or b"momentoSecretArn" in after
