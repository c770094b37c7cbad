"""The project's one error type and its exit codes.

Core code raises :class:`MomentoLambdaError`; only the CLI layer turns it into output.
"""

from __future__ import annotations

import re
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, documented in docs/output.md."""

    OK = 0
    FAILED = 1
    """The command ran and failed (bad input, AWS refused, a doctor check failed)."""
    USAGE = 2
    """The command line itself was wrong (unknown option, missing argument, not implemented)."""
    NOT_CHECKED = 3
    """`doctor`: nothing failed, but some checks could not run (AWS or Momento unreachable, no
    credentials); pass --offline to check only the project."""
    INTERRUPTED = 130
    """Ctrl-C."""


class MomentoLambdaError(Exception):
    """A failure the user can act on: a one-line message plus a hint.

    ``message`` must never contain secret material: callers pass only names, ARNs and
    error codes.
    """

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        exit_code: ExitCode = ExitCode.FAILED,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code
        self.code = code
        """A short stable identifier for machines (``--json``), e.g. ``aws.access-denied``."""
        self.debug: str | None = None
        """What ``--debug`` adds: the request that failed and the raw error (never secret material)."""

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "hint": self.hint}


class Notice:
    """A warning as the ``--json`` envelope carries it: the same ``{code, message, hint}`` object
    as an error. A command's plain-text warnings become ``Notice(text, code="COMMAND.warning")``."""

    __slots__ = ("code", "hint", "message")

    def __init__(self, message: str, hint: str | None = None, *, code: str | None = None) -> None:
        self.message = message
        self.hint = hint
        self.code = code

    def to_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "hint": self.hint}


class UsageError(MomentoLambdaError):
    """A wrong command line, reported with exit code 2."""

    def __init__(self, message: str, hint: str | None = None, *, code: str | None = "usage") -> None:
        super().__init__(message, hint, exit_code=ExitCode.USAGE, code=code)


def crash_location(exc: BaseException) -> str:
    """`` at file.py:LINE`` of the innermost frame of ``exc``'s traceback ("" without one).

    Names only the file and line: never the exception's message, which may carry data."""
    last = exc.__traceback__
    while last is not None and last.tb_next is not None:
        last = last.tb_next
    if last is None:
        return ""
    return f" at {last.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{last.tb_lineno}"


_QUOTED = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'")


def parser_problem(exc: BaseException) -> str:
    """What a YAML / TOML parser says is wrong, without the values it may quote.

    Parsers quote the text they choke on (``found duplicate key "k" with value "..."``);
    a project file may hold a key there, so every quoted piece longer than one character
    becomes ``"…"`` and the line and column say where to look."""
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    problem = getattr(exc, "problem", None) or (str(exc) if isinstance(exc, ValueError) else "") or type(exc).__name__
    problem = str(problem).splitlines()[0] if str(problem).strip() else type(exc).__name__
    return _QUOTED.sub(lambda m: m.group(0) if len(m.group(0)) <= 3 else '"…"', problem)[:200]
