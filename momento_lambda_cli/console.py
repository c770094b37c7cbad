"""Output helpers: the stdout/stderr consoles and the shared ``--json`` envelope.

Only command modules and ``cli.py`` print. Rich honours ``NO_COLOR`` and turns colour off
when the stream is not a terminal.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from momento_lambda_cli import __version__
from momento_lambda_cli.redact import redact

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import Console

    from momento_lambda_cli.errors import MomentoLambdaError, Notice

JSON_SCHEMA_VERSION = 3
"""2 (#24): doctor statuses gain `not-checked` and its summary `not_checked`.
3 (#26): each of `warnings` is an object `{code, message, hint}` like each of `errors` (was a string)."""


@dataclass
class OutputMode:
    """Process-wide output settings decided by the command line."""

    debug: bool = False
    json_command: str | None = None
    """Set by a command running with ``--json``: errors then also go out as a JSON envelope."""

    def reset(self) -> None:
        self.debug = False
        self.json_command = None


mode = OutputMode()


ASCII_SYMBOLS: dict[str, str | int | None] = {
    "\u2713": "+",  # ✓
    "\u2717": "x",  # ✗
    "\u2192": "->",  # →
    "\u00b7": "-",  # ·
    "\u2026": "...",  # …
    "\u2014": "-",  # —
    "\u2013": "-",  # en dash
    "\u2265": ">=",  # ≥
    "\u2264": "<=",  # ≤
}
"""What the symbols the tool prints become on a stream that cannot encode them (ASCII, cp1252)."""


def encodable(text: str, encoding: str | None) -> str:
    """``text`` as the stream's encoding can write it: the tool's symbols as ASCII, anything
    else it cannot encode (a user's file name) as ``?``."""
    if not encoding:
        return text
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = text.translate(str.maketrans(ASCII_SYMBOLS))
        return text.encode(encoding, "replace").decode(encoding)
    except LookupError:
        return text
    return text


class SafeStream:
    """``sys.stdout`` / ``sys.stderr`` (looked up at each write, as tests swap them) that falls
    back to :func:`encodable` text instead of raising UnicodeEncodeError."""

    def __init__(self, name: str) -> None:
        self._name = name

    @property
    def stream(self) -> Any:
        return getattr(sys, self._name)

    def write(self, text: str) -> int:
        stream = self.stream
        try:
            return int(stream.write(text))
        except UnicodeEncodeError:
            return int(stream.write(encodable(text, getattr(stream, "encoding", None))))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@cache
def stdout() -> Console:
    from rich.console import Console

    return Console(file=SafeStream("stdout"), soft_wrap=True, highlight=False, emoji=False)  # type: ignore[arg-type]


@cache
def stderr() -> Console:
    from rich.console import Console

    return Console(file=SafeStream("stderr"), soft_wrap=True, highlight=False, emoji=False)  # type: ignore[arg-type]


def envelope(
    command: str,
    *,
    ok: bool,
    data: Any = None,
    errors: list[MomentoLambdaError] | None = None,
    warnings: Sequence[str | Notice] | None = None,
) -> dict[str, Any]:
    """The one JSON shape every command prints with ``--json`` (docs/json.md)."""
    from momento_lambda_cli.errors import Notice

    notices = [w if isinstance(w, Notice) else Notice(w, code=f"{command}.warning") for w in warnings or ()]
    return {
        "schema": JSON_SCHEMA_VERSION,
        "tool": {"name": "momento-lambda", "version": __version__},
        "command": command,
        "ok": ok,
        "data": data,
        "warnings": [n.to_dict() for n in notices],
        "errors": [e.to_dict() for e in (errors or [])],
    }


def print_json(document: dict[str, Any]) -> None:
    """Write a JSON document to stdout (no colour, no wrapping, one trailing newline)."""
    sys.stdout.write(redact(json.dumps(document, indent=2, sort_keys=False)) + "\n")
    sys.stdout.flush()


def print_error(error: MomentoLambdaError) -> None:
    """One red line on stderr, then the hint (if any) on the next line."""
    from rich.markup import escape

    console = stderr()
    console.print(f"[bold red]Error:[/] {escape(redact(error.message))}")
    if error.hint:
        console.print(f"[dim]Hint:[/] {escape(redact(error.hint))}")


def print_warning(message: str | Notice) -> None:
    """One ``Warning:`` line on stderr (a :class:`~momento_lambda_cli.errors.Notice`'s hint follows
    its message on the same line)."""
    from rich.markup import escape

    if not isinstance(message, str):
        message = f"{message.message} {message.hint}" if message.hint else message.message
    stderr().print(f"[yellow]Warning:[/] {escape(redact(message))}")
