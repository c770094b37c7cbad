"""`add` on a Serverless Python service whose pyproject.toml lists the dependencies (no
requirements.txt): the SDK goes into that list in its own style (PEP 621 arrays inline or one
per line, Poetry's table), every other byte stays, a second run changes nothing, and a stale
lock file gets a note; a pyproject.toml for tools only leaves the SDK to a new requirements.txt."""

from __future__ import annotations

import pytest
import tomlkit

from momento_lambda_cli.retrofit import client, pyproject
from tests.support.projects import snapshot, write_tree

VERSION = client.pinned("momento_python_version")
SERVERLESS = """service: orders
provider:
  name: aws
  runtime: python3.12
plugins:
  - serverless-python-requirements
custom:
  pythonRequirements:
    dockerizePip: true
functions:
  get:
    handler: handler.get
"""
UV = """[project]
name = "orders"  # the service
version = "0.1.0"
requires-python = ">=3.12"
dependencies = [
    "boto3>=1.34",
    "requests",  # http
]

[tool.uv]
dev-dependencies = ["pytest"]
"""
UV_INLINE = '[project]\r\nname = "orders"\r\ndependencies = ["boto3>=1.34"]\r\n'
POETRY = """[tool.poetry]
name = "orders"
version = "0.1.0"

[tool.poetry.dependencies]
python = "^3.12"
boto3 = "^1.34"

[tool.poetry.group.dev.dependencies]
pytest = "^8"

[build-system]
requires = ["poetry-core"]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (UV, UV.replace('    "requests",  # http\n', f'    "requests",  # http\n    "momento=={VERSION}",\n')),
        (UV_INLINE, UV_INLINE.replace('"boto3>=1.34"]', f'"boto3>=1.34", "momento=={VERSION}"]')),
        (POETRY, POETRY.replace('boto3 = "^1.34"\n', f'boto3 = "^1.34"\nmomento = "{VERSION}"\n')),
        ('[project]\nname = "x"\n', f'[project]\nname = "x"\ndependencies = ["momento=={VERSION}"]\n'),
    ],
    ids=["uv-multiline", "inline-crlf", "poetry", "no-list-yet"],
)
def test_the_sdk_goes_into_the_list_in_its_style(text, expected):
    new = pyproject.add_requirement(text, "momento", VERSION, source="pyproject.toml")
    assert new == expected
    assert pyproject.add_requirement(new, "momento", VERSION, source="pyproject.toml") == new  # idempotent
    assert tomlkit.parse(new)  # still TOML


def service(tmp_path, manifest: str, extra: dict[str, str] | None = None):
    """A Serverless Python service whose pyproject.toml is ``manifest`` (no requirements.txt)."""
    handler = "def get(event, context):\n    return {}\n"
    files = {"serverless.yml": SERVERLESS, "handler.py": handler, "pyproject.toml": manifest, **(extra or {})}
    return write_tree(tmp_path / "svc", files)


@pytest.mark.parametrize(
    "text",
    [
        UV.replace('    "requests",', '    "Momento[extra] >=1.20",'),
        POETRY.replace('boto3 = "^1.34"', 'momento = "^1.20"'),
    ],
)
def test_a_listed_sdk_is_left_as_it_is(text):
    assert pyproject.add_requirement(text, "momento", VERSION, source="pyproject.toml") == text


@pytest.mark.parametrize(
    "text",
    ["[tool.black]\nline-length = 79\n", '[project]\nname = "x"\ndynamic = ["dependencies"]\n'],
)
def test_a_pyproject_without_a_dependency_list_is_not_edited(text):
    assert pyproject.add_requirement(text, "momento", VERSION, source="pyproject.toml") is None


@pytest.mark.parametrize(
    ("manifest", "lock", "command"), [(UV, "uv.lock", "uv lock"), (POETRY, "poetry.lock", "poetry lock")]
)
def test_add_edits_the_service_pyproject_and_notes_the_lock(tmp_path, run_cli, manifest, lock, command):
    project = service(tmp_path, manifest, {lock: "# lock\n"})
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert not (project / "requirements.txt").exists()
    text = (project / "pyproject.toml").read_text()
    assert text == pyproject.add_requirement(manifest, "momento", VERSION, source="pyproject.toml")
    assert f"run `{command}` to refresh {lock}" in result.stdout
    assert (project / lock).read_text() == "# lock\n"
    after = snapshot(project)
    assert run_cli("add", str(project), "--no-input").exit_code == 0
    assert snapshot(project) == after


def test_a_tools_only_pyproject_leaves_the_sdk_to_requirements_txt(tmp_path, run_cli):
    project = service(tmp_path, "[tool.black]\nline-length = 79\n")
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (project / "pyproject.toml").read_text() == "[tool.black]\nline-length = 79\n"
    assert f"momento=={VERSION}" in (project / "requirements.txt").read_text()


def test_invalid_toml_is_a_clear_error_and_nothing_is_written(tmp_path, run_cli):
    project = service(tmp_path, "[project\nname = 1\n")
    before = snapshot(project)
    result = run_cli("add", str(project), "--no-input")
    assert result.exit_code != 0 and "pyproject.toml is not valid TOML" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(project) == before
