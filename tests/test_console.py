"""The shared --json envelope is pinned: machines depend on its exact shape."""

from __future__ import annotations

import json

from momento_lambda_cli import __version__, console
from momento_lambda_cli.errors import ExitCode, MomentoLambdaError, UsageError


def test_envelope_shape_is_pinned():
    document = console.envelope(
        "store-token",
        ok=False,
        data={"arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"},
        errors=[MomentoLambdaError("m", "h", code="c")],
        warnings=["w"],
    )
    assert document == {
        "schema": 2,
        "tool": {"name": "momento-lambda", "version": __version__},
        "command": "store-token",
        "ok": False,
        "data": {"arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"},
        "warnings": ["w"],
        "errors": [{"code": "c", "message": "m", "hint": "h"}],
    }


def test_envelope_defaults():
    document = console.envelope("doctor", ok=True)
    assert document["data"] is None
    assert document["errors"] == []
    assert document["warnings"] == []
    assert list(document) == ["schema", "tool", "command", "ok", "data", "warnings", "errors"]


def test_print_json_writes_one_document(capsys):
    console.print_json(console.envelope("new", ok=True, data={"path": "/tmp/x"}))
    out = capsys.readouterr().out
    assert out.endswith("\n")
    assert json.loads(out)["data"] == {"path": "/tmp/x"}


def test_print_json_redacts_registered_secrets(capsys):
    from momento_lambda_cli.redact import register_secret

    register_secret("abcdefgh-super-secret")
    console.print_json(console.envelope("new", ok=True, data={"oops": "abcdefgh-super-secret"}))
    out = capsys.readouterr().out
    assert "abcdefgh" not in out


def test_error_codes():
    assert MomentoLambdaError("x").exit_code == ExitCode.FAILED == 1
    assert UsageError("x").exit_code == ExitCode.USAGE == 2
    assert ExitCode.INTERRUPTED == 130
