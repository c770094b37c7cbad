"""`store-token` under hostile projects and inputs, as real processes against moto and the
local Momento server: no lost or misreported write, one error line with a hint, no leak."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from tests.hostile import harness
from tests.support import keys, projects

pytestmark = pytest.mark.integration  # the CLI as a child process against moto

SECRET = "momento/hostile/api-key"
BOUND = 60.0
"""Generous: these cases are about what is written and said, not about time."""


@pytest.fixture
def env(aws, momento_server):
    return {**aws.env, "MOMENTO_LOCAL": momento_server.endpoint}


def _secret_exists(aws) -> bool:
    names = [s["Name"] for s in aws.client("secretsmanager").list_secrets()["SecretList"]]
    return SECRET in names


def store(env, project: Path, key: str, *extra: str, **run_options: Any) -> harness.Run:
    return harness.run(
        "store-token",
        "--from-stdin",
        "--no-verify",
        "--secret-name",
        SECRET,
        *extra,
        "--project-dir",
        str(project),
        env=env,
        stdin=key + "\n",
        **run_options,
    )


def test_a_params_file_outside_the_project_stops_before_aws(tmp_path, aws, env):
    project = projects.serverless_project(tmp_path, "hostile")
    text = (project / "serverless.yml").read_text()
    start, end = text.index("params:"), text.index("provider:")
    (project / "serverless.yml").write_text(text[:start] + "params: ${file(/etc/passwd)}\n" + text[end:])
    key = keys.v2_key()
    result = store(env, project, key, "--endpoint", "cell-1.example.momentohq.com")
    harness.assert_clean(result, seconds=BOUND, exit_codes=(1,))
    assert "Hint:" in result.stderr
    assert not _secret_exists(aws), "the secret was stored although the project cannot be written"
    harness.assert_no_piece(key, result.output)


def test_a_params_file_that_is_not_a_mapping_stops_before_aws(tmp_path, aws, env):
    project = projects.serverless_project(tmp_path, "hostile")
    text = (project / "serverless.yml").read_text()
    start, end = text.index("params:"), text.index("provider:")
    (project / "serverless.yml").write_text(text[:start] + "params: ${file(./params.yml)}\n" + text[end:])
    (project / "params.yml").write_text("- just\n- a list\n")
    key = keys.legacy_key()
    result = store(env, project, key)
    harness.assert_clean(result, seconds=BOUND, exit_codes=(1,))
    assert not _secret_exists(aws)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_read_only_project_stops_before_aws(tmp_path, aws, env):
    project = projects.sam_project(tmp_path, "hostile")
    project.chmod(0o555)
    try:
        result = store(env, project, keys.legacy_key())
    finally:
        project.chmod(0o755)
    harness.assert_clean(result, seconds=BOUND, exit_codes=(1,))
    assert not _secret_exists(aws)


def test_samconfig_that_is_a_folder_stops_before_aws(tmp_path, aws, env):
    project = projects.sam_project(tmp_path, "hostile")
    (project / "samconfig.toml").unlink()
    (project / "samconfig.toml").mkdir()
    result = store(env, project, keys.legacy_key())
    harness.assert_clean(result, seconds=BOUND, exit_codes=(1,))
    assert "samconfig.toml" in result.stderr
    assert not _secret_exists(aws)


def test_a_write_that_fails_after_the_secret_is_stored_says_what_was_done(tmp_path, aws, env):
    """The disk is "full" for the child (a file size limit below samconfig.toml's size): the
    secret is stored, the write fails; the ARN, the version and the line to add are shown."""
    project = projects.sam_project(tmp_path, "hostile")
    samconfig = project / "samconfig.toml"
    samconfig.write_text("# " + "padding " * 800 + "\n" + samconfig.read_text())
    before = samconfig.read_bytes()
    result = store(env, project, keys.legacy_key(), file_size_limit=4096)
    harness.assert_clean(result, seconds=BOUND, exit_codes=(1,))
    assert _secret_exists(aws)
    arn = aws.client("secretsmanager").describe_secret(SecretId=SECRET)["ARN"]
    assert arn in result.stderr
    assert "version" in result.stderr
    assert f'MomentoSecretArn="{arn}"' in result.stderr
    assert samconfig.read_bytes() == before, "a partial samconfig.toml was left"
    assert not [p for p in project.iterdir() if p.name.endswith(".tmp")], "a temp file was left"


def test_binary_samconfig_is_one_error_line(tmp_path, aws, env):
    project = projects.sam_project(tmp_path, "hostile")
    (project / "samconfig.toml").write_bytes(b"\xff\xfe\x00\x01binary\x80\x81")
    result = store(env, project, keys.legacy_key())
    harness.assert_clean(result, seconds=BOUND, exit_codes=(1,))
    assert "Hint:" in result.stderr
    assert not _secret_exists(aws)


def test_binary_answers_file_is_one_error_line(tmp_path, aws, env):
    project = projects.sam_project(tmp_path, "hostile")
    (project / ".momento-lambda.json").write_bytes(b"\xff\xfe\x00\x01binary\x80\x81")
    result = store(env, project, keys.legacy_key())
    harness.assert_clean(result, seconds=BOUND, exit_codes=(1,))
    assert not _secret_exists(aws)


@pytest.mark.parametrize("maker", [keys.v2_key, keys.legacy_key, keys.v1_key], ids=["v2", "legacy", "v1"])
def test_the_key_given_to_from_env_is_never_echoed(tmp_path, env, maker):
    key = maker()
    result = harness.run("store-token", "--from-env", key, "--project-dir", str(tmp_path), env=env)
    harness.assert_clean(result, seconds=BOUND, exit_codes=(1, 2))
    harness.assert_no_piece(key, result.output)
    assert "Hint:" in result.stderr


@pytest.mark.parametrize("name", ["Ωmega", "café-cache"])
def test_non_ascii_names_say_ascii(tmp_path, name):
    result = harness.run("new", name, "--no-input", "--output-dir", str(tmp_path))
    harness.assert_clean(result, seconds=BOUND, exit_codes=(1, 2))
    assert "ASCII" in result.stderr


def test_default_ttl_is_bounded(tmp_path):
    result = harness.run("new", "ttl", "--no-input", "--default-ttl", str(10**30), "--output-dir", str(tmp_path))
    harness.assert_clean(result, seconds=BOUND, exit_codes=(1, 2))
    assert not (tmp_path / "ttl").exists()


def test_an_unwritable_output_dir_is_one_error_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = harness.run("new", "demo", "--no-input", "--output-dir", str(blocker / "a" / "b"))
    harness.assert_clean(result, seconds=BOUND, exit_codes=(1, 2))
    assert "Hint:" in result.stderr


@pytest.mark.parametrize("args", [["doctor", "--nope"], ["store-token", "--bogus"], ["new", "--default-ttl", "x"]])
def test_usage_errors_have_a_hint(args):
    result = harness.run(*args)
    harness.assert_clean(result, seconds=BOUND, exit_codes=(2,))
    assert result.stderr.startswith("Error: ") and "\nHint: " in result.stderr
    assert "Try '" not in result.stderr


@pytest.mark.parametrize("delay", [0.15, 0.3, 0.6, 1.0])
def test_sigint_early_is_one_line(tmp_path, delay):
    """Ctrl-C while the CLI imports its libraries or builds the command: "Aborted.", exit 130.
    (The interpreter's own first ~50 ms, before any of the CLI's code runs, are out of reach.)"""
    result = harness.run("doctor", "--offline", str(tmp_path), interrupt_after=delay)
    assert "Traceback" not in result.output, result.output
    # A signal that lands after the run finished, while the interpreter exits, ends it by the
    # signal itself (-SIGINT): the output is complete and nothing else is printed.
    assert result.exit_code in (0, 1, 130, -signal.SIGINT), result.output


def test_a_failed_nested_output_dir_leaves_no_empty_folders(tmp_path):
    """The disk is "full" for the child (a 1 KB file size limit): the project cannot be
    written, and neither it nor the folders a/b/c made for it are left behind."""
    result = harness.run(
        "new", "demo", "--no-input", "--output-dir", str(tmp_path / "a" / "b" / "c"), file_size_limit=1024
    )
    harness.assert_clean(result, seconds=BOUND, exit_codes=(1,))
    assert "Hint:" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("delay", [0.8, 1.2])
def test_ctrl_c_during_new_leaves_no_empty_folders(tmp_path, delay):
    result = harness.run("new", "demo", "--no-input", "--output-dir", str(tmp_path / "a" / "b"), interrupt_after=delay)
    assert "Traceback" not in result.output, result.output
    if result.exit_code == -signal.SIGINT and "Next steps:" in result.stdout:
        # The signal landed after `new` finished, while the interpreter exited: the project
        # was written in full and reported; the signal only ends the already-done process.
        assert (tmp_path / "a" / "b" / "demo" / "template.yaml").is_file()
    elif result.exit_code != 0:
        assert result.exit_code == 130, result.output
        assert list(tmp_path.iterdir()) == []
