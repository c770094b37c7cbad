"""Usage errors: one ``Error:`` line naming the option and what it accepts, a ``Hint:``, exit 2,
and the shared JSON envelope on stdout with ``--json`` (whatever click would have said)."""

from __future__ import annotations

import json

import pytest

from momento_lambda_cli import catalog

CASES = {
    "bad-choice": (["new", "demo", "--runtime", "python2.7"], "--runtime", [*catalog.RUNTIME_NAMES]),
    "below-range": (["new", "demo", "--default-ttl", "0"], "--default-ttl", ["whole number", "1"]),
    "not-a-number": (["new", "demo", "--default-ttl", "soon"], "--default-ttl", ["whole number", "soon"]),
    "bad-framework": (["new", "demo", "--framework", "pulumi"], "--framework", [*catalog.FRAMEWORK_NAMES]),
    "missing-argument": (["new"], "NAME", []),
    "unknown-option": (["doctor", "--no-such-option"], "--no-such-option", []),
    "missing-value": (["doctor", "--timeout"], "--timeout", []),
    "below-minimum": (["doctor", "--timeout", "0"], "--timeout", ["number"]),
    "extra-argument": (["new", "demo", "surplus"], "surplus", []),
    "unknown-check": (["doctor", "--only", "no-such-check"], "no-such-check", []),
    "store-token-option": (["store-token", "--bogus"], "--bogus", []),
    "snapstart-on-node": (["new", "demo", "--snapstart", "--runtime", "nodejs22.x"], "--snapstart", ["Node.js"]),
    "snapstart-on-3.11": (["new", "demo", "--snapstart", "--runtime", "python3.11"], "--snapstart", ["3.12"]),
    "snapstart-in-taipei": (["new", "demo", "--snapstart", "--region", "ap-east-2"], "--snapstart", ["ap-east-2"]),
    "snapstart-in-govcloud": (
        ["new", "demo", "--snapstart", "--region", "us-gov-west-1"],
        "--region",
        ["us-gov-west-1", "not available"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_usage_error_is_one_line_and_a_hint(run_cli, tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    args, names, accepted = CASES[case]
    result = run_cli(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("Error: ") and names in lines[0], lines
    assert lines[1].startswith("Hint: "), lines
    for word in accepted:
        assert word in lines[0], lines
    assert "Try '" not in result.stderr and "Usage: momento-lambda [" not in result.stderr


@pytest.mark.parametrize("case", sorted(CASES))
def test_usage_error_with_json_prints_the_envelope(run_cli, tmp_path, monkeypatch, case):
    monkeypatch.chdir(tmp_path)
    args, names, _ = CASES[case]
    result = run_cli(*args, "--json")
    assert result.exit_code == 2, result.output
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["command"] == args[0]
    [error] = document["errors"]
    assert error["code"].startswith("usage") or error["code"] == "doctor.unknown-check"
    assert names in error["message"] and error["hint"]


def test_unknown_command_names_the_commands(run_cli):
    result = run_cli("frobnicate")
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first.startswith("Error: No such command: frobnicate")
    for command in ("new", "store-token", "doctor"):
        assert command in first


def test_a_near_miss_option_is_suggested(run_cli):
    result = run_cli("doctor", "--ofline")
    assert result.exit_code == 2
    assert "--offline" in result.stderr.splitlines()[1]


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_is_accepted_before_and_after_the_command(run_cli, where):
    args = ["--debug", "doctor", "--list-checks"] if where == "before" else ["doctor", "--list-checks", "--debug"]
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    assert "project.framework" in result.stdout
