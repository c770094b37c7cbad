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
        "schema": 3,
        "tool": {"name": "momento-lambda", "version": __version__},
        "command": "store-token",
        "ok": False,
        "data": {"arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"},
        "warnings": [{"code": "store-token.warning", "message": "w", "hint": None}],
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


def _stream(monkeypatch, name, encoding):
    import io
    import sys

    stream = io.TextIOWrapper(io.BytesIO(), encoding=encoding, newline="\n")
    monkeypatch.setattr(sys, name, stream)
    return stream


def _written(stream) -> bytes:
    stream.flush()
    return stream.buffer.getvalue()


def test_symbols_fall_back_to_ascii_on_a_stream_that_cannot_encode_them(monkeypatch):
    """Issue #23: doctor crashed with UnicodeEncodeError on ASCII and cp1252 terminals."""
    stream = _stream(monkeypatch, "stdout", "ascii")
    console.stdout().print("  [green]\u2713[/] Timeout \u2192 fine\u2026 caf\u00e9 \u00b7 \u2717", markup=True)
    assert _written(stream) == b"  + Timeout -> fine... caf? - x\n"


def test_cp1252_keeps_what_it_can_encode(monkeypatch):
    stream = _stream(monkeypatch, "stderr", "cp1252")
    console.stderr().print("\u2713 caf\u00e9\u2026")
    assert _written(stream).decode("cp1252") == "+ caf\u00e9...\n"


def test_doctor_prints_on_an_ascii_terminal(monkeypatch, tmp_path):
    from momento_lambda_cli.cli import main
    from tests.support.doctor_projects import make_project

    project = make_project(tmp_path)
    out = _stream(monkeypatch, "stdout", "ascii")
    _stream(monkeypatch, "stderr", "ascii")
    code = main(["doctor", str(project.root), "--offline", "--only", "project"])
    text = _written(out).decode("ascii")
    assert code in (0, 1), text
    assert "checks passed" in text and "+ " in text


def test_envelope_warnings_are_objects_like_errors():
    """Schema 3: a warning is {code, message, hint}, as an error is; a plain-text warning gets
    the command's code."""
    from momento_lambda_cli.errors import Notice

    document = console.envelope("update", ok=True, warnings=["plain", Notice("m", "h", code="update.x")])
    assert document["schema"] == console.JSON_SCHEMA_VERSION == 3
    assert document["warnings"] == [
        {"code": "update.warning", "message": "plain", "hint": None},
        {"code": "update.x", "message": "m", "hint": "h"},
    ]
    assert all(set(w) == set(e) for w in document["warnings"] for e in [MomentoLambdaError("m").to_dict()])
