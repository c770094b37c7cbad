"""`momento-lambda add` (and `doctor --fix`) on SAM projects configured by samconfig.yaml /
samconfig.yml: the container build flag and the parameter overrides go there, in the form the
file writes them, and the SAM CLI's own samconfig reader sees them; every other byte stays."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.support import add_projects
from tests.support.projects import snapshot, write_tree
from tests.support.samconfig_yaml import OVERRIDES, SAMCONFIG_YAML, sam_reads

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:momento/orders/api-key-AbC123"
EXPECTED = {
    "MomentoCacheName": "sam-app",
    "MomentoSecretName": "momento/orders/api-key",
    "MomentoSecretArn": ARN,
    "Stage": "dev",
    "LogLevel": "INFO",
}


def make(tmp_path: Path, overrides: str, name: str = "samconfig.yaml", crlf: bool = False) -> Path:
    files = {k: v for k, v in add_projects.SAM_HELLO_PYTHON.items() if k != "samconfig.toml"}
    files[name] = SAMCONFIG_YAML.format(overrides=OVERRIDES[overrides])
    return write_tree(tmp_path / f"{overrides}-{name}", add_projects.crlf(files) if crlf else files)


def changed_lines(before: bytes, after: bytes) -> list[tuple[list[str], list[str]]]:
    """(removed, added) line groups of the edit, besides pure insertions."""
    old = before.decode().splitlines(keepends=True)
    new = after.decode().splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    return [(old[i1:i2], new[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag in ("replace", "delete")]


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("name", ["samconfig.yaml", "samconfig.yml"])
@pytest.mark.parametrize("overrides", sorted(OVERRIDES))
def test_add_edits_the_yaml_config_in_place_and_a_second_add_changes_nothing(tmp_path, run_cli, overrides, name, crlf):
    project = make(tmp_path, overrides, name, crlf)
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input", "--secret-arn", ARN)
    assert result.exit_code == 0, result.stdout + result.stderr
    after = snapshot(project)
    assert "samconfig.toml" not in after  # the SAM CLI would read the toml first: none is created
    text = after[name].decode()
    assert "      use_container: true" in text.replace("\r\n", "\n")
    changes = changed_lines(before[name], after[name])
    if overrides == "string":  # the one line holding the string: only tokens appended
        ((removed, added),) = changes
        assert [line.rstrip() for line in removed] == ['      parameter_overrides: Stage="dev" LogLevel=INFO']
        assert added[0].startswith('      parameter_overrides: Stage="dev" LogLevel=INFO MomentoCacheName=')
    else:
        assert changes == []
    if crlf:
        assert text.count("\n") == text.count("\r\n")
    from momento_lambda_cli.project import samconfig

    config = samconfig.load(project)
    assert config.path is not None and config.path.name == name
    assert config.parameters("build")["use_container"] is True
    overrides_seen = config.overrides("deploy")
    assert {k: overrides_seen.get(k) for k in EXPECTED if k in overrides_seen} == {
        k: v for k, v in EXPECTED.items() if overrides != "none" or k.startswith("Momento")
    }
    assert run_cli("add", str(project), "--no-input", "--secret-arn", ARN).exit_code == 0
    assert snapshot(project) == after


@pytest.mark.slow
@pytest.mark.parametrize("overrides", sorted(OVERRIDES))
def test_the_sam_cli_reads_the_edited_yaml_config(tmp_path, run_cli, overrides):
    project = make(tmp_path, overrides)
    assert run_cli("add", str(project), "--no-input", "--secret-arn", ARN).exit_code == 0
    theirs = sam_reads(project)
    assert theirs["file"] == "samconfig.yaml"
    assert theirs["use_container"] is True
    wanted = {k: v for k, v in EXPECTED.items() if overrides != "none" or k.startswith("Momento")}
    assert {k: theirs["overrides"].get(k) for k in wanted} == wanted


def test_a_false_use_container_becomes_true(tmp_path, run_cli):
    project = make(tmp_path, "none")
    path = project / "samconfig.yaml"
    path.write_text(
        path.read_text().replace("      cached: true\n", "      cached: true\n      use_container: false\n")
    )
    before = path.read_bytes()
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    assert changed_lines(before, path.read_bytes()) == [
        (["      use_container: false\n"], ["      use_container: true\n"])
    ]


def test_the_toml_config_wins_as_it_does_for_the_sam_cli(tmp_path, run_cli):
    project = make(tmp_path, "none")
    (project / "samconfig.toml").write_text(add_projects.SAM_CONFIG)
    yaml_before = (project / "samconfig.yaml").read_bytes()
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    assert (project / "samconfig.yaml").read_bytes() == yaml_before
    assert "use_container = true" in (project / "samconfig.toml").read_text()


def test_a_file_reference_is_left_alone_with_a_note(tmp_path, run_cli):
    project = make(tmp_path, "none")
    path = project / "samconfig.yaml"
    path.write_text(
        path.read_text().replace(
            "      resolve_s3: true\n", "      resolve_s3: true\n      parameter_overrides: file://params.toml\n"
        )
    )
    (project / "params.toml").write_text('Stage = "dev"\n')
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stderr
    assert "file:// reference" in result.stdout
    assert "parameter_overrides: file://params.toml\n" in path.read_text()


def test_doctor_fix_sets_use_container_in_the_yaml_config(tmp_path, run_cli):
    from tests.support.generated import render

    project = render(tmp_path, runtime="python3.13")
    toml = project / "samconfig.toml"
    toml.unlink()
    (project / "samconfig.yml").write_text(SAMCONFIG_YAML.format(overrides=""))
    before = (project / "samconfig.yml").read_bytes()
    result = run_cli("doctor", str(project), "--offline", "--fix", "--only", "project.build-method")
    assert "samconfig.yml: use_container: true under default.build.parameters" in result.stdout, result.stdout
    assert changed_lines(before, (project / "samconfig.yml").read_bytes()) == []
    assert "      use_container: true\n" in (project / "samconfig.yml").read_text()
