"""``doctor --bug-report``: the home folder and the user name are masked in every file of the
zip, the functions' own requirements files go in, and no symlink is followed out of the project
(unit tier: the zip is written in-process)."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from momento_lambda_cli.doctor import bug_report
from tests.support.generated import render

USER = "alicetester"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home" / USER
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text("[default]\naws_secret_access_key = OUTSIDE-CANARY-1\n")
    (home / "notes.toml").write_text('secret = "OUTSIDE-CANARY-2"\n')
    (home / "elsewhere").mkdir()
    (home / "elsewhere" / "requirements.txt").write_text("OUTSIDE-CANARY-3\n")
    monkeypatch.setenv("HOME", str(home))
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, USER)
    return home


def _zip(project: Path, report: Path) -> dict[str, str]:
    document = {"data": {"project": str(project), "note": f"run by {USER} in {project}"}}
    info = {"python": {"executable": str(Path(os.environ["HOME"]) / ".venv" / "bin" / "python")}}
    bug_report.write(report, document, info, project)
    with zipfile.ZipFile(report) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_home_and_user_are_masked_in_every_file(home: Path, tmp_path: Path):
    project = render(home / "work", name="proj", framework="sam", runtime="python3.13")
    with (project / "src" / "requirements.txt").open("a") as handle:
        handle.write(f"# pinned by {USER}@laptop from {project}/constraints.txt\n")
    with (project / "samconfig.toml").open("a") as handle:
        handle.write(f'# cached_dir = "{home}/.cache/sam"\n')
    members = _zip(project, tmp_path / "report.zip")
    assert "project/src/requirements.txt" in members, sorted(members)  # the function's own requirements
    for name, text in members.items():
        assert str(home) not in text, name
        assert USER not in text, name
    assert json.loads(members["doctor.json"])["data"]["project"] == "~/work/proj"
    assert "<user>@laptop from ~/work/proj/constraints.txt" in members["project/src/requirements.txt"]
    assert '"~/.cache/sam"' in members["project/samconfig.toml"]
    assert "~/.venv/bin/python" in members["info.json"]


def test_no_symlink_is_followed_out_of_the_project(home: Path, tmp_path: Path):
    project = render(tmp_path / "work", name="proj", framework="sam", runtime="python3.13")
    (project / "requirements.txt").symlink_to(home / ".aws" / "credentials")
    (project / "src" / "pyproject.toml").symlink_to(home / "notes.toml")
    (project / "pyproject.toml").symlink_to(project / "src" / "requirements.txt")  # inside, still not followed
    members = _zip(project, tmp_path / "report.zip")
    for name, text in members.items():
        assert "OUTSIDE-CANARY" not in text, name
    skipped = members["project/SKIPPED.txt"]
    for name in ("requirements.txt", "src/pyproject.toml", "pyproject.toml"):
        assert f"- {name}: a symlink (not followed)" in skipped, skipped
    assert "project/src/requirements.txt" in members


def test_a_code_folder_that_is_a_symlink_is_not_entered(home: Path, tmp_path: Path):
    project = render(tmp_path / "work", name="proj", framework="sam", runtime="python3.13")
    (project / "template.yaml").write_text(
        (project / "template.yaml").read_text().replace("CodeUri: src/", "CodeUri: linked/")
    )
    (project / "linked").symlink_to(home / "elsewhere")
    members = _zip(project, tmp_path / "report.zip")
    assert not any("OUTSIDE-CANARY" in text for text in members.values())
    assert "- ~/elsewhere: a code folder outside the project folder (not followed)" in members["project/SKIPPED.txt"]


def test_mask_person_keeps_generic_names_and_partial_words():
    text = "/home/bob/x /home/bobby/y bob@host bobcat root"
    assert bug_report.mask_person(text, homes=["/home/bob"], user="bob") == "~/x /home/bobby/y <user>@host bobcat root"
    assert bug_report.mask_person("root ran it", homes=[], user=None).count("root") == 1
