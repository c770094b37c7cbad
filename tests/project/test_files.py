"""Writing project files: symlinks written through (inside the project only), mode kept,
atomic replacement, and no lost update when several processes edit one file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import tomlkit
from ruamel.yaml import YAML

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import edit, files
from tests.conftest import REPO_ROOT
from tests.support import keys, projects


def _toml(text: str) -> dict:
    return tomlkit.parse(text).unwrap()


def _append(line: str):
    return lambda current: (current or "") + line + "\n"


def test_update_file_creates_and_edits(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    first = files.update_file(path, _append("a"), expected=None)
    assert (first.changed, first.conflicted) == (True, False)
    second = files.update_file(path, _append("b"), expected="a\n")
    assert (second.changed, second.conflicted) == (True, False)
    assert path.read_text() == "a\nb\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]  # no temp or lock file left


def test_unchanged_text_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("same\n")
    inode = path.stat().st_ino
    result = files.update_file(path, lambda current: current or "", expected="same\n")
    assert (result.changed, result.conflicted) == (False, False)
    assert path.stat().st_ino == inode


def test_a_file_changed_since_planning_is_edited_as_it_is_now_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "samconfig.toml"
    planned_from = 'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "A=1"\n'
    path.write_text(planned_from + '\n[prod.deploy.parameters]\nparameter_overrides = "B=2"\n')  # someone else's edit

    def set_arn(current: str | None) -> str:
        return edit.samconfig_set_overrides(current, {"MomentoSecretArn": "arn:x"})[0]

    result = files.update_file(path, set_arn, expected=planned_from)
    assert (result.changed, result.conflicted) == (True, True)
    document = _toml(path.read_text())
    assert document["default"]["deploy"]["parameters"]["parameter_overrides"] == "A=1 MomentoSecretArn=arn:x"
    assert document["prod"]["deploy"]["parameters"]["parameter_overrides"] == "B=2"


def test_mode_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "serverless.yml"
    path.write_text("service: x\n")
    path.chmod(0o640)
    files.update_file(path, _append("# more"))
    assert path.stat().st_mode & 0o7777 == 0o640


def test_symlink_inside_the_project_is_written_through(tmp_path: Path) -> None:
    shared = tmp_path / "config"
    shared.mkdir()
    target = shared / "serverless.yml"
    target.write_text("service: x\r\nparams:\r\n  default:\r\n    a: b\r\n")
    link = tmp_path / "serverless.yml"
    link.symlink_to(Path("config") / "serverless.yml")
    result = files.update_file(
        link,
        lambda current: edit.yaml_set(current or "", ["params", "default"], {"c": "d"}, source="serverless.yml"),
        root=tmp_path,
    )
    assert result.path == target.resolve()
    assert link.is_symlink()
    assert target.read_bytes() == b"service: x\r\nparams:\r\n  default:\r\n    a: b\r\n    c: d\r\n"


def test_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text("service: x\n")
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (project_dir / "serverless.yml").symlink_to(outside)
    with pytest.raises(MomentoLambdaError) as caught:
        files.update_file(project_dir / "serverless.yml", _append("# x"), root=project_dir)
    assert caught.value.code == "project.symlink-outside"
    assert outside.read_text() == "service: x\n"


_WORKER = """
import sys
from pathlib import Path
from momento_lambda_cli.project import files
path, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for i in range(count):
    files.update_file(path, lambda current: (current or "") + f"{name}-{i}\\n")
"""


@pytest.mark.integration
def test_concurrent_processes_lose_no_update(tmp_path: Path) -> None:
    path = tmp_path / "log.txt"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    workers = [
        subprocess.Popen([sys.executable, "-c", _WORKER, str(path), name, "50"], env=env) for name in ("a", "b", "c")
    ]
    assert [w.wait(timeout=300) for w in workers] == [0, 0, 0]
    lines = path.read_text().splitlines()
    assert sorted(lines) == sorted(f"{name}-{i}" for name in "abc" for i in range(50))


# --- two real `store-token` processes on one project ----------------------------------


def _store_token_pair(aws, directory: Path, tag: str) -> dict[str, str]:
    """Run store-token for --config-env default and prod at the same time; their ARNs by env."""
    env = {
        **os.environ,
        **aws.env,
        "PYTHONPATH": str(REPO_ROOT),
        "MOMENTO_API_KEY": keys.legacy_key(),
    }
    procs = {
        config_env: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "momento_lambda_cli",
                "store-token",
                "--from-env",
                "MOMENTO_API_KEY",
                "--no-verify",
                "--project-dir",
                str(directory),
                "--config-env",
                config_env,
                "--secret-name",
                f"momento/{tag}/{config_env}",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for config_env in ("default", "prod")
    }
    for config_env, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, f"{config_env}: {out}{err}"
    sm = aws.client("secretsmanager")
    return {e: sm.describe_secret(SecretId=f"momento/{tag}/{e}")["ARN"] for e in procs}


ROUNDS = (
    3  # real processes racing; the interleaving itself is proved deterministically in tests/test_store_token_apply.py
)


def test_two_store_token_processes_on_a_sam_project_both_land(aws, tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        directory = projects.sam_project(tmp_path, f"sam{round_}")
        arns = _store_token_pair(aws, directory, f"sam{round_}")
        document = _toml((directory / "samconfig.toml").read_text())
        for config_env, arn in arns.items():
            overrides = document[config_env]["deploy"]["parameters"]["parameter_overrides"]
            assert edit.get_override(overrides, "MomentoSecretArn") == arn, f"round {round_}: {config_env} lost"


def test_two_store_token_processes_on_a_serverless_project_both_land(aws, tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        directory = projects.serverless_project(tmp_path, f"sls{round_}")
        arns = _store_token_pair(aws, directory, f"sls{round_}")
        document = YAML(typ="rt").load((directory / "serverless.yml").read_text())
        for config_env, arn in arns.items():
            assert document["params"][config_env]["momentoSecretArn"] == arn, f"round {round_}: {config_env} lost"
        assert "# the cache the function uses" in (directory / "serverless.yml").read_text()


# --- store-token through symlinks, answers file line ends ----------------------------


def _store(run_cli, directory: Path):
    return run_cli(
        "store-token", "--from-stdin", "--no-verify", "--project-dir", str(directory), stdin=keys.legacy_key() + "\n"
    )


def test_store_token_writes_through_a_symlink_inside_the_project(run_cli, aws, tmp_path: Path) -> None:
    directory = projects.serverless_project(tmp_path, "linked")
    real = directory / "config" / "serverless.yml"
    real.parent.mkdir()
    (directory / "serverless.yml").rename(real)
    (directory / "serverless.yml").symlink_to(Path("config") / "serverless.yml")
    before = real.read_text()
    result = _store(run_cli, directory)
    assert result.exit_code == 0, result.output
    arn = aws.client("secretsmanager").describe_secret(SecretId="momento/linked/api-key")["ARN"]
    assert (directory / "serverless.yml").is_symlink()
    assert real.read_text() == before.replace(
        "    momentoDefaultTtlSeconds: 60\n", f"    momentoDefaultTtlSeconds: 60\n    momentoSecretArn: {arn}\n"
    )


def test_store_token_refuses_a_symlink_out_of_the_project_before_aws(run_cli, aws, tmp_path: Path) -> None:
    directory = projects.sam_project(tmp_path, "escape")
    outside = tmp_path / "shared-samconfig.toml"
    (directory / "samconfig.toml").rename(outside)
    (directory / "samconfig.toml").symlink_to(outside)
    before = outside.read_bytes()
    result = _store(run_cli, directory)
    assert result.exit_code == 1
    assert "outside the project folder" in result.stderr
    assert aws.client("secretsmanager").list_secrets()["SecretList"] == []
    assert outside.read_bytes() == before


def test_store_token_keeps_the_answers_file_crlf(run_cli, aws, tmp_path: Path) -> None:
    directory = projects.sam_project(tmp_path, "winans")
    answers = directory / ".momento-lambda.json"
    answers.write_bytes(answers.read_bytes().replace(b"\n", b"\r\n"))
    assert _store(run_cli, directory).exit_code == 0
    raw = answers.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") > 5
    assert b'"secret_arn": "arn:aws:secretsmanager' in raw


def test_a_path_leading_out_of_the_project_is_refused(tmp_path: Path) -> None:
    project_dir = tmp_path / "project"
    project_dir.mkdir()
    (tmp_path / "params.yml").write_text("default: {}\n")
    with pytest.raises(MomentoLambdaError) as caught:
        files.update_file(project_dir / ".." / "params.yml", _append("# x"), root=project_dir)
    assert caught.value.code == "project.path-outside"
