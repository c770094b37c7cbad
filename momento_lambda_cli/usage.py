"""Command-line parsing errors in the shape of every other error.

Click (as vendored by typer) reports a wrong command line in its own words, in a box, with
"Try -h". :func:`translate` turns each of its usage exceptions into one
:class:`~momento_lambda_cli.errors.UsageError`: a one-line message naming the option and
the values it accepts, and a hint, so the CLI can print it (and its ``--json`` envelope)
like any other error, with exit code 2.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from momento_lambda_cli.errors import UsageError

PROG = "momento-lambda"

_CHOICE_VALUE = re.compile(r"^Value error, (?P<value>'.*?'|\S+) is not one of ")


def command_of(argv: Sequence[str], commands: Sequence[str]) -> str | None:
    """The subcommand named on ``argv`` (the first word that is one), else ``None``."""
    for word in argv:
        if word == "--":
            break
        if word in commands:
            return word
    return None


def wants_json(argv: Sequence[str]) -> bool:
    """Whether ``--json`` was given (before any ``--``)."""
    for word in argv:
        if word == "--":
            return False
        if word == "--json":
            return True
    return False


def given_value(argv: Sequence[str], opts: Sequence[str]) -> str | None:
    """The value written after the last of ``opts`` on ``argv`` (``--opt VALUE`` or ``--opt=VALUE``)."""
    found: str | None = None
    for index, word in enumerate(argv):
        if word == "--":
            break
        for opt in opts:
            if word == opt and index + 1 < len(argv):
                found = argv[index + 1]
            elif opt.startswith("--") and word.startswith(opt + "="):
                found = word[len(opt) + 1 :]
    return found


def accepted(param: Any) -> str | None:
    """What ``param`` accepts, in words (``python3.11, python3.12`` / ``an integer >= 1``), if known
    (from its click type: ``Choice``, ``IntRange``, ``FloatRange``, ``INT``, ``FLOAT``)."""
    kind_of = getattr(param, "type", None)
    choices = getattr(kind_of, "choices", None)
    if choices:
        return ", ".join(str(getattr(c, "value", c)) for c in choices)
    kind = {"integer": "an integer", "int range": "an integer", "float": "a number", "float range": "a number"}.get(
        str(getattr(kind_of, "name", ""))
    )
    if kind is None:
        return None
    low, high = getattr(kind_of, "min", None), getattr(kind_of, "max", None)
    if low is not None and high is not None:
        return f"{kind} from {low:g} to {high:g}" if kind == "a number" else f"{kind} from {low} to {high}"
    if low is not None:
        return f"{kind} >= {low:g}" if kind == "a number" else f"{kind} >= {low}"
    if high is not None:
        return f"{kind} <= {high:g}" if kind == "a number" else f"{kind} <= {high}"
    return kind


def _name(param: Any) -> str:
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    if opts:
        return str(opts[0])
    metavar = getattr(param, "metavar", None)
    return str(metavar or getattr(param, "name", "") or "").upper()


def _help(command: str | None) -> str:
    return f"`{PROG} {command} -h`" if command else f"`{PROG} -h`"


def translate(exc: Any, argv: Sequence[str], commands: Sequence[str]) -> UsageError:
    """One :class:`UsageError` (message + hint) for a click usage exception raised by ``argv``."""
    command = command_of(argv, commands)
    kind = type(exc).__name__
    param = getattr(exc, "param", None)
    raw = str(getattr(exc, "message", "") or "").strip()
    help_hint = f"See {_help(command)} for the options and the values they take."

    if kind == "MissingParameter" and param is not None:
        what = "argument" if getattr(param, "param_type_name", "") == "argument" else "option"
        usage = f"{PROG} {command or ''} [OPTIONS] {_name(param)}".replace("  ", " ")
        return UsageError(f"Missing {what} {_name(param)}.", f"Usage: {usage}. {help_hint}", code="usage.missing")

    if kind == "BadParameter" and param is not None:
        name = _name(param)
        value = given_value(argv, list(getattr(param, "opts", [])))
        if value is None:
            matched = _CHOICE_VALUE.match(raw)
            value = matched.group("value").strip("'") if matched else None
        allowed = accepted(param)
        shown = f" {value!r}" if value is not None else ""
        message = f"Invalid value{shown} for {name}"
        if raw.startswith("must be "):  # a bound of momento_lambda_cli.numbers: its own words
            message += f": {raw.rstrip('.')}."
        else:
            message += f"; accepted: {allowed}." if allowed else f": {_clean(raw)}."
        choices = getattr(getattr(param, "type", None), "choices", None)
        example = f"e.g. {name} {choices[0]}; " if choices and name.startswith("--") else ""
        return UsageError(message, f"Pass a value it accepts ({example}see {_help(command)}).", code="usage.bad-value")

    if kind == "NoSuchOption":
        option = str(getattr(exc, "option_name", "") or raw)
        where = f" for {command}" if command else ""
        possibilities = sorted(getattr(exc, "possibilities", None) or [])
        hint = f"Did you mean {' or '.join(possibilities)}? " if possibilities else ""
        return UsageError(f"No such option{where}: {option}.", hint + help_hint, code="usage.no-such-option")

    if kind == "BadOptionUsage":
        option = str(getattr(exc, "option_name", "") or "")
        if "requires an argument" in raw and option:
            return UsageError(f"Option {option} needs a value.", help_hint, code="usage.missing-value")
        return UsageError(_clean(raw) or "Wrong use of an option.", help_hint, code="usage")

    if raw.startswith("No such command"):
        word = raw.removeprefix("No such command").strip(" .'\"")
        return UsageError(
            f"No such command: {word}; accepted: {', '.join(commands)}.",
            f"See {_help(None)} for what each command does.",
            code="usage.no-such-command",
        )

    if raw.startswith("Got unexpected extra argument"):
        found = re.search(r"\(([^()]*)\)$", raw)
        extra = found.group(1) if found else raw
        return UsageError(
            f"Unexpected extra argument{'s' if ' ' in extra else ''}: {extra}.",
            "Quote a value that contains spaces; " + help_hint[0].lower() + help_hint[1:],
            code="usage.extra-argument",
        )

    return UsageError(_clean(raw) or "The command line is not valid.", help_hint, code="usage")


def _clean(text: str) -> str:
    text = text.removeprefix("Value error, ").strip()
    return text[:-1] if text.endswith(".") else text
