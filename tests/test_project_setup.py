"""The project's own plumbing: CI calls the README's test command; missing tools fail in CI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import tools

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme.split("## Running the tests", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", section, flags=re.S)
    assert len(commands) == 1, "Running the tests has one block: the fast run, then everything"
    test_commands = [line.split("#", 1)[0].strip() for line in commands[0].splitlines()]
    assert test_commands == ["scripts/test.sh --fast", "scripts/test.sh"]
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "export CI=true" in ci
    assert f"exec {test_commands[-1]}\n" in ci


def test_test_command_runs_lint_types_and_all_tests():
    script = (REPO_ROOT / "scripts" / "test.sh").read_text()
    for step in ("ruff check", "ruff format --check", "mypy", "pytest", "install-tools.sh", "'.[dev]'"):
        assert step in script


def test_missing_tool_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        tools.require_tool("definitely-not-a-tool-xyz")


def test_missing_tool_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        tools.require_tool("definitely-not-a-tool-xyz")


def test_present_tool_is_found():
    assert tools.require_tool("python3").name.startswith("python3")
