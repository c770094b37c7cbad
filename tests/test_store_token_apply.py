"""store-token writes the ARN through the one changeset (unit tier: the wiring and the
failure report are called in-process; the AWS side is a stand-in result)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from momento_lambda_cli.errors import MomentoLambdaError
from momento_lambda_cli.project import changeset
from momento_lambda_cli.secrets import flow, wiring
from tests.support import projects

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento-api-key-AbCdEf"


@dataclass
class Stored:
    secret_arn: str = ARN
    version_id: str | None = "v-1"


def _plan(directory: Path) -> list[wiring.PlannedWrite]:
    found = wiring.inspect_project(directory)
    writes, _ = wiring.plan_writes(found, secret_name="momento-api-key", secret_arn=ARN, kms_key_arn=None)
    return writes


@pytest.mark.filterwarnings("ignore:only soft file lock is available")
def test_without_fcntl_the_arn_is_still_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no fcntl: the old flock lock crashed (ModuleNotFoundError) after the secret
    was created; the lock is filelock's now (msvcrt there)."""
    directory = projects.sam_project(tmp_path)
    writes = _plan(directory)
    monkeypatch.setitem(sys.modules, "fcntl", None)  # `import fcntl` raises ImportError
    flow._apply(writes, Stored(), warn=lambda _m: None)
    assert ARN in (directory / "samconfig.toml").read_text()


def test_any_failure_after_the_secret_is_stored_names_the_arn_and_changes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = projects.sam_project(tmp_path)
    before = projects.snapshot(directory)
    writes = _plan(directory)

    def no_lock(_root: Path) -> None:
        raise ModuleNotFoundError("No module named 'fcntl'", name="fcntl")

    monkeypatch.setattr(changeset, "project_lock", no_lock)
    with pytest.raises(MomentoLambdaError) as caught:
        flow._apply(writes, Stored(), warn=lambda _m: None)
    assert caught.value.code == "project.write-failed"
    assert f"The key is stored in Secrets Manager ({ARN}, version v-1)" in caught.value.message
    assert "ModuleNotFoundError" in caught.value.message and "no project file was changed" in caught.value.message
    assert "MomentoSecretArn" in (caught.value.hint or "")
    assert projects.snapshot(directory) == before


def test_a_second_file_failing_leaves_the_first_unwritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """samconfig.toml and the answers file: all or none (before, samconfig.toml stayed written)."""
    directory = projects.sam_project(tmp_path)
    before = projects.snapshot(directory)
    writes = _plan(directory)
    assert sorted(w.path.name for w in writes) == [".momento-lambda.json", "samconfig.toml"]
    real = changeset._stage

    def fail_on_answers(item: changeset._Staged) -> None:
        if item.target.name == ".momento-lambda.json":
            raise OSError(28, "No space left on device", str(item.target))
        real(item)

    monkeypatch.setattr(changeset, "_stage", fail_on_answers)
    with pytest.raises(MomentoLambdaError, match=r"No space left on device"):
        flow._apply(writes, Stored(), warn=lambda _m: None)
    assert projects.snapshot(directory) == before


def test_a_change_saved_while_the_secret_was_stored_is_kept(tmp_path: Path) -> None:
    directory = projects.sam_project(tmp_path)
    writes = _plan(directory)
    path = directory / "samconfig.toml"
    path.write_text(path.read_text() + '\n[prod.deploy.parameters]\nregion = "eu-west-1"\n')
    warnings = wiring.apply_writes(writes)
    text = path.read_text()
    assert ARN in text and 'region = "eu-west-1"' in text
    assert warnings == ["samconfig.toml changed while this command ran; the edit was applied to its new content."]


@pytest.mark.filterwarnings("ignore:only soft file lock is available")
@pytest.mark.parametrize("kind", ["sam", "serverless"])
def test_a_second_run_between_the_first_run_s_read_and_write_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """The race of two store-token runs (--config-env default and prod), interleaved on purpose:
    the first run has read the file and planned its edit when the second runs to the end."""
    directory = (projects.sam_project if kind == "sam" else projects.serverless_project)(tmp_path)
    arns = {
        env: f"arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/{env}-AbCdEf" for env in ("default", "prod")
    }

    def plan(config_env: str) -> list[wiring.PlannedWrite]:
        found = wiring.inspect_project(directory)
        writes, _ = wiring.plan_writes(
            found,
            secret_name=f"momento/{config_env}",
            secret_arn=arns[config_env],
            kms_key_arn=None,
            config_env=config_env,
        )
        return writes

    first, second = plan("default"), plan("prod")
    planned = wiring.changeset
    calls = 0

    def pause_the_first_writer(writes: list[wiring.PlannedWrite], root: Path) -> tuple[changeset.Changeset, list[str]]:
        nonlocal calls
        calls += 1
        result = planned(writes, root)
        if calls == 1:
            wiring.apply_writes(second)  # the other run, start to end, while the first one waits
        return result

    monkeypatch.setattr(wiring, "changeset", pause_the_first_writer)
    wiring.apply_writes(first)
    config = (directory / ("samconfig.toml" if kind == "sam" else "serverless.yml")).read_text()
    assert arns["default"] in config and arns["prod"] in config
    assert calls == 3  # the first run's write was refused once (its file changed) and re-planned
