"""One answer for one mistake: an option two commands share is checked by the same code, with
the same message and the same exit code, in every command that takes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from momento_lambda_cli.errors import ExitCode
from tests.support import keys
from tests.support.generated import render


def _first_line(stderr: str, command: str) -> str:
    lines = stderr.strip().splitlines()
    assert lines, stderr
    return lines[0].replace(f"momento-lambda {command}", "momento-lambda COMMAND")


def _same_answer(results: dict[str, object], expected_code: int) -> None:
    lines = {command: _first_line(r.stderr, command) for command, r in results.items()}  # type: ignore[attr-defined]
    codes = {command: r.exit_code for command, r in results.items()}  # type: ignore[attr-defined]
    assert set(codes.values()) == {expected_code}, codes
    assert len(set(lines.values())) == 1, lines


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return render(tmp_path / "proj", name="proj", framework="sam", runtime="python3.13")


REGION_COMMANDS = {
    "new": ["new", "demo", "--no-input"],
    "store-token": ["store-token", "--from-env", "NO_SUCH_VARIABLE", "--no-verify"],
    "doctor": ["doctor", "--offline"],
}


@pytest.mark.parametrize("bad", ["bogus", "US-EAST-1", "us-east-1 "])
def test_region_is_checked_alike_by_every_command(run_cli, tmp_path, monkeypatch, bad):
    monkeypatch.chdir(tmp_path)
    results = {name: run_cli(*args, "--region", bad) for name, args in REGION_COMMANDS.items()}
    _same_answer(results, ExitCode.USAGE)
    line = _first_line(results["doctor"].stderr, "doctor")
    assert line == f"Error: Invalid value {bad!r} for --region: must be an AWS region code such as us-east-1."
    assert not (tmp_path / "demo").exists()


def test_a_good_region_passes_the_shared_check(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_cli("new", "demo", "--no-input", "--region", "eu-central-2")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("bad", ["999999", "0", "-5", "1.5", "soon"])
def test_default_ttl_is_checked_alike_by_new_and_add(run_cli, project, tmp_path, monkeypatch, bad):
    monkeypatch.chdir(tmp_path)
    results = {
        "new": run_cli("new", "demo", "--no-input", "--default-ttl", bad),
        "add": run_cli("add", str(project), "--no-input", "--dry-run", "--default-ttl", bad),
    }
    _same_answer(results, ExitCode.USAGE)
    assert "--default-ttl" in results["add"].stderr


@pytest.mark.parametrize("bad", ["", "two words", "tab\there"])
def test_profile_is_checked_alike_by_every_command(run_cli, tmp_path, monkeypatch, bad):
    monkeypatch.chdir(tmp_path)
    results = {
        "store-token": run_cli("store-token", "--from-env", "NO_SUCH_VARIABLE", "--no-verify", "--profile", bad),
        "doctor": run_cli("doctor", "--offline", "--profile", bad),
    }
    _same_answer(results, ExitCode.USAGE)
    assert "--profile" in results["doctor"].stderr


def test_unknown_profile_is_one_answer_from_every_command(run_cli, project, tmp_path, monkeypatch):
    """A well-formed name no AWS config file defines: aws.session's one message, exit 1."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("MOMENTO_KEY_FOR_TEST", keys.legacy_key())
    results = {
        "store-token": run_cli(
            "store-token",
            "--from-env",
            "MOMENTO_KEY_FOR_TEST",
            "--no-verify",
            "--profile",
            "nope",
            "--project-dir",
            str(project),
            "--region",
            "us-east-1",
        ),
        "doctor": run_cli("doctor", str(project), "--profile", "nope", "--region", "us-east-1"),
    }
    for name, result in results.items():
        assert result.exit_code == ExitCode.FAILED, (name, result.output)
        assert "AWS profile 'nope' was not found." in result.stderr, (name, result.output)


@pytest.mark.parametrize("missing", ["no-such-folder", "a-file"])
def test_project_folder_is_checked_alike_by_every_command(run_cli, tmp_path, monkeypatch, missing):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file").write_text("x")
    target = str(tmp_path / missing)
    results = {
        "doctor": run_cli("doctor", "--offline", target),
        "add": run_cli("add", target, "--no-input", "--dry-run"),
        "update": run_cli("update", target, "--check"),
        "store-token": run_cli("store-token", "--from-env", "NO_SUCH_VARIABLE", "--no-verify", "--project-dir", target),
    }
    _same_answer(results, ExitCode.FAILED)
    expected = f"No folder {target}." if missing == "no-such-folder" else f"{target} is not a folder."
    assert _first_line(results["add"].stderr, "add") == f"Error: {expected}"
