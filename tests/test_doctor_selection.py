"""doctor check selection: ids, id prefixes, groups; options a project keeps in
.momento-lambda.json; --offline summarised in one line."""

from __future__ import annotations

import json

import pytest

from momento_lambda_cli.doctor import registry
from momento_lambda_cli.errors import UsageError
from tests.support import projects


def _ids(only=(), skip=()):
    return [c.id for c in registry.select(registry.all_checks(), only, skip)]


def test_an_id_prefix_selects_its_checks():
    selected = _ids(only=["iam"])
    assert selected and all(i.startswith("iam.") for i in selected)
    assert _ids(only=["iam."]) == selected


def test_groups_ids_and_prefixes_mix():
    selected = _ids(only=["build,project.runtime", "code"])
    assert "project.runtime" in selected and "build.binaries" in selected
    assert all(i.startswith(("build.", "code.", "project.runtime")) for i in selected)


def test_skip_takes_prefixes():
    assert not any(i.startswith("deploy.") for i in _ids(skip=["deploy"]))


@pytest.mark.parametrize("selector", ["ia", "nope", "iam.secret"])
def test_a_selector_that_names_nothing_lists_what_is_accepted(selector):
    with pytest.raises(UsageError) as raised:
        _ids(only=[selector])
    assert selector in raised.value.message
    assert "iam" in raised.value.message and "deployment" in raised.value.message


def _save(project, options):
    path = project / ".momento-lambda.json"
    document = json.loads(path.read_text())
    document["doctor"] = options
    path.write_text(json.dumps(document))


def test_saved_options_apply_and_the_command_line_adds_to_them(run_cli, tmp_path):
    project = projects.sam_project(tmp_path, "kept")
    _save(project, {"skip": ["build", "code"], "offline": True, "strict": False})
    result = run_cli("doctor", "--json", str(project))
    ids = [c["id"] for c in json.loads(result.stdout)["data"]["checks"]]
    assert ids and not any(i.startswith(("build.", "code.")) for i in ids)
    assert all(
        c["status"] == "skip" for c in json.loads(result.stdout)["data"]["checks"] if c["id"].startswith("deploy.")
    )
    more = run_cli("doctor", "--json", "--skip", "iam", str(project))
    ids = [c["id"] for c in json.loads(more.stdout)["data"]["checks"]]
    assert not any(i.startswith(("build.", "code.", "iam.")) for i in ids)
    only = run_cli("doctor", "--json", "--only", "project.runtime", str(project))
    assert [c["id"] for c in json.loads(only.stdout)["data"]["checks"]] == ["project.runtime"]


@pytest.mark.parametrize(
    "options",
    [{"skip": "nope"}, {"strict": "yes"}, {"timeout": 0}, {"colour": True}, ["build"]],
    ids=["unknown-check", "strict-not-bool", "timeout-zero", "unknown-field", "not-an-object"],
)
def test_bad_saved_options_are_an_error_naming_the_file(run_cli, tmp_path, options):
    """A bad saved option is the file's fault, not the command line's: exit 1, as every malformed
    field of the answers file in every command (2 is kept for usage errors)."""
    project = projects.sam_project(tmp_path, "bad")
    _save(project, options)
    result = run_cli("doctor", "--offline", str(project))
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("Error: ") and lines[1].startswith("Hint: ")
    assert ".momento-lambda.json: doctor" in lines[0]


def test_offline_prints_one_line_for_the_skipped_remote_checks(run_cli, tmp_path):
    project = projects.sam_project(tmp_path, "quiet")
    result = run_cli("doctor", "--offline", str(project))
    offline = [line for line in result.stdout.splitlines() if "(--offline)" in line]
    assert len(offline) == 1
    assert offline[0].startswith("- ") and "deployment and Momento checks skipped (--offline)" in offline[0]
    assert "Skipped with --offline" not in result.stdout
